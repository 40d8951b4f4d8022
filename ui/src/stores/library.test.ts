import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ChapterView, EpisodeRow, EpisodeView, RefreshReport, ShowView } from "../api";

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
    listShows: vi.fn(),
    listEpisodes: vi.fn(),
    getEpisode: vi.fn(),
    loadChapters: vi.fn(),
    subscribeFeed: vi.fn(),
    unsubscribeShow: vi.fn(),
    refreshLibrary: vi.fn(),
    refreshDueShows: vi.fn(),
    openExternal: vi.fn(),
    setPlayed: vi.fn(),
    setPlayedMany: vi.fn(),
  };
});

import * as api from "../api";
import { episodeRow, episodeView, showView } from "../test/fixtures";
import { createLibrary } from "./library";

const mocked = vi.mocked(api);

const show = (id: string, over: Partial<ShowView> = {}): ShowView => showView(id, { episode_count: 2, ...over });

const row = (id: string, published: string | null, showId = "a"): EpisodeRow => episodeRow(id, { published, show_id: showId });

const view = (r: EpisodeRow): EpisodeView =>
  episodeView(r, { description_html: "<p>notes</p>", chapters: [chapter(0, "From the notes", "show-notes")] });

const chapter = (startMs: number, title: string, source = "podcast-json"): ChapterView => ({
  start_ms: startMs,
  end_ms: null,
  title,
  source,
  url: null,
  img: null,
});

/** A promise to settle by hand, to order answers in a test. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets pending promise callbacks run. */
const settle = () => new Promise((r) => setTimeout(r, 0));

const report = (over: Partial<RefreshReport> = {}): RefreshReport => ({ shows: [], is_offline: false, ...over });

beforeEach(() => {
  vi.resetAllMocks();
  mocked.listShows.mockResolvedValue([show("a"), show("b")]);
  mocked.listEpisodes.mockResolvedValue([row("old", "2024-01-01T00:00:00Z"), row("new", "2024-08-01T00:00:00Z")]);
  mocked.getEpisode.mockImplementation(async (id) => view(row(id, null)));
  mocked.refreshLibrary.mockResolvedValue(report());
  mocked.refreshDueShows.mockResolvedValue(report());
  mocked.loadChapters.mockResolvedValue([]);
});

describe("library store", () => {
  it("loads the library, selects the first show and its newest episode", async () => {
    const lib = createLibrary();
    await lib.loadShows();
    expect(lib.state.shows.map((s) => s.id)).toEqual(["a", "b"]);
    expect(lib.state.selectedShowId).toBe("a");
    expect(lib.state.episodes.map((e) => e.id)).toEqual(["new", "old"]);
    expect(lib.state.selectedEpisodeId).toBe("new");
    expect(lib.state.episode?.row.id).toBe("new");
  });

  it("refreshes only due shows at start-up and every show on request", async () => {
    const lib = createLibrary();
    await lib.start();
    expect(mocked.refreshDueShows).toHaveBeenCalledTimes(1);
    expect(mocked.refreshLibrary).not.toHaveBeenCalled();
    await lib.refresh();
    expect(mocked.refreshLibrary).toHaveBeenCalledTimes(1);
  });

  it("sets the offline flag when the refresh reports offline", async () => {
    mocked.refreshDueShows.mockResolvedValue(report({ is_offline: true }));
    const lib = createLibrary();
    await lib.start();
    expect(lib.state.offline).toBe(true);
    expect(lib.state.refreshing).toBe(false);
  });

  it("treats a show failing as Offline as offline", async () => {
    mocked.refreshDueShows.mockResolvedValue(
      report({ shows: [{ show_id: "a", added: 0, error: { kind: "Offline", message: "No network." } }] }),
    );
    const lib = createLibrary();
    await lib.start();
    expect(lib.state.offline).toBe(true);
    expect(lib.showError(lib.state.shows[0]!)?.message).toBe("No network.");
  });

  it("clears offline after a successful refresh and keeps the selection", async () => {
    mocked.refreshDueShows.mockResolvedValueOnce(report({ is_offline: true }));
    const lib = createLibrary();
    await lib.start();
    await lib.selectShow("b");
    await lib.selectEpisode("old");
    await lib.refresh();
    expect(lib.state.offline).toBe(false);
    expect(lib.state.selectedShowId).toBe("b");
    expect(lib.state.selectedEpisodeId).toBe("old");
  });

  it("shows the refresh indicator while refreshing", async () => {
    let finish!: (r: RefreshReport) => void;
    mocked.refreshLibrary.mockReturnValue(new Promise((r) => (finish = r)));
    const lib = createLibrary();
    await lib.loadShows();
    const running = lib.refresh();
    expect(lib.state.refreshing).toBe(true);
    finish(report());
    await running;
    expect(lib.state.refreshing).toBe(false);
  });

  it("surfaces a subscribe error and selects nothing new", async () => {
    mocked.subscribeFeed.mockRejectedValue(new api.ApiError("NotAFeed", "That is not a podcast feed."));
    const lib = createLibrary();
    await lib.loadShows();
    expect(await lib.subscribe("https://example.org/page.html")).toBe(false);
    expect(lib.state.subscribeError).toBe("That is not a podcast feed.");
    expect(lib.state.subscribing).toBe(false);
    expect(lib.state.selectedShowId).toBe("a");
  });

  it("opens a newly subscribed show", async () => {
    const lib = createLibrary();
    await lib.loadShows();
    mocked.subscribeFeed.mockResolvedValue(show("c"));
    mocked.listShows.mockResolvedValue([show("a"), show("b"), show("c")]);
    expect(await lib.subscribe("  https://example.org/c.xml ")).toBe(true);
    expect(mocked.subscribeFeed).toHaveBeenCalledWith("https://example.org/c.xml");
    expect(lib.state.selectedShowId).toBe("c");
    expect(lib.state.subscribeError).toBeNull();
  });

  it("rejects an empty URL without calling the backend", async () => {
    const lib = createLibrary();
    expect(await lib.subscribe("   ")).toBe(false);
    expect(lib.state.subscribeError).not.toBeNull();
    expect(mocked.subscribeFeed).not.toHaveBeenCalled();
  });

  it("recognises a never-fetched show", () => {
    const lib = createLibrary();
    expect(lib.isUnfetched(show("x", { title: "", episode_count: 0 }))).toBe(true);
    expect(lib.isUnfetched(show("y"))).toBe(false);
  });

  it("reverts the played state when the backend refuses", async () => {
    mocked.setPlayed.mockRejectedValue(new api.ApiError("Storage", "Disk full."));
    const lib = createLibrary();
    await lib.loadShows();
    await lib.setPlayed("new", true);
    expect(lib.state.episodes.find((e) => e.id === "new")?.is_played).toBe(false);
    expect(lib.state.episodeError).toBe("Disk full.");
  });

  it("replaces the chapter list when loadChapters answers for the open episode", async () => {
    const fetched = deferred<ChapterView[]>();
    mocked.loadChapters.mockReturnValue(fetched.promise);
    const lib = createLibrary();
    await lib.loadShows();
    expect(lib.state.episode?.chapters.map((c) => c.title)).toEqual(["From the notes"]);
    fetched.resolve([chapter(0, "Intro"), chapter(60_000, "Main")]);
    await settle();
    expect(mocked.loadChapters).toHaveBeenCalledWith("new");
    expect(lib.state.episode?.chapters.map((c) => c.title)).toEqual(["Intro", "Main"]);
  });

  it("ignores chapters that arrive after another episode was opened", async () => {
    const slow = deferred<ChapterView[]>();
    mocked.loadChapters.mockImplementation((id) => (id === "new" ? slow.promise : Promise.resolve([chapter(0, `Chapters of ${id}`)])));
    const lib = createLibrary();
    await lib.loadShows();
    await lib.selectEpisode("old");
    await settle();
    expect(lib.state.episode?.chapters.map((c) => c.title)).toEqual(["Chapters of old"]);
    slow.resolve([chapter(0, "Chapters of new")]);
    await settle();
    expect(lib.state.episode?.row.id).toBe("old");
    expect(lib.state.episode?.chapters.map((c) => c.title)).toEqual(["Chapters of old"]);
  });

  it("keeps the first chapter list quietly when loadChapters fails", async () => {
    mocked.loadChapters.mockRejectedValue(new api.ApiError("Offline", "No network."));
    const debug = vi.spyOn(console, "debug").mockImplementation(() => {});
    const lib = createLibrary();
    await lib.loadShows();
    await settle();
    expect(lib.state.episode?.chapters.map((c) => c.title)).toEqual(["From the notes"]);
    expect(lib.state.episodeError).toBeNull();
    expect(debug).toHaveBeenCalled();
  });

  it("keeps the open episode's chapter objects when a refresh reloads it unchanged", async () => {
    // As the backend does once it has fetched them: getEpisode includes the fetched chapters.
    const list = () => [chapter(0, "Intro"), chapter(60_000, "Main")];
    mocked.getEpisode.mockImplementation(async (id) => ({ ...view(row(id, null)), chapters: list() }));
    mocked.loadChapters.mockImplementation(async () => list());
    const lib = createLibrary();
    await lib.loadShows();
    await settle();
    const before = lib.state.episode!.chapters[1];
    await lib.refresh();
    await settle();
    expect(lib.state.episode?.chapters[1]).toBe(before);
    expect(lib.state.episode?.chapters.map((c) => c.title)).toEqual(["Intro", "Main"]);
  });
  it("shows a download's result on the row and the open episode without a reload", async () => {
    const lib = createLibrary();
    await lib.loadShows();
    lib.setDownloaded("new", true);
    expect(lib.state.episodes.map((e) => [e.id, e.is_downloaded])).toEqual([
      ["new", true],
      ["old", false],
    ]);
    expect(lib.state.episode?.row.is_downloaded).toBe(true);
    lib.setDownloaded("new", false);
    expect(lib.state.episode?.row.is_downloaded).toBe(false);
    expect(mocked.listEpisodes).toHaveBeenCalledTimes(1);
  });

  it("opens an episode of another show, from the downloads", async () => {
    mocked.listEpisodes.mockImplementation(async (showId) =>
      showId === "b" ? [row("b1", "2024-08-01T00:00:00Z", "b"), row("b2", "2024-01-01T00:00:00Z", "b")] : [row("new", null)],
    );
    mocked.getEpisode.mockImplementation(async (id) => view(row(id, null, id.startsWith("b") ? "b" : "a")));
    const lib = createLibrary();
    await lib.loadShows();
    expect(lib.state.selectedShowId).toBe("a");
    await lib.openEpisode("b2");
    expect(lib.state.selectedShowId).toBe("b");
    expect(lib.state.episodes.map((e) => e.id)).toEqual(["b1", "b2"]);
    expect(lib.state.selectedEpisodeId).toBe("b2"); // not the newest
    expect(lib.state.episode?.row.id).toBe("b2");
    await lib.openEpisode("b1"); // same show: no reload
    expect(lib.state.episode?.row.id).toBe("b1");
    expect(mocked.listEpisodes).toHaveBeenCalledTimes(2);
  });

  it("says so when the episode to open is gone", async () => {
    const lib = createLibrary();
    await lib.loadShows();
    mocked.getEpisode.mockRejectedValue(new api.ApiError("NotFound", "That episode is no longer in the library."));
    await lib.openEpisode("gone");
    expect(lib.state.episodeError).toBe("That episode is no longer in the library.");
    expect(lib.state.selectedShowId).toBe("a");
  });

  it("marks many played at once, then reads the list again from the backend", async () => {
    const lib = createLibrary();
    await lib.loadShows();
    let release!: (n: number) => void;
    mocked.setPlayedMany.mockImplementation(() => new Promise((r) => (release = r)));
    const pending = lib.setPlayedMany(["old", "new"], true);
    // Shown at once.
    expect(lib.state.episodes.map((e) => e.is_played)).toEqual([true, true]);
    expect(lib.state.episode?.row.is_played).toBe(true);
    expect(mocked.setPlayedMany).toHaveBeenCalledWith(["old", "new"], true);
    const loads = mocked.listEpisodes.mock.calls.length;
    mocked.listEpisodes.mockResolvedValue([
      { ...row("old", "2024-01-01T00:00:00Z"), is_played: true },
      { ...row("new", "2024-08-01T00:00:00Z"), is_played: true },
    ]);
    release(2);
    await expect(pending).resolves.toBe(2);
    expect(mocked.listEpisodes.mock.calls.length).toBe(loads + 1);
    expect(lib.state.episodes.map((e) => e.is_played)).toEqual([true, true]);
  });

  it("undoes the marks when marking many fails, by reading the list again", async () => {
    // Fresh objects on every call, as from the backend (the store adopts what it is given).
    mocked.listEpisodes.mockImplementation(async () => [row("old", "2024-01-01T00:00:00Z"), row("new", "2024-08-01T00:00:00Z")]);
    const lib = createLibrary();
    await lib.loadShows();
    mocked.setPlayedMany.mockRejectedValue(new api.ApiError("Storage", "The library is read-only."));
    await expect(lib.setPlayedMany(["old"], true)).resolves.toBe(0);
    expect(lib.state.episodeError).toBe("The library is read-only.");
    expect(lib.state.episodes.map((e) => e.is_played)).toEqual([false, false]);
  });

  it("opens an episode in a known show without asking which show it is in", async () => {
    const lib = createLibrary();
    await lib.loadShows();
    mocked.getEpisode.mockClear();
    await lib.openEpisode("old", "b");
    expect(lib.state.selectedShowId).toBe("b");
    expect(lib.state.selectedEpisodeId).toBe("old");
    expect(mocked.getEpisode.mock.calls.map(([id]) => id)).toEqual(["old"]); // the episode itself, once
  });
});
