// The library as the UI sees it: shows, the selected show's episodes, the open episode and the
// refresh/offline state. Fed only by `../api`; components read `state` and call the actions.
import { batch } from "solid-js";
import { createStore, reconcile } from "solid-js/store";
import * as api from "../api";
import type { ChapterView, CommandError, EpisodeRow, EpisodeView, RefreshReport, ShowView } from "../api";
import { byNewest } from "../format";

export type LibraryState = {
  shows: ShowView[];
  /** True once the first `listShows` has answered (or failed). */
  loaded: boolean;
  /** The library on disk could not be read. */
  loadError: string | null;
  selectedShowId: string | null;
  episodes: EpisodeRow[];
  episodesLoading: boolean;
  selectedEpisodeId: string | null;
  episode: EpisodeView | null;
  episodeError: string | null;
  refreshing: boolean;
  offline: boolean;
  /** Per show id: why that show failed in the last refresh. */
  refreshErrors: Record<string, CommandError>;
  /** The refresh command itself failed (not one show). */
  refreshError: string | null;
  subscribing: boolean;
  subscribeError: string | null;
};

export type Library = ReturnType<typeof createLibrary>;

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export function createLibrary() {
  const [state, setState] = createStore<LibraryState>({
    shows: [],
    loaded: false,
    loadError: null,
    selectedShowId: null,
    episodes: [],
    episodesLoading: false,
    selectedEpisodeId: null,
    episode: null,
    episodeError: null,
    refreshing: false,
    offline: false,
    refreshErrors: {},
    refreshError: null,
    subscribing: false,
    subscribeError: null,
  });

  // Answers can arrive out of order (fast ↑/↓, a refresh mid-click): only the latest counts.
  let episodesSeq = 0;
  let episodeSeq = 0;

  async function loadShows(): Promise<void> {
    try {
      const shows = await api.listShows();
      batch(() => {
        setState("shows", reconcile(shows, { key: "id" }));
        setState({ loaded: true, loadError: null });
      });
    } catch (e) {
      setState({ loaded: true, loadError: message(e) });
      return;
    }
    const current = state.selectedShowId;
    if (!current || !state.shows.some((s) => s.id === current)) {
      const first = state.shows[0];
      if (first) await selectShow(first.id);
      else setState({ selectedShowId: null, episodes: [], selectedEpisodeId: null, episode: null });
    }
  }

  /** Reloads the selected show's episodes; keeps the open episode if it is still there. */
  async function loadEpisodes(showId: string, keepSelection: boolean): Promise<void> {
    const seq = ++episodesSeq;
    setState("episodesLoading", true);
    let rows: EpisodeRow[];
    try {
      rows = (await api.listEpisodes(showId)).sort(byNewest);
    } catch (e) {
      if (seq === episodesSeq) setState({ episodesLoading: false, episodeError: message(e) });
      return;
    }
    if (seq !== episodesSeq || state.selectedShowId !== showId) return;
    batch(() => {
      setState("episodes", reconcile(rows, { key: "id" }));
      setState("episodesLoading", false);
    });
    const open = state.selectedEpisodeId;
    if (keepSelection && open && rows.some((r) => r.id === open)) {
      await loadEpisode(open);
    } else {
      const first = rows[0];
      if (first) await selectEpisode(first.id);
      else setState({ selectedEpisodeId: null, episode: null });
    }
  }

  async function loadEpisode(episodeId: string): Promise<void> {
    const seq = ++episodeSeq;
    try {
      const view = await api.getEpisode(episodeId);
      if (seq === episodeSeq && state.selectedEpisodeId === episodeId) {
        // Reloading the open episode (a refresh) merges in place, so its rows and the focus in
        // them survive; another episode replaces it.
        batch(() => {
          if (state.episode?.row.id === episodeId) setState("episode", reconcile(view, { merge: true }));
          else setState("episode", view);
          setState("episodeError", null);
        });
        // Shown at once with the chapters known offline; the full list follows.
        void loadChapters(episodeId);
      }
    } catch (e) {
      if (seq === episodeSeq) setState({ episodeError: message(e) });
    }
  }

  /**
   * Fetches what the feed only points to (a chapters file, chapters in the audio) and replaces
   * the open episode's list — only if that episode is still the open one. A failure keeps the
   * list already shown, quietly.
   */
  async function loadChapters(episodeId: string): Promise<void> {
    let chapters: ChapterView[];
    try {
      chapters = await api.loadChapters(episodeId);
    } catch (e) {
      console.debug("could not load chapters", episodeId, e);
      return;
    }
    if (!Array.isArray(chapters)) return;
    if (state.selectedEpisodeId !== episodeId || state.episode?.row.id !== episodeId) return;
    if (chapters.length === 0 && state.episode.chapters.length > 0) return;
    // Merged by position: chapters that did not change keep their rows (and the focus).
    setState("episode", "chapters", reconcile(chapters, { merge: true }));
  }

  /** The engine's new list for an episode (re-derived once its real length was known): shown if it is open. */
  function replaceChapters(episodeId: string, chapters: ChapterView[]): void {
    if (state.episode?.row.id !== episodeId) return;
    setState("episode", "chapters", reconcile(chapters, { merge: true }));
  }

  async function selectShow(showId: string): Promise<void> {
    if (showId === state.selectedShowId && state.episodes.length > 0) return;
    batch(() => {
      setState({ selectedShowId: showId, episodes: [], selectedEpisodeId: null, episode: null, episodeError: null });
    });
    await loadEpisodes(showId, false);
  }

  async function selectEpisode(episodeId: string): Promise<void> {
    if (episodeId === state.selectedEpisodeId && state.episode?.row.id === episodeId) return;
    setState({ selectedEpisodeId: episodeId, episodeError: null });
    await loadEpisode(episodeId);
  }

  function applyReport(report: RefreshReport): void {
    const errors: Record<string, CommandError> = {};
    for (const s of report.shows) if (s.error) errors[s.show_id] = s.error;
    const offline = report.is_offline || report.shows.some((s) => s.error?.kind === "Offline");
    batch(() => {
      setState("refreshErrors", reconcile(errors));
      setState({ offline, refreshError: null });
    });
  }

  /**
   * Refreshes every show from the network, then reloads what is on screen. At start-up
   * (`dueOnly`) shows whose server asked not to be fetched again yet are left alone.
   */
  async function refresh(dueOnly = false): Promise<void> {
    if (state.refreshing) return;
    setState("refreshing", true);
    try {
      applyReport(await (dueOnly ? api.refreshDueShows() : api.refreshLibrary()));
    } catch (e) {
      if (e instanceof api.ApiError && e.kind === "Offline") setState({ offline: true, refreshError: null });
      else setState("refreshError", message(e));
    }
    try {
      await reload();
    } finally {
      setState("refreshing", false);
    }
  }

  /**
   * Reads the library again without touching the network (after a background refresh, an OPML
   * import, marking many episodes): the shows, and the open show's episodes in place.
   */
  async function reload(): Promise<void> {
    const before = state.selectedShowId;
    await loadShows();
    // loadShows already loaded a newly chosen show; reload the kept one in place.
    if (before && state.selectedShowId === before) await loadEpisodes(before, true);
  }

  /** Start-up: the library from disk first (instant), then a background refresh. */
  async function start(): Promise<void> {
    await loadShows();
    await refresh(true);
  }

  /** Subscribes and opens the new show. Resolves true on success; on failure the error is in `subscribeError`. */
  async function subscribe(url: string): Promise<boolean> {
    const trimmed = url.trim();
    if (!trimmed) {
      setState("subscribeError", "Paste the address of a podcast feed.");
      return false;
    }
    setState({ subscribing: true, subscribeError: null });
    try {
      const show = await api.subscribeFeed(trimmed);
      await loadShows();
      await selectShow(show.id);
      return true;
    } catch (e) {
      setState("subscribeError", message(e));
      return false;
    } finally {
      setState("subscribing", false);
    }
  }

  /** Removes a show and its episodes from the library. */
  async function removeShow(showId: string): Promise<void> {
    try {
      await api.unsubscribeShow(showId);
    } catch (e) {
      setState("subscribeError", message(e));
    }
    await reload();
  }

  function clearSubscribeError(): void {
    if (state.subscribeError) setState("subscribeError", null);
  }

  /** Marks an episode played or unplayed, optimistically. */
  async function setPlayed(episodeId: string, isPlayed: boolean): Promise<void> {
    const apply = (value: boolean) =>
      batch(() => {
        setState("episodes", (r) => r.id === episodeId, "is_played", value);
        if (state.episode?.row.id === episodeId) setState("episode", "row", "is_played", value);
      });
    apply(isPlayed);
    try {
      await api.setPlayed(episodeId, isPlayed);
    } catch (e) {
      apply(!isPlayed);
      setState("episodeError", message(e));
    }
  }

  /**
   * Marks several episodes of the open show played or unplayed: shown at once, then the list is
   * read again from the backend. Resolves to how many changed (0 when it failed; the error is
   * then in `episodeError`).
   */
  async function setPlayedMany(episodeIds: readonly string[], isPlayed: boolean): Promise<number> {
    const ids = new Set(episodeIds);
    if (ids.size === 0) return 0;
    const showId = state.selectedShowId;
    batch(() => {
      setState("episodes", (r) => ids.has(r.id) && r.is_played !== isPlayed, "is_played", isPlayed);
      if (state.episode && ids.has(state.episode.row.id)) setState("episode", "row", "is_played", isPlayed);
    });
    let changed = 0;
    let failure: string | null = null;
    try {
      changed = await api.setPlayedMany([...ids], isPlayed);
    } catch (e) {
      failure = message(e);
    }
    // Either way, what the backend has is the truth (and undoes the optimistic marks on failure).
    if (showId && state.selectedShowId === showId) await loadEpisodes(showId, true);
    // After the reload, which clears the open episode's error.
    if (failure) setState("episodeError", failure);
    return changed;
  }

  /**
   * What playback did to an episode (paused at, finished), shown at once; the backend has
   * saved it already, so nothing is sent.
   */
  function noteProgress(episodeId: string, positionMs: number, finished: boolean): void {
    const patch = finished ? { is_played: true, position_ms: 0 } : { position_ms: Math.max(0, Math.round(positionMs)) };
    batch(() => {
      setState("episodes", (r) => r.id === episodeId, patch);
      if (state.episode?.row.id === episodeId) setState("episode", "row", patch);
    });
  }

  /** A download finished or its file was deleted: shown at once; the backend has recorded it already. */
  function setDownloaded(episodeId: string, isDownloaded: boolean): void {
    batch(() => {
      setState("episodes", (r) => r.id === episodeId && r.is_downloaded !== isDownloaded, "is_downloaded", isDownloaded);
      if (state.episode?.row.id === episodeId && state.episode.row.is_downloaded !== isDownloaded) {
        setState("episode", "row", "is_downloaded", isDownloaded);
      }
    });
  }

  /**
   * Opens an episode from outside the show list (the Downloads view, search): its show, then the
   * episode. Without `knownShowId` the episode is asked for first, since only it knows its show.
   */
  async function openEpisode(episodeId: string, knownShowId?: string): Promise<void> {
    let showId: string;
    if (knownShowId) showId = knownShowId;
    else {
      try {
        showId = (await api.getEpisode(episodeId)).row.show_id;
      } catch (e) {
        setState("episodeError", message(e));
        return;
      }
    }
    if (showId === state.selectedShowId && state.episodes.length > 0) {
      await selectEpisode(episodeId);
      return;
    }
    // Chosen before the rows arrive, so loadEpisodes keeps it instead of opening the newest.
    setState({ selectedShowId: showId, episodes: [], selectedEpisodeId: episodeId, episode: null, episodeError: null });
    await loadEpisodes(showId, true);
  }

  const selectedShow = (): ShowView | undefined => state.shows.find((s) => s.id === state.selectedShowId);

  /** Why a show could not be refreshed: this session's report first, else what the library remembers. */
  const showError = (show: ShowView): CommandError | null => {
    const fromReport = state.refreshErrors[show.id];
    if (fromReport) return fromReport;
    if (show.last_error) return { kind: state.offline ? "Offline" : "NotAFeed", message: show.last_error };
    return null;
  };

  /** Never fetched: no title and no episodes yet. */
  const isUnfetched = (show: ShowView): boolean => show.title.trim() === "" && show.episode_count === 0;

  return {
    state,
    start,
    refresh,
    reload,
    loadShows,
    selectShow,
    selectEpisode,
    loadChapters,
    replaceChapters,
    subscribe,
    removeShow,
    clearSubscribeError,
    setPlayed,
    setPlayedMany,
    noteProgress,
    setDownloaded,
    openEpisode,
    selectedShow,
    showError,
    isUnfetched,
  };
}
