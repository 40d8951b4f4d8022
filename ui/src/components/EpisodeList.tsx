import { createMemo, createSelector, For } from "solid-js";
import type { DownloadView, EpisodeRow } from "../api";
import { onListKeyDown } from "../listNav";
import EpisodeItem from "./EpisodeItem";

type Props = {
  episodes: EpisodeRow[];
  selectedId: string | null;
  onSelect: (episodeId: string) => void;
  /** An episode's download, for the row's small download mark. */
  downloadOf?: (episodeId: string) => DownloadView | undefined;
};

export default function EpisodeList(props: Props) {
  // createSelector: changing the selection touches two rows, not all of them.
  const isSelected = createSelector(() => props.selectedId);
  const tabbableId = createMemo(() =>
    props.episodes.some((e) => e.id === props.selectedId) ? props.selectedId : (props.episodes[0]?.id ?? null),
  );
  const isTabbable = createSelector(tabbableId);
  return (
    <ul class="episode-list" role="listbox" aria-label="Episodes" onKeyDown={(e) => onListKeyDown(e, props.onSelect)}>
      <For each={props.episodes}>
        {(episode) => (
          <EpisodeItem
            episode={episode}
            selected={isSelected(episode.id)}
            tabbable={isTabbable(episode.id)}
            onSelect={props.onSelect}
            download={props.downloadOf?.(episode.id)}
          />
        )}
      </For>
    </ul>
  );
}
