//! The command line: parses arguments, runs the library, and turns results into output and exit codes.
//!
//! Exit codes: 0 success, 1 some customer's data has errors (all others still handled), 2 usage or
//! configuration error, 75 the output folder is held by another run (EX_TEMPFAIL: try again later),
//! 130 / 143 the run was stopped by SIGINT / SIGTERM (work done so far is recorded).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

use valuereport::batch::output::write_atomically;
use valuereport::batch::{load_input, load_one, report_pdf, settings_for, ReportError, ReportOptions};
use valuereport::content::catalog::Catalogs;
use valuereport::content::report::Edition;
use valuereport::explain;
use valuereport::load::{parse_iso_date, ACCOUNT_FILE};
use valuereport::quarter::Quarter;
use valuereport::render::pdf::Paper;
use valuereport::value;

// Everything printed goes through `terminal::safe` (customer text may hold control characters):
// these shadow the standard macros in this file and in the `cli` modules below.
macro_rules! println {
    ($($arg:tt)*) => { std::println!("{}", crate::terminal::safe(&format!($($arg)*))) };
}
macro_rules! eprintln {
    ($($arg:tt)*) => { std::eprintln!("{}", crate::terminal::safe(&format!($($arg)*))) };
}
macro_rules! print {
    ($($arg:tt)*) => { std::print!("{}", crate::terminal::safe(&format!($($arg)*))) };
}

#[path = "cli/terminal.rs"]
mod terminal;

#[path = "cli/batch.rs"]
mod batch;

const DEFAULT_INPUT: &str = "sample-data";
const DEFAULT_OUT: &str = "out";
/// The day the sample-data exports were taken (sample-data/README.md).
const SAMPLE_AS_OF: NaiveDate = match NaiveDate::from_ymd_opt(2026, 11, 22) {
    Some(date) => date,
    None => panic!("a valid date"),
};

#[derive(Parser)]
#[command(name = "valuereport", version, about = "Customer value reports from per-customer CSV exports")]
struct Cli {
    /// Without a command: `run` on sample-data as of 2026-11-22, the day its exports were taken (both
    /// editions of every customer's report, into out/).
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Check every customer under INPUT against the input contract; one line per problem.
    Validate {
        /// Folder to walk for customer folders (each holds an account.csv).
        #[arg(default_value = DEFAULT_INPUT)]
        input: PathBuf,
        /// text: one line per problem; json: one document with every problem and its code.
        #[arg(long, value_enum, default_value_t = ValidateFormat::Text)]
        format: ValidateFormat,
    },
    /// Show the value computation for one customer folder.
    Explain {
        customer_dir: PathBuf,
        #[command(flatten)]
        period: Period,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Write the PDF value report of one customer folder.
    Report {
        customer_dir: PathBuf,
        #[command(flatten)]
        period: Period,
        /// executive: 1–2 pages for C-level; team: 2–5 pages with every chart and table.
        #[arg(long, value_enum, default_value_t = Audience::Team)]
        audience: Audience,
        /// Output file (default: out/<customer_id>-<quarter>-<audience>.pdf).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Write the report even if the report quarter has no goal data yet (a late export); page 1
        /// then says how far the figures run. Without it such a customer is refused (exit 1).
        #[arg(long)]
        allow_stale: bool,
        #[command(flatten)]
        look: Look,
    },
    /// Quarterly reports for every customer under INPUT: out/<quarter>/<id>/<id>-<quarter>-<audience>.pdf.
    Run {
        #[arg(default_value = DEFAULT_INPUT)]
        input: PathBuf,
        #[command(flatten)]
        period: Period,
        /// Editions to write.
        #[arg(long, value_enum, value_delimiter = ',', default_values_t = [batch::AudienceArg::Executive, batch::AudienceArg::Team])]
        audience: Vec<batch::AudienceArg>,
        #[command(flatten)]
        batch: batch::BatchArgs,
    },
    /// Renewal packages due at --as-of (T-90, T-60, T-30 days before each renewal), each once.
    Renewals {
        #[arg(default_value = DEFAULT_INPUT)]
        input: PathBuf,
        /// The day the packages are for, e.g. today in a daily cron job.
        #[arg(long, value_parser = parse_date)]
        as_of: NaiveDate,
        #[command(flatten)]
        send: batch::SendArgs,
        #[command(flatten)]
        batch: batch::BatchArgs,
    },
    /// Generate N realistic synthetic customers (every category, locale and history length).
    Sample {
        /// How many customers.
        #[arg(long, default_value_t = 100)]
        customers: usize,
        /// Same seed, same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Folder to write into (created).
        #[arg(long)]
        out: PathBuf,
        /// History ends with the last quarter ended on or before this date (default: today).
        #[arg(long, value_parser = parse_date)]
        as_of: Option<NaiveDate>,
    },
    /// Work with run manifests.
    Manifest {
        #[command(subcommand)]
        action: ManifestAction,
    },
    /// Print one value summary line per customer under INPUT.
    Summary {
        #[arg(default_value = DEFAULT_INPUT)]
        input: PathBuf,
        #[command(flatten)]
        period: Period,
        /// text: aligned lines; json: an array of objects; csv: results.csv's columns.
        #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
        format: SummaryFormat,
    },
}

#[derive(Subcommand)]
enum ManifestAction {
    /// Combine the shard manifests (manifest-K-of-N.json) of one run into manifest.json.
    Merge {
        #[arg(long, default_value = DEFAULT_OUT)]
        out: PathBuf,
    },
}

#[derive(Args, Default, Clone)]
#[group(multiple = false)]
struct Period {
    /// Report quarter, e.g. 2026-Q3.
    #[arg(long)]
    quarter: Option<Quarter>,
    /// Report on the last quarter that ended on or before this date (YYYY-MM-DD). Default: today.
    #[arg(long, value_parser = parse_date)]
    as_of: Option<NaiveDate>,
}

impl Period {
    fn report_quarter(&self) -> Quarter {
        self.quarter.unwrap_or_else(|| Quarter::last_ended_on_or_before(self.as_of()))
    }

    /// The date the report is as of: `--as-of`, the last day of `--quarter`, or today.
    fn as_of(&self) -> NaiveDate {
        match (self.as_of, self.quarter) {
            (Some(as_of), _) => as_of,
            (None, Some(quarter)) => quarter.last_day(),
            (None, None) => chrono::Local::now().date_naive(),
        }
    }
}

#[derive(Args, Clone)]
pub(crate) struct Look {
    /// Paper size.
    #[arg(long, value_enum, default_value_t = PaperArg::A4)]
    paper: PaperArg,
    /// Folder with catalogs (en.toml, es.toml, ms.toml, ja.toml) to use instead of the built-in wording.
    #[arg(long)]
    templates: Option<PathBuf>,
    /// Report language for every customer, instead of each account's `locale`.
    #[arg(long, value_enum)]
    locale: Option<LocaleArg>,
    /// ua1-a3a: a tagged, accessible, archival PDF (PDF/UA-1 and PDF/A-3a) with the computation and
    /// the input files attached; none: a plain PDF.
    #[arg(long, value_enum, default_value_t = PdfStandardArg::Ua1A3a)]
    pdf_standard: PdfStandardArg,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum PdfStandardArg {
    #[value(name = "ua1-a3a")]
    Ua1A3a,
    None,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum LocaleArg {
    En,
    Es,
    Ms,
    Ja,
}

impl LocaleArg {
    fn locale(self) -> valuereport::model::Locale {
        use valuereport::model::Locale;
        match self {
            LocaleArg::En => Locale::En,
            LocaleArg::Es => Locale::Es,
            LocaleArg::Ms => Locale::Ms,
            LocaleArg::Ja => Locale::Ja,
        }
    }
}

impl Look {
    fn catalogs(&self) -> Result<Catalogs, String> {
        match &self.templates {
            Some(dir) => Catalogs::from_dir(dir).map_err(|e| e.to_string()),
            None => Ok(Catalogs::built_in()),
        }
    }

    fn pdf_standard(&self) -> valuereport::render::archive::PdfStandard {
        use valuereport::render::archive::PdfStandard;
        match self.pdf_standard {
            PdfStandardArg::Ua1A3a => PdfStandard::Ua1A3a,
            PdfStandardArg::None => PdfStandard::None,
        }
    }

    fn paper(&self) -> Paper {
        match self.paper {
            PaperArg::A4 => Paper::A4,
            PaperArg::Letter => Paper::Letter,
        }
    }
}

impl Default for Look {
    fn default() -> Look {
        Look { paper: PaperArg::A4, templates: None, locale: None, pdf_standard: PdfStandardArg::Ua1A3a }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum PaperArg {
    A4,
    Letter,
}

#[derive(Clone, Copy, ValueEnum)]
enum Audience {
    Executive,
    Team,
}

impl Audience {
    fn edition(self) -> Edition {
        match self {
            Audience::Executive => Edition::Executive,
            Audience::Team => Edition::Team,
        }
    }
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    parse_iso_date(text).ok_or_else(|| format!("{text:?} is not a date; expected YYYY-MM-DD"))
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ValidateFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SummaryFormat {
    Text,
    Json,
    Csv,
}

const OK: u8 = 0;
const DATA_ERRORS: u8 = 1;
const USAGE: u8 = 2;
/// EX_TEMPFAIL (sysexits.h): another run holds the output folder; nothing was written.
const HELD: u8 = 75;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Some(Command::Validate { input, format }) => validate(&input, format),
        Some(Command::Explain { customer_dir, period, format }) => explain_customer(&customer_dir, &period, format),
        Some(Command::Report { customer_dir, period, audience, out, allow_stale, look }) => {
            report(&customer_dir, &period, audience, out, allow_stale, &look)
        }
        Some(Command::Summary { input, period, format }) => summary(&input, &period, format),
        Some(Command::Run { input, period, audience, batch }) => {
            let editions = audience.into_iter().map(batch::AudienceArg::edition).collect();
            batch::run(&input, period.report_quarter(), period.as_of(), editions, &batch)
        }
        Some(Command::Renewals { input, as_of, send, batch }) => batch::renewals(&input, as_of, &send, &batch),
        Some(Command::Manifest { action: ManifestAction::Merge { out } }) => batch::merge(&out),
        Some(Command::Sample { customers, seed, out, as_of }) => {
            let as_of = as_of.unwrap_or_else(|| chrono::Local::now().date_naive());
            match valuereport::sample::generate(&out, customers, seed, as_of) {
                Ok(ids) => {
                    println!("wrote {} customers into {}", ids.len(), out.display());
                    OK
                }
                Err(e) => usage_error(&format!("{}: {e}", out.display())),
            }
        }
        None => {
            // The sample exports are a snapshot taken on this date: the main job reports as of it, so
            // it gives the same reports on any day instead of finding the sample stale next quarter.
            let period = Period { quarter: None, as_of: Some(SAMPLE_AS_OF) };
            let editions = vec![Edition::Executive, Edition::Team];
            batch::run(
                Path::new(DEFAULT_INPUT),
                period.report_quarter(),
                period.as_of(),
                editions,
                &batch::BatchArgs::defaults(),
            )
        }
    };
    ExitCode::from(code)
}

fn validate(input: &Path, format: ValidateFormat) -> u8 {
    let loaded = match load_input(input) {
        Ok(loaded) => loaded,
        Err(e) => return usage_error(&e.to_string()),
    };
    if format == ValidateFormat::Json {
        let report = valuereport::batch::validation::to_json(&loaded);
        std::println!("{}", serde_json::to_string_pretty(&report).expect("json"));
        return if loaded.settings.is_err() {
            USAGE
        } else if loaded.problem_count() > 0 || !loaded.unreadable.is_empty() {
            DATA_ERRORS
        } else {
            OK
        };
    }
    for (path, reason) in &loaded.skipped {
        eprintln!("note: {}: skipped: {reason}", path.display());
    }
    report_unreadable(&loaded);
    if let Err(e) = &loaded.settings {
        println!("{e}");
    }
    let mut failed = 0;
    for (_, result) in &loaded.customers {
        match result {
            Err(errors) => {
                failed += 1;
                for error in errors {
                    println!("{error}");
                }
            }
            Ok(customer) => {
                for warning in &customer.warnings {
                    println!("warning: {warning}");
                }
            }
        }
    }
    let total = loaded.customers.len();
    eprintln!(
        "checked {total} customer{}: {} valid, {failed} with errors ({} problem{})",
        plural(total),
        total - failed,
        loaded.problem_count(),
        plural(loaded.problem_count())
    );
    if total == 0 {
        eprintln!("warning: no customer folders (folders with {ACCOUNT_FILE}) under {}", input.display());
    }
    if loaded.settings.is_err() {
        USAGE
    } else if loaded.problem_count() > 0 || !loaded.unreadable.is_empty() {
        DATA_ERRORS
    } else {
        OK
    }
}

fn explain_customer(dir: &Path, period: &Period, format: Format) -> u8 {
    if !dir.is_dir() {
        return usage_error(&format!("{}: not a folder", dir.display()));
    }
    let customer = match load_one(dir) {
        Ok(customer) => customer,
        Err(errors) => {
            for error in errors {
                eprintln!("{error}");
            }
            return DATA_ERRORS;
        }
    };
    for warning in &customer.warnings {
        eprintln!("warning: {warning}");
    }
    match value::compute(&customer, period.report_quarter()) {
        Ok(summary) => {
            match format {
                Format::Table => print!("{}", explain::to_table(&customer, &summary)),
                Format::Json => println!("{}", explain::to_json(&summary)),
            }
            OK
        }
        Err(e) => {
            eprintln!("{}: {e}", dir.display());
            DATA_ERRORS
        }
    }
}

fn report(dir: &Path, period: &Period, audience: Audience, out: Option<PathBuf>, allow_stale: bool, look: &Look) -> u8 {
    if !dir.is_dir() {
        return usage_error(&format!("{}: not a folder", dir.display()));
    }
    let catalogs = match look.catalogs() {
        Ok(catalogs) => catalogs,
        Err(e) => return usage_error(&e),
    };
    let settings = match settings_for(dir) {
        Ok(settings) => settings,
        Err(e) => return usage_error(&e.to_string()),
    };
    let customer = match load_one(dir) {
        Ok(customer) => customer,
        Err(errors) => {
            for error in errors {
                eprintln!("{error}");
            }
            return DATA_ERRORS;
        }
    };
    for warning in &customer.warnings {
        eprintln!("warning: {warning}");
    }
    let quarter = period.report_quarter();
    let edition = audience.edition();
    let options = ReportOptions {
        settings: &settings,
        catalogs: &catalogs,
        quarter,
        as_of: period.as_of(),
        edition,
        paper: look.paper(),
        renewal: None,
        locale: look.locale.map(LocaleArg::locale),
        allow_stale,
        pdf_standard: look.pdf_standard(),
    };
    let path = out.unwrap_or_else(|| {
        Path::new(DEFAULT_OUT).join(format!("{}-{quarter}-{}.pdf", customer.account.customer_id, edition.as_str()))
    });
    match report_pdf(&customer, &options).and_then(|report| write_report(&path, &report.bytes)) {
        Ok(()) => {
            println!("{}", path.display());
            OK
        }
        // A template that does not render is a configuration error.
        Err(e @ ReportError::Catalog(_)) => usage_error(&e.to_string()),
        Err(e) => {
            eprintln!("{e}");
            DATA_ERRORS
        }
    }
}

fn summary(input: &Path, period: &Period, format: SummaryFormat) -> u8 {
    let loaded = match load_input(input) {
        Ok(loaded) => loaded,
        Err(e) => return usage_error(&e.to_string()),
    };
    let settings = match &loaded.settings {
        Ok(settings) => settings,
        Err(e) => return usage_error(&e.to_string()),
    };
    let quarter = period.report_quarter();
    if format != SummaryFormat::Text {
        use valuereport::batch::results;
        let rows = results::summary_rows(&loaded, settings, quarter);
        // Machine formats are data, written as results.csv and .jsonl write them (JSON escapes
        // control characters; CSV quotes, as in the file on disk).
        let bytes = match format {
            SummaryFormat::Csv => results::to_csv(&rows, quarter, period.as_of()),
            _ => results::to_json_array(&rows, quarter, period.as_of()).into_bytes(),
        };
        use std::io::Write as _;
        let _ = std::io::stdout().write_all(&bytes);
        report_unreadable(&loaded);
        let failed = rows.iter().any(|r| r.status == results::RowStatus::Failed);
        return if failed || !loaded.unreadable.is_empty() { DATA_ERRORS } else { OK };
    }
    let mut failed = 0;
    for (dir, result) in &loaded.customers {
        let outcome = result
            .as_ref()
            .map_err(|errors| errors.iter().map(ToString::to_string).collect::<Vec<_>>())
            .and_then(|customer| {
                value::compute(customer, quarter)
                    .map(|summary| explain::summary_line(customer, &summary))
                    .map_err(|e| vec![format!("{}: {e}", dir.display())])
            });
        match outcome {
            Ok(line) => println!("{line}"),
            Err(errors) => {
                failed += 1;
                for error in errors {
                    eprintln!("{error}");
                }
            }
        }
    }
    let total = loaded.customers.len();
    eprintln!("{total} customer{} for {quarter}: {} summarized, {failed} failed", plural(total), total - failed);
    report_unreadable(&loaded);
    if failed > 0 || !loaded.unreadable.is_empty() {
        DATA_ERRORS
    } else {
        OK
    }
}

/// Folders under INPUT that could not be read: errors (exit 1), since a customer may be in one.
fn report_unreadable(loaded: &valuereport::batch::LoadedInput) {
    for (path, reason) in &loaded.unreadable {
        eprintln!("error: {}: cannot be read ({reason}); any customer in it was not checked", path.display());
    }
}

fn write_report(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    write_atomically(path, bytes).map_err(|source| ReportError::Write { path: path.to_path_buf(), source })
}

fn usage_error(message: &str) -> u8 {
    eprintln!("error: {message}");
    USAGE
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
