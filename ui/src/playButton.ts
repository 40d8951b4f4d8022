// The episode view's Play button: what it says depends on the episode's saved position and on
// whether the player has this episode loaded.
import type { EpisodeRow, PlayState } from "./api";
import { formatTimestamp } from "./format";

export type Loaded = {
  episodeId: string | null;
  state: PlayState;
  /** The engine's word on whether the listener asked for sound (loading may be paused). */
  wantsPlay: boolean;
  positionMs: number;
};

export type PlayButton = {
  label: string;
  /** Clicking pauses (the episode is playing or about to). */
  pauses: boolean;
};

/** "Pause" while this episode plays, "Resume from 12:34" when it was left part-way, else "Play". */
export function playButton(row: Pick<EpisodeRow, "id" | "is_played" | "position_ms">, loaded: Loaded): PlayButton {
  if (loaded.episodeId === row.id) {
    if (loaded.wantsPlay) return { label: "Pause", pauses: true };
    if (loaded.state === "paused" || loaded.state === "loading") {
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
