//! results.csv / results.jsonl against `explain`, and manifest schema 2 (docs/manifest.schema.json)
//! written, read back, validated, and read from version 1.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rust_decimal::Decimal;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_valuereport");

fn sample_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data")
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().expect("binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn run_sample(out: &Path) -> Output {
    let output = run(&[
        "run",
        sample_data().to_str().unwrap(),
        "--as-of",
        "2026-11-22",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}{}", text(&output.stdout), text(&output.stderr));
    output
}

/// results.csv as header → value maps.
fn csv_rows(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    reader.records().map(|r| header.iter().cloned().zip(r.unwrap().iter().map(str::to_string)).collect()).collect()
}

fn decimal(value: &Value) -> Decimal {
    value.as_str().unwrap_or_else(|| panic!("{value} is not a decimal string")).parse().unwrap()
}

#[test]
fn results_csv_has_the_figures_explain_computes_for_every_sample_customer() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    let output = run_sample(&out);
    let stdout = text(&output.stdout);
    assert!(stdout.contains("10 customers, 20 written"), "{stdout}");

    let rows = csv_rows(&out.join("2026-Q3/results.csv"));
    assert_eq!(rows.len(), 10);
    let ids: Vec<&str> = rows.iter().map(|r| r["customer_id"].as_str()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "sorted by customer_id");
    for row in &rows {
        let id = &row["customer_id"];
        let explained = run(&["explain", &row["customer_dir"], "--as-of", "2026-11-22", "--format", "json"]);
        assert_eq!(explained.status.code(), Some(0), "{id}: {}", text(&explained.stderr));
        let json: Value = serde_json::from_slice(&explained.stdout).unwrap();
        let ttm = &json["ttm"];
        let same = |column: &str, expected: &Value| {
            let expected = match expected {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            assert_eq!(row[column], expected, "{id}: {column}");
        };
        same("currency", &json["currency"]);
        same("report_quarter", &json["report_quarter"]);
        same("data_through", &json["data_through"]);
        same("stale", &json["stale"]);
        same("quarters", &ttm["quarters"]);
        same("ttm_value", &ttm["value"]);
        same("investment", &ttm["investment"]);
        same("investment_share", &ttm["investment_share"]);
        same("roi_pct", &ttm["roi_pct"]);
        same("net_roi_pct", &ttm["net_roi_pct"]);
        same("payback_months", &ttm["payback_months"]);
        same("opportunities_weighted", &json["opportunities"]["weighted_annual_value"]);
        let projection = json["projection"].as_array().unwrap();
        assert_eq!(projection.len(), 4);
        let sum = |key: &str| projection.iter().map(|p| decimal(&p[key])).sum::<Decimal>();
        assert_eq!(row["projected_conservative_4q"].parse::<Decimal>().unwrap(), sum("conservative"), "{id}");
        assert_eq!(row["projected_expected_4q"].parse::<Decimal>().unwrap(), sum("expected"), "{id}");
        let quarters = json["quarters"].as_array().unwrap();
        let last = quarters.last().unwrap();
        assert_eq!(last["quarter"], "2026-Q3");
        same("quarter_value", &last["total"]);
        assert_eq!(row["status"], "ok", "{id}");
        assert_eq!(row["as_of"], "2026-11-22");
        // Both editions, relative to the output folder.
        let reports: Vec<&str> = row["reports"].split(';').collect();
        assert_eq!(reports.len(), 2, "{id}");
        assert!(reports.iter().all(|p| out.join(p).is_file()), "{id}: {reports:?}");
    }

    // results.jsonl holds the same values, typed: decimals as strings, counts as numbers.
    let jsonl = fs::read_to_string(out.join("2026-Q3/results.jsonl")).unwrap();
    let lines: Vec<Value> = jsonl.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), rows.len());
    for (line, row) in lines.iter().zip(&rows) {
        for (column, value) in row {
            let as_text = match &line[column] {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                Value::Array(items) => items.iter().map(|i| i.as_str().unwrap()).collect::<Vec<_>>().join(";"),
                other => other.to_string(),
            };
            assert_eq!(&as_text, value, "{}: {column}", row["customer_id"]);
        }
        assert!(line["ttm_value"].is_string() && line["quarters"].is_u64() && line["stale"].is_boolean());
    }

    // The columns are documented.
    let operations = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/operations.md")).unwrap();
    for column in valuereport::batch::results::COLUMNS {
        assert!(operations.contains(&format!("| `{column}` |")), "docs/operations.md documents {column}");
    }
}

#[test]
fn a_failed_and_a_stale_customer_have_rows_with_codes() {
    let work = tempfile::tempdir().unwrap();
    let input = work.path().join("in");
    support::files::copy_dir(&sample_data(), &input);
    // acme: a broken goals.csv; harrow: no data for 2026-Q4 (a report quarter after its exports).
    let goals = input.join("amer/acme-logistics/goals.csv");
    let broken = fs::read_to_string(&goals).unwrap().replacen(",time_savings,", ",income,", 1);
    fs::write(&goals, broken).unwrap();
    let out = work.path().join("out");
    let output = run(&[
        "run",
        input.to_str().unwrap(),
        "--quarter",
        "2026-Q4",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
        "--allow-stale",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let rows = csv_rows(&out.join("2026-Q4/results.csv"));
    assert_eq!(rows.len(), 10);
    let acme = rows.iter().find(|r| r["customer_id"] == "acme-logistics").unwrap();
    assert_eq!((acme["status"].as_str(), acme["reason_code"].as_str()), ("failed", "input_error"));
    assert!(acme["reason"].contains("goals.csv:") && acme["reason"].contains("income"), "{}", acme["reason"]);
    assert_eq!(acme["ttm_value"], "", "no figures for a failed customer");
    assert_eq!(acme["renewal_date"], "2027-03-31", "what the account says is kept");
    let stale: Vec<_> = rows.iter().filter(|r| r["status"] == "stale").collect();
    assert!(!stale.is_empty());
    for row in stale {
        assert_eq!(row["reason_code"], "no_data_for_quarter");
        assert_eq!(row["stale"], "true");
        assert!(!row["ttm_value"].is_empty());
    }
}

#[test]
fn the_manifest_validates_against_its_schema_and_version_1_manifests_still_load() {
    let schema: Value = serde_json::from_slice(
        &fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/manifest.schema.json")).unwrap(),
    )
    .unwrap();
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    run_sample(&out);
    let path = out.join("manifest.json");
    let manifest: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    let errors = support::schema::validate(&schema, &manifest);
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(manifest["schema"], 2);
    assert!(manifest["outputs"].as_array().unwrap().iter().all(|o| o["path"].is_string()));
    assert!(manifest["results"].as_array().unwrap().iter().all(|r| r["reason_code"] == "new"));
    let kinds: Vec<&str> =
        manifest["run_outputs"].as_array().unwrap().iter().map(|o| o["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"results-csv") && kinds.contains(&"results-jsonl"), "{kinds:?}");

    // Read back by the library, it is the same manifest.
    let loaded = valuereport::batch::manifest::Manifest::load(&path).unwrap().unwrap();
    let mut again = serde_json::to_value(&loaded).unwrap();
    assert_eq!(again, manifest);
    // The validator is not a rubber stamp: a version-1 shape and a free-text code are refused.
    let mut outputs_by_path = serde_json::Map::new();
    for o in manifest["outputs"].as_array().unwrap() {
        let mut record = o.clone();
        let path = record.as_object_mut().unwrap().remove("path").unwrap();
        outputs_by_path.insert(path.as_str().unwrap().to_string(), record);
    }
    again["outputs"] = Value::Object(outputs_by_path.clone());
    again["results"][0]["reason_code"] = Value::String("inputs changed".into());
    let errors = support::schema::validate(&schema, &again);
    assert!(errors.iter().any(|e| e.starts_with("$.outputs:")), "{errors:#?}");
    assert!(errors.iter().any(|e| e.starts_with("$.results[0].reason_code:")), "{errors:#?}");

    // A version-1 manifest (outputs keyed by path, results without codes, no run outputs) is read:
    // the rerun finds every report unchanged, and writes version 2.
    let mut v1 = manifest.clone();
    v1["schema"] = 1.into();
    v1["outputs"] = Value::Object(outputs_by_path);
    v1["renewals"] = serde_json::json!({});
    let object = v1.as_object_mut().unwrap();
    object.remove("run_outputs");
    for result in object["results"].as_array_mut().unwrap() {
        let result = result.as_object_mut().unwrap();
        result.remove("reason_code");
        result.remove("error_code");
    }
    fs::write(&path, serde_json::to_vec_pretty(&v1).unwrap()).unwrap();
    let output = run_sample(&out);
    assert!(text(&output.stdout).contains("0 written, 20 unchanged"), "{}", text(&output.stdout));
    let rewritten: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    assert_eq!(rewritten["schema"], 2);
    assert!(support::schema::validate(&schema, &rewritten).is_empty());
}

#[test]
fn summary_and_validate_speak_json_and_csv() {
    let sample = sample_data();
    let sample = sample.to_str().unwrap();
    let csv = run(&["summary", sample, "--as-of", "2026-11-22", "--format", "csv"]);
    assert_eq!(csv.status.code(), Some(0), "{}", text(&csv.stderr));
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    run_sample(&out);
    // The same rows as results.csv, without the reports of a run.
    let from_run = csv_rows(&out.join("2026-Q3/results.csv"));
    let path = work.path().join("summary.csv");
    fs::write(&path, &csv.stdout).unwrap();
    let from_summary = csv_rows(&path);
    assert_eq!(from_summary.len(), from_run.len());
    for (a, b) in from_summary.iter().zip(&from_run) {
        for (column, value) in a {
            if column != "reports" {
                assert_eq!(value, &b[column], "{}: {column}", a["customer_id"]);
            }
        }
    }
    let json = run(&["summary", sample, "--as-of", "2026-11-22", "--format", "json"]);
    let rows: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 10);
    assert_eq!(rows[0]["customer_id"], from_run[0]["customer_id"].as_str());
    assert_eq!(rows[0]["ttm_value"], from_run[0]["ttm_value"].as_str());

    let valid = run(&["validate", sample, "--format", "json"]);
    assert_eq!(valid.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&valid.stdout).unwrap();
    assert_eq!((report["customers"].as_u64(), report["valid"].as_u64()), (Some(10), Some(10)));

    let input = work.path().join("in");
    support::files::copy_dir(&sample_data(), &input);
    fs::write(input.join("amer/acme-logistics/health.csv"), "date,component,score\n2026-09-30,mood,50\n").unwrap();
    let invalid = run(&["validate", input.to_str().unwrap(), "--format", "json"]);
    assert_eq!(invalid.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&invalid.stdout).unwrap();
    let problem = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["problems"].as_array().unwrap().clone())
        .next()
        .unwrap();
    assert_eq!(problem["code"], "unknown_component");
    assert_eq!(problem["line"], 2);
    assert_eq!(problem["column"], "component");
    assert!(problem["file"].as_str().unwrap().ends_with("health.csv"));
}
