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
