//! Recommendations: explicit rules over the engine's figures, most valuable first.
//!
//! | rule | when | value at stake (per year) |
//! |---|---|---|
//! | corrective action | a goal is worse than its baseline (regressed) | the value lost in the report quarter × 4 |
//! | back on plan | a goal improved but its trend does not reach its target within four quarters | (value at target − value now) × 4 |
//! | re-establish measurement | a goal has no observation in the report quarter | its last measured quarter's value × 4 |
//! | expansion step | every opportunity | its confidence-weighted annual value |
//! | adoption or training | a usage metric fell by 10% or more from the previous quarter | none stated |
//! | new target | a goal reached its target | none stated |
//!
//! Ties keep this order, then the order of goals.csv, opportunities.csv and metric names. When the
//! report quarter's total value is negative, recovery comes first: every corrective action, worst
//! goal first, before any other step (expansion is not the first thing to propose to a customer
//! who is losing value).

use std::collections::{BTreeMap, HashSet};

use rust_decimal::Decimal;

use crate::model::Customer;
use crate::quarter::Quarter;
use crate::value::{quarter_value, GoalStatus, ValueSummary};

/// Usage falling by this share (percent) or more from one quarter to the next triggers an adoption step.
pub const USAGE_DROP_PCT: i64 = 10;

/// The mean of a usage metric (a metric no goal uses) in the report quarter and the one before.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageTrend {
    pub metric: String,
    pub previous: Option<Decimal>,
    pub latest: Option<Decimal>,
    /// (latest − previous) ÷ |previous| × 100.
    pub change_pct: Option<Decimal>,
}

/// Usage metrics in name order, with their quarterly means around the report quarter.
pub fn usage_trends(customer: &Customer, report_quarter: Quarter) -> Vec<UsageTrend> {
    let goal_metrics: HashSet<&str> = customer.goals.iter().map(|g| g.metric.as_str()).collect();
    let previous_quarter = report_quarter.prev();
    // metric → [previous (sum, n), latest (sum, n)]
    let mut sums: BTreeMap<&str, [(Decimal, u32); 2]> = BTreeMap::new();
    for observation in &customer.observations {
        if goal_metrics.contains(observation.metric.as_str()) {
            continue;
        }
        let entry = sums.entry(observation.metric.as_str()).or_default();
        let slot = match Quarter::containing(observation.date) {
            q if q == previous_quarter => 0,
            q if q == report_quarter => 1,
            _ => continue,
        };
        if let Some(sum) = entry[slot].0.checked_add(observation.value) {
            entry[slot] = (sum, entry[slot].1 + 1);
        }
    }
    let mean = |(sum, n): (Decimal, u32)| (n > 0).then(|| sum / Decimal::from(n));
    sums.into_iter()
        .map(|(metric, [previous, latest])| {
            let (previous, latest) = (mean(previous), mean(latest));
            let change_pct = match (previous, latest) {
                (Some(p), Some(l)) if !p.is_zero() => {
                    l.checked_sub(p).and_then(|d| d.checked_div(p.abs())).map(|r| r * Decimal::ONE_HUNDRED)
                }
                _ => None,
            };
            UsageTrend { metric: metric.to_string(), previous, latest, change_pct }
        })
        .collect()
}

/// What to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Index into `customer.goals`.
    Corrective(usize),
    BackOnPlan(usize),
    Measure(usize),
    /// Index into `customer.opportunities`.
    Expand(usize),
    Adoption(UsageTrend),
    NewTarget(usize),
}

impl Action {
    fn rank(&self) -> u8 {
        match self {
            Action::Corrective(_) => 0,
            Action::BackOnPlan(_) => 1,
            Action::Measure(_) => 2,
            Action::Expand(_) => 3,
            Action::Adoption(_) => 4,
            Action::NewTarget(_) => 5,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Recommendation {
    pub action: Action,
    /// Annual value at stake; zero where the rule states none.
    pub value: Decimal,
}

/// Applies every rule and sorts the result, most valuable first.
pub fn recommend(customer: &Customer, summary: &ValueSummary, usage: &[UsageTrend]) -> Vec<Recommendation> {
    let four = Decimal::from(4);
    let currency = customer.account.currency;
    let mut out = Vec::new();
    for (index, (goal, figures)) in customer.goals.iter().zip(&summary.goals).enumerate() {
        let annual = |v: Decimal| v.checked_mul(four).unwrap_or(Decimal::MAX);
        match figures.status {
            GoalStatus::Regressed => {
                out.push(Recommendation { action: Action::Corrective(index), value: annual(-figures.quarter_value) })
            }
            GoalStatus::Behind => {
                let gap = match (goal.target, figures.latest) {
                    (Some(target), Some(latest)) => quarter_value(goal, target, currency)
                        .zip(quarter_value(goal, latest, currency))
                        .and_then(|(at_target, now)| at_target.checked_sub(now))
                        .unwrap_or_default(),
                    _ => Decimal::ZERO,
                };
                out.push(Recommendation { action: Action::BackOnPlan(index), value: annual(gap.max(Decimal::ZERO)) });
            }
            GoalStatus::NoData => {
                let last_value = summary
                    .quarters
                    .iter()
                    .rev()
                    .filter_map(|q| q.by_goal.get(&goal.goal_id))
                    .find(|g| !g.no_data)
                    .map_or(Decimal::ZERO, |g| g.value);
                out.push(Recommendation {
                    action: Action::Measure(index),
                    value: annual(last_value.max(Decimal::ZERO)),
                });
            }
            GoalStatus::Achieved => out.push(Recommendation { action: Action::NewTarget(index), value: Decimal::ZERO }),
            GoalStatus::OnTrack | GoalStatus::TooEarly => {}
        }
    }
    for (index, opportunity) in customer.opportunities.iter().enumerate() {
        let weighted = opportunity.annual_value.checked_mul(opportunity.confidence).unwrap_or_default();
        out.push(Recommendation { action: Action::Expand(index), value: weighted });
    }
    for trend in usage {
        if trend.change_pct.is_some_and(|c| c <= Decimal::from(-USAGE_DROP_PCT)) {
            out.push(Recommendation { action: Action::Adoption(trend.clone()), value: Decimal::ZERO });
        }
    }
    // Stable sort: equal values keep rule order, then file order.
    out.sort_by(|a, b| b.value.cmp(&a.value).then(a.action.rank().cmp(&b.action.rank())));
    let losing =
        summary.quarters.last().is_some_and(|q| q.quarter == summary.report_quarter && q.total < Decimal::ZERO);
    if losing {
        out.sort_by_key(|r| !matches!(r.action, Action::Corrective(_)));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use chrono::NaiveDate;

    use super::*;
    use crate::model::{Account, Category, Currency, Direction, Goal, Locale, Observation, Opportunity, Per};
    use crate::value::compute;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn goal(id: &str, baseline: &str, target: Option<&str>) -> Goal {
        Goal {
            goal_id: id.into(),
            title: format!("goal {id}"),
            metric: format!("m_{id}"),
            category: Category::TimeSavings,
            unit: "hours".into(),
            direction: Direction::Down,
            baseline: d(baseline),
            target: target.map(d),
            per: Per::Quarter,
            value_per_unit: d("100"),
            volume: Decimal::ONE,
            baseline_source: None,
            owner: None,
        }
    }

    fn obs(metric: &str, date: &str, value: &str) -> Observation {
        Observation {
            date: NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap(),
            metric: metric.into(),
            value: d(value),
        }
    }

    fn customer(goals: Vec<Goal>, observations: Vec<Observation>, opportunities: Vec<Opportunity>) -> Customer {
        Customer {
            dir: PathBuf::from("t"),
            account: Account {
                customer_id: "t".into(),
                customer_name: "T".into(),
                renewal_date: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
                annual_investment: d("1000"),
                currency: Currency::default(),
                locale: Locale::En,
                region: None,
                contract_start: None,
                segment: None,
                industry: None,
                csm_name: None,
                csm_email: None,
                executive_sponsor: None,
            },
            goals,
            observations,
            stories: vec![],
            opportunities,
            health: vec![],
            nps: vec![],
            metric_labels: Default::default(),
            warnings: Vec::new(),
        }
    }

    fn opportunity(id: &str, value: &str, confidence: &str) -> Opportunity {
        Opportunity {
            opportunity_id: id.into(),
            title: id.into(),
            description: None,
            category: None,
            annual_value: d(value),
            confidence: d(confidence),
            assumption: None,
            start_date: None,
        }
    }

    #[test]
    fn every_rule_fires_and_the_most_valuable_comes_first() {
        let goals = vec![
            goal("REG", "10", Some("5")),  // 12 now: regressed, −200/quarter → 800/yr
            goal("BEH", "40", Some("10")), // flat at 35: behind, gap (35 − 10) × 100 = 2500/quarter → 10000/yr
            goal("ACH", "40", Some("20")), // 15: achieved
            goal("GAP", "40", Some("10")), // no data in Q3; 30 in Q2 → 1000/quarter → 4000/yr
            goal("OK", "40", None),        // improved, no target: on track, no recommendation
        ];
        let observations = vec![
            obs("m_REG", "2026-08-01", "12"),
            obs("m_BEH", "2026-05-01", "35"),
            obs("m_BEH", "2026-08-01", "35"),
            obs("m_ACH", "2026-08-01", "15"),
            obs("m_GAP", "2026-05-01", "30"),
            obs("m_OK", "2026-08-01", "30"),
            obs("logins", "2026-05-01", "100"),
            obs("logins", "2026-08-01", "85"), // −15%: adoption
            obs("seats", "2026-05-01", "100"),
            obs("seats", "2026-08-01", "95"), // −5%: nothing
        ];
        let c =
            customer(goals, observations, vec![opportunity("O1", "20000", "0.25"), opportunity("O2", "1000", "0.1")]);
        let quarter: Quarter = "2026-Q3".parse().unwrap();
        let summary = compute(&c, quarter).unwrap();
        let usage = usage_trends(&c, quarter);
        assert_eq!(usage.iter().map(|u| u.metric.as_str()).collect::<Vec<_>>(), ["logins", "seats"]);
        assert_eq!(usage[0].change_pct, Some(d("-15")));
        let recommendations = recommend(&c, &summary, &usage);
        let order: Vec<(Action, Decimal)> = recommendations.into_iter().map(|r| (r.action, r.value)).collect();
        assert_eq!(
            order,
            [
                (Action::BackOnPlan(1), d("10000")),
                (Action::Expand(0), d("5000")),
                (Action::Measure(3), d("4000")),
                (Action::Corrective(0), d("800")),
                (Action::Expand(1), d("100")),
                (Action::Adoption(usage[0].clone()), Decimal::ZERO),
                (Action::NewTarget(2), Decimal::ZERO),
            ]
        );
    }

    #[test]
    fn a_quarter_that_lost_value_puts_recovery_first_worst_goal_first() {
        let goals = vec![
            goal("SMALL", "10", Some("5")), // 11 now: −100/quarter
            goal("BIG", "10", Some("5")),   // 14 now: −400/quarter
        ];
        let observations = vec![obs("m_SMALL", "2026-08-01", "11"), obs("m_BIG", "2026-08-01", "14")];
        // Expansion worth far more than either loss: by value alone it would come first.
        let c = customer(goals, observations, vec![opportunity("O1", "100000", "0.9")]);
        let quarter: Quarter = "2026-Q3".parse().unwrap();
        let summary = compute(&c, quarter).unwrap();
        assert!(summary.quarters.last().unwrap().total < Decimal::ZERO);
        let order: Vec<Action> =
            recommend(&c, &summary, &usage_trends(&c, quarter)).into_iter().map(|r| r.action).collect();
        assert_eq!(order, [Action::Corrective(1), Action::Corrective(0), Action::Expand(0)]);
    }

    #[test]
    fn nothing_to_recommend_when_everything_is_on_track() {
        let c = customer(
            vec![goal("OK", "40", Some("10"))],
            vec![obs("m_OK", "2026-02-01", "38"), obs("m_OK", "2026-05-01", "30"), obs("m_OK", "2026-08-01", "22")],
            vec![],
        );
        let quarter: Quarter = "2026-Q3".parse().unwrap();
        let summary = compute(&c, quarter).unwrap();
        assert_eq!(summary.goals[0].status, GoalStatus::OnTrack);
        assert!(recommend(&c, &summary, &usage_trends(&c, quarter)).is_empty());
    }
}
