import { For, Show } from "solid-js";
import type { CommandError, ShowView } from "../api";
import { showName } from "../format";
import { onListKeyDown } from "../listNav";
import Artwork from "./Artwork";
import Icon from "./Icon";

type Props = {
  shows: ShowView[];
  selectedId: string | null;
  errorFor: (show: ShowView) => CommandError | null;
  onSelect: (showId: string) => void;
};

export default function ShowList(props: Props) {
  const tabbable = (show: ShowView, index: number) =>
    show.id === props.selectedId || (props.selectedId === null && index === 0);
  return (
    <ul class="show-list" role="listbox" aria-label="Podcasts" onKeyDown={(e) => onListKeyDown(e, props.onSelect)}>
      <For each={props.shows}>
        {(show, index) => (
          <li
            class="show-item"
            classList={{ selected: show.id === props.selectedId, "unsubscribed-elsewhere": show.unsubscribed_elsewhere }}
            role="option"
            aria-selected={show.id === props.selectedId}
            tabindex={tabbable(show, index()) ? 0 : -1}
            data-testid="show-item"
            data-id={show.id}
            data-show-id={show.id}
            title={show.unsubscribed_elsewhere ? `${showName(show)} (unsubscribed on another device)` : showName(show)}
            onClick={() => props.onSelect(show.id)}
          >
            <Artwork src={show.image_url} name={showName(show)} size="sm" />
            <span class="show-item-title">{showName(show)}</span>
            <Show when={props.errorFor(show) && props.errorFor(show)?.kind !== "Offline"}>
              <span class="show-item-warning" title={props.errorFor(show)?.message}>
                <Icon name="warning" size={14} />
              </span>
            </Show>
          </li>
        )}
      </For>
    </ul>
  );
}
