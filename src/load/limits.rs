//! Limits that keep memory and time bounded whatever an export holds (docs/hardening.md).
//!
//! A CRM export fed to an unattended cron job can be anything: a 10 GB dump, a file with millions of
//! rows, a link to `/dev/zero`. Every file is therefore read under limits, each with a default and an
//! environment variable to raise it: the file size, and the number of data rows (one limit for
//! metrics.csv, a lower one for the files whose every row appears in the report). A file over a
//! limit is an error of that customer that names the limit and how to raise it. Text values have a
//! fixed length limit: a report cannot show a 10 MB customer name (rendering one took hours).

use super::error::Problem;

/// Largest file read: 512 MiB. Peak memory for one file is a small multiple of its size.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;
/// Most data rows read from metrics.csv. 5 million metric rows take about 0.5 GB once loaded.
pub const DEFAULT_MAX_ROWS: u64 = 5_000_000;
/// Most data rows read from account.csv, goals.csv, stories.csv and opportunities.csv: every one
/// of their rows is in the report (1,000 goals make a report of about 200 pages).
pub const DEFAULT_MAX_LIST_ROWS: u64 = 1_000;
/// Longest text value, in characters (a long story is a few hundred).
pub const MAX_VALUE_CHARS: usize = 10_000;
/// Environment variable that overrides [`DEFAULT_MAX_FILE_BYTES`] (`1073741824`, `1G`, `800M`).
pub const MAX_FILE_BYTES_VAR: &str = "VALUEREPORT_MAX_FILE_BYTES";
/// Environment variable that overrides [`DEFAULT_MAX_ROWS`].
pub const MAX_ROWS_VAR: &str = "VALUEREPORT_MAX_ROWS";
/// Environment variable that overrides [`DEFAULT_MAX_LIST_ROWS`].
pub const MAX_LIST_ROWS_VAR: &str = "VALUEREPORT_MAX_LIST_ROWS";
/// Problems reported per file before the rest of the file is skipped: a file where every one of
/// millions of rows is wrong must not hold millions of errors in memory (or print them).
pub const MAX_PROBLEMS_PER_FILE: usize = 1000;

/// The limits one file is read under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_file_bytes: u64,
    /// Data rows of metrics.csv.
    pub max_rows: u64,
    /// Data rows of each other file.
    pub max_list_rows: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            max_rows: DEFAULT_MAX_ROWS,
            max_list_rows: DEFAULT_MAX_LIST_ROWS,
        }
    }
}

impl Limits {
    /// The defaults, each overridden by its environment variable when that is set.
    pub fn from_env() -> Result<Limits, Problem> {
        let mut limits = Limits::default();
        if let Some(value) = std::env::var_os(MAX_FILE_BYTES_VAR) {
            let value = value.to_string_lossy().into_owned();
            limits.max_file_bytes = parse_bytes(&value).ok_or(Problem::BadLimit {
                variable: MAX_FILE_BYTES_VAR,
                value,
                expected: "a number of bytes of at least 1, optionally with K, M or G (1024-based), e.g. 1G",
            })?;
        }
        for (variable, limit) in [(MAX_ROWS_VAR, &mut limits.max_rows), (MAX_LIST_ROWS_VAR, &mut limits.max_list_rows)]
        {
            if let Some(value) = std::env::var_os(variable) {
                let value = value.to_string_lossy().into_owned();
                *limit = value.trim().parse().ok().filter(|&n| n >= 1).ok_or(Problem::BadLimit {
                    variable,
                    value,
                    expected: "a whole number of rows of at least 1, e.g. 10000000",
                })?;
            }
        }
        Ok(limits)
    }

    /// The row limit of a file of `kind`, and the variable that raises it.
    pub fn rows_of(&self, kind: super::FileKind) -> (u64, &'static str) {
        match kind {
            // Health and NPS are time series too (daily scores, one row per survey answer).
            super::FileKind::Metrics | super::FileKind::Health | super::FileKind::Nps => (self.max_rows, MAX_ROWS_VAR),
            _ => (self.max_list_rows, MAX_LIST_ROWS_VAR),
        }
    }
}

/// `1048576`, `1024K`, `1M`, `1MiB`, `1 mb`: a size of at least one byte (K, M, G, T are 1024-based).
fn parse_bytes(text: &str) -> Option<u64> {
    let text = text.trim();
    let digits = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let number: u64 = text[..digits].parse().ok()?;
    let unit = text[digits..].trim().to_ascii_lowercase();
    let unit = unit.strip_suffix("ib").or_else(|| unit.strip_suffix('b')).unwrap_or(&unit);
    let factor: u64 = match unit {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        "t" => 1 << 40,
        _ => return None,
    };
    number.checked_mul(factor).filter(|&n| n >= 1)
}

/// `536870912` → `512 MiB`; sizes that are not a whole number of a unit stay in bytes.
fn human_bytes(bytes: u64) -> String {
    for (unit, size) in [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] {
        if bytes >= size && bytes % size == 0 {
            return format!("{} {unit}", bytes / size);
        }
    }
    format!("{bytes} bytes")
}

pub(super) fn file_too_large_message(size: Option<u64>, limit: u64) -> String {
    let size = size.map_or_else(|| "is larger than".to_string(), |size| format!("is {size} bytes, over"));
    format!(
        "{size} the file size limit of {} ({limit} bytes); split the export, or raise the limit with the \
         environment variable {MAX_FILE_BYTES_VAR}=<bytes>, e.g. {MAX_FILE_BYTES_VAR}=2G",
        human_bytes(limit)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_with_and_without_units() {
        assert_eq!(parse_bytes("1048576"), Some(1 << 20));
        assert_eq!(parse_bytes(" 512M "), Some(512 << 20));
        assert_eq!(parse_bytes("2GiB"), Some(2 << 30));
        assert_eq!(parse_bytes("64 kb"), Some(64 << 10));
        for bad in ["", "0", "-1", "1.5G", "1X", "G", "99999999999999T"] {
            assert_eq!(parse_bytes(bad), None, "{bad:?}");
        }
        assert_eq!(human_bytes(DEFAULT_MAX_FILE_BYTES), "512 MiB");
        assert_eq!(human_bytes(1000), "1000 bytes");
    }
}
