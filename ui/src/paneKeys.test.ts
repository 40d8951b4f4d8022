import { afterEach, describe, expect, it } from "vitest";
import { focusPane, paneKey, paneOf, stepPane } from "./paneKeys";

const key = (k: string, mods: Partial<KeyboardEvent> = {}) => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods });

afterEach(() => document.body.replaceChildren());

describe("pane keys", () => {
  it("F6 steps through the panes and Ctrl+1..3 go to one", () => {
    expect(paneKey(key("F6"))).toEqual({ step: 1 });
    expect(paneKey(key("F6", { shiftKey: true }))).toEqual({ step: -1 });
    expect(paneKey(key("1", { ctrlKey: true }))).toEqual({ pane: "library" });
    expect(paneKey(key("3", { metaKey: true }))).toEqual({ pane: "episode" });
    expect(paneKey(key("2"))).toBeNull();
    expect(paneKey(key("2", { ctrlKey: true, altKey: true }))).toBeNull();
    expect(paneKey(key("4", { ctrlKey: true }))).toBeNull();
    expect(stepPane(null, 1)).toBe("library");
    expect(stepPane(null, -1)).toBe("episode");
    expect(stepPane("episode", 1)).toBe("library");
    expect(stepPane("library", -1)).toBe("episode");
    expect(stepPane("library", 1)).toBe("episodes");
  });

  it("focuses a list at its selected item and the episode as a whole", () => {
    document.body.innerHTML = `
      <nav data-pane="library"><button aria-current="page">Downloads</button></nav>
      <section data-pane="episodes"><ul role="listbox">
        <li role="option" tabindex="-1" data-id="1">one</li>
        <li role="option" tabindex="0" data-id="2">two</li>
      </ul></section>
      <section data-pane="episode"><button>Play</button></section>`;
    expect(focusPane("episodes")).toBe(true);
    expect(document.activeElement?.textContent).toBe("two");
    expect(paneOf(document.activeElement)).toBe("episodes");
    expect(focusPane("library")).toBe(true);
    expect(document.activeElement?.textContent).toBe("Downloads");
    expect(focusPane("episode")).toBe(true);
    expect(document.activeElement?.getAttribute("data-pane")).toBe("episode");
    expect(paneOf(document.body)).toBeNull();
  });
});
