//! Up Next: the listener's queue of episodes, in order.
//!
//! Order keys are dense (0, 1, 2, …): every change rewrites the few rows after the change in
//! one transaction, which for a listener's queue (tens of items) is cheaper than gaps to manage.

use rusqlite::{params, OptionalExtension};

use super::{Library, LibraryError};
use crate::library::EpisodeId;

/// Where new items go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueuePlace {
    /// Right after `after` when it is queued (the episode playing), else first.
    Next { after: Option<EpisodeId> },
    /// At the end.
    Last,
}

impl Library {
    /// The queue, first first.
    pub fn queue(&self) -> Result<Vec<EpisodeId>, LibraryError> {
        let mut select = self
            .conn
            .prepare_cached("SELECT episode_id FROM queue ORDER BY ord")?;
        let ids = select
            .query_map([], |r| r.get(0).map(EpisodeId))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ids)
    }

    /// Puts `ids` in the queue at `place`, in the order given. An episode already queued moves
    /// there; an id that is no episode is an error and nothing changes.
    pub fn queue_add(&mut self, ids: &[EpisodeId], place: QueuePlace) -> Result<(), LibraryError> {
        let mut order = self.queue()?;
        for id in ids {
            self.episode_exists(*id)?;
        }
        order.retain(|q| !ids.contains(q));
        let at = match place {
            QueuePlace::Last => order.len(),
            QueuePlace::Next { after } => after
                .and_then(|a| order.iter().position(|q| *q == a))
                .map_or(0, |i| i + 1),
        };
        let mut unique: Vec<EpisodeId> = Vec::with_capacity(ids.len());
        for id in ids {
            if !unique.contains(id) {
                unique.push(*id);
            }
        }
        order.splice(at..at, unique);
        self.write_queue(&order)
    }

    /// Takes `id` out of the queue; false when it was not in it.
    pub fn queue_remove(&mut self, id: EpisodeId) -> Result<bool, LibraryError> {
        let mut order = self.queue()?;
        let before = order.len();
        order.retain(|q| *q != id);
        if order.len() == before {
            return Ok(false);
        }
        self.write_queue(&order)?;
        Ok(true)
    }

    /// Moves `id` to `index` (0 = first; past the end = last); false when it is not queued.
    pub fn queue_move(&mut self, id: EpisodeId, index: usize) -> Result<bool, LibraryError> {
        let mut order = self.queue()?;
        let Some(from) = order.iter().position(|q| *q == id) else {
            return Ok(false);
        };
        order.remove(from);
        let to = index.min(order.len());
        order.insert(to, id);
        self.write_queue(&order)?;
        Ok(true)
    }

    pub fn queue_clear(&mut self) -> Result<(), LibraryError> {
        self.conn.execute("DELETE FROM queue", [])?;
        Ok(())
    }

    /// The item after `id` in the queue (the first when `id` is not queued), if any.
    pub fn queue_next_after(
        &self,
        id: Option<EpisodeId>,
    ) -> Result<Option<EpisodeId>, LibraryError> {
        let order = self.queue()?;
        let next = match id.and_then(|id| order.iter().position(|q| *q == id)) {
            Some(i) => order.get(i + 1).copied(),
            None => order.first().copied(),
        };
        Ok(next)
    }

    /// The episodes whose feed GUID is `guid` (one, unless two shows reuse a GUID).
    pub fn episodes_with_guid(&self, guid: &str) -> Result<Vec<EpisodeId>, LibraryError> {
        let mut select = self
            .conn
            .prepare_cached("SELECT id FROM episodes WHERE guid = ?1 ORDER BY id")?;
        let ids = select
            .query_map([guid], |r| r.get(0).map(EpisodeId))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ids)
    }

    fn episode_exists(&self, id: EpisodeId) -> Result<(), LibraryError> {
        let found: Option<i64> = self
            .conn
            .query_row("SELECT id FROM episodes WHERE id = ?1", [id.0], |r| {
                r.get(0)
            })
            .optional()?;
        found.map(|_| ()).ok_or(LibraryError::NotFound {
            what: "episode",
            id: id.0,
        })
    }

    fn write_queue(&mut self, order: &[EpisodeId]) -> Result<(), LibraryError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM queue", [])?;
        {
            let mut insert =
                tx.prepare_cached("INSERT INTO queue (episode_id, ord) VALUES (?1, ?2)")?;
            for (ord, id) in order.iter().enumerate() {
                insert.execute(params![id.0, ord as i64])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{FeedBuilder, ItemBuilder};

    /// A library with one show of `n` episodes; their ids, in id order.
    fn library_with(n: usize) -> (Library, Vec<EpisodeId>) {
        let mut library = Library::open_in_memory().expect("library");
        let mut feed = FeedBuilder::new("Show");
        for i in 0..n {
            feed = feed.item(ItemBuilder::audio(
                &format!("Episode {i}"),
                &format!("g{i}"),
                &format!("https://example.test/{i}.mp3"),
            ));
        }
        let parsed = crate::feed::parse(feed.to_xml().as_bytes(), None).expect("feed");
        let (show, _) = library
            .subscribe("https://example.test/feed")
            .expect("subscribe");
        library
            .apply_feed(show, &parsed, &Default::default())
            .expect("apply");
        let mut ids: Vec<EpisodeId> = library
            .episodes(show)
            .expect("episodes")
            .iter()
            .map(|e| e.id)
            .collect();
        ids.sort();
        (library, ids)
    }

    #[test]
    fn add_last_and_next_keep_the_order_and_each_episode_once() {
        let (mut lib, e) = library_with(5);
        lib.queue_add(&[e[0], e[1]], QueuePlace::Last).expect("add");
        lib.queue_add(&[e[2]], QueuePlace::Next { after: Some(e[0]) })
            .expect("next");
        assert_eq!(lib.queue().expect("queue"), vec![e[0], e[2], e[1]]);
        // Again: it moves rather than doubling.
        lib.queue_add(&[e[0]], QueuePlace::Last).expect("again");
        assert_eq!(lib.queue().expect("queue"), vec![e[2], e[1], e[0]]);
        // Next with nothing playing: first.
        lib.queue_add(&[e[3], e[3]], QueuePlace::Next { after: None })
            .expect("first");
        assert_eq!(lib.queue().expect("queue"), vec![e[3], e[2], e[1], e[0]]);
    }

    #[test]
    fn move_remove_clear_and_next_after() {
        let (mut lib, e) = library_with(4);
        lib.queue_add(&e, QueuePlace::Last).expect("add");
        assert!(lib.queue_move(e[3], 0).expect("move"));
        assert!(lib.queue_move(e[0], 99).expect("move to end"));
        assert_eq!(lib.queue().expect("q"), vec![e[3], e[1], e[2], e[0]]);
        assert_eq!(lib.queue_next_after(Some(e[1])).expect("next"), Some(e[2]));
        assert_eq!(lib.queue_next_after(Some(e[0])).expect("last"), None);
        assert_eq!(lib.queue_next_after(None).expect("first"), Some(e[3]));
        assert!(lib.queue_remove(e[1]).expect("remove"));
        assert!(!lib.queue_remove(e[1]).expect("twice"));
        assert!(!lib.queue_move(e[1], 0).expect("not queued"));
        lib.queue_clear().expect("clear");
        assert!(lib.queue().expect("q").is_empty());
    }

    #[test]
    fn an_unknown_episode_changes_nothing_and_a_removed_show_leaves_the_queue() {
        let (mut lib, e) = library_with(2);
        lib.queue_add(&[e[0]], QueuePlace::Last).expect("add");
        let err = lib.queue_add(&[e[1], EpisodeId(9999)], QueuePlace::Last);
        assert!(matches!(err, Err(LibraryError::NotFound { .. })), "{err:?}");
        assert_eq!(lib.queue().expect("q"), vec![e[0]]);
        let show = lib.shows().expect("shows")[0].id;
        lib.unsubscribe(show).expect("unsubscribe");
        assert!(lib.queue().expect("q").is_empty());
    }
}
