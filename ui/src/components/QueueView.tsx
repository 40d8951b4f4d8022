import { createSignal, For, Show } from "solid-js";
import type { QueueItem } from "../api";
import { formatDuration } from "../format";
import type { Queue } from "../stores/queue";
import EmptyState from "./EmptyState";
import Icon from "./Icon";

type Props = {
  queue: Queue;
  /** The episode loaded in the player, marked in the list. */
  playingId: string | null;
  onPlay: (episodeId: string) => void;
  onOpen: (episodeId: string) => void;
  /** Behind the open library drawer. */
  inert?: boolean;
};

/**
 * Up Next: the queue in order. Reorder by dragging a row, or with Alt+↑/↓ on a focused row;
 * Delete removes it; Enter plays it. When one episode ends the next starts by itself, unless
 * continuous play is switched off.
 */
export default function QueueView(props: Props) {
  const q = props.queue;
  const [dragging, setDragging] = createSignal<string | null>(null);
  let list: HTMLOListElement | undefined;

  const focusRow = (episodeId: string) =>
    queueMicrotask(() =>
      Array.from(list?.querySelectorAll<HTMLElement>("[data-testid=queue-item]") ?? [])
        .find((row) => row.dataset.episodeId === episodeId)
        ?.focus(),
    );

  const onRowKey = (event: KeyboardEvent, item: QueueItem, index: number) => {
    if (event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
      event.preventDefault();
      event.stopPropagation();
      void q.move(item.episode_id, index + (event.key === "ArrowUp" ? -1 : 1)).then(() => focusRow(item.episode_id));
    } else if (event.key === "Delete" || event.key === "Backspace") {
      event.preventDefault();
      event.stopPropagation();
      const next = q.state.view.items[index + 1] ?? q.state.view.items[index - 1];
      void q.remove(item.episode_id).then(() => next && focusRow(next.episode_id));
    } else if (event.key === "Enter") {
      event.preventDefault();
      event.stopPropagation();
      props.onPlay(item.episode_id);
    }
  };

  const onDrop = (event: DragEvent, index: number) => {
    event.preventDefault();
    const id = dragging();
    setDragging(null);
    if (id) void q.move(id, index);
  };

  return (
    <section class="pane queue-pane" aria-labelledby="queue-heading" data-testid="queue-view" data-pane="episodes" inert={props.inert || undefined}>
      <header class="queue-header">
        <h2 id="queue-heading" class="pane-title">
          Up Next
        </h2>
        <label class="queue-continuous" title="When an episode ends, start the next one">
          <input
            type="checkbox"
            data-testid="queue-continuous"
            checked={q.state.view.continuous}
            onChange={(e) => void q.setContinuous(e.currentTarget.checked)}
          />
          Play continuously
        </label>
        <button class="button" type="button" data-testid="queue-clear" disabled={q.count() === 0} onClick={() => void q.clear()}>
          Clear
        </button>
      </header>
      <Show when={q.state.error}>
        <p class="player-error" role="alert" data-testid="queue-error">
          {q.state.error}
        </p>
      </Show>
      <Show
        when={q.count() > 0}
        fallback={<EmptyState icon="list" title="Nothing up next" message="Choose “Play next” or “Play last” on an episode or a search result." />}
      >
        <ol class="queue-list" ref={list} data-testid="queue-list" aria-label="Up Next, in order (Alt+↑/↓ moves, Delete removes)">
          <For each={q.state.view.items}>
            {(item, index) => (
              <li
                class="queue-row"
                classList={{ playing: item.episode_id === props.playingId, dragging: dragging() === item.episode_id }}
                tabindex="0"
                draggable="true"
                data-testid="queue-item"
                data-episode-id={item.episode_id}
                aria-current={item.episode_id === props.playingId ? "true" : undefined}
                onKeyDown={(e) => onRowKey(e, item, index())}
                onDragStart={(e) => {
                  setDragging(item.episode_id);
                  e.dataTransfer?.setData("text/plain", item.episode_id);
                }}
                onDragEnd={() => setDragging(null)}
                onDragOver={(e) => e.preventDefault()}
                onDrop={(e) => onDrop(e, index())}
              >
                <span class="queue-grip" aria-hidden="true">
                  <Icon name="grip" size={14} />
                </span>
                <button class="queue-title link-button" type="button" tabindex="-1" onClick={() => props.onOpen(item.episode_id)}>
                  <span class="queue-episode" data-testid="queue-item-title">
                    {item.title}
                  </span>
                  <span class="queue-show">
                    {item.show_title}
                    <Show when={item.duration_s}>{(d) => <> · {formatDuration(d())}</>}</Show>
                    <Show when={!item.is_downloaded}> · streams</Show>
                  </span>
                </button>
                <button
                  class="button button-icon"
                  type="button"
                  tabindex="-1"
                  data-testid="queue-item-play"
                  aria-label={`Play ${item.title}`}
                  title="Play now"
                  onClick={() => props.onPlay(item.episode_id)}
                >
                  <Icon name="play" size={14} />
                </button>
                <button
                  class="button button-icon"
                  type="button"
                  tabindex="-1"
                  data-testid="queue-item-remove"
                  aria-label={`Remove ${item.title} from Up Next`}
                  title="Remove (Delete)"
                  onClick={() => void q.remove(item.episode_id)}
                >
                  <Icon name="close" size={14} />
                </button>
              </li>
            )}
          </For>
        </ol>
      </Show>
    </section>
  );
}
