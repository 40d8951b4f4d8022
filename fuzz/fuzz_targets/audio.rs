#![no_main]

// The engine contains symphonia's panics (an episode fails, the app goes on); libFuzzer's hook
// would abort on them all the same. Keep it quiet so only what escapes counts: libfuzzer-sys
// still aborts when a panic leaves the target.
static QUIET: std::sync::Once = std::sync::Once::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    chaptercast_fuzz::audio(data)
});
