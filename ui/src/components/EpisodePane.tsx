import { createEffect, createSignal, on, Show } from "solid-js";
import type { EpisodeView } from "../api";
import { formatDate, formatDuration, formatRemaining, joinMeta } from "../format";
import { playButton } from "../playButton";
import type { Loaded } from "../playButton";
import type { Downloads } from "../stores/downloads";
import ChapterList from "./ChapterList";
import DownloadControl from "./DownloadControl";
import Icon from "./Icon";
import ShowNotes from "./ShowNotes";
import TranscriptPanel from "./TranscriptPanel";

type Props = {
  episode: EpisodeView | null;
  showName: string | null;
  error: string | null;
  /** The player's position in an episode, or null when it is not in that one. */
  positionIn: (episodeId: string) => number | null;
  /** The player's current chapter in an episode (index into its chapter list), when it reports one. */
  chapterIndexIn: (episodeId: string) => number | null;
  /** The engine's current transcript cue in an episode, when it plays that one. */
  cueIndexIn?: (episodeId: string) => number | null;
  /** What the player has loaded, for the Play button's label. */
  loaded: Loaded;
  /** Plays, pauses or resumes this episode. */
  onPlay: (episodeId: string) => void;
  onSetPlayed: (episodeId: string, isPlayed: boolean) => void;
  /** The ids of the show's episodes published before this one; with `onMarkOlder`, "Mark all older as played". */
  olderThan?: (episodeId: string) => string[];
  onMarkOlder?: (episodeIds: string[]) => void;
  /** The one way to go to a moment (chapter rows, timestamps in the notes). */
  onJump: (episodeId: string, startMs: number) => void;
  /** Queues a chapter: it plays from there when its turn comes, then goes on. */
  onQueueChapter?: (episodeId: string, startMs: number, next: boolean) => void;
  /** The downloads store, for the Download control next to Play. */
  downloads: Downloads;
  /** Back to the episode list: the button shows only in a one-pane window. */
  onBack?: () => void;
  /** Behind the open library drawer. */
  inert?: boolean;
};

/** The right pane: the open episode and its show notes. */
export default function EpisodePane(props: Props) {
  // The tab the listener chose last; kept from episode to episode (someone reading along
  // keeps reading along).
  const [tab, setTab] = createSignal<"chapters" | "transcript">("chapters");
  const number = (e: EpisodeView) =>
    e.episode_number == null ? null : e.season == null ? `Episode ${e.episode_number}` : `S${e.season} E${e.episode_number}`;
  // Each episode opens at its top (title, Play, chapters); going back to one restores where
  // the listener was in it.
  let pane: HTMLElement | undefined;
  const scrolledTo = new Map<string, number>();
  let shown: string | null = null;
  createEffect(
    on(
      () => props.episode?.row.id ?? null,
      (id) => {
        if (id === shown || !pane) return;
        shown = id;
        pane.scrollTop = (id && scrolledTo.get(id)) || 0;
      },
    ),
  );
  return (
    <section
      ref={pane}
      class="pane episode-pane"
      data-testid="episode-view"
      data-pane="episode"
      aria-label="Episode"
      inert={props.inert || undefined}
      onScroll={(e) => {
        if (shown) scrolledTo.set(shown, e.currentTarget.scrollTop);
      }}
    >
      <Show
        when={props.episode}
        fallback={
          <div class="episode-placeholder">
            <Icon name="podcast" size={32} />
            <p>{props.error ?? "Choose an episode to read its show notes."}</p>
          </div>
        }
      >
        {(episode) => {
          const chapterList = () => (
              <ChapterList
              episodeId={episode().row.id}
              chapters={episode().chapters}
              chapterIndex={props.chapterIndexIn(episode().row.id)}
              onJump={props.onJump}
              menuItems={
                props.onQueueChapter
                  ? (chapter) => {
                      const id = episode().row.id;
                      return [
                        { label: "Play from here", testId: "chapter-menu-play", icon: "play", onSelect: () => props.onJump(id, chapter.start_ms) },
                        { label: "Play next", testId: "chapter-menu-play-next", icon: "play-next", onSelect: () => props.onQueueChapter?.(id, chapter.start_ms, true) },
                        { label: "Play last", testId: "chapter-menu-play-last", icon: "list", onSelect: () => props.onQueueChapter?.(id, chapter.start_ms, false) },
                      ];
                    }
                  : undefined
              }
            />
          );
          return (
          <article class="episode-article">
            <Show when={props.onBack}>
              <button class="button button-quiet episode-back" type="button" data-testid="episode-back" onClick={() => props.onBack?.()}>
                <Icon name="arrow-left" size={15} />
                Episodes
              </button>
            </Show>
            <header class="episode-header">
              <Show when={props.showName}>
                <p class="episode-eyebrow">{props.showName}</p>
              </Show>
              <h2 class="episode-heading">{episode().row.title}</h2>
              <p class="episode-facts" data-testid="episode-facts">
                {joinMeta(
                  formatDate(episode().row.published),
                  formatDuration(episode().row.duration_s),
                  number(episode()),
                  episode().row.is_played ? null : formatRemaining(episode().row.duration_s, episode().row.position_ms),
                )}
              </p>
              <div class="episode-actions">
                <PlayButton episode={episode()} loaded={props.loaded} onPlay={props.onPlay} />
                <DownloadControl
                  episodeId={episode().row.id}
                  isDownloaded={episode().row.is_downloaded}
                  downloads={props.downloads}
                />
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
                <Show when={props.onMarkOlder && props.olderThan}>
                  <MarkOlderButton
                    older={props.olderThan?.(episode().row.id) ?? []}
                    onMark={(ids) => props.onMarkOlder?.(ids)}
                  />
                </Show>
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
              when={episode().has_transcript}
              fallback={<Show when={episode().chapters.length > 0}>{chapterList()}</Show>}
            >
              {(() => {
                const shown = () => (tab() === "transcript" || episode().chapters.length === 0 ? "transcript" : "chapters");
                return (
                  <>
                    <div class="tabs" role="tablist" aria-label="Chapters and transcript">
                      <Show when={episode().chapters.length > 0}>
                        <button
                          class="tab"
                          type="button"
                          role="tab"
                          id="tab-chapters"
                          aria-selected={shown() === "chapters"}
                          aria-controls="tabpanel-episode"
                          tabIndex={shown() === "chapters" ? 0 : -1}
                          data-testid="tab-chapters"
                          onClick={() => setTab("chapters")}
                          onKeyDown={(e) => {
                            if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
                              setTab("transcript");
                              document.getElementById("tab-transcript")?.focus();
                            }
                          }}
                        >
                          Chapters <span class="tab-count">{episode().chapters.length}</span>
                        </button>
                      </Show>
                      <button
                        class="tab"
                        type="button"
                        role="tab"
                        id="tab-transcript"
                        aria-selected={shown() === "transcript"}
                        aria-controls="tabpanel-episode"
                        tabIndex={shown() === "transcript" ? 0 : -1}
                        data-testid="tab-transcript"
                        onClick={() => setTab("transcript")}
                        onKeyDown={(e) => {
                          if ((e.key === "ArrowRight" || e.key === "ArrowLeft") && episode().chapters.length > 0) {
                            setTab("chapters");
                            document.getElementById("tab-chapters")?.focus();
                          }
                        }}
                      >
                        Transcript
                      </button>
                    </div>
                    <div
                      id="tabpanel-episode"
                      role="tabpanel"
                      aria-labelledby={shown() === "chapters" ? "tab-chapters" : "tab-transcript"}
                    >
                      <Show
                        when={shown() === "transcript"}
                        fallback={chapterList()}
                      >
                        <TranscriptPanel
                          episodeId={episode().row.id}
                          chapters={episode().chapters}
                          cueIndex={props.cueIndexIn?.(episode().row.id) ?? null}
                          onJump={props.onJump}
                        />
                      </Show>
                    </div>
                  </>
                );
              })()}
            </Show>
            <ShowNotes
              episodeId={episode().row.id}
              html={episode().description_html}
              chapterStartsMs={episode().chapters.map((c) => c.start_ms)}
              onJump={props.onJump}
            />
          </article>
          );
        }}
      </Show>
    </section>
  );
}

/** The prominent Play / Resume from 12:34 / Pause button. */
function PlayButton(props: { episode: EpisodeView; loaded: Loaded; onPlay: (episodeId: string) => void }) {
  const state = () => playButton(props.episode.row, props.loaded);
  return (
    <button
      class="button button-primary play-episode"
      type="button"
      data-testid="play-episode"
      onClick={() => props.onPlay(props.episode.row.id)}
    >
      <Icon name={state().pauses ? "pause" : "play"} size={14} />
      {state().label}
    </button>
  );
}

/** "Mark all older as played": every episode of the show published before this one. */
function MarkOlderButton(props: { older: string[]; onMark: (episodeIds: string[]) => void }) {
  const n = () => props.older.length;
  return (
    <button
      class="button button-quiet"
      type="button"
      data-testid="mark-older-played"
      disabled={n() === 0}
      title={n() === 0 ? "No older episodes" : n() === 1 ? "Mark the 1 older episode as played" : `Mark the ${n()} older episodes as played`}
      onClick={() => props.onMark(props.older)}
    >
      <Icon name="check-all" size={14} />
      Mark all older as played
    </button>
  );
}
