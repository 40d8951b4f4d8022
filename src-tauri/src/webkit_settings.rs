//! The webview's WebKitGTK settings for a list-and-text app. Measured under Xvfb (see
//! BENCHMARKS.md, `make bench-memory`): with hardware acceleration on demand WebKit keeps a
//! compositing pipeline and its buffers alive (~80 MB more PSS for the web process) for what
//! is, here, a few scrolling lists and text; without it, scrolling stays smooth. The document
//! viewer cache model keeps no back/forward or page cache: there is one page and it never
//! navigates. `CHAPTERCAST_HARDWARE_ACCELERATION=on-demand|always` gives the GPU path back to
//! anyone whose system needs it.

/// How WebKit may use the GPU, from `CHAPTERCAST_HARDWARE_ACCELERATION`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acceleration {
    Never,
    OnDemand,
    Always,
}

impl Acceleration {
    /// The setting named by `value` (the environment variable's), `Never` when unset; an
    /// unknown value is reported and ignored.
    pub fn from_setting(value: Option<&str>) -> Acceleration {
        match value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
            None | Some("") | Some("never") | Some("off") | Some("0") => Acceleration::Never,
            Some("on-demand") | Some("ondemand") => Acceleration::OnDemand,
            Some("always") | Some("on") | Some("1") => Acceleration::Always,
            Some(other) => {
                tracing::warn!(
                    value = other,
                    "CHAPTERCAST_HARDWARE_ACCELERATION is never, on-demand or always; using never"
                );
                Acceleration::Never
            }
        }
    }

    pub fn from_env() -> Acceleration {
        Acceleration::from_setting(
            std::env::var("CHAPTERCAST_HARDWARE_ACCELERATION")
                .ok()
                .as_deref(),
        )
    }
}

/// Applies the settings to the main window's webview.
pub fn apply(window: &tauri::WebviewWindow, acceleration: Acceleration) {
    #[cfg(target_os = "linux")]
    {
        let applied = window.with_webview(move |webview| {
            use webkit2gtk::{
                CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt,
            };
            let view = webview.inner();
            if let Some(settings) = WebViewExt::settings(&view) {
                settings.set_hardware_acceleration_policy(match acceleration {
                    Acceleration::Never => HardwareAccelerationPolicy::Never,
                    Acceleration::OnDemand => HardwareAccelerationPolicy::OnDemand,
                    Acceleration::Always => HardwareAccelerationPolicy::Always,
                });
            }
            if let Some(context) = view.context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
        });
        if let Err(error) = applied {
            tracing::warn!(%error, "the webview's settings could not be applied");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (window, acceleration);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acceleration_is_off_unless_asked_for() {
        assert_eq!(Acceleration::from_setting(None), Acceleration::Never);
        assert_eq!(Acceleration::from_setting(Some("")), Acceleration::Never);
        assert_eq!(
            Acceleration::from_setting(Some(" On-Demand ")),
            Acceleration::OnDemand
        );
        assert_eq!(
            Acceleration::from_setting(Some("always")),
            Acceleration::Always
        );
        assert_eq!(
            Acceleration::from_setting(Some("bogus")),
            Acceleration::Never
        );
    }
}
