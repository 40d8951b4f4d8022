import { render } from "solid-js/web";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { EpisodeRow } from "../api";
import { episodeRow, episodeView, showView } from "../test/fixtures";

vi.mock("../api", () => ({
  ApiError: class extends Error {},
  listShows: vi.fn(),
  listEpisodes: vi.fn(),
  getEpisode: vi.fn(),
  loadChapters: vi.fn(async () => []),
  setPlayed: vi.fn(async () => undefined),
  setPlayedMany: vi.fn(async () => 0),
}));

import * as api from "../api";
import { createLibrary } from "../stores/library";
import ShowPane from "./ShowPane";

const mocked = vi.mocked(api);
Element.prototype.scrollIntoView ??= function () {};

const show = showView("s", { title: "Show", episode_count: 4 });

const row = (id: string, day: number, over: Partial<EpisodeRow> = {}): EpisodeRow =>
  episodeRow(id, { published: new Date(Date.UTC(2024, 4, day)).toISOString(), ...over });

let backendRows: EpisodeRow[] = [];
const view = (r: EpisodeRow) => episodeView(r);

let dispose: (() => void) | undefined;
beforeEach(() => {
  vi.clearAllMocks();
  backendRows = [
    row("d", 4),
    row("c", 3, { position_ms: 60_000 }),
    row("b", 2, { is_played: true }),
    row("a", 1, { is_downloaded: true }),
  ];
  mocked.listShows.mockResolvedValue([show]);
  mocked.listEpisodes.mockImplementation(async () => backendRows.map((r) => ({ ...r })));
  mocked.getEpisode.mockImplementation(async (id) => view({ ...backendRows.find((r) => r.id === id)! }));
  mocked.setPlayedMany.mockImplementation(async (ids, played) => {
    let n = 0;
    for (const r of backendRows) if (ids.includes(r.id) && r.is_played !== played) (r.is_played = played), n++;
    return n;
  });
});
afterEach(() => {
  dispose?.();
  document.body.replaceChildren();
});

const settle = () => new Promise((r) => setTimeout(r, 0));

async function mount() {
  const lib = createLibrary();
  await lib.loadShows();
  const root = document.createElement("div");
  document.body.append(root);
  dispose = render(() => <ShowPane library={lib} />, root);
  const q = (id: string) => root.querySelector<HTMLButtonElement>(`[data-testid=${id}]`)!;
  const ids = () => Array.from(root.querySelectorAll<HTMLElement>("[data-testid=episode-item]")).map((r) => r.dataset.id);
  return { lib, root, q, ids };
}

describe("ShowPane's filters and sort", () => {
  it("filters All / Unplayed / In progress / Downloaded with pressed buttons", async () => {
    const { q, ids, root } = await mount();
    expect(ids()).toEqual(["d", "c", "b", "a"]);
    expect(q("episode-filter-all").getAttribute("aria-pressed")).toBe("true");

    q("episode-filter-unplayed").click();
    expect(ids()).toEqual(["d", "c", "a"]);
    expect(q("episode-filter-unplayed").getAttribute("aria-pressed")).toBe("true");
    expect(q("episode-filter-all").getAttribute("aria-pressed")).toBe("false");

    q("episode-filter-in-progress").click();
    expect(ids()).toEqual(["c"]);
    q("episode-filter-downloaded").click();
    expect(ids()).toEqual(["a"]);
    expect(root.querySelector("[data-testid=episode-filter-empty]")).toBeNull();
  });

  it("says when a filter leaves nothing, and goes back to All", async () => {
    backendRows = backendRows.map((r) => ({ ...r, is_downloaded: false }));
    const { q, ids, root } = await mount();
    q("episode-filter-downloaded").click();
    expect(ids()).toEqual([]);
    const empty = q("episode-filter-empty");
    expect(empty.textContent).toContain("No downloaded episodes");
    empty.querySelector("button")!.click();
    expect(ids()).toEqual(["d", "c", "b", "a"]);
    expect(root.querySelector("[data-testid=episode-filter-all]")!.getAttribute("aria-pressed")).toBe("true");
  });

  it("toggles newest / oldest first", async () => {
    const { q, ids } = await mount();
    expect(q("episode-sort").dataset.sort).toBe("newest");
    q("episode-sort").click();
    expect(ids()).toEqual(["a", "b", "c", "d"]);
    expect(q("episode-sort").dataset.sort).toBe("oldest");
    q("episode-filter-unplayed").click();
    expect(ids()).toEqual(["a", "c", "d"]);
    q("episode-sort").click();
    expect(ids()).toEqual(["d", "c", "a"]);
  });

  it("marks the filtered list played after confirming, then reloads it", async () => {
    const { q, ids, root } = await mount();
    q("episode-filter-in-progress").click();
    expect(ids()).toEqual(["c"]);
    q("mark-all-played").click();
    expect(mocked.setPlayedMany).not.toHaveBeenCalled();
    q("mark-all-played-cancel").click();
    expect(mocked.setPlayedMany).not.toHaveBeenCalled();
    q("mark-all-played").click();
    const loads = mocked.listEpisodes.mock.calls.length;
    q("mark-all-played-confirm").click();
    expect(mocked.setPlayedMany).toHaveBeenCalledWith(["c"], true);
    await settle();
    await settle();
    expect(mocked.listEpisodes.mock.calls.length).toBeGreaterThan(loads);
    // c is played now, so "In progress" is empty.
    expect(ids()).toEqual([]);
    q("episode-filter-all").click();
    expect(root.querySelector("[data-id=c]")!.getAttribute("data-played")).toBe("true");
    // Everything unplayed is still unplayed.
    expect(root.querySelector("[data-id=d]")!.getAttribute("data-played")).toBe("false");
  });

  it("marks all older as played from a row's context menu", async () => {
    const { root, q } = await mount();
    const row = root.querySelector<HTMLElement>("[data-id=c]")!;
    row.dispatchEvent(new MouseEvent("contextmenu", { bubbles: true, cancelable: true, clientX: 40, clientY: 50 }));
    const menu = q("episode-menu");
    expect(menu.getAttribute("role")).toBe("menu");
    expect(document.activeElement?.getAttribute("role")).toBe("menuitem");
    q("episode-menu-mark-older").click();
    expect(mocked.setPlayedMany).toHaveBeenCalledWith(["b", "a"], true);
    expect(root.querySelector("[data-testid=episode-menu]")).toBeNull();
  });

  it("opens the row menu from the keyboard and closes it on Escape, back on the row", async () => {
    const { root, q } = await mount();
    const row = root.querySelector<HTMLElement>("[data-id=d]")!;
    row.focus();
    row.dispatchEvent(new KeyboardEvent("keydown", { key: "F10", shiftKey: true, bubbles: true, cancelable: true }));
    expect(q("episode-menu")).not.toBeNull();
    // The newest has older episodes; "Mark as played" is there too.
    expect(q("episode-menu-played").textContent).toContain("Mark as played");
    document.activeElement!.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true, cancelable: true }));
    expect(root.querySelector("[data-testid=episode-menu]")).toBeNull();
    expect(document.activeElement).toBe(row);
  });
});
