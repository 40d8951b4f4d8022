//! Up Next: the listener's queue of episodes, in order.
//!
//! Order keys are dense (0, 1, 2, …): every change rewrites the queue in one transaction, which
//! for a listener's queue (tens of items) is cheaper than gaps to manage.

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

/// One item of Up Next.
type Entry = (EpisodeId, Option<u64>);

impl Library {
    /// The queue, first first.
    pub fn queue(&self) -> Result<Vec<EpisodeId>, LibraryError> {
        Ok(self.entries()?.into_iter().map(|(id, _)| id).collect())
    }

    /// Where `id` starts when its turn comes: a chapter it was queued at, else `None` (where the
    /// listener left off, or not queued).
    pub fn queue_start(&self, id: EpisodeId) -> Result<Option<u64>, LibraryError> {
        Ok(self
            .entries()?
            .into_iter()
            .find(|(q, _)| *q == id)
            .and_then(|(_, start)| start))
    }

    fn entries(&self) -> Result<Vec<Entry>, LibraryError> {
        let mut select = self
            .conn
            .prepare_cached("SELECT episode_id, start_ms FROM queue ORDER BY ord")?;
        let entries = select
            .query_map([], |r| {
                Ok((
                    EpisodeId(r.get(0)?),
                    r.get::<_, Option<i64>>(1)?.map(|ms| ms.max(0) as u64),
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(entries)
    }

    /// Puts `ids` in the queue at `place`, in the order given, each to start where the listener
    /// left off. An episode already queued moves there; an id that is no episode is an error
    /// and nothing changes.
    pub fn queue_add(&mut self, ids: &[EpisodeId], place: QueuePlace) -> Result<(), LibraryError> {
        let items: Vec<Entry> = ids.iter().map(|id| (*id, None)).collect();
        self.queue_add_entries(&items, place)
    }

    /// Queues `id` to start at `start_ms` (a chapter) when its turn comes.
    pub fn queue_add_at(
        &mut self,
        id: EpisodeId,
        start_ms: u64,
        place: QueuePlace,
    ) -> Result<(), LibraryError> {
        self.queue_add_entries(&[(id, Some(start_ms))], place)
    }

    fn queue_add_entries(
        &mut self,
        items: &[Entry],
        place: QueuePlace,
    ) -> Result<(), LibraryError> {
        let mut order = self.entries()?;
        for (id, _) in items {
            self.episode_exists(*id)?;
        }
        order.retain(|(q, _)| !items.iter().any(|(id, _)| id == q));
        let at = match place {
            QueuePlace::Last => order.len(),
            QueuePlace::Next { after } => after
                .and_then(|a| order.iter().position(|(q, _)| *q == a))
                .map_or(0, |i| i + 1),
        };
        let mut unique: Vec<Entry> = Vec::with_capacity(items.len());
        for item in items {
            if !unique.iter().any(|(id, _)| *id == item.0) {
                unique.push(*item);
            }
        }
        order.splice(at..at, unique);
        self.write_queue(&order)
    }

    /// Takes `id` out of the queue; false when it was not in it.
    pub fn queue_remove(&mut self, id: EpisodeId) -> Result<bool, LibraryError> {
        let mut order = self.entries()?;
        let before = order.len();
        order.retain(|(q, _)| *q != id);
        if order.len() == before {
            return Ok(false);
        }
        self.write_queue(&order)?;
        Ok(true)
    }

    /// Moves `id` to `index` (0 = first; past the end = last); false when it is not queued.
    pub fn queue_move(&mut self, id: EpisodeId, index: usize) -> Result<bool, LibraryError> {
        let mut order = self.entries()?;
        let Some(from) = order.iter().position(|(q, _)| *q == id) else {
            return Ok(false);
        };
        let entry = order.remove(from);
        let to = index.min(order.len());
        order.insert(to, entry);
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

    fn write_queue(&mut self, order: &[Entry]) -> Result<(), LibraryError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM queue", [])?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO queue (episode_id, ord, start_ms) VALUES (?1, ?2, ?3)",
            )?;
            for (ord, (id, start)) in order.iter().enumerate() {
                let start = start.map(|ms| ms.min(i64::MAX as u64) as i64);
                insert.execute(params![id.0, ord as i64, start])?;
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
    fn a_chapter_queued_keeps_its_start_through_moves_and_loses_it_when_queued_again() {
        let (mut lib, e) = library_with(3);
        lib.queue_add(&[e[0], e[1]], QueuePlace::Last).expect("add");
        lib.queue_add_at(e[2], 754_000, QueuePlace::Next { after: Some(e[0]) })
            .expect("chapter");
        assert_eq!(lib.queue().expect("q"), vec![e[0], e[2], e[1]]);
        assert_eq!(lib.queue_start(e[2]).expect("start"), Some(754_000));
        assert_eq!(lib.queue_start(e[0]).expect("start"), None);
        lib.queue_move(e[2], 2).expect("move");
        assert_eq!(lib.queue_start(e[2]).expect("start"), Some(754_000));
        lib.queue_add(&[e[2]], QueuePlace::Last).expect("again");
        assert_eq!(lib.queue_start(e[2]).expect("start"), None);
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
