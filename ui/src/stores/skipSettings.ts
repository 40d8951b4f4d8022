// How far the skip buttons (and ←/→) jump. A UI preference, so it lives in localStorage, not
// in the library: nothing else needs it and it must survive without the backend.

export type SkipSettings = {
  /** Seconds "Back" goes. */
  backS: number;
  /** Seconds "Forward" goes. */
  forwardS: number;
};

export const SKIP_KEY = "chaptercast.skip";
export const SKIP_MIN_S = 5;
export const SKIP_MAX_S = 120;
export const DEFAULT_SKIP: Readonly<SkipSettings> = { backS: 10, forwardS: 30 };

/** A whole number of seconds within 5–120; `fallback` for anything that is not a number. */
export function clampSkip(value: unknown, fallback: number): number {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n)) return fallback;
  return Math.min(SKIP_MAX_S, Math.max(SKIP_MIN_S, Math.round(n)));
}

/** The saved settings; the defaults when there are none or they cannot be read. */
export function loadSkip(storage: Storage | undefined): SkipSettings {
  let saved: unknown = null;
  try {
    const raw = storage?.getItem(SKIP_KEY);
    saved = raw ? (JSON.parse(raw) as unknown) : null;
  } catch {
    saved = null; // unreadable JSON or storage disabled: not worth an error
  }
  const obj = typeof saved === "object" && saved !== null ? (saved as Record<string, unknown>) : {};
  return { backS: clampSkip(obj.backS, DEFAULT_SKIP.backS), forwardS: clampSkip(obj.forwardS, DEFAULT_SKIP.forwardS) };
}

export function saveSkip(storage: Storage | undefined, settings: SkipSettings): void {
  try {
    storage?.setItem(SKIP_KEY, JSON.stringify(settings));
  } catch (e) {
    console.debug("could not save skip settings", e);
  }
}

/** localStorage when there is one (jsdom and browsers), else nothing. */
export function defaultStorage(): Storage | undefined {
  try {
    return typeof localStorage === "undefined" ? undefined : localStorage;
  } catch {
    return undefined;
  }
}
