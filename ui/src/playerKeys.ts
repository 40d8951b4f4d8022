// Global keys: Space play/pause, ←/→ skip back/forward, Shift+←/→ previous/next chapter,
// [ / ] speed down/up, Ctrl+K (⌘K) or / search, ? the shortcuts dialog.
// They act on the player wherever focus is, except where typing goes: text fields, textareas
// and contenteditable. A clicked chapter row, a button, a select or a slider keeps focus after
// the click, and a key must not re-trigger it (Space restarting the chapter, reopening search,
// opening the speed list): the player's keys win there. Enter still activates what is focused.
// Ctrl+K opens search from anywhere, text fields included. An open menu keeps Space (it picks
// the item), and an open modal dialog owns the keyboard: only Ctrl+K and ? still work.

export type PlayerKeyActions = {
  toggle: () => void;
  skipBack: () => void;
  skipForward: () => void;
  previousChapter: () => void;
  nextChapter: () => void;
  speedDown: () => void;
  speedUp: () => void;
  openSearch: () => void;
  toggleShortcuts: () => void;
};

export type PlayerKeyOptions = {
  /** A modal dialog is open (also detected from the event's target). */
  modalOpen?: boolean;
};

/** Every shortcut, for the shortcuts dialog; `keys` are shown as separate key caps. */
export const SHORTCUTS: readonly { keys: readonly (readonly string[])[]; action: string }[] = [
  { keys: [["Space"]], action: "Play or pause" },
  { keys: [["←"]], action: "Skip back" },
  { keys: [["→"]], action: "Skip forward" },
  { keys: [["Shift", "←"]], action: "Previous chapter" },
  { keys: [["Shift", "→"]], action: "Next chapter" },
  { keys: [["["]], action: "Slower (−0.25×)" },
  { keys: [["]"]], action: "Faster (+0.25×)" },
  { keys: [["Ctrl", "K"], ["/"]], action: "Search episodes, chapters and transcripts" },
  { keys: [["?"]], action: "Show or hide these shortcuts" },
  { keys: [["Esc"]], action: "Close a dialog or menu" },
  { keys: [["↑"], ["↓"]], action: "Move in a list or in search results" },
  { keys: [["Enter"]], action: "Open or play the chosen item" },
  { keys: [["Shift", "Enter"]], action: "Play a search result next (Up Next)" },
  { keys: [["Alt", "↑"], ["Alt", "↓"]], action: "Move an episode in Up Next" },
  { keys: [["Delete"]], action: "Remove an episode from Up Next" },
];

/** Input types that take typing (and so Space and the arrows). */
const TEXT_INPUT_TYPES: ReadonlySet<string> = new Set(["", "text", "search", "email", "url", "tel", "password", "number", "date", "time"]);

/** Focus is somewhere that takes typing itself. */
export function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  const input = target.closest("input");
  if (input) return TEXT_INPUT_TYPES.has(input.type.toLowerCase());
  if (target.closest("textarea, [contenteditable]:not([contenteditable='false'])")) return true;
  return target instanceof HTMLElement && target.isContentEditable === true;
}

/** Inside an open menu, where Space picks the focused item. */
function inMenu(target: EventTarget | null): boolean {
  return target instanceof Element && !!target.closest("[role='menu'], [role='menubar']");
}

function inModal(target: EventTarget | null): boolean {
  return target instanceof Element && !!target.closest("[aria-modal='true']");
}

/**
 * Handles a keydown if it is a global key; returns true when it did (and then prevented the
 * default, e.g. Space scrolling the pane or the webview's own Ctrl+K).
 */
export function handlePlayerKey(event: KeyboardEvent, actions: PlayerKeyActions, options: PlayerKeyOptions = {}): boolean {
  if (event.defaultPrevented || event.isComposing) return false;
  // AltGr (reported as Ctrl+Alt on Windows) types [, ], / and ? on many layouts: not a shortcut.
  const altGr = event.getModifierState?.("AltGraph") ?? false;
  const command = !altGr && (event.ctrlKey || event.metaKey);
  if (command && !event.altKey && !event.shiftKey && event.key.toLowerCase() === "k") {
    return run(event, actions.openSearch);
  }
  if (!altGr && (event.ctrlKey || event.metaKey || event.altKey)) return false;
  if (isEditable(event.target)) return false;
  if (event.key === "?") return run(event, actions.toggleShortcuts);
  if (options.modalOpen || inModal(event.target)) return false;
  switch (event.key) {
    case " ":
    case "Spacebar":
      if (event.repeat || inMenu(event.target)) return false;
      return run(event, actions.toggle);
    case "ArrowLeft":
      return run(event, event.shiftKey ? actions.previousChapter : actions.skipBack);
    case "ArrowRight":
      return run(event, event.shiftKey ? actions.nextChapter : actions.skipForward);
    case "[":
      return run(event, actions.speedDown);
    case "]":
      return run(event, actions.speedUp);
    case "/":
      return run(event, actions.openSearch);
    default:
      return false;
  }
}

/**
 * The keyup of a Space the player took: cancelled too, because buttons activate on the keyup
 * (a focused Play button would otherwise toggle a second time, the search button reopen search).
 */
export function swallowPlayerSpaceUp(event: KeyboardEvent, tookKeydown: boolean): void {
  if (tookKeydown && (event.key === " " || event.key === "Spacebar")) event.preventDefault();
}

function run(event: KeyboardEvent, action: () => void): true {
  event.preventDefault();
  action();
  return true;
}
