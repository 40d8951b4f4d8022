// Global playback keys: Space play/pause, ←/→ skip back/forward, [ / ] previous/next chapter.
// The lists only use ↑/↓, Home, End, Enter and Space (listNav.ts, ChapterList), so ←/→ are free.
// Keys stay with whatever is focused when it needs them: text fields, selects and sliders
// (where ←/→ move the value), and for Space also buttons, links and list options, which it activates.

export type PlayerKeyActions = {
  toggle: () => void;
  skipBack: () => void;
  skipForward: () => void;
  previousChapter: () => void;
  nextChapter: () => void;
};

/** Focus is somewhere that takes typing or arrow keys itself. */
export function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  if (target.closest("input, select, textarea, [contenteditable]:not([contenteditable='false'])")) return true;
  return target instanceof HTMLElement && target.isContentEditable === true;
}

/** Focus is on something that Space (or Enter) activates. */
function isActivatable(target: EventTarget | null): boolean {
  return target instanceof Element && !!target.closest("button, a[href], summary, [role='option'], [role='button'], [role='link']");
}

/**
 * Handles a keydown if it is a playback key meant for the player; returns true when it did
 * (and then prevented the default, e.g. Space scrolling the pane).
 */
export function handlePlayerKey(event: KeyboardEvent, actions: PlayerKeyActions): boolean {
  if (event.defaultPrevented || event.isComposing) return false;
  // AltGr (reported as Ctrl+Alt on Windows) types [ and ] on many layouts: not a shortcut.
  const altGr = event.getModifierState?.("AltGraph") ?? false;
  if (!altGr && (event.ctrlKey || event.metaKey || event.altKey)) return false;
  if (isEditable(event.target)) return false;
  let action: (() => void) | undefined;
  switch (event.key) {
    case " ":
    case "Spacebar":
      if (event.repeat || isActivatable(event.target)) return false;
      action = actions.toggle;
      break;
    case "ArrowLeft":
      if (event.shiftKey) return false;
      action = actions.skipBack;
      break;
    case "ArrowRight":
      if (event.shiftKey) return false;
      action = actions.skipForward;
      break;
    case "[":
      action = actions.previousChapter;
      break;
    case "]":
      action = actions.nextChapter;
      break;
    default:
      return false;
  }
  event.preventDefault();
  action();
  return true;
}
