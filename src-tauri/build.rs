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
            "play_episode",
            "player_status",
            "player_play",
            "player_pause",
            "player_toggle",
            "player_seek",
            "player_skip",
            "player_chapter_step",
            "player_set_speed",
            "player_set_volume",
            "download_episode",
            "pause_download",
            "cancel_download",
            "delete_download",
            "list_downloads",
            "get_download_folder",
            "set_download_folder",
            "refresh_due_shows",
            "set_played_many",
            "search",
            "get_refresh_interval_hours",
            "set_refresh_interval_hours",
            "player_set_sleep_timer",
            "pick_opml_file",
            "pick_opml_save_path",
            "import_opml",
            "export_opml",
        ]));
    tauri_build::try_build(attributes).expect("tauri build script failed");
}
