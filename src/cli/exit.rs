//! The exit codes: one table for every command, shown at the end of each command's help and in
//! docs/operations.md ("Exit codes"); a test keeps the two the same.

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Ok,
    /// Some customer failed, was stale, or has an unconfirmed or queued delivery; an input folder
    /// could not be read. Everything else was still done.
    Attention,
    /// Usage or configuration error: nothing was done.
    Usage,
    /// EX_TEMPFAIL (sysexits.h): the output folder's lock is held by another run.
    Unavailable,
    /// Stopped by a signal (its number): 130 SIGINT, 143 SIGTERM, as a shell reports it.
    Interrupted(i32),
}

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Attention => 1,
            Exit::Usage => 2,
            Exit::Unavailable => 75,
            Exit::Interrupted(signal) => u8::try_from(128 + signal).unwrap_or(u8::MAX),
        }
    }
}

/// (code, meaning) for every exit code any command uses.
pub const TABLE: &[(&str, &str)] = &[
    ("0", "ok: everything asked for was done"),
    (
        "1",
        "needs attention: some customer failed (data errors), was stale, or has an unconfirmed or queued delivery, or a folder could not be read; the rest was done",
    ),
    (
        "2",
        "usage or configuration error (bad argument, a folder of customers where one customer folder is expected or the reverse, invalid valuereport.toml or templates): nothing was done",
    ),
    ("75", "temporarily unavailable: another run holds the output folder's lock; try again later"),
    ("130", "interrupted by SIGINT: what was done is recorded; the next run does the rest"),
    ("143", "interrupted by SIGTERM: what was done is recorded; the next run does the rest"),
];

/// The end of a command's help: an example, then the exit codes.
pub fn footer(examples: &[&str]) -> String {
    let mut text = String::from("Examples:\n");
    for example in examples {
        text.push_str(&format!("  {example}\n"));
    }
    text.push_str("\nExit codes:\n");
    for (code, meaning) in TABLE {
        text.push_str(&format!("  {code:>3}  {meaning}\n"));
    }
    text.push_str("\nWith --format json, stdout holds one JSON document for every outcome, with \"error\" when there is one.");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_the_table() {
        let codes: Vec<String> = [Exit::Ok, Exit::Attention, Exit::Usage, Exit::Unavailable, Exit::Interrupted(2), Exit::Interrupted(15)]
            .iter()
            .map(|e| e.code().to_string())
            .collect();
        let table: Vec<&str> = TABLE.iter().map(|(code, _)| *code).collect();
        assert_eq!(codes, table);
    }

    #[test]
    fn docs_operations_has_the_same_table() {
        let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/operations.md")).unwrap();
        for (code, meaning) in TABLE {
            let row = format!("| {code} | {meaning} |");
            assert!(doc.contains(&row), "docs/operations.md lacks the row {row}");
        }
    }
}
