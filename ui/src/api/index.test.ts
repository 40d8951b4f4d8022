import { describe, expect, it, vi } from "vitest";

vi.mock("./bindings", () => ({
  commands: {
    listShows: vi.fn(async () => ({ status: "ok", data: [] })),
    subscribeFeed: vi.fn(async () => ({ status: "error", error: { kind: "NotAFeed", message: "Not a feed." } })),
    refreshLibrary: vi.fn(async () => {
      throw new Error("IPC broke");
    }),
  },
}));

import { ApiError, listShows, refreshLibrary, subscribeFeed } from "./index";

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
});
