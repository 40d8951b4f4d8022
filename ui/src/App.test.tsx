// The whole app against a mocked backend: the global keys, the search palette's choices and
// the background refresh notice, wired as they are in App.
import { render } from "solid-js/web";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { DownloadView, EpisodeRow, EpisodeView, LibraryUpdate, PlayerView, QueueView, SearchHit, ShowView } from "./api";

vi.mock("./api", () => {
  class ApiError extends Error {
    readonly kind: string;
    constructor(kind: string, message: string) {
      super(message);
      this.kind = kind;
    }
  }
  const done = async () => undefined;
  return {
    ApiError,
    openExternal: vi.fn(done),
    listShows: vi.fn(),
    listEpisodes: vi.fn(),
    getEpisode: vi.fn(),
    loadChapters: vi.fn(async () => []),
    subscribeFeed: vi.fn(),
    refreshLibrary: vi.fn(async () => ({ shows: [], is_offline: false })),
    setPlayed: vi.fn(done),
    setPlayedMany: vi.fn(async (ids: string[]) => ids.length),
    playEpisode: vi.fn(done),
    playerStatus: vi.fn(),
    playerPlay: vi.fn(done),
    playerPause: vi.fn(done),
    playerToggle: vi.fn(done),
    playerSeek: vi.fn(done),
    playerSkip: vi.fn(done),
    playerChapterStep: vi.fn(done),
    playerSetSpeed: vi.fn(done),
    playerSetVolume: vi.fn(done),
    playerSetSleepTimer: vi.fn(done),
    onPlayerUpdate: vi.fn(async () => () => {}),
    onDownloadUpdate: vi.fn(async () => () => {}),
    takeOpenRequests: vi.fn(async () => []),
    onOpenRequested: vi.fn(async () => () => {}),
    previewFeedLink: vi.fn(),
    importOpenedOpml: vi.fn(),
    listDownloads: vi.fn(async () => []),
    getDownloadFolder: vi.fn(async () => "/home/me/Podcasts"),
    search: vi.fn(),
    onLibraryUpdate: vi.fn(),
    getRefreshIntervalHours: vi.fn(async () => 6),
    setRefreshIntervalHours: vi.fn(done),
    syncStatus: vi.fn(async () => ({ account: null, library_changed: false })),
    onSyncUpdate: vi.fn(async () => () => {}),
    pickOpmlFile: vi.fn(async () => null),
    pickOpmlSavePath: vi.fn(async () => null),
    importOpml: vi.fn(),
    exportOpml: vi.fn(),
    onOpmlProgress: vi.fn(async () => () => {}),
    playerRetry: vi.fn(done),
    queueList: vi.fn(async () => ({ items: [], continuous: true })),
    queueAdd: vi.fn(done),
    queueRemove: vi.fn(done),
    queueMove: vi.fn(done),
    queueClear: vi.fn(done),
    setContinuousPlay: vi.fn(done),
    onQueueUpdate: vi.fn(async () => () => {}),
    onNowPlaying: vi.fn(async () => () => {}),
    onSessionNotice: vi.fn(async () => () => {}),
    nowPlaying: vi.fn(async () => null),
  };
});

import * as api from "./api";
import App from "./App";
import { IDLE_VIEW } from "./stores/player";
import { createThemeStore } from "./theme";
import { episodeRow, episodeView, showView } from "./test/fixtures";

const mocked = vi.mocked(api);
Element.prototype.scrollIntoView ??= function () {};

const show = (id: string, title: string): ShowView => showView(id, { title, episode_count: 3 });

const row = (id: string, showId: string, day: number): EpisodeRow =>
  episodeRow(id, { show_id: showId, published: new Date(Date.UTC(2024, 4, day)).toISOString(), duration_s: 3600 });

const rows: EpisodeRow[] = [row("a3", "a", 3), row("a2", "a", 2), row("a1", "a", 1), row("b2", "b", 2), row("b1", "b", 1)];

const hit = (over: Partial<SearchHit>): SearchHit => ({
  kind: "title",
  speaker: null,
  show_id: "b",
  podcast: "Show B",
  episode_id: "b1",
  episode_title: "Episode b1",
  chapter_title: null,
  start_ms: null,
  published: null,
  title_runs: [{ text: "Episode b1", hit: true }],
  chapter_runs: [],
  snippet_runs: [],
  ...over,
});

let dispose: (() => void) | undefined;
let libraryUpdate: ((u: LibraryUpdate) => void) | undefined;

beforeEach(() => {
  vi.clearAllMocks();
  localStorage.clear();
  mocked.listShows.mockResolvedValue([show("a", "Show A"), show("b", "Show B")]);
  mocked.listEpisodes.mockImplementation(async (showId) => rows.filter((r) => r.show_id === showId).map((r) => ({ ...r })));
  mocked.getEpisode.mockImplementation(
    async (id): Promise<EpisodeView> =>
      episodeView({ ...rows.find((r) => r.id === id)! }, { description_html: "<p>notes</p>", enclosure_url: "https://example.org/x.mp3" }),
  );
  mocked.playerStatus.mockResolvedValue({ ...IDLE_VIEW, speed: 1 } as PlayerView);
  mocked.onLibraryUpdate.mockImplementation(async (cb) => {
    libraryUpdate = cb;
    return () => {};
  });
});
afterEach(() => {
  dispose?.();
  dispose = undefined;
  document.body.replaceChildren();
  vi.useRealTimers();
});

const settle = async (times = 4) => {
  for (let i = 0; i < times; i++) await new Promise((r) => setTimeout(r, 0));
};

async function mount() {
  const root = document.createElement("div");
  document.body.append(root);
  dispose = render(() => <App theme={createThemeStore(undefined, document.createElement("div"))} />, root);
  await settle(8);
  const q = <T extends HTMLElement = HTMLElement>(id: string) => root.querySelector<T>(`[data-testid=${id}]`);
  const press = (key: string, init: KeyboardEventInit = {}, target: Element = document.activeElement ?? document.body) => {
    const event = new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...init });
    target.dispatchEvent(event);
    return event;
  };
  const search = async (text: string) => {
    const input = q<HTMLInputElement>("search-input")!;
    input.value = text;
    input.dispatchEvent(new InputEvent("input", { bubbles: true }));
    await new Promise((r) => setTimeout(r, 120));
    await settle();
  };
  return { root, q, press, search };
}

describe("App", () => {
  it("opens search with Ctrl+K, / and the header button, and Escape gives focus back", async () => {
    const { q, press } = await mount();
    expect(q("search-dialog")).toBeNull();
    expect(q("search-open")!.textContent).toContain("K");
    press("k", { ctrlKey: true }, document.body);
    expect(q("search-dialog")).not.toBeNull();
    expect(document.activeElement).toBe(q("search-input"));
    press("Escape");
    expect(q("search-dialog")).toBeNull();

    press("/", {}, document.body);
    expect(q("search-dialog")).not.toBeNull();
    press("Escape");

    q<HTMLButtonElement>("search-open")!.focus();
    q<HTMLButtonElement>("search-open")!.click();
    expect(q("search-dialog")).not.toBeNull();
    press("Escape");
    expect(q("search-dialog")).toBeNull();
    expect(document.activeElement).toBe(q("search-open"));
  });

  it("gives Space to the player after search is closed, not to the search button focus returned to", async () => {
    mocked.playerStatus.mockResolvedValue({ ...IDLE_VIEW, episode_id: "a1", state: "paused", speed: 1 } as PlayerView);
    const { q, press } = await mount();
    press("k", { ctrlKey: true }, document.body);
    press("Escape");
    expect(document.activeElement).toBe(q("search-open"));
    const space = press(" ");
    expect(space.defaultPrevented).toBe(true);
    expect(q("search-dialog")).toBeNull();
    expect(mocked.playerToggle).toHaveBeenCalledTimes(1);
  });

  it("lines episodes up in Up Next and reorders and removes them from the keyboard", async () => {
    let queueUpdate: ((v: QueueView) => void) | undefined;
    mocked.onQueueUpdate.mockImplementation(async (cb) => {
      queueUpdate = cb;
      return () => {};
    });
    const item = (id: string) => ({ episode_id: id, title: `Episode ${id}`, show_title: "Show A", duration_s: 3600, position_ms: 0, is_downloaded: false });
    const { root, q } = await mount();
    await settle(8);
    // The row menu's Play next and Play last.
    const first = root.querySelector<HTMLElement>("[data-testid=episode-item]")!;
    first.dispatchEvent(new MouseEvent("contextmenu", { bubbles: true, cancelable: true, clientX: 10, clientY: 10 }));
    await settle();
    q<HTMLButtonElement>("episode-menu-play-next")!.click();
    expect(mocked.queueAdd).toHaveBeenLastCalledWith(["a3"], true, null);
    queueUpdate?.({ items: [item("a3"), item("a2"), item("a1")], continuous: true });
    await settle();
    expect(q("nav-queue-count")!.textContent).toBe("3");
    q<HTMLButtonElement>("nav-queue")!.click();
    await settle();
    const rowsShown = () => Array.from(root.querySelectorAll("[data-testid=queue-item-title]")).map((e) => e.textContent);
    expect(rowsShown()).toEqual(["Episode a3", "Episode a2", "Episode a1"]);
    const firstRow = root.querySelector<HTMLElement>("[data-testid=queue-item]")!;
    firstRow.focus();
    firstRow.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", altKey: true, bubbles: true, cancelable: true }));
    expect(mocked.queueMove).toHaveBeenLastCalledWith("a3", 1);
    firstRow.dispatchEvent(new KeyboardEvent("keydown", { key: "Delete", bubbles: true, cancelable: true }));
    expect(mocked.queueRemove).toHaveBeenLastCalledWith("a3");
    // The first cannot go further up.
    firstRow.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowUp", altKey: true, bubbles: true, cancelable: true }));
    expect(mocked.queueMove).toHaveBeenCalledTimes(1);
    q<HTMLInputElement>("queue-continuous")!.click();
    expect(mocked.setContinuousPlay).toHaveBeenLastCalledWith(false);
  });

  it("does not take / or ? from a text field", async () => {
    const { q, press } = await mount();
    const field = q<HTMLInputElement>("add-feed-input")!;
    field.focus();
    expect(press("/", {}, field).defaultPrevented).toBe(false);
    expect(press("?", { shiftKey: true }, field).defaultPrevented).toBe(false);
    expect(q("search-dialog")).toBeNull();
    expect(q("shortcuts-dialog")).toBeNull();
  });

  it("plays a chapter hit from its start, through the player's jump", async () => {
    mocked.search.mockResolvedValue([hit({}), hit({ episode_id: "b2", chapter_title: "Part two", start_ms: 754_000 })]);
    const { q, press, search } = await mount();
    press("k", { ctrlKey: true }, document.body);
    await search("part");
    expect(mocked.search).toHaveBeenCalledWith("part");
    press("ArrowDown");
    press("Enter");
    expect(mocked.playEpisode).toHaveBeenCalledWith("b2", 754_000);
    expect(q("search-dialog")).toBeNull();
    await settle(8);
    // The episode is opened in its show too.
    expect(q("show-title")!.textContent).toBe("Show B");
    expect(q("episode-view")!.textContent).toContain("Episode b2");
  });

  it("opens an episode hit in its show and plays it from where the listener left off", async () => {
    mocked.search.mockResolvedValue([hit({})]);
    const { root, q, press, search } = await mount();
    press("k", { ctrlKey: true }, document.body);
    await search("b1");
    press("Enter");
    expect(mocked.playEpisode).toHaveBeenCalledWith("b1", null);
    await settle(8);
    expect(q("show-title")!.textContent).toBe("Show B");
    const chosen = root.querySelector<HTMLElement>("[data-testid=episode-item][aria-selected=true]")!;
    expect(chosen.getAttribute("data-id")).toBe("b1");
    // The engine reports it loading.
    mocked.onPlayerUpdate.mock.calls[0]![0]({ ...IDLE_VIEW, episode_id: "b1", state: "loading" });
    // Space on the row focus landed on is the player's, not the row's.
    chosen.focus();
    const space = press(" ", {}, chosen);
    expect(space.defaultPrevented).toBe(true);
    expect(mocked.playerToggle).toHaveBeenCalledTimes(1);
    expect(mocked.playEpisode).toHaveBeenCalledTimes(1);
  });

  it("toggles the shortcuts dialog with ?, which lists every shortcut", async () => {
    const { q, press } = await mount();
    press("?", { shiftKey: true }, document.body);
    const dialog = q("shortcuts-dialog")!;
    // The platform's modal dialog (jsdom has no showModal: the open attribute stands in).
    expect(dialog.tagName).toBe("DIALOG");
    expect(dialog.hasAttribute("open")).toBe(true);
    const text = dialog.textContent!;
    for (const action of ["Play or pause", "Skip back", "Skip forward", "Previous chapter", "Next chapter", "Slower", "Faster", "Search"]) {
      expect(text).toContain(action);
    }
    // The player keys wait while it is open.
    press("ArrowRight", {}, document.activeElement!);
    expect(mocked.playerSkip).not.toHaveBeenCalled();
    press("?", { shiftKey: true });
    expect(q("shortcuts-dialog")).toBeNull();
    press("?", { shiftKey: true }, document.body);
    press("Escape");
    expect(q("shortcuts-dialog")).toBeNull();
  });

  it("maps [ ] to speed and Shift+←/→ to chapters", async () => {
    const { press } = await mount();
    // The player needs an episode for chapter steps.
    const listener = mocked.onPlayerUpdate.mock.calls[0]![0];
    listener({ ...IDLE_VIEW, episode_id: "a1", state: "playing", duration_ms: 3_600_000, speed: 1 });
    press("]", {}, document.body);
    expect(mocked.playerSetSpeed).toHaveBeenLastCalledWith(1.25);
    listener({ ...IDLE_VIEW, episode_id: "a1", state: "playing", duration_ms: 3_600_000, speed: 1.25 });
    press("[", {}, document.body);
    expect(mocked.playerSetSpeed).toHaveBeenLastCalledWith(1);
    press("ArrowRight", { shiftKey: true }, document.body);
    expect(mocked.playerChapterStep).toHaveBeenLastCalledWith(1);
    press("ArrowLeft", { shiftKey: true }, document.body);
    expect(mocked.playerChapterStep).toHaveBeenLastCalledWith(-1);
    expect(mocked.playerSkip).not.toHaveBeenCalled();
  });

  it("marks the show's older episodes played from the episode view", async () => {
    const { root, q } = await mount();
    root.querySelector<HTMLElement>("[data-testid=episode-item][data-id=a2]")!.click();
    await settle(4);
    q<HTMLButtonElement>("mark-older-played")!.click();
    expect(mocked.setPlayedMany).toHaveBeenCalledWith(["a1"], true);
    await settle(4);
    // Reloaded from the backend afterwards.
    expect(mocked.listEpisodes.mock.calls.filter(([id]) => id === "a").length).toBeGreaterThanOrEqual(3);
  });

  it("shows a quiet notice when a background refresh found episodes, and reloads the lists", async () => {
    const { q } = await mount();
    const shows = mocked.listShows.mock.calls.length;
    expect(q("notice")).toBeNull();
    libraryUpdate?.({ new_episodes: 3, show_titles: ["Show A"] });
    expect(q("notice")!.textContent).toContain("3 new episodes — Show A");
    expect(q("notice")!.getAttribute("role")).toBe("status");
    await settle(4);
    expect(mocked.listShows.mock.calls.length).toBe(shows + 1);
    q<HTMLButtonElement>("notice-dismiss")!.click();
    expect(q("notice")).toBeNull();
  });

  it("moves between the panes with F6 and Ctrl+1..3, and ↑/↓ with nothing focused move in the episode list", async () => {
    const { root, press } = await mount();
    const selectedEpisode = () => root.querySelector("[data-testid=episode-item][aria-selected=true]")?.getAttribute("data-id");
    expect(selectedEpisode()).toBe("a3");
    (document.activeElement as HTMLElement | null)?.blur();
    press("ArrowDown", {}, document.body);
    await settle();
    expect(selectedEpisode()).toBe("a2");
    expect(document.activeElement?.getAttribute("data-id")).toBe("a2");

    press("F6");
    expect(document.activeElement?.closest("[data-pane]")?.getAttribute("data-pane")).toBe("episode");
    press("F6");
    expect(document.activeElement?.getAttribute("data-show-id")).toBe("a");
    press("F6", { shiftKey: true });
    expect(document.activeElement?.getAttribute("data-pane")).toBe("episode");
    press("2", { ctrlKey: true });
    expect(document.activeElement?.getAttribute("data-id")).toBe("a2");
    press("ArrowUp");
    await settle();
    expect(selectedEpisode()).toBe("a3");
    press("1", { ctrlKey: true });
    expect(document.activeElement?.getAttribute("data-show-id")).toBe("a");
  });

  it("in a narrow window opens the library as a drawer and shows one pane at a time", async () => {
    // A 640 px window: both layout queries match.
    const listeners: (() => void)[] = [];
    vi.stubGlobal("matchMedia", (q: string) => ({ matches: /max-width/.test(q), media: q, addEventListener: (_: string, f: () => void) => listeners.push(f), removeEventListener: () => {} }));
    try {
      const { root, q, press } = await mount();
      const panes = root.querySelector<HTMLElement>(".panes")!;
      const toggle = q<HTMLButtonElement>("drawer-toggle")!;
      // Solid sets `inert` as the property (which WebKit reflects as the attribute; jsdom does not).
      const isInert = (el: Element | null) => !!el && (el.hasAttribute("inert") || (el as Element & { inert?: boolean }).inert === true);
      expect(toggle.getAttribute("aria-expanded")).toBe("false");
      expect(isInert(q("sidebar"))).toBe(true);

      press("1", { ctrlKey: true }, document.body);
      expect(toggle.getAttribute("aria-expanded")).toBe("true");
      expect(isInert(q("sidebar"))).toBe(false);
      expect(isInert(root.querySelector(".show-pane"))).toBe(true);
      expect(document.activeElement?.getAttribute("data-show-id")).toBe("a");
      press("Escape");
      expect(toggle.getAttribute("aria-expanded")).toBe("false");
      expect(document.activeElement).toBe(toggle);

      // Choosing a show closes the drawer and shows its list.
      toggle.click();
      root.querySelector<HTMLElement>("[data-show-id=b]")!.click();
      await settle(8);
      expect(toggle.getAttribute("aria-expanded")).toBe("false");
      expect(panes.dataset.narrowPane).toBe("list");
      // An episode clicked takes the window; Back returns to the list.
      root.querySelector<HTMLElement>("[data-testid=episode-item][data-id=b1]")!.click();
      await settle(8);
      expect(panes.dataset.narrowPane).toBe("episode");
      expect(q("episode-view")!.textContent).toContain("b1");
      q<HTMLButtonElement>("episode-back")!.click();
      expect(panes.dataset.narrowPane).toBe("list");
      // Arrow keys in the list only select; Enter opens.
      root.querySelector<HTMLElement>("[data-testid=episode-item][data-id=b1]")!.focus();
      press("ArrowUp");
      await settle();
      expect(panes.dataset.narrowPane).toBe("list");
      press("Enter");
      expect(panes.dataset.narrowPane).toBe("episode");
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("tells screen readers when a download finishes", async () => {
    let update: ((v: DownloadView) => void) | undefined;
    mocked.onDownloadUpdate.mockImplementation(async (cb) => {
      update = cb;
      return () => {};
    });
    const { q } = await mount();
    expect(q("announcement")!.getAttribute("role")).toBe("status");
    const base: DownloadView = { episode_id: "a2", state: "running", downloaded_bytes: 10, total_bytes: 100, bytes_per_s: 5, error: null, path: null, episode_title: "Episode a2", show_title: "Show A" };
    update?.(base);
    expect(q("announcement")!.textContent).toBe("");
    update?.({ ...base, state: "done", downloaded_bytes: 100, path: "/tmp/a2.mp3" });
    expect(q("announcement")!.textContent).toBe("Downloaded: Episode a2");
  });

  it("asks before subscribing to a link the desktop opened, and tries plain http only when told", async () => {
    mocked.takeOpenRequests.mockResolvedValueOnce([{ id: 1, kind: "feed", link: "podcast://example.org/rss", name: null, problem: null }]);
    mocked.previewFeedLink
      .mockResolvedValueOnce({ feed: null, https_problem: "Could not connect to example.org. Are you offline?", http_fallback: "http://example.org/rss" })
      .mockResolvedValueOnce({ feed: { url: "http://example.org/rss", title: "Linked Show", episode_count: 12 }, https_problem: null, http_fallback: null });
    mocked.subscribeFeed.mockResolvedValue(show("c", "Linked Show"));
    const { q } = await mount();
    await settle();
    expect(mocked.previewFeedLink).toHaveBeenCalledWith("podcast://example.org/rss");
    expect(q("open-request")!.textContent).toContain("Use plain http?");
    expect(mocked.subscribeFeed).not.toHaveBeenCalled();
    // Each answer is one key away.
    expect(document.activeElement).toBe(q("open-request-use-http"));
    q<HTMLButtonElement>("open-request-use-http")!.click();
    await settle();
    expect(mocked.previewFeedLink).toHaveBeenLastCalledWith("http://example.org/rss");
    expect(q("open-request")!.textContent).toContain("Subscribe to Linked Show?");
    expect(q("open-request-found")!.textContent).toContain("12 episodes");
    expect(document.activeElement).toBe(q("open-request-subscribe"));
    q<HTMLButtonElement>("open-request-subscribe")!.click();
    await settle();
    expect(mocked.subscribeFeed).toHaveBeenCalledWith("http://example.org/rss");
    expect(q("open-request")).toBeNull();
  });
});
