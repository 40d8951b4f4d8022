-- Podlove chapters as written in the feed (JSON list of {start,title,href,image}).
ALTER TABLE episodes ADD COLUMN podlove_chapters_json TEXT NOT NULL DEFAULT '[]';

-- Chapter lists fetched from elsewhere: a Podcasting 2.0 JSON file, or the audio file itself.
-- Kept per episode and kind, with the URL they came from so a changed URL is fetched again.
CREATE TABLE fetched_chapters (
    episode_id    INTEGER NOT NULL REFERENCES episodes(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,        -- 'podcast-json' | 'embedded'
    source_url    TEXT NOT NULL,
    chapters_json TEXT NOT NULL,        -- JSON list of chapters
    fetched_at    TEXT NOT NULL,
    PRIMARY KEY (episode_id, kind)
);
