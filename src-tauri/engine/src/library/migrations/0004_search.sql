-- Full-text search over episode titles, show notes and chapter titles.
-- Contentless (content=''): the text already lives in `episodes`, so the index holds only
-- tokens; contentless_delete lets a refresh replace rows. Porter stemming: "cache" finds
-- "Caching". detail=column: queries are words, never phrases, so token positions (most of
-- an index's size) are not stored.
-- Row ids say what a row is: episode id × 4096 for the episode (title, notes), + 1 + k for its
-- k-th listed chapter.
CREATE VIRTUAL TABLE search_fts USING fts5(
    title, chapter, notes,
    content = '', contentless_delete = 1, detail = column,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

-- Where each indexed chapter starts and what it is called, by index row id: a chapter hit is
-- shown without re-reading the episode's chapter sources.
CREATE TABLE search_chapters (
    doc_id   INTEGER PRIMARY KEY,
    start_ms INTEGER NOT NULL,
    title    TEXT NOT NULL
);

-- Episodes whose rows are not (re)written yet. A refresh only lists them here, so storing a
-- feed stays fast; the index catches up right after, and before any search.
CREATE TABLE search_pending (
    episode_id INTEGER PRIMARY KEY REFERENCES episodes (id) ON DELETE CASCADE
);
INSERT INTO search_pending (episode_id) SELECT id FROM episodes;

-- Index rows go with their episode (unsubscribing deletes episodes by cascade).
CREATE TRIGGER search_episode_deleted AFTER DELETE ON episodes BEGIN
    DELETE FROM search_fts WHERE rowid BETWEEN old.id * 4096 AND old.id * 4096 + 4095;
    DELETE FROM search_chapters WHERE doc_id BETWEEN old.id * 4096 AND old.id * 4096 + 4095;
END;
