#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| chaptercast_fuzz::picture(data));
