fn main() {
    // One permission per app command; capabilities/main.json grants the main window exactly
    // the ones it uses.
    let attributes =
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(&[
            "list_shows",
            "list_episodes",
            "get_episode",
            "load_chapters",
            "subscribe_feed",
            "unsubscribe_show",
            "refresh_library",
            "open_external",
            "set_played",
        ]));
    tauri_build::try_build(attributes).expect("tauri build script failed");
}
