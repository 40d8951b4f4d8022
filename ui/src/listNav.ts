// Arrow-key movement shared by lists and menus, as index arithmetic so each caller keeps its own
// focus and selection handling.

/**
 * Where ↑/↓, Home/End (and PageUp/PageDown, given `page`) move from `current` (-1: nothing yet)
 * in a list of `count` that stops at its ends; null for any other key.
 */
export function listStep(key: string, current: number, count: number, page?: number): number | null {
  const by = (delta: number) => (current < 0 ? 0 : Math.max(0, Math.min(current + delta, count - 1)));
  switch (key) {
    case "ArrowDown":
      return by(1);
    case "ArrowUp":
      return by(-1);
    case "PageDown":
      return page === undefined ? null : by(page);
    case "PageUp":
      return page === undefined ? null : by(-page);
    case "Home":
      return 0;
    case "End":
      return count - 1;
    default:
      return null;
  }
}

/** The same for a menu, which wraps around at its ends and has no PageUp/PageDown. */
export function menuStep(key: string, current: number, count: number): number | null {
  switch (key) {
    case "ArrowDown":
      return current < 0 ? 0 : (current + 1) % count;
    case "ArrowUp":
      return current <= 0 ? count - 1 : current - 1;
    case "Home":
      return 0;
    case "End":
      return count - 1;
    default:
      return null;
  }
}

// Listboxes whose options carry `data-id`: the keys above move the selection and the focus together
// (roving tabindex: only the selected option is tabbable); Enter chooses. Space is the player's
// (playerKeys.ts): a row left focused by a click must not take it.
export function onListKeyDown(event: KeyboardEvent, select: (id: string) => void): void {
  const list = event.currentTarget as HTMLElement;
  const options = Array.from(list.querySelectorAll<HTMLElement>('[role="option"][data-id]'));
  if (options.length === 0) return;
  const current = options.findIndex((o) => o === document.activeElement);
  if (event.key === "Enter") {
    if (current >= 0) {
      event.preventDefault();
      const id = options[current]?.dataset.id;
      if (id) select(id);
    }
    return;
  }
  const next = listStep(event.key, current, options.length);
  if (next === null) return;
  event.preventDefault();
  const target = options[next];
  if (!target) return;
  target.focus();
  target.scrollIntoView({ block: "nearest" });
  const id = target.dataset.id;
  if (id) select(id);
}
