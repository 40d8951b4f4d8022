//! Search across every episode, chapter and transcript: the FTS5 index (kept in step with each
//! write to an episode, its chapters or its transcript: they list the episode for re-indexing
//! in the same transaction) and queries with marked-up hits.

use rusqlite::{params, Connection};

use super::chapters::known_chapters;
use super::episodes::read_episode;
use super::transcripts::read_cues;
use super::{EpisodeId, Library, LibraryError, ShowId};
use crate::chapters::shownotes::notes_text;

/// Most results one query returns.
pub const MAX_RESULTS: usize = 50;

/// Column weights for bm25 (title, chapter, notes): a match in an episode or chapter title
/// outranks any number of matches in the notes (bm25 saturates term frequency).
const RANK: &str = "bm25(search_fts, 100.0, 100.0, 1.0)";
/// Spoken words have a table of their own (see the migration); its scores are on the notes'
/// scale, so notes and transcript hits are ranked together.
const SPOKEN_RANK: &str = "bm25(search_spoken)";

/// Matches ranked per query (see [`Library::ranked_docs`]).
const RANKED_CANDIDATES: i64 = 500;
/// The same for spoken words. Fewer: an episode has ~150 passages, and a hit list shows one
/// passage per episode, so 200 of them still reach well past the newest episode; ranking
/// costs ~20 µs a candidate, and common spoken words match almost every passage.
const SPOKEN_CANDIDATES: i64 = 200;

/// What a hit matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HitKind {
    /// The episode's title.
    Title,
    /// The show notes (and not the title).
    Notes,
    /// A chapter's title.
    Chapter,
    /// Something said: a cue of the transcript.
    Transcript,
}

/// One search result: an episode, one chapter of it, or a cue of its transcript.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub kind: HitKind,
    pub episode_id: EpisodeId,
    pub show_id: ShowId,
    pub podcast: String,
    pub episode_guid: String,
    pub episode_title: String,
    /// Unix seconds, UTC.
    pub published_at: Option<i64>,
    /// Set when the hit is a chapter.
    pub chapter_title: Option<String>,
    /// Where the chapter or the cue starts.
    pub start_ms: Option<u64>,
    /// The episode title, with the words that matched marked.
    pub title_runs: Vec<TextRun>,
    /// The chapter title with the matches marked; empty for an episode hit.
    pub chapter_runs: Vec<TextRun>,
    /// A short excerpt of the show notes around the first match, or the cue that matched;
    /// empty when neither did.
    pub snippet_runs: Vec<TextRun>,
    /// Who said it, for a transcript hit whose transcript names speakers.
    pub speaker: Option<String>,
}

/// A piece of text, marked when it matched the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextRun {
    pub text: String,
    pub hit: bool,
}

impl Library {
    /// Searches episode titles, show notes, chapter titles and transcripts across every show,
    /// best first: title and chapter matches before notes and transcript matches.
    /// The last word counts as a prefix (search as you type); word forms match ("cache" finds
    /// "Caching"). Any text is accepted: FTS syntax in it is treated as words.
    pub fn search(&mut self, query: &str, limit: usize) -> Result<Vec<SearchHit>, LibraryError> {
        self.index_pending()?;
        let terms = QueryTerms::parse(query);
        let Some(exact) = terms.fts_query(false) else {
            return Ok(Vec::new());
        };
        let limit = limit.min(MAX_RESULTS);
        // Complete words first. A prefix of a common word ("about"*) makes FTS5 merge the
        // doclists of every term it starts, so within each tier the last word is taken as a
        // prefix only for what the complete words did not find: while typing, the unfinished
        // word finds the rest.
        let prefix = if terms.last_is_prefix {
            terms.fts_query(true)
        } else {
            None
        };
        let ranked = self.ranked_tiers(&exact, prefix.as_deref(), limit)?;
        let mut episode_row = self.conn.prepare_cached(
            "SELECT e.title, e.guid, e.published_at, s.id, s.title
             FROM episodes e JOIN shows s ON s.id = e.show_id WHERE e.id = ?1",
        )?;
        let mut chapter_row = self
            .conn
            .prepare_cached("SELECT title, start_ms FROM search_chapters WHERE doc_id = ?1")?;
        let mut passage_row = self
            .conn
            .prepare_cached("SELECT first_seq, last_seq FROM search_passages WHERE doc_id = ?1")?;
        let mut timed_of = self
            .conn
            .prepare_cached("SELECT timed FROM transcripts WHERE episode_id = ?1")?;
        let mut notes_of = self
            .conn
            .prepare_cached("SELECT description_html FROM episodes WHERE id = ?1")?;
        let mut hits = Vec::with_capacity(ranked.len());
        for doc in ranked {
            let episode_id = EpisodeId(doc.div_euclid(DOC_SLOTS));
            let (title, guid, published_at, show, podcast) =
                episode_row.query_row([episode_id.0], |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, Option<i64>>(2)?,
                        ShowId(row.get(3)?),
                        row.get::<_, String>(4)?,
                    ))
                })?;
            let mut hit = SearchHit {
                kind: HitKind::Title,
                episode_id,
                show_id: show,
                podcast,
                episode_guid: guid,
                title_runs: terms.mark(&title),
                episode_title: title,
                published_at,
                chapter_title: None,
                start_ms: None,
                chapter_runs: Vec::new(),
                snippet_runs: Vec::new(),
                speaker: None,
            };
            let slot = doc.rem_euclid(DOC_SLOTS);
            if slot == 0 {
                let notes: String = notes_of.query_row([episode_id.0], |r| r.get(0))?;
                hit.snippet_runs = terms.snippet(&notes_text(&notes));
                if !hit.title_runs.iter().any(|r| r.hit) {
                    hit.kind = HitKind::Notes;
                }
            } else if slot < PASSAGE_SLOT_BASE {
                let (chapter, start) = chapter_row.query_row([doc], |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, i64>(1)?.max(0) as u64,
                    ))
                })?;
                hit.kind = HitKind::Chapter;
                hit.chapter_runs = terms.mark(&chapter);
                hit.chapter_title = Some(chapter);
                hit.start_ms = Some(start);
            } else {
                let (first, last) = passage_row.query_row([doc], |row| {
                    Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?))
                })?;
                let timed: bool = timed_of.query_row([episode_id.0], |r| r.get(0))?;
                let cues = read_cues(&self.conn, episode_id, first, last)?;
                // The cue that says most of what was asked; the passage's first without one.
                let best = cues
                    .iter()
                    .enumerate()
                    .max_by_key(|(i, cue)| (terms.matched_words(&cue.text), std::cmp::Reverse(*i)))
                    .map(|(_, cue)| cue);
                hit.kind = HitKind::Transcript;
                if let Some(cue) = best {
                    hit.snippet_runs = terms.mark(&cue.text);
                    hit.speaker = cue.speaker.clone();
                    hit.start_ms = timed.then_some(cue.start_ms);
                }
            }
            hits.push(hit);
        }
        Ok(hits)
    }

    /// Title and chapter matches first, then notes and what was said ranked together. Each
    /// tier asks with complete words, then (when the last word may be unfinished) with it as a
    /// prefix for what is still missing.
    fn ranked_tiers(
        &self,
        exact: &str,
        prefix: Option<&str>,
        limit: usize,
    ) -> Result<Vec<i64>, LibraryError> {
        let titles = |query: &str| format!("{{title chapter}} : ({query})");
        let mut ranked: Vec<i64> = self
            .ranked_docs(Index::Written, &titles(exact), limit, &[])?
            .into_iter()
            .map(|(doc, _)| doc)
            .collect();
        if let Some(prefix) = prefix.filter(|_| ranked.len() < limit) {
            let more = self.ranked_docs(
                Index::Written,
                &titles(prefix),
                limit - ranked.len(),
                &ranked,
            )?;
            ranked.extend(more.into_iter().map(|(doc, _)| doc));
        }
        if ranked.len() >= limit {
            return Ok(ranked);
        }
        let wanted = limit - ranked.len();
        let mut written = self.ranked_docs(Index::Written, exact, wanted, &ranked)?;
        // Every spoken candidate: one passage per episode is kept of them.
        let mut spoken = one_per_episode(self.ranked_docs(
            Index::Spoken,
            exact,
            SPOKEN_CANDIDATES as usize,
            &[],
        )?);
        if let Some(prefix) = prefix.filter(|_| written.len() + spoken.len() < wanted) {
            let listed: Vec<i64> = ranked
                .iter()
                .chain(written.iter().map(|(doc, _)| doc))
                .copied()
                .collect();
            let more = self.ranked_docs(Index::Written, prefix, wanted - written.len(), &listed)?;
            written.extend(more);
            let said: Vec<i64> = spoken
                .iter()
                .map(|(doc, _)| doc.div_euclid(DOC_SLOTS))
                .collect();
            let more = one_per_episode(self.ranked_docs(
                Index::Spoken,
                prefix,
                SPOKEN_CANDIDATES as usize,
                &[],
            )?);
            spoken.extend(
                more.into_iter()
                    .filter(|(doc, _)| !said.contains(&doc.div_euclid(DOC_SLOTS))),
            );
        }
        ranked.extend(interleave(written, spoken, wanted));
        Ok(ranked)
    }

    /// The best `limit` documents of `index` for an FTS query with their scores (lower is
    /// better), best first, leaving out `skip`. Relevance (bm25) is ranked among the newest
    /// [`RANKED_CANDIDATES`] matches: FTS5 walks its doclist newest first and stops there, so a
    /// word found in every episode costs no more than a rare one. Below that many matches the
    /// ranking is exact.
    fn ranked_docs(
        &self,
        index: Index,
        fts_query: &str,
        limit: usize,
        skip: &[i64],
    ) -> Result<Vec<(i64, f64)>, LibraryError> {
        let (table, rank, candidates) = match index {
            Index::Written => ("search_fts", RANK, RANKED_CANDIDATES),
            Index::Spoken => ("search_spoken", SPOKEN_RANK, SPOKEN_CANDIDATES),
        };
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT doc_id, score FROM (
                SELECT rowid AS doc_id, {rank} AS score FROM {table}
                WHERE {table} MATCH ?1 ORDER BY rowid DESC LIMIT ?2
             ) ORDER BY score LIMIT ?3"
        ))?;
        // An error from here on is about the query (the index refused it), not the library.
        let refused = |e: rusqlite::Error| LibraryError::Search {
            detail: e.to_string(),
        };
        let rows = stmt
            .query_map(
                params![fts_query, candidates, (limit + skip.len()) as i64],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, f64>(1)?)),
            )
            .map_err(refused)?;
        let mut docs = Vec::with_capacity(limit);
        for doc in rows {
            let doc = doc.map_err(refused)?;
            if !skip.contains(&doc.0) && docs.len() < limit {
                docs.push(doc);
            }
        }
        Ok(docs)
    }

    /// Writes the index rows of every episode changed since the last call (one transaction);
    /// returns how many. Cheap when nothing is pending.
    pub fn index_pending(&mut self) -> Result<usize, LibraryError> {
        self.index_some(i64::MAX)
    }

    /// Like [`Library::index_pending`], for at most `max` episodes: a background indexer
    /// calls this in a loop, letting go of the library between steps (an hour of transcript
    /// is a few thousand rows).
    pub fn index_some(&mut self, max: i64) -> Result<usize, LibraryError> {
        // A search must not write when there is nothing to write: with a refresh running in
        // another process, even an empty write transaction would wait on (or fail against) it.
        let pending: bool = self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM search_pending)")?
            .query_row([], |r| r.get(0))?;
        if !pending {
            return Ok(0);
        }
        // Immediate: take the write lock before reading what to write, so a writer in another
        // process makes this wait (busy timeout), never fail half-way as a deferred upgrade can.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let ids: Vec<i64> = tx
            .prepare_cached("SELECT episode_id FROM search_pending LIMIT ?1")?
            .query_map([max], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut done = tx.prepare_cached("DELETE FROM search_pending WHERE episode_id = ?1")?;
        for &id in &ids {
            index_episode(&tx, EpisodeId(id))?;
            done.execute([id])?;
        }
        drop(done);
        tx.commit()?;
        Ok(ids.len())
    }
}

/// Lists an episode for (re)indexing by [`Library::index_pending`].
pub(super) fn mark_pending(conn: &Connection, id: EpisodeId) -> Result<(), LibraryError> {
    conn.prepare_cached("INSERT OR IGNORE INTO search_pending (episode_id) VALUES (?1)")?
        .execute([id.0])?;
    Ok(())
}

/// The best passage of each episode, in rank order: a list of hits shows where an episode
/// says it, not the same episode fifty times.
fn one_per_episode(docs: Vec<(i64, f64)>) -> Vec<(i64, f64)> {
    let mut seen = std::collections::HashSet::new();
    docs.into_iter()
        .filter(|(doc, _)| seen.insert(doc.div_euclid(DOC_SLOTS)))
        .collect()
}

/// Notes and transcript hits in one list of `limit`. Their bm25 scores come from different
/// tables (long notes, short passages) and are not comparable as they are; each is taken
/// relative to its list's best, so the best of each come first and the rest follow by how
/// close they come to it.
fn interleave(written: Vec<(i64, f64)>, spoken: Vec<(i64, f64)>, limit: usize) -> Vec<i64> {
    let relative = |list: Vec<(i64, f64)>| {
        // bm25 is negative, best first: the best is the most negative.
        let best = list
            .first()
            .map_or(-1.0, |(_, s)| s.min(-f64::MIN_POSITIVE));
        list.into_iter()
            .map(move |(doc, score)| (doc, score / best))
            .collect::<Vec<_>>()
    };
    let mut all = relative(written);
    all.extend(relative(spoken));
    // Stable: on a tie the written hit (earlier in the list) stays first.
    all.sort_by(|a, b| b.1.total_cmp(&a.1));
    all.into_iter().take(limit).map(|(doc, _)| doc).collect()
}

/// The two FTS tables: what was written (titles, chapters, notes) and what was said.
#[derive(Debug, Clone, Copy)]
enum Index {
    Written,
    Spoken,
}

/// Index rows per episode: the episode itself, up to 4,095 chapters, then up to 12,288
/// transcript passages (~80 hours of speech; see the migration). Small on purpose: FTS5
/// stores row id deltas as varints, and below 2^14 they take two bytes (2^20 made the index
/// 10 % larger).
const DOC_SLOTS: i64 = 16_384;
/// The first passage's slot; chapters use the ones below.
const PASSAGE_SLOT_BASE: i64 = 4096;
/// Words a transcript passage gathers before the next cue starts a new one. A passage is one
/// index row: fewer, longer rows keep the index small, and a query's words may be said across
/// neighbouring cues.
const PASSAGE_WORDS: usize = 60;

/// Replaces an episode's rows in the index: one for the episode (title and notes), one per
/// listed chapter and one per transcript passage. Runs inside the caller's transaction.
fn index_episode(conn: &Connection, id: EpisodeId) -> Result<(), LibraryError> {
    let first = id.0 * DOC_SLOTS;
    let last = first + DOC_SLOTS - 1;
    conn.prepare_cached("DELETE FROM search_fts WHERE rowid BETWEEN ?1 AND ?2")?
        .execute(params![first, last])?;
    conn.prepare_cached("DELETE FROM search_chapters WHERE doc_id BETWEEN ?1 AND ?2")?
        .execute(params![first, last])?;
    conn.prepare_cached("DELETE FROM search_spoken WHERE rowid BETWEEN ?1 AND ?2")?
        .execute(params![first, last])?;
    conn.prepare_cached("DELETE FROM search_passages WHERE doc_id BETWEEN ?1 AND ?2")?
        .execute(params![first, last])?;
    let episode = read_episode(conn, id)?;
    let mut fts = conn.prepare_cached(
        "INSERT INTO search_fts (rowid, title, chapter, notes) VALUES (?1, ?2, ?3, ?4)",
    )?;
    fts.execute(params![
        first,
        index_form(&episode.summary.title),
        "",
        index_form(&notes_text(&episode.description_html))
    ])?;
    let mut chapter_row = conn.prepare_cached(
        "INSERT INTO search_chapters (doc_id, start_ms, title) VALUES (?1, ?2, ?3)",
    )?;
    let chapters = known_chapters(conn, id)?;
    // The chapters the list shows, up to the slots an episode has.
    let listed = chapters
        .iter()
        .filter(|c| !c.is_hidden && !c.title.is_empty());
    for (slot, chapter) in (1..PASSAGE_SLOT_BASE).zip(listed) {
        let start = chapter.start_ms.min(i64::MAX as u64) as i64;
        fts.execute(params![first + slot, "", index_form(&chapter.title), ""])?;
        chapter_row.execute(params![first + slot, start, chapter.title])?;
    }
    let mut spoken =
        conn.prepare_cached("INSERT INTO search_spoken (rowid, spoken) VALUES (?1, ?2)")?;
    let mut passage_row = conn.prepare_cached(
        "INSERT INTO search_passages (doc_id, first_seq, last_seq) VALUES (?1, ?2, ?3)",
    )?;
    let cues = read_cues(conn, id, 0, i64::MAX)?;
    let mut slot = PASSAGE_SLOT_BASE;
    let mut start = 0;
    while start < cues.len() && slot < DOC_SLOTS {
        let mut end = start;
        let mut words = 0;
        let mut text = String::new();
        while end < cues.len() && (words < PASSAGE_WORDS || end == start) {
            words += words_of(&cues[end].text).count();
            text.push_str(&cues[end].text);
            text.push(' ');
            end += 1;
        }
        spoken.execute(params![first + slot, index_form(&text)])?;
        passage_row.execute(params![first + slot, start as i64, end as i64 - 1])?;
        slot += 1;
        start = end;
    }
    Ok(())
}

/// The words of a query, as FTS5 terms and as matchers for marking hits in text.
struct QueryTerms {
    words: Vec<String>,
    stems: Vec<String>,
    /// The first three letters of each stem.
    heads: Vec<String>,
    /// The last word may be unfinished (the listener is typing).
    last_is_prefix: bool,
    stemmer: rust_stemmers::Stemmer,
}

impl QueryTerms {
    fn parse(query: &str) -> Self {
        let stemmer = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
        let query = index_form(query);
        let words: Vec<String> = words_of(&query).map(|w| w.to_lowercase()).collect();
        let stems: Vec<String> = words.iter().map(|w| stemmer.stem(w).into_owned()).collect();
        let heads = stems.iter().map(|s| s.chars().take(3).collect()).collect();
        QueryTerms {
            words,
            stems,
            heads,
            last_is_prefix: !query.ends_with(char::is_whitespace),
            stemmer,
        }
    }

    /// Every word quoted (so `AND`, `NEAR`, `"` or `*` typed by the listener are just words);
    /// with `prefix`, the last one as a prefix. `None` for a query without words.
    fn fts_query(&self, prefix: bool) -> Option<String> {
        let last = self.words.len().checked_sub(1)?;
        let terms: Vec<String> = self
            .words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if i == last && prefix {
                    format!("\"{w}\"*")
                } else {
                    format!("\"{w}\"")
                }
            })
            .collect();
        Some(terms.join(" AND "))
    }

    fn matches(&self, word: &str) -> bool {
        let lower = index_form(word).to_lowercase();
        // A stem keeps the start of its word: most words fail here without being stemmed.
        if !self.heads.iter().any(|h| lower.starts_with(h.as_str())) {
            return false;
        }
        let stem = self.stemmer.stem(&lower);
        let last = self.words.len().saturating_sub(1);
        self.stems.iter().enumerate().any(|(i, s)| {
            *s == stem
                || (i == last
                    && self.last_is_prefix
                    && (lower.starts_with(&self.words[i]) || stem.starts_with(s.as_str())))
        })
    }

    /// How many of the query's words `text` says.
    fn matched_words(&self, text: &str) -> usize {
        let mut found = vec![false; self.words.len()];
        for word in words_of(text) {
            let lower = index_form(word).to_lowercase();
            // A stem keeps the start of its word: most words fail here without being stemmed.
            if !self.heads.iter().any(|h| lower.starts_with(h.as_str())) {
                continue;
            }
            let stem = self.stemmer.stem(&lower);
            let last = self.words.len().saturating_sub(1);
            for (i, s) in self.stems.iter().enumerate() {
                if *s == stem
                    || (i == last && self.last_is_prefix && lower.starts_with(&self.words[i]))
                {
                    found[i] = true;
                }
            }
        }
        found.iter().filter(|f| **f).count()
    }

    /// `text` split into runs, the words that match marked.
    fn mark(&self, text: &str) -> Vec<TextRun> {
        let mut runs: Vec<TextRun> = Vec::new();
        for (piece, is_word) in pieces(text) {
            let hit = is_word && self.matches(piece);
            match runs.last_mut() {
                Some(run) if run.hit == hit && !hit => run.text.push_str(piece),
                _ => runs.push(TextRun {
                    text: piece.to_string(),
                    hit,
                }),
            }
        }
        runs
    }

    /// About 160 characters of `text` around its first match, marked; empty without a match.
    fn snippet(&self, text: &str) -> Vec<TextRun> {
        const BEFORE: usize = 60;
        const LENGTH: usize = 160;
        let mut offset = 0;
        let mut first = None;
        for (piece, is_word) in pieces(text) {
            if is_word && self.matches(piece) {
                first = Some(offset);
                break;
            }
            offset += piece.len();
        }
        let Some(at) = first else {
            return Vec::new();
        };
        let start = floor_word(text, at.saturating_sub(BEFORE));
        let end = ceil_word(text, (start + LENGTH).min(text.len()));
        let mut runs = self.mark(&text[start..end]);
        if start > 0 {
            runs.insert(
                0,
                TextRun {
                    text: "…".into(),
                    hit: false,
                },
            );
        }
        if end < text.len() {
            runs.push(TextRun {
                text: "…".into(),
                hit: false,
            });
        }
        runs
    }
}

/// Text as the index holds it and queries ask for it: without combining marks (vowel signs,
/// harakat, accents written apart). FTS5's tokenizer ends a word at a mark, while a word in
/// Rust (and to a reader) goes on; taking the marks out on both sides makes the words the same.
fn index_form(text: &str) -> String {
    text.chars()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect()
}

/// Words as the index sees them: runs of letters and digits.
fn words_of(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// `text` as alternating runs of word and non-word characters.
fn pieces(text: &str) -> impl Iterator<Item = (&str, bool)> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let is_word = first.is_alphanumeric();
        let end = rest
            .find(|c: char| c.is_alphanumeric() != is_word)
            .unwrap_or(rest.len());
        let (piece, tail) = rest.split_at(end);
        rest = tail;
        Some((piece, is_word))
    })
}

/// The start of the word at or after byte `i` (a char boundary).
fn floor_word(text: &str, i: usize) -> usize {
    if i == 0 {
        return 0;
    }
    let mut i = i;
    while !text.is_char_boundary(i) {
        i += 1;
    }
    text[i..]
        .find(char::is_whitespace)
        .map_or(i, |k| (i + k + 1).min(text.len()))
}

/// The end of the word at or after byte `i`.
fn ceil_word(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    text[i..]
        .find(char::is_whitespace)
        .map_or(text.len(), |k| i + k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chapters::{Chapter, ChapterSource};
    use crate::feed::{self, ParsedFeed};
    use crate::library::FetchedChaptersKind;
    use crate::net::CacheValidators;
    use crate::testkit::{FeedBuilder, ItemBuilder};

    /// (guid, title, notes) -> a parsed feed. Notes with a `Timestamps` list give chapters.
    fn feed_of(items: &[(&str, &str, &str)]) -> ParsedFeed {
        let mut builder = FeedBuilder::new("Fixture Show");
        for (i, (guid, title, notes)) in items.iter().enumerate() {
            let mut item = ItemBuilder::audio(title, guid, &format!("https://h/{guid}.mp3"));
            item.notes_html = Some(notes.to_string());
            item.pub_date = Some(format!("Mon, {:02} Jan 2024 10:00:00 GMT", i + 1));
            item.duration = Some("3600".into());
            builder = builder.item(item);
        }
        feed::parse(builder.to_xml().as_bytes(), None).expect("fixture parses")
    }

    fn library_with(items: &[(&str, &str, &str)]) -> (Library, ShowId) {
        let mut library = Library::open_in_memory().expect("library");
        let (show, _) = library.subscribe("https://h/feed").expect("subscribe");
        library
            .apply_feed(show, &feed_of(items), &CacheValidators::default())
            .expect("apply");
        (library, show)
    }

    fn fixture() -> (Library, ShowId) {
        library_with(&[
            (
                "rust",
                "Rust in the build system",
                "<p>We talk about Buck2 and remote execution.</p>\
                 <p>Timestamps</p><p>Intro 0:06 Caching builds 4:10 Remote execution 20:00</p>",
            ),
            (
                "cache",
                "Caching at scale",
                "<p>Memcache, TAO and what a cache miss costs.</p>",
            ),
            (
                "notes",
                "Mobile performance",
                "<p>Startup time on Android. Also: why we stopped caching images.</p>",
            ),
        ])
    }

    fn search(library: &mut Library, q: &str) -> Vec<SearchHit> {
        library.search(q, MAX_RESULTS).expect("search")
    }

    fn marked(runs: &[TextRun]) -> Vec<&str> {
        runs.iter()
            .filter(|r| r.hit)
            .map(|r| r.text.as_str())
            .collect()
    }

    #[test]
    fn word_forms_match_and_titles_rank_before_notes() {
        let (mut library, _) = fixture();
        let hits = search(&mut library, "cache");
        let labels: Vec<(String, Option<String>)> = hits
            .iter()
            .map(|h| (h.episode_guid.clone(), h.chapter_title.clone()))
            .collect();
        // Title and chapter-title hits ("Caching at scale", chapter "Caching builds") come
        // before the episodes whose notes alone mention caching (one of them through its
        // timestamp list).
        assert_eq!(labels.len(), 4, "{labels:?}");
        let (first, notes_only) = labels.split_at(2);
        assert!(first.contains(&("cache".into(), None)), "{labels:?}");
        assert!(
            first.contains(&("rust".into(), Some("Caching builds".into()))),
            "{labels:?}"
        );
        assert!(notes_only.contains(&("notes".into(), None)), "{labels:?}");
        assert!(notes_only.contains(&("rust".into(), None)), "{labels:?}");
        let chapter = hits
            .iter()
            .find(|h| h.chapter_title.is_some())
            .expect("chapter hit");
        assert_eq!(chapter.start_ms, Some(250_000));
        assert_eq!(marked(&chapter.chapter_runs), ["Caching"]);
        assert!(chapter.snippet_runs.is_empty());
        let notes = hits
            .iter()
            .find(|h| h.episode_guid == "notes")
            .expect("notes hit");
        assert_eq!(marked(&notes.snippet_runs), ["caching"]);
        assert!(notes.title_runs.iter().all(|r| !r.hit));
    }

    #[test]
    fn the_last_word_is_a_prefix_while_typing() {
        let (mut library, _) = fixture();
        assert!(search(&mut library, "remo")
            .iter()
            .any(|h| h.chapter_title.as_deref() == Some("Remote execution")));
        // A finished word (followed by a space) is not a prefix.
        assert!(search(&mut library, "remo ").is_empty());
        let both = search(&mut library, "remote exec");
        assert_eq!(both[0].chapter_title.as_deref(), Some("Remote execution"));
        assert_eq!(marked(&both[0].chapter_runs), ["Remote", "execution"]);
    }

    #[test]
    fn a_title_that_starts_the_typed_word_ranks_before_notes_that_say_it_whole() {
        let (mut library, _) = library_with(&[
            (
                "chapter",
                "Build systems",
                "<p>Timestamps</p><p>Intro 0:06 Remote execution 4:10 Outro 20:00</p>",
            ),
            ("notes", "Tooling", "<p>We use remote exec for tests.</p>"),
        ]);
        let hits = search(&mut library, "remote exec");
        assert_eq!(
            hits[0].chapter_title.as_deref(),
            Some("Remote execution"),
            "{hits:?}"
        );
        assert!(hits.iter().any(|h| h.episode_guid == "notes"), "{hits:?}");
    }

    #[test]
    fn query_syntax_is_just_words() {
        let (mut library, _) = fixture();
        for q in [
            "\"",
            "AND",
            "cache*\"(",
            "NEAR(",
            "title:rust",
            "  ",
            "-",
            "^",
        ] {
            assert!(library.search(q, MAX_RESULTS).is_ok(), "{q:?}");
        }
        // Column filters are not syntax here: "title" is a word like any other.
        assert!(search(&mut library, "title:rust").is_empty());
    }

    #[test]
    fn refresh_edits_are_reindexed_and_unsubscribe_empties_the_index() {
        let (mut library, show) = fixture();
        let edited = feed_of(&[
            (
                "rust",
                "Rust and Bazel",
                "<p>Timestamps</p><p>Intro 0:06 Hermetic toolchains 3:00</p>",
            ),
            (
                "cache",
                "Caching at scale",
                "<p>Memcache, TAO and what a cache miss costs.</p>",
            ),
        ]);
        library
            .apply_feed(show, &edited, &CacheValidators::default())
            .expect("refresh");
        assert!(
            search(&mut library, "buck2").is_empty(),
            "old notes still indexed"
        );
        assert!(
            search(&mut library, "remote").is_empty(),
            "old chapters still indexed"
        );
        assert_eq!(search(&mut library, "bazel")[0].episode_guid, "rust");
        assert_eq!(
            search(&mut library, "hermetic")[0].chapter_title.as_deref(),
            Some("Hermetic toolchains")
        );
        // Dropped from the feed, kept in the library (feeds list only their latest items), so
        // still found.
        assert_eq!(search(&mut library, "android")[0].episode_guid, "notes");
        library.unsubscribe(show).expect("unsubscribe");
        assert!(search(&mut library, "caching").is_empty());
        let rows: i64 = library
            .conn
            .query_row("SELECT count(*) FROM search_fts_docsize", [], |r| r.get(0))
            .expect("count");
        assert_eq!(rows, 0);
    }

    #[test]
    fn fetched_chapters_become_searchable() {
        let (mut library, show) = fixture();
        let id = library.episodes(show).expect("episodes")[0].id;
        let list = vec![
            Chapter::new(0, "Welcome", ChapterSource::Id3),
            Chapter::new(95_000, "Flamegraphs explained", ChapterSource::Id3),
        ];
        library
            .store_fetched_chapters(
                id,
                FetchedChaptersKind::Embedded,
                "https://h/notes.mp3",
                &list,
            )
            .expect("store");
        let hit = &search(&mut library, "flamegraph")[0];
        assert_eq!((hit.episode_id, hit.start_ms), (id, Some(95_000)));
    }

    #[test]
    fn diacritics_and_case_do_not_matter() {
        let (mut library, _) = library_with(&[("cafe", "Café Culture", "<p>Ünïcode</p>")]);
        assert_eq!(search(&mut library, "cafe").len(), 1);
        assert_eq!(search(&mut library, "UNICODE").len(), 1);
    }

    /// Every script a listener may search in: found, and never an error. Marks (vowel signs,
    /// harakat) may be typed or not.
    #[test]
    fn every_script_is_searchable_and_no_query_is_an_error() {
        let (mut library, _) = library_with(&[
            ("hi", "हिन्दी पॉडकास्ट का एपिसोड", "<p>तकनीक पर बातचीत</p>"),
            ("ta", "தமிழ் தொழில்நுட்பம்", "<p>மென்பொருள் பற்றி</p>"),
            ("bn", "বাংলা প্রযুক্তি আলোচনা", "<p>সফটওয়্যার নিয়ে</p>"),
            ("ar", "كِتَابٌ عَنِ البَرْمَجَةِ", "<p>حلقة عن الخوادم</p>"),
            ("he", "שלום עולם התוכנה", "<p>פרק על שרתים</p>"),
            (
                "ru",
                "Привет, мир программирования",
                "<p>Выпуск о серверах</p>",
            ),
            ("ja", "東京 の エンジニア", "<p>サーバー の 話</p>"),
            (
                "mix",
                "Swift と Kotlin 🎧 together",
                "<p>Cross-platform ❤️ apps</p>",
            ),
        ]);
        let guids = |library: &mut Library, q: &str| -> Vec<String> {
            match library.search(q, MAX_RESULTS) {
                Ok(hits) => hits.into_iter().map(|h| h.episode_guid).collect(),
                Err(e) => panic!("{q:?} failed: {e}"),
            }
        };
        for (query, guid) in [
            ("हिन्दी", "hi"),
            ("पॉडकास्ट", "hi"),
            ("तकनीक", "hi"),
            ("தமிழ்", "ta"),
            ("மென்பொருள்", "ta"),
            ("বাংলা", "bn"),
            ("প্রযুক্তি", "bn"),
            ("كِتَابٌ", "ar"),
            ("كتاب", "ar"),
            ("البرمجة", "ar"),
            ("الخوادم", "ar"),
            ("שלום", "he"),
            ("שרתים", "he"),
            ("Привет", "ru"),
            ("серверах", "ru"),
            ("東京", "ja"),
            ("エンジニア", "ja"),
            ("Kotlin と", "mix"),
            ("swift 🎧", "mix"),
        ] {
            assert_eq!(guids(&mut library, query), [guid], "{query:?}");
        }
        // Nothing but symbols or marks: no words, no hits, no error.
        for query in ["🎧", "❤️ 🎧", "\u{94d}", "\u{64e}\u{650}", "\"\"", "*", "-"] {
            assert!(guids(&mut library, query).is_empty(), "{query:?}");
        }
    }

    fn cue(start_s: u64, speaker: Option<&str>, text: &str) -> crate::transcripts::Cue {
        crate::transcripts::Cue {
            start_ms: start_s * 1000,
            end_ms: start_s * 1000 + 4000,
            speaker: speaker.map(str::to_string),
            text: text.to_string(),
        }
    }

    /// An hour-like transcript: filler cues, with `said` at `at_s`.
    fn transcript_saying(at_s: u64, said: &str) -> crate::transcripts::Transcript {
        let mut cues: Vec<_> = (0..400)
            .map(|i| {
                cue(
                    i * 9,
                    Some("Host"),
                    "We talk about the weather and other small things.",
                )
            })
            .collect();
        let slot = (at_s / 9) as usize;
        cues[slot] = cue(at_s, Some("Guest"), said);
        crate::transcripts::Transcript { cues, timed: true }
    }

    #[test]
    fn something_said_is_found_at_its_cue_after_title_hits() {
        let (mut library, show) = fixture();
        let episodes = library.episodes(show).expect("episodes");
        let notes = episodes
            .iter()
            .find(|e| e.guid == "notes")
            .expect("notes")
            .id;
        let cache = episodes
            .iter()
            .find(|e| e.guid == "cache")
            .expect("cache")
            .id;
        library
            .store_transcript(
                notes,
                "https://h/notes.vtt",
                crate::transcripts::Format::Vtt,
                Ok(&transcript_saying(
                    1503,
                    "Flamingos taught us about caching layers.",
                )),
            )
            .expect("store");
        let hits = search(&mut library, "flamingos");
        assert_eq!(hits.len(), 1, "{hits:?}");
        let hit = &hits[0];
        assert_eq!(hit.kind, HitKind::Transcript);
        assert_eq!(hit.episode_id, notes);
        assert_eq!(hit.start_ms, Some(1_503_000));
        assert_eq!(hit.speaker.as_deref(), Some("Guest"));
        assert_eq!(marked(&hit.snippet_runs), ["Flamingos"]);
        // Words said across one passage find the cue that says most of them.
        let both = search(&mut library, "flamingos caching");
        let said = both
            .iter()
            .find(|h| h.kind == HitKind::Transcript)
            .expect("transcript hit");
        assert_eq!(said.start_ms, Some(1_503_000));
        // A title match still comes first; the transcript hit is among the rest.
        let cached = search(&mut library, "caching");
        assert_eq!(cached[0].episode_id, cache, "{cached:?}");
        assert_eq!(cached[0].kind, HitKind::Title);
        assert!(
            cached.iter().position(|h| h.kind == HitKind::Transcript)
                > cached.iter().position(|h| h.kind == HitKind::Chapter),
            "{cached:?}"
        );
        assert!(cached.iter().any(|h| h.kind == HitKind::Notes));
    }

    #[test]
    fn an_episode_that_says_it_often_is_one_hit() {
        let (mut library, show) = fixture();
        let id = library.episodes(show).expect("episodes")[0].id;
        let mut transcript = transcript_saying(900, "Pelicans, pelicans and more pelicans.");
        transcript.cues[20].text = "A pelican flew by.".into();
        transcript.cues[300].text = "Pelicans again.".into();
        library
            .store_transcript(
                id,
                "https://h/t.vtt",
                crate::transcripts::Format::Vtt,
                Ok(&transcript),
            )
            .expect("store");
        let hits = search(&mut library, "pelicans");
        assert_eq!(hits.len(), 1, "{hits:?}");
        // Which of the three: the index keeps no word counts (detail=column), so bm25 sees
        // each passage say it once and prefers the shortest.
        assert!(
            [Some(180_000), Some(900_000), Some(2_700_000)].contains(&hits[0].start_ms),
            "{hits:?}"
        );
    }

    #[test]
    fn a_new_transcript_replaces_the_old_words_and_unsubscribing_removes_them() {
        let (mut library, show) = fixture();
        let id = library.episodes(show).expect("episodes")[0].id;
        let store = |library: &mut Library, said: &str| {
            library
                .store_transcript(
                    id,
                    "https://h/t.json",
                    crate::transcripts::Format::Json,
                    Ok(&transcript_saying(90, said)),
                )
                .expect("store");
        };
        store(&mut library, "Kumquats are underrated.");
        assert_eq!(search(&mut library, "kumquats").len(), 1);
        store(&mut library, "Persimmons are underrated.");
        assert!(search(&mut library, "kumquats").is_empty());
        assert_eq!(search(&mut library, "persimmons").len(), 1);
        // A failed read keeps nothing searchable.
        library
            .store_transcript(
                id,
                "https://h/t2.json",
                crate::transcripts::Format::Json,
                Err("garbage"),
            )
            .expect("store failure");
        assert!(search(&mut library, "persimmons").is_empty());
        let stored = library.transcript(id).expect("read").expect("stored");
        assert_eq!(stored.error.as_deref(), Some("garbage"));
        store(&mut library, "Persimmons again.");
        library.unsubscribe(show).expect("unsubscribe");
        for table in [
            "search_fts_docsize",
            "search_spoken_docsize",
            "search_passages",
            "transcript_cues",
            "transcripts",
        ] {
            let rows: i64 = library
                .conn
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
                .expect("count");
            assert_eq!(rows, 0, "{table}");
        }
    }

    #[test]
    fn an_untimed_transcript_is_found_without_a_start() {
        let (mut library, show) = fixture();
        let id = library.episodes(show).expect("episodes")[0].id;
        let mut transcript = transcript_saying(90, "Axolotls regrow limbs.");
        transcript.timed = false;
        library
            .store_transcript(
                id,
                "https://h/t.txt",
                crate::transcripts::Format::Text,
                Ok(&transcript),
            )
            .expect("store");
        let hit = &search(&mut library, "axolotls")[0];
        assert_eq!((hit.kind, hit.start_ms), (HitKind::Transcript, None));
        assert!(library.cue_starts(id).expect("starts").is_empty());
    }

    /// Searching writes nothing when nothing is waiting to be indexed, so another process
    /// writing the library never makes a search fail.
    #[test]
    fn a_search_with_nothing_to_index_does_not_write() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("library.sqlite3");
        let mut reader = Library::open(&path).expect("open");
        let (show, _) = reader.subscribe("https://h/feed").expect("subscribe");
        reader
            .apply_feed(
                show,
                &feed_of(&[("a", "Caching at scale", "<p>x</p>")]),
                &CacheValidators::default(),
            )
            .expect("apply");
        reader.index_pending().expect("index");
        // Another process holds the write lock (a refresh storing a feed).
        let writer = Connection::open(&path).expect("second connection");
        writer.execute_batch("BEGIN IMMEDIATE").expect("lock");
        reader
            .conn
            .busy_timeout(std::time::Duration::from_millis(50))
            .expect("timeout");
        let hits = reader
            .search("caching", MAX_RESULTS)
            .expect("search while a writer holds the lock");
        assert_eq!(hits.len(), 1);
        writer.execute_batch("ROLLBACK").expect("unlock");
    }
}
