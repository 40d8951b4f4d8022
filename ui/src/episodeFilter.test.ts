import { describe, expect, it } from "vitest";
import type { EpisodeRow } from "./api";
import { episodeRow } from "./test/fixtures";
import { filterAndSort, isInProgress, matchesFilter, olderEpisodeIds } from "./episodeFilter";

const row = (id: string, published: string | null, over: Partial<EpisodeRow> = {}): EpisodeRow =>
  episodeRow(id, { title: id, published, ...over });

const rows = [
  row("new", "2024-05-03T00:00:00Z"),
  row("started", "2024-05-02T00:00:00Z", { position_ms: 5000 }),
  row("played", "2024-05-01T00:00:00Z", { is_played: true, position_ms: 5000 }),
  row("onDisk", "2024-04-30T00:00:00Z", { is_downloaded: true }),
  row("undated", null),
];

describe("episode filters", () => {
  it("counts as in progress only what is started and not played", () => {
    expect(isInProgress(rows[1]!)).toBe(true);
    expect(isInProgress(rows[2]!)).toBe(false); // played, even with a position
    expect(isInProgress(rows[0]!)).toBe(false);
  });

  it("filters All / Unplayed / In progress / Downloaded", () => {
    const ids = (f: Parameters<typeof matchesFilter>[1]) => filterAndSort(rows, f, "newest").map((r) => r.id);
    expect(ids("all")).toEqual(["new", "started", "played", "onDisk", "undated"]);
    expect(ids("unplayed")).toEqual(["new", "started", "onDisk", "undated"]);
    expect(ids("in-progress")).toEqual(["started"]);
    expect(ids("downloaded")).toEqual(["onDisk"]);
  });

  it("sorts oldest first with undated episodes still last, leaving the input alone", () => {
    const input = [...rows].reverse();
    expect(filterAndSort(input, "all", "oldest").map((r) => r.id)).toEqual(["onDisk", "played", "started", "new", "undated"]);
    expect(filterAndSort(input, "all", "newest").map((r) => r.id)).toEqual(["new", "started", "played", "onDisk", "undated"]);
    expect(input[0]!.id).toBe("undated");
  });

  it("finds the show's episodes published before one, and nothing for an undated one", () => {
    const other = row("otherShow", "2020-01-01T00:00:00Z", { show_id: "t" });
    expect(olderEpisodeIds([...rows, other], "started")).toEqual(["played", "onDisk"]);
    expect(olderEpisodeIds(rows, "onDisk")).toEqual([]);
    expect(olderEpisodeIds(rows, "undated")).toEqual([]);
    expect(olderEpisodeIds(rows, "missing")).toEqual([]);
  });
});
