import { For, onCleanup, onMount, Show } from "solid-js";
import { menuStep } from "../listNav";
import type { IconName } from "./Icon";
import Icon from "./Icon";

export type MenuItem = {
  label: string;
  testId: string;
  icon?: IconName;
  disabled?: boolean;
  onSelect: () => void;
};

type Props = {
  /** Where it opens (viewport px): at the pointer, or under the focused row. */
  x: number;
  y: number;
  label: string;
  items: MenuItem[];
  testId?: string;
  /** `refocus`: give focus back to what opened it (Escape, a choice), not for a click elsewhere. */
  onClose: (refocus: boolean) => void;
};

/** A small menu of actions at a point: ↑/↓ move, Enter chooses, Escape or a click elsewhere closes. */
export default function ContextMenu(props: Props) {
  let menu: HTMLDivElement | undefined;
  const items = () => Array.from(menu?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]:not(:disabled)') ?? []);

  const onOutside = (event: Event) => {
    if (menu && event.target instanceof Node && menu.contains(event.target)) return;
    props.onClose(false);
  };
  const onViewportChange = () => props.onClose(false);
  onMount(() => {
    if (!menu) return;
    // Keep it inside the window: flipped above the pointer when it would run off the bottom,
    // and scrolling when the window is shorter than the menu.
    menu.style.maxHeight = `${window.innerHeight - 8}px`;
    menu.style.overflowY = "auto";
    const rect = menu.getBoundingClientRect();
    const x = Math.max(4, Math.min(props.x, window.innerWidth - rect.width - 4));
    const y = props.y + rect.height > window.innerHeight - 4 ? Math.max(4, Math.min(props.y, window.innerHeight - 4) - rect.height) : props.y;
    menu.style.left = `${x}px`;
    menu.style.top = `${y}px`;
    items()[0]?.focus();
    document.addEventListener("pointerdown", onOutside, true);
    window.addEventListener("resize", onViewportChange);
    window.addEventListener("blur", onViewportChange);
  });
  onCleanup(() => {
    document.removeEventListener("pointerdown", onOutside, true);
    window.removeEventListener("resize", onViewportChange);
    window.removeEventListener("blur", onViewportChange);
  });

  const onKeyDown = (event: KeyboardEvent) => {
    const all = items();
    const at = all.findIndex((el) => el === document.activeElement);
    if (event.key === "Escape" || event.key === "Tab") {
      event.preventDefault();
      event.stopPropagation();
      props.onClose(true);
      return;
    }
    const next = menuStep(event.key, at, all.length);
    if (next === null) return;
    event.preventDefault();
    event.stopPropagation();
    all[next]?.focus();
  };

  return (
    <div
      ref={menu}
      class="menu context-menu"
      role="menu"
      aria-label={props.label}
      data-testid={props.testId}
      style={{ left: `${props.x}px`, top: `${props.y}px` }}
      on:keydown={onKeyDown}
    >
      <For each={props.items}>
        {(item) => (
          <button
            class="menu-item"
            type="button"
            role="menuitem"
            tabindex="-1"
            disabled={item.disabled}
            data-testid={item.testId}
            onClick={() => {
              props.onClose(true);
              item.onSelect();
            }}
          >
            <span class="menu-check" aria-hidden="true">
              <Show when={item.icon}>{(name) => <Icon name={name()} size={13} />}</Show>
            </span>
            {item.label}
          </button>
        )}
      </For>
    </div>
  );
}
