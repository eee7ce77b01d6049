//! Any file kind as the export tools write it: the input, re-encoded as UTF-16 (either byte order,
//! with its BOM), or behind an Excel `sep=` line, then read as in the one-file targets. Never
//! panics, and every problem names the file and a line that exists. (Wide metrics come from the
//! metrics target: any header without `metric` and `value` is read wide.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use valuereport::load::FileKind;

mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&form, rest)) = data.split_first() else { return };
    let Some((&flags, text)) = rest.split_first() else { return };
    let kind = FileKind::ALL[usize::from(form >> 4) % FileKind::ALL.len()];
    let mut bytes = vec![flags];
    match form & 3 {
        // UTF-16: the text as code units (valid or not), two bytes each.
        0 => {
            bytes.extend([0xFF, 0xFE]);
            bytes.extend(text);
        }
        1 => {
            bytes.extend([0xFE, 0xFF]);
            bytes.extend(text);
        }
        // UTF-16 of valid text, so the rows behind the encoding are reached too.
        2 => {
            let big_endian = form & 4 != 0;
            bytes.extend(if big_endian { [0xFE, 0xFF] } else { [0xFF, 0xFE] });
            for unit in String::from_utf8_lossy(text).encode_utf16() {
                bytes.extend(if big_endian { unit.to_be_bytes() } else { unit.to_le_bytes() });
            }
        }
        // Excel's sep= line (its delimiter taken from the input), then the file.
        _ => {
            bytes.extend(b"sep=");
            bytes.extend(text);
        }
    }
    common::check(kind, &bytes);
});
