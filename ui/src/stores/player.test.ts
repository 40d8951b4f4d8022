import { describe, expect, it } from "vitest";
import { createPlayer } from "./player";

describe("player store", () => {
  it("starts nowhere", () => {
    const player = createPlayer();
    expect(player.position()).toBeNull();
    expect(player.positionIn("a")).toBeNull();
  });

  it("jumpTo records the episode and position", () => {
    const player = createPlayer();
    player.jumpTo("a", 192_000);
    expect(player.position()).toEqual({ episodeId: "a", positionMs: 192_000 });
    expect(player.positionIn("a")).toBe(192_000);
    expect(player.positionIn("b")).toBeNull();
    player.jumpTo("b", 5_000);
    expect(player.position()).toEqual({ episodeId: "b", positionMs: 5_000 });
    expect(player.positionIn("a")).toBeNull();
  });

  it("ignores nonsense positions and clamps negative ones", () => {
    const player = createPlayer();
    player.jumpTo("a", Number.NaN);
    expect(player.position()).toBeNull();
    player.jumpTo("a", -20);
    expect(player.positionIn("a")).toBe(0);
  });
});
