import { createEffect, createMemo, createSignal, For, Match, on, onCleanup, Show, Switch } from "solid-js";
import * as api from "../api";
import type { ChapterView, TranscriptView } from "../api";
import { formatTimestamp } from "../format";
import { findCues, paragraphs, splitMatches, withTimestamp } from "../transcript";
import Icon from "./Icon";

type Props = {
  episodeId: string;
  chapters: ChapterView[];
  /** The engine's current cue in this episode (null when it plays elsewhere). */
  cueIndex: number | null;
  onJump: (episodeId: string, startMs: number) => void;
};

type Load = { state: "loading" } | { state: "failed"; message: string } | { state: "loaded"; view: TranscriptView };

/**
 * The Transcript tab: paragraphs of cues, the one being said highlighted and followed (until
 * the listener scrolls away: "Back to now"); a click on a sentence plays from it; Ctrl+F finds;
 * a copied selection carries its time.
 */
export default function TranscriptPanel(props: Props) {
  const [load, setLoad] = createSignal<Load>({ state: "loading" });
  const [following, setFollowing] = createSignal(true);
  const [findOpen, setFindOpen] = createSignal(false);
  const [query, setQuery] = createSignal("");
  const [matchAt, setMatchAt] = createSignal(0);
  let body: HTMLDivElement | undefined;
  let findInput: HTMLInputElement | undefined;
  // Answers can arrive out of order when episodes change quickly: only the latest counts.
  let seq = 0;

  const fetchTranscript = async (id: string) => {
    const mine = ++seq;
    setLoad({ state: "loading" });
    try {
      const view = await api.loadTranscript(id);
      if (mine === seq) setLoad({ state: "loaded", view });
    } catch (e) {
      if (mine === seq) setLoad({ state: "failed", message: e instanceof Error ? e.message : String(e) });
    }
  };
  createEffect(
    on(
      () => props.episodeId,
      (id) => {
        setFollowing(true);
        setQuery("");
        setFindOpen(false);
        void fetchTranscript(id);
      },
    ),
  );

  const view = (): TranscriptView | null => {
    const l = load();
    return l.state === "loaded" ? l.view : null;
  };
  const cues = () => view()?.cues ?? [];
  const timed = () => view()?.timed ?? false;
  const groups = createMemo(() => paragraphs(cues(), props.chapters, timed()));
  const matches = createMemo(() => findCues(cues(), query()));
  const matchSet = createMemo(() => new Set(matches()));
  const current = () => (timed() ? props.cueIndex : null);

  const cueElement = (i: number) => body?.querySelector<HTMLElement>(`.cue[data-index="${i}"]`) ?? null;
  /** Scrolls the transcript box (only it) so cue `i` sits in its upper third. */
  const reveal = (i: number, smooth: boolean) => {
    const el = cueElement(i);
    if (!el || !body) return;
    const top = el.offsetTop - body.clientHeight / 3;
    body.scrollTo({ top: Math.max(0, top), behavior: smooth ? "smooth" : "auto" });
  };

  // Follow the engine's cue while following; a new cue scrolls the view along.
  createEffect(
    on([current, following, groups], ([i, follow]) => {
      if (i == null || !follow) return;
      queueMicrotask(() => reveal(i, true));
    }),
  );

  // The listener scrolling the box themselves stops following (a programmatic scroll does not
  // come with a wheel, touch or key).
  const stopFollowing = () => {
    if (current() != null) setFollowing(false);
  };
  const scrollKeys = new Set(["ArrowUp", "ArrowDown", "PageUp", "PageDown", "Home", "End", " "]);

  const backToNow = () => {
    setFollowing(true);
    const i = current();
    if (i != null) reveal(i, false);
  };

  const play = (i: number) => {
    const cue = cues()[i];
    if (!cue || !cue.playable) return;
    setFollowing(true);
    props.onJump(props.episodeId, cue.start_ms);
  };

  const goToMatch = (step: number) => {
    const list = matches();
    if (list.length === 0) return;
    const next = (((matchAt() + step) % list.length) + list.length) % list.length;
    setMatchAt(next);
    setFollowing(false);
    reveal(list[next]!, false);
  };
  createEffect(on(query, () => setMatchAt(0), { defer: true }));
  createEffect(
    on(matches, (list) => {
      if (list.length > 0 && findOpen()) {
        setFollowing(false);
        reveal(list[0]!, false);
      }
    }, { defer: true }),
  );

  const openFind = () => {
    setFindOpen(true);
    queueMicrotask(() => {
      findInput?.focus();
      findInput?.select();
    });
  };
  const closeFind = () => {
    setFindOpen(false);
    setQuery("");
    body?.focus();
  };

  // Ctrl+F (⌘F) while the tab is shown finds in the transcript, not in the page.
  const onWindowKey = (event: KeyboardEvent) => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.key.toLowerCase() !== "f") return;
    if (!body || !body.isConnected || view()?.state !== "ready") return;
    event.preventDefault();
    openFind();
  };
  window.addEventListener("keydown", onWindowKey);
  onCleanup(() => window.removeEventListener("keydown", onWindowKey));

  // A copied selection starts with the time of the cue it starts in: "[12:34] what was said".
  const onCopy = (event: ClipboardEvent) => {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || !event.clipboardData) return;
    const anchor = selection.getRangeAt(0).startContainer;
    const cueEl = (anchor instanceof Element ? anchor : anchor.parentElement)?.closest<HTMLElement>(".cue");
    const index = cueEl ? Number(cueEl.dataset.index) : NaN;
    const cue = Number.isInteger(index) ? cues()[index] : undefined;
    event.clipboardData.setData(
      "text/plain",
      withTimestamp(selection.toString(), cue && timed() ? cue.start_ms : null, formatTimestamp),
    );
    event.preventDefault();
  };

  // The cue that keyboard focus lands on (one tab stop for the whole transcript).
  const [focusCue, setFocusCue] = createSignal<number | null>(null);
  const tabStop = () => focusCue() ?? current() ?? 0;
  const onCueKey = (event: KeyboardEvent, i: number) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      play(i);
      return;
    }
    const step = event.key === "ArrowDown" || event.key === "ArrowRight" ? 1 : event.key === "ArrowUp" || event.key === "ArrowLeft" ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    const next = Math.min(Math.max(i + step, 0), cues().length - 1);
    setFocusCue(next);
    setFollowing(false);
    cueElement(next)?.focus();
  };

  return (
    <div class="transcript" data-testid="transcript">
      <Switch>
        <Match when={load().state === "loading"}>
          <p class="transcript-note" data-testid="transcript-loading">
            Loading the transcript…
          </p>
        </Match>
        <Match when={load().state === "failed" || (view() && view()!.state !== "ready")}>
          <TranscriptProblem load={load()} onRetry={() => void fetchTranscript(props.episodeId)} />
        </Match>
        <Match when={view()}>
          <div class="transcript-tools">
            <Show when={!timed()}>
              <span class="transcript-untimed">This transcript has no times: read along, it cannot jump.</span>
            </Show>
            <Show when={findOpen()}>
              <div class="transcript-find" role="search">
                <input
                  ref={findInput}
                  class="input transcript-find-input"
                  type="search"
                  placeholder="Find in transcript"
                  aria-label="Find in transcript"
                  data-testid="transcript-find"
                  value={query()}
                  onInput={(e) => setQuery(e.currentTarget.value)}
                  onKeyDown={(e) => {
                    if (e.key === "Enter") {
                      e.preventDefault();
                      goToMatch(e.shiftKey ? -1 : 1);
                    } else if (e.key === "Escape") {
                      e.preventDefault();
                      e.stopPropagation();
                      closeFind();
                    }
                  }}
                />
                <span class="transcript-find-count" role="status" data-testid="transcript-find-count">
                  {query().trim() ? (matches().length === 0 ? "No matches" : `${matchAt() + 1} of ${matches().length}`) : ""}
                </span>
                <button class="icon-button" type="button" aria-label="Previous match" title="Previous match (Shift+Enter)" onClick={() => goToMatch(-1)}>
                  <Icon name="chapter-prev" size={14} />
                </button>
                <button class="icon-button" type="button" aria-label="Next match" title="Next match (Enter)" onClick={() => goToMatch(1)}>
                  <Icon name="chapter-next" size={14} />
                </button>
                <button class="icon-button" type="button" aria-label="Close find" title="Close (Esc)" onClick={closeFind}>
                  <Icon name="close" size={14} />
                </button>
              </div>
            </Show>
            <Show when={!findOpen()}>
              <button class="button button-quiet transcript-find-open" type="button" onClick={openFind} title="Find in transcript (Ctrl+F)">
                <Icon name="search" size={13} />
                Find
              </button>
            </Show>
            <Show when={current() != null && !following()}>
              <button class="button transcript-back" type="button" data-testid="transcript-back-to-now" onClick={backToNow}>
                <Icon name="play" size={12} />
                Back to now
              </button>
            </Show>
          </div>
          <div
            ref={body}
            class="transcript-body"
            tabIndex={-1}
            aria-label="Transcript"
            data-testid="transcript-body"
            onWheel={stopFollowing}
            onTouchMove={stopFollowing}
            onKeyDown={(e) => {
              if (e.target === body && scrollKeys.has(e.key)) stopFollowing();
            }}
            onCopy={onCopy}
          >
            <For each={groups()}>
              {(para) => (
                <>
                  <Show when={para.chapter}>
                    {(chapter) => (
                      <p class="transcript-chapter" data-testid="transcript-chapter">
                        <span class="transcript-chapter-time">{formatTimestamp(chapter().start_ms)}</span>
                        {chapter().title}
                      </p>
                    )}
                  </Show>
                  <p class="transcript-paragraph">
                    <Show when={para.speaker}>
                      <span class="transcript-speaker">{para.speaker}</span>
                    </Show>
                    <For each={para.cues}>
                      {(i) => {
                        const cue = cues()[i]!;
                        return (
                          <>
                            <span
                              class="cue"
                              classList={{
                                current: current() === i,
                                playable: cue.playable,
                                found: matchSet().has(i),
                                "found-active": matches()[matchAt()] === i && findOpen(),
                              }}
                              data-index={i}
                              data-start-ms={cue.start_ms}
                              data-testid="transcript-cue"
                              role={cue.playable ? "button" : undefined}
                              tabIndex={cue.playable ? (tabStop() === i ? 0 : -1) : undefined}
                              aria-current={current() === i ? "true" : undefined}
                              title={cue.playable ? `Play from ${formatTimestamp(cue.start_ms)}` : undefined}
                              onClick={() => {
                                // A selection being made is for copying, not a jump.
                                if (window.getSelection()?.isCollapsed === false) return;
                                play(i);
                              }}
                              onKeyDown={(e) => onCueKey(e, i)}
                              onFocus={() => setFocusCue(i)}
                            >
                              <For each={splitMatches(cue.text, findOpen() ? query() : "")}>
                                {(run) => (run.hit ? <mark>{run.text}</mark> : <>{run.text}</>)}
                              </For>
                            </span>{" "}
                          </>
                        );
                      }}
                    </For>
                  </p>
                </>
              )}
            </For>
          </div>
        </Match>
      </Switch>
    </div>
  );
}

function TranscriptProblem(props: { load: Load; onRetry: () => void }) {
  const text = (): { message: string; retry: boolean } => {
    const l = props.load;
    if (l.state === "failed") return { message: `Couldn't load the transcript: ${l.message}`, retry: true };
    if (l.state !== "loaded") return { message: "", retry: false };
    switch (l.view.state) {
      case "unreadable":
        return { message: "This transcript could not be read.", retry: false };
      case "offline":
        return { message: "You're offline. The transcript loads once you're back online.", retry: true };
      case "unavailable":
        return { message: `Couldn't fetch the transcript${l.view.detail ? `: ${l.view.detail}` : "."}`, retry: true };
      default:
        return { message: "This episode has no transcript.", retry: false };
    }
  };
  return (
    <div class="transcript-note" data-testid="transcript-problem" role="status">
      <p>{text().message}</p>
      <Show when={text().retry}>
        <button class="button" type="button" onClick={() => props.onRetry()}>
          <Icon name="refresh" size={13} />
          Try again
        </button>
      </Show>
    </div>
  );
}
