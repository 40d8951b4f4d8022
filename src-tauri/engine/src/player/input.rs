//! Where the audio bytes come from: a downloaded file or an HTTP stream, seen through a window
//! that starts at a chosen frame, with every byte read from the start noted in the MP3 index.

use std::fs::File;
use std::io::{self, Cursor, Read, Seek, SeekFrom};
use std::sync::{Arc, Mutex};

use symphonia::core::io::MediaSource;

use super::mp3_layout::FrameIndex;
use super::stream::RangeStream;

/// The bytes of one episode.
pub enum MediaInput {
    File(File),
    Stream(RangeStream),
    /// Bytes already in memory (the fuzz harness and tests).
    Memory(Cursor<Arc<[u8]>>),
}

impl MediaInput {
    pub fn byte_len(&self) -> Option<u64> {
        match self {
            MediaInput::File(f) => f.metadata().ok().map(|m| m.len()),
            MediaInput::Stream(s) => s.byte_len(),
            MediaInput::Memory(c) => Some(c.get_ref().len() as u64),
        }
    }

    pub fn memory(bytes: impl Into<Arc<[u8]>>) -> MediaInput {
        MediaInput::Memory(Cursor::new(bytes.into()))
    }

    /// A file on disk: walked whole where a stream would be read only as far as needed.
    pub fn is_local(&self) -> bool {
        !matches!(self, MediaInput::Stream(_))
    }

    /// A second reader over the same bytes (for the index scan and the windows).
    pub fn try_clone(&self) -> io::Result<MediaInput> {
        Ok(match self {
            MediaInput::File(f) => MediaInput::File(f.try_clone()?),
            MediaInput::Stream(s) => MediaInput::Stream(s.clone()),
            MediaInput::Memory(c) => {
                let mut copy = Cursor::new(Arc::clone(c.get_ref()));
                copy.set_position(c.position());
                MediaInput::Memory(copy)
            }
        })
    }

    /// Reads exactly `len` bytes at `offset` (fewer at the end of the file).
    pub fn read_at(&mut self, offset: u64, len: usize) -> io::Result<Vec<u8>> {
        self.seek(SeekFrom::Start(offset))?;
        let mut buf = vec![0u8; len];
        let mut filled = 0;
        while filled < len {
            let n = self.read(&mut buf[filled..])?;
            if n == 0 {
                break;
            }
            filled += n;
        }
        buf.truncate(filled);
        Ok(buf)
    }
}

impl Read for MediaInput {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            MediaInput::File(f) => f.read(buf),
            MediaInput::Stream(s) => s.read(buf),
            MediaInput::Memory(c) => c.read(buf),
        }
    }
}

impl Seek for MediaInput {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        match self {
            MediaInput::File(f) => f.seek(pos),
            MediaInput::Stream(s) => s.seek(pos),
            MediaInput::Memory(c) => c.seek(pos),
        }
    }
}

/// The file from `base` on, as a media source of its own; optionally feeding an MP3 index with
/// what it reads.
pub struct Window {
    input: MediaInput,
    base: u64,
    pos: u64,
    /// Whether the demuxer may seek (not for MP3 windows: symphonia would scan the file).
    seekable: bool,
    index: Option<Arc<Mutex<FrameIndex>>>,
}

impl Window {
    pub fn new(
        mut input: MediaInput,
        base: u64,
        seekable: bool,
        index: Option<Arc<Mutex<FrameIndex>>>,
    ) -> io::Result<Window> {
        input.seek(SeekFrom::Start(base))?;
        Ok(Window {
            input,
            base,
            pos: base,
            seekable,
            index,
        })
    }
}

impl Read for Window {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.input.read(buf)?;
        if let Some(index) = &self.index {
            if let Ok(mut index) = index.lock() {
                index.feed(self.pos, &buf[..n]);
            }
        }
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for Window {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let absolute = match pos {
            SeekFrom::Start(p) => SeekFrom::Start(self.base.saturating_add(p)),
            other => other,
        };
        let at = self.input.seek(absolute)?;
        if at < self.base {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before the window",
            ));
        }
        self.pos = at;
        Ok(at - self.base)
    }
}

impl MediaSource for Window {
    fn is_seekable(&self) -> bool {
        self.seekable
    }

    fn byte_len(&self) -> Option<u64> {
        if self.seekable {
            self.input.byte_len().map(|l| l.saturating_sub(self.base))
        } else {
            None
        }
    }
}
