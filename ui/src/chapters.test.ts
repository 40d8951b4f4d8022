import { describe, expect, it } from "vitest";
import { chapterSourceLabel, currentChapterIndex, webUrl } from "./chapters";

describe("chapterSourceLabel", () => {
  it("names every source", () => {
    expect(chapterSourceLabel("show-notes")).toBe("From the show notes");
    expect(chapterSourceLabel("podcast-json")).toBe("From the chapters file");
    expect(chapterSourceLabel("podlove")).toBe("From the feed (Podlove)");
    expect(chapterSourceLabel("id3")).toBe("From the audio file");
    expect(chapterSourceLabel("mp4")).toBe("From the audio file");
    expect(chapterSourceLabel("vorbis")).toBe("From the audio file");
    expect(chapterSourceLabel("something-new")).toBe("");
    expect(chapterSourceLabel(undefined)).toBe("");
  });
});

describe("currentChapterIndex", () => {
  const chapters = [
    { start_ms: 0, end_ms: 60_000 },
    { start_ms: 60_000, end_ms: 120_000 },
    { start_ms: 150_000, end_ms: null },
  ];
  it("finds the chapter containing the position", () => {
    expect(currentChapterIndex(chapters, 0)).toBe(0);
    expect(currentChapterIndex(chapters, 59_999)).toBe(0);
    expect(currentChapterIndex(chapters, 60_000)).toBe(1);
    expect(currentChapterIndex(chapters, 9_999_999)).toBe(2);
  });
  it("finds none in a gap, before the first chapter or without a position", () => {
    expect(currentChapterIndex(chapters, 130_000)).toBe(-1);
    expect(currentChapterIndex([{ start_ms: 5_000, end_ms: null }], 1_000)).toBe(-1);
    expect(currentChapterIndex(chapters, null)).toBe(-1);
    expect(currentChapterIndex([], 0)).toBe(-1);
  });
});

describe("webUrl", () => {
  it("keeps http and https addresses", () => {
    expect(webUrl("https://example.org/a.jpg")).toBe("https://example.org/a.jpg");
    expect(webUrl("http://example.org/a.jpg")).toBe("http://example.org/a.jpg");
  });
  it("refuses everything else", () => {
    expect(webUrl(null)).toBeNull();
    expect(webUrl("")).toBeNull();
    expect(webUrl("data:image/png;base64,AAAA")).toBeNull();
    expect(webUrl("javascript:alert(1)")).toBeNull();
    expect(webUrl("file:///etc/passwd")).toBeNull();
    expect(webUrl("//example.org/a.jpg")).toBeNull();
    expect(webUrl("https://")).toBeNull();
  });
});
