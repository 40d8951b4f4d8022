import { createEffect, createMemo, createSignal, For, on, Show } from "solid-js";
import type { ChapterView } from "../api";
import { chapterSourceLabel, playingChapterIndex, webUrl } from "../chapters";
import { formatTimestamp } from "../format";
import ChapterItem from "./ChapterItem";
import ContextMenu from "./ContextMenu";
import type { MenuItem } from "./ContextMenu";

type Props = {
  episodeId: string;
  chapters: ChapterView[];
  /** The engine's current chapter (index into `chapters`); null when it plays elsewhere or in a gap. */
  chapterIndex: number | null;
  onJump: (episodeId: string, startMs: number) => void;
  /** A chapter row's menu ("Play next", "Play last"); none without it. */
  menuItems?: (chapter: ChapterView) => MenuItem[];
};

/** How many rows a long list shows until "Show all N chapters". */
const COLLAPSED_ROWS = 8;

/** The episode's chapters: one button per chapter, the one at the player's position highlighted. */
export default function ChapterList(props: Props) {
  const [expanded, setExpanded] = createSignal(false);
  // The row that last had focus: the list's one tab stop (roving tabindex), so a long list is
  // one Tab away from the notes; ↑/↓ move within it.
  const [focused, setFocused] = createSignal<number | null>(null);
  createEffect(
    on(
      () => props.episodeId,
      () => {
        setExpanded(false);
        setFocused(null);
      },
      { defer: true },
    ),
  );

  const count = () => props.chapters.length;
  const current = createMemo(() => playingChapterIndex(props.chapters, props.chapterIndex));
  const collapsible = () => count() > COLLAPSED_ROWS;
  const collapsed = () => collapsible() && !expanded();
  const shown = createMemo(() => (collapsed() ? props.chapters.slice(0, COLLAPSED_ROWS) : props.chapters));
  /** The current chapter when a collapsed list hides it (a timestamp in the notes went there). */
  const pinned = createMemo(() => (collapsed() && current() >= COLLAPSED_ROWS ? current() : -1));
  const isShown = (i: number) => i >= 0 && i < count() && (!collapsed() || i < COLLAPSED_ROWS || i === pinned());
  const tabStop = createMemo(() => {
    const f = focused();
    if (f != null && isShown(f)) return f;
    return isShown(current()) ? current() : 0;
  });
  const hasArt = createMemo(() => props.chapters.some((c) => webUrl(c.img)));
  const source = () => chapterSourceLabel(props.chapters[0]?.source);
  // Wide enough for the longest start time, so titles line up.
  const timeWidth = () => `${Math.max(...props.chapters.map((c) => formatTimestamp(c.start_ms).length), 4)}ch`;

  const [menu, setMenu] = createSignal<{ index: number; x: number; y: number } | null>(null);
  const rowButton = (index: number) =>
    document.querySelector<HTMLElement>(`[data-testid="chapter-list"] .chapter-item[data-index="${index}"]`);
  const closeMenu = (refocus: boolean) => {
    const at = menu()?.index;
    setMenu(null);
    if (refocus && at != null) rowButton(at)?.focus();
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const list = event.currentTarget as HTMLElement;
    const rows = Array.from(list.querySelectorAll<HTMLElement>(".chapter-item"));
    if (rows.length === 0) return;
    const active = document.activeElement;
    const at = rows.findIndex((r) => r === active || (!!active && !!r.parentElement?.contains(active)));
    if (event.key === "ContextMenu" || (event.key === "F10" && event.shiftKey)) {
      const index = at >= 0 ? Number(rows[at]!.dataset.index) : NaN;
      if (!props.menuItems || !Number.isInteger(index)) return;
      event.preventDefault();
      const rect = rows[at]!.getBoundingClientRect();
      setMenu({ index, x: rect.left + 24, y: rect.top + Math.min(rect.height, 32) });
      return;
    }
    if (!["ArrowDown", "ArrowUp", "Home", "End"].includes(event.key)) return;
    let next: number;
    if (event.key === "Home") next = 0;
    else if (event.key === "End") next = rows.length - 1;
    else if (at < 0) next = 0;
    else next = event.key === "ArrowDown" ? Math.min(at + 1, rows.length - 1) : Math.max(at - 1, 0);
    event.preventDefault();
    const target = rows[next];
    target?.focus();
    target?.scrollIntoView({ block: "nearest" });
  };

  const row = (chapter: ChapterView, index: () => number) => (
    <ChapterItem
      chapter={chapter}
      index={index()}
      current={current() === index()}
      tabbable={tabStop() === index()}
      artSlot={hasArt()}
      onJump={(startMs) => props.onJump(props.episodeId, startMs)}
      onFocus={setFocused}
      onContextMenu={props.menuItems ? (index, x, y) => setMenu({ index, x, y }) : undefined}
    />
  );

  return (
    <section class="chapters" data-testid="chapter-list" aria-labelledby="chapters-heading">
      <header class="chapters-head">
        <h3 id="chapters-heading" class="chapters-heading">
          Chapters <span class="chapters-count">{count()}</span>
        </h3>
        <Show when={source()}>
          <span class="chapters-source" data-testid="chapter-source">
            {source()}
          </span>
        </Show>
      </header>
      <ol class="chapter-list" style={{ "--chapter-time-w": timeWidth() }} onKeyDown={onKeyDown}>
        <For each={shown()}>{(chapter, i) => row(chapter, i)}</For>
        <Show when={pinned() >= 0 && props.chapters[pinned()]}>
          {(chapter) => (
            <>
              <li class="chapter-gap" aria-hidden="true">
                ⋮
              </li>
              {row(chapter(), pinned)}
            </>
          )}
        </Show>
      </ol>
      <Show when={menu() && props.chapters[menu()!.index]}>
        {(chapter) => (
          <ContextMenu
            x={menu()!.x}
            y={menu()!.y}
            label={`Actions for “${chapter().title.trim() || `Chapter ${menu()!.index + 1}`}”`}
            testId="chapter-menu"
            items={props.menuItems?.(chapter()) ?? []}
            onClose={closeMenu}
          />
        )}
      </Show>
      <Show when={collapsible()}>
        <button class="link-button chapters-toggle" type="button" aria-expanded={expanded()} onClick={() => setExpanded(!expanded())}>
          {expanded() ? "Show fewer chapters" : `Show all ${count()} chapters`}
        </button>
      </Show>
    </section>
  );
}
