import { render } from "solid-js/web";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { DownloadView } from "../api";

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
    onDownloadUpdate: vi.fn(),
    listDownloads: vi.fn(),
    getDownloadFolder: vi.fn(),
    chooseDownloadFolder: vi.fn(),
    downloadEpisode: vi.fn(async () => undefined),
    pauseDownload: vi.fn(async () => undefined),
    cancelDownload: vi.fn(async () => undefined),
    deleteDownload: vi.fn(async () => undefined),
    showDownloadInFolder: vi.fn(async () => undefined),
  };
});

import * as api from "../api";
import { createDownloads } from "../stores/downloads";
import DownloadsView from "./DownloadsView";

const mocked = vi.mocked(api);

const item = (episodeId: string, over: Partial<DownloadView> = {}): DownloadView => ({
  episode_id: episodeId,
  state: "done",
  downloaded_bytes: 40_000_000,
  total_bytes: 40_000_000,
  bytes_per_s: null,
  error: null,
  path: `/home/me/Podcasts/${episodeId}.mp3`,
  episode_title: `Episode ${episodeId}`,
  show_title: `Show of ${episodeId}`,
  ...over,
});

const settle = () => new Promise((r) => setTimeout(r, 0));

let dispose: (() => void) | undefined;
beforeEach(() => {
  vi.clearAllMocks();
  mocked.getDownloadFolder.mockResolvedValue("/home/me/Podcasts");
  mocked.listDownloads.mockResolvedValue([
    item("run", { state: "running", downloaded_bytes: 10_000_000, bytes_per_s: 1_000_000 }),
    item("wait", { state: "paused", downloaded_bytes: 5_000_000 }),
    item("one", { total_bytes: 48_000_000, downloaded_bytes: 48_000_000 }),
    item("two", { total_bytes: 1_000_000_000, downloaded_bytes: 1_000_000_000 }),
  ]);
});
afterEach(() => {
  dispose?.();
  document.body.replaceChildren();
});

async function mount() {
  let listener: ((v: DownloadView) => void) | undefined;
  mocked.onDownloadUpdate.mockImplementation(async (cb) => {
    listener = cb;
    return () => {};
  });
  const downloads = createDownloads({ titleDelayMs: 60_000 });
  await downloads.start();
  const onOpenEpisode = vi.fn();
  const onPlay = vi.fn();
  const root = document.createElement("div");
  document.body.append(root);
  dispose = render(() => <DownloadsView downloads={downloads} onOpenEpisode={onOpenEpisode} onPlay={onPlay} />, root);
  const q = <T extends HTMLElement = HTMLElement>(id: string, within: ParentNode = root) =>
    within.querySelector<T>(`[data-testid=${id}]`);
  const all = (id: string) => Array.from(root.querySelectorAll<HTMLElement>(`[data-testid=${id}]`));
  return { root, q, all, onOpenEpisode, onPlay, emit: (v: DownloadView) => listener?.(v) };
}

describe("DownloadsView", () => {
  it("lists unfinished downloads first, with their controls, then what is on disk", async () => {
    const { q, all } = await mount();
    expect(q("downloads-view")).not.toBeNull();
    expect(all("download-active-row").map((r) => r.dataset.id)).toEqual(["run", "wait"]);
    const [running, paused] = all("download-active-row");
    expect(q("download-pause", running)).not.toBeNull();
    expect(q("download-progress-text", running)!.textContent).toBe("10.0 MB of 40.0 MB · 1.0 MB/s · 0:30 left");
    expect(q("download-resume", paused)).not.toBeNull();
    expect(q("download-cancel", paused)).not.toBeNull();

    const rows = all("download-row");
    expect(rows.map((r) => r.dataset.id)).toEqual(["one", "two"]);
    expect(q("download-show", rows[0])!.textContent).toBe("Show of one");
    expect(q("download-open", rows[0])!.textContent).toBe("Episode one");
    expect(rows.map((r) => q("download-size", r)!.textContent)).toEqual(["48.0 MB", "1.0 GB"]);
    expect(q("download-delete", rows[1])).not.toBeNull();
  });

  it("shows the space used by finished downloads, and updates it", async () => {
    const { q, all, emit } = await mount();
    expect(q("downloads-space")!.textContent).toBe("1.0 GB on this computer · 2 episodes");
    emit(item("run", { state: "done", episode_title: null, show_title: null }));
    expect(all("download-row").map((r) => r.dataset.id)).toEqual(["run", "one", "two"]);
    expect(q("download-open", all("download-row")[0])!.textContent).toBe("Episode run"); // title kept from the list
    expect(q("downloads-space")!.textContent).toBe("1.1 GB on this computer · 3 episodes");
  });

  it("deletes a row after the inline confirmation", async () => {
    const { q, all } = await mount();
    const row = all("download-row")[0]!;
    q("download-delete", row)!.click();
    q("download-delete-confirm", row)!.click();
    expect(mocked.deleteDownload).toHaveBeenCalledWith("one");
    await settle();
    expect(all("download-row").map((r) => r.dataset.id)).toEqual(["two"]);
    expect(q("downloads-space")!.textContent).toBe("1.0 GB on this computer · 1 episode");
  });

  it("says so when nothing is on disk", async () => {
    mocked.listDownloads.mockResolvedValue([]);
    const { q, all } = await mount();
    expect(all("download-row")).toEqual([]);
    expect(q("downloads-empty")).not.toBeNull();
    expect(q("downloads-space")!.textContent).toBe("0 B on this computer · 0 episodes");
  });

  it("opens the episode from its title", async () => {
    const { q, all, onOpenEpisode } = await mount();
    q("download-open", all("download-row")[1])!.click();
    expect(onOpenEpisode).toHaveBeenCalledWith("two");
  });

  it("plays a downloaded episode from its row", async () => {
    const { q, all, onPlay } = await mount();
    const row = all("download-row")[1]!;
    expect(q("download-play", row)!.getAttribute("aria-label")).toContain("Play");
    q("download-play", row)!.click();
    expect(onPlay).toHaveBeenCalledWith("two");
    // Only what is on disk plays from here.
    expect(all("download-active-row").every((r) => q("download-play", r) === null)).toBe(true);
  });

  it("opens a download's folder by its episode, and says so on the row when the file is gone", async () => {
    const { q, all } = await mount();
    const row = all("download-row")[1]!;
    q("download-reveal", row)!.click();
    await Promise.resolve();
    expect(mocked.showDownloadInFolder).toHaveBeenCalledWith("two");
    mocked.showDownloadInFolder.mockRejectedValueOnce(new api.ApiError("Storage", "That download is no longer on disk: download it again."));
    q("download-reveal", row)!.click();
    await new Promise((r) => setTimeout(r, 0));
    expect(q("download-command-error", row)!.textContent).toContain("no longer on disk");
  });

  it("shows the folder and the backend's reason when it refuses the one chosen", async () => {
    mocked.chooseDownloadFolder.mockRejectedValue(new api.ApiError("BadInput", "Cannot use /proc: read-only."));
    const { q } = await mount();
    expect(q("download-folder")!.textContent).toBe("/home/me/Podcasts");
    // No field to type a path into: the backend's dialog chooses.
    expect(q("download-folder")!.tagName).not.toBe("INPUT");
    q<HTMLButtonElement>("download-folder-choose")!.click();
    await settle();
    expect(mocked.chooseDownloadFolder).toHaveBeenCalledWith();
    const error = q("download-folder-error")!;
    expect(error.textContent).toBe("Cannot use /proc: read-only.");
    expect(error.getAttribute("role")).toBe("alert");
    expect(q("download-folder")!.textContent).toBe("/home/me/Podcasts");
  });

  it("shows the folder chosen in the dialog", async () => {
    mocked.chooseDownloadFolder.mockResolvedValue("/mnt/big/Podcasts");
    const { q } = await mount();
    q<HTMLButtonElement>("download-folder-choose")!.click();
    await settle();
    expect(q("download-folder")!.textContent).toBe("/mnt/big/Podcasts");
    expect(q("download-folder-error")).toBeNull();
    expect(q("download-folder-saved")).not.toBeNull();
  });
});
