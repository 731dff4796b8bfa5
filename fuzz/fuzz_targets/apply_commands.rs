//! The bytes as a sequence of commands on a small registry. The body, and what it checks, is in
//! `tests/fuzz_bodies/mod.rs`, shared with `tests/fuzzing.rs`.
#![no_main]

#[path = "../../tests/fuzz_bodies/mod.rs"]
mod fuzz_bodies;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_bodies::apply_commands(data));
