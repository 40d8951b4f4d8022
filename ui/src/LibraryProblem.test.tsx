import { render } from "solid-js/web";
import { afterEach, describe, expect, it, vi } from "vitest";
import LibraryProblem from "./LibraryProblem";

let dispose: (() => void) | undefined;
afterEach(() => {
  dispose?.();
  document.body.replaceChildren();
});

const problem = { reason: "Cannot open the library at /x/library.sqlite3: file is not a database.", path: "/x/library.sqlite3" };

function mount(onStartFresh: () => Promise<string>) {
  const root = document.createElement("div");
  document.body.append(root);
  dispose = render(() => <LibraryProblem problem={problem} onStartFresh={onStartFresh} />, root);
  const q = (id: string) => root.querySelector<HTMLElement>(`[data-testid=${id}]`);
  return { q };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe("LibraryProblem", () => {
  it("says what is wrong and with which file, as an alert", () => {
    const { q } = mount(async () => "");
    expect(q("library-problem")!.getAttribute("role")).toBe("alert");
    expect(q("library-problem-reason")!.textContent).toBe(problem.reason);
    expect(q("library-problem-path")!.textContent).toBe("/x/library.sqlite3");
  });

  it("starts fresh when asked, and shows why when that fails", async () => {
    const onStartFresh = vi.fn(async () => {
      throw new Error("Could not move /x/library.sqlite3 aside: read-only file system.");
    });
    const { q } = mount(onStartFresh);
    const button = q("library-start-fresh") as HTMLButtonElement;
    button.click();
    expect(button.disabled).toBe(true);
    await settle();
    expect(onStartFresh).toHaveBeenCalledTimes(1);
    expect(q("library-problem-error")!.textContent).toContain("read-only file system");
    expect(button.disabled).toBe(false);
  });
});
