//! Shared pieces of the end-to-end tests: the local HTTP server, fixture feeds, and the
//! harness that runs the real app under Xvfb through tauri-driver.

pub mod app;
pub mod audio;
pub mod axe;
pub mod fixtures;
pub mod podsync;
pub mod server;
