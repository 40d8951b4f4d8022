//! Chapters from every source, each reader bytes/text -> chapters with no I/O.

pub mod shownotes;
