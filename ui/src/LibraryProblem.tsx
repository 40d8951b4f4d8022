// Shown instead of the app when the library file cannot be opened (damaged, or not one of
// ours): what happened, which file, and a way on that loses nothing (the file is moved aside,
// not deleted).
import { createSignal, Show } from "solid-js";
import type { LibraryProblem as Problem } from "./api";
import Icon from "./components/Icon";

export default function LibraryProblem(props: { problem: Problem; onStartFresh: () => Promise<string> }) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const startFresh = async () => {
    setBusy(true);
    setError(null);
    try {
      await props.onStartFresh();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  };
  return (
    <main class="library-problem" data-testid="library-problem" role="alert" aria-labelledby="library-problem-title">
      <div class="library-problem-card">
        <Icon name="alert" size={28} />
        <h1 id="library-problem-title">Chaptercast can't open your library</h1>
        <p data-testid="library-problem-reason">{props.problem.reason}</p>
        <p class="library-problem-path">
          The library file is <code data-testid="library-problem-path">{props.problem.path}</code>
        </p>
        <p>
          You can start with a new, empty library. The old file is kept next to it, renamed, so nothing is deleted: your subscriptions can be
          added again from an OPML export, or the file can be looked at or restored later.
        </p>
        <button class="button button-primary" type="button" data-testid="library-start-fresh" disabled={busy()} onClick={() => void startFresh()}>
          <Show when={busy()} fallback="Move it aside and start fresh">
            <span class="spinner" aria-hidden="true" /> Starting…
          </Show>
        </button>
        <Show when={error()}>
          <p class="library-problem-error" role="alert" data-testid="library-problem-error">
            {error()}
          </p>
        </Show>
      </div>
    </main>
  );
}
