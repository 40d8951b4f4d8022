import { render } from "solid-js/web";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpmlImportReport, OpmlProgress } from "../api";

vi.mock("../api", () => ({
  importOpml: vi.fn(),
  exportOpml: vi.fn(),
  onOpmlProgress: vi.fn(),
}));

import * as api from "../api";
import { createOpml } from "../stores/opml";
import OpmlControls from "./OpmlControls";

const mocked = vi.mocked(api);

const report: OpmlImportReport = {
  total: 5,
  added: 2,
  duplicates: ["https://example.org/known.xml"],
  failed: [
    { url: "https://old.example.net/gone.xml", title: "Gone Show", error: "No feed at https://old.example.net/gone.xml (HTTP 404)." },
    { url: "https://example.org/<script>.xml", title: null, error: "Not a feed." },
  ],
};

let dispose: (() => void) | undefined;
let progress: ((p: OpmlProgress) => void) | undefined;
const unlisten = vi.fn();
beforeEach(() => {
  vi.clearAllMocks();
  mocked.onOpmlProgress.mockImplementation(async (cb) => {
    progress = cb;
    return unlisten;
  });
});
afterEach(() => {
  dispose?.();
  document.body.replaceChildren();
});

const settle = () => new Promise((r) => setTimeout(r, 0));

function mount() {
  const onImported = vi.fn(async () => undefined);
  const opml = createOpml({ onImported });
  const root = document.createElement("div");
  document.body.append(root);
  dispose = render(() => <OpmlControls opml={opml} />, root);
  const q = <T extends HTMLElement = HTMLElement>(id: string) => root.querySelector<T>(`[data-testid=${id}]`);
  const all = (id: string) => Array.from(root.querySelectorAll<HTMLElement>(`[data-testid=${id}]`));
  return { root, q, all, onImported, opml };
}

describe("OPML import and export", () => {
  it("imports the chosen file with progress, then reports what it did and reloads the shows", async () => {
    let finish!: (r: OpmlImportReport) => void;
    mocked.importOpml.mockImplementation(() => new Promise((r) => (finish = r)));
    const { q, all, onImported } = mount();
    q<HTMLButtonElement>("opml-import")!.click();
    await settle();
    // The backend opens the dialog: the page names no file.
    expect(mocked.importOpml).toHaveBeenCalledWith();
    expect(q<HTMLButtonElement>("opml-import")!.disabled).toBe(true);
    expect(q<HTMLButtonElement>("opml-export")!.disabled).toBe(true);

    progress?.({ done: 2, total: 5, url: "https://example.org/b.xml" });
    const bar = q("opml-progress")!.querySelector("[role=progressbar]")!;
    expect(bar.getAttribute("aria-valuenow")).toBe("40");
    expect(q("opml-progress")!.textContent).toContain("Importing 2 of 5…");
    expect(q("opml-progress")!.textContent).toContain("https://example.org/b.xml");

    finish(report);
    await settle();
    await settle();
    expect(q("opml-progress")).toBeNull();
    expect(unlisten).toHaveBeenCalled();
    expect(onImported).toHaveBeenCalledTimes(1);

    const dialog = q("opml-report")!;
    expect(dialog.tagName).toBe("DIALOG");
    expect(q("opml-report-added")!.textContent).toBe("2 podcasts added");
    expect(dialog.textContent).toContain("of 5 podcasts in the file");
    expect(all("opml-report-duplicate").map((d) => d.textContent)).toEqual(["https://example.org/known.xml"]);
    const failed = all("opml-report-failed");
    expect(failed).toHaveLength(2);
    expect(failed[0]!.textContent).toContain("Gone Show");
    expect(failed[0]!.textContent).toContain("https://old.example.net/gone.xml");
    expect(failed[0]!.textContent).toContain("No feed at https://old.example.net/gone.xml (HTTP 404).");
    // A URL is text, never markup.
    expect(failed[1]!.textContent).toContain("https://example.org/<script>.xml");
    expect(failed[1]!.querySelector("script")).toBeNull();
    expect(document.activeElement).toBe(q("opml-report-close"));

    q<HTMLButtonElement>("opml-report-close")!.click();
    expect(q("opml-report")).toBeNull();
    expect(q<HTMLButtonElement>("opml-import")!.disabled).toBe(false);
  });

  it("does nothing when the file dialog is cancelled", async () => {
    mocked.importOpml.mockResolvedValue(null);
    const { q, onImported } = mount();
    q<HTMLButtonElement>("opml-import")!.click();
    await settle();
    await settle();
    expect(onImported).not.toHaveBeenCalled();
    expect(q("opml-report")).toBeNull();
    expect(q("opml-progress")).toBeNull();
    expect(q<HTMLButtonElement>("opml-import")!.disabled).toBe(false);
  });

  it("shows why an import failed", async () => {
    mocked.importOpml.mockRejectedValue(new Error("notes.txt is not an OPML file."));
    const { q } = mount();
    q<HTMLButtonElement>("opml-import")!.click();
    await settle();
    await settle();
    expect(q("opml-error")!.textContent).toBe("notes.txt is not an OPML file.");
    expect(q("opml-error")!.getAttribute("role")).toBe("alert");
    expect(q("opml-report")).toBeNull();
  });

  it("exports to the chosen path and says how many podcasts it wrote", async () => {
    mocked.exportOpml.mockResolvedValue(3);
    const { q } = mount();
    q<HTMLButtonElement>("opml-export")!.click();
    await settle();
    await settle();
    expect(mocked.exportOpml).toHaveBeenCalledWith();
    expect(q("opml-export-done")!.textContent).toBe("Exported 3 podcasts");
    expect(q("opml-export-done")!.getAttribute("role")).toBe("status");
  });

  it("exports nothing when the save dialog is cancelled", async () => {
    mocked.exportOpml.mockResolvedValue(null);
    const { q } = mount();
    q<HTMLButtonElement>("opml-export")!.click();
    await settle();
    await settle();
    expect(q("opml-export-done")).toBeNull();
    expect(q<HTMLButtonElement>("opml-export")!.disabled).toBe(false);
  });
});
