import { createSignal } from "solid-js";
import { render } from "solid-js/web";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CueView, TranscriptView } from "../api";

vi.mock("../api", () => ({ loadTranscript: vi.fn() }));

import * as api from "../api";
import TranscriptPanel from "./TranscriptPanel";

const mocked = vi.mocked(api);
// jsdom has no layout.
Element.prototype.scrollTo ??= function () {};
const cues: CueView[] = Array.from({ length: 6 }, (_, i) => ({
  start_ms: i * 5_000,
  end_ms: i * 5_000 + 4_000,
  speaker: i < 3 ? "Ada" : "Grace",
  text: `Sentence number ${i}.`,
  playable: i < 5, // the last one is past the audio's end
}));
const ready: TranscriptView = { state: "ready", timed: true, cues, detail: null };

let dispose: (() => void) | undefined;
afterEach(() => {
  dispose?.();
  document.body.replaceChildren();
});

const settle = () => new Promise((r) => setTimeout(r, 0));

async function mount(view: TranscriptView) {
  mocked.loadTranscript.mockResolvedValue(view);
  const [cueIndex, setCueIndex] = createSignal<number | null>(null);
  const onJump = vi.fn((_: string, ms: number) => setCueIndex(cues.findIndex((c) => c.start_ms === ms)));
  const root = document.createElement("div");
  document.body.append(root);
  dispose = render(() => <TranscriptPanel episodeId="ep" chapters={[]} cueIndex={cueIndex()} onJump={onJump} />, root);
  await settle();
  const cueEls = () => Array.from(root.querySelectorAll<HTMLElement>("[data-testid=transcript-cue]"));
  return { root, cueEls, onJump, setCueIndex };
}

describe("TranscriptPanel", () => {
  it("shows speakers once per turn, plays a clicked sentence and marks the engine's cue", async () => {
    const { root, cueEls, onJump } = await mount(ready);
    expect(Array.from(root.querySelectorAll(".transcript-speaker")).map((s) => s.textContent)).toEqual(["Ada", "Grace"]);
    expect(cueEls().length).toBe(6);
    cueEls()[2]!.click();
    expect(onJump).toHaveBeenCalledWith("ep", 10_000);
    expect(cueEls()[2]!.getAttribute("aria-current")).toBe("true");
    expect(cueEls().filter((c) => c.classList.contains("current")).length).toBe(1);
    // Past the audio's end: kept, not playable.
    cueEls()[5]!.click();
    expect(onJump).toHaveBeenCalledTimes(1);
    expect(cueEls()[5]!.getAttribute("role")).toBeNull();
    // Enter on a focused sentence plays it too.
    cueEls()[4]!.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    expect(onJump).toHaveBeenLastCalledWith("ep", 20_000);
  });

  it("stops following when the listener scrolls, and Back to now returns", async () => {
    const { root, setCueIndex } = await mount(ready);
    setCueIndex(1);
    expect(root.querySelector("[data-testid=transcript-back-to-now]")).toBeNull();
    root.querySelector("[data-testid=transcript-body]")!.dispatchEvent(new WheelEvent("wheel", { bubbles: true }));
    await settle();
    const back = root.querySelector<HTMLButtonElement>("[data-testid=transcript-back-to-now]");
    expect(back).not.toBeNull();
    back!.click();
    await settle();
    expect(root.querySelector("[data-testid=transcript-back-to-now]")).toBeNull();
  });

  it("finds with Ctrl+F and counts the matches", async () => {
    const { root } = await mount(ready);
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "f", ctrlKey: true }));
    await settle();
    const input = root.querySelector<HTMLInputElement>("[data-testid=transcript-find]")!;
    input.value = "number";
    input.dispatchEvent(new InputEvent("input", { bubbles: true }));
    await settle();
    expect(root.querySelector("[data-testid=transcript-find-count]")!.textContent).toBe("1 of 6");
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    expect(root.querySelector("[data-testid=transcript-find-count]")!.textContent).toBe("2 of 6");
    expect(root.querySelectorAll("mark").length).toBe(6);
  });

  it("says when a transcript could not be read, and offers a retry when offline", async () => {
    const { root } = await mount({ state: "unreadable", timed: false, cues: [], detail: "garbage" });
    expect(root.querySelector("[data-testid=transcript-problem]")!.textContent).toContain("This transcript could not be read");
    expect(root.querySelector("button")).toBeNull();
    dispose?.();
    document.body.replaceChildren();
    const offline = await mount({ state: "offline", timed: false, cues: [], detail: "could not connect" });
    expect(offline.root.textContent).toContain("You're offline");
    mocked.loadTranscript.mockResolvedValue(ready);
    offline.root.querySelector<HTMLButtonElement>("button")!.click();
    await settle();
    expect(offline.cueEls().length).toBe(6);
  });
});
