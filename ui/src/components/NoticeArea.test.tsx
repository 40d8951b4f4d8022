import { render } from "solid-js/web";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createNotices, libraryUpdateText, NOTICE_MS } from "../stores/notices";
import NoticeArea from "./NoticeArea";

let dispose: (() => void) | undefined;
beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  dispose?.();
  document.body.replaceChildren();
  vi.useRealTimers();
});

function mount() {
  const notices = createNotices();
  const root = document.createElement("div");
  document.body.append(root);
  dispose = render(() => <NoticeArea notices={notices} />, root);
  const notice = () => root.querySelector<HTMLElement>("[data-testid=notice]");
  return { notices, notice, root };
}

describe("library update text", () => {
  it("counts the episodes and names the shows", () => {
    expect(libraryUpdateText({ new_episodes: 3, show_titles: ["Meta Tech Podcast"] })).toBe("3 new episodes — Meta Tech Podcast");
    expect(libraryUpdateText({ new_episodes: 1, show_titles: ["A"] })).toBe("1 new episode — A");
    expect(libraryUpdateText({ new_episodes: 2, show_titles: ["A", "B"] })).toBe("2 new episodes — A and B");
    expect(libraryUpdateText({ new_episodes: 9, show_titles: ["A", "B", "C", "D"] })).toBe("9 new episodes — A, B and 2 more");
    expect(libraryUpdateText({ new_episodes: 4, show_titles: [" "] })).toBe("4 new episodes");
  });
});

describe("NoticeArea", () => {
  it("offers a notice's action (Undo a skipped chapter), then closes", () => {
    const { notices, notice, root } = mount();
    const undo = vi.fn();
    notices.show("Skipped: Sponsor (1:30)", { label: "Undo", run: undo });
    const button = root.querySelector<HTMLButtonElement>("[data-testid=notice-action]")!;
    expect(button.textContent).toBe("Undo");
    button.click();
    expect(undo).toHaveBeenCalledTimes(1);
    expect(notice()).toBeNull();
    notices.show("3 new episodes — A");
    expect(root.querySelector("[data-testid=notice-action]")).toBeNull();
  });

  it("shows a quiet status that hides itself after about 8 s, without taking focus", () => {
    const { notices, notice } = mount();
    const focused = document.activeElement;
    expect(notice()).toBeNull();
    notices.show("3 new episodes — Meta Tech Podcast");
    expect(notice()!.getAttribute("role")).toBe("status");
    expect(notice()!.textContent).toContain("3 new episodes — Meta Tech Podcast");
    expect(document.activeElement).toBe(focused);
    vi.advanceTimersByTime(NOTICE_MS - 100);
    expect(notice()).not.toBeNull();
    vi.advanceTimersByTime(200);
    expect(notice()).toBeNull();
  });

  it("can be dismissed, and stays while the pointer is on it", () => {
    const { notices, notice, root } = mount();
    notices.show("1 new episode — A");
    notice()!.dispatchEvent(new PointerEvent("pointerenter"));
    vi.advanceTimersByTime(NOTICE_MS * 2);
    expect(notice()).not.toBeNull();
    notice()!.dispatchEvent(new PointerEvent("pointerleave"));
    vi.advanceTimersByTime(NOTICE_MS + 10);
    expect(notice()).toBeNull();
    notices.show("2 new episodes — B");
    root.querySelector<HTMLButtonElement>("[data-testid=notice-dismiss]")!.click();
    expect(notice()).toBeNull();
  });

  it("shows a newer notice in place of the last, with a fresh timer", () => {
    const { notices, notice } = mount();
    notices.show("first");
    vi.advanceTimersByTime(NOTICE_MS - 1000);
    notices.show("second");
    vi.advanceTimersByTime(2000);
    expect(notice()!.textContent).toContain("second");
    expect(notice()!.textContent).not.toContain("first");
  });
});
