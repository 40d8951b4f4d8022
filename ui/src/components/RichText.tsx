// The ONLY place where HTML from a feed enters the DOM. The backend has sanitized it; links in
// it are caught by the click handler in App and opened in the system browser.
import type { JSX } from "solid-js";

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
  return (
    <div
      ref={props.ref}
      class={props.class}
      style={props.style}
      data-testid={props.testId}
      dir="auto"
      onClick={(e) => props.onClick?.(e)}
      innerHTML={props.html}
    />
  );
}
