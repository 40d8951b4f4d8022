use std::time::{Duration, Instant};

use super::*;

const ALL: [Format; 5] = [
    Format::Json,
    Format::Vtt,
    Format::Srt,
    Format::Html,
    Format::Text,
];

fn read(text: &str, format: Format) -> Transcript {
    parse(text.as_bytes(), Some(format)).unwrap_or_else(|e| panic!("{format}: {e}\n{text}"))
}

fn cue(start_ms: u64, end_ms: u64, speaker: Option<&str>, text: &str) -> Cue {
    Cue {
        start_ms,
        end_ms,
        speaker: speaker.map(str::to_string),
        text: text.to_string(),
    }
}

fn texts(t: &Transcript) -> Vec<&str> {
    t.cues.iter().map(|c| c.text.as_str()).collect()
}

fn speakers(t: &Transcript) -> Vec<Option<&str>> {
    t.cues.iter().map(|c| c.speaker.as_deref()).collect()
}

fn starts(t: &Transcript) -> Vec<u64> {
    t.cues.iter().map(|c| c.start_ms).collect()
}

/// Pseudo-random bytes from a fixed-seed LCG (Knuth's MMIX constants).
fn lcg_bytes(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 56) as u8
        })
        .collect()
}

// ---- Format -----------------------------------------------------------------------------------

#[test]
fn format_from_mime_ignores_case_and_parameters() {
    assert_eq!(Format::from_mime("application/json"), Some(Format::Json));
    assert_eq!(Format::from_mime("text/vtt"), Some(Format::Vtt));
    assert_eq!(
        Format::from_mime("Text/VTT; charset=utf-8"),
        Some(Format::Vtt)
    );
    assert_eq!(Format::from_mime("application/x-subrip"), Some(Format::Srt));
    assert_eq!(Format::from_mime("application/srt"), Some(Format::Srt));
    assert_eq!(Format::from_mime(" text/srt "), Some(Format::Srt));
    assert_eq!(
        Format::from_mime("text/html;charset=UTF-8"),
        Some(Format::Html)
    );
    assert_eq!(Format::from_mime("text/plain"), Some(Format::Text));
    assert_eq!(Format::from_mime("application/json+chapters"), None);
    assert_eq!(Format::from_mime("audio/mpeg"), None);
    assert_eq!(Format::from_mime(""), None);
}

#[test]
fn format_names_round_trip_and_extensions_are_known() {
    for format in ALL {
        assert_eq!(Format::from_name(format.name()), Some(format));
        assert_eq!(format.to_string(), format.name());
    }
    assert_eq!(Format::from_name("htm"), Some(Format::Html));
    assert_eq!(Format::from_name("TXT"), Some(Format::Text));
    assert_eq!(Format::from_name(".vtt"), Some(Format::Vtt));
    assert_eq!(Format::from_name("mp3"), None);
}

#[test]
fn format_rank_prefers_json_then_vtt_srt_html_text() {
    let mut formats = ALL;
    formats.sort_by_key(|f| std::cmp::Reverse(f.rank()));
    formats.reverse();
    assert_eq!(formats, ALL);
    assert_eq!(Format::Json.rank(), 0);
    assert_eq!(Format::Text.rank(), 4);
}

// ---- sniffing ---------------------------------------------------------------------------------

#[test]
fn sniff_recognises_each_format() {
    assert_eq!(sniff(b"WEBVTT\n\n00:01.000 --> 00:02.000\nhi"), Format::Vtt);
    assert_eq!(sniff(b"\xEF\xBB\xBFWEBVTT - Episode 12\r\n"), Format::Vtt);
    assert_eq!(
        sniff(b"  {\"version\":\"1.0.0\",\"segments\":[]}"),
        Format::Json
    );
    assert_eq!(
        sniff(b"[ {\"body\":\"hi\",\"startTime\":0} ]"),
        Format::Json
    );
    assert_eq!(
        sniff(b"1\n00:00:01,000 --> 00:00:02,000\nhi\n"),
        Format::Srt
    );
    assert_eq!(
        sniff(b"\r\n00:00:01,000 --> 00:00:02,000\r\nhi"),
        Format::Srt
    );
    assert_eq!(
        sniff(b"<cite>Ann:</cite><time>0:00</time><p>Hi</p>"),
        Format::Html
    );
    assert_eq!(sniff(b"<!DOCTYPE html><html><body><p>Hi"), Format::Html);
    assert_eq!(sniff(b"Ann: Hello there.\n\nBob: Hi."), Format::Text);
    assert_eq!(
        sniff(b"[Music]\nHello there."),
        Format::Text,
        "a bracket is not JSON"
    );
    assert_eq!(sniff(b"WEBVTTX is not a header"), Format::Text);
    assert_eq!(sniff(b""), Format::Text);
}

#[test]
fn sniff_reads_utf16_with_bom() {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in "WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n".encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    assert_eq!(sniff(&bytes), Format::Vtt);
    let t = parse(&bytes, None).expect("utf-16 vtt");
    assert_eq!(t.cues, vec![cue(1000, 2000, None, "hi")]);
}

// ---- parse: decoding, limits, errors ------------------------------------------------------------

#[test]
fn too_large_is_refused_before_reading() {
    let bytes = vec![b'a'; MAX_TRANSCRIPT_BYTES + 1];
    let err = parse(&bytes, Some(Format::Text)).expect_err("too large");
    assert!(matches!(
        err,
        TranscriptError::TooLarge {
            limit_bytes: MAX_TRANSCRIPT_BYTES
        }
    ));
    assert_eq!(
        err.to_string(),
        format!("transcript is larger than {MAX_TRANSCRIPT_BYTES} bytes")
    );
}

#[test]
fn empty_and_blank_input_is_empty() {
    for input in [&b""[..], b"   \n\r\n\t ", b"\xEF\xBB\xBF"] {
        for format in [None, Some(Format::Vtt), Some(Format::Text)] {
            let err = parse(input, format).expect_err("empty");
            assert!(matches!(err, TranscriptError::Empty), "{input:?}: {err}");
        }
    }
}

#[test]
fn input_without_cues_is_no_cues() {
    let err = parse(b"WEBVTT\n\nNOTE nothing here\n", None).expect_err("no cues");
    assert!(matches!(
        err,
        TranscriptError::NoCues {
            format: Format::Vtt
        }
    ));
    assert_eq!(err.to_string(), "no cues in the vtt transcript");
    let err = parse(b"1\n00:00:01,000 --> 00:00:02,000\n\n", Some(Format::Srt)).expect_err("");
    assert!(matches!(err, TranscriptError::NoCues { .. }));
    let err = parse(b"<html><head><title>x</title></head></html>", None).expect_err("");
    assert!(matches!(
        err,
        TranscriptError::NoCues {
            format: Format::Html
        }
    ));
}

#[test]
fn binary_input_is_not_text() {
    let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec();
    png.extend(lcg_bytes(2000, 7));
    for format in [None, Some(Format::Text), Some(Format::Json)] {
        let err = parse(&png, format).expect_err("binary");
        assert!(matches!(err, TranscriptError::NotText), "{err}");
    }
    assert_eq!(TranscriptError::NotText.to_string(), "not a text file");
    // Random bytes behind a UTF-16 byte order mark.
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(lcg_bytes(1 << 20, 11));
    let err = parse(&utf16, None).expect_err("utf-16 garbage");
    assert!(matches!(err, TranscriptError::NotText), "{err}");
    // Valid UTF-8 full of control characters is no better.
    let err = parse(&[1u8; 100], None).expect_err("controls");
    assert!(matches!(err, TranscriptError::NotText));
}

#[test]
fn five_megabytes_of_random_bytes_are_refused_quickly() {
    let bytes = lcg_bytes(MAX_TRANSCRIPT_BYTES, 0x5eed);
    for format in [
        None,
        Some(Format::Vtt),
        Some(Format::Json),
        Some(Format::Text),
    ] {
        let started = Instant::now();
        let result = parse(&bytes, format);
        let took = started.elapsed();
        eprintln!("5 MB random bytes as {format:?}: {took:?}");
        assert!(result.is_err(), "{format:?}");
        assert!(took < Duration::from_secs(1), "{format:?} took {took:?}");
    }
}

#[test]
fn windows_1252_and_latin1_text_is_decoded() {
    let t = parse(b"Caf\xe9 cr\xe8me \x93quoted\x94", Some(Format::Text)).expect("1252");
    assert_eq!(texts(&t), ["Café crème “quoted”"]);
}

#[test]
fn utf16_without_bom_is_recognised() {
    let mut bytes = Vec::new();
    for unit in "1\n00:00:01,000 --> 00:00:02,500\nHallo Welt\n".encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    let t = parse(&bytes, None).expect("utf-16le");
    assert_eq!(t.cues, vec![cue(1000, 2500, None, "Hallo Welt")]);
}

#[test]
fn cues_out_of_order_are_sorted_stably() {
    let srt = "3\n00:00:09,000 --> 00:00:10,000\nthird\n\n\
               1\n00:00:01,000 --> 00:00:02,000\nfirst\n\n\
               2\n00:00:05,000 --> 00:00:06,000\nsecond a\n\n\
               4\n00:00:05,000 --> 00:00:07,000\nsecond b\n";
    let t = read(srt, Format::Srt);
    assert_eq!(texts(&t), ["first", "second a", "second b", "third"]);
    assert_eq!(starts(&t), [1000, 5000, 5000, 9000]);
}

#[test]
fn missing_or_backwards_ends_are_filled_in() {
    // No end, an end before the start, cues starting together, and a last cue without end.
    let vtt = "WEBVTT\n\n00:01.000 --> \na\n\n00:04.000 --> 00:03.000\nb\n\n\
               00:06.000 --> nonsense\nc\n\n00:06.000 --> 00:06.500\nd\n\n00:09.000 -->\ne\n";
    let t = read(vtt, Format::Vtt);
    assert_eq!(
        t.cues,
        vec![
            cue(1000, 4000, None, "a"),
            cue(4000, 6000, None, "b"),
            cue(6000, 9000, None, "c"),
            cue(6000, 6500, None, "d"),
            cue(9000, 14_000, None, "e"),
        ]
    );
    assert!(t.cues.iter().all(|c| c.end_ms >= c.start_ms));
}

#[test]
fn huge_timestamps_saturate_instead_of_overflowing() {
    assert_eq!(
        parse_timestamp("99999999:99:99.999"),
        Some(360_000_002_439_999)
    );
    let digits = "9".repeat(40);
    assert_eq!(
        parse_timestamp(&format!("{digits}:00:00.000")),
        Some(u64::MAX)
    );
    assert_eq!(parse_timestamp(&format!("00:{digits}.5")), Some(u64::MAX));
    let t = read(
        &format!(
            "WEBVTT\n\n{digits}:00.000 --> {digits}:00.000\nlate\n\n00:01.000 --> 00:02.000\nx\n"
        ),
        Format::Vtt,
    );
    assert_eq!(starts(&t), [1000, u64::MAX]);
    assert_eq!(t.cues[1].end_ms, u64::MAX);
}

#[test]
fn five_megabytes_of_huge_times_do_not_overflow() {
    let block = "99999999:99:99.999 --> 99999999:99:99.999 align:start\n99999999\n\n";
    let mut vtt = String::from("WEBVTT\n\n");
    while vtt.len() + block.len() <= MAX_TRANSCRIPT_BYTES {
        vtt.push_str(block);
    }
    let started = Instant::now();
    for format in [Format::Vtt, Format::Srt] {
        let t = read(&vtt, format);
        assert!(t.cues.len() > 50_000);
        assert!(t.cues.iter().all(|c| c.start_ms == 360_000_002_439_999));
    }
    let json = format!(
        "[{}{{\"startTime\":1e300,\"endTime\":\"1e308\",\"body\":\"x.\"}}]",
        "{\"startTime\":9e18,\"endTime\":-5,\"body\":\"y.\"},".repeat(1000)
    );
    let t = read(&json, Format::Json);
    assert_eq!(
        t.cues.last().map(|c| (c.start_ms, c.end_ms)),
        Some((u64::MAX, u64::MAX))
    );
    eprintln!("5 MB of huge times, twice: {:?}", started.elapsed());
}

#[test]
fn declared_format_gives_way_to_what_the_content_is() {
    let vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Ann>Hello.\n";
    for declared in ALL {
        let t = read(vtt, declared);
        assert!(t.timed, "{declared}");
        assert_eq!(
            t.cues,
            vec![cue(1000, 2000, Some("Ann"), "Hello.")],
            "{declared}"
        );
    }
    let srt = "1\n00:00:01,000 --> 00:00:02,000\nHello.\n";
    let t = read(srt, Format::Json);
    assert_eq!(t.cues, vec![cue(1000, 2000, None, "Hello.")]);
    let t = read(srt, Format::Text);
    assert_eq!(t.cues, vec![cue(1000, 2000, None, "Hello.")]);
    let html = "<p>Hello <b>there</b>.</p>";
    assert_eq!(texts(&read(html, Format::Text)), ["Hello there."]);
    // Plain text declared as JSON stays an error: text is no structural signal.
    let err = parse(b"Hello there.", Some(Format::Json)).expect_err("not json");
    assert!(matches!(err, TranscriptError::Json(_)), "{err}");
}

#[test]
fn pathological_inputs_return_quickly_in_every_format() {
    let mut inputs: Vec<Vec<u8>> = vec![
        "<".repeat(1 << 18).into_bytes(),
        "<a".repeat(1 << 17).into_bytes(),
        "{\\".repeat(1 << 17).into_bytes(),
        "&".repeat(1 << 18).into_bytes(),
        "&#x1F600".repeat(1 << 15).into_bytes(),
        "-->".repeat(1 << 16).into_bytes(),
        "00:00:01.000 --> \n".repeat(1 << 14).into_bytes(),
        "1\n".repeat(1 << 17).into_bytes(),
        "<!--".repeat(1 << 16).into_bytes(),
        "<script>".repeat(1 << 15).into_bytes(),
        "<p><cite><time>".repeat(1 << 14).into_bytes(),
        "[".repeat(1 << 16).into_bytes(),
        "{\"segments\":".repeat(1 << 14).into_bytes(),
        "a: ".repeat(1 << 16).into_bytes(),
        "\n".repeat(1 << 18).into_bytes(),
        "x".repeat(1 << 18).into_bytes(),
    ];
    inputs.push(b"\xFF\xFE".to_vec());
    inputs.push(b"\xFE\xFF\x00".to_vec());
    inputs.push(b"\xEF\xBB".to_vec());
    inputs.push(b"\x00a\x00b\x00c".to_vec());
    inputs.push("&#1114112;&#xD800;&#0;&#x;&#;&;&amp".as_bytes().to_vec());
    // Inputs of a few hundred KB: a quadratic path would take minutes, a linear one well under
    // the bound even in a debug build on a busy machine.
    for input in &inputs {
        let started = Instant::now();
        let _ = parse(input, None);
        for format in ALL {
            let _ = parse(input, Some(format));
        }
        let took = started.elapsed();
        let head = String::from_utf8_lossy(&input[..input.len().min(12)]).into_owned();
        assert!(took < Duration::from_secs(5), "{head:?}… took {took:?}");
    }
}

// ---- WebVTT -----------------------------------------------------------------------------------

#[test]
fn vtt_header_metadata_identifiers_and_settings() {
    let vtt = "WEBVTT - The Harbour Show, episode 4\nKind: captions\nLanguage: en\n\n\
               intro-1\n00:00:00.500 --> 00:00:03.250 align:start position:10% line:0\n\
               Welcome aboard.\n\n\
               00:03.250 --> 00:07.000 size:80%\nShort timestamps work too.\n\n\
               42\n01:02:03.004 --> 01:02:05.000\nAn hour in.\n";
    let t = read(vtt, Format::Vtt);
    assert!(t.timed);
    assert_eq!(
        t.cues,
        vec![
            cue(500, 3250, None, "Welcome aboard."),
            cue(3250, 7000, None, "Short timestamps work too."),
            cue(3_723_004, 3_725_000, None, "An hour in."),
        ]
    );
}

#[test]
fn vtt_multi_line_cues_are_joined_with_a_space() {
    let vtt = "WEBVTT\n\n00:01.000 --> 00:04.000\nThe tide came in\n  faster than   we thought\nthat night.\n";
    let t = read(vtt, Format::Vtt);
    assert_eq!(
        texts(&t),
        ["The tide came in faster than we thought that night."]
    );
}

#[test]
fn vtt_voice_spans_name_the_speaker() {
    let vtt = "WEBVTT\n\n\
               00:01.000 --> 00:02.000\n<v Mira>Morning, everyone.\n\n\
               00:02.000 --> 00:03.000\n<v.loud Captain Jo Reyes>Hands on deck!</v>\n\n\
               00:03.000 --> 00:04.000\nNo voice tag here.\n\n\
               00:04.000 --> 00:05.000\n<v>Empty voice</v>\n\n\
               00:05.000 --> 00:06.000\n<v.a.b\tTab Name >Tabbed.</v>\n";
    let t = read(vtt, Format::Vtt);
    assert_eq!(
        speakers(&t),
        [
            Some("Mira"),
            Some("Captain Jo Reyes"),
            None,
            None,
            Some("Tab Name")
        ]
    );
    assert_eq!(
        texts(&t),
        [
            "Morning, everyone.",
            "Hands on deck!",
            "No voice tag here.",
            "Empty voice",
            "Tabbed."
        ]
    );
}

#[test]
fn vtt_markup_is_stripped() {
    let vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:05.000\n\
               <i>Slowly</i>, <b>very</b> <u>slowly</u> <c.yellow.bg_blue>the</c> \
               <lang en-GB>colour</lang> <ruby>漢<rt>kan</rt></ruby> \
               chan<00:00:02.500>ged<00:00:03.000> again\n";
    let t = read(vtt, Format::Vtt);
    assert_eq!(
        texts(&t),
        ["Slowly, very slowly the colour 漢kan changed again"]
    );
}

#[test]
fn vtt_entities_are_decoded() {
    let vtt = "WEBVTT\n\n00:01.000 --> 00:02.000\n\
               Q&amp;A: 1 &lt; 2 &gt; 0&nbsp;here &lrm;left&rlm; &#39;x&#x27; &bogus; & done\n";
    let t = read(vtt, Format::Vtt);
    assert_eq!(
        texts(&t),
        ["Q&A: 1 < 2 > 0 here \u{200e}left\u{200f} 'x' &bogus; & done"]
    );
}

#[test]
fn vtt_note_style_and_region_blocks_are_skipped() {
    let vtt = "WEBVTT\n\nSTYLE\n::cue { color: lime }\n::cue(b) { color: red }\n\n\
               REGION\nid:fred\nwidth:40%\n\n\
               NOTE This is a comment\nthat spans two lines\n\n\
               NOTE\nanother one\n\n\
               00:01.000 --> 00:02.000 region:fred\nOnly this.\n\n\
               NOTE trailing\n";
    let t = read(vtt, Format::Vtt);
    assert_eq!(texts(&t), ["Only this."]);
}

#[test]
fn vtt_line_endings_and_bom() {
    let lf =
        "WEBVTT\n\n1\n00:01.000 --> 00:02.000\nOne\nline two\n\n00:03.000 --> 00:04.000\nThree\n";
    let want = read(lf, Format::Vtt);
    assert_eq!(texts(&want), ["One line two", "Three"]);
    let crlf = format!("\u{feff}{}", lf.replace('\n', "\r\n"));
    assert_eq!(parse(crlf.as_bytes(), None).expect("crlf"), want);
    let cr = lf.replace('\n', "\r");
    assert_eq!(parse(cr.as_bytes(), None).expect("cr"), want);
}

#[test]
fn vtt_is_lenient_about_missing_blank_lines_and_header() {
    let vtt = "WEBVTT\n00:01.000 --> 00:02.000\nfirst\n00:02.000 --> 00:03.000\nsecond\n";
    let t = read(vtt, Format::Vtt);
    assert_eq!(texts(&t), ["first", "second"]);
    let headerless = "00:01.000 --> 00:02.000\nno header\n";
    assert_eq!(texts(&read(headerless, Format::Vtt)), ["no header"]);
    let junk = "WEBVTT\n\nsome junk line\nmore junk\n00:05.000 --> 00:06.000\nafter junk\n";
    assert_eq!(texts(&read(junk, Format::Vtt)), ["after junk"]);
}

// ---- SRT --------------------------------------------------------------------------------------

#[test]
fn srt_numbered_blocks_and_time_forms() {
    let srt = "1\n00:00:01,000 --> 00:00:04,000\nComma decimals.\n\n\
               2\n00:00:04.500 --> 00:00:06.000\nDot decimals.\n\n\
               3\n1:02:03,040 --> 1:02:04,000\nOne-digit hour.\n\n\
               4\n00:10:00,000 --> 00:10:02,000 X1:100 X2:200 Y1:10 Y2:20\nCoordinates.\n";
    let t = read(srt, Format::Srt);
    assert!(t.timed);
    assert_eq!(
        t.cues,
        vec![
            cue(1000, 4000, None, "Comma decimals."),
            cue(4500, 6000, None, "Dot decimals."),
            cue(600_000, 602_000, None, "Coordinates."),
            cue(3_723_040, 3_724_000, None, "One-digit hour."),
        ]
    );
}

#[test]
fn srt_markup_is_stripped() {
    let srt =
        "1\n00:00:01,000 --> 00:00:02,000\n{\\an8}<i>Top</i> <font color=\"#ffcc00\">and</font> \
               <b>bold</b> &amp; {\\i1}ass{\\i0}, but {braces} and a < b stay\n";
    let t = read(srt, Format::Srt);
    assert_eq!(
        texts(&t),
        ["Top and bold & ass, but {braces} and a < b stay"]
    );
}

#[test]
fn srt_blank_line_variations() {
    let srt = "\n\n1\n00:00:01,000 --> 00:00:02,000\nfirst line   \nsecond line\t\n\n\n\n\
               2\n00:00:02,000 --> 00:00:03,000\nno blank line after me\n\
               3\n00:00:03,000 --> 00:00:04,000\n42\n   \n\
               4\n00:00:04,000 --> 00:00:05,000\nno trailing newline";
    let t = read(srt, Format::Srt);
    assert_eq!(
        texts(&t),
        [
            "first line second line",
            "no blank line after me",
            "42",
            "no trailing newline"
        ]
    );
    assert_eq!(starts(&t), [1000, 2000, 3000, 4000]);
}

#[test]
fn srt_bom_and_crlf() {
    let srt = "\u{feff}1\r\n00:00:01,000 --> 00:00:02,000\r\nHello\r\nthere\r\n\r\n2\r\n00:00:02,500 --> 00:00:03,000\r\nAgain\r\n";
    let t = parse(srt.as_bytes(), None).expect("srt");
    assert_eq!(
        t.cues,
        vec![
            cue(1000, 2000, None, "Hello there"),
            cue(2500, 3000, None, "Again")
        ]
    );
}

#[test]
fn srt_speaker_prefix_is_taken_conservatively() {
    let lines = [
        (
            "Travis: When you first get started",
            Some("Travis"),
            "When you first get started",
        ),
        (
            "Dr. Ana Lima: Thanks for having me.",
            Some("Dr. Ana Lima"),
            "Thanks for having me.",
        ),
        ("JO: Right.", Some("JO"), "Right."),
        (
            "Note: this is not a person.",
            None,
            "Note: this is not a person.",
        ),
        (
            "So here is the thing: it works.",
            None,
            "So here is the thing: it works.",
        ),
        ("the host: lower case", None, "the host: lower case"),
        ("At 12:30 we left.", None, "At 12:30 we left."),
        (
            "Visit https://example.com now",
            None,
            "Visit https://example.com now",
        ),
        ("Ratio 3:1 is fine", None, "Ratio 3:1 is fine"),
        ("Ann:no space", None, "Ann:no space"),
        ("Ann: ", None, "Ann:"),
    ];
    let mut srt = String::new();
    for (i, (line, _, _)) in lines.iter().enumerate() {
        srt.push_str(&format!(
            "{}\n00:00:{i:02},000 --> 00:00:{i:02},900\n{line}\n\n",
            i + 1
        ));
    }
    let t = read(&srt, Format::Srt);
    let want_speakers: Vec<Option<&str>> = lines.iter().map(|l| l.1).collect();
    let want_texts: Vec<&str> = lines.iter().map(|l| l.2).collect();
    assert_eq!(speakers(&t), want_speakers);
    assert_eq!(texts(&t), want_texts);
}

// ---- JSON -------------------------------------------------------------------------------------

#[test]
fn json_word_segments_merge_into_sentences() {
    let json = r#"{"version":"1.0.0","segments":[
        {"speaker":"Lena","startTime":0.5,"endTime":0.8,"body":"Good"},
        {"speaker":"Lena","startTime":0.9,"endTime":1.3,"body":"evening"},
        {"speaker":"Lena","startTime":1.3,"endTime":1.4,"body":","},
        {"speaker":"Lena","startTime":1.5,"endTime":1.9,"body":"listeners"},
        {"speaker":"Lena","startTime":1.9,"endTime":2.0,"body":"."},
        {"speaker":"Lena","startTime":2.2,"endTime":2.5,"body":"Ready"},
        {"speaker":"Lena","startTime":2.5,"endTime":2.9,"body":"now?"},
        {"speaker":"Omar","startTime":3.0,"endTime":3.4,"body":"Always"},
        {"speaker":"Lena","startTime":3.5,"endTime":3.8,"body":"Then"},
        {"speaker":"Lena","startTime":3.8,"endTime":4.0,"body":"we"},
        {"speaker":"Lena","startTime":6.0,"endTime":6.3,"body":"begin"},
        {"speaker":"Lena","startTime":6.3,"endTime":6.6,"body":"…"}
    ]}"#;
    let t = read(json, Format::Json);
    assert_eq!(
        t.cues,
        vec![
            cue(500, 2000, Some("Lena"), "Good evening, listeners."),
            cue(2200, 2900, Some("Lena"), "Ready now?"),
            cue(3000, 3400, Some("Omar"), "Always"),
            cue(3500, 4000, Some("Lena"), "Then we"),
            cue(6000, 6600, Some("Lena"), "begin…"),
        ]
    );
}

#[test]
fn json_long_unpunctuated_speech_is_cut_at_forty_words() {
    let segments: Vec<String> = (0..100)
        .map(|i| {
            format!(
                r#"{{"speaker":"A","startTime":{},"body":"w{i}"}}"#,
                i as f64 * 0.3
            )
        })
        .collect();
    let json = format!(r#"{{"segments":[{}]}}"#, segments.join(","));
    let t = read(&json, Format::Json);
    let words: Vec<usize> = t.cues.iter().map(|c| c.text.split(' ').count()).collect();
    assert_eq!(words, [40, 40, 20]);
    assert_eq!(starts(&t), [0, 12_000, 24_000]);
    // No end times: each cue runs to the next, the last a few seconds.
    assert_eq!(t.cues[0].end_ms, 12_000);
    assert_eq!(t.cues[2].end_ms, 29_000);
}

#[test]
fn json_sentence_segments_stay_as_they_are() {
    let json = r#"{"version":"1.0.0","segments":[
        {"speaker":"Host","startTime":0,"endTime":3.5,"body":"Welcome to the show, it is good to have you."},
        {"speaker":"Host","startTime":3.5,"endTime":6,"body":"Today we talk about boats and the sea"},
        {"speaker":"Host","startTime":6,"endTime":9,"body":"and why they matter so much to us all."}
    ]}"#;
    let t = read(json, Format::Json);
    assert_eq!(t.cues.len(), 3);
    assert_eq!(
        t.cues[1],
        cue(
            3500,
            6000,
            Some("Host"),
            "Today we talk about boats and the sea"
        )
    );
}

#[test]
fn json_tolerates_strings_unknown_fields_and_bare_lists() {
    let json = r#"[
        {"speaker":"  ","startTime":"1.25","endTime":"2","body":"  Hello.  ","confidence":0.9},
        {"startTime":2.5,"body":"Untimed end."},
        {"startTime":"soon","body":"skipped: no usable start"},
        {"startTime":3,"body":""},
        {"startTime":-0.01,"endTime":-1,"body":"Early."},
        {"startTime":4,"body":7}
    ]"#;
    let t = read(json, Format::Json);
    assert_eq!(
        t.cues,
        vec![
            cue(0, 1250, None, "Early."),
            cue(1250, 2000, None, "Hello."),
            cue(2500, 4000, None, "Untimed end."),
            cue(4000, 9000, None, "7"),
        ]
    );
}

#[test]
fn json_errors_are_reported() {
    let err = parse(b"{\"segments\": [", Some(Format::Json)).expect_err("truncated");
    assert!(matches!(err, TranscriptError::Json(_)));
    assert!(
        err.to_string().starts_with("invalid JSON transcript: "),
        "{err}"
    );
    let err = parse(b"{\"version\":\"1.0.0\"}", None).expect_err("no segments");
    assert_eq!(
        err.to_string(),
        "invalid JSON transcript: no \"segments\" list"
    );
    let err = parse(b"{\"segments\":[{\"body\":\"no time\"}]}", None).expect_err("no cues");
    assert!(matches!(
        err,
        TranscriptError::NoCues {
            format: Format::Json
        }
    ));
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let err = parse(deep.as_bytes(), Some(Format::Json)).expect_err("deep nesting");
    assert!(matches!(err, TranscriptError::Json(_)), "{err}");
}

// ---- HTML -------------------------------------------------------------------------------------

#[test]
fn html_spec_style_cite_time_paragraph() {
    let html = "<cite>Mira:</cite>\n<time>0:00</time>\n<p>Welcome back to the harbour.</p>\n\
                <cite>Jo Reyes:</cite>\n<time>01:05</time>\n<p>Glad to be here.</p>\n\
                <p>Second paragraph, same speaker &amp; time.</p>\n\
                <time>1:02:03.5</time>\n<p>Much later.</p>\n";
    let t = read(html, Format::Html);
    assert!(t.timed);
    assert_eq!(
        t.cues,
        vec![
            cue(0, 65_000, Some("Mira"), "Welcome back to the harbour."),
            cue(65_000, 3_723_500, Some("Jo Reyes"), "Glad to be here."),
            cue(
                65_000,
                3_723_500,
                Some("Jo Reyes"),
                "Second paragraph, same speaker & time."
            ),
            cue(3_723_500, 3_728_500, Some("Jo Reyes"), "Much later."),
        ]
    );
}

#[test]
fn html_without_times_is_untimed() {
    let html = "<!DOCTYPE html><html><head><title>Episode 3</title>\
                <style>p { color: red }</style><script>var a = '<p>no</p>';</script></head>\
                <body><!-- generated <p>hidden</p> -->\
                <p><cite>Ann:</cite> First <b>bold</b> <a href=\"https://x.org\">link</a>.</p>\
                <P CLASS=x>Second<br>line &#8212; done</P></body></html>";
    let t = read(html, Format::Html);
    assert!(!t.timed);
    assert_eq!(
        t.cues,
        vec![
            cue(0, 0, Some("Ann"), "First bold link."),
            cue(0, 0, Some("Ann"), "Second line — done"),
        ]
    );
}

#[test]
fn html_is_tolerant_of_broken_markup() {
    let html =
        "<cite>Bo</cite><time>00:00:07</time><p>Unclosed paragraph\n<p>Next one with a < sign \
                and 3 <4 things<div>Loose block text</div>A <cite>Book Title</cite> inside\
                <p>Says <time>tomorrow</time> it rains</p><time>nonsense</time><p>end <b";
    let t = read(html, Format::Html);
    assert!(t.timed);
    assert_eq!(
        texts(&t),
        [
            "Unclosed paragraph",
            "Next one with a < sign and 3 <4 things",
            "Loose block text",
            "A Book Title inside",
            "Says tomorrow it rains",
            "nonsense",
            "end <b",
        ]
    );
    assert!(t
        .cues
        .iter()
        .all(|c| c.start_ms == 7000 && c.speaker.as_deref() == Some("Bo")));
}

// ---- plain text -------------------------------------------------------------------------------

#[test]
fn text_paragraphs_split_on_blank_lines() {
    let text = "Mira: Welcome back to the harbour.\nIt is cold today.\n\n\n\
                Jo: Glad to be here.\n  \nAnd then a third paragraph.\n";
    let t = read(text, Format::Text);
    assert!(!t.timed);
    assert_eq!(
        t.cues,
        vec![
            cue(
                0,
                0,
                Some("Mira"),
                "Welcome back to the harbour. It is cold today."
            ),
            cue(0, 0, Some("Jo"), "Glad to be here."),
            cue(0, 0, None, "And then a third paragraph."),
        ]
    );
}

#[test]
fn text_without_blank_lines_splits_on_lines() {
    let text = "Ann: One.\r\nBob: Two.\r\nThree, said nobody in particular.\r\n";
    let t = read(text, Format::Text);
    assert_eq!(
        texts(&t),
        ["One.", "Two.", "Three, said nobody in particular."]
    );
    assert_eq!(speakers(&t), [Some("Ann"), Some("Bob"), None]);
    assert!(t.cues.iter().all(|c| c.start_ms == 0 && c.end_ms == 0));
}

// ---- the spec's examples ----------------------------------------------------------------------

use crate::testkit::shared_dir;

/// The four examples of the `podcast:transcript` spec. They are not one recording: HTML and
/// SRT share theirs (Travis first), the VTT (Sarah) and the JSON (Darth Vader) are others, so
/// the first cues are compared where the files overlap.
#[test]
fn spec_examples_read_and_agree() {
    let Some(shared) = shared_dir() else { return };
    let dir = shared.join("corpus/transcripts");
    let load = |name: &str| {
        let path = dir.join(format!("podcastindex-spec-example.{name}"));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let format = Format::from_name(name).expect("format");
        assert_eq!(sniff(&bytes), format, "{name} sniffed");
        let declared = parse(&bytes, Some(format)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(parse(&bytes, None).ok().as_ref(), Some(&declared), "{name}");
        assert!(declared.timed, "{name}");
        declared
    };

    let json = load("json");
    assert_eq!(
        json.cues,
        vec![
            cue(500, 2500, Some("Darth Vader"), "I am your father."),
            cue(2750, 3000, Some("Luke"), "Nooooo"),
        ]
    );

    let vtt = load("vtt");
    assert_eq!(vtt.cues.len(), 7);
    assert_eq!(
        vtt.cues[0],
        cue(
            0,
            2760,
            Some("Sarah"),
            "In today's episode, you'll learn whether or not you"
        )
    );
    assert!(vtt.cues[2].text.contains("Podcasting Q&A"));
    assert_eq!(vtt.cues[5].speaker.as_deref(), Some("Gillian"));

    let srt = load("srt");
    let html = load("html");
    assert_eq!(srt.cues.len(), 222);
    assert_eq!(html.cues.len(), 10);
    let opening = "When you first get started in podcasting";
    for (name, t) in [("srt", &srt), ("html", &html)] {
        let first = &t.cues[0];
        assert_eq!(first.speaker.as_deref(), Some("Travis"), "{name}");
        assert!(first.text.starts_with(opening), "{name}: {}", first.text);
    }
    // The HTML gives whole seconds (0:00), the SRT milliseconds (00:00:00,179).
    assert_eq!(srt.cues[0].start_ms, 179);
    assert_eq!(html.cues[0].start_ms, 0);
    assert!(srt.cues[0].start_ms.abs_diff(html.cues[0].start_ms) < 1000);
    // Speaker turns line up: each HTML paragraph's speaker opens an SRT cue at about its time.
    for p in &html.cues {
        let turn = srt
            .cues
            .iter()
            .find(|c| c.speaker.is_some() && c.start_ms.abs_diff(p.start_ms) < 1000)
            .unwrap_or_else(|| panic!("no SRT turn near {} ms", p.start_ms));
        assert_eq!(turn.speaker, p.speaker, "at {} ms", p.start_ms);
    }
}
