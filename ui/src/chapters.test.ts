import { describe, expect, it } from "vitest";
import { chapterSourceLabel, webUrl } from "./chapters";

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
