// The ONLY place where HTML from a feed enters the DOM. The backend has sanitized it; links in
// it are caught by the click handler in App and opened in the system browser; its pictures are
// asked of the engine (routeNoteImages), never of the web.
import { createMemo, type JSX } from "solid-js";
import { routeNoteImages } from "../imageSrc";

type Props = {
  /** Sanitized HTML (`description_html`) from the backend. */
  html: string;
  class?: string;
  testId?: string;
  ref?: (el: HTMLDivElement) => void;
  style?: JSX.CSSProperties;
  /** One delegated handler for the whole container (e.g. timestamp buttons added later). */
  onClick?: (event: MouseEvent) => void;
};

export default function RichText(props: Props) {
  const html = createMemo(() => routeNoteImages(props.html));
  return (
    <div
      ref={(el) => {
        // A picture the engine would not show (a tracking pixel found by its size, an
        // unreachable host) leaves no broken-image icon. Error events do not bubble: capture.
        el.addEventListener("error", (event) => {
          if (event.target instanceof HTMLImageElement) event.target.hidden = true;
        }, true);
        props.ref?.(el);
      }}
      class={props.class}
      style={props.style}
      data-testid={props.testId}
      dir="auto"
      onClick={(e) => props.onClick?.(e)}
      innerHTML={html()}
    />
  );
}
