//! Load: the CSV input contract (`docs/input-format.md`) and its errors.
//!
//! A customer folder is read into a validated [`Customer`](crate::model::Customer), or into the list
//! of every problem found, each with file, line, column, value and what was expected.

mod columns;
mod customer;
mod date;
mod decode;
mod error;
mod labels;
mod limits;
mod lines;
mod number;
mod table;

use std::path::Path;

pub use columns::{normalize as normalize_column_name, Alias, ColumnSettings, Preset};
pub use customer::{
    is_valid_customer_id, load_account, load_account_with, load_customer, load_customer_with, LoadOptions,
    ACCOUNT_FILE, GOALS_FILE, HEALTH_FILE, METRICS_FILE, NPS_FILE, OPPORTUNITIES_FILE, STORIES_FILE,
};
pub use date::{parse_date_cell, parse_iso_date};
pub use decode::Encoding;
pub use error::{InputError, Problem};
pub use labels::{
    metric_label, metric_label_in_sentence, parse_metric_labels, read_metric_labels, MetricLabels, METRIC_LABELS_FILE,
};
pub use limits::{
    Limits, DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_LIST_ROWS, DEFAULT_MAX_ROWS, MAX_FILE_BYTES_VAR, MAX_LIST_ROWS_VAR,
    MAX_PROBLEMS_PER_FILE, MAX_ROWS_VAR, MAX_VALUE_CHARS,
};
pub use number::{parse_decimal, NumberFormat};
pub use table::{Dialect, Table};

use crate::model::Settings;

/// One of the CSV files of a customer folder: the five of the value report and the two optional
/// health inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Account,
    Goals,
    Metrics,
    Stories,
    Opportunities,
    Health,
    Nps,
}

impl FileKind {
    pub const ALL: [FileKind; 7] = [
        FileKind::Account,
        FileKind::Goals,
        FileKind::Metrics,
        FileKind::Stories,
        FileKind::Opportunities,
        FileKind::Health,
        FileKind::Nps,
    ];

    /// The file's key in `[columns]` of valuereport.toml.
    pub fn settings_key(self) -> &'static str {
        match self {
            FileKind::Account => "account",
            FileKind::Goals => "goals",
            FileKind::Metrics => "metrics",
            FileKind::Stories => "stories",
            FileKind::Opportunities => "opportunities",
            FileKind::Health => "health",
            FileKind::Nps => "nps",
        }
    }

    /// Every column the input contract defines for the file (docs/input-format.md).
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            FileKind::Account => &[
                "customer_id",
                "customer_name",
                "renewal_date",
                "annual_investment",
                "currency",
                "locale",
                "contract_start",
                "segment",
                "industry",
                "csm_name",
                "csm_email",
                "executive_sponsor",
            ],
            FileKind::Goals => &[
                "goal_id",
                "title",
                "metric",
                "category",
                "unit",
                "direction",
                "baseline",
                "target",
                "per",
                "value_per_unit",
                "volume",
                "baseline_source",
                "owner",
            ],
            FileKind::Metrics => &["date", "metric", "value"],
            FileKind::Stories => &["date", "type", "title", "detail", "person", "role", "amount"],
            FileKind::Opportunities => &[
                "opportunity_id",
                "title",
                "description",
                "category",
                "annual_value",
                "confidence",
                "assumption",
                "start_date",
            ],
            FileKind::Health => &["date", "component", "score"],
            FileKind::Nps => &["date", "respondent", "score"],
        }
    }

    pub fn file_name(self) -> &'static str {
        match self {
            FileKind::Account => ACCOUNT_FILE,
            FileKind::Goals => GOALS_FILE,
            FileKind::Metrics => METRICS_FILE,
            FileKind::Stories => STORIES_FILE,
            FileKind::Opportunities => OPPORTUNITIES_FILE,
            FileKind::Health => HEALTH_FILE,
            FileKind::Nps => NPS_FILE,
        }
    }
}

/// Reads `bytes` as the `kind` file of a customer, without touching the disk (for fuzzing and
/// tests): the number of valid rows, or every problem found, each against `path`. The checks across
/// files (goal metrics need rows) are not made.
pub fn parse_file(kind: FileKind, path: &Path, bytes: &[u8], limits: Limits) -> Result<usize, Vec<InputError>> {
    // `Table` owns a `'static` reader: hand it a copy.
    let mut table = Table::from_reader_with(path, Box::new(std::io::Cursor::new(bytes.to_vec())), kind, limits)
        .map_err(|error| vec![error])?;
    let mut errors = Vec::new();
    match customer::read_kind(kind, &mut table, &mut errors) {
        Some(rows) if errors.is_empty() => Ok(rows),
        _ => Err(errors),
    }
}

/// Name of the optional run-wide settings file at the INPUT root.
pub const SETTINGS_FILE: &str = "valuereport.toml";

/// Reads `valuereport.toml` from `root` if it exists; defaults otherwise. Unknown keys are errors.
pub fn load_settings(root: &Path) -> Result<Settings, InputError> {
    let path = root.join(SETTINGS_FILE);
    let text = match read_settings_file(&path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| InputError::new(&path, Problem::NotUtf8))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let metric_labels = read_metric_labels(root).map_err(|mut problems| problems.remove(0))?;
            return Ok(Settings { metric_labels, ..Settings::default() });
        }
        Err(e) => {
            let problem = match e.downcast::<Problem>() {
                Ok(problem) => problem,
                Err(e) => Problem::Unreadable(e.to_string()),
            };
            return Err(InputError::new(&path, problem));
        }
    };
    let mut settings: Settings = toml::from_str(&text).map_err(|e| {
        let line = e.span().map(|span| 1 + text[..span.start].matches('\n').count() as u64);
        let error = InputError::new(&path, Problem::Settings(e.message().trim().to_string()));
        match line {
            Some(line) => error.at_line(line),
            None => error,
        }
    })?;
    let checks = [
        settings.columns.check(),
        settings.health.check(),
        settings.fx.as_ref().map_or(Ok(()), crate::model::FxSettings::check),
    ];
    if let Some(message) = checks.into_iter().find_map(Result::err) {
        return Err(InputError::new(&path, Problem::Settings(message)));
    }
    if !is_hex_colour(&settings.brand_color) {
        let problem = Problem::Settings(format!(
            "brand_color {:?} is not a colour; expected #RRGGBB, e.g. \"#1F4E79\"",
            settings.brand_color
        ));
        return Err(InputError::new(&path, problem));
    }
    settings.metric_labels = read_metric_labels(root).map_err(|mut problems| problems.remove(0))?;
    if let Some(name) = &settings.logo {
        let logo = crate::render::logo::Logo::load(root, name).map_err(|message| {
            let line = text.lines().position(|l| l.trim_start().starts_with("logo")).map(|i| i as u64 + 1);
            let error = InputError::new(&path, Problem::Settings(message));
            match line {
                Some(line) => error.at_line(line),
                None => error,
            }
        })?;
        settings.logo_image = Some(logo);
    }
    Ok(settings)
}

/// The settings file's bytes. Hardening: it may be a link (a shared settings file), but it must
/// lead to a plain file within the size limit; a link to /dev/zero or a named pipe would otherwise
/// exhaust memory or block the run forever. Problems come back as a `Problem` inside the error.
fn read_settings_file(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let meta = std::fs::metadata(path)?;
    let problem = |problem: Problem| std::io::Error::other(problem);
    if !meta.is_file() {
        return Err(problem(Problem::NotAFile(if meta.is_dir() { "a folder" } else { "a special file" })));
    }
    let limits = Limits::from_env().map_err(problem)?;
    if meta.len() > limits.max_file_bytes {
        return Err(problem(Problem::FileTooLarge { size: Some(meta.len()), limit: limits.max_file_bytes }));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.take(limits.max_file_bytes.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(problem(Problem::FileTooLarge { size: None, limit: limits.max_file_bytes }));
    }
    Ok(bytes)
}

fn is_hex_colour(text: &str) -> bool {
    text.len() == 7 && text.starts_with('#') && text[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_default_when_absent_and_reject_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load_settings(dir.path()).unwrap(), Settings::default());

        std::fs::write(dir.path().join(SETTINGS_FILE), "vendor_name = \"Northwind\"\n").unwrap();
        assert_eq!(load_settings(dir.path()).unwrap().vendor_name, "Northwind");

        std::fs::write(dir.path().join(SETTINGS_FILE), "vendor_name = \"N\"\nbrand_colour = \"#000000\"\n").unwrap();
        let error = load_settings(dir.path()).unwrap_err();
        assert_eq!(error.line, Some(2));
        assert!(error.to_string().contains("unknown field `brand_colour`"), "{error}");

        std::fs::write(dir.path().join(SETTINGS_FILE), "brand_color = \"blue\"\n").unwrap();
        assert!(load_settings(dir.path()).unwrap_err().to_string().contains("#RRGGBB"));
    }

    #[test]
    fn renewal_date_tolerance_defaults_to_45_days_and_is_checked() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load_settings(dir.path()).unwrap().renewals.date_tolerance_days, 45);
        let file = dir.path().join(SETTINGS_FILE);
        std::fs::write(&file, "vendor_name = \"N\"\n[renewals]\ndate_tolerance_days = 10\n").unwrap();
        assert_eq!(load_settings(dir.path()).unwrap().renewals.date_tolerance_days, 10);
        std::fs::write(&file, "[renewals]\n").unwrap();
        assert_eq!(load_settings(dir.path()).unwrap().renewals.date_tolerance_days, 45);
        std::fs::write(&file, "[renewals]\ndate_tolerance = 10\n").unwrap();
        let error = load_settings(dir.path()).unwrap_err();
        assert!(error.to_string().contains("unknown field `date_tolerance`"), "{error}");
        assert_eq!(error.line, Some(2));
        std::fs::write(&file, "[renewals]\ndate_tolerance_days = -3\n").unwrap();
        assert!(load_settings(dir.path()).is_err());
    }

    #[test]
    fn health_weights_portfolio_locale_and_fx_rates_are_read_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(SETTINGS_FILE);
        let defaults = load_settings(dir.path()).unwrap();
        assert_eq!(defaults.health.weights.get("usage"), Some(&rust_decimal::Decimal::from(40)));
        assert_eq!(defaults.portfolio.locale, crate::model::Locale::En);
        assert!(defaults.fx.is_none());
        std::fs::write(
            &file,
            "[health.weights]\nusage = 50\nsupport = 50\n[portfolio]\nlocale = \"es\"\n[fx]\nbase = \"USD\"\n[fx.rates.EUR]\nrate = 1.0850\ndate = 2026-09-30\n[fx.rates.JPY]\nrate = \"0.0067\"\ndate = \"2026-09-30\"\n",
        )
        .unwrap();
        let settings = load_settings(dir.path()).unwrap();
        assert_eq!(settings.health.weights.len(), 2);
        assert_eq!(settings.portfolio.locale, crate::model::Locale::Es);
        let fx = settings.fx.unwrap();
        let eur = crate::model::Currency::from_code("EUR").unwrap();
        // A TOML float is read from its shortest text: exactly 1.085, not 1.08499999….
        assert_eq!(fx.rate(eur).unwrap().0, "1.085".parse::<rust_decimal::Decimal>().unwrap());
        assert_eq!(
            fx.rate(crate::model::Currency::from_code("JPY").unwrap()).unwrap().1.unwrap().to_string(),
            "2026-09-30"
        );
        assert!(fx.rate(crate::model::Currency::from_code("GBP").unwrap()).is_none());
        for (bad, message) in [
            ("[health.weights]\nusage = -1\n", "a weight is 0 or more"),
            ("[health.weights]\nusage = 0\n", "at least one weight"),
            ("[portfolio]\nlocale = \"fr\"\n", "not a report language"),
            ("[fx]\nbase = \"USD\"\n[fx.rates.EUR]\nrate = 0\ndate = 2026-09-30\n", "a rate is above 0"),
            ("[fx]\nbase = \"USD\"\n[fx.rates.EURO]\nrate = 1\ndate = 2026-09-30\n", "not an ISO 4217"),
            ("[fx]\nbase = \"USD\"\n[fx.rates.EUR]\nrate = 1\n", "missing field `date`"),
            ("[fx]\nbase = \"USD\"\n[fx.rates.EUR]\nrate = 1\ndate = \"30/09/2026\"\n", "not a date"),
        ] {
            std::fs::write(&file, bad).unwrap();
            let error = load_settings(dir.path()).unwrap_err().to_string();
            assert!(error.contains(message), "{bad}: {error}");
        }
    }
}
