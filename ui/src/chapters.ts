// Small pure helpers for showing an episode's chapter list.

/** Where the list came from, in words: "From the show notes", "From the audio file", … */
export function chapterSourceLabel(source: string | undefined): string {
  switch (source) {
    case "show-notes":
      return "From the show notes";
    case "podcast-json":
      return "From the chapters file";
    case "podlove":
      return "From the feed (Podlove)";
    case "id3":
    case "mp4":
    case "vorbis":
      return "From the audio file";
    default:
      return "";
  }
}

/**
 * The index of the chapter playing at `positionMs`: the last one starting at or before it,
 * unless that one has a known end at or before the position (a gap). -1 when none.
 */
export function currentChapterIndex(
  chapters: readonly { start_ms: number; end_ms: number | null }[],
  positionMs: number | null,
): number {
  if (positionMs == null || !Number.isFinite(positionMs)) return -1;
  let found = -1;
  for (let i = 0; i < chapters.length; i++) {
    const c = chapters[i]!;
    if (c.start_ms <= positionMs && (found < 0 || c.start_ms >= chapters[found]!.start_ms)) found = i;
  }
  if (found < 0) return -1;
  const end = chapters[found]!.end_ms;
  return end != null && end > chapters[found]!.start_ms && positionMs >= end ? -1 : found;
}

/** The URL if it is a plain http(s) address; null for anything else (data:, javascript:, junk). */
export function webUrl(url: string | null | undefined): string | null {
  if (!url || !/^https?:\/\//i.test(url.trim())) return null;
  try {
    const parsed = new URL(url.trim());
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

/**
 * The chapter to highlight: the player's own `chapter_index` when it reports one that fits the
 * list, else the one at `positionMs` (while a seek is on its way, or before the first update).
 */
export function playingChapterIndex(
  chapters: readonly { start_ms: number; end_ms: number | null }[],
  reported: number | null | undefined,
  positionMs: number | null,
): number {
  if (positionMs == null) return -1;
  if (reported != null && Number.isInteger(reported) && reported >= 0 && reported < chapters.length) return reported;
  return currentChapterIndex(chapters, positionMs);
}
