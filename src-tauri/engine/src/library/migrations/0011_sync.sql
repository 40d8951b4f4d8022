-- Sync with a gpodder API server (gpodder.net, podsync, opodsync…).

-- The account: at most one. The password is not here (keyring, or a file only the user reads).
-- `applying` is set while changes received from the server are written, so the triggers below
-- do not send them back.
CREATE TABLE sync_account (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    server_url     TEXT NOT NULL,
    username       TEXT NOT NULL,
    device_id      TEXT NOT NULL,
    episodes_since INTEGER NOT NULL DEFAULT 0,
    last_synced_at INTEGER,
    last_error     TEXT,
    applying       INTEGER NOT NULL DEFAULT 0
);

-- Changes made here that the server has not heard of yet, in the order they were first made.
-- One row per subscription and per episode: a later change replaces one not yet sent (`rev`
-- counts replacements, so a sync deletes only what it sent). Values, not row ids, so an
-- unsubscribe deleting the show's rows does not lose what is waiting.
CREATE TABLE sync_outbox (
    id            INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: a sync still running for
                                                     -- an account logged out must not match a
                                                     -- new account's rows
    key           TEXT NOT NULL UNIQUE,
    rev           INTEGER NOT NULL DEFAULT 1,
    action        TEXT NOT NULL,  -- subscribe | unsubscribe | play | new
    feed_url      TEXT NOT NULL,
    guid          TEXT,
    enclosure_url TEXT,
    started_s     INTEGER,
    position_s    INTEGER,
    total_s       INTEGER,
    changed_at    INTEGER NOT NULL
);

-- The subscriptions the server listed for this device at the last sync: one missing next time
-- was removed on another device (some servers never list removals).
CREATE TABLE sync_remote_subscriptions (
    feed_url TEXT PRIMARY KEY
) WITHOUT ROWID;

-- Episode actions received but not applied yet: their episode is not in the library until its
-- feed is fetched. The newest per episode is kept.
CREATE TABLE sync_inbox (
    podcast       TEXT NOT NULL,
    episode       TEXT NOT NULL,
    guid          TEXT,
    action        TEXT NOT NULL,  -- play | new
    position_s    INTEGER,
    total_s       INTEGER,
    timestamp     INTEGER NOT NULL,
    received_at   INTEGER NOT NULL,
    PRIMARY KEY (podcast, episode)
) WITHOUT ROWID;

-- Sync finds episodes by GUID and by enclosure URL.
CREATE INDEX episodes_by_guid ON episodes (guid);
CREATE INDEX episodes_by_enclosure ON episodes (enclosure_url);

-- When the listener last changed an episode's position or played state here (unix seconds):
-- the newest change wins against another device's.
ALTER TABLE episodes ADD COLUMN state_changed_at INTEGER;

-- Set when another device unsubscribed while this one still had downloads or positions in
-- the show: it stops refreshing and syncing, and stays until the listener deletes it.
ALTER TABLE shows ADD COLUMN unsubscribed_at INTEGER;

CREATE TRIGGER episode_state_changed AFTER UPDATE OF position_ms, is_played ON episodes
WHEN (OLD.position_ms / 1000 != NEW.position_ms / 1000 OR OLD.is_played != NEW.is_played)
  AND NOT EXISTS (SELECT 1 FROM sync_account WHERE applying = 1)
BEGIN
    UPDATE episodes SET state_changed_at = CAST(strftime('%s', 'now') AS INTEGER)
     WHERE id = NEW.id;
    INSERT INTO sync_outbox (key, action, feed_url, guid, enclosure_url, started_s, position_s,
                             total_s, changed_at)
    SELECT 'episode ' || s.feed_url || ' ' || NEW.guid,
           CASE WHEN NEW.is_played = 0 AND OLD.is_played = 1 THEN 'new' ELSE 'play' END,
           s.feed_url, NEW.guid, NEW.enclosure_url,
           OLD.position_ms / 1000,
           -- Finished: sent at its end (at 1 of 1 when its length is unknown, still "the end").
           CASE WHEN NEW.is_played = 1 AND OLD.is_played = 0
                THEN MAX(1, COALESCE(NEW.audio_duration_ms / 1000, NEW.duration_s, 0))
                ELSE NEW.position_ms / 1000 END,
           CASE WHEN NEW.is_played = 1 AND OLD.is_played = 0
                THEN MAX(1, COALESCE(NEW.audio_duration_ms / 1000, NEW.duration_s, 0))
                ELSE COALESCE(NEW.audio_duration_ms / 1000, NEW.duration_s) END,
           CAST(strftime('%s', 'now') AS INTEGER)
      FROM shows s
     WHERE s.id = NEW.show_id AND EXISTS (SELECT 1 FROM sync_account)
    ON CONFLICT (key) DO UPDATE SET
        action = excluded.action,
        position_s = excluded.position_s,
        total_s = excluded.total_s,
        changed_at = excluded.changed_at,
        rev = rev + 1;
END;

-- A show's subscription change waiting to be sent, written in one place: SQLite has no
-- procedures, so the three triggers below insert into this view and its INSTEAD OF trigger
-- keeps the newest change per feed in the outbox.
CREATE VIEW sync_show_change (feed_url, action) AS
    SELECT feed_url, action FROM sync_outbox WHERE action IN ('subscribe', 'unsubscribe');

CREATE TRIGGER sync_show_change_queued INSTEAD OF INSERT ON sync_show_change
BEGIN
    INSERT INTO sync_outbox (key, action, feed_url, changed_at)
    VALUES ('show ' || NEW.feed_url, NEW.action, NEW.feed_url,
            CAST(strftime('%s', 'now') AS INTEGER))
    ON CONFLICT (key) DO UPDATE SET
        action = excluded.action, changed_at = excluded.changed_at, rev = rev + 1;
END;

CREATE TRIGGER show_subscribed AFTER INSERT ON shows
WHEN EXISTS (SELECT 1 FROM sync_account WHERE applying = 0)
BEGIN
    INSERT INTO sync_show_change VALUES (NEW.feed_url, 'subscribe');
END;

CREATE TRIGGER show_subscribed_again AFTER UPDATE OF unsubscribed_at ON shows
WHEN OLD.unsubscribed_at IS NOT NULL AND NEW.unsubscribed_at IS NULL
  AND EXISTS (SELECT 1 FROM sync_account WHERE applying = 0)
BEGIN
    INSERT INTO sync_show_change VALUES (NEW.feed_url, 'subscribe');
END;

CREATE TRIGGER show_unsubscribed AFTER DELETE ON shows
WHEN OLD.unsubscribed_at IS NULL AND EXISTS (SELECT 1 FROM sync_account WHERE applying = 0)
BEGIN
    INSERT INTO sync_show_change VALUES (OLD.feed_url, 'unsubscribe');
END;
