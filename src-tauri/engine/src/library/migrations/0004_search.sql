-- Full-text search over episode titles, show notes and chapter titles.
-- Contentless (content=''): the text already lives in `episodes`, so the index holds only
-- tokens and costs a fraction of the library; contentless_delete lets a refresh replace rows.
-- Porter stemming: "cache" finds "Caching".
CREATE VIRTUAL TABLE search_fts USING fts5(
    title, chapter, notes,
    content = '', contentless_delete = 1,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

-- What each index row is: an episode (start_ms NULL) or one of its chapters.
CREATE TABLE search_docs (
    doc_id        INTEGER PRIMARY KEY,   -- = search_fts.rowid
    episode_id    INTEGER NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
    start_ms      INTEGER,
    chapter_title TEXT
);
CREATE INDEX search_docs_by_episode ON search_docs (episode_id);

-- Index rows go with their episode (unsubscribing deletes episodes by cascade).
CREATE TRIGGER search_docs_delete AFTER DELETE ON search_docs BEGIN
    DELETE FROM search_fts WHERE rowid = old.doc_id;
END;
