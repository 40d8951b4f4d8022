import { For, createSignal, onCleanup, Show } from "solid-js";
import type { SleepTimer, SleepView } from "../api";
import { formatTimestamp } from "../format";
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
  const [open, setOpen] = createSignal(false);
  let root: HTMLDivElement | undefined;
  let button: HTMLButtonElement | undefined;
  let menu: HTMLDivElement | undefined;

  const items = () => Array.from(menu?.querySelectorAll<HTMLElement>('[role="menuitemradio"]') ?? []);
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
    const all = items();
    (all.find((el) => el.getAttribute("aria-checked") === "true") ?? all[0])?.focus();
  };
  onCleanup(() => document.removeEventListener("pointerdown", onOutside));

  const choose = (option: Option) => {
    close(true);
    if (!sameSleepTimer(option.timer, props.sleep?.timer ?? null)) props.onSet(option.timer);
  };
  const checked = (option: Option) => sameSleepTimer(option.timer, props.sleep?.timer ?? null);

  const onMenuKey = (event: KeyboardEvent) => {
    const all = items();
    const at = all.findIndex((el) => el === document.activeElement);
    let next: number | null = null;
    switch (event.key) {
      case "ArrowDown":
        next = at < 0 ? 0 : (at + 1) % all.length;
        break;
      case "ArrowUp":
        next = at < 0 ? all.length - 1 : (at - 1 + all.length) % all.length;
        break;
      case "Home":
        next = 0;
        break;
      case "End":
        next = all.length - 1;
        break;
      case "Escape":
        event.preventDefault();
        event.stopPropagation();
        close(true);
        return;
      case "Tab":
        close(false);
        return;
      default:
        return;
    }
    event.preventDefault();
    all[next]?.focus();
  };

  const label = () => sleepLabel(props.sleep);

  return (
    <div class="sleep-timer" ref={root}>
      <button
        ref={button}
        class="button sleep-button"
        classList={{ "button-icon": !props.sleep, "sleep-active": !!props.sleep }}
        type="button"
        data-testid="sleep-timer-button"
        aria-haspopup="menu"
        aria-expanded={open()}
        aria-controls={open() ? "sleep-menu" : undefined}
        aria-label={props.sleep ? `Sleep timer: ${label()}` : "Sleep timer"}
        title={props.sleep ? `Sleep timer: ${label()}` : "Sleep timer"}
        onClick={() => (open() ? close(false) : show())}
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
