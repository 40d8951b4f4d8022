//! Fixture builders for tests: feeds written as strings, so a test reads like the spec.
//! Compiled for this crate's tests and, through the `testkit` feature, for the e2e crate.

mod feed_builder;

pub use feed_builder::{escape, meta_tech_like_feed, FeedBuilder, ItemBuilder};
