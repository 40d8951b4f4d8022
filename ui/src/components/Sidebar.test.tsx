import { createSignal } from "solid-js";
import { render } from "solid-js/web";
import { afterEach, describe, expect, it, vi } from "vitest";

vi.mock("../api", () => ({
  ApiError: class extends Error {},
  listShows: vi.fn(),
  listEpisodes: vi.fn(async () => []),
  getEpisode: vi.fn(),
  loadChapters: vi.fn(async () => []),
}));

import * as api from "../api";
import { createLibrary } from "../stores/library";
import { showView } from "../test/fixtures";
import Sidebar from "./Sidebar";
import type { MainView } from "./Sidebar";

const mocked = vi.mocked(api);

let dispose: (() => void) | undefined;
afterEach(() => {
  dispose?.();
  document.body.replaceChildren();
});

describe("Sidebar", () => {
  it("opens the downloads, and a show goes back to the shows", async () => {
    mocked.listShows.mockResolvedValue([showView("a"), showView("b")]);
    const lib = createLibrary();
    await lib.loadShows();
    const [view, setView] = createSignal<MainView>("shows");
    const root = document.createElement("div");
    document.body.append(root);
    dispose = render(() => <Sidebar library={lib} view={view()} onView={setView} activeDownloads={2} queued={3} />, root);
    const nav = root.querySelector<HTMLButtonElement>("[data-testid=nav-downloads]")!;
    const selected = () => Array.from(root.querySelectorAll("[data-testid=show-item][aria-selected=true]")).map((e) => e.getAttribute("data-id"));

    expect(nav.getAttribute("aria-current")).toBeNull();
    expect(root.querySelector("[data-testid=nav-downloads-active]")!.textContent).toBe("2");
    expect(selected()).toEqual(["a"]);

    nav.click();
    expect(view()).toBe("downloads");
    expect(nav.getAttribute("aria-current")).toBe("page");
    expect(selected()).toEqual([]); // no show is highlighted under the downloads

    root.querySelectorAll<HTMLElement>("[data-testid=show-item]")[1]!.click();
    expect(view()).toBe("shows");
    expect(lib.state.selectedShowId).toBe("b");
    expect(selected()).toEqual(["b"]);
  });
});
