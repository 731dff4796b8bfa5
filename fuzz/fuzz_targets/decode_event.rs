//! The bytes as JSON lines of events, applied as a host replays a log. The body, and what it checks, is in
//! `tests/fuzz_bodies/mod.rs`, shared with `tests/fuzzing.rs`.
#![no_main]

#[path = "../../tests/fuzz_bodies/mod.rs"]
mod fuzz_bodies;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_bodies::decode_event(data));
