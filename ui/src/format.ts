// Small, locale-independent formatting helpers for dates and durations.

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "1 Aug 2024" for an RFC 3339 time, in local time; "" for null or an unreadable value. */
export function formatDate(rfc3339: string | null | undefined): string {
  if (!rfc3339) return "";
  const t = new Date(rfc3339);
  if (Number.isNaN(t.getTime())) return "";
  return `${t.getDate()} ${MONTHS[t.getMonth()]} ${t.getFullYear()}`;
}

/** "1 h 3 min", "41 min", "1 h", "45 s"; "" for null, zero or negative. Rounds to whole minutes. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds) || seconds <= 0) return "";
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** "23 min left" for a started, unfinished episode; "" when nothing useful can be said. */
export function formatRemaining(durationS: number | null | undefined, positionMs: number): string {
  if (durationS == null || durationS <= 0 || positionMs <= 0) return "";
  const left = durationS - positionMs / 1000;
  if (left <= 0) return "";
  const text = formatDuration(Math.max(left, 60));
  return text ? `${text} left` : "";
}

/** Joins the non-empty parts with a middle dot: "1 Aug 2024 · 41 min". */
export function joinMeta(...parts: (string | null | undefined)[]): string {
  return parts.filter((p): p is string => !!p).join(" · ");
}

/** Newest first; episodes without a date go last, in their original order. */
export function byNewest<T extends { published: string | null }>(a: T, b: T): number {
  const ta = a.published ? Date.parse(a.published) : NaN;
  const tb = b.published ? Date.parse(b.published) : NaN;
  const na = Number.isNaN(ta);
  const nb = Number.isNaN(tb);
  if (na || nb) return na === nb ? 0 : na ? 1 : -1;
  return tb - ta;
}

/** The feed Chaptercast subscribes to on first run (the engine's `DEFAULT_FEED_URL`). */
const DEFAULT_FEED_URL = "https://insidefacebookmobile.libsyn.com/rss";

/**
 * A show's display name: its title; before the first fetch (a first run offline), "Meta Tech
 * Podcast" for the default feed, else the feed's host, not a raw URL.
 */
export function showName(show: { title: string; feed_url: string }): string {
  const title = show.title.trim();
  if (title) return title;
  if (show.feed_url === DEFAULT_FEED_URL) return "Meta Tech Podcast";
  try {
    const host = new URL(show.feed_url).hostname.replace(/^www\./, "");
    return host || show.feed_url;
  } catch {
    return show.feed_url;
  }
}

/** Up to two initials for an artwork placeholder. */
export function initials(name: string): string {
  const words = name
    .replace(/^https?:\/\/(www\.)?/i, "")
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  return words
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join("");
}

/** A moment in an episode: "0:06", "12:30", "1:03:35". Whole seconds, rounded down. */
export function formatTimestamp(ms: number): string {
  const total = Number.isFinite(ms) && ms > 0 ? Math.floor(ms / 1000) : 0;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const ss = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/**
 * "-12:34": the time left for the player bar, at the playing speed (31:19 of audio at 1.5× is
 * -20:53 of listening). Rounds up, so at 1× elapsed + left adds up to the duration. "" when unknown.
 */
export function formatTimeLeft(positionMs: number, durationMs: number | null | undefined, speed = 1): string {
  if (durationMs == null || !Number.isFinite(durationMs) || durationMs <= 0) return "";
  const left = Math.max(0, durationMs - (Number.isFinite(positionMs) ? Math.max(0, positionMs) : 0));
  const rate = Number.isFinite(speed) && speed > 0 ? speed : 1;
  return `-${formatTimestamp(Math.ceil(left / rate / 1000) * 1000)}`;
}

/** "1.5×", "0.75×", "1×". */
export function formatSpeed(speed: number): string {
  return `${Number(speed.toFixed(2))}×`;
}

const BYTE_UNITS = ["KB", "MB", "GB"] as const;

/**
 * "512 B", "12.3 KB", "48.0 MB", "1.2 GB": decimal units (1 KB = 1000 B), as the file managers
 * on Linux and macOS count, so sizes match what the listener sees there. "" when unknown.
 */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes == null || !Number.isFinite(bytes) || bytes < 0) return "";
  if (Math.round(bytes) < 1000) return `${Math.round(bytes)} B`;
  let value = bytes / 1000;
  let unit = 0;
  // Step up on the rounded value, so 999,960 B reads "1.0 MB" rather than "1000.0 KB".
  while (Math.round(value * 10) / 10 >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(1)} ${BYTE_UNITS[unit]}`;
}
