import { createSignal, For, Show } from "solid-js";
import * as api from "../api";
import type { SyncAccountView, SyncView } from "../api";
import Dialog, { DialogHeader } from "./Dialog";
import { formatSyncedAt } from "../syncStatus";

type Props = {
  status: SyncView | null;
  onStatus: (view: SyncView) => void;
  onClose: () => void;
};

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Settings → Sync: a gpodder API server (gpodder.net, podsync, opodsync…), the account and this
 * computer's device name. "Test" says what worked without keeping anything; "Log in" keeps it.
 */
export default function SyncDialog(props: Props) {
  const account = (): SyncAccountView | null => props.status?.account ?? null;
  // What logging in found (where the password went, plain http): said once the account shows.
  const [loggedIn, setLoggedIn] = createSignal<string | null>(null);
  return (
    <Dialog labelledBy="sync-title" testId="sync-dialog" class="sync-dialog" onClose={props.onClose}>
      <DialogHeader titleId="sync-title" onClose={props.onClose}>
        Sync
      </DialogHeader>
      <Show when={account()} fallback={<LoginForm onStatus={props.onStatus} onLoggedIn={setLoggedIn} />}>
        {(a) => <AccountPane account={a()} note={loggedIn()} onStatus={props.onStatus} />}
      </Show>
    </Dialog>
  );
}

function LoginForm(props: { onStatus: (view: SyncView) => void; onLoggedIn: (note: string) => void }) {
  const [server, setServer] = createSignal("https://gpodder.net");
  const [user, setUser] = createSignal("");
  const [password, setPassword] = createSignal("");
  const [device, setDevice] = createSignal("");
  const [busy, setBusy] = createSignal<"test" | "login" | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [found, setFound] = createSignal<string | null>(null);
  const [devices, setDevices] = createSignal<string[]>([]);

  const deviceOrNull = () => device().trim() || null;

  const test = async () => {
    setBusy("test");
    setError(null);
    setFound(null);
    try {
      const checked = await api.syncCheck(server(), user(), password(), deviceOrNull());
      setDevices(checked.devices ?? []);
      if (!device().trim()) setDevice(checked.device_id);
      setFound(
        [
          "The server answered and took the password.",
          checked.devices
            ? `Devices on this account: ${checked.devices.length ? checked.devices.join(", ") : "none yet"}. Pick one to share its subscriptions, or keep a new name.`
            : "It does not list devices: give every computer that should share subscriptions the same device name.",
          checked.insecure ? "Warning: plain http to another computer sends the password unencrypted." : "",
        ]
          .filter(Boolean)
          .join(" "),
      );
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(null);
    }
  };

  const login = async (event: SubmitEvent) => {
    event.preventDefault();
    setBusy("login");
    setError(null);
    try {
      const report = await api.syncLogin(server(), user(), password(), deviceOrNull());
      setPassword("");
      props.onLoggedIn(
        [
          report.password_kept_in === "keyring"
            ? "Logged in. The password is in the desktop's keyring."
            : `Logged in. No keyring answered, so the password is in ${report.password_kept_in}, readable only by you.`,
          report.insecure ? "Warning: plain http to another computer sends the password unencrypted." : "",
        ]
          .filter(Boolean)
          .join(" "),
      );
      props.onStatus(await api.syncStatus());
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <form class="sync-form" data-testid="sync-login-form" onSubmit={(e) => void login(e)}>
      <p class="sync-intro">
        Keep subscriptions, positions and played episodes the same on every computer and phone that syncs with a gpodder server (gpodder.net, or one of your own).
      </p>
      <label class="field">
        <span class="field-label">Server</span>
        <input class="input" type="url" required data-testid="sync-server" value={server()} onInput={(e) => setServer(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span class="field-label">User name</span>
        <input class="input" required autocomplete="username" data-testid="sync-user" value={user()} onInput={(e) => setUser(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span class="field-label">Password or app password</span>
        <input
          class="input"
          type="password"
          required
          autocomplete="current-password"
          data-testid="sync-password"
          value={password()}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
      </label>
      <label class="field">
        <span class="field-label">This computer's device name</span>
        <input
          class="input"
          list="sync-devices"
          placeholder="the computer's name"
          data-testid="sync-device"
          value={device()}
          onInput={(e) => setDevice(e.currentTarget.value)}
        />
        <datalist id="sync-devices">
          <For each={devices()}>{(d) => <option value={d} />}</For>
        </datalist>
      </label>
      <p class="sync-note">The password is kept in the desktop's keyring when there is one, otherwise in a file only you can read.</p>
      <Show when={error()}>
        <p class="sync-error" role="alert" data-testid="sync-error">
          {error()}
        </p>
      </Show>
      <Show when={found()}>
        <p class="sync-found" role="status" data-testid="sync-found">
          {found()}
        </p>
      </Show>
      <div class="dialog-actions">
        <button class="button" type="button" data-testid="sync-test" disabled={busy() !== null || !user() || !password()} onClick={() => void test()}>
          {busy() === "test" ? "Testing…" : "Test"}
        </button>
        <button class="button button-primary" type="submit" data-testid="sync-login" disabled={busy() !== null}>
          {busy() === "login" ? "Logging in…" : "Log in"}
        </button>
      </div>
    </form>
  );
}

function AccountPane(props: { account: SyncAccountView; note: string | null; onStatus: (view: SyncView) => void }) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const syncNow = async () => {
    setBusy(true);
    setError(null);
    try {
      // The library reloads on the engine's own sync-update; this only shows the new time.
      props.onStatus({ ...(await api.syncNow()), library_changed: false });
    } catch (e) {
      setError(message(e));
      props.onStatus(await api.syncStatus().catch(() => ({ account: props.account, library_changed: false })));
    } finally {
      setBusy(false);
    }
  };
  const logout = async () => {
    setBusy(true);
    try {
      await api.syncLogout();
      props.onStatus({ account: null, library_changed: false });
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="sync-account" data-testid="sync-account">
      <Show when={props.note}>
        <p class="sync-found" role="status" data-testid="sync-found">
          {props.note}
        </p>
      </Show>
      <dl class="sync-facts">
        <dt>Server</dt>
        <dd>{props.account.server_url}</dd>
        <dt>User</dt>
        <dd>{props.account.username}</dd>
        <dt>This device</dt>
        <dd>{props.account.device_id}</dd>
        <dt>Last sync</dt>
        <dd data-testid="sync-last">{formatSyncedAt(props.account.last_synced_at)}</dd>
      </dl>
      <Show when={error() ?? props.account.last_error}>
        <p class="sync-error" role="alert" data-testid="sync-error">
          {error() ?? props.account.last_error}
        </p>
      </Show>
      <div class="dialog-actions">
        <button class="button" type="button" data-testid="sync-logout" disabled={busy()} onClick={() => void logout()}>
          Log out
        </button>
        <button class="button button-primary" type="button" data-testid="sync-now" disabled={busy()} onClick={() => void syncNow()}>
          {busy() ? "Syncing…" : "Sync now"}
        </button>
      </div>
    </div>
  );
}
