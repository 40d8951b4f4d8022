import { describe, expect, it } from "vitest";
import { findChapterTimestamps, findTimestamps } from "./timestamps";

const tokens = (text: string, before = "") => findTimestamps(text, before).map((t) => text.slice(t.index, t.index + t.length));

describe("findTimestamps (no chapters: conservative)", () => {
  it("finds chapter-list style timestamps with their position and time", () => {
    expect(findTimestamps("00:00 Intro")).toEqual([{ index: 0, length: 5, ms: 0 }]);
    expect(findTimestamps("  03:12 Why it mattered")).toEqual([{ index: 2, length: 5, ms: 192_000 }]);
    expect(findTimestamps("1:03:35 Wrap-up")).toEqual([{ index: 0, length: 7, ms: 3_815_000 }]);
    expect(findTimestamps("0:06 Cold open")).toEqual([{ index: 0, length: 4, ms: 6_000 }]);
  });

  it("finds several on lines, after brackets, list markers and separators", () => {
    expect(tokens("00:00 Intro\n03:12 Why\n18:40 Rollout")).toEqual(["00:00", "03:12", "18:40"]);
    expect(tokens("Intro (00:00), rollout [18:40]")).toEqual(["00:00", "18:40"]);
    expect(tokens("Intro – 03:12 | Rollout – 18:40")).toEqual(["03:12", "18:40"]);
    expect(tokens("1. 03:12 Why")).toEqual(["03:12"]);
    expect(tokens("Chapters: 00:00 Intro, 03:12 Why; 18:40 Rollout")).toEqual(["00:00", "03:12", "18:40"]);
  });

  it("finds H:MM:SS anywhere it stands alone", () => {
    expect(tokens("the story starts at 1:02:10, promise")).toEqual(["1:02:10"]);
  });

  it("reads a fraction of a second", () => {
    expect(findTimestamps("00:03:12.500 Why")).toEqual([{ index: 0, length: 12, ms: 192_500 }]);
  });

  it("does not take times of day, ports, ratios or verses", () => {
    expect(findTimestamps("10:30 AM")).toEqual([]);
    expect(findTimestamps("10:30am")).toEqual([]);
    expect(findTimestamps("10:30 p.m. sharp")).toEqual([]);
    expect(findTimestamps("1:03:35 PM")).toEqual([]);
    expect(findTimestamps("localhost:8080")).toEqual([]);
    expect(findTimestamps("http://localhost:8080/")).toEqual([]);
    expect(findTimestamps("16:9")).toEqual([]);
    expect(findTimestamps("shot in 16:9 widescreen")).toEqual([]);
    expect(findTimestamps("John 3:16")).toEqual([]);
    expect(findTimestamps("as in John 3:16 and Romans 8:28")).toEqual([]);
  });

  it("does not take tokens glued to letters, digits, paths or URLs", () => {
    expect(findTimestamps("ab12:30")).toEqual([]);
    expect(findTimestamps("12:30h")).toEqual([]);
    expect(findTimestamps("112:30")).toEqual([]);
    expect(findTimestamps("12:30:45:10")).toEqual([]);
    expect(findTimestamps("a/12:30")).toEqual([]);
    expect(findTimestamps("v1.12:30")).toEqual([]);
    expect(findTimestamps("12:305")).toEqual([]);
    expect(findTimestamps("https://example.com/watch?t=1:02:03")).toEqual([]);
    expect(findTimestamps("see www.example.com/1:02:03")).toEqual([]);
  });

  it("does not take impossible times or a bare M:SS in prose", () => {
    expect(findTimestamps("12:75")).toEqual([]);
    expect(findTimestamps("75:30")).toEqual([]);
    expect(findTimestamps("1:75:00")).toEqual([]);
    expect(findTimestamps("12:3")).toEqual([]);
    expect(findTimestamps("we meet at 10:30 tomorrow")).toEqual([]);
  });

  it("reads the text before it on the same line", () => {
    expect(tokens("12:30 Rollout", "Intro ")).toEqual([]);
    expect(tokens("12:30 Rollout", "Intro\n")).toEqual(["12:30"]);
    expect(tokens("12:30", "abc")).toEqual([]);
    expect(tokens(" 12:30 Rollout", "(")).toEqual(["12:30"]);
    expect(findTimestamps(" 18:40", "Intro – ")).toEqual([{ index: 1, length: 5, ms: 1_120_000 }]);
  });
});

describe("findChapterTimestamps", () => {
  const starts = [0, 192_000, 1_120_500, 3_680_000, 196_000];

  it("finds tokens that name a chapter start to the second, anywhere", () => {
    const text = "Skip to 18:40 for the rollout, or 1:01:20 for mail; 03:12 explains why.";
    const found = findChapterTimestamps(text, starts);
    expect(found.map((t) => text.slice(t.index, t.index + t.length))).toEqual(["18:40", "1:01:20", "03:12"]);
    // The chapter's exact start, not the rounded token.
    expect(found.map((t) => t.ms)).toEqual([1_120_500, 3_680_000, 192_000]);
  });

  it("skips timestamps that are not chapter starts", () => {
    expect(findChapterTimestamps("at 12:30 and 00:01", starts)).toEqual([]);
  });

  it("accepts long minute counts that name a chapter", () => {
    expect(findChapterTimestamps("61:20 Listener mail", starts)).toEqual([{ index: 0, length: 5, ms: 3_680_000 }]);
  });

  it("still refuses times of day and glued tokens", () => {
    expect(findChapterTimestamps("3:16 PM", starts)).toEqual([]);
    expect(findChapterTimestamps("localhost:3:16", starts)).toEqual([]);
    expect(findChapterTimestamps("x3:16", starts)).toEqual([]);
  });

  it("matches a prose mention only when a chapter starts there", () => {
    expect(findChapterTimestamps("John 3:16", starts)).toEqual([{ index: 5, length: 4, ms: 196_000 }]);
    expect(findChapterTimestamps("John 3:17", starts)).toEqual([]);
  });

  it("finds nothing without chapters", () => {
    expect(findChapterTimestamps("00:00 Intro", [])).toEqual([]);
  });
});
