//! Options shared by several commands: the report period, the look of the PDFs, output formats.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, ValueEnum};

use valuereport::content::catalog::Catalogs;
use valuereport::content::report::Edition;
use valuereport::load::parse_iso_date;
use valuereport::model::Locale;
use valuereport::quarter::Quarter;
use valuereport::render::archive::PdfStandard;
use valuereport::render::pdf::Paper;

pub const DEFAULT_INPUT: &str = "sample-data";
pub const DEFAULT_OUT: &str = "out";

/// Which quarter to report on: `--quarter`, or the last quarter ended on or before `--as-of`.
#[derive(Args, Default, Clone)]
#[group(multiple = false)]
pub struct Period {
    /// Report quarter, as YEAR-QN, e.g. 2026-Q3 [default: the last quarter ended on or before
    /// --as-of]
    #[arg(long, value_name = "YYYY-QN")]
    pub quarter: Option<Quarter>,
    /// Report on the last quarter that ended on or before this date, as YYYY-MM-DD, e.g. 2026-11-22
    /// [default: today]
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub as_of: Option<NaiveDate>,
}

impl Period {
    pub fn report_quarter(&self) -> Quarter {
        self.quarter.unwrap_or_else(|| Quarter::last_ended_on_or_before(self.as_of()))
    }

    /// The date the report is as of: `--as-of`, the last day of `--quarter`, or today.
    pub fn as_of(&self) -> NaiveDate {
        match (self.as_of, self.quarter) {
            (Some(as_of), _) => as_of,
            (None, Some(quarter)) => quarter.last_day(),
            (None, None) => chrono::Local::now().date_naive(),
        }
    }
}

/// How the PDFs look: paper, wording, language, archival standard.
#[derive(Args, Clone)]
pub struct Look {
    /// Paper size.
    #[arg(long, value_enum, default_value_t = PaperArg::A4)]
    pub paper: PaperArg,
    /// Folder with catalogs (en.toml, es.toml, ms.toml, ja.toml) to use instead of the built-in
    /// wording [default: built in; see templates/]
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Report language for every customer [default: each account's `locale`]
    #[arg(long, value_enum)]
    pub locale: Option<LocaleArg>,
    /// Standard the PDFs are written to: ua1-a3a (PDF/A-3 with the computation and input CSVs
    /// attached; PDF/A-3a and PDF/UA-1 when tagged) or none (a plain PDF, no archival metadata or
    /// attachments).
    #[arg(long, value_enum, default_value_t = PdfStandardArg::Ua1A3a)]
    pub pdf_standard: PdfStandardArg,
}

impl Default for Look {
    fn default() -> Look {
        Look { paper: PaperArg::A4, templates: None, locale: None, pdf_standard: PdfStandardArg::Ua1A3a }
    }
}

impl Look {
    pub fn catalogs(&self) -> Result<Catalogs, String> {
        match &self.templates {
            Some(dir) => Catalogs::from_dir(dir).map_err(|e| e.to_string()),
            None => Ok(Catalogs::built_in()),
        }
    }

    pub fn paper(&self) -> Paper {
        match self.paper {
            PaperArg::A4 => Paper::A4,
            PaperArg::Letter => Paper::Letter,
        }
    }

    pub fn locale(&self) -> Option<Locale> {
        self.locale.map(|locale| match locale {
            LocaleArg::En => Locale::En,
            LocaleArg::Es => Locale::Es,
            LocaleArg::Ms => Locale::Ms,
            LocaleArg::Ja => Locale::Ja,
        })
    }

    pub fn pdf_standard(&self) -> PdfStandard {
        match self.pdf_standard {
            PdfStandardArg::Ua1A3a => PdfStandard::Ua1A3a,
            PdfStandardArg::None => PdfStandard::None,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum PaperArg {
    A4,
    Letter,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum LocaleArg {
    En,
    Es,
    Ms,
    Ja,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PdfStandardArg {
    #[value(name = "ua1-a3a")]
    Ua1A3a,
    None,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AudienceArg {
    /// 1–2 pages for C-level readers.
    Executive,
    /// 2–5 pages with every chart and table.
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

/// What a command prints on stdout.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Lines for people.
    Text,
    /// One JSON document, also on errors (with "error").
    Json,
}

/// `explain`'s formats: `table` is kept as another name for `text`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    /// The computation as an aligned table (also: table).
    #[value(alias = "table")]
    Text,
    /// One JSON document, also on errors (with "error").
    Json,
}

/// `summary`'s formats.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SummaryFormat {
    /// One aligned line per customer.
    Text,
    /// An array of objects (results.jsonl's fields); on an error, an object with "error".
    Json,
    /// results.csv's columns.
    Csv,
}

pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    parse_iso_date(text).ok_or_else(|| format!("{text:?} is not a date; expected YYYY-MM-DD"))
}
