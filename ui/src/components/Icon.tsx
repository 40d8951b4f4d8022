// A few inline SVG icons (no icon font, nothing remote). They inherit `currentColor`.
import type { JSX } from "solid-js";

const paths = {
  menu: "M4 6.5h16M4 12h16M4 17.5h16",
  "arrow-left": "M19 12H5M11 6l-6 6 6 6",
  refresh: "M20 11a8 8 0 1 0-2.34 5.66M20 4v7h-7",
  warning: "M12 3 2 20h20L12 3zm0 6v5m0 3v.5",
  offline: "M2 8.5a15 15 0 0 1 6-3.2M12 5a15 15 0 0 1 10 3.5M5 12a10 10 0 0 1 4-2.3M15 10a10 10 0 0 1 4 2M8.5 15.5a5 5 0 0 1 7 0M12 19.5h.01M3 3l18 18",
  check: "M5 12.5 10 17.5 19 7",
  plus: "M12 5v14M5 12h14",
  external: "M14 4h6v6M20 4l-9 9M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5",
  podcast: "M12 11a1.5 1.5 0 1 0 0 .01M8.5 15.5a5 5 0 1 1 7 0M5.6 18.4a9 9 0 1 1 12.8 0M12 14v7",
  alert: "M12 8v5m0 3.5v.01M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z",
  play: "M7.5 5.2v13.6a.8.8 0 0 0 1.2.7l11-6.8a.8.8 0 0 0 0-1.4l-11-6.8a.8.8 0 0 0-1.2.7z",
  pause: "M7 5h3v14H7zM14 5h3v14h-3z",
  back: "M4 12a8 8 0 1 0 2.4-5.7M4 4v4.5h4.5",
  forward: "M20 12a8 8 0 1 1-2.4-5.7M20 4v4.5h-4.5",
  "chapter-prev": "M6 5v14M18 6l-8 6 8 6z",
  "chapter-next": "M18 5v14M6 6l8 6-8 6z",
  volume: "M4 9.5h3.5L12 6v12l-4.5-3.5H4zM15.5 9a4 4 0 0 1 0 6M18 6.5a7.5 7.5 0 0 1 0 11",
  settings: "M4 7h9M17 7h3M4 17h3M11 17h9M15 5v4M9 15v4",
  download: "M12 4v11M7 10.5l5 5 5-5M5 20h14",
  downloaded: "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM12 7.5v8M8.5 12.5l3.5 3.5 3.5-3.5",
  close: "M6 6l12 12M18 6 6 18",
  trash: "M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3",
  folder: "M3 6.5A1.5 1.5 0 0 1 4.5 5H9l2 2.5h8.5A1.5 1.5 0 0 1 21 9v9.5a1.5 1.5 0 0 1-1.5 1.5h-15A1.5 1.5 0 0 1 3 18.5z",
  search: "M10.5 4a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13zM20 20l-4.9-4.9",
  moon: "M20 14.2A8.2 8.2 0 1 1 9.8 4a6.6 6.6 0 0 0 10.2 10.2z",
  keyboard: "M3.5 6.5h17a1 1 0 0 1 1 1v9a1 1 0 0 1-1 1h-17a1 1 0 0 1-1-1v-9a1 1 0 0 1 1-1zM6.5 10h.01M10 10h.01M13.5 10h.01M17 10h.01M8 14h8",
  sort: "M7 4v16M3.5 16.5 7 20l3.5-3.5M17 20V4M13.5 7.5 17 4l3.5 3.5",
  upload: "M12 16V4M7 9l5-5 5 5M5 20h14",
  clock: "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM12 7.5V12l3 2",
  more: "M5.5 12h.01M12 12h.01M18.5 12h.01",
  "check-all": "M2.5 12.5 7 17l9-10M12 16l1 1 9-10",
  list: "M8 6h12M8 12h12M8 18h12M4 6h.01M4 12h.01M4 18h.01",
  grip: "M9 6h.01M15 6h.01M9 12h.01M15 12h.01M9 18h.01M15 18h.01",
  "play-next": "M4 6h10M4 12h7M4 18h7M15 11v9l6-4.5z",
  quote: "M4 5.5h16a1 1 0 0 1 1 1v9a1 1 0 0 1-1 1h-9l-5 4v-4H4a1 1 0 0 1-1-1v-9a1 1 0 0 1 1-1zM7.5 9.5h9M7.5 12.5h6",
} as const;

/** Solid shapes; the rest are drawn with a stroke. */
const filled: ReadonlySet<string> = new Set(["play", "pause"]);
/** Dots: drawn with a wider pen so they read at 16px. */
const heavy: ReadonlySet<string> = new Set(["more", "grip"]);

export type IconName = keyof typeof paths;

export default function Icon(props: { name: IconName; size?: number; class?: string }): JSX.Element {
  return (
    <svg
      class={`icon ${props.class ?? ""}`}
      width={props.size ?? 16}
      height={props.size ?? 16}
      viewBox="0 0 24 24"
      fill={filled.has(props.name) ? "currentColor" : "none"}
      stroke="currentColor"
      stroke-width={heavy.has(props.name) ? "3.2" : "2"}
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
    >
      <path d={paths[props.name]} />
    </svg>
  );
}
