import { createEffect, createMemo, createSelector, createSignal, For, on, onCleanup, onMount, Show } from "solid-js";
import type { DownloadView, EpisodeRow } from "../api";
import { listStep } from "../listNav";
import ContextMenu from "./ContextMenu";
import type { MenuItem } from "./ContextMenu";
import EpisodeItem from "./EpisodeItem";

type Props = {
  episodes: readonly EpisodeRow[];
  selectedId: string | null;
  onSelect: (episodeId: string) => void;
  /** The episode the player has loaded, marked as the current one. */
  playingId?: string | null;
  /** Clicked or Enter: the listener wants to see the episode (arrow keys only select). */
  onOpen?: (episodeId: string) => void;
  /** An episode's download, for the row's small download mark. */
  downloadOf?: (episodeId: string) => DownloadView | undefined;
  /** A row's context menu (right-click, the menu key or Shift+F10); none without it. */
  menuItems?: (episode: EpisodeRow) => MenuItem[];
};

/** Longer lists render only the rows in view (plus a margin): thousands of rows stay fast. */
export const VIRTUAL_THRESHOLD = 150;
/** A windowed list's rows all have this height (px); the CSS matches. */
export const ROW_HEIGHT = 64;
/** Rows rendered above and below the visible ones. */
export const OVERSCAN = 6;
/** The list's padding (px), as in the CSS. */
const PAD_TOP = 6;
const PAD_BOTTOM = 16;
/** The viewport to assume before it can be measured (jsdom has no layout). */
const FALLBACK_VIEWPORT = 720;

type Menu = { id: string; x: number; y: number };

export default function EpisodeList(props: Props) {
  // createSelector: changing the selection touches two rows, not all of them.
  const isSelected = createSelector(() => props.selectedId);
  const tabbableId = createMemo(() =>
    props.selectedId != null && props.episodes.some((e) => e.id === props.selectedId) ? props.selectedId : (props.episodes[0]?.id ?? null),
  );
  const isTabbable = createSelector(tabbableId);
  const virtual = () => props.episodes.length > VIRTUAL_THRESHOLD;
  const indexOf = createMemo(() => new Map(props.episodes.map((e, i) => [e.id, i] as const)));

  let list: HTMLUListElement | undefined;
  const [scrollTop, setScrollTop] = createSignal(0);
  const [viewport, setViewport] = createSignal(0);
  const [menu, setMenu] = createSignal<Menu | null>(null);
  const height = () => viewport() || FALLBACK_VIEWPORT;

  /** The rows in view plus the overscan, as [start, end). */
  const range = createMemo(
    () => {
      const n = props.episodes.length;
      const top = Math.max(0, scrollTop() - PAD_TOP);
      const start = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
      const end = Math.min(n, Math.ceil((top + height()) / ROW_HEIGHT) + OVERSCAN);
      return { start, end: Math.max(start, end) };
    },
    undefined,
    { equals: (a, b) => a.start === b.start && a.end === b.end },
  );

  /**
   * The rows in the DOM. Windowed: those in range, and the list's tab stop wherever it is, so
   * Tab always finds the list and focus is not lost when its row scrolls away.
   */
  const rendered = createMemo((): readonly EpisodeRow[] => {
    if (!virtual()) return props.episodes;
    const { start, end } = range();
    const rows = props.episodes.slice(start, end);
    const id = tabbableId();
    const at = id == null ? undefined : indexOf().get(id);
    if (at !== undefined && (at < start || at >= end)) {
      const row = props.episodes[at]!;
      if (at < start) rows.unshift(row);
      else rows.push(row);
    }
    return rows;
  });

  const measure = () => {
    if (list) setViewport(list.clientHeight);
  };
  onMount(() => {
    measure();
    if (typeof ResizeObserver !== "undefined" && list) {
      const observer = new ResizeObserver(measure);
      observer.observe(list);
      onCleanup(() => observer.disconnect());
    }
  });

  const rowElement = (id: string): HTMLElement | undefined =>
    Array.from(list?.querySelectorAll<HTMLElement>('[role="option"]') ?? []).find((el) => el.dataset.id === id);

  /** Scrolls the least needed to show row `index` whole. */
  const reveal = (index: number) => {
    if (!list) return;
    if (!virtual()) {
      const id = props.episodes[index]?.id;
      const el = id == null ? undefined : rowElement(id);
      el?.scrollIntoView?.({ block: "nearest" });
      return;
    }
    const top = PAD_TOP + index * ROW_HEIGHT;
    const bottom = top + ROW_HEIGHT;
    const h = list.clientHeight || height();
    const current = scrollTop();
    let to = current;
    if (top < current) to = Math.max(0, top - PAD_TOP);
    else if (bottom > current + h) to = bottom - h + PAD_BOTTOM;
    if (to !== current) {
      list.scrollTop = to;
      setScrollTop(to); // at once, so the row is rendered before it gets focus
    }
  };

  // A selection made elsewhere (search, the Downloads view) is scrolled into view.
  createEffect(
    on(
      () => props.selectedId,
      (id) => {
        const at = id == null ? undefined : indexOf().get(id);
        if (at !== undefined) reveal(at);
      },
    ),
  );

  const openMenuAt = (id: string) => {
    const el = rowElement(id);
    const rect = el?.getBoundingClientRect();
    setMenu({ id, x: (rect?.left ?? 0) + 24, y: (rect?.top ?? 0) + Math.min(rect?.height ?? 0, 40) });
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const rows = props.episodes;
    if (rows.length === 0 || event.altKey || event.ctrlKey || event.metaKey) return;
    const option = (event.target as Element | null)?.closest?.<HTMLElement>('[role="option"][data-id]');
    const current = option?.dataset.id != null ? (indexOf().get(option.dataset.id) ?? -1) : -1;
    const page = Math.max(1, Math.floor(height() / ROW_HEIGHT) - 1);
    switch (event.key) {
      // Space is the player's (playerKeys.ts), also on a row left focused by a click.
      case "Enter":
        if (current >= 0) {
          event.preventDefault();
          props.onSelect(rows[current]!.id);
          props.onOpen?.(rows[current]!.id);
        }
        return;
      case "ContextMenu":
      case "F10":
        if (event.key === "F10" && !event.shiftKey) return;
        if (current >= 0 && props.menuItems) {
          event.preventDefault();
          openMenuAt(rows[current]!.id);
        }
        return;
      case "ArrowDown":
      case "ArrowUp":
        if (event.shiftKey) return;
    }
    const next = listStep(event.key, current, rows.length, page);
    if (next === null) return;
    event.preventDefault();
    const id = rows[next]!.id;
    props.onSelect(id);
    reveal(next);
    const target = rowElement(id);
    target?.focus();
    if (!virtual()) target?.scrollIntoView?.({ block: "nearest" });
  };

  const menuRow = () => {
    const m = menu();
    return m ? props.episodes.find((e) => e.id === m.id) : undefined;
  };
  const closeMenu = (refocus: boolean) => {
    const id = menu()?.id;
    setMenu(null);
    if (refocus && id) rowElement(id)?.focus();
  };

  return (
    <>
      <ul
        ref={list}
        class="episode-list"
        classList={{ virtual: virtual() }}
        style={virtual() ? { "--virtual-h": `${PAD_TOP + props.episodes.length * ROW_HEIGHT + PAD_BOTTOM}px` } : undefined}
        role="listbox"
        aria-label="Episodes"
        data-testid="episode-list"
        data-virtual={virtual() ? "true" : undefined}
        onKeyDown={onKeyDown}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      >
        <For each={rendered()}>
          {(episode) => {
            const index = () => indexOf().get(episode.id) ?? 0;
            return (
              <EpisodeItem
                episode={episode}
                selected={isSelected(episode.id)}
                tabbable={isTabbable(episode.id)}
                onSelect={props.onSelect}
                onOpen={props.onOpen}
                playing={props.playingId === episode.id}
                download={props.downloadOf?.(episode.id)}
                posinset={index() + 1}
                setsize={props.episodes.length}
                top={virtual() ? PAD_TOP + index() * ROW_HEIGHT : undefined}
                onContextMenu={props.menuItems ? (id, x, y) => setMenu({ id, x, y }) : undefined}
              />
            );
          }}
        </For>
      </ul>
      <Show when={menu() && menuRow()}>
        {(row) => (
          <ContextMenu
            x={menu()!.x}
            y={menu()!.y}
            label={`Actions for “${row().title}”`}
            testId="episode-menu"
            items={props.menuItems?.(row()) ?? []}
            onClose={closeMenu}
          />
        )}
      </Show>
    </>
  );
}
