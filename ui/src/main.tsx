import { createResource, Match, Switch } from "solid-js";
import { render } from "solid-js/web";
import * as api from "./api";
import App from "./App";
import LibraryProblem from "./LibraryProblem";
import "./styles.css";
import { createThemeStore } from "./theme";

// Before the first render, so that a dark window never flashes light.
const theme = createThemeStore();

/** The app, unless the library could not be opened: then the window says why first. */
function Root() {
  const [problem] = createResource(() =>
    api.libraryProblem().catch((e: unknown) => {
      console.warn("could not ask about the library", e);
      return null;
    }),
  );
  const startFresh = async (): Promise<string> => {
    const aside = await api.startFreshLibrary();
    // A clean start on the new library: every store begins from the backend again.
    window.location.reload();
    return aside;
  };
  return (
    <Switch>
      <Match when={problem.loading}>{null}</Match>
      <Match when={problem()}>{(p) => <LibraryProblem problem={p()} onStartFresh={startFresh} />}</Match>
      <Match when={true}>
        <App theme={theme} />
      </Match>
    </Switch>
  );
}

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");
render(() => <Root />, root);
