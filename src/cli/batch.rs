//! `run`, `renewals` and `manifest merge` at the command-line edge: arguments, progress, summary,
//! exit codes. The work itself is `valuereport::batch::run`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use valuereport::batch::lock::{FolderLock, LockError, Role};
use valuereport::batch::manifest::{Manifest, ReportResult, Status, MANIFEST_FILE};
use valuereport::batch::plan::Shard;
use valuereport::batch::run::{execute, signal_name, Delivering, Mode, Outcome, Progress, RunError, RunOptions};
use valuereport::content::report::Edition;
use valuereport::delivery::{Delivery, Resend};
use valuereport::quarter::Quarter;

use super::{Look, DATA_ERRORS, HELD, OK};

/// After SIGTERM or SIGINT, how long the customers in progress get to finish before the process
/// exits anyway (without saving the manifest; the journal has every package written). Below
/// Kubernetes' default grace period of 30 s.
const STOP_GRACE: Duration = Duration::from_secs(20);

/// SIGTERM and SIGINT set the returned flag to the signal's number; the run then starts no new
/// customer. A second signal ends the process at once (128 + signal), and so does the end of the
/// grace period.
fn stop_on_signals() -> Arc<AtomicUsize> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let stop = Arc::new(AtomicUsize::new(0));
    let signalled = Arc::new(AtomicBool::new(false));
    for signal in [SIGTERM, SIGINT] {
        let code = 128 + signal;
        // Registered first: runs before the flag below is set, so it fires on the second signal only.
        let _ = signal_hook::flag::register_conditional_shutdown(signal, code, Arc::clone(&signalled));
        let _ = signal_hook::flag::register(signal, Arc::clone(&signalled));
        let _ = signal_hook::flag::register_usize(signal, Arc::clone(&stop), signal as usize);
    }
    let watched = Arc::clone(&stop);
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_millis(50));
        let signal = watched.load(Ordering::SeqCst);
        if signal != 0 {
            std::thread::sleep(STOP_GRACE);
            eprintln!(
                "error: stopped by {}: the reports in progress did not finish within {} s; exiting without saving the manifest (every renewal package written is in the journal)",
                signal_name(signal as i32),
                STOP_GRACE.as_secs()
            );
            std::process::exit(128 + signal as i32);
        }
    });
    stop
}

#[derive(Args, Clone)]
pub struct BatchArgs {
    /// Output folder.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// List what would be written and why; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Customers handled at once (default: the machine's cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Re-render reports whose inputs did not change, and produce renewal packages again.
    #[arg(long)]
    pub force: bool,
    /// No progress and no per-customer success lines; errors and the summary are still printed.
    #[arg(long)]
    pub quiet: bool,
    /// Format of the end summary on stdout.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
    pub format: SummaryFormat,
    /// Process only shard K of N (1-based), by a stable hash of customer_id.
    #[arg(long, value_parser = parse_shard, conflicts_with = "shards")]
    pub shard: Option<Shard>,
    /// Shard count when the shard index comes from JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs).
    #[arg(long)]
    pub shards: Option<u32>,
    /// Report customers whose report quarter has no goal data yet (a late export); page 1 then
    /// says how far the figures run. Without it such a customer gets no report and fails (exit 1).
    #[arg(long)]
    pub allow_stale: bool,
    #[command(flatten)]
    pub look: Look,
}

fn parse_shard(text: &str) -> Result<Shard, String> {
    text.parse()
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SummaryFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AudienceArg {
    Executive,
    Team,
}

impl AudienceArg {
    pub fn edition(self) -> Edition {
        match self {
            AudienceArg::Executive => Edition::Executive,
            AudienceArg::Team => Edition::Team,
        }
    }
}

impl BatchArgs {
    pub fn defaults() -> BatchArgs {
        BatchArgs {
            out: PathBuf::from("out"),
            dry_run: false,
            jobs: None,
            force: false,
            quiet: false,
            format: SummaryFormat::Text,
            shard: None,
            shards: None,
            allow_stale: false,
            look: Look::default(),
        }
    }

    fn shard(&self) -> Result<Option<Shard>, String> {
        match (self.shard, self.shards) {
            (Some(shard), _) => Ok(Some(shard)),
            (None, Some(count)) => {
                let index = std::env::var("JOB_COMPLETION_INDEX").map_err(|_| {
                    "--shards needs JOB_COMPLETION_INDEX (0-based) in the environment, or use --shard K/N".to_string()
                })?;
                let index: u32 =
                    index.trim().parse().map_err(|_| format!("JOB_COMPLETION_INDEX={index:?} is not a number"))?;
                Shard::new(index + 1, count)
                    .map(Some)
                    .ok_or_else(|| format!("JOB_COMPLETION_INDEX={index} does not fit --shards {count}"))
            }
            (None, None) => Ok(None),
        }
    }
}

/// `renewals --send` and its companions.
#[derive(Args, Clone, Default)]
pub struct SendArgs {
    /// Send each package's cover message (the .eml beside it) to the CSM by SMTP, as set in
    /// [delivery] in valuereport.toml; messages queued by earlier runs are sent too.
    #[arg(long)]
    pub send: bool,
    /// With --send: send again the messages a run that died left unconfirmed (it had started
    /// sending, and no reply was recorded), with the same Message-ID.
    #[arg(long, requires = "send")]
    pub resend_unconfirmed: bool,
    /// With --send: try again the messages the mail server refused for good, once the cause is fixed.
    #[arg(long, requires = "send")]
    pub resend_failed: bool,
}

/// `valuereport run` / the main job.
pub fn run(input: &Path, quarter: Quarter, as_of: NaiveDate, editions: Vec<Edition>, args: &BatchArgs) -> u8 {
    batch(input, Mode::Quarterly { quarter, editions }, as_of, &SendArgs::default(), args)
}

/// `valuereport renewals`.
pub fn renewals(input: &Path, as_of: NaiveDate, send: &SendArgs, args: &BatchArgs) -> u8 {
    batch(input, Mode::Renewals, as_of, send, args)
}

/// The mailer for `--send`, from [delivery] in valuereport.toml; `Err` is a configuration error.
fn mailer(input: &Path, send: &SendArgs) -> Result<Option<valuereport::delivery::Mailer>, String> {
    if !send.send {
        return Ok(None);
    }
    let settings = valuereport::load::load_settings(input).map_err(|e| e.to_string())?;
    let Some(delivery) = settings.delivery else {
        return Err(format!(
            "--send needs a [delivery] table in {} (smtp_url, from, and username/password_env if the server wants them); see docs/operations.md, \"Delivery\"",
            input.join(valuereport::load::SETTINGS_FILE).display()
        ));
    };
    valuereport::delivery::Mailer::new(&delivery).map(Some).map_err(|e| e.to_string())
}

fn batch(input: &Path, mode: Mode, as_of: NaiveDate, send: &SendArgs, args: &BatchArgs) -> u8 {
    let mailer = match mailer(input, send) {
        Ok(mailer) => mailer,
        Err(message) => return super::usage_error(&message),
    };
    let shard = match args.shard() {
        Ok(shard) => shard,
        Err(message) => return super::usage_error(&message),
    };
    let catalogs = match args.look.catalogs() {
        Ok(catalogs) => catalogs,
        Err(e) => return super::usage_error(&e),
    };
    let jobs = args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let options = RunOptions {
        input,
        out: &args.out,
        mode,
        as_of,
        paper: args.look.paper(),
        pdf_standard: args.look.pdf_standard(),
        catalogs: &catalogs,
        locale: args.look.locale.map(super::LocaleArg::locale),
        jobs,
        force: args.force,
        dry_run: args.dry_run,
        shard,
        allow_stale: args.allow_stale,
        stop: None,
        delivery: mailer.as_ref().map(|mailer| Delivering {
            mailer,
            resend: Resend { unconfirmed: send.resend_unconfirmed, failed: send.resend_failed },
        }),
    };
    let stop = stop_on_signals();
    let options = RunOptions { stop: Some(&stop), ..options };
    let progress = Reporter::new(args.quiet || args.dry_run);
    // Every run-level error (input, settings, output folder, manifest, journal) is a usage or
    // configuration error: nothing was written. The output folder held by another run is a
    // temporary failure (75): try again later.
    let outcome = match execute(&options, &progress) {
        Ok(outcome) => outcome,
        Err(RunError::Lock(e @ LockError::Held { .. })) => {
            eprintln!("error: {e}");
            return HELD;
        }
        Err(e) => return super::usage_error(&e.to_string()),
    };
    for note in &outcome.notes {
        eprintln!("note: {note}");
    }
    for (path, reason) in &outcome.skipped_entries {
        eprintln!("warning: {}: skipped: {reason}", path.display());
    }
    for (path, reason) in &outcome.unreadable_entries {
        eprintln!("error: {}: cannot be read ({reason}); any customer in it was not processed", path.display());
    }
    for e in &outcome.journal_errors {
        eprintln!("error: {e}");
    }
    if let Some(e) = &outcome.manifest_error {
        eprintln!("error: {e}");
    }
    if let Some(signal) = outcome.stopped_by {
        eprintln!(
            "error: stopped by {}: {} customer{} not started; what was written is recorded, and the next run does the rest",
            signal_name(signal),
            outcome.not_started,
            if outcome.not_started == 1 { "" } else { "s" }
        );
    }
    // With --format json the plan is part of the JSON summary, so stdout stays one JSON document.
    if args.dry_run && args.format == SummaryFormat::Text {
        print_plan(&outcome);
    }
    if !args.dry_run && args.format == SummaryFormat::Text {
        for (_, _, path) in outcome.written() {
            println!("wrote {}", args.out.join(path).display());
        }
        print_deliveries(&outcome, args);
    }
    print_summary(&outcome, args);
    match outcome.stopped_by {
        // 128 + the signal, as a shell reports a process the signal ended: 143 (SIGTERM), 130 (SIGINT).
        Some(signal) => (128 + signal) as u8,
        None if outcome.failed() => DATA_ERRORS,
        None => OK,
    }
}

/// One line per cover message owed: `sent` on stdout; queued, failed and unconfirmed as errors.
fn print_deliveries(outcome: &Outcome, args: &BatchArgs) {
    for d in &outcome.deliveries {
        let path = args.out.join(&d.path).display().to_string();
        let to = d.to.as_deref().map(|to| format!(" to {to}")).unwrap_or_default();
        match &d.delivery {
            Delivery::Sent(reply) => println!("sent {path}{to} ({reply})"),
            Delivery::Queued(reason) => {
                eprintln!(
                    "error: {} {}: queued, not sent{to}: {reason}; the next --send run tries again",
                    d.customer_id, d.package
                )
            }
            Delivery::Failed(reason) => {
                eprintln!("error: {} {}: not delivered{to}: {reason}", d.customer_id, d.package)
            }
            Delivery::Unconfirmed(reason) => {
                eprintln!("error: {} {}: unconfirmed{to}: {reason}", d.customer_id, d.package)
            }
        }
    }
}

fn print_plan(outcome: &Outcome) {
    for r in &outcome.manifest.results {
        let path = r.path.as_deref().unwrap_or(&r.customer_dir);
        let reason = r.reason.as_deref().unwrap_or("");
        match r.status {
            Status::Written => println!("would write  {path}  ({reason})"),
            Status::Unchanged => println!("unchanged    {path}  ({reason})"),
            Status::Skipped => println!("skip         {path}  ({reason})"),
            Status::Failed => println!("fail         {path}  ({})", r.error.as_deref().unwrap_or("")),
        }
    }
}

fn print_summary(outcome: &Outcome, args: &BatchArgs) {
    let m = &outcome.manifest;
    let c = &m.counts;
    match args.format {
        SummaryFormat::Json => {
            let failures: Vec<serde_json::Value> = m
                .results
                .iter()
                .filter(|r| r.status == Status::Failed)
                .map(|r| serde_json::json!({"customer_dir": r.customer_dir, "kind": r.kind, "error": r.error}))
                .collect();
            let summary = serde_json::json!({
                "command": m.command,
                "as_of": m.as_of,
                "report_quarter": m.report_quarter,
                "shard": m.shard,
                "dry_run": args.dry_run,
                "counts": c,
                "timings": m.timings,
                "manifest": if args.dry_run { None } else { Some(outcome.manifest_path.display().to_string()) },
                "manifest_error": outcome.manifest_error.as_ref().map(ToString::to_string),
                "failures": failures,
                "unreadable": outcome
                    .unreadable_entries
                    .iter()
                    .map(|(path, reason)| serde_json::json!({"path": path.display().to_string(), "error": reason}))
                    .collect::<Vec<_>>(),
                "plan": if args.dry_run { serde_json::to_value(&m.results).ok() } else { None },
                "written": outcome
                    .written()
                    .into_iter()
                    .map(|(id, kind, path)| serde_json::json!({
                        "customer_id": id,
                        "kind": kind,
                        "path": args.out.join(path).display().to_string(),
                    }))
                    .collect::<Vec<_>>(),
                "notes": outcome
                    .notes
                    .iter()
                    .cloned()
                    .chain(m.results.iter().filter_map(|r| {
                        r.note.as_ref().map(|n| format!("{}: {n}", r.customer_id.as_deref().unwrap_or(&r.customer_dir)))
                    }))
                    .collect::<Vec<_>>(),
                "journal_errors": outcome.journal_errors,
                "deliveries": outcome.deliveries,
                "stopped_by": outcome.stopped_by.map(signal_name),
                "not_started": outcome.not_started,
            });
            println!("{}", serde_json::to_string_pretty(&summary).expect("json"));
        }
        SummaryFormat::Text => {
            let what = if m.command == "run" { format!("run {}", m.report_quarter) } else { "renewals".to_string() };
            let folder = if m.command == "run" { m.report_quarter.as_str() } else { "renewals" };
            let manifest = if args.dry_run {
                "dry run: nothing written".to_string()
            } else {
                format!("reports in {}, manifest {}", args.out.join(folder).display(), outcome.manifest_path.display())
            };
            let manifest = match outcome.stopped_by {
                Some(signal) => format!(
                    "{manifest}; stopped by {}: {} customer{} not started",
                    signal_name(signal),
                    outcome.not_started,
                    if outcome.not_started == 1 { "" } else { "s" }
                ),
                None => manifest,
            };
            println!(
                "{what} as of {}{}: {} customer{}, {} written, {} unchanged, {} skipped, {} failed in {:.1} s; {manifest}",
                m.as_of,
                m.shard.as_ref().map(|s| format!(" (shard {s})")).unwrap_or_default(),
                c.customers,
                if c.customers == 1 { "" } else { "s" },
                c.written,
                c.unchanged,
                c.skipped,
                c.failed,
                m.timings.total_ms as f64 / 1000.0,
            );
        }
    }
}

/// Progress on stderr: a bar on a terminal, one plain line per customer otherwise (cron, logs).
struct Reporter {
    bar: Option<ProgressBar>,
    quiet: bool,
    /// Serialises plain lines from worker threads.
    lines: Mutex<()>,
}

impl Reporter {
    fn new(quiet: bool) -> Reporter {
        let terminal = std::io::stderr().is_terminal();
        let bar = (terminal && !quiet).then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            // No colours: NO_COLOR is honoured by having none.
            let style = ProgressStyle::with_template("{bar:40} {pos}/{len} customers  {per_sec}  ETA {eta}  {msg}")
                .expect("a valid template");
            bar.set_style(style);
            bar
        });
        Reporter { bar, quiet, lines: Mutex::new(()) }
    }

    fn say(&self, line: &str) {
        let _guard = self.lines.lock().unwrap_or_else(|p| p.into_inner());
        match &self.bar {
            Some(bar) => bar.println(crate::terminal::safe(line)),
            None => eprintln!("{line}"),
        }
    }
}

impl Progress for Reporter {
    fn start(&self, customers: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(customers);
        }
    }

    fn customer_done(&self, customer_dir: &str, results: &[ReportResult]) {
        // Notes (a renewal date that moved) are printed even with --quiet: cron logs keep them.
        for r in results {
            if let Some(note) = &r.note {
                let id = r.customer_id.as_deref().unwrap_or(customer_dir);
                self.say(&format!("note: {id}: {note}"));
            }
        }
        for r in results.iter().filter(|r| r.status == Status::Failed) {
            let error = r.error.as_deref().unwrap_or("failed");
            self.say(&format!("error: {customer_dir} ({}): {error}", r.kind));
        }
        if !self.quiet && results.iter().all(|r| r.status != Status::Failed) {
            let count = |s: Status| results.iter().filter(|r| r.status == s).count();
            let id = results.iter().find_map(|r| r.customer_id.clone()).unwrap_or_else(|| customer_dir.to_string());
            self.say(&format!(
                "ok {id}: {} written, {} unchanged, {} skipped",
                count(Status::Written),
                count(Status::Unchanged),
                count(Status::Skipped)
            ));
        }
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// `valuereport manifest merge`: manifest-K-of-N.json files of one run → manifest.json.
pub fn merge(out: &Path) -> u8 {
    // Merging rewrites manifest.json: it takes the folder exclusively, like an unsharded run.
    if let Err(e) = std::fs::read_dir(out) {
        return super::usage_error(&format!("{}: {e}", out.display()));
    }
    let _lock = match FolderLock::acquire(out, Role::Exclusive, "manifest merge") {
        Ok(lock) => lock,
        Err(e @ LockError::Held { .. }) => {
            eprintln!("error: {e}");
            return HELD;
        }
        Err(e) => return super::usage_error(&e.to_string()),
    };
    let mut parts = Vec::new();
    let entries = match std::fs::read_dir(out) {
        Ok(entries) => entries,
        Err(e) => return super::usage_error(&format!("{}: {e}", out.display())),
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("manifest-") && n.contains("-of-") && n.ends_with(".json"))
        .collect();
    names.sort();
    if names.is_empty() {
        return super::usage_error(&format!("{}: no manifest-K-of-N.json files to merge", out.display()));
    }
    for name in &names {
        match Manifest::load(&out.join(name)) {
            Ok(Some(manifest)) => parts.push(manifest),
            Ok(None) => {}
            Err(e) => return super::usage_error(&e.to_string()),
        }
    }
    let path = out.join(MANIFEST_FILE);
    let mut merged = match Manifest::merge(parts) {
        Ok(merged) => merged,
        Err(e) => return super::usage_error(&e.to_string()),
    };
    // The ledger and output index already in manifest.json (e.g. from unsharded daily renewals) stay.
    match Manifest::load_folder(out) {
        Ok(union) => {
            for (path, record) in union.outputs {
                merged.outputs.entry(path).or_insert(record);
            }
            for (customer, dates) in union.renewals {
                let into = merged.renewals.entry(customer).or_default();
                for (date, packages) in dates {
                    let packages_into = into.entry(date).or_default();
                    for (package, entry) in packages {
                        packages_into.entry(package).or_insert(entry);
                    }
                }
            }
        }
        Err(e) => return super::usage_error(&e.to_string()),
    }
    if let Err(e) = merged.save(&path) {
        return super::usage_error(&e.to_string());
    }
    println!("merged {} shard manifests into {}", names.len(), path.display());
    if merged.counts.failed > 0 {
        DATA_ERRORS
    } else {
        OK
    }
}
