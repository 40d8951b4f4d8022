// The one door to the backend. Nothing else imports `./bindings` or `@tauri-apps/*`:
// components and stores call these functions, which return the data or throw `ApiError`.
import { commands, events } from "./bindings";
import type {
  ChapterView,
  CommandError,
  DownloadState,
  DownloadView,
  EpisodeRow,
  EpisodeView,
  ErrorKind,
  LibraryProblem,
  LibraryUpdate,
  NowPlayingView,
  NetworkView,
  OpmlFailure,
  FeedPreview,
  LinkPreview,
  OpenRequest,
  OpmlImportReport,
  OpmlProgress,
  PlayerView,
  PlayState,
  QueueItem,
  QueueView,
  RefreshReport,
  SearchHit,
  SessionNoticeView,
  ShowRefresh,
  ShowView,
  SleepTimer,
  SleepView,
  TextRun,
  SoundProfileView,
  TranscriptView,
  CueView,
  HitKind,
  SyncView,
  SyncAccountView,
  SyncCheckView,
  SyncLoginView,
} from "./bindings";
import { byNewest } from "../format";

export type {
  ChapterView,
  CommandError,
  DownloadState,
  DownloadView,
  EpisodeRow,
  EpisodeView,
  ErrorKind,
  LibraryProblem,
  LibraryUpdate,
  NowPlayingView,
  NetworkView,
  OpmlFailure,
  OpmlImportReport,
  OpmlProgress,
  PlayerView,
  PlayState,
  QueueItem,
  QueueView,
  RefreshReport,
  SearchHit,
  SessionNoticeView,
  ShowRefresh,
  ShowView,
  SleepTimer,
  SleepView,
  TextRun,
  SoundProfileView,
  TranscriptView,
  CueView,
  HitKind,
  SyncView,
  SyncAccountView,
  SyncCheckView,
  SyncLoginView,
  FeedPreview,
  LinkPreview,
  OpenRequest,
};

/** A failed command. `kind` is the backend's `ErrorKind`, or "Internal" for a JavaScript-level failure. */
export class ApiError extends Error {
  readonly kind: ErrorKind | "Internal";

  constructor(kind: ErrorKind | "Internal", message: string) {
    super(message);
    this.name = "ApiError";
    this.kind = kind;
  }
}

type Outcome<T> = { status: "ok"; data: T } | { status: "error"; error: CommandError };
type Commands = typeof commands;
type Unlisten = () => void;
/** The commands, and the events the UI listens to. */
type Backend = {
  commands: Commands;
  onPlayerUpdate: (cb: (view: PlayerView) => void) => Promise<Unlisten>;
  onDownloadUpdate: (cb: (view: DownloadView) => void) => Promise<Unlisten>;
  onOpmlProgress: (cb: (progress: OpmlProgress) => void) => Promise<Unlisten>;
  onLibraryUpdate: (cb: (update: LibraryUpdate) => void) => Promise<Unlisten>;
  onQueueUpdate: (cb: (queue: QueueView) => void) => Promise<Unlisten>;
  onNowPlaying: (cb: (now: NowPlayingView) => void) => Promise<Unlisten>;
  onSessionNotice: (cb: (notice: SessionNoticeView) => void) => Promise<Unlisten>;
  onSyncUpdate: (cb: (view: SyncView) => void) => Promise<Unlisten>;
  onOpenRequested: (cb: () => void) => Promise<Unlisten>;
};

let backend: Promise<Backend> | undefined;

function getBackend(): Promise<Backend> {
  if (!backend) {
    backend =
      import.meta.env.DEV && import.meta.env.MODE !== "test" && !("__TAURI_INTERNALS__" in window)
        ? Promise.resolve(demoBackend())
        : Promise.resolve({
            commands,
            onPlayerUpdate: (cb) => events.playerUpdate.listen((e) => cb(e.payload)),
            onDownloadUpdate: (cb) => events.downloadUpdate.listen((e) => cb(e.payload)),
            onOpmlProgress: (cb) => events.opmlProgress.listen((e) => cb(e.payload)),
            onLibraryUpdate: (cb) => events.libraryUpdate.listen((e) => cb(e.payload)),
            onQueueUpdate: (cb) => events.queueUpdate.listen((e) => cb(e.payload)),
            onNowPlaying: (cb) => events.nowPlaying.listen((e) => cb(e.payload)),
            onSessionNotice: (cb) => events.sessionNotice.listen((e) => cb(e.payload)),
            onSyncUpdate: (cb) => events.syncUpdate.listen((e) => cb(e.payload)),
            onOpenRequested: (cb) => events.openRequested.listen(() => cb()),
          });
  }
  return backend;
}

const isCommandError = (e: unknown): e is CommandError =>
  typeof e === "object" && e !== null && typeof (e as { kind?: unknown }).kind === "string" && typeof (e as { message?: unknown }).message === "string";

const toApiError = (e: unknown): ApiError =>
  isCommandError(e) ? new ApiError(e.kind, e.message) : new ApiError("Internal", e instanceof Error ? e.message : String(e));

async function call<T>(run: (c: Commands) => Promise<Outcome<T>>): Promise<T> {
  let outcome: Outcome<T>;
  try {
    outcome = await run((await getBackend()).commands);
  } catch (e) {
    throw new ApiError("Internal", e instanceof Error ? e.message : String(e));
  }
  if (outcome.status === "error") {
    throw new ApiError(outcome.error.kind, outcome.error.message);
  }
  return outcome.data;
}

/** For commands that cannot fail in Rust (no `Result`): only the IPC itself can throw. */
async function callPlain<T>(run: (c: Commands) => Promise<T>): Promise<T> {
  try {
    return await run((await getBackend()).commands);
  } catch (e) {
    throw toApiError(e);
  }
}

export const listShows = (): Promise<ShowView[]> => call((c) => c.listShows());
export const listEpisodes = (showId: string): Promise<EpisodeRow[]> => call((c) => c.listEpisodes(showId));
export const getEpisode = (episodeId: string): Promise<EpisodeView> => call((c) => c.getEpisode(episodeId));
/** The episode's full chapter list, fetching a chapters file or reading the audio if needed. Can be slow. */
export const loadChapters = (episodeId: string): Promise<ChapterView[]> => call((c) => c.loadChapters(episodeId));
export const loadTranscript = (episodeId: string): Promise<TranscriptView> => call((c) => c.loadTranscript(episodeId));
export const subscribeFeed = (url: string): Promise<ShowView> => call((c) => c.subscribeFeed(url));
export const unsubscribeShow = async (showId: string): Promise<void> => {
  await call((c) => c.unsubscribeShow(showId));
};
export const refreshLibrary = (): Promise<RefreshReport> => call((c) => c.refreshLibrary());
/** The start-up refresh: like `refreshLibrary`, but shows whose server asked for a pause (Cache-Control, Retry-After) wait. */
export const refreshDueShows = (): Promise<RefreshReport> => call((c) => c.refreshDueShows());
export const openExternal = async (url: string): Promise<void> => {
  await call((c) => c.openExternal(url));
};
export const setPlayed = async (episodeId: string, isPlayed: boolean): Promise<void> => {
  await call((c) => c.setPlayed(episodeId, isPlayed));
};

// Start-up. A library that cannot be opened still opens the window, which says why.
/** Why the library could not be opened; null when it is open. */
export const libraryProblem = (): Promise<LibraryProblem | null> => callPlain((c) => c.libraryProblem());
/** Moves the unusable library file aside and starts a new one: resolves to where the old file now is. */
export const startFreshLibrary = (): Promise<string> => call((c) => c.startFreshLibrary());

// Playback. Every command returns at once; what happens arrives as `player-update` events.
/** Plays an episode from `atMs`, or from where the listener left off when null. */
export const playEpisode = async (episodeId: string, atMs: number | null): Promise<void> => {
  await call((c) => c.playEpisode(episodeId, atMs));
};
export const playerStatus = (): Promise<PlayerView> => callPlain((c) => c.playerStatus());
/** The episode in the player (what `now-playing` last said), for a window that (re)loads. */
export const nowPlaying = (): Promise<NowPlayingView | null> => callPlain((c) => c.nowPlaying());
export const playerPlay = (): Promise<void> => callPlain((c) => c.playerPlay());
export const playerPause = (): Promise<void> => callPlain((c) => c.playerPause());
export const playerToggle = (): Promise<void> => callPlain((c) => c.playerToggle());
export const playerSeek = (positionMs: number): Promise<void> =>
  callPlain((c) => c.playerSeek(Math.max(0, Math.round(positionMs))));
/** Skips by `deltaMs`; negative goes back. */
export const playerSkip = (deltaMs: number): Promise<void> => callPlain((c) => c.playerSkip(Math.round(deltaMs)));
export const playerChapterStep = (step: 1 | -1): Promise<void> => callPlain((c) => c.playerChapterStep(step));
export const playerSetSpeed = async (speed: number): Promise<void> => {
  await call((c) => c.playerSetSpeed(speed));
};
export const playerSetVolume = async (volume: number): Promise<void> => {
  await call((c) => c.playerSetVolume(volume));
};
/** Tries the stream's host again now, instead of after the backoff. */
export const playerRetry = (): Promise<void> => callPlain((c) => c.playerRetry());
export const playerUndoSkip = (): Promise<void> => callPlain((c) => c.playerUndoSkip());
export const getSoundProfile = (showId: string): Promise<SoundProfileView> => call((c) => c.getSoundProfile(showId));
export const setSoundProfile = (showId: string, settings: SoundProfileView): Promise<SoundProfileView> =>
  call((c) => c.setSoundProfile(showId, settings));
/** Calls `cb` with every player update; resolves to the function that stops listening. */
export const onPlayerUpdate = async (cb: (view: PlayerView) => void): Promise<Unlisten> => {
  try {
    return await (await getBackend()).onPlayerUpdate(cb);
  } catch (e) {
    throw toApiError(e);
  }
};

// Up Next. Changes arrive as `queue-update` events too (also when an episode finishes and leaves it).
export const queueList = (): Promise<QueueView> => call((c) => c.queueList());
/** Adds episodes after the one playing (`next`), or at the end; `startMs` (one episode): from that chapter. */
export const queueAdd = async (episodeIds: string[], next: boolean, startMs: number | null = null): Promise<void> => {
  await call((c) => c.queueAdd(episodeIds, next, startMs == null ? null : Math.max(0, Math.round(startMs))));
};
export const queueRemove = async (episodeId: string): Promise<void> => {
  await call((c) => c.queueRemove(episodeId));
};
/** Moves a queued episode to `index` (0 = first). */
export const queueMove = async (episodeId: string, index: number): Promise<void> => {
  await call((c) => c.queueMove(episodeId, Math.max(0, Math.round(index))));
};
export const queueClear = async (): Promise<void> => {
  await call((c) => c.queueClear());
};
export const setContinuousPlay = async (on: boolean): Promise<void> => {
  await call((c) => c.setContinuousPlay(on));
};
/** The episode in the player, with its chapters: on every change of episode or of its chapters. */
export const onNowPlaying = async (cb: (now: NowPlayingView) => void): Promise<Unlisten> => {
  try {
    return await (await getBackend()).onNowPlaying(cb);
  } catch (e) {
    throw toApiError(e);
  }
};
/** What the session did on its own ("Offline: skipped …"), worded by the backend. */
export const onSessionNotice = async (cb: (notice: SessionNoticeView) => void): Promise<Unlisten> => {
  try {
    return await (await getBackend()).onSessionNotice(cb);
  } catch (e) {
    throw toApiError(e);
  }
};
export const onQueueUpdate = async (cb: (queue: QueueView) => void): Promise<Unlisten> => {
  try {
    return await (await getBackend()).onQueueUpdate(cb);
  } catch (e) {
    throw toApiError(e);
  }
};

// Downloads. Every command returns at once; progress arrives as `download-update` events.
/** Queues an episode for download, or resumes a paused or failed one. */
export const downloadEpisode = async (episodeId: string): Promise<void> => {
  await call((c) => c.downloadEpisode(episodeId));
};
/** Pauses a download; `downloadEpisode` resumes it from where it stopped. */
export const pauseDownload = async (episodeId: string): Promise<void> => {
  await call((c) => c.pauseDownload(episodeId));
};
/** Stops a download and throws away what it fetched. */
export const cancelDownload = async (episodeId: string): Promise<void> => {
  await call((c) => c.cancelDownload(episodeId));
};
/** Deletes a downloaded file; the episode stays in the library. */
export const deleteDownload = async (episodeId: string): Promise<void> => {
  await call((c) => c.deleteDownload(episodeId));
};
/** Shows a finished download's file in the file manager (the backend finds the file). */
export const showDownloadInFolder = async (episodeId: string): Promise<void> => {
  await call((c) => c.showDownloadInFolder(episodeId));
};
/** Unfinished downloads, then what is on disk, with titles (events have none). */
export const listDownloads = (): Promise<DownloadView[]> => call((c) => c.listDownloads());
export const getDownloadFolder = (): Promise<string> => call((c) => c.getDownloadFolder());
/** Asks for the download folder in the native dialog and uses it: the new folder, or null when cancelled. */
export const chooseDownloadFolder = async (): Promise<string | null> => {
  return await call((c) => c.chooseDownloadFolder());
};
/** Calls `cb` with every download update (no titles); resolves to the function that stops listening. */
export const onDownloadUpdate = async (cb: (view: DownloadView) => void): Promise<Unlisten> => {
  try {
    return await (await getBackend()).onDownloadUpdate(cb);
  } catch (e) {
    throw toApiError(e);
  }
};

/** Turns an event subscription's failure into ApiError, like the commands. */
async function listen(subscribe: (b: Backend) => Promise<Unlisten>): Promise<Unlisten> {
  try {
    return await subscribe(await getBackend());
  } catch (e) {
    throw toApiError(e);
  }
}

// Search.
/** Episodes and chapters matching `query`, best first (at most 50); [] for a blank query, without asking. */
export const search = async (query: string): Promise<SearchHit[]> => {
  if (!query.trim()) return [];
  return call((c) => c.search(query));
};

/** Marks several episodes played or unplayed at once; resolves to how many changed. */
export const setPlayedMany = async (episodeIds: string[], isPlayed: boolean): Promise<number> => {
  if (episodeIds.length === 0) return 0;
  return call((c) => c.setPlayedMany(episodeIds, isPlayed));
};

/** Sets the sleep timer, or clears it with null. What it does shows in `PlayerView.sleep`. */
export const playerSetSleepTimer = async (timer: SleepTimer | null): Promise<void> => {
  await call((c) => c.playerSetSleepTimer(timer));
};

// OPML. The backend shows the native file dialogs; null when the listener cancels.
/**
 * Asks for an OPML file in the native dialog and subscribes to every feed in it (null when cancelled);
 * progress arrives through `onOpmlProgress` while it runs.
 */
export const importOpml = (): Promise<OpmlImportReport | null> => call((c) => c.importOpml());
/** Asks where to save in the native dialog and writes every subscription there: how many, or null when cancelled. */
export const exportOpml = (): Promise<number | null> => call((c) => c.exportOpml());
export const onOpmlProgress = (cb: (progress: OpmlProgress) => void): Promise<Unlisten> => listen((b) => b.onOpmlProgress(cb));

// Background refresh.
/** How often the library is refreshed in the background, in hours; 0 is never. */
export const getRefreshIntervalHours = (): Promise<number> => call((c) => c.getRefreshIntervalHours());
export const setRefreshIntervalHours = async (hours: number): Promise<void> => {
  await call((c) => c.setRefreshIntervalHours(hours));
};
/** Calls `cb` when a background refresh found new episodes. */
export const onLibraryUpdate = (cb: (update: LibraryUpdate) => void): Promise<Unlisten> => listen((b) => b.onLibraryUpdate(cb));

// Sync with a gpodder API server.
/** The account (null when sync is not set up), its last sync and error. */
export const syncStatus = (): Promise<SyncView> => call((c) => c.syncStatus());
/** Checks an account without keeping anything: throws the server's refusal. */
export const syncCheck = (serverUrl: string, username: string, password: string, deviceId: string | null): Promise<SyncCheckView> =>
  call((c) => c.syncCheck(serverUrl, username, password, deviceId));
/** Checks, then keeps the account (nothing is kept if the server refuses); syncing starts in the background. */
export const syncLogin = (serverUrl: string, username: string, password: string, deviceId: string | null): Promise<SyncLoginView> =>
  call((c) => c.syncLogin(serverUrl, username, password, deviceId));
/** Syncs now: the new status (also sent as `onSyncUpdate`). */
export const syncNow = (): Promise<SyncView> => call((c) => c.syncNow());
/** Logs out and forgets the password; the library stays. */
export const syncLogout = async (): Promise<void> => {
  await call((c) => c.syncLogout());
};
/** After every sync, background or not. */
export const onSyncUpdate = (cb: (view: SyncView) => void): Promise<Unlisten> => listen((b) => b.onSyncUpdate(cb));

// Links and files the desktop opened the app with (a browser's podcast:// link, an OPML file).
/** What is waiting to be opened (at start, the launch's own; later, a second launch's). */
export const takeOpenRequests = (): Promise<OpenRequest[]> => call((c) => c.takeOpenRequests());
/** Looks a link's feed up without subscribing; says when only plain http might work. */
export const previewFeedLink = (link: string): Promise<LinkPreview> => call((c) => c.previewFeedLink(link));
/** Imports the OPML file of an open request (by its number: the page never names a file). */
export const importOpenedOpml = (requestId: number): Promise<OpmlImportReport> => call((c) => c.importOpenedOpml(requestId));
/** A second launch handed something over: take it with `takeOpenRequests`. */
export const onOpenRequested = (cb: () => void): Promise<Unlisten> => listen((b) => b.onOpenRequested(cb));

// ---------------------------------------------------------------------------------------------
// Dev-only preview: `vite` in a plain browser has no Tauri, so serve a small fake library.
// Only reachable behind `import.meta.env.DEV`, which production builds replace with `false`.
// URL flags: `?offline` (refresh and chapter fetches fail as offline), `?slow` (refresh never finishes),
// `?empty` (no shows), `?many` (5,000 episodes in the second show), `?select=ID` (list that show first, so it opens),
// `?episode=ID` (make that episode its show's newest and list the show first, so it opens).
// Player: a fake that advances on a timer. `?noaudio` (playback fails as without an output
// device), `?progressive` (the server cannot seek), `?stall` (buffers for 2 s after each seek),
// `?play=ID&at=SECONDS` (that episode is playing when the app opens).
// Downloads: a fake that fills at ~2 MB/s (meta-3 is on disk, radio-1 paused at 40%).
// `?dlfail` (downloads fail at 30%), `?dlnosize` (the server sends no size).
// Search: over the demo titles, chapters and notes. Sleep timer: counts down in real time.
// OPML: the "file dialogs" answer at once (`?opmlcancel`: cancelled); importing walks 7 feeds
// (2 already subscribed, 1 failing) with progress. `?newepisodes` (a background refresh finds 3
// new episodes 4 s after start).
// Demo chapters: meta-0 from the show notes, meta-1 has 112 (Podlove), meta-2 gets a chapters
// file from `loadChapters` after 400 ms, meta-3 from the audio file. Chapter artwork is served by
// vite from `src/api/demo-art/` (not imported anywhere, so not in production builds).

function demoBackend(): Backend {
  const params = new URLSearchParams(window.location.search);
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const ok = <T,>(data: T) => ({ status: "ok" as const, data });
  const clone = <T,>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
  const err = (kind: ErrorKind, message: string) => ({ status: "error" as const, error: { kind, message } });
  const art = (label: string, a: string, b: string) =>
    "data:image/svg+xml," +
    encodeURIComponent(
      `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 300"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${a}"/><stop offset="1" stop-color="${b}"/></linearGradient></defs><rect width="300" height="300" fill="url(#g)"/><text x="28" y="250" font-family="sans-serif" font-weight="700" font-size="64" fill="#fff">${label}</text></svg>`,
    );
  const defaultList = ["00:00 Intro", "03:12 Why it mattered", "18:40 The rollout", "35:05 Lessons learned"];
  const notes = (topic: string, list: string[] | null = defaultList, extra = "") =>
    `<p>In this episode we talk about <strong>${topic}</strong>: what we built, what broke, and what we would do differently next time.</p>` +
    `<p>Guests walk through the design, the migration and the metrics that told us it worked. Read more on the <a href="https://engineering.fb.com/">engineering blog</a>.</p>` +
    extra +
    (list ? `<h3>Chapters</h3><ul>${list.map((l) => `<li>${l}</li>`).join("")}</ul>` : "") +
    `<p>Got feedback? Find us on <a href="https://www.threads.net/@metatechpod">Threads</a> or send a note to <a href="mailto:podcast@example.com">podcast@example.com</a>.</p>`;
  const demoArt = (n: number) => new URL(`/src/api/demo-art/chapter-${n}.svg`, window.location.href).href;
  const chapter = (start: string, title: string, source: string, more: Partial<ChapterView> = {}): ChapterView => {
    const [s = 0, m = 0, h = 0] = start.split(":").map(Number).reverse();
    return { start_ms: ((h * 60 + m) * 60 + s) * 1000, end_ms: null, title, source, url: null, img: null, ...more };
  };
  const withEnds = (list: ChapterView[], durationS: number): ChapterView[] =>
    list.map((c, i) => ({ ...c, end_ms: list[i + 1]?.start_ms ?? durationS * 1000 }));
  const questions = [
    "Checkpointing", "Data loaders", "Cluster scheduling", "Failure domains", "Network topology", "Power budgets",
    "Cooling", "Debugging hangs", "Straggler detection", "Model parallelism", "Storage tiers", "On-call", "Benchmarks",
    "Hiring", "Open source", "What's next",
  ];
  const demoChapters: Record<string, ChapterView[]> = {
    "meta-0": withEnds(
      [
        chapter("0:00", "Intro", "show-notes"),
        chapter("3:12", "Why it mattered", "show-notes"),
        chapter("18:40", "The rollout", "show-notes"),
        chapter("35:05", "Lessons learned", "show-notes"),
        chapter("1:01:20", "Listener mail", "show-notes"),
      ],
      3780,
    ),
    "meta-1": withEnds(
      Array.from({ length: 112 }, (_, i) =>
        chapter(`0:${Math.round((i * 2460) / 112)}`, `Question ${i + 1}: ${questions[i % questions.length]}`, "podlove", {
          url: i % 9 === 4 ? `https://engineering.fb.com/?q=${i + 1}` : null,
        }),
      ),
      2460,
    ),
    "meta-3": withEnds(
      [
        chapter("0:00", "Cold open", "mp4"),
        chapter("0:06", "Intro", "mp4"),
        chapter("3:12", "Why it mattered", "mp4"),
        chapter("12:30", "A tour of the stack", "mp4"),
        chapter("18:40", "The rollout", "mp4"),
        chapter("35:05", "Lessons learned", "mp4"),
        chapter("51:10", "Rapid-fire questions", "mp4"),
      ],
      3301,
    ),
  };
  // What `loadChapters` finds for meta-2 (a Podcasting 2.0 chapters file), after 400 ms.
  const fetchedChapters: Record<string, ChapterView[]> = {
    "meta-2": withEnds(
      [
        chapter("0:00", "Intro", "podcast-json", { img: demoArt(1) }),
        chapter("3:12", "Why it mattered", "podcast-json", { img: demoArt(2), url: "https://engineering.fb.com/2023/" }),
        chapter("9:45", "How the release train works", "podcast-json", { img: demoArt(3) }),
        chapter("18:40", "The rollout: from one repository to hundreds of projects, and the tooling that made it possible", "podcast-json", {
          img: demoArt(4),
          url: "https://opensource.fb.com/",
        }),
        chapter("27:03", "Licences and lawyers", "podcast-json", { img: "https://example.invalid/missing.png" }),
        chapter("35:05", "Lessons learned", "podcast-json", { img: demoArt(2) }),
        chapter("46:20", "Outro", "podcast-json"),
      ],
      2913,
    ),
  };
  const shows: ShowView[] = [
    {
      id: "meta",
      feed_url: "https://anchor.fm/s/ea2b1f8/podcast/rss",
      title: "Meta Tech Podcast",
      link: "https://engineering.fb.com/category/podcast/",
      image_url: art("META", "#1877f2", "#7b3fe4"),
      description_html:
        "<p>This podcast brings you behind the scenes of engineering at Meta, with the people who build the products and infrastructure used by billions.</p>",
      episode_count: 0,
      last_refreshed_at: "2024-08-02T09:00:00Z",
      last_error: null,
      unsubscribed_elsewhere: false,
    },
    {
      id: "radio",
      feed_url: "https://example.org/radio.xml",
      title: "Signal & Noise",
      link: null,
      image_url: art("S&N", "#f97316", "#db2777"),
      description_html: "<p>Weekly conversations about radio, sound and the people who make it.</p>",
      episode_count: 0,
      last_refreshed_at: "2024-07-30T09:00:00Z",
      last_error: "https://example.org/radio.xml answered with an error (HTTP 503).",
      unsubscribed_elsewhere: false,
    },
    {
      id: "lost",
      feed_url: "https://feeds.example.net/never-loaded.xml",
      title: "",
      link: null,
      image_url: null,
      description_html: "",
      episode_count: 0,
      last_refreshed_at: null,
      last_error: null,
      unsubscribed_elsewhere: false,
    },
  ];
  const topics = [
    "Building Threads for the web",
    "How we scaled our AI training infrastructure",
    "Inside Meta's open-source release process",
    "Privacy-aware infrastructure at scale",
    "The making of Facebook's new video player",
    "Shipping Kotlin across Android at Meta",
    "Networking for giant GPU clusters",
    "What it takes to run a build system for thousands of engineers",
  ];
  const episodes: EpisodeView[] = topics.map((title, i) => ({
    row: {
      id: `meta-${i}`,
      show_id: "meta",
      title: `${title}`,
      published: new Date(Date.UTC(2024, 7, 1) - i * 16 * 86_400_000).toISOString(),
      duration_s: [3780, 2460, 2913, 3301, 1980, 4020, 2700, 3550][i] ?? 2400,
      is_played: i >= 5,
      position_ms: i === 1 ? 900_000 : 0,
      is_downloaded: false,
    },
    description_html:
      i === 0
        ? notes(
            title.toLowerCase(),
            [...defaultList, "1:01:20 Listener mail"],
            `<p>Short on time? Skip to 18:40 for the rollout story. Our next live Q&amp;A is at 10:30 AM Pacific, and the sample app from the episode runs on localhost:8080.</p>`,
          )
        : i === 1
          ? notes(title.toLowerCase(), null, `<p>A marathon listener Q&amp;A: 112 questions in 41 minutes.</p>`)
          : notes(title.toLowerCase()),
    link: "https://engineering.fb.com/",
    image_url: null,
    enclosure_url: `https://example.com/ep${i}.mp3`,
    is_video: false,
    season: null,
    episode_number: 60 - i,
    chapters: demoChapters[`meta-${i}`] ?? [],
    has_transcript: i === 0,
  }));
  episodes.push(
    ...["Tuning a pirate transmitter", "The last shortwave stations"].map((title, i) => ({
      row: {
        id: `radio-${i}`,
        show_id: "radio",
        title,
        published: new Date(Date.UTC(2024, 6, 20) - i * 7 * 86_400_000).toISOString(),
        duration_s: 1500 + i * 300,
        is_played: false,
        position_ms: 0,
        is_downloaded: false,
      },
      description_html: `<p>${title}, with field recordings and a visit to a <em>very</em> small studio.</p>`,
      link: null,
      image_url: null,
      enclosure_url: "https://example.org/a.mp3",
      is_video: false,
      season: 2,
      episode_number: 12 - i,
      chapters: [],
      has_transcript: false,
    })),
  );
  if (params.has("many")) {
    for (let i = 2; i < 5000; i++) {
      episodes.push({
        ...clone(episodes[episodes.length - 1]!),
        row: { ...episodes[episodes.length - 1]!.row, id: `radio-${i}`, title: `Archive episode ${5000 - i}`, published: new Date(Date.UTC(2024, 5, 1) - i * 86_400_000).toISOString() },
      });
    }
  }
  if (params.has("empty")) shows.length = 0;
  const picked = episodes.find((e) => e.row.id === params.get("episode"));
  if (picked) {
    const newest = Math.max(...episodes.filter((e) => e.row.show_id === picked.row.show_id).map((e) => Date.parse(e.row.published ?? "")));
    picked.row.published = new Date(newest + 86_400_000).toISOString();
    params.set("select", picked.row.show_id);
  }
  const first = params.get("select");
  if (first) shows.sort((a, b) => Number(b.id === first) - Number(a.id === first));
  const count = () => shows.forEach((s) => (s.episode_count = episodes.filter((e) => e.row.show_id === s.id).length));
  count();

  const demo: Commands = {
    async listShows() {
      await wait(30);
      return ok(clone(shows));
    },
    async listEpisodes(showId: string) {
      await wait(30);
      return ok(clone(episodes.filter((e) => e.row.show_id === showId).map((e) => e.row)));
    },
    async getEpisode(episodeId: string) {
      await wait(20);
      const e = episodes.find((x) => x.row.id === episodeId);
      return e ? ok(clone(e)) : err("NotFound", "That episode is no longer in the library.");
    },
    async getSoundProfile(showId: string) {
      await wait(20);
      return ok(clone(soundProfiles.get(showId) ?? DEFAULT_SOUND));
    },
    async setSoundProfile(showId: string, settings: SoundProfileView) {
      await wait(20);
      soundProfiles.set(showId, clone(settings));
      return ok(clone(settings));
    },
    async loadTranscript(episodeId: string) {
      await wait(150);
      if (episodeId !== "meta-0") return ok({ state: "none" as const, timed: false, cues: [], detail: null });
      if (params.has("offline")) return ok({ state: "offline" as const, timed: false, cues: [], detail: "could not connect to example.com" });
      return ok({ state: "ready" as const, timed: true, cues: demoCues(), detail: null });
    },
    async loadChapters(episodeId: string) {
      const e = episodes.find((x) => x.row.id === episodeId);
      if (!e) return err("NotFound", "That episode is no longer in the library.");
      const fetched = fetchedChapters[episodeId];
      if (!fetched) {
        await wait(30);
        return ok(clone(e.chapters));
      }
      await wait(400);
      if (params.has("offline")) return err("Offline", "Could not connect to the server. Are you offline?");
      e.chapters = fetched; // as the backend caches what it fetched
      return ok(clone(fetched));
    },
    async subscribeFeed(url: string) {
      await wait(600);
      if (!/^https?:\/\//.test(url)) return err("BadInput", `"${url}" is not a valid web address.`);
      return err("NotAFeed", `${url} does not look like a podcast feed.`);
    },
    async unsubscribeShow(showId: string) {
      const i = shows.findIndex((s) => s.id === showId);
      if (i >= 0) shows.splice(i, 1);
      return ok(null);
    },
    async refreshDueShows() {
      return this.refreshLibrary();
    },
    async refreshLibrary() {
      await wait(params.has("slow") ? 600_000 : 1500);
      const offline = params.has("offline");
      const offlineError = { kind: "Offline" as const, message: "Could not connect to the server. Are you offline?" };
      for (const s of shows) {
        if (s.id === "lost") s.last_error = offline ? offlineError.message : "No feed at https://feeds.example.net/never-loaded.xml (HTTP 404).";
      }
      return ok({
        is_offline: offline,
        shows: shows.map((s) => ({
          show_id: s.id,
          added: 0,
          error: offline
            ? offlineError
            : s.id === "lost"
              ? { kind: "NotAFeed" as const, message: "No feed at https://feeds.example.net/never-loaded.xml (HTTP 404)." }
              : s.last_error
                ? { kind: "NotAFeed" as const, message: s.last_error }
                : null,
        })),
      });
    },
    async openExternal(url: string) {
      console.info("[demo] openExternal", url);
      return ok(null);
    },
    async setPlayed(episodeId: string, isPlayed: boolean) {
      const e = episodes.find((x) => x.row.id === episodeId);
      if (e) e.row.is_played = isPlayed;
      return ok(null);
    },
    async playEpisode(episodeId: string, atMs: number | null) {
      const e = episodes.find((x) => x.row.id === episodeId);
      if (!e) return err("NotFound", "That episode is no longer in the library.");
      fake.load(e, atMs);
      return ok(null);
    },
    playerStatus: async () => ({ ...fake.view }),
    libraryProblem: async () =>
      params.has("brokenlibrary") ? { reason: "cannot open the library at /home/demo/.local/share/chaptercast/library.sqlite3: file is not a database", path: "/home/demo/.local/share/chaptercast/library.sqlite3" } : null,
    startFreshLibrary: async () => ok("/home/demo/.local/share/chaptercast/library.sqlite3.broken-20261206-120000"),
    nowPlaying: async () => fake.now(),
    playerPlay: async () => fake.play(),
    playerPause: async () => fake.pause(),
    playerToggle: async () => (fake.view.state === "playing" || fake.view.state === "buffering" ? fake.pause() : fake.play()),
    playerSeek: async (positionMs: number) => fake.seek(positionMs),
    playerSkip: async (deltaMs: number) => fake.seek(fake.view.position_ms + deltaMs),
    playerRetry: async () => fake.set({ network: null }),
    playerUndoSkip: async () => undefined,
    playerChapterStep: async (step: number) => fake.chapterStep(step),
    async playerSetSpeed(speed: number | null) {
      if (speed == null || !Number.isFinite(speed)) return err("BadInput", "That is not a speed.");
      fake.set({ speed: Math.min(3, Math.max(0.5, speed)) });
      return ok(null);
    },
    async playerSetVolume(volume: number | null) {
      if (volume == null || !Number.isFinite(volume)) return err("BadInput", "That is not a volume.");
      fake.set({ volume: Math.min(1, Math.max(0, volume)) });
      return ok(null);
    },
    async downloadEpisode(episodeId: string) {
      const e = episodes.find((x) => x.row.id === episodeId);
      if (!e) return err("NotFound", "That episode is no longer in the library.");
      dl.start(e);
      return ok(null);
    },
    pauseDownload: async (episodeId: string) => (dl.pause(episodeId), ok(null)),
    cancelDownload: async (episodeId: string) => (dl.remove(episodeId), ok(null)),
    deleteDownload: async (episodeId: string) => (dl.remove(episodeId), ok(null)),
    showDownloadInFolder: async () => ok(null),
    async listDownloads() {
      await wait(30);
      return ok(dl.list());
    },
    getDownloadFolder: async () => ok(folder),
    async chooseDownloadFolder() {
      await wait(200);
      if (params.has("opmlcancel")) return ok(null);
      folder = "/home/demo/Big disk/Podcasts";
      return ok(folder);
    },
    async search(query: string) {
      await wait(40 + Math.random() * 60);
      return ok(demoSearch(query, episodes, shows));
    },
    async setPlayedMany(episodeIds: string[], isPlayed: boolean) {
      await wait(60);
      let changed = 0;
      for (const e of episodes) {
        if (!episodeIds.includes(e.row.id) || e.row.is_played === isPlayed) continue;
        e.row.is_played = isPlayed;
        if (isPlayed) e.row.position_ms = 0;
        changed++;
      }
      return ok(changed);
    },
    async playerSetSleepTimer(timer: SleepTimer | null) {
      if (timer?.kind === "minutes" && !(timer.minutes > 0)) return err("BadInput", "A sleep timer needs some minutes.");
      fake.setSleep(timer);
      return ok(null);
    },
    async importOpml() {
      await wait(150);
      if (params.has("opmlcancel")) return ok(null);
      const path = "/home/demo/Documents/subscriptions.opml";
      const feeds = [
        { url: "https://feeds.example.com/hard-fork.xml", title: "Hard Fork" },
        { url: shows[0]?.feed_url ?? "https://anchor.fm/s/ea2b1f8/podcast/rss", title: "Meta Tech Podcast" },
        { url: "https://feeds.example.com/99pi.xml", title: "99% Invisible" },
        { url: "https://old.example.net/gone.xml", title: "A podcast that moved" },
        { url: shows[1]?.feed_url ?? "https://example.org/radio.xml", title: "Signal & Noise" },
        { url: "https://feeds.example.com/changelog.xml", title: "The Changelog" },
        { url: "https://feeds.example.com/reply-all.xml", title: "Reply All" },
      ];
      const report: OpmlImportReport = { total: feeds.length, added: 0, duplicates: [], failed: [] };
      for (const [i, feed] of feeds.entries()) {
        await wait(350);
        if (shows.some((s) => s.feed_url === feed.url)) report.duplicates.push(feed.url);
        else if (feed.url.includes("gone")) {
          report.failed.push({ url: feed.url, title: feed.title, error: `No feed at ${feed.url} (HTTP 404).` });
        } else {
          shows.push({
            id: `opml-${i}`,
            feed_url: feed.url,
            title: feed.title,
            link: null,
            image_url: null,
            description_html: `<p>Imported from ${path}.</p>`,
            episode_count: 0,
            last_refreshed_at: new Date().toISOString(),
            last_error: null,
            unsubscribed_elsewhere: false,
          });
          report.added++;
        }
        for (const cb of opmlListeners) cb({ done: i + 1, total: feeds.length, url: feed.url });
      }
      return ok(report);
    },
    async exportOpml() {
      await wait(200);
      if (params.has("opmlcancel")) return ok(null);
      return ok(shows.length);
    },
    queueList: async () => ok(upNext.view()),
    async queueAdd(episodeIds: string[], next: boolean, _startMs: number | null) {
      upNext.add(episodeIds, next ? fake.view.episode_id : undefined);
      return ok(null);
    },
    queueRemove: async (episodeId: string) => (upNext.remove(episodeId), ok(null)),
    queueMove: async (episodeId: string, index: number) => (upNext.move(episodeId, index), ok(null)),
    queueClear: async () => (upNext.clear(), ok(null)),
    setContinuousPlay: async (on: boolean) => (upNext.setContinuous(on), ok(null)),
    getRefreshIntervalHours: async () => ok(refreshHours),
    async setRefreshIntervalHours(hours: number) {
      if (!Number.isInteger(hours) || hours < 0 || hours > 168) return err("BadInput", "Choose between 1 and 168 hours, or never.");
      refreshHours = hours;
      return ok(null);
    },
    syncStatus: async () => ok({ account: syncAccount, library_changed: false }),
    async syncCheck(_serverUrl: string, _username: string, password: string, deviceId: string | null) {
      await wait(300);
      if (password !== "demo") return err("BadInput", "The server refused the user name or password. Nothing was changed.");
      return ok({ device_id: deviceId ?? "demo-desktop", devices: ["demo-desktop", "phone"], insecure: false });
    },
    async syncLogin(serverUrl: string, username: string, password: string, deviceId: string | null) {
      await wait(300);
      if (password !== "demo") return err("BadInput", "The server refused the user name or password. Nothing was changed.");
      syncAccount = { server_url: serverUrl, username, device_id: deviceId ?? "demo-desktop", last_synced_at: null, last_error: null };
      return ok({ device_id: syncAccount.device_id, devices: ["demo-desktop", "phone"], password_kept_in: "keyring", insecure: false });
    },
    async syncNow() {
      await wait(300);
      if (!syncAccount) return err("BadInput", "Sync is not set up. Log in to a gpodder server first.");
      syncAccount = { ...syncAccount, last_synced_at: new Date().toISOString(), last_error: null };
      const view = { account: syncAccount, library_changed: false };
      for (const cb of syncListeners) cb(view);
      return ok(view);
    },
    syncLogout: async () => ((syncAccount = null), ok(null)),
    takeOpenRequests: async () => ok([]),
    previewFeedLink: async (link: string) => ok({ feed: { url: link, title: "A podcast", episode_count: 3 }, https_problem: null, http_fallback: null }),
    importOpenedOpml: async () => err("BadInput", "That file was already imported or dismissed."),
  };
  let syncAccount: SyncAccountView | null = null;
  const syncListeners = new Set<(v: SyncView) => void>();
  let refreshHours = 6;
  const opmlListeners = new Set<(p: OpmlProgress) => void>();
  const libraryListeners = new Set<(u: LibraryUpdate) => void>();
  if (params.has("newepisodes")) {
    setTimeout(() => {
      const base = Date.now();
      const fresh = ["Rebuilding the news feed ranker", "A day with the release engineers", "Listener questions, part 2"];
      fresh.forEach((title, i) => {
        const template = clone(episodes[0]!);
        episodes.push({
          ...template,
          row: { ...template.row, id: `meta-new-${i}`, title, published: new Date(base - i * 3_600_000).toISOString(), is_played: false, position_ms: 0, is_downloaded: false },
          chapters: [],
        });
      });
      count();
      for (const cb of libraryListeners) cb({ new_episodes: fresh.length, show_titles: ["Meta Tech Podcast"] });
    }, 4000);
  }
  let folder = "/home/demo/Podcasts";
  const fake = demoPlayer(params, (id) => shows.find((s) => s.id === id)?.title ?? "");
  const upNext = demoQueue(episodes, shows);
  const dl = demoDownloads(params, episodes, shows, () => folder);
  const autoplay = episodes.find((e) => e.row.id === params.get("play"));
  if (autoplay) fake.load(autoplay, params.has("at") ? Number(params.get("at")) * 1000 : null);
  const subscribe = <T,>(set: Set<(v: T) => void>, cb: (v: T) => void) => {
    set.add(cb);
    return () => void set.delete(cb);
  };
  return {
    commands: demo,
    onPlayerUpdate: async (cb) => fake.listen(cb),
    onDownloadUpdate: async (cb) => dl.listen(cb),
    onOpmlProgress: async (cb) => subscribe(opmlListeners, cb),
    onLibraryUpdate: async (cb) => subscribe(libraryListeners, cb),
    onQueueUpdate: async (cb) => upNext.listen(cb),
    onNowPlaying: async (cb) => fake.listenNow(cb),
    onSessionNotice: async () => () => {},
    onSyncUpdate: async (cb) => subscribe(syncListeners, cb),
    onOpenRequested: async () => () => {},
  };
}

/** The dev preview's Up Next: in memory, told to listeners on every change. */
function demoQueue(episodes: EpisodeView[], shows: ShowView[]) {
  let ids: string[] = [];
  let continuous = true;
  const listeners = new Set<(q: QueueView) => void>();
  const item = (id: string): QueueItem | null => {
    const e = episodes.find((x) => x.row.id === id);
    if (!e) return null;
    const show = shows.find((s) => s.id === e.row.show_id);
    return {
      episode_id: id,
      title: e.row.title,
      show_title: show?.title ?? "",
      duration_s: e.row.duration_s,
      position_ms: e.row.position_ms,
      is_downloaded: e.row.is_downloaded,
    };
  };
  const view = (): QueueView => ({ items: ids.map(item).filter((i): i is QueueItem => i !== null), continuous });
  const changed = () => listeners.forEach((cb) => cb(view()));
  return {
    view,
    add(add: string[], after: string | null | undefined) {
      ids = ids.filter((i) => !add.includes(i));
      const at = after === undefined ? ids.length : ids.indexOf(after ?? "") + 1;
      ids.splice(at, 0, ...add);
      changed();
    },
    remove(id: string) {
      ids = ids.filter((i) => i !== id);
      changed();
    },
    move(id: string, index: number) {
      if (!ids.includes(id)) return;
      ids = ids.filter((i) => i !== id);
      ids.splice(Math.min(index, ids.length), 0, id);
      changed();
    },
    clear() {
      ids = [];
      changed();
    },
    setContinuous(on: boolean) {
      continuous = on;
      changed();
    },
    listen(cb: (q: QueueView) => void): Unlisten {
      listeners.add(cb);
      return () => void listeners.delete(cb);
    },
  };
}

const DEFAULT_SOUND: SoundProfileView = {
  speed: null,
  normalize: true,
  target_lufs: -16,
  boost_db: 0,
  skip_silence: "off",
  skip_intro_s: 0,
  skip_outro_s: 0,
  skip_chapters: [],
  time_saved_ms: 754_000,
};
const soundProfiles = new Map<string, SoundProfileView>();

/** The dev preview's transcript (meta-0): two voices, a cue every ~6 s for the first 40 minutes. */
function demoCues(): CueView[] {
  const lines = [
    "Welcome back to the show, today we are talking about the rollout.",
    "Thanks for having me, it has been a long year.",
    "So why did this matter in the first place?",
    "Our startup time had regressed by almost forty percent.",
    "We moved the build to a remote execution cluster.",
    "And the cache hit rate went from sixty to ninety five percent.",
    "What surprised you most during the migration?",
    "Honestly, how much of it was people rather than code.",
  ];
  return Array.from({ length: 400 }, (_, i) => ({
    start_ms: i * 6000,
    end_ms: i * 6000 + 5500,
    speaker: i % 3 === 2 ? "Pascal" : "Mia",
    text: lines[i % lines.length]!,
    playable: true,
  }));
}

/**
 * The dev preview's search, shaped like the backend's: every word must appear in the episode
 * (title, notes or one chapter title); chapter hits come as their own results with `start_ms`.
 */
function demoSearch(query: string, episodes: EpisodeView[], shows: ShowView[]): SearchHit[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const pattern = new RegExp(`(${escaped.join("|")})`, "gi");
  const runs = (text: string): TextRun[] =>
    text
      .split(pattern)
      .filter((part) => part !== "")
      .map((part) => ({ text: part, hit: words.includes(part.toLowerCase()) }));
  const has = (text: string, word: string) => text.toLowerCase().includes(word);
  const plain = (html: string) => html.replace(/<[^>]*>/g, " ").replace(/&amp;/g, "&").replace(/\s+/g, " ").trim();
  const snippet = (text: string): TextRun[] => {
    const lower = text.toLowerCase();
    const at = Math.min(...words.map((w) => lower.indexOf(w)).filter((i) => i >= 0));
    if (!Number.isFinite(at)) return [];
    const start = Math.max(0, text.lastIndexOf(" ", Math.max(0, at - 40)) + 1);
    const end = Math.min(text.length, at + 110);
    const excerpt = `${start > 0 ? "…" : ""}${text.slice(start, end).trim()}${end < text.length ? "…" : ""}`;
    return runs(excerpt);
  };
  const scored: { score: number; hit: SearchHit }[] = [];
  for (const e of episodes) {
    const podcast = shows.find((s) => s.id === e.row.show_id);
    if (!podcast) continue;
    const notes = plain(e.description_html);
    const base = {
      show_id: e.row.show_id,
      podcast: podcast.title || podcast.feed_url,
      episode_id: e.row.id,
      episode_title: e.row.title,
      published: e.row.published,
      title_runs: runs(e.row.title),
    };
    const inTitle = words.filter((w) => has(e.row.title, w)).length;
    const inNotes = words.filter((w) => has(notes, w)).length;
    if (words.every((w) => has(e.row.title, w) || has(notes, w))) {
      scored.push({
        score: inTitle * 10 + inNotes,
        hit: {
          ...base,
          kind: inTitle > 0 ? "title" : "notes",
          chapter_title: null,
          start_ms: null,
          chapter_runs: [],
          snippet_runs: inNotes > 0 ? snippet(notes) : [],
          speaker: null,
        },
      });
    }
    for (const c of e.chapters) {
      if (!words.every((w) => has(c.title, w) || has(e.row.title, w))) continue;
      if (!words.some((w) => has(c.title, w))) continue;
      scored.push({
        score: words.filter((w) => has(c.title, w)).length * 8 + inTitle,
        hit: { ...base, kind: "chapter", chapter_title: c.title, start_ms: c.start_ms, chapter_runs: runs(c.title), snippet_runs: [], speaker: null },
      });
    }
    if (e.has_transcript) {
      const cue = demoCues().find((c) => words.every((w) => has(c.text, w)));
      if (cue) {
        scored.push({
          score: words.length * 2,
          hit: { ...base, kind: "transcript", chapter_title: null, start_ms: cue.start_ms, chapter_runs: [], snippet_runs: runs(cue.text), speaker: cue.speaker },
        });
      }
    }
  }
  return scored
    .sort((a, b) => b.score - a.score || byNewest(a.hit, b.hit))
    .slice(0, 50)
    .map((s) => s.hit);
}

/**
 * The dev preview's downloads: byte counters on a timer, reported like the backend (4 times a
 * second while running, and on every change; events without titles).
 */
function demoDownloads(params: URLSearchParams, episodes: EpisodeView[], shows: ShowView[], folder: () => string) {
  const listeners = new Set<(view: DownloadView) => void>();
  const all = new Map<string, DownloadView>();
  let timer: ReturnType<typeof setInterval> | undefined;
  const RATE = 2_100_000;
  const sizeOf = (e: EpisodeView) => (e.row.duration_s ?? 1800) * 16_000; // 128 kbit/s
  const find = (id: string) => episodes.find((x) => x.row.id === id);
  const emit = (d: DownloadView) => {
    for (const cb of listeners) cb({ ...d, episode_title: null, show_title: null });
  };
  const set = (d: DownloadView, patch: Partial<DownloadView>) => {
    Object.assign(d, patch);
    emit(d);
  };
  const blank = (e: EpisodeView): DownloadView => ({
    episode_id: e.row.id,
    state: "queued",
    downloaded_bytes: 0,
    total_bytes: null,
    bytes_per_s: null,
    error: null,
    path: null,
    episode_title: null,
    show_title: null,
  });
  const tick = () => {
    // One at a time, like a polite queue: the first running or queued one moves.
    const d = [...all.values()].find((x) => x.state === "running") ?? [...all.values()].find((x) => x.state === "queued");
    if (!d) {
      clearInterval(timer);
      timer = undefined;
      return;
    }
    const e = find(d.episode_id);
    if (!e) return;
    const size = sizeOf(e);
    if (d.state === "queued") {
      set(d, { state: "running", total_bytes: params.has("dlnosize") ? null : size, bytes_per_s: null });
      return;
    }
    const rate = RATE * (0.8 + Math.random() * 0.4);
    const got = Math.min(size, (d.downloaded_bytes ?? 0) + rate / 4);
    if (params.has("dlfail") && got >= size * 0.3) {
      set(d, { state: "failed", bytes_per_s: null, error: "The server stopped answering (timed out after 30 s)." });
    } else if (got >= size) {
      e.row.is_downloaded = true;
      set(d, { state: "done", downloaded_bytes: size, total_bytes: size, bytes_per_s: null, path: `${folder()}/${e.row.id}.mp3` });
    } else {
      set(d, { downloaded_bytes: got, bytes_per_s: rate });
    }
  };
  const seed = (id: string, patch: Partial<DownloadView>) => {
    const e = find(id);
    if (!e) return;
    all.set(id, { ...blank(e), total_bytes: sizeOf(e), ...patch });
    if (patch.state === "done") e.row.is_downloaded = true;
  };
  seed("meta-3", { state: "done", downloaded_bytes: 3301 * 16_000, path: `${folder()}/meta-3.mp3` });
  seed("radio-1", { state: "paused", downloaded_bytes: 1800 * 16_000 * 0.4 });
  return {
    listen(cb: (view: DownloadView) => void) {
      listeners.add(cb);
      return () => void listeners.delete(cb);
    },
    list(): DownloadView[] {
      const titled = [...all.values()].map((d) => ({
        ...d,
        episode_title: find(d.episode_id)?.row.title ?? null,
        show_title: shows.find((s) => s.id === find(d.episode_id)?.row.show_id)?.title ?? null,
      }));
      return [...titled.filter((d) => d.state !== "done"), ...titled.filter((d) => d.state === "done")];
    },
    start(e: EpisodeView) {
      const d = all.get(e.row.id);
      if (d?.state === "done" || d?.state === "running" || d?.state === "queued") return;
      if (d) set(d, { state: "queued", error: null });
      else {
        const fresh = blank(e);
        all.set(e.row.id, fresh);
        emit(fresh);
      }
      if (timer === undefined) timer = setInterval(tick, 250);
    },
    pause(id: string) {
      const d = all.get(id);
      if (d && (d.state === "running" || d.state === "queued")) set(d, { state: "paused", bytes_per_s: null });
    },
    remove(id: string) {
      const d = all.get(id);
      if (!d) return;
      all.delete(id);
      const e = find(id);
      if (e) e.row.is_downloaded = false;
      emit({ ...d, state: "removed", bytes_per_s: null, path: null });
    },
  };
}

/** The dev preview's player: a clock, not audio. Reports like the backend, 10 times a second while playing. */
function demoPlayer(params: URLSearchParams, showTitle: (showId: string) => string) {
  const listeners = new Set<(view: PlayerView) => void>();
  const nowListeners = new Set<(now: NowPlayingView) => void>();
  let now: NowPlayingView | null = null;
  let episode: EpisodeView | null = null;
  let timer: ReturnType<typeof setInterval> | undefined;
  let stallUntil = 0;
  const view: PlayerView = {
    episode_id: null,
    state: "idle",
    wants_play: false,
    position_ms: 0,
    duration_ms: null,
    chapter_index: null,
    cue_index: null,
    speed: 1,
    volume: 1,
    streaming: false,
    progressive: false,
    finding: null,
    error: null,
    network: null,
    sleep: null,
  };
  const emit = () => {
    const index = episode ? currentChapterIndex(episode.chapters, view.position_ms) : -1;
    view.chapter_index = index >= 0 ? index : null;
    view.cue_index = episode?.has_transcript ? Math.floor(view.position_ms / 6000) : null;
    // The preview always loads to play, so its states say what the listener asked for.
    view.wants_play = view.state === "playing" || view.state === "buffering" || view.state === "loading";
    for (const cb of listeners) cb({ ...view });
  };
  const set = (patch: Partial<PlayerView>) => {
    Object.assign(view, patch);
    emit();
  };
  const savePosition = () => {
    if (episode) episode.row.position_ms = Math.round(view.position_ms);
  };
  const tick = () => {
    if (view.state === "buffering" || view.state === "loading") {
      if (Date.now() >= stallUntil) set({ state: "playing" });
      return;
    }
    if (view.state !== "playing") return;
    const end = view.duration_ms ?? Infinity;
    const next = view.position_ms + 100 * (view.speed ?? 1);
    const sleep = view.sleep;
    if (next >= end) {
      stop();
      if (episode) Object.assign(episode.row, { is_played: true, position_ms: 0 });
      set({ state: "ended", position_ms: end, sleep: null });
    } else if (sleep?.timer.kind === "minutes" && (sleep.remaining_ms ?? 0) <= 100) {
      stop();
      view.position_ms = next;
      savePosition();
      set({ state: "paused", sleep: null });
    } else if (
      sleep?.timer.kind === "end_of_chapter" &&
      episode &&
      currentChapterIndex(episode.chapters, next) !== currentChapterIndex(episode.chapters, view.position_ms)
    ) {
      stop();
      view.position_ms = next;
      savePosition();
      set({ state: "paused", sleep: null });
    } else {
      const remaining = sleep?.timer.kind === "minutes" ? { sleep: { ...sleep, remaining_ms: (sleep.remaining_ms ?? 0) - 100 } } : {};
      set({ position_ms: next, ...remaining });
    }
  };
  const stop = () => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };
  const run = () => {
    if (timer === undefined) timer = setInterval(tick, 100);
  };
  const play = () => {
    if (!episode) return;
    if (params.has("noaudio")) {
      set({ state: "paused", error: "No audio output device was found. Plug in headphones or speakers and try again." });
      return;
    }
    if (view.state === "ended") view.position_ms = 0;
    stallUntil = Date.now() + 300;
    set({ state: "buffering", error: null });
    run();
  };
  const pause = () => {
    if (!episode || view.state === "ended" || view.state === "error") return;
    stop();
    savePosition();
    set({ state: "paused" });
  };
  const seek = (ms: number) => {
    if (!episode) return;
    const end = view.duration_ms ?? Infinity;
    const to = Math.max(0, Math.min(ms, end - 1));
    const playing = view.state === "playing" || view.state === "buffering" || view.state === "loading";
    if (playing) {
      const ahead = params.has("progressive") && to > view.position_ms;
      stallUntil = Date.now() + (params.has("stall") ? 2000 : ahead ? 1500 : 150);
      set({ position_ms: to, state: "buffering" });
    } else {
      set({ position_ms: to, state: "paused" });
    }
  };
  return {
    view,
    set,
    play,
    pause,
    seek,
    setSleep(timer: SleepTimer | null) {
      set({ sleep: timer ? { timer, remaining_ms: timer.kind === "minutes" ? timer.minutes * 60_000 : null } : null });
    },
    listen(cb: (view: PlayerView) => void) {
      listeners.add(cb);
      return () => void listeners.delete(cb);
    },
    now: () => now,
    listenNow(cb: (now: NowPlayingView) => void) {
      nowListeners.add(cb);
      return () => void nowListeners.delete(cb);
    },
    load(e: EpisodeView, atMs: number | null) {
      if (episode && episode !== e) savePosition();
      stop();
      episode = e;
      const start = atMs ?? (e.row.is_played ? 0 : e.row.position_ms);
      Object.assign(view, {
        episode_id: e.row.id,
        position_ms: start,
        duration_ms: e.row.duration_s == null ? null : e.row.duration_s * 1000,
        streaming: true,
        progressive: params.has("progressive"),
        finding: null,
        error: null,
      });
      stallUntil = Date.now() + 600;
      set({ state: "loading" });
      const next: NowPlayingView = { episode_id: e.row.id, title: e.row.title, show_title: showTitle(e.row.show_id), artwork_url: null, chapters: e.chapters, video_url: null };
      now = next;
      for (const cb of nowListeners) cb(next);
      if (params.has("noaudio")) play();
      else run();
    },
    chapterStep(step: number) {
      if (!episode || episode.chapters.length === 0) return;
      const chapters = episode.chapters;
      const i = currentChapterIndex(chapters, view.position_ms);
      let target: number | null;
      if (step > 0) target = i + 1 < chapters.length ? i + 1 : null;
      else if (i < 0) target = null;
      else target = view.position_ms > chapters[i]!.start_ms + 3000 || i === 0 ? i : i - 1;
      if (target != null) seek(chapters[target]!.start_ms);
    },
  };
}

/**
 * The dev preview's stand-in for the engine's chapter rule (the app itself only shows the
 * engine's `chapter_index`). The index of the chapter playing at `positionMs`: the last one starting at or before it,
 * unless that one has a known end at or before the position (a gap). -1 when none.
 */
function currentChapterIndex(
  chapters: readonly { start_ms: number; end_ms: number | null }[],
  positionMs: number | null,
): number {
  if (positionMs == null || !Number.isFinite(positionMs)) return -1;
  let found = -1;
  for (let i = 0; i < chapters.length; i++) {
    const c = chapters[i]!;
    if (c.start_ms <= positionMs && (found < 0 || c.start_ms >= chapters[found]!.start_ms)) found = i;
  }
  if (found < 0) return -1;
  const end = chapters[found]!.end_ms;
  return end != null && end > chapters[found]!.start_ms && positionMs >= end ? -1 : found;
}
