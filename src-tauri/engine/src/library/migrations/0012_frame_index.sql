-- The frame index of a streamed VBR MP3 (every 16th frame start, see player/mp3_layout.rs),
-- so that a second jump, or a resume after a relaunch, reads no prefix. It belongs to one file:
-- its enclosure URL and its length.
CREATE TABLE episode_frame_index (
    episode_id    INTEGER PRIMARY KEY REFERENCES episodes (id) ON DELETE CASCADE,
    enclosure_url TEXT NOT NULL,
    byte_len      INTEGER NOT NULL,
    frame_index   BLOB NOT NULL
);
