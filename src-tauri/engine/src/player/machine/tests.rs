//! Every transition of the player, as a table: a way to reach a state, one input with what
//! the actor saw, and the state and effects expected. All rows run; the failures are listed
//! together.

use super::*;
use crate::chapters::ChapterSource;
use crate::player::{Command, SleepTimer};
use std::time::Duration;

const URL: &str = "http://127.0.0.1:9/ep.mp3";
const LENGTH_MS: u64 = 600_000;

fn request(key: &str, start_ms: u64, autoplay: bool) -> Box<LoadRequest> {
    Box::new(LoadRequest {
        key: key.into(),
        location: MediaLocation::Url(URL.into()),
        mime: None,
        start_ms,
        chapters: chapters(),
        autoplay,
        skips: Default::default(),
        sound: Default::default(),
        frame_index: None,
    })
}

fn chapters() -> Vec<Chapter> {
    [0, 60_000, 180_000]
        .iter()
        .map(|&ms| Chapter::new(ms, format!("at {ms}"), ChapterSource::ShowNotes))
        .collect()
}

fn at(now_ms: u64, position_ms: u64) -> Seen {
    Seen {
        now_ms,
        position_ms,
        ..Seen::default()
    }
}

fn with_buffer(mut seen: Seen, buffer: Buffer) -> Seen {
    seen.buffer = buffer;
    seen
}

fn failing(mut seen: Seen, error: PlayerError) -> Seen {
    seen.decoder_error = Some(error);
    seen
}

fn opened(request: u64) -> Input {
    Input::Opened {
        request,
        result: Ok(OpenedAudio {
            duration_ms: Some(LENGTH_MS),
        }),
    }
}

fn save(position_ms: u64, finished: bool) -> Effect {
    Effect::SavePosition {
        key: "a".into(),
        position_ms,
        finished,
        duration_ms: Some(LENGTH_MS),
    }
}

fn open(request: u64) -> Effect {
    Effect::Open {
        request,
        location: MediaLocation::Url(URL.into()),
        mime: Some("audio/mpeg".into()),
        frame_index: None,
    }
}

fn attach(request: u64, start_ms: u64) -> Effect {
    Effect::Attach {
        request,
        start_ms,
        speed: 1.0,
        sound: SoundSettings::default(),
    }
}

const START: Effect = Effect::StartOutput { gain: 1.0 };

/// Feeds `inputs` (each at its own clock time) to a new machine.
fn after(inputs: Vec<(Input, Seen)>) -> Machine {
    let mut machine = Machine::default();
    for (input, seen) in inputs {
        machine.step(input, &seen);
    }
    machine
}

fn idle() -> Machine {
    Machine::default()
}

/// Episode "a" (request 1) being opened, to play once open.
fn opening() -> Machine {
    after(vec![(
        Input::Command(Command::Load(request("a", 30_000, true))),
        at(0, 0),
    )])
}

fn opening_paused() -> Machine {
    after(vec![(
        Input::Command(Command::Load(request("a", 30_000, false))),
        at(0, 0),
    )])
}

fn paused() -> Machine {
    after(vec![
        (
            Input::Command(Command::Load(request("a", 30_000, false))),
            at(0, 0),
        ),
        (opened(1), at(10, 0)),
    ])
}

fn playing() -> Machine {
    after(vec![
        (
            Input::Command(Command::Load(request("a", 30_000, true))),
            at(0, 0),
        ),
        (opened(1), at(10, 0)),
        (Input::Tick, at(100, 30_000)),
    ])
}

fn ended() -> Machine {
    let mut machine = playing();
    let end = Buffer {
        ended: true,
        empty: true,
        ..Buffer::default()
    };
    machine.step(Input::Tick, &with_buffer(at(200, LENGTH_MS), end));
    machine
}

/// Playing, then the decoder failed (a seek asked the server for a range it refused).
fn decoder_failed() -> Machine {
    let mut machine = playing();
    machine.step(Input::Command(Command::SeekTo(90_000)), &at(150, 30_000));
    machine.step(
        Input::Tick,
        &failing(at(200, 90_000), PlayerError::WrongRange),
    );
    machine
}

/// Opening failed with a 404.
fn open_failed() -> Machine {
    let mut machine = opening();
    machine.step(
        Input::Opened {
            request: 1,
            result: Err(PlayerError::Http { status: 404 }),
        },
        &at(50, 0),
    );
    machine
}

/// A newer load replaced request 1 before its result came.
fn superseded() -> Machine {
    let mut machine = opening();
    machine.step(
        Input::Command(Command::Load(request("b", 0, true))),
        &at(20, 0),
    );
    machine
}

struct Row {
    name: &'static str,
    given: fn() -> Machine,
    input: Input,
    seen: Seen,
    state: PlaybackState,
    effects: Vec<Effect>,
}

fn row(
    name: &'static str,
    given: fn() -> Machine,
    input: Input,
    seen: Seen,
    state: PlaybackState,
    effects: Vec<Effect>,
) -> Row {
    Row {
        name,
        given,
        input,
        seen,
        state,
        effects,
    }
}

fn status(machine: &Machine, seen: &Seen) -> PlayerStatus {
    machine.status(seen, None, false, 0)
}

fn run(rows: Vec<Row>) {
    let mut failures = Vec::new();
    for r in rows {
        let mut machine = (r.given)();
        let effects = machine.step(r.input, &r.seen);
        let state = status(&machine, &r.seen).state;
        if state != r.state || effects != r.effects {
            failures.push(format!(
                "{}:\n  want {:?} {:?}\n  got  {:?} {:?}",
                r.name, r.state, r.effects, state, effects
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

use PlaybackState as S;

#[test]
fn transitions_from_idle() {
    run(vec![
        row(
            "load opens off the actor, tagged with a request id, and the device meanwhile",
            idle,
            Input::Command(Command::Load(request("a", 30_000, true))),
            at(0, 0),
            S::Loading,
            vec![Effect::Unload, open(1), Effect::OpenDevice],
        ),
        row(
            "a load that does not play leaves the device closed",
            idle,
            Input::Command(Command::Load(request("a", 30_000, false))),
            at(0, 0),
            S::Loading,
            vec![Effect::Unload, open(1)],
        ),
        row(
            "play with nothing loaded",
            idle,
            Input::Command(Command::Play),
            at(0, 0),
            S::Idle,
            vec![],
        ),
        row(
            "pause with nothing loaded",
            idle,
            Input::Command(Command::Pause),
            at(0, 0),
            S::Idle,
            vec![],
        ),
        row(
            "seek with nothing loaded",
            idle,
            Input::Command(Command::SeekTo(5)),
            at(0, 0),
            S::Idle,
            vec![],
        ),
        row("tick", idle, Input::Tick, at(0, 0), S::Idle, vec![]),
        row(
            "stop",
            idle,
            Input::Command(Command::Stop),
            at(0, 0),
            S::Idle,
            vec![Effect::Unload],
        ),
        row(
            "an opener's result after a stop is dropped",
            idle,
            opened(1),
            at(0, 0),
            S::Idle,
            vec![],
        ),
        row(
            "prepare output",
            idle,
            Input::Command(Command::PrepareOutput),
            at(0, 0),
            S::Idle,
            vec![Effect::OpenDevice],
        ),
        row(
            "speed is clamped",
            idle,
            Input::Command(Command::SetSpeed(9.0)),
            at(0, 0),
            S::Idle,
            vec![Effect::SetSpeed(MAX_SPEED)],
        ),
        row(
            "a NaN speed is ignored",
            idle,
            Input::Command(Command::SetSpeed(f32::NAN)),
            at(0, 0),
            S::Idle,
            vec![],
        ),
        row(
            "volume is clamped",
            idle,
            Input::Command(Command::SetVolume(-1.0)),
            at(0, 0),
            S::Idle,
            vec![Effect::SetGain(0.0)],
        ),
    ]);
}

#[test]
fn transitions_while_opening() {
    run(vec![
        row(
            "opened: attach at the saved position and start the sound",
            opening,
            opened(1),
            at(10, 0),
            S::Buffering,
            vec![attach(1, 30_000), START],
        ),
        row(
            "opened paused: attach only",
            opening_paused,
            opened(1),
            at(10, 0),
            S::Paused,
            vec![attach(1, 30_000)],
        ),
        row(
            "opened shorter than the saved position: start from the top",
            opening,
            Input::Opened {
                request: 1,
                result: Ok(OpenedAudio {
                    duration_ms: Some(20_000),
                }),
            },
            at(10, 0),
            S::Buffering,
            vec![attach(1, 0), START],
        ),
        row(
            "opening failed: told, and the pending stream let go",
            opening,
            Input::Opened {
                request: 1,
                result: Err(PlayerError::Http { status: 404 }),
            },
            at(10, 0),
            S::Error,
            vec![Effect::Unload],
        ),
        row(
            "a result for an older request is dropped (stale load)",
            superseded,
            opened(1),
            at(30, 0),
            S::Loading,
            vec![],
        ),
        row(
            "a failure for an older request is dropped too",
            superseded,
            Input::Opened {
                request: 1,
                result: Err(PlayerError::Unreachable {
                    host: "127.0.0.1".into(),
                }),
            },
            at(30, 0),
            S::Loading,
            vec![],
        ),
        row(
            "the newer request's result is taken",
            superseded,
            opened(2),
            at(30, 0),
            S::Buffering,
            vec![attach(2, 0), START],
        ),
        row(
            "pause while opening: it opens paused",
            opening,
            Input::Command(Command::Pause),
            at(10, 0),
            S::Loading,
            vec![],
        ),
        row(
            "seek while opening: it opens there",
            opening,
            Input::Command(Command::SeekTo(45_000)),
            at(10, 0),
            S::Loading,
            vec![],
        ),
        row(
            "retry while opening cuts the backoff short",
            opening,
            Input::Command(Command::RetryNow),
            at(10, 0),
            S::Loading,
            vec![Effect::RetryNow],
        ),
        row(
            "stop while opening (a host that does not answer)",
            opening,
            Input::Command(Command::Stop),
            at(10, 0),
            S::Idle,
            vec![Effect::Unload],
        ),
        row(
            "another episode while opening",
            opening,
            Input::Command(Command::Load(request("b", 0, true))),
            at(10, 0),
            S::Loading,
            vec![Effect::Unload, open(2)],
        ),
        row(
            "tick while opening",
            opening,
            Input::Tick,
            at(10, 0),
            S::Loading,
            vec![],
        ),
    ]);
}

#[test]
fn transitions_while_paused() {
    run(vec![
        row(
            "play",
            paused,
            Input::Command(Command::Play),
            at(20, 30_000),
            S::Playing,
            vec![START],
        ),
        row(
            "toggle plays",
            paused,
            Input::Command(Command::Toggle),
            at(20, 30_000),
            S::Playing,
            vec![START],
        ),
        row(
            "pause again saves",
            paused,
            Input::Command(Command::Pause),
            at(20, 30_000),
            S::Paused,
            vec![Effect::PauseOutput, save(30_000, false)],
        ),
        row(
            "a seek past the end lands just before it",
            paused,
            Input::Command(Command::SeekTo(LENGTH_MS + 5)),
            at(20, 30_000),
            S::Paused,
            vec![Effect::Seek { ms: LENGTH_MS - 1 }],
        ),
        row(
            "a seek back before zero lands at zero",
            paused,
            Input::Command(Command::SeekBy(-60_000)),
            at(20, 30_000),
            S::Paused,
            vec![Effect::Seek { ms: 0 }],
        ),
        row(
            "next chapter",
            paused,
            Input::Command(Command::ChapterStep(1)),
            at(20, 30_000),
            S::Paused,
            vec![Effect::Seek { ms: 60_000 }],
        ),
        row(
            "previous chapter well into one restarts it",
            paused,
            Input::Command(Command::ChapterStep(-1)),
            at(20, 70_000),
            S::Paused,
            vec![Effect::Seek { ms: 60_000 }],
        ),
        row(
            "tick",
            paused,
            Input::Tick,
            at(20, 30_000),
            S::Paused,
            vec![],
        ),
        row(
            "another episode saves this one first",
            paused,
            Input::Command(Command::Load(request("b", 0, false))),
            at(20, 30_000),
            S::Loading,
            vec![save(30_000, false), Effect::Unload, open(2)],
        ),
        row(
            "stop saves",
            paused,
            Input::Command(Command::Stop),
            at(20, 30_000),
            S::Idle,
            vec![save(30_000, false), Effect::Unload],
        ),
        row(
            "quit saves",
            paused,
            Input::Shutdown,
            at(20, 30_000),
            S::Idle,
            vec![save(30_000, false), Effect::Unload],
        ),
        row(
            "a device lost while paused is forgotten quietly",
            paused,
            Input::DeviceLost {
                detail: "gone".into(),
            },
            at(20, 30_000),
            S::Paused,
            vec![Effect::DropDevice],
        ),
        row(
            "a bug of ours fails the episode, not the player",
            paused,
            Input::Crashed,
            at(20, 30_000),
            S::Error,
            vec![Effect::Unload],
        ),
    ]);
}

#[test]
fn transitions_while_playing() {
    let quiet = Buffer::default();
    let loading = Buffer {
        loading: true,
        empty: true,
        ..quiet
    };
    let starved = Buffer {
        starved: true,
        empty: true,
        ..quiet
    };
    let end = Buffer {
        ended: true,
        empty: true,
        ..quiet
    };
    let end_not_drained = Buffer {
        ended: true,
        ..quiet
    };
    run(vec![
        row(
            "sound flows",
            playing,
            Input::Tick,
            at(200, 30_100),
            S::Playing,
            vec![],
        ),
        row(
            "waiting for the first audio after a jump",
            playing,
            Input::Tick,
            with_buffer(at(200, 30_100), loading),
            S::Buffering,
            vec![],
        ),
        row(
            "the device ran dry (the network is slower than the sound)",
            playing,
            Input::Tick,
            with_buffer(at(200, 30_100), starved),
            S::Buffering,
            vec![],
        ),
        row(
            "the decoder is done but sound is still queued",
            playing,
            Input::Tick,
            with_buffer(at(200, LENGTH_MS - 50), end_not_drained),
            S::Playing,
            vec![],
        ),
        row(
            "the end: reported finished, once",
            playing,
            Input::Tick,
            with_buffer(at(200, LENGTH_MS), end),
            S::Ended,
            vec![Effect::PauseOutput, save(LENGTH_MS, true)],
        ),
        row(
            "every five seconds of play the position is saved",
            playing,
            Input::Tick,
            at(5_010, 34_900),
            S::Playing,
            vec![save(34_900, false)],
        ),
        row(
            "pause",
            playing,
            Input::Command(Command::Pause),
            at(200, 30_100),
            S::Paused,
            vec![Effect::PauseOutput, save(30_100, false)],
        ),
        row(
            "toggle pauses",
            playing,
            Input::Command(Command::Toggle),
            at(200, 30_100),
            S::Paused,
            vec![Effect::PauseOutput, save(30_100, false)],
        ),
        row(
            "play again does nothing",
            playing,
            Input::Command(Command::Play),
            at(200, 30_100),
            S::Playing,
            vec![],
        ),
        row(
            "a seek keeps playing",
            playing,
            Input::Command(Command::SeekTo(180_000)),
            at(200, 30_100),
            S::Playing,
            vec![Effect::Seek { ms: 180_000 }],
        ),
        row(
            "the device is lost while playing: paused, told, saved",
            playing,
            Input::DeviceLost {
                detail: "unplugged".into(),
            },
            at(200, 30_100),
            S::Paused,
            vec![Effect::DropDevice, save(30_100, false)],
        ),
        row(
            "no device when sound was wanted: paused and told",
            playing,
            Input::OutputFailed(PlayerError::NoDevice {
                detail: "none".into(),
            }),
            at(200, 30_100),
            S::Paused,
            vec![],
        ),
        row(
            "the decoder fails (a dropped stream the retry policy gave up on)",
            playing,
            Input::Tick,
            failing(
                at(200, 30_100),
                PlayerError::Unreachable {
                    host: "127.0.0.1".into(),
                },
            ),
            S::Error,
            vec![Effect::PauseOutput],
        ),
        row(
            "speed applies at once",
            playing,
            Input::Command(Command::SetSpeed(1.5)),
            at(200, 30_100),
            S::Playing,
            vec![Effect::SetSpeed(1.5)],
        ),
    ]);
}

#[test]
fn transitions_after_the_end() {
    run(vec![
        row(
            "play starts over",
            ended,
            Input::Command(Command::Play),
            at(300, LENGTH_MS),
            S::Playing,
            vec![Effect::Seek { ms: 0 }, START],
        ),
        row(
            "a jump lands paused there",
            ended,
            Input::Command(Command::SeekTo(60_000)),
            at(300, LENGTH_MS),
            S::Paused,
            vec![Effect::Seek { ms: 60_000 }],
        ),
        row(
            "ticks report nothing more",
            ended,
            Input::Tick,
            at(9_000, LENGTH_MS),
            S::Ended,
            vec![],
        ),
        row(
            "pause after the end does not save a position over 'played'",
            ended,
            Input::Command(Command::Pause),
            at(300, LENGTH_MS),
            S::Ended,
            vec![Effect::PauseOutput],
        ),
    ]);
}

#[test]
fn transitions_around_errors_during_a_seek() {
    run(vec![
        row(
            "another jump tries again and sound resumes",
            decoder_failed,
            Input::Command(Command::SeekTo(120_000)),
            at(300, 90_000),
            S::Buffering,
            vec![Effect::Seek { ms: 120_000 }, START],
        ),
        row(
            "play tries again from where it failed",
            decoder_failed,
            Input::Command(Command::Play),
            at(300, 90_000),
            S::Playing,
            vec![Effect::Seek { ms: 90_000 }, START],
        ),
        row(
            "the error stays until something is done about it",
            decoder_failed,
            Input::Tick,
            failing(at(400, 90_000), PlayerError::WrongRange),
            S::Error,
            vec![],
        ),
        row(
            "stop",
            decoder_failed,
            Input::Command(Command::Stop),
            at(300, 90_000),
            S::Idle,
            vec![save(90_000, false), Effect::Unload],
        ),
        row(
            "a failed open: play tries the same request again",
            open_failed,
            Input::Command(Command::Play),
            at(100, 0),
            S::Loading,
            vec![Effect::Unload, open(2)],
        ),
        row(
            "a failed open: retry does the same",
            open_failed,
            Input::Command(Command::RetryNow),
            at(100, 0),
            S::Loading,
            vec![Effect::Unload, open(2)],
        ),
        row(
            "a failed open: ticks change nothing",
            open_failed,
            Input::Tick,
            at(100, 0),
            S::Error,
            vec![],
        ),
        row(
            "a failed open: a late duplicate result is dropped",
            open_failed,
            opened(1),
            at(100, 0),
            S::Error,
            vec![],
        ),
    ]);
}

#[test]
fn the_bar_names_what_it_is_about() {
    let machine = open_failed();
    let s = status(&machine, &at(100, 0));
    assert_eq!(s.key.as_deref(), Some("a"));
    assert_eq!(s.error, Some(PlayerError::Http { status: 404 }));

    // While opening, the position is the saved one, also when the host is not answering.
    let mut machine = opening();
    machine.step(Input::Command(Command::SeekTo(45_000)), &at(10, 0));
    let s = status(&machine, &at(20, 0));
    assert_eq!(
        (s.state, s.position_ms, s.streaming),
        (S::Loading, 45_000, true)
    );
    assert_eq!(s.chapter, None);

    // Loaded: the chapter comes from the one rule, respecting ends.
    let machine = playing();
    let s = status(&machine, &at(200, 61_000));
    assert_eq!((s.chapter, s.visible_chapter), (Some(1), Some(1)));

    // No device: paused, with the reason, until the next Play.
    let mut machine = playing();
    machine.step(
        Input::DeviceLost {
            detail: "unplugged".into(),
        },
        &at(200, 30_100),
    );
    let s = status(&machine, &at(300, 30_100));
    assert!(
        matches!(s.error, Some(PlayerError::NoDevice { .. })),
        "{s:?}"
    );
    machine.step(Input::Command(Command::Play), &at(400, 30_100));
    assert_eq!(status(&machine, &at(400, 30_100)).error, None);
}

#[test]
fn streams_prefetch_chapter_starts_nearest_first_after_five_seconds_of_play() {
    let mut machine = playing();
    assert!(machine.step(Input::Tick, &at(2_000, 70_000)).is_empty());
    let effects = machine.step(Input::Tick, &at(5_200, 70_000));
    assert!(
        effects.contains(&Effect::Prefetch {
            ms: vec![60_000, 0, 180_000]
        }),
        "{effects:?}"
    );
    // Once only, until the chapters change.
    let later = machine.step(Input::Tick, &at(5_300, 70_100));
    assert!(!later.iter().any(|e| matches!(e, Effect::Prefetch { .. })));
    machine.step(
        Input::Command(Command::SetChapters(chapters())),
        &at(5_400, 70_200),
    );
    let again = machine.step(Input::Tick, &at(5_500, 70_300));
    assert!(again.iter().any(|e| matches!(e, Effect::Prefetch { .. })));
}

#[test]
fn the_sleep_timer_fades_then_pauses_and_restores_the_volume() {
    let mut machine = playing();
    machine.step(Input::Tick, &at(1_000, 31_000));
    machine.step(
        Input::Command(Command::SetSleepTimer(Some(SleepTimer::After(
            Duration::from_secs(10),
        )))),
        &at(1_000, 31_000),
    );
    // 7.5 s in, 2.5 s are left: half volume.
    let effects = machine.step(Input::Tick, &at(8_500, 38_500));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::SetGain(g) if (g - 0.5).abs() < 0.01)),
        "{effects:?}"
    );
    let effects = machine.step(Input::Tick, &at(11_100, 41_100));
    assert_eq!(status(&machine, &at(11_100, 41_100)).state, S::Paused);
    assert_eq!(
        effects,
        vec![
            Effect::PauseOutput,
            save(41_100, false),
            Effect::SetGain(1.0)
        ]
    );
    assert_eq!(status(&machine, &at(11_100, 41_100)).sleep, None);
}

#[test]
fn a_listener_waiting_for_sound_while_the_host_is_down_gets_a_try_every_second_then_every_five() {
    let stalled = |now_ms, buffer| Seen {
        now_ms,
        position_ms: 30_000,
        buffer,
        decoder_error: None,
        stalled: true,
        silence_saved_ms: 0,
        finding: None,
    };
    let dry = Buffer {
        starved: true,
        empty: true,
        ..Buffer::default()
    };
    let retries = |machine: &mut Machine, from: u64, to: u64, buffer: Buffer| {
        (from..=to)
            .step_by(100)
            .flat_map(|now| machine.step(Input::Tick, &stalled(now, buffer)))
            .filter(|e| *e == Effect::RetryNow)
            .count()
    };
    // Playing dry: 10 s of waiting, one extra try a second.
    let mut machine = playing();
    assert_eq!(retries(&mut machine, 200, 10_200, dry), 10);
    // Still down after half a minute: every five seconds.
    assert_eq!(retries(&mut machine, 10_300, 60_200, dry), 20 + 6);
    // Paused: nobody is waiting, the stream's own backoff is enough.
    let mut machine = paused();
    assert_eq!(retries(&mut machine, 200, 10_200, dry), 0);
    // Still playing from what was buffered: not waiting yet.
    let mut machine = playing();
    assert_eq!(retries(&mut machine, 200, 10_200, Buffer::default()), 0);
    // Opening an episode while offline, to play it.
    let mut machine = opening();
    assert_eq!(retries(&mut machine, 200, 10_200, Buffer::default()), 10);
}

#[test]
fn the_current_cue_is_the_last_one_started_and_only_for_its_episode() {
    let mut machine = playing();
    let cues = |key: &str| Command::SetCues {
        key: key.into(),
        starts_ms: vec![0, 4_000, 9_500, 20_000],
    };
    // Cues for another episode (a late answer) are not taken.
    machine.step(Input::Command(cues("b")), &at(200, 10_000));
    assert_eq!(status(&machine, &at(210, 10_000)).cue, None);
    machine.step(Input::Command(cues("a")), &at(220, 10_000));
    for (position_ms, want) in [
        (0, Some(0)),
        (3_999, Some(0)),
        (4_000, Some(1)),
        (15_000, Some(2)), // a pause after a cue keeps it
        (99_000, Some(3)),
    ] {
        assert_eq!(
            status(&machine, &at(300, position_ms)).cue,
            want,
            "at {position_ms} ms"
        );
    }
    // Another episode loaded: its cues are not known yet.
    machine.step(
        Input::Command(Command::Load(request("b", 0, true))),
        &at(400, 10_000),
    );
    machine.step(opened(2), &at(500, 0));
    assert_eq!(status(&machine, &at(600, 10_000)).cue, None);
    // The same episode loaded again (a jump) keeps them.
    machine.step(Input::Command(cues("b")), &at(700, 10_000));
    machine.step(
        Input::Command(Command::Load(request("b", 30_000, true))),
        &at(800, 10_000),
    );
    machine.step(opened(3), &at(900, 30_000));
    assert_eq!(status(&machine, &at(1_000, 30_000)).cue, Some(3));
}

#[test]
fn skipped_chapters_are_jumped_over_announced_and_undone() {
    use crate::player::skips::{SkipReason, Skips};
    let mut machine = playing();
    machine.step(
        Input::Command(Command::SetChapters(
            ["Intro", "Sponsor", "Main", "Ad break"]
                .iter()
                .enumerate()
                .map(|(i, t)| Chapter::new(i as u64 * 60_000, *t, ChapterSource::Id3))
                .collect(),
        )),
        &at(110, 30_000),
    );
    let set = |key: &str| {
        Input::Command(Command::SetSkips {
            key: key.into(),
            skips: Skips {
                intro_ms: 0,
                outro_ms: 0,
                chapter_words: vec!["sponsor".into(), "ad break".into()],
            },
        })
    };
    // Skips for another episode are not taken.
    assert!(!machine
        .step(set("b"), &at(120, 30_000))
        .iter()
        .any(|e| matches!(e, Effect::SetSkipRanges(_))));
    // The output learns the ranges at once (it drops anything inside them).
    let effects = machine.step(set("a"), &at(130, 30_000));
    assert!(
        effects.contains(&Effect::SetSkipRanges(vec![
            (60_000, 120_000),
            (180_000, LENGTH_MS)
        ])),
        "{effects:?}"
    );
    // Playing into the sponsor: a jump to its end, announced.
    let effects = machine.step(Input::Tick, &at(200, 60_050));
    assert!(
        effects.contains(&Effect::Seek { ms: 120_000 }),
        "{effects:?}"
    );
    assert!(
        effects.contains(&Effect::Skipped {
            key: "a".into(),
            reason: SkipReason::Chapter("Sponsor".into()),
            from_ms: 60_000,
            to_ms: 120_000,
        }),
        "{effects:?}"
    );
    // Undo: back to its start, and it plays this time.
    let effects = machine.step(Input::Command(Command::UndoSkip), &at(300, 120_100));
    assert!(
        effects.contains(&Effect::Seek { ms: 60_000 }),
        "{effects:?}"
    );
    assert!(effects.contains(&Effect::SetSkipRanges(vec![(180_000, LENGTH_MS)])));
    let effects = machine.step(Input::Tick, &at(400, 60_500));
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Seek { .. })),
        "{effects:?}"
    );
    // A jump the listener makes into a skipped chapter plays it too.
    let effects = machine.step(Input::Command(Command::SeekTo(190_000)), &at(500, 60_600));
    assert!(
        effects.contains(&Effect::Seek { ms: 190_000 }),
        "{effects:?}"
    );
    let effects = machine.step(Input::Tick, &at(600, 190_100));
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Seek { .. })),
        "{effects:?}"
    );
}

#[test]
fn the_intro_is_skipped_from_the_start_only_and_the_outro_ends_the_episode() {
    use crate::player::skips::Skips;
    let skips = Skips {
        intro_ms: 20_000,
        outro_ms: 30_000,
        chapter_words: Vec::new(),
    };
    let mut machine = after(vec![
        (
            Input::Command(Command::Load(request("a", 0, true))),
            at(0, 0),
        ),
        (
            Input::Command(Command::SetSkips {
                key: "a".into(),
                skips: skips.clone(),
            }),
            at(5, 0),
        ),
        (opened(1), at(10, 0)),
    ]);
    let effects = machine.step(Input::Tick, &at(100, 0));
    assert!(
        effects.contains(&Effect::Seek { ms: 20_000 }),
        "{effects:?}"
    );
    let effects = machine.step(Input::Tick, &at(200, LENGTH_MS - 29_000));
    assert!(
        effects.contains(&Effect::Seek { ms: LENGTH_MS - 1 }),
        "{effects:?}"
    );
    // Resumed at 0:30: the intro stays (the listener is past it and may go back to it).
    let mut machine = playing();
    machine.step(
        Input::Command(Command::SetSkips {
            key: "a".into(),
            skips,
        }),
        &at(110, 30_000),
    );
    let effects = machine.step(Input::Command(Command::SeekTo(5_000)), &at(120, 30_000));
    assert_eq!(
        effects
            .iter()
            .filter(|e| matches!(e, Effect::Seek { .. }))
            .count(),
        1
    );
    let effects = machine.step(Input::Tick, &at(200, 5_100));
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Seek { .. })),
        "{effects:?}"
    );
}

#[test]
fn the_status_says_whether_the_listener_asked_for_sound() {
    // A restored episode loads paused: it is loading, but a Play button must still say Play
    // (offline, it may load for a long time).
    for (name, machine, want) in [
        ("opening to play", opening(), true),
        ("opening paused", opening_paused(), false),
        ("paused", paused(), false),
        ("playing", playing(), true),
        ("idle", Machine::default(), false),
    ] {
        let status = status(&machine, &at(20, 0));
        assert_eq!(status.wants_play, want, "{name} ({:?})", status.state);
    }
    assert_eq!(status(&opening_paused(), &at(20, 0)).state, S::Loading);
}

/// The device is let go after a few quiet minutes, once, and Play takes it again; while
/// sound is wanted it is never let go, however long.
#[test]
fn the_device_is_let_go_after_a_few_quiet_minutes() {
    let drops = |effects: &[Effect]| effects.iter().filter(|e| **e == Effect::DropDevice).count();
    let mut machine = playing();
    let mut dropped = 0;
    for s in 1..=600 {
        dropped += drops(&machine.step(Input::Tick, &at(100 + s * 1_000, 30_000)));
    }
    assert_eq!(dropped, 0, "never while playing");

    let paused_at = 700_000;
    machine.step(Input::Command(Command::Pause), &at(paused_at, 40_000));
    let mut dropped_at = Vec::new();
    for s in 1..=400 {
        let now = paused_at + s * 1_000;
        if drops(&machine.step(Input::Tick, &at(now, 40_000))) > 0 {
            dropped_at.push(now - paused_at);
        }
    }
    assert_eq!(
        dropped_at,
        [RELEASE_DEVICE_AFTER_MS],
        "once, after the quiet minutes"
    );

    let effects = machine.step(Input::Command(Command::Play), &at(1_200_000, 40_000));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::StartOutput { .. })),
        "Play opens it again: {effects:?}"
    );
    machine.step(Input::Command(Command::Pause), &at(1_201_000, 41_000));
    let before = machine.step(
        Input::Tick,
        &at(1_201_000 + RELEASE_DEVICE_AFTER_MS - 1, 41_000),
    );
    assert_eq!(drops(&before), 0);
    let release = machine.step(
        Input::Tick,
        &at(1_201_000 + RELEASE_DEVICE_AFTER_MS, 41_000),
    );
    assert_eq!(drops(&release), 1, "counted from the Pause");
}

/// Opened ahead of the first Play and never used: let go after the same quiet minutes.
#[test]
fn a_device_opened_ahead_and_never_used_is_let_go_too() {
    let mut machine = idle();
    let first = machine.step(Input::Command(Command::PrepareOutput), &at(0, 0));
    assert_eq!(first, vec![Effect::OpenDevice]);
    let released = machine.step(Input::Tick, &at(RELEASE_DEVICE_AFTER_MS, 0));
    assert_eq!(released, vec![Effect::DropDevice]);
    assert_eq!(
        machine.step(Input::Tick, &at(2 * RELEASE_DEVICE_AFTER_MS + 5, 0)),
        vec![]
    );
}

/// A load that plays opens the device at once; an episode that goes on opening (offline, its
/// host retried) does not hold it past the quiet minutes, and the sound opens it again.
#[test]
fn a_device_opened_for_a_load_that_never_opens_is_let_go_and_opened_again_for_its_sound() {
    let mut machine = idle();
    let loaded = machine.step(
        Input::Command(Command::Load(request("a", 30_000, true))),
        &at(1_000, 0),
    );
    assert!(loaded.contains(&Effect::OpenDevice), "{loaded:?}");
    let drops = |effects: &[Effect]| effects.iter().filter(|e| **e == Effect::DropDevice).count();
    let still = machine.step(Input::Tick, &at(1_000 + RELEASE_DEVICE_AFTER_MS - 1, 0));
    assert_eq!(drops(&still), 0, "{still:?}");
    let released = machine.step(Input::Tick, &at(1_000 + RELEASE_DEVICE_AFTER_MS, 0));
    assert_eq!(drops(&released), 1, "{released:?}");
    let later = machine.step(Input::Tick, &at(1_000 + 2 * RELEASE_DEVICE_AFTER_MS, 0));
    assert_eq!(drops(&later), 0, "let go once: {later:?}");
    let sound = machine.step(opened(1), &at(1_000 + 2 * RELEASE_DEVICE_AFTER_MS + 10, 0));
    assert!(sound.contains(&START), "{sound:?}");
    assert_eq!(
        status(&machine, &at(1_000 + 2 * RELEASE_DEVICE_AFTER_MS + 10, 0)).state,
        S::Buffering
    );
}

/// The bar hears how far a long jump has read while the episode is loaded, and nothing once
/// it is unloaded.
#[test]
fn the_status_carries_how_far_a_jump_has_read() {
    let finding = |seen: Seen| Seen {
        finding: Some(0.25),
        ..seen
    };
    assert_eq!(
        status(&playing(), &finding(at(200, 30_000))).finding,
        Some(0.25)
    );
    assert_eq!(status(&playing(), &at(200, 30_000)).finding, None);
    assert_eq!(status(&idle(), &finding(at(200, 0))).finding, None);
}
