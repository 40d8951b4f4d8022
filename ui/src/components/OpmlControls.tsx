import { createEffect, For, on, onCleanup, Show } from "solid-js";
import type { OpmlImportReport } from "../api";
import type { Opml } from "../stores/opml";
import Dialog, { DialogHeader } from "./Dialog";
import Icon from "./Icon";

/** How long "Exported N podcasts" stays. */
const EXPORTED_MS = 8000;

const podcasts = (n: number) => (n === 1 ? "1 podcast" : `${n} podcasts`);

/** The sidebar's "Import OPML…" and "Export OPML…", the import's progress, and its report. */
export default function OpmlControls(props: { opml: Opml }) {
  const o = props.opml;
  let importButton: HTMLButtonElement | undefined;
  const percent = () => {
    const p = o.state.progress;
    return p && p.total > 0 ? Math.round((Math.min(p.done, p.total) / p.total) * 100) : null;
  };

  // The export confirmation goes away by itself.
  let timer: ReturnType<typeof setTimeout> | undefined;
  createEffect(
    on(
      () => o.state.exported,
      (n) => {
        clearTimeout(timer);
        if (n != null) timer = setTimeout(() => o.clearMessages(), EXPORTED_MS);
      },
    ),
  );
  onCleanup(() => clearTimeout(timer));

  return (
    <div class="opml">
      <div class="opml-buttons">
        <button
          ref={importButton}
          class="button button-small opml-button"
          type="button"
          data-testid="opml-import"
          disabled={o.busy()}
          onClick={() => void o.importFile()}
        >
          Import OPML…
        </button>
        <button
          class="button button-small opml-button"
          type="button"
          data-testid="opml-export"
          disabled={o.busy()}
          onClick={() => void o.exportFile()}
        >
          Export OPML…
        </button>
      </div>
      <Show when={o.state.phase === "importing"}>
        <div class="opml-progress" data-testid="opml-progress">
          <div class="opml-progress-text">
            <span class="spinner" aria-hidden="true" />
            <span>
              {o.state.progress ? `Importing ${o.state.progress.done} of ${o.state.progress.total}…` : "Reading the file…"}
            </span>
          </div>
          <div
            class="download-bar"
            classList={{ indeterminate: percent() == null }}
            role="progressbar"
            aria-label="Importing podcasts"
            aria-valuemin="0"
            aria-valuemax="100"
            aria-valuenow={percent() ?? undefined}
            aria-valuetext={o.state.progress ? `${o.state.progress.done} of ${o.state.progress.total}` : undefined}
          >
            <span style={percent() == null ? undefined : { width: `${percent()}%` }} />
          </div>
          <Show when={o.state.progress?.url}>
            <p class="opml-progress-url" title={o.state.progress?.url}>
              {o.state.progress?.url}
            </p>
          </Show>
        </div>
      </Show>
      <Show when={o.state.phase === "exporting"}>
        <p class="opml-status" data-testid="opml-exporting">
          <span class="spinner" aria-hidden="true" /> Exporting…
        </p>
      </Show>
      <Show when={o.state.exported != null}>
        <p class="opml-status opml-done" role="status" data-testid="opml-export-done">
          <Icon name="check" size={13} />
          Exported {podcasts(o.state.exported ?? 0)}
        </p>
      </Show>
      <Show when={o.state.error}>
        <p class="opml-error" role="alert" data-testid="opml-error">
          {o.state.error}
        </p>
      </Show>
      <Show when={o.state.report}>
        {(report) => <OpmlReport report={report()} onClose={() => o.dismissReport()} returnFocus={() => importButton} />}
      </Show>
    </div>
  );
}

/** What the import did: how many were added, which were already there, which failed and why. */
export function OpmlReport(props: { report: OpmlImportReport; onClose: () => void; returnFocus?: () => HTMLElement | undefined }) {
  const r = () => props.report;
  let done: HTMLButtonElement | undefined;
  return (
    <Dialog
      initialFocus={() => done}
      labelledBy="opml-report-title"
      describedBy="opml-report-summary"
      testId="opml-report"
      class="opml-report"
      onClose={props.onClose}
      returnFocus={props.returnFocus}
    >
      <DialogHeader titleId="opml-report-title" onClose={props.onClose}>
        Import finished
      </DialogHeader>
      <div class="dialog-body">
        <p id="opml-report-summary" class="opml-summary">
          <strong data-testid="opml-report-added">{r().added === 0 ? "No podcasts added" : `${podcasts(r().added)} added`}</strong>
          <span class="opml-summary-rest">
            {" "}
            of {podcasts(r().total)} in the file
            {r().duplicates.length > 0 ? ` · ${r().duplicates.length} already subscribed` : ""}
            {r().failed.length > 0 ? ` · ${r().failed.length} failed` : ""}
          </span>
        </p>
        <Show when={r().failed.length > 0}>
          <section class="opml-section" aria-labelledby="opml-failed-title">
            <h3 id="opml-failed-title" class="section-label opml-section-title opml-failed-title">
              <Icon name="alert" size={14} />
              Couldn't add ({r().failed.length})
            </h3>
            <ul class="opml-list">
              <For each={r().failed}>
                {(f) => (
                  <li class="opml-failed" data-testid="opml-report-failed">
                    <span class="opml-feed-title">{f.title?.trim() || f.url}</span>
                    <Show when={f.title?.trim()}>
                      <span class="opml-feed-url">{f.url}</span>
                    </Show>
                    <span class="opml-feed-error">{f.error}</span>
                  </li>
                )}
              </For>
            </ul>
          </section>
        </Show>
        <Show when={r().duplicates.length > 0}>
          <section class="opml-section" aria-labelledby="opml-dup-title">
            <h3 id="opml-dup-title" class="section-label opml-section-title">
              Already subscribed ({r().duplicates.length})
            </h3>
            <ul class="opml-list">
              <For each={r().duplicates}>
                {(url) => (
                  <li class="opml-duplicate" data-testid="opml-report-duplicate">
                    <span class="opml-feed-url">{url}</span>
                  </li>
                )}
              </For>
            </ul>
          </section>
        </Show>
      </div>
      <footer class="dialog-footer">
        <button ref={done} class="button button-primary" type="button" data-testid="opml-report-close" onClick={() => props.onClose()}>
          Done
        </button>
      </footer>
    </Dialog>
  );
}
