//! Where a download goes: `<folder>/<show>/<episode>-<id>.<ext>`, from names a feed controls,
//! made safe for every file system (no separators or `..`, no reserved characters or device
//! names, bounded length) and unique per episode.

use std::path::{Path, PathBuf};

/// Longest name part kept (bytes), leaving room for the id and extension.
const MAX_STEM: usize = 80;

/// The file for episode `episode_id` of `show_title`.
pub fn download_path(
    folder: &Path,
    show_title: &str,
    episode_title: &str,
    episode_id: i64,
    mime: Option<&str>,
    url: &str,
) -> PathBuf {
    let show = safe_component(show_title, "podcast");
    let episode = safe_component(episode_title, "episode");
    let ext = extension(mime, url);
    folder
        .join(show)
        .join(format!("{episode}-{episode_id}.{ext}"))
}

/// One path component: letters, digits and a few separators kept, everything else a dash.
pub fn safe_component(text: &str, fallback: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_STEM));
    let mut dash = false;
    for c in text.chars() {
        let keep = c.is_alphanumeric()
            || matches!(c, ' ' | '_' | '-' | '.' | '(' | ')' | '&' | ',' | '\'');
        let c = if keep && !c.is_control() { c } else { '-' };
        if c == '-' || c == ' ' {
            if dash || out.is_empty() {
                continue;
            }
            dash = true;
            out.push(if c == ' ' { ' ' } else { '-' });
        } else {
            dash = false;
            out.push(c);
        }
        if out.len() >= MAX_STEM {
            break;
        }
    }
    // No leading/trailing dots or spaces (hidden files, Windows trims them), no "..".
    let trimmed = out.trim_matches(|c: char| c == '.' || c == ' ' || c == '-');
    let mut name = trimmed.replace("..", ".");
    if name.is_empty() {
        name = fallback.to_string();
    }
    if is_reserved(&name) {
        name.insert(0, '_');
    }
    name
}

/// Windows device names, which cannot be files anywhere on that system.
fn is_reserved(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or("").to_ascii_uppercase();
    matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (stem.len() == 4
            && (stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.as_bytes()[3].is_ascii_digit())
}

/// The extension from the MIME type, else from the URL's path, else "audio".
pub fn extension(mime: Option<&str>, url: &str) -> String {
    let from_mime = mime.map(|m| m.trim().to_ascii_lowercase()).and_then(|m| {
        Some(match m.split(';').next().unwrap_or("").trim() {
            "audio/mpeg" | "audio/mp3" | "audio/mpeg3" => "mp3",
            "audio/mp4" | "audio/x-m4a" | "audio/m4a" | "audio/aac" => "m4a",
            "audio/ogg" | "application/ogg" => "ogg",
            "audio/opus" => "opus",
            "audio/flac" | "audio/x-flac" => "flac",
            "audio/wav" | "audio/x-wav" => "wav",
            "video/mp4" => "mp4",
            _ => return None,
        })
    });
    if let Some(ext) = from_mime {
        return ext.to_string();
    }
    let path = url::Url::parse(url)
        .map(|u| u.path().to_string())
        .unwrap_or_default();
    path.rsplit('/')
        .next()
        .and_then(|last| last.rsplit_once('.'))
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .filter(|ext| {
            (1..=5).contains(&ext.len()) && ext.chars().all(|c| c.is_ascii_alphanumeric())
        })
        .unwrap_or_else(|| "audio".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_titles_cannot_leave_the_folder() {
        let folder = Path::new("/data/downloads");
        for title in [
            "../../etc/passwd",
            "..",
            "/abs/path",
            "a/../../b",
            "C:\\Windows\\x",
            "\0x",
        ] {
            let path = download_path(
                folder,
                title,
                title,
                7,
                Some("audio/mpeg"),
                "https://x.test/a.mp3",
            );
            assert!(path.starts_with(folder), "{title}: {}", path.display());
            let rel = path.strip_prefix(folder).unwrap();
            assert_eq!(rel.components().count(), 2, "{title}: {}", path.display());
            assert!(!path.to_string_lossy().contains(".."), "{}", path.display());
        }
    }

    #[test]
    fn names_are_readable_bounded_and_unique() {
        let folder = Path::new("/d");
        let a = download_path(
            folder,
            "Meta Tech Podcast",
            "72: Multimodal AI for Ray-Ban Meta glasses",
            72,
            Some("audio/mpeg"),
            "",
        );
        assert_eq!(
            a,
            Path::new("/d/Meta Tech Podcast/72-Multimodal AI for Ray-Ban Meta glasses-72.mp3")
        );
        let long = "x".repeat(500);
        let b = download_path(folder, &long, &long, 1, None, "https://x.test/e.m4a?t=1");
        assert!(b.file_name().unwrap().len() < 100);
        assert_eq!(b.extension().unwrap(), "m4a");
        let c = download_path(folder, "S", "Same title", 1, None, "");
        let d = download_path(folder, "S", "Same title", 2, None, "");
        assert_ne!(c, d);
    }

    #[test]
    fn reserved_and_empty_names_are_replaced() {
        assert_eq!(safe_component("CON", "x"), "_CON");
        assert_eq!(safe_component("com1.txt", "x"), "_com1.txt");
        assert_eq!(safe_component("???", "episode"), "episode");
        assert_eq!(safe_component("  ..hidden ", "x"), "hidden");
    }

    #[test]
    fn extensions_come_from_mime_then_url() {
        assert_eq!(extension(Some("audio/mpeg; charset=x"), ""), "mp3");
        assert_eq!(
            extension(Some("application/octet-stream"), "https://a.test/b/c.OGG"),
            "ogg"
        );
        assert_eq!(extension(None, "https://a.test/track?id=1"), "audio");
        assert_eq!(
            extension(None, "https://a.test/b.mp3/../evil.sh%00"),
            "audio"
        );
    }
}
