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
  },
  events: {
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
import { ApiError, listShows, onPlayerUpdate, playEpisode, playerSeek, playerStatus, refreshLibrary, subscribeFeed } from "./index";

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
});
