//! `chaptercast queue …` on a library of its own: Up Next through the command line, and
//! `queue play` heard through the null sink, going from one episode to the next by itself.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Instant;

use chaptercast_e2e::app::{cli_binary, succeeded as ok};
use chaptercast_e2e::audio::{audio_env_ready, audio_lock, tone_mp3, Capture, Encoding};
use chaptercast_e2e::server::{Route, TestServer};
use chaptercast_engine::testkit::{FeedBuilder, ItemBuilder};

/// The two episodes' tones: the first is all 500 Hz, the second all 900 Hz.
const FIRST_HZ: f64 = 500.0;
const SECOND_HZ: f64 = 900.0;

fn run(data: &Path, args: &[&str]) -> Output {
    Command::new(cli_binary().expect("cli binary"))
        .args(args)
        .env("CHAPTERCAST_DATA_DIR", data)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("run chaptercast")
}

/// A feed of three short tone episodes (g1 500 Hz 3 s, g2 900 Hz 3 s, g3 unused).
async fn serve_show(dir: &Path) -> TestServer {
    let first = tone_mp3(dir, "first", &[FIRST_HZ], 3.0, Encoding::Cbr128).expect("first");
    let second = tone_mp3(dir, "second", &[SECOND_HZ], 3.0, Encoding::Cbr128).expect("second");
    let server = TestServer::start().await.expect("server");
    server.route(
        "/1.mp3",
        Route::file("audio/mpeg", first.bytes().expect("bytes")),
    );
    server.route(
        "/2.mp3",
        Route::file("audio/mpeg", second.bytes().expect("bytes")),
    );
    server.route(
        "/3.mp3",
        Route::file("audio/mpeg", first.bytes().expect("bytes")),
    );
    let feed = FeedBuilder::new("Tone Show")
        .item(ItemBuilder::audio("Third", "g3", &server.url("/3.mp3")))
        .item(ItemBuilder::audio("Second", "g2", &server.url("/2.mp3")))
        .item(ItemBuilder::audio("First", "g1", &server.url("/1.mp3")));
    server.route("/feed.xml", Route::ok("application/rss+xml", feed.to_xml()));
    server
}

fn queue_guids(data: &Path) -> Vec<String> {
    let out = run(data, &["queue", "list", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&ok(&out)).expect("json");
    json["queue"]
        .as_array()
        .expect("queue array")
        .iter()
        .map(|i| {
            assert_eq!(i["show"], "Tone Show", "{i}");
            assert!(i["title"].is_string(), "{i}");
            i["guid"].as_str().unwrap_or_default().to_string()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn queue_add_list_move_remove_and_clear_keep_the_order() {
    let media = tempfile::tempdir().expect("dir");
    let data = tempfile::tempdir().expect("dir");
    let server = serve_show(media.path()).await;
    let data_dir = data.path().to_path_buf();
    let url = server.url("/feed.xml");
    tokio::task::spawn_blocking(move || {
        let d = data_dir.as_path();
        ok(&run(d, &["subscribe", &url]));
        ok(&run(d, &["queue", "add", "g1", "g2"]));
        ok(&run(d, &["queue", "add", "g3", "--next"]));
        assert_eq!(
            queue_guids(d),
            ["g3", "g1", "g2"],
            "--next with nothing playing: first"
        );
        ok(&run(d, &["queue", "move", "g3", "3"]));
        assert_eq!(queue_guids(d), ["g1", "g2", "g3"]);
        ok(&run(d, &["queue", "add", "g1"]));
        assert_eq!(
            queue_guids(d),
            ["g2", "g3", "g1"],
            "added again: moved, not doubled"
        );
        ok(&run(d, &["queue", "remove", "g3"]));
        assert_eq!(queue_guids(d), ["g2", "g1"]);
        let unknown = run(d, &["queue", "add", "nope"]);
        assert_eq!(unknown.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&unknown.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(stderr.contains("nope"), "{stderr}");
        assert_eq!(queue_guids(d), ["g2", "g1"], "a failed add changes nothing");
        ok(&run(d, &["queue", "clear"]));
        assert!(queue_guids(d).is_empty());
        let empty = run(d, &["queue", "play"]);
        assert_eq!(empty.status.code(), Some(1));
    })
    .await
    .expect("join");
}

#[tokio::test(flavor = "multi_thread")]
async fn queue_play_goes_on_to_the_next_within_half_a_second_and_marks_both_played() {
    if !audio_env_ready("queue play") {
        return;
    }
    let _audio = audio_lock().await;
    let media = tempfile::tempdir().expect("dir");
    let data = tempfile::tempdir().expect("dir");
    let server = serve_show(media.path()).await;
    let data_dir = data.path().to_path_buf();
    let url = server.url("/feed.xml");
    let (stdout, recording, launched) = tokio::task::spawn_blocking(move || {
        let d = data_dir.as_path();
        ok(&run(d, &["subscribe", &url]));
        ok(&run(d, &["queue", "add", "g1", "g2"]));
        let capture = Capture::start().expect("parec");
        let launched = Instant::now();
        let out = run(d, &["queue", "play"]);
        std::thread::sleep(std::time::Duration::from_millis(300));
        let recording = capture.stop().since(launched);
        let stdout = ok(&out);
        // Both left Up Next and are played.
        assert!(
            queue_guids(d).is_empty(),
            "Up Next is empty after playing it"
        );
        let list: serde_json::Value =
            serde_json::from_str(&ok(&run(d, &["list", "--json"]))).expect("json");
        let played: Vec<(String, bool)> = list["shows"][0]["episodes"]
            .as_array()
            .expect("episodes")
            .iter()
            .map(|e| {
                (
                    e["guid"].as_str().unwrap_or_default().to_string(),
                    e["is_played"].as_bool().unwrap_or(false),
                )
            })
            .collect();
        assert!(played.contains(&("g1".into(), true)), "{played:?}");
        assert!(played.contains(&("g2".into(), true)), "{played:?}");
        assert!(played.contains(&("g3".into(), false)), "{played:?}");
        (stdout, recording, launched)
    })
    .await
    .expect("join");
    assert!(stdout.contains("playing g1 First"), "{stdout}");
    assert!(stdout.contains("playing g2 Second"), "{stdout}");
    assert!(stdout.contains("end of Up Next"), "{stdout}");
    let windows = recording.windows(20, &[FIRST_HZ, SECOND_HZ]);
    let last_first = windows
        .iter()
        .rposition(|w| w.tone == Some(FIRST_HZ))
        .expect("the first episode heard");
    let first_second = windows
        .iter()
        .position(|w| w.tone == Some(SECOND_HZ))
        .expect("the second episode heard");
    let heard_first = windows.iter().filter(|w| w.tone == Some(FIRST_HZ)).count();
    let heard_second = windows.iter().filter(|w| w.tone == Some(SECOND_HZ)).count();
    assert!(
        heard_first * 20 >= 2_500,
        "only {heard_first} windows of the first"
    );
    assert!(
        heard_second * 20 >= 2_500,
        "only {heard_second} windows of the second"
    );
    let gap = windows[first_second].at_s - windows[last_first].at_s;
    eprintln!(
        "queue advance: the second episode was heard {gap:.3} s after the first's last sound"
    );
    assert!(
        first_second > last_first && gap <= 0.5 + 0.02,
        "the second started {gap:.3} s after the first ended (launched {:?} ago)",
        launched.elapsed()
    );
}
