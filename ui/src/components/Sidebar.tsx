import type { Library } from "../stores/library";
import AddFeedForm from "./AddFeedForm";
import ShowList from "./ShowList";

/** The left pane: subscribed shows and the "Add a podcast" form. */
export default function Sidebar(props: { library: Library }) {
  const lib = props.library;
  return (
    <nav class="pane sidebar" aria-label="Library">
      <h2 class="sidebar-heading">Podcasts</h2>
      <div class="sidebar-scroll">
        <ShowList
          shows={lib.state.shows}
          selectedId={lib.state.selectedShowId}
          errorFor={(show) => lib.showError(show)}
          onSelect={(id) => void lib.selectShow(id)}
        />
      </div>
      <AddFeedForm
        pending={lib.state.subscribing}
        error={lib.state.subscribeError}
        onSubmit={(url) => lib.subscribe(url)}
        onEdit={() => lib.clearSubscribeError()}
      />
    </nav>
  );
}
