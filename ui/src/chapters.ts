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
 * The chapter to highlight: the engine's `chapter_index` (counted among the visible chapters) when
 * it fits the list, else none. The UI never works the current chapter out itself: the engine's
 * rule (with chapter ends and gaps) is the only one.
 */
export function playingChapterIndex(chapters: readonly unknown[], reported: number | null | undefined): number {
  return reported != null && Number.isInteger(reported) && reported >= 0 && reported < chapters.length ? reported : -1;
}
