import { For, Show } from "solid-js";
import type { TextRun } from "../api";

/**
 * Text with the search hits marked: plain text nodes, and `<mark>` around the hits. Never HTML:
 * the runs come from feeds.
 */
export default function Runs(props: { runs: readonly TextRun[]; fallback?: string | null }) {
  return (
    <Show when={props.runs.length > 0} fallback={props.fallback ?? ""}>
      <For each={props.runs}>{(run) => (run.hit ? <mark>{run.text}</mark> : run.text)}</For>
    </Show>
  );
}
