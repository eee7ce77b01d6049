//! Reading one CSV file under the input contract's dialect rules.
//!
//! UTF-8 with or without BOM, CRLF or LF, a header row whose names are trimmed and case-insensitive,
//! columns in any order, extra columns ignored, and the delimiter (`,` `;` or tab) detected from the
//! header line. Rows are streamed; every value read through [`Row`] reports its own problems with the
//! file, physical line and column, so one pass collects every problem of a file.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::error::{InputError, Problem};
use super::number::{parse_decimal, NumberFormat};

/// The delimiter of a file, which also decides its number format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Comma,
    Semicolon,
    Tab,
}

impl Dialect {
    fn delimiter(self) -> u8 {
        match self {
            Dialect::Comma => b',',
            Dialect::Semicolon => b';',
            Dialect::Tab => b'\t',
        }
    }

    pub fn number_format(self) -> NumberFormat {
        match self {
            Dialect::Semicolon => NumberFormat::DecimalComma,
            Dialect::Comma | Dialect::Tab => NumberFormat::DecimalPoint,
        }
    }

    /// The delimiter that occurs most often outside quotes in the header line (`,` when none does).
    fn detect(header_line: &[u8]) -> Result<Dialect, Problem> {
        let mut counts = [0usize; 3];
        let mut quoted = false;
        for &byte in header_line {
            match byte {
                b'"' => quoted = !quoted,
                b',' if !quoted => counts[0] += 1,
                b';' if !quoted => counts[1] += 1,
                b'\t' if !quoted => counts[2] += 1,
                _ => {}
            }
        }
        let best = *counts.iter().max().expect("three counts");
        if best == 0 {
            return Ok(Dialect::Comma);
        }
        let winners: Vec<usize> = (0..3).filter(|&i| counts[i] == best).collect();
        match winners.as_slice() {
            [0] => Ok(Dialect::Comma),
            [1] => Ok(Dialect::Semicolon),
            [2] => Ok(Dialect::Tab),
            [0, 1] => Err(Problem::AmbiguousDelimiter("',' as ';'")),
            [0, 2] => Err(Problem::AmbiguousDelimiter("',' as tabs")),
            [1, 2] => Err(Problem::AmbiguousDelimiter("';' as tabs")),
            _ => Err(Problem::AmbiguousDelimiter("',' as ';' and tabs")),
        }
    }
}

/// An open CSV file positioned after its header row.
pub struct Table {
    path: PathBuf,
    dialect: Dialect,
    /// Normalised (trimmed, lowercase) header name → field index.
    columns: HashMap<String, usize>,
    header_len: usize,
    reader: csv::Reader<LineEnds>,
    line_ends: Rc<RefCell<LineEndQueue>>,
    record: csv::ByteRecord,
    text: csv::StringRecord,
    reported_unclosed_quote: bool,
}

impl Table {
    /// Opens `path` and reads its header. `Ok(None)` when the file does not exist.
    pub fn open(path: &Path) -> Result<Option<Table>, InputError> {
        match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_symlink() => return Err(InputError::new(path, Problem::SymbolicLink)),
            _ => {}
        }
        let file = match File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(InputError::new(path, Problem::Unreadable(e.to_string()))),
        };
        Table::from_reader(path, Box::new(file)).map(Some)
    }

    /// Reads the header of `input`; `path` is only used in messages.
    pub fn from_reader(path: &Path, input: Box<dyn Read>) -> Result<Table, InputError> {
        let fail = |problem| InputError::new(path, problem);
        let mut input = BufReader::new(input);
        let mut first_line = Vec::new();
        input.read_until(b'\n', &mut first_line).map_err(|e| fail(Problem::Unreadable(e.to_string())))?;
        if first_line.starts_with(b"\xEF\xBB\xBF") {
            first_line.drain(..3);
        }
        if first_line.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(fail(Problem::NoHeader));
        }
        let dialect = Dialect::detect(&first_line).map_err(|p| fail(p).at_line(1))?;
        let line_ends = Rc::new(RefCell::new(LineEndQueue::default()));
        let stream = LineEnds { inner: Box::new(Cursor::new(first_line).chain(input)), queue: line_ends.clone() };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(dialect.delimiter())
            .from_reader(stream);
        let mut record = csv::ByteRecord::new();
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return Err(fail(Problem::NoHeader)),
            Err(e) => return Err(csv_error(path, e, &line_ends)),
        }
        let header =
            csv::StringRecord::from_byte_record(record.clone()).map_err(|_| fail(Problem::NotUtf8).at_line(1))?;
        let mut columns = HashMap::new();
        for (index, name) in header.iter().enumerate() {
            let name = name.trim().to_lowercase();
            if name.is_empty() {
                continue;
            }
            if columns.insert(name.clone(), index).is_some() {
                return Err(fail(Problem::DuplicateColumn(name)).at_line(1));
            }
        }
        Ok(Table {
            path: path.to_path_buf(),
            dialect,
            columns,
            header_len: header.len(),
            reader,
            line_ends,
            record,
            text: csv::StringRecord::new(),
            reported_unclosed_quote: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    pub fn has_column(&self, name: &str) -> bool {
        self.columns.contains_key(name)
    }

    /// One error per required column the header lacks.
    pub fn missing_columns(&self, required: &[&str]) -> Vec<InputError> {
        required
            .iter()
            .filter(|name| !self.has_column(name))
            .map(|name| InputError::new(&self.path, Problem::MissingColumn(name.to_string())).at_line(1))
            .collect()
    }

    /// The next data row; blank lines are skipped. An unreadable row is an error and reading goes on.
    pub fn next_row(&mut self) -> Option<Result<Row<'_>, InputError>> {
        loop {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => {
                    // The csv crate reads an unclosed quote to the end of the file without complaint.
                    let unclosed = self.line_ends.borrow().quotes % 2 == 1;
                    if unclosed && !self.reported_unclosed_quote {
                        self.reported_unclosed_quote = true;
                        // Which quote is wrong cannot be known; the csv crate silently took the rest of the file.
                        return Some(Err(InputError::new(&self.path, Problem::UnclosedQuote)));
                    }
                    return None;
                }
                Err(e) => {
                    let error = csv_error(&self.path, e, &self.line_ends);
                    // An I/O error repeats forever: stop after reporting it once.
                    if matches!(error.problem, Problem::Unreadable(_)) {
                        self.record.clear();
                        let _ = self.reader.read_byte_record(&mut self.record);
                    }
                    return Some(Err(error));
                }
                Ok(true) => {}
            }
            let start = self.record.position().map_or(0, |p| p.byte());
            let line = self.line_ends.borrow_mut().line_at(start);
            if self.record.iter().all(|field| field.iter().all(u8::is_ascii_whitespace)) {
                continue;
            }
            if self.record.len() > self.header_len {
                let problem = Problem::Syntax(format!(
                    "row has {} fields but the header has {}; quote values that contain the delimiter",
                    self.record.len(),
                    self.header_len
                ));
                return Some(Err(InputError::new(&self.path, problem).at_line(line)));
            }
            match csv::StringRecord::from_byte_record(self.record.clone()) {
                Ok(text) => self.text = text,
                Err(e) => {
                    let mut error = InputError::new(&self.path, Problem::NotUtf8).at_line(line);
                    if let Some(name) = self.column_name(e.utf8_error().field()) {
                        error = error.in_column(&name);
                    }
                    return Some(Err(error));
                }
            }
            return Some(Ok(Row { table: self, line }));
        }
    }

    fn column_name(&self, index: usize) -> Option<String> {
        self.columns.iter().find(|(_, &i)| i == index).map(|(name, _)| name.clone())
    }
}

/// Physical line numbers. The csv crate's own `Position::line` miscounts CRLF files and blank lines
/// (and its record offset points at the previous record's line end), so line ends are recorded as the
/// bytes stream through and consumed as records are read: memory stays bounded by the read buffer.
#[derive(Default)]
struct LineEndQueue {
    /// Offsets of `\r` and `\n` bytes not yet passed, with which one it is.
    pending: VecDeque<(u64, bool)>,
    /// `\n` bytes passed so far.
    lines_before: u64,
    /// Bytes read from the source so far.
    next_offset: u64,
    /// `"` bytes read so far: an odd count at the end means a quoted field never closed.
    quotes: u64,
}

impl LineEndQueue {
    /// The 1-based line of the first byte at or after `offset` that is not a line end.
    fn line_at(&mut self, offset: u64) -> u64 {
        while let Some(&(at, is_newline)) = self.pending.front() {
            if at >= offset {
                break;
            }
            self.lines_before += u64::from(is_newline);
            self.pending.pop_front();
        }
        let mut line = self.lines_before;
        for (position, &(at, is_newline)) in (offset..).zip(&self.pending) {
            if at != position {
                break;
            }
            line += u64::from(is_newline);
        }
        line + 1
    }
}

/// A reader that records the offset of every line-end byte it passes on.
struct LineEnds {
    inner: Box<dyn Read>,
    queue: Rc<RefCell<LineEndQueue>>,
}

impl Read for LineEnds {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut queue = self.queue.borrow_mut();
        let base = queue.next_offset;
        for (i, &byte) in buf[..n].iter().enumerate() {
            if byte == b'\n' || byte == b'\r' {
                queue.pending.push_back((base + i as u64, byte == b'\n'));
            }
        }
        queue.next_offset += n as u64;
        queue.quotes += buf[..n].iter().filter(|&&b| b == b'"').count() as u64;
        Ok(n)
    }
}

/// Turns a csv crate error into an input error at its physical line.
fn csv_error(path: &Path, error: csv::Error, line_ends: &RefCell<LineEndQueue>) -> InputError {
    let line = error.position().map(|p| line_ends.borrow_mut().line_at(p.byte()));
    let problem = match error.into_kind() {
        csv::ErrorKind::Io(e) => Problem::Unreadable(e.to_string()),
        csv::ErrorKind::Utf8 { .. } => Problem::NotUtf8,
        other => Problem::Syntax(format!("{other:?}")),
    };
    let error = InputError::new(path, problem);
    match line {
        Some(line) => error.at_line(line),
        None => error,
    }
}

/// One data row. Accessors return `None` for absent or invalid values and push the reason to `errors`.
pub struct Row<'t> {
    table: &'t Table,
    line: u64,
}

impl Row<'_> {
    pub fn line(&self) -> u64 {
        self.line
    }

    fn error(&self, column: &str, problem: Problem) -> InputError {
        InputError::new(&self.table.path, problem).at_line(self.line).in_column(column)
    }

    /// The trimmed value, `None` when the column is absent or the field empty.
    pub fn text(&self, column: &str) -> Option<&str> {
        let index = *self.table.columns.get(column)?;
        let value = self.table.text.get(index)?.trim();
        (!value.is_empty()).then_some(value)
    }

    /// The trimmed value; an empty field is an error described by `expected`.
    pub fn required_text(&self, column: &str, expected: &'static str, errors: &mut Vec<InputError>) -> Option<&str> {
        let value = self.text(column);
        if value.is_none() && self.table.has_column(column) {
            errors.push(self.error(column, Problem::Empty(expected)));
        }
        value
    }

    /// An optional number: empty is `None` without error.
    pub fn number(&self, column: &str, errors: &mut Vec<InputError>) -> Option<Decimal> {
        let value = self.text(column)?;
        let format = self.table.dialect.number_format();
        let number = parse_decimal(value, format);
        if number.is_none() {
            let problem = Problem::NotANumber { value: value.to_string(), expected: format.expected() };
            errors.push(self.error(column, problem));
        }
        number
    }

    pub fn required_number(&self, column: &str, errors: &mut Vec<InputError>) -> Option<Decimal> {
        self.required_text(column, "a number", errors)?;
        self.number(column, errors)
    }

    /// A number that must satisfy `valid`; `expected` says what the range is.
    pub fn number_in(
        &self,
        column: &str,
        required: bool,
        valid: impl Fn(Decimal) -> bool,
        expected: &'static str,
        errors: &mut Vec<InputError>,
    ) -> Option<Decimal> {
        let number = if required { self.required_number(column, errors)? } else { self.number(column, errors)? };
        if valid(number) {
            Some(number)
        } else {
            let value = self.text(column).unwrap_or_default().to_string();
            errors.push(self.error(column, Problem::OutOfRange { value: format!("{value:?}"), expected }));
            None
        }
    }

    pub fn date(&self, column: &str, errors: &mut Vec<InputError>) -> Option<NaiveDate> {
        let value = self.text(column)?;
        let date = parse_iso_date(value);
        if date.is_none() {
            errors.push(self.error(column, Problem::NotADate(value.to_string())));
        }
        date
    }

    pub fn required_date(&self, column: &str, errors: &mut Vec<InputError>) -> Option<NaiveDate> {
        self.required_text(column, "a date (YYYY-MM-DD)", errors)?;
        self.date(column, errors)
    }

    /// An optional keyword from a closed set, parsed by `parse`; `allowed` is listed in the error.
    pub fn keyword<T>(
        &self,
        column: &str,
        parse: impl Fn(&str) -> Option<T>,
        allowed: Vec<&'static str>,
        errors: &mut Vec<InputError>,
    ) -> Option<T> {
        let value = self.text(column)?;
        let parsed = parse(value);
        if parsed.is_none() {
            errors.push(self.error(column, Problem::UnknownKeyword { value: value.to_string(), allowed }));
        }
        parsed
    }

    pub fn required_keyword<T>(
        &self,
        column: &str,
        parse: impl Fn(&str) -> Option<T>,
        allowed: Vec<&'static str>,
        errors: &mut Vec<InputError>,
    ) -> Option<T> {
        if self.text(column).is_none() && self.table.has_column(column) {
            let problem = Problem::UnknownKeyword { value: String::new(), allowed };
            errors.push(self.error(column, problem));
            return None;
        }
        self.keyword(column, parse, allowed, errors)
    }

    /// Reports `problem` against `column` of this row.
    pub fn reject(&self, column: &str, problem: Problem, errors: &mut Vec<InputError>) {
        errors.push(self.error(column, problem));
    }
}

/// Strict ISO calendar date: exactly `YYYY-MM-DD`.
pub fn parse_iso_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes.iter().enumerate().all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape_ok {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(bytes: &'static [u8]) -> Result<Table, InputError> {
        Table::from_reader(Path::new("t.csv"), Box::new(bytes))
    }

    #[test]
    fn detects_delimiters_and_ignores_bom_and_crlf() {
        let mut t = table(b"\xEF\xBB\xBF Date ;Metric;VALUE\r\n2026-01-31;hours;1.234,5\r\n").unwrap();
        assert_eq!(t.dialect(), Dialect::Semicolon);
        let mut errors = Vec::new();
        let row = t.next_row().unwrap().unwrap();
        assert_eq!(row.line(), 2);
        assert_eq!(row.required_date("date", &mut errors), NaiveDate::from_ymd_opt(2026, 1, 31));
        assert_eq!(row.required_number("value", &mut errors).unwrap().to_string(), "1234.5");
        assert!(errors.is_empty());

        assert_eq!(table(b"a\tb\n1\t2\n").unwrap().dialect(), Dialect::Tab);
        assert_eq!(table(b"a,b\n").unwrap().dialect(), Dialect::Comma);
        assert_eq!(table(b"\"a;b\",c\n").unwrap().dialect(), Dialect::Comma);
        assert_eq!(table(b"only\n").unwrap().dialect(), Dialect::Comma);
        assert!(matches!(table(b"a,b;c\n").err().unwrap().problem, Problem::AmbiguousDelimiter(_)));
    }

    #[test]
    fn reports_line_column_value_and_expectation() {
        let mut t = table(b"date,metric,value\n\n2026-01-31,hours,abc\n").unwrap();
        let mut errors = Vec::new();
        let row = t.next_row().unwrap().unwrap();
        assert_eq!(row.number("value", &mut errors), None);
        assert_eq!(
            errors[0].to_string(),
            "t.csv:3: column 'value': \"abc\" is not a number; expected a number with '.' as decimal point \
             and ',' only between thousands, e.g. 1,234.50"
        );
    }

    #[test]
    fn header_problems() {
        assert_eq!(table(b"").err().unwrap().problem, Problem::NoHeader);
        assert_eq!(table(b"a,A\n").err().unwrap().problem, Problem::DuplicateColumn("a".into()));
        let t = table(b"Goal_ID , title\n").unwrap();
        let missing = t.missing_columns(&["goal_id", "title", "metric"]);
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].to_string(), "t.csv:1: missing required column 'metric'");
    }

    #[test]
    fn rows_wider_than_the_header_and_bad_utf8_are_errors_and_reading_goes_on() {
        let mut t = table(b"a,b\n1,2,3\nx\xFF,y\n5,6\n").unwrap();
        let first = t.next_row().unwrap().err().unwrap();
        assert_eq!(first.line, Some(2));
        assert!(matches!(first.problem, Problem::Syntax(_)));
        let second = t.next_row().unwrap().err().unwrap();
        assert_eq!((second.line, second.problem.clone()), (Some(3), Problem::NotUtf8));
        assert_eq!(second.column.as_deref(), Some("a"));
        let third = t.next_row().unwrap().unwrap();
        assert_eq!(third.text("b"), Some("6"));
        assert!(t.next_row().is_none());
    }

    #[test]
    fn quoted_fields_keep_commas_and_newlines_and_lines_stay_physical() {
        let mut t = table(b"a,b\n\"x, y\",\"two\nlines\"\nlast,row\n").unwrap();
        let row = t.next_row().unwrap().unwrap();
        assert_eq!(row.text("a"), Some("x, y"));
        assert_eq!(row.line(), 2);
        let row = t.next_row().unwrap().unwrap();
        assert_eq!(row.line(), 4);
    }

    #[test]
    fn physical_lines_with_crlf_blank_lines_and_long_files() {
        let mut text = String::from("a,b\r\n\r\n1,2\r\n\"x\r\ny\",3\r\n\n\n");
        for i in 0..5000 {
            text.push_str(&format!("{i},{i}\r\n"));
        }
        let bytes: &'static [u8] = Box::leak(text.into_bytes().into_boxed_slice());
        let mut t = table(bytes).unwrap();
        let mut lines = Vec::new();
        while let Some(row) = t.next_row() {
            lines.push(row.unwrap().line());
        }
        assert_eq!(&lines[..3], [3, 4, 8]);
        assert_eq!(lines.last(), Some(&(8 + 4999)));
    }

    #[test]
    fn an_unclosed_quote_is_reported_after_the_last_row() {
        let mut t = table(b"a,b\n1,2\n\"3,4\n5,6\n").unwrap();
        assert_eq!(t.next_row().unwrap().unwrap().line(), 2);
        // The row that swallows the rest of the file is still returned, then the error.
        assert!(t.next_row().unwrap().is_ok());
        let error = t.next_row().unwrap().err().unwrap();
        assert_eq!((error.line, error.problem), (None, Problem::UnclosedQuote));
        assert!(t.next_row().is_none());
        // Balanced quotes, including escaped ones, are fine.
        let mut t = table(b"a,b\n\"say \"\"hi\"\"\",2\n").unwrap();
        assert_eq!(t.next_row().unwrap().unwrap().text("a"), Some("say \"hi\""));
        assert!(t.next_row().is_none());
    }

    #[test]
    fn iso_dates_only() {
        assert!(parse_iso_date("2026-02-28").is_some());
        for bad in ["2026-02-30", "2026-2-3", "26-02-03", "2026/02/03", "03-02-2026", "2026-02-03T00:00"] {
            assert!(parse_iso_date(bad).is_none(), "{bad}");
        }
    }
}
