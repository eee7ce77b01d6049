//! `run` and `renewals` at the command-line edge: arguments, progress, summary, metrics, exit
//! codes. The work itself is `valuereport::batch::run`.

use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use chrono::NaiveDate;
use clap::Args;

use valuereport::batch::lock::LockError;
use valuereport::batch::metrics::{Figures, RunMetrics};
use valuereport::batch::plan::Shard;
use valuereport::batch::run::{execute, Delivering, Mode, Outcome, RunError, RunOptions};
use valuereport::content::report::Edition;
use valuereport::delivery::{Delivery, Resend};
use valuereport::quarter::Quarter;

use super::args::{Format, Look, DEFAULT_OUT};
use super::outcome::{attention, print_plan, print_summary};
use super::progress::{stop_on_signals, Reporter};
use super::{input_dir, Done, Exit, Failure};

#[derive(Args, Clone)]
pub struct BatchArgs {
    /// Output folder: reports go into <out>/<quarter>/ (run) or <out>/renewals/ (renewals), with
    /// manifest.json and journal.jsonl beside them.
    #[arg(long, default_value = DEFAULT_OUT, value_name = "DIR")]
    pub out: PathBuf,
    /// List what would be written and why; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Customers handled at once [default: the machine's cores]
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Re-render reports whose inputs did not change, and produce renewal packages again.
    #[arg(long)]
    pub force: bool,
    /// No progress and no per-customer success lines; errors and the summary are still printed.
    #[arg(long)]
    pub quiet: bool,
    /// text: a line per file written and a summary line; json: one summary document on stdout,
    /// also on errors (with "error"). Progress and errors go to stderr in both.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Process only shard K of N, as K/N with K counted from 1 (1/4 … 4/4), by a stable hash of
    /// customer_id [default: every customer]
    #[arg(long, value_parser = parse_shard, conflicts_with = "shards", value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Shard count N when the shard index comes from JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs;
    /// that index is 0-based: 0 is shard 1/N) [default: no sharding]
    #[arg(long, value_name = "N")]
    pub shards: Option<u32>,
    /// Report customers whose report quarter has no goal data yet (a late export); page 1 then
    /// says how far the figures run. Without it such a customer gets no report and fails (exit 1).
    #[arg(long)]
    pub allow_stale: bool,
    /// Write the run's figures to this file when it ends, atomically, in the Prometheus textfile
    /// format (for node_exporter's textfile collector): last run and last success time, exit code,
    /// duration, customers, reports by status, packages, deliveries [default: no metrics file]
    #[arg(long, value_name = "PATH")]
    pub metrics_file: Option<PathBuf>,
    #[command(flatten)]
    pub look: Look,
}

fn parse_shard(text: &str) -> Result<Shard, String> {
    text.parse()
}

impl BatchArgs {
    pub fn defaults() -> BatchArgs {
        BatchArgs {
            out: PathBuf::from(DEFAULT_OUT),
            dry_run: false,
            jobs: None,
            force: false,
            quiet: false,
            format: Format::Text,
            shard: None,
            shards: None,
            allow_stale: false,
            metrics_file: None,
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
pub fn run(input: &Path, quarter: Quarter, as_of: NaiveDate, editions: Vec<Edition>, args: &BatchArgs) -> Done {
    batch(input, Mode::Quarterly { quarter, editions }, as_of, &SendArgs::default(), args)
}

/// `valuereport renewals`.
pub fn renewals(input: &Path, as_of: NaiveDate, send: &SendArgs, args: &BatchArgs) -> Done {
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

fn batch(input: &Path, mode: Mode, as_of: NaiveDate, send: &SendArgs, args: &BatchArgs) -> Done {
    let started = Instant::now();
    let command = match mode {
        Mode::Quarterly { .. } => "run",
        Mode::Renewals => "renewals",
    };
    let done = batch_inner(input, mode, as_of, send, args);
    if let Some(path) = &args.metrics_file {
        if !args.dry_run {
            let exit = match &done {
                Ok((exit, _)) => *exit,
                Err(failure) => failure.exit,
            };
            let metrics = RunMetrics {
                command: command.to_string(),
                exit_code: exit.code(),
                finished_unix: SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()),
                duration: started.elapsed(),
                figures: done.as_ref().ok().and_then(|(_, figures)| figures.clone()),
            };
            if let Err(e) = metrics.write(path) {
                // The reports are written; a metrics file that cannot be written is said, not fatal:
                // the missing update is what the monitoring alerts on.
                err!("error: {}: cannot write the metrics file: {e}", path.display());
            }
        }
    }
    done.map(|(exit, _)| exit)
}

fn batch_inner(input: &Path, mode: Mode, as_of: NaiveDate, send: &SendArgs, args: &BatchArgs) -> Result<(Exit, Option<Figures>), Failure> {
    input_dir(input)?;
    let mailer = mailer(input, send).map_err(Failure::usage)?;
    let shard = args.shard().map_err(Failure::usage)?;
    let catalogs = args.look.catalogs().map_err(Failure::usage)?;
    let jobs = args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let stop = stop_on_signals();
    let options = RunOptions {
        input,
        out: &args.out,
        mode,
        as_of,
        paper: args.look.paper(),
        pdf_standard: args.look.pdf_standard(),
        catalogs: &catalogs,
        locale: args.look.locale(),
        jobs,
        force: args.force,
        dry_run: args.dry_run,
        shard,
        allow_stale: args.allow_stale,
        stop: Some(&stop),
        delivery: mailer.as_ref().map(|mailer| Delivering {
            mailer,
            resend: Resend { unconfirmed: send.resend_unconfirmed, failed: send.resend_failed },
        }),
    };
    let progress = Reporter::new(args.quiet || args.dry_run);
    // Every run-level error (input, settings, output folder, manifest, journal) is a usage or
    // configuration error: nothing was written. The output folder held by another run is a
    // temporary failure (75): try again later.
    let outcome = execute(&options, &progress).map_err(|e| match e {
        RunError::Lock(e @ LockError::Held { .. }) => Failure::unavailable(e.to_string()),
        e => Failure::usage(e.to_string()),
    })?;
    report_on_stderr(&outcome);
    // With --format json the plan is part of the JSON summary, so stdout stays one JSON document.
    if args.dry_run && args.format == Format::Text {
        print_plan(&outcome);
    }
    if !args.dry_run && args.format == Format::Text {
        for (_, _, path) in outcome.written() {
            out!("wrote {}", args.out.join(path).display());
        }
        print_deliveries(&outcome, args);
    }
    let reasons = attention(&outcome);
    let exit = match outcome.stopped_by {
        Some(signal) => Exit::Interrupted(signal),
        None if !reasons.is_empty() => Exit::Attention,
        None => Exit::Ok,
    };
    debug_assert_eq!(reasons.is_empty(), !outcome.failed(), "the summary's reasons and the exit code agree");
    print_summary(&outcome, args, exit, &reasons);
    Ok((exit, Some(Figures::of(&outcome))))
}

/// Notes, skipped and unreadable entries, journal and manifest errors, a stop by a signal.
fn report_on_stderr(outcome: &Outcome) {
    for note in &outcome.notes {
        err!("note: {note}");
    }
    for (path, reason) in &outcome.skipped_entries {
        err!("warning: {}: skipped: {reason}", path.display());
    }
    for (path, reason) in &outcome.unreadable_entries {
        err!("error: {}: cannot be read ({reason}); any customer in it was not processed", path.display());
    }
    for e in &outcome.journal_errors {
        err!("error: {e}");
    }
    if let Some(e) = &outcome.manifest_error {
        err!("error: {e}");
    }
    if let Some(signal) = outcome.stopped_by {
        err!(
            "error: stopped by {}: {} customer{} not started; what was written is recorded, and the next run does the rest",
            valuereport::batch::run::signal_name(signal),
            outcome.not_started,
            super::plural(outcome.not_started)
        );
    }
}

/// One line per cover message owed: `sent` on stdout; queued, failed and unconfirmed as errors.
fn print_deliveries(outcome: &Outcome, args: &BatchArgs) {
    for d in &outcome.deliveries {
        let path = args.out.join(&d.path).display().to_string();
        let to = d.to.as_deref().map(|to| format!(" to {to}")).unwrap_or_default();
        match &d.delivery {
            Delivery::Sent(reply) => out!("sent {path}{to} ({reply})"),
            Delivery::Queued(reason) => {
                err!("error: {} {}: queued, not sent{to}: {reason}; the next --send run tries again", d.customer_id, d.package)
            }
            Delivery::Failed(reason) => err!("error: {} {}: not delivered{to}: {reason}", d.customer_id, d.package),
            Delivery::Unconfirmed(reason) => err!("error: {} {}: unconfirmed{to}: {reason}", d.customer_id, d.package),
        }
    }
}
