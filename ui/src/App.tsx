import { onCleanup, onMount } from "solid-js";
import { openExternal } from "./api";
import EpisodePane from "./components/EpisodePane";
import Icon from "./components/Icon";
import ShowPane from "./components/ShowPane";
import Sidebar from "./components/Sidebar";
import StatusArea from "./components/StatusArea";
import { showName } from "./format";
import { createLibrary } from "./stores/library";
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
  const player = createPlayer();

  const onKeyDown = (event: KeyboardEvent) => {
    const reload = event.key === "F5" || ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "r");
    if (reload) {
      // A webview reload would throw the app state away: refresh the library instead.
      event.preventDefault();
      void lib.refresh();
    }
  };

  onMount(() => {
    document.addEventListener("click", onLinkClick);
    document.addEventListener("auxclick", onLinkClick);
    document.addEventListener("keydown", onKeyDown);
    void lib.start();
  });
  onCleanup(() => {
    document.removeEventListener("click", onLinkClick);
    document.removeEventListener("auxclick", onLinkClick);
    document.removeEventListener("keydown", onKeyDown);
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
      <main class="panes">
        <Sidebar library={lib} />
        <ShowPane library={lib} />
        <EpisodePane
          episode={lib.state.episode}
          showName={selected() ? showName(selected()!) : null}
          error={lib.state.episodeError}
          positionIn={player.positionIn}
          onSetPlayed={(id, played) => void lib.setPlayed(id, played)}
          onJump={player.jumpTo}
        />
      </main>
    </div>
  );
}
