-- Background refresh: when each show was last asked for (success or not), and the earliest
-- time the server wants to be asked again (Cache-Control max-age, Retry-After).
ALTER TABLE shows ADD COLUMN last_checked_at INTEGER;   -- unix seconds
ALTER TABLE shows ADD COLUMN not_before INTEGER;        -- unix seconds
