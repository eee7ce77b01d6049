//! Value: the pure engine that turns one customer's goals and metrics into realized and projected
//! value and ROI. No I/O, no clock: the same customer and report quarter always give the same result.
//!
//! Every method in the seeds has one shape, so one formula serves all goals:
//!
//! ```text
//! value of a goal in a quarter = improvement × volume × value_per_unit × scale × periods_per_quarter
//! improvement = baseline − actual (direction down) | actual − baseline (direction up)
//! scale       = 0.01 when the unit is percentage points, else 1
//! ```
//!
//! Rounding, so that every printed figure can be recomputed from the printed inputs: a quarter's
//! actual (the mean of its observations) is rounded to [`ACTUAL_DECIMALS`] places; each goal's value
//! per quarter is rounded to the currency's minor unit (ISO 4217); totals are sums of those rounded
//! values; percentages and months are rounded to two places. All halves round away from zero.

pub mod health;
mod projection;

use std::collections::{BTreeMap, HashMap};

use rust_decimal::{Decimal, RoundingStrategy};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::model::{Category, Currency, Customer, Direction, Goal, Per};
use crate::quarter::Quarter;

/// Decimal places a quarter's actual (a mean) is rounded to.
pub const ACTUAL_DECIMALS: u32 = 6;
/// Quarters projected after the report quarter.
pub const PROJECTED_QUARTERS: i64 = 4;
/// Quarters in the trailing-twelve-month window.
pub const TTM_QUARTERS: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("goal {goal_id:?}: the value in {quarter} is too large to compute exactly (over 7.9 × 10^28)")]
    Overflow { goal_id: String, quarter: Quarter },
    #[error("the customer's total value is too large to compute exactly (over 7.9 × 10^28)")]
    TotalOverflow,
    #[error(
        "metric {metric:?}: the observations in {quarter} add up to more than can be computed exactly (7.9 × 10^28)"
    )]
    MetricOverflow { metric: String, quarter: Quarter },
    #[error(
        "the investment for the {quarters} quarter(s) measured ({investment} × {quarters} ÷ 4) rounds to 0 in {currency}: ROI cannot be computed; check annual_investment in account.csv"
    )]
    InvestmentShareIsZero { investment: Decimal, quarters: u32, currency: Currency },
}

/// Everything the engine computes for one customer and report quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueSummary {
    pub customer_id: String,
    pub currency: Currency,
    pub report_quarter: Quarter,
    /// The latest quarter, at or before the report quarter, with an observation of any goal metric.
    pub data_through: Option<Quarter>,
    /// `data_through` is before the report quarter (or there is no data): the export may be late.
    pub stale: bool,
    /// From the first quarter with an observation of any goal metric to the report quarter, ascending.
    pub quarters: Vec<QuarterValue>,
    pub ttm: Ttm,
    /// In goals.csv order.
    pub goals: Vec<GoalSummary>,
    /// The quarters after the report quarter.
    pub projection: Vec<ProjectedQuarter>,
    pub opportunities: OpportunityTotals,
}

/// Realized value of one quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuarterValue {
    pub quarter: Quarter,
    pub total: Decimal,
    /// Only the categories the customer's goals use, in the fixed category order.
    pub by_category: BTreeMap<Category, Decimal>,
    /// Keyed by goal_id, in goals.csv order.
    pub by_goal: GoalMap<GoalQuarter>,
}

/// One goal in one quarter: the inputs of its value as well as the value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoalQuarter {
    /// Mean of the quarter's observations; `None` when there were none.
    pub actual: Option<Decimal>,
    pub observations: u32,
    pub improvement: Option<Decimal>,
    /// 0 when there was no data: a missing quarter is never filled from another.
    pub value: Decimal,
    pub no_data: bool,
}

/// Trailing twelve months: up to four quarters ending with the report quarter, starting no earlier
/// than the contract's first quarter or the first observation, whichever is earlier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ttm {
    pub value: Decimal,
    /// The annual investment, as entered.
    pub investment: Decimal,
    /// What was paid for the quarters measured: investment × quarters ÷ 4, in the minor unit.
    pub investment_share: Decimal,
    /// How many quarters the window holds, 1–4 (fewer than 4 for a young customer).
    pub quarters: u32,
    /// The window's first quarter (it may come before the first listed quarter: a quarter the
    /// customer paid for before any data arrived counts as zero value).
    pub first_quarter: Quarter,
    /// value ÷ investment_share × 100, as the seeds quote ROI ($93K on $50K = 186%).
    pub roi_pct: Decimal,
    /// (value − investment_share) ÷ investment_share × 100.
    pub net_roi_pct: Decimal,
    /// investment ÷ (value ÷ (3 × quarters)); `None` when value ≤ 0.
    pub payback_months: Option<Decimal>,
}

impl Ttm {
    /// ROI before rounding: what a display rounds once, to its own precision.
    pub fn roi_exact(&self) -> Decimal {
        exact_percent(self.value, self.investment_share).unwrap_or(self.roi_pct)
    }

    /// Net ROI before rounding.
    pub fn net_roi_exact(&self) -> Decimal {
        self.value
            .checked_sub(self.investment_share)
            .and_then(|net| exact_percent(net, self.investment_share))
            .unwrap_or(self.net_roi_pct)
    }

    /// Payback in months before rounding; `None` when value ≤ 0.
    pub fn payback_exact(&self) -> Option<Decimal> {
        payback(self.investment, self.value, self.quarters).or(self.payback_months)
    }

    /// The months the window covers (3 per quarter).
    pub fn months(&self) -> u32 {
        3 * self.quarters
    }
}

/// Where a goal stands in the report quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    /// At or beyond its target.
    Achieved,
    /// Not worse than baseline, and its trend reaches the target within the projection (or it has none).
    OnTrack,
    /// Not worse than baseline, but its trend does not reach the target within the projection.
    Behind,
    /// Not worse than baseline and not at target, with data in one quarter only: no trend yet.
    TooEarly,
    /// Worse than baseline.
    Regressed,
    /// No observation in the report quarter.
    NoData,
}

impl GoalStatus {
    /// Behind plan, regressed, or without data in the report quarter: named under "needs attention".
    pub fn needs_attention(self) -> bool {
        matches!(self, GoalStatus::Regressed | GoalStatus::Behind | GoalStatus::NoData)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoalSummary {
    pub goal_id: String,
    pub title: String,
    pub metric: String,
    pub unit: String,
    pub category: Category,
    pub direction: Direction,
    pub per: Per,
    pub baseline: Decimal,
    pub target: Option<Decimal>,
    /// Actual of the latest quarter with data (up to the report quarter).
    pub latest: Option<Decimal>,
    pub latest_quarter: Option<Quarter>,
    /// Improvement at `latest`, in the metric's unit (positive is better).
    pub improvement: Option<Decimal>,
    /// improvement ÷ |baseline| × 100; `None` when baseline is 0.
    pub improvement_pct: Option<Decimal>,
    /// improvement ÷ |target − baseline| × 100; `None` without a target (or a target equal to baseline).
    pub progress_to_target_pct: Option<Decimal>,
    /// Value in the report quarter.
    pub quarter_value: Decimal,
    /// Value over the TTM window.
    pub ttm_value: Decimal,
    pub status: GoalStatus,
}

impl GoalSummary {
    /// `improvement_pct` before rounding.
    pub fn improvement_pct_exact(&self) -> Option<Decimal> {
        exact_percent(self.improvement?, self.baseline.abs())
    }

    /// `progress_to_target_pct` before rounding.
    pub fn progress_to_target_exact(&self) -> Option<Decimal> {
        exact_percent(self.improvement?, self.target?.checked_sub(self.baseline)?.abs())
    }
}

/// One projected quarter. Projections are conditional: they assume the trends continue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectedQuarter {
    pub quarter: Quarter,
    /// Every goal at the worse of its latest actual and its expected actual.
    pub conservative: Decimal,
    /// Every goal on its recent trend: never beyond its target, fading at most to its baseline, and
    /// worsening no faster than it has (see `projection`).
    pub expected: Decimal,
    /// The expected actual of each goal (`None` for a goal without data), keyed by goal_id.
    pub expected_actual: GoalMap<Option<Decimal>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpportunityTotals {
    pub count: u32,
    pub annual_value: Decimal,
    /// Σ annual_value × confidence.
    pub weighted_annual_value: Decimal,
}

/// Values keyed by goal_id that keep the goals' order (a `BTreeMap` would put G10 before G2).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GoalMap<T>(pub Vec<(String, T)>);

impl<T> GoalMap<T> {
    pub fn get(&self, goal_id: &str) -> Option<&T> {
        self.0.iter().find(|(id, _)| id == goal_id).map(|(_, v)| v)
    }
}

impl<T: Serialize> Serialize for GoalMap<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (id, value) in &self.0 {
            map.serialize_entry(id, value)?;
        }
        map.end()
    }
}

/// Improvement of `actual` over the goal's baseline; positive is better. `None` on overflow.
pub fn improvement(goal: &Goal, actual: Decimal) -> Option<Decimal> {
    match goal.direction {
        Direction::Down => goal.baseline.checked_sub(actual),
        Direction::Up => actual.checked_sub(goal.baseline),
    }
}

/// The value one quarter at `actual` is worth, rounded to the currency's minor unit.
/// `None` if it is too large for exact arithmetic.
pub fn quarter_value(goal: &Goal, actual: Decimal, currency: Currency) -> Option<Decimal> {
    let scale = if goal.is_percentage() { Decimal::new(1, 2) } else { Decimal::ONE };
    let value = improvement(goal, actual)?
        .checked_mul(goal.volume)?
        .checked_mul(goal.value_per_unit)?
        .checked_mul(scale)?
        .checked_mul(goal.per.per_quarter())?;
    Some(round_money(value, currency))
}

/// Rounds to the currency's minor unit and keeps exactly that many decimals (USD 15573.00, JPY 15573).
pub fn round_money(amount: Decimal, currency: Currency) -> Decimal {
    let mut rounded = amount.round_dp_with_strategy(currency.decimals(), RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(currency.decimals());
    rounded
}

/// Zero with the currency's decimals: the start of every money sum, so sums print like their parts.
fn zero(currency: Currency) -> Decimal {
    round_money(Decimal::ZERO, currency)
}

/// An input amount shown with the currency's decimals, unless that would hide digits it has.
fn money_scale(amount: Decimal, currency: Currency) -> Decimal {
    let mut shown = amount.normalize();
    if shown.scale() <= currency.decimals() {
        shown.rescale(currency.decimals());
    }
    shown
}

fn round_pct(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero).normalize()
}

fn round_actual(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(ACTUAL_DECIMALS, RoundingStrategy::MidpointAwayFromZero).normalize()
}

/// `a` is strictly better than `b` for a goal going in `direction`.
fn better(direction: Direction, a: Decimal, b: Decimal) -> bool {
    match direction {
        Direction::Down => a < b,
        Direction::Up => a > b,
    }
}

/// part ÷ whole × 100, unrounded; `None` when whole is 0 or on overflow.
fn exact_percent(part: Decimal, whole: Decimal) -> Option<Decimal> {
    if whole.is_zero() {
        return None;
    }
    part.checked_div(whole)?.checked_mul(Decimal::ONE_HUNDRED)
}

fn percent_of(part: Decimal, whole: Decimal) -> Option<Decimal> {
    exact_percent(part, whole).map(round_pct)
}

/// annual_investment ÷ (value ÷ (3 × quarters)), unrounded; `None` when value ≤ 0.
fn payback(investment: Decimal, value: Decimal, quarters: u32) -> Option<Decimal> {
    if value <= Decimal::ZERO {
        return None;
    }
    investment.checked_mul(Decimal::from(3 * quarters))?.checked_div(value)
}

/// Computes realized value per quarter up to `report_quarter`, TTM and ROI, and the projection.
pub fn compute(customer: &Customer, report_quarter: Quarter) -> Result<ValueSummary, ValueError> {
    let currency = customer.account.currency;
    let actuals = quarterly_actuals(customer, report_quarter)?;
    let first = actuals.values().filter_map(|by_quarter| by_quarter.keys().next().copied()).min();
    let listed: Vec<Quarter> = first.map(|first| first.through(report_quarter).collect()).unwrap_or_default();

    let mut quarters = Vec::with_capacity(listed.len());
    for &quarter in &listed {
        let mut total = zero(currency);
        let mut by_category = BTreeMap::new();
        let mut by_goal = Vec::with_capacity(customer.goals.len());
        for goal in &customer.goals {
            let observed = actuals.get(goal.metric.as_str()).and_then(|m| m.get(&quarter));
            let entry = match observed {
                Some(&(actual, observations)) => {
                    let overflow = || ValueError::Overflow { goal_id: goal.goal_id.clone(), quarter };
                    GoalQuarter {
                        actual: Some(actual),
                        observations,
                        improvement: Some(improvement(goal, actual).ok_or_else(overflow)?),
                        value: quarter_value(goal, actual, currency).ok_or_else(overflow)?,
                        no_data: false,
                    }
                }
                None => GoalQuarter {
                    actual: None,
                    observations: 0,
                    improvement: None,
                    value: zero(currency),
                    no_data: true,
                },
            };
            total = total.checked_add(entry.value).ok_or(ValueError::TotalOverflow)?;
            let category: &mut Decimal = by_category.entry(goal.category).or_insert(zero(currency));
            *category = category.checked_add(entry.value).ok_or(ValueError::TotalOverflow)?;
            by_goal.push((goal.goal_id.clone(), entry));
        }
        quarters.push(QuarterValue { quarter, total, by_category, by_goal: GoalMap(by_goal) });
    }

    let first_quarter = ttm_first_quarter(customer, first, report_quarter);
    let window_start = quarters.iter().position(|q| q.quarter >= first_quarter).unwrap_or(quarters.len());
    let window = &quarters[window_start..];
    let investment = money_scale(customer.account.annual_investment, currency);
    let ttm = ttm(window, first_quarter, report_quarter, investment, currency)?;
    let data_through = actuals.values().filter_map(|by_quarter| by_quarter.keys().next_back().copied()).max();
    let projection = projection::project(customer, &quarters, report_quarter)?;
    let goals = customer
        .goals
        .iter()
        .map(|goal| summarize_goal(goal, &quarters, window, report_quarter, &projection, currency))
        .collect::<Result<_, _>>()?;
    let opportunities = opportunity_totals(customer)?;
    Ok(ValueSummary {
        customer_id: customer.account.customer_id.clone(),
        currency,
        report_quarter,
        data_through,
        stale: data_through != Some(report_quarter),
        quarters,
        ttm,
        goals,
        projection,
        opportunities,
    })
}

/// metric → quarter → (rounded mean, observation count).
type Actuals<'c> = HashMap<&'c str, BTreeMap<Quarter, (Decimal, u32)>>;

/// The quarterly actuals of the goal metrics, up to the report quarter.
fn quarterly_actuals(customer: &Customer, report_quarter: Quarter) -> Result<Actuals<'_>, ValueError> {
    let mut sums: Actuals<'_> = customer.goals.iter().map(|g| (g.metric.as_str(), BTreeMap::new())).collect();
    let last_day = report_quarter.last_day();
    for observation in &customer.observations {
        if observation.date > last_day {
            continue;
        }
        if let Some(by_quarter) = sums.get_mut(observation.metric.as_str()) {
            let quarter = Quarter::containing(observation.date);
            let (sum, count) = by_quarter.entry(quarter).or_default();
            *sum = sum
                .checked_add(observation.value)
                .ok_or_else(|| ValueError::MetricOverflow { metric: observation.metric.clone(), quarter })?;
            *count += 1;
        }
    }
    for by_quarter in sums.values_mut() {
        for (sum, count) in by_quarter.values_mut() {
            *sum = round_actual(*sum / Decimal::from(*count));
        }
    }
    Ok(sums)
}

/// The TTM window's first quarter: the earlier of the contract's first quarter and the first
/// observation's, but no more than four quarters back, and never after the report quarter.
fn ttm_first_quarter(customer: &Customer, first_observed: Option<Quarter>, report_quarter: Quarter) -> Quarter {
    let contract = customer.account.contract_start.map(Quarter::containing);
    let earliest = match (contract, first_observed) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b).unwrap_or(report_quarter),
    };
    let oldest = Quarter::from_ordinal(report_quarter.ordinal() - (TTM_QUARTERS as i64 - 1));
    earliest.clamp(oldest, report_quarter)
}

/// TTM value and ROI. `window` holds the listed quarters from `first_quarter` on; quarters of the
/// window before the first listed one had no data and add nothing.
fn ttm(
    window: &[QuarterValue],
    first_quarter: Quarter,
    report_quarter: Quarter,
    investment: Decimal,
    currency: Currency,
) -> Result<Ttm, ValueError> {
    let mut value = zero(currency);
    for quarter in window {
        value = value.checked_add(quarter.total).ok_or(ValueError::TotalOverflow)?;
    }
    let quarters = (report_quarter.ordinal() - first_quarter.ordinal() + 1) as u32;
    let share = investment
        .checked_mul(Decimal::from(quarters))
        .map(|paid| round_money(paid / Decimal::from(TTM_QUARTERS as u32), currency))
        .ok_or(ValueError::TotalOverflow)?;
    if share.is_zero() {
        return Err(ValueError::InvestmentShareIsZero { investment, quarters, currency });
    }
    let net = value.checked_sub(share).ok_or(ValueError::TotalOverflow)?;
    Ok(Ttm {
        value,
        investment,
        investment_share: share,
        quarters,
        first_quarter,
        roi_pct: percent_of(value, share).ok_or(ValueError::TotalOverflow)?,
        net_roi_pct: percent_of(net, share).ok_or(ValueError::TotalOverflow)?,
        payback_months: payback(investment, value, quarters).map(round_pct),
    })
}

fn summarize_goal(
    goal: &Goal,
    quarters: &[QuarterValue],
    window: &[QuarterValue],
    report_quarter: Quarter,
    projection: &[ProjectedQuarter],
    currency: Currency,
) -> Result<GoalSummary, ValueError> {
    let of_goal = |q: &QuarterValue| q.by_goal.get(&goal.goal_id).cloned();
    let latest = quarters.iter().rev().filter_map(|q| Some((q.quarter, of_goal(q)?.actual?))).next();
    // Every latest actual already had its improvement computed (checked) for its quarter.
    let improvement = latest.and_then(|(_, actual)| improvement(goal, actual));
    let improvement_pct = improvement.and_then(|i| percent_of(i, goal.baseline.abs()));
    let progress_to_target_pct =
        improvement.zip(goal.target).and_then(|(i, target)| percent_of(i, target.checked_sub(goal.baseline)?.abs()));
    let quarter_value =
        quarters.iter().find(|q| q.quarter == report_quarter).and_then(of_goal).map_or(zero(currency), |g| g.value);
    let mut ttm_value = zero(currency);
    for entry in window.iter().filter_map(of_goal) {
        ttm_value = ttm_value.checked_add(entry.value).ok_or(ValueError::TotalOverflow)?;
    }
    let has_report_quarter_data = latest.is_some_and(|(quarter, _)| quarter == report_quarter);
    let quarters_with_data = quarters.iter().filter_map(of_goal).filter(|g| !g.no_data).count();
    let status = match (has_report_quarter_data, latest, improvement) {
        (false, _, _) | (_, None, _) | (_, _, None) => GoalStatus::NoData,
        (true, Some((_, actual)), Some(improvement)) => {
            if improvement < Decimal::ZERO {
                GoalStatus::Regressed
            } else if let Some(target) = goal.target {
                let reached = |value: Decimal| !better(goal.direction, target, value);
                let trend_end = projection
                    .last()
                    .and_then(|p| p.expected_actual.get(&goal.goal_id).copied().flatten())
                    .unwrap_or(actual);
                if reached(actual) {
                    GoalStatus::Achieved
                } else if quarters_with_data < 2 {
                    GoalStatus::TooEarly
                } else if reached(trend_end) {
                    GoalStatus::OnTrack
                } else {
                    GoalStatus::Behind
                }
            } else if quarters_with_data < 2 {
                GoalStatus::TooEarly
            } else {
                GoalStatus::OnTrack
            }
        }
    };
    Ok(GoalSummary {
        goal_id: goal.goal_id.clone(),
        title: goal.title.clone(),
        metric: goal.metric.clone(),
        unit: goal.unit.clone(),
        category: goal.category,
        direction: goal.direction,
        per: goal.per,
        baseline: goal.baseline,
        target: goal.target,
        latest: latest.map(|(_, actual)| actual),
        latest_quarter: latest.map(|(quarter, _)| quarter),
        improvement,
        improvement_pct,
        progress_to_target_pct,
        quarter_value,
        ttm_value,
        status,
    })
}

fn opportunity_totals(customer: &Customer) -> Result<OpportunityTotals, ValueError> {
    let currency = customer.account.currency;
    let mut annual_value = zero(currency);
    let mut weighted = zero(currency);
    for opportunity in &customer.opportunities {
        annual_value = annual_value.checked_add(opportunity.annual_value).ok_or(ValueError::TotalOverflow)?;
        let share = opportunity.annual_value.checked_mul(opportunity.confidence).ok_or(ValueError::TotalOverflow)?;
        weighted = weighted.checked_add(round_money(share, currency)).ok_or(ValueError::TotalOverflow)?;
    }
    Ok(OpportunityTotals {
        count: customer.opportunities.len() as u32,
        annual_value: money_scale(annual_value, currency),
        weighted_annual_value: weighted,
    })
}

#[cfg(test)]
mod tests;
