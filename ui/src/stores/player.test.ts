import { beforeEach, describe, expect, it, vi } from "vitest";
import type { PlayerView } from "../api";

vi.mock("../api", () => {
  class ApiError extends Error {
    readonly kind: string;
    constructor(kind: string, message: string) {
      super(message);
      this.kind = kind;
    }
  }
  return {
    ApiError,
    playEpisode: vi.fn(async () => undefined),
    playerStatus: vi.fn(),
    playerPlay: vi.fn(async () => undefined),
    playerPause: vi.fn(async () => undefined),
    playerToggle: vi.fn(async () => undefined),
    playerSeek: vi.fn(async () => undefined),
    playerSkip: vi.fn(async () => undefined),
    playerChapterStep: vi.fn(async () => undefined),
    playerSetSpeed: vi.fn(async () => undefined),
    playerSetVolume: vi.fn(async () => undefined),
    playerSetSleepTimer: vi.fn(async () => undefined),
    onPlayerUpdate: vi.fn(),
  };
});

import * as api from "../api";
import { createPlayer, IDLE_VIEW, steppedSpeed } from "./player";
import type { PlayerOptions } from "./player";
import { loadSkip, SKIP_KEY } from "./skipSettings";

const mocked = vi.mocked(api);

const view = (over: Partial<PlayerView> = {}): PlayerView => ({
  ...IDLE_VIEW,
  episode_id: "a",
  state: "paused",
  // The engine's rule for states that load to play; a test of a paused load says so.
  wants_play: ["playing", "buffering", "loading"].includes(over.state ?? "paused"),
  position_ms: 60_000,
  duration_ms: 3_600_000,
  chapter_index: 1,
  cue_index: null,
  ...over,
});

/** A player started against the mocked backend; `emit` sends a `player-update`. */
async function started(status: PlayerView, options: PlayerOptions = {}) {
  let listener: ((v: PlayerView) => void) | undefined;
  const unlisten = vi.fn();
  mocked.onPlayerUpdate.mockImplementation(async (cb) => {
    listener = cb;
    return unlisten;
  });
  mocked.playerStatus.mockResolvedValue(status);
  const player = createPlayer(options);
  await player.start();
  return {
    player,
    unlisten,
    emit: (v: PlayerView) => listener?.(v),
  };
}

beforeEach(() => {
  vi.clearAllMocks();
  localStorage.clear();
});

describe("player store", () => {
  it("starts idle and takes the backend's status, then its updates", async () => {
    const idle = createPlayer();
    expect(idle.isIdle()).toBe(true);
    expect(idle.positionIn("a")).toBeNull();

    const { player, emit, unlisten } = await started(view());
    expect(player.view.state).toBe("paused");
    expect(player.positionIn("a")).toBe(60_000);
    expect(player.positionIn("b")).toBeNull();
    expect(player.chapterIndexIn("a")).toBe(1);
    expect(player.chapterIndexIn("b")).toBeNull();
    emit(view({ state: "playing", position_ms: 61_000, chapter_index: 2 }));
    expect(player.view.state).toBe("playing");
    expect(player.positionIn("a")).toBe(61_000);
    expect(player.chapterIndexIn("a")).toBe(2);
    player.stop();
    expect(unlisten).toHaveBeenCalled();
  });

  it("ignores a status answer that comes after an update", async () => {
    let listener: ((v: PlayerView) => void) | undefined;
    mocked.onPlayerUpdate.mockImplementation(async (cb) => {
      listener = cb;
      return () => {};
    });
    mocked.playerStatus.mockImplementation(async () => {
      listener?.(view({ state: "playing", position_ms: 5_000 }));
      return view({ state: "paused", position_ms: 1_000 });
    });
    const player = createPlayer();
    await player.start();
    expect(player.view.state).toBe("playing");
    expect(player.view.position_ms).toBe(5_000);
  });

  it("jumpTo in the loaded, paused episode seeks, then plays", async () => {
    const { player } = await started(view({ state: "paused" }));
    await player.jumpTo("a", 192_000);
    expect(mocked.playerSeek).toHaveBeenCalledWith(192_000);
    expect(mocked.playerPlay).toHaveBeenCalledTimes(1);
    expect(mocked.playerSeek.mock.invocationCallOrder[0]!).toBeLessThan(mocked.playerPlay.mock.invocationCallOrder[0]!);
    expect(mocked.playEpisode).not.toHaveBeenCalled();
    // An intent: the view is the backend's until it reports the jump.
    expect(player.positionIn("a")).toBe(60_000);
  });

  it("jumpTo in the loaded, playing episode only seeks", async () => {
    const { player } = await started(view({ state: "playing" }));
    await player.jumpTo("a", 10_000);
    expect(mocked.playerSeek).toHaveBeenCalledWith(10_000);
    expect(mocked.playerPlay).not.toHaveBeenCalled();
    expect(mocked.playEpisode).not.toHaveBeenCalled();
  });

  it("jumpTo in an ended episode seeks before playing (playing first would restart at 0)", async () => {
    const { player } = await started(view({ state: "ended", position_ms: 3_600_000 }));
    expect(player.positionIn("a")).toBe(3_600_000);
    await player.jumpTo("a", 30_000);
    expect(mocked.playerSeek).toHaveBeenCalledWith(30_000);
    expect(mocked.playerPlay).toHaveBeenCalled();
  });

  it("jumpTo in another episode asks for that episode from there; the view follows the backend", async () => {
    const { player, emit } = await started(view({ state: "playing" }));
    await player.jumpTo("b", 1_120_000);
    expect(mocked.playEpisode).toHaveBeenCalledWith("b", 1_120_000);
    expect(mocked.playerSeek).not.toHaveBeenCalled();
    expect(player.view.episode_id).toBe("a");
    emit(view({ episode_id: "b", state: "loading", position_ms: 1_120_000, chapter_index: null }));
    expect(player.view.state).toBe("loading");
    expect(player.positionIn("b")).toBe(1_120_000);
    expect(player.positionIn("a")).toBeNull();
    emit(view({ episode_id: "b", state: "playing", position_ms: 1_120_100, chapter_index: 4 }));
    expect(player.positionIn("b")).toBe(1_120_100);
    expect(player.chapterIndexIn("b")).toBe(4);
  });

  it("jumpTo reloads an episode whose playback failed, and ignores nonsense", async () => {
    const { player } = await started(view({ state: "error", error: "The server went away." }));
    await player.jumpTo("a", 5_000);
    expect(mocked.playEpisode).toHaveBeenCalledWith("a", 5_000);
    await player.jumpTo("a", Number.NaN);
    await player.jumpTo("", 5_000);
    expect(mocked.playEpisode).toHaveBeenCalledTimes(1);
    await player.jumpTo("c", -20);
    expect(mocked.playEpisode).toHaveBeenLastCalledWith("c", 0);
  });

  it("shows the error when an episode cannot be played, and keeps the view", async () => {
    mocked.playEpisode.mockRejectedValueOnce(new api.ApiError("NotFound", "That episode is no longer in the library."));
    const { player } = await started(view({ state: "playing" }));
    await player.jumpTo("gone", 1_000);
    expect(player.view.episode_id).toBe("a");
    expect(player.view.state).toBe("playing");
    expect(player.error()).toBe("That episode is no longer in the library.");
    await player.toggle();
    expect(player.error()).toBeNull();
  });

  it("a seek is an intent: the view shows only what the backend reports, in order", async () => {
    const { player, emit } = await started(view({ state: "playing", position_ms: 10_000, chapter_index: 0 }));
    await player.seek(600_000);
    expect(mocked.playerSeek).toHaveBeenCalledWith(600_000);
    expect(player.positionIn("a")).toBe(10_000);
    emit(view({ state: "playing", position_ms: 10_100, chapter_index: 0 })); // sent before the seek
    expect(player.positionIn("a")).toBe(10_100);
    emit(view({ state: "buffering", position_ms: 600_000, chapter_index: 3 }));
    expect(player.positionIn("a")).toBe(600_000);
    expect(player.chapterIndexIn("a")).toBe(3);
    emit(view({ state: "playing", position_ms: 20_000, chapter_index: null }));
    expect(player.positionIn("a")).toBe(20_000);
    expect(player.chapterIndexIn("a")).toBeNull(); // a gap: the engine's word, no rule of our own
  });

  it("clamps seeks to the episode and does nothing when idle", async () => {
    const idle = await started({ ...IDLE_VIEW });
    await idle.player.seek(5_000);
    await idle.player.skipBy("forward");
    await idle.player.toggle();
    expect(mocked.playerSeek).not.toHaveBeenCalled();
    expect(mocked.playerSkip).not.toHaveBeenCalled();
    expect(mocked.playerToggle).not.toHaveBeenCalled();

    const { player } = await started(view({ duration_ms: 100_000 }));
    await player.seek(500_000);
    expect(mocked.playerSeek).toHaveBeenLastCalledWith(100_000);
    await player.seek(-5);
    expect(mocked.playerSeek).toHaveBeenLastCalledWith(0);
  });

  it("skips by the configured seconds", async () => {
    const { player } = await started(view({ state: "playing", position_ms: 60_000 }));
    await player.skipBy("back");
    expect(mocked.playerSkip).toHaveBeenLastCalledWith(-10_000);
    await player.skipBy("forward");
    expect(mocked.playerSkip).toHaveBeenLastCalledWith(30_000);
    player.setSkip({ backS: 15, forwardS: 45 });
    await player.skipBy("back");
    expect(mocked.playerSkip).toHaveBeenLastCalledWith(-15_000);
    await player.skipBy("forward");
    expect(mocked.playerSkip).toHaveBeenLastCalledWith(45_000);
  });

  it("toggles, restarts an ended episode, and steps chapters", async () => {
    const { player, emit } = await started(view({ state: "playing" }));
    await player.toggle();
    expect(mocked.playerToggle).toHaveBeenCalledTimes(1);
    emit(view({ state: "ended", position_ms: 3_599_000 }));
    await player.toggle();
    expect(mocked.playerPlay).toHaveBeenCalledTimes(1);
    expect(mocked.playerToggle).toHaveBeenCalledTimes(1);
    await player.chapterStep(1);
    await player.chapterStep(-1);
    expect(mocked.playerChapterStep.mock.calls).toEqual([[1], [-1]]);
  });

  it("the episode view's button pauses the loaded episode and starts another from its saved place", async () => {
    const { player } = await started(view({ state: "playing" }));
    await player.playOrPause("a");
    expect(mocked.playerToggle).toHaveBeenCalledTimes(1);
    await player.playOrPause("b");
    expect(mocked.playEpisode).toHaveBeenCalledWith("b", null);
  });

  it("sends speed and volume (clamped); the view shows what the backend reports", async () => {
    const { player, emit } = await started(view({ state: "playing", speed: 1, volume: 1 }));
    await player.setSpeed(1.5);
    await player.setVolume(1.7);
    expect(mocked.playerSetSpeed).toHaveBeenCalledWith(1.5);
    expect(mocked.playerSetVolume).toHaveBeenCalledWith(1);
    expect(player.view.speed).toBe(1);
    emit(view({ state: "playing", speed: 1.5, volume: 0.4 }));
    expect(player.view.speed).toBe(1.5);
    expect(player.view.volume).toBe(0.4);
  });

  it("steps the speed by a quarter within 0.5–3 for [ and ]", async () => {
    expect(steppedSpeed(1, 1)).toBe(1.25);
    expect(steppedSpeed(1, -1)).toBe(0.75);
    expect(steppedSpeed(2.9, 1)).toBe(3);
    expect(steppedSpeed(3, 1)).toBe(3);
    expect(steppedSpeed(0.5, -1)).toBe(0.5);
    expect(steppedSpeed(1.2000000476837158, 1)).toBe(1.5); // an f32 from the backend, back on the grid
    expect(steppedSpeed(null, 1)).toBe(1.25);
    const { player } = await started(view({ state: "playing", speed: 2.75 }));
    const { emit } = { emit: (v: PlayerView) => mocked.onPlayerUpdate.mock.calls[0]![0](v) };
    await player.speedStep(1);
    expect(mocked.playerSetSpeed).toHaveBeenLastCalledWith(3);
    emit(view({ state: "playing", speed: 3 }));
    await player.speedStep(1); // already at the top: nothing to send
    expect(mocked.playerSetSpeed).toHaveBeenCalledTimes(1);
    await player.speedStep(-1);
    expect(mocked.playerSetSpeed).toHaveBeenLastCalledWith(2.75);
  });

  it("sends the sleep timer; the view shows the backend's", async () => {
    const { player, emit } = await started(view({ state: "playing" }));
    await player.setSleepTimer({ kind: "minutes", minutes: 45 });
    expect(mocked.playerSetSleepTimer).toHaveBeenCalledWith({ kind: "minutes", minutes: 45 });
    expect(player.view.sleep).toBeNull();
    emit(view({ state: "playing", sleep: { timer: { kind: "minutes", minutes: 45 }, remaining_ms: 2_699_000 } }));
    expect(player.view.sleep?.remaining_ms).toBe(2_699_000);
    emit(view({ state: "paused", sleep: null })); // it ran out
    expect(player.view.sleep).toBeNull();
  });

  it("resumes a search result's episode: carries on, unpauses, or loads it from its saved place", async () => {
    const { player, emit } = await started(view({ state: "playing" }));
    await player.resume("a");
    expect(mocked.playerToggle).not.toHaveBeenCalled();
    expect(mocked.playEpisode).not.toHaveBeenCalled();
    emit(view({ state: "paused" }));
    await player.resume("a");
    expect(mocked.playerToggle).toHaveBeenCalledTimes(1);
    await player.resume("b");
    expect(mocked.playEpisode).toHaveBeenCalledWith("b", null);
  });

  it("tells the library when an episode pauses, ends or is left", async () => {
    const onProgress = vi.fn();
    const { player, emit } = await started(view({ state: "playing", position_ms: 1_000 }), { onProgress });
    onProgress.mockClear();
    emit(view({ state: "playing", position_ms: 2_000 }));
    expect(onProgress).not.toHaveBeenCalled();
    emit(view({ state: "paused", position_ms: 2_500 }));
    expect(onProgress).toHaveBeenLastCalledWith("a", 2_500, false);
    emit(view({ state: "ended", position_ms: 3_599_900 }));
    expect(onProgress).toHaveBeenLastCalledWith("a", 3_600_000, true);
    emit(view({ state: "playing", position_ms: 7_000 }));
    onProgress.mockClear();
    await player.jumpTo("b", 0);
    expect(onProgress).not.toHaveBeenCalled(); // not left yet: the backend has not switched
    emit(view({ episode_id: "b", state: "loading", position_ms: 0 }));
    expect(onProgress).toHaveBeenCalledWith("a", 7_000, false);
  });

  it("keeps the library's position up to date every 10 s while playing", async () => {
    const onProgress = vi.fn();
    const { emit } = await started(view({ state: "playing", position_ms: 60_000 }), { onProgress });
    onProgress.mockClear();
    emit(view({ state: "playing", position_ms: 65_000 }));
    expect(onProgress).not.toHaveBeenCalled();
    emit(view({ state: "playing", position_ms: 70_100 }));
    expect(onProgress).toHaveBeenLastCalledWith("a", 70_100, false);
    emit(view({ state: "playing", position_ms: 75_000 }));
    expect(onProgress).toHaveBeenCalledTimes(1);
  });
});

describe("skip settings", () => {
  it("default to 10 s back and 30 s forward", () => {
    expect(createPlayer().skip()).toEqual({ backS: 10, forwardS: 30 });
  });

  it("persist in localStorage and are read back", () => {
    createPlayer().setSkip({ backS: 15 });
    expect(JSON.parse(localStorage.getItem(SKIP_KEY) ?? "null")).toEqual({ backS: 15, forwardS: 30 });
    expect(SKIP_KEY).toBe("chaptercast.skip");
    expect(createPlayer().skip()).toEqual({ backS: 15, forwardS: 30 });
  });

  it("stay within 5–120 s", () => {
    const player = createPlayer();
    player.setSkip({ backS: 500, forwardS: 1 });
    expect(player.skip()).toEqual({ backS: 120, forwardS: 5 });
    player.setSkip({ backS: Number.NaN, forwardS: 12.4 });
    expect(player.skip()).toEqual({ backS: 120, forwardS: 12 });
    localStorage.setItem(SKIP_KEY, JSON.stringify({ backS: 0, forwardS: "600" }));
    expect(createPlayer().skip()).toEqual({ backS: 5, forwardS: 120 });
  });

  it("fall back to the defaults when the saved value is unreadable", () => {
    localStorage.setItem(SKIP_KEY, "{not json");
    expect(createPlayer().skip()).toEqual({ backS: 10, forwardS: 30 });
    localStorage.setItem(SKIP_KEY, JSON.stringify({ backS: "soon" }));
    expect(loadSkip(localStorage)).toEqual({ backS: 10, forwardS: 30 });
    expect(loadSkip(undefined)).toEqual({ backS: 10, forwardS: 30 });
  });
});
