import { Show } from "solid-js";
import type { Notices } from "../stores/notices";
import Icon from "./Icon";

/** The quiet notice above the player bar: never takes focus, hides itself, can be dismissed. */
export default function NoticeArea(props: { notices: Notices }) {
  const n = props.notices;
  return (
    <div class="notice-area">
      <Show when={n.notice()} keyed>
        {(notice) => (
          <div
            class="notice"
            role="status"
            data-testid="notice"
            data-notice-id={notice.id}
            onPointerEnter={() => n.hold(true)}
            onPointerLeave={() => n.hold(false)}
            onFocusIn={() => n.hold(true)}
            onFocusOut={(e) => {
              if (!(e.relatedTarget instanceof Node && e.currentTarget.contains(e.relatedTarget))) n.hold(false);
            }}
          >
            <Icon name="podcast" size={15} />
            <span class="notice-text">{notice.text}</span>
            <Show when={notice.action}>
              {(action) => (
                <button
                  class="button notice-action"
                  type="button"
                  data-testid="notice-action"
                  onClick={() => {
                    action().run();
                    n.dismiss();
                  }}
                >
                  {action().label}
                </button>
              )}
            </Show>
            <button
              class="button button-icon notice-dismiss"
              type="button"
              data-testid="notice-dismiss"
              aria-label="Dismiss"
              title="Dismiss"
              onClick={() => n.dismiss()}
            >
              <Icon name="close" size={14} />
            </button>
          </div>
        )}
      </Show>
    </div>
  );
}
