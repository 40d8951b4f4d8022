import { createSignal } from "solid-js";
import { render } from "solid-js/web";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ChapterView, EpisodeView, PlayState } from "../api";
import { playButton } from "../playButton";
import type { Loaded } from "../playButton";

vi.mock("../api", () => ({ openExternal: vi.fn(async () => undefined) }));

import EpisodePane from "./EpisodePane";

// jsdom has no layout.
Element.prototype.scrollIntoView ??= function () {};

const chapters: ChapterView[] = [0, 60_000, 120_000].map((start_ms, i) => ({
  start_ms,
  end_ms: null,
  title: `Part ${i + 1}`,
  source: "podlove",
  url: null,
  img: null,
}));

const episode = (positionMs = 0, isPlayed = false): EpisodeView => ({
  row: {
    id: "a",
    show_id: "s",
    title: "Episode A",
    published: null,
    duration_s: 600,
    is_played: isPlayed,
    position_ms: positionMs,
    is_downloaded: false,
  },
  description_html: "<p>notes</p>",
  link: null,
  image_url: null,
  enclosure_url: "https://example.org/a.mp3",
  season: null,
  episode_number: null,
  chapters,
});

const nothing: Loaded = { episodeId: null, state: "idle", positionMs: 0 };

let dispose: (() => void) | undefined;
afterEach(() => {
  dispose?.();
  document.body.replaceChildren();
});

describe("playButton", () => {
  const row = { id: "a", is_played: false, position_ms: 0 };
  const loaded = (state: PlayState, positionMs = 0, episodeId = "a"): Loaded => ({ episodeId, state, positionMs });

  it("says Play, or Resume from where the listener left off", () => {
    expect(playButton(row, nothing)).toEqual({ label: "Play", pauses: false });
    expect(playButton({ ...row, position_ms: 754_000 }, nothing).label).toBe("Resume from 12:34");
    expect(playButton({ ...row, position_ms: 3_754_000 }, nothing).label).toBe("Resume from 1:02:34");
    expect(playButton({ ...row, position_ms: 754_000, is_played: true }, nothing).label).toBe("Play");
    // Another episode in the player changes nothing here.
    expect(playButton({ ...row, position_ms: 754_000 }, loaded("playing", 5_000, "b")).label).toBe("Resume from 12:34");
  });

  it("follows the player when it has this episode", () => {
    expect(playButton(row, loaded("playing"))).toEqual({ label: "Pause", pauses: true });
    expect(playButton(row, loaded("buffering")).label).toBe("Pause");
    expect(playButton(row, loaded("loading")).label).toBe("Pause");
    expect(playButton(row, loaded("paused", 65_000)).label).toBe("Resume from 1:05");
    expect(playButton(row, loaded("paused", 0)).label).toBe("Play");
    expect(playButton({ ...row, position_ms: 9_000 }, loaded("ended", 600_000)).label).toBe("Play");
  });
});

describe("EpisodePane", () => {
  function mount(view: EpisodeView) {
    const [loaded, setLoaded] = createSignal<Loaded>(nothing);
    const [index, setIndex] = createSignal<number | null>(null);
    const onPlay = vi.fn();
    const onJump = vi.fn();
    const root = document.createElement("div");
    document.body.append(root);
    dispose = render(
      () => (
        <EpisodePane
          episode={view}
          showName="Show"
          error={null}
          positionIn={(id) => (loaded().episodeId === id ? loaded().positionMs : null)}
          chapterIndexIn={(id) => (loaded().episodeId === id ? index() : null)}
          loaded={loaded()}
          onPlay={onPlay}
          onSetPlayed={() => {}}
          onJump={onJump}
        />
      ),
      root,
    );
    const play = () => root.querySelector<HTMLButtonElement>("[data-testid=play-episode]")!;
    const current = () => Array.from(root.querySelectorAll("[data-testid=chapter-item][aria-current=true]")).map((r) => r.textContent);
    const rows = () => Array.from(root.querySelectorAll<HTMLButtonElement>("[data-testid=chapter-item]"));
    return { play, current, rows, setLoaded, setIndex, onPlay, onJump };
  }

  it("has a Play button that follows the player", () => {
    const { play, setLoaded, onPlay } = mount(episode(754_000));
    expect(play().textContent).toBe("Resume from 12:34");
    play().click();
    expect(onPlay).toHaveBeenCalledWith("a");
    setLoaded({ episodeId: "a", state: "playing", positionMs: 760_000 });
    expect(play().textContent).toBe("Pause");
  });

  it("highlights the player's chapter only when this episode is loaded, and jumps from a row", () => {
    const { current, rows, setLoaded, setIndex, onJump } = mount(episode());
    expect(current()).toEqual([]);
    setIndex(2);
    expect(current()).toEqual([]); // the player is elsewhere
    setLoaded({ episodeId: "a", state: "playing", positionMs: 70_000 });
    expect(current()).toEqual(["2:00Part 3"]); // the backend's chapter_index wins
    setIndex(null);
    expect(current()).toEqual(["1:00Part 2"]); // else the position decides
    expect(rows()[1]!.closest(".chapter-row")!.classList.contains("current")).toBe(true);
    rows()[0]!.click();
    expect(onJump).toHaveBeenCalledWith("a", 0);
  });
});
