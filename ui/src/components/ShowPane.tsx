import { Match, Show, Switch } from "solid-js";
import type { DownloadView } from "../api";
import type { Library } from "../stores/library";
import EmptyState from "./EmptyState";
import EpisodeList from "./EpisodeList";
import ShowHeader from "./ShowHeader";

/** The middle pane: the selected show's header and episodes, or why there are none. */
export default function ShowPane(props: { library: Library; downloadOf?: (episodeId: string) => DownloadView | undefined }) {
  const lib = props.library;
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
    <section class="pane show-pane" aria-label="Episodes">
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
              <ShowHeader show={s()} warning={warning()} />
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
                <EpisodeList
                  episodes={lib.state.episodes}
                  selectedId={lib.state.selectedEpisodeId}
                  onSelect={(id) => void lib.selectEpisode(id)}
                  downloadOf={props.downloadOf}
                />
              </Show>
            </>
          )}
        </Match>
      </Switch>
    </section>
  );
}
