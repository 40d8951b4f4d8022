//! The floor for `make bench-memory`: Tauri with one empty window, built from the same crates
//! and with the same WebKit settings as the app (`CHAPTERCAST_HARDWARE_ACCELERATION` applies),
//! so that what the app adds above it can be told apart from what any Tauri window costs.

use tauri::{WebviewUrl, WebviewWindowBuilder};

fn main() -> anyhow::Result<()> {
    let acceleration = chaptercast_lib::webkit_settings::Acceleration::from_env();
    tauri::Builder::default()
        // A page with a line of text (WebKit starts its web process for it, as for any page),
        // served by the shell as the app's own pages are.
        .register_uri_scheme_protocol("empty", |_, _| {
            tauri::http::Response::builder()
                .header("Content-Type", "text/html")
                .body(b"<!doctype html><p>empty</p>".to_vec())
                .unwrap_or_default()
        })
        .setup(move |app| {
            let blank = WebviewUrl::CustomProtocol("empty://localhost/".parse()?);
            let window = WebviewWindowBuilder::new(app, "main", blank)
                .title("empty")
                .inner_size(1280.0, 800.0)
                .build()?;
            chaptercast_lib::webkit_settings::apply(&window, acceleration);
            Ok(())
        })
        .run(tauri::generate_context!())?;
    Ok(())
}
