//! Chapters embedded in a streamed file are read with a couple of Range requests, never by
//! downloading the file.

use chaptercast_e2e::fixtures::mp3_with_id3_chapters;
use chaptercast_e2e::server::{Route, TestServer};
use chaptercast_engine::chapter_fetch::{read_embedded_chapters, AudioSource};
use chaptercast_engine::net::HttpClient;
use chaptercast_engine::{ChapterSource, Config};

const CHAPTERS: [(u32, u32, &str); 3] = [
    (0, 60_000, "Intro"),
    (60_000, 600_000, "PyTorch 2.0"),
    (600_000, 1_200_000, "Outro"),
];

fn client() -> HttpClient {
    HttpClient::new(&Config::new(std::env::temp_dir())).expect("client")
}

#[tokio::test]
async fn small_tag_takes_one_request_and_little_data() {
    let server = TestServer::start().await.expect("server");
    let file = mp3_with_id3_chapters(&CHAPTERS, 2_000, 20 * 1024 * 1024);
    server.route("/ep.mp3", Route::file("audio/mpeg", file.clone()));
    let http = client();
    let url = server.url("/ep.mp3");
    let chapters = read_embedded_chapters(AudioSource::Http {
        client: &http,
        url: &url,
    })
    .await
    .expect("chapters");
    let titles: Vec<_> = chapters
        .iter()
        .map(|c| (c.start_ms, c.title.as_str(), c.source))
        .collect();
    assert_eq!(
        titles,
        vec![
            (0, "Intro", ChapterSource::Id3),
            (60_000, "PyTorch 2.0", ChapterSource::Id3),
            (600_000, "Outro", ChapterSource::Id3)
        ]
    );
    let requests = server.requests();
    let bytes: u64 = requests.iter().map(|r| r.body_bytes).sum();
    println!(
        "small tag: {} request(s), {bytes} bytes of a {} byte file",
        requests.len(),
        file.len()
    );
    assert_eq!(requests.len(), 1);
    assert!(requests
        .iter()
        .all(|r| r.status == 206 && r.headers.contains_key("range")));
    assert!(bytes < 256 * 1024, "read {bytes} bytes");
}

#[tokio::test]
async fn large_tag_takes_two_requests_and_only_the_tag() {
    let server = TestServer::start().await.expect("server");
    let tag_padding = 600 * 1024; // e.g. embedded artwork
    let file = mp3_with_id3_chapters(&CHAPTERS, tag_padding, 20 * 1024 * 1024);
    server.route("/big.mp3", Route::file("audio/mpeg", file.clone()));
    let http = client();
    let url = server.url("/big.mp3");
    let chapters = read_embedded_chapters(AudioSource::Http {
        client: &http,
        url: &url,
    })
    .await
    .expect("chapters");
    assert_eq!(chapters.len(), 3);
    let requests = server.requests();
    let bytes: u64 = requests.iter().map(|r| r.body_bytes).sum();
    println!(
        "large tag: {} request(s), {bytes} bytes of a {} byte file",
        requests.len(),
        file.len()
    );
    assert_eq!(requests.len(), 2);
    assert!(
        bytes <= tag_padding as u64 + 8 * 1024,
        "read {bytes} bytes, more than the tag"
    );
}

#[tokio::test]
async fn a_server_without_range_support_still_gives_the_head_and_nothing_wrong() {
    let server = TestServer::start().await.expect("server");
    let file = mp3_with_id3_chapters(&CHAPTERS, 0, 2 * 1024 * 1024);
    server.route("/norange.mp3", Route::ok("audio/mpeg", file));
    let http = client();
    let url = server.url("/norange.mp3");
    let chapters = read_embedded_chapters(AudioSource::Http {
        client: &http,
        url: &url,
    })
    .await
    .expect("chapters");
    assert_eq!(chapters.len(), 3);

    // A large tag needs a second, offset request: a server that answers it with the whole
    // file from byte 0 must be refused, not misread.
    let big = mp3_with_id3_chapters(&CHAPTERS, 600 * 1024, 2 * 1024 * 1024);
    server.route("/norange-big.mp3", Route::ok("audio/mpeg", big));
    let url = server.url("/norange-big.mp3");
    let result = read_embedded_chapters(AudioSource::Http {
        client: &http,
        url: &url,
    })
    .await;
    assert!(result.is_err(), "{result:?}");
}

/// The corpus's real files with chapters (MP3, M4A, M4B, Ogg), each served with Range support:
/// prints requests and bytes per file for BENCHMARKS.md and checks the chapter counts against
/// ffprobe's reading in the corpus README. Runs whenever the corpus exists (always under CI).
#[tokio::test]
async fn real_files_with_chapters_read_over_ranges() {
    let shared = std::env::var_os("CHAPTERCAST_SHARED_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"));
    let audio = shared.join("corpus/audio");
    if !audio.is_dir() {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "corpus missing under CI"
        );
        eprintln!("SKIPPED: corpus absent at {}", audio.display());
        return;
    }
    let cases = [
        ("antennapod/auphonic.mp3", 4),
        ("antennapod/auphonic.m4a", 4),
        ("antennapod/auphonic.ogg", 4),
        ("antennapod/auphonic.opus", 4),
        ("antennapod/hindenburg-journalist-pro.mp3", 2),
        ("antennapod/hindenburg-journalist-pro.m4a", 2),
        ("antennapod/mp3chaps-py.mp3", 4),
        ("antennapod/nero-chapters.m4a", 4),
        ("mutagen/ep7.m4b", 1),
        ("mutagen/nero-chapters.m4b", 112),
    ];
    let http = client();
    println!("| file | size | chapters | requests | bytes read |");
    println!("|---|---|---|---|---|");
    for (name, expected) in cases {
        let server = TestServer::start().await.expect("server");
        let bytes = std::fs::read(audio.join(name)).expect("corpus file");
        server.route("/f", Route::file("application/octet-stream", bytes.clone()));
        let url = server.url("/f");
        let chapters = read_embedded_chapters(AudioSource::Http {
            client: &http,
            url: &url,
        })
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let requests = server.requests();
        let read: u64 = requests.iter().map(|r| r.body_bytes).sum();
        println!(
            "| {name} | {} | {} | {} | {read} |",
            bytes.len(),
            chapters.len(),
            requests.len()
        );
        assert_eq!(chapters.len(), expected, "{name}");
        assert!(requests.len() <= 3, "{name}: {} requests", requests.len());
    }
}
