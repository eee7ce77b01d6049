//! Batch: whole runs over INPUT — quarterly reports, renewal packages, the manifest.

pub mod fingerprint;
pub mod journal;
pub mod lock;
pub mod manifest;
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
}

/// A rendered report.
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub pages: u32,
    /// The figures the report shows (a renewal package's cover message states them too).
    pub summary: crate::value::ValueSummary,
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
    let content = crate::content::report::build(&crate::content::report::ReportInput {
        customer,
        summary: &summary,
        settings: options.settings,
        as_of: options.as_of,
        edition: options.edition,
        catalog: options.catalogs.get(options.locale.unwrap_or(customer.account.locale)),
        locale: options.locale.unwrap_or(customer.account.locale),
        renewal: options.renewal.clone(),
    })?;
    let (bytes, pages) =
        crate::render::report::render_pdf(content, options.paper, crate::render::fonts::FontSet::shared());
    Ok(Rendered { bytes, pages, summary })
}

/// The `valuereport.toml` that applies to a customer folder: the nearest one in it or above it.
/// Loads one customer folder (`explain`, `report`) as a run over the INPUT holding it would: with
/// the settings [`settings_for`] finds (their `[columns]` and `dedupe_exact_rows`).
pub fn load_one(customer_dir: &Path) -> Result<Customer, Vec<InputError>> {
    let settings = settings_for(customer_dir).map_err(|error| vec![error])?;
    load_customer_with(customer_dir, &LoadOptions::from_settings(&settings))
}

pub fn settings_for(customer_dir: &Path) -> Result<Settings, InputError> {
    let absolute = std::fs::canonicalize(customer_dir).unwrap_or_else(|_| customer_dir.to_path_buf());
    for dir in absolute.ancestors() {
        if dir.join(crate::load::SETTINGS_FILE).is_file() {
            return load_settings(dir);
        }
    }
    Ok(Settings::default())
}
