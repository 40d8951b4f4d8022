import { onCleanup, onMount } from "solid-js";
import type { JSX } from "solid-js";
import { focusables, trapTab } from "../focusTrap";
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
 * A modal dialog over a dimmed backdrop: focus moves in when it opens, Tab stays inside, Escape
 * or a click on the backdrop closes it, and focus goes back to where it was.
 */
export default function Dialog(props: Props) {
  let panel: HTMLDivElement | undefined;
  const opener = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;

  onMount(() => {
    if (!panel) return;
    const target = props.initialFocus?.() ?? focusables(panel)[0] ?? panel;
    target.focus();
  });
  onCleanup(() => {
    const back = opener?.isConnected ? opener : props.returnFocus?.();
    // Only when focus was in the dialog (or nowhere): a click elsewhere has put it where it should be.
    const active = document.activeElement;
    if (back && (!active || active === document.body || !active.isConnected || panel?.contains(active))) back.focus();
  });

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Escape" && !event.isComposing) {
      event.preventDefault();
      event.stopPropagation();
      props.onClose();
      return;
    }
    if (panel) trapTab(event, panel);
  };

  return (
    <div
      class="dialog-backdrop"
      onPointerDown={(event) => {
        if (event.target === event.currentTarget) {
          event.preventDefault();
          props.onClose();
        }
      }}
    >
      <div
        ref={panel}
        class={`dialog ${props.class ?? ""}`}
        role="dialog"
        aria-modal="true"
        aria-label={props.labelledBy ? undefined : props.label}
        aria-labelledby={props.labelledBy}
        aria-describedby={props.describedBy}
        data-testid={props.testId}
        tabindex="-1"
        on:keydown={onKeyDown}
      >
        {props.children}
      </div>
    </div>
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
