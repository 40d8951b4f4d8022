//! `ccimg:` — how the window shows pictures from the web. The webview may load no image from the
//! web itself (CSP `img-src` names only this scheme, the app's own files and `data:`); it asks
//! for `ccimg://localhost/<box px>/<percent-encoded URL>` (the UI's `imageSrc`) and the engine
//! fetches, caps, scales and caches the picture (see `chaptercast_engine::images`).

use tauri::http::{header, Response, StatusCode};
use tauri::{Manager, Runtime, UriSchemeContext, UriSchemeResponder};

use crate::state::AppState;

/// The scheme's name; the UI's `IMAGE_SCHEME` and the CSP in `tauri.conf.json` say the same.
pub const SCHEME: &str = "ccimg";

/// The picture a request names: the box it is shown in (device pixels) and its web URL.
pub fn parse_request_path(path: &str) -> Option<(u32, String)> {
    let decoded = percent_encoding::percent_decode_str(path.trim_start_matches('/'))
        .decode_utf8()
        .ok()?;
    let (px, url) = decoded.split_once('/')?;
    let px = px.parse::<u32>().ok().filter(|&px| px > 0)?;
    Some((px, url.to_string()))
}

/// Answers one request on a Tauri worker, without blocking the webview.
pub fn handle<R: Runtime>(
    context: UriSchemeContext<'_, R>,
    request: tauri::http::Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let app = context.app_handle().clone();
    let path = request.uri().path().to_string();
    tauri::async_runtime::spawn(async move {
        responder.respond(answer(&app, &path).await);
    });
}

async fn answer<R: Runtime>(app: &tauri::AppHandle<R>, path: &str) -> Response<Vec<u8>> {
    let Some((px, url)) = parse_request_path(path) else {
        return empty(StatusCode::BAD_REQUEST);
    };
    // No library open (it is damaged and the window says so): no engine to ask.
    let Some(state) = app.try_state::<AppState>() else {
        return empty(StatusCode::SERVICE_UNAVAILABLE);
    };
    match state.engine.display_image(&url, px).await {
        Ok(picture) => Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, picture.mime)
            // The same request is the same picture: the webview may keep it.
            .header(header::CACHE_CONTROL, "max-age=86400")
            .header("X-Content-Type-Options", "nosniff")
            .body(picture.bytes)
            .unwrap_or_else(|_| empty(StatusCode::INTERNAL_SERVER_ERROR)),
        Err(error) => {
            tracing::debug!(%error, "picture not shown");
            empty(StatusCode::NOT_FOUND)
        }
    }
}

fn empty(status: StatusCode) -> Response<Vec<u8>> {
    let mut response = Response::new(Vec::new());
    *response.status_mut() = status;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_name_a_box_and_a_web_url() {
        assert_eq!(
            parse_request_path("/128%2Fhttps%3A%2F%2Fcdn.example%2Fa%20b.jpg%3Fw%3D1"),
            Some((128, "https://cdn.example/a b.jpg?w=1".to_string()))
        );
        assert_eq!(parse_request_path("/0%2Fhttps%3A%2F%2Fx"), None);
        assert_eq!(parse_request_path("/https%3A%2F%2Fx"), None);
        assert_eq!(parse_request_path("/"), None);
        assert_eq!(parse_request_path("/%FF%2F"), None);
    }

    /// The webview loads pictures only through this scheme: the CSP's `img-src` lists no web
    /// source, so a tracking pixel in show notes cannot reach the web from the page.
    #[test]
    fn the_csp_lets_the_webview_load_no_picture_from_the_web() {
        let conf: serde_json::Value =
            serde_json::from_str(include_str!("../tauri.conf.json")).expect("tauri.conf.json");
        let csp = &conf["app"]["security"]["csp"];
        let img_src: Vec<&str> = csp["img-src"]
            .as_str()
            .expect("img-src is set")
            .split_whitespace()
            .collect();
        assert_eq!(img_src, ["'self'", "ccimg:", "data:"]);
        assert!(img_src.contains(&format!("{SCHEME}:").as_str()));
        let default_src = csp["default-src"].as_str().expect("default-src is set");
        assert_eq!(default_src, "'self'");
    }
}
