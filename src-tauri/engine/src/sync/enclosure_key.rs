//! An episode's audio URL reduced to what names the file, so the same episode is recognised
//! when its feed moves to another CDN host path, adds or drops a measurement prefix (Podtrac,
//! Chartable, OP3 and the like), or changes its query string.
//!
//! Sync matches episodes by GUID first; this is the fallback for actions that carry no GUID
//! (gPodder and older AntennaPod send only the enclosure URL).

/// Measurement services that put themselves in front of the real URL: `host/path…/` then the
/// real `host/path`. `*` stands for exactly one path segment (an account or show id).
const TRACKING_PREFIXES: &[&str] = &[
    "dts.podtrac.com/redirect.*/",
    "podtrac.com/pts/redirect.*/",
    "chrt.fm/track/*/",
    "chtbl.com/track/*/",
    "pdst.fm/e/",
    "pfx.vpixl.com/*/",
    "op3.dev/e/",
    "op3.dev/*/",
    "arttrk.com/p/*/",
    "mgln.ai/e/*/",
    "claritaspod.com/measure/",
    "verifi.podscribe.com/rss/p/",
    "pscrb.fm/rss/p/",
    "prfx.byspotify.com/e/",
    "media.blubrry.com/*/",
    "swap.fm/track/*/",
    "prefix.up.audio/s/",
];

/// The URL's host and path, lower-case host without `www.`, without scheme, query, fragment
/// and tracking prefixes. `None` for something that is not a web URL.
pub fn enclosure_key(url: &str) -> Option<String> {
    let mut rest = strip_scheme(url.trim())?;
    // A prefix may wrap another prefix; each round removes one.
    for _ in 0..8 {
        match TRACKING_PREFIXES
            .iter()
            .find_map(|prefix| strip_prefix_pattern(rest, prefix))
        {
            Some(inner) => rest = strip_scheme(inner).unwrap_or(inner),
            None => break,
        }
    }
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    let rest = &rest[..end];
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = host.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let host = host.split(':').next().unwrap_or(host);
    if host.is_empty() {
        return None;
    }
    Some(format!("{host}/{}", path.trim_end_matches('/')))
}

fn strip_scheme(url: &str) -> Option<&str> {
    // By bytes that are ASCII in both prefixes; `get` refuses a cut inside a character.
    let starts = |prefix: &str| {
        url.get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    if starts("https://") {
        url.get(8..)
    } else if starts("http://") {
        url.get(7..)
    } else {
        None
    }
}

/// `rest` without the prefix `pattern` (segments compared case-insensitively, `www.` allowed
/// before the host), or `None` when it does not start with it.
fn strip_prefix_pattern<'a>(rest: &'a str, pattern: &str) -> Option<&'a str> {
    let mut rest = rest;
    if rest
        .get(..4)
        .is_some_and(|w| w.eq_ignore_ascii_case("www."))
    {
        rest = rest.get(4..)?;
    }
    for want in pattern.trim_end_matches('/').split('/') {
        let (segment, after) = rest.split_once('/')?;
        let matches = match want.split_once('*') {
            None => segment.eq_ignore_ascii_case(want),
            Some((head, tail)) => {
                segment.len() > head.len() + tail.len()
                    && segment
                        .get(..head.len())
                        .is_some_and(|h| h.eq_ignore_ascii_case(head))
                    && segment
                        .get(segment.len() - tail.len()..)
                        .is_some_and(|t| t.eq_ignore_ascii_case(tail))
            }
        };
        if !matches {
            return None;
        }
        rest = after;
    }
    (!rest.is_empty()).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::enclosure_key;

    #[test]
    fn the_same_file_behind_trackers_and_query_strings_has_one_key() {
        let plain = enclosure_key("https://traffic.libsyn.com/secure/show/ep42.mp3").unwrap();
        assert_eq!(plain, "traffic.libsyn.com/secure/show/ep42.mp3");
        for variant in [
            "http://traffic.libsyn.com/secure/show/ep42.mp3?dest-id=123",
            "https://TRAFFIC.libsyn.com/secure/show/ep42.mp3#t=10",
            "https://dts.podtrac.com/redirect.mp3/traffic.libsyn.com/secure/show/ep42.mp3",
            "https://www.podtrac.com/pts/redirect.mp3/traffic.libsyn.com/secure/show/ep42.mp3",
            "https://chrt.fm/track/ABC123/traffic.libsyn.com/secure/show/ep42.mp3?utm=x",
            "https://pdst.fm/e/chrt.fm/track/ABC123/traffic.libsyn.com/secure/show/ep42.mp3",
            "https://op3.dev/e/https://traffic.libsyn.com/secure/show/ep42.mp3",
            "https://op3.dev/e,pg=00000000-1111/traffic.libsyn.com/secure/show/ep42.mp3",
            "https://pfx.vpixl.com/6qj4J/traffic.libsyn.com/secure/show/ep42.mp3",
            "https://media.blubrry.com/myshow/traffic.libsyn.com/secure/show/ep42.mp3",
            "https://traffic.libsyn.com:443/secure/show/ep42.mp3",
        ] {
            assert_eq!(
                enclosure_key(variant).as_deref(),
                Some(plain.as_str()),
                "{variant}"
            );
        }
    }

    #[test]
    fn different_files_keep_different_keys() {
        let a = enclosure_key("https://cdn.example/show/ep1.mp3");
        assert_ne!(a, enclosure_key("https://cdn.example/show/ep2.mp3"));
        assert_ne!(a, enclosure_key("https://other.example/show/ep1.mp3"));
        // A tracker name that is the whole host of a real file is not stripped blindly.
        assert_eq!(
            enclosure_key("https://pdst.fm/e/").as_deref(),
            Some("pdst.fm/e")
        );
        assert_eq!(enclosure_key("ftp://x/y.mp3"), None);
        assert_eq!(enclosure_key("not a url"), None);
        assert_eq!(enclosure_key("https:///nohost"), None);
    }

    #[test]
    fn any_text_a_server_sends_is_read_without_panicking() {
        for text in [
            "http://aaaé.com/x.mp3",
            "https://wwé.example/x",
            "https://dts.podtrac.com/redirectéé/x",
            "https://dts.podtrac.com/redirect.é/h/x",
            "httpé://x",
            "é",
            "",
            "https://",
            "https://www.",
            "https://chrt.fm/track/ü/h/x.mp3",
        ] {
            let _ = enclosure_key(text);
        }
        assert_eq!(
            enclosure_key("https://ex.example/épisode.mp3").as_deref(),
            Some("ex.example/épisode.mp3")
        );
    }
}
