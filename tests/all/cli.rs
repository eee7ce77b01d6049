//! The binary on sample-data/ and on broken copies of it: one test per kind of input error.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_valuereport");
const ACME: &str = "amer/acme-logistics";
const IBERICAS: &str = "emea/distribuciones-ibericas";

fn sample_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data")
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().expect("binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A private copy of sample-data/ to break.
struct Copy {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Copy {
    fn new() -> Copy {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("input");
        copy_dir(&sample_data(), &root);
        Copy { _dir: dir, root }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    fn read(&self, relative: &str) -> String {
        fs::read_to_string(self.path(relative)).unwrap()
    }

    fn write(&self, relative: &str, text: &str) {
        fs::write(self.path(relative), text).unwrap();
    }

    /// Replaces the first occurrence of `from` in a file; the 1-based line it was on.
    fn replace(&self, relative: &str, from: &str, to: &str) -> usize {
        let text = self.read(relative);
        let at = text.find(from).unwrap_or_else(|| panic!("{from:?} not in {relative}"));
        self.write(relative, &text.replacen(from, to, 1));
        text[..at].matches('\n').count() + 1
    }

    fn validate(&self) -> Output {
        run(&["validate", self.root.to_str().unwrap()])
    }

    fn display(&self, relative: &str) -> String {
        self.path(relative).display().to_string()
    }
}

/// Asserts validate failed with exit 1, printed `expected` as one problem line, and checked the others.
fn assert_one_problem(output: &Output, expected: &str) {
    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr(output));
    let out = stdout(output);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.contains(&expected), "expected line\n  {expected}\nin\n{out}");
    assert!(stderr(output).contains("checked 10 customers: 9 valid, 1 with errors"), "{}", stderr(output));
}

#[test]
fn sample_data_is_valid() {
    let output = run(&["validate", "sample-data"]);
    assert_eq!(output.status.code(), Some(0), "{}{}", stdout(&output), stderr(&output));
    assert_eq!(stdout(&output), "");
    assert!(stderr(&output).contains("checked 10 customers: 10 valid, 0 with errors (0 problems)"));
}

#[test]
fn main_job_writes_both_editions_for_every_customer_and_says_where() {
    // Run where a fresh clone would: a folder holding sample-data/, writing into its out/.
    let work = tempfile::tempdir().unwrap();
    copy_dir(&sample_data(), &work.path().join("sample-data"));
    let output = Command::new(BIN).current_dir(work.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.contains("10 customers, 20 written"), "{out}");
    assert!(out.contains("reports in out/") && out.contains("manifest out/manifest.json"), "{out}");
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(work.path().join("out/manifest.json")).unwrap()).unwrap();
    let results = manifest["results"].as_array().unwrap();
    assert_eq!(results.len(), 20);
    for result in results {
        let path = result["path"].as_str().unwrap();
        let bytes = fs::read(work.path().join("out").join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(bytes.starts_with(b"%PDF-"), "{path}");
    }
    for id in ["acme-logistics", "sakura-seimitsu", "DIN-ES-0042"] {
        assert!(results.iter().any(|r| r["customer_id"] == id && r["kind"] == "quarterly-executive"), "{id}");
        assert!(results.iter().any(|r| r["customer_id"] == id && r["kind"] == "quarterly-team"), "{id}");
    }
}

#[test]
fn summary_for_a_given_quarter() {
    let output = run(&["summary", "sample-data", "--quarter", "2026-Q3"]);
    assert_eq!(output.status.code(), Some(0));
    let out = stdout(&output);
    // Figures cross-checked with an independent implementation of the formula (docs/value.md).
    assert!(out.contains("acme-logistics  2026-Q3  TTM value 214,903.20 USD  ROI 286.54%"), "{out}");
    assert!(out.contains("sakura-seimitsu  2026-Q3  TTM value 16,669,000 JPY  ROI 185.21%"), "{out}");
    assert!(out.contains("brightpath.health  2026-Q3  TTM value 69,365.20 USD  ROI 77.07%"), "{out}");
}

#[test]
fn explain_json_is_consistent_with_its_own_inputs() {
    let output = run(&["explain", &format!("sample-data/{ACME}"), "--as-of", "2026-11-22", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let dec = |v: &serde_json::Value| v.as_str().unwrap().parse::<rust_decimal::Decimal>().unwrap();
    assert_eq!(json["customer_id"], "acme-logistics");
    assert_eq!(json["currency"], "USD");
    assert_eq!(json["report_quarter"], "2026-Q3");
    let quarters = json["quarters"].as_array().unwrap();
    assert_eq!(quarters.len(), 8);
    assert_eq!(quarters[0]["quarter"], "2024-Q4");
    for quarter in quarters {
        let by_goal: rust_decimal::Decimal =
            quarter["by_goal"].as_object().unwrap().values().map(|g| dec(&g["value"])).sum();
        let by_category: rust_decimal::Decimal = quarter["by_category"].as_object().unwrap().values().map(dec).sum();
        assert_eq!(dec(&quarter["total"]), by_goal);
        assert_eq!(dec(&quarter["total"]), by_category);
    }
    let ttm = &json["ttm"];
    let last_four: rust_decimal::Decimal = quarters[4..].iter().map(|q| dec(&q["total"])).sum();
    assert_eq!(dec(&ttm["value"]), last_four);
    assert_eq!(ttm["quarters"], 4);
    assert_eq!(dec(&ttm["investment"]), "75000".parse().unwrap());
    let roi = (dec(&ttm["value"]) / dec(&ttm["investment"]) * rust_decimal::Decimal::ONE_HUNDRED).round_dp(2);
    assert_eq!(dec(&ttm["roi_pct"]), roi);
    assert_eq!(json["goals"].as_array().unwrap().len(), 4);
    assert_eq!(json["goals"][0]["goal_id"], "G1");
    let projection = json["projection"].as_array().unwrap();
    let projected: Vec<&str> = projection.iter().map(|p| p["quarter"].as_str().unwrap()).collect();
    assert_eq!(projected, ["2026-Q4", "2027-Q1", "2027-Q2", "2027-Q3"]);
    for p in projection {
        assert!(dec(&p["expected"]) >= dec(&p["conservative"]), "expected never below conservative here");
    }
    assert_eq!(dec(&json["opportunities"]["annual_value"]), "156000".parse().unwrap());
    // 36,000 × 0.6 + 120,000 × 0.35
    assert_eq!(dec(&json["opportunities"]["weighted_annual_value"]), "63600".parse().unwrap());
}

#[test]
fn explain_table_shows_the_formulas_and_figures() {
    let output = run(&["explain", &format!("sample-data/{ACME}"), "--quarter", "2026-Q3"]);
    assert_eq!(output.status.code(), Some(0));
    let out = stdout(&output);
    for needle in [
        "acme-logistics — Acme Logistics, Inc. — report quarter 2026-Q3 — amounts in USD",
        "Trailing twelve months (4 quarters, 2025-Q4 to 2026-Q3)",
        "214,903.20 USD",
        "286.54%",
        "data through 2026-Q3",
        "annual_investment × 4 ÷ 4",
        "value ÷ share × 100",
        "annual_investment ÷ (value ÷ 12)",
        "G1: Cut monthly reporting from 40 h to under 15 h",
        "Projection (conditional",
        "Opportunities: 2",
    ] {
        assert!(out.contains(needle), "{needle:?} not in\n{out}");
    }
}

#[test]
fn the_european_export_loads_to_the_same_values_as_its_comma_version() {
    // Rewrite the `;`/decimal-comma/BOM/CRLF customer as a plain `,` export and compare the engine output.
    let copy = Copy::new();
    let european = copy.path(IBERICAS);
    let plain = copy.path("plain");
    fs::create_dir_all(&plain).unwrap();
    for entry in fs::read_dir(&european).unwrap() {
        let path = entry.unwrap().path();
        let bytes = fs::read(&path).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF") && bytes.windows(2).any(|w| w == b"\r\n"), "{path:?}");
        let mut reader = csv::ReaderBuilder::new().delimiter(b';').has_headers(false).from_reader(&bytes[3..]);
        let mut writer = csv::Writer::from_path(plain.join(path.file_name().unwrap())).unwrap();
        for (row, record) in reader.records().enumerate() {
            let record = record.unwrap();
            let fields: Vec<String> = record
                .iter()
                .map(|field| {
                    let is_number = row > 0
                        && !field.is_empty()
                        && field.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',' || c == '-');
                    if is_number {
                        field.replace('.', "").replace(',', ".")
                    } else {
                        field.to_string()
                    }
                })
                .collect();
            writer.write_record(&fields).unwrap();
        }
        writer.flush().unwrap();
    }
    let explain = |dir: &Path| {
        let output = run(&["explain", dir.to_str().unwrap(), "--quarter", "2026-Q3", "--format", "json"]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        stdout(&output)
    };
    assert_eq!(explain(&european), explain(&plain));
}

#[test]
fn folder_names_and_nesting_do_not_change_a_customer() {
    let copy = Copy::new();
    let moved = copy.path("elsewhere/deeper/x");
    copy_dir(&copy.path(ACME), &moved);
    let explain =
        |dir: PathBuf| stdout(&run(&["explain", dir.to_str().unwrap(), "--quarter", "2026-Q3", "--format", "json"]));
    assert_eq!(explain(copy.path(ACME)), explain(moved));
}

// ---- one test per error kind ------------------------------------------------------------------

#[test]
fn error_not_a_number() {
    let copy = Copy::new();
    let file = format!("{ACME}/goals.csv");
    let line = copy.replace(&file, "hours,down,40,15,", "hours,down,abc,15,");
    assert_one_problem(
        &copy.validate(),
        &format!(
            "{}:{line}: column 'baseline': \"abc\" is not a number; expected a number with '.' as decimal point \
             and ',' only between thousands, e.g. 1,234.50",
            copy.display(&file)
        ),
    );
}

#[test]
fn error_ambiguous_numbers_are_never_guessed() {
    let copy = Copy::new();
    let file = format!("{ACME}/metrics.csv");
    let line = copy.replace(
        &file,
        "2024-10-31,reporting_hours_per_month,38.0",
        "2024-10-31,reporting_hours_per_month,\"12,34,5\"",
    );
    let output = copy.validate();
    assert_one_problem(
        &output,
        &format!(
            "{}:{line}: column 'value': \"12,34,5\" is not a number; expected a number with '.' as decimal point \
             and ',' only between thousands, e.g. 1,234.50",
            copy.display(&file)
        ),
    );
}

#[test]
fn error_decimal_point_in_a_semicolon_file() {
    let copy = Copy::new();
    let file = format!("{IBERICAS}/account.csv");
    let text = copy.read(&file);
    let row = text.lines().nth(1).unwrap();
    let investment = row.split(';').nth(3).unwrap();
    copy.write(&file, &text.replacen(investment, "50000.5", 1));
    let output = copy.validate();
    assert_one_problem(
        &output,
        &format!(
            "{}:2: column 'annual_investment': \"50000.5\" is not a number; expected a number with ',' as decimal \
             mark and '.' (or a no-break space) only between thousands, e.g. 1.234,50",
            copy.display(&file)
        ),
    );
}

#[test]
fn error_not_a_date() {
    let copy = Copy::new();
    let file = format!("{ACME}/metrics.csv");
    let line = copy.replace(&file, "2024-10-31,order_error_rate_pct", "31/10/2024,order_error_rate_pct");
    assert_one_problem(
        &copy.validate(),
        &format!(
            "{}:{line}: column 'date': \"31/10/2024\" is not a date; expected YYYY-MM-DD or YYYY/MM/DD, e.g. 2026-09-30",
            copy.display(&file)
        ),
    );
}

#[test]
fn error_missing_column() {
    let copy = Copy::new();
    let file = format!("{ACME}/goals.csv");
    let text = copy.read(&file);
    // (`value per unit` would do: header names compare without case, spaces or underscores.)
    copy.write(&file, &text.replacen("value_per_unit", "value_per_unt", 1));
    assert_one_problem(
        &copy.validate(),
        &format!("{}:1: missing required column 'value_per_unit'", copy.display(&file)),
    );
}

#[test]
fn error_missing_file() {
    let copy = Copy::new();
    fs::remove_file(copy.path(&format!("{ACME}/metrics.csv"))).unwrap();
    assert_one_problem(
        &copy.validate(),
        &format!(
            "{}: file not found; every customer folder needs account.csv, goals.csv and metrics.csv",
            copy.display(&format!("{ACME}/metrics.csv"))
        ),
    );
}

#[test]
fn error_unknown_keyword_lists_the_allowed_values() {
    let copy = Copy::new();
    let file = format!("{ACME}/goals.csv");
    let line = copy.replace(&file, "down,40,15,month", "down,40,15,daily");
    assert_one_problem(
        &copy.validate(),
        &format!(
            "{}:{line}: column 'per': \"daily\" is not allowed; expected one of week, month, quarter, year",
            copy.display(&file)
        ),
    );
}

#[test]
fn error_goal_metric_without_rows_names_goal_and_metric() {
    let copy = Copy::new();
    let file = format!("{ACME}/goals.csv");
    let line = copy.replace(&file, ",reporting_hours_per_month,", ",reporting_hours_monthly,");
    assert_one_problem(
        &copy.validate(),
        &format!(
            "{}:{line}: column 'metric': goal \"G1\" uses metric \"reporting_hours_monthly\", which has no rows in metrics.csv",
            copy.display(&file)
        ),
    );
}

#[test]
fn error_duplicate_goal_ids_name_both_lines() {
    let copy = Copy::new();
    let file = format!("{ACME}/goals.csv");
    let line = copy.replace(&file, "G3,", "G1,");
    assert_one_problem(
        &copy.validate(),
        &format!("{}:{line}: column 'goal_id': duplicate goal_id \"G1\"; first defined on line 2", copy.display(&file)),
    );
}

#[test]
fn error_duplicate_customer_ids_name_both_folders() {
    let copy = Copy::new();
    copy_dir(&copy.path(ACME), &copy.path("zz/acme-copy"));
    let output = copy.validate();
    assert_eq!(output.status.code(), Some(1));
    let out = stdout(&output);
    assert!(
        out.contains(&format!(
            "{}: column 'customer_id': customer_id \"acme-logistics\" is also used by {}",
            copy.display(&format!("{ACME}/account.csv")),
            copy.display("zz/acme-copy")
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "{}: column 'customer_id': customer_id \"acme-logistics\" is also used by {}",
            copy.display("zz/acme-copy/account.csv"),
            copy.display(ACME)
        )),
        "{out}"
    );
    assert!(stderr(&output).contains("checked 11 customers: 9 valid, 2 with errors"));
}

#[test]
fn error_not_utf8_says_to_export_as_utf8() {
    let copy = Copy::new();
    let file = format!("{ACME}/stories.csv");
    let mut bytes = fs::read(copy.path(&file)).unwrap();
    let at = bytes.windows(6).position(|w| w == b"Legacy").unwrap();
    bytes[at] = 0xC9; // 'É' in Latin-1
    bytes[at + 1] = b' ';
    fs::write(copy.path(&file), bytes).unwrap();
    let text = String::from_utf8_lossy(&fs::read(copy.path(&file)).unwrap()).into_owned();
    let line = text[..text.find('\u{FFFD}').unwrap()].matches('\n').count() + 1;
    assert_one_problem(
        &copy.validate(),
        &format!(
            "{}:{line}: column 'title': is not valid UTF-8; export the file as UTF-8 (in Excel: \"CSV UTF-8\")",
            copy.display(&file)
        ),
    );
}

#[test]
fn error_account_rules() {
    let copy = Copy::new();
    let file = format!("{ACME}/account.csv");
    let text = copy.read(&file);
    let broken = text.replacen("acme-logistics,", "../acme,", 1).replacen(",75000,USD,en,", ",0,USX,fr,", 1);
    copy.write(&file, &format!("{broken}{}", text.lines().nth(1).unwrap()));
    let output = copy.validate();
    let path = copy.display(&file);
    for expected in [
        format!("{path}:2: column 'customer_id': \"../acme\" is not a valid customer_id; use 1–100 ASCII letters, digits, '-', '_' and '.', not starting with '.' and without '..' (it names output files)"),
        format!("{path}:2: column 'annual_investment': \"0\" is out of range; expected a number greater than 0"),
        format!("{path}:2: column 'currency': \"USX\" is not an ISO 4217 currency code; expected e.g. USD, EUR, JPY, MYR"),
        format!("{path}:2: column 'locale': \"fr\" is not a report language; expected en, es, ms or ja, alone or with a region: en-US, en-GB, en-AU, en-CA, en-IE, en-IN, en-MY, en-NZ, en-SG, en-ZA, es-ES, es-MX, es-419, es-AR, es-CL, es-CO, es-PE, es-US, ms-MY, ms-BN, ms-SG, ja-JP"),
        format!("{path}:3: has more than one data row; expected exactly one account row"),
    ] {
        assert!(stdout(&output).lines().any(|l| l == expected), "missing\n  {expected}\nin\n{}", stdout(&output));
    }
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn error_confidence_out_of_range() {
    let copy = Copy::new();
    let file = format!("{ACME}/opportunities.csv");
    let line = copy.replace(&file, ",0.6,", ",60%,");
    assert_one_problem(
        &copy.validate(),
        &format!(
            "{}:{line}: column 'confidence': \"60%\" is out of range; expected a fraction from 0 to 1 (0.8 for 80%)",
            copy.display(&file)
        ),
    );
}

#[test]
fn error_row_with_too_many_fields() {
    let copy = Copy::new();
    let file = format!("{ACME}/metrics.csv");
    let line = copy.replace(&file, "2024-10-31,order_error_rate_pct,4.93", "2024-10-31,order_error_rate_pct,4,93");
    assert_one_problem(
        &copy.validate(),
        &format!(
            "{}:{line}: CSV syntax error: row has 4 fields but the header has 3; quote values that contain the delimiter",
            copy.display(&file)
        ),
    );
}

#[test]
fn error_settings_unknown_key() {
    let copy = Copy::new();
    copy.write("valuereport.toml", "vendor_name = \"Northwind\"\nbrand_colour = \"#1F4E79\"\n");
    let output = copy.validate();
    // A configuration error: exit 2, and every customer is still checked.
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("checked 10 customers: 10 valid"), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(
        out.starts_with(&format!(
            "{}:2: invalid settings: unknown field `brand_colour`",
            copy.display("valuereport.toml")
        )),
        "{out}"
    );
}

#[test]
fn errors_in_one_customer_do_not_stop_the_others() {
    let copy = Copy::new();
    copy.replace(&format!("{ACME}/goals.csv"), "hours,down,40,15,", "hours,down,abc,15,");
    let output = run(&["summary", copy.root.to_str().unwrap(), "--quarter", "2026-Q3"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output).lines().count(), 9);
    assert!(stderr(&output).contains("is not a number"));
    assert!(stderr(&output).contains("10 customers for 2026-Q3: 9 summarized, 1 failed"));
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        vec!["validate", "/nonexistent/input"],
        vec!["summary", "/nonexistent/input"],
        vec!["explain", "/nonexistent/customer"],
        vec!["explain", "sample-data/amer/acme-logistics", "--quarter", "2026-Q5"],
        vec!["explain", "sample-data/amer/acme-logistics", "--as-of", "2026/11/22"],
        vec!["explain", "sample-data/amer/acme-logistics", "--quarter", "2026-Q3", "--as-of", "2026-11-22"],
        vec!["explain", "sample-data/amer/acme-logistics", "--format", "xml"],
        vec!["frobnicate"],
    ] {
        let output = run(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr(&output));
        assert!(!stderr(&output).is_empty(), "{args:?} must say why");
    }
}

#[test]
fn explain_of_a_broken_customer_lists_its_errors_and_exits_1() {
    let copy = Copy::new();
    copy.replace(&format!("{ACME}/goals.csv"), "hours,down,40,15,", "hours,sideways,40,15,");
    let output = run(&["explain", copy.path(ACME).to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("column 'direction': \"sideways\" is not allowed; expected one of down, up"));
}

#[test]
fn error_target_not_better_than_baseline() {
    let copy = Copy::new();
    let file = format!("{ACME}/goals.csv");
    let line = copy.replace(&file, "hours,down,40,15,", "hours,down,40,45,");
    assert_one_problem(
        &copy.validate(),
        &format!(
            "{}:{line}: column 'target': target 45 is not better than baseline 40 for direction down",
            copy.display(&file)
        ),
    );
}

#[test]
fn error_quote_closed_before_the_value_ends() {
    let copy = Copy::new();
    let file = format!("{ACME}/stories.csv");
    copy.replace(
        &file,
        "2026-07-22,quote,Month-end is an afternoon now,\"",
        "2026-07-22,quote,\"Month-end is an afternoon now,\"",
    );
    // The quote closes at the detail's opening quote; the text after it is where it goes wrong.
    assert_one_problem(
        &copy.validate(),
        &format!(
            "{}:4: column 'title': \"Month-end is an afternoon now,Month-end reporting used to eat my whole first \
             wee…\" has a '\"' after its closing quote; put the whole value in quotes and double the quote \
             inside it, e.g. \"5\"\" screen\"",
            copy.display(&file)
        ),
    );
}

#[test]
fn error_unclosed_quote() {
    let copy = Copy::new();
    let file = format!("{ACME}/stories.csv");
    let text = copy.read(&file);
    // Only one quote more at the end of the file: the quoted value opened there is never closed.
    copy.write(&file, &(text.trim_end().to_string() + ",\"unfinished\n"));
    let last = copy.read(&file).lines().count();
    let output = copy.validate();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&format!(
            "{}:{last}: a quoted value that starts on this line is never closed, so the rest of the file was read \
             into it; close the quote, or write a '\"' inside quotes as '\"\"'",
            copy.display(&file)
        )),
        "{stdout}"
    );
}

#[cfg(unix)]
#[test]
fn error_symlinked_file_is_not_followed() {
    let copy = Copy::new();
    let file = format!("{ACME}/metrics.csv");
    let outside = copy.path("../outside-metrics.csv");
    fs::rename(copy.path(&file), &outside).unwrap();
    std::os::unix::fs::symlink(&outside, copy.path(&file)).unwrap();
    assert_one_problem(
        &copy.validate(),
        &format!(
            "{}: is a symbolic link; links are not followed, so copy the file into the customer folder",
            copy.display(&file)
        ),
    );
}

#[test]
fn json_money_always_has_the_currency_decimals() {
    for (customer, decimals) in [(ACME, 2), ("apac/sakura-seimitsu", 0)] {
        let output = run(&["explain", &format!("sample-data/{customer}"), "--quarter", "2026-Q3", "--format", "json"]);
        let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        let decimals_of = |v: &serde_json::Value| v.as_str().unwrap().split('.').nth(1).map_or(0, str::len);
        let mut amounts =
            vec![&json["ttm"]["value"], &json["ttm"]["investment"], &json["opportunities"]["annual_value"]];
        for quarter in json["quarters"].as_array().unwrap() {
            amounts.push(&quarter["total"]);
            amounts.extend(quarter["by_category"].as_object().unwrap().values());
            amounts.extend(quarter["by_goal"].as_object().unwrap().values().map(|g| &g["value"]));
        }
        for p in json["projection"].as_array().unwrap() {
            amounts.extend([&p["conservative"], &p["expected"]]);
        }
        for goal in json["goals"].as_array().unwrap() {
            amounts.extend([&goal["quarter_value"], &goal["ttm_value"]]);
        }
        for amount in amounts {
            assert_eq!(decimals_of(amount), decimals, "{customer}: {amount}");
        }
    }
}
