import { For, Show } from "solid-js";
import type { JSX } from "solid-js";
import { menuStep } from "../listNav";
import { createPopover } from "../popover";
import Icon from "./Icon";

export type Choice = { key: string; label: string; checked: boolean };

type Props = {
  /** The menu's id and the stem of its test ids (`<id>-menu`, `<id>-option-<key>`). */
  id: string;
  /** The menu's accessible name, e.g. "Playback speed". */
  label: string;
  /** The small heading over the choices, if any. */
  heading?: string;
  choices: readonly Choice[];
  onChoose: (key: string) => void;
  /** The button: its test id, its name for screen readers and its tooltip, and what it shows. */
  buttonTestId: string;
  buttonLabel: string;
  buttonTitle: string;
  buttonClass: string;
  buttonClassList?: Record<string, boolean>;
  /** Extra attributes the button carries for tests and styles (e.g. the current value). */
  buttonData?: Record<`data-${string}`, string>;
  children: JSX.Element;
};

/**
 * A button that opens a small menu of exclusive choices above the player bar: ↑/↓ move, Enter
 * chooses, Escape closes and gives focus back. The menu scrolls when the window is too short for
 * it (popover.ts `fitToRoom`), so every choice stays reachable.
 */
export default function ChoiceMenu(props: Props) {
  let menu: HTMLDivElement | undefined;
  const items = () => Array.from(menu?.querySelectorAll<HTMLElement>('[role="menuitemradio"]') ?? []);
  const { open, show, close, toggle, rootRef, buttonRef } = createPopover(() => {
    const all = items();
    const start = all.find((el) => el.getAttribute("aria-checked") === "true") ?? all[0];
    start?.focus();
    start?.scrollIntoView?.({ block: "nearest" });
  });

  const choose = (choice: Choice) => {
    close(true);
    if (!choice.checked) props.onChoose(choice.key);
  };

  const onMenuKey = (event: KeyboardEvent) => {
    const all = items();
    const at = all.findIndex((el) => el === document.activeElement);
    switch (event.key) {
      case "Escape":
        event.preventDefault();
        event.stopPropagation();
        close(true);
        return;
      case "Tab":
        close(false);
        return;
    }
    const next = menuStep(event.key, at, all.length);
    if (next === null) return;
    event.preventDefault();
    all[next]?.focus();
  };

  return (
    <div class="popup-menu-anchor" ref={rootRef}>
      <button
        ref={buttonRef}
        class={props.buttonClass}
        classList={props.buttonClassList}
        type="button"
        data-testid={props.buttonTestId}
        {...props.buttonData}
        aria-haspopup="menu"
        aria-expanded={open()}
        aria-controls={open() ? `${props.id}-menu` : undefined}
        aria-label={props.buttonLabel}
        title={props.buttonTitle}
        onClick={toggle}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown" || e.key === "ArrowUp") {
            e.preventDefault();
            if (!open()) show();
          }
        }}
      >
        {props.children}
      </button>
      <Show when={open()}>
        <div ref={menu} id={`${props.id}-menu`} class="menu popup-menu" role="menu" data-popup aria-label={props.label} data-testid={`${props.id}-menu`} on:keydown={onMenuKey}>
          <Show when={props.heading}>
            <p class="menu-title" aria-hidden="true">
              {props.heading}
            </p>
          </Show>
          <For each={props.choices}>
            {(choice) => (
              <button
                class="menu-item"
                type="button"
                role="menuitemradio"
                aria-checked={choice.checked}
                tabindex="-1"
                data-testid={`${props.id}-option-${choice.key}`}
                onClick={() => choose(choice)}
              >
                <span class="menu-check" aria-hidden="true">
                  <Show when={choice.checked}>
                    <Icon name="check" size={13} />
                  </Show>
                </span>
                {choice.label}
              </button>
            )}
          </For>
        </div>
      </Show>
    </div>
  );
}
