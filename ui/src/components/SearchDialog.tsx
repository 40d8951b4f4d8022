import { createEffect, createSignal, For, Match, on, onCleanup, Show, Switch } from "solid-js";
import * as api from "../api";
import type { SearchHit } from "../api";
import { formatDate, formatTimestamp, joinMeta } from "../format";
import Dialog from "./Dialog";
import Icon from "./Icon";
import Runs from "./Runs";

type Props = {
  onClose: () => void;
  /** Enter or a click on a result: play a chapter hit from its start, open and play an episode hit. */
  onChoose: (hit: SearchHit) => void;
  /** Shift+Enter: put the hit in Up Next after what is playing (a chapter hit from its start); the palette stays open. */
  onQueueNext?: (hit: SearchHit) => void;
  /** How long typing must pause before searching. */
  debounceMs?: number;
  /** Where focus goes on closing if what had it is gone. */
  returnFocus?: () => HTMLElement | undefined;
};

export const SEARCH_DEBOUNCE_MS = 80;

/** How far each key moves the active result; Home/End stay with the text field. */
const RESULT_STEPS = new Map([
  ["ArrowDown", 1],
  ["ArrowUp", -1],
  ["PageDown", 5],
  ["PageUp", -5],
]);

/** A chapter or transcript hit starts somewhere; an episode hit does not. */
export const isChapterHit = (hit: SearchHit): hit is SearchHit & { start_ms: number } => hit.start_ms != null;

type Status = "idle" | "searching" | "done" | "error";

/** The search palette: type, move with ↑/↓, Enter plays. */
export default function SearchDialog(props: Props) {
  const [query, setQuery] = createSignal("");
  const [results, setResults] = createSignal<SearchHit[]>([]);
  /** The query the results (or the error) are for. */
  const [answered, setAnswered] = createSignal("");
  const [status, setStatus] = createSignal<Status>("idle");
  const [error, setError] = createSignal<string | null>(null);
  const [active, setActive] = createSignal(0);
  /** What Shift+Enter last put in Up Next, said once. */
  const [queued, setQueued] = createSignal<string | null>(null);
  let input: HTMLInputElement | undefined;
  let list: HTMLUListElement | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Answers can arrive out of order: only the latest search counts.
  let seq = 0;

  const run = async (q: string) => {
    const mine = ++seq;
    setStatus("searching");
    try {
      const hits = await api.search(q);
      if (mine !== seq) return;
      setResults(Array.isArray(hits) ? hits : []);
      setAnswered(q);
      setActive(0);
      setError(null);
      setStatus("done");
    } catch (e) {
      if (mine !== seq) return;
      setResults([]);
      setAnswered(q);
      setError(e instanceof Error ? e.message : String(e));
      setStatus("error");
    }
  };

  const onInput = (value: string) => {
    setQuery(value);
    clearTimeout(timer);
    const q = value.trim();
    if (!q) {
      seq++; // a search still on its way is stale now
      setResults([]);
      setAnswered("");
      setError(null);
      setStatus("idle");
      return;
    }
    setStatus("searching");
    timer = setTimeout(() => void run(q), props.debounceMs ?? SEARCH_DEBOUNCE_MS);
  };
  onCleanup(() => {
    clearTimeout(timer);
    seq++;
  });

  const optionId = (i: number) => `search-result-${i}`;
  const choose = (i: number) => {
    const hit = results()[i];
    if (hit) props.onChoose(hit);
  };
  const move = (to: number) => {
    const n = results().length;
    if (n === 0) return;
    setActive(Math.max(0, Math.min(n - 1, to)));
  };

  createEffect(
    on(active, (i) => {
      list?.querySelector<HTMLElement>(`[data-index="${i}"]`)?.scrollIntoView?.({ block: "nearest" });
    }),
  );

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.isComposing) return;
    const step = RESULT_STEPS.get(event.key);
    if (step !== undefined) {
      event.preventDefault();
      move(active() + step);
      return;
    }
    if (event.key === "Enter") {
      event.preventDefault();
      // Results still for an older query: wait for these rather than play the wrong one.
      if (answered() !== query().trim()) return;
      const hit = results()[active()];
      if (event.shiftKey && hit && props.onQueueNext) {
        props.onQueueNext(hit);
        setQueued(hit.chapter_title ?? hit.episode_title);
      } else choose(active());
    }
  };

  const hasResults = () => results().length > 0;
  const noMatch = () => status() === "done" && !hasResults() && answered() !== "";
  const countText = () => {
    if (status() !== "done" || !answered()) return "";
    const n = results().length;
    return n === 0 ? "No results" : n === 1 ? "1 result" : `${n} results`;
  };

  return (
    <Dialog
      label="Search"
      testId="search-dialog"
      class="search-dialog"
      onClose={props.onClose}
      initialFocus={() => input}
      returnFocus={props.returnFocus}
    >
      <div class="search-field" classList={{ searching: status() === "searching" }}>
        <Icon name="search" size={18} />
        <input
          ref={input}
          class="search-input"
          type="text"
          role="combobox"
          aria-label="Search episodes, chapters and transcripts"
          aria-expanded={hasResults()}
          aria-controls="search-results"
          aria-autocomplete="list"
          aria-activedescendant={hasResults() ? optionId(active()) : undefined}
          placeholder="Search episodes, chapters and transcripts"
          autocomplete="off"
          spellcheck={false}
          data-testid="search-input"
          value={query()}
          onInput={(e) => onInput(e.currentTarget.value)}
          onKeyDown={onKeyDown}
        />
        <Show when={status() === "searching"}>
          <span class="spinner search-spinner" aria-hidden="true" />
        </Show>
        <button class="button button-icon search-close" type="button" aria-label="Close search" title="Close (Esc)" onClick={() => props.onClose()}>
          <Icon name="close" size={16} />
        </button>
      </div>
      <Switch>
        <Match when={hasResults()}>
          <ul
            ref={list}
            id="search-results"
            class="search-results"
            classList={{ stale: answered() !== query().trim() }}
            role="listbox"
            aria-label="Results"
          >
            <For each={results()}>
              {(hit, i) => (
                <SearchResult
                  hit={hit}
                  id={optionId(i())}
                  index={i()}
                  active={active() === i()}
                  onHover={() => setActive(i())}
                  onChoose={() => choose(i())}
                />
              )}
            </For>
          </ul>
        </Match>
        <Match when={status() === "error"}>
          <p class="search-empty search-error" role="alert" data-testid="search-error">
            Search failed: {error()}
          </p>
        </Match>
        <Match when={noMatch()}>
          <p class="search-empty" data-testid="search-empty">
            Nothing said or written matches “{answered()}”
          </p>
        </Match>
        <Match when={!query().trim()}>
          <p class="search-empty" data-testid="search-empty">
            Type to search every episode, chapter and transcript
          </p>
        </Match>
      </Switch>
      <footer class="search-footer" aria-hidden="true">
        <span>
          <kbd>↑</kbd>
          <kbd>↓</kbd> to choose
        </span>
        <span>
          <kbd>Enter</kbd> to play
        </span>
        <Show when={props.onQueueNext}>
          <span>
            <kbd>Shift</kbd>
            <kbd>Enter</kbd> to play next
          </span>
        </Show>
        <span>
          <kbd>Esc</kbd> to close
        </span>
      </footer>
      <span class="sr-only" role="status">
        {countText()}
      </span>
      <Show when={queued()}>
        {(title) => (
          <p class="search-queued" data-testid="search-queued" role="status">
            Up next: {title()}
          </p>
        )}
      </Show>
    </Dialog>
  );
}

function SearchResult(props: {
  hit: SearchHit;
  id: string;
  index: number;
  active: boolean;
  onHover: () => void;
  onChoose: () => void;
}) {
  const chapter = () => isChapterHit(props.hit);
  const said = () => props.hit.kind === "transcript";
  const time = () => (props.hit.start_ms != null ? formatTimestamp(props.hit.start_ms) : "");
  return (
    <li
      id={props.id}
      class="search-result"
      classList={{ active: props.active }}
      role="option"
      aria-selected={props.active}
      data-testid="search-result"
      data-index={props.index}
      data-episode-id={props.hit.episode_id}
      data-start-ms={props.hit.start_ms ?? undefined}
      onPointerMove={() => {
        if (!props.active) props.onHover();
      }}
      // Keep focus in the field: the click chooses, the field keeps the keyboard.
      onMouseDown={(e) => e.preventDefault()}
      onClick={() => props.onChoose()}
    >
      <span class="search-result-icon" aria-hidden="true">
        <Icon name={said() ? "quote" : chapter() ? "chapter-next" : "podcast"} size={14} />
      </span>
      <span class="search-result-body">
        <span class="search-result-podcast">{joinMeta(props.hit.podcast, formatDate(props.hit.published))}</span>
        <span class="search-result-title">
          <Runs runs={props.hit.title_runs} fallback={props.hit.episode_title} />
        </span>
        <Show when={said()}>
          <span class="search-result-said" data-testid="search-result-said">
            <Show when={props.hit.start_ms != null}>
              <span class="search-result-time">{time()}</span>
            </Show>
            <Show when={props.hit.speaker}>
              <span class="search-result-speaker">{props.hit.speaker}:</span>
            </Show>
            <span class="search-result-quote">
              “<Runs runs={props.hit.snippet_runs} />”
            </span>
          </span>
        </Show>
        <Show
          when={chapter() && !said()}
          fallback={
            <Show when={props.hit.snippet_runs.length > 0 && !said()}>
              <span class="search-result-snippet" data-testid="search-result-snippet">
                <Runs runs={props.hit.snippet_runs} />
              </span>
            </Show>
          }
        >
          <span class="search-result-chapter" data-testid="search-result-chapter">
            <span class="search-result-time">{time()}</span>
            <span class="search-result-chapter-title">
              <Runs runs={props.hit.chapter_runs} fallback={props.hit.chapter_title} />
            </span>
          </span>
        </Show>
      </span>
      <span class="search-result-action" aria-hidden="true">
        {chapter() ? `Play from ${time()}` : "Open and play"}
      </span>
    </li>
  );
}
