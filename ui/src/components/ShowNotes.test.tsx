import { createSignal } from "solid-js";
import { render } from "solid-js/web";
import { afterEach, describe, expect, it, vi } from "vitest";
import ShowNotes from "./ShowNotes";

let dispose: (() => void) | undefined;
afterEach(() => {
  dispose?.();
  document.body.replaceChildren();
});

describe("ShowNotes", () => {
  it("links timestamps after rendering, re-links when the chapters change, and jumps on click", async () => {
    const [starts, setStarts] = createSignal<number[]>([]);
    const [html, setHtml] = createSignal("<ul><li>00:00 Intro</li><li>03:12 Why</li></ul><p>More at 18:40 and 10:30 AM.</p>");
    const onJump = vi.fn();
    const root = document.createElement("div");
    document.body.append(root);
    dispose = render(() => <ShowNotes episodeId="ep" html={html()} chapterStartsMs={starts()} onJump={onJump} />, root);
    const stamps = () => Array.from(root.querySelectorAll<HTMLButtonElement>("[data-testid=note-timestamp]"));

    expect(stamps().map((b) => b.textContent)).toEqual(["00:00", "03:12"]);
    setStarts([0, 1_120_000]);
    expect(stamps().map((b) => b.textContent)).toEqual(["00:00", "18:40"]);
    stamps()[1]!.click();
    expect(onJump).toHaveBeenCalledWith("ep", 1_120_000);

    setHtml("<p>00:00 New notes</p>");
    expect(stamps().map((b) => b.textContent)).toEqual(["00:00"]);
    expect(root.textContent).toBe("00:00 New notes");
  });
});
