//! The tauri-specta builder: every command and event the UI may use, and the test that
//! writes `ui/src/api/bindings.ts` from them.

use tauri_specta::{collect_commands, collect_events, Builder};

use crate::commands::{downloads, library, opened, opml, player, sound, startup, sync};
use crate::wire::{
    DownloadView, LibraryUpdate, NowPlayingView, OpmlProgress, PlayerView, QueueView,
    SessionNoticeView,
};

pub fn builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new()
        // Our wire types only travel Rust -> UI: one TypeScript type each, not a serialize/deserialize pair.
        .disable_serde_phases()
        .commands(collect_commands![
            library::list_shows,
            library::list_episodes,
            library::get_episode,
            library::load_chapters,
            library::load_transcript,
            library::subscribe_feed,
            library::unsubscribe_show,
            library::refresh_library,
            library::refresh_due_shows,
            library::open_external,
            library::set_played,
            library::set_played_many,
            library::search,
            library::get_refresh_interval_hours,
            library::set_refresh_interval_hours,
            player::play_episode,
            player::player_status,
            player::now_playing,
            player::player_play,
            player::player_pause,
            player::player_toggle,
            player::player_seek,
            player::player_skip,
            player::player_chapter_step,
            player::player_set_speed,
            player::player_set_volume,
            player::player_retry,
            player::player_undo_skip,
            sound::get_sound_profile,
            sound::set_sound_profile,
            player::player_set_sleep_timer,
            player::queue_list,
            player::queue_add,
            player::queue_remove,
            player::queue_move,
            player::queue_clear,
            player::set_continuous_play,
            downloads::download_episode,
            downloads::pause_download,
            downloads::cancel_download,
            downloads::delete_download,
            downloads::show_download_in_folder,
            downloads::list_downloads,
            downloads::get_download_folder,
            downloads::choose_download_folder,
            startup::library_problem,
            startup::start_fresh_library,
            opml::import_opml,
            opml::export_opml,
            sync::sync_status,
            sync::sync_check,
            sync::sync_login,
            sync::sync_now,
            sync::sync_logout,
            opened::take_open_requests,
            opened::preview_feed_link,
            opened::import_opened_opml,
        ])
        .events(collect_events![
            PlayerView,
            QueueView,
            NowPlayingView,
            SessionNoticeView,
            DownloadView,
            OpmlProgress,
            LibraryUpdate,
            sync::SyncView,
            opened::OpenRequested
        ])
}

#[cfg(test)]
mod tests {
    /// Regenerates the UI's bindings; CI fails when the committed file differs.
    #[test]
    fn export_typescript_bindings() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/api/bindings.ts");
        super::builder()
            .export(
                specta_typescript::Typescript::default().header("// @ts-nocheck\n"),
                path,
            )
            .expect("bindings export");
    }

    /// The IPC audit: no command takes a file-system path from the webview. Files and folders
    /// are chosen in native dialogs the shell opens; a page that was made to misbehave cannot
    /// name one. Read from the TypeScript the commands are exported as, which is exactly what
    /// the page can call.
    #[test]
    fn no_command_takes_a_file_system_path_from_the_webview() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("bindings.ts");
        super::builder()
            .export(specta_typescript::Typescript::default(), &path)
            .expect("bindings export");
        let text = std::fs::read_to_string(&path).expect("read");
        let commands = text
            .split("export const commands = {")
            .nth(1)
            .and_then(|rest| rest.split("\n};").next())
            .expect("the commands object");
        let path_like = [
            "path",
            "file",
            "folder",
            "dir",
            "directory",
            "filename",
            "dest",
        ];
        let mut offenders = Vec::new();
        let mut count = 0;
        for line in commands.lines() {
            let line = line.trim();
            let Some((name, rest)) = line.split_once(": (") else {
                continue;
            };
            count += 1;
            let params = rest.split(')').next().unwrap_or_default();
            for param in params.split(',').filter(|p| !p.trim().is_empty()) {
                let (param_name, param_type) = param.split_once(':').unwrap_or((param, ""));
                let lower = param_name.trim().to_ascii_lowercase();
                if path_like.iter().any(|p| lower.contains(p)) {
                    offenders.push(format!(
                        "{name}({}: {})",
                        param_name.trim(),
                        param_type.trim()
                    ));
                }
            }
        }
        assert!(
            count >= 30,
            "found only {count} commands: the audit is not reading them"
        );
        assert!(
            offenders.is_empty(),
            "commands taking a path: {offenders:?}"
        );
    }
}
