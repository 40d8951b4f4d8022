import { For } from "solid-js";
import type { ThemeChoice, ThemeStore } from "../theme";
import Icon from "./Icon";

const LABELS: Record<ThemeChoice, string> = { system: "System", light: "Light", dark: "Dark" };

/** "Appearance: System / Light / Dark", remembered on this computer. */
export default function ThemeSetting(props: { theme: ThemeStore }) {
  return (
    <div class="refresh-setting theme-setting">
      <span class="refresh-setting-row" id="theme-setting-label">
        <Icon name="moon" size={14} />
        <span class="refresh-setting-label">Appearance</span>
      </span>
      <div class="segmented theme-segmented" role="group" aria-labelledby="theme-setting-label">
        <For each={["system", "light", "dark"] as const}>
          {(choice) => (
            <button
              class="segment"
              classList={{ active: props.theme.choice() === choice }}
              type="button"
              aria-pressed={props.theme.choice() === choice}
              data-testid={`theme-${choice}`}
              title={choice === "system" ? "Follow the desktop's light or dark style" : undefined}
              onClick={() => props.theme.setChoice(choice)}
            >
              {LABELS[choice]}
            </button>
          )}
        </For>
      </div>
    </div>
  );
}
