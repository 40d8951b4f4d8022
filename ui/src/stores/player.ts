// Where playback is (or is asked to be). Playback itself is not implemented yet: for now the
// store only records the requested position, and the episode view highlights the chapter there.
// `jumpTo` is the one entry point for "go to this moment" (chapter rows, timestamps in the
// notes), so the audio engine can hook in here later.
import { createSignal } from "solid-js";

export type PlayPosition = {
  episodeId: string;
  positionMs: number;
};

export type Player = ReturnType<typeof createPlayer>;

export function createPlayer() {
  const [position, setPosition] = createSignal<PlayPosition | null>(null);

  /** Moves playback of `episodeId` to `startMs` (milliseconds from the start of the audio). */
  function jumpTo(episodeId: string, startMs: number): void {
    if (!episodeId || !Number.isFinite(startMs)) return;
    setPosition({ episodeId, positionMs: Math.max(0, Math.round(startMs)) });
  }

  /** The position in `episodeId`, or null when the player is elsewhere (or nowhere). */
  const positionIn = (episodeId: string): number | null => {
    const p = position();
    return p && p.episodeId === episodeId ? p.positionMs : null;
  };

  return { position, positionIn, jumpTo };
}
