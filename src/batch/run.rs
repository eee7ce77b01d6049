//! Whole runs: quarterly reports for every customer (`run`) and renewal packages (`renewals`).
//!
//! A run plans from `account.csv` alone (ids, renewal dates), then handles customers in parallel,
//! each loaded, computed, rendered and written inside its own task, so memory does not grow with the
//! batch. One customer's failure never stops the others. Every file is written atomically; the
//! manifest, written last, records what happened and what is owed next time.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::NaiveDate;
use rayon::prelude::*;

use super::fingerprint::{customer_files, fingerprint, sha256_hex};
use super::manifest::{LedgerEntry, Manifest, ManifestError, OutputRecord, ReportResult, Status, MANIFEST_FILE};
use super::output::{remove_stale_temporaries, write_atomically, LockError, OutputLock};
use super::plan::{Package, Shard};
use super::{report_pdf, ReportOptions};
use crate::content::catalog::Catalogs;
use crate::content::renewal::{RenewalContext, Since};
use crate::content::report::Edition;
use crate::discover::{discover, DiscoverError};
use crate::load::{load_account, load_customer, load_settings, InputError, SETTINGS_FILE};
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
}

impl Outcome {
    pub fn failed(&self) -> bool {
        self.manifest.counts.failed > 0 || self.manifest_error.is_some() || !self.unreadable_entries.is_empty()
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
    let settings_bytes = std::fs::read(options.input.join(SETTINGS_FILE)).unwrap_or_default();
    let discovered = discover(options.input)?;
    let manifest_name = options.shard.map_or_else(|| MANIFEST_FILE.to_string(), |s| s.manifest_name());
    let manifest_path = out.join(&manifest_name);

    // Take the lock before reading the manifest: a concurrent run could be about to rewrite it.
    let _lock = if options.dry_run {
        None
    } else {
        std::fs::create_dir_all(out).map_err(|source| RunError::Output { path: out.to_path_buf(), source })?;
        let name = options.shard.map_or_else(
            || ".valuereport.lock".to_string(),
            |s| format!(".valuereport-{}-of-{}.lock", s.index, s.count),
        );
        let lock = OutputLock::acquire(out, &name)?;
        remove_stale_temporaries(out);
        Some(lock)
    };
    // Every manifest in the folder (merged and per shard) contributes its ledger and output index, so
    // sharded, unsharded and re-sharded runs never forget a package or re-render needlessly.
    let previous = Manifest::load_folder(out)?;
    let discover_ms = started.elapsed().as_millis() as u64;

    let (quarter, command) = match &options.mode {
        Mode::Quarterly { quarter, .. } => (*quarter, "run"),
        Mode::Renewals => (Quarter::last_ended_on_or_before(options.as_of), "renewals"),
    };
    let mut manifest =
        Manifest::new(command, &options.as_of.to_string(), &quarter.to_string(), options.shard.map(|s| s.to_string()));
    manifest.outputs = previous.outputs.clone();
    manifest.renewals = previous.renewals.clone();
    let ledger =
        |id: &str, date: &str, package: &str| -> Option<LedgerEntry> { manifest.produced(id, date, package).cloned() };

    let tasks = plan(options, &discovered.customers, quarter, &ledger);
    progress.start(tasks.len() as u64);
    let context = Context { options, settings: &settings, settings_bytes: &settings_bytes, previous: Some(&previous) };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(options.jobs.max(1)).build().expect("a thread pool");
    let mut results: Vec<ReportResult> = pool.install(|| {
        tasks
            .into_par_iter()
            .flat_map_iter(|task| {
                let dir = task.dir.display().to_string();
                let results = context.handle(task);
                progress.customer_done(&dir, &results);
                results
            })
            .collect()
    });
    progress.finish();
    results.sort_by(|a, b| (&a.customer_dir, &a.kind).cmp(&(&b.customer_dir, &b.kind)));

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
            if let (Status::Written, Some(rest)) = (r.status, r.kind.strip_prefix("renewal-")) {
                // kind is "renewal-T-60"; the renewal date is in the file name.
                if let Some(date) = renewal_date_of(path) {
                    let entry = LedgerEntry {
                        as_of: options.as_of.to_string(),
                        report_quarter: quarter.to_string(),
                        path: path.clone(),
                        sha256: sha.clone(),
                    };
                    manifest
                        .renewals
                        .entry(id.clone())
                        .or_default()
                        .entry(date)
                        .or_default()
                        .insert(rest.to_string(), entry);
                }
            }
        }
    }
    manifest.results = results;
    manifest.timings.discover_ms = discover_ms;
    manifest.timings.total_ms = started.elapsed().as_millis() as u64;
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
    })
}

/// `…-renewal-2027-01-31-T-60.pdf` → `2027-01-31`.
fn renewal_date_of(path: &str) -> Option<String> {
    let name = path.rsplit('/').next()?;
    let start = name.rfind("-renewal-")? + "-renewal-".len();
    name.get(start..start + 10).map(str::to_string)
}

/// Reads every account, settles duplicates and shards, and lists what each customer is owed.
fn plan(
    options: &RunOptions,
    dirs: &[PathBuf],
    quarter: Quarter,
    ledger: &dyn Fn(&str, &str, &str) -> Option<LedgerEntry>,
) -> Vec<Task> {
    let accounts: Vec<(PathBuf, Result<Account, String>)> =
        dirs.par_iter().map(|dir| (dir.clone(), load_account(dir).map_err(|errors| join_errors(&errors)))).collect();
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
        let mut task = Task { dir, account, jobs: Vec::new(), planned: Vec::new() };
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
                        if let (Some(done), false) = (ledger(id, &date, package.label()), options.force) {
                            let mut skipped = ReportResult::new(&dir_text, Some(id), &kind, Status::Skipped);
                            skipped.path = Some(done.path.clone());
                            skipped.reason =
                                Some(format!("{package} for the {date} renewal was produced on {}", done.as_of));
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
                            let renewal =
                                Some(RenewalContext { touchpoint: package.into(), renewal_date: renewal, since });
                            task.jobs.push(Job { kind, path, edition, quarter, renewal });
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
}

impl Context<'_> {
    fn handle(&self, task: Task) -> Vec<ReportResult> {
        let dir = task.dir.display().to_string();
        let mut results = task.planned;
        let account = match task.account {
            Ok(account) => account,
            Err(error) => {
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
                for job in &task.jobs {
                    let mut failed = ReportResult::new(&dir, Some(id), &job.kind, Status::Failed);
                    failed.error = Some(format!("{dir}: cannot read the customer's files: {e}"));
                    results.push(failed);
                }
                return results;
            }
        };
        // Loaded lazily: a customer whose reports are all unchanged is never parsed.
        let mut customer = None;
        for job in task.jobs {
            let started = Instant::now();
            let since = job.renewal.as_ref().and_then(|r| r.since.as_ref());
            let since_text = since.map(|s| format!("{}@{}", s.report_quarter, s.as_of)).unwrap_or_default();
            let fp = fingerprint(&[
                self.options.catalogs.source().as_bytes(),
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
            ]);
            let mut r = ReportResult::new(&dir, Some(id), &job.kind, Status::Written);
            r.path = Some(job.path.clone());
            r.fingerprint = Some(fp.clone());
            let full_path = self.options.out.join(&job.path);
            let known = self.previous.and_then(|m| m.outputs.get(&job.path));
            let reason = match known {
                _ if self.options.force => "forced",
                None => "new",
                Some(record) if record.fingerprint != fp => "inputs changed",
                Some(record) => match std::fs::read(&full_path) {
                    Ok(bytes) if sha256_hex(&bytes) == record.sha256 => {
                        r.status = Status::Unchanged;
                        r.reason = Some("inputs unchanged since it was written".into());
                        r.sha256 = Some(record.sha256.clone());
                        r.bytes = Some(record.bytes);
                        r.pages = Some(record.pages);
                        results.push(r);
                        continue;
                    }
                    Ok(_) => "file on disk was modified",
                    Err(_) => "file on disk is missing",
                },
            };
            r.reason = Some(reason.to_string());
            if self.options.dry_run {
                results.push(r);
                continue;
            }
            if customer.is_none() {
                customer = Some(load_customer(&task.dir).map_err(|errors| join_errors(&errors)));
            }
            let loaded = customer.as_ref().expect("loaded above");
            let rendered = loaded.as_ref().map_err(Clone::clone).and_then(|customer| {
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
                };
                let rendered = report_pdf(customer, &options).map_err(|e| e.to_string())?;
                write_atomically(&full_path, &rendered.bytes)
                    .map_err(|e| format!("{}: cannot write the report: {e}", full_path.display()))?;
                Ok(rendered)
            });
            match rendered {
                Ok(rendered) => {
                    r.sha256 = Some(sha256_hex(&rendered.bytes));
                    r.bytes = Some(rendered.bytes.len() as u64);
                    r.pages = Some(rendered.pages);
                }
                Err(error) => {
                    r.status = Status::Failed;
                    r.error = Some(error);
                }
            }
            r.elapsed_ms = started.elapsed().as_millis() as u64;
            results.push(r);
        }
        results
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renewal_dates_are_read_back_from_paths() {
        assert_eq!(renewal_date_of("renewals/a/a-renewal-2027-01-31-T-60.pdf").as_deref(), Some("2027-01-31"));
        assert_eq!(
            renewal_date_of("renewals/x-renewal-co/x-renewal-co-renewal-2027-02-05-T-30.pdf").as_deref(),
            Some("2027-02-05")
        );
        assert_eq!(renewal_date_of("2026-Q3/a/a-2026-Q3-team.pdf"), None);
    }
}
