//! What sync keeps in the library: the account, the changes waiting to be sent (queued by the
//! schema's triggers, whichever path made them), the server's last subscription list, and
//! episode actions received for episodes not fetched yet. No HTTP here.

use std::collections::BTreeSet;

use rusqlite::{params, OptionalExtension, Transaction};

use super::{Library, LibraryError, ShowId};
use crate::sync::enclosure_key::enclosure_key;
use crate::sync::rules::{self, Decision, LocalState, RemoteAction, RemoteKind};

/// The account this library syncs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncAccount {
    pub server_url: String,
    pub username: String,
    pub device_id: String,
    /// The server's timestamp from the last episode-actions download.
    pub episodes_since: i64,
    /// When the last sync finished (unix seconds), successful or not.
    pub last_synced_at: Option<i64>,
    /// Why the last sync failed; `None` after a good one.
    pub last_error: Option<String>,
}

/// A change waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingChange {
    /// Identifies the row and its revision: only this revision is deleted once sent.
    pub id: i64,
    pub rev: i64,
    pub change: Change,
    /// When it was made here (unix seconds).
    pub changed_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Subscribe {
        feed_url: String,
    },
    Unsubscribe {
        feed_url: String,
    },
    /// Listened to `position_s` (from `started_s`); a finished episode is sent at its end.
    Play {
        feed_url: String,
        guid: String,
        enclosure_url: String,
        started_s: u64,
        position_s: u64,
        total_s: Option<u64>,
    },
    /// Marked unplayed.
    New {
        feed_url: String,
        guid: String,
        enclosure_url: String,
    },
}

/// An episode action as the server listed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedAction {
    pub podcast: String,
    pub episode: String,
    pub guid: Option<String>,
    pub kind: RemoteKind,
    pub timestamp: i64,
}

/// What applying received episode actions did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppliedActions {
    /// Positions moved, episodes marked played or unplayed.
    pub changed: usize,
    /// Older than the change here, or the same: nothing to do.
    pub kept: usize,
    /// Their episode is not in the library yet; tried again after the next refresh.
    pub waiting: usize,
}

/// What applying the server's subscription list did here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppliedSubscriptions {
    /// Subscribed here because another device did; not fetched yet.
    pub added: Vec<(ShowId, String)>,
    /// Unsubscribed on another device and removed here.
    pub removed: Vec<String>,
    /// Unsubscribed on another device, kept here for its downloads and positions.
    pub kept: Vec<String>,
}

/// Received actions older than this are dropped even when their episode never appeared.
const INBOX_KEEP_S: i64 = 90 * 24 * 3600;

fn now_s() -> i64 {
    chrono::Utc::now().timestamp()
}

impl Library {
    pub fn sync_account(&self) -> Result<Option<SyncAccount>, LibraryError> {
        Ok(self
            .conn
            .query_row(
                "SELECT server_url, username, device_id, episodes_since, last_synced_at,
                        last_error
                   FROM sync_account WHERE id = 1",
                [],
                |r| {
                    Ok(SyncAccount {
                        server_url: r.get(0)?,
                        username: r.get(1)?,
                        device_id: r.get(2)?,
                        episodes_since: r.get(3)?,
                        last_synced_at: r.get(4)?,
                        last_error: r.get(5)?,
                    })
                },
            )
            .optional()?)
    }

    /// Starts syncing with an account (replacing any other): everything in the library is
    /// queued to be sent, subscriptions and each episode's position or played state, at the
    /// time it was last changed here. Logging in again to the same account (a new password)
    /// keeps what is waiting and what the server was seen to list; returns false then.
    pub fn sync_login(
        &mut self,
        server_url: &str,
        username: &str,
        device_id: &str,
    ) -> Result<bool, LibraryError> {
        let same = self.sync_account()?.is_some_and(|a| {
            a.server_url == server_url && a.username == username && a.device_id == device_id
        });
        if same {
            return Ok(false);
        }
        let tx = self.conn.transaction()?;
        clear_sync(&tx)?;
        // Played before sync: stamped now, so a position another device sent earlier does not
        // unplay it. Positions keep no time: another device's newer one is taken.
        tx.execute(
            "UPDATE episodes SET state_changed_at = ?1
              WHERE state_changed_at IS NULL AND is_played = 1",
            [now_s()],
        )?;
        tx.execute(
            "INSERT INTO sync_account (id, server_url, username, device_id) VALUES (1, ?1, ?2, ?3)",
            params![server_url, username, device_id],
        )?;
        tx.execute(
            "INSERT INTO sync_outbox (key, action, feed_url, changed_at)
             SELECT 'show ' || feed_url, 'subscribe', feed_url,
                    COALESCE(CAST(strftime('%s', subscribed_at) AS INTEGER), 0)
               FROM shows WHERE unsubscribed_at IS NULL ORDER BY id",
            [],
        )?;
        tx.execute(
            "INSERT INTO sync_outbox (key, action, feed_url, guid, enclosure_url, started_s,
                                      position_s, total_s, changed_at)
             SELECT 'episode ' || s.feed_url || ' ' || e.guid, 'play', s.feed_url, e.guid,
                    e.enclosure_url, 0,
                    CASE WHEN e.is_played = 1
                         THEN MAX(1, COALESCE(e.audio_duration_ms / 1000, e.duration_s, 0))
                         ELSE e.position_ms / 1000 END,
                    CASE WHEN e.is_played = 1
                         THEN MAX(1, COALESCE(e.audio_duration_ms / 1000, e.duration_s, 0))
                         ELSE COALESCE(e.audio_duration_ms / 1000, e.duration_s) END,
                    COALESCE(e.state_changed_at,
                             CAST(strftime('%s', e.first_seen_at) AS INTEGER), 0)
               FROM episodes e JOIN shows s ON s.id = e.show_id
              WHERE s.unsubscribed_at IS NULL AND (e.is_played = 1 OR e.position_ms >= 1000)
              ORDER BY e.id",
            [],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// Stops syncing: the account and everything waiting is forgotten; the library stays.
    pub fn sync_logout(&mut self) -> Result<(), LibraryError> {
        let tx = self.conn.transaction()?;
        clear_sync(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// Changes waiting to be sent, oldest first.
    pub fn sync_pending(&self) -> Result<Vec<PendingChange>, LibraryError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, rev, action, feed_url, guid, enclosure_url, started_s, position_s,
                    total_s, changed_at
               FROM sync_outbox ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            let action: String = r.get(2)?;
            let feed_url: String = r.get(3)?;
            let guid: Option<String> = r.get(4)?;
            let enclosure_url: Option<String> = r.get(5)?;
            let seconds = |i: usize| -> rusqlite::Result<Option<u64>> {
                Ok(r.get::<_, Option<i64>>(i)?.map(|v| v.max(0) as u64))
            };
            let change = match action.as_str() {
                "subscribe" => Change::Subscribe { feed_url },
                "unsubscribe" => Change::Unsubscribe { feed_url },
                "new" => Change::New {
                    feed_url,
                    guid: guid.unwrap_or_default(),
                    enclosure_url: enclosure_url.unwrap_or_default(),
                },
                _ => Change::Play {
                    feed_url,
                    guid: guid.unwrap_or_default(),
                    enclosure_url: enclosure_url.unwrap_or_default(),
                    started_s: seconds(6)?.unwrap_or(0),
                    position_s: seconds(7)?.unwrap_or(0),
                    total_s: seconds(8)?.filter(|&t| t > 0),
                },
            };
            Ok(PendingChange {
                id: r.get(0)?,
                rev: r.get(1)?,
                change,
                changed_at: r.get(9)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Forgets changes the server has taken, unless they changed again meanwhile.
    pub fn sync_sent(&mut self, sent: &[PendingChange]) -> Result<(), LibraryError> {
        let tx = self.conn.transaction()?;
        {
            let mut delete =
                tx.prepare_cached("DELETE FROM sync_outbox WHERE id = ?1 AND rev = ?2")?;
            for change in sent {
                delete.execute(params![change.id, change.rev])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The feed URLs subscribed here and not unsubscribed elsewhere.
    pub fn sync_local_subscriptions(&self) -> Result<BTreeSet<String>, LibraryError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT feed_url FROM shows WHERE unsubscribed_at IS NULL")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The server's subscription list as of the last sync.
    pub fn sync_remote_subscriptions(&self) -> Result<BTreeSet<String>, LibraryError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT feed_url FROM sync_remote_subscriptions")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn set_sync_remote_subscriptions(
        &mut self,
        urls: &BTreeSet<String>,
    ) -> Result<(), LibraryError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM sync_remote_subscriptions", [])?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO sync_remote_subscriptions (feed_url) VALUES (?1)",
            )?;
            for url in urls {
                insert.execute([url])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Subscribes to `add` and unsubscribes from `remove` because another device did, without
    /// queueing them to be sent back. A removed show with downloads, positions or played
    /// episodes is kept (marked unsubscribed) until the listener deletes it.
    pub fn sync_apply_subscriptions(
        &mut self,
        add: &[String],
        remove: &[String],
    ) -> Result<AppliedSubscriptions, LibraryError> {
        let tx = self.conn.transaction()?;
        set_applying(&tx, true)?;
        let mut applied = AppliedSubscriptions::default();
        for url in add {
            let inserted = tx.execute(
                "INSERT OR IGNORE INTO shows (feed_url, subscribed_at) VALUES (?1, ?2)",
                params![url, super::now_rfc3339()],
            )?;
            let (id, was_unsubscribed): (i64, bool) = tx.query_row(
                "SELECT id, unsubscribed_at IS NOT NULL FROM shows WHERE feed_url = ?1",
                [url],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            if was_unsubscribed {
                tx.execute(
                    "UPDATE shows SET unsubscribed_at = NULL WHERE id = ?1",
                    [id],
                )?;
            }
            if inserted == 1 || was_unsubscribed {
                applied.added.push((ShowId(id), url.clone()));
            }
        }
        for url in remove {
            let Some((id, keep)) = tx
                .query_row(
                    "SELECT s.id, EXISTS (SELECT 1 FROM episodes e WHERE e.show_id = s.id
                             AND (e.download_path IS NOT NULL OR e.is_played = 1
                                  OR e.position_ms >= 1000))
                       FROM shows s WHERE s.feed_url = ?1 AND s.unsubscribed_at IS NULL",
                    [url],
                    |r| Ok((r.get::<_, i64>(0)?, r.get::<_, bool>(1)?)),
                )
                .optional()?
            else {
                continue;
            };
            if keep {
                tx.execute(
                    "UPDATE shows SET unsubscribed_at = ?2 WHERE id = ?1",
                    params![id, now_s()],
                )?;
                applied.kept.push(url.clone());
            } else {
                tx.execute("DELETE FROM shows WHERE id = ?1", [id])?;
                applied.removed.push(url.clone());
            }
        }
        set_applying(&tx, false)?;
        tx.commit()?;
        Ok(applied)
    }

    /// A feed the server moved (`update_urls`): the show keeps its episodes under the new URL.
    pub fn sync_rename_feed(&mut self, from: &str, to: &str) -> Result<(), LibraryError> {
        if from == to {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        set_applying(&tx, true)?;
        let taken: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM shows WHERE feed_url = ?1)",
            [to],
            |r| r.get(0),
        )?;
        if !taken {
            tx.execute(
                "UPDATE shows SET feed_url = ?2 WHERE feed_url = ?1",
                params![from, to],
            )?;
        }
        set_applying(&tx, false)?;
        tx.commit()?;
        Ok(())
    }

    /// Keeps received episode actions (the newest per episode) until they can be applied: those
    /// of shows subscribed here, or naming an episode's GUID here. Others' shows are not kept.
    pub fn sync_receive_actions(&mut self, actions: &[ReceivedAction]) -> Result<(), LibraryError> {
        let tx = self.conn.transaction()?;
        {
            let mut ours = tx.prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM shows WHERE feed_url = ?1)
                     OR (?2 IS NOT NULL AND EXISTS (SELECT 1 FROM episodes WHERE guid = ?2))",
            )?;
            let mut upsert = tx.prepare_cached(
                "INSERT INTO sync_inbox (podcast, episode, guid, action, position_s, total_s,
                                         timestamp, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (podcast, episode) DO UPDATE SET
                     guid = excluded.guid, action = excluded.action,
                     position_s = excluded.position_s, total_s = excluded.total_s,
                     timestamp = excluded.timestamp, received_at = excluded.received_at
                 WHERE excluded.timestamp >= sync_inbox.timestamp",
            )?;
            let now = now_s();
            for a in actions {
                let feed = normalized_feed(&a.podcast);
                let kept: bool = ours.query_row(params![feed, a.guid], |r| r.get(0))?;
                if !kept {
                    continue;
                }
                let (action, position_s, total_s) = match a.kind {
                    RemoteKind::Play {
                        position_s,
                        total_s,
                    } => ("play", Some(position_s as i64), total_s.map(|t| t as i64)),
                    RemoteKind::New => ("new", None, None),
                };
                upsert.execute(params![
                    feed,
                    a.episode,
                    a.guid,
                    action,
                    position_s,
                    total_s,
                    a.timestamp,
                    now
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Applies received episode actions whose episode is in the library, by the conflict rules
    /// in [`crate::sync::rules`]; the rest wait for their feed.
    pub fn sync_apply_inbox(&mut self) -> Result<AppliedActions, LibraryError> {
        let tx = self.conn.transaction()?;
        set_applying(&tx, true)?;
        let mut applied = AppliedActions::default();
        let inbox: Vec<ReceivedAction> = {
            let mut stmt = tx.prepare(
                "SELECT podcast, episode, guid, action, position_s, total_s, timestamp
                   FROM sync_inbox ORDER BY timestamp",
            )?;
            let rows = stmt.query_map([], |r| {
                let action: String = r.get(3)?;
                let kind = if action == "new" {
                    RemoteKind::New
                } else {
                    RemoteKind::Play {
                        position_s: r.get::<_, Option<i64>>(4)?.unwrap_or(0).max(0) as u64,
                        total_s: r
                            .get::<_, Option<i64>>(5)?
                            .filter(|&t| t > 0)
                            .map(|t| t as u64),
                    }
                };
                Ok(ReceivedAction {
                    podcast: r.get(0)?,
                    episode: r.get(1)?,
                    guid: r.get(2)?,
                    kind,
                    timestamp: r.get(6)?,
                })
            })?;
            rows.collect::<Result<_, _>>()?
        };
        for ReceivedAction {
            podcast,
            episode,
            guid,
            kind,
            timestamp,
        } in inbox
        {
            let Some(found) = find_episode(&tx, &podcast, &episode, guid.as_deref())? else {
                applied.waiting += 1;
                continue;
            };
            let decision = rules::decide(found.state, RemoteAction { kind, timestamp });
            let change = match decision {
                Decision::Keep => None,
                Decision::SetPosition { position_s } => Some((position_s * 1000, false)),
                Decision::MarkPlayed => Some((0, true)),
                Decision::MarkUnplayed => Some((0, false)),
            };
            match change {
                None => applied.kept += 1,
                Some((position_ms, played)) => {
                    // Stamped with the action's time, so the rules compare like with like.
                    tx.execute(
                        "UPDATE episodes SET position_ms = ?2, is_played = ?3, state_changed_at = ?4
                          WHERE id = ?1",
                        params![found.id, position_ms as i64, played, timestamp],
                    )?;
                    applied.changed += 1;
                }
            }
            tx.execute(
                "DELETE FROM sync_inbox WHERE podcast = ?1 AND episode = ?2",
                params![podcast, episode],
            )?;
        }
        tx.execute(
            "DELETE FROM sync_inbox WHERE timestamp < ?1",
            [now_s() - INBOX_KEEP_S],
        )?;
        set_applying(&tx, false)?;
        tx.commit()?;
        Ok(applied)
    }

    /// Records the end of a sync: the episode-actions timestamp to ask from next time (when the
    /// download got that far) and the error, if any.
    pub fn sync_record(
        &mut self,
        episodes_since: Option<i64>,
        error: Option<&str>,
    ) -> Result<(), LibraryError> {
        self.conn.execute(
            "UPDATE sync_account SET episodes_since = COALESCE(?1, episodes_since),
                                     last_synced_at = ?2, last_error = ?3
              WHERE id = 1",
            params![episodes_since, now_s(), error],
        )?;
        Ok(())
    }

    /// Whether the show was unsubscribed on another device (kept here for its downloads).
    pub fn is_unsubscribed_elsewhere(&self, id: ShowId) -> Result<bool, LibraryError> {
        Ok(self
            .conn
            .query_row(
                "SELECT unsubscribed_at IS NOT NULL FROM shows WHERE id = ?1",
                [id.0],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(false))
    }
}

fn clear_sync(tx: &Transaction<'_>) -> Result<(), LibraryError> {
    tx.execute_batch(
        "DELETE FROM sync_account; DELETE FROM sync_outbox;
         DELETE FROM sync_remote_subscriptions; DELETE FROM sync_inbox;",
    )?;
    Ok(())
}

fn set_applying(tx: &Transaction<'_>, applying: bool) -> Result<(), LibraryError> {
    tx.execute("UPDATE sync_account SET applying = ?1", [applying])?;
    Ok(())
}

struct FoundEpisode {
    id: i64,
    state: LocalState,
}

/// A feed URL in the form shows are stored (the server may write it otherwise).
fn normalized_feed(url: &str) -> String {
    crate::net::parse_web_url(url.trim()).map_or_else(|_| url.to_string(), String::from)
}

/// The episode an action names. In its show (when subscribed here): by GUID, then by enclosure
/// URL, then by the enclosure with trackers and query strings set aside. A show not here
/// (its feed moved): by GUID, then by the exact enclosure, anywhere.
fn find_episode(
    tx: &Transaction<'_>,
    podcast: &str,
    episode: &str,
    guid: Option<&str>,
) -> Result<Option<FoundEpisode>, LibraryError> {
    const COLUMNS: &str = "e.id, e.position_ms, e.is_played, e.state_changed_at,
                           COALESCE(e.audio_duration_ms / 1000, e.duration_s)";
    let read = |r: &rusqlite::Row<'_>| -> rusqlite::Result<FoundEpisode> {
        Ok(FoundEpisode {
            id: r.get(0)?,
            state: LocalState {
                position_s: (r.get::<_, i64>(1)?.max(0) / 1000) as u64,
                played: r.get(2)?,
                changed_at: r.get(3)?,
                total_s: r.get::<_, Option<i64>>(4)?.map(|t| t.max(0) as u64),
            },
        })
    };
    let guid = guid.filter(|g| !g.is_empty());
    let show: Option<i64> = tx
        .query_row("SELECT id FROM shows WHERE feed_url = ?1", [podcast], |r| {
            r.get(0)
        })
        .optional()?;
    let Some(show) = show else {
        if let Some(guid) = guid {
            let by_guid = tx
                .query_row(
                    &format!("SELECT {COLUMNS} FROM episodes e WHERE e.guid = ?1 LIMIT 1"),
                    [guid],
                    read,
                )
                .optional()?;
            if by_guid.is_some() {
                return Ok(by_guid);
            }
        }
        return Ok(tx
            .query_row(
                &format!("SELECT {COLUMNS} FROM episodes e WHERE e.enclosure_url = ?1 LIMIT 1"),
                [episode],
                read,
            )
            .optional()?);
    };
    if let Some(guid) = guid {
        let by_guid = tx
            .query_row(
                &format!("SELECT {COLUMNS} FROM episodes e WHERE e.show_id = ?1 AND e.guid = ?2"),
                params![show, guid],
                read,
            )
            .optional()?;
        if by_guid.is_some() {
            return Ok(by_guid);
        }
    }
    // The enclosure is what gPodder and older clients name the episode by.
    let exact = tx
        .query_row(
            &format!(
                "SELECT {COLUMNS} FROM episodes e WHERE e.show_id = ?1 AND e.enclosure_url = ?2"
            ),
            params![show, episode],
            read,
        )
        .optional()?;
    if exact.is_some() {
        return Ok(exact);
    }
    let Some(key) = enclosure_key(episode) else {
        return Ok(None);
    };
    // The same file behind another tracker or CDN query string, within the show.
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {COLUMNS}, e.enclosure_url FROM episodes e WHERE e.show_id = ?1"
    ))?;
    let mut rows = stmt.query([show])?;
    while let Some(row) = rows.next()? {
        let url: String = row.get(5)?;
        if enclosure_key(&url).as_deref() == Some(key.as_str()) {
            return Ok(Some(read(row)?));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed;
    use crate::net::CacheValidators;
    use crate::testkit::meta_tech_like_feed;

    const FEED: &str = "https://example.com/feed";

    /// A library with one show of three episodes (guids mtp-1..3, enclosures http://h/audio/epN.mp3).
    fn library() -> (Library, ShowId) {
        let mut library = Library::open_in_memory().expect("library");
        let (show, _) = library.subscribe(FEED).expect("subscribe");
        let parsed = feed::parse(meta_tech_like_feed("http://h", 3).to_xml().as_bytes(), None)
            .expect("feed");
        library
            .apply_feed(show, &parsed, &CacheValidators::default())
            .expect("apply");
        (library, show)
    }

    fn episode_id(library: &Library, show: ShowId, guid: &str) -> crate::EpisodeId {
        library
            .episodes(show)
            .expect("episodes")
            .into_iter()
            .find(|e| e.guid == guid)
            .map(|e| e.id)
            .expect("episode")
    }

    /// Logged in, with the first sync's upload (the whole library) already sent.
    fn logged_in_with_all_sent(library: &mut Library) {
        library
            .sync_login("http://127.0.0.1:1/", "ann", "desk")
            .unwrap();
        send_all(library);
    }

    fn send_all(library: &mut Library) {
        let pending = library.sync_pending().unwrap();
        library.sync_sent(&pending).unwrap();
    }

    fn kinds(library: &Library) -> Vec<String> {
        library
            .sync_pending()
            .expect("pending")
            .into_iter()
            .map(|p| match p.change {
                Change::Subscribe { feed_url } => format!("subscribe {feed_url}"),
                Change::Unsubscribe { feed_url } => format!("unsubscribe {feed_url}"),
                Change::Play {
                    guid, position_s, ..
                } => format!("play {guid} {position_s}"),
                Change::New { guid, .. } => format!("new {guid}"),
            })
            .collect()
    }

    #[test]
    fn changes_are_queued_only_while_logged_in_and_the_library_goes_first() {
        let (mut library, show) = library();
        let e2 = episode_id(&library, show, "mtp-2");
        library.set_position(e2, 61_000).unwrap();
        assert!(library.sync_pending().unwrap().is_empty(), "not logged in");
        library
            .sync_login("http://127.0.0.1:1/", "ann", "desk")
            .unwrap();
        assert_eq!(
            kinds(&library),
            [format!("subscribe {FEED}"), "play mtp-2 61".into()]
        );
        library.sync_logout().unwrap();
        assert!(library.sync_pending().unwrap().is_empty());
        library.set_position(e2, 62_000).unwrap();
        assert!(library.sync_pending().unwrap().is_empty(), "logged out");
    }

    #[test]
    fn later_changes_replace_unsent_ones_and_sending_forgets_only_what_was_sent() {
        let (mut library, show) = library();
        logged_in_with_all_sent(&mut library);
        let e1 = episode_id(&library, show, "mtp-1");
        library.set_position(e1, 10_000).unwrap();
        library.set_position(e1, 20_400).unwrap();
        assert_eq!(kinds(&library), ["play mtp-1 20"]);
        let snapshot = library.sync_pending().unwrap();
        // Listening goes on while the upload is on its way: that change is not lost.
        library.set_position(e1, 30_000).unwrap();
        library.sync_sent(&snapshot).unwrap();
        assert_eq!(kinds(&library), ["play mtp-1 30"]);
        // Finished: sent at its end, and marked unplayed: sent as `new`.
        library.set_position(e1, 0).unwrap();
        library.set_played(e1, true).unwrap();
        let finished = library.sync_pending().unwrap();
        assert!(
            matches!(&finished[0].change, Change::Play { position_s, total_s, .. } if Some(*position_s) == *total_s && *position_s > 0),
            "{finished:?}"
        );
        library.set_played(e1, false).unwrap();
        assert_eq!(kinds(&library), ["new mtp-1"]);
        // Unsubscribing queues the removal, kept though the show's rows are gone.
        library.unsubscribe(show).unwrap();
        assert_eq!(
            kinds(&library),
            ["new mtp-1".to_string(), format!("unsubscribe {FEED}")]
        );
    }

    #[test]
    fn received_changes_are_applied_without_being_sent_back() {
        let (mut library, show) = library();
        logged_in_with_all_sent(&mut library);
        let e3 = episode_id(&library, show, "mtp-3");
        library.set_position(e3, 5_000).unwrap();
        let applied = library
            .sync_apply_subscriptions(&["https://other.example/rss".into()], &[FEED.into()])
            .unwrap();
        assert_eq!(applied.added.len(), 1);
        assert_eq!(applied.kept, [FEED], "kept for its position");
        assert!(library.show(show).unwrap().unsubscribed_elsewhere);
        library
            .sync_receive_actions(&[ReceivedAction {
                podcast: FEED.into(),
                episode: "http://h/audio/ep2.mp3".into(),
                guid: None,
                kind: RemoteKind::Play {
                    position_s: 300,
                    total_s: None,
                },
                timestamp: now_s(),
            }])
            .unwrap();
        let applied = library.sync_apply_inbox().unwrap();
        assert_eq!(applied.changed, 1);
        let e2 = episode_id(&library, show, "mtp-2");
        assert_eq!(library.episode(e2).unwrap().summary.position_ms, 300_000);
        // Only the listener's own position change is waiting to be sent.
        assert_eq!(kinds(&library), ["play mtp-3 5"]);
        // Subscribing again brings the show back, and says so to the server.
        library.subscribe(FEED).unwrap();
        assert!(!library.show(show).unwrap().unsubscribed_elsewhere);
        assert_eq!(
            kinds(&library),
            ["play mtp-3 5".to_string(), format!("subscribe {FEED}")]
        );
    }

    #[test]
    fn an_action_for_an_episode_not_fetched_yet_waits_for_its_feed() {
        let mut library = Library::open_in_memory().unwrap();
        library
            .sync_login("http://127.0.0.1:1/", "ann", "desk")
            .unwrap();
        // Another device's show that is not subscribed here: its actions are not kept.
        library
            .sync_receive_actions(&[ReceivedAction {
                podcast: "https://elsewhere.example/rss".into(),
                episode: "https://elsewhere.example/1.mp3".into(),
                guid: Some("e-1".into()),
                kind: RemoteKind::New,
                timestamp: now_s(),
            }])
            .unwrap();
        assert_eq!(
            library.sync_apply_inbox().unwrap(),
            AppliedActions::default()
        );
        let applied = library
            .sync_apply_subscriptions(&[FEED.into()], &[])
            .unwrap();
        let (show, _) = applied.added[0].clone();
        library
            .sync_receive_actions(&[ReceivedAction {
                podcast: FEED.into(),
                episode: "https://dts.podtrac.com/redirect.mp3/h/audio/ep1.mp3".into(),
                guid: Some("mtp-1".into()),
                kind: RemoteKind::Play {
                    position_s: 3_600 * 5,
                    total_s: Some(60),
                },
                timestamp: now_s(),
            }])
            .unwrap();
        assert_eq!(library.sync_apply_inbox().unwrap().waiting, 1);
        let parsed =
            feed::parse(meta_tech_like_feed("http://h", 3).to_xml().as_bytes(), None).unwrap();
        library
            .apply_feed(show, &parsed, &CacheValidators::default())
            .unwrap();
        assert_eq!(library.sync_apply_inbox().unwrap().changed, 1);
        let e1 = episode_id(&library, show, "mtp-1");
        assert!(library.episode(e1).unwrap().summary.is_played);
        assert_eq!(
            library.sync_apply_inbox().unwrap(),
            AppliedActions::default()
        );
    }

    #[test]
    fn logging_in_again_to_the_same_account_keeps_what_waits() {
        let (mut library, show) = library();
        assert!(library
            .sync_login("http://127.0.0.1:1/", "ann", "desk")
            .unwrap());
        send_all(&mut library);
        library.unsubscribe(show).unwrap();
        assert!(!library
            .sync_login("http://127.0.0.1:1/", "ann", "desk")
            .unwrap());
        assert_eq!(kinds(&library), [format!("unsubscribe {FEED}")]);
        // Another account starts over.
        assert!(library
            .sync_login("http://127.0.0.1:1/", "bob", "desk")
            .unwrap());
        assert!(kinds(&library).is_empty());
    }

    #[test]
    fn a_finished_episode_of_unknown_length_is_sent_at_its_end() {
        let mut library = Library::open_in_memory().unwrap();
        let (show, _) = library.subscribe(FEED).unwrap();
        let parsed = feed::parse(
            br#"<rss version="2.0"><channel><title>T</title><item><title>A</title><guid>a</guid>
            <enclosure url="http://h/a.mp3" type="audio/mpeg"/></item></channel></rss>"#,
            None,
        )
        .unwrap();
        library
            .apply_feed(show, &parsed, &CacheValidators::default())
            .unwrap();
        logged_in_with_all_sent(&mut library);
        let a = episode_id(&library, show, "a");
        library.set_position(a, 0).unwrap();
        library.set_played(a, true).unwrap();
        let sent = library.sync_pending().unwrap();
        assert!(
            matches!(
                &sent[0].change,
                Change::Play {
                    position_s: 1,
                    total_s: Some(1),
                    ..
                }
            ),
            "{sent:?}"
        );
    }
}
