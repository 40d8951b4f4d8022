import { afterEach, describe, expect, it, vi } from "vitest";
import { handlePlayerKey, isEditable } from "./playerKeys";

const actions = () => ({
  toggle: vi.fn(),
  skipBack: vi.fn(),
  skipForward: vi.fn(),
  previousChapter: vi.fn(),
  nextChapter: vi.fn(),
});

/** Dispatches a keydown on `target` and runs the handler the way App does (on the document). */
function press(target: Element, key: string, init: KeyboardEventInit = {}) {
  const a = actions();
  let handled = false;
  const listener = (e: KeyboardEvent) => (handled = handlePlayerKey(e, a));
  document.addEventListener("keydown", listener);
  const event = new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...init });
  target.dispatchEvent(event);
  document.removeEventListener("keydown", listener);
  return { a, handled, prevented: event.defaultPrevented };
}

afterEach(() => document.body.replaceChildren());

const add = <T extends Element>(el: T): T => {
  document.body.append(el);
  return el;
};

describe("player keys", () => {
  it("maps Space, ←/→ and [ / ] to the player", () => {
    const body = document.body;
    let r = press(body, " ");
    expect(r.a.toggle).toHaveBeenCalledTimes(1);
    expect(r.prevented).toBe(true);
    r = press(body, "ArrowLeft");
    expect(r.a.skipBack).toHaveBeenCalledTimes(1);
    r = press(body, "ArrowRight");
    expect(r.a.skipForward).toHaveBeenCalledTimes(1);
    r = press(body, "[");
    expect(r.a.previousChapter).toHaveBeenCalledTimes(1);
    r = press(body, "]");
    expect(r.a.nextChapter).toHaveBeenCalledTimes(1);
    r = press(body, "ArrowDown");
    expect(r.handled).toBe(false);
    expect(r.prevented).toBe(false);
  });

  it("leaves keys alone in text fields, selects, sliders, textareas and contenteditable", () => {
    const fields = [
      add(Object.assign(document.createElement("input"), { type: "text" })),
      add(Object.assign(document.createElement("input"), { type: "range" })),
      add(Object.assign(document.createElement("input"), { type: "number" })),
      add(document.createElement("select")),
      add(document.createElement("textarea")),
    ];
    const editable = add(document.createElement("div"));
    editable.setAttribute("contenteditable", "true");
    const inside = editable.appendChild(document.createElement("span"));
    for (const target of [...fields, editable, inside]) {
      expect(isEditable(target)).toBe(true);
      for (const key of [" ", "ArrowLeft", "ArrowRight", "[", "]"]) {
        const r = press(target, key);
        expect(r.handled).toBe(false);
        expect(r.prevented).toBe(false);
        expect(Object.values(r.a).every((f) => f.mock.calls.length === 0)).toBe(true);
      }
    }
    expect(isEditable(add(document.createElement("div")))).toBe(false);
  });

  it("lets Space activate focused buttons and list options, but still skips from them", () => {
    const button = add(document.createElement("button"));
    expect(press(button, " ").handled).toBe(false);
    const option = add(document.createElement("li"));
    option.setAttribute("role", "option");
    expect(press(option, " ").handled).toBe(false);
    const r = press(button, "ArrowRight");
    expect(r.a.skipForward).toHaveBeenCalledTimes(1);
  });

  it("ignores shortcuts with modifiers, repeats of Space and keys already handled", () => {
    const body = document.body;
    expect(press(body, "ArrowLeft", { ctrlKey: true }).handled).toBe(false);
    expect(press(body, "ArrowRight", { altKey: true }).handled).toBe(false);
    expect(press(body, "[", { metaKey: true }).handled).toBe(false);
    expect(press(body, " ", { repeat: true }).handled).toBe(false);
    const list = add(document.createElement("ul"));
    list.addEventListener("keydown", (e) => e.preventDefault());
    expect(press(list, " ").handled).toBe(false);
  });
});
