//! Sync subcommands: log in to a gpodder API server, sync now, log out; and the two library
//! changes a script needs to exercise sync (unsubscribe, mark).

use std::io::Read;

use chaptercast_engine::messages::sync_message;
use chaptercast_engine::sync::{PasswordStore, SyncReport};
use chaptercast_engine::Engine;
use serde_json::json;

use crate::engine_access::{episode_for_guid, open_engine, runtime};
use crate::output::print_json;

/// `chaptercast sync login <SERVER_URL> --user U --password-stdin [--device ID]`.
pub fn login_command(server: &str, user: &str, device: Option<&str>) -> Result<(), String> {
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    // One line, as `echo pw |` or a password manager sends it.
    let password = password.trim_end_matches(['\n', '\r']);
    if password.is_empty() {
        return Err("no password on standard input".into());
    }
    let (engine, _events) = open_engine()?;
    runtime()?.block_on(async {
        let report = engine
            .sync_login(server, user, password, device)
            .await
            .map_err(|e| sync_message(&e))?;
        println!(
            "Logged in to {server} as {user}; this device is \"{}\".",
            report.checked.device_id
        );
        match &report.password_store {
            PasswordStore::Keyring => println!("The password is in the desktop's keyring."),
            PasswordStore::File(path) => println!(
                "No keyring answered: the password is in {} (readable only by you).",
                path.display()
            ),
        }
        if report.checked.insecure {
            eprintln!("Warning: plain http to another computer sends the password unencrypted.");
        }
        match &report.checked.devices {
            Some(devices) if !devices.is_empty() => {
                let ids: Vec<&str> = devices.iter().map(|d| d.id.as_str()).collect();
                println!("Devices on this account: {}", ids.join(", "));
            }
            Some(_) => {}
            None => println!(
                "This server does not list devices: use the same device name on every computer \
                 that should share subscriptions."
            ),
        }
        Ok(())
    })
}

/// `chaptercast sync logout`.
pub fn logout_command() -> Result<(), String> {
    let (engine, _events) = open_engine()?;
    runtime()?.block_on(async {
        engine.sync_logout().await.map_err(|e| sync_message(&e))?;
        println!("Logged out; the password is forgotten. The library is unchanged.");
        Ok(())
    })
}

/// `chaptercast sync [--json]`: one sync now; what was sent and received.
pub fn sync_command(as_json: bool) -> Result<(), String> {
    let (engine, _events) = open_engine()?;
    runtime()?.block_on(async {
        let report = engine.sync_now().await.map_err(|e| sync_message(&e))?;
        if as_json {
            print_json(&report_json(&report))
        } else {
            print_report(&report);
            Ok(())
        }
    })
}

fn report_json(report: &SyncReport) -> serde_json::Value {
    json!({
        "sent": {
            "subscribed": report.sent_subscribed,
            "unsubscribed": report.sent_unsubscribed,
            "episode_actions": report.sent_actions,
        },
        "received": {
            "subscribed": report.received.added.iter().map(|(_, url)| url).collect::<Vec<_>>(),
            "unsubscribed": report.received.removed,
            "unsubscribed_kept": report.received.kept,
            "renamed": report.renamed.iter().map(|(from, to)| json!({"from": from, "to": to})).collect::<Vec<_>>(),
            "episode_actions": report.received_actions,
            "applied": report.applied.changed,
            "unchanged": report.applied.kept,
            "waiting": report.applied.waiting,
        },
        "fetched_shows": report.fetched_shows,
    })
}

fn print_report(report: &SyncReport) {
    println!(
        "Sent: {} subscribed, {} unsubscribed, {} episode actions.",
        report.sent_subscribed.len(),
        report.sent_unsubscribed.len(),
        report.sent_actions
    );
    println!(
        "Received: {} subscribed, {} unsubscribed, {} episode actions ({} applied, {} waiting for their feed).",
        report.received.added.len(),
        report.received.removed.len() + report.received.kept.len(),
        report.received_actions,
        report.applied.changed,
        report.applied.waiting
    );
    for url in &report.received.kept {
        println!(
            "Unsubscribed on another device, kept here for its downloads and positions: {url}"
        );
    }
    for (from, to) in &report.renamed {
        println!("The server moved {from} to {to}");
    }
}

/// `chaptercast unsubscribe <FEED_URL>`.
pub fn unsubscribe_command(feed_url: &str) -> Result<(), String> {
    let (engine, _events) = open_engine()?;
    runtime()?.block_on(async {
        let wanted = chaptercast_engine::net::parse_web_url(feed_url)
            .map(|u| u.to_string())
            .unwrap_or_else(|_| feed_url.to_string());
        let shows = engine.shows().await.map_err(|e| e.to_string())?;
        let show = shows
            .iter()
            .find(|s| s.feed_url == wanted || s.feed_url == feed_url)
            .ok_or_else(|| format!("not subscribed to {feed_url} (see `chaptercast list`)"))?;
        engine
            .unsubscribe(show.id)
            .await
            .map_err(|e| e.to_string())?;
        let name = if show.title.is_empty() {
            &show.feed_url
        } else {
            &show.title
        };
        println!("Unsubscribed from {name}");
        Ok(())
    })
}

/// What `mark` sets.
pub enum Mark {
    Position { seconds: f64 },
    Played,
    Unplayed,
}

/// `chaptercast mark <GUID> --position S | --played | --unplayed`.
pub fn mark_command(guid: &str, mark: Mark) -> Result<(), String> {
    let (engine, _events) = open_engine()?;
    runtime()?.block_on(async {
        let id = episode_for_guid(&engine, guid).await?;
        apply_mark(&engine, id, mark).await
    })
}

async fn apply_mark(
    engine: &Engine,
    id: chaptercast_engine::EpisodeId,
    mark: Mark,
) -> Result<(), String> {
    let failed = |e: chaptercast_engine::LibraryError| format!("the library failed: {e}");
    match mark {
        Mark::Position { seconds } => {
            if !seconds.is_finite() || seconds < 0.0 {
                return Err(format!("{seconds} is not a position in seconds"));
            }
            engine.set_played(id, false).await.map_err(failed)?;
            engine
                .set_position(id, (seconds * 1000.0).round() as u64)
                .await
                .map_err(failed)?;
            println!("Position set to {seconds} s");
        }
        Mark::Played => {
            engine.set_position(id, 0).await.map_err(failed)?;
            engine.set_played(id, true).await.map_err(failed)?;
            println!("Marked played");
        }
        Mark::Unplayed => {
            // In this order the last change is "unplayed", which sync sends as `new`.
            engine.set_position(id, 0).await.map_err(failed)?;
            engine.set_played(id, false).await.map_err(failed)?;
            println!("Marked unplayed");
        }
    }
    Ok(())
}
