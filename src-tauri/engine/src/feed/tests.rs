use super::*;
use crate::testkit::{meta_tech_like_feed, FeedBuilder, ItemBuilder};

fn parse_str(xml: &str) -> ParsedFeed {
    match parse(xml.as_bytes(), None) {
        Ok(feed) => feed,
        Err(e) => panic!("parse failed: {e}\n{xml}"),
    }
}

#[test]
fn meta_like_fixture_parses_every_episode_newest_first() {
    let feed = parse_str(&meta_tech_like_feed("http://127.0.0.1:9", 24).to_xml());
    assert_eq!(feed.title, "Meta Tech Podcast");
    assert_eq!(
        feed.image.as_deref(),
        Some("http://127.0.0.1:9/art/show.png")
    );
    assert_eq!(feed.episodes.len(), 24);
    assert_eq!(feed.episodes[0].guid, "mtp-24");
    assert_eq!(
        feed.episodes[0].enclosure.url,
        "http://127.0.0.1:9/audio/ep24.mp3"
    );
    assert_eq!(
        feed.episodes[0].enclosure.mime_type.as_deref(),
        Some("audio/mpeg")
    );
    assert_eq!(feed.episodes[0].episode, Some(24));
    let published: Vec<_> = feed.episodes.iter().map(|e| e.published).collect();
    assert!(published.windows(2).all(|w| w[0] > w[1]), "{published:?}");
    assert!(feed.episodes[0].description_html.contains("Timestamps"));
}

#[test]
fn durations_in_every_format_reach_the_episode() {
    let feed = parse_str(&meta_tech_like_feed("http://h", 6).to_xml());
    let mut durations: Vec<u32> = feed.episodes.iter().filter_map(|e| e.duration_s).collect();
    durations.sort_unstable();
    // "5:07", "41:02", "2462", "2711.4", "0:45:10", "1:03:35"
    assert_eq!(durations, vec![307, 2462, 2462, 2710, 2711, 3815]);
}

#[test]
fn guid_falls_back_to_enclosure_url() {
    let mut item = ItemBuilder::audio("No guid", "unused", "https://cdn.example.com/a.mp3");
    item.guid = None;
    let feed = parse_str(&FeedBuilder::new("Show").item(item).to_xml());
    assert_eq!(feed.episodes[0].guid, "https://cdn.example.com/a.mp3");
}

#[test]
fn entity_and_cdata_titles_are_decoded() {
    let mut a = ItemBuilder::audio("", "a", "https://e.com/a.mp3");
    a.title_xml = "Q&amp;A: &lt;Rust&gt; &#8211; &quot;fast&quot;".to_string();
    let mut b = ItemBuilder::audio("", "b", "https://e.com/b.mp3");
    b.title_xml = "<![CDATA[Tips & Tricks <live>]]>".to_string();
    let feed = parse_str(&FeedBuilder::new("Show").item(a).item(b).to_xml());
    assert_eq!(feed.episodes[0].title, "Q&A: <Rust> \u{2013} \"fast\"");
    assert_eq!(feed.episodes[1].title, "Tips & Tricks <live>");
}

#[test]
fn items_without_audio_or_video_are_not_episodes() {
    let mut video = ItemBuilder::audio("Video", "v", "https://e.com/v.mp4");
    video.enclosure = Some(("https://e.com/v.mp4".into(), "video/mp4".into()));
    let mut none = ItemBuilder::audio("Blog post", "n", "https://e.com/x");
    none.enclosure = None;
    let mut untyped = ItemBuilder::audio("Untyped", "u", "https://e.com/u.mp3?x=1");
    untyped.enclosure = Some(("https://e.com/u.mp3?x=1".into(), String::new()));
    let feed = parse_str(
        &FeedBuilder::new("Show")
            .item(video)
            .item(none)
            .item(untyped)
            .to_xml(),
    );
    let guids: Vec<_> = feed.episodes.iter().map(|e| e.guid.as_str()).collect();
    // A video episode is listed (its audio track plays); a blog post is not an episode.
    assert_eq!(guids, vec!["v", "u"]);
}

#[test]
fn podcast_namespace_is_read_under_both_uris_and_any_prefix() {
    for uri in PODCAST_NAMESPACES {
        let xml = format!(
            r#"<rss version="2.0" xmlns:pc="{uri}"><channel><title>S</title>
            <item><title>E</title><guid>g</guid><enclosure url="https://e.com/a.mp3" type="audio/mpeg"/>
            <pc:chapters url="https://e.com/ch.json" type="application/json+chapters"/>
            <pc:transcript url="https://e.com/t.srt" type="application/srt"/></item></channel></rss>"#
        );
        let feed = parse_str(&xml);
        assert_eq!(
            feed.episodes[0].chapters_url.as_deref(),
            Some("https://e.com/ch.json"),
            "{uri}"
        );
        assert_eq!(feed.episodes[0].transcripts[0].url, "https://e.com/t.srt");
    }
}

#[test]
fn podlove_chapters_are_collected() {
    let xml = r#"<rss version="2.0" xmlns:psc="http://podlove.org/simple-chapters"><channel><title>S</title>
        <item><title>E</title><guid>g</guid><enclosure url="https://e.com/a.mp3" type="audio/mpeg"/>
        <psc:chapters version="1.2"><psc:chapter start="0" title="Intro"/><psc:chapter start="00:01:35.250" title="Main" href="https://e.com"/></psc:chapters>
        </item></channel></rss>"#;
    let feed = parse_str(xml);
    let chapters = &feed.episodes[0].podlove_chapters;
    assert_eq!(chapters.len(), 2);
    assert_eq!(chapters[1].start, "00:01:35.250");
    assert_eq!(chapters[1].href.as_deref(), Some("https://e.com"));
}

#[test]
fn atom_feeds_with_enclosure_links_parse() {
    let xml = r#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
        <title>Atom Show</title><id>urn:x</id><updated>2024-01-02T00:00:00Z</updated><logo>https://e.com/logo.png</logo>
        <entry><title>One</title><id>urn:1</id><updated>2024-01-02T00:00:00Z</updated><published>2024-01-01T10:00:00+01:00</published>
        <link rel="enclosure" href="https://e.com/1.mp3" type="audio/mpeg" length="123"/><itunes:duration>1:00</itunes:duration>
        <content type="html">&lt;p&gt;Notes&lt;/p&gt;</content></entry></feed>"#;
    let feed = parse_str(xml);
    assert_eq!(feed.title, "Atom Show");
    let e = &feed.episodes[0];
    assert_eq!(e.guid, "urn:1");
    assert_eq!(e.duration_s, Some(60));
    assert_eq!(e.enclosure.length, Some(123));
    assert_eq!(
        e.published.map(|p| p.to_rfc3339()).as_deref(),
        Some("2024-01-01T09:00:00+00:00")
    );
    assert_eq!(e.description_html, "<p>Notes</p>");
}

#[test]
fn non_feeds_are_clear_errors() {
    assert!(matches!(parse(b"", None), Err(FeedError::Empty)));
    assert!(matches!(parse(b"   \n", None), Err(FeedError::Empty)));
    match parse(b"<!DOCTYPE html><html><body>Not found</body></html>", None) {
        Err(FeedError::NotAFeed { found }) => assert_eq!(found, "an HTML page"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        parse(b"\x00\x01\x02binary", None),
        Err(FeedError::NotAFeed { .. })
    ));
    assert!(matches!(
        parse(b"<rss><channel><title>x</title><item>", None),
        Err(FeedError::Malformed { .. })
    ));
}

#[test]
fn entity_expansion_is_not_performed() {
    let xml = r#"<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
        <rss version="2.0"><channel><title>&c;</title></channel></rss>"#;
    if let Ok(feed) = parse(xml.as_bytes(), None) {
        assert!(feed.title.len() < 10, "{}", feed.title);
    }
}

#[test]
fn cli_json_shape_matches_the_contract() {
    let feed = parse_str(&meta_tech_like_feed("http://h", 1).to_xml());
    let json = serde_json::to_value(&feed).unwrap_or_default();
    let episode = &json["episodes"][0];
    for key in [
        "guid",
        "title",
        "published",
        "duration_s",
        "enclosure",
        "description_html",
        "link",
        "image",
        "season",
        "episode",
        "chapters_url",
    ] {
        assert!(episode.get(key).is_some(), "missing {key}");
    }
    assert_eq!(episode["enclosure"]["type"], "audio/mpeg");
    assert_eq!(episode["published"], "2024-01-04T16:00:00Z");
    for key in ["title", "link", "image", "description_html", "episodes"] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
}

#[test]
fn untitled_episodes_take_the_file_name_and_relative_urls_resolve() {
    let xml = r#"<rss><channel><title>S</title><item><enclosure url="media/My%20Episode.mp3" type="audio/mpeg"/></item></channel></rss>"#;
    let base = url::Url::parse("https://example.com/podcast/feed.xml").ok();
    let feed = parse_with_base(xml.as_bytes(), None, base.as_ref()).expect("parse");
    assert_eq!(feed.episodes[0].title, "My Episode");
    assert_eq!(
        feed.episodes[0].enclosure.url,
        "https://example.com/podcast/media/My%20Episode.mp3"
    );
}

#[test]
fn media_rss_content_serves_as_enclosure() {
    let xml = r#"<rss xmlns:media="http://search.yahoo.com/mrss/"><channel><title>S</title><item><title>E</title>
        <media:group><media:content url="https://e.com/v.mp4" type="video/mp4"/><media:content url="https://e.com/a.m4a" type="audio/mp4" fileSize="99"/></media:group>
        </item></channel></rss>"#;
    let feed = parse_str(xml);
    assert_eq!(feed.episodes[0].enclosure.url, "https://e.com/a.m4a");
    assert_eq!(feed.episodes[0].enclosure.length, Some(99));
}

fn item_xml(title: &str) -> String {
    format!(
        "<item><title>{title}</title><guid>g</guid>\
         <enclosure url=\"http://h/a.mp3\" type=\"audio/mpeg\" length=\"1\"/></item>"
    )
}

#[test]
fn billion_laughs_inside_an_rss_feed_is_not_expanded() {
    let mut dtd = String::from("<!DOCTYPE rss [<!ENTITY lol \"lol\">");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        dtd.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">",
            format!("&{prev};").repeat(10)
        ));
    }
    dtd.push(']');
    dtd.push('>');
    let xml = format!(
        "<?xml version=\"1.0\"?>{dtd}<rss version=\"2.0\"><channel><title>t</title>{}</channel></rss>",
        item_xml("&lol9;")
    );
    let outcome = parse(xml.as_bytes(), None);
    if let Ok(feed) = &outcome {
        for e in &feed.episodes {
            assert!(e.title.len() < 100, "expanded: {} bytes", e.title.len());
        }
    }
}

#[test]
fn external_entities_are_never_read() {
    let xml = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM \"file:///etc/hostname\">]>\
         <rss version=\"2.0\"><channel><title>t</title>{}</channel></rss>",
        item_xml("&xxe;")
    );
    let hostname = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
    match parse(xml.as_bytes(), None) {
        Ok(feed) => {
            for e in &feed.episodes {
                assert!(hostname.trim().is_empty() || !e.title.contains(hostname.trim()));
            }
        }
        Err(e) => eprintln!("{e}"),
    }
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let depth = 200_000;
    let xml = format!(
        "<rss version=\"2.0\" xmlns:x=\"urn:x\"><channel><title>t</title><item><title>a</title>{}{}<enclosure url=\"http://h/a.mp3\" type=\"audio/mpeg\"/></item></channel></rss>",
        "<x:a>".repeat(depth),
        "</x:a>".repeat(depth)
    );
    let outcome = parse(xml.as_bytes(), None);
    assert!(outcome.is_err(), "a 200,000-deep document must be refused");
}

#[test]
fn only_web_urls_survive_for_artwork_chapters_and_links() {
    let xml = r#"<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:podcast="https://podcastindex.org/namespace/1.0" xmlns:psc="http://podlove.org/simple-chapters">
      <channel><title>t</title><link>javascript:alert(1)</link><itunes:image href="file:///etc/passwd"/>
      <item><title>a</title><guid>g</guid><link>data:text/html,hi</link>
        <itunes:image href="javascript:alert(1)"/>
        <podcast:chapters url="file:///etc/passwd" type="application/json+chapters"/>
        <podcast:transcript url="ftp://h/t.vtt" type="text/vtt"/>
        <psc:chapters version="1.2"><psc:chapter start="0" title="c" href="javascript:x()" image="file:///x.png"/></psc:chapters>
        <enclosure url="https://h/a.mp3" type="audio/mpeg" length="1"/></item>
      <item><title>b</title><guid>h</guid><itunes:image href="https://h/b.png"/>
        <enclosure url="https://h/b.mp3" type="audio/mpeg" length="1"/></item>
      <item><title>ftp</title><guid>i</guid><enclosure url="ftp://h/c.mp3" type="audio/mpeg"/></item>
      <item><title>js</title><guid>j</guid><enclosure url="javascript:alert(1)//x.mp3" type="audio/mpeg"/></item>
      <item><title>file</title><guid>k</guid><enclosure url="file:///etc/passwd.mp3" type="audio/mpeg"/></item>
      </channel></rss>"#;
    let feed = parse_str(xml);
    assert_eq!(feed.image, None);
    assert_eq!(feed.link, None);
    let a = &feed.episodes[0];
    assert_eq!(
        (
            a.image.as_deref(),
            a.link.as_deref(),
            a.chapters_url.as_deref()
        ),
        (None, None, None)
    );
    assert!(a.transcripts.is_empty());
    assert_eq!(
        (
            a.podlove_chapters[0].href.as_deref(),
            a.podlove_chapters[0].image.as_deref()
        ),
        (None, None)
    );
    assert_eq!(feed.episodes[1].image.as_deref(), Some("https://h/b.png"));
    // Audio that is not on the web is no episode: dropped here, not refused when played.
    let titles: Vec<&str> = feed.episodes.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(titles, ["a", "b"]);
    let json = serde_json::to_string(&feed).expect("json");
    for scheme in ["javascript:", "file:", "ftp:", "data:"] {
        assert!(!json.contains(scheme), "{scheme} in {json}");
    }
}

#[test]
fn control_characters_leave_every_text_field() {
    let xml = "<rss version=\"2.0\"><channel><title>Show\u{1b}]0;pwned\u{7}</title>\
      <description>&lt;p&gt;one\u{85}two&lt;/p&gt;</description>\
      <item><title>Line\u{1b}[31m red\ttab\nnext</title><guid>g\u{0}1</guid>\
        <description>&lt;p&gt;a\u{9b}b\nc\td&lt;/p&gt;</description>\
        <enclosure url=\"https://h/a.mp3\" type=\"audio/mpeg\"/></item></channel></rss>";
    let feed = parse_str(xml);
    assert_eq!(feed.title, "Show]0;pwned");
    assert!(
        !feed.description_html.contains('\u{85}'),
        "{}",
        feed.description_html
    );
    let e = &feed.episodes[0];
    assert_eq!(e.title, "Line[31m red tab next");
    assert_eq!(e.guid, "g1");
    assert!(
        e.description_html.contains("ab\nc\td"),
        "{:?}",
        e.description_html
    );
}

#[test]
fn atom_text_types_are_read_by_their_meaning_not_refused() {
    // "Encoded title" in base64, as Atom 0.3 feeds wrote it.
    let xml = r#"<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="text/html">Show One</title>
  <subtitle type="text/plain">Plain words</subtitle>
  <rights type="">free</rights>
  <id>urn:x:feed</id><updated>2024-01-01T00:00:00Z</updated>
  <entry>
    <title type="application/octet-stream" mode="base64">RW5jb2RlZCB0aXRsZQ==</title>
    <id>tag:Example.com,2024:/Ep/1?A=B</id><updated>2024-01-02T00:00:00Z</updated>
    <summary type="application/xhtml+xml">Summary</summary>
    <link rel="enclosure" type="audio/mpeg" href="https://h/1.mp3"/>
  </entry>
  <entry>
    <title type="TEXT/PLAIN">Second</title>
    <id>ID-2</id><updated>2024-01-03T00:00:00Z</updated>
    <link rel="enclosure" type="audio/mpeg" href="https://h/2.mp3"/>
  </entry>
</feed>"#;
    let feed = parse_str(xml);
    assert_eq!(feed.title, "Show One");
    let titles: Vec<&str> = feed.episodes.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(titles, ["Encoded title", "Second"]);
    // Entry ids exactly as written.
    assert_eq!(feed.episodes[0].guid, "tag:Example.com,2024:/Ep/1?A=B");
    assert_eq!(feed.episodes[1].guid, "ID-2");
}

#[test]
fn itunes_and_rss_fallbacks_that_real_feeds_need() {
    let xml = r#"<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">
      <channel><title>Show</title><itunes:image url="https://h/show.jpg"/>
      <item><dc:title>From Dublin Core</dc:title><guid>https://h/ep/1</guid>
        <itunes:image url="https://h/1.jpg"/>
        <enclosure url="https://h/1.mp3" type="audio/mpeg"/></item>
      <item><media:title>From Media RSS</media:title><guid isPermaLink="true">https://h/ep/2</guid>
        <link>https://h/page/2</link>
        <enclosure url="https://h/2.mp3" type="audio/mpeg"/></item>
      <item><title>Not a link</title><guid isPermaLink="false">https://h/ep/3</guid>
        <enclosure url="https://h/3.mp3" type="audio/mpeg"/></item>
      </channel></rss>"#;
    let feed = parse_str(xml);
    assert_eq!(feed.image.as_deref(), Some("https://h/show.jpg"));
    let e: Vec<(&str, Option<&str>, Option<&str>)> = feed
        .episodes
        .iter()
        .map(|e| (e.title.as_str(), e.link.as_deref(), e.image.as_deref()))
        .collect();
    assert_eq!(
        e,
        [
            (
                "From Dublin Core",
                Some("https://h/ep/1"),
                Some("https://h/1.jpg")
            ),
            ("From Media RSS", Some("https://h/page/2"), None),
            ("Not a link", None, None),
        ]
    );
}

#[test]
fn an_old_style_image_link_and_core_elements_in_any_case() {
    let xml = r#"<RSS version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
      <Channel><TITLE>Loud Show</TITLE><atom:link rel="image" href="https://h/logo.png"/>
      <Item><Title>Shouted</Title><GUID>g1</GUID>
        <Enclosure url="https://h/1.mp3" type="audio/mpeg"/></Item>
      <item><title>Quiet</title><guid>g2</guid><enclosure url="https://h/2.mp3" type="audio/mpeg"/></item>
      </Channel></RSS>"#;
    let feed = parse_str(xml);
    assert_eq!(feed.title, "Loud Show");
    assert_eq!(feed.image.as_deref(), Some("https://h/logo.png"));
    let titles: Vec<&str> = feed.episodes.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(titles, ["Shouted", "Quiet"]);
}

#[test]
fn rss_1_0_and_0_90_items_outside_the_channel_with_mod_enclosure_are_read() {
    for (version, ns) in [
        ("1.0", "http://purl.org/rss/1.0/"),
        ("0.90", "http://my.netscape.com/rdf/simple/0.9/"),
    ] {
        let xml = format!(
            r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="{ns}">
              <channel rdf:about="https://h/"><title>RDF {version}</title><link>https://h/</link><description>d</description></channel>
              <item rdf:about="https://h/1"><title>One</title><link>https://h/1</link>
                <enc:enclosure xmlns:enc="http://purl.oclc.org/net/rss_2.0/enc#" rdf:resource="https://h/1.mp3" enc:type="audio/mpeg" enc:length="1000"/></item>
              <item rdf:about="https://h/2"><title>Two</title><link>https://h/2</link>
                <enc:enclosure xmlns:enc="http://purl.oclc.org/net/rss_2.0/enc#" rdf:resource="https://h/2.mp3" enc:type="audio/mpeg"/></item>
            </rdf:RDF>"#
        );
        let feed = parse_str(&xml);
        assert_eq!(feed.title, format!("RDF {version}"));
        let titles: Vec<&str> = feed.episodes.iter().map(|e| e.title.as_str()).collect();
        assert_eq!(titles, ["One", "Two"], "RSS {version}");
    }
}

#[test]
fn video_episodes_are_listed_and_audio_is_preferred_when_both_are_offered() {
    let xml = r#"<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>t</title>
      <item><title>Video only</title><guid>v</guid><enclosure url="https://h/v.mp4" type="video/mp4" length="1"/></item>
      <item><title>Both</title><guid>b</guid>
        <media:content url="https://h/b.mp4" type="video/mp4"/><media:content url="https://h/b.m4a" type="audio/mp4"/></item>
      <item><title>Untyped video</title><guid>u</guid><enclosure url="https://h/u.m4v" type=""/></item>
      <item><title>A PDF</title><guid>p</guid><enclosure url="https://h/p.pdf" type="application/pdf"/></item>
      </channel></rss>"#;
    let feed = parse_str(xml);
    let got: Vec<(&str, &str)> = feed
        .episodes
        .iter()
        .map(|e| (e.title.as_str(), e.enclosure.url.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("Video only", "https://h/v.mp4"),
            ("Both", "https://h/b.m4a"),
            ("Untyped video", "https://h/u.m4v"),
        ]
    );
    assert!(is_video_enclosure("https://h/v.mp4", Some("video/mp4")));
    assert!(!is_video_enclosure("https://h/b.m4a", Some("audio/mp4")));
}

#[test]
fn old_itunes_link_images_and_url_images_under_any_prefix_are_artwork() {
    // `<itunes:link rel="image">` is the first iTunes spec's artwork (feedparser reads it; real
    // feeds still write it, with a caption inside); `url` for `href` under another prefix.
    let xml = "<rss version=\"2.0\" xmlns:it=\"http://www.itunes.com/DTDs/Podcast-1.0.dtd\">\
      <channel><title>t</title>\
      <it:link rel=\"image\" type=\"video/jpeg\" href=\"https://h/show.jpg?a=1&amp;b=2\">Caption</it:link>\
      <item><title>url, tab</title><guid>1</guid><it:image\turl=\"https://h/1.jpg\"/>\
        <enclosure url=\"https://h/1.mp3\" type=\"audio/mpeg\"/></item>\
      <item><title>both</title><guid>2</guid><it:link rel=\"image\" href=\"https://h/old.jpg\"/>\
        <it:image href=\"https://h/new.jpg\"/><enclosure url=\"https://h/2.mp3\" type=\"audio/mpeg\"/></item>\
      <item><title>link</title><guid>3</guid><it:link rel=\"image\" href=\"https://h/3.jpg\"></it:link>\
        <enclosure url=\"https://h/3.mp3\" type=\"audio/mpeg\"/></item>\
      <item><title>none</title><guid>4</guid><it:link rel=\"alternate\" href=\"https://h/page\"/>\
        <enclosure url=\"https://h/4.mp3\" type=\"audio/mpeg\"/></item>\
      </channel></rss>";
    let feed = parse_str(xml);
    assert_eq!(feed.image.as_deref(), Some("https://h/show.jpg?a=1&b=2"));
    let images: Vec<Option<&str>> = feed.episodes.iter().map(|e| e.image.as_deref()).collect();
    assert_eq!(
        images,
        [
            Some("https://h/1.jpg"),
            Some("https://h/new.jpg"),
            Some("https://h/3.jpg"),
            None
        ]
    );
}

#[test]
fn atom_base64_bodies_are_decoded_and_html_titles_read_as_text() {
    // Atom 0.3's `mode="base64"` whatever the type says, on content too; titles of type html
    // or xhtml are shown as their text, not their markup.
    let xml = r#"<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="html">Tom &amp;amp; Jerry &lt;b&gt;live&lt;/b&gt;</title>
  <id>f</id><updated>2024-01-01T00:00:00Z</updated>
  <entry>
    <title type="text" mode="base64">RW5jb2RlZA==</title>
    <content type="text/html" mode="base64">PHA+PGI+Qm9sZDwvYj4gbm90ZXM8L3A+</content>
    <id>e1</id><updated>2024-01-02T00:00:00Z</updated>
    <link rel="enclosure" type="audio/mpeg" href="https://h/1.mp3"/>
  </entry>
  <entry>
    <title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Fish &amp; <b>chips</b></div></title>
    <content mode="base64">PGk+aXRhbGljPC9pPg==</content>
    <id>e2</id><updated>2024-01-03T00:00:00Z</updated>
    <link rel="enclosure" type="audio/mpeg" href="https://h/2.mp3"/>
  </entry>
</feed>"#;
    let feed = parse_str(xml);
    assert_eq!(feed.title, "Tom & Jerry live");
    let got: Vec<(&str, &str)> = feed
        .episodes
        .iter()
        .map(|e| (e.title.as_str(), e.description_html.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("Encoded", "<p><b>Bold</b> notes</p>"),
            ("Fish & chips", "<i>italic</i>"),
        ]
    );
}

#[test]
fn feeds_whose_own_elements_carry_a_namespace_prefix_are_read() {
    let rss2 = r#"<r:rss version="2.0" xmlns:r="http://backend.userland.com/rss2" xmlns:atom="http://www.w3.org/2005/Atom">
      <r:channel><r:title>Prefixed</r:title><atom:link rel="self" href="https://h/feed"/>
      <r:item><r:title>One</r:title><r:guid>g1</r:guid><r:link>https://h/1</r:link>
        <r:description><![CDATA[<r:b>as written</r:b>]]></r:description>
        <r:enclosure url="https://h/1.mp3" type="audio/mpeg"/></r:item></r:channel></r:rss>"#;
    let rss1 = r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rss="http://purl.org/rss/1.0/" xmlns:enc="http://purl.oclc.org/net/rss_2.0/enc#">
      <rss:channel rdf:about="https://h/"><rss:title>Prefixed</rss:title><rss:link>https://h/</rss:link></rss:channel>
      <rss:item rdf:about="https://h/1"><rss:title>One</rss:title><rss:link>https://h/1</rss:link>
        <enc:enclosure rdf:resource="https://h/1.mp3" enc:type="audio/mpeg"/></rss:item></rdf:RDF>"#;
    let atom = r#"<a:feed xmlns:a="http://www.w3.org/2005/Atom"><a:title>Prefixed</a:title><a:id>f</a:id>
      <a:updated>2024-01-01T00:00:00Z</a:updated><a:entry><a:title>One</a:title><a:id>e1</a:id>
      <a:updated>2024-01-01T00:00:00Z</a:updated><a:link rel="enclosure" type="audio/mpeg" href="https://h/1.mp3"/></a:entry></a:feed>"#;
    // The same RSS 1.0 feed behind a declaration, a stylesheet and a comment.
    let rss1_behind = format!(
        "<?xml version=\"1.0\"?><?xml-stylesheet href=\"s.xsl\" type=\"text/xsl\"?><!-- a > b -->{rss1}"
    );
    for xml in [rss2, rss1, atom, &rss1_behind] {
        let feed = parse_str(xml);
        assert_eq!(feed.title, "Prefixed", "{xml}");
        let titles: Vec<&str> = feed.episodes.iter().map(|e| e.title.as_str()).collect();
        assert_eq!(titles, ["One"], "{xml}");
        assert_eq!(feed.episodes[0].enclosure.url, "https://h/1.mp3");
    }
    // The show notes are not the feed's elements: a CDATA section stays as written.
    let notes = &parse_str(rss2).episodes[0].description_html;
    assert_eq!(notes, "as written", "{notes}");
}

#[test]
fn a_show_without_a_title_takes_its_dublin_core_or_media_rss_title() {
    for (element, want) in [
        ("<dc:title>From Dublin Core</dc:title>", "From Dublin Core"),
        (
            "<media:title>From Media RSS</media:title>",
            "From Media RSS",
        ),
        (
            "<title> </title><dc:title>Blank title</dc:title>",
            "Blank title",
        ),
    ] {
        let xml = format!(
            r#"<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">
              <channel>{element}<item><title>e</title><guid>g</guid><enclosure url="https://h/1.mp3" type="audio/mpeg"/></item></channel></rss>"#
        );
        assert_eq!(parse_str(&xml).title, want);
    }
}

#[test]
fn core_attributes_in_any_letter_case_are_read() {
    let xml = r#"<rss version="2.0"><channel><title>t</title>
      <ITEM><TITLE>Shouted</TITLE><GUID ISPERMALINK="FALSE">https://h/not-a-page</GUID>
        <ENCLOSURE URL="https://h/1.mp3" TYPE="audio/mpeg" LENGTH="5"/></ITEM>
      <item><title>Mixed</title><guid IsPermaLink="False">https://h/also-not</guid>
        <enclosure Url='https://h/2.mp3' Type = "audio/mpeg"/></item>
      <item><title>Page</title><guid isPermaLink="true">https://h/page</guid>
        <enclosure url="https://h/3.mp3" type="audio/mpeg" length="7"/></item>
      </channel></rss>"#;
    let feed = parse_str(xml);
    let got: Vec<(&str, &str, Option<&str>, Option<u64>)> = feed
        .episodes
        .iter()
        .map(|e| {
            (
                e.title.as_str(),
                e.enclosure.url.as_str(),
                e.link.as_deref(),
                e.enclosure.length,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("Shouted", "https://h/1.mp3", None, Some(5)),
            ("Mixed", "https://h/2.mp3", None, None),
            ("Page", "https://h/3.mp3", Some("https://h/page"), Some(7)),
        ]
    );
}

#[test]
fn relative_artwork_links_chapters_and_transcripts_resolve_against_the_feed_url() {
    // Dropping what is not http(s) must not drop what is merely relative.
    let base = url::Url::parse("https://example.com/podcast/feed.xml").expect("url");
    let rss = r#"<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:podcast="https://podcastindex.org/namespace/1.0">
      <channel><title>S</title><link>/</link><image><url>cover.jpg</url></image>
      <item><title>e</title><guid>g</guid><link>episodes/1</link><itunes:image href="/art/1.png"/>
        <podcast:chapters url="1.chapters.json" type="application/json+chapters"/>
        <podcast:transcript url="1.vtt" type="text/vtt"/>
        <enclosure url="1.mp3" type="audio/mpeg"/></item></channel></rss>"#;
    let feed = parse_with_base(rss.as_bytes(), None, Some(&base)).expect("rss");
    assert_eq!(
        feed.image.as_deref(),
        Some("https://example.com/podcast/cover.jpg")
    );
    assert_eq!(feed.link.as_deref(), Some("https://example.com/"));
    let e = &feed.episodes[0];
    assert_eq!(
        (
            e.link.as_deref(),
            e.image.as_deref(),
            e.chapters_url.as_deref(),
            e.transcripts.first().map(|t| t.url.as_str())
        ),
        (
            Some("https://example.com/podcast/episodes/1"),
            Some("https://example.com/art/1.png"),
            Some("https://example.com/podcast/1.chapters.json"),
            Some("https://example.com/podcast/1.vtt")
        )
    );
    let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>f</id>
      <updated>2024-01-01T00:00:00Z</updated><logo>logo.png</logo><link rel="alternate" href="home"/>
      <entry><title>e</title><id>e1</id><updated>2024-01-01T00:00:00Z</updated>
        <link rel="alternate" href="e/1"/><link rel="enclosure" type="audio/mpeg" href="1.mp3"/></entry></feed>"#;
    let feed = parse_with_base(atom.as_bytes(), None, Some(&base)).expect("atom");
    assert_eq!(
        (feed.image.as_deref(), feed.link.as_deref()),
        (
            Some("https://example.com/podcast/logo.png"),
            Some("https://example.com/podcast/home")
        )
    );
    assert_eq!(
        feed.episodes[0].link.as_deref(),
        Some("https://example.com/podcast/e/1")
    );
}

/// The pre-passes that look for iTunes prefixes and old image tags stay linear on a hostile
/// feed: "xmlns:" a hundred thousand times with one `=` at the very end, and "<itunes:link"
/// as often inside one comment. (Unbounded, each took minutes.)
#[test]
fn hostile_repetitions_do_not_make_the_pre_passes_quadratic() {
    let started = std::time::Instant::now();
    let declarations = format!(
        r#"<rss version="2.0"><channel><title>{}=</title><item><title>e</title><guid>g</guid><enclosure url="https://h/1.mp3" type="audio/mpeg"/></item></channel></rss>"#,
        "xmlns:a ".repeat(100_000)
    );
    let _ = parse(declarations.as_bytes(), None);
    let tags = format!(
        r#"<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>t</title><!--{}--><item><title>e</title><guid>g</guid><enclosure url="https://h/1.mp3" type="audio/mpeg"/></item></channel></rss>"#,
        "<itunes:link ".repeat(100_000)
    );
    let _ = parse(tags.as_bytes(), None);
    let took = started.elapsed();
    assert!(
        took < std::time::Duration::from_secs(10),
        "the pre-passes took {took:?}"
    );
}

#[test]
fn a_feed_parsed_from_owned_bytes_is_the_same_feed() {
    let xml = crate::testkit::meta_tech_like_feed("http://h", 40).to_xml();
    let base = url::Url::parse("https://example.com/feed.xml").ok();
    let borrowed = parse_with_base(xml.as_bytes(), None, base.as_ref()).expect("parse");
    let owned = parse_owned(xml.into_bytes(), None, base.as_ref()).expect("parse");
    assert_eq!(owned, borrowed);
    assert_eq!(owned.episodes.len(), 40);
    assert!(matches!(
        parse_owned(b"<html></html>".to_vec(), None, None),
        Err(FeedError::NotAFeed { .. })
    ));
}

#[test]
fn thousands_of_items_keep_their_feed_order_across_blocks_and_threads() {
    // Three blocks of the parallel conversion, with some items that are not episodes.
    let mut xml = String::from("<rss version=\"2.0\"><channel><title>Many</title>");
    for i in 0..2500 {
        if i % 7 == 3 {
            xml.push_str(&format!("<item><title>Post {i}</title></item>"));
        } else {
            xml.push_str(&format!(
                "<item><title>Ep {i}</title><guid>g{i}</guid><description><![CDATA[<p>Notes \
                 <b>{i}</b></p>]]></description><enclosure url=\"https://h/{i}.mp3\" \
                 type=\"audio/mpeg\"/></item>"
            ));
        }
    }
    xml.push_str("</channel></rss>");
    let feed = parse_str(&xml);
    let expected: Vec<String> = (0..2500)
        .filter(|i| i % 7 != 3)
        .map(|i| format!("g{i}"))
        .collect();
    let got: Vec<String> = feed.episodes.iter().map(|e| e.guid.clone()).collect();
    assert_eq!(got, expected);
    assert_eq!(feed.episodes[1].description_html, "<p>Notes <b>1</b></p>");
}

#[test]
fn duplicates_are_judged_on_what_is_listed() {
    // A guid that differs only by a control character is the same episode once stripped, and
    // an item whose audio is not on the web does not hide a later one with the same guid.
    let xml = "<rss version=\"2.0\"><channel><title>D</title>\
        <item><title>A</title><guid>a\u{1}</guid><enclosure url=\"https://h/a.mp3\" type=\"audio/mpeg\"/></item>\
        <item><title>A again</title><guid>a</guid><enclosure url=\"https://h/a2.mp3\" type=\"audio/mpeg\"/></item>\
        <item><title>B local</title><guid>b</guid><enclosure url=\"file:///b.mp3\" type=\"audio/mpeg\"/></item>\
        <item><title>B</title><guid>b</guid><enclosure url=\"https://h/b.mp3\" type=\"audio/mpeg\"/></item>\
        </channel></rss>";
    let feed = parse_str(xml);
    let listed: Vec<(&str, &str)> = feed
        .episodes
        .iter()
        .map(|e| (e.guid.as_str(), e.title.as_str()))
        .collect();
    assert_eq!(listed, vec![("a", "A"), ("b", "B")]);
}
