import { Show } from "solid-js";
import { createPopover } from "../popover";
import type { SkipSettings } from "../stores/player";
import { SKIP_MAX_S, SKIP_MIN_S } from "../stores/skipSettings";
import Icon from "./Icon";

type Props = {
  skip: SkipSettings;
  onChange: (patch: Partial<SkipSettings>) => void;
};

/** The bar's gear: how far Back and Forward jump. Closes on Escape and on a click elsewhere. */
export default function SkipSettingsPopover(props: Props) {
  const { open, close, toggle, rootRef, buttonRef } = createPopover((root) => root?.querySelector<HTMLInputElement>("input")?.focus());

  const field = (label: string, testId: string, key: keyof SkipSettings) => (
    <label class="skip-field">
      <span>{label}</span>
      <input
        class="skip-input"
        type="number"
        inputmode="numeric"
        min={SKIP_MIN_S}
        max={SKIP_MAX_S}
        step="1"
        data-testid={testId}
        value={props.skip[key]}
        onChange={(e) => props.onChange({ [key]: Number(e.currentTarget.value) })}
      />
      <span class="skip-unit">s</span>
    </label>
  );

  return (
    <div class="skip-settings" ref={rootRef}>
      <button
        ref={buttonRef}
        class="button button-icon"
        type="button"
        data-testid="player-settings"
        aria-label="Skip settings"
        title="Skip settings"
        aria-haspopup="dialog"
        aria-expanded={open()}
        onClick={toggle}
      >
        <Icon name="settings" size={16} />
      </button>
      <Show when={open()}>
        <div
          class="skip-popover"
          data-popup
          role="dialog"
          aria-label="Skip settings"
          data-testid="skip-settings"
          onKeyDown={(e) => {
            if (e.key === "Escape") {
              e.preventDefault();
              close(true);
            }
          }}
        >
          <p class="skip-popover-title">Skip distances</p>
          {field("Back", "skip-back-seconds", "backS")}
          {field("Forward", "skip-forward-seconds", "forwardS")}
          <p class="skip-popover-hint">
            {SKIP_MIN_S}–{SKIP_MAX_S} seconds. Keys: ← and →.
          </p>
        </div>
      </Show>
    </div>
  );
}
