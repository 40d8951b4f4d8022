import { describe, expect, it } from "vitest";
import type { ChapterView, CueView } from "./api";
import { findCues, paragraphs, splitMatches, withTimestamp } from "./transcript";
import { formatTimestamp } from "./format";

const cue = (start_s: number, text: string, speaker: string | null = null, length_s = 2): CueView => ({
  start_ms: start_s * 1000,
  end_ms: (start_s + length_s) * 1000,
  speaker,
  text,
  playable: true,
});
const chapter = (start_s: number, title: string): ChapterView => ({
  start_ms: start_s * 1000,
  end_ms: null,
  title,
  source: "show-notes",
  url: null,
  img: null,
});

describe("paragraphs", () => {
  it("names the speaker once per turn and breaks at pauses and chapter starts", () => {
    const cues = [
      cue(0, "Hello.", "Ada"),
      cue(2, "Welcome back.", "Ada"),
      cue(4, "Thanks.", "Grace"),
      cue(10, "After a pause.", "Grace"), // 4 s of silence before it
      cue(12, "Now the main part.", "Grace"),
      cue(14, "Right.", "Ada"),
    ];
    const paras = paragraphs(cues, [chapter(0, "Intro"), chapter(12, "Main")], true);
    expect(paras.map((p) => [p.speaker, p.chapter?.title ?? null, p.cues])).toEqual([
      ["Ada", "Intro", [0, 1]],
      ["Grace", null, [2]],
      [null, null, [3]],
      [null, "Main", [4]],
      ["Ada", null, [5]],
    ]);
  });

  it("breaks a long turn at a sentence end, and ignores chapters for an untimed transcript", () => {
    const long = "word ".repeat(50).trim() + ".";
    const cues = [cue(0, long), cue(2, long), cue(4, "Next."), cue(6, "More.")];
    expect(paragraphs(cues, [], true).map((p) => p.cues)).toEqual([[0, 1], [2, 3]]);
    const untimed = cues.map((c) => ({ ...c, start_ms: 0, end_ms: 0, playable: false }));
    expect(paragraphs(untimed, [chapter(3, "X")], false).every((p) => p.chapter === null)).toBe(true);
  });
});

describe("find", () => {
  it("finds cues regardless of case and accents, and marks the matches", () => {
    const cues = [cue(0, "A café on the corner."), cue(2, "Nothing here."), cue(4, "CAFE again")];
    expect(findCues(cues, "cafe")).toEqual([0, 2]);
    expect(findCues(cues, "  ")).toEqual([]);
    expect(splitMatches("A café on the corner.", "CAFE")).toEqual([
      { text: "A ", hit: false },
      { text: "café", hit: true },
      { text: " on the corner.", hit: false },
    ]);
    expect(splitMatches("no match", "zebra")).toEqual([{ text: "no match", hit: false }]);
  });
});

describe("copy", () => {
  it("puts the time of the first cue before the selected words", () => {
    expect(withTimestamp("  what was\n said ", 754_000, formatTimestamp)).toBe("[12:34] what was said");
    expect(withTimestamp("untimed", null, formatTimestamp)).toBe("untimed");
  });
});
