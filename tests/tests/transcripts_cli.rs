//! Transcripts from the command line: `transcript` reads any format, `subscribe` fetches the
//! transcripts its feed offers before it returns, and `search` finds what was said, at its cue.

use std::process::Output;

use chaptercast_e2e::app::{ok_json, run_cli_in};
use chaptercast_e2e::fixtures::{
    serve_transcript_feed_with_tones, transcript_vtt, JSON_SAID_MS, JSON_SAID_WORD, SAID_CUE_MS,
    SAID_PHRASE,
};

/// Fails with exit code 1 and one line that names the problem.
fn one_line_error(out: &Output, says: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains(says), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn transcript_reads_files_and_urls_in_every_format() {
    let (server, _audio) = serve_transcript_feed_with_tones(&[300.0, 420.0])
        .await
        .expect("server");
    let data = tempfile::tempdir().expect("data");
    let dir = tempfile::tempdir().expect("dir");

    // A VTT file, its type sniffed.
    let vtt = dir.path().join("episode.vtt");
    std::fs::write(&vtt, transcript_vtt()).expect("write");
    let json = ok_json(
        &run_cli_in(
            data.path(),
            &["transcript", &vtt.to_string_lossy(), "--json"],
        )
        .await,
    );
    let cues = json["cues"].as_array().expect("cues");
    assert_eq!(cues.len(), 50);
    let said = cues
        .iter()
        .find(|c| c["text"].as_str().is_some_and(|t| t.contains(SAID_PHRASE)))
        .expect("the said cue");
    assert_eq!(said["start_s"], SAID_CUE_MS as f64 / 1000.0);
    assert_eq!(said["end_s"], SAID_CUE_MS as f64 / 1000.0 + 1.8);
    assert!(said["speaker"].is_string(), "{said}");

    // Word-level JSON over HTTP, gzipped: merged into sentences.
    let json = ok_json(
        &run_cli_in(
            data.path(),
            &["transcript", &server.url("/t/b.json"), "--json"],
        )
        .await,
    );
    let cues = json["cues"].as_array().expect("cues");
    assert_eq!(cues.len(), 2, "{json}");
    assert_eq!(
        cues[1]["text"],
        format!("Spread the {JSON_SAID_WORD} thinly.")
    );
    assert_eq!(cues[1]["start_s"], JSON_SAID_MS as f64 / 1000.0);
    assert_eq!(cues[1]["speaker"], "Linus");

    // SRT, HTML and plain text, the type given.
    let srt = dir.path().join("t.srt");
    std::fs::write(
        &srt,
        "1\r\n00:00:01,250 --> 00:00:02,000\r\n<i>Hello</i> there\r\n",
    )
    .expect("srt");
    let json = ok_json(
        &run_cli_in(
            data.path(),
            &[
                "transcript",
                &srt.to_string_lossy(),
                "--type",
                "srt",
                "--json",
            ],
        )
        .await,
    );
    assert_eq!(json["cues"][0]["text"], "Hello there");
    assert_eq!(json["cues"][0]["start_s"], 1.25);
    let text = dir.path().join("t.txt");
    std::fs::write(&text, "First paragraph.\n\nSecond one.\n").expect("text");
    let json = ok_json(
        &run_cli_in(
            data.path(),
            &[
                "transcript",
                &text.to_string_lossy(),
                "--type",
                "text",
                "--json",
            ],
        )
        .await,
    );
    assert_eq!(json["timed"], false);
    assert!(json["cues"][0]["start_s"].is_null());
    assert_eq!(json["cues"][1]["text"], "Second one.");

    // Errors: one line, exit 1.
    one_line_error(
        &run_cli_in(
            data.path(),
            &["transcript", &server.url("/t/d.srt"), "--json"],
        )
        .await,
        "/t/d.srt",
    );
    one_line_error(
        &run_cli_in(data.path(), &["transcript", &server.url("/t/c.vtt")]).await,
        "404",
    );
    one_line_error(
        &run_cli_in(data.path(), &["transcript", "/nonexistent/t.vtt"]).await,
        "/nonexistent/t.vtt",
    );
    one_line_error(
        &run_cli_in(
            data.path(),
            &["transcript", &vtt.to_string_lossy(), "--type", "docx"],
        )
        .await,
        "--type",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn subscribe_fetches_transcripts_and_search_finds_what_was_said() {
    let (server, _audio) = serve_transcript_feed_with_tones(&[300.0, 420.0])
        .await
        .expect("server");
    let data = tempfile::tempdir().expect("data");
    let out = run_cli_in(data.path(), &["subscribe", &server.url("/feed.xml")]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Fetched before `subscribe` returned: the server saw each offered transcript once.
    let asked: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.path.clone())
        .filter(|p| p.starts_with("/t/"))
        .collect();
    for path in ["/t/a.vtt", "/t/b.json", "/t/c.vtt", "/t/d.srt"] {
        assert_eq!(asked.iter().filter(|p| *p == path).count(), 1, "{asked:?}");
    }

    let json = ok_json(&run_cli_in(data.path(), &["search", SAID_PHRASE, "--json"]).await);
    let results = json["results"].as_array().expect("results");
    assert_eq!(results.len(), 1, "{json}");
    assert_eq!(results[0]["kind"], "transcript");
    assert_eq!(results[0]["episode_guid"], "a");
    assert_eq!(results[0]["start_s"], SAID_CUE_MS as f64 / 1000.0);
    assert!(
        results[0]["snippet"]
            .as_str()
            .is_some_and(|s| s.contains("zebra crossing")),
        "{json}"
    );

    let json = ok_json(&run_cli_in(data.path(), &["search", JSON_SAID_WORD, "--json"]).await);
    assert_eq!(json["results"][0]["kind"], "transcript");
    assert_eq!(json["results"][0]["episode_guid"], "b");
    assert_eq!(json["results"][0]["start_s"], JSON_SAID_MS as f64 / 1000.0);
    assert_eq!(json["results"][0]["speaker"], "Linus");

    // A title still comes before what was said.
    let json = ok_json(&run_cli_in(data.path(), &["search", "tones", "--json"]).await);
    let kinds: Vec<&str> = json["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["kind"].as_str())
        .collect();
    assert_eq!(kinds.first(), Some(&"title"), "{kinds:?}");
    let first_said = kinds.iter().position(|k| *k == "transcript");
    let last_title = kinds.iter().rposition(|k| *k == "title");
    assert!(first_said.is_some() && first_said > last_title, "{kinds:?}");

    // A refresh does not fetch them again (the lost and the broken one included).
    let before = server.requests().len();
    let out = run_cli_in(data.path(), &["refresh"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again: Vec<String> = server.requests()[before..]
        .iter()
        .map(|r| r.path.clone())
        .filter(|p| p.starts_with("/t/"))
        .collect();
    assert!(again.is_empty(), "fetched again: {again:?}");
}
