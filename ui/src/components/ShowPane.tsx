import { createMemo, createSignal, Match, Show, Switch } from "solid-js";
import type { DownloadView, EpisodeRow } from "../api";
import { FILTERS, filterAndSort, olderEpisodeIds } from "../episodeFilter";
import type { EpisodeFilter, EpisodeSort } from "../episodeFilter";
import type { Library } from "../stores/library";
import type { Queue } from "../stores/queue";
import type { MenuItem } from "./ContextMenu";
import EmptyState from "./EmptyState";
import EpisodeList from "./EpisodeList";
import EpisodeToolbar from "./EpisodeToolbar";
import ShowHeader from "./ShowHeader";

/** The middle pane: the selected show's header and episodes, or why there are none. */
export default function ShowPane(props: {
  library: Library;
  downloadOf?: (episodeId: string) => DownloadView | undefined;
  /** Plays an episode from where the listener left off (the row menu's "Play"). */
  onPlay?: (episodeId: string) => void;
  /** Up Next, for the row menu's "Play next" and "Play last". */
  queue?: Queue;
  /** An episode was opened (clicked, or Enter): in a one-pane window it takes the window. */
  onOpenEpisode?: (episodeId: string) => void;
  /** Behind the open library drawer. */
  inert?: boolean;
  /** The episode the player has loaded. */
  playingId?: string | null;
}) {
  const lib = props.library;
  // The list's filter and order stay as chosen when another show is opened.
  const [filter, setFilter] = createSignal<EpisodeFilter>("all");
  const [sort, setSort] = createSignal<EpisodeSort>("newest");
  const shown = createMemo(() => filterAndSort(lib.state.episodes, filter(), sort()));
  const unplayedShown = () => shown().filter((e) => !e.is_played).length;
  const emptyText = () => FILTERS.find((f) => f.id === filter())?.empty ?? "No episodes";
  const countText = () => {
    const n = shown().length;
    const label = filter() === "all" ? "" : ` ${FILTERS.find((f) => f.id === filter())?.label.toLowerCase()}`;
    return n === 1 ? `1${label} episode` : `${n}${label} episodes`;
  };
  const menuItems = (e: EpisodeRow): MenuItem[] => {
    const older = olderEpisodeIds(lib.state.episodes, e.id);
    return [
      ...(props.onPlay ? [{ label: "Play", testId: "episode-menu-play", icon: "play" as const, onSelect: () => props.onPlay?.(e.id) }] : []),
      ...(props.queue
        ? [
            { label: "Play next", testId: "episode-menu-play-next", icon: "play-next" as const, onSelect: () => void props.queue?.playNext([e.id]) },
            { label: "Play last", testId: "episode-menu-play-last", icon: "list" as const, onSelect: () => void props.queue?.playLast([e.id]) },
          ]
        : []),
      {
        label: e.is_played ? "Mark as unplayed" : "Mark as played",
        testId: "episode-menu-played",
        icon: "check",
        onSelect: () => void lib.setPlayed(e.id, !e.is_played),
      },
      {
        label: older.length === 1 ? "Mark 1 older as played" : `Mark all older as played`,
        testId: "episode-menu-mark-older",
        icon: "check-all",
        disabled: older.length === 0,
        onSelect: () => void lib.setPlayedMany(older, true),
      },
    ];
  };
  const show = () => lib.selectedShow();
  const error = () => {
    const s = show();
    return s ? lib.showError(s) : null;
  };
  const failedUnfetched = () => {
    const s = show();
    return !!s && lib.isUnfetched(s) && !!error();
  };
  const warning = () => {
    const e = error();
    return e && e.kind !== "Offline" && !lib.state.offline ? e : null;
  };

  return (
    <section class="pane show-pane" aria-label="Episodes" data-pane="episodes" inert={props.inert || undefined}>
      <Switch>
        <Match when={lib.state.loadError}>
          <EmptyState icon="alert" title="Couldn't open your library" message={lib.state.loadError} />
        </Match>
        <Match when={lib.state.loaded && lib.state.shows.length === 0}>
          <EmptyState
            icon="podcast"
            title="No podcasts yet"
            message="Paste a feed URL under “Add a podcast” to subscribe."
          />
        </Match>
        <Match when={failedUnfetched() && show()}>
          {(s) => (
            <EmptyState
              icon="alert"
              title="Couldn't load this podcast"
              message={error()?.message}
              detail={s().feed_url}
              onRetry={() => void lib.refresh()}
              retrying={lib.state.refreshing}
            />
          )}
        </Match>
        <Match when={show()}>
          {(s) => (
            <>
              <ShowHeader
                show={s()}
                warning={warning()}
                onSubscribeAgain={() => void lib.subscribe(s().feed_url)}
                onRemove={() => void lib.removeShow(s().id)}
              />
              <Show
                when={lib.state.episodes.length > 0}
                fallback={
                  <Show when={!lib.state.episodesLoading}>
                    <Show
                      when={lib.isUnfetched(s())}
                      fallback={<EmptyState icon="podcast" title="No episodes yet" message="This feed has no episodes." />}
                    >
                      <EmptyState icon="refresh" title="Loading this podcast…" message="Fetching the feed for the first time." />
                    </Show>
                  </Show>
                }
              >
                <EpisodeToolbar
                  filter={filter()}
                  sort={sort()}
                  onFilter={setFilter}
                  onSort={setSort}
                  unplayedShown={unplayedShown()}
                  onMarkAllPlayed={() => void lib.setPlayedMany(shown().map((e) => e.id), true)}
                  resetKey={s().id}
                />
                <p class="sr-only" role="status">
                  {countText()}
                </p>
                <Show
                  when={shown().length > 0}
                  fallback={
                    <div class="episode-filter-empty" data-testid="episode-filter-empty">
                      <p>{emptyText()}</p>
                      <button class="link-button" type="button" onClick={() => setFilter("all")}>
                        Show all episodes
                      </button>
                    </div>
                  }
                >
                  <EpisodeList
                    episodes={shown()}
                    selectedId={lib.state.selectedEpisodeId}
                    onSelect={(id) => void lib.selectEpisode(id)}
                    onOpen={props.onOpenEpisode}
                    playingId={props.playingId}
                    downloadOf={props.downloadOf}
                    menuItems={menuItems}
                  />
                </Show>
              </Show>
            </>
          )}
        </Match>
      </Switch>
    </section>
  );
}
