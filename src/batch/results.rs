//! `OUT/<quarter>/results.csv` and `results.jsonl`: one row per customer, for BI tools.
//!
//! The figures are the engine's ([`crate::value::compute`]), printed as `explain --format json`
//! prints them: decimals as plain strings (no grouping, no currency sign), dates as ISO 8601. A row
//! is small and owns no report: a run keeps one per customer, never the reports themselves.
//! Columns are documented in docs/operations.md (a test keeps the two in step).

use std::fmt::Write as _;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::Value;

use crate::batch::plan::Package;
use crate::model::{Category, Currency, Customer};
use crate::quarter::Quarter;
use crate::value::health::{Band, Health};
use crate::value::ValueSummary;

pub const RESULTS_CSV: &str = "results.csv";
pub const RESULTS_JSONL: &str = "results.jsonl";

/// Every column, in file order.
pub const COLUMNS: &[&str] = &[
    "customer_id",
    "customer_name",
    "customer_dir",
    "segment",
    "csm_name",
    "currency",
    "report_quarter",
    "as_of",
    "data_through",
    "stale",
    "quarters",
    "ttm_value",
    "investment",
    "investment_share",
    "roi_pct",
    "net_roi_pct",
    "payback_months",
    "quarter_value",
    "previous_quarter_value",
    "falling",
    "projected_conservative_4q",
    "projected_expected_4q",
    "opportunities_weighted",
    "renewal_date",
    "days_to_renewal",
    "next_touchpoint",
    "next_touchpoint_date",
    "health_score",
    "health_band",
    "nps",
    "status",
    "reason_code",
    "reason",
    "reports",
];

/// A customer's state in the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    /// Figures computed on data that reaches the report quarter.
    Ok,
    /// Figures computed, but the report quarter has no goal data yet (the export may be late).
    Stale,
    /// The customer's files or figures have errors: no figures.
    Failed,
}

impl RowStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RowStatus::Ok => "ok",
            RowStatus::Stale => "stale",
            RowStatus::Failed => "failed",
        }
    }
}

/// Why a customer is stale or failed, as a code a program can group by (the text says the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowReason {
    /// No goal data for the report quarter yet.
    NoDataForQuarter,
    /// account.csv or another file breaks the input contract.
    InputError,
    /// Two customer folders use one customer_id.
    DuplicateCustomer,
    /// The figures cannot be computed exactly (overflow, an investment share of 0).
    ValueError,
    /// A report of the customer could not be rendered or written.
    ReportFailed,
}

impl RowReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RowReason::NoDataForQuarter => "no_data_for_quarter",
            RowReason::InputError => "input_error",
            RowReason::DuplicateCustomer => "duplicate_customer",
            RowReason::ValueError => "value_error",
            RowReason::ReportFailed => "report_failed",
        }
    }
}

/// The engine's figures for one customer, typed (rows and the portfolio are made from these).
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    pub data_through: Option<Quarter>,
    pub stale: bool,
    pub quarters: u32,
    pub ttm_value: Decimal,
    pub investment_share: Decimal,
    pub roi_pct: Decimal,
    pub net_roi_pct: Decimal,
    pub payback_months: Option<Decimal>,
    /// Realized value in the report quarter and the one before (when listed).
    pub quarter_value: Decimal,
    pub previous_quarter_value: Option<Decimal>,
    pub projected_conservative_4q: Decimal,
    pub projected_expected_4q: Decimal,
    pub opportunities_weighted: Decimal,
    /// TTM value per category, in the fixed category order.
    pub by_category: Vec<(Category, Decimal)>,
}

impl Figures {
    pub fn from_summary(summary: &ValueSummary) -> Figures {
        let ttm = &summary.ttm;
        let in_window = |q: Quarter| q >= ttm.first_quarter && q <= summary.report_quarter;
        let mut by_category: Vec<(Category, Decimal)> = Vec::new();
        for quarter in summary.quarters.iter().filter(|q| in_window(q.quarter)) {
            for (&category, &value) in &quarter.by_category {
                match by_category.iter_mut().find(|(c, _)| *c == category) {
                    Some((_, total)) => *total = total.saturating_add(value),
                    None => by_category.push((category, value)),
                }
            }
        }
        by_category.sort_by_key(|(c, _)| *c);
        let of = |q: Quarter| summary.quarters.iter().find(|v| v.quarter == q).map(|v| v.total);
        let zero = crate::value::round_money(Decimal::ZERO, summary.currency);
        let sum = |f: fn(&crate::value::ProjectedQuarter) -> Decimal| {
            summary.projection.iter().fold(zero, |total, p| total.saturating_add(f(p)))
        };
        Figures {
            data_through: summary.data_through,
            stale: summary.stale,
            quarters: ttm.quarters,
            ttm_value: ttm.value,
            investment_share: ttm.investment_share,
            roi_pct: ttm.roi_pct,
            net_roi_pct: ttm.net_roi_pct,
            payback_months: ttm.payback_months,
            quarter_value: of(summary.report_quarter).unwrap_or(zero),
            previous_quarter_value: of(summary.report_quarter.prev()),
            projected_conservative_4q: sum(|p| p.conservative),
            projected_expected_4q: sum(|p| p.expected),
            opportunities_weighted: summary.opportunities.weighted_annual_value,
            by_category,
        }
    }

    /// The report quarter's value is below the quarter before's.
    pub fn falling(&self) -> bool {
        self.previous_quarter_value.is_some_and(|previous| self.quarter_value < previous)
    }
}

/// The health figures a row carries.
#[derive(Debug, Clone, PartialEq)]
pub struct HealthFigures {
    pub score: Option<u32>,
    pub band: Option<Band>,
    pub nps: Option<i32>,
}

impl From<&Health> for HealthFigures {
    fn from(health: &Health) -> HealthFigures {
        HealthFigures { score: health.score, band: health.band, nps: health.nps.as_ref().map(|n| n.rounded()) }
    }
}

/// One customer's row.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerResult {
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub customer_dir: String,
    pub segment: Option<String>,
    pub csm_name: Option<String>,
    pub currency: Option<Currency>,
    /// The annual investment, as entered.
    pub investment: Option<Decimal>,
    pub renewal_date: Option<NaiveDate>,
    pub figures: Option<Figures>,
    pub health: Option<HealthFigures>,
    pub status: RowStatus,
    pub reason_code: Option<RowReason>,
    pub reason: Option<String>,
    /// The customer's reports, relative to the output folder.
    pub reports: Vec<String>,
}

impl CustomerResult {
    /// The row of a customer whose figures were computed.
    pub fn computed(
        customer: &Customer,
        summary: &ValueSummary,
        health: &Health,
        reports: Vec<String>,
    ) -> CustomerResult {
        let account = &customer.account;
        let stale = summary.stale;
        CustomerResult {
            customer_id: Some(account.customer_id.clone()),
            customer_name: Some(account.customer_name.clone()),
            customer_dir: customer.dir.display().to_string(),
            segment: account.segment.clone(),
            csm_name: account.csm_name.clone(),
            currency: Some(account.currency),
            investment: Some(summary.ttm.investment),
            renewal_date: Some(account.renewal_date),
            figures: Some(Figures::from_summary(summary)),
            health: Some(HealthFigures::from(health)),
            status: if stale { RowStatus::Stale } else { RowStatus::Ok },
            reason_code: stale.then_some(RowReason::NoDataForQuarter),
            reason: stale.then(|| match summary.data_through {
                Some(through) => format!("no goal data for {} yet (latest {through})", summary.report_quarter),
                None => format!("no goal data at or before {}", summary.report_quarter),
            }),
            reports,
        }
    }

    /// The row of a customer without figures; what is known of its account is kept.
    pub fn failed(
        dir: &str,
        account: Option<&crate::model::Account>,
        code: RowReason,
        reason: String,
    ) -> CustomerResult {
        CustomerResult {
            customer_id: account.map(|a| a.customer_id.clone()),
            customer_name: account.map(|a| a.customer_name.clone()),
            customer_dir: dir.to_string(),
            segment: account.and_then(|a| a.segment.clone()),
            csm_name: account.and_then(|a| a.csm_name.clone()),
            currency: account.map(|a| a.currency),
            investment: account.map(|a| a.annual_investment),
            renewal_date: account.map(|a| a.renewal_date),
            figures: None,
            health: None,
            status: RowStatus::Failed,
            reason_code: Some(code),
            reason: Some(reason),
            reports: Vec::new(),
        }
    }

    /// Marks a computed row failed because one of its reports failed (the figures stay).
    pub fn report_failed(&mut self, error: &str) {
        self.status = RowStatus::Failed;
        self.reason_code = Some(RowReason::ReportFailed);
        self.reason = Some(error.lines().next().unwrap_or_default().to_string());
    }

    /// Days from `as_of` to the renewal (negative once it has passed).
    pub fn days_to_renewal(&self, as_of: NaiveDate) -> Option<i64> {
        self.renewal_date.map(|renewal| (renewal - as_of).num_days())
    }

    /// The next renewal touchpoint (T-90, T-60, T-30) not yet past at `as_of`, and its day.
    pub fn next_touchpoint(&self, as_of: NaiveDate) -> Option<(Package, NaiveDate)> {
        next_touchpoint(self.renewal_date?, as_of)
    }

    /// The cells of this row, in [`COLUMNS`] order.
    pub fn cells(&self, report_quarter: Quarter, as_of: NaiveDate) -> Vec<Cell> {
        let text = |s: &Option<String>| s.as_ref().map_or(Cell::Null, |s| Cell::Text(s.clone()));
        let decimal = |d: Option<Decimal>| d.map_or(Cell::Null, Cell::Decimal);
        let f = self.figures.as_ref();
        let touchpoint = self.next_touchpoint(as_of);
        let health = self.health.as_ref();
        vec![
            text(&self.customer_id),
            text(&self.customer_name),
            Cell::Text(self.customer_dir.clone()),
            text(&self.segment),
            text(&self.csm_name),
            self.currency.map_or(Cell::Null, |c| Cell::Text(c.code().to_string())),
            Cell::Text(report_quarter.to_string()),
            Cell::Text(as_of.to_string()),
            f.and_then(|f| f.data_through).map_or(Cell::Null, |q| Cell::Text(q.to_string())),
            f.map_or(Cell::Null, |f| Cell::Bool(f.stale)),
            f.map_or(Cell::Null, |f| Cell::Int(i64::from(f.quarters))),
            decimal(f.map(|f| f.ttm_value)),
            decimal(self.investment),
            decimal(f.map(|f| f.investment_share)),
            decimal(f.map(|f| f.roi_pct)),
            decimal(f.map(|f| f.net_roi_pct)),
            decimal(f.and_then(|f| f.payback_months)),
            decimal(f.map(|f| f.quarter_value)),
            decimal(f.and_then(|f| f.previous_quarter_value)),
            f.map_or(Cell::Null, |f| Cell::Bool(f.falling())),
            decimal(f.map(|f| f.projected_conservative_4q)),
            decimal(f.map(|f| f.projected_expected_4q)),
            decimal(f.map(|f| f.opportunities_weighted)),
            self.renewal_date.map_or(Cell::Null, |d| Cell::Text(d.to_string())),
            self.days_to_renewal(as_of).map_or(Cell::Null, Cell::Int),
            touchpoint.map_or(Cell::Null, |(p, _)| Cell::Text(p.label().to_string())),
            touchpoint.map_or(Cell::Null, |(_, d)| Cell::Text(d.to_string())),
            health.and_then(|h| h.score).map_or(Cell::Null, |s| Cell::Int(i64::from(s))),
            health.and_then(|h| h.band).map_or(Cell::Null, |b| Cell::Text(b.as_str().to_string())),
            health.and_then(|h| h.nps).map_or(Cell::Null, |n| Cell::Int(i64::from(n))),
            Cell::Text(self.status.as_str().to_string()),
            self.reason_code.map_or(Cell::Null, |c| Cell::Text(c.as_str().to_string())),
            text(&self.reason),
            Cell::List(self.reports.clone()),
        ]
    }
}

/// The next touchpoint not yet past at `as_of`: the one due now, or the next to come.
pub fn next_touchpoint(renewal: NaiveDate, as_of: NaiveDate) -> Option<(Package, NaiveDate)> {
    let days = (renewal - as_of).num_days();
    Package::ALL.into_iter().find(|p| days >= p.window().0).map(|p| (p, renewal - chrono::Duration::days(p.window().1)))
}

/// One value of a row: typed in JSON, text in CSV.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Text(String),
    Decimal(Decimal),
    Int(i64),
    Bool(bool),
    /// Paths; `;`-separated in CSV, an array in JSON.
    List(Vec<String>),
}

impl Cell {
    fn csv(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Text(text) => text.clone(),
            Cell::Decimal(d) => d.to_string(),
            Cell::Int(i) => i.to_string(),
            Cell::Bool(b) => b.to_string(),
            Cell::List(items) => items.join(";"),
        }
    }

    fn json(&self) -> Value {
        match self {
            Cell::Null => Value::Null,
            Cell::Text(text) => Value::String(text.clone()),
            // As explain prints them: a string, so nothing is lost to floats.
            Cell::Decimal(d) => Value::String(d.to_string()),
            Cell::Int(i) => Value::from(*i),
            Cell::Bool(b) => Value::Bool(*b),
            Cell::List(items) => Value::Array(items.iter().cloned().map(Value::String).collect()),
        }
    }
}

/// The rows `summary` prints: every customer under INPUT computed for `quarter` (no reports).
pub fn summary_rows(
    loaded: &super::LoadedInput,
    settings: &crate::model::Settings,
    quarter: Quarter,
) -> Vec<CustomerResult> {
    let mut rows: Vec<CustomerResult> = loaded
        .customers
        .iter()
        .map(|(dir, loaded)| {
            let dir_text = dir.display().to_string();
            match loaded {
                Err(errors) => {
                    let code =
                        if errors.iter().any(|e| matches!(e.problem, crate::load::Problem::DuplicateCustomer { .. })) {
                            RowReason::DuplicateCustomer
                        } else {
                            RowReason::InputError
                        };
                    let text = errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n");
                    CustomerResult::failed(&dir_text, None, code, text)
                }
                Ok(customer) => match crate::value::compute(customer, quarter) {
                    Ok(summary) => {
                        let health = crate::value::health::compute(
                            &customer.health,
                            &customer.nps,
                            &settings.health.weights,
                            quarter,
                        );
                        CustomerResult::computed(customer, &summary, &health, Vec::new())
                    }
                    Err(e) => CustomerResult::failed(
                        &dir_text,
                        Some(&customer.account),
                        RowReason::ValueError,
                        format!("{dir_text}: {e}"),
                    ),
                },
            }
        })
        .collect();
    sort(&mut rows);
    rows
}

/// The rows as one JSON array of objects (keys as in results.jsonl).
pub fn to_json_array(rows: &[CustomerResult], report_quarter: Quarter, as_of: NaiveDate) -> String {
    let lines = String::from_utf8(to_jsonl(rows, report_quarter, as_of)).expect("JSON is UTF-8");
    format!("[{}]\n", lines.lines().collect::<Vec<_>>().join(",\n"))
}

/// Sorts rows as the files list them: by customer_id, customers without one (failed) by folder last.
pub fn sort(rows: &mut [CustomerResult]) {
    rows.sort_by(|a, b| {
        (a.customer_id.is_none(), &a.customer_id, &a.customer_dir).cmp(&(
            b.customer_id.is_none(),
            &b.customer_id,
            &b.customer_dir,
        ))
    });
}

/// results.csv: RFC 4180 with a header row, UTF-8 without BOM, LF line ends.
pub fn to_csv(rows: &[CustomerResult], report_quarter: Quarter, as_of: NaiveDate) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    writer.write_record(COLUMNS).expect("writing to memory");
    for row in rows {
        let cells: Vec<String> = row.cells(report_quarter, as_of).iter().map(Cell::csv).collect();
        writer.write_record(&cells).expect("writing to memory");
    }
    writer.into_inner().expect("writing to memory")
}

/// results.jsonl: one JSON object per line, keys in [`COLUMNS`] order.
pub fn to_jsonl(rows: &[CustomerResult], report_quarter: Quarter, as_of: NaiveDate) -> Vec<u8> {
    // Written by hand: serde_json's map would sort the keys.
    let mut out = String::new();
    for row in rows {
        out.push('{');
        for (index, (name, cell)) in COLUMNS.iter().zip(row.cells(report_quarter, as_of)).enumerate() {
            if index > 0 {
                out.push(',');
            }
            let _ = write!(out, "\"{name}\":{}", cell.json());
        }
        out.push_str("}\n");
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn the_next_touchpoint_is_the_one_due_or_the_next_to_come() {
        let renewal = day("2027-03-31");
        assert_eq!(next_touchpoint(renewal, day("2026-11-22")), Some((Package::T90, day("2026-12-31"))));
        assert_eq!(next_touchpoint(renewal, day("2027-01-15")), Some((Package::T90, day("2026-12-31"))));
        assert_eq!(next_touchpoint(renewal, day("2027-01-30")), Some((Package::T60, day("2027-01-30"))));
        assert_eq!(next_touchpoint(renewal, day("2027-03-31")), Some((Package::T30, day("2027-03-01"))));
        assert_eq!(next_touchpoint(renewal, day("2027-04-01")), None);
    }

    #[test]
    fn csv_and_jsonl_hold_the_same_cells() {
        let account = crate::model::Account {
            customer_id: "a".into(),
            customer_name: "A, \"quoted\"".into(),
            renewal_date: day("2027-01-31"),
            annual_investment: Decimal::new(5000000, 2),
            currency: Currency::default(),
            locale: crate::model::Locale::En,
            region: None,
            contract_start: None,
            segment: None,
            industry: None,
            csm_name: Some("Ann".into()),
            csm_email: None,
            executive_sponsor: None,
        };
        let row = CustomerResult::failed("in/a", Some(&account), RowReason::InputError, "in/a/goals.csv:3: bad".into());
        let quarter: Quarter = "2026-Q3".parse().unwrap();
        let csv = String::from_utf8(to_csv(std::slice::from_ref(&row), quarter, day("2026-11-22"))).unwrap();
        let mut lines = csv.lines();
        assert_eq!(lines.next().unwrap(), COLUMNS.join(","));
        let line = lines.next().unwrap();
        assert!(line.starts_with("a,\"A, \"\"quoted\"\"\",in/a,,Ann,USD,2026-Q3,2026-11-22,"), "{line}");
        assert!(line.ends_with(",failed,input_error,in/a/goals.csv:3: bad,"), "{line}");
        let jsonl = String::from_utf8(to_jsonl(&[row], quarter, day("2026-11-22"))).unwrap();
        let value: Value = serde_json::from_str(jsonl.trim()).unwrap();
        assert_eq!(value["investment"], "50000.00");
        assert_eq!(value["days_to_renewal"], 70);
        assert_eq!(value["next_touchpoint"], "T-90");
        assert_eq!(value["ttm_value"], Value::Null);
        assert_eq!(value["reports"], Value::Array(vec![]));
        assert_eq!(value.as_object().unwrap().keys().count(), COLUMNS.len());
        assert!(jsonl.starts_with("{\"customer_id\":\"a\",\"customer_name\""), "{jsonl}");
    }
}
