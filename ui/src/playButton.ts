// The episode view's Play button: what it says depends on the episode's saved position and on
// whether the player has this episode loaded.
import type { EpisodeRow, PlayState } from "./api";
import { formatTimestamp } from "./format";

export type Loaded = { episodeId: string | null; state: PlayState; positionMs: number };

export type PlayButton = {
  label: string;
  /** Clicking pauses (the episode is playing or about to). */
  pauses: boolean;
};

const WANTS_PLAY: readonly PlayState[] = ["playing", "loading", "buffering"];

/** "Pause" while this episode plays, "Resume from 12:34" when it was left part-way, else "Play". */
export function playButton(row: Pick<EpisodeRow, "id" | "is_played" | "position_ms">, loaded: Loaded): PlayButton {
  if (loaded.episodeId === row.id) {
    if (WANTS_PLAY.includes(loaded.state)) return { label: "Pause", pauses: true };
    if (loaded.state === "paused") {
      return loaded.positionMs >= 1000
        ? { label: `Resume from ${formatTimestamp(loaded.positionMs)}`, pauses: false }
        : { label: "Play", pauses: false };
    }
    if (loaded.state === "ended") return { label: "Play", pauses: false };
    // idle or error: as if not loaded
  }
  if (!row.is_played && row.position_ms >= 1000) {
    return { label: `Resume from ${formatTimestamp(row.position_ms)}`, pauses: false };
  }
  return { label: "Play", pauses: false };
}
