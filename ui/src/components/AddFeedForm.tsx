import { createSignal, Show } from "solid-js";
import Icon from "./Icon";

type Props = {
  pending: boolean;
  error: string | null;
  /** Resolves true when subscribed; the typed URL is kept otherwise. */
  onSubmit: (url: string) => Promise<boolean>;
  onEdit: () => void;
};

export default function AddFeedForm(props: Props) {
  const [url, setUrl] = createSignal("");
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (props.pending) return;
    if (await props.onSubmit(url())) setUrl("");
  };
  return (
    <form class="add-feed" onSubmit={submit} novalidate>
      <label class="add-feed-label" for="add-feed-input">
        Add a podcast
      </label>
      <div class="add-feed-row">
        <input
          id="add-feed-input"
          class="add-feed-input"
          type="text"
          inputmode="url"
          placeholder="Paste a feed URL"
          autocomplete="off"
          spellcheck={false}
          data-testid="add-feed-input"
          value={url()}
          aria-invalid={props.error ? "true" : undefined}
          aria-describedby={props.error ? "add-feed-error" : undefined}
          onInput={(e) => {
            setUrl(e.currentTarget.value);
            props.onEdit();
          }}
        />
        <button
          class="button button-primary add-feed-submit"
          type="submit"
          data-testid="add-feed-submit"
          disabled={props.pending}
          aria-label="Add podcast"
          title="Add podcast"
        >
          <Show when={props.pending} fallback={<Icon name="plus" size={16} />}>
            <span class="spinner" aria-hidden="true" />
          </Show>
        </button>
      </div>
      <Show when={props.error}>
        <p id="add-feed-error" class="add-feed-error" role="alert" data-testid="add-feed-error">
          {props.error}
        </p>
      </Show>
    </form>
  );
}
