//! The renewal journal: an append-only, fsync'd log of what happened to each renewal package, one
//! JSON object per line, in the output folder.
//!
//! Why: the manifest is written once, at the end of a run. A run killed half-way used to leave
//! complete packages on disk that no ledger knew about, and the next run produced them again. Each
//! package is now appended to the journal (and the append fsync'd) right after its PDF is renamed
//! into place, so a package on disk is on record at once; a run starting after a kill reads the
//! journal as well as the manifests (and adopts any package PDF found on disk in neither; see
//! `run.rs`, `reconcile`).
//!
//! Files: `journal.jsonl` for unsharded runs and `journal-K-of-N.jsonl` for shard K of N, so that
//! each concurrent writer appends to its own file (appends from two hosts to one file on a network
//! file system can interleave). Readers take the union of every `journal*.jsonl` in the folder.
//! Each record is written with one `write` of a whole line to a file opened with `O_APPEND`, then
//! `fdatasync`; the folder is fsync'd when the file is created. The journal is never compacted nor
//! truncated (except an unterminated last line, which only a crash mid-append can leave): it is the
//! history of each package, and later events (delivery: `sending`, `sent`, `failed`) are appended to
//! it by other writers.
//!
//! A package is identified by [`PackageKey`]: customer, renewal (the renewal's identity in the
//! ledger, see `renewal.rs`) and touchpoint (`T-90`, `T-60`, `T-30`). [`JournalState::latest`] is
//! the latest record per package: the greatest `at`, ties broken by the order of the files and
//! lines.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::plan::Shard;

/// The unsharded writer's journal file.
pub const JOURNAL_FILE: &str = "journal.jsonl";
/// Version of a record's shape.
pub const JOURNAL_SCHEMA: u32 = 1;

/// The journal file a writer appends to: `journal.jsonl`, or `journal-K-of-N.jsonl` for a shard.
pub fn journal_file_name(shard: Option<Shard>) -> String {
    shard.map_or_else(|| JOURNAL_FILE.to_string(), |s| format!("journal-{}-of-{}.jsonl", s.index, s.count))
}

/// What happened to a package. `valuereport renewals` writes `produced`; the delivery module
/// appends the others for the same [`PackageKey`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// The PDF is complete under its final name.
    Produced,
    /// Delivery started.
    Sending,
    /// Delivered.
    Sent,
    /// Delivery failed for now (server unreachable, 4xx): retried by the next `--send` run.
    Queued,
    /// Delivery failed for good (5xx, no recipient; see `detail`): resent only on request.
    Failed,
    /// An event this version does not know (written by a newer one): kept, never acted on.
    #[serde(other)]
    Unknown,
}

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Produced => "produced",
            Event::Sending => "sending",
            Event::Sent => "sent",
            Event::Queued => "queued",
            Event::Failed => "failed",
            Event::Unknown => "unknown",
        }
    }
}

/// Which package a record is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PackageKey {
    pub customer_id: String,
    /// The renewal's identity: its key in the manifest's ledger (`renewals{}`), the renewal date
    /// the renewal had when its first package was produced (`YYYY-MM-DD`). It stays the same when
    /// the date later moves within the tolerance; `renewal_date` in the record is the date then.
    pub renewal: String,
    /// `T-90`, `T-60` or `T-30`.
    pub package: String,
}

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalRecord {
    /// [`JOURNAL_SCHEMA`].
    pub schema: u32,
    /// When the record was written, UTC, `2026-11-22T03:15:02.417Z`.
    pub at: String,
    pub event: Event,
    #[serde(flatten)]
    pub key: PackageKey,
    /// The renewal date in `account.csv` when the record was written (the date in the file name).
    #[serde(default)]
    pub renewal_date: String,
    /// The package PDF, relative to the output folder.
    #[serde(default)]
    pub path: String,
    /// SHA-256 of the PDF (hex).
    #[serde(default)]
    pub sha256: String,
    /// The `--as-of` date of the run that produced it (for an adopted package: of the run that
    /// adopted it).
    #[serde(default)]
    pub as_of: String,
    #[serde(default)]
    pub report_quarter: String,
    /// Who wrote the record: `renewals`, `renewals shard 2/4`, `run`, … (the delivery module: its own name).
    #[serde(default)]
    pub writer: String,
    #[serde(default)]
    pub pid: u32,
    #[serde(default)]
    pub host: String,
    /// The PDF was found complete on disk but on no record (a run killed between the rename and
    /// the append) and recorded from its name and SHA-256 instead of being produced again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub adopted: bool,
    /// Free text, e.g. why a delivery failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl JournalRecord {
    /// A record of `event` for `key`, stamped now with this process's pid and host.
    pub fn new(event: Event, key: PackageKey) -> JournalRecord {
        JournalRecord {
            schema: JOURNAL_SCHEMA,
            at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            event,
            key,
            renewal_date: String::new(),
            path: String::new(),
            sha256: String::new(),
            as_of: String::new(),
            report_quarter: String::new(),
            writer: String::new(),
            pid: std::process::id(),
            host: super::output::host(),
            adopted: false,
            detail: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("{}: cannot read the journal: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{}:{line}: the journal is not valid ({message}); move the file away to go on, knowing the packages it records may be produced again", path.display())]
    Invalid { path: PathBuf, line: usize, message: String },
}

/// Every journal file in `out` (`journal.jsonl`, `journal-*.jsonl`), sorted by name.
pub fn journal_files(out: &Path) -> Vec<PathBuf> {
    let journal = |name: &str| name == JOURNAL_FILE || (name.starts_with("journal-") && name.ends_with(".jsonl"));
    super::output::files_named(out, journal).into_iter().filter(|p| p.is_file()).collect()
}

/// The records of one journal file, in order. Blank lines (and lines of NUL bytes, which a power
/// loss can leave) are skipped; an unterminated last line that does not parse is a torn append and
/// is skipped; any other line that does not parse is an error.
pub fn load(path: &Path) -> Result<Vec<JournalRecord>, JournalError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(JournalError::Read { path: path.to_path_buf(), source }),
    };
    let mut records = Vec::new();
    let terminated = bytes.ends_with(b"\n");
    let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    let count = lines.len();
    for (index, line) in lines.into_iter().enumerate() {
        if line.iter().all(|&b| b == 0 || b.is_ascii_whitespace()) {
            continue;
        }
        match serde_json::from_slice::<JournalRecord>(line) {
            Ok(record) => records.push(record),
            Err(_) if index + 1 == count && !terminated => {}
            Err(e) => {
                return Err(JournalError::Invalid { path: path.to_path_buf(), line: index + 1, message: e.to_string() })
            }
        }
    }
    Ok(records)
}

/// What the journals of an output folder say.
#[derive(Debug, Default, Clone)]
pub struct JournalState {
    /// The latest record per package.
    pub latest: BTreeMap<PackageKey, JournalRecord>,
    /// The latest `produced` record per package.
    pub produced: BTreeMap<PackageKey, JournalRecord>,
}

impl JournalState {
    /// The package's latest record (its current state is `.event`).
    pub fn latest(&self, key: &PackageKey) -> Option<&JournalRecord> {
        self.latest.get(key)
    }

    /// Adds records in the order they were written (a later one of the same time wins).
    pub fn absorb(&mut self, records: impl IntoIterator<Item = JournalRecord>) {
        for record in records {
            if record.event == Event::Produced {
                replace_if_not_older(&mut self.produced, record.clone());
            }
            replace_if_not_older(&mut self.latest, record);
        }
    }
}

fn replace_if_not_older(map: &mut BTreeMap<PackageKey, JournalRecord>, record: JournalRecord) {
    match map.get(&record.key) {
        Some(existing) if existing.at > record.at => {}
        _ => {
            map.insert(record.key.clone(), record);
        }
    }
}

/// Reads every journal file in `out`.
pub fn load_folder(out: &Path) -> Result<JournalState, JournalError> {
    let mut state = JournalState::default();
    for path in journal_files(out) {
        state.absorb(load(&path)?);
    }
    Ok(state)
}

/// An open journal file to append to; shared by a run's worker threads. The file is created (and
/// the folder fsync'd) on the first append.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: Mutex<Option<File>>,
}

impl Journal {
    /// The journal at `path` (not opened yet).
    pub fn new(path: PathBuf) -> Journal {
        Journal { path, file: Mutex::new(None) }
    }

    /// The writer's journal in `out`: see [`journal_file_name`].
    pub fn for_writer(out: &Path, shard: Option<Shard>) -> Journal {
        Journal::new(out.join(journal_file_name(shard)))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `record` as one line and fsyncs it: once this returns `Ok`, the record survives a
    /// crash or a power loss.
    pub fn append(&self, record: &JournalRecord) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(record).map_err(std::io::Error::other)?;
        line.push(b'\n');
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        if file.is_none() {
            *file = Some(open_for_append(&self.path)?);
        }
        let handle = file.as_mut().expect("opened above");
        // One write of the whole line (O_APPEND): never interleaved with another writer's line.
        handle.write_all(&line)?;
        handle.sync_data()
    }
}

/// Opens (creating if needed) a journal file for appending. A new file's folder is fsync'd, so the
/// file itself survives a crash. An unterminated last line (a crash mid-append) is cut off if it is
/// not a whole record, so the next record starts on a line of its own.
fn open_for_append(path: &Path) -> std::io::Result<File> {
    let existed = path.exists();
    let mut file = OpenOptions::new().read(true).append(true).create(true).open(path)?;
    if !existed {
        sync_dir(path.parent().unwrap_or(Path::new(".")))?;
    }
    let length = file.metadata()?.len();
    if length > 0 {
        let mut last = [0u8; 1];
        file.seek(SeekFrom::Start(length - 1))?;
        file.read_exact(&mut last)?;
        if last[0] != b'\n' {
            let mut bytes = Vec::new();
            file.seek(SeekFrom::Start(0))?;
            file.read_to_end(&mut bytes)?;
            let start = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            if serde_json::from_slice::<JournalRecord>(&bytes[start..]).is_ok() {
                file.write_all(b"\n")?;
            } else {
                file.set_len(start as u64)?;
            }
            file.sync_all()?;
        }
    }
    Ok(file)
}

/// fsyncs a folder, so that names created or renamed in it survive a crash.
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(customer: &str, package: &str) -> PackageKey {
        PackageKey { customer_id: customer.into(), renewal: "2027-02-05".into(), package: package.into() }
    }

    fn record(event: Event, customer: &str, package: &str, at: &str) -> JournalRecord {
        let mut record = JournalRecord::new(event, key(customer, package));
        record.at = at.into();
        record.path = format!("renewals/{customer}/{customer}-renewal-2027-02-05-{package}.pdf");
        record
    }

    #[test]
    fn appends_lines_and_loads_the_latest_state_per_package() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::for_writer(dir.path(), None);
        assert!(!journal.path().exists(), "created on the first append");
        journal.append(&record(Event::Produced, "a", "T-90", "2026-11-22T03:00:00.000Z")).unwrap();
        journal.append(&record(Event::Produced, "b", "T-60", "2026-11-22T03:00:01.000Z")).unwrap();
        journal.append(&record(Event::Sending, "a", "T-90", "2026-11-22T04:00:00.000Z")).unwrap();
        let shard = Journal::for_writer(dir.path(), Shard::new(2, 3));
        assert!(shard.path().ends_with("journal-2-of-3.jsonl"));
        shard.append(&record(Event::Sent, "a", "T-90", "2026-11-22T05:00:00.000Z")).unwrap();
        let text = fs::read_to_string(journal.path()).unwrap();
        assert_eq!(text.lines().count(), 3);
        assert!(text.lines().all(|l| l.starts_with("{\"schema\":1,")), "{text}");

        let state = load_folder(dir.path()).unwrap();
        assert_eq!(state.latest(&key("a", "T-90")).unwrap().event, Event::Sent);
        assert_eq!(state.latest(&key("b", "T-60")).unwrap().event, Event::Produced);
        assert_eq!(state.produced.len(), 2);
        assert_eq!(state.latest(&key("c", "T-30")), None);
    }

    #[test]
    fn a_torn_last_line_is_skipped_and_cut_before_the_next_append_but_other_damage_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::for_writer(dir.path(), None);
        journal.append(&record(Event::Produced, "a", "T-90", "2026-11-22T03:00:00.000Z")).unwrap();
        let mut file = OpenOptions::new().append(true).open(journal.path()).unwrap();
        file.write_all(b"{\"schema\":1,\"at\":\"2026-11-").unwrap();
        drop(file);
        assert_eq!(load(journal.path()).unwrap().len(), 1);
        // A new process appends after it: the torn tail is cut, the file stays valid.
        let again = Journal::for_writer(dir.path(), None);
        again.append(&record(Event::Produced, "b", "T-90", "2026-11-22T03:00:02.000Z")).unwrap();
        assert_eq!(load(journal.path()).unwrap().len(), 2);
        // Power-loss zeros are skipped; a damaged line in the middle is not silently dropped.
        let mut file = OpenOptions::new().append(true).open(journal.path()).unwrap();
        file.write_all(b"\0\0\0\0\nnot json\n").unwrap();
        file.write_all(&serde_json::to_vec(&record(Event::Produced, "c", "T-30", "x")).unwrap()).unwrap();
        file.write_all(b"\n").unwrap();
        drop(file);
        let error = load(journal.path()).unwrap_err();
        assert!(error.to_string().contains("journal.jsonl:4: the journal is not valid"), "{error}");
    }

    #[test]
    fn events_of_newer_versions_are_kept_as_unknown() {
        let line = r#"{"schema":1,"at":"2027-01-01T00:00:00.000Z","event":"bounced","customer_id":"a","renewal":"2027-02-05","package":"T-30","future_field":1}"#;
        let record: JournalRecord = serde_json::from_str(line).unwrap();
        assert_eq!(record.event, Event::Unknown);
        assert_eq!(record.key, key("a", "T-30"));
    }
}
