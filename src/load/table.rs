//! Reading one CSV file under the input contract's dialect rules.
//!
//! UTF-8 (with or without BOM) or UTF-16 with its BOM; LF, CRLF or CR line ends; leading blank lines
//! and Excel's `sep=X` line before the header; a header row whose names compare without case, spaces
//! or underscores (and may be mapped by `[columns]`); columns in any order, extra columns ignored; the
//! delimiter (`,` `;` or tab) named by `sep=` or detected from the header line; an exact repeat of
//! the header (appended exports) skipped. Rows are streamed; every value read through [`Row`] reports
//! its own problems with the file, physical line and column, so one pass collects every problem.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::columns::{normalize, Alias};
use super::date::{earliest_date, parse_date_cell};
use super::decode::{decode, is_invalid_utf16, Encoding, Limited};
use super::error::{InputError, Problem};
use super::limits::{Limits, MAX_VALUE_CHARS};
use super::lines::{LineEndQueue, LineEnds, Quotes, CSV_BUFFER};
use super::number::{ambiguous_money, parse_decimal, NumberFormat};
use super::FileKind;

/// The delimiter of a file, which also decides its number format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Comma,
    Semicolon,
    Tab,
}

impl Dialect {
    /// The dialect Excel's `sep=X` line names.
    fn from_sep(named: u8) -> Result<Dialect, Problem> {
        match named {
            b',' => Ok(Dialect::Comma),
            b';' => Ok(Dialect::Semicolon),
            b'\t' => Ok(Dialect::Tab),
            other => Err(Problem::UnsupportedSeparator(char::from(other).to_string())),
        }
    }

    pub(super) fn delimiter(self) -> u8 {
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
    encoding: Encoding,
    /// Normalised header name (see [`normalize`]) or mapped column → field index.
    columns: HashMap<String, usize>,
    /// The header's names as written (trimmed), by field index.
    names: Vec<String>,
    header: csv::ByteRecord,
    /// The physical line of the header.
    header_line: u64,
    reader: csv::Reader<LineEnds>,
    line_ends: Rc<RefCell<LineEndQueue>>,
    quotes: Rc<RefCell<Quotes>>,
    over_limit: Rc<Cell<Option<u64>>>,
    record: csv::ByteRecord,
    text: csv::StringRecord,
    reported_unclosed_quote: bool,
    /// Most data rows read, and the environment variable that raises it.
    max_rows: (u64, &'static str),
    /// Data rows read so far (blank lines not counted), against `max_rows`.
    rows: u64,
    /// Set once a limit stopped reading: no more rows are returned.
    finished: bool,
}

impl Table {
    /// Opens `path`, a file of `kind`, and reads its header, under the limits from the environment
    /// (see [`Limits`]). `Ok(None)` when the file does not exist.
    pub fn open(path: &Path, kind: FileKind) -> Result<Option<Table>, InputError> {
        let limits = Limits::from_env().map_err(|problem| InputError::new(path, problem))?;
        Table::open_with(path, kind, limits, &[])
    }

    /// [`Table::open`] under explicit limits, with the header names `aliases` allows for our columns.
    pub fn open_with(path: &Path, kind: FileKind, limits: Limits, aliases: &[Alias]) -> Result<Option<Table>, InputError> {
        let fail = |problem| InputError::new(path, problem);
        let meta = match std::fs::symlink_metadata(path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(fail(Problem::Unreadable(e.to_string()))),
        };
        if meta.file_type().is_symlink() {
            return Err(fail(Problem::SymbolicLink));
        }
        // Hardening: only plain files are opened. A named pipe would block the run forever and a
        // device such as /dev/zero never ends; a folder fails later with a less clear message.
        if !meta.is_file() {
            return Err(fail(Problem::NotAFile(file_kind(&meta))));
        }
        // Hardening: a file over the size limit is refused before it is read (and enforced again
        // while reading, for files that grow or report no size).
        if meta.len() > limits.max_file_bytes {
            return Err(fail(Problem::FileTooLarge { size: Some(meta.len()), limit: limits.max_file_bytes }));
        }
        let file = match File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(fail(Problem::Unreadable(e.to_string()))),
        };
        Table::from_reader_mapped(path, Box::new(file), kind, limits, aliases).map(Some)
    }

    /// Reads the header of `input` under the default limits of metrics.csv; `path` is only used in messages.
    pub fn from_reader(path: &Path, input: Box<dyn Read>) -> Result<Table, InputError> {
        Table::from_reader_with(path, input, FileKind::Metrics, Limits::default())
    }

    /// Reads the header of `input`, a file of `kind`, under `limits`; `path` is only used in messages.
    pub fn from_reader_with(
        path: &Path,
        input: Box<dyn Read>,
        kind: FileKind,
        limits: Limits,
    ) -> Result<Table, InputError> {
        Table::from_reader_mapped(path, input, kind, limits, &[])
    }

    /// [`Table::from_reader_with`], with the header names `aliases` allows for our columns.
    pub fn from_reader_mapped(
        path: &Path,
        input: Box<dyn Read>,
        kind: FileKind,
        limits: Limits,
        aliases: &[Alias],
    ) -> Result<Table, InputError> {
        let fail = |problem| InputError::new(path, problem);
        // Hardening: never read more than the size limit (plus one byte, to notice that it is over),
        // not even the lines before the header, which are read before the csv reader starts.
        let over_limit = Rc::new(Cell::new(None));
        let raw = Limited::new(input, limits.max_file_bytes, over_limit.clone());
        let io_fail = |e: std::io::Error| fail(io_problem(&e, &over_limit));
        let (encoding, decoded) = decode(Box::new(raw)).map_err(io_fail)?;
        let mut input = BufReader::new(decoded);

        // Before the header: blank lines, and Excel's `sep=X` line naming the delimiter.
        let mut line = 1u64;
        let mut sep = None;
        let header_line = loop {
            let text = read_line(&mut input).map_err(|e| io_fail(e).at_line(line))?;
            if text.is_empty() {
                return Err(fail(Problem::NoHeader));
            }
            let content = without_line_end(&text);
            if content.iter().all(|b| b" \t,;".contains(b)) {
                line += 1;
                continue;
            }
            if sep.is_none() {
                if let Some(named) = sep_line(content) {
                    sep = Some(Dialect::from_sep(named).map_err(|p| fail(p).at_line(line))?);
                    line += 1;
                    continue;
                }
            }
            break text;
        };
        if header_line.contains(&0) {
            return Err(fail(Problem::Utf16WithoutBom).at_line(line));
        }
        let dialect = match sep {
            Some(dialect) => dialect,
            None => Dialect::detect(&header_line).map_err(|p| fail(p).at_line(line))?,
        };
        let line_ends = Rc::new(RefCell::new(LineEndQueue::starting_at_line(line)));
        let quotes = Rc::new(RefCell::new(Quotes::new(dialect.delimiter())));
        let stream = LineEnds {
            inner: Box::new(Cursor::new(header_line).chain(input)),
            queue: line_ends.clone(),
            quotes: quotes.clone(),
            line,
            last_was_cr: false,
        };
        let mut reader = csv::ReaderBuilder::new()
            .buffer_capacity(CSV_BUFFER)
            .has_headers(false)
            .flexible(true)
            .delimiter(dialect.delimiter())
            .from_reader(stream);
        let mut record = csv::ByteRecord::new();
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return Err(fail(Problem::NoHeader)),
            Err(e) => return Err(csv_error(path, e, &line_ends, &over_limit)),
        }
        // Marks where reading stands, as every later record does (see `LineEndQueue::compact`).
        line_ends.borrow_mut().line_at(record.position().map_or(0, |p| p.byte()));
        let header_end = reader.position().byte();
        let stray = quotes.borrow_mut().take_before(header_end);
        if let Some(stray) = stray {
            let problem = Problem::StrayQuote { value: field_text(&record, stray.field), after_closing: stray.after_closing };
            return Err(fail(problem).at_line(stray.line));
        }
        let header =
            csv::StringRecord::from_byte_record(record.clone()).map_err(|_| fail(Problem::NotUtf8).at_line(line))?;
        let names: Vec<String> = header.iter().map(|name| name.trim().trim_start_matches('\u{FEFF}').trim().to_string()).collect();
        let mut columns = HashMap::new();
        let mut first_of: HashMap<String, usize> = HashMap::new();
        for (index, name) in names.iter().enumerate() {
            let key = normalize(name);
            if key.is_empty() {
                continue;
            }
            if let Some(&first) = first_of.get(&key) {
                let problem = if names[first] == *name {
                    Problem::DuplicateColumn(name.clone())
                } else {
                    Problem::SameColumn(names[first].clone(), name.clone())
                };
                return Err(fail(problem).at_line(line));
            }
            first_of.insert(key.clone(), index);
            columns.insert(key, index);
        }
        for alias in aliases {
            let mut found: Vec<usize> = alias.names.iter().filter_map(|name| columns.get(&normalize(name)).copied()).collect();
            found.sort_unstable();
            found.dedup();
            let own = columns.get(alias.column).copied();
            let theirs = || found.iter().map(|&i| names[i].clone()).collect::<Vec<_>>();
            match (own, found.as_slice()) {
                (Some(own), others) if others.iter().any(|&i| i != own) => {
                    let mut both = vec![names[own].clone()];
                    both.extend(others.iter().filter(|&&i| i != own).map(|&i| names[i].clone()));
                    let problem = Problem::AmbiguousColumn { file: kind.settings_key(), column: alias.column, names: both, preset: alias.preset.map(|p| p.as_str()) };
                    return Err(fail(problem).at_line(line));
                }
                (Some(_), _) => {}
                (None, [one]) => {
                    columns.insert(alias.column.to_string(), *one);
                }
                (None, [_, _, ..]) => {
                    let problem = Problem::AmbiguousColumn { file: kind.settings_key(), column: alias.column, names: theirs(), preset: alias.preset.map(|p| p.as_str()) };
                    return Err(fail(problem).at_line(line));
                }
                (None, []) if alias.preset.is_none() => {
                    let problem = Problem::MappedColumnMissing { column: alias.column, names: alias.names.clone() };
                    return Err(fail(problem).at_line(line));
                }
                (None, []) => {}
            }
        }
        Ok(Table {
            path: path.to_path_buf(),
            dialect,
            encoding,
            columns,
            names,
            header: record.clone(),
            header_line: line,
            reader,
            line_ends,
            quotes,
            over_limit,
            record,
            text: csv::StringRecord::new(),
            reported_unclosed_quote: false,
            max_rows: limits.rows_of(kind),
            rows: 0,
            finished: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// The header's names as written (trimmed), by field index; blank names are empty.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The field index of `name` (one of our column names).
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.get(name).copied()
    }

    /// The most data rows this file may have, and the environment variable that raises it.
    pub fn row_limit(&self) -> (u64, &'static str) {
        self.max_rows
    }

    pub fn has_column(&self, name: &str) -> bool {
        self.columns.contains_key(name)
    }

    /// One error per required column the header lacks.
    pub fn missing_columns(&self, required: &[&str]) -> Vec<InputError> {
        required
            .iter()
            .filter(|name| !self.has_column(name))
            .map(|name| InputError::new(&self.path, Problem::MissingColumn(name.to_string())).at_line(self.header_line()))
            .collect()
    }

    /// The next data row; blank lines are skipped. An unreadable row is an error and reading goes on.
    pub fn next_row(&mut self) -> Option<Result<Row<'_>, InputError>> {
        if self.finished {
            return None;
        }
        loop {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => {
                    // The csv crate reads an unclosed quote to the end of the file without complaint.
                    let unclosed = self.quotes.borrow().unclosed_at_end();
                    if let (Some(line), false) = (unclosed, self.reported_unclosed_quote) {
                        self.reported_unclosed_quote = true;
                        return Some(Err(InputError::new(&self.path, Problem::UnclosedQuote).at_line(line)));
                    }
                    return None;
                }
                Err(e) => {
                    let mut error = csv_error(&self.path, e, &self.line_ends, &self.over_limit);
                    if error.line.is_none() {
                        // An I/O error has no record position: the line the stream had reached.
                        error = error.at_line(self.reader.get_ref().line);
                    }
                    // An I/O error (or the size limit) ends the file: stop after reporting it once.
                    if matches!(
                        error.problem,
                        Problem::Unreadable(_) | Problem::FileTooLarge { .. } | Problem::NotUtf16
                    ) {
                        self.finished = true;
                    }
                    return Some(Err(error));
                }
                Ok(true) => {}
            }
            let start = self.record.position().map_or(0, |p| p.byte());
            let line = self.line_ends.borrow_mut().line_at(start);
            let stray = self.quotes.borrow_mut().take_before(self.reader.position().byte());
            if self.record.iter().all(|field| field.iter().all(u8::is_ascii_whitespace)) {
                continue;
            }
            // Appended exports: the second file's header line, and Excel's `sep=` line, are not data.
            if self.is_header_again() || is_sep_record(&self.record) {
                continue;
            }
            // Hardening: the row limit bounds memory (every valid metrics row is kept) and time.
            self.rows += 1;
            if self.rows > self.max_rows.0 {
                self.finished = true;
                let problem = Problem::TooManyRows { limit: self.max_rows.0, variable: self.max_rows.1 };
                return Some(Err(InputError::new(&self.path, problem).at_line(line)));
            }
            if let Some(stray) = stray {
                let problem =
                    Problem::StrayQuote { value: field_text(&self.record, stray.field), after_closing: stray.after_closing };
                let mut error = InputError::new(&self.path, problem).at_line(stray.line);
                if let Some(name) = self.column_name(stray.field) {
                    error = error.in_column(&name);
                }
                return Some(Err(error));
            }
            if self.record.len() > self.names.len() {
                let problem = Problem::Syntax(format!(
                    "row has {} fields but the header has {}; quote values that contain the delimiter",
                    self.record.len(),
                    self.names.len()
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
            return Some(Ok(Row { table: self, line, problems: RefCell::new(Vec::new()) }));
        }
    }

    /// Whether the record just read repeats the header line (values trimmed, a BOM ignored).
    fn is_header_again(&self) -> bool {
        let trimmed = |field: &[u8]| -> Vec<u8> {
            let field = field.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(field);
            field.trim_ascii().to_vec()
        };
        self.record.len() == self.header.len()
            && self.record.iter().zip(self.header.iter()).all(|(a, b)| trimmed(a) == trimmed(b))
    }

    /// The header's name of field `index` as written, for messages.
    fn column_name(&self, index: usize) -> Option<String> {
        self.names.get(index).filter(|name| !name.is_empty()).cloned()
    }

    fn header_line(&self) -> u64 {
        self.header_line
    }
}

/// One line of `input` with its line end (`\n`, `\r\n` or `\r`); empty at the end of the input.
fn read_line(input: &mut impl BufRead) -> std::io::Result<Vec<u8>> {
    let mut line = Vec::new();
    loop {
        let buffer = input.fill_buf()?;
        if buffer.is_empty() {
            return Ok(line);
        }
        match buffer.iter().position(|&b| b == b'\n' || b == b'\r') {
            Some(at) => {
                let cr = buffer[at] == b'\r';
                line.extend_from_slice(&buffer[..=at]);
                input.consume(at + 1);
                if cr && input.fill_buf()?.first() == Some(&b'\n') {
                    line.push(b'\n');
                    input.consume(1);
                }
                return Ok(line);
            }
            None => {
                let n = buffer.len();
                line.extend_from_slice(buffer);
                input.consume(n);
            }
        }
    }
}

fn without_line_end(line: &[u8]) -> &[u8] {
    let end = line.iter().rposition(|&b| b != b'\n' && b != b'\r').map_or(0, |i| i + 1);
    &line[..end]
}

/// The delimiter Excel's first line `sep=X` names (also quoted, and with trailing delimiters as a
/// spreadsheet saves an otherwise empty first row), or `None` when the line is not one.
fn sep_line(line: &[u8]) -> Option<u8> {
    let line = line.trim_ascii_start();
    let line = line.strip_prefix(b"\"").unwrap_or(line);
    if line.len() < 5 || !line[..4].eq_ignore_ascii_case(b"sep=") {
        return None;
    }
    let named = line[4];
    let rest = &line[5..];
    let rest = rest.strip_prefix(b"\"").unwrap_or(rest);
    rest.iter().all(|&b| b == named || b == b' ' || b == b'\r').then_some(named)
}

/// `sep=` as the csv reader sees it on a later line (appended Excel exports): `sep=` and nothing else.
fn is_sep_record(record: &csv::ByteRecord) -> bool {
    let mut fields = record.iter();
    fields.next().is_some_and(|first| first.trim_ascii().eq_ignore_ascii_case(b"sep="))
        && fields.all(|field| field.trim_ascii().is_empty())
}

/// Field `index` of `record` as text, for messages: the first 80 characters.
fn field_text(record: &csv::ByteRecord, index: usize) -> String {
    let text = String::from_utf8_lossy(record.get(index).unwrap_or_default());
    let text = text.trim();
    match text.char_indices().nth(80) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// The input error an I/O error while reading stands for.
fn io_problem(error: &std::io::Error, over_limit: &Cell<Option<u64>>) -> Problem {
    if let Some(limit) = over_limit.get() {
        Problem::FileTooLarge { size: None, limit }
    } else if is_invalid_utf16(error) {
        Problem::NotUtf16
    } else {
        Problem::Unreadable(error.to_string())
    }
}

/// Turns a csv crate error into an input error at its physical line.
fn csv_error(
    path: &Path,
    error: csv::Error,
    line_ends: &RefCell<LineEndQueue>,
    over_limit: &Cell<Option<u64>>,
) -> InputError {
    let line = error.position().map(|p| line_ends.borrow_mut().line_at(p.byte()));
    let problem = match error.into_kind() {
        csv::ErrorKind::Io(e) => io_problem(&e, over_limit),
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
    /// Values over the length limit, found by accessors that have no `errors` (once per column).
    problems: RefCell<Vec<InputError>>,
}

impl Row<'_> {
    pub fn line(&self) -> u64 {
        self.line
    }

    fn error(&self, column: &str, problem: Problem) -> InputError {
        InputError::new(&self.table.path, problem).at_line(self.line).in_column(self.label(column))
    }

    /// How messages name `column`: as the header writes it when `[columns]` mapped it from another name.
    fn label<'c>(&'c self, column: &'c str) -> &'c str {
        match self.table.columns.get(column) {
            Some(&index) if normalize(&self.table.names[index]) != column => &self.table.names[index],
            _ => column,
        }
    }

    /// The trimmed value, `None` when the column is absent or the field empty, or when the value is
    /// over the length limit (a problem then collected by [`Row::take_problems`]).
    pub fn text(&self, column: &str) -> Option<&str> {
        let index = *self.table.columns.get(column)?;
        let value = self.table.text.get(index)?.trim();
        if value.is_empty() {
            return None;
        }
        // Hardening: a report cannot show a 10 MB value (rendering a long customer name took time
        // and memory quadratic in its length), and an error quoting it would be as long.
        if value.len() > MAX_VALUE_CHARS {
            let chars = value.chars().count();
            if chars > MAX_VALUE_CHARS {
                if !self.is_too_long(column) {
                    let problem = Problem::TooLong { chars, limit: MAX_VALUE_CHARS };
                    self.problems.borrow_mut().push(self.error(column, problem));
                }
                return None;
            }
        }
        Some(value)
    }

    fn is_too_long(&self, column: &str) -> bool {
        self.problems.borrow().iter().any(|e| e.column.as_deref() == Some(self.label(column)))
    }

    /// Problems found by [`Row::text`] (values over the length limit).
    pub fn take_problems(&self) -> Vec<InputError> {
        self.problems.take()
    }

    /// The trimmed value; an empty field is an error described by `expected`.
    pub fn required_text(&self, column: &str, expected: &'static str, errors: &mut Vec<InputError>) -> Option<&str> {
        let value = self.text(column);
        if value.is_none() && self.table.has_column(column) && !self.is_too_long(column) {
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

    /// A money amount: a number, refused when its one separator could be either mark (see
    /// [`ambiguous_money`]); `valid` and `expected` as in [`Row::number_in`].
    pub fn money(
        &self,
        column: &str,
        required: bool,
        valid: impl Fn(Decimal) -> bool,
        expected: &'static str,
        errors: &mut Vec<InputError>,
    ) -> Option<Decimal> {
        let number = self.number_in(column, required, valid, expected, errors)?;
        let value = self.text(column).unwrap_or_default();
        if let Some((mark, as_decimal, as_thousands)) = ambiguous_money(value, self.table.dialect.number_format()) {
            let problem = Problem::AmbiguousMoney {
                value: value.to_string(),
                mark,
                as_decimal: as_decimal.to_string(),
                as_thousands: as_thousands.to_string(),
            };
            errors.push(self.error(column, problem));
            return None;
        }
        Some(number)
    }

    /// The trimmed value of field `index` (wide files, whose columns are not known in advance), `None`
    /// when empty; over the length limit it is a problem, as for [`Row::text`].
    pub fn cell(&self, index: usize) -> Option<&str> {
        let value = self.table.text.get(index)?.trim();
        if value.is_empty() {
            return None;
        }
        if value.chars().count() > MAX_VALUE_CHARS {
            let column = &self.table.names[index];
            if !self.is_too_long(column) {
                let problem = Problem::TooLong { chars: value.chars().count(), limit: MAX_VALUE_CHARS };
                self.problems.borrow_mut().push(self.error(column, problem));
            }
            return None;
        }
        Some(value)
    }

    /// The number in field `index`, named `column` in messages; `None` when empty or invalid.
    pub fn number_at(&self, index: usize, column: &str, errors: &mut Vec<InputError>) -> Option<Decimal> {
        let value = self.cell(index)?;
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

    /// An optional date: `YYYY-MM-DD`, `YYYY/MM/DD` (Japanese Excel, also `YYYY/M/D`), or a timestamp
    /// at exactly midnight with no offset or a zero one (`2026-09-15 00:00:00`, `2026-09-15T00:00:00Z`).
    pub fn date(&self, column: &str, errors: &mut Vec<InputError>) -> Option<NaiveDate> {
        let value = self.text(column)?;
        self.check_date(column, value, errors)
    }

    fn check_date(&self, column: &str, value: &str, errors: &mut Vec<InputError>) -> Option<NaiveDate> {
        match parse_date_cell(value) {
            Err(problem) => {
                errors.push(self.error(column, problem));
                None
            }
            // Hardening: a placeholder such as 0001-01-01 (.NET's DateTime.MinValue) in metrics.csv
            // made every report list 8,100 quarters; with 1,000 goals that took 1.1 GB per report.
            Ok(date) if date < earliest_date() => {
                errors.push(self.error(column, Problem::DateBefore1900(value.to_string())));
                None
            }
            Ok(date) => Some(date),
        }
    }

    pub fn required_date(&self, column: &str, errors: &mut Vec<InputError>) -> Option<NaiveDate> {
        self.required_text(column, "a date (YYYY-MM-DD or YYYY/MM/DD)", errors)?;
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
        if self.text(column).is_none() && self.table.has_column(column) && !self.is_too_long(column) {
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

/// What a path that is not a plain file is, for messages.
fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    let kind = meta.file_type();
    if kind.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
    }
    "a special file"
}

#[cfg(test)]
#[path = "table_tests.rs"]
mod tests;
