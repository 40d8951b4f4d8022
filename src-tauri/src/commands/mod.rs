//! Thin adapters from the UI's commands to the engine, one module per UI area.

pub mod downloads;
pub mod library;
pub mod player;
