-- Index text now leaves out combining marks (vowel signs, harakat), as queries do: FTS5's
-- tokenizer splits words there, and a query with marks used to fail. Re-index everything.
INSERT OR IGNORE INTO search_pending (episode_id) SELECT id FROM episodes;
