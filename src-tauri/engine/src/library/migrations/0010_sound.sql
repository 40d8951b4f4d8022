-- Sound per show (loudness target, boost, skip silence, intro/outro and chapter skips), kept
-- as the engine's JSON so a new setting needs no migration. `loudness_lufs` is the show's
-- last measured loudness: a stream with no measurement of its own starts from it.
CREATE TABLE show_profiles (
    show_id       INTEGER PRIMARY KEY REFERENCES shows (id) ON DELETE CASCADE,
    profile_json  TEXT,
    loudness_lufs REAL
);

-- A file's loudness, measured once (a download, in the background, when it completes).
-- `source` is the file measured: a new download of the episode is measured again.
CREATE TABLE episode_loudness (
    episode_id      INTEGER PRIMARY KEY REFERENCES episodes (id) ON DELETE CASCADE,
    source          TEXT NOT NULL,
    integrated_lufs REAL NOT NULL,
    true_peak_dbtp  REAL NOT NULL,
    measured_at     TEXT NOT NULL
);

-- Time skip silence saved, per episode (the total is their sum).
ALTER TABLE episodes ADD COLUMN silence_saved_ms INTEGER NOT NULL DEFAULT 0;
