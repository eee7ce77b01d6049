//! What an operator relies on: one set of exit codes for every outcome, a JSON document on stdout
//! for every outcome with --format json, summary counts that agree with the exit code, the
//! Prometheus metrics file, `sample`'s refusal of a used folder, `report --out` as a file or a
//! folder, and `--pdf-standard`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_valuereport");
const AS_OF: &str = "2026-11-22";

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// A folder with `input/` (synthetic customers as of 2026-11-22) to run in.
struct Work {
    dir: tempfile::TempDir,
}

impl Work {
    fn new(customers: usize) -> Work {
        let work = Work { dir: tempfile::tempdir().unwrap() };
        let count = customers.to_string();
        let output = work.valuereport(&["sample", "--customers", &count, "--seed", "5", "--as-of", AS_OF, "--out", "input"]);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        work
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn valuereport(&self, args: &[&str]) -> Output {
        Command::new(BIN).current_dir(self.dir.path()).args(args).output().unwrap()
    }

    /// Breaks the goals of customer `index` so it fails to load.
    fn break_customer(&self, index: usize) {
        let region = ["amer", "emea", "apac"][index % 3];
        let goals = self.path(&format!("input/{region}/cust-{index:06}/goals.csv"));
        fs::write(goals, "goal_id,title\nG1,broken\n").unwrap();
    }
}

/// Stdout as one JSON document (objects only unless `array` is allowed).
fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{}\n{}", text(&output.stdout), text(&output.stderr)))
}

fn assert_error_document(output: &Output, code: i32, says: &str) {
    assert_eq!(output.status.code(), Some(code), "{}", text(&output.stderr));
    let document = json(output);
    let error = document["error"].as_str().unwrap_or_else(|| panic!("no \"error\" in {document}"));
    assert!(error.contains(says), "{error:?} does not say {says:?}");
    assert_eq!(document["exit_code"], code, "{document}");
}

// ---- exit codes and JSON on every outcome ---------------------------------------------------------

#[test]
fn usage_errors_exit_2_and_print_a_json_error_with_format_json() {
    let work = Work::new(2);
    for (args, says) in [
        (&["validate", "missing", "--format", "json"][..], "input folder not found"),
        (&["summary", "missing", "--format", "json"][..], "input folder not found"),
        (&["run", "missing", "--as-of", AS_OF, "--format", "json"][..], "input folder not found"),
        (&["renewals", "missing", "--as-of", AS_OF, "--format", "json"][..], "input folder not found"),
        (&["explain", "missing", "--format", "json"][..], "customer folder not found"),
        (&["report", "missing", "--format", "json"][..], "customer folder not found"),
        (&["manifest", "merge", "--out", "input", "--format", "json"][..], "no manifest-K-of-N.json files"),
        // Refused by the argument parser: still one JSON document.
        (&["explain", "input/amer/cust-000000", "--quarter", "2026-Q5", "--format", "json"][..], "2026-Q5"),
        (&["run", "input", "--as-of", "2026/11/22", "--format", "json"][..], "2026/11/22"),
        (&["sample", "--out", "input", "--format", "json"][..], "not empty"),
    ] {
        let output = work.valuereport(args);
        assert_error_document(&output, 2, says);
        assert!(text(&output.stderr).contains("error"), "{args:?}: stderr says nothing");
    }
}

#[test]
fn an_input_folder_given_for_a_customer_folder_and_the_reverse_are_usage_errors_that_say_so() {
    let work = Work::new(3);
    for command in ["report", "explain"] {
        let output = work.valuereport(&[command, "input", "--as-of", AS_OF]);
        assert_eq!(output.status.code(), Some(2), "{command}");
        let stderr = text(&output.stderr);
        assert_eq!(stderr.lines().count(), 1, "{command}: one line, not one per missing file:\n{stderr}");
        assert!(
            stderr.contains("input: an input folder with 3 customer folders, not a customer folder; give one of them (e.g. input/amer/cust-000000)"),
            "{command}: {stderr}"
        );
    }
    let output = work.valuereport(&["explain", "input/amer", "--as-of", AS_OF]);
    assert!(text(&output.stderr).contains("an input folder with 1 customer folder,"), "{}", text(&output.stderr));
    for command in [&["run", "input/amer/cust-000000", "--as-of", AS_OF][..], &["validate", "input/amer/cust-000000"], &["summary", "input/amer/cust-000000"]] {
        let output = work.valuereport(command);
        assert_eq!(output.status.code(), Some(2), "{command:?}");
        assert!(
            text(&output.stderr).contains("a customer folder (it holds account.csv), not an input folder; give the folder above it"),
            "{command:?}: {}",
            text(&output.stderr)
        );
    }
    fs::create_dir(work.path("empty")).unwrap();
    let output = work.valuereport(&["report", "empty"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("empty: not a customer folder (no account.csv in it)"));
}

#[test]
fn a_customer_that_fails_exits_1_with_counts_that_say_why_in_text_and_json() {
    let work = Work::new(3);
    work.break_customer(1);
    let args = ["run", "input", "--as-of", AS_OF, "--audience", "executive", "--out", "out"];
    let output = work.valuereport(&args);
    assert_eq!(output.status.code(), Some(1));
    let summary = text(&output.stdout).lines().last().unwrap().to_string();
    assert!(summary.contains("3 customers, 2 written, 0 unchanged, 0 skipped, 1 failed"), "{summary}");
    assert!(summary.ends_with("; needs attention: 1 report failed"), "{summary}");
    let output = work.valuereport(&[&args[..], &["--force", "--format", "json"]].concat());
    assert_eq!(output.status.code(), Some(1));
    let document = json(&output);
    assert_eq!(document["error"], "1 report failed");
    assert_eq!(document["exit_code"], 1);
    assert_eq!(document["counts"]["failed"], 1);
    // validate, summary and explain on the same input.
    let output = work.valuereport(&["validate", "input", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(json(&output)["error"], "1 customer with errors");
    let output = work.valuereport(&["summary", "input", "--as-of", AS_OF]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("3 customers for 2026-Q3: 2 summarized, 1 failed"), "{}", text(&output.stderr));
    let output = work.valuereport(&["explain", "input/emea/cust-000001", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(json(&output)["error"].as_str().unwrap().contains("goals.csv"), "{}", text(&output.stdout));
    // A clean input exits 0, and its JSON documents carry no error.
    let work = Work::new(2);
    let output = work.valuereport(&["run", "input", "--as-of", AS_OF, "--audience", "executive", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let document = json(&output);
    assert!(document.get("error").is_none(), "{document}");
    assert_eq!(document["exit_code"], 0);
    let output = work.valuereport(&["validate", "input", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(json(&output).get("error").is_none());
}

/// Creates `depth` nested folders named `name` under `root`, each made relative to the one above
/// (as `mkdirat` does), so the path can grow beyond PATH_MAX: a folder no walk can open by path.
#[cfg(target_os = "linux")]
fn nest_beyond_path_max(root: &Path) {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let name = CString::new("n".repeat(120)).unwrap();
    unsafe {
        let root = CString::new(root.as_os_str().as_bytes()).unwrap();
        let mut fd = libc::open(root.as_ptr(), libc::O_RDONLY | libc::O_DIRECTORY);
        assert!(fd >= 0);
        for _ in 0..40 {
            assert_eq!(libc::mkdirat(fd, name.as_ptr(), 0o755), 0);
            let next = libc::openat(fd, name.as_ptr(), libc::O_RDONLY | libc::O_DIRECTORY);
            assert!(next >= 0);
            libc::close(fd);
            fd = next;
        }
        libc::close(fd);
    }
}

#[cfg(target_os = "linux")]
#[test]
fn an_unreadable_folder_is_counted_in_the_summary_that_exits_1() {
    let work = Work::new(2);
    nest_beyond_path_max(&work.path("input"));
    let output = work.valuereport(&["run", "input", "--as-of", AS_OF, "--audience", "executive", "--quiet"]);
    assert_eq!(output.status.code(), Some(1));
    let summary = text(&output.stdout).lines().last().unwrap().to_string();
    assert!(summary.contains("0 failed") && summary.ends_with("; needs attention: 1 folder could not be read"), "{summary}");
    let output = work.valuereport(&["run", "input", "--as-of", AS_OF, "--audience", "executive", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(json(&output)["error"], "1 folder could not be read");
    let output = work.valuereport(&["summary", "input", "--as-of", AS_OF]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("2 summarized, 0 failed, 1 folder could not be read"), "{}", text(&output.stderr));
    let output = work.valuereport(&["validate", "input"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("0 with errors (0 problems); 1 folder could not be read"), "{}", text(&output.stderr));
}

#[test]
fn a_held_output_folder_exits_75_for_run_renewals_and_merge_with_a_json_error() {
    let work = Work::new(1);
    fs::create_dir_all(work.path("out")).unwrap();
    let holder = fs::File::create(work.path("out/.valuereport.lock")).unwrap();
    holder.lock().unwrap();
    for args in [
        &["run", "input", "--as-of", AS_OF, "--out", "out", "--format", "json"][..],
        &["renewals", "input", "--as-of", AS_OF, "--out", "out", "--format", "json"],
        &["manifest", "merge", "--out", "out", "--format", "json"],
    ] {
        let output = work.valuereport(args);
        assert_error_document(&output, 75, "another valuereport process holds this output folder");
        let output = work.valuereport(&args[..args.len() - 2]);
        assert_eq!(output.status.code(), Some(75), "{args:?}");
        assert!(output.stdout.is_empty());
    }
}

/// Every file under `dir`, at any depth.
fn files(dir: &Path) -> usize {
    fs::read_dir(dir).map_or(0, |entries| {
        entries
            .filter_map(Result::ok)
            .map(|e| if e.file_type().unwrap().is_dir() { files(&e.path()) } else { 1 })
            .sum()
    })
}

#[cfg(target_os = "linux")]
#[test]
fn an_interrupted_run_exits_130_or_143_with_a_json_document_that_says_so() {
    for (signal, code, name) in [(libc::SIGINT, 130, "SIGINT"), (libc::SIGTERM, 143, "SIGTERM")] {
        let work = Work::new(30);
        let child = Command::new(BIN)
            .current_dir(work.dir.path())
            .args(["run", "input", "--as-of", AS_OF, "--audience", "executive", "--jobs", "1", "--format", "json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while files(&work.path("out/2026-Q3")) < 2 {
            assert!(started.elapsed() < Duration::from_secs(120), "no report written in two minutes");
            std::thread::sleep(Duration::from_millis(5));
        }
        unsafe { libc::kill(child.id() as i32, signal) };
        let output = child.wait_with_output().unwrap();
        assert_eq!(output.status.code(), Some(code), "{}", text(&output.stderr));
        let document = json(&output);
        assert_eq!(document["stopped_by"], name);
        assert_eq!(document["exit_code"], code);
        assert!(document["error"].as_str().unwrap().starts_with(&format!("stopped by {name}: ")), "{document}");
        assert!(document["not_started"].as_u64().unwrap() > 0, "{document}");
    }
}

// ---- the metrics file ----------------------------------------------------------------------------

/// A metrics file read strictly in the Prometheus text exposition format: every sample's metric
/// has `# HELP` and `# TYPE` lines before it, names and labels are well-formed, values are numbers.
/// Returns `name{labels}` → value.
fn parse_exposition(text: &str) -> BTreeMap<String, f64> {
    let valid_name = |name: &str| {
        !name.is_empty()
            && name.chars().enumerate().all(|(i, c)| c.is_ascii_alphabetic() || c == '_' || c == ':' || (i > 0 && c.is_ascii_digit()))
    };
    let mut helped = Vec::new();
    let mut typed = Vec::new();
    let mut samples = BTreeMap::new();
    assert!(text.ends_with('\n'), "the last line ends with a line feed");
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest.split_once(' ').expect("HELP has a text");
            assert!(valid_name(name) && !help.is_empty(), "{line}");
            helped.push(name.to_string());
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("TYPE has a type");
            assert!(["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind), "{line}");
            assert_eq!(helped.last().map(String::as_str), Some(name), "TYPE after its HELP: {line}");
            typed.push(name.to_string());
        } else {
            assert!(!line.starts_with('#') && !line.trim().is_empty(), "unexpected line {line:?}");
            let (series, value) = line.rsplit_once(' ').expect("a sample has a value");
            let name = series.split('{').next().unwrap();
            assert!(valid_name(name), "{line}");
            assert_eq!(typed.last().map(String::as_str), Some(name), "a sample follows its own TYPE: {line}");
            if let Some(labels) = series.strip_prefix(name) {
                if !labels.is_empty() {
                    let inner = labels.strip_prefix('{').and_then(|l| l.strip_suffix('}')).expect("labels in braces");
                    for pair in inner.split(',') {
                        let (key, quoted) = pair.split_once('=').expect("label=value");
                        assert!(valid_name(key) && quoted.starts_with('"') && quoted.ends_with('"'), "{line}");
                    }
                }
            }
            let value: f64 = value.parse().unwrap_or_else(|_| panic!("not a number: {line}"));
            assert!(samples.insert(series.to_string(), value).is_none(), "duplicate series {series}");
        }
    }
    let mut unique = typed.clone();
    unique.dedup();
    assert_eq!(unique, typed, "each metric declared once");
    samples
}

#[test]
fn the_metrics_file_parses_and_its_numbers_equal_the_run_summary() {
    let work = Work::new(4);
    work.break_customer(2);
    let metrics = work.path("metrics/valuereport.prom");
    fs::create_dir_all(metrics.parent().unwrap()).unwrap();
    let output = work.valuereport(&[
        "run", "input", "--as-of", AS_OF, "--out", "out", "--format", "json", "--metrics-file", metrics.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let summary = json(&output);
    let samples = parse_exposition(&fs::read_to_string(&metrics).unwrap());
    let get = |series: &str| samples.get(series).copied().unwrap_or_else(|| panic!("{series} missing: {samples:#?}"));
    let counts = &summary["counts"];
    assert_eq!(get("valuereport_customers{command=\"run\"}"), counts["customers"].as_f64().unwrap());
    for status in ["written", "unchanged", "skipped", "failed"] {
        assert_eq!(get(&format!("valuereport_reports{{command=\"run\",status=\"{status}\"}}")), counts[status].as_f64().unwrap(), "{status}");
    }
    assert_eq!(get("valuereport_reports{command=\"run\",status=\"written\"}"), 6.0);
    assert_eq!(get("valuereport_customers_failed{command=\"run\"}"), 1.0);
    assert_eq!(get("valuereport_last_run_exit_code{command=\"run\"}"), 1.0);
    assert!(get("valuereport_last_run_duration_seconds{command=\"run\"}") * 1000.0 >= summary["timings"]["total_ms"].as_f64().unwrap() - 1.0);
    assert!(!samples.contains_key("valuereport_last_success_timestamp_seconds{command=\"run\"}"), "no success yet");
    let last_run = get("valuereport_last_run_timestamp_seconds{command=\"run\"}");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64();
    assert!((now - last_run).abs() < 600.0, "{last_run} vs {now}");
    assert_eq!(fs::read_dir(metrics.parent().unwrap()).unwrap().count(), 1, "no temporary file left beside it");

    // Fixed: exit 0 and a success time; then a held folder (75) keeps that success time.
    fs::remove_dir_all(work.path("input/apac/cust-000002")).unwrap();
    let output = work.valuereport(&["run", "input", "--as-of", AS_OF, "--out", "out", "--quiet", "--metrics-file", metrics.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let samples = parse_exposition(&fs::read_to_string(&metrics).unwrap());
    let success = samples["valuereport_last_success_timestamp_seconds{command=\"run\"}"];
    assert_eq!(samples["valuereport_reports{command=\"run\",status=\"unchanged\"}"], 6.0);
    let holder = fs::File::create(work.path("out/.valuereport.lock")).unwrap();
    holder.lock().unwrap();
    let output = work.valuereport(&["run", "input", "--as-of", AS_OF, "--out", "out", "--metrics-file", metrics.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(75));
    let samples = parse_exposition(&fs::read_to_string(&metrics).unwrap());
    assert_eq!(samples["valuereport_last_run_exit_code{command=\"run\"}"], 75.0);
    assert_eq!(samples["valuereport_last_success_timestamp_seconds{command=\"run\"}"], success);
    assert!(!samples.contains_key("valuereport_reports{command=\"run\",status=\"written\"}"), "no figures for a run that did not start");
}

#[test]
fn renewals_metrics_count_packages_like_the_summary() {
    let work = Work::new(6);
    let metrics = work.path("renewals.prom");
    let output = work.valuereport(&[
        "renewals", "input", "--as-of", AS_OF, "--out", "out", "--format", "json", "--metrics-file", metrics.to_str().unwrap(),
    ]);
    let summary = json(&output);
    let samples = parse_exposition(&fs::read_to_string(&metrics).unwrap());
    let packages = summary["written"].as_array().unwrap().iter().filter(|w| w["kind"].as_str().unwrap().starts_with("renewal-")).count();
    assert_eq!(samples["valuereport_packages_written{command=\"renewals\"}"], packages as f64);
    assert_eq!(samples["valuereport_reports{command=\"renewals\",status=\"written\"}"], summary["counts"]["written"].as_f64().unwrap());
    assert_eq!(samples["valuereport_last_run_exit_code{command=\"renewals\"}"], f64::from(output.status.code().unwrap()));
    for status in ["sent", "queued", "failed", "unconfirmed"] {
        assert_eq!(samples[&format!("valuereport_deliveries{{command=\"renewals\",status=\"{status}\"}}")], 0.0, "no --send");
    }
}

// ---- sample ---------------------------------------------------------------------------------------

#[test]
fn sample_refuses_a_used_folder_without_force_and_states_its_as_of_date() {
    let work = Work::new(3);
    let before = files(&work.path("input"));
    let output = work.valuereport(&["sample", "--customers", "2", "--out", "input", "--as-of", AS_OF]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("input: the folder is not empty"), "{}", text(&output.stderr));
    assert_eq!(files(&work.path("input")), before, "nothing written");
    let output = work.valuereport(&["sample", "--customers", "2", "--out", "input", "--as-of", AS_OF, "--force"]);
    assert_eq!(output.status.code(), Some(0));
    let said = text(&output.stdout);
    assert!(said.contains("wrote 2 customers into input (seed 1, as of 2026-11-22: history through 2026-Q3"), "{said}");
    // The same seed and as-of date give the same files.
    let again = work.valuereport(&["sample", "--customers", "2", "--out", "again", "--as-of", AS_OF, "--format", "json"]);
    assert_eq!(json(&again)["as_of"], AS_OF);
    for file in ["amer/cust-000000/goals.csv", "emea/cust-000001/metrics.csv", "valuereport.toml"] {
        assert_eq!(fs::read(work.path("input").join(file)).unwrap(), fs::read(work.path("again").join(file)).unwrap(), "{file}");
    }
    // Without --as-of it says which date it used.
    let today = work.valuereport(&["sample", "--customers", "1", "--out", "today"]);
    assert!(text(&today.stdout).contains(", as of 20"), "{}", text(&today.stdout));
}

// ---- report --out and --pdf-standard ---------------------------------------------------------------

#[test]
fn report_out_is_a_file_or_a_folder_and_pdf_standard_none_writes_a_plain_pdf() {
    let work = Work::new(1);
    let customer = "input/amer/cust-000000";
    let output = work.valuereport(&["report", customer, "--as-of", AS_OF, "--out", "reports", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let document = json(&output);
    assert_eq!(document["path"], "reports/cust-000000-2026-Q3-team.pdf");
    assert_eq!(document["pdf_standard"], "ua1-a3a");
    let archival = fs::read(work.path("reports/cust-000000-2026-Q3-team.pdf")).unwrap();
    let output = work.valuereport(&["report", customer, "--as-of", AS_OF, "--out", "plain.pdf", "--pdf-standard", "none"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout).trim(), "plain.pdf");
    let plain = fs::read(work.path("plain.pdf")).unwrap();
    let has = |pdf: &[u8], what: &[u8]| pdf.windows(what.len()).any(|w| w == what);
    // A tagged file keeps its objects in compressed object streams: read the catalog, not the bytes.
    let archival = lopdf::Document::load_mem(&archival).unwrap();
    let catalog = archival.catalog().unwrap();
    assert!(catalog.has(b"AF") && catalog.has(b"Names"), "the default attaches the computation");
    assert!(catalog.has(b"StructTreeRoot"), "the default is tagged");
    assert!(!has(&plain, b"/EmbeddedFiles") && !has(&plain, b"pdfaid"), "none: no attachments, no PDF/A claim");
    // run takes it too, and a change of standard renders the reports again.
    let run = |standard: &str| {
        work.valuereport(&["run", "input", "--as-of", AS_OF, "--audience", "executive", "--pdf-standard", standard, "--format", "json"])
    };
    assert_eq!(json(&run("ua1-a3a"))["counts"]["written"], 1);
    assert_eq!(json(&run("ua1-a3a"))["counts"]["unchanged"], 1);
    assert_eq!(json(&run("none"))["counts"]["written"], 1);
    let pdf = fs::read(work.path("out/2026-Q3/cust-000000/cust-000000-2026-Q3-executive.pdf")).unwrap();
    assert!(!has(&pdf, b"/EmbeddedFiles"));
}
