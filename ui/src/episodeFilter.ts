// The episode list's filters and sort, and which episodes "older than this one" are.
import type { EpisodeRow } from "./api";
import { byNewest } from "./format";

export type EpisodeFilter = "all" | "unplayed" | "in-progress" | "downloaded";
export type EpisodeSort = "newest" | "oldest";

export const FILTERS: readonly { id: EpisodeFilter; label: string; empty: string }[] = [
  { id: "all", label: "All", empty: "No episodes" },
  { id: "unplayed", label: "Unplayed", empty: "No unplayed episodes" },
  { id: "in-progress", label: "In progress", empty: "No episodes in progress" },
  { id: "downloaded", label: "Downloaded", empty: "No downloaded episodes" },
];

type Row = Pick<EpisodeRow, "is_played" | "position_ms" | "is_downloaded">;

/** In progress: started (a saved position) and not finished. */
export const isInProgress = (row: Row): boolean => !row.is_played && row.position_ms > 0;

export function matchesFilter(row: Row, filter: EpisodeFilter): boolean {
  switch (filter) {
    case "all":
      return true;
    case "unplayed":
      return !row.is_played;
    case "in-progress":
      return isInProgress(row);
    case "downloaded":
      return row.is_downloaded;
  }
}

const time = (published: string | null): number => (published ? Date.parse(published) : NaN);

/** Oldest first; episodes without a date go last, in their original order (as with `byNewest`). */
export function byOldest<T extends { published: string | null }>(a: T, b: T): number {
  const ta = time(a.published);
  const tb = time(b.published);
  const na = Number.isNaN(ta);
  const nb = Number.isNaN(tb);
  if (na || nb) return na === nb ? 0 : na ? 1 : -1;
  return ta - tb;
}

/** The rows the list shows: filtered, then sorted (a new array; `rows` is left alone). */
export function filterAndSort<T extends Row & { published: string | null }>(rows: readonly T[], filter: EpisodeFilter, sort: EpisodeSort): T[] {
  const kept = filter === "all" ? rows.slice() : rows.filter((r) => matchesFilter(r, filter));
  return kept.sort(sort === "newest" ? byNewest : byOldest);
}

/**
 * The ids of the show's episodes published before `episodeId` (not the episode itself, nor
 * episodes without a date, of which nothing can be said). [] when it has no date or is unknown.
 */
export function olderEpisodeIds(rows: readonly Pick<EpisodeRow, "id" | "show_id" | "published">[], episodeId: string): string[] {
  const target = rows.find((r) => r.id === episodeId);
  if (!target) return [];
  const t = time(target.published);
  if (Number.isNaN(t)) return [];
  return rows.filter((r) => r.id !== episodeId && r.show_id === target.show_id && time(r.published) < t).map((r) => r.id);
}
