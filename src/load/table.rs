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

/// The earliest date an input file may hold.
pub fn earliest_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).expect("a valid date")
}

/// A date as exports write it (see [`Row::date`]), or why it is not one.
pub fn parse_date_cell(text: &str) -> Result<NaiveDate, Problem> {
    let not_a_date = || Problem::NotADate(text.to_string());
    let (day, time) = match text.char_indices().nth(10) {
        Some((at, ' ' | 'T')) => (&text[..at], Some(&text[at + 1..])),
        _ => (text, None),
    };
    let date = parse_iso_date(day).or_else(|| parse_year_first_slashes(day)).ok_or_else(not_a_date)?;
    let Some(time) = time else { return Ok(date) };
    let (clock, offset) = match time.find(['Z', 'z', '+', '-']) {
        Some(at) => time.split_at(at),
        None => (time, ""),
    };
    let clock_ok = {
        let bytes = clock.as_bytes();
        let shape = |b: &[u8]| b.len() == 5 && b[2] == b':' && b.iter().enumerate().all(|(i, c)| i == 2 || c.is_ascii_digit());
        match bytes.len() {
            5 => shape(bytes),
            8 => shape(&bytes[..5]) && bytes[5] == b':' && bytes[6..].iter().all(u8::is_ascii_digit),
            n if n > 9 => {
                shape(&bytes[..5])
                    && bytes[5] == b':'
                    && bytes[6..8].iter().all(u8::is_ascii_digit)
                    && bytes[8] == b'.'
                    && bytes[9..].iter().all(u8::is_ascii_digit)
            }
            _ => false,
        }
    };
    if !clock_ok {
        return Err(not_a_date());
    }
    let offset_ok = matches!(offset, "" | "Z" | "z") || (offset.len() == 6 && offset[1..].as_bytes()[2] == b':');
    if !offset_ok {
        return Err(not_a_date());
    }
    if !clock.bytes().all(|b| b == b'0' || b == b':' || b == b'.') {
        return Err(Problem::TimeOfDay { value: text.to_string() });
    }
    if !matches!(offset, "" | "Z" | "z" | "+00:00" | "-00:00") {
        return Err(Problem::DateWithOffset { value: text.to_string() });
    }
    Ok(date)
}

/// `YYYY/MM/DD` or `YYYY/M/D`: year first, so never day-month ambiguous.
fn parse_year_first_slashes(text: &str) -> Option<NaiveDate> {
    let mut parts = text.split('/');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |part: &str, lengths: std::ops::RangeInclusive<usize>| {
        lengths.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit())
    };
    if parts.next().is_some() || !digits(year, 4..=4) || !digits(month, 1..=2) || !digits(day, 1..=2) {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
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
        assert_eq!(table(b"a,A\n").err().unwrap().problem, Problem::SameColumn("a".into(), "A".into()));
        assert_eq!(table(b"x,x\n").err().unwrap().problem, Problem::DuplicateColumn("x".into()));
        let error = table(b"Account ID,account_id\n").err().unwrap();
        assert_eq!(error.to_string(), "t.csv:1: columns 'Account ID' and 'account_id' are the same column (header names compare without case, \
             spaces or underscores); keep one");
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
        assert_eq!((error.line, error.problem), (Some(3), Problem::UnclosedQuote), "the line where it opened");
        assert!(t.next_row().is_none());
        // Balanced quotes, including escaped ones, are fine.
        let mut t = table(b"a,b\n\"say \"\"hi\"\"\",2\n").unwrap();
        assert_eq!(t.next_row().unwrap().unwrap().text("a"), Some("say \"hi\""));
        assert!(t.next_row().is_none());
    }

    /// Physical lines of the rows of `text`, read under `limits`.
    fn lines_of(text: Vec<u8>, limits: Limits) -> (Vec<u64>, Vec<Problem>, usize) {
        let mut t = Table::from_reader_with(Path::new("t.csv"), Box::new(Cursor::new(text)), FileKind::Metrics, limits)
            .unwrap();
        let (mut lines, mut problems, mut longest_queue) = (Vec::new(), Vec::new(), 0);
        let queue = t.line_ends.clone();
        while let Some(row) = t.next_row() {
            longest_queue = longest_queue.max(queue.borrow().pending.len());
            match row {
                Ok(row) => lines.push(row.line()),
                Err(e) => problems.push(e.problem),
            }
        }
        (lines, problems, longest_queue)
    }

    #[test]
    fn line_numbers_stay_exact_and_memory_bounded_across_huge_quoted_fields() {
        // Regression (hardening): every line end used to be queued until its record was done, 16
        // bytes each, so one quoted field of line breaks cost 16 times its size. Runs are merged now.
        let mut text = b"a,b\r\n1,\"".to_vec();
        for _ in 0..1_500_000 {
            text.extend_from_slice(b"x\n"); // alternating: the most runs per byte
        }
        text.extend_from_slice(b"\"\r\n\r\n\n2,\"");
        text.extend(std::iter::repeat_n(b'\n', 300_000));
        text.extend_from_slice(b"\"\n3,3\n");
        let expected_third = 2 + 1_500_000 + 3 + 300_000 + 1;
        let (lines, problems, longest_queue) = lines_of(text, Limits::default());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(lines, [2, 2 + 1_500_000 + 3, expected_third]);
        // Bounded by the two windows (about 70,000 runs of 24 bytes, doubled between compactions),
        // not by the 1.8 million line ends.
        assert!(longest_queue < 150_000, "{longest_queue} runs queued for 1,800,000 line ends");
    }

    #[test]
    fn line_numbers_of_many_short_rows_with_blank_lines_and_crlf() {
        let mut text = String::from("a,b\n");
        let mut expected = Vec::new();
        let mut line = 2;
        for i in 0..50_000u64 {
            expected.push(line);
            match i % 4 {
                0 => text.push_str(&format!("{i},x\r\n")),
                1 => text.push_str(&format!("{i},\"two\nlines\"\n")),
                2 => text.push_str(&format!("{i},y\n\n\r\n")),
                _ => text.push_str(&format!("{i},{}\n", "z".repeat(70_000 * usize::from(i % 1000 == 3)))),
            }
            line += [1, 2, 3, 1][(i % 4) as usize];
        }
        let (lines, problems, _) = lines_of(text.into_bytes(), Limits::default());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(lines, expected);
    }

    #[test]
    fn the_size_limit_stops_reading_with_a_clear_error() {
        // The limit counts the bytes read from the file (before any decoding), as they are read: a
        // stream that goes past it stops with the error after the rows read so far.
        let limits = Limits { max_file_bytes: 20_000, ..Limits::default() };
        let text = format!("a,b\n{}", "1,2\n".repeat(10_000)).into_bytes();
        let (lines, problems, _) = lines_of(text, limits);
        assert!(lines.len() < 5_000, "{}", lines.len());
        assert_eq!(problems, [Problem::FileTooLarge { size: None, limit: 20_000 }]);
        // A small file over a small limit fails as its header is read.
        let limits = Limits { max_file_bytes: 100, ..Limits::default() };
        let text = format!("a,b\n{}", "1,2\n".repeat(50)).into_bytes();
        let error = Table::from_reader_with(Path::new("t.csv"), Box::new(Cursor::new(text)), FileKind::Goals, limits);
        let problems = [error.err().unwrap().problem];
        assert_eq!(problems, [Problem::FileTooLarge { size: None, limit: 100 }]);
        let message = InputError::new(Path::new("m.csv"), problems[0].clone()).to_string();
        assert!(message.contains("100 bytes") && message.contains("VALUEREPORT_MAX_FILE_BYTES"), "{message}");
        // Even a header line longer than the limit is never read whole.
        let long_header = vec![b'a'; 10_000];
        let error =
            Table::from_reader_with(Path::new("t.csv"), Box::new(Cursor::new(long_header)), FileKind::Goals, limits);
        assert_eq!(error.err().unwrap().problem, Problem::FileTooLarge { size: None, limit: 100 });
    }

    #[test]
    fn the_row_limit_stops_reading_with_a_clear_error() {
        let limits = Limits { max_rows: 10, ..Limits::default() };
        let text = format!("a,b\n\n{}", "1,2\n".repeat(50)).into_bytes();
        let (lines, problems, _) = lines_of(text, limits);
        assert_eq!(lines.len(), 10, "blank lines do not count");
        assert_eq!(problems, [Problem::TooManyRows { limit: 10, variable: "VALUEREPORT_MAX_ROWS" }]);
        let message = InputError::new(Path::new("m.csv"), problems[0].clone()).to_string();
        assert!(message.contains("more than 10 data rows") && message.contains("VALUEREPORT_MAX_ROWS"), "{message}");
        // Exactly at the limit is fine.
        let (lines, problems, _) = lines_of(format!("a\n{}", "1\n".repeat(10)).into_bytes(), limits);
        assert_eq!((lines.len(), problems.len()), (10, 0));
    }

    #[cfg(unix)]
    #[test]
    fn only_plain_files_are_opened() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("goals.csv");
        std::fs::create_dir(&folder).unwrap();
        assert_eq!(Table::open(&folder, FileKind::Goals).err().unwrap().problem, Problem::NotAFile("a folder"));
        // A named pipe nobody writes to would block forever if it were opened.
        let fifo = dir.path().join("metrics.csv");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            assert_eq!(Table::open(&fifo, FileKind::Metrics).err().unwrap().problem, Problem::NotAFile("a named pipe"));
        }
        let big = dir.path().join("stories.csv");
        std::fs::write(&big, "date,type,title\n").unwrap();
        let limits = Limits { max_file_bytes: 10, ..Limits::default() };
        assert_eq!(
            Table::open_with(&big, FileKind::Stories, limits, &[]).err().unwrap().problem,
            Problem::FileTooLarge { size: Some(16), limit: 10 }
        );
    }

    #[test]
    fn values_over_the_length_limit_are_one_problem_each_not_a_10_mb_message() {
        let long = "x".repeat(MAX_VALUE_CHARS + 1);
        let text = format!("name,value,note\n{long},{long},{long}\nok,1,{long}\n");
        let mut t = table(Box::leak(text.into_bytes().into_boxed_slice())).unwrap();
        let mut errors = Vec::new();
        let row = t.next_row().unwrap().unwrap();
        assert_eq!(row.required_text("name", "a name", &mut errors), None);
        assert_eq!(row.text("name"), None);
        assert_eq!(row.required_number("value", &mut errors), None);
        assert!(errors.is_empty(), "no Empty or NotANumber on top: {errors:?}");
        let problems = row.take_problems();
        assert_eq!(problems.len(), 2, "one per column read: {problems:?}");
        assert_eq!(problems[0].problem, Problem::TooLong { chars: MAX_VALUE_CHARS + 1, limit: MAX_VALUE_CHARS });
        assert!(problems[0].to_string().len() < 200);
        // A column that is never read (an extra column) may be as long as it likes.
        let row = t.next_row().unwrap().unwrap();
        assert_eq!(row.text("name"), Some("ok"));
        assert!(row.take_problems().is_empty());
        // The limit counts characters, not bytes.
        let japanese = "時".repeat(MAX_VALUE_CHARS);
        let text = format!("name\n{japanese}\n");
        let mut t = table(Box::leak(text.into_bytes().into_boxed_slice())).unwrap();
        assert_eq!(t.next_row().unwrap().unwrap().text("name").map(|v| v.chars().count()), Some(MAX_VALUE_CHARS));
    }

    #[test]
    fn dates_before_1900_are_placeholders_not_dates() {
        let mut t = table(b"date,metric,value\n0001-01-01,m,1\n1899-12-31,m,1\n1900-01-01,m,1\n").unwrap();
        let mut errors = Vec::new();
        assert_eq!(t.next_row().unwrap().unwrap().date("date", &mut errors), None);
        assert_eq!(t.next_row().unwrap().unwrap().date("date", &mut errors), None);
        assert_eq!(t.next_row().unwrap().unwrap().date("date", &mut errors), Some(earliest_date()));
        assert_eq!(errors.len(), 2);
        assert_eq!(
            errors[0].to_string(),
            "t.csv:2: column 'date': 0001-01-01 is before 1900-01-01: not a real date but a placeholder (such as \
             0001-01-01) from the export; remove the row or fix the date"
        );
    }

    #[test]
    fn iso_dates_only() {
        assert!(parse_iso_date("2026-02-28").is_some());
        for bad in ["2026-02-30", "2026-2-3", "26-02-03", "2026/02/03", "03-02-2026", "2026-02-03T00:00"] {
            assert!(parse_iso_date(bad).is_none(), "{bad}");
        }
    }

    fn rows_of(t: &mut Table, columns: &[&str]) -> Vec<Result<(u64, Vec<String>), InputError>> {
        let mut out = Vec::new();
        while let Some(row) = t.next_row() {
            out.push(row.map(|row| {
                (row.line(), columns.iter().map(|c| row.text(c).unwrap_or_default().to_string()).collect())
            }));
        }
        out
    }

    #[test]
    fn excel_sep_line_names_the_delimiter_and_counts_as_a_line() {
        let mut t = table(b"sep=;\r\ndate;metric;value\r\n2026-09-30;hours;1,5\r\n").unwrap();
        assert_eq!(t.dialect(), Dialect::Semicolon);
        assert_eq!(t.header_line(), 2);
        assert_eq!(rows_of(&mut t, &["value"]), [Ok((3, vec!["1,5".to_string()]))]);
        // The header alone would be ambiguous (one ',' and one ';'): sep= settles it.
        let t = table(b"\"sep=,\"\nname;x,y\n").unwrap();
        assert_eq!(t.dialect(), Dialect::Comma);
        assert!(table(b"name;x,y\n").is_err());
        let error = table(b"sep=|\na|b\n").err().unwrap();
        assert_eq!(error.to_string(), "t.csv:1: sep=| names a delimiter that is not supported; use sep=, sep=; or a tab");
    }

    #[test]
    fn leading_blank_lines_are_skipped_and_counted() {
        let mut t = table(b"\n\r\n ,, \ndate,metric,value\n2026-09-30,m,1\n").unwrap();
        assert_eq!(t.header_line(), 4);
        assert_eq!(rows_of(&mut t, &["metric"]), [Ok((5, vec!["m".to_string()]))]);
        assert_eq!(table(b"\n\n \n").err().unwrap().problem, Problem::NoHeader);
        assert_eq!(table(b"sep=,\n\n").err().unwrap().problem, Problem::NoHeader);
    }

    #[test]
    fn cr_only_line_ends_count_as_line_breaks() {
        let mut t = table(b"date,metric,value\r2026-07-31,m,1\r\r2026-08-31,m,x\r\"a\rb\",m,2\r2026-09-30,m,3").unwrap();
        let mut errors = Vec::new();
        let mut lines = Vec::new();
        while let Some(row) = t.next_row() {
            let row = row.unwrap();
            row.number("value", &mut errors);
            lines.push(row.line());
        }
        assert_eq!(lines, [2, 4, 5, 7]);
        assert_eq!(errors[0].line, Some(4));
        // Mixed: CRLF, LF and CR each count once.
        let mut t = table(b"a\r\n1\n2\r3\r\n\r4").unwrap();
        let lines: Vec<u64> = rows_of(&mut t, &["a"]).into_iter().map(|r| r.unwrap().0).collect();
        assert_eq!(lines, [2, 3, 4, 6]);
    }

    #[test]
    fn utf16_files_are_read_with_exact_lines() {
        for big_endian in [false, true] {
            let text = "date\tmetric\tvalue\r\n2026-09-30\t時間\t1.5\r\n\r\n2026-09-30\tx\tbad\r\n";
            let mut bytes = if big_endian { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
            for unit in text.encode_utf16() {
                bytes.extend(if big_endian { unit.to_be_bytes() } else { unit.to_le_bytes() });
            }
            let mut t = Table::from_reader(Path::new("t.csv"), Box::new(Cursor::new(bytes))).unwrap();
            assert_eq!(t.dialect(), Dialect::Tab);
            assert_eq!(t.encoding(), if big_endian { Encoding::Utf16Be } else { Encoding::Utf16Le });
            let rows = rows_of(&mut t, &["metric", "value"]);
            assert_eq!(rows[0], Ok((2, vec!["時間".to_string(), "1.5".to_string()])));
            assert_eq!(rows[1].as_ref().unwrap().0, 4);
        }
        // Without its byte-order mark, UTF-16 is refused with the reason, not read as garbage.
        let bytes: Vec<u8> = "date,metric\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let error = Table::from_reader(Path::new("t.csv"), Box::new(Cursor::new(bytes))).err().unwrap();
        assert_eq!(error.problem, Problem::Utf16WithoutBom);
        // A broken UTF-16 file stops with a clear error.
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend("a\n1\n".encode_utf16().flat_map(u16::to_le_bytes));
        bytes.extend([0x00, 0xD8, b'2', 0]);
        let mut t = Table::from_reader(Path::new("t.csv"), Box::new(Cursor::new(bytes))).unwrap();
        let rows = rows_of(&mut t, &["a"]);
        assert_eq!(rows[0], Ok((2, vec!["1".to_string()])));
        let error = rows[1].clone().unwrap_err();
        assert_eq!((error.problem, error.line), (Problem::NotUtf16, Some(3)), "at the line of the bad bytes");
        assert_eq!(rows.len(), 2);
    }

    #[test]
    fn a_repeated_header_from_appended_exports_is_skipped() {
        let text = b"\xEF\xBB\xBFdate,metric,value\n2026-08-31,m,1\n\xEF\xBB\xBFdate,metric,value\n2026-09-30,m,2\nsep=,\n";
        let mut t = table(text).unwrap();
        let rows: Vec<(u64, Vec<String>)> = rows_of(&mut t, &["value"]).into_iter().map(Result::unwrap).collect();
        assert_eq!(rows, [(2, vec!["1".to_string()]), (4, vec!["2".to_string()])]);
        // Only an exact repeat: a header with other names is data (and its errors are reported).
        let mut t = table(b"date,metric,value\nDate,Metric,Value\n").unwrap();
        assert_eq!(rows_of(&mut t, &["metric"]), [Ok((2, vec!["Metric".to_string()]))]);
    }

    #[test]
    fn a_stray_quote_is_refused_at_its_line_and_column() {
        let mut t = table(b"date,metric,value\n2026-09-30,\"ok, quoted\",1\n2026-09-30,screen 5\" wide,2\n2026-09-30,\"a\"b,3\n2026-09-30,m,4\n")
            .unwrap();
        let rows = rows_of(&mut t, &["metric"]);
        assert_eq!(rows[0], Ok((2, vec!["ok, quoted".to_string()])));
        let error = rows[1].clone().unwrap_err();
        assert_eq!((error.line, error.column.as_deref()), (Some(3), Some("metric")));
        assert_eq!(
            error.to_string(),
            "t.csv:3: column 'metric': \"screen 5\\\" wide\" has a '\"' inside a value that does not start with one; put \
             the whole value in quotes and double the quote inside it, e.g. \"5\"\" screen\""
        );
        let error = rows[2].clone().unwrap_err();
        assert_eq!(error.problem, Problem::StrayQuote { value: "ab".into(), after_closing: true });
        assert_eq!(rows[3], Ok((5, vec!["m".to_string()])));
        assert_eq!(rows.len(), 4, "no unclosed-quote error on top: {rows:?}");
        // The line of the quote itself, when the row started lines before.
        let mut t = table(b"a,b\n\"two\nlines\",x\"y\n").unwrap();
        let error = rows_of(&mut t, &["a"])[0].clone().unwrap_err();
        assert_eq!((error.line, error.column.as_deref()), (Some(3), Some("b")));
        // In the header too.
        assert_eq!(table(b"a,b\"c\n").err().unwrap().line, Some(1));
    }

    #[test]
    fn header_names_map_through_aliases() {
        let alias = |column, names: &[&str], preset| Alias {
            column,
            names: names.iter().map(|n| n.to_string()).collect(),
            preset,
        };
        let open = |text: &'static [u8], aliases: &[Alias]| {
            Table::from_reader_mapped(Path::new("a.csv"), Box::new(text), FileKind::Account, Limits::default(), aliases)
        };
        // Case, spaces and underscores are ignored without any map.
        let t = open(b"Customer ID,Customer Name\n", &[]).unwrap();
        assert!(t.has_column("customer_id") && t.has_column("customer_name"));
        // Explicit: one of the names given.
        let explicit = [alias("customer_id", &["Account ID", "Acct"], None)];
        let mut t = open(b"Acct,x\nA-1,2\n", &explicit).unwrap();
        let mut errors = Vec::new();
        let row = t.next_row().unwrap().unwrap();
        assert_eq!(row.text("customer_id"), Some("A-1"));
        row.reject("customer_id", Problem::Empty("x"), &mut errors);
        assert_eq!(errors[0].column.as_deref(), Some("Acct"), "messages name the column as the file does");
        let error = open(b"Name\n", &explicit).err().unwrap();
        assert_eq!(
            error.to_string(),
            "a.csv:1: [columns] in valuereport.toml maps customer_id to 'Account ID' or 'Acct', but the header has \
             none of them (nor 'customer_id'); fix the name in valuereport.toml or the export"
        );
        let error = open(b"customer_id,Account ID\n", &explicit).err().unwrap();
        assert!(error.to_string().contains("'customer_id' and 'Account ID' for column 'customer_id'"), "{error}");
        // A preset's names may be absent.
        let preset = [alias("customer_id", &["Account ID"], Some(super::super::columns::Preset::Salesforce))];
        assert!(!open(b"Name\n", &preset).unwrap().has_column("customer_id"));
        assert!(open(b"account id\n", &preset).unwrap().has_column("customer_id"));
        let both = [alias("customer_id", &["Account ID", "Id"], Some(super::super::columns::Preset::Salesforce))];
        let error = open(b"Id,Account ID\n", &both).err().unwrap();
        assert!(error.to_string().contains("columns.preset = \"salesforce\"") && error.to_string().contains("account.customer_id"), "{error}");
    }

    #[test]
    fn dates_as_exports_write_them() {
        let day = NaiveDate::from_ymd_opt(2026, 9, 5).unwrap();
        for good in [
            "2026-09-05",
            "2026/09/05",
            "2026/9/5",
            "2026-09-05 00:00:00",
            "2026-09-05T00:00:00Z",
            "2026-09-05T00:00",
            "2026-09-05 00:00:00.000",
            "2026-09-05T00:00:00+00:00",
        ] {
            assert_eq!(parse_date_cell(good), Ok(day), "{good}");
        }
        for bad in ["2026-9-5", "05/09/2026", "9/5/2026", "2026/13/01", "2026/09/05/1", "2026-09-05 0:00", "2026-09-05Z"] {
            assert_eq!(parse_date_cell(bad), Err(Problem::NotADate(bad.into())), "{bad}");
        }
        assert_eq!(
            parse_date_cell("2026-09-05 13:45:00"),
            Err(Problem::TimeOfDay { value: "2026-09-05 13:45:00".into() })
        );
        assert_eq!(
            parse_date_cell("2026-09-05T00:00:00+09:00"),
            Err(Problem::DateWithOffset { value: "2026-09-05T00:00:00+09:00".into() })
        );
    }

    #[test]
    fn money_columns_refuse_a_separator_that_could_be_either() {
        let mut t = table(b"annual_investment,amount\n75.000,1.250\n\"75,000\",0.250\n").unwrap();
        let mut errors = Vec::new();
        let row = t.next_row().unwrap().unwrap();
        assert_eq!(row.money("annual_investment", true, |_| true, "a number", &mut errors), None);
        assert_eq!(row.number("amount", &mut errors).map(|d| d.to_string()).as_deref(), Some("1.250"));
        assert_eq!(
            errors[0].to_string(),
            "t.csv:2: column 'annual_investment': \"75.000\" is ambiguous in a money column: '.' followed by three \
             digits may be a decimal mark (75) or a thousands separator (75000); write 75000 or 75"
        );
        let row = t.next_row().unwrap().unwrap();
        assert_eq!(row.money("annual_investment", true, |_| true, "a number", &mut errors).map(|d| d.to_string()).as_deref(), Some("75000"));
        assert_eq!(row.money("amount", false, |_| true, "a number", &mut errors).map(|d| d.to_string()).as_deref(), Some("0.250"));
        let mut t = table(b"amount;x\n1,250;1\n").unwrap();
        let row = t.next_row().unwrap().unwrap();
        let mut errors = Vec::new();
        assert_eq!(row.money("amount", false, |_| true, "a number", &mut errors), None);
        assert!(errors[0].to_string().contains("write 1250 or 1.25"), "{}", errors[0]);
    }
}
