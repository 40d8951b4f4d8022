-- Up Next: the episodes the listener lined up, in order. An episode is in it at most once;
-- one that leaves the library leaves the queue. `start_ms`: where it starts when its turn
-- comes (a chapter queued from search), NULL for where the listener left off.
CREATE TABLE queue (
    episode_id INTEGER PRIMARY KEY REFERENCES episodes(id) ON DELETE CASCADE,
    ord        INTEGER NOT NULL,
    start_ms   INTEGER
);
CREATE INDEX queue_order ON queue(ord);
