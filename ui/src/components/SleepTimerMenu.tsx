import { For, Show } from "solid-js";
import type { SleepTimer, SleepView } from "../api";
import { formatTimestamp } from "../format";
import { menuStep } from "../listNav";
import { createPopover } from "../popover";
import { sameSleepTimer } from "../stores/player";
import Icon from "./Icon";

type Props = {
  sleep: SleepView | null;
  onSet: (timer: SleepTimer | null) => void;
};

type Option = { key: string; label: string; timer: SleepTimer | null };

export const SLEEP_OPTIONS: readonly Option[] = [
  { key: "off", label: "Off", timer: null },
  ...[15, 30, 45, 60].map((minutes) => ({ key: String(minutes), label: `${minutes} minutes`, timer: { kind: "minutes" as const, minutes } })),
  { key: "end_of_chapter", label: "End of chapter", timer: { kind: "end_of_chapter" } },
  { key: "end_of_episode", label: "End of episode", timer: { kind: "end_of_episode" } },
];

/** What the button says while a timer runs: "14:59" left, or "End of chapter" / "End of episode". */
export function sleepLabel(sleep: SleepView | null | undefined): string {
  if (!sleep) return "";
  switch (sleep.timer.kind) {
    case "minutes": {
      const ms = sleep.remaining_ms ?? sleep.timer.minutes * 60_000;
      // Rounded up, as a countdown: "0:01" until it is over.
      return formatTimestamp(Math.ceil(Math.max(0, ms) / 1000) * 1000);
    }
    case "end_of_chapter":
      return "End of chapter";
    case "end_of_episode":
      return "End of episode";
  }
}

/** The bar's sleep timer: a button that shows the time left, and a small menu of choices. */
export default function SleepTimerMenu(props: Props) {
  let menu: HTMLDivElement | undefined;
  const items = () => Array.from(menu?.querySelectorAll<HTMLElement>('[role="menuitemradio"]') ?? []);
  const { open, show, close, toggle, rootRef, buttonRef } = createPopover(() => {
    const all = items();
    (all.find((el) => el.getAttribute("aria-checked") === "true") ?? all[0])?.focus();
  });

  const choose = (option: Option) => {
    close(true);
    if (!sameSleepTimer(option.timer, props.sleep?.timer ?? null)) props.onSet(option.timer);
  };
  const checked = (option: Option) => sameSleepTimer(option.timer, props.sleep?.timer ?? null);

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

  const label = () => sleepLabel(props.sleep);

  return (
    <div class="sleep-timer" ref={rootRef}>
      <button
        ref={buttonRef}
        class="button sleep-button"
        classList={{ "button-icon": !props.sleep, "sleep-active": !!props.sleep }}
        type="button"
        data-testid="sleep-timer-button"
        aria-haspopup="menu"
        aria-expanded={open()}
        aria-controls={open() ? "sleep-menu" : undefined}
        aria-label={props.sleep ? `Sleep timer: ${label()}` : "Sleep timer"}
        title={props.sleep ? `Sleep timer: ${label()}` : "Sleep timer"}
        onClick={toggle}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown" || e.key === "ArrowUp") {
            e.preventDefault();
            if (!open()) show();
          }
        }}
      >
        <Icon name="moon" size={15} />
        <Show when={props.sleep}>
          <span class="sleep-left" data-testid="sleep-timer-left">
            {label()}
          </span>
        </Show>
      </button>
      <Show when={open()}>
        <div ref={menu} id="sleep-menu" class="menu sleep-menu" role="menu" aria-label="Sleep timer" data-testid="sleep-menu" on:keydown={onMenuKey}>
          <p class="menu-title" aria-hidden="true">
            Stop playing after
          </p>
          <For each={SLEEP_OPTIONS}>
            {(option) => (
              <button
                class="menu-item"
                type="button"
                role="menuitemradio"
                aria-checked={checked(option)}
                tabindex="-1"
                data-testid={`sleep-option-${option.key}`}
                onClick={() => choose(option)}
              >
                <span class="menu-check" aria-hidden="true">
                  <Show when={checked(option)}>
                    <Icon name="check" size={13} />
                  </Show>
                </span>
                {option.label}
              </button>
            )}
          </For>
        </div>
      </Show>
    </div>
  );
}
