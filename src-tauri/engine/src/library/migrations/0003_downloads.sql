-- Downloads: what is queued, running, paused or failed (finished ones live in
-- episodes.download_path), and the user's settings.
CREATE TABLE downloads (
    episode_id  INTEGER PRIMARY KEY REFERENCES episodes (id) ON DELETE CASCADE,
    state       TEXT NOT NULL CHECK (state IN ('queued', 'running', 'paused', 'failed')),
    dest_path   TEXT NOT NULL,
    total_bytes INTEGER,
    error       TEXT,
    updated_at  TEXT NOT NULL
);

ALTER TABLE episodes ADD COLUMN download_bytes INTEGER;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
