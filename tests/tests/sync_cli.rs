//! Sync through the command line, against a real gpodder API server (podsync) on 127.0.0.1:
//! two libraries on one account converge, offline changes are sent once, a wrong password
//! loses nothing, the conflict rules hold end to end, and gPodder's own client library
//! (mygpoclient) reads what Chaptercast wrote and writes what Chaptercast applies.

use std::path::Path;
use std::process::{Command, Output};

use chaptercast_e2e::app::{cli_binary, output_with_stdin, succeeded as ok};
use chaptercast_e2e::podsync::{mygpo, Podsync, PASSWORD, USER};
use chaptercast_e2e::server::{Route, TestServer};
use chaptercast_engine::testkit::{FeedBuilder, ItemBuilder};

/// Both libraries use this device id: podsync keeps subscriptions per device and cannot list
/// devices, so a listener's installs share one id (the path the login output explains).
const DEVICE: &str = "desk";

fn run(data: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    output_with_stdin(
        Command::new(cli_binary().expect("cli binary"))
            .args(args)
            .env("CHAPTERCAST_DATA_DIR", data)
            .env("CHAPTERCAST_HTTP_TIMEOUT_S", "3")
            .env("CHAPTERCAST_NO_KEYRING", "1")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY"),
        stdin.unwrap_or(""),
    )
    .expect("run chaptercast")
}

fn login(data: &Path, server: &Podsync) {
    let out = run(
        data,
        &[
            "sync",
            "login",
            &server.url(),
            "--user",
            USER,
            "--password-stdin",
            "--device",
            DEVICE,
        ],
        Some(&format!("{PASSWORD}\n")),
    );
    let text = ok(&out);
    assert!(text.contains("readable only by you"), "{text}");
}

fn sync(data: &Path) -> serde_json::Value {
    serde_json::from_str(&ok(&run(data, &["sync", "--json"], None))).expect("sync --json")
}

/// The library as `list --json` shows it.
fn shows(data: &Path) -> Vec<serde_json::Value> {
    let json: serde_json::Value =
        serde_json::from_str(&ok(&run(data, &["list", "--json"], None))).expect("list --json");
    json["shows"].as_array().cloned().unwrap_or_default()
}

fn episode(data: &Path, guid: &str) -> serde_json::Value {
    shows(data)
        .iter()
        .flat_map(|s| s["episodes"].as_array().cloned().unwrap_or_default())
        .find(|e| e["guid"] == guid)
        .unwrap_or_else(|| panic!("no episode {guid}"))
}

/// A show of three hour-long episodes (never played: only their identity matters here). The
/// third's enclosure goes through a measurement prefix, with a query string.
async fn serve_show() -> (TestServer, String) {
    let server = TestServer::start().await.expect("server");
    let base = server.base_url();
    let item = |title: &str, guid: &str, url: &str| {
        let mut item = ItemBuilder::audio(title, guid, url);
        item.duration = Some("3600".into());
        item
    };
    let feed = FeedBuilder::new("Sync Show")
        .item(item("Third", "g3", &tracked(&base, "3.mp3")))
        .item(item("Second", "g2", &format!("{base}/2.mp3")))
        .item(item("First", "g1", &format!("{base}/1.mp3")));
    server.route("/feed.xml", Route::ok("application/rss+xml", feed.to_xml()));
    let url = server.url("/feed.xml");
    (server, url)
}

/// `name` on the test server behind a Podtrac prefix, as a feed writes it.
fn tracked(base: &str, name: &str) -> String {
    let host = base.trim_start_matches("http://");
    format!("https://dts.podtrac.com/redirect.mp3/{host}/{name}?utm_source=feed")
}

fn now_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn gpodder_time(unix_s: i64) -> String {
    let days = unix_s.div_euclid(86_400);
    let secs = unix_s.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn two_libraries_on_one_account_converge() {
    let Some(podsync) = Podsync::start() else {
        return;
    };
    let (_feeds, feed_url) = serve_show().await;
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, b) = (a.path().to_path_buf(), b.path().to_path_buf());
    tokio::task::spawn_blocking(move || {
        login(&a, &podsync);
        login(&b, &podsync);

        // Subscribe in A, sync A, sync B: B has the show, with its episodes.
        ok(&run(&a, &["subscribe", &feed_url], None));
        let sent = sync(&a);
        assert_eq!(sent["sent"]["subscribed"], serde_json::json!([feed_url]));
        let got = sync(&b);
        assert_eq!(got["received"]["subscribed"], serde_json::json!([feed_url]));
        assert_eq!(got["fetched_shows"], 1);
        let listed = shows(&b);
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0]["title"], "Sync Show");
        assert_eq!(listed[0]["episodes"].as_array().map(Vec::len), Some(3));

        // A position set in A reaches B.
        ok(&run(&a, &["mark", "g2", "--position", "754.4"], None));
        assert_eq!(sync(&a)["sent"]["episode_actions"], 1);
        sync(&b);
        let position = episode(&b, "g2")["position_s"].as_f64().unwrap();
        assert!((position - 754.0).abs() <= 1.0, "B's position {position}");

        // Played in B reaches A.
        ok(&run(&b, &["mark", "g1", "--played"], None));
        sync(&b);
        sync(&a);
        assert_eq!(episode(&a, "g1")["is_played"], true);

        // An unsubscribe in B reaches A, which keeps the show for its positions.
        ok(&run(&b, &["unsubscribe", &feed_url], None));
        assert_eq!(
            sync(&b)["sent"]["unsubscribed"],
            serde_json::json!([feed_url])
        );
        let got = sync(&a);
        assert_eq!(
            got["received"]["unsubscribed_kept"],
            serde_json::json!([feed_url])
        );
        let listed = shows(&a);
        assert_eq!(listed[0]["unsubscribed_elsewhere"], true);
        assert_eq!(episode(&a, "g1")["is_played"], true, "played state kept");
        // It is not sent back as a subscription, and B stays unsubscribed.
        assert_eq!(sync(&a)["sent"]["subscribed"], serde_json::json!([]));
        sync(&b);
        assert!(shows(&b).is_empty());
    })
    .await
    .expect("join");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_made_offline_is_sent_on_the_next_sync_and_only_once() {
    let Some(mut podsync) = Podsync::start() else {
        return;
    };
    let (_feeds, feed_url) = serve_show().await;
    let a = tempfile::tempdir().unwrap();
    let a = a.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        login(&a, &podsync);
        ok(&run(&a, &["subscribe", &feed_url], None));
        sync(&a);

        podsync.stop();
        ok(&run(&a, &["mark", "g3", "--position", "90"], None));
        let failed = run(&a, &["sync"], None);
        assert_eq!(failed.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&failed.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
        assert!(
            stderr.contains("Could not connect to 127.0.0.1"),
            "{stderr}"
        );

        podsync.resume();
        assert_eq!(sync(&a)["sent"]["episode_actions"], 1);
        assert_eq!(sync(&a)["sent"]["episode_actions"], 0, "sent once");
        let Some(actions) = mygpo(&podsync, &["actions"], None) else {
            return;
        };
        let g3: Vec<&serde_json::Value> = actions
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| {
                a["episode"]
                    .as_str()
                    .is_some_and(|e| e.ends_with("/3.mp3?utm_source=feed"))
            })
            .collect();
        assert_eq!(g3.len(), 1, "{actions}");
        assert_eq!(g3[0]["position"], 90);
        assert_eq!(g3[0]["action"], "play");
    })
    .await
    .expect("join");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_password_is_a_clear_error_and_loses_nothing() {
    let Some(podsync) = Podsync::start() else {
        return;
    };
    let (_feeds, feed_url) = serve_show().await;
    let a = tempfile::tempdir().unwrap();
    let a = a.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        ok(&run(&a, &["subscribe", &feed_url], None));
        let refused = run(
            &a,
            &[
                "sync",
                "login",
                &podsync.url(),
                "--user",
                USER,
                "--password-stdin",
            ],
            Some("wrong\n"),
        );
        assert_eq!(refused.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains("refused the user name or password"),
            "{stderr}"
        );
        // Nothing was kept: sync is not set up, and the library is as it was.
        let not_set_up = run(&a, &["sync"], None);
        assert_eq!(not_set_up.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&not_set_up.stderr).contains("not set up"));
        assert_eq!(shows(&a).len(), 1);
        assert!(!a.join("sync-password.json").exists());

        // The password changed on the server after logging in: the changes wait.
        login(&a, &podsync);
        podsync.set_password("changed elsewhere");
        ok(&run(&a, &["mark", "g1", "--position", "30"], None));
        let refused = run(&a, &["sync"], None);
        assert_eq!(refused.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&refused.stderr).contains("refused"));
        podsync.set_password(PASSWORD);
        let sent = sync(&a);
        assert_eq!(sent["sent"]["subscribed"], serde_json::json!([feed_url]));
        assert_eq!(sent["sent"]["episode_actions"], 1);
    })
    .await
    .expect("join");
}

/// The conflict rules with actions written by another client (mygpoclient, as gPodder would):
/// it names episodes by enclosure URL only, without GUIDs.
#[tokio::test(flavor = "multi_thread")]
async fn another_clients_actions_apply_by_the_conflict_rules() {
    let Some(podsync) = Podsync::start() else {
        return;
    };
    let (feeds, feed_url) = serve_show().await;
    let base = feeds.base_url();
    let a = tempfile::tempdir().unwrap();
    let a = a.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        login(&a, &podsync);
        ok(&run(&a, &["subscribe", &feed_url], None));
        ok(&run(&a, &["mark", "g1", "--played"], None));
        ok(&run(&a, &["mark", "g2", "--position", "1800"], None));
        let g2_changed_at = now_s();
        sync(&a);

        // mygpoclient reads back what Chaptercast wrote.
        let Some(subscriptions) = mygpo(&podsync, &["subscriptions", DEVICE], None) else {
            return;
        };
        assert_eq!(subscriptions, serde_json::json!([feed_url]));
        let actions = mygpo(&podsync, &["actions"], None).unwrap();
        let g2 = actions
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["episode"] == format!("{base}/2.mp3"))
            .cloned()
            .unwrap_or_else(|| panic!("no action for g2 in {actions}"));
        assert_eq!(
            (g2["action"].clone(), g2["position"].clone()),
            ("play".into(), 1800.into())
        );
        assert_eq!(g2["total"], 3600);
        assert_eq!(g2["device"], DEVICE);

        let now = now_s();
        let upload = |actions: serde_json::Value| {
            mygpo(&podsync, &["upload"], Some(&actions.to_string())).unwrap();
        };
        let play = |episode: String, position: i64, at: i64| {
            serde_json::json!({
                "podcast": feed_url, "episode": episode, "action": "play",
                "device": "phone", "timestamp": gpodder_time(at),
                "started": 0, "position": position, "total": 3600,
            })
        };
        upload(serde_json::json!([
            // A stale position from before g1 was finished here: it stays played.
            play(format!("{base}/1.mp3"), 100, now - 3_600),
            // The phone's clock runs ahead: an earlier position does not rewind g2.
            play(format!("{base}/2.mp3"), 1_500, now + 10),
            // g3 finished on the phone, named by its plain URL: the feed's is behind Podtrac
            // with a query string, and it is still the same episode.
            play(
                format!("http://{}/3.mp3", base.trim_start_matches("http://")),
                3_600,
                now - 60
            ),
        ]));
        let got = sync(&a);
        assert_eq!(got["received"]["waiting"], 0, "{got}");
        assert_eq!(
            episode(&a, "g1")["is_played"],
            true,
            "not unplayed by an older position"
        );
        assert_eq!(
            episode(&a, "g2")["position_s"],
            1800.0,
            "not rewound by clock skew"
        );
        assert_eq!(
            episode(&a, "g3")["is_played"],
            true,
            "matched behind a tracking prefix"
        );

        // A real rewind minutes later on the phone is the newest action: it wins.
        // A time from the future counts as at most `CLOCK_SKEW_S` (30 s) ahead of this clock,
        // so the rewind clears the skew allowance only once this clock has left the second
        // of g2's change here: within that second it would rightly be kept as skew.
        while now_s() <= g2_changed_at {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        upload(serde_json::json!([play(
            format!("{base}/2.mp3"),
            1_200,
            now + 300
        )]));
        sync(&a);
        assert_eq!(
            episode(&a, "g2")["position_s"],
            1200.0,
            "the newest action wins"
        );
    })
    .await
    .expect("join");
}
