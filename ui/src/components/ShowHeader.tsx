import { createEffect, createSignal, on, Show } from "solid-js";
import type { CommandError, ShowView } from "../api";
import { formatDate, showName } from "../format";
import Artwork from "./Artwork";
import Icon from "./Icon";
import RichText from "./RichText";
import SoundProfilePopover from "./SoundProfilePopover";

type Props = {
  show: ShowView;
  /** A non-offline refresh failure to mention quietly. */
  warning: CommandError | null;
  /** For a show another device unsubscribed from: subscribe here again, or remove it. */
  onSubscribeAgain?: () => void;
  onRemove?: () => void;
};

export default function ShowHeader(props: Props) {
  const [expanded, setExpanded] = createSignal(false);
  const [overflows, setOverflows] = createSignal(false);
  let description: HTMLDivElement | undefined;

  createEffect(
    on(
      () => props.show.description_html,
      () => {
        setExpanded(false);
        requestAnimationFrame(() => setOverflows(!!description && description.scrollHeight > description.clientHeight + 2));
      },
    ),
  );

  const count = () => {
    const n = props.show.episode_count;
    return n === 1 ? "1 episode" : `${n} episodes`;
  };

  return (
    <header class="show-header">
      <Artwork src={props.show.image_url} name={showName(props.show)} size="lg" />
      <div class="show-header-text">
        <h1 class="show-title" data-testid="show-title" title={showName(props.show)}>
          {showName(props.show)}
        </h1>
        <p class="show-meta">
          <span>{count()}</span>
          <Show when={props.show.last_refreshed_at}>
            <span>Updated {formatDate(props.show.last_refreshed_at)}</span>
          </Show>
        </p>
        <SoundProfilePopover showId={props.show.id} />
        <Show when={props.show.description_html}>
          <RichText
            ref={(el) => (description = el)}
            class="show-description"
            html={props.show.description_html}
            style={expanded() ? { "max-height": "none", "mask-image": "none", "-webkit-mask-image": "none" } : undefined}
          />
        </Show>
        <Show when={overflows() || props.show.link}>
          <div class="show-links">
            <Show when={overflows()}>
              <button class="link-button" type="button" aria-expanded={expanded()} onClick={() => setExpanded(!expanded())}>
                {expanded() ? "Less" : "More"}
              </button>
            </Show>
            <Show when={props.show.link}>
              <a class="show-link" href={props.show.link ?? ""}>
                Website
                <Icon name="external" size={12} />
              </a>
            </Show>
          </div>
        </Show>
        <Show when={props.show.unsubscribed_elsewhere}>
          <div class="show-unsubscribed" role="note" data-testid="show-unsubscribed">
            <p>Unsubscribed on another device. Its downloads and positions stay here until you remove it.</p>
            <div class="show-unsubscribed-actions">
              <button class="button button-small" type="button" data-testid="show-subscribe-again" onClick={() => props.onSubscribeAgain?.()}>
                Subscribe again
              </button>
              <button class="button button-small" type="button" data-testid="show-remove" onClick={() => props.onRemove?.()}>
                Remove
              </button>
            </div>
          </div>
        </Show>
        <Show when={props.warning}>
          <p class="show-warning" role="note">
            <Icon name="warning" size={14} />
            <span>Couldn't refresh: {props.warning?.message}</span>
          </p>
        </Show>
      </div>
    </header>
  );
}
