import { createEffect, createSignal, on, Show } from "solid-js";
import * as api from "../api";
import type { SoundProfileView } from "../api";
import { createPopover } from "../popover";
import Icon from "./Icon";

/** Loudness targets offered, quietest first (EBU R128 broadcast to podcast-loud). */
export const TARGETS = [-23, -20, -18, -16, -14];
export const BOOSTS = [0, 3, 6, 9, 12];
const SPEEDS = [0.8, 1, 1.1, 1.2, 1.3, 1.5, 1.75, 2];

/** "12 min saved", "1 h 5 min saved". */
export function timeSavedText(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return "Less than a minute saved so far";
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${h > 0 ? `${h} h ${m} min` : `${m} min`} saved so far`;
}

/**
 * The show header's "Sound" button: how this show plays (loudness, boost, skip silence, speed)
 * and what of it is skipped (intro, outro, chapters by title). Each change is stored at once
 * and applies to an episode of the show that is playing.
 */
export default function SoundProfilePopover(props: { showId: string }) {
  const { open, close, toggle, rootRef, buttonRef } = createPopover((root) =>
    root?.querySelector<HTMLElement>("input, select")?.focus(),
  );
  const [profile, setProfile] = createSignal<SoundProfileView | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [chapterWords, setChapterWords] = createSignal("");

  const load = async (showId: string) => {
    try {
      const p = await api.getSoundProfile(showId);
      if (showId !== props.showId) return;
      setProfile(p);
      setChapterWords(p.skip_chapters.join(", "));
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  createEffect(on(() => props.showId, (id) => void load(id)));

  const save = async (patch: Partial<SoundProfileView>) => {
    const current = profile();
    if (!current) return;
    const next = { ...current, ...patch };
    setProfile(next);
    try {
      const stored = await api.setSoundProfile(props.showId, next);
      setProfile(stored);
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  const select = (label: string, testId: string, value: string, options: [string, string][], onPick: (v: string) => void) => (
    <label class="sound-field">
      <span>{label}</span>
      <select class="select" data-testid={testId} value={value} onChange={(e) => onPick(e.currentTarget.value)}>
        {options.map(([v, text]) => (
          <option value={v} selected={v === value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
  const seconds = (label: string, testId: string, value: number, onSet: (s: number) => void) => (
    <label class="sound-field">
      <span>{label}</span>
      <input
        class="skip-input"
        type="number"
        inputmode="numeric"
        min="0"
        max="600"
        step="1"
        data-testid={testId}
        value={value}
        onChange={(e) => {
          const n = Math.round(Number(e.currentTarget.value));
          onSet(Number.isFinite(n) ? Math.min(Math.max(n, 0), 600) : 0);
        }}
      />
      <span class="skip-unit">s</span>
    </label>
  );

  return (
    <div class="sound-settings" ref={rootRef}>
      <button
        ref={buttonRef}
        class="button button-quiet"
        type="button"
        data-testid="sound-profile"
        aria-haspopup="dialog"
        aria-expanded={open()}
        onClick={toggle}
      >
        <Icon name="volume" size={14} />
        Sound
      </button>
      <Show when={open() && profile()}>
        {(p) => (
          <div
            class="sound-popover"
            data-popup
            role="dialog"
            aria-label="Sound for this show"
            data-testid="sound-profile-dialog"
            onKeyDown={(e) => {
              if (e.key === "Escape") {
                e.preventDefault();
                close(true);
              }
            }}
          >
            <p class="skip-popover-title">Sound for this show</p>
            <label class="sound-check">
              <input
                type="checkbox"
                data-testid="sound-normalize"
                checked={p().normalize}
                onChange={(e) => void save({ normalize: e.currentTarget.checked })}
              />
              <span>Even out loudness</span>
            </label>
            {select(
              "Target",
              "sound-target",
              String(p().target_lufs),
              TARGETS.map((t) => [String(t), `${t} LUFS${t === -16 ? " (default)" : ""}`]),
              (v) => void save({ target_lufs: Number(v) }),
            )}
            {select(
              "Boost",
              "sound-boost",
              String(p().boost_db),
              BOOSTS.map((b) => [String(b), b === 0 ? "None" : `+${b} dB`]),
              (v) => void save({ boost_db: Number(v) }),
            )}
            {select(
              "Skip silence",
              "sound-skip-silence",
              p().skip_silence,
              [
                ["off", "Off"],
                ["mild", "Mild"],
                ["strong", "Strong"],
              ],
              (v) => void save({ skip_silence: v === "mild" || v === "strong" ? v : "off" }),
            )}
            {select(
              "Speed",
              "sound-speed",
              p().speed == null ? "" : String(p().speed),
              [["", "As the player is"], ...SPEEDS.map((s): [string, string] => [String(s), `${s}×`])],
              (v) => void save({ speed: v === "" ? null : Number(v) }),
            )}
            {seconds("Skip intro", "sound-skip-intro", p().skip_intro_s, (s) => void save({ skip_intro_s: s }))}
            {seconds("Skip outro", "sound-skip-outro", p().skip_outro_s, (s) => void save({ skip_outro_s: s }))}
            <label class="sound-field sound-field-wide">
              <span>Skip chapters titled</span>
              <input
                class="input"
                type="text"
                placeholder="Sponsor, Ad break"
                data-testid="sound-skip-chapters"
                value={chapterWords()}
                onInput={(e) => setChapterWords(e.currentTarget.value)}
                onChange={(e) =>
                  void save({
                    skip_chapters: e.currentTarget.value
                      .split(",")
                      .map((w) => w.trim())
                      .filter(Boolean),
                  })
                }
              />
            </label>
            <p class="skip-popover-hint">
              Words, any case, comma-separated. {timeSavedText(p().time_saved_ms)} by skipping silence.
            </p>
            <Show when={error()}>
              <p class="sound-error" role="alert">
                {error()}
              </p>
            </Show>
          </div>
        )}
      </Show>
    </div>
  );
}
