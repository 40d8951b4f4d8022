import { Show } from "solid-js";
import type { EpisodeView } from "../api";
import { formatDate, formatDuration, formatRemaining, joinMeta } from "../format";
import Icon from "./Icon";
import RichText from "./RichText";

type Props = {
  episode: EpisodeView | null;
  showName: string | null;
  error: string | null;
  onSetPlayed: (episodeId: string, isPlayed: boolean) => void;
};

/** The right pane: the open episode and its show notes. */
export default function EpisodePane(props: Props) {
  const number = (e: EpisodeView) =>
    e.episode_number == null ? null : e.season == null ? `Episode ${e.episode_number}` : `S${e.season} E${e.episode_number}`;
  return (
    <section class="pane episode-pane" data-testid="episode-view" aria-label="Episode">
      <Show
        when={props.episode}
        fallback={
          <div class="episode-placeholder">
            <Icon name="podcast" size={32} />
            <p>{props.error ?? "Choose an episode to read its show notes."}</p>
          </div>
        }
      >
        {(episode) => (
          <article class="episode-article">
            <header class="episode-header">
              <Show when={props.showName}>
                <p class="episode-eyebrow">{props.showName}</p>
              </Show>
              <h2 class="episode-heading">{episode().row.title}</h2>
              <p class="episode-facts">
                {joinMeta(
                  formatDate(episode().row.published),
                  formatDuration(episode().row.duration_s),
                  number(episode()),
                  episode().row.is_played ? null : formatRemaining(episode().row.duration_s, episode().row.position_ms),
                )}
              </p>
              <div class="episode-actions">
                <button
                  class="button"
                  classList={{ "button-toggled": episode().row.is_played }}
                  type="button"
                  aria-pressed={episode().row.is_played}
                  onClick={() => props.onSetPlayed(episode().row.id, !episode().row.is_played)}
                >
                  <Icon name="check" size={14} />
                  {episode().row.is_played ? "Played" : "Mark as played"}
                </button>
                <Show when={episode().link}>
                  <a class="button button-quiet" href={episode().link ?? ""}>
                    Episode page
                    <Icon name="external" size={12} />
                  </a>
                </Show>
              </div>
              <Show when={props.error}>
                <p class="episode-error" role="alert">
                  {props.error}
                </p>
              </Show>
            </header>
            <Show
              when={episode().description_html.trim()}
              fallback={<p class="show-notes show-notes-empty" data-testid="show-notes">This episode has no show notes.</p>}
            >
              <RichText class="show-notes" testId="show-notes" html={episode().description_html} />
            </Show>
          </article>
        )}
      </Show>
    </section>
  );
}
