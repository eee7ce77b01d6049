//! Batch: whole runs over INPUT — quarterly reports, renewal packages, the manifest.

pub mod fingerprint;
pub mod journal;
pub mod lock;
pub mod manifest;
pub mod memory;
pub mod metrics;
pub mod output;
pub mod plan;
pub mod portfolio;
pub mod renewal;
pub mod results;
pub mod run;
pub mod validation;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::discover::{discover, DiscoverError};
use crate::load::{load_customer_with, load_settings, InputError, LoadOptions, Problem, ACCOUNT_FILE};
use crate::model::{Customer, Settings};

/// Every customer folder found under INPUT, each loaded or with all its problems.
pub struct LoadedInput {
    /// `Err` when `valuereport.toml` is invalid; the customers are still checked.
    pub settings: Result<Settings, InputError>,
    /// In sorted folder order.
    pub customers: Vec<(PathBuf, Result<Customer, Vec<InputError>>)>,
    /// Entries the walk did not follow, or folders with customer files but no account.csv.
    pub skipped: Vec<(PathBuf, String)>,
    /// Entries the walk could not read (an error: a customer may be in one).
    pub unreadable: Vec<(PathBuf, String)>,
}

impl LoadedInput {
    pub fn problem_count(&self) -> usize {
        let customers: usize = self.customers.iter().map(|(_, r)| r.as_ref().err().map_or(0, Vec::len)).sum();
        customers + usize::from(self.settings.is_err())
    }
}

/// Discovers and loads every customer under `root`. Two folders with the same `customer_id` both fail,
/// each error naming the other folder: their reports would overwrite each other.
pub fn load_input(root: &Path) -> Result<LoadedInput, DiscoverError> {
    let discovery = discover(root)?;
    let settings = load_settings(root);
    // An invalid settings file is reported on its own; the customers are still checked, as read
    // without it.
    let options = settings.as_ref().map(LoadOptions::from_settings).unwrap_or_default();
    let mut customers: Vec<(PathBuf, Result<Customer, Vec<InputError>>)> = discovery
        .customers
        .into_iter()
        .map(|dir| {
            let loaded = load_customer_with(&dir, &options);
            (dir, loaded)
        })
        .collect();

    let mut by_id: HashMap<String, Vec<usize>> = HashMap::new();
    for (index, (_, loaded)) in customers.iter().enumerate() {
        if let Ok(customer) = loaded {
            by_id.entry(customer.account.customer_id.clone()).or_default().push(index);
        }
    }
    let mut duplicates: Vec<(usize, InputError)> = Vec::new();
    for (id, indices) in by_id.into_iter().filter(|(_, v)| v.len() > 1) {
        for &index in &indices {
            let others: Vec<String> =
                indices.iter().filter(|&&i| i != index).map(|&i| customers[i].0.display().to_string()).collect();
            let problem = Problem::DuplicateCustomer { id: id.clone(), other: others.join(", ") };
            let file = customers[index].0.join(ACCOUNT_FILE);
            duplicates.push((index, InputError::new(&file, problem).in_column("customer_id")));
        }
    }
    duplicates.sort_by_key(|(index, _)| *index);
    for (index, error) in duplicates {
        let slot = &mut customers[index].1;
        match slot {
            Ok(_) => *slot = Err(vec![error]),
            Err(errors) => errors.push(error),
        }
    }
    Ok(LoadedInput { settings, customers, skipped: discovery.skipped, unreadable: discovery.unreadable })
}

/// Everything that can stop one report from being written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Input(Vec<InputError>),
    #[error("{}: {source}", dir.display())]
    Value { dir: PathBuf, source: crate::value::ValueError },
    /// The report quarter has no goal data yet: the export may be late (see `ReportOptions::allow_stale`).
    #[error(
        "{customer_id}: no goal data for {quarter} yet{}: the export may be late; nothing written (--allow-stale reports anyway)",
        data_through.map(|q| format!(" (latest {q})")).unwrap_or_else(|| " (nor for any earlier quarter)".to_string())
    )]
    Stale { customer_id: String, quarter: crate::quarter::Quarter, data_through: Option<crate::quarter::Quarter> },
    #[error(transparent)]
    Catalog(#[from] crate::content::catalog::CatalogError),
    #[error("{}: cannot write the report: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
}

/// What one report is made from, besides the customer.
pub struct ReportOptions<'a> {
    pub settings: &'a Settings,
    pub catalogs: &'a crate::content::catalog::Catalogs,
    pub quarter: crate::quarter::Quarter,
    pub as_of: chrono::NaiveDate,
    pub edition: crate::content::report::Edition,
    pub paper: crate::render::pdf::Paper,
    /// A renewal document (value summary, ROI report or update) instead of the quarterly report.
    pub renewal: Option<crate::content::renewal::RenewalContext>,
    /// Report language; `None` uses the customer's `locale`.
    pub locale: Option<crate::model::Locale>,
    /// Write the report even when the report quarter has no goal data yet (page 1 then says how
    /// far the figures run). Without it a stale customer is an error and nothing is written.
    pub allow_stale: bool,
    /// PDF/A-3 with the computation and the inputs attached, or a plain PDF.
    pub pdf_standard: crate::render::archive::PdfStandard,
}

/// A rendered report.
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub pages: u32,
    /// The figures the report shows (a renewal package's cover message states them too).
    pub summary: crate::value::ValueSummary,
    /// Characters no embedded font has (drawn as a replacement mark), each naming the customer,
    /// the input file it came from and the character.
    pub warnings: Vec<String>,
}

/// Computes and renders one report as PDF bytes.
pub fn report_pdf(customer: &Customer, options: &ReportOptions) -> Result<Rendered, ReportError> {
    let summary = crate::value::compute(customer, options.quarter)
        .map_err(|source| ReportError::Value { dir: customer.dir.clone(), source })?;
    if summary.stale && !options.allow_stale {
        return Err(ReportError::Stale {
            customer_id: customer.account.customer_id.clone(),
            quarter: summary.report_quarter,
            data_through: summary.data_through,
        });
    }
    let locale = options.locale.unwrap_or(customer.account.locale);
    let fonts = crate::render::fonts::FontSet::shared();
    let input = crate::content::report::ReportInput {
        customer,
        summary: &summary,
        settings: options.settings,
        as_of: options.as_of,
        edition: options.edition,
        catalog: options.catalogs.get(options.locale.unwrap_or(customer.account.locale)),
        locale: options.locale.unwrap_or(customer.account.locale),
        renewal: options.renewal.clone(),
    };
    let mut document = crate::render::report::lay_out_within_budget(&input, options.paper, fonts)?;
    document.archive = match options.pdf_standard {
        crate::render::archive::PdfStandard::Ua1A3a => Some(archive_of(customer, &summary, locale)),
        crate::render::archive::PdfStandard::None => None,
    };
    let warnings = missing_character_warnings(customer, &document.missing);
    let pages = document.pages.len() as u32;
    let bytes = crate::render::pdf::write(document, fonts);
    Ok(Rendered { bytes, pages, summary, warnings })
}

/// One warning per character no font has: the customer, the input files that hold it, the
/// character and its code point.
fn missing_character_warnings(customer: &Customer, missing: &[char]) -> Vec<String> {
    if missing.is_empty() {
        return Vec::new();
    }
    let mut files: Vec<(String, String)> = std::fs::read_dir(&customer.dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| entry.path().extension().is_some_and(|e| e == "csv" || e == "toml"))
        .filter_map(|entry| Some((entry.path().display().to_string(), std::fs::read_to_string(entry.path()).ok()?)))
        .collect();
    files.sort();
    missing
        .iter()
        .map(|&ch| {
            let sources: Vec<&str> =
                files.iter().filter(|(_, text)| text.contains(ch)).map(|(path, _)| path.as_str()).collect();
            let sources = if sources.is_empty() { "the report's text".to_string() } else { sources.join(", ") };
            format!(
                "warning: customer {}: no embedded font has {ch:?} (U+{:04X}) from {sources}; it is drawn as a \
                 replacement mark (the text layer keeps the character)",
                customer.account.customer_id,
                u32::from(ch)
            )
        })
        .collect()
}

/// What a report carries so its figures can be checked from the PDF alone: the computation, as
/// `valuereport explain --format json` prints it, and the customer's files as they were read
/// (with the `valuereport.toml` that says how to read them).
fn archive_of(
    customer: &Customer,
    summary: &crate::value::ValueSummary,
    locale: crate::model::Locale,
) -> crate::render::archive::Archive {
    use crate::render::archive::{Archive, Attachment, Relationship};
    let mut json = crate::explain::to_json(summary);
    json.push('\n');
    let mut attachments = vec![Attachment {
        name: "explain.json".to_string(),
        mime: "application/json",
        relationship: Relationship::Data,
        description: format!(
            "The computation behind every figure of this report, as `valuereport explain --format json` prints \
             it for {} and {}",
            customer.account.customer_id, summary.report_quarter
        ),
        bytes: json.into_bytes(),
    }];
    let mut sources: Vec<PathBuf> =
        crate::load::FileKind::ALL.iter().map(|kind| customer.dir.join(kind.file_name())).collect();
    if let Ok(settings) = settings_path(&customer.dir) {
        sources.push(settings);
    }
    for path in sources {
        let Some(bytes) = read_plain_file(&path) else { continue };
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mime = if name.ends_with(".toml") { "application/toml" } else { "text/csv" };
        attachments.push(Attachment {
            description: format!("Input file {name}, byte for byte as read"),
            name,
            mime,
            relationship: Relationship::Source,
            bytes,
        });
    }
    // The customer's full tag (es-MX) when the report is in the customer's language.
    let lang = if locale == customer.account.locale { customer.account.locale_tag().to_string() } else { locale.to_string() };
    Archive { lang, attachments, tagged: true }
}

/// The bytes of a plain file within the size limit (the loader read it so), never through a link.
fn read_plain_file(path: &Path) -> Option<Vec<u8>> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    let limit = crate::load::Limits::from_env().map(|l| l.max_file_bytes).unwrap_or(crate::load::DEFAULT_MAX_FILE_BYTES);
    if !meta.is_file() || meta.len() > limit {
        return None;
    }
    std::fs::read(path).ok()
}

/// The `valuereport.toml` that applies to a customer folder, if any.
fn settings_path(customer_dir: &Path) -> Result<PathBuf, ()> {
    let absolute = std::fs::canonicalize(customer_dir).unwrap_or_else(|_| customer_dir.to_path_buf());
    absolute.ancestors().map(|dir| dir.join(crate::load::SETTINGS_FILE)).find(|path| path.is_file()).ok_or(())
}

/// Loads one customer folder (`explain`, `report`) as a run over the INPUT holding it would: with
/// the settings [`settings_for`] finds (their `[columns]` and `dedupe_exact_rows`).
pub fn load_one(customer_dir: &Path) -> Result<Customer, Vec<InputError>> {
    let settings = settings_for(customer_dir).map_err(|error| vec![error])?;
    load_customer_with(customer_dir, &LoadOptions::from_settings(&settings))
}

/// The `valuereport.toml` that applies to a customer folder: the nearest one in it or above it.
pub fn settings_for(customer_dir: &Path) -> Result<Settings, InputError> {
    match settings_path(customer_dir) {
        Ok(path) => load_settings(path.parent().unwrap_or(customer_dir)),
        Err(()) => Ok(Settings::default()),
    }
}
