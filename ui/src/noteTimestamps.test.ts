import { beforeEach, describe, expect, it } from "vitest";
import { linkTimestamps, unlinkTimestamps } from "./noteTimestamps";

let root: HTMLDivElement;

/** Test fixture only: the app puts feed HTML in through RichText. */
function notes(html: string): HTMLDivElement {
  root = document.createElement("div");
  root.innerHTML = html;
  return root;
}

const buttons = () =>
  Array.from(root.querySelectorAll<HTMLButtonElement>("button.timestamp")).map((b) => [b.textContent, b.dataset.startMs]);

beforeEach(() => {
  document.body.replaceChildren();
});

describe("linkTimestamps", () => {
  it("wraps chapter starts in buttons and leaves the rest of the text alone", () => {
    notes("<ul><li>00:00 Intro</li><li>03:12 Why</li><li>09:99 nope</li></ul><p>Skip to 18:40 now.</p>");
    expect(linkTimestamps(root, [0, 192_000, 1_120_500])).toBe(3);
    expect(buttons()).toEqual([
      ["00:00", "0"],
      ["03:12", "192000"],
      ["18:40", "1120500"],
    ]);
    const b = root.querySelector("button.timestamp")!;
    expect(b.getAttribute("type")).toBe("button");
    expect(b.getAttribute("data-testid")).toBe("note-timestamp");
    expect(root.textContent).toBe("00:00 Intro03:12 Why09:99 nopeSkip to 18:40 now.");
  });

  it("without chapters, links only standalone list-style timestamps", () => {
    notes("<p>00:00 Intro<br>03:12 Why</p><p>Doors at 10:30 AM, see John 3:16 or localhost:8080.</p>");
    expect(linkTimestamps(root, [])).toBe(2);
    expect(buttons().map(([t]) => t)).toEqual(["00:00", "03:12"]);
  });

  it("skips text inside links", () => {
    notes('<p><a href="https://example.org/t">00:00 Intro</a> 03:12 Why</p>');
    linkTimestamps(root, [0, 192_000]);
    expect(buttons().map(([t]) => t)).toEqual(["03:12"]);
    expect(root.querySelector("a")!.innerHTML).toBe("00:00 Intro");
  });

  it("reads the line across inline elements", () => {
    notes("<p>see John <em>3:16</em></p><p><strong>12:30</strong> Rollout</p>");
    linkTimestamps(root, []);
    expect(buttons().map(([t]) => t)).toEqual(["12:30"]);
  });

  it("is safe to run again with new chapters, and never re-parses markup", () => {
    notes("<p>00:00 Intro, 03:12 &lt;b&gt;Why&lt;/b&gt;</p>");
    linkTimestamps(root, [0]);
    expect(buttons().map(([t]) => t)).toEqual(["00:00"]);
    linkTimestamps(root, [0, 192_000]);
    expect(buttons().map(([t]) => t)).toEqual(["00:00", "03:12"]);
    expect(root.querySelector("b")).toBeNull();
    expect(root.textContent).toBe("00:00 Intro, 03:12 <b>Why</b>");
    unlinkTimestamps(root);
    expect(root.querySelectorAll("button").length).toBe(0);
    expect(root.querySelector("p")!.childNodes.length).toBe(1);
  });

  it("leaves buttons that came with the notes alone", () => {
    notes('<p><button class="timestamp">x</button> 00:00 Intro</p>');
    linkTimestamps(root, [0]);
    linkTimestamps(root, [0]);
    expect(buttons().map(([t]) => t)).toEqual(["x", "00:00"]);
  });
});
