//! Hostile inputs: whatever a CRM export or an INPUT folder holds, a run never crashes, hangs, runs
//! out of memory, or writes outside its output folder; every problem is an error that says what to do.
//! Also the fuzzers' regression inputs (`tests/fuzz-regressions/`), so `cargo test` keeps them fixed.
//!
//! Template syntax in customer text is covered by `tests/report.rs`
//! (`customer_text_that_looks_like_a_template_prints_literally`); duplicate customer ids by
//! `tests/cli.rs` (`error_duplicate_customer_ids_name_both_folders`) and `tests/batch.rs`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use valuereport::load::{
    load_customer, parse_decimal, parse_file, FileKind, Limits, NumberFormat, DEFAULT_MAX_FILE_BYTES, MAX_VALUE_CHARS,
};
use valuereport::quarter::Quarter;
use valuereport::value::compute;

const BIN: &str = env!("CARGO_BIN_EXE_valuereport");
const ACME: &str = "amer/acme-logistics";

fn sample(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data").join(relative)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A scratch folder with `input/` and room for `out/`.
struct Work {
    dir: tempfile::TempDir,
}

impl Work {
    fn new() -> Work {
        let work = Work { dir: tempfile::tempdir().unwrap() };
        fs::create_dir_all(work.input()).unwrap();
        work
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn input(&self) -> PathBuf {
        self.path("input")
    }

    fn out(&self) -> PathBuf {
        self.path("out")
    }

    /// Copies sample customer `from` into `input/<folder>` with `customer_id` set to `id`.
    fn customer(&self, folder: impl AsRef<Path>, id: &str) -> PathBuf {
        let dir = self.input().join(folder);
        fs::create_dir_all(&dir).unwrap();
        for entry in fs::read_dir(sample(ACME)).unwrap() {
            let entry = entry.unwrap();
            fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
        }
        set_cell(&dir.join("account.csv"), 0, "customer_id", id);
        dir
    }

    /// Runs the binary in the scratch folder with `env`, killing it (and failing) after `limit`.
    fn valuereport(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = Command::new(BIN);
        command.current_dir(self.dir.path()).args(args);
        for (key, value) in env {
            command.env(key, value);
        }
        bounded(&mut command, Duration::from_secs(60)).output
    }

    fn run(&self, env: &[(&str, &str)]) -> Output {
        self.valuereport(&["run", "input", "--out", "out", "--quarter", "2026-Q3", "--quiet", "--format", "json"], env)
    }

    /// Every file and folder under the scratch folder, relative to it.
    fn tree(&self) -> Vec<PathBuf> {
        walkdir::WalkDir::new(self.dir.path())
            .into_iter()
            .filter_map(Result::ok)
            .map(|e| e.path().strip_prefix(self.dir.path()).unwrap().to_path_buf())
            .collect()
    }

    fn pdfs(&self) -> Vec<String> {
        let mut pdfs: Vec<String> = walkdir::WalkDir::new(self.out())
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "pdf"))
            // Customers' reports only: not the run's portfolio PDF.
            .filter(|e| !e.file_name().to_string_lossy().starts_with("portfolio-"))
            .map(|e| e.path().strip_prefix(self.out()).unwrap().to_string_lossy().into_owned())
            .collect();
        pdfs.sort();
        pdfs
    }
}

/// Sets `column` of data row `row` (0-based) of a comma CSV file.
fn set_cell(path: &Path, row: usize, column: &str, value: &str) {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_path(path).unwrap();
    let mut records: Vec<Vec<String>> =
        reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    let index = records[0].iter().position(|h| h == column).unwrap();
    records[row + 1][index] = value.to_string();
    let mut writer = csv::Writer::from_path(path).unwrap();
    for record in records {
        writer.write_record(record).unwrap();
    }
    writer.flush().unwrap();
}

struct Finished {
    output: Output,
    /// Peak resident memory in KiB, when the platform tells (Linux).
    peak_kib: Option<u64>,
}

/// Runs `command` to completion, failing the test if it takes longer than `limit` (a hang).
fn bounded(command: &mut Command, limit: Duration) -> Finished {
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let (mut stdout, mut stderr) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let out = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut bytes).unwrap();
        bytes
    });
    let err = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut bytes).unwrap();
        bytes
    });
    let started = Instant::now();
    let status_file = PathBuf::from(format!("/proc/{}/status", child.id()));
    let mut peak_kib = None;
    let status = loop {
        // VmHWM only grows: the last reading before the process exits is (close to) its peak.
        if let Some(kib) = fs::read_to_string(&status_file).ok().and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("VmHWM:").and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
        }) {
            peak_kib = Some(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("{command:?} did not finish within {limit:?}: it hangs");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Finished { output: Output { status, stdout: out.join().unwrap(), stderr: err.join().unwrap() }, peak_kib }
}

fn failures(output: &Output) -> Vec<(String, String)> {
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", text(&output.stdout), text(&output.stderr)));
    summary["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["customer_dir"].as_str().unwrap().to_string(), f["error"].as_str().unwrap_or("").to_string()))
        .collect()
}

// ---- ids and folder names ------------------------------------------------------------------------

#[test]
fn customer_ids_that_try_to_escape_the_output_folder_are_rejected_and_nothing_is_written_outside() {
    let work = Work::new();
    let outside = std::env::temp_dir().join(format!("valuereport-escaped-{}", std::process::id()));
    let long = "x".repeat(5000);
    let hostile = [
        "../escaped",
        "../../../../../../../tmp/escaped",
        outside.to_str().unwrap(),
        "a/b",
        "a\\b",
        "..",
        ".",
        ".hidden",
        "nul\0byte",
        "new\nline",
        "C:escaped",
        "%2e%2e%2fescaped",
        &long,
    ];
    for (i, id) in hostile.iter().enumerate() {
        work.customer(format!("bad-{i:02}"), id);
    }
    work.customer("good", "good");
    let before: Vec<PathBuf> = work.tree();

    let output = work.run(&[]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let failures = failures(&output);
    assert_eq!(failures.len(), hostile.len(), "{failures:?}");
    for (dir, error) in &failures {
        assert!(dir.contains("bad-"), "{dir}");
        assert!(error.contains("is not a valid customer_id"), "{dir}: {error}");
    }
    assert_eq!(work.pdfs(), ["2026-Q3/good/good-2026-Q3-executive.pdf", "2026-Q3/good/good-2026-Q3-team.pdf"]);
    // Everything new is inside out/.
    for path in work.tree() {
        assert!(before.contains(&path) || path.starts_with("out"), "written outside the output folder: {path:?}");
    }
    assert!(!outside.exists() && !Path::new("/tmp/escaped").exists());

    // `report` names its file after the id too: it refuses the same ids and writes nothing.
    let output = work.valuereport(&["report", "input/bad-00", "--quarter", "2026-Q3", "--out", "out/one.pdf"], &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("is not a valid customer_id"), "{}", text(&output.stderr));
    assert!(!work.out().join("one.pdf").exists());
}

#[test]
fn hostile_folder_names_are_only_names() {
    let work = Work::new();
    let names = [
        "..hidden-looking",
        "-rf",
        "new\nline",
        "tab\there",
        "\u{1b}[31mred\u{1b}[0m",
        "\u{202e}fdp.exe",
        "\u{200f}rtl\u{2066}isolate\u{2069}",
        "'; rm -rf ~",
        "{{ customer }} {% if x %}",
        "空白 ☃ ﷽",
        &"n".repeat(255),
    ];
    for (i, name) in names.iter().enumerate() {
        work.customer(name, &format!("c{i:02}"));
    }
    let output = work.run(&[]);
    assert_eq!(output.status.code(), Some(0), "{}\n{}", text(&output.stdout), text(&output.stderr));
    let expected: Vec<String> = (0..names.len())
        .flat_map(|i| ["executive", "team"].map(|edition| format!("2026-Q3/c{i:02}/c{i:02}-2026-Q3-{edition}.pdf")))
        .collect();
    assert_eq!(work.pdfs(), expected);
    // The manifest holds each folder exactly (JSON escapes what a terminal would interpret).
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(work.out().join("manifest.json")).unwrap()).unwrap();
    let mut dirs: Vec<String> = manifest["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["customer_dir"].as_str().unwrap().to_string())
        .collect();
    dirs.dedup();
    let mut expected_dirs: Vec<String> = names.iter().map(|n| format!("input/{n}")).collect();
    expected_dirs.sort();
    assert_eq!(dirs, expected_dirs);
}

// ---- symlinks, pipes and devices -----------------------------------------------------------------

#[cfg(unix)]
#[test]
fn symlinks_pointing_outside_input_and_symlink_loops_are_never_followed() {
    use std::os::unix::fs::symlink;
    let work = Work::new();
    // A customer outside INPUT, reachable only through links.
    let outside = work.path("outside/stranger");
    fs::create_dir_all(work.path("outside")).unwrap();
    fs::rename(work.customer("stranger-tmp", "stranger"), &outside).unwrap();
    symlink(&outside, work.input().join("link-to-outside")).unwrap();
    symlink(work.path("outside"), work.input().join("link-to-outside-parent")).unwrap();
    // Loops: to INPUT itself, to an ancestor, and two links pointing at each other.
    let good = work.customer("region/good", "good");
    symlink(work.input(), good.join("loop-to-input")).unwrap();
    symlink("..", work.input().join("region/loop-to-parent")).unwrap();
    symlink(work.input().join("ping"), work.input().join("pong")).unwrap();
    symlink(work.input().join("pong"), work.input().join("ping")).unwrap();
    // Files that are links: to a file outside, to /dev/zero (endless), to itself, dangling.
    let linked = work.customer("region/linked-goals", "linked-goals");
    fs::remove_file(linked.join("goals.csv")).unwrap();
    symlink(outside.join("goals.csv"), linked.join("goals.csv")).unwrap();
    let zero = work.customer("region/zero-stories", "zero-stories");
    fs::remove_file(zero.join("stories.csv")).unwrap();
    symlink("/dev/zero", zero.join("stories.csv")).unwrap();
    let selfish = work.customer("region/self-metrics", "self-metrics");
    fs::remove_file(selfish.join("metrics.csv")).unwrap();
    symlink(selfish.join("metrics.csv"), selfish.join("metrics.csv")).unwrap();
    let dangling = work.customer("region/dangling", "dangling");
    fs::remove_file(dangling.join("opportunities.csv")).unwrap();
    symlink(work.path("nowhere.csv"), dangling.join("opportunities.csv")).unwrap();
    // A named pipe nobody writes to, and a linked account.csv (so not a customer at all).
    let piped = work.customer("region/piped", "piped");
    fs::remove_file(piped.join("metrics.csv")).unwrap();
    assert!(Command::new("mkfifo").arg(piped.join("metrics.csv")).status().unwrap().success());
    let linked_account = work.input().join("region/linked-account");
    fs::create_dir_all(&linked_account).unwrap();
    symlink(outside.join("account.csv"), linked_account.join("account.csv")).unwrap();

    let output = work.run(&[]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let failures = failures(&output);
    let error_of = |folder: &str| -> String {
        failures.iter().filter(|(d, _)| d.ends_with(folder)).map(|(_, e)| e.clone()).collect::<Vec<_>>().join("\n")
    };
    assert!(error_of("linked-goals").contains("goals.csv: is a symbolic link"), "{failures:?}");
    assert!(error_of("zero-stories").contains("stories.csv: is a symbolic link"), "{failures:?}");
    assert!(error_of("self-metrics").contains("metrics.csv: is a symbolic link"), "{failures:?}");
    assert!(error_of("dangling").contains("opportunities.csv: is a symbolic link"), "{failures:?}");
    assert!(error_of("piped").contains("metrics.csv: is not a regular file (a named pipe)"), "{failures:?}");
    assert!(!failures.iter().any(|(d, _)| d.contains("stranger") || d.contains("linked-account")), "{failures:?}");
    assert_eq!(work.pdfs(), ["2026-Q3/good/good-2026-Q3-executive.pdf", "2026-Q3/good/good-2026-Q3-team.pdf"]);
    let stderr = text(&output.stderr);
    for link in ["link-to-outside", "link-to-outside-parent", "loop-to-input", "loop-to-parent", "ping", "pong"] {
        assert!(stderr.contains(&format!("{link}: skipped: symbolic link, not followed")), "{link}: {stderr}");
    }
    assert!(stderr.contains("linked-account/account.csv: skipped: symbolic link"), "{stderr}");

    // The settings file may be a link, but only to a plain file: /dev/zero is refused at once.
    symlink("/dev/zero", work.input().join("valuereport.toml")).unwrap();
    let output = work.run(&[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("valuereport.toml: is not a regular file"), "{}", text(&output.stderr));
}

// ---- size limits ---------------------------------------------------------------------------------

#[test]
fn a_file_over_the_size_limit_is_refused_naming_the_limit_and_how_to_raise_it() {
    assert_eq!(DEFAULT_MAX_FILE_BYTES, 512 * 1024 * 1024, "the documented default");
    let work = Work::new();
    work.customer("small", "small");
    // The default limit, on a sparse 600 MiB file: refused from its size, without reading it.
    let huge = work.customer("huge", "huge");
    fs::File::options().write(true).open(huge.join("metrics.csv")).unwrap().set_len(600 << 20).unwrap();
    let started = Instant::now();
    let output = work.valuereport(&["validate", "input"], &[]);
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains(
            "huge/metrics.csv: is 629145600 bytes, over the file size limit of 512 MiB (536870912 bytes); \
             split the export, or raise the limit with the environment variable VALUEREPORT_MAX_FILE_BYTES=<bytes>"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("small/"), "{stdout}");
    fs::remove_dir_all(&huge).unwrap();

    // A limit set low, through the environment: the metrics file (6 KB) is now too large.
    let limit = [("VALUEREPORT_MAX_FILE_BYTES", "4K")];
    let output = work.valuereport(&["validate", "input"], &limit);
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("small/metrics.csv: is 6130 bytes, over the file size limit of 4 KiB (4096 bytes)"),
        "{stdout}"
    );
    // The same in a batch run: the customer fails, with the message, and the run goes on.
    let tiny = work.customer("tiny", "tiny");
    let metrics = fs::read_to_string(tiny.join("metrics.csv")).unwrap();
    // The header and the latest rows: small, and still fresh for 2026-Q3.
    let lines: Vec<&str> = metrics.lines().collect();
    let kept: Vec<&str> = lines[..1].iter().chain(&lines[lines.len() - 39..]).copied().collect();
    fs::write(tiny.join("metrics.csv"), kept.join("\n") + "\n").unwrap();
    let output = work.run(&limit);
    assert_eq!(output.status.code(), Some(1));
    let failures = failures(&output);
    assert!(!failures.is_empty() && failures.iter().all(|(d, _)| d.ends_with("small")), "{failures:?}");
    assert!(failures[0].1.contains("metrics.csv: is 6130 bytes, over the file size limit of 4 KiB"), "{failures:?}");
    assert_eq!(work.pdfs().len(), 2, "tiny is written");
    // Raised, everything passes; a limit that is not a size is a clear error.
    assert_eq!(
        work.valuereport(&["validate", "input"], &[("VALUEREPORT_MAX_FILE_BYTES", "1G")]).status.code(),
        Some(0)
    );
    let output = work.valuereport(&["validate", "input"], &[("VALUEREPORT_MAX_FILE_BYTES", "lots")]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stdout).contains("VALUEREPORT_MAX_FILE_BYTES=\"lots\" is not valid"),
        "{}",
        text(&output.stdout)
    );
}

#[test]
fn a_metrics_file_with_millions_of_rows_stops_at_the_row_limit_in_bounded_memory() {
    let work = Work::new();
    let dir = work.customer("many", "many");
    let rows = 2_000_000u64;
    let original = fs::read(dir.join("metrics.csv")).unwrap();
    let mut file = std::io::BufWriter::new(fs::File::create(dir.join("metrics.csv")).unwrap());
    file.write_all(&original).unwrap();
    // Distinct rows: an exact repeat is an error of its own (tests/exports.rs).
    for i in 0..rows {
        writeln!(file, "2026-08-31,reporting_hours_per_month,{}.{}", 1000 + i / 10, i % 10).unwrap();
    }
    file.flush().unwrap();
    drop(file);

    let limit = 100_000u64;
    let mut command = Command::new(BIN);
    command.current_dir(work.dir.path()).args(["validate", "input"]).env("VALUEREPORT_MAX_ROWS", limit.to_string());
    let finished = bounded(&mut command, Duration::from_secs(60));
    assert_eq!(finished.output.status.code(), Some(1));
    let stdout = text(&finished.output.stdout);
    assert_eq!(
        stdout.trim(),
        format!(
            "input/many/metrics.csv:{}: has more than {limit} data rows, the limit; the rest of the file was not read. \
             Split the export, or raise the limit with the environment variable VALUEREPORT_MAX_ROWS=<rows>",
            limit + 2
        )
    );
    // 2 million rows were not held: the process stayed small (its own size is a few tens of MB).
    if let Some(peak) = finished.peak_kib {
        assert!(peak < 200 * 1024, "peak {} MiB", peak / 1024);
    }

    // The same file, every row wrong: a thousand problems are listed, then the rest is skipped.
    let mut file = std::io::BufWriter::new(fs::File::create(dir.join("metrics.csv")).unwrap());
    file.write_all(&original).unwrap();
    for _ in 0..rows / 4 {
        file.write_all(b"31/08/2026,reporting_hours_per_month,ten\n").unwrap();
    }
    drop(file);
    let mut command = Command::new(BIN);
    command.current_dir(work.dir.path()).args(["validate", "input"]);
    let finished = bounded(&mut command, Duration::from_secs(60));
    let stdout = text(&finished.output.stdout);
    assert_eq!(stdout.lines().count(), 1001, "{}", &stdout[stdout.len().saturating_sub(500)..]);
    assert!(stdout.ends_with(
        "input/many/metrics.csv: has more than 1000 problems; the rest of the file was not checked. Fix these and \
         validate again\n"
    ));
}

#[test]
fn goals_stories_and_opportunities_have_a_lower_row_limit_because_every_row_is_in_the_report() {
    let work = Work::new();
    let dir = work.customer("listy", "listy");
    let mut stories = fs::read_to_string(dir.join("stories.csv")).unwrap();
    for i in 0..1200 {
        stories.push_str(&format!("2026-05-{:02},win,Story {i},,,,\n", 1 + i % 28));
    }
    fs::write(dir.join("stories.csv"), stories).unwrap();
    let output = work.valuereport(&["validate", "input"], &[]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout);
    assert!(stdout.starts_with("input/listy/stories.csv:"), "{stdout}");
    assert!(
        stdout.contains(
            ": has more than 1000 data rows, the limit; the rest of the file was not read. Split the \
             export, or raise the limit with the environment variable VALUEREPORT_MAX_LIST_ROWS=<rows>"
        ),
        "{stdout}"
    );
    let raised = work.valuereport(&["validate", "input"], &[("VALUEREPORT_MAX_LIST_ROWS", "5000")]);
    assert_eq!(raised.status.code(), Some(0), "{}", text(&raised.stdout));
}

// ---- long values ---------------------------------------------------------------------------------

#[test]
fn a_field_of_10_mb_is_one_clear_error_and_never_reaches_the_report() {
    // Rendering a 1 MB customer name took 30 s and 2 GB (quadratic); 10 MB would never finish.
    let work = Work::new();
    work.customer("ok", "ok");
    let ten_mb = "word ".repeat(2 * 1024 * 1024);
    for (folder, file, column) in [
        ("name", "account.csv", "customer_name"),
        ("title", "goals.csv", "title"),
        ("number", "goals.csv", "baseline"),
        ("story", "stories.csv", "detail"),
    ] {
        let dir = work.customer(folder, folder);
        set_cell(&dir.join(file), 0, column, &ten_mb);
    }
    let mut command = Command::new(BIN);
    command.current_dir(work.dir.path()).args(["run", "input", "--out", "out", "--quarter", "2026-Q3", "--quiet"]);
    let finished = bounded(&mut command, Duration::from_secs(60));
    assert_eq!(finished.output.status.code(), Some(1));
    let stderr = text(&finished.output.stderr);
    for (folder, file, column) in [
        ("name", "account.csv", "customer_name"),
        ("title", "goals.csv", "title"),
        ("number", "goals.csv", "baseline"),
        ("story", "stories.csv", "detail"),
    ] {
        let expected = format!(
            "{folder}/{file}:2: column '{column}': is {} characters long; text values are limited to {MAX_VALUE_CHARS} characters",
            ten_mb.trim().chars().count()
        );
        assert!(stderr.contains(&expected), "{expected}\n{}", &stderr[..stderr.len().min(3000)]);
    }
    assert!(stderr.len() < 20_000, "errors do not quote the value: {} bytes", stderr.len());
    if let Some(peak) = finished.peak_kib {
        assert!(peak < 1024 * 1024, "peak {} MiB", peak / 1024);
    }
    assert_eq!(work.pdfs(), ["2026-Q3/ok/ok-2026-Q3-executive.pdf", "2026-Q3/ok/ok-2026-Q3-team.pdf"]);
}

// ---- deep folders --------------------------------------------------------------------------------

/// Creates `depth` nested folders named `name` under `root` (beyond PATH_MAX too: each level is made
/// relative to the one above, as `mkdirat` does) and copies `customer` into levels listed in `at`.
#[cfg(target_os = "linux")]
fn nest(root: &Path, name: &str, depth: usize, at: &[(usize, &Path)]) {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |s: &[u8]| CString::new(s).unwrap();
    unsafe {
        let mut fd = libc::open(c(root.as_os_str().as_bytes()).as_ptr(), libc::O_RDONLY | libc::O_DIRECTORY);
        assert!(fd >= 0);
        for level in 1..=depth {
            assert_eq!(libc::mkdirat(fd, c(name.as_bytes()).as_ptr(), 0o755), 0);
            let next = libc::openat(fd, c(name.as_bytes()).as_ptr(), libc::O_RDONLY | libc::O_DIRECTORY);
            assert!(next >= 0);
            libc::close(fd);
            fd = next;
            for (_, from) in at.iter().filter(|(l, _)| *l == level) {
                for entry in fs::read_dir(from).unwrap() {
                    let entry = entry.unwrap();
                    let bytes = fs::read(entry.path()).unwrap();
                    let file = libc::openat(
                        fd,
                        c(entry.file_name().as_bytes()).as_ptr(),
                        libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC,
                        0o644,
                    );
                    assert!(file >= 0);
                    assert_eq!(libc::write(file, bytes.as_ptr().cast(), bytes.len()), bytes.len() as isize);
                    libc::close(file);
                }
            }
        }
        libc::close(fd);
    }
}

#[cfg(target_os = "linux")]
#[test]
fn deeply_nested_folders_are_walked_and_folders_beyond_the_path_limit_are_reported_not_fatal() {
    let work = Work::new();
    let staging = work.path("staging");
    for (id, folder) in [("deep-200", "a"), ("deep-20", "b"), ("deep-39", "c")] {
        let dir = work.customer(format!("../staging/{folder}"), id);
        assert!(dir.starts_with(work.dir.path()));
    }
    // 200 levels, 2 bytes each: deep, but within PATH_MAX.
    nest(&work.input(), "d", 200, &[(200, &staging.join("a"))]);
    // 40 levels of 120-byte names: 4,840 bytes, beyond PATH_MAX (4,096). The customer at level 20
    // can be reached; the one at level 39 cannot be opened by path, and the run says so.
    nest(&work.input(), &"n".repeat(120), 40, &[(20, &staging.join("b")), (39, &staging.join("c"))]);
    let output = work.run(&[]);
    let stderr = text(&output.stderr);
    // The unreachable folder may hold a customer: an error (exit 1), after every other customer.
    assert_eq!(output.status.code(), Some(1), "{}", &stderr[..stderr.len().min(2000)]);
    assert_eq!(
        work.pdfs(),
        [
            "2026-Q3/deep-20/deep-20-2026-Q3-executive.pdf",
            "2026-Q3/deep-20/deep-20-2026-Q3-team.pdf",
            "2026-Q3/deep-200/deep-200-2026-Q3-executive.pdf",
            "2026-Q3/deep-200/deep-200-2026-Q3-team.pdf",
        ]
    );
    assert!(stderr.contains("cannot be read (File name too long"), "{}", &stderr[..stderr.len().min(2000)]);
    assert!(stderr.contains("any customer in it was not processed"), "{}", &stderr[..stderr.len().min(2000)]);
    for command in [&["validate", "input"][..], &["summary", "input", "--quarter", "2026-Q3"][..]] {
        let output = work.valuereport(command, &[]);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{command:?}: {}", &stderr[..stderr.len().min(2000)]);
        assert!(stderr.contains("cannot be read (File name too long"), "{command:?}");
    }
}

// ---- control characters, bidi marks and template syntax in customer text -------------------------

#[test]
fn control_characters_bidi_marks_and_template_syntax_in_customer_text_render_literally() {
    let work = Work::new();
    let dir = work.customer("odd", "odd");
    let name = "Acme\u{202e}evil\u{202c} \u{200f}Ltd\u{200e} {{ customer }} {% raw %}\u{7}\u{1b}[2J\u{7f}\u{0}\u{feff}\u{200d}";
    set_cell(&dir.join("account.csv"), 0, "customer_name", name);
    set_cell(&dir.join("account.csv"), 0, "executive_sponsor", "\u{2067}ليلى\u{2069} {{ 7 * 6 }}");
    // (lopdf's text extraction loses the character after an ESC or a tab, so the checked texts are
    // not right after one; pdftotext shows them all.)
    set_cell(&dir.join("goals.csv"), 0, "title", "Cut \u{200f}hours\u{200e} {# comment #} {{ 7 * 6 }}\u{1b}[0m\t\r");
    set_cell(&dir.join("stories.csv"), 0, "title", "\u{202e}dlrow olleh {%- endraw %} e\u{301}\u{301}\u{301}");
    for edition in ["executive", "team"] {
        let out = work.path(&format!("{edition}.pdf"));
        let output = work.valuereport(
            &["report", "input/odd", "--quarter", "2026-Q3", "--audience", edition, "--out", out.to_str().unwrap()],
            &[],
        );
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        let doc = lopdf::Document::load_mem(&fs::read(&out).unwrap()).unwrap();
        let all: String = doc
            .get_pages()
            .keys()
            .map(|&n| doc.extract_text(&[n]).unwrap_or_default())
            .collect::<String>()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        assert!(all.contains("{{customer}}{%raw%}"), "{edition}: template syntax printed as written");
        assert!(all.contains("Acme") && all.contains("evil"), "{edition}");
        if edition == "team" {
            // Wrapped anywhere, but printed as written.
            assert!(all.contains("{#comment#}") && all.contains("{{7*6}}"), "{edition}: the goal title");
        }
    }
}

/// Control characters in folder names and values never reach the operator's terminal as such:
/// every command shows them as `\uXXXX`.
#[test]
fn control_characters_from_customer_files_are_shown_escaped_on_the_terminal() {
    let work = Work::new();
    let evil_folder = "evil\u{1b}[2J\u{1b}]0;pwned\u{7}\rFAKE\u{202e}txt";
    let dir = work.customer(evil_folder, "evil");
    set_cell(&dir.join("account.csv"), 0, "customer_name", "Acme\u{1b}[31m red\u{9b}2J\u{202e}");
    // A wrong value that holds an escape sequence: quoted in the error message.
    set_cell(&dir.join("goals.csv"), 0, "baseline", "12\u{1b}[8m");
    let runs: [&[&str]; 4] = [
        &["validate", "input"],
        &["summary", "input", "--quarter", "2026-Q3"],
        &["run", "input", "--out", "out", "--quarter", "2026-Q3"],
        &["run", "input", "--out", "out", "--quarter", "2026-Q3", "--dry-run", "--format", "json"],
    ];
    for args in runs {
        let output = work.valuereport(args, &[]);
        let shown = format!("{}{}", text(&output.stdout), text(&output.stderr));
        assert!(shown.contains("evil"), "{args:?}: the customer is reported: {shown}");
        for bad in ['\u{1b}', '\u{7}', '\r', '\u{9b}', '\u{202e}'] {
            assert!(!shown.contains(bad), "{args:?}: {bad:?} reached the terminal: {shown:?}");
        }
        // (serde_json writes the escape in lower case, `\u001b`.)
        assert!(shown.to_lowercase().contains("\\u001b"), "{args:?}: the escape is shown as \\u001B: {shown}");
    }
}

// ---- duplicate ids -------------------------------------------------------------------------------

#[test]
fn duplicate_customer_ids_in_oddly_named_folders_fail_both_and_name_both() {
    let work = Work::new();
    work.customer("emea/Ünïcødé folder", "same");
    work.customer("apac/deep/er/\u{202e}folder", "same");
    let other = work.customer("amer/other", "other");
    // A package due while the sample's data is fresh (2026-Q3 is the last quarter it covers).
    set_cell(&other.join("account.csv"), 0, "renewal_date", "2027-01-10");
    let output = work.valuereport(
        &["renewals", "input", "--out", "out", "--as-of", "2026-12-01", "--quiet", "--format", "json"],
        &[],
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let failures = failures(&output);
    assert_eq!(failures.len(), 2, "{failures:?}");
    for (dir, error) in &failures {
        let other =
            if dir.contains("emea") { "input/apac/deep/er/\u{202e}folder" } else { "input/emea/Ünïcødé folder" };
        assert!(error.contains(&format!("customer_id \"same\" is also used by {other}")), "{dir}: {error}");
    }
    assert_eq!(work.pdfs(), ["renewals/other/other-renewal-2027-01-10-T-60.pdf"]);
}

// ---- fuzz regressions ----------------------------------------------------------------------------

/// The checks of `fuzz/fuzz_targets/common.rs`, for one file kind.
fn check_file(kind: FileKind, data: &[u8]) {
    let (limits, bytes) = match data.split_first() {
        Some((&flags, rest)) if flags & 1 == 1 => {
            (Limits { max_file_bytes: 1 + u64::from(flags) * 8, max_rows: 3, max_list_rows: 3 }, rest)
        }
        Some((_, rest)) => (Limits::default(), rest),
        None => (Limits::default(), data),
    };
    let path = Path::new("fuzz").join(kind.file_name());
    let lines = 1 + bytes.iter().filter(|&&b| b == b'\n').count() as u64;
    match parse_file(kind, &path, bytes, limits) {
        Ok(rows) => assert!(rows as u64 <= lines),
        Err(errors) => {
            assert!(!errors.is_empty());
            for error in errors {
                assert_eq!(error.file, path);
                if let Some(line) = error.line {
                    assert!((1..=lines).contains(&line), "line {line} of {lines}: {error}");
                }
            }
        }
    }
}

/// What `fuzz/fuzz_targets/customer.rs` does with one input.
fn check_customer(data: &[u8], dir: &Path) {
    const SEPARATOR: &[u8] = b"\n--8<--\n";
    let mut parts = Vec::new();
    let mut rest = data;
    while let Some(at) = rest.windows(SEPARATOR.len()).position(|w| w == SEPARATOR) {
        parts.push(&rest[..at]);
        rest = &rest[at + SEPARATOR.len()..];
    }
    parts.push(rest);
    fs::create_dir_all(dir).unwrap();
    for (index, kind) in FileKind::ALL.into_iter().enumerate() {
        if let Some(bytes) = parts.get(index) {
            fs::write(dir.join(kind.file_name()), bytes).unwrap();
        }
    }
    if let Ok(customer) = load_customer(dir) {
        let latest = customer.observations.iter().map(|o| Quarter::containing(o.date)).max();
        for quarter in ["2026-Q3".parse::<Quarter>().unwrap()].into_iter().chain(latest) {
            if let Ok(summary) = compute(&customer, quarter) {
                let _ = valuereport::explain::to_json(&summary);
                let _ = valuereport::explain::to_table(&customer, &summary);
            }
        }
    }
}

#[test]
fn fuzz_regression_inputs_stay_fixed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let work = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for target in ["number", "account", "goals", "metrics", "stories", "opportunities", "customer"] {
        let Ok(entries) = fs::read_dir(root.join(target)) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            let data = fs::read(&path).unwrap();
            let kind = FileKind::ALL.into_iter().find(|k| k.file_name() == format!("{target}.csv"));
            match (target, kind) {
                ("number", _) => {
                    if let Ok(text) = std::str::from_utf8(&data) {
                        for format in [NumberFormat::DecimalPoint, NumberFormat::DecimalComma] {
                            let _ = parse_decimal(text, format);
                        }
                    }
                }
                ("customer", _) => check_customer(&data, &work.path().join(format!("c{checked}"))),
                (_, Some(kind)) => check_file(kind, &data),
                _ => unreachable!(),
            }
            checked += 1;
        }
    }
    assert!(checked > 0, "no regression inputs under {}", root.display());
}
