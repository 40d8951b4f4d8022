//! The feeds the end-to-end tests serve.

use chaptercast_engine::testkit::meta_tech_like_feed;

/// Written into one episode's notes: each of these would set `window.__pwned` if it ran.
pub const HOSTILE_NOTES: &str = r#"<p>Hostile notes.</p><script>window.__pwned = "script"</script>
<img src="x" onerror="window.__pwned = 'onerror'"><a href="javascript:window.__pwned='link'">click</a>
<iframe src="javascript:parent.__pwned='iframe'"></iframe><form action="javascript:alert(1)"><button>go</button></form>
<svg onload="window.__pwned='svg'"><script>window.__pwned='svg-script'</script></svg>
<p style="background:url(javascript:window.__pwned='css')">styled</p>"#;

/// The Meta-like fixture feed with 24 episodes; episode 24 (the newest) carries hostile notes
/// after its timestamps.
pub fn meta_feed_xml(media_base: &str) -> String {
    let mut feed = meta_tech_like_feed(media_base, 24);
    if let Some(newest) = feed.items.first_mut() {
        if let Some(notes) = newest.notes_html.as_mut() {
            notes.push_str(HOSTILE_NOTES);
        }
    }
    feed.to_xml()
}

/// Episode titles newest first, as the fixture writes them.
pub fn meta_titles_newest_first() -> Vec<String> {
    let feed = meta_tech_like_feed("http://unused", 24);
    feed.items
        .iter()
        .map(|i| i.title_xml.replace("&amp;", "&"))
        .collect()
}

/// An MP3-like file: an ID3v2.3 tag with one CHAP frame per `(start_ms, end_ms, title)`, then
/// `padding` zero bytes inside the tag (large tags are common: chapter images, cover art),
/// then `audio_len` bytes of MPEG frame headers and silence.
pub fn mp3_with_id3_chapters(
    chapters: &[(u32, u32, &str)],
    padding: usize,
    audio_len: usize,
) -> Vec<u8> {
    fn frame(id: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = id.to_vec();
        out.extend_from_slice(&(body.len() as u32).to_be_bytes()); // v2.3: plain size
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(body);
        out
    }
    let mut frames = Vec::new();
    for (i, (start, end, title)) in chapters.iter().enumerate() {
        let mut body = format!("ch{i}\0").into_bytes();
        body.extend_from_slice(&start.to_be_bytes());
        body.extend_from_slice(&end.to_be_bytes());
        body.extend_from_slice(&[0xFF; 8]); // no byte offsets
        let mut text = vec![3u8]; // UTF-8
        text.extend_from_slice(title.as_bytes());
        body.extend_from_slice(&frame(b"TIT2", &text));
        frames.extend_from_slice(&frame(b"CHAP", &body));
    }
    frames.resize(frames.len() + padding, 0);
    let size = frames.len() as u32;
    let synchsafe = [
        (size >> 21) as u8 & 0x7F,
        (size >> 14) as u8 & 0x7F,
        (size >> 7) as u8 & 0x7F,
        size as u8 & 0x7F,
    ];
    let mut file = b"ID3\x03\x00\x00".to_vec();
    file.extend_from_slice(&synchsafe);
    file.extend_from_slice(&frames);
    // MPEG-1 Layer III, 128 kbit/s, 44.1 kHz frames (417 bytes) of silence.
    let frame_len = 417;
    let mut audio = Vec::with_capacity(audio_len);
    while audio.len() < audio_len {
        let mut f = vec![0u8; frame_len];
        f[..4].copy_from_slice(&[0xFF, 0xFB, 0x90, 0x64]);
        audio.extend_from_slice(&f);
    }
    audio.truncate(audio_len);
    file.extend_from_slice(&audio);
    file
}

/// The Meta-like feed on a fresh local server, its newest episode's audio (`/audio/ep24.mp3`) a
/// CBR MP3 of 20 s tones at `freqs` with ID3 chapters "Tone <f> Hz". The folder holds the MP3.
pub async fn serve_meta_feed_with_tones(
    freqs: &[f64],
) -> anyhow::Result<(crate::server::TestServer, tempfile::TempDir)> {
    use crate::server::{Route, TestServer};
    let dir = tempfile::tempdir()?;
    let tones = crate::audio::tone_mp3(
        dir.path(),
        "ep24",
        freqs,
        20.0,
        crate::audio::Encoding::Cbr128,
    )?;
    let server = TestServer::start().await?;
    server.route(
        "/feed.xml",
        Route::ok("application/rss+xml", meta_feed_xml(&server.base_url())),
    );
    server.route("/audio/ep24.mp3", Route::file("audio/mpeg", tones.bytes()?));
    Ok((server, dir))
}

/// `../shared/corpus/<folder>` when the shared data is there (`CHAPTERCAST_SHARED_DIR`
/// overrides where); under `CI=true` its absence is a failure, elsewhere a skip that says so.
pub fn corpus_folder(folder: &str) -> Option<std::path::PathBuf> {
    let shared = std::env::var_os("CHAPTERCAST_SHARED_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"));
    let dir = shared.join("corpus").join(folder);
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "the corpus is missing at {} (CI=true requires it)",
        dir.display()
    );
    eprintln!("SKIPPED: corpus absent at {}", dir.display());
    None
}
