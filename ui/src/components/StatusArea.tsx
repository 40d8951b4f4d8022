import { Show } from "solid-js";
import Icon from "./Icon";

type Props = {
  refreshing: boolean;
  offline: boolean;
  error: string | null;
  onRefresh: () => void;
};

/** The header's right side: refresh progress, the offline notice and the refresh button. */
export default function StatusArea(props: Props) {
  return (
    <div class="status-area" aria-live="polite">
      <Show when={props.refreshing}>
        <span class="status refresh-indicator" data-testid="refresh-indicator">
          <span class="spinner" aria-hidden="true" />
          Refreshing…
        </span>
      </Show>
      <Show when={!props.refreshing && props.offline}>
        <span class="status offline-notice" data-testid="offline-notice">
          <Icon name="offline" size={14} />
          Offline — showing your saved episodes
        </span>
      </Show>
      <Show when={!props.refreshing && !props.offline && props.error}>
        <span class="status status-error" title={props.error ?? ""}>
          <Icon name="warning" size={14} />
          Couldn't refresh
        </span>
      </Show>
      <button
        class="button button-icon"
        type="button"
        onClick={() => props.onRefresh()}
        disabled={props.refreshing}
        aria-label="Refresh all podcasts"
        title="Refresh all podcasts (Ctrl+R)"
      >
        <Icon name="refresh" size={16} />
      </button>
    </div>
  );
}
