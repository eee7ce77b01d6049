//! The command line: parses arguments, runs the library, and turns results into output and exit
//! codes (one table for every command: [`exit::TABLE`]). One module per command.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{CommandFactory, Parser, Subcommand};

/// A line on stdout, through [`terminal::safe`] (customer text may hold control characters).
macro_rules! out {
    ($($arg:tt)*) => { ::std::println!("{}", $crate::cli::terminal::safe(&::std::format!($($arg)*))) };
}

/// A line on stderr, through [`terminal::safe`].
macro_rules! err {
    ($($arg:tt)*) => { ::std::eprintln!("{}", $crate::cli::terminal::safe(&::std::format!($($arg)*))) };
}

mod args;
mod batch;
mod docs;
mod exit;
mod explain;
mod merge;
mod outcome;
mod progress;
mod report;
mod sample;
mod summary;
mod terminal;
mod validate;

use args::{parse_date, AudienceArg, ExplainFormat, Format, Look, Period, SummaryFormat, DEFAULT_INPUT, DEFAULT_OUT};
pub use exit::Exit;

/// The day the sample-data exports were taken (sample-data/README.md).
const SAMPLE_AS_OF: NaiveDate = match NaiveDate::from_ymd_opt(2026, 11, 22) {
    Some(date) => date,
    None => panic!("a valid date"),
};

#[derive(Parser)]
#[command(
    name = "valuereport",
    version,
    about = "Customer value reports from per-customer CSV exports",
    long_about = "Customer value reports from per-customer CSV exports.\n\nWithout a command: `run` on sample-data/ as of 2026-11-22, the day its exports were taken (both editions of every customer's report, into out/).",
    after_help = exit::footer(&["valuereport run exports/ --as-of 2026-11-22 --out reports/", "valuereport help run"]),
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Check every customer under INPUT against the input contract; one line per problem.
    #[command(after_help = exit::footer(&["valuereport validate exports/", "valuereport validate exports/ --format json | jq '.customers[] | select(.problems | length > 0)'"]))]
    Validate {
        /// Input folder: walked for customer folders (each holds an account.csv), at any depth.
        #[arg(default_value = DEFAULT_INPUT, value_name = "INPUT")]
        input: PathBuf,
        /// text: one line per problem on stdout, a count on stderr; json: one document with every
        /// problem and its code.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Show the value computation of one customer folder, figure by figure.
    #[command(after_help = exit::footer(&["valuereport explain exports/amer/acme-logistics --quarter 2026-Q3", "valuereport explain exports/amer/acme-logistics --as-of 2026-11-22 --format json"]))]
    Explain {
        /// One customer's folder: the folder holding its account.csv, goals.csv and metrics.csv
        /// (not the input folder above it).
        #[arg(value_name = "CUSTOMER_DIR")]
        customer_dir: PathBuf,
        #[command(flatten)]
        period: Period,
        /// text (also: table): the formulas and figures as a table; json: the computation as one
        /// document.
        #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
        format: ExplainFormat,
    },
    /// Write the PDF value report of one customer folder.
    #[command(after_help = exit::footer(&["valuereport report exports/amer/acme-logistics --as-of 2026-11-22 --audience executive --out acme.pdf", "valuereport report exports/amer/acme-logistics --quarter 2026-Q3 --out reports/"]))]
    Report {
        /// One customer's folder: the folder holding its account.csv, goals.csv and metrics.csv
        /// (not the input folder above it).
        #[arg(value_name = "CUSTOMER_DIR")]
        customer_dir: PathBuf,
        #[command(flatten)]
        period: Period,
        /// Which edition: executive (1–2 pages for C-level) or team (2–5 pages with every chart
        /// and table).
        #[arg(long, value_enum, default_value_t = AudienceArg::Team)]
        audience: AudienceArg,
        /// Where to write: a path ending in .pdf is the file; anything else is a folder (created if
        /// needed) that gets <customer_id>-<quarter>-<audience>.pdf [default: the folder out/]
        #[arg(long, value_name = "FILE.pdf|DIR")]
        out: Option<PathBuf>,
        /// Write the report even if the report quarter has no goal data yet (a late export); page 1
        /// then says how far the figures run. Without it such a customer is refused (exit 1).
        #[arg(long)]
        allow_stale: bool,
        /// text: the path written; json: one document with the path, customer and quarter.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[command(flatten)]
        look: Look,
    },
    /// Quarterly reports for every customer under INPUT, into
    /// <out>/<quarter>/<customer_id>/<customer_id>-<quarter>-<audience>.pdf, with a manifest.
    #[command(after_help = exit::footer(&["valuereport run exports/ --as-of 2026-11-22 --out /srv/reports", "valuereport run exports/ --quarter 2026-Q3 --shard 2/4 --format json --metrics-file /var/lib/node_exporter/valuereport.prom"]))]
    Run {
        /// Input folder: walked for customer folders (each holds an account.csv), at any depth.
        #[arg(default_value = DEFAULT_INPUT, value_name = "INPUT")]
        input: PathBuf,
        #[command(flatten)]
        period: Period,
        /// Editions to write, comma-separated: executive, team.
        #[arg(long, value_enum, value_delimiter = ',', default_values_t = [AudienceArg::Executive, AudienceArg::Team])]
        audience: Vec<AudienceArg>,
        #[command(flatten)]
        batch: batch::BatchArgs,
    },
    /// Renewal packages due at --as-of (T-90, T-60, T-30 days before each renewal), each produced
    /// once, into <out>/renewals/; a daily cron job.
    #[command(after_help = exit::footer(&["valuereport renewals exports/ --as-of $(date +%F) --out /srv/reports --send --metrics-file /var/lib/node_exporter/valuereport-renewals.prom"]))]
    Renewals {
        /// Input folder: walked for customer folders (each holds an account.csv), at any depth.
        #[arg(default_value = DEFAULT_INPUT, value_name = "INPUT")]
        input: PathBuf,
        /// The day the packages are for, as YYYY-MM-DD: today in a daily cron job.
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        as_of: NaiveDate,
        #[command(flatten)]
        send: batch::SendArgs,
        #[command(flatten)]
        batch: batch::BatchArgs,
    },
    /// Generate N realistic synthetic customers (every category, locale and history length) into
    /// a new or empty folder.
    #[command(after_help = exit::footer(&["valuereport sample --customers 300 --seed 7 --as-of 2026-11-22 --out big/"]))]
    Sample {
        /// How many customers.
        #[arg(long, default_value_t = 100)]
        customers: usize,
        /// Seed of the generator: the same seed and --as-of give the same files on any day and
        /// machine.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Folder to write into; it must not exist or be empty (see --force).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// History ends with the last quarter ended on or before this date, as YYYY-MM-DD. The data
        /// depends on it: give it to get the same data on another day [default: today]
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        as_of: Option<NaiveDate>,
        /// Write into a folder that already holds files (customers with the same ids are
        /// overwritten, others are left as they are).
        #[arg(long)]
        force: bool,
        /// text: one line saying what was written; json: one document.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Work with run manifests.
    #[command(after_help = exit::footer(&["valuereport manifest merge --out /srv/reports"]))]
    Manifest {
        #[command(subcommand)]
        action: ManifestAction,
    },
    /// Print one value summary line per customer under INPUT.
    #[command(after_help = exit::footer(&["valuereport summary exports/ --quarter 2026-Q3", "valuereport summary exports/ --as-of 2026-11-22 --format csv > q3.csv"]))]
    Summary {
        /// Input folder: walked for customer folders (each holds an account.csv), at any depth.
        #[arg(default_value = DEFAULT_INPUT, value_name = "INPUT")]
        input: PathBuf,
        #[command(flatten)]
        period: Period,
        /// text: aligned lines; json: an array of objects; csv: results.csv's columns.
        #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
        format: SummaryFormat,
    },
    /// Print a shell completion script on stdout.
    #[command(after_help = exit::footer(&["valuereport completions bash > /etc/bash_completion.d/valuereport", "valuereport completions zsh > \"${fpath[1]}/_valuereport\""]))]
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: docs::Shell,
    },
    /// Print the manual page (roff) on stdout.
    #[command(after_help = exit::footer(&["valuereport man > /usr/local/share/man/man1/valuereport.1", "valuereport man | man -l -"]))]
    Man,
}

#[derive(Subcommand)]
enum ManifestAction {
    /// Combine the shard manifests (manifest-K-of-N.json) of one run into manifest.json.
    #[command(after_help = exit::footer(&["valuereport manifest merge --out /srv/reports"]))]
    Merge {
        /// The output folder the shards wrote into (it holds the manifest-K-of-N.json files).
        #[arg(long, default_value = DEFAULT_OUT, value_name = "DIR")]
        out: PathBuf,
        /// text: one line; json: one document.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

impl Command {
    /// Whether stdout is to hold a JSON document.
    fn json(&self) -> bool {
        match self {
            Command::Validate { format, .. }
            | Command::Report { format, .. }
            | Command::Sample { format, .. }
            | Command::Manifest { action: ManifestAction::Merge { format, .. } } => *format == Format::Json,
            Command::Explain { format, .. } => *format == ExplainFormat::Json,
            Command::Summary { format, .. } => *format == SummaryFormat::Json,
            Command::Run { batch, .. } | Command::Renewals { batch, .. } => batch.format == Format::Json,
            Command::Completions { .. } | Command::Man => false,
        }
    }
}

/// A command that did not do what was asked: the exit code, and what to say.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    /// The error in one piece (JSON's "error").
    pub message: String,
    /// The lines for stderr, as they are.
    pub lines: Vec<String>,
}

impl Failure {
    /// Exit 2: printed as `error: <message>`.
    pub fn usage(message: impl Into<String>) -> Failure {
        let message = message.into();
        Failure { exit: Exit::Usage, lines: vec![format!("error: {message}")], message }
    }

    /// Exit 75: the output folder is held by another run.
    pub fn unavailable(message: impl Into<String>) -> Failure {
        Failure { exit: Exit::Unavailable, ..Failure::usage(message) }
    }

    /// Exit 1: a customer's problems, one line each.
    pub fn data(lines: Vec<String>) -> Failure {
        Failure { exit: Exit::Attention, message: lines.join("\n"), lines }
    }
}

pub type Done = Result<Exit, Failure>;

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return parse_error(e),
    };
    let json = cli.command.as_ref().is_some_and(Command::json);
    let done = match cli.command {
        Some(Command::Validate { input, format }) => validate::validate(&input, format),
        Some(Command::Explain { customer_dir, period, format }) => explain::explain(&customer_dir, &period, format),
        Some(Command::Report { customer_dir, period, audience, out, allow_stale, format, look }) => {
            report::report(&report::Request { dir: &customer_dir, period: &period, audience, out, allow_stale, format, look: &look })
        }
        Some(Command::Summary { input, period, format }) => summary::summary(&input, &period, format),
        Some(Command::Run { input, period, audience, batch }) => {
            let editions = audience.into_iter().map(AudienceArg::edition).collect();
            batch::run(&input, period.report_quarter(), period.as_of(), editions, &batch)
        }
        Some(Command::Renewals { input, as_of, send, batch }) => batch::renewals(&input, as_of, &send, &batch),
        Some(Command::Manifest { action: ManifestAction::Merge { out, format } }) => merge::merge(&out, format),
        Some(Command::Sample { customers, seed, out, as_of, force, format }) => {
            sample::sample(&sample::Request { customers, seed, out: &out, as_of, force, format })
        }
        Some(Command::Completions { shell }) => docs::completions(shell, &mut Cli::command()),
        Some(Command::Man) => docs::man(Cli::command()),
        None => {
            // The sample exports are a snapshot taken on this date: the main job reports as of it, so
            // it gives the same reports on any day instead of finding the sample stale next quarter.
            let period = Period { quarter: None, as_of: Some(SAMPLE_AS_OF) };
            let editions = vec![AudienceArg::Executive.edition(), AudienceArg::Team.edition()];
            batch::run(Path::new(DEFAULT_INPUT), period.report_quarter(), period.as_of(), editions, &batch::BatchArgs::defaults())
        }
    };
    let exit = match done {
        Ok(exit) => exit,
        Err(failure) => {
            for line in &failure.lines {
                err!("{line}");
            }
            if json {
                print_json(&error_document(&failure.message, failure.exit));
            }
            failure.exit
        }
    };
    ExitCode::from(exit.code())
}

/// An argument clap refused: its message on stderr, exit 2; with `--format json` also a JSON
/// document on stdout. Help and version are printed as asked, exit 0.
fn parse_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand) {
        e.exit();
    }
    let _ = e.print();
    let raw: Vec<String> = std::env::args().collect();
    let json = raw.windows(2).any(|w| w[0] == "--format" && w[1] == "json") || raw.iter().any(|a| a == "--format=json");
    if json {
        let message = e.kind().as_str().map_or_else(|| e.to_string(), str::to_string);
        let detail = e.to_string();
        let first = detail.lines().next().unwrap_or(&message).trim_start_matches("error: ").to_string();
        print_json(&error_document(&first, Exit::Usage));
    }
    ExitCode::from(Exit::Usage.code())
}

pub fn error_document(message: &str, exit: Exit) -> serde_json::Value {
    serde_json::json!({ "error": message, "exit_code": exit.code() })
}

/// A JSON document on stdout, through [`terminal::safe`] (which keeps JSON valid).
pub fn print_json(value: &serde_json::Value) {
    out!("{}", serde_json::to_string_pretty(value).expect("a JSON value serializes"));
}

/// `dir` must be one customer's folder: it holds account.csv. A folder of customers (the input
/// folder given by mistake) or anything else is a usage error that says what to give instead.
pub fn customer_dir(dir: &Path) -> Result<(), Failure> {
    use valuereport::load::ACCOUNT_FILE;
    if !dir.exists() {
        return Err(Failure::usage(format!("{}: customer folder not found", dir.display())));
    }
    if !dir.is_dir() {
        return Err(Failure::usage(format!("{}: not a folder; expected a customer folder (one holding {ACCOUNT_FILE})", dir.display())));
    }
    if dir.join(ACCOUNT_FILE).exists() {
        return Ok(());
    }
    let found = valuereport::discover::discover(dir).map(|d| d.customers).unwrap_or_default();
    Err(Failure::usage(match found.first() {
        Some(first) => format!(
            "{}: an input folder with {} customer folder{}, not a customer folder; give one of them (e.g. {}), or use `valuereport run {}` for all",
            dir.display(),
            found.len(),
            plural(found.len()),
            first.display(),
            dir.display()
        ),
        None => format!("{}: not a customer folder (no {ACCOUNT_FILE} in it)", dir.display()),
    }))
}

/// `input` must be a folder of customer folders, not one customer's folder.
pub fn input_dir(input: &Path) -> Result<(), Failure> {
    use valuereport::load::ACCOUNT_FILE;
    if input.join(ACCOUNT_FILE).is_file() {
        return Err(Failure::usage(format!(
            "{}: a customer folder (it holds {ACCOUNT_FILE}), not an input folder; give the folder above it, or use `valuereport report {}` or `valuereport explain {}` for this customer",
            input.display(),
            input.display(),
            input.display()
        )));
    }
    Ok(())
}

/// Folders under INPUT that could not be read: errors (exit 1), since a customer may be in one.
pub fn report_unreadable(loaded: &valuereport::batch::LoadedInput) {
    for (path, reason) in &loaded.unreadable {
        err!("error: {}: cannot be read ({reason}); any customer in it was not checked", path.display());
    }
}

pub fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests;
