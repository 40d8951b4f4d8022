//! `chaptercast queue …`: Up Next from the command line, on the app's library. Episodes are
//! named by their feed GUIDs (as `list --json` prints them). `queue play` plays the queue
//! through the default output with the app's own session: continuous play, each finished
//! episode leaving the queue marked played.

use std::time::{Duration, Instant};

use chaptercast_engine::library::QueuePlace;
use chaptercast_engine::messages::player_error_message;
use chaptercast_engine::player::{self, PlaybackState};
use chaptercast_engine::session::episode_of_key;
use chaptercast_engine::{Engine, EngineEvent, Events};
use serde_json::json;

use crate::engine_access::{episode_for_guid, library_failed, open_engine, runtime};
use crate::output::{clock, print_json};

/// How long `queue play` keeps retrying a host that does not answer (as `play` does).
const GIVE_UP_AFTER: Duration = Duration::from_secs(15);

/// What `queue` was asked.
pub enum QueueArgs {
    Add { guids: Vec<String>, next: bool },
    List { json: bool },
    Remove { guid: String },
    Move { guid: String, position: usize },
    Clear,
    Play { for_seconds: Option<f64> },
}

pub fn queue_command(args: QueueArgs) -> Result<(), String> {
    let (engine, events) = open_engine()?;
    let rt = runtime()?;
    match args {
        QueueArgs::Add { guids, next } => rt.block_on(async {
            let mut ids = Vec::with_capacity(guids.len());
            for guid in &guids {
                ids.push(episode_for_guid(&engine, guid).await?);
            }
            let place = if next {
                let playing = engine.now_playing_setting().await.map_err(library_failed)?;
                QueuePlace::Next { after: playing }
            } else {
                QueuePlace::Last
            };
            engine.queue_add(ids, place).await.map_err(library_failed)
        }),
        QueueArgs::List { json } => rt.block_on(list(&engine, json)),
        QueueArgs::Remove { guid } => rt.block_on(async {
            let id = episode_for_guid(&engine, &guid).await?;
            match engine.queue_remove(id).await.map_err(library_failed)? {
                true => Ok(()),
                false => Err(format!("{guid} is not in Up Next")),
            }
        }),
        QueueArgs::Move { guid, position } => rt.block_on(async {
            if position == 0 {
                return Err("positions start at 1".into());
            }
            let id = episode_for_guid(&engine, &guid).await?;
            match engine
                .queue_move(id, position - 1)
                .await
                .map_err(library_failed)?
            {
                true => Ok(()),
                false => Err(format!("{guid} is not in Up Next")),
            }
        }),
        QueueArgs::Clear => rt.block_on(engine.queue_clear()).map_err(library_failed),
        QueueArgs::Play { for_seconds } => {
            if let Some(s) = for_seconds {
                if !s.is_finite() || s <= 0.0 {
                    return Err("--for needs a positive number of seconds".into());
                }
            }
            play(
                &engine,
                &events,
                &rt,
                for_seconds.map(Duration::from_secs_f64),
            )
        }
    }
}

async fn list(engine: &Engine, as_json: bool) -> Result<(), String> {
    let ids = engine.queue().await.map_err(library_failed)?;
    let mut items = Vec::with_capacity(ids.len());
    for id in ids {
        let episode = engine.episode(id).await.map_err(library_failed)?;
        let show = engine
            .show(episode.summary.show_id)
            .await
            .map_err(library_failed)?;
        items.push((episode.summary.guid, episode.summary.title, show.title));
    }
    if as_json {
        let queue: Vec<_> = items
            .iter()
            .map(|(guid, title, show)| json!({ "guid": guid, "title": title, "show": show }))
            .collect();
        return print_json(&json!({ "queue": queue }));
    }
    for (n, (_, title, show)) in items.iter().enumerate() {
        println!("{}. {title} — {show}", n + 1);
    }
    Ok(())
}

/// Plays Up Next from its first item until it is empty, or for `limit` of listening.
fn play(
    engine: &Engine,
    events: &Events,
    rt: &tokio::runtime::Runtime,
    limit: Option<Duration>,
) -> Result<(), String> {
    let first = rt
        .block_on(engine.queue())
        .map_err(library_failed)?
        .first()
        .copied()
        .ok_or("Up Next is empty: add episodes with `chaptercast queue add <GUID>`")?;
    player::output::quiet_native_errors(true);
    let session = engine
        .start_session(player::RetryPolicy {
            give_up_after: Some(GIVE_UP_AFTER),
        })
        .map_err(|e| format!("cannot start the player: {e}"))?;
    rt.block_on(session.play(first, None))
        .map_err(library_failed)?;
    let result = follow(engine, rt, events, limit);
    session.player().shutdown(Duration::from_secs(2));
    result
}

fn follow(
    engine: &Engine,
    rt: &tokio::runtime::Runtime,
    events: &Events,
    limit: Option<Duration>,
) -> Result<(), String> {
    let started = Instant::now();
    let mut queue_left: Option<usize> = None;
    let mut key: Option<String> = None;
    let mut last_second = None;
    loop {
        if limit.is_some_and(|l| started.elapsed() >= l) {
            return Ok(());
        }
        let event = events
            .recv_timeout(Duration::from_millis(50))
            .map_err(|_| "the player stopped unexpectedly".to_string())?;
        let status = match event {
            Some(EngineEvent::UpNext(up_next)) => {
                queue_left = Some(up_next.items.len());
                continue;
            }
            Some(EngineEvent::Player(status)) => status,
            Some(_) | None => continue,
        };
        if let Some(error) = &status.error {
            return Err(player_error_message(error));
        }
        if status.key != key {
            key = status.key.clone();
            if let Some(id) = key.as_deref().and_then(episode_of_key) {
                let title = rt
                    .block_on(engine.episode(id))
                    .map(|e| format!("{} {}", e.summary.guid, e.summary.title))
                    .unwrap_or_default();
                println!("playing {title}");
            }
        }
        match status.state {
            // The session has had the finished episode's report before this status: an empty
            // queue now means nothing follows.
            PlaybackState::Ended if queue_left == Some(0) => {
                println!("end of Up Next");
                return Ok(());
            }
            PlaybackState::Playing => {
                let second = status.position_ms / 1000;
                if last_second != Some(second) {
                    last_second = Some(second);
                    println!("position {}", clock(status.position_ms));
                }
            }
            _ => {}
        }
    }
}
