//! `run`, `renewals` and `manifest merge` on generated inputs: exit codes, renewal windows, reruns,
//! shards, locks and crashes.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::{Duration, NaiveDate};

const BIN: &str = env!("CARGO_BIN_EXE_valuereport");
const SAMPLES: [&str; 3] = ["amer/acme-logistics", "emea/harrow-fintech", "apac/sakura-seimitsu"];

fn sample(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data").join(relative)
}

/// A workspace with `input/` holding `n` customers (copies of sample customers with ids c000…) and
/// an empty place for `out/`.
struct Work {
    dir: tempfile::TempDir,
}

impl Work {
    fn new(n: usize) -> Work {
        let work = Work { dir: tempfile::tempdir().unwrap() };
        fs::create_dir_all(work.input()).unwrap();
        // The sample settings and the logo they name, next to them.
        for file in ["valuereport.toml", "logo.svg"] {
            fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data").join(file), work.input().join(file))
                .unwrap();
        }
        for i in 0..n {
            work.add(&format!("c{i:03}"), SAMPLES[i % SAMPLES.len()], None);
        }
        work
    }

    fn input(&self) -> PathBuf {
        self.dir.path().join("input")
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    /// Adds customer `id` as a copy of a sample customer, optionally with another renewal date.
    fn add(&self, id: &str, from: &str, renewal: Option<NaiveDate>) {
        let dir = self.input().join("region").join(id);
        fs::create_dir_all(&dir).unwrap();
        for entry in fs::read_dir(sample(from)).unwrap() {
            let entry = entry.unwrap();
            fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
        }
        let account = fs::read_to_string(dir.join("account.csv")).unwrap();
        let mut lines: Vec<String> = account.lines().map(str::to_string).collect();
        let header: Vec<&str> = lines[0].split(',').collect();
        let id_col = header.iter().position(|h| *h == "customer_id").unwrap();
        let date_col = header.iter().position(|h| *h == "renewal_date").unwrap();
        let mut fields = split_csv(&lines[1]);
        fields[id_col] = id.to_string();
        if let Some(date) = renewal {
            fields[date_col] = date.to_string();
        }
        lines[1] = fields
            .iter()
            .map(|f| if f.contains(',') { format!("\"{f}\"") } else { f.clone() })
            .collect::<Vec<_>>()
            .join(",");
        fs::write(dir.join("account.csv"), lines.join("\n") + "\n").unwrap();
    }

    fn customer_dir(&self, id: &str) -> PathBuf {
        self.input().join("region").join(id)
    }

    fn valuereport(&self, args: &[&str]) -> Output {
        Command::new(BIN).current_dir(self.dir.path()).args(args).output().unwrap()
    }

    fn run(&self, extra: &[&str]) -> Output {
        let mut args = vec!["run", "input", "--out", "out", "--quarter", "2026-Q3", "--quiet"];
        args.extend_from_slice(extra);
        self.valuereport(&args)
    }

    fn renewals(&self, as_of: NaiveDate) -> Output {
        self.valuereport(&["renewals", "input", "--out", "out", "--as-of", &as_of.to_string(), "--quiet"])
    }

    fn manifest(&self, name: &str) -> serde_json::Value {
        serde_json::from_slice(&fs::read(self.out().join(name)).unwrap()).unwrap()
    }

    /// Every customer's PDF under out/, relative path → bytes (not the run's portfolio PDF).
    fn pdfs(&self) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(self.out())
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "pdf"))
            .filter(|e| !e.file_name().to_string_lossy().starts_with("portfolio-"))
            .map(|e| {
                let name = e.path().strip_prefix(self.out()).unwrap().to_string_lossy().into_owned();
                (name, fs::read(e.path()).unwrap())
            })
            .collect();
        files.sort();
        files
    }
}

fn split_csv(line: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(line.as_bytes());
    reader.records().next().unwrap().unwrap().iter().map(str::to_string).collect()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn counts(manifest: &serde_json::Value) -> (u64, u64, u64, u64) {
    let c = &manifest["counts"];
    (
        c["written"].as_u64().unwrap(),
        c["unchanged"].as_u64().unwrap(),
        c["skipped"].as_u64().unwrap(),
        c["failed"].as_u64().unwrap(),
    )
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn a_run_writes_every_report_and_a_rerun_with_nothing_changed_writes_nothing() {
    let work = Work::new(4);
    let output = work.run(&[]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let pdfs = work.pdfs();
    assert_eq!(pdfs.len(), 8);
    assert!(pdfs.iter().any(|(p, _)| p == "2026-Q3/c000/c000-2026-Q3-executive.pdf"));
    // The run's own files: results and the portfolio, beside the customer folders.
    for name in ["results.csv", "results.jsonl", "portfolio-2026-Q3.pdf"] {
        assert!(work.out().join("2026-Q3").join(name).is_file(), "{name}");
    }
    assert!(pdfs.iter().any(|(p, _)| p == "2026-Q3/c002/c002-2026-Q3-team.pdf"));
    let manifest = work.manifest("manifest.json");
    assert_eq!(counts(&manifest), (8, 0, 0, 0));
    for result in manifest["results"].as_array().unwrap() {
        let path = work.out().join(result["path"].as_str().unwrap());
        let bytes = fs::read(&path).unwrap();
        assert_eq!(result["bytes"].as_u64().unwrap(), bytes.len() as u64);
        let doc = lopdf::Document::load_mem(&bytes).unwrap();
        assert_eq!(result["pages"].as_u64().unwrap(), doc.get_pages().len() as u64);
        assert_eq!(result["sha256"].as_str().unwrap().len(), 64);
        assert_eq!(result["fingerprint"].as_str().unwrap().len(), 64);
    }
    // Quiet: no per-customer lines; the summary is on stdout.
    assert!(!text(&output.stderr).contains("ok c000"), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("8 written, 0 unchanged"), "{}", text(&output.stdout));

    let before = work.pdfs();
    let output = work.run(&[]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(counts(&work.manifest("manifest.json")), (0, 8, 0, 0));
    assert_eq!(work.pdfs(), before);
    // --force renders again, to the same bytes.
    work.run(&["--force"]);
    assert_eq!(counts(&work.manifest("manifest.json")), (8, 0, 0, 0));
    assert_eq!(work.pdfs(), before);
}

#[test]
fn changing_one_customer_re_renders_only_that_customer() {
    let work = Work::new(4);
    work.run(&[]);
    let metrics = work.customer_dir("c001").join("metrics.csv");
    let mut text_metrics = fs::read_to_string(&metrics).unwrap();
    text_metrics.push_str("2026-09-30,weekly_logins,999\n");
    fs::write(&metrics, text_metrics).unwrap();
    let output = work.run(&[]);
    assert_eq!(output.status.code(), Some(0));
    let manifest = work.manifest("manifest.json");
    assert_eq!(counts(&manifest), (2, 6, 0, 0));
    for result in manifest["results"].as_array().unwrap() {
        let written = result["status"] == "written";
        assert_eq!(written, result["customer_id"] == "c001", "{result}");
        if written {
            assert_eq!(result["reason"], "inputs changed");
        }
    }
    // A deleted output is rewritten even though its inputs did not change.
    fs::remove_file(work.out().join("2026-Q3/c002/c002-2026-Q3-team.pdf")).unwrap();
    work.run(&[]);
    assert_eq!(counts(&work.manifest("manifest.json")), (1, 7, 0, 0));
}

#[test]
fn broken_customers_fail_alone_and_the_batch_goes_on() {
    let work = Work::new(3);
    fs::write(work.customer_dir("c001").join("goals.csv"), "goal_id,title\nG1,x\n").unwrap();
    // Two folders with one id: both fail, naming each other.
    work.add("c000", "amer/acme-logistics", None);
    let dup_dir = work.input().join("region").join("c000");
    assert!(dup_dir.exists());
    fs::rename(&dup_dir, work.input().join("zz-dup")).unwrap();
    work.add("c000", "amer/acme-logistics", None);

    let output = work.run(&["--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["counts"]["written"], 2, "c002 written, {summary}");
    let failures = summary["failures"].as_array().unwrap();
    let failed_dirs: Vec<&str> = failures.iter().map(|f| f["customer_dir"].as_str().unwrap()).collect();
    assert!(failed_dirs.iter().any(|d| d.ends_with("c001")), "{failed_dirs:?}");
    assert!(failures.iter().any(|f| f["error"].as_str().unwrap().contains("missing required column 'metric'")));
    let dup_errors: Vec<&str> =
        failures.iter().filter_map(|f| f["error"].as_str()).filter(|e| e.contains("is also used by")).collect();
    assert_eq!(dup_errors.len(), 2, "{failures:?}");
    assert!(text(&output.stderr).contains("error: "), "errors are printed even with --quiet");
    assert_eq!(work.pdfs().len(), 2);
}

#[test]
fn usage_and_configuration_errors_exit_2_and_write_nothing() {
    let work = Work::new(1);
    let missing = work.valuereport(&["run", "nowhere", "--out", "out"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("input folder not found"));

    fs::write(work.dir.path().join("file"), "x").unwrap();
    let out_is_file = work.valuereport(&["run", "input", "--out", "file"]);
    assert_eq!(out_is_file.status.code(), Some(2));
    assert!(text(&out_is_file.stderr).contains("is a file, not a folder"), "{}", text(&out_is_file.stderr));

    fs::write(work.input().join("valuereport.toml"), "colour = 1\n").unwrap();
    let bad_settings = work.run(&[]);
    assert_eq!(bad_settings.status.code(), Some(2));
    assert!(text(&bad_settings.stderr).contains("unknown field"), "{}", text(&bad_settings.stderr));
    fs::remove_file(work.input().join("valuereport.toml")).unwrap();

    for args in [
        vec!["run", "input", "--shard", "3/2"],
        vec!["run", "input", "--shards", "2"],
        vec!["run", "input", "--audience", "cfo"],
        vec!["renewals", "input"],
    ] {
        let output = work.valuereport(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", text(&output.stderr));
    }
    assert!(!work.out().exists(), "nothing written");
}

#[test]
fn dry_run_lists_what_would_be_written_and_writes_nothing() {
    let work = Work::new(2);
    let output = work.valuereport(&["run", "input", "--out", "out", "--quarter", "2026-Q3", "--dry-run"]);
    assert_eq!(output.status.code(), Some(0));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("would write  2026-Q3/c000/c000-2026-Q3-team.pdf  (new)"), "{stdout}");
    assert!(!work.out().exists());
}

#[test]
fn a_second_concurrent_run_is_refused_and_a_lock_left_by_a_dead_run_is_not_a_lock() {
    // The lock is an OS file lock (flock), released by the kernel when its process ends: a live
    // holder refuses the run with exit 75 naming it; a lock file whose process is gone holds nothing.
    let work = Work::new(1);
    fs::create_dir_all(work.out()).unwrap();
    let lock_path = work.out().join(".valuereport.lock");
    let holder = fs::File::create(&lock_path).unwrap();
    holder.lock().unwrap();
    fs::write(
        &lock_path,
        "{\"pid\":4242,\"host\":\"cron-01\",\"what\":\"renewals, unsharded\",\"since\":\"2026-11-22T03:15:00Z\"}\n",
    )
    .unwrap();
    let output = work.run(&[]);
    assert_eq!(output.status.code(), Some(75));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("another valuereport process holds this output folder"), "{stderr}");
    assert!(stderr.contains("pid 4242 on host cron-01: renewals, unsharded, since 2026-11-22T03:15:00Z"), "{stderr}");
    assert!(work.pdfs().is_empty());
    // The same file left by a process that is gone (its flock went with it).
    drop(holder);
    assert_eq!(work.run(&[]).status.code(), Some(0));
    assert!(!lock_path.exists(), "released and removed at the end");
}

#[test]
fn renewal_packages_on_their_window_boundaries() {
    let as_of = date("2026-11-22");
    let work = Work::new(0);
    let cases = [
        (91, None),
        (90, Some("T-90")),
        (61, Some("T-90")),
        (60, Some("T-60")),
        (31, Some("T-60")),
        (30, Some("T-30")),
        (0, Some("T-30")),
        (-1, None),
    ];
    for (days, _) in cases {
        let id = format!("d{}", days + 10);
        work.add(&id, "amer/acme-logistics", Some(as_of + Duration::days(days)));
    }
    let output = work.renewals(as_of);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let names: Vec<String> = work.pdfs().into_iter().map(|(p, _)| p).collect();
    for (days, package) in cases {
        let id = format!("d{}", days + 10);
        let renewal = as_of + Duration::days(days);
        let produced: Vec<&String> = names.iter().filter(|n| n.starts_with(&format!("renewals/{id}/"))).collect();
        match package {
            Some(package) => {
                assert_eq!(produced, [&format!("renewals/{id}/{id}-renewal-{renewal}-{package}.pdf")], "{days} days")
            }
            None => assert!(produced.is_empty(), "{days} days: {produced:?}"),
        }
    }
    // T-90 is the two-page value summary, T-60 the full (team) report, T-30 a short update.
    let pages = |id: &str, package: &str, days: i64| {
        let path =
            work.out().join(format!("renewals/{id}/{id}-renewal-{}-{package}.pdf", as_of + Duration::days(days)));
        lopdf::Document::load_mem(&fs::read(path).unwrap()).unwrap().get_pages().len()
    };
    assert!(pages("d100", "T-90", 90) <= 2);
    assert!(pages("d70", "T-60", 60) >= 3);
    assert!(pages("d40", "T-30", 30) <= 2);

    // A second run the same day writes nothing.
    let output = work.renewals(as_of);
    assert_eq!(output.status.code(), Some(0));
    let manifest = work.manifest("manifest.json");
    assert_eq!(counts(&manifest).0, 0, "{}", manifest["counts"]);
}

#[test]
fn a_cron_that_missed_days_catches_up_and_each_package_is_produced_once() {
    // Every day of this cron falls in 2026-Q4, so each package reports on 2026-Q3, the last quarter
    // the sample's exports cover (a later renewal would find the data stale and get no package).
    let renewal = date("2027-01-10");
    let work = Work::new(0);
    work.add("late", "amer/acme-logistics", Some(renewal));
    let day = |before: i64| renewal - Duration::days(before);
    // Cron was down from T-100 to T-75: the first run at T-75 still produces T-90 (its window is open).
    work.renewals(day(100));
    assert!(work.pdfs().is_empty());
    work.renewals(day(75));
    work.renewals(day(74));
    // Missed the whole T-60 window's start; runs at T-40 produce T-60, then T-30 at day 12.
    work.renewals(day(40));
    work.renewals(day(12));
    work.renewals(day(11));
    work.renewals(day(-3));
    let names: Vec<String> = work.pdfs().into_iter().map(|(p, _)| p).collect();
    assert_eq!(
        names,
        [
            "renewals/late/late-renewal-2027-01-10-T-30.pdf",
            "renewals/late/late-renewal-2027-01-10-T-60.pdf",
            "renewals/late/late-renewal-2027-01-10-T-90.pdf",
        ]
    );
    // Manifest schema 2: the ledger is an array of packages.
    let manifest = work.manifest("manifest.json");
    let entry = |package: &str| {
        manifest["renewals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["customer_id"] == "late" && e["renewal"] == "2027-01-10" && e["package"] == package)
            .cloned()
            .unwrap_or_else(|| panic!("{package} in the ledger"))
    };
    assert_eq!(entry("T-90")["as_of"], day(75).to_string());
    assert_eq!(entry("T-60")["as_of"], day(40).to_string());
    assert_eq!(entry("T-30")["as_of"], day(12).to_string());
    // The update reports what is new since the T-60 package, in the customer's words (no "T-60").
    let t30 = fs::read(work.out().join("renewals/late/late-renewal-2027-01-10-T-30.pdf")).unwrap();
    let doc = lopdf::Document::load_mem(&t30).unwrap();
    let first_page: String = doc.extract_text(&[1]).unwrap().split_whitespace().collect();
    let since = day(40).format("%b %-d, %Y").to_string().replace(' ', "");
    assert!(first_page.contains(&format!("Sinceourupdateof{since},noquarterhasclosed")), "{first_page}");
    assert!(!first_page.contains("T-60") && !first_page.contains("package"), "{first_page}");
}

#[test]
fn shards_are_disjoint_and_together_equal_the_unsharded_run_byte_for_byte() {
    let work = Work::new(9);
    assert_eq!(work.run(&[]).status.code(), Some(0));
    let whole = work.pdfs();
    assert_eq!(whole.len(), 18);
    fs::remove_dir_all(work.out()).unwrap();
    let mut union = Vec::new();
    for k in 1..=3 {
        let output = work.run(&["--shard", &format!("{k}/3")]);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        let manifest = work.manifest(&format!("manifest-{k}-of-3.json"));
        assert_eq!(manifest["shard"], format!("{k}/3"));
        for result in manifest["results"].as_array().unwrap() {
            union.push(result["path"].as_str().unwrap().to_string());
        }
    }
    let mut sorted = union.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), union.len(), "shards are disjoint");
    assert_eq!(work.pdfs(), whole, "together the shards wrote exactly the unsharded files");

    // Kubernetes Indexed Jobs: the index comes from the environment.
    let indexed = Command::new(BIN)
        .current_dir(work.dir.path())
        .env("JOB_COMPLETION_INDEX", "1")
        .args(["run", "input", "--out", "out", "--quarter", "2026-Q3", "--shards", "3", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(indexed.status.code(), Some(0));
    assert!(text(&indexed.stdout).contains("(shard 2/3)"), "{}", text(&indexed.stdout));

    let merge = work.valuereport(&["manifest", "merge", "--out", "out"]);
    assert_eq!(merge.status.code(), Some(0), "{}", text(&merge.stderr));
    let merged = work.manifest("manifest.json");
    assert_eq!(merged["results"].as_array().unwrap().len(), 18);
    assert_eq!(merged["shard"], serde_json::Value::Null);
}

#[cfg(unix)]
#[test]
fn a_run_killed_part_way_leaves_only_complete_pdfs_and_the_next_run_completes_it() {
    let work = Work::new(24);
    for delay_ms in [150u64, 400, 900] {
        let mut child = Command::new(BIN)
            .current_dir(work.dir.path())
            .args(["run", "input", "--out", "out", "--quarter", "2026-Q3", "--quiet", "--jobs", "1", "--force"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        for (name, bytes) in work.pdfs() {
            let doc = lopdf::Document::load_mem(&bytes);
            assert!(doc.is_ok(), "{name} is not a complete PDF after a kill at {delay_ms} ms");
        }
        if let Ok(bytes) = fs::read(work.out().join("manifest.json")) {
            serde_json::from_slice::<serde_json::Value>(&bytes).expect("the manifest is never corrupt");
        }
    }
    let output = work.run(&[]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(work.pdfs().len(), 48);
    let leftovers: Vec<_> = walkdir::WalkDir::new(work.out())
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name().to_string_lossy().ends_with(".tmp") || e.file_name().to_string_lossy().ends_with(".lock")
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn the_renewal_ledger_survives_sharded_runs_and_merges() {
    let as_of = date("2026-11-22");
    let work = Work::new(0);
    for (i, days) in [20i64, 45, 75, 200].iter().enumerate() {
        work.add(&format!("r{i}"), SAMPLES[i % SAMPLES.len()], Some(as_of + Duration::days(*days)));
    }
    // Daily renewals, unsharded: three packages.
    work.renewals(as_of);
    assert_eq!(counts(&work.manifest("manifest.json")).0, 3);
    // A sharded quarter-end run in the same folder, then a merge.
    for k in 1..=2 {
        assert_eq!(work.run(&["--shard", &format!("{k}/2")]).status.code(), Some(0));
    }
    let merge = work.valuereport(&["manifest", "merge", "--out", "out"]);
    assert_eq!(merge.status.code(), Some(0), "{}", text(&merge.stderr));
    // The next daily run, sharded or not, owes nothing new.
    work.renewals(as_of + Duration::days(1));
    assert_eq!(counts(&work.manifest("manifest.json")).0, 0, "{}", work.manifest("manifest.json")["results"]);
    let output = work.valuereport(&[
        "renewals",
        "input",
        "--out",
        "out",
        "--as-of",
        &(as_of + Duration::days(2)).to_string(),
        "--shard",
        "1/3",
        "--quiet",
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(counts(&work.manifest("manifest-1-of-3.json")).0, 0);
    // A merge of an incomplete set of shards is refused.
    let partial = work.valuereport(&["manifest", "merge", "--out", "out"]);
    assert_eq!(partial.status.code(), Some(2), "{}", text(&partial.stdout));
}

#[test]
fn dry_run_json_is_one_json_document_with_the_plan() {
    let work = Work::new(1);
    let output =
        work.valuereport(&["run", "input", "--out", "out", "--quarter", "2026-Q3", "--dry-run", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0));
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    assert_eq!(summary["dry_run"], true);
    assert_eq!(summary["plan"].as_array().unwrap().len(), 2);
    assert_eq!(summary["plan"][0]["reason"], "new");
    assert!(!work.out().exists());
}
