import { createEffect, createMemo, createSignal, For, on, Show } from "solid-js";
import * as api from "../api";
import type { ChapterView, DownloadView, NetworkView } from "../api";
import { playingChapterIndex } from "../chapters";
import { formatSpeed, formatTimeLeft, formatTimestamp } from "../format";
import type { Player } from "../stores/player";
import ChoiceMenu from "./ChoiceMenu";
import Icon from "./Icon";
import SkipSettingsPopover from "./SkipSettingsPopover";
import SleepTimerMenu from "./SleepTimerMenu";

type Props = {
  player: Player;
  /** The playing episode's title, once known. */
  title: string | null;
  /** The playing episode's chapter list (the one `chapter_index` points into). */
  chapters: ChapterView[];
  /** Where the episode's download stands, if it has one. */
  downloadOf?: (episodeId: string) => DownloadView | undefined;
  /** Starts a download that waits for the network ("Download when online"). */
  onDownload?: (episodeId: string) => void;
  /** A video episode's file: its audio track plays; "Open in video player" when it cannot. */
  videoUrl?: string | null;
};

/** Every quarter from 0.5× to 3×, the steps `[` and `]` take. */
export const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.25, 2.5, 2.75, 3] as const;

/** The listed speed closest to `speed` (the backend sends an f32). */
const nearestSpeed = (speed: number | null): number =>
  SPEEDS.reduce((best, s) => (Math.abs(s - (speed ?? 1)) < Math.abs(best - (speed ?? 1)) ? s : best), 1);

/** How long a host may be silent before the bar names it and offers Retry (it keeps retrying). */
export const RECONNECTING_MS = 10_000;

/** A stall worth naming: the host never answered (offline from the start), or for a while. */
const cantReach = (n: NetworkView): boolean => !n.had_answered || n.for_ms >= RECONNECTING_MS;

/** The bar at the bottom of the window: what is playing, the transport, the seek slider, speed and volume. */
export default function PlayerBar(props: Props) {
  const p = props.player;
  const v = p.view;
  // While the thumb is under the listener's hand, updates do not move it; the seek happens on
  // release, and the thumb stays where it was let go until the engine reports where it is.
  const [dragMs, setDragMs] = createSignal<number | null>(null);
  /** "sent": a seek from the thumb is on its way; "taken": the engine has it, its next report counts. */
  let release: "none" | "sent" | "taken" = "none";
  createEffect(
    on(
      () => v.position_ms,
      () => {
        if (release === "taken") {
          release = "none";
          setDragMs(null);
        }
      },
      { defer: true },
    ),
  );

  const idle = () => p.isIdle();
  /** The playing episode's download is on its way (or waiting for the network). */
  const downloadPending = () => {
    const id = v.episode_id;
    const state = id ? props.downloadOf?.(id)?.state : undefined;
    return state === "queued" || state === "running" || state === "offline" || state === "done";
  };
  const duration = () => v.duration_ms ?? 0;
  const shownMs = () => dragMs() ?? p.position();
  const chapterIndex = createMemo(() => (idle() ? -1 : playingChapterIndex(props.chapters, v.chapter_index)));
  const chapterTitle = () => {
    const i = chapterIndex();
    const c = i >= 0 ? props.chapters[i] : undefined;
    return c ? c.title.trim() || `Chapter ${i + 1}` : "";
  };
  /** The slider's spoken value: where it is, and in which chapter (where a drag would land). */
  const positionText = () => {
    if (idle()) return "Nothing playing";
    const at = shownMs();
    const dragging = dragMs() !== null;
    let title = chapterTitle();
    if (dragging) {
      const i = props.chapters.reduce((found, c, index) => (c.start_ms <= at ? index : found), -1);
      title = i >= 0 ? props.chapters[i]!.title.trim() || `Chapter ${i + 1}` : "";
    }
    const base = `${formatTimestamp(at)} of ${formatTimestamp(duration())}`;
    return title ? `${base}, chapter: ${title}` : base;
  };
  const ticks = createMemo(() =>
    duration() > 0 ? props.chapters.filter((c) => c.start_ms > 0 && c.start_ms < duration()).map((c) => (c.start_ms / duration()) * 100) : [],
  );
  /** Waiting for sound the listener asked for (a paused episode loading quietly is not). */
  const busy = () => (v.state === "loading" || v.state === "buffering") && v.wants_play;
  const back = () => p.skip().backS;
  const forward = () => p.skip().forwardS;

  const commitSeek = (value: string) => {
    const ms = Number(value);
    if (!Number.isFinite(ms)) {
      setDragMs(null);
      return;
    }
    setDragMs(ms);
    release = "sent";
    // The first report after the command was taken is the engine's answer.
    void p.seek(ms).finally(() => {
      release = "taken";
    });
  };

  return (
    <footer class="player-bar" classList={{ idle: idle() }} data-testid="player-bar" aria-label="Player" data-state={v.state}>
      <div class="player-now">
        <Show when={!idle()} fallback={<p class="player-nothing">Nothing playing</p>}>
          <p class="player-title" data-testid="now-playing-title" title={props.title ?? ""}>
            {props.title ?? "…"}
          </p>
          <p class="player-chapter" data-testid="now-playing-chapter" title={chapterTitle()}>
            {v.state === "ended" ? "Finished" : chapterTitle()}
          </p>
        </Show>
        <div class="player-notes" aria-live="polite">
          <Show when={!idle() && busy() && !v.network && v.finding === null}>
            <span class="player-note player-buffering" data-testid="player-buffering">
              <span class="spinner" aria-hidden="true" />
              Buffering…
            </span>
          </Show>
          {/* A jump into a VBR MP3 reads the frames before its target: say where to and how far,
              so a slow link never looks frozen. The share is for the eye only (a screen reader
              would hear every step). */}
          <Show when={!idle() && !v.network && v.finding !== null}>
            <span class="player-note player-buffering" data-testid="player-finding">
              <span class="spinner" aria-hidden="true" />
              Finding {formatTimestamp(v.position_ms)}…
              <span aria-hidden="true"> {Math.round((v.finding ?? 0) * 100)} %</span>
            </span>
          </Show>
          <Show when={!idle() && v.network}>
            {(n) => (
              <Show
                when={cantReach(n())}
                fallback={
                  <span class="player-note player-buffering" data-testid="player-reconnecting">
                    <span class="spinner" aria-hidden="true" />
                    Reconnecting…
                  </span>
                }
              >
                <span class="player-note player-offline" data-testid="player-unreachable">
                  <span class="player-offline-host" title={`Can't reach ${n().host}`}>
                    Can't reach {n().host}
                  </span>
                  {/* The host went away but the sound goes on from what already arrived: say so,
                      or "Can't reach" beside a playing episode reads as a contradiction. */}
                  <Show when={v.state === "playing"}>
                    <span class="player-note-detail" data-testid="player-playing-buffer">
                      playing what has arrived
                    </span>
                  </Show>
                  <button class="button button-small" type="button" data-testid="player-retry" onClick={() => void p.retry()}>
                    Retry
                  </button>
                  <Show when={v.streaming && v.episode_id && props.onDownload}>
                    <Show
                      when={!downloadPending()}
                      fallback={
                        <span class="player-note-detail" data-testid="player-download-pending">
                          Downloads when online
                        </span>
                      }
                    >
                      <button
                        class="button button-small"
                        type="button"
                        data-testid="player-download-when-online"
                        onClick={() => {
                          const id = v.episode_id;
                          if (id) props.onDownload?.(id);
                        }}
                      >
                        Download when online
                      </button>
                    </Show>
                  </Show>
                </span>
              </Show>
            )}
          </Show>
          <Show when={!idle() && v.progressive}>
            <span class="player-note" data-testid="player-progressive" title="This server can't seek: jumps ahead wait for the download">
              This server can't seek: jumps ahead wait for the download
            </span>
          </Show>
        </div>
        <Show when={!idle() && props.videoUrl && !p.error()}>
          <span class="player-note" data-testid="player-video-note">
            Video episode — audio only
          </span>
        </Show>
        <Show when={p.error()}>
          <p class="player-error" role="alert" data-testid="player-error" title={p.error() ?? ""}>
            <Icon name="alert" size={13} />
            <span>{p.error()}</span>
          </p>
          <Show when={props.videoUrl}>
            {(url) => (
              <button
                class="button button-small"
                type="button"
                data-testid="player-open-video"
                onClick={() => api.openExternal(url()).catch((e: unknown) => console.warn("could not open the video", e))}
              >
                Open in video player
              </button>
            )}
          </Show>
        </Show>
      </div>

      <div class="player-center">
        <div class="player-controls">
          <button
            class="button button-icon"
            type="button"
            data-testid="prev-chapter"
            aria-label="Previous chapter"
            title="Previous chapter (Shift+←)"
            disabled={idle()}
            onClick={() => void p.chapterStep(-1)}
          >
            <Icon name="chapter-prev" size={16} />
          </button>
          <button
            class="button button-icon skip-button"
            type="button"
            data-testid="skip-back"
            aria-label={`Back ${back()} s`}
            title={`Back ${back()} s (←)`}
            disabled={idle()}
            onClick={() => void p.skipBy("back")}
          >
            <Icon name="back" size={18} />
            <span class="skip-seconds" aria-hidden="true">
              {back()}
            </span>
          </button>
          <button
            class="button play-pause"
            type="button"
            data-testid="play-pause"
            aria-label={p.wantsPlay() ? "Pause" : "Play"}
            title={p.wantsPlay() ? "Pause (Space)" : v.state === "ended" ? "Play again from the start (Space)" : "Play (Space)"}
            disabled={idle()}
            onClick={() => void p.toggle()}
          >
            <Icon name={p.wantsPlay() ? "pause" : "play"} size={18} />
          </button>
          <button
            class="button button-icon skip-button"
            type="button"
            data-testid="skip-forward"
            aria-label={`Forward ${forward()} s`}
            title={`Forward ${forward()} s (→)`}
            disabled={idle()}
            onClick={() => void p.skipBy("forward")}
          >
            <Icon name="forward" size={18} />
            <span class="skip-seconds" aria-hidden="true">
              {forward()}
            </span>
          </button>
          <button
            class="button button-icon"
            type="button"
            data-testid="next-chapter"
            aria-label="Next chapter"
            title="Next chapter (Shift+→)"
            disabled={idle()}
            onClick={() => void p.chapterStep(1)}
          >
            <Icon name="chapter-next" size={16} />
          </button>
        </div>
        <div class="player-seek">
          <span class="player-time" data-testid="elapsed">
            {idle() ? "" : formatTimestamp(shownMs())}
          </span>
          <div class="seek-track" style={{ "--progress": `${duration() > 0 ? Math.min(100, (shownMs() / duration()) * 100) : 0}%` }}>
            <div class="seek-ticks" aria-hidden="true">
              <For each={ticks()}>{(pct) => <span class="seek-tick" style={{ left: `${pct}%` }} />}</For>
            </div>
            <input
              class="seek-slider"
              type="range"
              data-testid="seek-slider"
              aria-label="Position"
              aria-valuetext={positionText()}
              min="0"
              max={duration()}
              step="1000"
              value={Math.min(shownMs(), duration())}
              disabled={idle() || duration() <= 0}
              onInput={(e) => setDragMs(Number(e.currentTarget.value))}
              onChange={(e) => commitSeek(e.currentTarget.value)}
              onBlur={() => {
                if (release === "none") setDragMs(null);
              }}
            />
          </div>
          <span
            class="player-time player-time-left"
            data-testid="remaining"
            title={idle() || duration() <= 0 ? undefined : `Time left at ${formatSpeed(v.speed ?? 1)}; the episode is ${formatTimestamp(duration())} long`}
          >
            {idle() ? "" : formatTimeLeft(shownMs(), v.duration_ms, v.speed ?? 1)}
          </span>
        </div>
      </div>

      <div class="player-side">
<ChoiceMenu
          id="speed"
          label="Playback speed"
          heading="Speed"
          // Keyed in hundredths ("150"): a test id or selector with a dot in it would need quoting.
          choices={SPEEDS.map((speed) => ({ key: String(Math.round(speed * 100)), label: formatSpeed(speed), checked: speed === nearestSpeed(v.speed) }))}
          onChoose={(key) => void p.setSpeed(Number(key) / 100)}
          buttonTestId="speed"
          buttonData={{ "data-speed": String(nearestSpeed(v.speed)) }}
          buttonLabel={`Playback speed: ${formatSpeed(nearestSpeed(v.speed))}`}
          buttonTitle="Playback speed ([ and ])"
          buttonClass="button button-quiet speed-button"
        >
          {formatSpeed(nearestSpeed(v.speed))}
        </ChoiceMenu>
        <label class="volume" title="Volume">
          <Icon name="volume" size={16} />
          <input
            class="volume-slider"
            type="range"
            data-testid="volume"
            aria-label="Volume"
            min="0"
            max="1"
            step="0.05"
            value={v.volume ?? 1}
            style={{ "--progress": `${(v.volume ?? 1) * 100}%` }}
            onInput={(e) => void p.setVolume(Number(e.currentTarget.value))}
          />
        </label>
        <SleepTimerMenu sleep={v.sleep ?? null} onSet={(timer) => void p.setSleepTimer(timer)} />
        <SkipSettingsPopover skip={p.skip()} onChange={p.setSkip} />
      </div>
    </footer>
  );
}
