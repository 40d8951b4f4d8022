// The title and chapters of the episode in the player. The open episode and the listed rows
// usually have them; an episode from elsewhere (another show) is fetched once.
import { createEffect, createMemo, createSignal, on } from "solid-js";
import * as api from "../api";
import type { ChapterView, EpisodeRow, EpisodeView } from "../api";

type Sources = {
  /** The episode in the player. */
  episodeId: () => string | null;
  /** The episode open in the episode pane. */
  open: () => EpisodeView | null;
  /** The rows of the selected show. */
  rows: () => readonly EpisodeRow[];
};

export function createNowPlaying(sources: Sources) {
  const [fetched, setFetched] = createSignal<EpisodeView | null>(null);
  const open = createMemo(() => {
    const e = sources.open();
    return e && e.row.id === sources.episodeId() ? e : null;
  });
  // Not the open episode: fetch it (its chapters too, cached by the backend since it is playing).
  let seq = 0;
  createEffect(
    on([sources.episodeId, () => !!open()], ([id, isOpen]) => {
      const mine = ++seq;
      if (!id || isOpen || fetched()?.row.id === id) return;
      void (async () => {
        try {
          const view = await api.getEpisode(id);
          if (mine !== seq) return;
          setFetched(view);
          const chapters = await api.loadChapters(id).catch(() => null);
          if (mine === seq && Array.isArray(chapters) && chapters.length > 0) setFetched({ ...view, chapters });
        } catch (e) {
          console.debug("could not fetch the playing episode", id, e);
        }
      })();
    }),
  );
  const other = (): EpisodeView | null => {
    const f = fetched();
    return f && f.row.id === sources.episodeId() ? f : null;
  };

  /** The engine's new list for the playing episode, when it is not the open one. */
  const replaceChapters = (episodeId: string, chapters: ChapterView[]): void => {
    const f = fetched();
    if (f && f.row.id === episodeId) setFetched({ ...f, chapters });
  };

  const title = (): string | null => {
    const id = sources.episodeId();
    if (!id) return null;
    return open()?.row.title ?? sources.rows().find((r) => r.id === id)?.title ?? other()?.row.title ?? null;
  };
  const chapters = (): ChapterView[] => open()?.chapters ?? other()?.chapters ?? [];

  return { title, chapters, replaceChapters };
}
