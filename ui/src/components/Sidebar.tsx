import { children, Show } from "solid-js";
import type { JSX } from "solid-js";
import type { Library } from "../stores/library";
import AddFeedForm from "./AddFeedForm";
import Icon from "./Icon";
import ShowList from "./ShowList";

/** What the main area shows: a show and its episodes, Up Next, or the downloads. */
export type MainView = "shows" | "queue" | "downloads";

type Props = {
  library: Library;
  view: MainView;
  onView: (view: MainView) => void;
  /** Downloads queued or running, for the badge. */
  activeDownloads: number;
  /** Episodes in Up Next, for the badge. */
  queued: number;
  /** Under "Add a podcast": OPML import/export and settings. */
  footer?: JSX.Element;
  /** In a narrow window the sidebar is a drawer over the panes, open or not. */
  drawer?: { open: boolean; onClose: () => void };
};

/** The left pane: Downloads, the subscribed shows, the "Add a podcast" form and the footer. */
export default function Sidebar(props: Props) {
  const lib = props.library;
  const onDownloads = () => props.view === "downloads";
  const onQueue = () => props.view === "queue";
  const footer = children(() => props.footer);
  return (
    <nav
      id="library-sidebar"
      class="pane sidebar"
      classList={{ "sidebar-drawer": !!props.drawer, "sidebar-drawer-open": !!props.drawer?.open }}
      aria-label="Library"
      data-pane="library"
      data-testid="sidebar"
      // A closed drawer is off screen: nothing in it takes the focus.
      inert={(props.drawer && !props.drawer.open) || undefined}
      onKeyDown={(e) => {
        if (e.key === "Escape" && props.drawer?.open) {
          e.preventDefault();
          props.drawer.onClose();
        }
      }}
    >
      <div class="sidebar-nav">
        <button
          class="nav-item"
          classList={{ selected: onQueue() }}
          type="button"
          data-testid="nav-queue"
          aria-current={onQueue() ? "page" : undefined}
          onClick={() => props.onView("queue")}
        >
          <Icon name="list" size={16} />
          <span class="nav-item-label">Up Next</span>
          <Show when={props.queued > 0}>
            <span class="nav-badge" data-testid="nav-queue-count" title={`${props.queued} up next`}>
              {props.queued}
            </span>
          </Show>
        </button>
        <button
          class="nav-item"
          classList={{ selected: onDownloads() }}
          type="button"
          data-testid="nav-downloads"
          aria-current={onDownloads() ? "page" : undefined}
          onClick={() => props.onView("downloads")}
        >
          <Icon name="download" size={16} />
          <span class="nav-item-label">Downloads</span>
          <Show when={props.activeDownloads > 0}>
            <span class="nav-badge" data-testid="nav-downloads-active" title={`${props.activeDownloads} downloading`}>
              {props.activeDownloads}
            </span>
          </Show>
        </button>
      </div>
      <h2 class="section-label sidebar-heading">Podcasts</h2>
      <div class="sidebar-scroll">
        <ShowList
          shows={lib.state.shows}
          // No show is highlighted while the downloads are open: choosing one goes back to it.
          selectedId={props.view !== "shows" ? null : lib.state.selectedShowId}
          errorFor={(show) => lib.showError(show)}
          onSelect={(id) => {
            props.onView("shows");
            void lib.selectShow(id);
          }}
        />
      </div>
      <AddFeedForm
        pending={lib.state.subscribing}
        error={lib.state.subscribeError}
        onSubmit={async (url) => {
          const ok = await lib.subscribe(url);
          // The new show opens: show it.
          if (ok) props.onView("shows");
          return ok;
        }}
        onEdit={() => lib.clearSubscribeError()}
      />
      <Show when={footer()}>
        <div class="sidebar-footer">{footer()}</div>
      </Show>
    </nav>
  );
}
