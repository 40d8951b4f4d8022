import { createSignal, onCleanup, onMount, Show } from "solid-js";
import { openExternal } from "./api";
import DownloadsView from "./components/DownloadsView";
import EpisodePane from "./components/EpisodePane";
import Icon from "./components/Icon";
import PlayerBar from "./components/PlayerBar";
import ShowPane from "./components/ShowPane";
import Sidebar from "./components/Sidebar";
import type { MainView } from "./components/Sidebar";
import StatusArea from "./components/StatusArea";
import { showName } from "./format";
import { handlePlayerKey } from "./playerKeys";
import { createDownloads } from "./stores/downloads";
import { createLibrary } from "./stores/library";
import { createNowPlaying } from "./stores/nowPlaying";
import { createPlayer } from "./stores/player";

/** Links never navigate the webview: http(s) ones open in the system browser, others do nothing. */
function onLinkClick(event: MouseEvent): void {
  if (event.defaultPrevented || (event.type === "auxclick" && event.button !== 1)) return;
  const anchor = (event.target as Element | null)?.closest?.("a[href]");
  if (!(anchor instanceof HTMLAnchorElement)) return;
  event.preventDefault();
  const href = anchor.href;
  if (/^https?:\/\//i.test(href)) {
    openExternal(href).catch((e: unknown) => console.warn("could not open link", href, e));
  }
}

export default function App() {
  const lib = createLibrary();
  const player = createPlayer({ onProgress: lib.noteProgress });
  const downloads = createDownloads({ onDownloaded: lib.setDownloaded });
  const [view, setView] = createSignal<MainView>("shows");
  const nowPlaying = createNowPlaying({
    episodeId: () => player.view.episode_id,
    open: () => lib.state.episode,
    rows: () => lib.state.episodes,
  });
  const playerKeys = {
    toggle: () => void player.toggle(),
    skipBack: () => void player.skipBy("back"),
    skipForward: () => void player.skipBy("forward"),
    previousChapter: () => void player.chapterStep(-1),
    nextChapter: () => void player.chapterStep(1),
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const reload = event.key === "F5" || ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "r");
    if (reload) {
      // A webview reload would throw the app state away: refresh the library instead.
      event.preventDefault();
      void lib.refresh();
      return;
    }
    handlePlayerKey(event, playerKeys);
  };

  onMount(() => {
    document.addEventListener("click", onLinkClick);
    document.addEventListener("auxclick", onLinkClick);
    document.addEventListener("keydown", onKeyDown);
    void player.start();
    void downloads.start();
    void lib.start();
  });
  onCleanup(() => {
    document.removeEventListener("click", onLinkClick);
    document.removeEventListener("auxclick", onLinkClick);
    document.removeEventListener("keydown", onKeyDown);
    player.stop();
    downloads.stop();
  });

  const selected = () => lib.selectedShow();

  return (
    <div class="app">
      <header class="app-header">
        <div class="brand">
          <Icon name="podcast" size={18} />
          <span>Chaptercast</span>
        </div>
        <StatusArea
          refreshing={lib.state.refreshing}
          offline={lib.state.offline}
          error={lib.state.refreshError}
          onRefresh={() => void lib.refresh()}
        />
      </header>
      {/* The show panes stay mounted under the Downloads view, so going back finds them as they were. */}
      <main class="panes" classList={{ "panes-downloads": view() === "downloads" }}>
        <Sidebar library={lib} view={view()} onView={setView} activeDownloads={downloads.activeCount()} />
        <Show when={view() === "downloads"}>
          <DownloadsView
            downloads={downloads}
            onOpenEpisode={(id) => {
              setView("shows");
              void lib.openEpisode(id);
            }}
          />
        </Show>
        <ShowPane library={lib} downloadOf={downloads.get} />
        <EpisodePane
          episode={lib.state.episode}
          showName={selected() ? showName(selected()!) : null}
          error={lib.state.episodeError}
          positionIn={player.positionIn}
          chapterIndexIn={player.chapterIndexIn}
          loaded={{ episodeId: player.view.episode_id, state: player.view.state, positionMs: player.position() }}
          onPlay={(id) => void player.playOrPause(id)}
          onSetPlayed={(id, played) => void lib.setPlayed(id, played)}
          onJump={(id, ms) => void player.jumpTo(id, ms)}
          downloads={downloads}
        />
      </main>
      <PlayerBar player={player} title={nowPlaying.title()} chapters={nowPlaying.chapters()} />
    </div>
  );
}
