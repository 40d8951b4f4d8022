// Finding moments ("12:30", "1:03:35") in show-notes text. Pure: no DOM. The notes view uses
// `findChapterTimestamps` when the episode has chapters (a token must be one of their starts)
// and the conservative `findTimestamps` otherwise.
//
// Both take an optional `before`: text that precedes `text` on the same line (earlier inline
// nodes), so that "<b>abc</b>12:30" counts as glued and "John <em>3:16</em>" as prose.

export type TimestampMatch = {
  /** Offset of the token in `text`. */
  index: number;
  length: number;
  /** The moment it names; for chapter matches, that chapter's exact `start_ms`. */
  ms: number;
};

type Token = TimestampMatch & { hasHours: boolean; minuteDigits: number; minutes: number };

// H:MM:SS or M:SS / MM:SS (MMM:SS for long chapter lists), optionally with a fraction
// ("0:03:12.500"). Not glued to letters, digits or URL/path punctuation on either side.
const TOKEN =
  /(?<![\p{L}\p{N}\p{M}_:/.=@#&?\\])(?:(\d{1,2}):(\d{2}):(\d{2})|(\d{1,3}):(\d{2}))(?:\.(\d{1,3}))?(?![\p{L}\p{N}\p{M}_:]|[.,]\d)/gu;
/** "10:30 AM", "10:30pm", "10:30 a.m." are times of day. */
const MERIDIEM = /^\s*[ap]\.?m(?![\p{L}\p{N}])/iu;
/** A token inside a URL-looking word ("https://x.org/t=1:02:03"). */
const URLISH = /:\/\/|(?:^|[^\p{L}\p{N}])www\./iu;
/** What may stand before a bare M:SS on its line: nothing, a list marker, a bracket or a separator. */
const LIST_MARKER = /^(?:\d{1,3}[.)]|[-*•·▪–—])$/u;
const SEPARATOR_END = /[([{<>|,;:\-–—•·*]$/u;

function scan(full: string, from: number): Token[] {
  const out: Token[] = [];
  for (const m of full.matchAll(TOKEN)) {
    const start = m.index;
    if (start < from) continue;
    const end = start + m[0].length;
    if (MERIDIEM.test(full.slice(end, end + 8))) continue;
    if (inUrl(full, start, end)) continue;
    const hasHours = m[1] !== undefined;
    const hours = hasHours ? Number(m[1]) : 0;
    const minutesText = (hasHours ? m[2] : m[4]) ?? "";
    const minutes = Number(minutesText);
    const seconds = Number(hasHours ? m[3] : m[5]);
    if (seconds > 59 || (hasHours && minutes > 59)) continue;
    const fraction = m[6] ? Number(m[6].padEnd(3, "0")) : 0;
    out.push({
      index: start - from,
      length: end - start,
      ms: ((hours * 60 + minutes) * 60 + seconds) * 1000 + fraction,
      hasHours,
      minuteDigits: minutesText.length,
      minutes,
    });
  }
  return out;
}

function inUrl(full: string, start: number, end: number): boolean {
  let a = start;
  while (a > 0 && !/\s/u.test(full[a - 1]!)) a--;
  let b = end;
  while (b < full.length && !/\s/u.test(full[b]!)) b++;
  return URLISH.test(full.slice(a, b));
}

/** True when what precedes the token on its line looks like a list of moments, not prose. */
function inListPosition(full: string, start: number): boolean {
  const lineStart = full.lastIndexOf("\n", start - 1) + 1;
  const before = full.slice(lineStart, start).trim();
  return before === "" || LIST_MARKER.test(before) || SEPARATOR_END.test(before);
}

const plain = (t: Token): TimestampMatch => ({ index: t.index, length: t.length, ms: t.ms });

/**
 * Standalone timestamps, for an episode without chapters. Conservative: `H:MM:SS` anywhere it
 * is not glued to other text; `M:SS`/`MM:SS` (minutes ≤ 59) only where a list of moments would
 * put it — at the start of a line, after a list marker, a bracket or a separator ("–", "|", ",").
 * So "10:30 AM", "localhost:8080", "16:9" and "John 3:16" are not timestamps.
 */
export function findTimestamps(text: string, before = ""): TimestampMatch[] {
  const full = before + text;
  return scan(full, before.length)
    .filter((t) => t.hasHours || (t.minuteDigits <= 2 && t.minutes <= 59 && inListPosition(full, t.index + before.length)))
    .map(plain);
}

/**
 * Timestamps that name one of the chapter starts (to the second), anywhere in the text.
 * `ms` is the matching chapter's exact start.
 */
export function findChapterTimestamps(text: string, chapterStartsMs: readonly number[], before = ""): TimestampMatch[] {
  const bySecond = new Map<number, number>();
  for (const start of chapterStartsMs) {
    const second = Math.floor(start / 1000);
    if (!bySecond.has(second)) bySecond.set(second, start);
  }
  const out: TimestampMatch[] = [];
  for (const t of scan(before + text, before.length)) {
    const start = bySecond.get(Math.floor(t.ms / 1000));
    if (start !== undefined) out.push({ index: t.index, length: t.length, ms: start });
  }
  return out;
}
