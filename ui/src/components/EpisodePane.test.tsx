import { createSignal } from "solid-js";
import { render } from "solid-js/web";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ChapterView, DownloadView, EpisodeView, PlayState } from "../api";
import { playButton } from "../playButton";
import type { Loaded } from "../playButton";

vi.mock("../api", () => ({
  openExternal: vi.fn(async () => undefined),
  onDownloadUpdate: vi.fn(),
  listDownloads: vi.fn(async () => []),
  getDownloadFolder: vi.fn(async () => "/home/me/Podcasts"),
  downloadEpisode: vi.fn(async () => undefined),
  pauseDownload: vi.fn(async () => undefined),
  cancelDownload: vi.fn(async () => undefined),
  deleteDownload: vi.fn(async () => undefined),
}));

import * as api from "../api";
import { createDownloads } from "../stores/downloads";
import { episodeRow, episodeView } from "../test/fixtures";
import EpisodePane from "./EpisodePane";

const mocked = vi.mocked(api);

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

const episode = (positionMs = 0, isPlayed = false): EpisodeView =>
  episodeView(episodeRow("a", { title: "Episode A", is_played: isPlayed, position_ms: positionMs }), { description_html: "<p>notes</p>", chapters });

const nothing: Loaded = { episodeId: null, state: "idle", wantsPlay: false, positionMs: 0 };

let dispose: (() => void) | undefined;
afterEach(() => {
  dispose?.();
  document.body.replaceChildren();
  vi.clearAllMocks();
});

/** A started downloads store and a way to send it `download-update` events. */
async function downloadsStore() {
  let listener: ((v: DownloadView) => void) | undefined;
  mocked.onDownloadUpdate.mockImplementation(async (cb) => {
    listener = cb;
    return () => {};
  });
  const downloads = createDownloads({ titleDelayMs: 60_000 });
  await downloads.start();
  return { downloads, emit: (v: DownloadView) => listener?.(v) };
}

describe("playButton", () => {
  const row = { id: "a", is_played: false, position_ms: 0 };
  const loaded = (state: PlayState, positionMs = 0, episodeId = "a", wantsPlay = ["playing", "buffering", "loading"].includes(state)): Loaded => ({
    episodeId,
    state,
    wantsPlay,
    positionMs,
  });

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
    // Restored paused and loading (offline it may load for long): Resume, not Pause.
    expect(playButton(row, loaded("loading", 65_000, "a", false))).toEqual({ label: "Resume from 1:05", pauses: false });
    expect(playButton(row, loaded("paused", 65_000)).label).toBe("Resume from 1:05");
    expect(playButton(row, loaded("paused", 0)).label).toBe("Play");
    expect(playButton({ ...row, position_ms: 9_000 }, loaded("ended", 600_000)).label).toBe("Play");
  });
});

describe("EpisodePane", () => {
  async function mount(view: EpisodeView) {
    const { downloads, emit } = await downloadsStore();
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
          downloads={downloads}
        />
      ),
      root,
    );
    const play = () => root.querySelector<HTMLButtonElement>("[data-testid=play-episode]")!;
    const current = () => Array.from(root.querySelectorAll("[data-testid=chapter-item][aria-current=true]")).map((r) => r.textContent);
    const rows = () => Array.from(root.querySelectorAll<HTMLButtonElement>("[data-testid=chapter-item]"));
    const q = (id: string) => root.querySelector<HTMLElement>(`[data-testid=${id}]`);
    const control = () => q("download-control")!;
    return { play, current, rows, setLoaded, setIndex, onPlay, onJump, q, control, emit, downloads };
  }

  it("opens each episode at its top and brings back where the listener was in one", async () => {
    const { downloads } = await downloadsStore();
    const first = episodeView(episodeRow("a", { title: "A" }), { description_html: "<p>a</p>", chapters });
    const second = episodeView(episodeRow("b", { title: "B" }), { description_html: "<p>b</p>", chapters });
    const [open, setOpen] = createSignal<EpisodeView>(first);
    const root = document.createElement("div");
    document.body.append(root);
    dispose = render(
      () => (
        <EpisodePane
          episode={open()}
          showName="Show"
          error={null}
          positionIn={() => null}
          chapterIndexIn={() => null}
          loaded={nothing}
          onPlay={() => {}}
          onSetPlayed={() => {}}
          onJump={() => {}}
          downloads={downloads}
        />
      ),
      root,
    );
    const pane = root.querySelector<HTMLElement>("[data-testid=episode-view]")!;
    pane.scrollTop = 420;
    pane.dispatchEvent(new Event("scroll"));
    setOpen(second);
    expect(pane.scrollTop).toBe(0);
    pane.scrollTop = 90;
    pane.dispatchEvent(new Event("scroll"));
    setOpen(first);
    expect(pane.scrollTop).toBe(420);
    setOpen(second);
    expect(pane.scrollTop).toBe(90);
  });

  it("has a Play button that follows the player", async () => {
    const { play, setLoaded, onPlay } = await mount(episode(754_000));
    expect(play().textContent).toBe("Resume from 12:34");
    play().click();
    expect(onPlay).toHaveBeenCalledWith("a");
    setLoaded({ episodeId: "a", state: "playing", wantsPlay: true, positionMs: 760_000 });
    expect(play().textContent).toBe("Pause");
  });

  it("highlights the player's chapter only when this episode is loaded, and jumps from a row", async () => {
    const { current, rows, setLoaded, setIndex, onJump } = await mount(episode());
    expect(current()).toEqual([]);
    setIndex(2);
    expect(current()).toEqual([]); // the player is elsewhere
    setLoaded({ episodeId: "a", state: "playing", wantsPlay: true, positionMs: 70_000 });
    expect(current()).toEqual(["2:00Part 3"]); // the engine's chapter_index
    setIndex(1);
    expect(current()).toEqual(["1:00Part 2"]);
    expect(rows()[1]!.closest(".chapter-row")!.classList.contains("current")).toBe(true);
    setIndex(null);
    expect(current()).toEqual([]); // a gap: no rule of the UI's own
    rows()[0]!.click();
    expect(onJump).toHaveBeenCalledWith("a", 0);
  });
  describe("download control", () => {
    const dl = (over: Partial<DownloadView> = {}): DownloadView => ({
      episode_id: "a",
      state: "running",
      downloaded_bytes: 12_000_000,
      total_bytes: 48_000_000,
      bytes_per_s: 2_000_000,
      error: null,
      path: null,
      episode_title: null,
      show_title: null,
      ...over,
    });
    const settle = () => new Promise((r) => setTimeout(r, 0));

    it("offers Download when there is none, and shows it queued at once", async () => {
      const { q, control } = await mount(episode());
      expect(control().dataset.state).toBe("idle");
      expect(q("download-button")!.textContent).toBe("Download");
      expect(q("download-progress")).toBeNull();
      q("download-button")!.click();
      expect(mocked.downloadEpisode).toHaveBeenCalledWith("a");
      expect(control().dataset.state).toBe("queued");
      expect(q("download-progress-text")!.textContent).toBe("Waiting…");
      expect(q("download-button")).toBeNull();
    });

    it("shows progress with Pause and Cancel while running", async () => {
      const { q, control, emit } = await mount(episode());
      emit(dl());
      expect(control().dataset.state).toBe("running");
      const bar = q("download-progress")!;
      expect(bar.getAttribute("role")).toBe("progressbar");
      expect(bar.getAttribute("aria-valuenow")).toBe("25");
      expect(q("download-progress-text")!.textContent).toBe("12.0 MB of 48.0 MB · 2.0 MB/s · 0:18 left");
      emit(dl({ downloaded_bytes: 36_000_000 }));
      expect(bar.getAttribute("aria-valuenow")).toBe("75");
      q("download-pause")!.click();
      expect(mocked.pauseDownload).toHaveBeenCalledWith("a");
      q("download-cancel")!.click();
      expect(mocked.cancelDownload).toHaveBeenCalledWith("a");
      await settle();
      expect(control().dataset.state).toBe("idle");
      expect(q("download-button")).not.toBeNull();
    });

    it("has no percentage when the size is unknown", async () => {
      const { q, emit } = await mount(episode());
      emit(dl({ total_bytes: null }));
      expect(q("download-progress")!.hasAttribute("aria-valuenow")).toBe(false);
      expect(q("download-progress-text")!.textContent).toBe("12.0 MB · 2.0 MB/s");
    });

    it("offers Resume and Cancel when paused", async () => {
      const { q, control, emit } = await mount(episode());
      emit(dl({ state: "paused", bytes_per_s: null }));
      expect(control().dataset.state).toBe("paused");
      expect(q("download-pause")).toBeNull();
      expect(q("download-cancel")).not.toBeNull();
      expect(q("download-progress-text")!.textContent).toBe("12.0 MB of 48.0 MB · Paused");
      q("download-resume")!.click();
      expect(mocked.downloadEpisode).toHaveBeenCalledWith("a");
    });

    it("shows why it failed, with Retry", async () => {
      const { q, control, emit } = await mount(episode());
      emit(dl({ state: "failed", bytes_per_s: null, error: "The server stopped answering." }));
      expect(control().dataset.state).toBe("failed");
      const error = q("download-error")!;
      expect(error.getAttribute("role")).toBe("alert");
      expect(error.textContent).toBe("The server stopped answering.");
      q("download-retry")!.click();
      expect(mocked.downloadEpisode).toHaveBeenCalledWith("a");
      expect(control().dataset.state).toBe("queued");
      expect(q("download-error")).toBeNull();
    });

    it("says Downloaded, and deletes only after the inline confirmation", async () => {
      const { q, control, emit } = await mount(episode());
      emit(dl({ state: "done", downloaded_bytes: 48_000_000, bytes_per_s: null, path: "/p/a.mp3" }));
      expect(control().dataset.state).toBe("done");
      expect(q("download-done")!.textContent).toBe("Downloaded");
      q("download-delete")!.click();
      expect(q("download-delete-confirmation")!.textContent).toContain("Delete file?");
      expect(document.activeElement).toBe(q("download-delete-keep"));
      q("download-delete-keep")!.click();
      expect(q("download-delete-confirmation")).toBeNull();
      expect(mocked.deleteDownload).not.toHaveBeenCalled();
      q("download-delete")!.click();
      q("download-delete-confirm")!.click();
      expect(mocked.deleteDownload).toHaveBeenCalledWith("a");
      await settle();
      expect(control().dataset.state).toBe("idle");
    });

    it("trusts the library's is_downloaded when no download is listed", async () => {
      const downloaded = episode();
      downloaded.row.is_downloaded = true;
      const { q, control } = await mount(downloaded);
      expect(control().dataset.state).toBe("done");
      expect(q("download-delete")).not.toBeNull();
    });

    it("shows a command that failed", async () => {
      mocked.downloadEpisode.mockRejectedValueOnce(new Error("The disk is full."));
      const { q, control } = await mount(episode());
      q("download-button")!.click();
      await settle();
      expect(control().dataset.state).toBe("idle");
      expect(q("download-command-error")!.textContent).toBe("The disk is full.");
    });
  });
});
