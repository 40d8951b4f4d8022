import { createSignal, onCleanup, onMount, Show } from "solid-js";
import * as api from "../api";
import type { SyncView } from "../api";
import Icon from "./Icon";
import SyncDialog from "./SyncDialog";
import { formatSyncedAt } from "../syncStatus";

type Props = {
  /** Another device changed shows, positions or played states: the lists reload. */
  onLibraryChanged: () => void;
};

/** The sidebar's sync line: off ("Set up sync…"), or when it last synced and any error; opens Settings → Sync. */
export default function SyncStatus(props: Props) {
  const [status, setStatus] = createSignal<SyncView | null>(null);
  const [open, setOpen] = createSignal(false);
  // Re-said every half minute so "5 min ago" stays true.
  const [now, setNow] = createSignal(new Date());
  let stop: (() => void) | undefined;
  let stopped = false;
  const tick = setInterval(() => setNow(new Date()), 30_000);

  // A sync-update that arrives before the first status answer is newer: it wins.
  let updated = false;
  const take = (view: SyncView) => {
    updated = true;
    setStatus(view);
    if (view.library_changed) props.onLibraryChanged();
  };

  onMount(() => {
    api
      .syncStatus()
      .then((view) => {
        if (!updated) setStatus(view);
      })
      .catch((e: unknown) => console.warn("could not read the sync status", e));
    api
      .onSyncUpdate(take)
      .then((off) => (stopped ? off() : (stop = off)))
      .catch((e: unknown) => console.warn("could not listen to sync updates", e));
  });
  onCleanup(() => {
    stopped = true;
    stop?.();
    clearInterval(tick);
  });

  const account = () => status()?.account ?? null;
  return (
    <div class="sync-status" data-testid="sync-status">
      <button class="link-button sync-status-button" type="button" data-testid="sync-open" onClick={() => setOpen(true)}>
        <Icon name="refresh" size={14} />
        <span>{account() ? "Sync" : "Set up sync…"}</span>
      </button>
      <Show when={account()}>
        {(a) => (
          <>
            <span class="sync-status-time" data-testid="sync-time" title={a().last_synced_at ?? ""}>
              {formatSyncedAt(a().last_synced_at, now())}
            </span>
            <Show when={a().last_error}>
              <span class="sync-status-error" data-testid="sync-status-error" title={a().last_error ?? ""}>
                {a().last_error}
              </span>
            </Show>
          </>
        )}
      </Show>
      <Show when={open()}>
        <SyncDialog status={status()} onStatus={take} onClose={() => setOpen(false)} />
      </Show>
    </div>
  );
}
