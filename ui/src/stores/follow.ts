// How every store follows a piece of backend state: listen to its event first, so nothing is
// missed, then ask for it as it is; an event heard before the answer is newer and wins.

export type Follower = { start: () => Promise<void>; stop: () => void };

export function follow<T>(source: {
  listen: (cb: (value: T) => void) => Promise<() => void>;
  read: () => Promise<T>;
  take: (value: T) => void;
  /** Listening failed: logged with this description. */
  what: string;
  /** Reading failed (default: logged). */
  onReadError?: (e: unknown) => void;
}): Follower {
  let heard = false;
  let stopped = false;
  let unlisten: (() => void) | undefined;
  async function start(): Promise<void> {
    try {
      const off = await source.listen((value) => {
        heard = true;
        source.take(value);
      });
      if (stopped) off();
      else unlisten = off;
    } catch (e) {
      console.warn(`could not listen to ${source.what}`, e);
    }
    if (stopped) return;
    try {
      const value = await source.read();
      if (!heard) source.take(value);
    } catch (e) {
      if (source.onReadError) source.onReadError(e);
      else console.warn(`could not read ${source.what}`, e);
    }
  }
  function stop(): void {
    stopped = true;
    unlisten?.();
    unlisten = undefined;
  }
  return { start, stop };
}
