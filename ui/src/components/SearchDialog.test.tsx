import { createSignal, Show } from "solid-js";
import { render } from "solid-js/web";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { SearchHit, TextRun } from "../api";

vi.mock("../api", () => ({ search: vi.fn() }));

import * as api from "../api";
import SearchDialog from "./SearchDialog";

const mocked = vi.mocked(api);

const scrolled: Element[] = [];
Element.prototype.scrollIntoView = function (this: Element) {
  scrolled.push(this);
};

const runs = (...parts: (string | [string])[]): TextRun[] =>
  parts.map((p) => (typeof p === "string" ? { text: p, hit: false } : { text: p[0], hit: true }));

const episodeHit: SearchHit = {
  kind: "title",
  speaker: null,
  show_id: "meta",
  podcast: "Meta Tech Podcast",
  episode_id: "meta-1",
  episode_title: "Scaling <b>Threads</b>",
  chapter_title: null,
  start_ms: null,
  published: "2024-08-01T00:00:00Z",
  title_runs: runs("Scaling <b>", ["Threads"], "</b>"),
  chapter_runs: [],
  snippet_runs: runs("…how ", ["Threads"], " grew"),
};

const chapterHit: SearchHit = {
  ...episodeHit,
  kind: "chapter",
  episode_id: "meta-2",
  episode_title: "The rollout",
  chapter_title: "Threads on the web",
  start_ms: 754_000,
  title_runs: runs("The rollout"),
  chapter_runs: runs(["Threads"], " on the web"),
  snippet_runs: [],
};

let dispose: (() => void) | undefined;
beforeEach(() => {
  vi.clearAllMocks();
  scrolled.length = 0;
});
afterEach(() => {
  dispose?.();
  dispose = undefined;
  document.body.replaceChildren();
});

const settle = (ms = 0) => new Promise((r) => setTimeout(r, ms));

/** An opener button and the dialog behind a signal, as App has them. */
function mount() {
  const onChoose = vi.fn();
  const onQueueNext = vi.fn();
  const [open, setOpen] = createSignal(false);
  const root = document.createElement("div");
  document.body.append(root);
  dispose = render(
    () => (
      <>
        <button data-testid="opener" onClick={() => setOpen(true)}>
          Search
        </button>
        <Show when={open()}>
          <SearchDialog debounceMs={10} onClose={() => setOpen(false)} onChoose={onChoose} onQueueNext={onQueueNext} />
        </Show>
      </>
    ),
    root,
  );
  const q = <T extends HTMLElement = HTMLElement>(id: string) => root.querySelector<T>(`[data-testid=${id}]`);
  const results = () => Array.from(root.querySelectorAll<HTMLElement>("[data-testid=search-result]"));
  const input = () => q<HTMLInputElement>("search-input")!;
  const type = async (text: string) => {
    input().value = text;
    input().dispatchEvent(new InputEvent("input", { bubbles: true }));
    await settle(30);
  };
  const key = (key: string, target: Element = input(), init: KeyboardEventInit = {}) => {
    const event = new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...init });
    target.dispatchEvent(event);
    return event;
  };
  const opener = q<HTMLButtonElement>("opener")!;
  opener.focus();
  opener.click();
  return { root, q, results, input, type, key, onChoose, onQueueNext, open, opener };
}

describe("SearchDialog", () => {
  it("is a modal dialog with the field focused and a hint to type", () => {
    const { q, input } = mount();
    const dialog = q("search-dialog")!;
    // The platform's modal <dialog> keeps Tab inside and the rest inert (checked in WebKit by
    // the end-to-end tests); jsdom has no showModal, so the open attribute stands in here.
    expect(dialog.tagName).toBe("DIALOG");
    expect(dialog.hasAttribute("open")).toBe(true);
    expect(document.activeElement).toBe(input());
    expect(q("search-empty")!.textContent).toBe("Type to search every episode, chapter and transcript");
  });

  it("searches as you type, once typing pauses, and marks the hits as text", async () => {
    mocked.search.mockResolvedValue([episodeHit, chapterHit]);
    const { type, results, input } = mount();
    input().value = "thr";
    input().dispatchEvent(new InputEvent("input", { bubbles: true }));
    await type("threads");
    expect(mocked.search).toHaveBeenCalledTimes(1); // "thr" was never sent
    expect(mocked.search).toHaveBeenCalledWith("threads");
    const [first, second] = results();
    expect(results()).toHaveLength(2);
    expect(first!.getAttribute("role")).toBe("option");
    expect(first!.closest("[role=listbox]")).not.toBeNull();
    expect(first!.dataset.episodeId).toBe("meta-1");
    expect(first!.hasAttribute("data-start-ms")).toBe(false);
    expect(second!.dataset.startMs).toBe("754000");
    // Runs are text: the "<b>" in a title stays text, and only hit runs are marked.
    const title = first!.querySelector(".search-result-title")!;
    expect(title.textContent).toBe("Scaling <b>Threads</b>");
    expect(title.querySelector("b")).toBeNull();
    expect(Array.from(title.querySelectorAll("mark")).map((m) => m.textContent)).toEqual(["Threads"]);
    expect(first!.textContent).toContain("Meta Tech Podcast");
    expect(first!.querySelector("[data-testid=search-result-snippet]")!.textContent).toBe("…how Threads grew");
    // A chapter hit shows the chapter and its start instead of a snippet.
    const chapter = second!.querySelector("[data-testid=search-result-chapter]")!;
    expect(chapter.textContent).toBe("12:34Threads on the web");
    expect(chapter.querySelector("mark")!.textContent).toBe("Threads");
    expect(second!.querySelector("[data-testid=search-result-snippet]")).toBeNull();
  });

  it("puts a hit in Up Next with Shift+Enter, a chapter hit from its start, and stays open", async () => {
    mocked.search.mockResolvedValue([episodeHit, chapterHit]);
    const { type, key, q, onChoose, onQueueNext, open } = mount();
    await type("threads");
    key("ArrowDown");
    key("Enter", undefined, { shiftKey: true });
    expect(onQueueNext).toHaveBeenCalledWith(chapterHit);
    expect(onChoose).not.toHaveBeenCalled();
    expect(open()).toBe(true);
    expect(q("search-queued")!.textContent).toContain("Threads on the web");
  });

  it("ignores an answer that arrives after a newer one", async () => {
    let answerOld!: (hits: SearchHit[]) => void;
    mocked.search.mockImplementationOnce(() => new Promise((r) => (answerOld = r))).mockResolvedValueOnce([chapterHit]);
    const { type, results } = mount();
    await type("thr");
    await type("threads");
    expect(results().map((r) => r.dataset.episodeId)).toEqual(["meta-2"]);
    answerOld([episodeHit]);
    await settle();
    expect(results().map((r) => r.dataset.episodeId)).toEqual(["meta-2"]);
  });

  it("moves the active result with ↑/↓ and plays the active chapter hit on Enter", async () => {
    mocked.search.mockResolvedValue([episodeHit, chapterHit]);
    const { type, results, input, key, onChoose } = mount();
    await type("threads");
    const active = () => input().getAttribute("aria-activedescendant");
    expect(active()).toBe(results()[0]!.id);
    expect(results()[0]!.getAttribute("aria-selected")).toBe("true");
    expect(key("ArrowDown").defaultPrevented).toBe(true);
    expect(active()).toBe(results()[1]!.id);
    expect(results()[1]!.getAttribute("aria-selected")).toBe("true");
    expect(results()[0]!.getAttribute("aria-selected")).toBe("false");
    expect(scrolled).toContain(results()[1]);
    key("ArrowDown"); // stays on the last
    expect(active()).toBe(results()[1]!.id);
    key("Enter");
    expect(onChoose).toHaveBeenCalledTimes(1);
    expect(onChoose.mock.calls[0]![0]).toMatchObject({ episode_id: "meta-2", start_ms: 754_000 });
    key("ArrowUp");
    key("Enter");
    expect(onChoose.mock.calls[1]![0]).toMatchObject({ episode_id: "meta-1", start_ms: null });
  });

  it("chooses a result on click", async () => {
    mocked.search.mockResolvedValue([episodeHit, chapterHit]);
    const { type, results, onChoose } = mount();
    await type("threads");
    results()[1]!.click();
    expect(onChoose).toHaveBeenCalledWith(chapterHit);
  });

  it("says so when nothing matches, and goes back to the hint when the field is cleared", async () => {
    mocked.search.mockResolvedValue([]);
    const { type, q, results } = mount();
    await type("  zebra ");
    expect(mocked.search).toHaveBeenCalledWith("zebra");
    expect(results()).toHaveLength(0);
    expect(q("search-empty")!.textContent).toBe("Nothing said or written matches “zebra”");
    await type("   ");
    expect(mocked.search).toHaveBeenCalledTimes(1);
    expect(q("search-empty")!.textContent).toBe("Type to search every episode, chapter and transcript");
  });

  it("closes on Escape and gives focus back", async () => {
    const { q, key, opener, open } = mount();
    expect(open()).toBe(true);
    const event = key("Escape");
    expect(event.defaultPrevented).toBe(true);
    expect(open()).toBe(false);
    expect(q("search-dialog")).toBeNull();
    expect(document.activeElement).toBe(opener);
  });
});
