import { onCleanup, onMount } from "solid-js";
import type { JSX } from "solid-js";
import Icon from "./Icon";

type Props = {
  /** The accessible name, unless `labelledBy` names an element. */
  label?: string;
  labelledBy?: string;
  describedBy?: string;
  testId: string;
  class?: string;
  onClose: () => void;
  /** What gets focus when the dialog opens; the first focusable element otherwise. */
  initialFocus?: () => HTMLElement | undefined;
  /** Where focus goes when it closes, if the element that had it is gone. */
  returnFocus?: () => HTMLElement | null | undefined;
  children: JSX.Element;
};

/**
 * A modal dialog: the platform's `<dialog>` opened with `showModal()`, so the rest of the window
 * is inert (no Tab, no click, hidden from screen readers) and focus moves in. Escape or a click on
 * the backdrop closes it, and focus goes back to where it was.
 */
export default function Dialog(props: Props) {
  let dialog: HTMLDialogElement | undefined;
  const opener = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;

  onMount(() => {
    if (!dialog) return;
    // jsdom (the unit tests) has no showModal: the open attribute stands in.
    if (typeof dialog.showModal === "function") dialog.showModal();
    else dialog.setAttribute("open", "");
    props.initialFocus?.()?.focus();
    // showModal moves focus in; where it could not (jsdom), the first control, else the dialog.
    if (!dialog.contains(document.activeElement)) {
      const first = dialog.querySelector<HTMLElement>("input:not([disabled]), button:not([disabled]), select, textarea, [href]");
      if (first) first.focus();
      else {
        dialog.tabIndex = -1;
        dialog.focus();
      }
    }
  });
  onCleanup(() => {
    if (dialog?.open && typeof dialog.close === "function") dialog.close();
    const back = opener?.isConnected ? opener : props.returnFocus?.();
    // Only when focus was in the dialog (or nowhere): a click elsewhere has put it where it should be.
    const active = document.activeElement;
    if (back && (!active || active === document.body || !active.isConnected || dialog?.contains(active))) back.focus();
  });

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Escape" && !event.isComposing) {
      // Ours rather than the platform's cancel: the owner unmounts the dialog.
      event.preventDefault();
      event.stopPropagation();
      props.onClose();
    }
  };

  return (
    <dialog
      ref={dialog}
      class={`dialog ${props.class ?? ""}`}
      aria-label={props.labelledBy ? undefined : props.label}
      aria-labelledby={props.labelledBy}
      aria-describedby={props.describedBy}
      data-testid={props.testId}
      on:keydown={onKeyDown}
      on:cancel={(event) => {
        event.preventDefault();
        props.onClose();
      }}
      onPointerDown={(event) => {
        // The backdrop belongs to the dialog element: a press outside its box is on the backdrop.
        if (event.target !== dialog) return;
        const box = dialog.getBoundingClientRect();
        const inside = event.clientX >= box.left && event.clientX <= box.right && event.clientY >= box.top && event.clientY <= box.bottom;
        if (!inside) {
          event.preventDefault();
          props.onClose();
        }
      }}
    >
      {props.children}
    </dialog>
  );
}

/** A dialog's title, and a close button for those without the keyboard. */
export function DialogHeader(props: { titleId: string; onClose: () => void; children: JSX.Element }) {
  return (
    <header class="dialog-header">
      <h2 id={props.titleId} class="dialog-title">
        {props.children}
      </h2>
      <button class="button button-icon" type="button" aria-label="Close" title="Close (Esc)" onClick={() => props.onClose()}>
        <Icon name="close" size={16} />
      </button>
    </header>
  );
}
