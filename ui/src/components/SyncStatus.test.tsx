import { render } from "solid-js/web";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("../api", () => ({
  syncStatus: vi.fn(),
  syncCheck: vi.fn(),
  syncLogin: vi.fn(),
  syncNow: vi.fn(),
  syncLogout: vi.fn(async () => undefined),
  onSyncUpdate: vi.fn(async () => () => {}),
}));

import * as api from "../api";
import type { SyncView } from "../api";
import SyncStatus from "./SyncStatus";
import { formatSyncedAt } from "../syncStatus";

const mocked = vi.mocked(api);
const settle = () => new Promise((r) => setTimeout(r, 0));
const OFF: SyncView = { account: null, library_changed: false };
const account = (over: Partial<NonNullable<SyncView["account"]>> = {}): SyncView => ({
  account: { server_url: "http://127.0.0.1:9/", username: "ann", device_id: "desk", last_synced_at: null, last_error: null, ...over },
  library_changed: false,
});

let dispose: (() => void) | undefined;
beforeEach(() => vi.clearAllMocks());
afterEach(() => {
  dispose?.();
  document.body.replaceChildren();
});

async function mount(status: SyncView) {
  mocked.syncStatus.mockResolvedValue(status);
  let listener: ((v: SyncView) => void) | undefined;
  mocked.onSyncUpdate.mockImplementation(async (cb) => {
    listener = cb;
    return () => {};
  });
  const onLibraryChanged = vi.fn();
  const root = document.createElement("div");
  document.body.append(root);
  dispose = render(() => <SyncStatus onLibraryChanged={onLibraryChanged} />, root);
  await settle();
  const q = (id: string) => document.querySelector<HTMLElement>(`[data-testid=${id}]`);
  const type = (id: string, value: string) => {
    const input = q(id) as HTMLInputElement;
    input.value = value;
    input.dispatchEvent(new InputEvent("input", { bubbles: true }));
  };
  return { q, type, onLibraryChanged, emit: (v: SyncView) => listener?.(v) };
}

describe("SyncStatus", () => {
  it("offers to set up sync, and a refused password keeps the form with the server's words", async () => {
    const { q, type } = await mount(OFF);
    expect(q("sync-open")!.textContent).toBe("Set up sync…");
    q("sync-open")!.click();
    await settle();
    expect(q("sync-dialog")).not.toBeNull();
    expect(q("sync-login-form")!.textContent).toContain("keyring");
    type("sync-server", "http://127.0.0.1:9");
    type("sync-user", "ann");
    type("sync-password", "wrong");
    mocked.syncLogin.mockRejectedValueOnce(new Error("The server refused the user name or password. Nothing was changed."));
    q("sync-login-form")!.dispatchEvent(new Event("submit", { bubbles: true, cancelable: true }));
    await settle();
    expect(mocked.syncLogin).toHaveBeenCalledWith("http://127.0.0.1:9", "ann", "wrong", null);
    expect(q("sync-error")!.textContent).toContain("refused");
    expect(q("sync-login-form")).not.toBeNull();
  });

  it("Test lists the account's devices to choose from without logging in", async () => {
    const { q, type } = await mount(OFF);
    q("sync-open")!.click();
    await settle();
    type("sync-user", "ann");
    type("sync-password", "pw");
    mocked.syncCheck.mockResolvedValueOnce({ device_id: "my-desk", devices: ["phone", "laptop"], insecure: false });
    q("sync-test")!.click();
    await settle();
    expect(q("sync-found")!.textContent).toContain("phone, laptop");
    expect((q("sync-device") as HTMLInputElement).value).toBe("my-desk");
    expect(Array.from(document.querySelectorAll("#sync-devices option")).map((o) => (o as HTMLOptionElement).value)).toEqual(["phone", "laptop"]);
    expect(mocked.syncLogin).not.toHaveBeenCalled();
  });

  it("logs in, says where the password went, then shows the account and syncs now", async () => {
    const { q, type } = await mount(OFF);
    q("sync-open")!.click();
    await settle();
    type("sync-user", "ann");
    type("sync-password", "pw");
    type("sync-device", "desk");
    mocked.syncLogin.mockResolvedValueOnce({ device_id: "desk", devices: null, password_kept_in: "/data/sync-password.json", insecure: false });
    mocked.syncStatus.mockResolvedValueOnce(account());
    q("sync-login-form")!.dispatchEvent(new Event("submit", { bubbles: true, cancelable: true }));
    await settle();
    await settle();
    expect(q("sync-account")).not.toBeNull();
    expect(q("sync-found")!.textContent).toContain("/data/sync-password.json, readable only by you");
    expect(q("sync-last")!.textContent).toBe("Not synced yet");
    mocked.syncNow.mockResolvedValueOnce(account({ last_synced_at: new Date().toISOString() }));
    q("sync-now")!.click();
    await settle();
    expect(q("sync-last")!.textContent).toBe("Synced just now");
    expect(q("sync-time")!.textContent).toBe("Synced just now");
  });

  it("shows the last error in the sidebar and reloads the library when another device changed it", async () => {
    const { q, emit, onLibraryChanged } = await mount(account({ last_synced_at: new Date(Date.now() - 5 * 60_000).toISOString() }));
    expect(q("sync-time")!.textContent).toBe("Synced 5 min ago");
    emit({ ...account({ last_error: "Could not connect to 127.0.0.1. Are you offline?" }), library_changed: false });
    expect(q("sync-status-error")!.textContent).toContain("Could not connect");
    expect(onLibraryChanged).not.toHaveBeenCalled();
    emit({ ...account({ last_synced_at: new Date().toISOString() }), library_changed: true });
    expect(onLibraryChanged).toHaveBeenCalledTimes(1);
    expect(q("sync-status-error")).toBeNull();
  });

  it("logging out goes back to the form", async () => {
    const { q } = await mount(account());
    q("sync-open")!.click();
    await settle();
    q("sync-logout")!.click();
    await settle();
    expect(mocked.syncLogout).toHaveBeenCalled();
    expect(q("sync-login-form")).not.toBeNull();
    expect(q("sync-open")!.textContent).toBe("Set up sync…");
  });
});

describe("formatSyncedAt", () => {
  it("says how long ago", () => {
    const now = new Date("2026-12-07T12:00:00Z");
    expect(formatSyncedAt(null, now)).toBe("Not synced yet");
    expect(formatSyncedAt("2026-12-07T11:59:40Z", now)).toBe("Synced just now");
    expect(formatSyncedAt("2026-12-07T11:48:00Z", now)).toBe("Synced 12 min ago");
    expect(formatSyncedAt("2026-12-07T09:00:00Z", now)).toMatch(/^Synced at /);
    expect(formatSyncedAt("2026-12-01T09:00:00Z", now)).toMatch(/^Synced .*Dec.*, /);
    expect(formatSyncedAt("garbage", now)).toBe("Not synced yet");
  });
});
