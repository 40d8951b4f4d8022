// What the player is doing, as the backend reports it (`playerStatus` once, then `player-update`
// events ~10 times a second while playing), plus the intents the bar, the episode view and the
// keyboard send. The view is only ever the backend's: an intent changes nothing here, the update
// it causes does (the engine answers each command with an update within milliseconds). `jumpTo`
// is the one entry point for "go to this moment" (chapter rows, timestamps in the notes).
import { createSignal } from "solid-js";
import { createStore } from "solid-js/store";
import * as api from "../api";
import type { PlayerView, SleepTimer } from "../api";
import { follow } from "./follow";
import { defaultStorage, loadSkip, saveSkip, clampSkip } from "./skipSettings";
import type { SkipSettings } from "./skipSettings";

export type { SkipSettings };

export type Player = ReturnType<typeof createPlayer>;

export type PlayerOptions = {
  /** Where the skip settings live; localStorage by default. */
  storage?: Storage;
  /**
   * Told when playback of an episode pauses, ends or moves to another episode, so the library
   * can show the new position without a reload (the backend has saved it already).
   */
  onProgress?: (episodeId: string, positionMs: number, finished: boolean) => void;
};

export const IDLE_VIEW: Readonly<PlayerView> = {
  episode_id: null,
  state: "idle",
  wants_play: false,
  position_ms: 0,
  duration_ms: null,
  chapter_index: null,
  cue_index: null,
  speed: 1,
  volume: 1,
  streaming: false,
  progressive: false,
  finding: null,
  error: null,
  network: null,
  sleep: null,
};

/** Speed steps for `[` and `]`: by a quarter, within what the backend accepts. */
export const SPEED_STEP = 0.25;
export const SPEED_MIN = 0.5;
export const SPEED_MAX = 3;

/** The speed one step up (+1) or down (-1) from `speed`, on the quarter grid, within 0.5–3. */
export function steppedSpeed(speed: number | null, direction: 1 | -1): number {
  const current = speed != null && Number.isFinite(speed) && speed > 0 ? speed : 1;
  const next = Math.round((current + direction * SPEED_STEP) / SPEED_STEP) * SPEED_STEP;
  return Math.min(SPEED_MAX, Math.max(SPEED_MIN, next));
}

/** The same timer (remaining time aside); null is "off". */
export function sameSleepTimer(a: SleepTimer | null | undefined, b: SleepTimer | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  if (a.kind !== b.kind) return false;
  return a.kind !== "minutes" || (b.kind === "minutes" && a.minutes === b.minutes);
}

/** How far playing moves before the library's copy of the position is brought up to date. */
const PROGRESS_EVERY_MS = 10_000;

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export function createPlayer(options: PlayerOptions = {}) {
  const storage = "storage" in options ? options.storage : defaultStorage();
  const [view, setView] = createStore<PlayerView>({ ...IDLE_VIEW });
  const [commandError, setCommandError] = createSignal<string | null>(null);
  const [skip, setSkipSignal] = createSignal<SkipSettings>(loadSkip(storage));


  const isLoaded = (episodeId: string): boolean => !!episodeId && view.episode_id === episodeId && view.state !== "idle";
  const isIdle = (): boolean => !view.episode_id || view.state === "idle";
  /** The listener asked for sound: the engine says so (a paused episode may be loading too). */
  const wantsPlay = (): boolean => view.wants_play;

  /** Where the library was last told the playing episode is. */
  let reportedMs: number | null = null;

  /**
   * Sets the view and tells the library about pauses, ends and episode changes, and every
   * `PROGRESS_EVERY_MS` of playing, so a row's progress bar and "min left" keep up.
   */
  function update(next: PlayerView): void {
    const prev = { id: view.episode_id, state: view.state, position: view.position_ms };
    setView(next);
    const report = options.onProgress;
    if (!report) return;
    const tell = (id: string, ms: number, finished: boolean) => {
      reportedMs = ms;
      report(id, ms, finished);
    };
    if (prev.id && prev.id !== next.episode_id) {
      reportedMs = null;
      if (prev.state !== "ended" && prev.state !== "idle") tell(prev.id, prev.position, false);
    } else if (next.episode_id && next.state !== prev.state) {
      if (next.state === "ended") tell(next.episode_id, next.duration_ms ?? next.position_ms, true);
      else if (next.state === "paused") tell(next.episode_id, next.position_ms, false);
      else if (next.state === "playing") reportedMs = next.position_ms;
    } else if (next.episode_id && next.state === "playing") {
      if (reportedMs == null) reportedMs = next.position_ms;
      else if (Math.abs(next.position_ms - reportedMs) >= PROGRESS_EVERY_MS) tell(next.episode_id, next.position_ms, false);
    }
  }

  /** Runs a command; a failure shows in `error()` and leaves the rest of the app alone. */
  async function run(command: () => Promise<void>): Promise<void> {
    setCommandError(null);
    try {
      await command();
    } catch (e) {
      setCommandError(message(e));
    }
  }

  const clampPosition = (ms: number): number => {
    const end = view.duration_ms;
    const max = end != null && end > 0 ? end : Infinity;
    return Math.max(0, Math.min(Math.round(ms), max));
  };

  /** Loads an episode: at `atMs`, or where the listener left off (null). */
  const load = (episodeId: string, atMs: number | null): Promise<void> => run(() => api.playEpisode(episodeId, atMs));

  /** Plays `episodeId` from `startMs` (ms from the start of the audio): "play from here". */
  async function jumpTo(episodeId: string, startMs: number): Promise<void> {
    if (!episodeId || !Number.isFinite(startMs)) return;
    const ms = Math.max(0, Math.round(startMs));
    if (!isLoaded(episodeId) || view.state === "error") return load(episodeId, ms);
    const playing = wantsPlay();
    const to = clampPosition(ms);
    // In this order: playing first would restart an ended episode from 0.
    await run(async () => {
      await api.playerSeek(to);
      if (!playing) await api.playerPlay();
    });
  }

  /** Plays an episode from where the listener left off. */
  const playEpisode = (episodeId: string): Promise<void> => load(episodeId, null);

  /** Play/pause the loaded episode. An ended one starts again; a failed one is loaded again. */
  async function toggle(): Promise<void> {
    const id = view.episode_id;
    if (!id || isIdle()) return;
    if (view.state === "error") return load(id, view.position_ms);
    if (view.state === "ended") return run(() => api.playerPlay()); // the backend restarts it
    return run(() => api.playerToggle());
  }

  /**
   * Plays an episode from where the listener left off (a search result): carries on if it is
   * already playing, resumes it if it is paused, else loads it.
   */
  async function resume(episodeId: string): Promise<void> {
    if (isLoaded(episodeId) && view.state !== "error") {
      if (!wantsPlay()) await toggle();
      return;
    }
    await playEpisode(episodeId);
  }

  /** The episode view's button: pause/resume this episode, or start it. */
  const playOrPause = (episodeId: string): Promise<void> =>
    isLoaded(episodeId) && view.state !== "error" ? toggle() : playEpisode(episodeId);

  async function seek(positionMs: number): Promise<void> {
    if (isIdle() || !Number.isFinite(positionMs)) return;
    const to = clampPosition(positionMs);
    await run(() => api.playerSeek(to));
  }

  /** Back or forward by the configured seconds. */
  async function skipBy(direction: "back" | "forward"): Promise<void> {
    if (isIdle()) return;
    const s = skip();
    const delta = direction === "back" ? -s.backS * 1000 : s.forwardS * 1000;
    await run(() => api.playerSkip(delta));
  }

  async function chapterStep(step: 1 | -1): Promise<void> {
    if (isIdle()) return;
    await run(() => api.playerChapterStep(step));
  }

  async function setSpeed(speed: number): Promise<void> {
    if (!Number.isFinite(speed) || speed <= 0) return;
    await run(() => api.playerSetSpeed(speed));
  }

  /** One step faster (+1) or slower (-1): `]` and `[`. */
  async function speedStep(direction: 1 | -1): Promise<void> {
    const current = view.speed ?? 1;
    const next = steppedSpeed(current, direction);
    if (Math.abs(next - current) < 0.001) return;
    await setSpeed(next);
  }

  /** Starts, changes or (null) stops the sleep timer. */
  const setSleepTimer = (timer: SleepTimer | null): Promise<void> => run(() => api.playerSetSleepTimer(timer));

  async function setVolume(volume: number): Promise<void> {
    if (!Number.isFinite(volume)) return;
    await run(() => api.playerSetVolume(Math.min(1, Math.max(0, volume))));
  }

  /** Changes the skip distances (each clamped to 5–120 s) and remembers them. */
  function setSkip(patch: Partial<SkipSettings>): void {
    const current = skip();
    const next: SkipSettings = {
      backS: clampSkip(patch.backS ?? current.backS, current.backS),
      forwardS: clampSkip(patch.forwardS ?? current.forwardS, current.forwardS),
    };
    setSkipSignal(next);
    saveSkip(storage, next);
  }

  /** The position to show: the end once the episode has ended. */
  const position = (): number =>
    view.state === "ended" && view.duration_ms != null ? view.duration_ms : view.position_ms;

  /** The position in `episodeId`, or null when the player is elsewhere (or nowhere). */
  const positionIn = (episodeId: string): number | null => (isLoaded(episodeId) ? position() : null);

  /** The backend's current chapter (index into the visible list) in `episodeId`; null when unknown or elsewhere. */
  const chapterIndexIn = (episodeId: string): number | null => (isLoaded(episodeId) ? view.chapter_index : null);

  /** The backend's current transcript cue in `episodeId`; null when unknown or elsewhere. */
  const cueIndexIn = (episodeId: string): number | null => (isLoaded(episodeId) ? view.cue_index : null);

  /** Tries an unreachable host again now (the player also retries by itself). */
  const retry = (): Promise<void> => run(() => api.playerRetry());

  /** Why playback failed or a command did not work, in one sentence. */
  const error = (): string | null => commandError() ?? view.error;

  /** Start-up: listen first, so nothing is missed, then ask where the player is. */
  const { start, stop } = follow({ listen: api.onPlayerUpdate, read: api.playerStatus, take: update, what: "the player" });

  return {
    view,
    error,
    skip,
    isIdle,
    isLoaded,
    wantsPlay,
    position,
    positionIn,
    chapterIndexIn,
    cueIndexIn,
    start,
    stop,
    jumpTo,
    playEpisode,
    resume,
    playOrPause,
    toggle,
    seek,
    skipBy,
    chapterStep,
    setSpeed,
    speedStep,
    setSleepTimer,
    setVolume,
    setSkip,
    retry,
  };
}
