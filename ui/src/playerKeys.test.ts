import { afterEach, describe, expect, it, vi } from "vitest";
import { handlePlayerKey, isEditable } from "./playerKeys";
import type { PlayerKeyOptions } from "./playerKeys";

const actions = () => ({
  toggle: vi.fn(),
  skipBack: vi.fn(),
  skipForward: vi.fn(),
  previousChapter: vi.fn(),
  nextChapter: vi.fn(),
  speedDown: vi.fn(),
  speedUp: vi.fn(),
  openSearch: vi.fn(),
  toggleShortcuts: vi.fn(),
});

/** Dispatches a keydown on `target` and runs the handler the way App does (on the document). */
function press(target: Element, key: string, init: KeyboardEventInit = {}, options: PlayerKeyOptions = {}) {
  const a = actions();
  let handled = false;
  const listener = (e: KeyboardEvent) => (handled = handlePlayerKey(e, a, options));
  document.addEventListener("keydown", listener);
  const event = new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...init });
  target.dispatchEvent(event);
  document.removeEventListener("keydown", listener);
  const called = Object.entries(a)
    .filter(([, f]) => f.mock.calls.length > 0)
    .map(([name]) => name);
  return { a, handled, prevented: event.defaultPrevented, called };
}

afterEach(() => document.body.replaceChildren());

const add = <T extends Element>(el: T): T => {
  document.body.append(el);
  return el;
};

describe("player keys", () => {
  it("maps Space, ←/→, Shift+←/→, [ / ], / and ? to their actions, one each", () => {
    const body = document.body;
    const cases: [string, KeyboardEventInit, string][] = [
      [" ", {}, "toggle"],
      ["ArrowLeft", {}, "skipBack"],
      ["ArrowRight", {}, "skipForward"],
      ["ArrowLeft", { shiftKey: true }, "previousChapter"],
      ["ArrowRight", { shiftKey: true }, "nextChapter"],
      ["[", {}, "speedDown"],
      ["]", {}, "speedUp"],
      ["/", {}, "openSearch"],
      ["?", { shiftKey: true }, "toggleShortcuts"],
      ["k", { ctrlKey: true }, "openSearch"],
      ["K", { metaKey: true }, "openSearch"],
    ];
    for (const [key, init, action] of cases) {
      const r = press(body, key, init);
      expect(r.called, `${key} ${JSON.stringify(init)}`).toEqual([action]);
      expect(r.handled).toBe(true);
      expect(r.prevented).toBe(true);
    }
    const r = press(body, "ArrowDown");
    expect(r.handled).toBe(false);
    expect(r.prevented).toBe(false);
    expect(press(body, "k").handled).toBe(false); // a plain k is nothing
  });

  it("leaves keys alone in text fields, textareas and contenteditable, except Ctrl+K", () => {
    const fields = [
      add(Object.assign(document.createElement("input"), { type: "text" })),
      add(Object.assign(document.createElement("input"), { type: "search" })),
      add(Object.assign(document.createElement("input"), { type: "number" })),
      add(document.createElement("textarea")),
    ];
    const editable = add(document.createElement("div"));
    editable.setAttribute("contenteditable", "true");
    const inside = editable.appendChild(document.createElement("span"));
    for (const target of [...fields, editable, inside]) {
      expect(isEditable(target)).toBe(true);
      for (const key of [" ", "ArrowLeft", "ArrowRight", "[", "]", "/", "?"]) {
        for (const shiftKey of [false, true]) {
          const r = press(target, key, { shiftKey });
          expect(r.handled).toBe(false);
          expect(r.prevented).toBe(false);
          expect(r.called).toEqual([]);
        }
      }
      // Search opens from anywhere, as in other apps.
      expect(press(target, "k", { ctrlKey: true }).called).toEqual(["openSearch"]);
    }
    expect(isEditable(add(document.createElement("div")))).toBe(false);
  });

  // The focus cases of the listening-session issue: what a click leaves focused must not take
  // the player's keys.
  it("acts on the player from a clicked chapter row, button, select or slider", () => {
    const chapterRow = add(document.createElement("li"));
    chapterRow.setAttribute("role", "option");
    const searchButton = add(document.createElement("button"));
    const speed = add(document.createElement("select"));
    const slider = add(Object.assign(document.createElement("input"), { type: "range" }));
    const checkbox = add(Object.assign(document.createElement("input"), { type: "checkbox" }));
    for (const target of [chapterRow, searchButton, speed, slider, checkbox]) {
      expect(isEditable(target)).toBe(false);
      const space = press(target, " ");
      expect(space.called, target.outerHTML).toEqual(["toggle"]);
      expect(space.prevented, "Space does not also click or open it").toBe(true);
      expect(press(target, "ArrowRight", { shiftKey: true }).called).toEqual(["nextChapter"]);
      expect(press(target, "ArrowLeft").called).toEqual(["skipBack"]);
      expect(press(target, "]").called).toEqual(["speedUp"]);
    }
  });

  it("lets Space pick the focused item of an open menu", () => {
    const menu = add(document.createElement("div"));
    menu.setAttribute("role", "menu");
    const item = menu.appendChild(document.createElement("button"));
    item.setAttribute("role", "menuitemradio");
    expect(press(item, " ").handled).toBe(false);
    expect(press(item, " ").prevented).toBe(false);
  });

  it("ignores shortcuts with other modifiers, repeats of Space and keys already handled", () => {
    const body = document.body;
    expect(press(body, "ArrowLeft", { ctrlKey: true }).handled).toBe(false);
    expect(press(body, "ArrowRight", { altKey: true }).handled).toBe(false);
    expect(press(body, "[", { metaKey: true }).handled).toBe(false);
    expect(press(body, "k", { ctrlKey: true, shiftKey: true }).handled).toBe(false);
    expect(press(body, "k", { ctrlKey: true, altKey: true }).handled).toBe(false);
    expect(press(body, " ", { repeat: true }).handled).toBe(false);
    const list = add(document.createElement("ul"));
    list.addEventListener("keydown", (e) => e.preventDefault());
    expect(press(list, " ").handled).toBe(false);
    expect(press(list, "k", { ctrlKey: true }).handled).toBe(false);
  });

  it("leaves the keyboard to an open modal dialog, except Ctrl+K and ?", () => {
    const dialog = add(document.createElement("div"));
    dialog.setAttribute("role", "dialog");
    dialog.setAttribute("aria-modal", "true");
    const close = dialog.appendChild(document.createElement("button"));
    for (const key of ["ArrowLeft", "ArrowRight", "[", "]", "/"]) {
      expect(press(close, key).handled).toBe(false);
      expect(press(document.body, key, {}, { modalOpen: true }).handled).toBe(false);
    }
    expect(press(close, "?").called).toEqual(["toggleShortcuts"]);
    expect(press(close, "k", { ctrlKey: true }).called).toEqual(["openSearch"]);
  });
});
