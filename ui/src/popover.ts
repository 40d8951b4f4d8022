import { createSignal, onCleanup } from "solid-js";

/**
 * Open/closed state for a button's popover or menu. A press outside `root` closes it and leaves focus
 * where the press put it; `close(true)` gives focus back to the button. `onShow` runs once the
 * popover is rendered, to move focus into it.
 */
export function createPopover(onShow: (root: HTMLElement | undefined) => void) {
  const [open, setOpen] = createSignal(false);
  let root: HTMLElement | undefined;
  let button: HTMLElement | undefined;

  const onOutside = (event: PointerEvent) => {
    if (root && event.target instanceof Node && !root.contains(event.target)) close(false);
  };
  const close = (refocus: boolean) => {
    setOpen(false);
    document.removeEventListener("pointerdown", onOutside);
    if (refocus) button?.focus();
  };
  const show = () => {
    setOpen(true);
    document.addEventListener("pointerdown", onOutside);
    const popup = root?.querySelector<HTMLElement>("[data-popup]");
    if (popup) fitToRoom(popup);
    onShow(root);
  };
  onCleanup(() => document.removeEventListener("pointerdown", onOutside));

  return {
    open,
    show,
    close,
    toggle: () => (open() ? close(false) : show()),
    rootRef: (el: HTMLElement) => (root = el),
    buttonRef: (el: HTMLElement) => (button = el),
  };
}

/** The box a popup may use: the window, cut by any ancestor that clips what overflows it. */
function roomOf(popup: HTMLElement): { top: number; bottom: number } {
  let top = 0;
  let bottom = window.innerHeight;
  for (let el = popup.parentElement; el; el = el.parentElement) {
    const style = getComputedStyle(el);
    if (style.overflowY !== "visible" || style.overflowX !== "visible") {
      const r = el.getBoundingClientRect();
      if (r.height > 0) {
        top = Math.max(top, r.top);
        bottom = Math.min(bottom, r.bottom);
      }
    }
  }
  return { top, bottom };
}

/**
 * Caps a popup (a menu or popover, `[data-popup]`) to the room on the side it opens to, so that
 * a short window scrolls it instead of cutting it off: upward ones (anchored by their bottom)
 * get the room above their bottom edge, downward ones the room below their top.
 */
export function fitToRoom(popup: HTMLElement, margin = 8): void {
  popup.style.maxHeight = "";
  const rect = popup.getBoundingClientRect();
  const room = roomOf(popup);
  const upward = getComputedStyle(popup).bottom !== "auto" && getComputedStyle(popup).top === "auto";
  const height = upward ? rect.bottom - room.top - margin : room.bottom - rect.top - margin;
  popup.style.maxHeight = `${Math.max(120, Math.floor(height))}px`;
  popup.style.overflowY = "auto";
}
