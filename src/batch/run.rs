//! Whole runs: quarterly reports for every customer (`run`) and renewal packages (`renewals`).
//!
//! A run plans from `account.csv` alone (ids, renewal dates), then handles customers in parallel,
//! each loaded, computed, rendered and written inside its own task, so memory does not grow with the
//! batch. One customer's failure never stops the others. Every file is written atomically; the
//! manifest, written last, records what happened and what is owed next time.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use chrono::NaiveDate;
use rayon::prelude::*;

use super::fingerprint::{customer_files, fingerprint, sha256_hex};
use super::journal::{self, Event, Journal, JournalError, JournalRecord, JournalState, PackageKey};
use super::lock::{FolderLock, LockError, Role};
use super::manifest::{
    ErrorCode, LedgerEntry, Manifest, ManifestError, OutputRecord, ReasonCode, ReportResult, Status, MANIFEST_FILE,
};
use super::output::{remove_stale_temporaries, write_atomically};
use super::plan::{Package, Shard};
use super::renewal::{self, CustomerLedger, Resolved};
use super::results::{CustomerResult, RowReason, RowStatus};
use super::{report_pdf, ReportOptions};
use crate::content::catalog::Catalogs;
use crate::content::renewal::{RenewalContext, Since};
use crate::content::report::Edition;
use crate::discover::{discover, DiscoverError};
use crate::load::{load_account_with, load_customer_with, load_settings, InputError, LoadOptions, SETTINGS_FILE};
use crate::model::{Account, Settings};
use crate::quarter::Quarter;
use crate::render::pdf::Paper;

/// What a run produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Quarterly reports of `quarter`, one per edition.
    Quarterly { quarter: Quarter, editions: Vec<Edition> },
    /// The renewal package due at `as_of`, for every customer.
    Renewals,
}

pub struct RunOptions<'a> {
    pub input: &'a Path,
    pub out: &'a Path,
    pub mode: Mode,
    pub as_of: NaiveDate,
    pub paper: Paper,
    /// Tagged archival PDFs (the default) or plain ones.
    pub pdf_standard: crate::render::archive::PdfStandard,
    pub catalogs: &'a Catalogs,
    /// Report language for every customer; `None` uses each customer's `locale`.
    pub locale: Option<crate::model::Locale>,
    /// Worker threads.
    pub jobs: usize,
    /// Re-render even when nothing changed (and produce renewal packages again).
    pub force: bool,
    /// Plan only: write nothing.
    pub dry_run: bool,
    pub shard: Option<Shard>,
    /// Report customers whose report quarter has no goal data yet (see `ReportOptions::allow_stale`).
    pub allow_stale: bool,
    /// Set (to the signal's number) when the run should stop: no new customer is started, the
    /// customers in progress finish, the journal and manifest are saved.
    pub stop: Option<&'a AtomicUsize>,
    /// `renewals --send`: deliver the cover messages of the packages owed (after producing them).
    pub delivery: Option<Delivering<'a>>,
}

/// What `renewals --send` sends with.
pub struct Delivering<'a> {
    pub mailer: &'a crate::delivery::Mailer,
    pub resend: crate::delivery::Resend,
}

/// Errors that stop a run before it writes anything (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Discover(#[from] DiscoverError),
    #[error("{0}")]
    Settings(InputError),
    #[error("{}: the output folder is a file, not a folder", .0.display())]
    OutputIsFile(PathBuf),
    #[error("{}: cannot create the output folder: {source}", path.display())]
    Output { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error(transparent)]
    Journal(#[from] JournalError),
}

/// Told about progress as customers finish (implemented at the command-line edge).
pub trait Progress: Sync {
    fn start(&self, customers: u64);
    /// One customer is done; `results` are its reports.
    fn customer_done(&self, customer_dir: &str, results: &[ReportResult]);
    fn finish(&self);
}

/// No progress reporting.
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _: u64) {}
    fn customer_done(&self, _: &str, _: &[ReportResult]) {}
    fn finish(&self) {}
}

/// What a run did (or, in a dry run, would do).
pub struct Outcome {
    /// Set when the reports were written but the manifest could not be saved.
    pub manifest_error: Option<ManifestError>,
    pub manifest: Manifest,
    /// Where the manifest was (or would be) written.
    pub manifest_path: PathBuf,
    /// Entries under INPUT that were skipped (symbolic links, folders without account.csv).
    pub skipped_entries: Vec<(PathBuf, String)>,
    /// Entries under INPUT that could not be read: the run fails (a customer may be in one).
    pub unreadable_entries: Vec<(PathBuf, String)>,
    /// Run-level notes (packages adopted from disk), printed as `note:` lines.
    pub notes: Vec<String>,
    /// Journal appends that failed: the packages are on disk and in the manifest, but were not
    /// journaled when written (the run fails, exit 1).
    pub journal_errors: Vec<String>,
    /// The signal that stopped the run (SIGTERM 15, SIGINT 2), if one did.
    pub stopped_by: Option<i32>,
    /// Customers with reports owed that were not started because the run was stopped.
    pub not_started: usize,
    /// `renewals --send`: what happened to each cover message owed.
    pub deliveries: Vec<crate::delivery::DeliveryLine>,
}

impl Outcome {
    pub fn failed(&self) -> bool {
        self.manifest.counts.failed > 0
            || self.manifest_error.is_some()
            || !self.unreadable_entries.is_empty()
            || !self.journal_errors.is_empty()
            || self.deliveries.iter().any(|d| d.delivery.needs_attention())
    }

    /// The files this run wrote, in result order, then the run's own files (results, portfolio):
    /// (customer_id, kind, path relative to the output folder); a run file has no customer_id ("").
    pub fn written(&self) -> Vec<(&str, &str, &str)> {
        self.manifest
            .results
            .iter()
            .filter(|r| r.status == Status::Written)
            .filter_map(|r| Some((r.customer_id.as_deref().unwrap_or(""), r.kind.as_str(), r.path.as_deref()?)))
            .chain(self.manifest.run_outputs.iter().map(|o| ("", o.kind.as_str(), o.path.as_str())))
            .collect()
    }
}

/// The name of a signal that stops a run.
pub fn signal_name(signal: i32) -> String {
    match signal {
        2 => "SIGINT".to_string(),
        15 => "SIGTERM".to_string(),
        other => format!("signal {other}"),
    }
}

/// One report owed by one customer.
#[derive(Debug, Clone)]
struct Job {
    kind: String,
    /// Relative to the output folder.
    path: String,
    edition: Edition,
    quarter: Quarter,
    renewal: Option<RenewalContext>,
}

/// A customer and what the run owes it (or why it owes nothing).
struct Task {
    dir: PathBuf,
    account: Result<Account, String>,
    jobs: Vec<Job>,
    /// Results decided at planning time (skipped packages, planning errors).
    planned: Vec<ReportResult>,
    /// For a renewal package owed: which renewal it belongs to (recorded when it is written).
    renewal: Option<RenewalRef>,
}

/// The renewal a package job belongs to.
#[derive(Debug, Clone)]
struct RenewalRef {
    /// The renewal's identity (ledger key).
    key: String,
    /// The renewal date in `account.csv` (the one in the file name).
    date: String,
    package: Package,
    /// Said when the package is written (a moved or replaced renewal).
    note: Option<String>,
}

/// customer_id → renewal key → package label → entry.
type Ledger = BTreeMap<String, CustomerLedger>;

/// The ledger seen through renewal identities: a renewal date resolves to the renewal it belongs to.
struct RenewalBook<'a> {
    ledger: &'a Ledger,
    as_of: NaiveDate,
    tolerance_days: u32,
}

impl RenewalBook<'_> {
    fn resolve(&self, id: &str, date: NaiveDate) -> Resolved<'_> {
        renewal::resolve(self.ledger.get(id), date, self.as_of, self.tolerance_days)
    }

    /// The package of the renewal that `date` belongs to, if it was produced.
    fn produced(&self, id: &str, date: &str, package: &str) -> Option<&LedgerEntry> {
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
        self.resolve(id, date).packages?.get(package)
    }
}

/// `renewals`, `run shard 2/4`: who writes, as journal records and lock files say it.
fn writer_name(command: &str, shard: Option<Shard>) -> String {
    shard.map_or_else(|| command.to_string(), |s| format!("{command} shard {s}"))
}

fn join_errors(errors: &[InputError]) -> String {
    errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

/// Runs a batch. Returns `Err` only for problems that stop the whole run; customers' problems are
/// failures in the outcome.
pub fn execute(options: &RunOptions, progress: &dyn Progress) -> Result<Outcome, RunError> {
    let started = Instant::now();
    let out = options.out;
    if out.exists() && !out.is_dir() {
        return Err(RunError::OutputIsFile(out.to_path_buf()));
    }
    let settings = load_settings(options.input).map_err(RunError::Settings)?;
    // The settings file and what it brings in (the root's metric labels, the logo): a change to any
    // of them re-renders the reports.
    let mut settings_bytes = std::fs::read(options.input.join(SETTINGS_FILE)).unwrap_or_default();
    settings_bytes.extend(settings.brand_fingerprint());
    let discovered = discover(options.input)?;
    let manifest_name = options.shard.map_or_else(|| MANIFEST_FILE.to_string(), |s| s.manifest_name());
    let manifest_path = out.join(&manifest_name);

    let (quarter, command) = match &options.mode {
        Mode::Quarterly { quarter, .. } => (*quarter, "run"),
        Mode::Renewals => (Quarter::last_ended_on_or_before(options.as_of), "renewals"),
    };
    // One writer per output folder (lock.rs), taken before reading the manifests and journals: a
    // concurrent run could be about to rewrite them.
    let _lock = if options.dry_run {
        None
    } else {
        std::fs::create_dir_all(out).map_err(|source| RunError::Output { path: out.to_path_buf(), source })?;
        let lock = FolderLock::acquire(out, options.shard.map_or(Role::Exclusive, Role::Shard), command)?;
        remove_stale_temporaries(out);
        Some(lock)
    };
    // Every manifest in the folder (merged and per shard) contributes its ledger and output index, so
    // sharded, unsharded and re-sharded runs never forget a package or re-render needlessly; the
    // journals add the packages produced since (by runs that were killed or stopped, too).
    let previous = Manifest::load_folder(out)?;
    let journal_state = journal::load_folder(out)?;

    let mut manifest =
        Manifest::new(command, &options.as_of.to_string(), &quarter.to_string(), options.shard.map(|s| s.to_string()));
    manifest.outputs = previous.outputs.clone();
    manifest.renewals = previous.renewals.clone();
    let writer = writer_name(command, options.shard);
    let journal = (!options.dry_run).then(|| Journal::for_writer(out, options.shard));
    let reconciled = reconcile(
        &mut manifest.renewals,
        &journal_state,
        &Reconcile {
            out,
            shard: options.shard,
            as_of: options.as_of,
            quarter,
            tolerance_days: settings.renewals.date_tolerance_days,
            journal: journal.as_ref(),
            writer: &writer,
        },
    );
    let discover_ms = started.elapsed().as_millis() as u64;
    let book = RenewalBook {
        ledger: &manifest.renewals,
        as_of: options.as_of,
        tolerance_days: settings.renewals.date_tolerance_days,
    };
    let ledger =
        |id: &str, date: &str, package: &str| -> Option<LedgerEntry> { book.produced(id, date, package).cloned() };

    let load_options = LoadOptions::from_settings(&settings);
    let tasks = plan(options, &load_options, &discovered.customers, quarter, &ledger, &book);
    progress.start(tasks.len() as u64);
    let context = Context {
        options,
        settings: &settings,
        settings_bytes: &settings_bytes,
        previous: Some(&previous),
        journal: journal.as_ref(),
        writer: &writer,
        recorded: Mutex::new(Vec::new()),
        journal_errors: Mutex::new(reconciled.errors),
        not_started: AtomicUsize::new(0),
        rows: matches!(options.mode, Mode::Quarterly { .. }).then(|| Mutex::new(Vec::new())),
    };
    let trimmer = super::memory::Trimmer::default();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(options.jobs.max(1)).build().expect("a thread pool");
    let mut results: Vec<ReportResult> = pool.install(|| {
        tasks
            .into_par_iter()
            .flat_map_iter(|task| {
                let dir = task.dir.display().to_string();
                // Stopped (SIGTERM, SIGINT): customers not started yet are left for the next run.
                if let Some(signal) = context.stopped().filter(|_| !task.jobs.is_empty()) {
                    context.not_started.fetch_add(1, Ordering::Relaxed);
                    return context.not_started(task, signal);
                }
                let results = context.handle(task);
                trimmer.customer_done();
                progress.customer_done(&dir, &results);
                results
            })
            .collect()
    });
    progress.finish();
    results.sort_by(|a, b| (&a.customer_dir, &a.kind).cmp(&(&b.customer_dir, &b.kind)));

    // Delivery comes after production, still under the folder's lock, from the journal as it now is
    // (the packages just produced, and those queued or unconfirmed by earlier runs).
    let deliveries = match (&options.delivery, &journal) {
        (Some(delivering), Some(journal)) => match journal::load_folder(out) {
            Ok(state) => {
                let outbox = crate::delivery::Outbox {
                    out,
                    shard: options.shard,
                    journal,
                    writer: &writer,
                    as_of: options.as_of,
                    resend: delivering.resend,
                };
                outbox.deliver(&state, delivering.mailer, &|| context.stopped().is_some())
            }
            Err(e) => {
                context.journal_errors.lock().unwrap_or_else(|p| p.into_inner()).push(e.to_string());
                Vec::new()
            }
        },
        _ => Vec::new(),
    };

    // The run's own files: results for every customer (and the portfolio, unsharded), unless the run
    // was stopped (the rows would be incomplete) or is a dry run. Written before the manifest's
    // records are made: at 10,000 customers the portfolio's layout and the records would otherwise
    // be in memory together.
    let stopped = options.stop.is_some_and(|s| s.load(Ordering::SeqCst) != 0);
    let mut run_errors = Vec::new();
    if let (Some(rows), false, false) = (context.rows, options.dry_run, stopped) {
        let mut rows = rows.into_inner().unwrap_or_else(|p| p.into_inner());
        super::results::sort(&mut rows);
        let files = super::portfolio::RunFiles {
            out,
            quarter,
            as_of: options.as_of,
            shard: options.shard,
            settings: &settings,
            paper: options.paper,
            pdf_standard: options.pdf_standard,
        };
        let writing = Instant::now();
        let written = super::portfolio::write_run_files(&files, rows);
        manifest.timings.run_files_ms = writing.elapsed().as_millis() as u64;
        match written {
            Ok(outputs) => manifest.run_outputs = outputs,
            Err(error) => run_errors.push(error),
        }
    }
    let mut customers: Vec<&str> = results.iter().map(|r| r.customer_dir.as_str()).collect();
    customers.dedup();
    manifest.counts.customers = customers.len() as u64;
    for r in &results {
        match r.status {
            Status::Written => manifest.counts.written += 1,
            Status::Unchanged => manifest.counts.unchanged += 1,
            Status::Skipped => manifest.counts.skipped += 1,
            Status::Failed => manifest.counts.failed += 1,
        }
        manifest.timings.reports_ms += r.elapsed_ms;
        if let (
            Status::Written | Status::Unchanged,
            Some(path),
            Some(id),
            Some(fp),
            Some(sha),
            Some(bytes),
            Some(pages),
        ) = (r.status, &r.path, &r.customer_id, &r.fingerprint, &r.sha256, r.bytes, r.pages)
        {
            let record = OutputRecord {
                customer_id: id.clone(),
                kind: r.kind.clone(),
                fingerprint: fp.clone(),
                sha256: sha.clone(),
                bytes,
                pages,
            };
            manifest.outputs.insert(path.clone(), record);
        }
    }
    // The packages written, under their renewal's identity (as journaled when each was written).
    let recorded = context.recorded.into_inner().unwrap_or_else(|p| p.into_inner());
    for (id, key, package, entry) in recorded {
        manifest.renewals.entry(id).or_default().entry(key).or_default().insert(package, entry);
    }
    let journal_errors = context.journal_errors.into_inner().unwrap_or_else(|p| p.into_inner());
    let not_started = context.not_started.into_inner();
    manifest.results = results;
    manifest.timings.discover_ms = discover_ms;
    manifest.timings.total_ms = started.elapsed().as_millis() as u64;
    let mut journal_errors = journal_errors;
    journal_errors.extend(run_errors);
    manifest.finished_at = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    // Reports are already on disk: a manifest that cannot be saved fails the run (exit 1), it does
    // not make it a usage error.
    let manifest_error = if options.dry_run { None } else { manifest.save(&manifest_path).err() };
    Ok(Outcome {
        manifest_error,
        manifest,
        manifest_path,
        skipped_entries: discovered.skipped,
        unreadable_entries: discovered.unreadable,
        notes: reconciled.notes,
        journal_errors,
        stopped_by: options.stop.map(|s| s.load(Ordering::SeqCst) as i32).filter(|&s| s != 0),
        not_started,
        deliveries,
    })
}

/// What `reconcile` works with.
struct Reconcile<'a> {
    out: &'a Path,
    shard: Option<Shard>,
    as_of: NaiveDate,
    quarter: Quarter,
    tolerance_days: u32,
    /// `None` in a dry run: adoptions are made in memory only.
    journal: Option<&'a Journal>,
    writer: &'a str,
}

/// What `reconcile` found.
struct Reconciled {
    notes: Vec<String>,
    errors: Vec<String>,
}

/// Brings the ledger up to date with what is known to exist when a run starts:
///
/// 1. packages in the journals (produced by runs that were killed, stopped, or could not save their
///    manifest) are added to the ledger;
/// 2. a package PDF under its final name in `renewals/` that is in neither (a run killed between
///    renaming the PDF into place and appending to the journal) is **adopted**: recorded from its
///    name and SHA-256, in the journal and the ledger, and never rendered again.
///
/// A shard adopts only the files of its own customers.
fn reconcile(ledger: &mut Ledger, state: &JournalState, r: &Reconcile) -> Reconciled {
    let mut done = Reconciled { notes: Vec::new(), errors: Vec::new() };
    for (key, record) in &state.produced {
        let packages = ledger.entry(key.customer_id.clone()).or_default().entry(key.renewal.clone()).or_default();
        let newer = packages.get(&key.package).is_none_or(|entry| record.as_of >= entry.as_of);
        if newer {
            let entry = LedgerEntry {
                as_of: record.as_of.clone(),
                report_quarter: record.report_quarter.clone(),
                path: record.path.clone(),
                sha256: record.sha256.clone(),
                renewal_date: Some(record.renewal_date.clone()).filter(|d| !d.is_empty()),
            };
            packages.insert(key.package.clone(), entry);
        }
    }
    let known: HashSet<String> = ledger
        .values()
        .flat_map(|renewals| renewals.values())
        .flat_map(|p| p.values())
        .map(|e| e.path.clone())
        .collect();
    for (id, date, package, path) in package_files(r.out) {
        if known.contains(&path) || r.shard.is_some_and(|s| !s.contains(&id)) {
            continue;
        }
        let bytes = match std::fs::read(r.out.join(&path)) {
            Ok(bytes) => bytes,
            Err(e) => {
                done.errors.push(format!("{}: cannot read a package to adopt it: {e}", r.out.join(&path).display()));
                continue;
            }
        };
        let resolved = renewal::resolve(ledger.get(&id), date, r.as_of, r.tolerance_days);
        if resolved.produced(package).is_some() {
            // Another file is already on record for this touchpoint of this renewal (e.g. one
            // produced again with --force after the date moved): this one is an older copy.
            continue;
        }
        let key = resolved.key.clone();
        let entry = LedgerEntry {
            as_of: r.as_of.to_string(),
            report_quarter: r.quarter.to_string(),
            path: path.clone(),
            sha256: super::fingerprint::sha256_hex(&bytes),
            renewal_date: Some(date.to_string()),
        };
        if let Some(journal) = r.journal {
            let mut record = journal_record(&id, &key, package, &entry, r.writer);
            record.adopted = true;
            if let Err(e) = journal.append(&record) {
                done.errors.push(format!("{}: cannot append to the journal: {e}", journal.path().display()));
            }
        }
        done.notes.push(format!(
            "{path}: complete on disk but on no record (a run was stopped between writing and recording it): adopted as {package} of the {key} renewal, not produced again"
        ));
        ledger.entry(id).or_default().entry(key).or_default().insert(package.label().to_string(), entry);
    }
    done
}

/// A journal record of a package produced (or adopted) by this process.
fn journal_record(id: &str, key: &str, package: Package, entry: &LedgerEntry, writer: &str) -> JournalRecord {
    let key =
        PackageKey { customer_id: id.to_string(), renewal: key.to_string(), package: package.label().to_string() };
    let mut record = JournalRecord::new(Event::Produced, key);
    record.renewal_date = entry.renewal_date.clone().unwrap_or_default();
    record.path = entry.path.clone();
    record.sha256 = entry.sha256.clone();
    record.as_of = entry.as_of.clone();
    record.report_quarter = entry.report_quarter.clone();
    record.writer = writer.to_string();
    record
}

/// Package PDFs under their final names in `out/renewals/<id>/`: (id, renewal date, package, path
/// relative to `out`). Hidden files (temporaries) and other names are ignored.
fn package_files(out: &Path) -> Vec<(String, NaiveDate, Package, String)> {
    let mut found = Vec::new();
    for folder in std::fs::read_dir(out.join("renewals")).into_iter().flatten().filter_map(Result::ok) {
        let id = folder.file_name().to_string_lossy().into_owned();
        if !folder.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        for file in std::fs::read_dir(folder.path()).into_iter().flatten().filter_map(Result::ok) {
            let name = file.file_name().to_string_lossy().into_owned();
            let Some(rest) = name.strip_prefix(&format!("{id}-renewal-")).and_then(|r| r.strip_suffix(".pdf")) else {
                continue;
            };
            let (Some(date), Some(label)) = (rest.get(..10), rest.get(11..)) else { continue };
            let (Ok(date), Some(package)) = (NaiveDate::parse_from_str(date, "%Y-%m-%d"), Package::parse(label)) else {
                continue;
            };
            if file.file_type().is_ok_and(|t| t.is_file()) && rest.as_bytes().get(10) == Some(&b'-') {
                found.push((id.clone(), date, package, format!("renewals/{id}/{name}")));
            }
        }
    }
    found.sort_by(|a, b| a.3.cmp(&b.3));
    found
}

/// Reads every account, settles duplicates and shards, and lists what each customer is owed.
fn plan(
    options: &RunOptions,
    load_options: &LoadOptions,
    dirs: &[PathBuf],
    quarter: Quarter,
    ledger: &dyn Fn(&str, &str, &str) -> Option<LedgerEntry>,
    book: &RenewalBook,
) -> Vec<Task> {
    let accounts: Vec<(PathBuf, Result<Account, String>)> = dirs
        .par_iter()
        .map(|dir| (dir.clone(), load_account_with(dir, load_options).map_err(|errors| join_errors(&errors))))
        .collect();
    let mut by_id: HashMap<String, Vec<usize>> = HashMap::new();
    for (index, (_, account)) in accounts.iter().enumerate() {
        if let Ok(account) = account {
            by_id.entry(account.customer_id.clone()).or_default().push(index);
        }
    }
    let mut duplicate_of: BTreeMap<usize, String> = BTreeMap::new();
    for (id, indices) in by_id.iter().filter(|(_, v)| v.len() > 1) {
        for &index in indices {
            let others: Vec<String> =
                indices.iter().filter(|&&i| i != index).map(|&i| accounts[i].0.display().to_string()).collect();
            duplicate_of.insert(
                index,
                format!("customer_id {id:?} is also used by {}; reports would overwrite each other", others.join(", ")),
            );
        }
    }

    let mut tasks = Vec::new();
    for (index, (dir, account)) in accounts.into_iter().enumerate() {
        // A customer without a readable id is reported by the shard its folder path hashes to.
        let shard_key = account.as_ref().map_or_else(|_| dir.display().to_string(), |a| a.customer_id.clone());
        if options.shard.is_some_and(|s| !s.contains(&shard_key)) {
            continue;
        }
        let dir_text = dir.display().to_string();
        let account = match (account, duplicate_of.remove(&index)) {
            (Ok(_), Some(duplicate)) => Err(duplicate),
            (account, _) => account,
        };
        let mut task = Task { dir, account, jobs: Vec::new(), planned: Vec::new(), renewal: None };
        let Ok(account) = &task.account else {
            tasks.push(task);
            continue;
        };
        let id = account.customer_id.as_str();
        match &options.mode {
            Mode::Quarterly { editions, .. } => {
                for &edition in editions {
                    let path = format!("{quarter}/{id}/{id}-{quarter}-{}.pdf", edition.as_str());
                    let kind = format!("quarterly-{}", edition.as_str());
                    task.jobs.push(Job { kind, path, edition, quarter, renewal: None });
                }
            }
            Mode::Renewals => {
                let renewal = account.renewal_date;
                let date = renewal.to_string();
                match Package::due(options.as_of, renewal) {
                    None => {
                        let days = (renewal - options.as_of).num_days();
                        let mut skipped = ReportResult::new(&dir_text, Some(id), "renewal", Status::Skipped);
                        skipped.reason_code =
                            Some(if days < 0 { ReasonCode::RenewalPassed } else { ReasonCode::NotDue });
                        skipped.reason = Some(if days < 0 {
                            format!("renewal date {date} has passed")
                        } else {
                            format!("renewal on {date} is {days} days away: no package is due")
                        });
                        task.planned.push(skipped);
                    }
                    Some(package) => {
                        let kind = format!("renewal-{package}");
                        let path = format!("renewals/{id}/{id}-renewal-{date}-{package}.pdf");
                        // The renewal this date belongs to (it may have moved: renewal.rs).
                        let resolved = book.resolve(id, renewal);
                        let moved = resolved.moved_from.map(|from| format!("renewal moved from {from} to {date}"));
                        let later = resolved.latest_produced().filter(|(latest, _)| *latest > package);
                        if let (Some(done), false) = (ledger(id, &date, package.label()), options.force) {
                            let mut skipped = ReportResult::new(&dir_text, Some(id), &kind, Status::Skipped);
                            skipped.path = Some(done.path.clone());
                            skipped.reason_code = Some(ReasonCode::AlreadyProduced);
                            skipped.reason = Some(match &moved {
                                Some(moved) => format!("{moved}; {package} already produced on {}", done.as_of),
                                None => format!("{package} for the {date} renewal was produced on {}", done.as_of),
                            });
                            skipped.note = moved.as_ref().and(skipped.reason.clone());
                            task.planned.push(skipped);
                        } else if let Some((latest, done)) = later {
                            // Never a touchpoint earlier than the latest produced (the date moved later).
                            let mut skipped = ReportResult::new(&dir_text, Some(id), &kind, Status::Skipped);
                            skipped.path = Some(done.path.clone());
                            let produced = format!(
                                "{latest} already produced on {}; {package} comes before it and is not produced",
                                done.as_of
                            );
                            skipped.reason_code = Some(ReasonCode::LaterProduced);
                            skipped.reason = Some(match &moved {
                                Some(moved) => format!("{moved}; {produced}"),
                                None => format!("{produced} for this renewal"),
                            });
                            skipped.note = skipped.reason.clone();
                            task.planned.push(skipped);
                        } else {
                            // The update follows up the latest earlier package of this renewal.
                            let since = match package {
                                Package::T30 => [Package::T60, Package::T90].into_iter().find_map(|earlier| {
                                    let entry = ledger(id, &date, earlier.label())?;
                                    Some(Since {
                                        as_of: NaiveDate::parse_from_str(&entry.as_of, "%Y-%m-%d").ok()?,
                                        report_quarter: entry.report_quarter.parse().ok()?,
                                    })
                                }),
                                _ => None,
                            };
                            let edition = package.edition();
                            let context =
                                Some(RenewalContext { touchpoint: package.into(), renewal_date: renewal, since });
                            task.jobs.push(Job { kind, path, edition, quarter, renewal: context });
                            let note = match (&moved, resolved.latest_produced(), resolved.replaces) {
                                (Some(moved), Some((latest, done)), _) => Some(format!(
                                    "{moved}; {latest} already produced on {}; {package} is due",
                                    done.as_of
                                )),
                                (Some(moved), None, _) => Some(format!("{moved}; {package} is due")),
                                (None, _, Some(from)) => Some(format!(
                                    "renewal date changed from {from} to {date}, {} days, not less than the {}-day tolerance: a new renewal; {package} is due",
                                    (renewal - from).num_days().abs(),
                                    book.tolerance_days
                                )),
                                (None, _, None) => None,
                            };
                            let key = resolved.key.clone();
                            task.renewal = Some(RenewalRef { key, date: date.clone(), package, note });
                        }
                    }
                }
            }
        }
        tasks.push(task);
    }
    tasks
}

/// What every task shares.
struct Context<'a> {
    options: &'a RunOptions<'a>,
    settings: &'a Settings,
    settings_bytes: &'a [u8],
    previous: Option<&'a Manifest>,
    /// Where renewal packages are journaled as they are written (`None` in a dry run).
    journal: Option<&'a Journal>,
    writer: &'a str,
    /// Packages written: (customer_id, renewal key, package label, entry).
    recorded: Mutex<Vec<(String, String, String, LedgerEntry)>>,
    journal_errors: Mutex<Vec<String>>,
    not_started: AtomicUsize,
    /// One row per customer for results.csv and the portfolio (quarterly runs only).
    rows: Option<Mutex<Vec<CustomerResult>>>,
}

impl Context<'_> {
    /// The signal that stopped the run, if any.
    fn stopped(&self) -> Option<i32> {
        self.options.stop.map(|s| s.load(Ordering::SeqCst) as i32).filter(|&s| s != 0)
    }

    /// A customer the run was stopped before: its reports are left for the next run.
    fn not_started(&self, task: Task, signal: i32) -> Vec<ReportResult> {
        let dir = task.dir.display().to_string();
        let id = task.account.as_ref().ok().map(|a| a.customer_id.clone());
        let mut results = task.planned;
        for job in task.jobs {
            let mut r = ReportResult::new(&dir, id.as_deref(), &job.kind, Status::Skipped);
            r.path = Some(job.path);
            r.reason_code = Some(ReasonCode::NotStarted);
            r.reason = Some(format!("not started: the run was stopped by {}", signal_name(signal)));
            results.push(r);
        }
        results
    }

    /// Records a package that was just renamed into place: the folder entry is fsync'd, then the
    /// journal appended and fsync'd, before anything else happens.
    fn record(&self, id: &str, renewal: &RenewalRef, job: &Job, full_path: &Path, sha256: &str) {
        let entry = LedgerEntry {
            as_of: self.options.as_of.to_string(),
            report_quarter: job.quarter.to_string(),
            path: job.path.clone(),
            sha256: sha256.to_string(),
            renewal_date: Some(renewal.date.clone()),
        };
        if let Some(journal) = self.journal {
            let synced = full_path.parent().map_or(Ok(()), journal::sync_dir);
            let record = journal_record(id, &renewal.key, renewal.package, &entry, self.writer);
            if let Err(e) = synced.and_then(|()| journal.append(&record)) {
                let error = format!("{}: cannot record {}: {e}", journal.path().display(), job.path);
                self.journal_errors.lock().unwrap_or_else(|p| p.into_inner()).push(error);
            }
        }
        let package = renewal.package.label().to_string();
        let recorded = (id.to_string(), renewal.key.clone(), package, entry);
        self.recorded.lock().unwrap_or_else(|p| p.into_inner()).push(recorded);
    }

    /// Writes a renewal package's cover message (`.eml`) beside where its PDF goes. `Ok(Some(_))` is
    /// a warning: no message could be addressed (no or bad csm_email); the package is still made,
    /// and a `--send` run reports it as not deliverable.
    fn write_cover(
        &self,
        customer: &crate::model::Customer,
        rendered: &super::Rendered,
        renewal: &RenewalRef,
        renewal_date: NaiveDate,
        pdf_path: &str,
        fingerprint: &str,
    ) -> Result<Option<String>, String> {
        let pdf_name = pdf_path.rsplit('/').next().unwrap_or(pdf_path);
        let request = crate::delivery::CoverRequest {
            customer,
            summary: &rendered.summary,
            touchpoint: renewal.package,
            renewal_date,
            renewal_key: &renewal.key,
            as_of: self.options.as_of,
            fingerprint,
            pdf_name,
            pdf: &rendered.bytes,
            catalogs: self.options.catalogs,
            settings: self.settings,
        };
        let eml = self.options.out.join(crate::delivery::cover_path(pdf_path));
        match crate::delivery::cover_message(&request) {
            Ok(message) => {
                write_atomically(&eml, &message.bytes)
                    .map_err(|e| format!("{}: cannot write the cover message: {e}", eml.display()))?;
                Ok(None)
            }
            Err(
                e
                @ (crate::delivery::CoverError::NoRecipient { .. } | crate::delivery::CoverError::BadRecipient { .. }),
            ) => {
                // An .eml of an earlier production would now be out of date.
                let _ = std::fs::remove_file(&eml);
                Ok(Some(format!("no cover message: {e}")))
            }
            Err(e) => Err(e.to_string()),
        }
    }

    fn handle(&self, task: Task) -> Vec<ReportResult> {
        let dir = task.dir.display().to_string();
        let renewal = task.renewal;
        let mut results = task.planned;
        let account = match task.account {
            Ok(account) => account,
            Err(error) => {
                let code = if error.contains(" is also used by ") {
                    RowReason::DuplicateCustomer
                } else {
                    RowReason::InputError
                };
                self.add_row(|| CustomerResult::failed(&dir, None, code, error.clone()));
                let mut failed = ReportResult::new(&dir, None, "customer", Status::Failed);
                failed.error = Some(error);
                results.push(failed);
                return results;
            }
        };
        let id = account.customer_id.as_str();
        if task.jobs.is_empty() {
            return results;
        }
        let inputs = match customer_files(&task.dir) {
            Ok(hash) => hash,
            Err(e) => {
                let error = format!("{dir}: cannot read the customer's files: {e}");
                self.add_row(|| CustomerResult::failed(&dir, Some(&account), RowReason::InputError, error.clone()));
                for job in &task.jobs {
                    let mut failed = ReportResult::new(&dir, Some(id), &job.kind, Status::Failed);
                    failed.error = Some(error.clone());
                    results.push(failed);
                }
                return results;
            }
        };
        // Loaded lazily: a customer whose reports are all unchanged is parsed only for its row of
        // results.csv (quarterly runs), never rendered.
        let mut customer = None;
        let mut summary = None;
        let first_result = results.len();
        for job in task.jobs {
            let started = Instant::now();
            let since = job.renewal.as_ref().and_then(|r| r.since.as_ref());
            let since_text = since.map(|s| format!("{}@{}", s.report_quarter, s.as_of)).unwrap_or_default();
            let fp = fingerprint(&[
                self.options.catalogs.source_digest(),
                self.options.locale.map_or("", |l| l.as_str()).as_bytes(),
                self.settings_bytes,
                &inputs,
                job.kind.as_bytes(),
                job.path.as_bytes(),
                job.quarter.to_string().as_bytes(),
                format!("{:?}", self.options.paper).as_bytes(),
                since_text.as_bytes(),
                // A report allowed on stale data is not the same output as one refused on it.
                if self.options.allow_stale { b"allow-stale" } else { b"" },
                // A plain PDF is another output than the archival default (which adds nothing, so
                // the default's fingerprints are those of before the option).
                match self.options.pdf_standard {
                    crate::render::archive::PdfStandard::Ua1A3a => &b""[..],
                    crate::render::archive::PdfStandard::None => b"pdf-standard-none",
                },
            ]);
            let mut r = ReportResult::new(&dir, Some(id), &job.kind, Status::Written);
            r.path = Some(job.path.clone());
            r.fingerprint = Some(fp.clone());
            let full_path = self.options.out.join(&job.path);
            let known = self.previous.and_then(|m| m.outputs.get(&job.path));
            let (code, reason) = match known {
                _ if self.options.force => (ReasonCode::Forced, "forced"),
                None => (ReasonCode::New, "new"),
                Some(record) if record.fingerprint != fp => (ReasonCode::InputsChanged, "inputs changed"),
                Some(record) => match std::fs::read(&full_path) {
                    Ok(bytes) if sha256_hex(&bytes) == record.sha256 => {
                        r.status = Status::Unchanged;
                        r.reason_code = Some(ReasonCode::Unchanged);
                        r.reason = Some("inputs unchanged since it was written".into());
                        r.sha256 = Some(record.sha256.clone());
                        r.bytes = Some(record.bytes);
                        r.pages = Some(record.pages);
                        results.push(r);
                        continue;
                    }
                    Ok(_) => (ReasonCode::FileModified, "file on disk was modified"),
                    Err(_) => (ReasonCode::FileMissing, "file on disk is missing"),
                },
            };
            r.reason_code = Some(code);
            r.reason = Some(reason.to_string());
            if self.options.dry_run {
                r.note = renewal.as_ref().and_then(|renewal| renewal.note.clone());
                results.push(r);
                continue;
            }
            if customer.is_none() {
                let load_options = LoadOptions::from_settings(self.settings);
                customer = Some(load_customer_with(&task.dir, &load_options).map_err(|errors| join_errors(&errors)));
            }
            let loaded = customer.as_ref().expect("loaded above");
            let rendered = loaded.as_ref().map_err(|e| (ErrorCode::InputError, e.clone())).and_then(|customer| {
                let options = ReportOptions {
                    settings: self.settings,
                    catalogs: self.options.catalogs,
                    quarter: job.quarter,
                    as_of: self.options.as_of,
                    edition: job.edition,
                    paper: self.options.paper,
                    renewal: job.renewal.clone(),
                    locale: self.options.locale,
                    allow_stale: self.options.allow_stale,
                    pdf_standard: self.options.pdf_standard,
                };
                let rendered = report_pdf(customer, &options).map_err(|e| (ErrorCode::of(&e), e.to_string()))?;
                // A renewal package's cover message goes first: a package PDF on disk always has
                // its .eml beside it (when it can have one).
                let cover = match (renewal.as_ref(), job.renewal.as_ref()) {
                    (Some(renewal), Some(context)) if job.kind.starts_with("renewal-") => self
                        .write_cover(customer, &rendered, renewal, context.renewal_date, &job.path, &fp)
                        .map_err(|e| (ErrorCode::CoverMessage, e))?,
                    _ => None,
                };
                write_atomically(&full_path, &rendered.bytes).map_err(|e| {
                    (ErrorCode::WriteError, format!("{}: cannot write the report: {e}", full_path.display()))
                })?;
                Ok((rendered, cover))
            });
            match rendered {
                Ok((rendered, cover)) => {
                    let sha = sha256_hex(&rendered.bytes);
                    if summary.is_none() && job.renewal.is_none() {
                        summary = Some(rendered.summary.clone());
                    }
                    if let Some(renewal) = renewal.as_ref().filter(|_| job.kind.starts_with("renewal-")) {
                        self.record(id, renewal, &job, &full_path, &sha);
                        r.note = match (renewal.note.clone(), cover) {
                            (Some(note), Some(warning)) => Some(format!("{note}; {warning}")),
                            (note, warning) => note.or(warning),
                        };
                    }
                    // What loading changed (exact repeats dropped) and characters no font has are said
                    // with every report they shaped.
                    let mut said: Vec<String> = match customer.as_ref() {
                        Some(Ok(customer)) => customer.warnings.iter().map(ToString::to_string).collect(),
                        _ => Vec::new(),
                    };
                    said.extend(rendered.warnings.iter().cloned());
                    if !said.is_empty() {
                        let warnings = said.join("; ");
                        r.note = Some(match r.note.take() {
                            Some(note) => format!("{note}; {warnings}"),
                            None => warnings,
                        });
                    }
                    r.sha256 = Some(sha);
                    r.bytes = Some(rendered.bytes.len() as u64);
                    r.pages = Some(rendered.pages);
                }
                Err((code, error)) => {
                    r.status = Status::Failed;
                    r.error_code = Some(code);
                    r.error = Some(error);
                }
            }
            r.elapsed_ms = started.elapsed().as_millis() as u64;
            results.push(r);
        }
        if self.rows.is_some() && !self.options.dry_run {
            let row = self.customer_row(&dir, &task.dir, &account, customer, summary, &results[first_result..]);
            self.add_row(|| row);
        }
        results
    }

    /// Adds a row for results.csv (quarterly runs only).
    fn add_row(&self, row: impl FnOnce() -> CustomerResult) {
        if let Some(rows) = &self.rows {
            let row = row();
            rows.lock().unwrap_or_else(|p| p.into_inner()).push(row);
        }
    }

    /// The customer's row: its figures as the engine computes them for the report quarter, its
    /// health, and its reports' paths and failures.
    fn customer_row(
        &self,
        dir: &str,
        folder: &Path,
        account: &Account,
        customer: Option<Result<crate::model::Customer, String>>,
        summary: Option<crate::value::ValueSummary>,
        results: &[ReportResult],
    ) -> CustomerResult {
        let customer = customer.unwrap_or_else(|| {
            load_customer_with(folder, &LoadOptions::from_settings(self.settings))
                .map_err(|errors| join_errors(&errors))
        });
        let customer = match customer {
            Ok(customer) => customer,
            Err(error) => return CustomerResult::failed(dir, Some(account), RowReason::InputError, error),
        };
        let quarter = match &self.options.mode {
            Mode::Quarterly { quarter, .. } => *quarter,
            Mode::Renewals => Quarter::last_ended_on_or_before(self.options.as_of),
        };
        let summary = match summary.map_or_else(|| crate::value::compute(&customer, quarter), Ok) {
            Ok(summary) => summary,
            Err(e) => {
                return CustomerResult::failed(dir, Some(account), RowReason::ValueError, format!("{dir}: {e}"));
            }
        };
        let health =
            crate::value::health::compute(&customer.health, &customer.nps, &self.settings.health.weights, quarter);
        let reports = results
            .iter()
            .filter(|r| matches!(r.status, Status::Written | Status::Unchanged))
            .filter_map(|r| r.path.clone())
            .collect();
        let mut row = CustomerResult::computed(&customer, &summary, &health, reports);
        // A stale customer's reports are refused on purpose (without --allow-stale): it stays stale.
        let refused_as_stale = row.status == RowStatus::Stale && !self.options.allow_stale;
        if let Some(error) = results.iter().filter(|r| r.status == Status::Failed).find_map(|r| r.error.as_deref()) {
            if !refused_as_stale {
                row.report_failed(error);
            }
        }
        row
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_files_are_read_back_from_their_names() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        for name in [
            "renewals/a/a-renewal-2027-01-31-T-60.pdf",
            "renewals/x-renewal-co/x-renewal-co-renewal-2027-02-05-T-30.pdf",
            "renewals/a/.a-renewal-2027-01-31-T-30.pdf.host.12.tmp",
            "renewals/a/b-renewal-2027-01-31-T-30.pdf",
            "renewals/a/a-renewal-2027-02-31-T-30.pdf",
            "renewals/a/a-renewal-2027-01-31-T-45.pdf",
            "2026-Q3/a/a-2026-Q3-team.pdf",
        ] {
            std::fs::create_dir_all(out.join(name).parent().unwrap()).unwrap();
            std::fs::write(out.join(name), "x").unwrap();
        }
        let found: Vec<(String, String, Package, String)> =
            package_files(out).into_iter().map(|(id, date, p, path)| (id, date.to_string(), p, path)).collect();
        assert_eq!(
            found,
            [
                ("a".into(), "2027-01-31".into(), Package::T60, "renewals/a/a-renewal-2027-01-31-T-60.pdf".into()),
                (
                    "x-renewal-co".into(),
                    "2027-02-05".into(),
                    Package::T30,
                    "renewals/x-renewal-co/x-renewal-co-renewal-2027-02-05-T-30.pdf".into()
                ),
            ]
        );
    }
}
