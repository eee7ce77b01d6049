//! Shared by the one-file targets: read `data` as one CSV file kind and check what comes back.

use std::path::Path;

use valuereport::load::{parse_file, FileKind, Limits};

/// The first byte picks tight limits (so the size and row limits are exercised) or the defaults.
pub fn check(kind: FileKind, data: &[u8]) {
    let (limits, bytes) = match data.split_first() {
        Some((&flags, rest)) if flags & 1 == 1 => {
            (Limits { max_file_bytes: 1 + u64::from(flags) * 8, max_rows: 3, max_list_rows: 3 }, rest)
        }
        Some((_, rest)) => (Limits::default(), rest),
        None => (Limits::default(), data),
    };
    let path = Path::new("fuzz").join(kind.file_name());
    // A physical line a problem can be on: the file has this many lines at most (CR, LF and CRLF
    // each end a line; in UTF-16 each line end still has its 0x0A or 0x0D byte).
    let lines = 1 + bytes.iter().filter(|&&b| b == b'\n' || b == b'\r').count() as u64;
    match parse_file(kind, &path, bytes, limits) {
        // A wide metrics.csv has several observations per line: only the row limit bounds them.
        Ok(rows) if kind == FileKind::Metrics => assert!(rows as u64 <= limits.max_rows),
        Ok(rows) => assert!(rows as u64 <= lines && rows as u64 <= limits.max_rows.max(limits.max_list_rows)),
        Err(errors) => {
            assert!(!errors.is_empty(), "a rejected file has at least one problem");
            for error in errors {
                assert_eq!(error.file, path);
                assert!(!error.to_string().is_empty());
                if let Some(line) = error.line {
                    assert!((1..=lines).contains(&line), "line {line} of {lines}: {error}");
                }
            }
        }
    }
}
