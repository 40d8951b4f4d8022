import { createSignal, For, onCleanup, Show } from "solid-js";
import type { DownloadView } from "../api";
import { formatBytes } from "../format";
import { fileSize } from "../stores/downloads";
import type { Downloads } from "../stores/downloads";
import DownloadControl, { DeleteFile } from "./DownloadControl";
import Icon from "./Icon";

type Props = {
  downloads: Downloads;
  /** Opens an episode in the show view (a row's title). */
  onOpenEpisode: (episodeId: string) => void;
  /** Plays a downloaded episode (from where the listener left off), or pauses it if it plays. */
  onPlay?: (episodeId: string) => void;
  /** Behind the open library drawer. */
  inert?: boolean;
};

/** The Downloads view (in place of the show and episode panes): what is under way, what is on disk, and where it goes. */
export default function DownloadsView(props: Props) {
  const dl = props.downloads;
  const count = () => dl.finished().length;
  return (
    <section class="pane downloads-view" data-testid="downloads-view" aria-label="Downloads" data-pane="episodes" inert={props.inert || undefined}>
      <header class="downloads-header">
        <h2 class="downloads-title">Downloads</h2>
        <p class="downloads-space" data-testid="downloads-space">
          {formatBytes(dl.spaceUsed())} on this computer · {count() === 1 ? "1 episode" : `${count()} episodes`}
        </p>
      </header>
      <div class="downloads-scroll">
        <Show when={dl.unfinished().length > 0}>
          <section class="downloads-section" aria-labelledby="downloads-unfinished">
            <h3 id="downloads-unfinished" class="section-label downloads-section-title">
              In progress
            </h3>
            <ul class="download-list">
              <For each={dl.unfinished()}>
                {(d) => (
                  <li class="download-item" data-testid="download-active-row" data-id={d.episode_id}>
                    <Titles download={d} onOpen={props.onOpenEpisode} />
                    <DownloadControl episodeId={d.episode_id} isDownloaded={false} downloads={dl} />
                  </li>
                )}
              </For>
            </ul>
          </section>
        </Show>
        <section class="downloads-section" aria-labelledby="downloads-finished">
          <h3 id="downloads-finished" class="section-label downloads-section-title">
            On this computer
          </h3>
          <Show
            when={count() > 0}
            fallback={
              <p class="downloads-empty" data-testid="downloads-empty">
                Nothing downloaded yet. Download an episode to listen without a network.
              </p>
            }
          >
            <ul class="download-list">
              <For each={dl.finished()}>
                {(d) => (
                  <li class="download-item" data-testid="download-row" data-id={d.episode_id}>
                    <Titles download={d} onOpen={props.onOpenEpisode} />
                    <Show when={props.onPlay}>
                      <button
                        class="button button-icon"
                        type="button"
                        data-testid="download-play"
                        aria-label={`Play “${d.episode_title ?? "Untitled episode"}”`}
                        title="Play"
                        onClick={() => props.onPlay?.(d.episode_id)}
                      >
                        <Icon name="play" size={14} />
                      </button>
                    </Show>
                    <button
                      class="button button-icon"
                      type="button"
                      data-testid="download-reveal"
                      aria-label={`Show “${d.episode_title ?? "Untitled episode"}” in its folder`}
                      title="Open folder"
                      onClick={() => void dl.reveal(d.episode_id)}
                    >
                      <Icon name="folder" size={14} />
                    </button>
                    <span class="download-size" data-testid="download-size">
                      {formatBytes(fileSize(d))}
                    </span>
                    <DeleteFile resetKey={d.episode_id} onDelete={() => void dl.remove(d.episode_id)} />
                    <Show when={dl.commandError(d.episode_id)}>
                      <p class="download-error download-row-error" role="alert" data-testid="download-command-error">
                        {dl.commandError(d.episode_id)}
                      </p>
                    </Show>
                  </li>
                )}
              </For>
            </ul>
          </Show>
        </section>
        <FolderSetting downloads={dl} />
      </div>
    </section>
  );
}

/** Show and episode title; the episode title opens it. */
function Titles(props: { download: DownloadView; onOpen: (episodeId: string) => void }) {
  // Events carry no titles; the list that fills them is asked for shortly after.
  const title = () => props.download.episode_title ?? "Untitled episode";
  return (
    <div class="download-titles">
      <Show when={props.download.show_title}>
        <span class="download-show" data-testid="download-show">
          {props.download.show_title}
        </span>
      </Show>
      <button
        class="download-episode"
        type="button"
        data-testid="download-open"
        title={`Open “${title()}”`}
        onClick={() => props.onOpen(props.download.episode_id)}
      >
        {title()}
      </button>
    </div>
  );
}

/**
 * Where new downloads go: shown, and changed in the native folder dialog the backend opens (the
 * page never names a folder), which says why when it refuses one.
 */
function FolderSetting(props: { downloads: Downloads }) {
  const dl = props.downloads;
  const [saved, setSaved] = createSignal(false);
  // An old refusal is not news the next time the view opens.
  onCleanup(() => dl.clearFolderError());
  const choose = async () => {
    if (dl.folderSaving()) return;
    setSaved(false);
    if (await dl.chooseFolder()) setSaved(true);
  };

  return (
    <section class="downloads-section download-folder" aria-labelledby="download-folder-label">
      <h3 id="download-folder-label" class="section-label downloads-section-title">
        Download folder
      </h3>
      <p class="download-folder-hint">New downloads go here; episodes already downloaded stay where they are.</p>
      <div class="download-folder-row">
        <Icon name="folder" size={16} />
        <span class="download-folder-path" data-testid="download-folder" title={dl.folder() ?? ""}>
          {dl.folder() ?? ""}
        </span>
        <button class="button" type="button" data-testid="download-folder-choose" disabled={dl.folderSaving()} onClick={() => void choose()}>
          <Show when={dl.folderSaving()} fallback="Change…">
            <span class="spinner" aria-hidden="true" /> Choosing…
          </Show>
        </button>
      </div>
      <Show when={dl.folderError()}>
        <p id="download-folder-error" class="download-folder-error" role="alert" data-testid="download-folder-error">
          {dl.folderError()}
        </p>
      </Show>
      <Show when={saved() && !dl.folderError()}>
        <p class="download-folder-saved" role="status" data-testid="download-folder-saved">
          Saved.
        </p>
      </Show>
    </section>
  );
}
