//! The feeds the end-to-end tests serve.

use chaptercast_engine::testkit::meta_tech_like_feed;

/// Written into one episode's notes: each of these would set `window.__pwned` if it ran.
pub const HOSTILE_NOTES: &str = r#"<p>Hostile notes.</p><script>window.__pwned = "script"</script>
<img src="x" onerror="window.__pwned = 'onerror'"><a href="javascript:window.__pwned='link'">click</a>
<iframe src="javascript:parent.__pwned='iframe'"></iframe><form action="javascript:alert(1)"><button>go</button></form>
<svg onload="window.__pwned='svg'"><script>window.__pwned='svg-script'</script></svg>
<p style="background:url(javascript:window.__pwned='css')">styled</p>"#;

/// Pictures in the newest episode's notes: a diagram, a tracking pixel declared as one, and one
/// that only its bytes show to be a pixel (served by `app_gui` under `/art/` and `/px/`).
pub fn note_pictures(media_base: &str) -> String {
    format!(
        r#"<p>Diagram: <img src="{media_base}/art/diagram.png" alt="The release train"></p>
<img src="{media_base}/px/declared.gif" width="1" height="1"><img src="{media_base}/px/undeclared.png">"#
    )
}

/// The Meta-like fixture feed with 24 episodes; episode 24 (the newest) carries pictures and
/// hostile notes after its timestamps.
pub fn meta_feed_xml(media_base: &str) -> String {
    let mut feed = meta_tech_like_feed(media_base, 24);
    if let Some(newest) = feed.items.first_mut() {
        if let Some(notes) = newest.notes_html.as_mut() {
            notes.push_str(&note_pictures(media_base));
            notes.push_str(HOSTILE_NOTES);
        }
    }
    feed.to_xml()
}

/// A PNG of one colour, `width` × `height`.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let picture = image::RgbImage::from_pixel(width, height, image::Rgb([40, 110, 200]));
    // Encoding a plain in-memory picture cannot fail.
    let _ = image::DynamicImage::ImageRgb8(picture).write_to(&mut out, image::ImageFormat::Png);
    out.into_inner()
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
    let dir = chaptercast_engine::testkit::shared_dir()?
        .join("corpus")
        .join(folder);
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "the corpus folder is missing at {} (CI=true requires it)",
        dir.display()
    );
    eprintln!("SKIPPED: corpus folder absent at {}", dir.display());
    None
}

/// Tones of `TRANSCRIPT_TONE_S` seconds each, the audio of every episode of the transcript feed.
pub const TRANSCRIPT_TONE_S: f64 = 20.0;

/// The cue the transcript tests click: it starts 2 s before the third tone.
pub const CLICKED_CUE_MS: u64 = 38_000;
/// Said only in episode A's transcript, in the cue at [`SAID_CUE_MS`] (the fourth tone).
pub const SAID_PHRASE: &str = "zebra crossing";
pub const SAID_CUE_MS: u64 = 62_000;
/// Said only in episode B's (word-level JSON) transcript, at [`JSON_SAID_MS`].
pub const JSON_SAID_WORD: &str = "marmalade";
pub const JSON_SAID_MS: u64 = 81_000;

/// Episode A's transcript: WebVTT with voices, a cue every 2 s over 100 s.
pub fn transcript_vtt() -> String {
    let mut vtt = String::from("WEBVTT Kind: captions\n\nNOTE written for the tests\n\n");
    for i in 0..50u64 {
        let start = i * 2_000;
        let speaker = if (i / 5) % 2 == 0 { "Ada" } else { "Grace" };
        let text = match start {
            CLICKED_CUE_MS => "Listen closely as the third tone begins.".to_string(),
            SAID_CUE_MS => format!("The {SAID_PHRASE} is where the fourth tone plays."),
            _ => format!("Line {i} of the tone episode, said in plain words."),
        };
        let clock = |ms: u64| format!("{:02}:{:02}.{:03}", ms / 60_000, ms / 1000 % 60, ms % 1000);
        vtt.push_str(&format!(
            "cue-{i}\n{} --> {} align:start\n<v {speaker}>{text}</v>\n\n",
            clock(start),
            clock(start + 1_800)
        ));
    }
    vtt
}

/// Episode B's transcript: Podcast Index JSON, one word per segment.
pub fn transcript_json() -> String {
    let mut segments = Vec::new();
    let sentence = |start_s: f64, words: &str, segments: &mut Vec<serde_json::Value>| {
        for (k, word) in words.split(' ').enumerate() {
            let t = start_s + k as f64 * 0.4;
            segments.push(serde_json::json!({
                "speaker": "Linus", "startTime": t, "endTime": t + 0.35, "body": word,
            }));
        }
    };
    sentence(1.0, "Welcome to the second tone episode.", &mut segments);
    sentence(
        JSON_SAID_MS as f64 / 1000.0,
        &format!("Spread the {JSON_SAID_WORD} thinly."),
        &mut segments,
    );
    serde_json::json!({ "version": "1.0.0", "segments": segments }).to_string()
}

/// A feed of four tone episodes: A with a VTT transcript, B a JSON one (served gzipped),
/// C one that is gone (404) and D one that is garbage.
pub fn transcript_feed_xml(base: &str) -> String {
    let item = |guid: &str, title: &str, day: u32, transcript: &str, mime: &str| {
        format!(
            r#"<item><guid>{guid}</guid><title>{title}</title>
<pubDate>Mon, {day:02} Jun 2025 10:00:00 GMT</pubDate><itunes:duration>100</itunes:duration>
<enclosure url="{base}/audio/{guid}.mp3" type="audio/mpeg" length="1600000"/>
<description>Tones for the transcript tests.</description>
<podcast:transcript url="{base}{transcript}" type="{mime}" language="en"/></item>"#
        )
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:podcast="https://podcastindex.org/namespace/1.0">
<channel><title>Transcript Tones</title><link>{base}/</link><description>Fixture</description><language>en</language>
{}
{}
{}
{}
</channel></rss>"#,
        item("a", "Tones read aloud", 4, "/t/a.vtt", "text/vtt"),
        item("b", "Tones in JSON", 3, "/t/b.json", "application/json"),
        item(
            "c",
            "Tones with a lost transcript",
            2,
            "/t/c.vtt",
            "text/vtt"
        ),
        item(
            "d",
            "Tones with a broken transcript",
            1,
            "/t/d.srt",
            "application/x-subrip"
        ),
    )
}

/// The transcript feed on a fresh local server, every episode's audio the same tone MP3
/// (`freqs`, [`TRANSCRIPT_TONE_S`] each, ID3 chapters "Tone <f> Hz").
pub async fn serve_transcript_feed_with_tones(
    freqs: &[f64],
) -> anyhow::Result<(crate::server::TestServer, tempfile::TempDir)> {
    use crate::server::{Route, TestServer};
    use std::io::Write;
    let dir = tempfile::tempdir()?;
    let tones = crate::audio::tone_mp3(
        dir.path(),
        "tones",
        freqs,
        TRANSCRIPT_TONE_S,
        crate::audio::Encoding::Cbr128,
    )?;
    let server = TestServer::start().await?;
    server.route(
        "/feed.xml",
        Route::ok(
            "application/rss+xml",
            transcript_feed_xml(&server.base_url()),
        ),
    );
    for guid in ["a", "b", "c", "d"] {
        server.route(
            &format!("/audio/{guid}.mp3"),
            Route::file("audio/mpeg", tones.bytes()?),
        );
    }
    server.route("/t/a.vtt", Route::ok("text/vtt", transcript_vtt()));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(transcript_json().as_bytes())?;
    server.route(
        "/t/b.json",
        Route::ok("application/json", gz.finish()?).with_header("Content-Encoding", "gzip"),
    );
    server.route("/t/c.vtt", Route::status(404));
    let garbage: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    server.route("/t/d.srt", Route::ok("application/x-subrip", garbage));
    Ok((server, dir))
}
