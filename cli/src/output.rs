//! How the command line prints: JSON and text on stdout (a reader that went away is not an
//! error) and times as M:SS.t.

/// Writes `value` as pretty JSON to stdout as it is serialized; a reader that went away
/// (`| head`) is not an error.
pub fn write_json(value: &impl serde::Serialize) -> Result<(), String> {
    use std::io::Write;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written = serde_json::to_writer_pretty(&mut out, value)
        .map_err(std::io::Error::from)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(format!("cannot print: {e}")),
        _ => Ok(()),
    }
}

pub fn print_json(value: &serde_json::Value) -> Result<(), String> {
    let text = serde_json::to_string_pretty(value).map_err(|e| format!("cannot print: {e}"))?;
    print_text(&format!("{text}\n"))
}

/// Writes to stdout; a reader that went away (`| head`) is not an error.
pub fn print_text(text: &str) -> Result<(), String> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(format!("cannot print: {e}")),
        _ => Ok(()),
    }
}

/// A position as the command line prints it: M:SS.t, or H:MM:SS.t from an hour.
pub fn clock(ms: u64) -> String {
    let s = ms / 1000;
    let tenths = (ms % 1000) / 100;
    if s >= 3600 {
        format!("{}:{:02}:{:02}.{tenths}", s / 3600, (s / 60) % 60, s % 60)
    } else {
        format!("{}:{:02}.{tenths}", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_prints_tenths() {
        assert_eq!(clock(65_430), "1:05.4");
        assert_eq!(clock(3_723_000), "1:02:03.0");
    }
}
