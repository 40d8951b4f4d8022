import { describe, expect, it } from "vitest";
import {
  byNewest,
  formatDate,
  formatBytes,
  formatDuration,
  formatRemaining,
  formatSpeed,
  formatTimeLeft,
  formatTimestamp,
  initials,
  joinMeta,
  showName,
} from "./format";

// vite.config.ts runs the tests with TZ=UTC.

describe("formatDate", () => {
  it("formats day, short month and year", () => {
    expect(formatDate("2024-08-01T10:00:00Z")).toBe("1 Aug 2024");
    expect(formatDate("2023-12-31T23:59:59Z")).toBe("31 Dec 2023");
  });
  it("returns an empty string for missing or bad input", () => {
    expect(formatDate(null)).toBe("");
    expect(formatDate(undefined)).toBe("");
    expect(formatDate("not a date")).toBe("");
  });
});

describe("formatDuration", () => {
  it("uses hours and minutes", () => {
    expect(formatDuration(3780)).toBe("1 h 3 min");
    expect(formatDuration(2460)).toBe("41 min");
    expect(formatDuration(3600)).toBe("1 h");
    expect(formatDuration(7290)).toBe("2 h 2 min");
  });
  it("rounds to whole minutes", () => {
    expect(formatDuration(89)).toBe("1 min");
    expect(formatDuration(3599)).toBe("1 h");
  });
  it("shows seconds under a minute", () => {
    expect(formatDuration(45)).toBe("45 s");
  });
  it("is empty for unknown durations", () => {
    expect(formatDuration(null)).toBe("");
    expect(formatDuration(0)).toBe("");
    expect(formatDuration(-5)).toBe("");
  });
});

describe("formatRemaining", () => {
  it("tells the time left in a started episode", () => {
    expect(formatRemaining(2460, 900_000)).toBe("26 min left");
    expect(formatRemaining(2460, 2_440_000)).toBe("1 min left");
  });
  it("is empty when not started, finished or unknown", () => {
    expect(formatRemaining(2460, 0)).toBe("");
    expect(formatRemaining(2460, 2_460_000)).toBe("");
    expect(formatRemaining(null, 5000)).toBe("");
  });
});

describe("helpers", () => {
  it("joins non-empty parts", () => {
    expect(joinMeta("1 Aug 2024", "", null, "41 min")).toBe("1 Aug 2024 · 41 min");
  });
  it("sorts newest first with undated last", () => {
    const rows = [
      { id: "a", published: "2024-01-01T00:00:00Z" },
      { id: "b", published: null },
      { id: "c", published: "2024-08-01T00:00:00Z" },
    ];
    expect([...rows].sort(byNewest).map((r) => r.id)).toEqual(["c", "a", "b"]);
  });
  it("falls back to the feed URL for an unfetched show", () => {
    // Before the first fetch: a readable placeholder, not the raw URL.
    expect(showName({ title: "", feed_url: "https://www.x.org/feed" })).toBe("x.org");
    expect(showName({ title: " ", feed_url: "https://insidefacebookmobile.libsyn.com/rss" })).toBe("Meta Tech Podcast");
    expect(showName({ title: "", feed_url: "not a url" })).toBe("not a url");
    expect(showName({ title: "Meta Tech Podcast", feed_url: "u" })).toBe("Meta Tech Podcast");
  });
  it("makes initials", () => {
    expect(initials("Meta Tech Podcast")).toBe("MT");
    expect(initials("https://feeds.example.net/x.xml")).toBe("FE");
    expect(initials("")).toBe("");
  });
});

describe("formatTimestamp", () => {
  it("uses M:SS under an hour and H:MM:SS from an hour", () => {
    expect(formatTimestamp(6_000)).toBe("0:06");
    expect(formatTimestamp(750_000)).toBe("12:30");
    expect(formatTimestamp(3_815_000)).toBe("1:03:35");
    expect(formatTimestamp(36_000_000)).toBe("10:00:00");
  });
  it("rounds down to whole seconds", () => {
    expect(formatTimestamp(59_999)).toBe("0:59");
    expect(formatTimestamp(3_599_999)).toBe("59:59");
  });
  it("shows 0:00 for zero, negative or unknown", () => {
    expect(formatTimestamp(0)).toBe("0:00");
    expect(formatTimestamp(-5_000)).toBe("0:00");
    expect(formatTimestamp(Number.NaN)).toBe("0:00");
  });
});

describe("player bar times", () => {
  it("shows elapsed and time left, with hours when needed", () => {
    expect(formatTimestamp(754_000)).toBe("12:34");
    expect(formatTimeLeft(0, 754_000)).toBe("-12:34");
    expect(formatTimeLeft(1_000, 3_780_000)).toBe("-1:02:59");
    expect(formatTimestamp(3_661_000)).toBe("1:01:01");
    expect(formatTimeLeft(3_600_000, 3_661_000)).toBe("-1:01");
  });
  it("rounds the time left up, so elapsed and left add up to the duration", () => {
    expect(formatTimestamp(500)).toBe("0:00");
    expect(formatTimeLeft(500, 60_000)).toBe("-1:00");
    // At the playing speed: 31:19 of audio at 1.5× is 20:53 of listening.
    expect(formatTimeLeft(0, 1_879_000, 1.5)).toBe("-20:53");
    expect(formatTimeLeft(0, 60_000, 2)).toBe("-0:30");
    expect(formatTimeLeft(0, 60_000, 0)).toBe("-1:00");
    expect(formatTimeLeft(0, 60_000, Number.NaN)).toBe("-1:00");
    expect(formatTimeLeft(59_001, 60_000)).toBe("-0:01");
    expect(formatTimeLeft(60_000, 60_000)).toBe("-0:00");
    expect(formatTimeLeft(90_000, 60_000)).toBe("-0:00");
  });
  it("says nothing when the duration is unknown", () => {
    expect(formatTimeLeft(5_000, null)).toBe("");
    expect(formatTimeLeft(5_000, 0)).toBe("");
  });
  it("labels speeds", () => {
    expect(formatSpeed(1)).toBe("1×");
    expect(formatSpeed(1.5)).toBe("1.5×");
    expect(formatSpeed(0.75)).toBe("0.75×");
    expect(formatSpeed(1.2999999523162842)).toBe("1.3×");
  });
});

describe("formatBytes", () => {
  it("uses B, KB, MB and GB with one decimal", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1_000)).toBe("1.0 KB");
    expect(formatBytes(12_345)).toBe("12.3 KB");
    expect(formatBytes(48_000_000)).toBe("48.0 MB");
    expect(formatBytes(12_345_678)).toBe("12.3 MB");
    expect(formatBytes(1_234_567_890)).toBe("1.2 GB");
    expect(formatBytes(3_400_000_000_000)).toBe("3400.0 GB");
  });
  it("steps up a unit when rounding reaches 1000", () => {
    expect(formatBytes(999.6)).toBe("1.0 KB");
    expect(formatBytes(999_960)).toBe("1.0 MB");
    expect(formatBytes(999_949)).toBe("999.9 KB");
  });
  it("says nothing for unknown or impossible sizes", () => {
    expect(formatBytes(null)).toBe("");
    expect(formatBytes(undefined)).toBe("");
    expect(formatBytes(-1)).toBe("");
    expect(formatBytes(Number.NaN)).toBe("");
  });
});
