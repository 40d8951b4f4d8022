// Importing and exporting subscriptions as OPML. The backend shows the native file dialogs and
// acts on what the listener picks (the page never names a file); an import reports progress as
// `opml-progress` events and ends with a report.
import { createStore } from "solid-js/store";
import * as api from "../api";
import type { OpmlImportReport, OpmlProgress } from "../api";

export type OpmlPhase = "idle" | "picking" | "importing" | "exporting";

export type OpmlState = {
  phase: OpmlPhase;
  /** While importing: how far it is. */
  progress: OpmlProgress | null;
  /** The last import's report, until dismissed. */
  report: OpmlImportReport | null;
  /** The last export: how many feeds were written. */
  exported: number | null;
  error: string | null;
};

export type Opml = ReturnType<typeof createOpml>;

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export function createOpml(options: { onImported?: () => void | Promise<void> } = {}) {
  const [state, setState] = createStore<OpmlState>({ phase: "idle", progress: null, report: null, exported: null, error: null });
  const busy = () => state.phase !== "idle";

  /** Asks for a file (the backend's dialog), then imports it. Nothing happens when the listener cancels. */
  async function importFile(): Promise<void> {
    if (busy()) return;
    setState({ phase: "picking", error: null, exported: null, report: null, progress: null });
    let unlisten: (() => void) | undefined;
    try {
      // The first progress report means a file was chosen and the import is under way.
      unlisten = await api.onOpmlProgress((p) => setState({ phase: "importing", progress: { ...p } }));
    } catch (e) {
      console.warn("no OPML progress", e);
    }
    let report: OpmlImportReport | null = null;
    try {
      report = await api.importOpml();
      setState({ report, error: null });
    } catch (e) {
      setState("error", message(e));
    } finally {
      unlisten?.();
      setState({ phase: "idle", progress: null });
    }
    if (report === null && !state.error) return; // cancelled
    // Whatever got added before a failure is in the library too.
    try {
      await options.onImported?.();
    } catch (e) {
      console.warn("could not reload the library after the import", e);
    }
  }

  /** Asks where to save (the backend's dialog), then writes every subscription there. */
  async function exportFile(): Promise<void> {
    if (busy()) return;
    setState({ phase: "picking", error: null, exported: null });
    try {
      const n = await api.exportOpml();
      if (n !== null) setState("exported", n);
    } catch (e) {
      setState("error", message(e));
    } finally {
      setState("phase", "idle");
    }
  }

  const dismissReport = () => setState("report", null);
  const clearMessages = () => setState({ error: null, exported: null });

  return { state, busy, importFile, exportFile, dismissReport, clearMessages };
}
