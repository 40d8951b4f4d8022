//! A VBR MP3's frame index as it leaves the decoder: kept by the library between sessions
//! ([`SavedFrameIndex`]), watched by the player ([`FrameIndexHandle`]), and extended in the
//! background a step at a time ([`IndexStep`]). The index itself is `mp3_layout::FrameIndex`.

use std::sync::{Arc, Mutex};

use super::mp3_layout::FrameIndex;

/// What one step of [`super::decode::Decoding::extend_index`] came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexStep {
    /// Indexed; more is left. `fetched`: the bytes came over the network (else from
    /// playback's cache, which costs nothing to wait for).
    More { fetched: bool },
    /// Nothing is left to index.
    Done,
    /// The bytes could not be fetched (or the fetch was called off).
    Failed,
}

/// A VBR MP3's frame index as the library keeps it between sessions, with the length of the
/// file it was built from: a file of another length is another file, and its index is not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedFrameIndex {
    pub byte_len: u64,
    /// [`FrameIndex::to_saved`]'s bytes.
    pub bytes: Vec<u8>,
}

impl SavedFrameIndex {
    /// Frames the saved index covers, when it is one.
    pub fn frames(&self) -> Option<u64> {
        FrameIndex::saved_frames(&self.bytes)
    }
}

/// The frame index of an MP3 being decoded, shared with the player, which saves it when it
/// has grown (see [`super::decode::Decoding::frame_index`]).
#[derive(Debug, Clone)]
pub struct FrameIndexHandle {
    index: Arc<Mutex<FrameIndex>>,
    byte_len: u64,
}

impl FrameIndexHandle {
    pub(super) fn new(index: Arc<Mutex<FrameIndex>>, byte_len: u64) -> Self {
        FrameIndexHandle { index, byte_len }
    }

    /// Frames indexed so far.
    pub fn frames(&self) -> u64 {
        self.index.lock().map(|i| i.frames_indexed()).unwrap_or(0)
    }

    /// True once every frame of the file is indexed (or indexing met the end tags).
    pub fn complete(&self) -> bool {
        self.index
            .lock()
            .map(|i| i.next_offset().is_none_or(|next| next >= self.byte_len))
            .unwrap_or(true)
    }

    /// The index as the library keeps it.
    pub fn saved(&self) -> Option<SavedFrameIndex> {
        let bytes = self.index.lock().ok()?.to_saved();
        Some(SavedFrameIndex {
            byte_len: self.byte_len,
            bytes,
        })
    }
}
