// Up Next, as the engine's session keeps it: this store only mirrors `queue-update` and sends
// the listener's intents. The order is the engine's; nothing is reordered here first.
import { createStore, reconcile } from "solid-js/store";
import * as api from "../api";
import type { QueueView } from "../api";
import { follow } from "./follow";

export type Queue = ReturnType<typeof createQueue>;

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export function createQueue() {
  const [state, setState] = createStore<{ view: QueueView; error: string | null }>({
    view: { items: [], continuous: true },
    error: null,
  });

  const apply = (view: QueueView) => setState("view", reconcile(view, { key: "episode_id" }));

  async function run(command: () => Promise<void>): Promise<void> {
    setState("error", null);
    try {
      await command();
    } catch (e) {
      setState("error", message(e));
    }
  }

  const follower = follow({
    listen: api.onQueueUpdate,
    read: api.queueList,
    take: apply,
    what: "Up Next",
    onReadError: (e) => setState("error", message(e)),
  });
  const { start, stop } = follower;

  const has = (episodeId: string): boolean => state.view.items.some((i) => i.episode_id === episodeId);
  const indexOf = (episodeId: string): number => state.view.items.findIndex((i) => i.episode_id === episodeId);

  return {
    state,
    start,
    stop,
    has,
    indexOf,
    count: () => state.view.items.length,
    playNext: (ids: string[], startMs: number | null = null) => run(() => api.queueAdd(ids, true, startMs)),
    playLast: (ids: string[], startMs: number | null = null) => run(() => api.queueAdd(ids, false, startMs)),
    remove: (id: string) => run(() => api.queueRemove(id)),
    /** Moves an item to `index`; out-of-range moves (first item up, last down) do nothing. */
    move: (id: string, index: number) => {
      const from = indexOf(id);
      if (from < 0 || index < 0 || index >= state.view.items.length || index === from) return Promise.resolve();
      return run(() => api.queueMove(id, index));
    },
    clear: () => run(() => api.queueClear()),
    setContinuous: (on: boolean) => run(() => api.setContinuousPlay(on)),
  };
}
