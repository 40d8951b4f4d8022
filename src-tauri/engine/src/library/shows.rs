//! Show rows: subscriptions and their feed cache state.

use rusqlite::{params, OptionalExtension, Row};

use super::{now_rfc3339, Library, LibraryError};
use crate::net::CacheValidators;

/// Row id of a show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ShowId(pub i64);

/// A subscribed show as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Show {
    pub id: ShowId,
    pub feed_url: String,
    /// Empty until the feed has been fetched once.
    pub title: String,
    pub link: Option<String>,
    pub image_url: Option<String>,
    pub description_html: String,
    pub author: Option<String>,
    pub validators: CacheValidators,
    /// RFC 3339 time of the last successful refresh.
    pub last_refreshed_at: Option<String>,
    /// What went wrong in the last refresh, if it failed.
    pub last_error: Option<String>,
    pub episode_count: u32,
    /// Another device unsubscribed (sync) while this one had downloads or positions in it:
    /// kept, not refreshed or synced, until the listener subscribes again or deletes it.
    pub unsubscribed_elsewhere: bool,
}

const SHOW_COLUMNS: &str =
    "s.id, s.feed_url, s.title, s.link, s.image_url, s.description_html, s.author, \
     s.etag, s.last_modified, s.last_refreshed_at, s.last_error, \
     (SELECT COUNT(*) FROM episodes e WHERE e.show_id = s.id), s.unsubscribed_at IS NOT NULL";

fn show_from_row(row: &Row<'_>) -> rusqlite::Result<Show> {
    Ok(Show {
        id: ShowId(row.get(0)?),
        feed_url: row.get(1)?,
        title: row.get(2)?,
        link: row.get(3)?,
        image_url: row.get(4)?,
        description_html: row.get(5)?,
        author: row.get(6)?,
        validators: CacheValidators {
            etag: row.get(7)?,
            last_modified: row.get(8)?,
        },
        last_refreshed_at: row.get(9)?,
        last_error: row.get(10)?,
        episode_count: row.get(11)?,
        unsubscribed_elsewhere: row.get(12)?,
    })
}

impl Library {
    /// Adds a subscription (or finds the existing one for the same URL).
    /// Returns the show and whether it was newly added.
    pub fn subscribe(&mut self, feed_url: &str) -> Result<(ShowId, bool), LibraryError> {
        let inserted = self.conn.execute(
            "INSERT OR IGNORE INTO shows (feed_url, subscribed_at) VALUES (?1, ?2)",
            params![feed_url, now_rfc3339()],
        )?;
        // Subscribing again to a show another device unsubscribed from.
        self.conn.execute(
            "UPDATE shows SET unsubscribed_at = NULL
              WHERE feed_url = ?1 AND unsubscribed_at IS NOT NULL",
            [feed_url],
        )?;
        let id = self.conn.query_row(
            "SELECT id FROM shows WHERE feed_url = ?1",
            [feed_url],
            |r| r.get(0),
        )?;
        Ok((ShowId(id), inserted == 1))
    }

    /// Removes a show and its episodes.
    pub fn unsubscribe(&mut self, id: ShowId) -> Result<(), LibraryError> {
        self.conn
            .execute("DELETE FROM shows WHERE id = ?1", [id.0])?;
        Ok(())
    }

    /// Every show, in the order they were subscribed.
    pub fn shows(&self) -> Result<Vec<Show>, LibraryError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {SHOW_COLUMNS} FROM shows s ORDER BY s.id"))?;
        let rows = stmt.query_map([], show_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn show(&self, id: ShowId) -> Result<Show, LibraryError> {
        self.conn
            .query_row(
                &format!("SELECT {SHOW_COLUMNS} FROM shows s WHERE s.id = ?1"),
                [id.0],
                show_from_row,
            )
            .optional()?
            .ok_or(LibraryError::NotFound {
                what: "show",
                id: id.0,
            })
    }

    /// True when nothing was ever subscribed (first run).
    pub fn has_no_shows(&self) -> Result<bool, LibraryError> {
        let count: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM shows", [], |r| r.get(0))?;
        Ok(count == 0)
    }

    /// Records that a refresh failed; stored episodes stay as they are.
    pub fn record_refresh_error(&mut self, id: ShowId, message: &str) -> Result<(), LibraryError> {
        self.conn.execute(
            "UPDATE shows SET last_error = ?2 WHERE id = ?1",
            params![id.0, message],
        )?;
        Ok(())
    }

    /// Records that a show was asked for now, and the server's wish not to be asked again
    /// before `not_before` (unix seconds), if it said so.
    pub fn record_checked(
        &mut self,
        id: ShowId,
        now: i64,
        not_before: Option<i64>,
    ) -> Result<(), LibraryError> {
        self.conn.execute(
            "UPDATE shows SET last_checked_at = ?2, not_before = ?3 WHERE id = ?1",
            params![id.0, now, not_before],
        )?;
        Ok(())
    }

    /// Shows due for a background refresh at `now`: last asked for at least `min_age_s`
    /// seconds ago (or never) and not held back by the server.
    pub fn shows_due(&self, now: i64, min_age_s: i64) -> Result<Vec<ShowId>, LibraryError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM shows
             WHERE (last_checked_at IS NULL OR last_checked_at + ?2 <= ?1)
               AND (not_before IS NULL OR not_before <= ?1)
               AND unsubscribed_at IS NULL
             ORDER BY id",
        )?;
        let rows = stmt.query_map(params![now, min_age_s], |r| Ok(ShowId(r.get(0)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records a `304 Not Modified`: the show is current as of now.
    pub fn record_not_modified(&mut self, id: ShowId) -> Result<(), LibraryError> {
        self.conn.execute(
            "UPDATE shows SET last_refreshed_at = ?2, last_error = NULL WHERE id = ?1",
            params![id.0, now_rfc3339()],
        )?;
        Ok(())
    }
}
