import { createEffect, createSignal, Match, on, onMount, Switch } from "solid-js";
import * as api from "../api";
import type { FeedPreview, OpenRequest, OpmlImportReport } from "../api";
import Dialog, { DialogHeader } from "./Dialog";

type Step =
  | { kind: "looking"; link: string }
  | { kind: "found"; feed: FeedPreview }
  | { kind: "http"; problem: string; http: string }
  | { kind: "opml"; name: string }
  | { kind: "imported"; report: OpmlImportReport }
  | { kind: "error"; message: string };

type Props = {
  request: OpenRequest;
  /** Subscribes (and opens the show); resolves false with the reason shown by the library. */
  onSubscribe: (url: string) => Promise<boolean>;
  /** Why the last subscribe failed. */
  subscribeError: () => string | null;
  /** The library changed (an OPML import): reload it. */
  onImported: () => void;
  onDone: () => void;
};

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * What a browser's subscribe link or a file from the file manager opens: "Subscribe to <title>?"
 * once the feed is found, a choice to try plain http when https failed (never taken silently), or
 * "Import the podcasts in <file>?". Nothing changes until the listener says so.
 */
export default function OpenRequestDialog(props: Props) {
  const initial = (): Step => {
    const r = props.request;
    if (r.kind === "opml") return { kind: "opml", name: r.name ?? "the file" };
    if (r.kind === "feed" && r.link) return { kind: "looking", link: r.link };
    return { kind: "error", message: r.problem ?? "There is nothing here to open." };
  };
  const [step, setStep] = createSignal<Step>(initial());
  const [busy, setBusy] = createSignal(false);
  let footer: HTMLDivElement | undefined;
  // Each step's answer is one key away: the focus goes to its primary button when it appears.
  createEffect(
    on(
      () => step().kind,
      () => queueMicrotask(() => footer?.querySelector<HTMLButtonElement>(".button-primary, [data-testid=open-request-close]")?.focus()),
    ),
  );

  const look = async (link: string) => {
    setStep({ kind: "looking", link });
    try {
      const preview = await api.previewFeedLink(link);
      if (preview.feed) setStep({ kind: "found", feed: preview.feed });
      else if (preview.http_fallback) setStep({ kind: "http", problem: preview.https_problem ?? "", http: preview.http_fallback });
      else setStep({ kind: "error", message: "No feed was found there." });
    } catch (e) {
      setStep({ kind: "error", message: message(e) });
    }
  };
  onMount(() => {
    const s = step();
    if (s.kind === "looking") void look(s.link);
  });

  const subscribe = async (feed: FeedPreview) => {
    setBusy(true);
    const ok = await props.onSubscribe(feed.url);
    setBusy(false);
    if (ok) props.onDone();
    else setStep({ kind: "error", message: props.subscribeError() ?? "Could not subscribe." });
  };
  const importFile = async () => {
    setBusy(true);
    try {
      const report = await api.importOpenedOpml(props.request.id);
      props.onImported();
      setStep({ kind: "imported", report });
    } catch (e) {
      setStep({ kind: "error", message: message(e) });
    } finally {
      setBusy(false);
    }
  };

  const title = () => {
    const s = step();
    switch (s.kind) {
      case "found":
        return `Subscribe to ${s.feed.title || "this podcast"}?`;
      case "http":
        return "Use plain http?";
      case "opml":
        return "Import these podcasts?";
      case "imported":
        return "Imported";
      case "error":
        return "Can't open this";
      default:
        return "Looking up the podcast…";
    }
  };

  return (
    <Dialog labelledBy="open-request-title" describedBy="open-request-body" testId="open-request" class="open-request-dialog" onClose={props.onDone}>
      <DialogHeader titleId="open-request-title" onClose={props.onDone}>
        {title()}
      </DialogHeader>
      <div class="dialog-body" id="open-request-body">
        <Switch>
          <Match when={step().kind === "looking" && (step() as { link: string })}>
            {(s) => (
              <p role="status" data-testid="open-request-looking">
                Looking up <span class="open-request-url">{s().link}</span>…
              </p>
            )}
          </Match>
          <Match when={step().kind === "found" && (step() as { feed: FeedPreview })}>
            {(s) => (
              <p data-testid="open-request-found">
                {s().feed.episode_count === 1 ? "1 episode" : `${s().feed.episode_count} episodes`} from <span class="open-request-url">{s().feed.url}</span>
              </p>
            )}
          </Match>
          <Match when={step().kind === "http" && (step() as { problem: string; http: string })}>
            {(s) => (
              <>
                <p data-testid="open-request-https-problem">{s().problem}</p>
                <p>
                  The same feed may be on plain http, which is not encrypted: <span class="open-request-url">{s().http}</span>
                </p>
              </>
            )}
          </Match>
          <Match when={step().kind === "opml" && (step() as { name: string })}>
            {(s) => <p data-testid="open-request-opml">Subscribe to every podcast listed in {s().name}? Ones you already have are left as they are.</p>}
          </Match>
          <Match when={step().kind === "imported" && (step() as { report: OpmlImportReport })}>
            {(s) => (
              <p role="status" data-testid="open-request-imported">
                {s().report.added === 1 ? "1 podcast added" : `${s().report.added} podcasts added`} of {s().report.total} in the file
                {s().report.failed.length > 0 ? `; ${s().report.failed.length} could not be fetched` : ""}.
              </p>
            )}
          </Match>
          <Match when={step().kind === "error" && (step() as { message: string })}>
            {(s) => (
              <p class="sync-error" role="alert" data-testid="open-request-error">
                {s().message}
              </p>
            )}
          </Match>
        </Switch>
      </div>
      <div class="dialog-footer" ref={footer}>
        <Switch
          fallback={
            <button class="button" type="button" data-testid="open-request-close" onClick={props.onDone}>
              Close
            </button>
          }
        >
          <Match when={step().kind === "found" && (step() as { feed: FeedPreview })}>
            {(s) => (
              <>
                <button class="button" type="button" onClick={props.onDone}>
                  Cancel
                </button>
                <button class="button button-primary" type="button" data-testid="open-request-subscribe" disabled={busy()} onClick={() => void subscribe(s().feed)}>
                  {busy() ? "Subscribing…" : "Subscribe"}
                </button>
              </>
            )}
          </Match>
          <Match when={step().kind === "http" && (step() as { http: string })}>
            {(s) => (
              <>
                <button class="button" type="button" onClick={props.onDone}>
                  Cancel
                </button>
                <button class="button button-primary" type="button" data-testid="open-request-use-http" onClick={() => void look(s().http)}>
                  Use plain http
                </button>
              </>
            )}
          </Match>
          <Match when={step().kind === "opml"}>
            <button class="button" type="button" onClick={props.onDone}>
              Cancel
            </button>
            <button class="button button-primary" type="button" data-testid="open-request-import" disabled={busy()} onClick={() => void importFile()}>
              {busy() ? "Importing…" : "Import"}
            </button>
          </Match>
        </Switch>
      </div>
    </Dialog>
  );
}
