//! Renewal packages produced exactly once: a 120-day cron with moved dates, SIGKILL at random
//! moments, two writers on one folder, SIGTERM / SIGINT, adoption of packages on no record, the
//! date tolerance, and ledgers of older manifests.
//!
//! Customers come from `valuereport sample … --as-of 2027-01-05`: their goal data runs through
//! 2026-Q4, so every report quarter of the simulated days (2026-Q3 and 2026-Q4) has data (a report
//! quarter without data is refused as stale).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use chrono::NaiveDate;

const BIN: &str = env!("CARGO_BIN_EXE_valuereport");

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// A workspace: `input/` with generated customers (ids `cust-000000`…), `out/`, and `parked/` for
/// customers not exported yet.
struct Work {
    dir: tempfile::TempDir,
}

impl Work {
    fn new(customers: usize, seed: u64) -> Work {
        let work = Work { dir: tempfile::tempdir().unwrap() };
        let output = Command::new(BIN)
            .current_dir(work.dir.path())
            .args(["sample", "--customers", &customers.to_string(), "--seed", &seed.to_string()])
            .args(["--out", "input", "--as-of", "2027-01-05"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        work
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    /// The folder of customer `index` under `input/` (or `parked/`).
    fn customer(&self, index: usize) -> PathBuf {
        let id = format!("cust-{index:06}");
        for root in ["input", "parked"] {
            for region in ["amer", "emea", "apac"] {
                let dir = self.dir.path().join(root).join(region).join(&id);
                if dir.exists() {
                    return dir;
                }
            }
        }
        panic!("no customer {id}");
    }

    fn id(index: usize) -> String {
        format!("cust-{index:06}")
    }

    /// Sets the customer's renewal date in its account.csv.
    fn set_renewal(&self, index: usize, renewal: NaiveDate) {
        let account = self.customer(index).join("account.csv");
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_path(&account).unwrap();
        let mut rows: Vec<Vec<String>> =
            reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
        let column = rows[0].iter().position(|h| h == "renewal_date").unwrap();
        rows[1][column] = renewal.to_string();
        let mut writer = csv::Writer::from_path(&account).unwrap();
        for row in rows {
            writer.write_record(row).unwrap();
        }
        writer.flush().unwrap();
    }

    /// Moves a customer out of `input/` (not exported yet) or back in.
    fn park(&self, index: usize, parked: bool) {
        let from = self.customer(index);
        let region = from.parent().unwrap().file_name().unwrap().to_owned();
        let root = if parked { "parked" } else { "input" };
        let to = self.dir.path().join(root).join(region).join(Work::id(index));
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::rename(from, to).unwrap();
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(BIN);
        command.current_dir(self.dir.path()).args(args);
        command
    }

    fn renewals_args(as_of: NaiveDate, extra: &[&str]) -> Vec<String> {
        let mut args: Vec<String> =
            ["renewals", "input", "--as-of", &as_of.to_string()].iter().map(|s| s.to_string()).collect();
        if !extra.contains(&"--out") {
            args.extend(["--out".to_string(), "out".to_string()]);
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    }

    fn renewals(&self, as_of: NaiveDate, extra: &[&str]) -> Output {
        let args = Work::renewals_args(as_of, extra);
        self.command(&args.iter().map(String::as_str).collect::<Vec<_>>()).output().unwrap()
    }

    fn spawn_renewals(&self, as_of: NaiveDate, extra: &[&str]) -> Child {
        let args = Work::renewals_args(as_of, extra);
        self.command(&args.iter().map(String::as_str).collect::<Vec<_>>())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    fn manifest(&self) -> serde_json::Value {
        serde_json::from_slice(&fs::read(self.out().join("manifest.json")).unwrap()).unwrap()
    }

    /// Package PDFs on disk: relative path → (inode, SHA-256).
    fn packages(&self) -> BTreeMap<String, (u64, String)> {
        let mut found = BTreeMap::new();
        let root = self.out().join("renewals");
        for entry in walkdir::WalkDir::new(&root).into_iter().filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy();
            if entry.file_type().is_file() && name.ends_with(".pdf") && !name.starts_with('.') {
                let relative = entry.path().strip_prefix(self.out()).unwrap().to_string_lossy().into_owned();
                let bytes = fs::read(entry.path()).unwrap();
                found.insert(relative, (entry.metadata().unwrap().ino(), sha256(&bytes)));
            }
        }
        found
    }

    /// Every `produced` record of every journal in out/.
    fn produced_records(&self) -> Vec<serde_json::Value> {
        let mut records = Vec::new();
        for entry in fs::read_dir(self.out()).unwrap().filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with("journal") && name.ends_with(".jsonl") {
                for line in fs::read_to_string(entry.path()).unwrap().lines().filter(|l| !l.trim().is_empty()) {
                    let record: serde_json::Value = serde_json::from_str(line).unwrap();
                    if record["event"] == "produced" {
                        records.push(record);
                    }
                }
            }
        }
        records
    }

    /// Lock files left in out/ (the gate stays by design).
    fn locks(&self) -> Vec<String> {
        fs::read_dir(self.out())
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".lock"))
            .collect()
    }
}

/// The ledger of the manifest as (customer, renewal key, package) → (path, sha256).
fn ledger(manifest: &serde_json::Value) -> BTreeMap<(String, String, String), (String, String)> {
    let mut entries = BTreeMap::new();
    // Manifest schema 2: one object per package.
    for entry in manifest["renewals"].as_array().unwrap() {
        let text = |key: &str| entry[key].as_str().unwrap().to_string();
        entries.insert((text("customer_id"), text("renewal"), text("package")), (text("path"), text("sha256")));
    }
    entries
}

/// Asserts the ledger and the files on disk are the same set of packages, with the same bytes, and
/// that the journals record each package exactly once.
fn assert_ledger_is_disk(work: &Work, context: &str) {
    let ledger = ledger(&work.manifest());
    let on_disk = work.packages();
    let recorded: BTreeMap<String, String> = ledger.values().cloned().collect();
    let disk: BTreeMap<String, String> = on_disk.iter().map(|(p, (_, sha))| (p.clone(), sha.clone())).collect();
    assert_eq!(recorded, disk, "{context}: ledger = files on disk");
    assert_eq!(recorded.len(), ledger.len(), "{context}: one file per ledger entry");
    let mut seen = BTreeSet::new();
    for record in work.produced_records() {
        let key = (record["customer_id"].to_string(), record["renewal"].to_string(), record["package"].to_string());
        assert!(seen.insert(key.clone()), "{context}: {key:?} journaled twice");
    }
    assert_eq!(seen.len(), ledger.len(), "{context}: every package journaled");
}

// ---- 120 days of cron ----------------------------------------------------------------------------

#[test]
fn a_120_day_cron_with_moved_dates_and_missed_days_produces_each_touchpoint_once_per_renewal() {
    let start = date("2026-10-01");
    let day = |n: i64| start + chrono::Duration::days(n);
    let work = Work::new(8, 3);
    // 0 steady; 1 added late (inside its T-30 window); 2 postponed 10 days after its T-60; 3 renewed
    // 25 days early after its T-90; 4 corrected by 3 days after its T-60; 5 renewed on day 5, then
    // given the next renewal date; 6 moved by 60 days (beyond the tolerance) after its T-90; 7 added
    // inside its T-60 window, then postponed 10 days (back into the T-90 window).
    let initial = [(0, 100), (1, 100), (2, 92), (3, 110), (4, 95), (5, 5), (6, 100), (7, 95)];
    for (index, offset) in initial {
        work.set_renewal(index, day(offset));
    }
    work.park(1, true);
    work.park(7, true);
    // Changes made to the exports before the run of that day.
    let changes: BTreeMap<i64, Vec<(usize, i64)>> = [
        (10, vec![(5, 110)]),
        (30, vec![(6, 160)]),
        (36, vec![(2, 102)]),
        (40, vec![(3, 85)]),
        (41, vec![(7, 105)]),
        (45, vec![(4, 98)]),
    ]
    .into_iter()
    .collect();
    let mut log = String::new();
    for n in 0..120 {
        if n == 40 {
            work.park(7, false);
        }
        if n == 80 {
            work.park(1, false);
        }
        for &(index, offset) in changes.get(&n).into_iter().flatten() {
            work.set_renewal(index, day(offset));
        }
        // Cron missed every fifth day from day 2 and a whole week (days 45 to 51).
        if n % 5 == 2 || (45..=51).contains(&n) {
            continue;
        }
        let output = work.renewals(day(n), &["--quiet"]);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "day {n} ({}): {stderr}", day(n));
        log.push_str(&stderr);
        log.push_str(&text(&output.stdout));
    }

    let id = Work::id;
    let expected: BTreeSet<(String, String, String)> = [
        (0, "2027-01-09", &["T-90", "T-60", "T-30"][..]),
        (1, "2027-01-09", &["T-30"]),
        (2, "2027-01-01", &["T-90", "T-60", "T-30"]),
        (3, "2027-01-19", &["T-90", "T-60", "T-30"]),
        (4, "2027-01-04", &["T-90", "T-60", "T-30"]),
        (5, "2026-10-06", &["T-30"]),
        (5, "2027-01-19", &["T-90", "T-60", "T-30"]),
        (6, "2027-01-09", &["T-90"]),
        (6, "2027-03-10", &["T-90", "T-60"]),
        (7, "2027-01-04", &["T-60", "T-30"]),
    ]
    .iter()
    .flat_map(|(index, key, packages)| packages.iter().map(move |p| (id(*index), key.to_string(), p.to_string())))
    .collect();
    let manifest = work.manifest();
    let ledger = ledger(&manifest);
    assert_eq!(ledger.keys().cloned().collect::<BTreeSet<_>>(), expected, "{log}");
    assert_ledger_is_disk(&work, "after 120 days");

    // After a move, files carry the renewal date current when they were produced.
    let path = |index: usize, key: &str, package: &str| ledger[&(id(index), key.into(), package.into())].0.clone();
    assert_eq!(path(4, "2027-01-04", "T-60"), format!("renewals/{0}/{0}-renewal-2027-01-04-T-60.pdf", id(4)));
    assert_eq!(path(4, "2027-01-04", "T-30"), format!("renewals/{0}/{0}-renewal-2027-01-07-T-30.pdf", id(4)));
    assert_eq!(path(2, "2027-01-01", "T-30"), format!("renewals/{0}/{0}-renewal-2027-01-11-T-30.pdf", id(2)));
    assert_eq!(path(3, "2027-01-19", "T-60"), format!("renewals/{0}/{0}-renewal-2026-12-25-T-60.pdf", id(3)));
    // The log says what happened.
    for note in [
        format!("{}: renewal moved from 2027-01-04 to 2027-01-07; T-60 already produced on 2026-11-05", id(4)),
        format!("{}: renewal moved from 2027-01-01 to 2027-01-11; T-90 already produced on 2026-10-04", id(2)),
        format!("{}: renewal moved from 2027-01-19 to 2026-12-25; T-90 already produced on 2026-10-21; T-60 is due", id(3)),
        format!(
            "{}: renewal moved from 2027-01-04 to 2027-01-14; T-60 already produced on 2026-11-10; T-90 comes before it and is not produced",
            id(7)
        ),
        format!(
            "{}: renewal date changed from 2027-01-09 to 2027-03-10, 60 days, not less than the 45-day tolerance: a new renewal; T-90 is due",
            id(6)
        ),
    ] {
        assert!(log.contains(&format!("note: {note}")), "missing note: {note}\n{log}");
    }
    // Each written file is named on stdout, e.g. the late customer's only package.
    assert!(log.contains(&format!("wrote out/renewals/{0}/{0}-renewal-2027-01-09-T-30.pdf", id(1))), "{log}");
    // The T-30 update of the corrected renewal follows up its T-60 (produced under the old date).
    let t30 = fs::read(work.out().join(path(4, "2027-01-04", "T-30"))).unwrap();
    let first_page: String =
        lopdf::Document::load_mem(&t30).unwrap().extract_text(&[1]).unwrap().split_whitespace().collect();
    assert!(first_page.contains("SinceourupdateofNov5,2026"), "{first_page}");
}

// ---- SIGKILL -------------------------------------------------------------------------------------

/// xorshift64*: random kill moments, the same on every run of the test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[test]
fn sigkill_at_ten_random_moments_then_a_rerun_produces_every_package_exactly_once() {
    let customers = 200;
    let as_of = date("2027-01-10");
    let work = Work::new(customers, 11);
    // Every customer has a package due: renewals 1 to 90 days away (T-30, T-60 and T-90).
    for index in 0..customers {
        work.set_renewal(index, as_of + chrono::Duration::days(1 + (index as i64 * 7) % 90));
    }
    // How long a whole run takes here sets the range of the kill moments.
    let probe = tempfile::tempdir().unwrap();
    let probe_out = probe.path().to_string_lossy().into_owned();
    let started = Instant::now();
    let output = work.renewals(as_of, &["--quiet", "--jobs", "2", "--out", &probe_out]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let whole = started.elapsed();

    let mut rng = Rng(0x5EED_0F_C0FFEE);
    let mut seen: BTreeMap<String, (u64, String)> = BTreeMap::new();
    for kill in 0..10 {
        let delay = Duration::from_millis(20 + rng.next() % (whole.as_millis() as u64 / 2 + 50));
        let mut child = work.spawn_renewals(as_of, &["--quiet", "--jobs", "2"]);
        std::thread::sleep(delay);
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        // Nothing already on disk was ever written again (same inode, same bytes).
        let now = work.packages();
        for (path, before) in &seen {
            assert_eq!(now.get(path), Some(before), "kill {kill} at {delay:?}: {path} was rewritten or removed");
        }
        seen = now;
    }
    let output = work.renewals(as_of, &["--quiet", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let written = summary["written"].as_array().unwrap().len();
    let skipped = summary["counts"]["skipped"].as_u64().unwrap() as usize;
    assert_eq!(written + skipped, customers, "{summary}");
    let after = work.packages();
    assert_eq!(after.len(), customers, "one package per customer");
    for (path, before) in &seen {
        assert_eq!(after.get(path), Some(before), "{path} was rewritten by the rerun");
    }
    assert_eq!(written, customers - seen.len(), "the rerun produced only what was missing");
    assert_ledger_is_disk(&work, "after the rerun");
    assert!(work.locks().is_empty(), "{:?}", work.locks());
    // A further run owes nothing.
    let output = work.renewals(as_of, &["--quiet"]);
    assert!(text(&output.stdout).contains(" 0 written"), "{}", text(&output.stdout));
}

#[test]
fn a_package_on_disk_but_on_no_record_is_adopted_not_produced_again() {
    // What a kill between the rename and the journal append leaves: the PDF, no journal line, no
    // ledger entry.
    let as_of = date("2027-01-10");
    let work = Work::new(2, 5);
    work.set_renewal(0, as_of + chrono::Duration::days(20));
    work.set_renewal(1, as_of + chrono::Duration::days(45));
    assert_eq!(work.renewals(as_of, &["--quiet"]).status.code(), Some(0));
    let before = work.packages();
    assert_eq!(before.len(), 2);
    fs::remove_file(work.out().join("journal.jsonl")).unwrap();
    fs::remove_file(work.out().join("manifest.json")).unwrap();
    let output = work.renewals(as_of, &["--quiet"]);
    assert_eq!(output.status.code(), Some(0));
    let stderr = text(&output.stderr);
    assert_eq!(stderr.matches("complete on disk but on no record").count(), 2, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "adopted as T-30 of the {} renewal, not produced again",
            as_of + chrono::Duration::days(20)
        )),
        "{stderr}"
    );
    assert!(text(&output.stdout).contains(" 0 written"), "{}", text(&output.stdout));
    assert_eq!(work.packages(), before, "not rendered again");
    assert_ledger_is_disk(&work, "adopted");
    let records = work.produced_records();
    assert!(records.iter().all(|r| r["adopted"] == true), "{records:?}");
    // Also found when the manifest is lost but the journal is not: nothing to adopt, nothing produced.
    fs::remove_file(work.out().join("manifest.json")).unwrap();
    let output = work.renewals(as_of + chrono::Duration::days(1), &["--quiet"]);
    assert!(!text(&output.stderr).contains("adopted"), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains(" 0 written"), "{}", text(&output.stdout));
    assert_ledger_is_disk(&work, "journal only");
}

// ---- one writer per folder -----------------------------------------------------------------------

#[test]
fn an_unsharded_run_and_sharded_ones_started_together_one_writes_the_others_exit_75_naming_it() {
    let as_of = date("2027-01-10");
    let customers = 90;
    let work = Work::new(customers, 13);
    for index in 0..customers {
        work.set_renewal(index, as_of + chrono::Duration::days(1 + (index as i64 * 11) % 90));
    }
    // The three runs of the issue, started together: unsharded, --shard 1/1, --shards 2 (index 0).
    let unsharded = work.spawn_renewals(as_of, &["--quiet", "--jobs", "1"]);
    let one_of_one = work.spawn_renewals(as_of, &["--quiet", "--jobs", "1", "--shard", "1/1"]);
    let mut indexed = work.command(
        &Work::renewals_args(as_of, &["--quiet", "--jobs", "1", "--shards", "2"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    let indexed =
        indexed.env("JOB_COMPLETION_INDEX", "0").stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let pids = [unsharded.id(), one_of_one.id(), indexed.id()];
    let outputs: Vec<Output> =
        [unsharded, one_of_one, indexed].into_iter().map(|c| c.wait_with_output().unwrap()).collect();
    let codes: Vec<Option<i32>> = outputs.iter().map(|o| o.status.code()).collect();
    let winner = codes.iter().position(|c| *c == Some(0)).unwrap_or_else(|| panic!("{codes:?}"));
    assert_eq!(codes.iter().filter(|c| **c == Some(75)).count(), 2, "{codes:?}");
    let holder = match winner {
        0 => "renewals, unsharded",
        1 => "renewals, shard 1 of 1",
        _ => "renewals, shard 1 of 2",
    };
    for (index, output) in outputs.iter().enumerate().filter(|(i, _)| *i != winner) {
        let stderr = text(&output.stderr);
        assert!(stderr.contains("another valuereport process holds this output folder"), "{stderr}");
        assert!(
            stderr.contains(&format!("pid {} on host ", pids[winner])) && stderr.contains(holder),
            "run {index}: {stderr}"
        );
    }
    // Only the winner wrote: its packages, once each.
    let written = text(&outputs[winner].stdout).lines().filter(|l| l.starts_with("wrote ")).count();
    assert_eq!(work.packages().len(), written);
    assert!(work.locks().is_empty(), "{:?}", work.locks());

    // Two shards of one set run together fine, each on its own customers.
    let other = work.out().with_file_name("out2");
    let other_out = other.to_string_lossy().into_owned();
    let first = work.spawn_renewals(as_of, &["--quiet", "--jobs", "1", "--shard", "1/2", "--out", &other_out]);
    let second = work.spawn_renewals(as_of, &["--quiet", "--jobs", "1", "--shard", "2/2", "--out", &other_out]);
    let (first, second) = (first.wait_with_output().unwrap(), second.wait_with_output().unwrap());
    assert_eq!(
        (first.status.code(), second.status.code()),
        (Some(0), Some(0)),
        "{}{}",
        text(&first.stderr),
        text(&second.stderr)
    );
    let lines = |o: &Output| {
        text(&o.stdout).lines().filter(|l| l.starts_with("wrote ")).map(str::to_string).collect::<BTreeSet<_>>()
    };
    let (a, b) = (lines(&first), lines(&second));
    assert!(a.is_disjoint(&b));
    assert_eq!(a.len() + b.len(), customers);
    assert!(other.join("journal-1-of-2.jsonl").exists() && other.join("journal-2-of-2.jsonl").exists());
}

// ---- SIGTERM and SIGINT --------------------------------------------------------------------------

fn journal_lines(out: &Path) -> usize {
    fs::read_to_string(out.join("journal.jsonl")).map_or(0, |t| t.lines().count())
}

fn stop_a_run_with(signal: i32, code: i32) {
    let as_of = date("2027-01-10");
    let customers = 60;
    let work = Work::new(customers, 17);
    for index in 0..customers {
        work.set_renewal(index, as_of + chrono::Duration::days(1 + (index as i64 * 13) % 90));
    }
    let child = work.spawn_renewals(as_of, &["--jobs", "1"]);
    let started = Instant::now();
    while journal_lines(&work.out()) < 3 {
        assert!(started.elapsed() < Duration::from_secs(60), "no package written in a minute");
        std::thread::sleep(Duration::from_millis(5));
    }
    unsafe { libc::kill(child.id() as i32, signal) };
    let output = child.wait_with_output().unwrap();
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(code), "{stdout}{stderr}");
    let name = if signal == libc::SIGTERM { "SIGTERM" } else { "SIGINT" };
    assert!(stderr.contains(&format!("error: stopped by {name}: ")), "{stderr}");
    assert!(stdout.contains(&format!("stopped by {name}: ")) && stdout.contains("customers not started"), "{stdout}");
    // The manifest was saved and records what was written; no lock is left.
    let written = work.packages();
    assert!(written.len() >= 3 && written.len() < customers, "{} of {customers}", written.len());
    assert_eq!(stdout.lines().filter(|l| l.starts_with("wrote ")).count(), written.len());
    assert_ledger_is_disk(&work, "after the signal");
    assert!(work.locks().is_empty(), "{:?}", work.locks());
    // The next run finishes the rest, and writes nothing twice.
    let output = work.renewals(as_of, &["--quiet"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let now = work.packages();
    assert_eq!(now.len(), customers);
    for (path, before) in &written {
        assert_eq!(now.get(path), Some(before), "{path} rewritten");
    }
    assert_ledger_is_disk(&work, "after the rerun");
}

#[cfg(target_os = "linux")]
#[test]
fn sigterm_stops_starting_customers_saves_the_manifest_releases_the_lock_and_exits_143() {
    stop_a_run_with(libc::SIGTERM, 143);
}

#[cfg(target_os = "linux")]
#[test]
fn sigint_does_the_same_and_exits_130() {
    stop_a_run_with(libc::SIGINT, 130);
}

// ---- settings and compatibility ------------------------------------------------------------------

#[test]
fn the_date_tolerance_comes_from_valuereport_toml() {
    let as_of = date("2026-11-20");
    let work = Work::new(1, 19);
    work.set_renewal(0, date("2027-01-06"));
    assert_eq!(work.renewals(as_of, &["--quiet"]).status.code(), Some(0));
    // A 3-day correction with a 2-day tolerance is a new renewal: its T-60 is produced.
    let settings = work.dir.path().join("input/valuereport.toml");
    let mut text_settings = fs::read_to_string(&settings).unwrap();
    text_settings.push_str("\n[renewals]\ndate_tolerance_days = 2\n");
    fs::write(&settings, text_settings).unwrap();
    work.set_renewal(0, date("2027-01-09"));
    let output = work.renewals(as_of + chrono::Duration::days(1), &["--quiet"]);
    assert_eq!(output.status.code(), Some(0));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("renewal date changed from 2027-01-06 to 2027-01-09, 3 days, not less than the 2-day tolerance: a new renewal; T-60 is due"), "{stderr}");
    let mut keys: Vec<String> = work.manifest()["renewals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["customer_id"] == Work::id(0).as_str())
        .map(|e| e["renewal"].as_str().unwrap().to_string())
        .collect();
    keys.dedup();
    assert_eq!(keys, ["2027-01-06", "2027-01-09"]);
    // With the default (45 days) the same correction keeps the renewal.
    fs::write(&settings, "vendor_name = \"Northwind Analytics\"\n").unwrap();
    work.set_renewal(0, date("2027-01-12"));
    let output = work.renewals(as_of + chrono::Duration::days(2), &["--quiet"]);
    assert!(
        text(&output.stderr)
            .contains("renewal moved from 2027-01-09 to 2027-01-12; T-60 already produced on 2026-11-21"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn ledgers_of_earlier_manifests_are_still_read() {
    // A manifest as written before renewals had an identity: no `renewal_date` in the entries.
    let as_of = date("2026-11-22");
    let work = Work::new(1, 23);
    work.set_renewal(0, date("2027-01-06"));
    fs::create_dir_all(work.out()).unwrap();
    let id = Work::id(0);
    let manifest = serde_json::json!({
        "schema": 1, "tool": "valuereport", "version": "0.1.0", "command": "renewals", "as_of": "2026-11-20",
        "report_quarter": "2026-Q3", "shard": null, "finished_at": "2026-11-20T03:15:00Z",
        "counts": {"customers": 1, "written": 1, "unchanged": 0, "skipped": 0, "failed": 0},
        "timings": {"total_ms": 1, "discover_ms": 0, "reports_ms": 1},
        "results": [], "outputs": {},
        "renewals": {id.clone(): {"2027-01-06": {"T-60": {
            "as_of": "2026-11-20", "report_quarter": "2026-Q3",
            "path": format!("renewals/{id}/{id}-renewal-2027-01-06-T-60.pdf"), "sha256": "ab"}}}}
    });
    fs::write(work.out().join("manifest.json"), serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
    let output = work.renewals(as_of, &["--format", "json", "--quiet"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["written"], serde_json::json!([]), "{summary}");
    // Moved by 3 days: still that renewal.
    work.set_renewal(0, date("2027-01-09"));
    let output = work.renewals(as_of, &["--quiet"]);
    assert!(
        text(&output.stderr)
            .contains("renewal moved from 2027-01-06 to 2027-01-09; T-60 already produced on 2026-11-20"),
        "{}",
        text(&output.stderr)
    );
    assert!(text(&output.stdout).contains(" 0 written"));
}
