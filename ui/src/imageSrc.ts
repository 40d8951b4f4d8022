// Pictures from the web reach the window only through the engine (the `ccimg:` scheme; the CSP
// lets the page load no image from the web itself). The engine caps, scales, caches and refuses
// tracking pixels; here we only name the picture and the box it is shown in.
import { convertFileSrc } from "@tauri-apps/api/core";
import { webUrl } from "./chapters";

/** The scheme the shell serves pictures on (`src-tauri/src/image_protocol.rs`). */
export const IMAGE_SCHEME = "ccimg";

/** The widest a picture in show notes is shown (CSS px); the notes column is narrower. */
export const NOTE_IMAGE_PX = 640;

function inTauri(): boolean {
  return "__TAURI_INTERNALS__" in window;
}

/**
 * The `src` for the picture at `url` shown in a `cssPx` box, or null when `url` is not a web
 * URL. Outside the app (the demo backend in a browser) the picture is loaded as it is.
 */
export function imageSrc(url: string | null | undefined, cssPx: number): string | null {
  const web = webUrl(url);
  if (!web) return null;
  if (!inTauri()) return web;
  const px = Math.max(1, Math.ceil(cssPx * (window.devicePixelRatio || 1)));
  return convertFileSrc(`${px}/${web}`, IMAGE_SCHEME);
}

/** A declared width or height this small marks a tracking pixel (or a spacer): never fetched. */
function isTiny(img: Element): boolean {
  return ["width", "height"].some((name) => {
    const value = img.getAttribute(name);
    if (value === null || value.trim() === "") return false;
    const px = Number.parseFloat(value);
    return Number.isFinite(px) && px <= 2;
  });
}

/**
 * Show-notes HTML (already sanitized by the engine) with every picture routed through the
 * engine, and tracking pixels declared as such removed before anything asks for them. Parsed
 * in a <template>, whose inert document loads nothing.
 */
export function routeNoteImages(html: string): string {
  if (!/<img/i.test(html)) return html;
  const template = document.createElement("template");
  template.innerHTML = html;
  for (const img of Array.from(template.content.querySelectorAll("img"))) {
    const src = isTiny(img) ? null : imageSrc(img.getAttribute("src"), NOTE_IMAGE_PX);
    if (!src) {
      img.remove();
      continue;
    }
    img.setAttribute("src", src);
    img.setAttribute("loading", "lazy");
    img.setAttribute("decoding", "async");
    img.removeAttribute("srcset");
  }
  return template.innerHTML;
}
