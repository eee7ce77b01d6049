//! Tests of `table.rs`: dialects, line numbers, quoting, limits, header names and values.

use super::*;

fn table(bytes: &'static [u8]) -> Result<Table, InputError> {
    Table::from_reader(Path::new("t.csv"), Box::new(bytes))
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
