import { createSignal } from "solid-js";
import { render } from "solid-js/web";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ChapterView } from "../api";

vi.mock("../api", () => ({ openExternal: vi.fn(async () => undefined) }));

import * as api from "../api";
import ChapterList from "./ChapterList";
import type { MenuItem } from "./ContextMenu";

const chapters = (n: number, more: Partial<ChapterView> = {}): ChapterView[] =>
  Array.from({ length: n }, (_, i) => ({
    start_ms: i * 30_000,
    end_ms: (i + 1) * 30_000,
    title: `Chapter ${i + 1}`,
    source: "podlove",
    url: null,
    img: null,
    ...more,
  }));

// jsdom has no layout.
Element.prototype.scrollIntoView ??= function () {};

let dispose: (() => void) | undefined;
afterEach(() => {
  dispose?.();
  document.body.replaceChildren();
});

/** The list with a stand-in engine: a jump makes it report the chapter jumped to. */
function mount(list: ChapterView[], menuItems?: (chapter: ChapterView) => MenuItem[]) {
  const [reported, setReported] = createSignal<number | null>(null);
  const onJump = vi.fn((_: string, ms: number) => setReported(list.findIndex((c) => c.start_ms === ms)));
  const root = document.createElement("div");
  document.body.append(root);
  dispose = render(() => <ChapterList episodeId="ep" chapters={list} chapterIndex={reported()} onJump={onJump} menuItems={menuItems} />, root);
  const rows = () => Array.from(root.querySelectorAll<HTMLButtonElement>("[data-testid=chapter-item]"));
  return { root, rows, onJump, setReported };
}

describe("ChapterList", () => {
  it("lists chapters with start time, title and source", () => {
    const { root, rows } = mount(chapters(3));
    expect(rows().map((r) => r.textContent)).toEqual(["0:00Chapter 1", "0:30Chapter 2", "1:00Chapter 3"]);
    expect(rows()[1]!.dataset.startMs).toBe("30000");
    expect(root.querySelector("[data-testid=chapter-source]")!.textContent).toBe("From the feed (Podlove)");
    expect(root.querySelector("[data-testid=chapter-list]")).not.toBeNull();
  });

  it("jumps on click and marks the engine's chapter as current", () => {
    const { rows, onJump } = mount(chapters(3));
    expect(rows().some((r) => r.hasAttribute("aria-current"))).toBe(false);
    rows()[2]!.click();
    expect(onJump).toHaveBeenCalledWith("ep", 60_000);
    expect(rows()[2]!.getAttribute("aria-current")).toBe("true");
    expect(rows().filter((r) => r.hasAttribute("aria-current")).length).toBe(1);
    expect(rows().map((r) => r.tabIndex)).toEqual([-1, -1, 0]);
  });

  it("shows 8 of many chapters until asked, and the hidden current one", () => {
    const { root, rows, setReported } = mount(chapters(112));
    expect(rows().length).toBe(8);
    const toggle = root.querySelector<HTMLButtonElement>(".chapters-toggle")!;
    expect(toggle.textContent).toBe("Show all 112 chapters");
    setReported(50);
    expect(rows().length).toBe(9);
    expect(rows()[8]!.getAttribute("aria-current")).toBe("true");
    toggle.click();
    expect(rows().length).toBe(112);
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
  });

  it("moves focus with the arrow keys", () => {
    const { rows } = mount(chapters(3));
    rows()[0]!.focus();
    rows()[0]!.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true }));
    expect(document.activeElement).toBe(rows()[1]);
    rows()[1]!.dispatchEvent(new KeyboardEvent("keydown", { key: "End", bubbles: true }));
    expect(document.activeElement).toBe(rows()[2]);
    rows()[2]!.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowUp", bubbles: true }));
    expect(document.activeElement).toBe(rows()[1]);
  });

  it("shows only http(s) artwork and opens chapter links externally", () => {
    const list = chapters(2);
    list[0]!.img = "https://example.org/a.jpg";
    list[1]!.img = "javascript:alert(1)";
    list[1]!.url = "https://example.org/page";
    const { root } = mount(list);
    const imgs = Array.from(root.querySelectorAll("img"));
    expect(imgs.map((i) => i.getAttribute("src"))).toEqual(["https://example.org/a.jpg"]);
    expect(imgs[0]!.getAttribute("loading")).toBe("lazy");
    expect(root.querySelectorAll(".chapter-art").length).toBe(2);
    root.querySelector<HTMLButtonElement>(".chapter-link")!.click();
    expect(vi.mocked(api.openExternal)).toHaveBeenCalledWith("https://example.org/page");
  });

  it("marks no chapter when the engine reports none (a gap, or playing elsewhere)", () => {
    const { rows, setReported } = mount(chapters(3));
    setReported(1);
    expect(rows()[1]!.getAttribute("aria-current")).toBe("true");
    setReported(null);
    expect(rows().some((r) => r.hasAttribute("aria-current"))).toBe(false);
    setReported(7); // not in this list
    expect(rows().some((r) => r.hasAttribute("aria-current"))).toBe(false);
  });

  it("offers a chapter's menu by right click and by Shift+F10, and gives focus back after a choice", () => {
    const playNext = vi.fn();
    const { root, rows } = mount(chapters(3), (c) => [{ label: "Play next", testId: "chapter-menu-play-next", onSelect: () => playNext(c.start_ms) }]);
    rows()[1]!.dispatchEvent(new MouseEvent("contextmenu", { bubbles: true, cancelable: true, clientX: 5, clientY: 5 }));
    const item = () => root.ownerDocument.querySelector<HTMLButtonElement>("[data-testid=chapter-menu-play-next]");
    expect(item()).not.toBeNull();
    item()!.click();
    expect(playNext).toHaveBeenCalledWith(30_000);
    expect(item()).toBeNull();
    rows()[2]!.focus();
    rows()[2]!.dispatchEvent(new KeyboardEvent("keydown", { key: "F10", shiftKey: true, bubbles: true }));
    item()!.click();
    expect(playNext).toHaveBeenLastCalledWith(60_000);
    expect(document.activeElement).toBe(rows()[2]);
  });
});
