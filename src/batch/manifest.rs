//! `out/manifest.json`: what the last run did, the outputs index that makes reruns incremental, and
//! the renewal ledger (which package was produced for which renewal date). Modelled on dbt's
//! `run_results.json`; always written atomically.
//!
//! Schema 2 (docs/manifest.schema.json) is made for SQL engines and BI tools as much as for the next
//! run: every collection is an array of objects with fixed keys (never an object keyed by file path,
//! whose inferred schema changes with the data), and every reason and error has a code from a closed
//! set beside its human text. Version-1 manifests (outputs keyed by path, a nested ledger) are still
//! read; they are written as version 2.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::output::write_atomically_with;

pub const MANIFEST_FILE: &str = "manifest.json";
/// Version of the manifest's shape.
pub const SCHEMA: u32 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Rendered and written in this run.
    Written,
    /// Inputs unchanged since it was last written: the file on disk was kept.
    Unchanged,
    /// Not owed this run (e.g. a renewal package already produced).
    Skipped,
    Failed,
}

/// Why a report was written, kept or skipped: `reason`'s code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// Never written before.
    New,
    /// `--force`.
    Forced,
    /// The customer's files, the settings, the wording or the program changed.
    InputsChanged,
    /// Inputs unchanged: the file on disk was kept.
    Unchanged,
    /// The file on disk is not the one written: written again.
    FileModified,
    /// The file on disk is gone: written again.
    FileMissing,
    /// The run was stopped (SIGTERM, SIGINT) before this customer.
    NotStarted,
    /// The renewal date has passed: no package.
    RenewalPassed,
    /// No package is due on this day.
    NotDue,
    /// This package of this renewal was already produced.
    AlreadyProduced,
    /// A later package of this renewal was already produced.
    LaterProduced,
}

/// Why a report failed: `error`'s code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A file of the customer breaks the input contract (or account.csv is unusable).
    InputError,
    /// The report quarter has no goal data yet (refused without --allow-stale).
    Stale,
    /// The figures cannot be computed exactly.
    ValueError,
    /// A wording template does not render.
    CatalogError,
    /// The cover message of a renewal package could not be made or written.
    CoverMessage,
    /// The file could not be written.
    WriteError,
}

impl ErrorCode {
    pub fn of(error: &super::ReportError) -> ErrorCode {
        match error {
            super::ReportError::Input(_) => ErrorCode::InputError,
            super::ReportError::Value { .. } => ErrorCode::ValueError,
            super::ReportError::Stale { .. } => ErrorCode::Stale,
            super::ReportError::Catalog(_) => ErrorCode::CatalogError,
            super::ReportError::Write { .. } => ErrorCode::WriteError,
        }
    }
}

/// One report of one customer in one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportResult {
    pub customer_dir: String,
    pub customer_id: Option<String>,
    /// `quarterly-executive`, `quarterly-team`, `renewal-T-90`, `renewal-T-60`, `renewal-T-30`.
    pub kind: String,
    /// Relative to the output folder.
    pub path: Option<String>,
    pub status: Status,
    /// Why it was written, kept or skipped: the code (absent in version-1 manifests) …
    #[serde(default)]
    pub reason_code: Option<ReasonCode>,
    /// … and the text.
    pub reason: Option<String>,
    /// Why it failed: the code (absent in version-1 manifests) and the text.
    #[serde(default)]
    pub error_code: Option<ErrorCode>,
    pub error: Option<String>,
    pub fingerprint: Option<String>,
    pub sha256: Option<String>,
    pub bytes: Option<u64>,
    pub pages: Option<u32>,
    pub elapsed_ms: u64,
    /// Something the operator should know about this report, printed as a `note:` line (e.g. the
    /// renewal date moved). Absent when there is nothing to say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl ReportResult {
    /// A result with only what every result has; the rest is filled in as the report is handled.
    pub fn new(dir: &str, id: Option<&str>, kind: &str, status: Status) -> ReportResult {
        ReportResult {
            customer_dir: dir.to_string(),
            customer_id: id.map(str::to_string),
            kind: kind.to_string(),
            path: None,
            status,
            reason_code: None,
            reason: None,
            error_code: None,
            error: None,
            fingerprint: None,
            sha256: None,
            bytes: None,
            pages: None,
            elapsed_ms: 0,
            note: None,
        }
    }
}

/// The last good state of one output file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputRecord {
    pub customer_id: String,
    pub kind: String,
    pub fingerprint: String,
    pub sha256: String,
    pub bytes: u64,
    pub pages: u32,
}

/// A renewal package that was produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub as_of: String,
    pub report_quarter: String,
    pub path: String,
    pub sha256: String,
    /// The renewal date when the package was produced. The ledger is keyed by the renewal's
    /// identity (its date when its first package was produced, see `renewal.rs`); after a move
    /// within the tolerance this is the newer date. Absent in manifests written before renewals
    /// could move: there it is the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal_date: Option<String>,
}

/// A file of the run as a whole (results.csv, results.jsonl, the portfolio PDF).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunOutput {
    /// `results-csv`, `results-jsonl` or `portfolio`.
    pub kind: String,
    /// Relative to the output folder.
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
    /// Pages of a PDF.
    pub pages: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    pub customers: u64,
    pub written: u64,
    pub unchanged: u64,
    pub skipped: u64,
    pub failed: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    pub total_ms: u64,
    pub discover_ms: u64,
    /// Sum over reports of the time spent loading, computing, rendering and writing them.
    pub reports_ms: u64,
    /// Writing the run's own files after the customers (results, portfolio); 0 in version 1.
    #[serde(default)]
    pub run_files_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub schema: u32,
    pub tool: String,
    pub version: String,
    /// `run` or `renewals` (a merged manifest keeps its shards' command).
    pub command: String,
    pub as_of: String,
    pub report_quarter: String,
    /// `K/N` for a sharded run.
    pub shard: Option<String>,
    /// Wall-clock time the run finished (UTC); the only clock reading, and it is not in any report.
    pub finished_at: String,
    pub counts: Counts,
    pub timings: Timings,
    /// This run's reports, sorted by customer folder and kind.
    pub results: Vec<ReportResult>,
    /// Output path (relative) → its last good state, kept across runs for incremental reruns.
    /// Written as an array of objects with a `path` key (schema 2); a version-1 object keyed by path
    /// is read too.
    #[serde(with = "outputs_list")]
    pub outputs: BTreeMap<String, OutputRecord>,
    /// customer_id → renewal date → package label → entry, kept across runs. Written as an array of
    /// objects with `customer_id`, `renewal` and `package` keys (schema 2); a version-1 nested
    /// object is read too.
    #[serde(with = "ledger_list")]
    pub renewals: BTreeMap<String, BTreeMap<String, BTreeMap<String, LedgerEntry>>>,
    /// The run's own files (results, portfolio); absent in version-1 manifests.
    #[serde(default)]
    pub run_outputs: Vec<RunOutput>,
}

/// `outputs` as an array of `{path, …record}` (schema 2), read from that or a version-1 map.
mod outputs_list {
    use super::*;

    #[derive(Serialize, Deserialize)]
    struct Entry {
        path: String,
        #[serde(flatten)]
        record: OutputRecord,
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        List(Vec<Entry>),
        Map(BTreeMap<String, OutputRecord>),
    }

    pub fn serialize<S: serde::Serializer>(map: &BTreeMap<String, OutputRecord>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(map.iter().map(|(path, record)| Entry { path: path.clone(), record: record.clone() }))
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<String, OutputRecord>, D::Error> {
        Ok(match Either::deserialize(d)? {
            Either::List(entries) => entries.into_iter().map(|e| (e.path, e.record)).collect(),
            Either::Map(map) => map,
        })
    }
}

type Ledger = BTreeMap<String, BTreeMap<String, BTreeMap<String, LedgerEntry>>>;

/// `renewals` as an array of `{customer_id, renewal, package, …entry}` (schema 2), read from that or
/// a version-1 nested map.
mod ledger_list {
    use super::*;

    #[derive(Serialize, Deserialize)]
    struct Entry {
        customer_id: String,
        /// The renewal's identity: its date when its first package was produced.
        renewal: String,
        package: String,
        #[serde(flatten)]
        entry: LedgerEntry,
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        List(Vec<Entry>),
        Map(Ledger),
    }

    pub fn serialize<S: serde::Serializer>(ledger: &Ledger, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(ledger.iter().flat_map(|(customer_id, renewals)| {
            renewals.iter().flat_map(move |(renewal, packages)| {
                packages.iter().map(move |(package, entry)| Entry {
                    customer_id: customer_id.clone(),
                    renewal: renewal.clone(),
                    package: package.clone(),
                    entry: entry.clone(),
                })
            })
        }))
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Ledger, D::Error> {
        Ok(match Either::deserialize(d)? {
            Either::List(entries) => {
                let mut ledger = Ledger::new();
                for e in entries {
                    ledger.entry(e.customer_id).or_default().entry(e.renewal).or_default().insert(e.package, e.entry);
                }
                ledger
            }
            Either::Map(ledger) => ledger,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("{}: cannot read the manifest: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{}: the manifest is not valid ({message}); move it away to start a fresh one (the journal and the package files on disk keep the renewal ledger; a package in neither may be produced again)", path.display())]
    Invalid { path: PathBuf, message: String },
    #[error("{}: cannot write the manifest: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
    #[error("{0}")]
    Merge(String),
}

impl Manifest {
    pub fn new(command: &str, as_of: &str, report_quarter: &str, shard: Option<String>) -> Manifest {
        Manifest {
            schema: SCHEMA,
            tool: "valuereport".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            command: command.into(),
            as_of: as_of.into(),
            report_quarter: report_quarter.into(),
            shard,
            finished_at: String::new(),
            counts: Counts::default(),
            timings: Timings::default(),
            results: Vec::new(),
            outputs: BTreeMap::new(),
            renewals: BTreeMap::new(),
            run_outputs: Vec::new(),
        }
    }

    /// The manifest at `path`, `None` if there is none yet.
    pub fn load(path: &Path) -> Result<Option<Manifest>, ManifestError> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(ManifestError::Read { path: path.to_path_buf(), source }),
        };
        let manifest: Manifest = serde_json::from_slice(&bytes)
            .map_err(|e| ManifestError::Invalid { path: path.to_path_buf(), message: e.to_string() })?;
        if manifest.schema == 0 || manifest.schema > SCHEMA {
            let message = format!(
                "schema {} is not one this version reads (1 to {SCHEMA}): written by a newer valuereport?",
                manifest.schema
            );
            return Err(ManifestError::Invalid { path: path.to_path_buf(), message });
        }
        Ok(Some(manifest))
    }

    /// The union of every manifest in an output folder (`manifest.json` and `manifest-K-of-N.json`):
    /// their output indexes and renewal ledgers. Entries of later runs win.
    pub fn load_folder(out: &Path) -> Result<Manifest, ManifestError> {
        let mut union = Manifest::new("", "", "", None);
        let mut parts = Vec::new();
        for path in manifest_files(out) {
            if let Some(manifest) = Manifest::load(&path)? {
                parts.push(manifest);
            }
        }
        parts.sort_by(|a, b| a.finished_at.cmp(&b.finished_at));
        for part in parts {
            union.absorb(&part);
        }
        Ok(union)
    }

    /// Adds `other`'s output index and renewal ledger to this one's.
    fn absorb(&mut self, other: &Manifest) {
        self.outputs.extend(other.outputs.iter().map(|(k, v)| (k.clone(), v.clone())));
        for (customer, dates) in &other.renewals {
            let into = self.renewals.entry(customer.clone()).or_default();
            for (date, packages) in dates {
                into.entry(date.clone()).or_default().extend(packages.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
    }

    pub fn save(&self, path: &Path) -> Result<(), ManifestError> {
        // Serialized straight to the file: at 10,000 customers the text is tens of MB.
        write_atomically_with(path, |file| {
            serde_json::to_writer_pretty(&mut *file, self).map_err(std::io::Error::other)?;
            file.write_all(b"\n")
        })
        .map_err(|source| ManifestError::Write { path: path.to_path_buf(), source })
    }

    /// Whether a renewal package was already produced for this renewal date.
    pub fn produced(&self, customer_id: &str, renewal_date: &str, package: &str) -> Option<&LedgerEntry> {
        self.renewals.get(customer_id)?.get(renewal_date)?.get(package)
    }

    /// Combines shard manifests of one run into one (`valuereport manifest merge`).
    pub fn merge(parts: Vec<Manifest>) -> Result<Manifest, ManifestError> {
        let first = parts.first().ok_or_else(|| ManifestError::Merge("no shard manifests to merge".into()))?;
        let mut merged = Manifest::new(&first.command, &first.as_of, &first.report_quarter, None);
        merged.finished_at = parts.iter().map(|p| p.finished_at.clone()).max().unwrap_or_default();
        let run = |m: &Manifest| (m.command.clone(), m.as_of.clone(), m.report_quarter.clone());
        // Every shard K/N of one N, each once: a missing shard would silently drop customers.
        let mut shards: Vec<(u32, u32)> = parts
            .iter()
            .filter_map(|p| p.shard.as_deref()?.parse::<super::plan::Shard>().ok().map(|s| (s.index, s.count)))
            .collect();
        shards.sort();
        let count = shards.first().map_or(0, |s| s.1);
        let expected: Vec<(u32, u32)> = (1..=count).map(|k| (k, count)).collect();
        if shards.len() != parts.len() || shards != expected {
            let found: Vec<String> = shards.iter().map(|(k, n)| format!("{k}/{n}")).collect();
            return Err(ManifestError::Merge(format!(
                "expected the shard manifests 1/N … N/N of one run, found {}",
                if found.is_empty() { "none with a shard".to_string() } else { found.join(", ") }
            )));
        }
        for part in &parts {
            if run(part) != run(first) {
                return Err(ManifestError::Merge(format!(
                    "shard manifests are from different runs: {} {} as of {} and {} {} as of {}",
                    first.command, first.report_quarter, first.as_of, part.command, part.report_quarter, part.as_of
                )));
            }
            let c = &part.counts;
            merged.counts.customers += c.customers;
            merged.counts.written += c.written;
            merged.counts.unchanged += c.unchanged;
            merged.counts.skipped += c.skipped;
            merged.counts.failed += c.failed;
            merged.timings.total_ms = merged.timings.total_ms.max(part.timings.total_ms);
            merged.timings.discover_ms = merged.timings.discover_ms.max(part.timings.discover_ms);
            merged.timings.reports_ms += part.timings.reports_ms;
            merged.results.extend(part.results.iter().cloned());
            merged.absorb(part);
        }
        merged.results.sort_by(|a, b| (&a.customer_dir, &a.kind).cmp(&(&b.customer_dir, &b.kind)));
        Ok(merged)
    }
}

/// `manifest.json` and every `manifest-K-of-N.json` in `out`, sorted by name.
pub fn manifest_files(out: &Path) -> Vec<PathBuf> {
    super::output::files_named(out, |name| {
        name == MANIFEST_FILE || (name.starts_with("manifest-") && name.contains("-of-") && name.ends_with(".json"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(dir: &str, status: Status) -> ReportResult {
        let mut result = ReportResult::new(dir, Some(dir), "quarterly-team", status);
        result.path = Some(format!("2026-Q3/{dir}/{dir}.pdf"));
        result.elapsed_ms = 3;
        result
    }

    #[test]
    fn saves_loads_and_merges() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = Manifest::new("run", "2026-11-22", "2026-Q3", Some("1/2".into()));
        a.results.push(result("b", Status::Written));
        a.counts.written = 1;
        let entry = LedgerEntry {
            as_of: "2026-11-22".into(),
            report_quarter: "2026-Q3".into(),
            path: "x".into(),
            sha256: "y".into(),
            renewal_date: None,
        };
        a.renewals.entry("b".into()).or_default().entry("2027-01-31".into()).or_default().insert("T-60".into(), entry);
        let mut b = Manifest::new("run", "2026-11-22", "2026-Q3", Some("2/2".into()));
        b.results.push(result("a", Status::Failed));
        b.counts.failed = 1;
        let path = dir.path().join("m.json");
        a.save(&path).unwrap();
        assert_eq!(Manifest::load(&path).unwrap().unwrap(), a);
        assert_eq!(Manifest::load(&dir.path().join("none.json")).unwrap(), None);

        let merged = Manifest::merge(vec![a.clone(), b.clone()]).unwrap();
        assert_eq!(merged.shard, None);
        assert_eq!((merged.counts.written, merged.counts.failed), (1, 1));
        assert_eq!(merged.results.iter().map(|r| r.customer_dir.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        assert!(merged.produced("b", "2027-01-31", "T-60").is_some());

        // Shards of another day, a missing shard, or a duplicate are refused.
        let other_day = Manifest::new("run", "2026-11-23", "2026-Q3", Some("1/2".into()));
        assert!(Manifest::merge(vec![other_day, b.clone()]).is_err());
        assert!(Manifest::merge(vec![b.clone()]).unwrap_err().to_string().contains("found 2/2"));
        assert!(Manifest::merge(vec![a.clone(), a.clone()]).is_err());
        assert!(Manifest::merge(vec![Manifest::new("run", "2026-11-22", "2026-Q3", None)]).is_err());
    }

    #[test]
    fn a_folder_union_keeps_every_ledger() {
        let dir = tempfile::tempdir().unwrap();
        let entry = |as_of: &str| LedgerEntry {
            as_of: as_of.into(),
            report_quarter: "2026-Q3".into(),
            path: "p".into(),
            sha256: "s".into(),
            renewal_date: None,
        };
        let mut merged = Manifest::new("renewals", "2026-11-01", "2026-Q3", None);
        merged
            .renewals
            .entry("a".into())
            .or_default()
            .entry("2027-01-31".into())
            .or_default()
            .insert("T-90".into(), entry("2026-11-01"));
        merged.save(&dir.path().join(MANIFEST_FILE)).unwrap();
        let mut shard = Manifest::new("run", "2026-11-22", "2026-Q3", Some("2/3".into()));
        shard
            .renewals
            .entry("b".into())
            .or_default()
            .entry("2027-02-01".into())
            .or_default()
            .insert("T-60".into(), entry("2026-11-22"));
        shard.save(&dir.path().join("manifest-2-of-3.json")).unwrap();
        std::fs::write(dir.path().join("notes.json"), "not a manifest").unwrap();
        let union = Manifest::load_folder(dir.path()).unwrap();
        assert!(union.produced("a", "2027-01-31", "T-90").is_some());
        assert!(union.produced("b", "2027-02-01", "T-60").is_some());
    }

    #[test]
    fn a_corrupt_manifest_is_an_error_not_a_silent_reset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("manifest.json");
        std::fs::write(&path, "{ truncated").unwrap();
        let error = Manifest::load(&path).unwrap_err();
        assert!(error.to_string().contains("not valid"), "{error}");
    }
}
