//! goals.csv from arbitrary bytes: never panics, problems name the file and a line that exists.
#![no_main]

use libfuzzer_sys::fuzz_target;
use valuereport::load::FileKind;

mod common;

fuzz_target!(|data: &[u8]| common::check(FileKind::Goals, data));
