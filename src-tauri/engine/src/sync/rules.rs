//! How an episode action from another device changes this library: the conflict rules, pure
//! and tested one by one.
//!
//! - The newest action by timestamp wins; one older than the last change made here is ignored.
//! - A finished episode is never marked unplayed by an older position.
//! - A position never moves backwards because another device's clock runs ahead: a backwards
//!   move needs to be newer than the change here by more than [`CLOCK_SKEW_S`].
//! - A `play` at the end of the episode marks it played; a `new` marks it unplayed.
//! - An episode played here before sync knew when (`changed_at` unknown) is unplayed only by
//!   a `new`, never by a position.

use crate::player::is_near_end;

/// How far two devices' clocks may disagree and still not move a position backwards.
pub const CLOCK_SKEW_S: i64 = 30;

/// Moves of a few seconds either way are noise (devices save every few seconds).
const SAME_PLACE_S: u64 = 2;

/// The episode's listening state here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalState {
    pub position_s: u64,
    pub played: bool,
    /// When the listener last changed it on this device (unix seconds); `None` when never.
    pub changed_at: Option<i64>,
    /// The episode's length, when known.
    pub total_s: Option<u64>,
}

/// What another device did, as the server lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoteKind {
    /// Listened up to `position_s`.
    Play {
        position_s: u64,
        total_s: Option<u64>,
    },
    /// Marked as new (unplayed).
    New,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteAction {
    pub kind: RemoteKind,
    /// When it happened on that device (unix seconds).
    pub timestamp: i64,
}

/// What to do here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Nothing: the action is older, the same, or would move backwards by clock skew.
    Keep,
    SetPosition {
        position_s: u64,
    },
    MarkPlayed,
    MarkUnplayed,
}

/// Decides how `remote` changes `local`.
pub fn decide(local: LocalState, remote: RemoteAction) -> Decision {
    let newer_by = local
        .changed_at
        .map_or(i64::MAX, |at| remote.timestamp.saturating_sub(at));
    if newer_by <= 0 {
        return Decision::Keep;
    }
    match remote.kind {
        RemoteKind::New => {
            if local.played || local.position_s > 0 {
                Decision::MarkUnplayed
            } else {
                Decision::Keep
            }
        }
        RemoteKind::Play {
            position_s,
            total_s,
        } => {
            let total_s = total_s.filter(|&t| t > 0).or(local.total_s);
            let finished = total_s.is_some_and(|t| {
                is_near_end(position_s.saturating_mul(1000), t.saturating_mul(1000))
            });
            if finished {
                return if local.played {
                    Decision::Keep
                } else {
                    Decision::MarkPlayed
                };
            }
            // Played here before anyone noted when: only an explicit `new` unplays it.
            if local.played && local.changed_at.is_none() {
                return Decision::Keep;
            }
            let backwards =
                local.played || position_s.saturating_add(SAME_PLACE_S) < local.position_s;
            if backwards && newer_by <= CLOCK_SKEW_S {
                return Decision::Keep;
            }
            if !local.played && position_s.abs_diff(local.position_s) <= SAME_PLACE_S {
                return Decision::Keep;
            }
            Decision::SetPosition { position_s }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn local(position_s: u64, played: bool, changed_ago_s: Option<i64>) -> LocalState {
        LocalState {
            position_s,
            played,
            changed_at: changed_ago_s.map(|ago| NOW - ago),
            total_s: Some(3_600),
        }
    }

    fn play(position_s: u64, ago_s: i64) -> RemoteAction {
        RemoteAction {
            kind: RemoteKind::Play {
                position_s,
                total_s: Some(3_600),
            },
            timestamp: NOW - ago_s,
        }
    }

    #[test]
    fn the_newest_action_wins() {
        // Listened on the laptop after the desk: the laptop's place is taken.
        assert_eq!(
            decide(local(600, false, Some(300)), play(1_200, 10)),
            Decision::SetPosition { position_s: 1_200 }
        );
        // An older action than the change here is ignored, even further on.
        assert_eq!(
            decide(local(600, false, Some(10)), play(1_200, 300)),
            Decision::Keep
        );
        // Never touched here: anything is newer.
        assert_eq!(
            decide(local(0, false, None), play(42, 99_999)),
            Decision::SetPosition { position_s: 42 }
        );
        // Our own action coming back from the server changes nothing.
        assert_eq!(
            decide(local(600, false, Some(30)), play(600, 30)),
            Decision::Keep
        );
    }

    #[test]
    fn a_finished_episode_is_never_marked_unplayed_by_an_older_position() {
        // Finished here an hour ago; the phone's stale position from two hours ago arrives.
        assert_eq!(
            decide(local(0, true, Some(3_600)), play(900, 7_200)),
            Decision::Keep
        );
        // Within clock skew of the finish, still not.
        assert_eq!(
            decide(local(0, true, Some(3_600)), play(900, 3_600 - CLOCK_SKEW_S)),
            Decision::Keep
        );
        // Really listened again later on the phone: that counts.
        assert_eq!(
            decide(local(0, true, Some(3_600)), play(900, 60)),
            Decision::SetPosition { position_s: 900 }
        );
    }

    #[test]
    fn positions_never_move_backwards_by_clock_skew() {
        // The laptop's clock runs 20 s ahead: its older, earlier position looks "newer".
        assert_eq!(
            decide(local(1_800, false, Some(10)), play(1_500, -10)),
            Decision::Keep
        );
        // A real rewind on another device, minutes later, is taken.
        assert_eq!(
            decide(local(1_800, false, Some(600)), play(1_500, 60)),
            Decision::SetPosition { position_s: 1_500 }
        );
        // Forward moves need no margin.
        assert_eq!(
            decide(local(1_800, false, Some(10)), play(1_900, 5)),
            Decision::SetPosition { position_s: 1_900 }
        );
    }

    #[test]
    fn an_episode_played_before_anyone_noted_when_is_unplayed_only_by_new() {
        assert_eq!(decide(local(0, true, None), play(0, 10)), Decision::Keep);
        assert_eq!(
            decide(local(0, true, None), play(1_200, 10)),
            Decision::Keep
        );
        let new = RemoteAction {
            kind: RemoteKind::New,
            timestamp: NOW,
        };
        assert_eq!(decide(local(0, true, None), new), Decision::MarkUnplayed);
        // Huge numbers from a server do not overflow.
        let huge = RemoteAction {
            kind: RemoteKind::Play {
                position_s: u64::MAX,
                total_s: Some(u64::MAX),
            },
            timestamp: NOW,
        };
        assert_eq!(decide(local(5, false, None), huge), Decision::MarkPlayed);
    }

    #[test]
    fn a_play_at_the_end_marks_played_and_new_marks_unplayed() {
        assert_eq!(
            decide(local(600, false, Some(600)), play(3_590, 60)),
            Decision::MarkPlayed
        );
        assert_eq!(
            decide(local(0, true, Some(600)), play(3_600, 60)),
            Decision::Keep
        );
        let new = RemoteAction {
            kind: RemoteKind::New,
            timestamp: NOW,
        };
        assert_eq!(
            decide(local(0, true, Some(600)), new),
            Decision::MarkUnplayed
        );
        assert_eq!(decide(local(0, false, Some(600)), new), Decision::Keep);
        // The length from the feed serves when the action has none.
        let no_total = RemoteAction {
            kind: RemoteKind::Play {
                position_s: 3_599,
                total_s: None,
            },
            timestamp: NOW,
        };
        assert_eq!(
            decide(local(10, false, Some(600)), no_total),
            Decision::MarkPlayed
        );
    }
}
