import { Show } from "solid-js";
import type { EpisodeRow } from "../api";
import { formatDate, formatDuration, formatRemaining, joinMeta } from "../format";
import Icon from "./Icon";

type Props = {
  episode: EpisodeRow;
  selected: boolean;
  tabbable: boolean;
  onSelect: (episodeId: string) => void;
};

export default function EpisodeItem(props: Props) {
  const progress = () =>
    props.episode.duration_s && props.episode.position_ms > 0 && !props.episode.is_played
      ? Math.min(100, props.episode.position_ms / 10 / props.episode.duration_s)
      : 0;
  return (
    <li
      class="episode-item"
      classList={{ selected: props.selected, played: props.episode.is_played }}
      role="option"
      aria-selected={props.selected}
      tabindex={props.tabbable ? 0 : -1}
      data-testid="episode-item"
      data-episode-id={props.episode.id}
      data-id={props.episode.id}
      data-played={props.episode.is_played ? "true" : "false"}
      onClick={() => props.onSelect(props.episode.id)}
    >
      <span class="episode-mark" aria-hidden="true">
        <Show when={props.episode.is_played} fallback={<span class="unplayed-dot" />}>
          <Icon name="check" size={14} />
        </Show>
      </span>
      <span class="episode-body">
        <span class="episode-title" data-testid="episode-title">
          {props.episode.title}
        </span>
        <span class="episode-meta">
          {joinMeta(
            formatDate(props.episode.published),
            formatDuration(props.episode.duration_s),
            props.episode.is_played ? "Played" : formatRemaining(props.episode.duration_s, props.episode.position_ms),
          )}
        </span>
        <Show when={progress() > 0}>
          <span class="episode-progress" aria-hidden="true">
            <span style={{ width: `${progress()}%` }} />
          </span>
        </Show>
      </span>
    </li>
  );
}
