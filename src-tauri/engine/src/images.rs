//! Pictures from the web (show artwork, chapter images, images in show notes) as the window
//! shows them. The webview loads no image from the web itself: it asks the engine, which
//! - fetches through the one HTTP client (no cookies, no referrer, the engine's user agent),
//!   capped at [`IMAGE_BODY_LIMIT`];
//! - refuses tracking pixels (2×2 or smaller) and remembers that, so a reader's later visits
//!   are never reported again;
//! - scales the picture down to the box it is shown in (rounded up to one of [`BOXES`]), so a
//!   3000-px cover costs the window a thumbnail's memory;
//! - keeps the result on disk, so artwork shows offline and the host hears from us once.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};

use crate::net::{HttpClient, NetError};

/// The largest picture fetched. Covers are usually under 1 MB, but a 3000 px PNG (the size
/// the directories ask for) can pass 5 MB; past this it is not artwork.
pub const IMAGE_BODY_LIMIT: u64 = 10 * 1024 * 1024;
/// The box sizes pictures are scaled to fit (device pixels): a request is rounded up to the
/// next one, so the cache holds a few sizes per picture, not one per window width.
pub const BOXES: [u32; 6] = [64, 128, 256, 512, 1024, 2048];
/// Pictures this small in both directions are trackers, not pictures.
pub const TRACKING_MAX_PX: u32 = 2;
/// The cache is trimmed back to this (oldest use first).
const CACHE_MAX_BYTES: u64 = 256 * 1024 * 1024;
/// Trim the cache after this many new pictures.
const TRIM_EVERY: u32 = 64;
/// Decoding limits: a small file may claim enormous dimensions (a decompression bomb).
const MAX_SIDE_PX: u32 = 16_384;
const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;
/// Pictures decoded at once: notes with twenty large pictures must not hold twenty decodes'
/// memory at the same time.
const DECODES_AT_ONCE: usize = 2;
/// A marker beside a refused picture, so it is not fetched again.
const REFUSED_SUFFIX: &str = ".refused";

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error(transparent)]
    Net(#[from] NetError),
    #[error("{url} is a tracking pixel, not a picture")]
    TrackingPixel { url: String },
    #[error("{url} is not a picture Chaptercast can show: {reason}")]
    Unreadable { url: String, reason: String },
    #[error("the picture cache failed: {0}")]
    Cache(#[from] std::io::Error),
}

/// A picture ready for the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayImage {
    pub bytes: Vec<u8>,
    /// `image/png`, `image/jpeg`, `image/gif` or `image/webp`.
    pub mime: &'static str,
}

/// The on-disk cache of pictures scaled for the window.
#[derive(Debug)]
pub struct ImageCache {
    dir: PathBuf,
    written: AtomicU32,
    decoding: tokio::sync::Semaphore,
}

/// The box a picture asked for at `requested_px` is scaled into.
pub fn box_for(requested_px: u32) -> u32 {
    BOXES
        .iter()
        .copied()
        .find(|&b| b >= requested_px)
        .unwrap_or(BOXES[BOXES.len() - 1])
}

impl ImageCache {
    pub fn new(dir: PathBuf) -> Self {
        ImageCache {
            dir,
            written: AtomicU32::new(0),
            decoding: tokio::sync::Semaphore::new(DECODES_AT_ONCE),
        }
    }

    /// The picture at `url`, fitted into a `requested_px` box: from the cache, else fetched.
    pub async fn get(
        &self,
        http: &HttpClient,
        url: &str,
        requested_px: u32,
    ) -> Result<DisplayImage, ImageError> {
        let parsed = crate::net::parse_web_url(url)?;
        let url = parsed.as_str().to_string();
        let fit_px = box_for(requested_px);
        let path = self.dir.join(cache_name(&url, fit_px));
        if let Ok(bytes) = tokio::fs::read(&path).await {
            if let Some(mime) = mime_of(&bytes) {
                // Recently shown pictures stay when the cache is trimmed.
                if let Ok(file) = std::fs::File::options().append(true).open(&path) {
                    let _ = file.set_modified(std::time::SystemTime::now());
                }
                return Ok(DisplayImage { bytes, mime });
            }
        }
        if tokio::fs::try_exists(refused_path(&path))
            .await
            .unwrap_or(false)
        {
            return Err(ImageError::TrackingPixel { url });
        }
        let body = http.get_capped(&url, IMAGE_BODY_LIMIT).await?;
        let fitted = {
            let _turn = self
                .decoding
                .acquire()
                .await
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            let url = url.clone();
            tokio::task::spawn_blocking(move || fit(&url, &body.bytes, fit_px))
                .await
                .map_err(|e| std::io::Error::other(e.to_string()))??
        };
        let dir = self.dir.clone();
        let result = match fitted {
            Fitted::Tracking => {
                store(&dir, &refused_path(&path), b"")?;
                Err(ImageError::TrackingPixel { url })
            }
            Fitted::Picture(image) => {
                store(&dir, &path, &image.bytes)?;
                Ok(image)
            }
        };
        // The first new picture of a run trims too: a listener who sees few new pictures per
        // run would otherwise never reach the count.
        if self
            .written
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(TRIM_EVERY)
        {
            tokio::task::spawn_blocking(move || trim(&dir, CACHE_MAX_BYTES));
        }
        result
    }
}

/// What a fetched picture becomes.
#[derive(Debug)]
pub enum Fitted {
    Picture(DisplayImage),
    /// 2×2 or smaller: refused.
    Tracking,
}

/// Decodes `bytes` (fetched from `url`, named in errors) and scales the picture into a
/// `fit_px` box. A picture that already fits is passed on as it came (an animated GIF keeps
/// its animation). Public for the fuzz harness.
pub fn fit(url: &str, bytes: &[u8], fit_px: u32) -> Result<Fitted, ImageError> {
    let unreadable = |reason: String| ImageError::Unreadable {
        url: url.to_string(),
        reason,
    };
    let format = image::guess_format(bytes).map_err(|e| unreadable(e.to_string()))?;
    let mime = web_mime(format)
        .ok_or_else(|| unreadable(format!("{format:?} is not a web picture format")))?;
    let reader = || {
        let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
        let mut limits = Limits::default();
        limits.max_image_width = Some(MAX_SIDE_PX);
        limits.max_image_height = Some(MAX_SIDE_PX);
        limits.max_alloc = Some(MAX_DECODE_BYTES);
        reader.limits(limits);
        reader
    };
    let (width, height) = reader()
        .into_dimensions()
        .map_err(|e| unreadable(e.to_string()))?;
    if width <= TRACKING_MAX_PX && height <= TRACKING_MAX_PX {
        return Ok(Fitted::Tracking);
    }
    if width <= fit_px && height <= fit_px {
        return Ok(Fitted::Picture(DisplayImage {
            bytes: bytes.to_vec(),
            mime,
        }));
    }
    let decoded = reader().decode().map_err(|e| unreadable(e.to_string()))?;
    let scaled = decoded.thumbnail(fit_px, fit_px);
    encode(&scaled)
        .map(Fitted::Picture)
        .map_err(|e| unreadable(e.to_string()))
}

/// PNG where the picture has transparency, JPEG otherwise (covers are photographs).
fn encode(picture: &DynamicImage) -> Result<DisplayImage, image::ImageError> {
    let mut out = Cursor::new(Vec::new());
    let mime = if picture.color().has_alpha() {
        picture.write_to(&mut out, ImageFormat::Png)?;
        "image/png"
    } else {
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
        picture.to_rgb8().write_with_encoder(encoder)?;
        "image/jpeg"
    };
    Ok(DisplayImage {
        bytes: out.into_inner(),
        mime,
    })
}

/// A picture's width and height from its header, when it is one the engine reads.
pub fn dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let format = image::guess_format(bytes).ok()?;
    web_mime(format)?;
    ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .ok()
}

fn mime_of(bytes: &[u8]) -> Option<&'static str> {
    web_mime(image::guess_format(bytes).ok()?)
}

/// The formats the window is given, and their MIME types: the one list.
fn web_mime(format: ImageFormat) -> Option<&'static str> {
    match format {
        ImageFormat::Png => Some("image/png"),
        ImageFormat::Jpeg => Some("image/jpeg"),
        ImageFormat::Gif => Some("image/gif"),
        ImageFormat::WebP => Some("image/webp"),
        _ => None,
    }
}

/// The cache file of `url` in a `fit_px` box: a hash, so no URL can name a path.
fn cache_name(url: &str, fit_px: u32) -> String {
    let digest = Sha256::digest(url.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("{hex}-{fit_px}")
}

fn refused_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(REFUSED_SUFFIX);
    PathBuf::from(name)
}

/// Writes whole or not at all (a crash never leaves half a picture to be served).
fn store(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut temp = tempfile_in(dir)?;
    std::io::Write::write_all(&mut temp.1, bytes)?;
    drop(temp.1);
    std::fs::rename(&temp.0, path)
}

fn tempfile_in(dir: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        ".tmp-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let path = dir.join(name);
    let file = std::fs::File::options()
        .write(true)
        .create_new(true)
        .open(&path)?;
    Ok((path, file))
}

/// Removes the least recently used pictures until the cache holds at most `max_bytes`. The
/// markers of refused pictures stay (they take no room, and without them a tracking pixel
/// would be fetched again).
fn trim(dir: &Path, max_bytes: u64) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(std::time::SystemTime, u64, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            let refused = e.file_name().to_string_lossy().ends_with(REFUSED_SUFFIX);
            if !meta.is_file() || refused {
                return None;
            }
            Some((meta.modified().ok()?, meta.len(), e.path()))
        })
        .collect();
    let mut total: u64 = files.iter().map(|f| f.1).sum();
    files.sort();
    for (_, len, path) in files {
        if total <= max_bytes {
            break;
        }
        if std::fs::remove_file(&path).is_ok() {
            total = total.saturating_sub(len);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let picture = DynamicImage::new_rgb8(width, height);
        let mut out = Cursor::new(Vec::new());
        picture
            .write_to(&mut out, ImageFormat::Png)
            .expect("encode");
        out.into_inner()
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn requests_round_up_to_a_few_boxes() {
        assert_eq!(box_for(1), 64);
        assert_eq!(box_for(64), 64);
        assert_eq!(box_for(65), 128);
        assert_eq!(box_for(400), 512);
        assert_eq!(box_for(99_999), 2048);
    }

    #[test]
    fn big_pictures_are_scaled_into_the_box_keeping_their_shape() {
        let Ok(Fitted::Picture(out)) = fit("u", &png(800, 600), 128) else {
            panic!("not fitted");
        };
        assert_eq!(out.mime, "image/jpeg");
        let back = image::load_from_memory(&out.bytes).expect("decodes");
        assert_eq!((back.width(), back.height()), (128, 96));
    }

    #[test]
    fn pictures_that_fit_pass_as_they_came() {
        let small = png(40, 30);
        let Ok(Fitted::Picture(out)) = fit("u", &small, 64) else {
            panic!("not fitted");
        };
        assert_eq!((out.bytes, out.mime), (small, "image/png"));
    }

    #[test]
    fn tracking_pixels_and_non_pictures_are_refused() {
        assert!(matches!(fit("u", &png(1, 1), 64), Ok(Fitted::Tracking)));
        assert!(matches!(fit("u", &png(2, 2), 64), Ok(Fitted::Tracking)));
        assert!(matches!(fit("u", &png(3, 1), 64), Ok(Fitted::Picture(_))));
        assert!(matches!(
            fit("u", b"<svg xmlns='http://www.w3.org/2000/svg'/>", 64),
            Err(ImageError::Unreadable { .. })
        ));
        assert!(matches!(
            fit("u", b"\x89PNG\r\n\x1a\n garbage", 64),
            Err(ImageError::Unreadable { .. })
        ));
    }

    #[test]
    fn a_small_file_claiming_huge_dimensions_is_refused_before_its_pixels_are_allocated() {
        // A valid PNG whose IHDR claims 100000 × 100000 pixels (the chunk's CRC fixed up, so
        // only the limits can refuse it).
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let crc = crc32(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(
            ImageReader::with_format(Cursor::new(&bomb), ImageFormat::Png)
                .into_dimensions()
                .expect("a readable header"),
            (100_000, 100_000)
        );
        assert!(matches!(
            fit("u", &bomb, 64),
            Err(ImageError::Unreadable { .. })
        ));
    }

    #[test]
    fn the_cache_keeps_the_most_recently_used_within_its_size() {
        let dir = tempfile::tempdir().expect("dir");
        for (i, age) in [(0, 30), (1, 20), (2, 10)] {
            let path = dir.path().join(format!("f{i}"));
            std::fs::write(&path, vec![0u8; 100]).expect("write");
            let when = std::time::SystemTime::now() - std::time::Duration::from_secs(age);
            std::fs::File::options()
                .append(true)
                .open(&path)
                .and_then(|f| f.set_modified(when))
                .expect("mtime");
        }
        let marker = dir.path().join(format!("old{REFUSED_SUFFIX}"));
        std::fs::write(&marker, b"").expect("marker");
        let long_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3_600);
        std::fs::File::options()
            .append(true)
            .open(&marker)
            .and_then(|f| f.set_modified(long_ago))
            .expect("mtime");
        trim(dir.path(), 200);
        assert!(!dir.path().join("f0").exists());
        assert!(dir.path().join("f1").exists() && dir.path().join("f2").exists());
        assert!(marker.exists(), "a refused picture stays refused");
    }
}
