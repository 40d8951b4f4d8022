import { createEffect, createMemo, on, Show } from "solid-js";
import { linkTimestamps } from "../noteTimestamps";
import RichText from "./RichText";

type Props = {
  episodeId: string;
  /** Sanitized `description_html`. */
  html: string;
  /** The episode's chapter starts: timestamps naming one become buttons (any timestamp when empty). */
  chapterStartsMs: number[];
  onJump: (episodeId: string, startMs: number) => void;
};

/** The show notes, with the timestamps in them turned into buttons that jump there. */
export default function ShowNotes(props: Props) {
  let container: HTMLDivElement | undefined;
  // A string, so replacing the list with an equal one does not re-walk the notes.
  const startsKey = createMemo(() => props.chapterStartsMs.join(","));

  // After RichText has put the HTML in (its render effect runs before this user effect).
  createEffect(
    on([() => props.html, startsKey], () => {
      if (container) linkTimestamps(container, props.chapterStartsMs);
    }),
  );

  const onClick = (event: MouseEvent) => {
    const button = (event.target as Element | null)?.closest?.("button.timestamp");
    if (!(button instanceof HTMLButtonElement) || !container?.contains(button)) return;
    const ms = Number(button.dataset.startMs);
    if (Number.isFinite(ms)) props.onJump(props.episodeId, ms);
  };

  return (
    <Show
      when={props.html.trim()}
      fallback={
        <p class="show-notes show-notes-empty" data-testid="show-notes">
          This episode has no show notes.
        </p>
      }
    >
      <RichText ref={(el) => (container = el)} class="show-notes" testId="show-notes" html={props.html} onClick={onClick} />
    </Show>
  );
}
