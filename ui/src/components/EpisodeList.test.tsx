import { createSignal } from "solid-js";
import { render } from "solid-js/web";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { EpisodeRow } from "../api";
import EpisodeList, { OVERSCAN, ROW_HEIGHT, VIRTUAL_THRESHOLD } from "./EpisodeList";

Element.prototype.scrollIntoView ??= function () {};

const rows = (n: number): EpisodeRow[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `e${i}`,
    show_id: "s",
    title: `Episode ${n - i}`,
    published: new Date(Date.UTC(2024, 0, 1) - i * 86_400_000).toISOString(),
    duration_s: 1800,
    is_played: false,
    position_ms: 0,
    is_downloaded: false,
  }));

let dispose: (() => void) | undefined;
afterEach(() => {
  dispose?.();
  dispose = undefined;
  document.body.replaceChildren();
});

function mount(episodes: EpisodeRow[]) {
  const [selected, setSelected] = createSignal<string | null>(null);
  const onSelect = vi.fn((id: string) => setSelected(id));
  const root = document.createElement("div");
  document.body.append(root);
  dispose = render(() => <EpisodeList episodes={episodes} selectedId={selected()} onSelect={onSelect} />, root);
  const list = root.querySelector<HTMLUListElement>("[data-testid=episode-list]")!;
  const shown = () => Array.from(list.querySelectorAll<HTMLElement>("[data-testid=episode-item]"));
  const ids = () => shown().map((r) => r.dataset.id);
  const scrollTo = (top: number) => {
    list.scrollTop = top;
    list.dispatchEvent(new Event("scroll"));
  };
  const key = (target: Element, key: string) => target.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true }));
  return { list, shown, ids, scrollTo, key, onSelect, selected, setSelected };
}

describe("EpisodeList", () => {
  it("is a list of options that marks the playing episode as current", () => {
    const root = document.createElement("div");
    document.body.append(root);
    dispose = render(() => <EpisodeList episodes={rows(3)} selectedId="e0" playingId="e1" onSelect={() => {}} />, root);
    const list = root.querySelector("[data-testid=episode-list]")!;
    expect(list.getAttribute("role")).toBe("listbox");
    expect(list.getAttribute("aria-label")).toBe("Episodes");
    const items = Array.from(list.querySelectorAll("[role=option]"));
    expect(items.map((i) => i.getAttribute("aria-current"))).toEqual([null, "true", null]);
    expect(items.map((i) => i.getAttribute("aria-selected"))).toEqual(["true", "false", "false"]);
  });

  it(`renders every row up to ${VIRTUAL_THRESHOLD}`, () => {
    const { shown, list } = mount(rows(VIRTUAL_THRESHOLD));
    expect(shown()).toHaveLength(VIRTUAL_THRESHOLD);
    expect(list.dataset.virtual).toBeUndefined();
    expect(shown()[9]!.getAttribute("aria-posinset")).toBe("10");
    expect(shown()[9]!.getAttribute("aria-setsize")).toBe(String(VIRTUAL_THRESHOLD));
  });

  it("renders only a window of 5,000 rows, and another window after scrolling", () => {
    const { shown, ids, list, scrollTo } = mount(rows(5000));
    expect(list.dataset.virtual).toBe("true");
    // What fits in the (assumed, jsdom has no layout) 720 px, a part-row, and the overscan both sides.
    const window = Math.ceil(720 / ROW_HEIGHT) + 1 + 2 * OVERSCAN;
    expect(shown().length).toBeGreaterThan(5);
    expect(shown().length).toBeLessThanOrEqual(window);
    expect(ids()[0]).toBe("e0");
    // The list still says how long it is, and where each row is.
    expect(shown()[3]!.getAttribute("aria-setsize")).toBe("5000");
    expect(shown()[3]!.getAttribute("aria-posinset")).toBe("4");
    expect(list.style.getPropertyValue("--virtual-h")).toBe(`${6 + 5000 * ROW_HEIGHT + 16}px`);

    scrollTo(2500 * ROW_HEIGHT);
    expect(shown().length).toBeLessThanOrEqual(window + 1); // + the tab stop, kept rendered
    expect(ids()).not.toContain("e3");
    expect(ids()).toContain("e2500");
    const row = shown().find((r) => r.dataset.id === "e2500")!;
    expect(row.getAttribute("aria-posinset")).toBe("2501");
    expect(row.style.top).toBe(`${6 + 2500 * ROW_HEIGHT}px`);
    // The list's one tab stop (the first row, nothing being selected) stays, so Tab finds the list.
    expect(ids()).toContain("e0");
    expect(shown().find((r) => r.dataset.id === "e0")!.tabIndex).toBe(0);

    scrollTo(4990 * ROW_HEIGHT);
    expect(ids()).toContain("e4999");
    expect(ids()).not.toContain("e2500");
  });

  it("moves with the keyboard through rows that are not rendered yet", () => {
    const { shown, ids, key, onSelect, list } = mount(rows(5000));
    const first = shown()[0]!;
    first.focus();
    key(first, "End");
    expect(onSelect).toHaveBeenLastCalledWith("e4999");
    expect(ids()).toContain("e4999");
    expect((document.activeElement as HTMLElement).dataset.id).toBe("e4999");
    expect(list.scrollTop).toBeGreaterThan(4990 * ROW_HEIGHT - 720);
    key(document.activeElement!, "ArrowUp");
    expect((document.activeElement as HTMLElement).dataset.id).toBe("e4998");
    expect(document.activeElement!.getAttribute("aria-selected")).toBe("true");
    key(document.activeElement!, "Home");
    expect((document.activeElement as HTMLElement).dataset.id).toBe("e0");
    expect(list.scrollTop).toBe(0);
    key(document.activeElement!, "PageDown");
    const paged = Number((document.activeElement as HTMLElement).dataset.id!.slice(1));
    expect(paged).toBeGreaterThan(3);
  });

  it("scrolls a selection made elsewhere into view", () => {
    const { ids, setSelected, list } = mount(rows(5000));
    setSelected("e3000");
    expect(ids()).toContain("e3000");
    expect(list.scrollTop).toBeGreaterThan(2900 * ROW_HEIGHT);
  });
});
