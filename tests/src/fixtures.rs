//! The feeds the end-to-end tests serve.

use chaptercast_engine::testkit::meta_tech_like_feed;

/// Written into one episode's notes: each of these would set `window.__pwned` if it ran.
pub const HOSTILE_NOTES: &str = r#"<p>Hostile notes.</p><script>window.__pwned = "script"</script>
<img src="x" onerror="window.__pwned = 'onerror'"><a href="javascript:window.__pwned='link'">click</a>
<iframe src="javascript:parent.__pwned='iframe'"></iframe><form action="javascript:alert(1)"><button>go</button></form>
<svg onload="window.__pwned='svg'"><script>window.__pwned='svg-script'</script></svg>
<p style="background:url(javascript:window.__pwned='css')">styled</p>"#;

/// The Meta-like fixture feed with 24 episodes; episode 24 (the newest) carries hostile notes
/// after its timestamps.
pub fn meta_feed_xml(media_base: &str) -> String {
    let mut feed = meta_tech_like_feed(media_base, 24);
    if let Some(newest) = feed.items.first_mut() {
        if let Some(notes) = newest.notes_html.as_mut() {
            notes.push_str(HOSTILE_NOTES);
        }
    }
    feed.to_xml()
}

/// Episode titles newest first, as the fixture writes them.
pub fn meta_titles_newest_first() -> Vec<String> {
    let feed = meta_tech_like_feed("http://unused", 24);
    feed.items
        .iter()
        .map(|i| i.title_xml.replace("&amp;", "&"))
        .collect()
}
