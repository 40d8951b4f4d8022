import { createSignal } from "solid-js";
import { render } from "solid-js/web";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ChapterView, DownloadView, PlayerView } from "../api";

vi.mock("../api", () => ({
  ApiError: class extends Error {},
  playEpisode: vi.fn(async () => undefined),
  playerStatus: vi.fn(),
  playerPlay: vi.fn(async () => undefined),
  playerPause: vi.fn(async () => undefined),
  playerToggle: vi.fn(async () => undefined),
  playerSeek: vi.fn(async () => undefined),
  playerSkip: vi.fn(async () => undefined),
  playerChapterStep: vi.fn(async () => undefined),
  playerSetSpeed: vi.fn(async () => undefined),
  playerSetVolume: vi.fn(async () => undefined),
  playerSetSleepTimer: vi.fn(async () => undefined),
  playerRetry: vi.fn(async () => undefined),
  openExternal: vi.fn(async () => undefined),
  onPlayerUpdate: vi.fn(),
}));

import * as api from "../api";
import { createPlayer, IDLE_VIEW } from "../stores/player";
import PlayerBar from "./PlayerBar";

const mocked = vi.mocked(api);

const chapters: ChapterView[] = [0, 60_000, 600_000, 1_800_000].map((start_ms, i) => ({
  start_ms,
  end_ms: null,
  title: `Part ${i + 1}`,
  source: "podcast-json",
  url: null,
  img: null,
}));

const view = (over: Partial<PlayerView> = {}): PlayerView => ({
  ...IDLE_VIEW,
  episode_id: "a",
  state: "playing",
  // The engine's rule for states that load to play; a test of a paused load says so.
  wants_play: ["playing", "buffering", "loading"].includes(over.state ?? "playing"),
  position_ms: 60_000,
  duration_ms: 3_600_000,
  chapter_index: 1,
  cue_index: null,
  ...over,
});

let dispose: (() => void) | undefined;
beforeEach(() => {
  vi.clearAllMocks();
  localStorage.clear();
});
afterEach(() => {
  dispose?.();
  document.body.replaceChildren();
});

async function mount(
  status: PlayerView,
  extra: { downloadOf?: (id: string) => DownloadView | undefined; onDownload?: (id: string) => void; videoUrl?: string | null } = {},
) {
  let listener: ((v: PlayerView) => void) | undefined;
  mocked.onPlayerUpdate.mockImplementation(async (cb) => {
    listener = cb;
    return () => {};
  });
  mocked.playerStatus.mockResolvedValue(status);
  const player = createPlayer();
  await player.start();
  const root = document.createElement("div");
  document.body.append(root);
  dispose = render(
    () => <PlayerBar
        player={player}
        title={player.isIdle() ? null : "Episode A"}
        chapters={chapters}
        downloadOf={extra.downloadOf}
        onDownload={extra.onDownload}
        videoUrl={extra.videoUrl}
      />,
    root,
  );
  const q = <T extends Element = HTMLElement>(id: string) => root.querySelector<T & Element>(`[data-testid=${id}]`);
  const text = (id: string) => q(id)?.textContent ?? null;
  return { root, player, q, text, emit: (v: PlayerView) => listener?.(v) };
}

const button = (q: (id: string) => Element | null, id: string) => q(id) as HTMLButtonElement;

describe("PlayerBar", () => {
  it("is there when nothing plays, with the controls disabled", async () => {
    const { q, root } = await mount({ ...IDLE_VIEW });
    expect(q("player-bar")).not.toBeNull();
    expect(root.textContent).toContain("Nothing playing");
    for (const id of ["play-pause", "skip-back", "skip-forward", "prev-chapter", "next-chapter"]) {
      expect(button(q, id).disabled).toBe(true);
    }
    expect((q("seek-slider") as HTMLInputElement).disabled).toBe(true);
    expect(q("now-playing-title")).toBeNull();
    expect(q("player-error")).toBeNull();
    expect(q("player-buffering")).toBeNull();
    expect(q("elapsed")!.textContent).toBe("");
    button(q, "play-pause").click();
    expect(mocked.playerToggle).not.toHaveBeenCalled();
  });

  it("shows what is playing: title, chapter, times and a Pause button", async () => {
    const { q, text, emit } = await mount(view());
    expect(text("now-playing-title")).toBe("Episode A");
    expect(text("now-playing-chapter")).toBe("Part 2");
    expect(text("elapsed")).toBe("1:00");
    expect(text("remaining")).toBe("-59:00");
    expect(button(q, "play-pause").getAttribute("aria-label")).toBe("Pause");
    expect(button(q, "play-pause").disabled).toBe(false);
    expect(button(q, "skip-back").title).toContain("Back 10 s");
    expect(button(q, "skip-forward").title).toContain("Forward 30 s");
    const slider = q("seek-slider") as HTMLInputElement;
    expect(slider.max).toBe("3600000");
    expect(slider.value).toBe("60000");
    // A screen reader hears where and in which chapter.
    expect(slider.getAttribute("aria-valuetext")).toBe("1:00 of 1:00:00, chapter: Part 2");
    expect(q("player-progressive")).toBeNull();
    // Chapter ticks on the slider, one per chapter after the start.
    expect(q("player-bar")!.querySelectorAll(".seek-tick").length).toBe(3);

    emit(view({ position_ms: 3_700_000, duration_ms: 7_200_000, chapter_index: 3 }));
    expect(text("elapsed")).toBe("1:01:40");
    expect(text("remaining")).toBe("-58:20");
    expect(text("now-playing-chapter")).toBe("Part 4");

    button(q, "play-pause").click();
    expect(mocked.playerToggle).toHaveBeenCalledTimes(1);
    button(q, "skip-back").click();
    expect(mocked.playerSkip).toHaveBeenLastCalledWith(-10_000);
    button(q, "next-chapter").click();
    expect(mocked.playerChapterStep).toHaveBeenLastCalledWith(1);
    button(q, "prev-chapter").click();
    expect(mocked.playerChapterStep).toHaveBeenLastCalledWith(-1);
  });

  it("says the time left at the playing speed, and the episode's own length on hover", async () => {
    const { q } = await mount(view({ state: "playing", position_ms: 0, duration_ms: 1_879_000, speed: 1.5 }));
    expect(q("remaining")!.textContent).toBe("-20:53");
    expect(q("remaining")!.getAttribute("title")).toContain("31:19 long");
  });

  it("offers Play when paused", async () => {
    const { q } = await mount(view({ state: "paused" }));
    expect(button(q, "play-pause").getAttribute("aria-label")).toBe("Play");
    expect(q("player-buffering")).toBeNull();
  });

  it("shows a quiet buffering indicator while loading or buffering", async () => {
    const { q, emit } = await mount(view({ state: "loading" }));
    expect(q("player-buffering")!.textContent).toContain("Buffering…");
    emit(view({ state: "playing" }));
    expect(q("player-buffering")).toBeNull();
    emit(view({ state: "buffering" }));
    expect(q("player-buffering")).not.toBeNull();
    expect(button(q, "play-pause").getAttribute("aria-label")).toBe("Pause");
  });

  it("offers Play for an episode restored paused while it loads, even with its host unreachable", async () => {
    const offline = { host: "127.0.0.1", for_ms: 12_000, had_answered: false };
    const { q, text } = await mount(view({ state: "loading", wants_play: false, position_ms: 135_000, network: offline }));
    expect(button(q, "play-pause").getAttribute("aria-label")).toBe("Play");
    expect(q("player-buffering")).toBeNull();
    expect(text("player-unreachable")).toContain("Can't reach 127.0.0.1");
  });

  it("says Reconnecting… at once when the host drops, then names it with Retry", async () => {
    const { q, text, emit } = await mount(view({ state: "playing" }));
    emit(view({ state: "buffering", network: { host: "cdn.example", for_ms: 600, had_answered: true } }));
    expect(text("player-reconnecting")).toContain("Reconnecting…");
    expect(q("player-buffering")).toBeNull();
    expect(q("player-unreachable")).toBeNull();
    emit(view({ state: "buffering", network: { host: "cdn.example", for_ms: 10_400, had_answered: true } }));
    expect(q("player-reconnecting")).toBeNull();
    expect(text("player-unreachable")).toContain("Can't reach cdn.example");
    expect(q("player-playing-buffer")).toBeNull();
    // The sound still going on from what arrived: said beside the host.
    emit(view({ state: "playing", network: { host: "cdn.example", for_ms: 12_000, had_answered: true } }));
    expect(text("player-unreachable")).toContain("Can't reach cdn.example");
    expect(text("player-playing-buffer")).toBe("playing what has arrived");
    button(q, "player-retry").click();
    expect(mocked.playerRetry).toHaveBeenCalledTimes(1);
    emit(view({ state: "playing", network: null }));
    expect(q("player-unreachable")).toBeNull();
    expect(q("player-reconnecting")).toBeNull();
  });

  it("names the host at once when it never answered (offline from the start)", async () => {
    const { text } = await mount(
      view({ state: "loading", position_ms: 754_000, network: { host: "cdn.example", for_ms: 200, had_answered: false } }),
    );
    expect(text("player-unreachable")).toContain("Can't reach cdn.example");
  });

  it("offers Download when online while offline, and says when it is on its way", async () => {
    const onDownload = vi.fn();
    const [download, setDownload] = createSignal<DownloadView | undefined>(undefined);
    const { q, emit } = await mount(
      view({ state: "loading", streaming: true, network: { host: "cdn.example", for_ms: 300, had_answered: false } }),
      { downloadOf: () => download(), onDownload },
    );
    button(q, "player-download-when-online").click();
    expect(onDownload).toHaveBeenCalledWith("a");
    setDownload({
      episode_id: "a",
      state: "offline",
      downloaded_bytes: 0,
      total_bytes: null,
      bytes_per_s: 0,
      error: null,
      path: null,
      episode_title: null,
      show_title: null,
    });
    expect(q("player-download-when-online")).toBeNull();
    expect(q("player-download-pending")!.textContent).toBe("Downloads when online");
    // Back online: nothing to offer.
    emit(view({ state: "playing", streaming: true, network: null }));
    expect(q("player-download-pending")).toBeNull();
  });

  it("says a video episode plays its audio, and offers a video player when it cannot", async () => {
    const { q, emit } = await mount(view({ state: "playing" }), { videoUrl: "https://h/ep.mp4" });
    expect(q("player-video-note")!.textContent).toContain("Video episode — audio only");
    expect(q("player-open-video")).toBeNull();
    emit(view({ state: "error", error: "This file has no audio Chaptercast can play." }));
    expect(q("player-video-note")).toBeNull();
    button(q, "player-open-video").click();
    expect(mocked.openExternal).toHaveBeenCalledWith("https://h/ep.mp4");
  });

  it("shows a playback error as an alert and stays usable", async () => {
    const message = "No audio output device was found.";
    const { q } = await mount(view({ state: "paused", error: message }));
    const alert = q("player-error")!;
    expect(alert.getAttribute("role")).toBe("alert");
    expect(alert.textContent).toBe(message);
    expect(button(q, "play-pause").disabled).toBe(false);
  });

  it("says where a long jump is going and how far it has read, instead of Buffering", async () => {
    const { q } = await mount(view({ state: "buffering", position_ms: 2_050_000, finding: 0.454 }));
    expect(q("player-buffering")).toBeNull();
    expect(q("player-finding")!.textContent).toBe("Finding 34:10… 45 %");
    // The share is for the eye: a screen reader hears where to, not every step.
    expect(q("player-finding")!.querySelector("[aria-hidden=true]:not(.spinner)")!.textContent).toBe(" 45 %");
  });

  it("explains a server that cannot seek", async () => {
    const { q } = await mount(view({ progressive: true }));
    expect(q("player-progressive")!.textContent).toBe("This server can't seek: jumps ahead wait for the download");
  });

  it("shows an ended episode as finished, and Play starts it again", async () => {
    const { q, text } = await mount(view({ state: "ended", position_ms: 3_599_950, chapter_index: 3 }));
    expect(text("elapsed")).toBe("1:00:00");
    expect(text("remaining")).toBe("-0:00");
    expect((q("seek-slider") as HTMLInputElement).value).toBe("3600000");
    expect(text("now-playing-chapter")).toBe("Finished");
    expect(button(q, "play-pause").getAttribute("aria-label")).toBe("Play");
    button(q, "play-pause").click();
    expect(mocked.playerPlay).toHaveBeenCalledTimes(1);
  });

  it("does not move the slider under the user's hand, and seeks on release", async () => {
    const { q, text, emit } = await mount(view());
    const slider = q("seek-slider") as HTMLInputElement;
    slider.value = "1200000";
    slider.dispatchEvent(new Event("input", { bubbles: true }));
    expect(text("elapsed")).toBe("20:00");
    emit(view({ position_ms: 61_000 }));
    expect(slider.value).toBe("1200000");
    expect(mocked.playerSeek).not.toHaveBeenCalled();
    slider.dispatchEvent(new Event("change", { bubbles: true }));
    expect(mocked.playerSeek).toHaveBeenCalledWith(1_200_000);
    // Released: it stays there, also through a report sent before the engine took the seek…
    expect(slider.value).toBe("1200000");
    emit(view({ position_ms: 61_100 }));
    expect(text("elapsed")).toBe("20:00");
    // …and follows the engine from its first report after.
    await new Promise((r) => setTimeout(r, 0));
    emit(view({ position_ms: 1_200_050 }));
    expect(slider.value).toBe("1200050");
    emit(view({ position_ms: 1_201_000 }));
    expect(text("elapsed")).toBe("20:01");
  });

  it("sets speed and volume", async () => {
    const { q } = await mount(view({ speed: 1.5, volume: 0.8 }));
    const speed = button(q, "speed");
    expect(speed.textContent).toBe("1.5×");
    expect(speed.getAttribute("aria-label")).toBe("Playback speed: 1.5×");
    speed.click();
    const menu = q("speed-menu")!;
    const options = Array.from(menu.querySelectorAll<HTMLElement>("[role=menuitemradio]"));
    expect(options.map((o) => o.textContent)).toEqual(["0.5×", "0.75×", "1×", "1.25×", "1.5×", "1.75×", "2×", "2.25×", "2.5×", "2.75×", "3×"]);
    // Opens at the current speed; the menu is never taller than the room above the bar.
    expect(document.activeElement).toBe(q("speed-option-150"));
    expect(menu.style.maxHeight).toMatch(/^\d+px$/);
    menu.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true }));
    expect(document.activeElement).toBe(q("speed-option-175"));
    (document.activeElement as HTMLElement).click();
    expect(mocked.playerSetSpeed).toHaveBeenCalledWith(1.75);
    expect(q("speed-menu")).toBeNull();
    expect(document.activeElement).toBe(speed);
    const volume = q("volume") as HTMLInputElement;
    expect(volume.value).toBe("0.8");
    volume.value = "0.3";
    volume.dispatchEvent(new Event("input", { bubbles: true }));
    expect(mocked.playerSetVolume).toHaveBeenCalledWith(0.3);
  });

  it("edits the skip distances in the settings popover", async () => {
    const { q } = await mount(view());
    expect(q("skip-settings")).toBeNull();
    button(q, "player-settings").click();
    const back = q("skip-back-seconds") as HTMLInputElement;
    expect(back.value).toBe("10");
    back.value = "20";
    back.dispatchEvent(new Event("change", { bubbles: true }));
    expect(button(q, "skip-back").title).toContain("Back 20 s");
    const forward = q("skip-forward-seconds") as HTMLInputElement;
    forward.value = "999";
    forward.dispatchEvent(new Event("change", { bubbles: true }));
    expect(forward.value).toBe("120");
    expect(button(q, "skip-forward").title).toContain("Forward 120 s");
    expect(JSON.parse(localStorage.getItem("chaptercast.skip") ?? "null")).toEqual({ backS: 20, forwardS: 120 });
    q("skip-settings")!.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect(q("skip-settings")).toBeNull();
  });

  describe("sleep timer", () => {
    const key = (target: Element, key: string) => target.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true }));

    it("opens a menu of choices and sets the one chosen", async () => {
      const { q } = await mount(view());
      const sleep = button(q, "sleep-timer-button");
      expect(sleep.getAttribute("aria-haspopup")).toBe("menu");
      expect(sleep.getAttribute("aria-expanded")).toBe("false");
      expect(q("sleep-timer-left")).toBeNull();
      sleep.click();
      expect(sleep.getAttribute("aria-expanded")).toBe("true");
      const menu = q("sleep-menu")!;
      expect(menu.getAttribute("role")).toBe("menu");
      const options = Array.from(menu.querySelectorAll<HTMLElement>("[role=menuitemradio]")).map((o) => o.dataset.testid);
      expect(options).toEqual([
        "sleep-option-off",
        "sleep-option-15",
        "sleep-option-30",
        "sleep-option-45",
        "sleep-option-60",
        "sleep-option-end_of_chapter",
        "sleep-option-end_of_episode",
      ]);
      // Off is the current choice, and has focus.
      expect(document.activeElement).toBe(q("sleep-option-off"));
      expect(q("sleep-option-off")!.getAttribute("aria-checked")).toBe("true");
      button(q, "sleep-option-15").click();
      expect(mocked.playerSetSleepTimer).toHaveBeenCalledWith({ kind: "minutes", minutes: 15 });
      expect(q("sleep-menu")).toBeNull();
      expect(document.activeElement).toBe(sleep);
      // Shown once the engine reports it.
      expect(q("sleep-timer-left")).toBeNull();
    });

    it("shows the time left, or the end it waits for, as the backend reports it", async () => {
      const { q, emit } = await mount(view());
      emit(view({ sleep: { timer: { kind: "minutes", minutes: 30 }, remaining_ms: 61_200 } }));
      expect(q("sleep-timer-left")!.textContent).toBe("1:02");
      expect(button(q, "sleep-timer-button").getAttribute("aria-label")).toBe("Sleep timer: 1:02");
      emit(view({ sleep: { timer: { kind: "end_of_chapter" }, remaining_ms: null } }));
      expect(q("sleep-timer-left")!.textContent).toBe("End of chapter");
      emit(view({ sleep: { timer: { kind: "end_of_episode" }, remaining_ms: 90_000 } }));
      expect(q("sleep-timer-left")!.textContent).toBe("End of episode");
      button(q, "sleep-timer-button").click();
      expect(q("sleep-option-end_of_episode")!.getAttribute("aria-checked")).toBe("true");
      button(q, "sleep-option-end_of_chapter").click();
      expect(mocked.playerSetSleepTimer).toHaveBeenLastCalledWith({ kind: "end_of_chapter" });
      button(q, "sleep-timer-button").click();
      button(q, "sleep-option-off").click();
      expect(mocked.playerSetSleepTimer).toHaveBeenLastCalledWith(null);
      emit(view({ sleep: null }));
      expect(q("sleep-timer-left")).toBeNull();
    });

    it("works from the keyboard: ↓ moves, Escape closes back on the button", async () => {
      const { q } = await mount(view());
      const sleep = button(q, "sleep-timer-button");
      sleep.focus();
      key(sleep, "ArrowDown");
      expect(q("sleep-menu")).not.toBeNull();
      key(document.activeElement!, "ArrowDown");
      expect(document.activeElement).toBe(q("sleep-option-15"));
      key(document.activeElement!, "End");
      expect(document.activeElement).toBe(q("sleep-option-end_of_episode"));
      key(document.activeElement!, "Escape");
      expect(q("sleep-menu")).toBeNull();
      expect(document.activeElement).toBe(sleep);
      expect(mocked.playerSetSleepTimer).not.toHaveBeenCalled();
    });

    it("shows why a timer could not be set, and puts the old one back", async () => {
      mocked.playerSetSleepTimer.mockRejectedValueOnce(new Error("Nothing is playing."));
      const { q } = await mount(view());
      button(q, "sleep-timer-button").click();
      button(q, "sleep-option-30").click();
      await new Promise((r) => setTimeout(r, 0));
      expect(q("sleep-timer-left")).toBeNull();
      expect(q("player-error")!.textContent).toBe("Nothing is playing.");
    });
  });
});
