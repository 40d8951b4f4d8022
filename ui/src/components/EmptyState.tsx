import { Show } from "solid-js";
import type { IconName } from "./Icon";
import Icon from "./Icon";

type Props = {
  icon: IconName;
  title: string;
  message?: string | null;
  detail?: string | null;
  /** Shows a Retry button. */
  onRetry?: () => void;
  retrying?: boolean;
};

export default function EmptyState(props: Props) {
  return (
    <div class="empty-state" data-testid="empty-state" role="status">
      <div class="empty-state-icon">
        <Icon name={props.icon} size={28} />
      </div>
      <h2 class="empty-state-title">{props.title}</h2>
      <Show when={props.message}>
        <p class="empty-state-message">{props.message}</p>
      </Show>
      <Show when={props.detail}>
        <p class="empty-state-detail">{props.detail}</p>
      </Show>
      <Show when={props.onRetry}>
        <button
          class="button button-primary"
          type="button"
          data-testid="retry-button"
          disabled={props.retrying}
          onClick={() => props.onRetry?.()}
        >
          <Show when={props.retrying} fallback="Retry">
            <span class="spinner" aria-hidden="true" /> Retrying…
          </Show>
        </button>
      </Show>
    </div>
  );
}
