import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IMAGE_SCHEME, imageSrc, NOTE_IMAGE_PX, routeNoteImages } from "./imageSrc";

type Internals = { convertFileSrc: (path: string, protocol: string) => string };
const win = window as unknown as { __TAURI_INTERNALS__?: Internals; devicePixelRatio: number };

describe("pictures go through the engine", () => {
  beforeEach(() => {
    // What Tauri's convertFileSrc does on Linux.
    win.__TAURI_INTERNALS__ = {
      convertFileSrc: (path, protocol) => `${protocol}://localhost/${encodeURIComponent(path)}`,
    };
  });
  afterEach(() => {
    delete win.__TAURI_INTERNALS__;
  });

  it("names the box in device pixels and the web URL", () => {
    win.devicePixelRatio = 2;
    expect(imageSrc("https://cdn.example/cover.jpg?x=1", 32)).toBe(
      `${IMAGE_SCHEME}://localhost/${encodeURIComponent("64/https://cdn.example/cover.jpg?x=1")}`,
    );
    win.devicePixelRatio = 1;
    expect(imageSrc("javascript:alert(1)", 32)).toBeNull();
    expect(imageSrc("file:///etc/passwd", 32)).toBeNull();
    expect(imageSrc(null, 32)).toBeNull();
  });

  it("routes every note picture and drops tracking pixels before anything asks for them", () => {
    win.devicePixelRatio = 1;
    const html =
      '<p>Hi<img src="https://t.example/open.gif" width="1" height="1">' +
      '<img src="https://cdn.example/diagram.png" alt="Diagram" width="600">' +
      '<img src="https://t.example/px" height="0"><img src="data:image/png;base64,AAAA"></p>';
    const root = document.createElement("div");
    root.innerHTML = routeNoteImages(html);
    const imgs = Array.from(root.querySelectorAll("img"));
    expect(imgs.map((i) => i.getAttribute("src"))).toEqual([
      `${IMAGE_SCHEME}://localhost/${encodeURIComponent(`${NOTE_IMAGE_PX}/https://cdn.example/diagram.png`)}`,
    ]);
    expect(imgs[0]?.getAttribute("alt")).toBe("Diagram");
    expect(imgs[0]?.getAttribute("loading")).toBe("lazy");
    expect(root.textContent).toBe("Hi");
    expect(root.innerHTML).not.toContain("https://t.example");
  });

  it("leaves notes without pictures as they are", () => {
    const html = "<p>a &lt; b</p>";
    expect(routeNoteImages(html)).toBe(html);
  });
});

describe("outside the app", () => {
  it("loads web pictures as they are (the demo backend in a browser)", () => {
    expect(imageSrc("https://cdn.example/a.png", 32)).toBe("https://cdn.example/a.png");
  });
});
