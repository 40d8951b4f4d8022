import { createEffect, createSignal, on, Show } from "solid-js";
import { initials } from "../format";
import { imageSrc } from "../imageSrc";

/** The artwork's box in CSS px per size (styles.css `.artwork-*`). */
const BOX_PX = { sm: 32, md: 56, lg: 112 } as const;

type Props = {
  src: string | null;
  /** Used for the placeholder's initials and colour. */
  name: string;
  size: "sm" | "md" | "lg";
};

function hue(name: string): number {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return h;
}

/** Show artwork, or a coloured tile with initials when there is none or it fails to load. */
export default function Artwork(props: Props) {
  const [failed, setFailed] = createSignal(false);
  const src = () => imageSrc(props.src, BOX_PX[props.size]);
  createEffect(on(src, () => setFailed(false), { defer: true }));
  return (
    <div class={`artwork artwork-${props.size}`} style={{ "--art-hue": String(hue(props.name)) }} aria-hidden="true">
      <Show when={src() && !failed()} fallback={<span class="artwork-initials">{initials(props.name)}</span>}>
        <img
          src={src() ?? ""}
          alt=""
          loading="lazy"
          decoding="async"
          draggable={false}
          referrerPolicy="no-referrer"
          onError={() => setFailed(true)}
        />
      </Show>
    </div>
  );
}
