//! Measures a whole file's loudness (EBU R128 integrated, and true peak) by decoding it from
//! start to end: what a download gets once, in the background, so it plays at the right gain
//! from its first sample.

use super::decode::{DecodeError, Decoding};
use super::input::MediaInput;
use super::sound::{LoudnessMeter, LoudnessReport, SoundError};

/// Why a file could not be measured.
#[derive(Debug, thiserror::Error)]
pub enum MeasureError {
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error(transparent)]
    Meter(#[from] SoundError),
    #[error("the audio is silent or too short to measure")]
    Silent,
}

/// Decodes `input` to its end and measures it. A decode error partway counts as the end (a
/// truncated download still has a loudness), unless nothing was decoded at all.
pub fn measure(input: MediaInput, mime: Option<&str>) -> Result<LoudnessReport, MeasureError> {
    let mut decoding = Decoding::open(input, mime)?;
    let mut meter = LoudnessMeter::new(decoding.channels, decoding.sample_rate)?;
    let mut decoded_any = false;
    loop {
        match decoding.next_chunk() {
            Ok(Some(chunk)) => {
                meter.add(decoding.samples(chunk));
                decoded_any = true;
            }
            Ok(None) => break,
            Err(e) if !decoded_any => return Err(e.into()),
            Err(error) => {
                tracing::info!(%error, "measuring stopped at a damaged part");
                break;
            }
        }
    }
    meter.finish().ok_or(MeasureError::Silent)
}
