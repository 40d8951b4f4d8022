import { Show } from "solid-js";
import type { SleepTimer, SleepView } from "../api";
import { formatTimestamp } from "../format";
import { sameSleepTimer } from "../stores/player";
import ChoiceMenu from "./ChoiceMenu";
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
  const checked = (option: Option) => sameSleepTimer(option.timer, props.sleep?.timer ?? null);
  const label = () => sleepLabel(props.sleep);
  return (
    <ChoiceMenu
      id="sleep"
      label="Sleep timer"
      heading="Stop playing after"
      choices={SLEEP_OPTIONS.map((o) => ({ key: o.key, label: o.label, checked: checked(o) }))}
      onChoose={(key) => props.onSet(SLEEP_OPTIONS.find((o) => o.key === key)?.timer ?? null)}
      buttonTestId="sleep-timer-button"
      buttonLabel={props.sleep ? `Sleep timer: ${label()}` : "Sleep timer"}
      buttonTitle={props.sleep ? `Sleep timer: ${label()}` : "Sleep timer"}
      buttonClass="button sleep-button"
      buttonClassList={{ "button-icon": !props.sleep, "sleep-active": !!props.sleep }}
    >
      <Icon name="moon" size={15} />
      <Show when={props.sleep}>
        <span class="sleep-left" data-testid="sleep-timer-left">
          {label()}
        </span>
      </Show>
    </ChoiceMenu>
  );
}
