// Backend records for tests, with plain defaults; each test overrides what it is about.
import type { EpisodeRow, EpisodeView, ShowView } from "../api";

export const showView = (id: string, over: Partial<ShowView> = {}): ShowView => ({
  id,
  feed_url: `https://example.org/${id}.xml`,
  title: `Show ${id}`,
  link: null,
  image_url: null,
  description_html: "",
  episode_count: 0,
  last_refreshed_at: null,
  unsubscribed_elsewhere: false,
  last_error: null,
  ...over,
});

export const episodeRow = (id: string, over: Partial<EpisodeRow> = {}): EpisodeRow => ({
  id,
  show_id: "s",
  title: `Episode ${id}`,
  published: null,
  duration_s: 600,
  is_played: false,
  position_ms: 0,
  is_downloaded: false,
  ...over,
});

export const episodeView = (row: EpisodeRow, over: Partial<EpisodeView> = {}): EpisodeView => ({
  row,
  description_html: "",
  link: null,
  image_url: null,
  enclosure_url: "https://example.org/a.mp3",
  is_video: false,
  has_transcript: false,
  season: null,
  episode_number: null,
  chapters: [],
  ...over,
});
