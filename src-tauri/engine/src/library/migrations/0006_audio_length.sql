-- The audio's own length, learnt by playing it: feeds' itunes:duration is often missing or
-- wrong, and a refresh rewrites duration_s from the feed, so it is kept apart.
ALTER TABLE episodes ADD COLUMN audio_duration_ms INTEGER;
