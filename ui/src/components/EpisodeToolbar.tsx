import { createEffect, createSignal, For, on, Show } from "solid-js";
import { FILTERS } from "../episodeFilter";
import type { EpisodeFilter, EpisodeSort } from "../episodeFilter";
import Icon from "./Icon";

type Props = {
  filter: EpisodeFilter;
  sort: EpisodeSort;
  onFilter: (filter: EpisodeFilter) => void;
  onSort: (sort: EpisodeSort) => void;
  /** Unplayed episodes in the list as filtered: what "Mark all played" would change. */
  unplayedShown: number;
  /** Marks every episode in the filtered list played. */
  onMarkAllPlayed: () => void;
  /** Resets the confirmation (another show). */
  resetKey: string;
};

/** Above the episode list: a filter (All / Unplayed / In progress / Downloaded), the order, "Mark all played". */
export default function EpisodeToolbar(props: Props) {
  const [confirming, setConfirming] = createSignal(false);
  let confirmButton: HTMLButtonElement | undefined;
  let markButton: HTMLButtonElement | undefined;
  createEffect(on([() => props.resetKey, () => props.filter], () => setConfirming(false), { defer: true }));

  const ask = () => {
    setConfirming(true);
    confirmButton?.focus();
  };
  const answer = (yes: boolean) => {
    setConfirming(false);
    if (yes) props.onMarkAllPlayed();
    markButton?.focus();
  };
  const n = () => props.unplayedShown;

  return (
    <div class="episode-toolbar">
      <div class="segmented" role="group" aria-label="Show episodes">
        <For each={FILTERS}>
          {(f) => (
            <button
              class="segment"
              classList={{ active: props.filter === f.id }}
              type="button"
              aria-pressed={props.filter === f.id}
              data-testid={`episode-filter-${f.id}`}
              onClick={() => props.onFilter(f.id)}
            >
              {f.label}
            </button>
          )}
        </For>
      </div>
      <div class="episode-toolbar-end">
        <Show
          when={confirming()}
          fallback={
            <>
              <button
                class="button button-quiet episode-sort"
                type="button"
                data-testid="episode-sort"
                data-sort={props.sort}
                aria-label={props.sort === "newest" ? "Newest first. Show oldest first" : "Oldest first. Show newest first"}
                title={props.sort === "newest" ? "Show oldest first" : "Show newest first"}
                onClick={() => props.onSort(props.sort === "newest" ? "oldest" : "newest")}
              >
                <Icon name="sort" size={14} />
                <span class="episode-sort-label">{props.sort === "newest" ? "Newest" : "Oldest"}</span>
              </button>
              <button
                ref={markButton}
                class="button button-icon"
                type="button"
                data-testid="mark-all-played"
                disabled={n() === 0}
                aria-label={n() === 0 ? "Mark all played (all are played)" : `Mark all ${n()} listed as played`}
                title={n() === 0 ? "All these episodes are played" : `Mark all ${n()} listed as played`}
                onClick={ask}
              >
                <Icon name="check-all" size={16} />
              </button>
            </>
          }
        >
          <span class="confirm-inline" role="group" aria-label="Confirm">
            <span class="confirm-inline-question">{n() === 1 ? "Mark 1 as played?" : `Mark ${n()} as played?`}</span>
            <button
              ref={confirmButton}
              class="button button-primary button-small"
              type="button"
              data-testid="mark-all-played-confirm"
              onClick={() => answer(true)}
            >
              Mark played
            </button>
            <button class="button button-small" type="button" data-testid="mark-all-played-cancel" onClick={() => answer(false)}>
              Cancel
            </button>
          </span>
        </Show>
      </div>
    </div>
  );
}
