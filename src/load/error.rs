//! Input errors: each names the file, the physical line, the column, the value and what was expected.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem with one customer's input. Loading collects all of them rather than stopping at the first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InputError {
    pub file: PathBuf,
    /// 1-based physical line; the header is line 1.
    pub line: Option<u64>,
    pub column: Option<String>,
    pub problem: Problem,
}

impl Problem {
    /// A stable code for programs (`validate --format json`): the kind of problem in snake_case,
    /// `not_a_number`, `missing_column`, `unknown_component`…
    pub fn code(&self) -> String {
        let debug = format!("{self:?}");
        let name = debug.split(|c: char| !c.is_ascii_alphanumeric()).next().unwrap_or_default();
        let mut code = String::new();
        for (i, ch) in name.chars().enumerate() {
            if ch.is_ascii_uppercase() {
                if i > 0 {
                    code.push('_');
                }
                code.push(ch.to_ascii_lowercase());
            } else {
                code.push(ch);
            }
        }
        code
    }
}

impl InputError {
    pub fn new(file: &Path, problem: Problem) -> InputError {
        InputError { file: file.to_path_buf(), line: None, column: None, problem }
    }

    pub fn at_line(mut self, line: u64) -> InputError {
        self.line = Some(line);
        self
    }

    pub fn in_column(mut self, column: &str) -> InputError {
        self.column = Some(column.to_string());
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        f.write_str(": ")?;
        if let Some(column) = &self.column {
            write!(f, "column '{column}': ")?;
        }
        write!(f, "{}", self.problem)
    }
}

/// What is wrong, in words a person who exported the CSV can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("cannot read the file: {0}")]
    Unreadable(String),
    #[error("is a symbolic link; links are not followed, so copy the file into the customer folder")]
    SymbolicLink,
    #[error("a quoted value that starts on this line is never closed, so the rest of the file was read into it; close the quote, or write a '\"' inside quotes as '\"\"'")]
    UnclosedQuote,
    #[error("{value:?} has a '\"' {}; put the whole value in quotes and double the quote inside it, e.g. \"5\"\" screen\"", if *after_closing { "after its closing quote" } else { "inside a value that does not start with one" })]
    StrayQuote { value: String, after_closing: bool },
    #[error("is not valid UTF-16: an unpaired surrogate or an odd number of bytes; export it again (as \"CSV UTF-8\" in Excel)")]
    NotUtf16,
    #[error("looks like UTF-16 without a byte-order mark (it holds NUL bytes); export it as \"CSV UTF-8\", or as UTF-16 with its byte-order mark (Excel's \"Unicode Text\")")]
    Utf16WithoutBom,
    #[error("sep={0} names a delimiter that is not supported; use sep=, sep=; or a tab")]
    UnsupportedSeparator(String),
    #[error("{}", ambiguous_column(file, column, names, *preset))]
    AmbiguousColumn { file: &'static str, column: &'static str, names: Vec<String>, preset: Option<&'static str> },
    #[error("[columns] in valuereport.toml maps {column} to {}, but the header has none of them (nor '{column}'); fix the name in valuereport.toml or the export", quoted_list(names))]
    MappedColumnMissing { column: &'static str, names: Vec<String> },
    #[error("{value:?} is ambiguous in a money column: '{mark}' followed by three digits may be a decimal mark ({as_decimal}) or a thousands separator ({as_thousands}); write {as_thousands} or {as_decimal}")]
    AmbiguousMoney { value: String, mark: char, as_decimal: String, as_thousands: String },
    #[error("{value:?} has a time of day; expected a date (YYYY-MM-DD or YYYY/MM/DD), or a timestamp at exactly midnight such as 2026-09-15 00:00:00 or 2026-09-15T00:00:00Z")]
    TimeOfDay { value: String },
    #[error("{value:?} has a UTC offset; the calendar day depends on it, so write the date alone (YYYY-MM-DD)")]
    DateWithOffset { value: String },
    #[error("metric {spelled:?} matches goal {goal:?}'s metric {goal_metric:?} (goals.csv line {goal_line}) only when case, spaces and underscores are ignored; rows are matched exactly, so write it as {goal_metric:?}")]
    MetricSpelling { spelled: String, goal: String, goal_metric: String, goal_line: u64 },
    #[error("{row} repeats line {first_line} exactly (same date, metric and value): the same export appended twice? Remove one, or set dedupe_exact_rows = true in valuereport.toml to drop exact repeats with a warning")]
    DuplicateRow { row: String, first_line: u64 },
    #[error("dropped {row}: it repeats line {first_line} exactly (dedupe_exact_rows = true)")]
    DroppedDuplicateRow { row: String, first_line: u64 },
    #[error("target {target} is not better than baseline {baseline} for direction {direction}")]
    TargetNotBetter { target: String, baseline: String, direction: &'static str },
    #[error("file not found; every customer folder needs account.csv, goals.csv and metrics.csv")]
    MissingFile,
    #[error("is not valid UTF-8; export the file as UTF-8 (in Excel: \"CSV UTF-8\")")]
    NotUtf8,
    #[error("is empty; expected a header row")]
    NoHeader,
    #[error("cannot tell the delimiter from the header line: it has as many {0}; use one of ',' ';' or tab")]
    AmbiguousDelimiter(&'static str),
    #[error("column '{0}' appears more than once in the header")]
    DuplicateColumn(String),
    #[error("columns '{0}' and '{1}' are the same column (header names compare without case, spaces or underscores); keep one")]
    SameColumn(String, String),
    #[error("missing required column '{0}'")]
    MissingColumn(String),
    #[error("CSV syntax error: {0}")]
    Syntax(String),
    #[error("has no data rows; expected {0}")]
    NoRows(&'static str),
    #[error("has more than one data row; expected exactly one account row")]
    ExtraAccountRow,
    #[error("is empty; expected {0}")]
    Empty(&'static str),
    #[error("{value:?} is not a number; expected {expected}")]
    NotANumber { value: String, expected: &'static str },
    #[error("{0:?} is not a date; expected YYYY-MM-DD or YYYY/MM/DD, e.g. 2026-09-30")]
    NotADate(String),
    #[error("{0} is before 1900-01-01: not a real date but a placeholder (such as 0001-01-01) from the export; remove the row or fix the date")]
    DateBefore1900(String),
    #[error("{value:?} is not allowed; expected one of {}", allowed.join(", "))]
    UnknownKeyword { value: String, allowed: Vec<&'static str> },
    #[error("{value} is out of range; expected {expected}")]
    OutOfRange { value: String, expected: &'static str },
    #[error("{0:?} is not a valid customer_id; use 1–100 ASCII letters, digits, '-', '_' and '.', not starting with '.' and without '..' (it names output files)")]
    InvalidCustomerId(String),
    #[error("{0}")]
    UnknownLocale(crate::locale::TagError),
    #[error("{0:?} is not an ISO 4217 currency code; expected e.g. USD, EUR, JPY, MYR")]
    UnknownCurrency(String),
    #[error("{0:?} is not an e-mail address")]
    InvalidEmail(String),
    #[error("duplicate {what} {id:?}; first defined on line {first_line}")]
    DuplicateId { what: &'static str, id: String, first_line: u64 },
    #[error("goal {goal:?} uses metric {metric:?}, which has no rows in metrics.csv")]
    MetricWithoutRows { goal: String, metric: String },
    #[error("{value:?} is not a health component; expected one of {} (the keys of [health.weights] in valuereport.toml)", allowed.join(", "))]
    UnknownComponent { value: String, allowed: Vec<String> },
    #[error("a second {component} score for {date} (first on line {first_line}): which one counts is ambiguous; keep one row per component and day")]
    DuplicateHealthScore { component: String, date: String, first_line: u64 },
    #[error("a second answer of respondent {respondent:?} on {date} (first on line {first_line}); keep one answer per respondent and day")]
    DuplicateNpsAnswer { respondent: String, date: String, first_line: u64 },
    #[error("an nps score in health.csv while the folder has nps.csv, which gives the nps component: which one counts is ambiguous; remove the nps rows from health.csv or remove nps.csv")]
    NpsInBothFiles,
    #[error("customer_id {id:?} is also used by {other}")]
    DuplicateCustomer { id: String, other: String },
    #[error("invalid settings: {0}")]
    Settings(String),
    // Hardening (docs/hardening.md): limits that keep memory and time bounded whatever a file holds.
    #[error("is not a regular file ({0}); only plain files are read, so copy the export into the customer folder")]
    NotAFile(&'static str),
    #[error("{}", super::limits::file_too_large_message(*.size, *.limit))]
    FileTooLarge { size: Option<u64>, limit: u64 },
    #[error("has more than {limit} data rows, the limit; the rest of the file was not read. Split the export, or raise the limit with the environment variable {variable}=<rows>")]
    TooManyRows { limit: u64, variable: &'static str },
    #[error("is {chars} characters long; text values are limited to {limit} characters")]
    TooLong { chars: usize, limit: usize },
    #[error("has more than {0} problems; the rest of the file was not checked. Fix these and validate again")]
    TooManyProblems(usize),
    #[error("cannot apply the limit: environment variable {variable}={value:?} is not valid; expected {expected}")]
    BadLimit { variable: &'static str, value: String, expected: &'static str },
}

fn quoted_list(names: &[String]) -> String {
    names.iter().map(|name| format!("'{name}'")).collect::<Vec<_>>().join(" or ")
}

fn ambiguous_column(file: &str, column: &str, names: &[String], preset: Option<&str>) -> String {
    let source = match preset {
        Some(preset) => format!("columns.preset = \"{preset}\""),
        None => "[columns] in valuereport.toml".to_string(),
    };
    format!(
        "the header has {} for column '{column}' (by {source}); keep one of them, or name the one to use in \
         valuereport.toml, e.g. [columns] {file}.{column} = \"{}\"",
        names.iter().map(|name| format!("'{name}'")).collect::<Vec<_>>().join(" and "),
        names.last().map(String::as_str).unwrap_or_default()
    )
}
