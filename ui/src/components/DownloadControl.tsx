import { createEffect, createSignal, Match, on, onMount, Show, Switch } from "solid-js";
import type { DownloadState, DownloadView } from "../api";
import { progressFraction, progressText } from "../stores/downloads";
import type { Downloads } from "../stores/downloads";
import Icon from "./Icon";

type Props = {
  episodeId: string;
  /** The library's word, for when the store has no entry (yet). */
  isDownloaded: boolean;
  downloads: Downloads;
};

/**
 * One episode's download, in whatever state it is: a Download button, progress with Pause and
 * Cancel, Resume, the failure with Retry, or "Downloaded" with Delete.
 */
export default function DownloadControl(props: Props) {
  const d = () => props.downloads.get(props.episodeId);
  const state = (): DownloadState | "idle" => {
    const s = d()?.state;
    return s && s !== "removed" ? s : props.isDownloaded ? "done" : "idle";
  };
  const inProgress = () => {
    const s = state();
    return s === "queued" || s === "running" || s === "offline" || s === "paused";
  };
  const id = () => props.episodeId;
  const dl = props.downloads;

  return (
    <div class="download-control" data-testid="download-control" data-state={state()}>
      <Switch>
        <Match when={state() === "idle"}>
          <button class="button" type="button" data-testid="download-button" onClick={() => void dl.download(id())}>
            <Icon name="download" size={14} />
            Download
          </button>
        </Match>
        <Match when={inProgress() && d()}>
          {(download) => (
            <div class="download-progress-box">
              <DownloadProgress download={download()} />
              <Show
                when={state() === "paused"}
                fallback={
                  <button
                    class="button button-icon"
                    type="button"
                    data-testid="download-pause"
                    aria-label="Pause download"
                    title="Pause download"
                    onClick={() => void dl.pause(id())}
                  >
                    <Icon name="pause" size={13} />
                  </button>
                }
              >
                <button
                  class="button button-icon"
                  type="button"
                  data-testid="download-resume"
                  aria-label="Resume download"
                  title="Resume download"
                  onClick={() => void dl.resume(id())}
                >
                  <Icon name="download" size={15} />
                </button>
              </Show>
              <CancelButton onCancel={() => void dl.cancel(id())} />
            </div>
          )}
        </Match>
        <Match when={state() === "failed" && d()}>
          {(download) => (
            <div class="download-failed">
              <p class="download-error" role="alert" data-testid="download-error" title={download().error ?? ""}>
                <Icon name="alert" size={13} />
                <span>{download().error ?? "The download failed."}</span>
              </p>
              <button class="button" type="button" data-testid="download-retry" onClick={() => void dl.download(id())}>
                <Icon name="refresh" size={13} />
                Retry
              </button>
              <CancelButton onCancel={() => void dl.cancel(id())} />
            </div>
          )}
        </Match>
        <Match when={state() === "done"}>
          <span class="download-done" data-testid="download-done">
            <Icon name="downloaded" size={14} />
            Downloaded
          </span>
          <DeleteFile resetKey={id()} onDelete={() => void dl.remove(id())} />
        </Match>
      </Switch>
      <Show when={dl.commandError(id())}>
        <p class="download-error" role="alert" data-testid="download-command-error">
          {dl.commandError(id())}
        </p>
      </Show>
    </div>
  );
}

/** The bar and "12.3 MB of 48.0 MB · 2.1 MB/s · 0:21 left". Without a known size the bar is indeterminate. */
export function DownloadProgress(props: { download: DownloadView }) {
  const percent = () => {
    const f = progressFraction(props.download);
    // Rounded down, so it never says 100 before the file is done.
    return f == null ? null : Math.floor(f * 100);
  };
  const text = () => progressText(props.download);
  return (
    <div class="download-progress">
      <div
        class="download-bar"
        classList={{ indeterminate: percent() == null, paused: props.download.state === "paused" }}
        role="progressbar"
        data-testid="download-progress"
        aria-label="Download progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent() ?? undefined}
        aria-valuetext={text()}
      >
        <span style={{ width: percent() == null ? undefined : `${percent()}%` }} />
      </div>
      <span class="download-progress-text" data-testid="download-progress-text">
        {text()}
      </span>
    </div>
  );
}

function CancelButton(props: { onCancel: () => void }) {
  return (
    <button
      class="button button-icon"
      type="button"
      data-testid="download-cancel"
      aria-label="Cancel download"
      title="Cancel download (throws away what was fetched)"
      onClick={() => props.onCancel()}
    >
      <Icon name="close" size={14} />
    </button>
  );
}

/**
 * Delete, asked once more inline ("Delete file?"), since the file would have to be fetched again.
 * `resetKey` closes the question when the control moves to another episode.
 */
export function DeleteFile(props: { resetKey: string; onDelete: () => void }) {
  const [confirming, setConfirming] = createSignal(false);
  let deleteButton: HTMLButtonElement | undefined;
  createEffect(on(() => props.resetKey, () => setConfirming(false), { defer: true }));
  const keep = () => {
    setConfirming(false);
    deleteButton?.focus();
  };
  return (
    <Show
      when={confirming()}
      fallback={
        <button
          ref={deleteButton}
          class="button button-quiet download-delete"
          type="button"
          data-testid="download-delete"
          onClick={() => setConfirming(true)}
        >
          <Icon name="trash" size={13} />
          Delete
        </button>
      }
    >
      <ConfirmDelete
        onConfirm={() => {
          setConfirming(false);
          props.onDelete();
        }}
        onKeep={keep}
      />
    </Show>
  );
}

function ConfirmDelete(props: { onConfirm: () => void; onKeep: () => void }) {
  let keepButton: HTMLButtonElement | undefined;
  // The Delete button just went away: keep the focus here, on the harmless choice.
  onMount(() => keepButton?.focus());
  return (
    <span
      class="confirm-inline"
      role="group"
      aria-label="Delete file?"
      data-testid="download-delete-confirmation"
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.stopPropagation();
          props.onKeep();
        }
      }}
    >
      <span class="confirm-delete-question">Delete file?</span>
      <button class="button button-danger" type="button" data-testid="download-delete-confirm" onClick={() => props.onConfirm()}>
        Delete
      </button>
      <button ref={keepButton} class="button" type="button" data-testid="download-delete-keep" onClick={() => props.onKeep()}>
        Keep
      </button>
    </span>
  );
}
