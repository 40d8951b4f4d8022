use super::*;
use crate::feed::{self, ParsedFeed};
use crate::net::CacheValidators;
use crate::testkit::meta_tech_like_feed;

fn parsed(episodes: usize) -> ParsedFeed {
    match feed::parse(
        meta_tech_like_feed("http://h", episodes)
            .to_xml()
            .as_bytes(),
        None,
    ) {
        Ok(f) => f,
        Err(e) => panic!("{e}"),
    }
}

fn library_with_show() -> (Library, ShowId) {
    let mut library = Library::open_in_memory().expect("in-memory library");
    let (id, is_new) = library
        .subscribe("https://example.com/feed")
        .expect("subscribe");
    assert!(is_new);
    (library, id)
}

#[test]
fn subscribing_twice_finds_the_same_show() {
    let (mut library, id) = library_with_show();
    assert_eq!(
        library
            .subscribe("https://example.com/feed")
            .expect("again"),
        (id, false)
    );
    assert_eq!(library.shows().expect("shows").len(), 1);
}

#[test]
fn apply_feed_stores_show_and_episodes_newest_first() {
    let (mut library, id) = library_with_show();
    let validators = CacheValidators {
        etag: Some("\"v1\"".into()),
        last_modified: None,
    };
    let report = library
        .apply_feed(id, &parsed(24), &validators)
        .expect("apply");
    assert_eq!(
        report,
        MergeReport {
            added: 24,
            updated: 0,
            unchanged: 0
        }
    );
    let show = library.show(id).expect("show");
    assert_eq!(show.title, "Meta Tech Podcast");
    assert_eq!(show.episode_count, 24);
    assert_eq!(show.validators, validators);
    assert!(show.last_refreshed_at.is_some());
    let episodes = library.episodes(id).expect("episodes");
    assert_eq!(episodes.first().map(|e| e.guid.as_str()), Some("mtp-24"));
    assert_eq!(episodes.last().map(|e| e.guid.as_str()), Some("mtp-1"));
    let detail = library.episode(episodes[0].id).expect("detail");
    assert!(detail.description_html.contains("Timestamps"));
    assert_eq!(detail.enclosure_url, "http://h/audio/ep24.mp3");
}

#[test]
fn refresh_merge_keeps_user_state_and_updates_changed_episodes() {
    let (mut library, id) = library_with_show();
    library
        .apply_feed(id, &parsed(20), &CacheValidators::default())
        .expect("first");
    let episodes = library.episodes(id).expect("episodes");
    let played = episodes[3].id;
    let resumed = episodes[5].id;
    library.set_played(played, true).expect("played");
    library.set_position(resumed, 754_000).expect("position");

    // The next refresh: two new episodes, one retitled, and the feed now lists only 12 items.
    let mut next = parsed(22);
    next.episodes.truncate(12);
    let retitled_guid = library.episode(resumed).expect("ep").summary.guid;
    if let Some(e) = next.episodes.iter_mut().find(|e| e.guid == retitled_guid) {
        e.title = "Retitled".to_string();
    }
    let report = library
        .apply_feed(id, &next, &CacheValidators::default())
        .expect("second");
    assert_eq!(
        report,
        MergeReport {
            added: 2,
            updated: 1,
            unchanged: 9
        }
    );

    let all = library.episodes(id).expect("episodes");
    assert_eq!(all.len(), 22, "episodes missing from the feed are kept");
    let played_row = library.episode(played).expect("played").summary;
    assert!(played_row.is_played);
    let resumed_row = library.episode(resumed).expect("resumed").summary;
    assert_eq!(resumed_row.title, "Retitled");
    assert_eq!(resumed_row.position_ms, 754_000);
}

#[test]
fn the_audio_length_wins_over_the_feed_duration_and_survives_a_refresh() {
    let (mut library, id) = library_with_show();
    let mut feed = parsed(3);
    feed.episodes[0].duration_s = Some(2460);
    feed.episodes[1].duration_s = None;
    library
        .apply_feed(id, &feed, &CacheValidators::default())
        .expect("first");
    let episodes = library.episodes(id).expect("episodes");
    let (stated, unstated, untouched) = (episodes[0].id, episodes[1].id, episodes[2].id);
    let untouched_duration = episodes[2].duration_s;

    library.set_audio_duration(stated, 100_400).expect("length");
    library
        .set_audio_duration(unstated, 1_799_600)
        .expect("length");
    let seconds = |library: &Library, id| library.episode(id).expect("episode").summary.duration_s;
    assert_eq!(
        seconds(&library, stated),
        Some(100),
        "rounded to the second"
    );
    assert_eq!(seconds(&library, unstated), Some(1800));
    assert_eq!(seconds(&library, untouched), untouched_duration);

    // A refresh rewrites the feed's durations; the measured ones still win.
    feed.episodes[0].duration_s = Some(2500);
    feed.episodes[0].title = "Changed, so the row is rewritten".to_string();
    library
        .apply_feed(id, &feed, &CacheValidators::default())
        .expect("refresh");
    assert_eq!(seconds(&library, stated), Some(100));
    let listed = library.episodes(id).expect("episodes");
    assert_eq!(
        listed
            .iter()
            .find(|e| e.id == stated)
            .and_then(|e| e.duration_s),
        Some(100)
    );

    // An absurd length cannot break reading the row.
    library
        .set_audio_duration(untouched, u64::MAX)
        .expect("length");
    assert_eq!(seconds(&library, untouched), Some(u32::MAX));
    assert!(matches!(
        library.set_audio_duration(EpisodeId(9_999), 1_000),
        Err(LibraryError::NotFound { .. })
    ));
}

#[test]
fn an_empty_feed_does_not_blank_the_show() {
    let (mut library, id) = library_with_show();
    library
        .apply_feed(id, &parsed(3), &CacheValidators::default())
        .expect("first");
    let empty = ParsedFeed {
        title: String::new(),
        link: None,
        image: None,
        description_html: String::new(),
        author: None,
        episodes: Vec::new(),
    };
    library
        .apply_feed(id, &empty, &CacheValidators::default())
        .expect("empty");
    let show = library.show(id).expect("show");
    assert_eq!(show.title, "Meta Tech Podcast");
    assert!(!show.description_html.is_empty());
    assert_eq!(show.episode_count, 3);
}

#[test]
fn library_file_reopens_with_its_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nested/library.sqlite3");
    {
        let mut library = Library::open(&path).expect("open");
        let (id, _) = library
            .subscribe("https://example.com/feed")
            .expect("subscribe");
        library
            .apply_feed(id, &parsed(2), &CacheValidators::default())
            .expect("apply");
    }
    let library = Library::open(&path).expect("reopen");
    assert_eq!(library.shows().expect("shows")[0].episode_count, 2);
    assert!(library.is_consistent().expect("check"));
}

#[test]
fn unknown_ids_are_not_found() {
    let (mut library, _) = library_with_show();
    assert!(matches!(
        library.episode(EpisodeId(999)),
        Err(LibraryError::NotFound { .. })
    ));
    assert!(matches!(
        library.set_played(EpisodeId(999), true),
        Err(LibraryError::NotFound { .. })
    ));
    assert!(matches!(
        library.show(ShowId(999)),
        Err(LibraryError::NotFound { .. })
    ));
}

#[test]
fn set_played_many_changes_only_what_differs() {
    let (mut library, show) = library_with_show();
    library
        .apply_feed(show, &parsed(5), &CacheValidators::default())
        .expect("apply");
    let ids: Vec<EpisodeId> = library
        .episodes(show)
        .expect("episodes")
        .iter()
        .map(|e| e.id)
        .collect();
    library.set_played(ids[0], true).expect("one");
    assert_eq!(library.set_played_many(&ids[..3], true).expect("many"), 2);
    let played: Vec<bool> = library
        .episodes(show)
        .expect("episodes")
        .iter()
        .map(|e| e.is_played)
        .collect();
    assert_eq!(played, [true, true, true, false, false]);
    assert_eq!(library.set_played_many(&ids, false).expect("unplay"), 3);
}

#[test]
fn a_schema_version_chaptercast_never_wrote_is_refused_not_skipped() {
    let dir = tempfile::tempdir().expect("dir");
    for (version, refused) in [
        (-1i64, "not written by Chaptercast"),
        (-42, "not written by Chaptercast"),
        (9_999, "newer Chaptercast"),
    ] {
        let path = dir.path().join(format!("v{version}.sqlite3"));
        let conn = Connection::open(&path).expect("create");
        conn.pragma_update(None, "user_version", version)
            .expect("version");
        drop(conn);
        match Library::open(&path) {
            Ok(_) => panic!("version {version} was opened"),
            Err(e) => assert!(e.to_string().contains(refused), "{version}: {e}"),
        }
        // Untouched: still the version it had.
        let conn = Connection::open(&path).expect("reopen");
        let kept: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .expect("read");
        assert_eq!(kept, version);
    }
}

#[test]
fn a_frame_index_is_kept_for_its_enclosure_only() {
    use crate::player::frame_index::SavedFrameIndex;
    let (mut library, show) = library_with_show();
    library
        .apply_feed(show, &parsed(2), &CacheValidators::default())
        .expect("store");
    let episode = library.episodes(show).expect("episodes")[0].clone();
    let url = library.episode(episode.id).expect("episode").enclosure_url;
    assert_eq!(library.frame_index(episode.id, &url).expect("read"), None);
    let saved = SavedFrameIndex {
        byte_len: 1234,
        bytes: vec![1, 2, 3],
    };
    library
        .save_frame_index(episode.id, &url, &saved)
        .expect("save");
    assert_eq!(
        library.frame_index(episode.id, &url).expect("read"),
        Some(saved.clone())
    );
    // A newer save replaces it; another URL (the feed moved the file) has none.
    let grown = SavedFrameIndex {
        byte_len: 1234,
        bytes: vec![1, 2, 3, 4],
    };
    library
        .save_frame_index(episode.id, &url, &grown)
        .expect("save");
    assert_eq!(
        library.frame_index(episode.id, &url).expect("read"),
        Some(grown)
    );
    assert_eq!(
        library
            .frame_index(episode.id, "https://elsewhere.example/ep.mp3")
            .expect("read"),
        None
    );
    // An index of a URL the episode no longer has is not kept under the new one.
    library
        .save_frame_index(episode.id, "https://old.example/ep.mp3", &saved)
        .expect("save for another file");
    assert_eq!(
        library
            .frame_index(episode.id, &url)
            .expect("read")
            .map(|i| i.bytes.len()),
        Some(4),
        "the index of the enclosure stays"
    );
    // An episode that is not there keeps nothing, and nothing fails.
    library
        .save_frame_index(EpisodeId(999_999), &url, &saved)
        .expect("save for nobody");
    assert_eq!(
        library.frame_index(EpisodeId(999_999), &url).expect("read"),
        None
    );
}
