// The episode in the player, with its title, show and chapters, as the engine says it: the
// `now-playing` event on every change of episode or of its chapters, and `nowPlaying()` once at
// start-up for a window that (re)loads. Nothing is looked up or worked out here.
import { createSignal } from "solid-js";
import * as api from "../api";
import type { ChapterView, NowPlayingView } from "../api";
import { follow } from "./follow";

export type NowPlaying = ReturnType<typeof createNowPlaying>;

export function createNowPlaying(options: {
  /** The episode in the player (its `player-update`s). */
  episodeId: () => string | null;
  /** Told each time the engine names the episode or changes its chapters. */
  onChange?: (now: NowPlayingView) => void;
}) {
  const [now, setNow] = createSignal<NowPlayingView | null>(null);

  const take = (next: NowPlayingView): void => {
    setNow(next);
    options.onChange?.(next);
  };

  /** Only what belongs to the episode the player reports. */
  const current = (): NowPlayingView | null => {
    const n = now();
    return n && n.episode_id === options.episodeId() ? n : null;
  };

  /** Listens first, so nothing is missed, then asks for what was said before. */
  const { start, stop } = follow<NowPlayingView | null>({
    listen: api.onNowPlaying,
    read: api.nowPlaying,
    take: (next) => next && take(next),
    what: "the now-playing episode",
  });

  return {
    current,
    title: (): string | null => current()?.title ?? null,
    showTitle: (): string | null => current()?.show_title ?? null,
    chapters: (): ChapterView[] => current()?.chapters ?? [],
    start,
    stop,
  };
}
