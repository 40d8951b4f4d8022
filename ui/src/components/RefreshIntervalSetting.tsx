import { createSignal, For, onMount, Show } from "solid-js";
import * as api from "../api";
import Icon from "./Icon";

/** The choices, in hours; 0 is never. */
export const REFRESH_INTERVALS = [1, 3, 6, 12, 24, 0] as const;

export const intervalLabel = (hours: number): string =>
  hours === 0 ? "Never" : hours === 1 ? "Every hour" : `Every ${hours} hours`;

/** "Check for new episodes: every 1 / 3 / 6 / 12 / 24 hours / never", saved by the backend. */
export default function RefreshIntervalSetting() {
  const [hours, setHours] = createSignal<number | null>(null);
  const [saving, setSaving] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);

  onMount(async () => {
    try {
      setHours(await api.getRefreshIntervalHours());
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  });

  // A value set elsewhere (an older version, by hand) is shown as it is.
  const options = () => {
    const h = hours();
    return h == null || (REFRESH_INTERVALS as readonly number[]).includes(h) ? [...REFRESH_INTERVALS] : [...REFRESH_INTERVALS, h].sort((a, b) => (a === 0 ? 1 : b === 0 ? -1 : a - b));
  };

  const change = async (value: number) => {
    const before = hours();
    setHours(value);
    setSaving(true);
    setError(null);
    try {
      await api.setRefreshIntervalHours(value);
    } catch (e) {
      setHours(before);
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <div class="refresh-setting">
      <label class="refresh-setting-row" for="refresh-interval">
        <Icon name="clock" size={14} />
        <span class="refresh-setting-label">Check for new episodes</span>
      </label>
      <select
        id="refresh-interval"
        class="select refresh-select"
        data-testid="refresh-interval"
        disabled={hours() == null || saving()}
        value={hours() == null ? "" : String(hours())}
        aria-describedby={error() ? "refresh-interval-error" : undefined}
        onChange={(e) => void change(Number(e.currentTarget.value))}
      >
        <Show when={hours() == null}>
          <option value="">…</option>
        </Show>
        <For each={options()}>{(h) => <option value={String(h)}>{intervalLabel(h)}</option>}</For>
      </select>
      <Show when={error()}>
        <p id="refresh-interval-error" class="refresh-setting-error" role="alert" data-testid="refresh-interval-error">
          {error()}
        </p>
      </Show>
    </div>
  );
}
