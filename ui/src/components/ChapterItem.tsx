import { createEffect, createSignal, on, Show } from "solid-js";
import { openExternal } from "../api";
import type { ChapterView } from "../api";
import { webUrl } from "../chapters";
import { imageSrc } from "../imageSrc";
import { formatTimestamp } from "../format";
import Icon from "./Icon";

type Props = {
  chapter: ChapterView;
  index: number;
  current: boolean;
  /** The list's one tab stop. */
  tabbable: boolean;
  /** Some chapter in the list has artwork: keep a 32px slot in every row so titles line up. */
  artSlot: boolean;
  onJump: (startMs: number) => void;
  onFocus: (index: number) => void;
  /** Right click (or the menu key): this row's actions, at the pointer. */
  onContextMenu?: (index: number, x: number, y: number) => void;
};

/** One chapter row: a button that jumps there, and a link button when the chapter has a web page. */
export default function ChapterItem(props: Props) {
  const title = () => props.chapter.title.trim() || `Chapter ${props.index + 1}`;
  const time = () => formatTimestamp(props.chapter.start_ms);
  const img = () => imageSrc(props.chapter.img, 32);
  const link = () => webUrl(props.chapter.url);
  const [imgFailed, setImgFailed] = createSignal(false);
  createEffect(on(img, () => setImgFailed(false), { defer: true }));
  return (
    <li class="chapter-row" classList={{ current: props.current }}>
      <button
        class="chapter-item"
        type="button"
        data-testid="chapter-item"
        data-start-ms={props.chapter.start_ms}
        data-index={props.index}
        aria-current={props.current ? "true" : undefined}
        tabindex={props.tabbable ? 0 : -1}
        onFocus={() => props.onFocus(props.index)}
        onClick={() => props.onJump(props.chapter.start_ms)}
        onContextMenu={(event) => {
          if (!props.onContextMenu) return;
          event.preventDefault();
          props.onContextMenu(props.index, event.clientX, event.clientY);
        }}
      >
        <span class="chapter-time">{time()}</span>
        <Show when={props.artSlot}>
          <span class="chapter-art" aria-hidden="true">
            <Show when={img() && !imgFailed()} fallback={<Icon name="podcast" size={14} />}>
              <img
                src={img() ?? ""}
                alt=""
                width="32"
                height="32"
                loading="lazy"
                decoding="async"
                draggable={false}
                referrerPolicy="no-referrer"
                onError={() => setImgFailed(true)}
              />
            </Show>
          </span>
        </Show>
        <span class="chapter-title" data-testid="chapter-title">
          {title()}
        </span>
      </button>
      <Show when={link()}>
        {(url) => (
          <button
            class="button button-icon chapter-link"
            type="button"
            tabindex={props.tabbable ? 0 : -1}
            aria-label={`Open the web page for “${title()}”`}
            title={url()}
            onFocus={() => props.onFocus(props.index)}
            onClick={() => openExternal(url()).catch((e: unknown) => console.warn("could not open link", url(), e))}
          >
            <Icon name="external" size={14} />
          </button>
        )}
      </Show>
    </li>
  );
}
