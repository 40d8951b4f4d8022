-- Shows: one per subscribed feed URL, with the feed's HTTP cache state.
CREATE TABLE shows (
    id                INTEGER PRIMARY KEY,
    feed_url          TEXT NOT NULL UNIQUE,
    title             TEXT NOT NULL DEFAULT '',
    link              TEXT,
    image_url         TEXT,
    description_html  TEXT NOT NULL DEFAULT '',
    author            TEXT,
    etag              TEXT,
    last_modified     TEXT,
    subscribed_at     TEXT NOT NULL,
    last_refreshed_at TEXT,
    last_error        TEXT
);

-- Episodes: feed fields (replaced on refresh) and user state (never touched by a refresh).
CREATE TABLE episodes (
    id               INTEGER PRIMARY KEY,
    show_id          INTEGER NOT NULL REFERENCES shows(id) ON DELETE CASCADE,
    guid             TEXT NOT NULL,
    content_hash     INTEGER NOT NULL,
    title            TEXT NOT NULL,
    published_at     INTEGER,            -- unix seconds, UTC
    duration_s       INTEGER,
    enclosure_url    TEXT NOT NULL,
    enclosure_type   TEXT,
    enclosure_length INTEGER,
    description_html TEXT NOT NULL,
    link             TEXT,
    image_url        TEXT,
    season           INTEGER,
    episode_number   INTEGER,
    chapters_url     TEXT,
    transcripts_json TEXT NOT NULL DEFAULT '[]',
    first_seen_at    TEXT NOT NULL,
    is_played        INTEGER NOT NULL DEFAULT 0,
    position_ms      INTEGER NOT NULL DEFAULT 0,
    download_path    TEXT,
    UNIQUE (show_id, guid)
);

CREATE INDEX episodes_by_show_newest ON episodes (show_id, published_at DESC);
