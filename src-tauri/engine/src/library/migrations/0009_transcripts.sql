-- Transcripts: what was read for an episode (from its feed's `podcast:transcript`, or a
-- sidecar file beside the download), kept so the Transcript tab and search work offline.
-- A transcript that could not be read is remembered too (`error`), so it is not fetched again
-- on every look; a new source (another URL, a sidecar) replaces the row.
CREATE TABLE transcripts (
    episode_id INTEGER PRIMARY KEY REFERENCES episodes (id) ON DELETE CASCADE,
    source     TEXT NOT NULL,
    format     TEXT NOT NULL,
    timed      INTEGER NOT NULL,
    error      TEXT,
    fetched_at TEXT NOT NULL
);

-- One row per cue, in order. Without rowid: the key is how every read walks them.
CREATE TABLE transcript_cues (
    episode_id INTEGER NOT NULL REFERENCES transcripts (episode_id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    start_ms   INTEGER NOT NULL,
    end_ms     INTEGER NOT NULL,
    speaker    TEXT,
    text       TEXT NOT NULL,
    PRIMARY KEY (episode_id, seq)
) WITHOUT ROWID;

-- Spoken words get their own index table: a query for common words ("we talked about") must
-- not walk hundreds of thousands of transcript rows while it looks for title and chapter
-- matches. The episode/chapter table is made again too, because row ids change to leave room
-- for transcripts: episode id × 16384 for the episode, + 1 + k for its k-th listed chapter
-- (k < 4095), + 4096 + p for the p-th passage of its transcript (in `search_spoken`). Both
-- are contentless, rebuilt from the library: every episode is listed for re-indexing.
DROP TRIGGER search_episode_deleted;
DROP TABLE search_fts;
DELETE FROM search_chapters;
CREATE VIRTUAL TABLE search_fts USING fts5(
    title, chapter, notes,
    content = '', contentless_delete = 1, detail = column,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE search_spoken USING fts5(
    spoken,
    content = '', contentless_delete = 1, detail = column,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

-- A passage (a few cues, indexed together) by index row id: which cues it holds.
CREATE TABLE search_passages (
    doc_id    INTEGER PRIMARY KEY,
    first_seq INTEGER NOT NULL,
    last_seq  INTEGER NOT NULL
);

CREATE TRIGGER search_episode_deleted AFTER DELETE ON episodes BEGIN
    DELETE FROM search_fts WHERE rowid BETWEEN old.id * 16384 AND old.id * 16384 + 16383;
    DELETE FROM search_chapters WHERE doc_id BETWEEN old.id * 16384 AND old.id * 16384 + 16383;
    DELETE FROM search_spoken WHERE rowid BETWEEN old.id * 16384 AND old.id * 16384 + 16383;
    DELETE FROM search_passages WHERE doc_id BETWEEN old.id * 16384 AND old.id * 16384 + 16383;
END;
INSERT OR IGNORE INTO search_pending (episode_id) SELECT id FROM episodes;
