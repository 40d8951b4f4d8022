// F6 / Shift+F6 and Ctrl+1..3 move between the window's panes, as in GNOME and KDE apps; ↑/↓
// with nothing focused go to the episode list. Panes are marked `data-pane` in the markup, so
// this module owns the keys and the focus and App owns which panes are on screen.

export type PaneId = "library" | "episodes" | "episode";
export const PANE_ORDER: readonly PaneId[] = ["library", "episodes", "episode"];

export type PaneMove = { pane: PaneId } | { step: 1 | -1 };

/** The pane a key asks for, or null when it is not a pane key. */
export function paneKey(event: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey" | "shiftKey">): PaneMove | null {
  if (event.key === "F6" && !event.ctrlKey && !event.metaKey && !event.altKey) return { step: event.shiftKey ? -1 : 1 };
  if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey) {
    const at = ["1", "2", "3"].indexOf(event.key);
    if (at >= 0) return { pane: PANE_ORDER[at]! };
  }
  return null;
}

/** The pane a step leads to from `from` (null: no pane has the focus, so the first one). */
export function stepPane(from: PaneId | null, step: 1 | -1): PaneId {
  if (from === null) return step === 1 ? PANE_ORDER[0]! : PANE_ORDER[PANE_ORDER.length - 1]!;
  const at = PANE_ORDER.indexOf(from);
  return PANE_ORDER[(at + step + PANE_ORDER.length) % PANE_ORDER.length]!;
}

/** The pane an element is in. */
export function paneOf(element: Element | null): PaneId | null {
  const pane = element?.closest<HTMLElement>("[data-pane]")?.dataset.pane;
  return PANE_ORDER.includes(pane as PaneId) ? (pane as PaneId) : null;
}

/** The shown element of a pane (the Downloads and Up Next views stand in for the episode list). */
function paneElement(pane: PaneId, root: ParentNode): HTMLElement | null {
  const all = Array.from(root.querySelectorAll<HTMLElement>(`[data-pane="${pane}"]`));
  const shown = all.find((el) => el.getClientRects().length > 0);
  if (shown) return shown;
  // Nothing is laid out at all (no layout engine: the unit tests): the last one mounted.
  return document.body.getClientRects().length === 0 ? (all[all.length - 1] ?? null) : null;
}

/**
 * Focuses a pane where the listener left it: a list at its selected (tabbable) item, so that the
 * arrow keys go on from there; the episode itself as a whole, so that they scroll its notes.
 * False when the pane is not on screen.
 */
export function focusPane(pane: PaneId, root: ParentNode = document): boolean {
  const el = paneElement(pane, root);
  if (!el) return false;
  const item = pane === "episode" ? null : el.querySelector<HTMLElement>('[role="option"][tabindex="0"], [aria-current="page"]');
  const target = item ?? el;
  if (target === el && !el.hasAttribute("tabindex")) el.tabIndex = -1;
  target.focus();
  return document.activeElement === target;
}
