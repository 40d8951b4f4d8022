import { beforeEach, describe, expect, it, vi } from "vitest";
import type { DownloadView, EpisodeRow } from "../api";

vi.mock("../api", () => {
  class ApiError extends Error {
    readonly kind: string;
    constructor(kind: string, message: string) {
      super(message);
      this.kind = kind;
    }
  }
  return {
    ApiError,
    listDownloads: vi.fn(),
    onDownloadUpdate: vi.fn(),
    downloadEpisode: vi.fn(),
    pauseDownload: vi.fn(),
    cancelDownload: vi.fn(),
    deleteDownload: vi.fn(),
    getDownloadFolder: vi.fn(),
    chooseDownloadFolder: vi.fn(),
    // For the library, in the test of the two together.
    listShows: vi.fn(),
    listEpisodes: vi.fn(),
    getEpisode: vi.fn(),
    loadChapters: vi.fn(),
    refreshLibrary: vi.fn(),
  };
});

import * as api from "../api";
import { episodeRow, episodeView, showView } from "../test/fixtures";
import { createDownloads, progressFraction, progressText, spaceUsed } from "./downloads";
import type { DownloadsOptions } from "./downloads";
import { createLibrary } from "./library";

const mocked = vi.mocked(api);

const download = (episodeId: string, over: Partial<DownloadView> = {}): DownloadView => ({
  episode_id: episodeId,
  state: "running",
  downloaded_bytes: 0,
  total_bytes: 48_000_000,
  bytes_per_s: null,
  error: null,
  path: null,
  episode_title: null,
  show_title: null,
  ...over,
});

const titled = (episodeId: string, over: Partial<DownloadView> = {}): DownloadView =>
  download(episodeId, { episode_title: `Episode ${episodeId}`, show_title: "The Show", ...over });

const settle = () => new Promise((r) => setTimeout(r, 0));

/** A store being started, and a way to send it `download-update` events. */
function begin(options: DownloadsOptions = {}) {
  let listener: ((v: DownloadView) => void) | undefined;
  mocked.onDownloadUpdate.mockImplementation(async (cb) => {
    listener = cb;
    return () => {};
  });
  const dl = createDownloads({ titleDelayMs: 0, ...options });
  return { dl, emit: (v: DownloadView) => listener?.(v), starting: dl.start() };
}

async function started(options: DownloadsOptions = {}) {
  const s = begin(options);
  await s.starting;
  return s;
}

beforeEach(() => {
  vi.resetAllMocks();
  mocked.listDownloads.mockResolvedValue([]);
  mocked.getDownloadFolder.mockResolvedValue("/home/me/Podcasts");
  for (const command of [mocked.downloadEpisode, mocked.pauseDownload, mocked.cancelDownload, mocked.deleteDownload]) {
    command.mockResolvedValue(undefined);
  }
});

describe("downloads store: merging", () => {
  it("keeps the listed titles when an event has none, and takes the event's progress", async () => {
    mocked.listDownloads.mockResolvedValue([titled("a", { downloaded_bytes: 1_000_000 })]);
    const { dl, emit } = await started();
    emit(download("a", { downloaded_bytes: 5_000_000, bytes_per_s: 2_000_000 }));
    expect(dl.get("a")).toMatchObject({
      downloaded_bytes: 5_000_000,
      bytes_per_s: 2_000_000,
      episode_title: "Episode a",
      show_title: "The Show",
    });
    expect(mocked.listDownloads).toHaveBeenCalledTimes(1); // titles known: nothing more to ask
  });

  it("lets events win over a list that answers after them, but fills in the titles", async () => {
    let answer!: (list: DownloadView[]) => void;
    mocked.listDownloads.mockReturnValue(new Promise((r) => (answer = r)));
    const { dl, emit, starting } = begin({ titleDelayMs: 60_000 });
    await settle(); // listening, and the list asked for
    emit(download("a", { downloaded_bytes: 9_000_000 }));
    answer([titled("a", { downloaded_bytes: 1_000_000 })]);
    await starting;
    expect(dl.get("a")).toMatchObject({ downloaded_bytes: 9_000_000, episode_title: "Episode a" });
    dl.stop();
  });

  it("drops removed downloads, and a list asked for before the removal does not bring them back", async () => {
    const { dl, emit } = await started();
    emit(download("a"));
    let answer!: (list: DownloadView[]) => void;
    mocked.listDownloads.mockReturnValue(new Promise((r) => (answer = r)));
    await settle(); // the title lookup for "a" is asked for now
    emit(download("a", { state: "removed" }));
    expect(dl.get("a")).toBeUndefined();
    answer([titled("a")]);
    await settle();
    expect(dl.get("a")).toBeUndefined();
    expect(dl.all()).toEqual([]);
  });

  it("asks the list for the titles of a download it only knows from events", async () => {
    const { dl, emit } = await started();
    mocked.listDownloads.mockResolvedValue([titled("new")]);
    emit(download("new", { state: "queued" }));
    expect(dl.get("new")?.episode_title).toBeNull();
    await settle();
    await settle();
    expect(dl.get("new")).toMatchObject({ state: "queued", episode_title: "Episode new", show_title: "The Show" });
  });

  it("lists unfinished downloads first, each group in the order it was first seen", async () => {
    mocked.listDownloads.mockResolvedValue([titled("run"), titled("old", { state: "done" }), titled("new", { state: "done" })]);
    const { dl, emit } = await started();
    emit(download("run", { state: "done" }));
    emit(download("later", { state: "paused" }));
    expect(dl.all().map((d) => d.episode_id)).toEqual(["later", "run", "old", "new"]);
    expect(dl.unfinished().map((d) => d.episode_id)).toEqual(["later"]);
    expect(dl.finished().map((d) => d.episode_id)).toEqual(["run", "old", "new"]);
  });

  it("tells the library when a file appears or goes", async () => {
    const onDownloaded = vi.fn();
    const { emit } = await started({ onDownloaded });
    emit(download("a", { downloaded_bytes: 10 }));
    expect(onDownloaded).not.toHaveBeenCalled();
    emit(download("a", { state: "done" }));
    expect(onDownloaded).toHaveBeenCalledWith("a", true);
    emit(download("a", { state: "removed" }));
    expect(onDownloaded).toHaveBeenLastCalledWith("a", false);
  });
});

describe("downloads store and library together", () => {
  const show = showView("s", { title: "Show", episode_count: 2 });
  const row = (id: string, isDownloaded = false): EpisodeRow =>
    episodeRow(id, { published: id === "a" ? "2024-08-01T00:00:00Z" : "2024-07-01T00:00:00Z", is_downloaded: isDownloaded });
  const view = (r: EpisodeRow) => episodeView(r);

  it("flips is_downloaded on a done event and back on a delete, in the list and the open episode", async () => {
    mocked.listShows.mockResolvedValue([show]);
    mocked.listEpisodes.mockResolvedValue([row("a"), row("b")]);
    mocked.getEpisode.mockImplementation(async (id) => view(row(id)));
    mocked.loadChapters.mockResolvedValue([]);
    const lib = createLibrary();
    await lib.loadShows();
    const { dl, emit } = await started({ onDownloaded: lib.setDownloaded });
    const downloaded = () => lib.state.episodes.map((e) => [e.id, e.is_downloaded]);

    emit(download("a", { state: "done" }));
    expect(downloaded()).toEqual([
      ["a", true],
      ["b", false],
    ]);
    expect(lib.state.episode?.row.is_downloaded).toBe(true);
    expect(mocked.listEpisodes).toHaveBeenCalledTimes(1); // no reload

    await dl.remove("a");
    expect(mocked.deleteDownload).toHaveBeenCalledWith("a");
    expect(downloaded()).toEqual([
      ["a", false],
      ["b", false],
    ]);
    expect(lib.state.episode?.row.is_downloaded).toBe(false);
    // The backend's "removed" event, arriving late, changes nothing.
    emit(download("a", { state: "removed" }));
    expect(lib.state.episode?.row.is_downloaded).toBe(false);
  });
});

describe("downloads store: commands", () => {
  it("shows a new download as queued at once", async () => {
    const { dl } = await started();
    const pending = dl.download("a");
    expect(dl.get("a")?.state).toBe("queued");
    await pending;
    expect(mocked.downloadEpisode).toHaveBeenCalledWith("a");
  });

  it("resumes by downloading again, keeping what was fetched", async () => {
    mocked.listDownloads.mockResolvedValue([titled("a", { state: "paused", downloaded_bytes: 7_000_000 })]);
    const { dl } = await started();
    await dl.resume("a");
    expect(mocked.downloadEpisode).toHaveBeenCalledWith("a");
    expect(dl.get("a")).toMatchObject({ state: "queued", downloaded_bytes: 7_000_000, episode_title: "Episode a" });
  });

  it("pauses and cancels through the backend; a cancel forgets the download", async () => {
    const { dl, emit } = await started();
    emit(download("a"));
    await dl.pause("a");
    expect(mocked.pauseDownload).toHaveBeenCalledWith("a");
    await dl.cancel("a");
    expect(mocked.cancelDownload).toHaveBeenCalledWith("a");
    expect(dl.get("a")).toBeUndefined();
  });

  it("shows why a command failed and puts back what was there", async () => {
    mocked.listDownloads.mockResolvedValue([titled("a", { state: "failed", error: "Timed out." })]);
    mocked.downloadEpisode.mockRejectedValue(new api.ApiError("Storage", "The disk is full."));
    mocked.deleteDownload.mockRejectedValue(new api.ApiError("Storage", "Permission denied."));
    const { dl } = await started();
    await dl.download("a");
    expect(dl.get("a")).toMatchObject({ state: "failed", error: "Timed out." });
    expect(dl.commandError("a")).toBe("The disk is full.");
    await dl.download("b");
    expect(dl.get("b")).toBeUndefined();
    await dl.remove("a");
    expect(dl.commandError("a")).toBe("Permission denied.");
    expect(dl.get("a")).toBeDefined();
  });

  it("does not queue again what is running or done", async () => {
    mocked.listDownloads.mockResolvedValue([titled("a"), titled("b", { state: "done" })]);
    const { dl } = await started();
    await dl.download("a");
    await dl.download("b");
    expect(mocked.downloadEpisode).not.toHaveBeenCalled();
  });
});

describe("downloads store: folder", () => {
  it("reads the folder at start and takes the one chosen in the backend's dialog", async () => {
    mocked.chooseDownloadFolder.mockResolvedValue("/mnt/big/Podcasts");
    const { dl } = await started();
    expect(dl.folder()).toBe("/home/me/Podcasts");
    expect(await dl.chooseFolder()).toBe(true);
    expect(mocked.chooseDownloadFolder).toHaveBeenCalledWith();
    expect(dl.folder()).toBe("/mnt/big/Podcasts");
  });

  it("keeps the old folder when the dialog is cancelled", async () => {
    mocked.chooseDownloadFolder.mockResolvedValue(null);
    const { dl } = await started();
    expect(await dl.chooseFolder()).toBe(false);
    expect(dl.folder()).toBe("/home/me/Podcasts");
    expect(dl.folderError()).toBeNull();
  });

  it("keeps the backend's reason when it refuses, and the old folder", async () => {
    mocked.chooseDownloadFolder.mockRejectedValue(new api.ApiError("BadInput", "Cannot use /proc: read-only."));
    const { dl } = await started();
    expect(await dl.chooseFolder()).toBe(false);
    expect(dl.folderError()).toBe("Cannot use /proc: read-only.");
    expect(dl.folder()).toBe("/home/me/Podcasts");
    dl.clearFolderError();
    expect(dl.folderError()).toBeNull();
  });
});


describe("progress helpers", () => {
  it("says how much, how fast and how long", () => {
    expect(progressText(download("a", { downloaded_bytes: 3_900_000, total_bytes: 48_000_000, bytes_per_s: 2_100_000 }))).toBe(
      "3.9 MB of 48.0 MB · 2.1 MB/s · 0:21 left",
    );
    expect(progressText(download("a", { downloaded_bytes: 12_300_000, total_bytes: 48_000_000, bytes_per_s: 2_100_000 }))).toBe(
      "12.3 MB of 48.0 MB · 2.1 MB/s · 0:17 left",
    );
    expect(progressText(download("a", { downloaded_bytes: 0, total_bytes: 900_000_000, bytes_per_s: 200_000 }))).toBe(
      "0 B of 900.0 MB · 200.0 KB/s · 1:15:00 left",
    );
  });

  it("leaves out the time left when the size or speed is unknown", () => {
    expect(progressText(download("a", { downloaded_bytes: 12_300_000, total_bytes: null, bytes_per_s: 2_100_000 }))).toBe(
      "12.3 MB · 2.1 MB/s",
    );
    expect(progressText(download("a", { downloaded_bytes: 12_300_000, bytes_per_s: null }))).toBe("12.3 MB of 48.0 MB");
    expect(progressText(download("a", { downloaded_bytes: 12_300_000, bytes_per_s: 0 }))).toBe("12.3 MB of 48.0 MB");
  });

  it("says when it waits for the network", () => {
    expect(progressText(download("a", { state: "offline", downloaded_bytes: 0, bytes_per_s: 0 }))).toBe("Waiting for the network");
    expect(progressText(download("a", { state: "offline", downloaded_bytes: 12_300_000, bytes_per_s: 0 }))).toBe(
      "12.3 MB of 48.0 MB · Waiting for the network",
    );
  });

  it("says paused and waiting", () => {
    expect(progressText(download("a", { state: "paused", downloaded_bytes: 12_300_000, bytes_per_s: 2_100_000 }))).toBe(
      "12.3 MB of 48.0 MB · Paused",
    );
    expect(progressText(download("a", { state: "queued", downloaded_bytes: null, total_bytes: null }))).toBe("Waiting…");
  });

  it("gives the fraction fetched, or null when the size is unknown", () => {
    expect(progressFraction(download("a", { downloaded_bytes: 12_000_000 }))).toBe(0.25);
    expect(progressFraction(download("a", { total_bytes: null }))).toBeNull();
    expect(progressFraction(download("a", { total_bytes: 0 }))).toBeNull();
    expect(progressFraction(download("a", { downloaded_bytes: 60_000_000 }))).toBe(1);
    expect(progressFraction(download("a", { state: "done", downloaded_bytes: null, total_bytes: null }))).toBe(1);
  });

  it("adds up the space used by finished downloads only", () => {
    expect(
      spaceUsed([
        download("a", { state: "done", total_bytes: 40_000_000 }),
        download("b", { state: "done", total_bytes: null, downloaded_bytes: 2_000_000 }),
        download("c", { state: "running", downloaded_bytes: 30_000_000 }),
        download("d", { state: "paused", downloaded_bytes: 30_000_000 }),
      ]),
    ).toBe(42_000_000);
    expect(spaceUsed([])).toBe(0);
  });
});
