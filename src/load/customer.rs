//! The five files of a customer folder, each mapped from rows to the model, and their cross-checks.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use rust_decimal::Decimal;

use chrono::NaiveDate;

use super::columns::{normalize, ColumnSettings};
use super::error::{InputError, Problem};
use super::limits::{Limits, MAX_PROBLEMS_PER_FILE};
use super::table::{Row, Table};
use super::FileKind;
use crate::locale::LocaleTag;
use crate::model::{
    Account, BaselineSource, Category, Currency, Customer, Direction, Goal, HealthObservation, Locale, NpsResponse,
    Observation, Opportunity, Per, Settings, Story, StoryKind,
};

pub const ACCOUNT_FILE: &str = "account.csv";
pub const GOALS_FILE: &str = "goals.csv";
pub const METRICS_FILE: &str = "metrics.csv";
pub const STORIES_FILE: &str = "stories.csv";
pub const OPPORTUNITIES_FILE: &str = "opportunities.csv";
/// Optional: the customer health score's inputs (`date,component,score`).
pub const HEALTH_FILE: &str = "health.csv";
/// Optional: survey answers (`date,respondent,score` 0–10) that give the NPS.
pub const NPS_FILE: &str = "nps.csv";
/// Highest score health.csv accepts: above 100 is exceptional (thriving), but a 750 is a typo for 75.
pub const MAX_HEALTH_SCORE: u32 = 200;

/// How customer folders are read: the settings from `valuereport.toml` that concern the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadOptions {
    /// `[columns]`: other header names for our columns.
    pub columns: ColumnSettings,
    /// `dedupe_exact_rows`: drop exact repeats in metrics.csv with a warning instead of refusing them.
    pub dedupe_exact_rows: bool,
    /// The components health.csv may name: the keys of `[health.weights]`.
    pub health_components: Vec<String>,
    /// Display labels of `metric_labels.csv` at the INPUT root (a customer folder's own file adds
    /// to and overrides them).
    pub metric_labels: super::MetricLabels,
}

impl LoadOptions {
    pub fn from_settings(settings: &Settings) -> LoadOptions {
        LoadOptions {
            columns: settings.columns.clone(),
            dedupe_exact_rows: settings.dedupe_exact_rows,
            health_components: settings.health.weights.keys().cloned().collect(),
            metric_labels: settings.metric_labels.clone(),
        }
    }
}

impl Default for LoadOptions {
    fn default() -> LoadOptions {
        LoadOptions::from_settings(&Settings::default())
    }
}

/// Loads and validates one customer folder under the default options. On failure, every problem
/// found is returned.
pub fn load_customer(dir: &Path) -> Result<Customer, Vec<InputError>> {
    load_customer_with(dir, &LoadOptions::default())
}

/// Loads and validates one customer folder. On failure, every problem found is returned.
pub fn load_customer_with(dir: &Path, options: &LoadOptions) -> Result<Customer, Vec<InputError>> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let account = read_required(dir, FileKind::Account, options, &mut errors, |t, e| read_account(t, e));
    let goals = read_required(dir, FileKind::Goals, options, &mut errors, |t, e| read_goals(t, e));
    let metrics = read_required(dir, FileKind::Metrics, options, &mut errors, |t, e| {
        read_metrics(t, options.dedupe_exact_rows, e, &mut warnings)
    });
    let stories = read_optional(dir, FileKind::Stories, options, &mut errors, |t, e| read_stories(t, e));
    let opportunities =
        read_optional(dir, FileKind::Opportunities, options, &mut errors, |t, e| read_opportunities(t, e));
    let nps = read_optional(dir, FileKind::Nps, options, &mut errors, |t, e| read_nps(t, e));
    let health = read_optional(dir, FileKind::Health, options, &mut errors, |t, e| {
        read_health(t, &options.health_components, nps.is_some(), e)
    });

    let mut metric_labels = options.metric_labels.clone();
    match super::read_metric_labels(dir) {
        Ok(own) => metric_labels.extend(own),
        Err(problems) => errors.extend(problems),
    }
    if let (Some(goals), Some(metrics)) = (&goals, &metrics) {
        check_goal_metrics(&dir.join(GOALS_FILE), &dir.join(METRICS_FILE), goals, metrics, &mut errors);
    }
    match (account, goals, metrics) {
        (Some(account), Some(goals), Some(metrics)) if errors.is_empty() => Ok(Customer {
            dir: dir.to_path_buf(),
            account: account.0,
            goals: goals.into_iter().map(|(goal, _)| goal).collect(),
            observations: metrics.observations,
            stories: stories.unwrap_or_default(),
            opportunities: opportunities.unwrap_or_default(),
            health: health.unwrap_or_default(),
            nps: nps.unwrap_or_default(),
            metric_labels,
            warnings,
        }),
        _ => Err(errors),
    }
}

/// Reads only `account.csv`: enough to plan a batch (ids, renewal dates) without loading metrics.
pub fn load_account(dir: &Path) -> Result<Account, Vec<InputError>> {
    load_account_with(dir, &LoadOptions::default())
}

/// [`load_account`] under `options`.
pub fn load_account_with(dir: &Path, options: &LoadOptions) -> Result<Account, Vec<InputError>> {
    let mut errors = Vec::new();
    match read_required(dir, FileKind::Account, options, &mut errors, |t, e| read_account(t, e)) {
        Some((account, _)) if errors.is_empty() => Ok(account),
        _ => Err(errors),
    }
}

fn open(path: &Path, kind: FileKind, options: &LoadOptions) -> Result<Option<Table>, InputError> {
    let limits = Limits::from_env().map_err(|problem| InputError::new(path, problem))?;
    Table::open_with(path, kind, limits, &options.columns.aliases(kind))
}

fn read_required<T>(
    dir: &Path,
    kind: FileKind,
    options: &LoadOptions,
    errors: &mut Vec<InputError>,
    read: impl FnOnce(&mut Table, &mut Vec<InputError>) -> Option<T>,
) -> Option<T> {
    let path = dir.join(kind.file_name());
    match open(&path, kind, options) {
        Ok(Some(mut table)) => read(&mut table, errors),
        Ok(None) => {
            errors.push(InputError::new(&path, Problem::MissingFile));
            None
        }
        Err(e) => {
            errors.push(e);
            None
        }
    }
}

fn read_optional<T>(
    dir: &Path,
    kind: FileKind,
    options: &LoadOptions,
    errors: &mut Vec<InputError>,
    read: impl FnOnce(&mut Table, &mut Vec<InputError>) -> Option<T>,
) -> Option<T> {
    match open(&dir.join(kind.file_name()), kind, options) {
        Ok(Some(mut table)) => read(&mut table, errors),
        Ok(None) => None,
        Err(e) => {
            errors.push(e);
            None
        }
    }
}

/// Reads every row with `map`, after checking the header has `required` columns.
/// Returns `None` when the header is unusable; rows that fail are left out and their errors kept.
fn read_rows<T>(
    table: &mut Table,
    required: &[&str],
    errors: &mut Vec<InputError>,
    mut map: impl FnMut(&Row, &mut Vec<InputError>) -> Option<T>,
) -> Option<Vec<T>> {
    let missing = table.missing_columns(required);
    if !missing.is_empty() {
        errors.extend(missing);
        return None;
    }
    let mut items = Vec::new();
    let first_error = errors.len();
    while let Some(row) = table.next_row() {
        match row {
            Ok(row) => {
                let before = errors.len();
                let item = map(&row, errors);
                errors.extend(row.take_problems());
                // A row with any problem contributes nothing, even if `map` produced a value.
                if let (Some(item), true) = (item, errors.len() == before) {
                    items.push(item);
                }
            }
            Err(e) => errors.push(e),
        }
        // Hardening: a file whose millions of rows are all wrong must not hold (and print) millions
        // of errors; the first ones are enough to fix the export.
        if errors.len() - first_error > MAX_PROBLEMS_PER_FILE {
            errors.truncate(first_error + MAX_PROBLEMS_PER_FILE);
            errors.push(InputError::new(table.path(), Problem::TooManyProblems(MAX_PROBLEMS_PER_FILE)));
            break;
        }
    }
    Some(items)
}

/// Reads one file of `kind` from an open table, as [`load_customer`] does; the number of valid rows.
pub(super) fn read_kind(kind: FileKind, table: &mut Table, errors: &mut Vec<InputError>) -> Option<usize> {
    match kind {
        FileKind::Account => read_account(table, errors).map(|_| 1),
        FileKind::Goals => read_goals(table, errors).map(|goals| goals.len()),
        FileKind::Metrics => read_metrics(table, false, errors, &mut Vec::new()).map(|rows| rows.observations.len()),
        FileKind::Stories => read_stories(table, errors).map(|rows| rows.len()),
        FileKind::Opportunities => read_opportunities(table, errors).map(|rows| rows.len()),
        FileKind::Health => {
            let components = LoadOptions::default().health_components;
            read_health(table, &components, false, errors).map(|rows| rows.len())
        }
        FileKind::Nps => read_nps(table, errors).map(|rows| rows.len()),
    }
}

fn read_account(table: &mut Table, errors: &mut Vec<InputError>) -> Option<(Account, u64)> {
    let required = ["customer_id", "customer_name", "renewal_date", "annual_investment"];
    let path = table.path().to_path_buf();
    let mut rows = 0u64;
    let accounts = read_rows(table, &required, errors, |row, errors| {
        rows += 1;
        if rows == 2 {
            errors.push(InputError::new(&path, Problem::ExtraAccountRow).at_line(row.line()));
            return None;
        }
        if rows > 2 {
            return None;
        }
        let customer_id = row.required_text("customer_id", "an id", errors).and_then(|id| {
            if is_valid_customer_id(id) {
                Some(id.to_string())
            } else {
                row.reject("customer_id", Problem::InvalidCustomerId(id.to_string()), errors);
                None
            }
        });
        let customer_name = row.required_text("customer_name", "the customer's name", errors);
        let renewal_date = row.required_date("renewal_date", errors);
        let annual_investment =
            row.money("annual_investment", true, |d| d > Decimal::ZERO, "a number greater than 0", errors);
        let currency = match row.text("currency") {
            None => Some(Currency::default()),
            Some(code) => Currency::from_code(code).or_else(|| {
                row.reject("currency", Problem::UnknownCurrency(code.to_string()), errors);
                None
            }),
        };
        let locale = match row.text("locale") {
            None => Some(LocaleTag::from(Locale::default())),
            Some(text) => match LocaleTag::parse(text) {
                Ok(tag) => Some(tag),
                Err(error) => {
                    row.reject("locale", Problem::UnknownLocale(error), errors);
                    None
                }
            },
        };
        let contract_start = row.date("contract_start", errors);
        let csm_email = row.text("csm_email").and_then(|email| {
            if is_plausible_email(email) {
                Some(email.to_string())
            } else {
                row.reject("csm_email", Problem::InvalidEmail(email.to_string()), errors);
                None
            }
        });
        let owned = |column: &str| row.text(column).map(str::to_string);
        Some((
            Account {
                customer_id: customer_id?,
                customer_name: customer_name?.to_string(),
                renewal_date: renewal_date?,
                annual_investment: annual_investment?,
                currency: currency?,
                locale: locale?.language,
                region: locale?.region,
                contract_start,
                segment: owned("segment"),
                industry: owned("industry"),
                csm_name: owned("csm_name"),
                csm_email,
                executive_sponsor: owned("executive_sponsor"),
            },
            row.line(),
        ))
    })?;
    if rows == 0 {
        errors.push(InputError::new(&path, Problem::NoRows("one account row")));
    }
    accounts.into_iter().next()
}

/// Letters, digits, `-`, `_`, `.`; no `..`, no leading `.`: the id names output files and folders.
pub fn is_valid_customer_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && !id.starts_with('.')
        && !id.contains("..")
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn is_plausible_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((user, domain)) => {
            !user.is_empty() && domain.contains('.') && !domain.contains('@') && !email.contains(char::is_whitespace)
        }
        None => false,
    }
}

fn read_goals(table: &mut Table, errors: &mut Vec<InputError>) -> Option<Vec<(Goal, u64)>> {
    let required = ["goal_id", "title", "metric", "category", "unit", "direction", "baseline", "per", "value_per_unit"];
    let path = table.path().to_path_buf();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    let goals = read_rows(table, &required, errors, |row, errors| {
        let goal_id = row.required_text("goal_id", "a goal id", errors);
        if let Some(id) = goal_id {
            if let Some(&first) = first_line.get(id) {
                let problem = Problem::DuplicateId { what: "goal_id", id: id.to_string(), first_line: first };
                row.reject("goal_id", problem, errors);
            } else {
                first_line.insert(id.to_string(), row.line());
            }
        }
        let title = row.required_text("title", "the goal in the customer's words", errors);
        let metric = row.required_text("metric", "a metric name from metrics.csv", errors);
        let category = row.required_keyword("category", Category::parse, Category::keywords(), errors);
        let unit = row.required_text("unit", "a unit such as hours, USD or percent", errors);
        let direction = row.required_keyword("direction", Direction::parse, Direction::keywords(), errors);
        let baseline = row.required_number("baseline", errors);
        let mut target = row.number("target", errors);
        if let (Some(t), Some(b), Some(d)) = (target, baseline, direction) {
            let better = match d {
                Direction::Down => t < b,
                Direction::Up => t > b,
            };
            if !better {
                let problem =
                    Problem::TargetNotBetter { target: t.to_string(), baseline: b.to_string(), direction: d.as_str() };
                row.reject("target", problem, errors);
                target = None;
            }
        }
        let per = row.required_keyword("per", Per::parse, Per::keywords(), errors);
        let value_per_unit = row.money("value_per_unit", true, |d| d >= Decimal::ZERO, "a number of 0 or more", errors);
        let volume = match row.text("volume") {
            None => Some(Decimal::ONE),
            Some(_) => row.number_in("volume", false, |d| d > Decimal::ZERO, "a number greater than 0", errors),
        };
        let baseline_source = row.keyword("baseline_source", BaselineSource::parse, BaselineSource::keywords(), errors);
        Some((
            Goal {
                goal_id: goal_id?.to_string(),
                title: title?.to_string(),
                metric: metric?.to_string(),
                category: category?,
                unit: unit?.to_string(),
                direction: direction?,
                baseline: baseline?,
                target,
                per: per?,
                value_per_unit: value_per_unit?,
                volume: volume?,
                baseline_source,
                owner: row.text("owner").map(str::to_string),
            },
            row.line(),
        ))
    })?;
    if goals.is_empty() && !errors.iter().any(|e| e.file == path) {
        errors.push(InputError::new(&path, Problem::NoRows("at least one goal")));
    }
    Some(goals)
}

/// metrics.csv as read: the observations, and where each metric's spelling first appears.
#[derive(Default)]
struct Metrics {
    observations: Vec<Observation>,
    /// Metric name as written → (first line, column to name in messages).
    first_seen: HashMap<String, (u64, String)>,
}

/// Long (`date,metric,value`) or wide (`date` and one column per metric: a pivot or a Sheets export,
/// read when there is no `metric` or `value` column). Exact repeats of a row (same date, metric and
/// value: two overlapping exports appended) are refused, or dropped with a warning with `dedupe`.
fn read_metrics(
    table: &mut Table,
    dedupe: bool,
    errors: &mut Vec<InputError>,
    warnings: &mut Vec<InputError>,
) -> Option<Metrics> {
    let path = table.path().to_path_buf();
    let wide = !table.has_column("metric") && !table.has_column("value") && table.has_column("date");
    let metric_columns: Vec<(usize, String)> = if wide {
        let date = table.column_index("date");
        let columns: Vec<(usize, String)> = table
            .names()
            .iter()
            .enumerate()
            .filter(|&(index, name)| Some(index) != date && !name.is_empty())
            .map(|(index, name)| (index, name.clone()))
            .collect();
        if columns.is_empty() {
            errors.extend(table.missing_columns(&["date", "metric", "value"]));
            return None;
        }
        columns
    } else {
        Vec::new()
    };
    let limit = table.row_limit();
    let mut kept = Kept { path: path.clone(), dedupe, ..Kept::default() };
    if wide {
        let read = read_rows(table, &["date"], errors, |row, errors| {
            let date = row.required_date("date", errors);
            let mut values = Vec::new();
            for (index, name) in &metric_columns {
                if let Some(value) = row.number_at(*index, name, errors) {
                    values.push((name.as_str(), value));
                }
            }
            Some((date?, values, row.line()))
        })?;
        for (date, values, line) in read {
            for (metric, value) in values {
                kept.push(date, metric, value, line, metric, errors, warnings);
            }
            // Hardening: the row limit alone would allow rows × columns observations.
            if kept.metrics.observations.len() as u64 > limit.0 {
                let problem = Problem::TooManyRows { limit: limit.0, variable: limit.1 };
                errors.push(InputError::new(&path, problem).at_line(line));
                break;
            }
        }
    } else {
        let read = read_rows(table, &["date", "metric", "value"], errors, |row, errors| {
            let date = row.required_date("date", errors);
            let metric = row.required_text("metric", "a metric name", errors);
            let value = row.required_number("value", errors);
            Some((date?, metric?.to_string(), value?, row.line()))
        })?;
        for (date, metric, value, line) in read {
            kept.push(date, &metric, value, line, "metric", errors, warnings);
        }
    }
    Some(kept.metrics)
}

/// Observations kept so far, with the first line of each distinct row to find exact repeats.
#[derive(Default)]
struct Kept {
    path: std::path::PathBuf,
    dedupe: bool,
    metrics: Metrics,
    /// Metric name → a small id, so the key of every row does not hold its own copy of the name.
    ids: HashMap<String, u32>,
    /// (date, metric id, value) → the line it was first seen on.
    first_line: HashMap<(NaiveDate, u32, Decimal), u64>,
    /// Repeats reported as errors, against the per-file problem limit.
    problems: usize,
}

impl Kept {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        date: NaiveDate,
        metric: &str,
        value: Decimal,
        line: u64,
        column: &str,
        errors: &mut Vec<InputError>,
        warnings: &mut Vec<InputError>,
    ) {
        let next_id = self.ids.len() as u32;
        let id = *self.ids.entry(metric.to_string()).or_insert(next_id);
        let key = (date, id, value.normalize());
        if let Some(&first_line) = self.first_line.get(&key) {
            let row = || format!("{date} {metric} {value}");
            if self.dedupe {
                let problem = Problem::DroppedDuplicateRow { row: row(), first_line };
                warnings.push(InputError::new(&self.path, problem).at_line(line));
            } else {
                // Hardening: as for every file, the first problems are enough to fix the export.
                self.problems += 1;
                if self.problems <= MAX_PROBLEMS_PER_FILE {
                    let problem = Problem::DuplicateRow { row: row(), first_line };
                    errors.push(InputError::new(&self.path, problem).at_line(line));
                } else if self.problems == MAX_PROBLEMS_PER_FILE + 1 {
                    errors.push(InputError::new(&self.path, Problem::TooManyProblems(MAX_PROBLEMS_PER_FILE)));
                }
            }
            return;
        }
        self.first_line.insert(key, line);
        self.metrics.first_seen.entry(metric.to_string()).or_insert_with(|| (line, column.to_string()));
        self.metrics.observations.push(Observation { date, metric: metric.to_string(), value });
    }
}

fn read_stories(table: &mut Table, errors: &mut Vec<InputError>) -> Option<Vec<Story>> {
    read_rows(table, &["date", "type", "title"], errors, |row, errors| {
        let date = row.required_date("date", errors);
        let kind = row.required_keyword("type", StoryKind::parse, StoryKind::keywords(), errors);
        let title = row.required_text("title", "a title", errors);
        let amount = row.money("amount", false, |_| true, "a number", errors);
        let owned = |column: &str| row.text(column).map(str::to_string);
        Some(Story {
            date: date?,
            kind: kind?,
            title: title?.to_string(),
            detail: owned("detail"),
            person: owned("person"),
            role: owned("role"),
            amount,
        })
    })
}

fn read_opportunities(table: &mut Table, errors: &mut Vec<InputError>) -> Option<Vec<Opportunity>> {
    let mut first_line: HashMap<String, u64> = HashMap::new();
    read_rows(table, &["opportunity_id", "title", "annual_value", "confidence"], errors, |row, errors| {
        let id = row.required_text("opportunity_id", "an opportunity id", errors);
        if let Some(id) = id {
            if let Some(&first) = first_line.get(id) {
                let problem = Problem::DuplicateId { what: "opportunity_id", id: id.to_string(), first_line: first };
                row.reject("opportunity_id", problem, errors);
            } else {
                first_line.insert(id.to_string(), row.line());
            }
        }
        let title = row.required_text("title", "a title", errors);
        let category = row.keyword("category", Category::parse, Category::keywords(), errors);
        let annual_value = row.money("annual_value", true, |d| d >= Decimal::ZERO, "a number of 0 or more", errors);
        let confidence = row.number_in(
            "confidence",
            true,
            |d| (Decimal::ZERO..=Decimal::ONE).contains(&d),
            "a fraction from 0 to 1 (0.8 for 80%)",
            errors,
        );
        let owned = |column: &str| row.text(column).map(str::to_string);
        Some(Opportunity {
            opportunity_id: id?.to_string(),
            title: title?.to_string(),
            description: owned("description"),
            category,
            annual_value: annual_value?,
            confidence: confidence?,
            assumption: owned("assumption"),
            start_date: row.date("start_date", errors),
        })
    })
}

/// health.csv: one score per component and day, each component a key of `[health.weights]`. With
/// nps.csv in the folder, the nps component comes from it alone.
fn read_health(
    table: &mut Table,
    components: &[String],
    has_nps_file: bool,
    errors: &mut Vec<InputError>,
) -> Option<Vec<HealthObservation>> {
    let mut first_line: HashMap<(NaiveDate, String), u64> = HashMap::new();
    read_rows(table, &["date", "component", "score"], errors, |row, errors| {
        let date = row.required_date("date", errors);
        let component = row.required_text("component", "a health component such as usage", errors).and_then(|name| {
            let known = components.iter().find(|c| c.eq_ignore_ascii_case(name.trim()));
            if known.is_none() {
                row.reject(
                    "component",
                    Problem::UnknownComponent { value: name.to_string(), allowed: components.to_vec() },
                    errors,
                );
            }
            known.cloned()
        });
        if let (Some(component), true) = (&component, has_nps_file) {
            if component == "nps" {
                row.reject("component", Problem::NpsInBothFiles, errors);
            }
        }
        let score = row.number_in(
            "score",
            true,
            |d| d >= Decimal::ZERO && d <= Decimal::from(MAX_HEALTH_SCORE),
            "a score from 0 to 100 (up to 200 for exceptional)",
            errors,
        );
        if let (Some(date), Some(component)) = (date, &component) {
            match first_line.entry((date, component.clone())) {
                std::collections::hash_map::Entry::Occupied(first) => {
                    let problem = Problem::DuplicateHealthScore {
                        component: component.clone(),
                        date: date.to_string(),
                        first_line: *first.get(),
                    };
                    row.reject("component", problem, errors);
                }
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(row.line());
                }
            }
        }
        Some(HealthObservation { date: date?, component: component?, score: score? })
    })
}

/// nps.csv: one answer (0–10) per respondent and day.
fn read_nps(table: &mut Table, errors: &mut Vec<InputError>) -> Option<Vec<NpsResponse>> {
    let mut first_line: HashMap<(NaiveDate, String), u64> = HashMap::new();
    read_rows(table, &["date", "respondent", "score"], errors, |row, errors| {
        let date = row.required_date("date", errors);
        let respondent = row.required_text("respondent", "who answered (a name, e-mail or id)", errors);
        let score = row.number_in(
            "score",
            true,
            |d| d.fract().is_zero() && (Decimal::ZERO..=Decimal::TEN).contains(&d),
            "a whole number from 0 to 10",
            errors,
        );
        if let (Some(date), Some(respondent)) = (date, respondent) {
            match first_line.entry((date, respondent.to_string())) {
                std::collections::hash_map::Entry::Occupied(first) => {
                    let problem = Problem::DuplicateNpsAnswer {
                        respondent: respondent.to_string(),
                        date: date.to_string(),
                        first_line: *first.get(),
                    };
                    row.reject("respondent", problem, errors);
                }
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(row.line());
                }
            }
        }
        let score = rust_decimal::prelude::ToPrimitive::to_u8(&score?)?;
        Some(NpsResponse { date: date?, respondent: respondent?.to_string(), score })
    })
}

/// Every goal's metric must have at least one row in metrics.csv, and no metric may be spelled like a
/// goal's metric but differently (`Reporting_hours` for `reporting_hours`): its rows would silently
/// count for nothing.
fn check_goal_metrics(
    goals_path: &Path,
    metrics_path: &Path,
    goals: &[(Goal, u64)],
    metrics: &Metrics,
    errors: &mut Vec<InputError>,
) {
    let mut spellings: HashMap<String, Vec<&str>> = HashMap::new();
    for metric in metrics.first_seen.keys() {
        spellings.entry(normalize(metric)).or_default().push(metric);
    }
    let mut reported = HashSet::new();
    for (goal, line) in goals {
        let mut near: Vec<&str> = spellings
            .get(&normalize(&goal.metric))
            .map(|names| names.iter().copied().filter(|name| *name != goal.metric).collect())
            .unwrap_or_default();
        near.sort_by_key(|name| metrics.first_seen[*name].0);
        for spelled in near {
            if reported.insert(spelled) {
                let (first_line, column) = &metrics.first_seen[spelled];
                let problem = Problem::MetricSpelling {
                    spelled: spelled.to_string(),
                    goal: goal.goal_id.clone(),
                    goal_metric: goal.metric.clone(),
                    goal_line: *line,
                };
                errors.push(InputError::new(metrics_path, problem).at_line(*first_line).in_column(column));
            }
        }
        if !metrics.first_seen.contains_key(&goal.metric) {
            let problem = Problem::MetricWithoutRows { goal: goal.goal_id.clone(), metric: goal.metric.clone() };
            errors.push(InputError::new(goals_path, problem).at_line(*line).in_column("metric"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_ids_that_could_escape_the_output_folder_are_rejected() {
        for good in ["acme", "ACME-1", "a.b_c", "x"] {
            assert!(is_valid_customer_id(good), "{good}");
        }
        for bad in ["", ".", "..", "a..b", "../x", "a/b", "a\\b", ".hidden", "a b", "é", "a\0b", &"x".repeat(101)] {
            assert!(!is_valid_customer_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn email_check_is_plausibility_only() {
        assert!(is_plausible_email("maria.lopez@northwind.example"));
        for bad in ["maria", "@x.com", "a@b", "a@@b.com", "a b@c.com"] {
            assert!(!is_plausible_email(bad), "{bad}");
        }
    }

    fn sample_folder(dir: &Path) {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/amer/acme-logistics");
        for name in [ACCOUNT_FILE, GOALS_FILE, METRICS_FILE] {
            std::fs::copy(src.join(name), dir.join(name)).unwrap();
        }
    }

    #[test]
    fn health_and_nps_rows_load_and_bad_rows_name_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        sample_folder(dir.path());
        std::fs::write(
            dir.path().join(HEALTH_FILE),
            "date,component,score\n2026-09-01,Usage,80\n2026-09-01,billing,100.5\n",
        )
        .unwrap();
        std::fs::write(dir.path().join(NPS_FILE), "date,respondent,score\n2026-09-01,ana@x.example,9\n").unwrap();
        let customer = load_customer(dir.path()).unwrap();
        assert_eq!(customer.health.len(), 2);
        assert_eq!(customer.health[0].component, "usage");
        assert_eq!(customer.nps[0].score, 9);

        std::fs::write(
            dir.path().join(HEALTH_FILE),
            "date,component,score\n2026-09-01,usage,80\n2026-09-01,happiness,50\n2026-09-01,usage,70\n2026-09-02,support,750\n2026-09-03,nps,60\n2026-13-01,billing,1\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join(NPS_FILE),
            "date,respondent,score\n2026-09-01,a,11\n2026-09-01,b,7.5\n2026-09-02,c,3\n2026-09-02,c,4\n",
        )
        .unwrap();
        let errors: Vec<String> = load_customer(dir.path()).unwrap_err().iter().map(ToString::to_string).collect();
        let expect = [
            ("health.csv:3", "\"happiness\" is not a health component; expected one of billing, nps, support, usage"),
            ("health.csv:4", "a second usage score for 2026-09-01 (first on line 2)"),
            ("health.csv:5", "expected a score from 0 to 100 (up to 200 for exceptional)"),
            ("health.csv:6", "remove the nps rows from health.csv or remove nps.csv"),
            ("health.csv:7", "2026-13-01"),
            ("nps.csv:2", "expected a whole number from 0 to 10"),
            ("nps.csv:3", "expected a whole number from 0 to 10"),
            ("nps.csv:5", "a second answer of respondent \"c\" on 2026-09-02 (first on line 4)"),
        ];
        for (place, text) in expect {
            assert!(errors.iter().any(|e| e.contains(place) && e.contains(text)), "{place} {text}: {errors:#?}");
        }
        assert_eq!(errors.len(), expect.len(), "{errors:#?}");
    }

    #[test]
    fn health_components_follow_the_weights_in_the_settings() {
        let dir = tempfile::tempdir().unwrap();
        sample_folder(dir.path());
        std::fs::write(dir.path().join(HEALTH_FILE), "date,component,score\n2026-09-01,adoption,80\n").unwrap();
        assert!(load_customer(dir.path()).is_err());
        let mut settings = Settings::default();
        settings.health.weights = [("adoption".to_string(), Decimal::ONE)].into_iter().collect();
        let customer = load_customer_with(dir.path(), &LoadOptions::from_settings(&settings)).unwrap();
        assert_eq!(customer.health[0].component, "adoption");
    }
}
