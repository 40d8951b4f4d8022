import { createEffect, createSignal, onCleanup, onMount, Show } from "solid-js";
import * as api from "./api";
import type { OpenRequest, SearchHit } from "./api";
import DownloadsView from "./components/DownloadsView";
import EpisodePane from "./components/EpisodePane";
import Icon from "./components/Icon";
import NoticeArea from "./components/NoticeArea";
import OpenRequestDialog from "./components/OpenRequestDialog";
import OpmlControls from "./components/OpmlControls";
import PlayerBar from "./components/PlayerBar";
import QueueView from "./components/QueueView";
import RefreshIntervalSetting from "./components/RefreshIntervalSetting";
import SyncStatus from "./components/SyncStatus";
import ThemeSetting from "./components/ThemeSetting";
import SearchDialog, { isChapterHit } from "./components/SearchDialog";
import ShortcutsDialog from "./components/ShortcutsDialog";
import ShowPane from "./components/ShowPane";
import Sidebar from "./components/Sidebar";
import type { MainView } from "./components/Sidebar";
import StatusArea from "./components/StatusArea";
import { olderEpisodeIds } from "./episodeFilter";
import { showName } from "./format";
import type { ThemeStore } from "./theme";
import { createNarrower, DRAWER_BELOW_PX } from "./layout";
import { focusPane, paneKey, paneOf, stepPane } from "./paneKeys";
import type { PaneId } from "./paneKeys";
import { modKey } from "./platform";
import { handlePlayerKey, swallowPlayerSpaceUp } from "./playerKeys";
import { createDownloads } from "./stores/downloads";
import { createLibrary } from "./stores/library";
import { createNotices, libraryUpdateText } from "./stores/notices";
import { createNowPlaying } from "./stores/nowPlaying";
import { createOpml } from "./stores/opml";
import { createPlayer } from "./stores/player";
import { createQueue } from "./stores/queue";

/** Links never navigate the webview: http(s) ones open in the system browser, others do nothing. */
function onLinkClick(event: MouseEvent): void {
  if (event.defaultPrevented || (event.type === "auxclick" && event.button !== 1)) return;
  const anchor = (event.target as Element | null)?.closest?.("a[href]");
  if (!(anchor instanceof HTMLAnchorElement)) return;
  event.preventDefault();
  const href = anchor.href;
  if (/^https?:\/\//i.test(href)) {
    api.openExternal(href).catch((e: unknown) => console.warn("could not open link", href, e));
  }
}

type Modal = "search" | "shortcuts" | null;

export default function App(props: { theme: ThemeStore }) {
  const lib = createLibrary();
  const player = createPlayer({ onProgress: lib.noteProgress });
  // Said to screen readers as it happens (a download finishing in the background).
  const [announcement, setAnnouncement] = createSignal("");
  const downloads = createDownloads({
    onDownloaded: (episodeId, isDownloaded) => {
      lib.setDownloaded(episodeId, isDownloaded);
      if (!isDownloaded) return;
      const title = downloads.get(episodeId)?.episode_title ?? lib.state.episodes.find((e) => e.id === episodeId)?.title;
      setAnnouncement(title ? `Downloaded: ${title}` : "Download finished");
    },
  });
  const notices = createNotices();
  const queue = createQueue();
  const opml = createOpml({ onImported: () => lib.reload() });
  const [view, setView] = createSignal<MainView>("shows");
  const [modal, setModal] = createSignal<Modal>(null);
  // Links and files the desktop opened the app with, asked about one at a time.
  const [openRequests, setOpenRequests] = createSignal<OpenRequest[]>([]);
  const takeOpenRequests = () =>
    api
      .takeOpenRequests()
      .then((taken) => taken.length > 0 && setOpenRequests((waiting) => [...waiting, ...taken]))
      .catch((e: unknown) => console.warn("could not take the links to open", e));
  // Narrow windows: the sidebar is a drawer below 1000 px, and below 700 px one pane shows at a
  // time (layout.ts); these say which, and mean nothing in a wide window.
  const drawerLayout = createNarrower(DRAWER_BELOW_PX);
  const [drawerOpen, setDrawerOpen] = createSignal(false);
  const [narrowPane, setNarrowPane] = createSignal<"list" | "episode">("list");
  let drawerToggle: HTMLButtonElement | undefined;
  const closeDrawer = (refocus: boolean) => {
    if (!drawerOpen()) return;
    setDrawerOpen(false);
    if (refocus) drawerToggle?.focus();
  };
  createEffect(() => {
    // Widened past the drawer: the sidebar is in place again, nothing to close.
    if (!drawerLayout()) setDrawerOpen(false);
  });
  const showMain = (next: MainView) => {
    setView(next);
    setNarrowPane("list");
    closeDrawer(false);
  };
  /** An episode chosen from a list, search or a download: in one-pane mode it takes the window. */
  const openEpisode = (episodeId: string, showId?: string) => {
    setView("shows");
    setNarrowPane("episode");
    closeDrawer(false);
    void lib.openEpisode(episodeId, showId);
  };
  const goToPane = (pane: PaneId) => {
    if (pane === "library" && drawerLayout()) setDrawerOpen(true);
    else closeDrawer(false);
    if (pane === "episode") {
      setView("shows");
      setNarrowPane("episode");
    } else if (pane === "episodes") {
      setNarrowPane("list");
    }
    if (!focusPane(pane)) requestAnimationFrame(() => focusPane(pane));
  };
  let searchButton: HTMLButtonElement | undefined;
  const nowPlaying = createNowPlaying({
    episodeId: () => player.view.episode_id,
    // The open episode's list follows the engine's too.
    onChange: (now) => lib.replaceChapters(now.episode_id, now.chapters),
  });

  const openSearch = () => {
    if (modal() === "search") {
      // Already open: back to the field, its text selected for a new search.
      const input = document.querySelector<HTMLInputElement>("[data-testid=search-input]");
      input?.focus();
      input?.select();
      return;
    }
    setModal("search");
  };
  const toggleShortcuts = () => setModal(modal() === "shortcuts" ? null : "shortcuts");

  /** A search result: a chapter plays from its start; an episode opens and plays from where the listener left off. */
  const choose = (hit: SearchHit) => {
    setModal(null);
    openEpisode(hit.episode_id, hit.show_id);
    if (isChapterHit(hit)) void player.jumpTo(hit.episode_id, hit.start_ms);
    else void player.resume(hit.episode_id);
  };

  const playerKeys = {
    toggle: () => void player.toggle(),
    skipBack: () => void player.skipBy("back"),
    skipForward: () => void player.skipBy("forward"),
    previousChapter: () => void player.chapterStep(-1),
    nextChapter: () => void player.chapterStep(1),
    speedDown: () => void player.speedStep(-1),
    speedUp: () => void player.speedStep(1),
    openSearch,
    toggleShortcuts,
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const reload = event.key === "F5" || ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "r");
    if (reload) {
      // A webview reload would throw the app state away: refresh the library instead.
      event.preventDefault();
      void lib.refresh();
      return;
    }
    const move = modal() === null && !event.defaultPrevented ? paneKey(event) : null;
    if (move) {
      event.preventDefault();
      goToPane("pane" in move ? move.pane : stepPane(paneOf(document.activeElement), move.step));
      return;
    }
    if (modal() === null && (event.key === "ArrowDown" || event.key === "ArrowUp") && !event.ctrlKey && !event.altKey && !event.metaKey && (event.target === document.body || event.target === document.documentElement)) {
      // Nothing focused: the arrows go to the episode list, as if it had been clicked.
      event.preventDefault();
      if (focusPane("episodes")) document.activeElement?.dispatchEvent(new KeyboardEvent("keydown", { key: event.key, bubbles: true }));
      return;
    }
    const took = handlePlayerKey(event, playerKeys, { modalOpen: modal() !== null });
    if (event.key === " " || event.key === "Spacebar") spaceTaken = took;
  };
  // Whether the player took the last Space keydown, so its keyup activates nothing either.
  let spaceTaken = false;
  const onKeyUp = (event: KeyboardEvent) => {
    swallowPlayerSpaceUp(event, spaceTaken);
    if (event.key === " " || event.key === "Spacebar") spaceTaken = false;
  };

  let stopOpenRequests: (() => void) | undefined;
  let stopLibraryUpdates: (() => void) | undefined;
  let stopSessionNotices: (() => void) | undefined;
  let stopped = false;
  onMount(() => {
    document.addEventListener("click", onLinkClick);
    document.addEventListener("auxclick", onLinkClick);
    document.addEventListener("keydown", onKeyDown);
    document.addEventListener("keyup", onKeyUp, true);
    void player.start();
    void nowPlaying.start();
    void queue.start();
    void downloads.start();
    void lib.start();
    api
      .onSessionNotice((notice) =>
        notices.show(notice.text, notice.undo ? { label: "Undo", run: () => void api.playerUndoSkip() } : undefined),
      )
      .then((off) => (stopped ? off() : (stopSessionNotices = off)))
      .catch((e: unknown) => console.warn("could not listen to session notices", e));
    void takeOpenRequests();
    api
      .onOpenRequested(() => void takeOpenRequests())
      .then((off) => (stopped ? off() : (stopOpenRequests = off)))
      .catch((e: unknown) => console.warn("could not listen for links to open", e));
    api
      .onLibraryUpdate((update) => {
        if (update.new_episodes > 0) notices.show(libraryUpdateText(update));
        void lib.reload();
      })
      .then((off) => (stopped ? off() : (stopLibraryUpdates = off)))
      .catch((e: unknown) => console.warn("could not listen to library updates", e));
  });
  onCleanup(() => {
    stopped = true;
    document.removeEventListener("click", onLinkClick);
    document.removeEventListener("auxclick", onLinkClick);
    document.removeEventListener("keydown", onKeyDown);
    document.removeEventListener("keyup", onKeyUp, true);
    stopLibraryUpdates?.();
    stopOpenRequests?.();
    stopSessionNotices?.();
    nowPlaying.stop();
    player.stop();
    queue.stop();
    downloads.stop();
  });

  const selected = () => lib.selectedShow();

  return (
    <div class="app">
      <header class="app-header">
        <button
          ref={drawerToggle}
          class="button button-icon drawer-toggle"
          type="button"
          data-testid="drawer-toggle"
          aria-label="Library"
          aria-expanded={drawerOpen()}
          aria-controls="library-sidebar"
          aria-keyshortcuts="Control+1"
          title={`Podcasts, downloads and settings (${modKey()}+1)`}
          onClick={() => (drawerOpen() ? closeDrawer(false) : goToPane("library"))}
        >
          <Icon name="menu" size={18} />
        </button>
        <div class="brand">
          <Icon name="podcast" size={18} />
          <span>Chaptercast</span>
        </div>
        <button
          ref={searchButton}
          class="search-open"
          type="button"
          data-testid="search-open"
          aria-haspopup="dialog"
          aria-keyshortcuts="Control+K /"
          title={`Search episodes, chapters and transcripts (${modKey()}+K)`}
          onClick={openSearch}
        >
          <Icon name="search" size={14} />
          <span class="search-open-label">Search episodes, chapters and transcripts</span>
          <span class="search-open-keys" aria-hidden="true">
            <kbd>{modKey()}</kbd>
            <kbd>K</kbd>
          </span>
        </button>
        <div class="header-end">
          <StatusArea
            refreshing={lib.state.refreshing}
            offline={lib.state.offline}
            error={lib.state.refreshError}
            onRefresh={() => void lib.refresh()}
          />
          <button
            class="button button-icon"
            type="button"
            data-testid="shortcuts-open"
            aria-haspopup="dialog"
            aria-label="Keyboard shortcuts"
            aria-keyshortcuts="?"
            title="Keyboard shortcuts (?)"
            onClick={toggleShortcuts}
          >
            <Icon name="keyboard" size={17} />
          </button>
        </div>
      </header>
      {/* The show panes stay mounted under the Downloads view, so going back finds them as they were. */}
      <main
        class="panes"
        classList={{ "panes-downloads": view() !== "shows", "drawer-open": drawerOpen() }}
        data-narrow-pane={narrowPane()}
      >
        <Sidebar
          library={lib}
          view={view()}
          onView={showMain}
          drawer={drawerLayout() ? { open: drawerOpen(), onClose: () => closeDrawer(true) } : undefined}
          activeDownloads={downloads.activeCount()}
          queued={queue.count()}
          footer={
            <>
              <OpmlControls opml={opml} />
              <RefreshIntervalSetting />
              <ThemeSetting theme={props.theme} />
              <SyncStatus onLibraryChanged={() => void lib.reload()} />
            </>
          }
        />
        <Show when={view() === "downloads"}>
          <DownloadsView
            downloads={downloads}
            onOpenEpisode={(id) => openEpisode(id)}
            inert={drawerOpen()}
            onPlay={(id) => void player.resume(id)}
          />
        </Show>
        <Show when={view() === "queue"}>
          <QueueView
            queue={queue}
            playingId={player.view.episode_id}
            onPlay={(id) => void player.resume(id)}
            onOpen={(id) => openEpisode(id)}
            inert={drawerOpen()}
          />
        </Show>
        <Show when={drawerOpen()}>
          <div class="drawer-scrim" data-testid="drawer-scrim" aria-hidden="true" onClick={() => closeDrawer(true)} />
        </Show>
        <ShowPane
          library={lib}
          downloadOf={downloads.get}
          queue={queue}
          onPlay={(id) => void player.resume(id)}
          onOpenEpisode={() => setNarrowPane("episode")}
          playingId={player.view.episode_id}
          inert={drawerOpen()}
        />
        <EpisodePane
          episode={lib.state.episode}
          onBack={() => {
            setNarrowPane("list");
            requestAnimationFrame(() => focusPane("episodes"));
          }}
          inert={drawerOpen()}
          showName={selected() ? showName(selected()!) : null}
          error={lib.state.episodeError}
          positionIn={player.positionIn}
          chapterIndexIn={player.chapterIndexIn}
          cueIndexIn={player.cueIndexIn}
          loaded={{ episodeId: player.view.episode_id, state: player.view.state, wantsPlay: player.wantsPlay(), positionMs: player.position() }}
          onPlay={(id) => void player.playOrPause(id)}
          onSetPlayed={(id, played) => void lib.setPlayed(id, played)}
          olderThan={(id) => olderEpisodeIds(lib.state.episodes, id)}
          onMarkOlder={(ids) => void lib.setPlayedMany(ids, true)}
          onJump={(id, ms) => void player.jumpTo(id, ms)}
          onQueueChapter={(id, ms, next) => void (next ? queue.playNext([id], ms) : queue.playLast([id], ms))}
          downloads={downloads}
        />
      </main>
      <PlayerBar
        player={player}
        title={nowPlaying.title()}
        chapters={nowPlaying.chapters()}
        downloadOf={downloads.get}
        onDownload={(id) => void downloads.download(id)}
        videoUrl={nowPlaying.current()?.video_url ?? null}
      />
      <NoticeArea notices={notices} />
      <p class="sr-only" role="status" data-testid="announcement">
        {announcement()}
      </p>
      <Show when={modal() === "search"}>
        <SearchDialog
          onClose={() => setModal(null)}
          onChoose={choose}
          onQueueNext={(hit) => void queue.playNext([hit.episode_id], hit.start_ms)}
          returnFocus={() => searchButton}
        />
      </Show>
      <Show when={modal() === null && openRequests()[0]} keyed>
        {(request) => (
          <OpenRequestDialog
            request={request}
            onSubscribe={async (url) => {
              const ok = await lib.subscribe(url);
              if (ok) showMain("shows");
              return ok;
            }}
            subscribeError={() => lib.state.subscribeError}
            onImported={() => void lib.reload()}
            onDone={() => setOpenRequests((waiting) => waiting.filter((r) => r.id !== request.id))}
          />
        )}
      </Show>
      <Show when={modal() === "shortcuts"}>
        <ShortcutsDialog onClose={() => setModal(null)} />
      </Show>
    </div>
  );
}
