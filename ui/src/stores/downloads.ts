// Downloads as the UI sees them: one entry per episode, seeded by `listDownloads` and kept up to
// date by `download-update` events (~4 a second while running, and on every change). The events
// own the state; the list only adds what events lack (titles, and downloads from before start).
import { batch, createSignal } from "solid-js";
import { createStore, produce } from "solid-js/store";
import * as api from "../api";
import type { DownloadState, DownloadView } from "../api";
import { formatBytes, formatTimestamp, joinMeta } from "../format";

export type Downloads = ReturnType<typeof createDownloads>;

export type DownloadsOptions = {
  /**
   * Told when an episode's file appears (done) or goes away (removed), so the library can flip
   * `is_downloaded` without a reload (the backend has recorded it already).
   */
  onDownloaded?: (episodeId: string, isDownloaded: boolean) => void;
  /** How long to wait before asking for titles of downloads only known from events (tests: 0). */
  titleDelayMs?: number;
};

/** Not finished and not given up: these show a progress bar. */
const ACTIVE: readonly DownloadState[] = ["queued", "running", "offline"];
/** Unfinished: listed first in the Downloads view. */
const UNFINISHED: readonly DownloadState[] = ["queued", "running", "offline", "paused", "failed"];

export const isActive = (d: Pick<DownloadView, "state"> | undefined): boolean => !!d && ACTIVE.includes(d.state);
export const isUnfinished = (d: Pick<DownloadView, "state"> | undefined): boolean => !!d && UNFINISHED.includes(d.state);

/** 0–1 of the file fetched; null when the size is unknown (an indeterminate bar). Done is 1. */
export function progressFraction(d: DownloadView): number | null {
  if (d.state === "done") return 1;
  const total = d.total_bytes;
  if (total == null || !(total > 0)) return null;
  return Math.min(1, Math.max(0, (d.downloaded_bytes ?? 0) / total));
}

/** Seconds until done at the current speed; null when the size or speed is unknown. */
export function secondsLeft(d: DownloadView): number | null {
  const total = d.total_bytes;
  const rate = d.bytes_per_s;
  if (d.state !== "running" || total == null || rate == null || !(rate > 0)) return null;
  return Math.ceil(Math.max(0, total - (d.downloaded_bytes ?? 0)) / rate);
}

/**
 * "12.3 MB of 48.0 MB · 2.1 MB/s · 0:21 left" while running; the parts that are unknown (size,
 * speed) are left out. Paused shows where it stopped; queued says it is waiting.
 */
export function progressText(d: DownloadView): string {
  const got = d.downloaded_bytes ?? 0;
  const amount = d.total_bytes != null && d.total_bytes > 0 ? `${formatBytes(got)} of ${formatBytes(d.total_bytes)}` : formatBytes(got);
  switch (d.state) {
    case "queued":
      return got > 0 ? joinMeta(amount, "Waiting…") : "Waiting…";
    case "running": {
      const rate = d.bytes_per_s != null && d.bytes_per_s > 0 ? `${formatBytes(d.bytes_per_s)}/s` : null;
      const left = secondsLeft(d);
      return joinMeta(amount, rate, left == null ? null : `${formatTimestamp(left * 1000)} left`);
    }
    case "offline":
      return got > 0 ? joinMeta(amount, "Waiting for the network") : "Waiting for the network";
    case "paused":
      return joinMeta(amount, "Paused");
    case "failed":
      return amount;
    case "done":
      return formatBytes(d.total_bytes ?? d.downloaded_bytes);
    case "removed":
      return "";
  }
}

/** The size of a finished download's file. */
export const fileSize = (d: DownloadView): number => d.total_bytes ?? d.downloaded_bytes ?? 0;

/** Bytes on disk: the finished downloads (partial files are not counted; they go on cancel). */
export const spaceUsed = (list: readonly DownloadView[]): number =>
  list.reduce((sum, d) => (d.state === "done" ? sum + fileSize(d) : sum), 0);

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export function createDownloads(options: DownloadsOptions = {}) {
  const [items, setItems] = createStore<Record<string, DownloadView>>({});
  // Why the last command about an episode failed (the download's own failure is in its `error`).
  const [commandErrors, setCommandErrors] = createStore<Record<string, string>>({});
  const [folder, setFolderSignal] = createSignal<string | null>(null);
  const [folderError, setFolderError] = createSignal<string | null>(null);
  const [folderSaving, setFolderSaving] = createSignal(false);

  // Listing order, so the view does not reshuffle as entries update (keys may look like numbers,
  // which objects would sort).
  const order = new Map<string, number>();
  let nextOrder = 0;
  // An event counter, and when each episode was last removed: a list asked for before a removal
  // must not bring the entry back.
  let eventSeq = 0;
  const removedAt = new Map<string, number>();
  let unlisten: (() => void) | undefined;
  let stopped = false;
  let titleTimer: ReturnType<typeof setTimeout> | undefined;

  /** Sets every field of an entry (the store merges objects, and every field is always present). */
  function put(view: DownloadView): void {
    if (!order.has(view.episode_id)) order.set(view.episode_id, nextOrder++);
    setItems(view.episode_id, { ...view });
  }

  function drop(episodeId: string): void {
    order.delete(episodeId);
    setItems(produce((all) => void delete all[episodeId]));
  }

  /** One `download-update`: the newest word on that download, but without titles. */
  function apply(event: DownloadView): void {
    eventSeq++;
    const id = event.episode_id;
    const before = items[id];
    const wasDone = before?.state === "done";
    if (event.state === "removed") {
      removedAt.set(id, eventSeq);
      batch(() => {
        drop(id);
        clearCommandError(id);
      });
      // Cancelled (never had a file) or deleted: either way there is no file now.
      options.onDownloaded?.(id, false);
      return;
    }
    const merged: DownloadView = {
      ...event,
      episode_title: event.episode_title ?? before?.episode_title ?? null,
      show_title: event.show_title ?? before?.show_title ?? null,
    };
    put(merged);
    if (event.state === "done" && !wasDone) options.onDownloaded?.(id, true);
    if (merged.episode_title == null) askForTitles();
  }

  /** The list: adds what events have not told us, and titles to what they have. */
  function applyList(list: readonly DownloadView[], askedAt: number): void {
    batch(() => {
      for (const d of list) {
        if (d.state === "removed") continue;
        const id = d.episode_id;
        if ((removedAt.get(id) ?? -1) > askedAt) continue;
        const have = items[id];
        if (!have) put(d);
        else if (have.episode_title == null || have.show_title == null) {
          setItems(id, {
            episode_title: have.episode_title ?? d.episode_title,
            show_title: have.show_title ?? d.show_title,
          });
        }
      }
    });
  }

  async function loadList(): Promise<void> {
    const askedAt = eventSeq;
    try {
      applyList(await api.listDownloads(), askedAt);
    } catch (e) {
      console.warn("could not list downloads", e);
    }
  }

  /** A download started here only has an id: fetch the list once things settle, for its titles. */
  function askForTitles(): void {
    if (titleTimer !== undefined || stopped) return;
    titleTimer = setTimeout(() => {
      titleTimer = undefined;
      void loadList();
    }, options.titleDelayMs ?? 500);
  }

  function clearCommandError(episodeId: string): void {
    if (commandErrors[episodeId] !== undefined) setCommandErrors(produce((all) => void delete all[episodeId]));
  }

  /** Runs a command about one episode; a failure shows next to that episode's control. */
  async function run(episodeId: string, command: () => Promise<void>): Promise<boolean> {
    clearCommandError(episodeId);
    try {
      await command();
      return true;
    } catch (e) {
      setCommandErrors(episodeId, message(e));
      return false;
    }
  }

  /** Queues a download (or resumes a paused or failed one); shown as queued at once. */
  async function download(episodeId: string): Promise<void> {
    // A copy: the store entry itself changes as updates arrive.
    const current = items[episodeId];
    const before = current ? { ...current } : undefined;
    if (isActive(before) || before?.state === "done") return;
    put({
      episode_id: episodeId,
      downloaded_bytes: null,
      total_bytes: null,
      bytes_per_s: null,
      path: null,
      episode_title: null,
      show_title: null,
      ...before,
      state: "queued",
      error: null,
    });
    const ok = await run(episodeId, () => api.downloadEpisode(episodeId));
    // Put back what was there, unless an event has said something newer meanwhile.
    if (!ok && items[episodeId]?.state === "queued") {
      if (before) put(before);
      else drop(episodeId);
    }
  }

  /** Resuming is downloading again: the backend continues from where it stopped. */
  const resume = (episodeId: string): Promise<void> => download(episodeId);

  async function pause(episodeId: string): Promise<void> {
    await run(episodeId, () => api.pauseDownload(episodeId));
  }

  /** Stops a download and throws the partial file away. */
  async function cancel(episodeId: string): Promise<void> {
    if (await run(episodeId, () => api.cancelDownload(episodeId))) forget(episodeId);
  }

  /** Deletes a downloaded file. */
  async function remove(episodeId: string): Promise<void> {
    if (await run(episodeId, () => api.deleteDownload(episodeId))) forget(episodeId);
  }

  /** Shows the file in the file manager; a failure (the file gone) shows on its row. */
  async function reveal(episodeId: string): Promise<void> {
    await run(episodeId, () => api.showDownloadInFolder(episodeId));
  }

  /** Done on our side too, in case the "removed" event is late (it changes nothing when it comes). */
  function forget(episodeId: string): void {
    if (items[episodeId]) apply({ ...items[episodeId], state: "removed" });
    else options.onDownloaded?.(episodeId, false);
  }

  async function loadFolder(): Promise<void> {
    try {
      setFolderSignal(await api.getDownloadFolder());
    } catch (e) {
      console.warn("could not read the download folder", e);
    }
  }

  /**
   * Asks for the folder new downloads go to, in the backend's native dialog (the page never names
   * a folder). Resolves true when one was chosen and saved; false when cancelled or refused (the
   * reason is then in `folderError()`).
   */
  async function chooseFolder(): Promise<boolean> {
    setFolderSaving(true);
    setFolderError(null);
    try {
      const chosen = await api.chooseDownloadFolder();
      if (chosen === null) return false;
      setFolderSignal(chosen);
      return true;
    } catch (e) {
      setFolderError(message(e));
      return false;
    } finally {
      setFolderSaving(false);
    }
  }

  const clearFolderError = (): void => void (folderError() && setFolderError(null));

  /** Start-up: listen first, so nothing is missed, then list what there is. */
  async function start(): Promise<void> {
    try {
      const off = await api.onDownloadUpdate(apply);
      if (stopped) off();
      else unlisten = off;
    } catch (e) {
      console.warn("could not listen to downloads", e);
    }
    if (stopped) return;
    await Promise.all([loadList(), loadFolder()]);
  }

  function stop(): void {
    stopped = true;
    unlisten?.();
    unlisten = undefined;
    if (titleTimer !== undefined) clearTimeout(titleTimer);
    titleTimer = undefined;
  }

  /** Every download: unfinished ones first, each group in the order they were listed. */
  const all = (): DownloadView[] => {
    const rank = (d: DownloadView) => (isUnfinished(d) ? 0 : 1);
    return Object.values(items).sort(
      (a, b) => rank(a) - rank(b) || (order.get(a.episode_id) ?? 0) - (order.get(b.episode_id) ?? 0),
    );
  };
  const unfinished = (): DownloadView[] => all().filter(isUnfinished);
  const finished = (): DownloadView[] => all().filter((d) => d.state === "done");
  const activeCount = (): number => all().filter(isActive).length;

  return {
    /** The download of one episode, if there is one. */
    get: (episodeId: string): DownloadView | undefined => items[episodeId],
    /** Why the last command about this episode failed. */
    commandError: (episodeId: string): string | null => commandErrors[episodeId] ?? null,
    all,
    unfinished,
    finished,
    activeCount,
    spaceUsed: (): number => spaceUsed(all()),
    folder,
    folderError,
    folderSaving,
    chooseFolder,
    clearFolderError,
    download,
    pause,
    resume,
    cancel,
    remove,
    reveal,
    start,
    stop,
  };
}
