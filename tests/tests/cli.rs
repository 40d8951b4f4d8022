//! The command line, `chaptercast`: the real binary, with no display, against the local server;
//! and what it links (the engine only, no window system).

use std::process::{Command, Output};
use std::time::Duration;

use chaptercast_e2e::app::{app_binary, cli_binary, ok_json, run_cli_in};
use chaptercast_e2e::fixtures::{meta_feed_xml, meta_titles_newest_first};
use chaptercast_e2e::server::{Route, TestServer};

async fn run_cli(args: &[&str]) -> Output {
    let binary = cli_binary().expect("cli binary");
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        Command::new(binary)
            .args(&args)
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env("CHAPTERCAST_HTTP_TIMEOUT_S", "0.5")
            .output()
            .expect("run chaptercast")
    })
    .await
    .expect("join")
}

#[tokio::test(flavor = "multi_thread")]
async fn feed_json_prints_the_parsed_feed() {
    let server = TestServer::start().await.expect("server");
    server.route(
        "/feed.xml",
        Route::ok("application/rss+xml", meta_feed_xml(&server.base_url())),
    );
    let out = run_cli(&["feed", &server.url("/feed.xml"), "--json"]).await;
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["title"], "Meta Tech Podcast");
    let titles: Vec<String> = json["episodes"]
        .as_array()
        .expect("episodes")
        .iter()
        .map(|e| e["title"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(titles, meta_titles_newest_first());
    let newest = &json["episodes"][0];
    assert_eq!(newest["guid"], "mtp-24");
    assert_eq!(newest["enclosure"]["url"], server.url("/audio/ep24.mp3"));
    assert!(newest["chapters_url"].is_null());
    let notes = newest["description_html"].as_str().unwrap_or_default();
    assert!(
        notes.contains("Timestamps") && !notes.contains("<script") && !notes.contains("onerror"),
        "{notes}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn feed_json_reads_a_file() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("feed.xml");
    std::fs::write(&path, meta_feed_xml("http://h")).expect("write");
    let out = run_cli(&["feed", path.to_str().unwrap_or_default(), "--json"]).await;
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["episodes"].as_array().map(Vec::len), Some(24));
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_feeds_exit_1_with_one_clear_line() {
    let server = TestServer::start().await.expect("server");
    server.route("/500", Route::status(500));
    server.route(
        "/html",
        Route::ok("text/html", "<!doctype html><html><body>x</body></html>"),
    );
    server.route(
        "/invalid",
        Route::ok("application/xml", "<rss><channel><item><title>x"),
    );
    server.route(
        "/slow",
        Route::ok("application/xml", "x").with_delay(Duration::from_secs(3)),
    );
    server.route(
        "/huge",
        Route::ok("application/xml", vec![b' '; 51 * 1024 * 1024]),
    );
    let cases = [
        (server.url("/missing"), "No feed at"),
        (server.url("/500"), "HTTP 500"),
        (server.url("/html"), "HTML page"),
        (server.url("/invalid"), "broken"),
        (server.url("/slow"), "did not answer in time"),
        (server.url("/huge"), "larger than 50 MB"),
        (
            "file:///etc/passwd".to_string(),
            "Only http:// and https://",
        ),
        (
            "ftp://example.com/feed.xml".to_string(),
            "Only http:// and https://",
        ),
        ("/no/such/file.xml".to_string(), "cannot read"),
    ];
    for (source, expected) in cases {
        let out = run_cli(&["feed", &source, "--json"]).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{source}: {stderr}");
        assert!(out.stdout.is_empty(), "{source}: printed to stdout");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{source}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{source}: expected {expected:?} in {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{source}: {stderr}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn gui_without_a_display_says_so() {
    let out = run_cli(&[]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no display"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// The desktop app itself refuses to start without a display, as plainly.
#[tokio::test(flavor = "multi_thread")]
async fn app_without_a_display_says_so() {
    let binary = app_binary().expect("app binary");
    let out = tokio::task::spawn_blocking(move || {
        Command::new(binary)
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .output()
            .expect("run chaptercast-app")
    })
    .await
    .expect("join");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no display"), "{stderr}");
}

/// The command line links the engine only: no GTK, WebKit or libsoup (the app's), so that it
/// starts in milliseconds and installs without a desktop.
#[test]
fn the_command_line_links_no_window_system() {
    let binary = cli_binary().expect("cli binary");
    let out = Command::new("ldd").arg(&binary).output().expect("run ldd");
    assert!(out.status.success(), "ldd {}", binary.display());
    let linked = String::from_utf8_lossy(&out.stdout);
    for library in [
        "libgtk",
        "libgdk",
        "libwebkit2gtk",
        "libjavascriptcoregtk",
        "libsoup",
    ] {
        assert!(
            !linked.contains(library),
            "{} links {library}:\n{linked}",
            binary.display()
        );
    }
    // The check itself works: the app does link GTK.
    let app = app_binary().expect("app binary");
    let out = Command::new("ldd").arg(&app).output().expect("run ldd");
    assert!(String::from_utf8_lossy(&out.stdout).contains("libgtk-3"));
}

#[tokio::test(flavor = "multi_thread")]
async fn version_works_without_a_display() {
    let out = run_cli(&["--version"]).await;
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.trim(),
        format!("chaptercast {}", env!("CARGO_PKG_VERSION"))
    );
}

/// `chaptercast` with no subcommand execs the app found beside it; when it is missing, one
/// line says so (exit 1) instead of a panic or a silent exit.
#[tokio::test(flavor = "multi_thread")]
async fn without_the_app_beside_it_the_launcher_says_so() {
    let dir = tempfile::tempdir().expect("dir");
    let lone = dir.path().join("chaptercast");
    std::fs::copy(cli_binary().expect("cli binary"), &lone).expect("copy");
    let out = tokio::task::spawn_blocking(move || {
        Command::new(lone)
            .env("DISPLAY", ":987")
            // No chaptercast-app on this PATH either.
            .env("PATH", "/nonexistent")
            .output()
            .expect("run")
    })
    .await
    .expect("join");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("cannot start the app"), "{stderr}");
}

/// One line on stderr, exit 1.
fn assert_one_line_failure(out: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains(needle), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn subscribe_list_search_and_opml_round_trip_from_the_command_line() {
    let server = TestServer::start().await.expect("server");
    server.route(
        "/feed.xml",
        Route::ok("application/rss+xml", meta_feed_xml(&server.base_url())),
    );
    server.route("/gone.xml", Route::status(404));
    let dir = tempfile::tempdir().expect("dir");

    // A script starts with an empty library (no first-run default show).
    let empty = ok_json(&run_cli_in(dir.path(), &["search", "cache", "--json"]).await);
    assert_eq!(empty, serde_json::json!({ "results": [] }));

    let out = run_cli_in(dir.path(), &["subscribe", &server.url("/feed.xml")]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Meta Tech Podcast (24 episodes)"));
    assert_one_line_failure(
        &run_cli_in(dir.path(), &["subscribe", &server.url("/gone.xml")]).await,
        "404",
    );

    let list = ok_json(&run_cli_in(dir.path(), &["list", "--json"]).await);
    assert_eq!(list["shows"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        list["shows"][0]["episodes"].as_array().map(Vec::len),
        Some(24)
    );

    // A chapter's words find the chapter, with its start, best first.
    let found = ok_json(&run_cli_in(dir.path(), &["search", "cache evic", "--json"]).await);
    let first = &found["results"][0];
    assert_eq!(first["chapter_title"], "Cache Eviction", "{found}");
    assert_eq!(first["start_s"], 2219.0);
    assert_eq!(first["podcast"], "Meta Tech Podcast");
    assert!(first["episode_guid"]
        .as_str()
        .is_some_and(|g| g.starts_with("mtp-")));
    for key in ["episode_title", "snippet"] {
        assert!(first[key].is_string(), "{key}: {first}");
    }
    // Word forms: "caching" finds "Cache".
    let forms = ok_json(&run_cli_in(dir.path(), &["search", "caching ", "--json"]).await);
    assert!(
        forms["results"].as_array().is_some_and(|r| !r.is_empty()),
        "{forms}"
    );

    assert!(run_cli_in(dir.path(), &["refresh"]).await.status.success());

    // OPML out of this library and into an empty one: the same subscriptions.
    let opml = dir.path().join("subs.opml");
    let out = run_cli_in(
        dir.path(),
        &["opml", "export", "--out", opml.to_str().unwrap_or_default()],
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let other = tempfile::tempdir().expect("dir");
    let out = run_cli_in(
        other.path(),
        &["opml", "import", opml.to_str().unwrap_or_default()],
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 feeds: 1 added"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let urls = |v: &serde_json::Value| -> Vec<String> {
        v["shows"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| s["feed_url"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let theirs = ok_json(&run_cli_in(other.path(), &["list", "--json"]).await);
    assert_eq!(urls(&theirs), urls(&list));
    // Stdout export is the same document shape.
    let stdout = run_cli_in(other.path(), &["opml", "export"]).await;
    assert!(String::from_utf8_lossy(&stdout.stdout).contains(&server.url("/feed.xml")));

    assert_one_line_failure(
        &run_cli_in(other.path(), &["opml", "import", "/no/such/file.opml"]).await,
        "cannot read",
    );
    let not_opml = dir.path().join("feed.xml");
    std::fs::write(&not_opml, meta_feed_xml("http://h")).expect("write");
    assert_one_line_failure(
        &run_cli_in(
            other.path(),
            &["opml", "import", not_opml.to_str().unwrap_or_default()],
        )
        .await,
        "not an OPML file",
    );
}

/// The app's searches and a command-line refresh on one library at once (here: two command
/// lines, each its own process and connection): searching never fails while the other writes.
#[tokio::test(flavor = "multi_thread")]
async fn searches_never_fail_while_another_process_refreshes() {
    use chaptercast_engine::testkit::meta_tech_like_feed;
    let server = TestServer::start().await.expect("server");
    let base = server.base_url();
    let feed_with = move |n: usize| {
        let mut feed = meta_tech_like_feed(&base, 24);
        if let Some(newest) = feed.items.first_mut() {
            newest.title_xml = format!("Caching, take {n}");
        }
        feed.to_xml()
    };
    server.route("/feed.xml", Route::ok("application/rss+xml", feed_with(0)));
    let data = tempfile::tempdir().expect("dir");
    let subscribed = run_cli_in(data.path(), &["subscribe", &server.url("/feed.xml")]).await;
    assert!(subscribed.status.success(), "{subscribed:?}");

    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let searches = {
        let done = std::sync::Arc::clone(&done);
        let dir = data.path().to_path_buf();
        tokio::spawn(async move {
            let mut failures = Vec::new();
            let mut runs = 0;
            while !done.load(std::sync::atomic::Ordering::SeqCst) || runs < 10 {
                let out = run_cli_in(&dir, &["search", "caching"]).await;
                runs += 1;
                if !out.status.success() {
                    failures.push(String::from_utf8_lossy(&out.stderr).into_owned());
                }
            }
            (runs, failures)
        })
    };
    for n in 1..=20 {
        server.route("/feed.xml", Route::ok("application/rss+xml", feed_with(n)));
        let out = run_cli_in(data.path(), &["refresh"]).await;
        assert!(out.status.success(), "refresh {n}: {out:?}");
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let (runs, failures) = searches.await.expect("join");
    assert!(
        failures.is_empty(),
        "{} of {runs} searches failed: {failures:?}",
        failures.len()
    );
    let last = run_cli_in(data.path(), &["search", "take"]).await;
    assert!(String::from_utf8_lossy(&last.stdout).contains("Caching, take 20"));
}

/// `feed --json` on a 200,000-item, 23 MB feed stays under 400 MB (peak resident memory of the
/// process, as the kernel counts it), where it used to peak near 1 GB.
#[tokio::test(flavor = "multi_thread")]
async fn a_200000_item_feed_prints_as_json_in_under_400_mb() {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("big.xml");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("file"));
        write!(f, "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Big</title><link>https://h/</link><description>big</description>").expect("write");
        for i in 0..200_000 {
            writeln!(f, "<item><title>Ep {i}</title><guid>g{i}</guid><enclosure url=\"https://h/{i}.mp3\" type=\"audio/mpeg\"/></item>").expect("write");
        }
        write!(f, "</channel></rss>").expect("write");
    }
    let size = std::fs::metadata(&path).expect("size").len();
    assert!(size > 20 << 20, "{size}");
    let binary = cli_binary().expect("cli binary");
    let (peak_kb, status, episodes) = tokio::task::spawn_blocking(move || {
        // Reaped below by wait4, which also gives its peak memory (Child::wait cannot).
        #[allow(clippy::zombie_processes)]
        let mut child = Command::new(binary)
            .args(["feed", &path.to_string_lossy(), "--json"])
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("run");
        let mut out = child.stdout.take().expect("stdout");
        let reader = std::thread::spawn(move || {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut out, &mut bytes).expect("read");
            let value: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
            value["episodes"].as_array().map_or(0, Vec::len)
        });
        // The child's own peak, exactly: wait4 on its pid.
        let mut status = 0;
        // SAFETY: a zeroed rusage is a valid value for wait4 to fill in.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: the pid is our own child, not yet waited for; both pointers are valid.
        let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
        assert!(pid > 0, "wait4 failed");
        (usage.ru_maxrss, status, reader.join().expect("reader"))
    })
    .await
    .expect("join");
    assert_eq!(status, 0, "exit status");
    assert_eq!(episodes, 200_000);
    eprintln!(
        "feed --json on {} MB: peak {} MB",
        size >> 20,
        peak_kb >> 10
    );
    assert!(peak_kb < 400 * 1024, "peak {} MB", peak_kb >> 10);
}

/// A browser's subscribe links on the command line: `feed:http://…` says its scheme and is
/// used as it is; `podcast://` and `itpc://` do not, so https is tried, and when that fails the
/// error names the plain-http address instead of using it unasked.
#[tokio::test(flavor = "multi_thread")]
async fn subscribe_links_try_https_and_only_name_plain_http() {
    let server = TestServer::start().await.expect("server");
    server.route(
        "/feed.xml",
        Route::ok("application/rss+xml", meta_feed_xml(&server.base_url())),
    );
    let dir = tempfile::tempdir().expect("dir");
    let host = server.base_url().trim_start_matches("http://").to_string();
    for scheme in ["podcast", "itpc"] {
        let out = run_cli_in(
            dir.path(),
            &["subscribe", &format!("{scheme}://{host}/feed.xml")],
        )
        .await;
        assert_one_line_failure(&out, "plain http");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("http://{host}/feed.xml")),
            "{stderr}"
        );
    }
    let empty = ok_json(&run_cli_in(dir.path(), &["list", "--json"]).await);
    assert_eq!(
        empty["shows"],
        serde_json::json!([]),
        "nothing was subscribed unasked"
    );

    let out = run_cli_in(
        dir.path(),
        &["subscribe", &format!("feed:http://{host}/feed.xml")],
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list = ok_json(&run_cli_in(dir.path(), &["list", "--json"]).await);
    assert_eq!(
        list["shows"][0]["feed_url"],
        format!("http://{host}/feed.xml")
    );

    let out = run_cli_in(dir.path(), &["subscribe", "javascript:alert(1)"]).await;
    assert_one_line_failure(&out, "Only http:// and https://");
}

/// A mistyped command is an error, not a window opened on it.
#[tokio::test(flavor = "multi_thread")]
async fn a_mistyped_command_is_an_error_not_a_link() {
    let out = run_cli(&["serach"]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("\"serach\" is not a command"), "{stderr}");
}
