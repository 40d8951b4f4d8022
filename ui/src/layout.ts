// The window's widths at which the layout changes. styles.css has the same numbers in its
// "narrow windows" media queries: change both together.

import { createSignal, onCleanup } from "solid-js";

/** Below this the sidebar becomes a drawer opened from the header. */
export const DRAWER_BELOW_PX = 1000;
/** Below this one pane is shown at a time: the episode list, or the episode with a back button. */
export const ONE_PANE_BELOW_PX = 700;

function query(belowPx: number): MediaQueryList | undefined {
  return typeof window !== "undefined" && typeof window.matchMedia === "function" ? window.matchMedia(`(max-width: ${belowPx - 1}px)`) : undefined;
}

/** Whether the window is narrower than `belowPx`, kept up to date as it is resized. */
export function createNarrower(belowPx: number): () => boolean {
  const q = query(belowPx);
  const [narrower, setNarrower] = createSignal(q?.matches ?? false);
  const update = () => setNarrower(q?.matches ?? false);
  q?.addEventListener("change", update);
  onCleanup(() => q?.removeEventListener("change", update));
  return narrower;
}
