// Quiet, non-modal notices ("3 new episodes — Meta Tech Podcast"): one at a time, gone after a
// few seconds unless the pointer or focus is on it.
import { createSignal, onCleanup, getOwner } from "solid-js";
import type { LibraryUpdate } from "../api";

/** A notice's one button ("Undo"). */
export type NoticeAction = { label: string; run: () => void };
export type Notice = { id: number; text: string; action?: NoticeAction };
export type Notices = ReturnType<typeof createNotices>;

export const NOTICE_MS = 8000;

/** "3 new episodes — Meta Tech Podcast", "1 new episode — A and B", "5 new episodes — A, B and 2 more". */
export function libraryUpdateText(update: LibraryUpdate): string {
  const n = update.new_episodes;
  const count = n === 1 ? "1 new episode" : `${n} new episodes`;
  const titles = update.show_titles.map((t) => t.trim()).filter(Boolean);
  if (titles.length === 0) return count;
  let names: string;
  if (titles.length === 1) names = titles[0]!;
  else if (titles.length === 2) names = `${titles[0]} and ${titles[1]}`;
  else names = `${titles[0]}, ${titles[1]} and ${titles.length - 2} more`;
  return `${count} — ${names}`;
}

export function createNotices(options: { hideAfterMs?: number } = {}) {
  const hideAfter = options.hideAfterMs ?? NOTICE_MS;
  const [notice, setNotice] = createSignal<Notice | null>(null);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let held = false;
  let next = 0;

  const schedule = () => {
    clearTimeout(timer);
    timer = held ? undefined : setTimeout(dismiss, hideAfter);
  };
  function show(text: string, action?: NoticeAction): void {
    setNotice({ id: ++next, text, action });
    schedule();
  }
  function dismiss(): void {
    clearTimeout(timer);
    timer = undefined;
    held = false;
    setNotice(null);
  }
  /** The pointer or focus is on the notice: it stays until they leave. */
  function hold(on: boolean): void {
    if (held === on) return;
    held = on;
    if (notice()) schedule();
  }
  if (getOwner()) onCleanup(() => clearTimeout(timer));

  return { notice, show, dismiss, hold };
}
