//! Exports as the tools write them (tests/fixtures/exports, made by make.py from the Acme sample):
//! each accepted one is read to exactly the customer and figures of the clean original; each broken
//! one is refused with file, line, column, value, why and how to fix it, and a batch goes on.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use valuereport::batch::load_one;
use valuereport::model::Customer;
use valuereport::quarter::Quarter;
use valuereport::{explain, value};

const BIN: &str = env!("CARGO_BIN_EXE_valuereport");

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(path: &str) -> PathBuf {
    root().join("tests/fixtures/exports").join(path)
}

fn original() -> PathBuf {
    root().join("sample-data/amer/acme-logistics")
}

fn load(dir: &Path) -> Customer {
    load_one(dir).unwrap_or_else(|errors| {
        panic!("{}:\n{}", dir.display(), errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))
    })
}

/// The customer without where it was read from, observations in a fixed order (a wide file lists
/// them by row, then by column).
fn content(mut customer: Customer) -> Customer {
    customer.dir = PathBuf::new();
    customer.observations.sort_by(|a, b| (a.date, &a.metric, a.value).cmp(&(b.date, &b.metric, b.value)));
    customer
}

fn figures(customer: &Customer) -> String {
    explain::to_json(&value::compute(customer, Quarter::new(2026, 3).unwrap()).unwrap())
}

fn errors_of(dir: &Path) -> Vec<String> {
    match load_one(dir) {
        Ok(_) => panic!("{} was read; expected it refused", dir.display()),
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    }
}

/// The 1-based line of the first line of `file` containing `text`.
fn line_of(file: &Path, text: &str) -> usize {
    let bytes = fs::read(file).unwrap();
    String::from_utf8_lossy(&bytes).lines().position(|line| line.contains(text)).unwrap() + 1
}

#[test]
fn every_accepted_export_reads_to_the_original_customer_and_figures() {
    let mut expected = load(&original());
    // The fixtures are exports of the five report files; the sample's health.csv and nps.csv are not
    // among them.
    expected.health.clear();
    expected.nps.clear();
    let expected_figures = figures(&expected);
    let expected = content(expected);
    let dirs = [
        "accepted/excel-french-semicolon",
        "accepted/excel-unicode-text",
        "accepted/excel-japanese-dates",
        "accepted/sheets-wide-metrics",
        "accepted/appended-exports",
        "presets/salesforce/acme-logistics",
        "presets/hubspot/acme-logistics",
        "presets/gainsight/acme-logistics",
        "presets/churnzero/acme-logistics",
    ];
    for dir in dirs {
        let customer = load(&fixture(dir));
        assert!(customer.warnings.is_empty(), "{dir}: {:?}", customer.warnings);
        assert_eq!(figures(&customer), expected_figures, "{dir}");
        assert_eq!(content(customer), expected, "{dir}");
    }
}

#[test]
fn the_fixtures_are_what_the_tools_write() {
    // Guards against a fixture quietly becoming a plain file: each keeps its tool's shape.
    let bytes = |path: &str| fs::read(fixture(path)).unwrap();
    assert!(bytes("accepted/excel-french-semicolon/metrics.csv").starts_with(b"sep=;\r\ndate;metric;value\r\n"));
    assert!(String::from_utf8(bytes("accepted/excel-french-semicolon/metrics.csv")).unwrap().contains("9\u{A0}500"));
    assert!(bytes("accepted/excel-unicode-text/goals.csv").starts_with(&[0xFF, 0xFE, b'g', 0]));
    assert!(String::from_utf8(bytes("accepted/excel-japanese-dates/account.csv")).unwrap().contains(",2027/3/31,"));
    assert!(bytes("accepted/sheets-wide-metrics/metrics.csv").starts_with(b"date,reporting_hours_per_month,"));
    let appended = bytes("accepted/appended-exports/metrics.csv");
    assert!(appended.starts_with(b"\r\n\r\n\xEF\xBB\xBFdate,metric,value\r\n"));
    assert_eq!(appended.windows(17).filter(|w| w == b"date,metric,value").count(), 2);
    let goals = bytes("accepted/appended-exports/goals.csv");
    assert!(goals.contains(&b'\r') && !goals.contains(&b'\n'), "CR-only line ends");
    assert!(bytes("presets/salesforce/acme-logistics/account.csv").starts_with(b"\"Account ID\",\"Account Name\""));
    assert!(String::from_utf8(bytes("presets/churnzero/acme-logistics/account.csv")).unwrap().contains("NextRenewalDate"));
}

#[test]
fn a_thousands_separator_that_reads_as_a_decimal_point_is_refused() {
    let dir = fixture("refused/german-thousands/acme-logistics");
    assert_eq!(
        errors_of(&dir),
        [format!(
            "{}:2: column 'annual_investment': \"75.000\" is ambiguous in a money column: '.' followed by three digits \
             may be a decimal mark (75) or a thousands separator (75000); write 75000 or 75",
            dir.join("account.csv").display()
        )]
    );
}

#[test]
fn a_metric_spelled_like_a_goals_metric_is_refused_naming_both() {
    let dir = fixture("refused/metric-spelling/acme-logistics");
    let line = line_of(&dir.join("metrics.csv"), "Reporting_hours_per_month");
    assert_eq!(
        errors_of(&dir),
        [format!(
            "{}:{line}: column 'metric': metric \"Reporting_hours_per_month\" matches goal \"G1\"'s metric \
             \"reporting_hours_per_month\" (goals.csv line 2) only when case, spaces and underscores are ignored; \
             rows are matched exactly, so write it as \"reporting_hours_per_month\"",
            dir.join("metrics.csv").display()
        )]
    );
}

#[test]
fn exact_duplicate_rows_are_refused_or_dropped_with_a_warning_when_asked() {
    let dir = fixture("refused/duplicate-rows/acme-logistics");
    let metrics = dir.join("metrics.csv");
    let first = line_of(&metrics, "2026-09-30");
    let errors = errors_of(&dir);
    assert_eq!(errors.len(), 7, "September's seven rows: {errors:#?}");
    assert_eq!(
        errors[0],
        format!(
            "{}:170: 2026-09-30 reporting_hours_per_month 10.6 repeats line {first} exactly (same date, metric and \
             value): the same export appended twice? Remove one, or set dedupe_exact_rows = true in \
             valuereport.toml to drop exact repeats with a warning",
            metrics.display()
        )
    );

    let dir = fixture("refused/duplicate-rows-deduped/acme-logistics");
    let customer = load(&dir);
    let warnings: Vec<String> = customer.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(warnings.len(), 7);
    assert_eq!(
        warnings[6],
        format!(
            "{}:176: dropped 2026-09-30 dashboards_created 13: it repeats line {} exactly (dedupe_exact_rows = true)",
            dir.join("metrics.csv").display(),
            first + 6
        )
    );
    assert_eq!(figures(&customer), figures(&load(&original())), "the figures of the export without the repeat");
}

#[test]
fn a_stray_quote_is_refused_at_its_line_and_column() {
    let dir = fixture("refused/stray-quote/acme-logistics");
    assert_eq!(
        errors_of(&dir),
        [format!(
            "{}:4: column 'title': \"Month-end is an \\\"afternoon\\\" now\" has a '\"' inside a value that does not \
             start with one; put the whole value in quotes and double the quote inside it, e.g. \"5\"\" screen\"",
            dir.join("stories.csv").display()
        )]
    );
}

#[test]
fn a_mapping_that_names_a_column_the_file_lacks_is_an_error_naming_both() {
    let work = tempfile::tempdir().unwrap();
    support::files::copy_dir(&fixture("presets/salesforce"), work.path());
    fs::write(work.path().join("valuereport.toml"), "[columns]\naccount.annual_investment = [\"ARR (USD)\", \"Annual Value\"]\n")
        .unwrap();
    let dir = work.path().join("acme-logistics");
    let errors = errors_of(&dir);
    assert!(
        errors.contains(&format!(
            "{}:1: [columns] in valuereport.toml maps annual_investment to 'ARR (USD)' or 'Annual Value', but the \
             header has none of them (nor 'annual_investment'); fix the name in valuereport.toml or the export",
            dir.join("account.csv").display()
        )),
        "{errors:#?}"
    );
    // A key that is not a column of the file is a settings error, with its line.
    fs::write(work.path().join("valuereport.toml"), "[columns]\npreset = \"salesforce\"\naccount.arr = \"ARR\"\n").unwrap();
    let error = load_one(&dir).unwrap_err().remove(0).to_string();
    assert!(error.contains("[columns] account.arr: account.csv has no column 'arr'"), "{error}");
}

#[test]
fn a_batch_goes_on_with_the_other_customers_and_validate_names_every_refusal() {
    let work = tempfile::tempdir().unwrap();
    let input = work.path().join("input");
    for (name, from) in [
        ("good", original()),
        ("german", fixture("refused/german-thousands/acme-logistics")),
        ("spelling", fixture("refused/metric-spelling/acme-logistics")),
    ] {
        support::files::copy_dir(&from, &input.join(name));
        // Each its own customer id: their reports must not collide.
        let account = input.join(name).join("account.csv");
        let text = fs::read_to_string(&account).unwrap().replace("acme-logistics,", &format!("acme-{name},"));
        fs::write(&account, text).unwrap();
    }
    let validate = Command::new(BIN).arg("validate").arg(&input).output().unwrap();
    let stdout = String::from_utf8_lossy(&validate.stdout);
    assert_eq!(validate.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("german/account.csv:2: column 'annual_investment': \"75.000\" is ambiguous"), "{stdout}");
    assert!(stdout.contains("spelling/metrics.csv:") && stdout.contains("Reporting_hours_per_month"), "{stdout}");

    let out = work.path().join("out");
    let run = Command::new(BIN)
        .args(["run", input.to_str().unwrap(), "--out", out.to_str().unwrap(), "--as-of", "2026-11-22"])
        .arg("--quiet")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "{}", String::from_utf8_lossy(&run.stderr));
    let written: Vec<String> = walkdir::WalkDir::new(&out)
        .into_iter()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".pdf") && !name.starts_with("portfolio-"))
        .collect();
    assert_eq!(written.len(), 2, "both editions of the good customer only: {written:?}");
    assert!(written.iter().all(|name| name.starts_with("acme-good-")), "{written:?}");
}

#[test]
fn repeats_count_against_the_problem_limit_of_a_file() {
    use valuereport::load::{parse_file, FileKind, Limits, Problem, MAX_PROBLEMS_PER_FILE};
    let text = format!("date,metric,value\n{}", "2026-09-30,m,1\n".repeat(5_000));
    let errors = parse_file(FileKind::Metrics, Path::new("metrics.csv"), text.as_bytes(), Limits::default()).unwrap_err();
    assert_eq!(errors.len(), MAX_PROBLEMS_PER_FILE + 1);
    assert_eq!(errors[0].line, Some(3));
    assert!(matches!(errors[0].problem, Problem::DuplicateRow { first_line: 2, .. }));
    assert_eq!(errors.last().unwrap().problem, Problem::TooManyProblems(MAX_PROBLEMS_PER_FILE));
}

#[test]
fn wide_metrics_read_each_cell_and_errors_name_the_line_and_the_metrics_column() {
    use valuereport::load::{parse_file, FileKind, Limits};
    let read = |text: &str| parse_file(FileKind::Metrics, Path::new("metrics.csv"), text.as_bytes(), Limits::default());
    // Empty cells are missing observations: 2 + 1 + 2 of the 6 cells.
    assert_eq!(read("date,Hours saved,errors\n2026-07-31,4,1.5\n2026-08-31,,2\n\n2026-09-30,6,2.5\n"), Ok(5));
    let errors = read("date,Hours saved,errors\n2026-07-31,4,1.5\n\"2026-08-31\",,two\n2026-13-01,6,\n").unwrap_err();
    let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        errors,
        [
            "metrics.csv:3: column 'errors': \"two\" is not a number; expected a number with '.' as decimal point and \
             ',' only between thousands, e.g. 1,234.50",
            "metrics.csv:4: column 'date': \"2026-13-01\" is not a date; expected YYYY-MM-DD or YYYY/MM/DD, e.g. \
             2026-09-30",
        ]
    );
    // A metric column named like a goal's metric but spelled otherwise is refused like a long row.
    let work = tempfile::tempdir().unwrap();
    support::files::copy_dir(&fixture("accepted/sheets-wide-metrics"), work.path());
    let metrics = work.path().join("metrics.csv");
    let text = fs::read_to_string(&metrics).unwrap().replacen("order_error_rate_pct", "Order error rate pct", 1);
    fs::write(&metrics, text).unwrap();
    let errors = errors_of(work.path());
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(
        errors[0].starts_with(&format!(
            "{}:2: column 'Order error rate pct': metric \"Order error rate pct\" matches goal \"G2\"'s metric",
            metrics.display()
        )),
        "{errors:#?}"
    );
    assert!(errors[1].contains("goal \"G2\" uses metric \"order_error_rate_pct\", which has no rows"), "{errors:#?}");
}
