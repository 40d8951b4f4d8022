-- Up Next: the episodes the listener lined up, in order. An episode is in it at most once;
-- one that leaves the library leaves the queue.
CREATE TABLE queue (
    episode_id INTEGER PRIMARY KEY REFERENCES episodes(id) ON DELETE CASCADE,
    ord        INTEGER NOT NULL
);
CREATE INDEX queue_order ON queue(ord);
