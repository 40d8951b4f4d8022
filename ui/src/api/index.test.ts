import { describe, expect, it, vi } from "vitest";

vi.mock("./bindings", () => ({
  commands: {
    listShows: vi.fn(async () => ({ status: "ok", data: [] })),
    subscribeFeed: vi.fn(async () => ({ status: "error", error: { kind: "NotAFeed", message: "Not a feed." } })),
    refreshLibrary: vi.fn(async () => {
      throw new Error("IPC broke");
    }),
    playerSeek: vi.fn(async () => undefined),
    playerStatus: vi.fn(async () => {
      throw "player thread is gone";
    }),
    playEpisode: vi.fn(async () => ({ status: "error", error: { kind: "NotFound", message: "No such episode." } })),
    listDownloads: vi.fn(async () => ({ status: "ok", data: [{ episode_id: "a", state: "done" }] })),
    chooseDownloadFolder: vi.fn(async () => ({ status: "error", error: { kind: "BadInput", message: "Cannot use that folder." } })),
    search: vi.fn(async () => ({ status: "ok", data: [{ episode_id: "a" }] })),
    setPlayedMany: vi.fn(async () => ({ status: "ok", data: 2 })),
    getRefreshIntervalHours: vi.fn(async () => ({ status: "ok" as const, data: 6 })),
    importOpml: vi.fn(async () => ({ status: "ok", data: null })),
  },
  events: {
    opmlProgress: {
      listen: vi.fn(async (cb: (e: { payload: unknown }) => void) => {
        cb({ payload: { done: 1, total: 2, url: "u" } });
        return unlisten;
      }),
    },
    libraryUpdate: {
      listen: vi.fn(async (cb: (e: { payload: unknown }) => void) => {
        cb({ payload: { new_episodes: 3, show_titles: ["A"] } });
        return unlisten;
      }),
    },
    downloadUpdate: {
      listen: vi.fn(async (cb: (e: { payload: unknown }) => void) => {
        cb({ payload: { episode_id: "a", state: "running" } });
        return unlisten;
      }),
    },
    playerUpdate: {
      listen: vi.fn(async (cb: (e: { payload: unknown }) => void) => {
        cb({ payload: { state: "playing" } });
        return unlisten;
      }),
    },
  },
}));

const unlisten = vi.fn();

import { commands } from "./bindings";
import {
  ApiError,
  getRefreshIntervalHours,
  onLibraryUpdate,
  onOpmlProgress,
  importOpml,
  search,
  setPlayedMany,
  listDownloads,
  listShows,
  onDownloadUpdate,
  onPlayerUpdate,
  playEpisode,
  playerSeek,
  playerStatus,
  refreshLibrary,
  chooseDownloadFolder,
  subscribeFeed,
} from "./index";

describe("api wrapper", () => {
  it("returns the data of a successful command", async () => {
    await expect(listShows()).resolves.toEqual([]);
  });

  it("throws ApiError with the backend's kind and message", async () => {
    const error = await subscribeFeed("https://example.org").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ kind: "NotAFeed", message: "Not a feed." });
  });

  it("turns a JavaScript-level failure into an Internal ApiError", async () => {
    await expect(refreshLibrary()).rejects.toMatchObject({ kind: "Internal", message: "IPC broke" });
  });

  it("sends whole, non-negative milliseconds to seek", async () => {
    await playerSeek(1234.6);
    await playerSeek(-50);
    expect(vi.mocked(commands.playerSeek).mock.calls).toEqual([[1235], [0]]);
  });

  it("turns failures of player commands into ApiError too", async () => {
    await expect(playerStatus()).rejects.toMatchObject({ kind: "Internal", message: "player thread is gone" });
    await expect(playEpisode("x", null)).rejects.toMatchObject({ kind: "NotFound", message: "No such episode." });
  });

  it("hands player updates' payloads to the listener and returns the unlisten function", async () => {
    const seen: unknown[] = [];
    const off = await onPlayerUpdate((v) => seen.push(v));
    expect(seen).toEqual([{ state: "playing" }]);
    off();
    expect(unlisten).toHaveBeenCalled();
  });
  it("lists downloads and passes on the folder's refusal", async () => {
    await expect(listDownloads()).resolves.toEqual([{ episode_id: "a", state: "done" }]);
    await expect(chooseDownloadFolder()).rejects.toMatchObject({ kind: "BadInput", message: "Cannot use that folder." });
    expect(vi.mocked(commands.chooseDownloadFolder)).toHaveBeenCalledWith();
  });

  it("hands download updates' payloads to the listener", async () => {
    const seen: unknown[] = [];
    await onDownloadUpdate((v) => seen.push(v));
    expect(seen).toEqual([{ episode_id: "a", state: "running" }]);
  });

  it("searches only for something, and marks many played in one call", async () => {
    await expect(search("  ")).resolves.toEqual([]);
    expect(vi.mocked(commands.search)).not.toHaveBeenCalled();
    await expect(search("threads")).resolves.toEqual([{ episode_id: "a" }]);
    expect(vi.mocked(commands.search)).toHaveBeenCalledWith("threads");
    await expect(setPlayedMany([], true)).resolves.toBe(0);
    expect(vi.mocked(commands.setPlayedMany)).not.toHaveBeenCalled();
    await expect(setPlayedMany(["a", "b"], true)).resolves.toBe(2);
    expect(vi.mocked(commands.setPlayedMany)).toHaveBeenCalledWith(["a", "b"], true);
  });

  it("passes OPML, settings and library-update answers through", async () => {
    await expect(importOpml()).resolves.toBeNull();
    await expect(getRefreshIntervalHours()).resolves.toBe(6);
    const seen: unknown[] = [];
    await onOpmlProgress((p) => seen.push(p));
    await onLibraryUpdate((u) => seen.push(u));
    expect(seen).toEqual([
      { done: 1, total: 2, url: "u" },
      { new_episodes: 3, show_titles: ["A"] },
    ]);
  });
});
