//! Faults around a batch run: an output folder that cannot be written, a full disk, and `kill -9`
//! at random points. A run reports the fault and exits non-zero; it never leaves a partial PDF or a
//! corrupt manifest, and the next run finishes the batch.
//!
//! How faults are made without privileges (so the tests run anywhere, also as root, where a
//! read-only folder is still writable): a full disk is `RLIMIT_FSIZE` (writes past the limit fail
//! with EFBIG, as they fail with ENOSPC on a full disk: same code path, no hook in the program);
//! an unwritable output folder is one below a regular file. Where the sandbox allows a private mount
//! namespace (`unshare -m`, as root), the real thing is tested too: a tmpfs that fills up (ENOSPC)
//! and a read-only bind mount (EROFS); elsewhere those two say they were skipped.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_valuereport");
const SAMPLES: [&str; 3] = ["amer/acme-logistics", "emea/harrow-fintech", "apac/sakura-seimitsu"];

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `input/` with `n` customers c000… (copies of sample customers) and room for `out/`.
struct Work {
    dir: tempfile::TempDir,
}

impl Work {
    fn new(n: usize) -> Work {
        let work = Work { dir: tempfile::tempdir().unwrap() };
        for i in 0..n {
            let dir = work.input().join(format!("c{i:03}"));
            fs::create_dir_all(&dir).unwrap();
            let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data").join(SAMPLES[i % SAMPLES.len()]);
            for entry in fs::read_dir(from).unwrap() {
                let entry = entry.unwrap();
                fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
            }
            let account = dir.join("account.csv");
            let mut reader = csv::ReaderBuilder::new().has_headers(false).from_path(&account).unwrap();
            let mut rows: Vec<Vec<String>> =
                reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
            let column = rows[0].iter().position(|h| h == "customer_id").unwrap();
            rows[1][column] = format!("c{i:03}");
            let mut writer = csv::Writer::from_path(&account).unwrap();
            for row in rows {
                writer.write_record(row).unwrap();
            }
            writer.flush().unwrap();
        }
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

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(BIN);
        command.current_dir(self.dir.path()).args(args);
        command
    }

    fn run(&self, extra: &[&str]) -> Output {
        let mut args = vec!["run", "input", "--out", "out", "--quarter", "2026-Q3", "--quiet"];
        args.extend_from_slice(extra);
        self.command(&args).output().unwrap()
    }
}

/// Files under `dir` (relative path → bytes), hidden temporaries included.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned(), fs::read(e.path()).unwrap()))
        .collect();
    files.sort();
    files
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks what a run left in `out`: every PDF is complete, the manifest (if any) parses, and each
/// PDF the manifest records has the recorded bytes and page count. Returns the manifest.
fn check_output(out: &Path, context: &str) -> Option<serde_json::Value> {
    let files = files(out);
    let manifest: Option<serde_json::Value> = files
        .iter()
        .find(|(name, _)| name == "manifest.json")
        .map(|(_, bytes)| serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{context}: corrupt manifest: {e}")));
    for (name, bytes) in files.iter().filter(|(name, _)| name.ends_with(".pdf")) {
        let doc = lopdf::Document::load_mem(bytes).unwrap_or_else(|e| panic!("{context}: {name} is not complete: {e}"));
        // Manifest schema 2: outputs is an array of objects with a path.
        let record =
            manifest.as_ref().and_then(|m| m["outputs"].as_array()?.iter().find(|o| o["path"] == name.as_str()));
        if let Some(record) = record {
            assert_eq!(record["pages"].as_u64(), Some(doc.get_pages().len() as u64), "{context}: {name} pages");
            assert_eq!(record["bytes"].as_u64(), Some(bytes.len() as u64), "{context}: {name} bytes");
            assert_eq!(record["sha256"].as_str(), Some(sha256(bytes).as_str()), "{context}: {name} sha256");
        }
    }
    manifest
}

fn temporaries(out: &Path) -> Vec<String> {
    files(out).into_iter().map(|(name, _)| name).filter(|name| name.ends_with(".tmp")).collect()
}

/// Whether this process may make private mount namespaces (root in a permissive sandbox).
fn can_unshare() -> bool {
    let probe = tempfile::tempdir().unwrap();
    Command::new("unshare")
        .args(["-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs \"$1\"", "sh"])
        .arg(probe.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

// ---- output folder not writable ------------------------------------------------------------------

#[test]
fn an_output_folder_below_a_file_is_a_clear_configuration_error() {
    let work = Work::new(1);
    fs::write(work.path("file"), "not a folder").unwrap();
    for command in [
        vec!["run", "input", "--out", "file/out", "--quarter", "2026-Q3"],
        vec!["renewals", "input", "--out", "file/out", "--as-of", "2027-02-01"],
    ] {
        let output = work.command(&command).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{command:?}");
        let stderr = text(&output.stderr);
        assert!(stderr.contains("file/out: cannot create the output folder: Not a directory"), "{stderr}");
    }
    // An output path that is itself a file: `tests/batch.rs` (usage_and_configuration_errors_exit_2…)
    // for `run`; the same for `renewals`.
    let output = work.command(&["renewals", "input", "--out", "file", "--as-of", "2027-02-01"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("file: the output folder is a file, not a folder"));
    assert_eq!(fs::read_to_string(work.path("file")).unwrap(), "not a folder");
}

#[cfg(target_os = "linux")]
#[test]
fn a_read_only_output_folder_is_a_clear_configuration_error() {
    let work = Work::new(1);
    fs::create_dir_all(work.out()).unwrap();
    let out = work.out().to_string_lossy().into_owned();
    let args = ["run", "input", "--out", out.as_str(), "--quarter", "2026-Q3"];
    let output = if can_unshare() {
        // A read-only bind mount of out/ in a private mount namespace: EROFS, even for root.
        Command::new("unshare")
            .current_dir(work.dir.path())
            .args([
                "-m",
                "sh",
                "-c",
                "mount --bind \"$1\" \"$1\" && mount -o remount,bind,ro \"$1\" && shift && exec \"$@\"",
            ])
            .args(["sh", &out, BIN])
            .args(args)
            .output()
            .unwrap()
    } else if unsafe { libc::geteuid() } != 0 {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(work.out(), fs::Permissions::from_mode(0o555)).unwrap();
        work.command(&args).output().unwrap()
    } else {
        eprintln!("skipped: root without mount namespaces cannot make a folder read-only");
        return;
    };
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(stderr.contains(".valuereport.lock: cannot create the lock file: "), "{stderr}");
    assert!(stderr.contains("Read-only file system") || stderr.contains("Permission denied"), "{stderr}");
    assert!(files(&work.out()).is_empty());
}

// ---- full disk -----------------------------------------------------------------------------------

/// `command` with a file-size limit: writes past `bytes` fail (EFBIG) instead of killing the process.
#[cfg(target_os = "linux")]
fn with_file_size_limit(mut command: Command, bytes: u64) -> Command {
    use std::os::unix::process::CommandExt;
    unsafe {
        command.pre_exec(move || {
            // SIGXFSZ would kill the process; ignored, the write returns EFBIG like ENOSPC.
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let limit = libc::rlimit { rlim_cur: bytes, rlim_max: bytes };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    command
}

#[cfg(target_os = "linux")]
#[test]
fn when_reports_do_not_fit_on_the_disk_they_fail_and_leave_no_partial_file() {
    let work = Work::new(3);
    // 16 KB: a manifest fits, a report (50-70 KB) does not.
    let command = work.command(&["run", "input", "--out", "out", "--quarter", "2026-Q3"]);
    let output = with_file_size_limit(command, 16 << 10).output().unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.matches("cannot write the report: File too large").count(), 6, "{stderr}");
    let manifest = check_output(&work.out(), "disk full").expect("the manifest records the failures");
    assert_eq!(manifest["counts"]["failed"], 6);
    assert!(files(&work.out()).iter().all(|(name, _)| !name.ends_with(".pdf")), "no partial PDF");
    assert!(temporaries(&work.out()).is_empty(), "{:?}", temporaries(&work.out()));
    // With room again, the next run writes them all.
    assert_eq!(work.run(&[]).status.code(), Some(0));
    assert_eq!(check_output(&work.out(), "after").unwrap()["counts"]["written"], 6);
}

#[cfg(target_os = "linux")]
#[test]
fn when_the_disk_fills_while_saving_the_manifest_the_previous_state_is_kept() {
    let work = Work::new(2);
    assert_eq!(work.run(&[]).status.code(), Some(0));
    let before = files(&work.out());
    // Re-render everything with almost no room: every report and the manifest fail to write.
    let command = work.command(&["run", "input", "--out", "out", "--quarter", "2026-Q3", "--force"]);
    let output = with_file_size_limit(command, 1024).output().unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot write the manifest: File too large"), "{stderr}");
    assert!(stderr.contains("cannot write the report: File too large"), "{stderr}");
    // The earlier reports and manifest are untouched, byte for byte; nothing half-written is left.
    let after: Vec<(String, Vec<u8>)> = files(&work.out()).into_iter().filter(|(n, _)| !n.ends_with(".lock")).collect();
    assert_eq!(after, before.into_iter().filter(|(n, _)| !n.ends_with(".lock")).collect::<Vec<_>>());
    check_output(&work.out(), "manifest not saved");
}

#[cfg(target_os = "linux")]
#[test]
fn a_real_full_disk_fails_the_run_cleanly() {
    if !can_unshare() {
        eprintln!("skipped: no private mount namespace for a small tmpfs (RLIMIT_FSIZE tests cover the same path)");
        return;
    }
    let work = Work::new(6);
    let saved = work.path("saved");
    fs::create_dir_all(work.out()).unwrap();
    fs::create_dir_all(&saved).unwrap();
    // A 200 KB tmpfs on out/: a few reports fit, then writes fail with ENOSPC. What the run left is
    // copied out before the namespace (and its tmpfs) goes away.
    let script =
        "mount -t tmpfs -o size=200k tmpfs out || exit 97; \"$@\"; code=$?; cp -a out/. saved/ || exit 98; exit $code";
    let output = Command::new("unshare")
        .current_dir(work.dir.path())
        .args([
            "-m",
            "sh",
            "-c",
            script,
            "sh",
            BIN,
            "run",
            "input",
            "--out",
            "out",
            "--quarter",
            "2026-Q3",
            "--jobs",
            "1",
        ])
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert!(matches!(output.status.code(), Some(1 | 2)), "{:?}: {stderr}", output.status);
    assert!(stderr.contains("No space left on device"), "{stderr}");
    check_output(&saved, "ENOSPC");
    assert!(temporaries(&saved).is_empty(), "{:?}", temporaries(&saved));
    let pdfs = files(&saved).into_iter().filter(|(n, _)| n.ends_with(".pdf")).count();
    assert!((1..12).contains(&pdfs), "some reports fit, not all: {pdfs}");
}

// ---- kill -9 -------------------------------------------------------------------------------------

/// xorshift64*: the kill points are random but the same on every run of the test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[cfg(unix)]
#[test]
fn ten_kills_at_random_points_leave_only_complete_reports_and_the_next_run_finishes_the_batch() {
    let work = Work::new(5);
    // How long a whole forced run takes here sets the range the kills fall in.
    let started = Instant::now();
    assert_eq!(work.run(&["--jobs", "2"]).status.code(), Some(0));
    let whole = started.elapsed();
    fs::remove_dir_all(work.out()).unwrap();
    let mut rng = Rng(0x0DDB_A11C_0FFE_E123);
    for kill in 0..10 {
        // Alternate forced re-renders with incremental runs (which mostly write the manifest).
        let mut args = vec!["run", "input", "--out", "out", "--quarter", "2026-Q3", "--quiet"];
        if kill % 2 == 0 {
            args.push("--force");
        }
        args.extend(["--jobs", if rng.next() % 2 == 0 { "1" } else { "2" }]);
        let delay = Duration::from_millis(10 + rng.next() % (whole.as_millis() as u64 + 100));
        let mut child = work.command(&args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(delay);
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        check_output(&work.out(), &format!("kill {kill} at {delay:?}"));
    }
    let output = work.run(&[]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let manifest = check_output(&work.out(), "after the last run").unwrap();
    // Customers' reports (the run's portfolio PDF is checked as complete above).
    let pdfs: Vec<String> = files(&work.out())
        .into_iter()
        .map(|(n, _)| n)
        .filter(|n| n.ends_with(".pdf") && !n.contains("/portfolio-"))
        .collect();
    assert_eq!(pdfs.len(), 10, "{pdfs:?}");
    for pdf in &pdfs {
        let outputs = manifest["outputs"].as_array().unwrap();
        assert!(outputs.iter().any(|o| o["path"] == pdf.as_str()), "{pdf} is recorded");
    }
    // Temporaries of killed runs are removed once they are older than the lock lease (a minute);
    // none of them is a PDF.
    assert!(temporaries(&work.out()).iter().all(|t| t.rsplit('/').next().unwrap().starts_with('.')));
}
