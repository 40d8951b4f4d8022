import { Show } from "solid-js";
import type { DownloadView, EpisodeRow } from "../api";
import { formatDate, formatDuration, formatRemaining, joinMeta } from "../format";
import { isActive, progressFraction } from "../stores/downloads";
import Icon from "./Icon";

type Props = {
  episode: EpisodeRow;
  /** Its download, if one is under way or known. */
  download?: DownloadView | undefined;
  selected: boolean;
  tabbable: boolean;
  onSelect: (episodeId: string) => void;
  /** The episode the player has loaded: marked `aria-current` for screen readers. */
  playing?: boolean;
  /** A click opens the episode (see EpisodeList's `onOpen`). */
  onOpen?: (episodeId: string) => void;
  /** 1-based place in the whole list, and its length (a windowed list renders only some rows). */
  posinset: number;
  setsize: number;
  /** In a windowed list: the row's offset from the top, in px. */
  top?: number | undefined;
  /** Right-click (or the context-menu key, handled by the list): the row's actions. */
  onContextMenu?: (episodeId: string, x: number, y: number) => void;
};

export default function EpisodeItem(props: Props) {
  const progress = () =>
    props.episode.duration_s && props.episode.position_ms > 0 && !props.episode.is_played
      ? Math.min(100, props.episode.position_ms / 10 / props.episode.duration_s)
      : 0;
  /** Percent fetched while downloading (null: size unknown); undefined when not downloading. */
  const fetching = (): number | null | undefined => {
    const d = props.download;
    if (!d || !isActive(d)) return undefined;
    const f = progressFraction(d);
    return f == null ? null : Math.floor(f * 100);
  };
  return (
    <li
      class="episode-item"
      classList={{ selected: props.selected, played: props.episode.is_played, "virtual-row": props.top !== undefined }}
      style={props.top !== undefined ? { top: `${props.top}px` } : undefined}
      role="option"
      aria-selected={props.selected}
      aria-current={props.playing ? "true" : undefined}
      aria-posinset={props.posinset}
      aria-setsize={props.setsize}
      tabindex={props.tabbable ? 0 : -1}
      data-testid="episode-item"
      data-episode-id={props.episode.id}
      data-id={props.episode.id}
      data-played={props.episode.is_played ? "true" : "false"}
      onClick={() => {
        props.onSelect(props.episode.id);
        props.onOpen?.(props.episode.id);
      }}
      onContextMenu={(e) => {
        if (!props.onContextMenu) return;
        e.preventDefault();
        props.onSelect(props.episode.id);
        props.onContextMenu(props.episode.id, e.clientX, e.clientY);
      }}
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
          <Show
            when={fetching() !== undefined}
            fallback={
              <Show when={props.episode.is_downloaded}>
                <span class="episode-download-mark" data-testid="episode-downloaded" title="Downloaded">
                  <Icon name="downloaded" size={12} />
                  <span class="sr-only">Downloaded</span>
                </span>
              </Show>
            }
          >
            <span class="episode-download-mark downloading" data-testid="episode-downloading" title="Downloading">
              <Icon name="download" size={12} />
              <span class="sr-only">Downloading</span>
              {fetching() == null ? "" : `${fetching()}%`}
            </span>
          </Show>
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
