//! The engine against the worked examples of the seeds' "ROI calculation methods", and its rules.

use std::path::PathBuf;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::*;
use crate::model::{Account, Category, Currency, Customer, Direction, Goal, Locale, Observation, Opportunity, Per};

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn q(text: &str) -> Quarter {
    text.parse().unwrap()
}

/// A goal in the engine's own terms: `value per quarter = improvement × volume × value_per_unit × scale × periods`.
#[derive(Clone, Copy)]
struct G {
    id: &'static str,
    category: Category,
    unit: &'static str,
    direction: Direction,
    baseline: &'static str,
    target: Option<&'static str>,
    per: Per,
    value_per_unit: &'static str,
    volume: &'static str,
}

impl G {
    fn goal(&self) -> Goal {
        Goal {
            goal_id: self.id.to_string(),
            title: format!("goal {}", self.id),
            metric: format!("metric_{}", self.id),
            category: self.category,
            unit: self.unit.to_string(),
            direction: self.direction,
            baseline: d(self.baseline),
            target: self.target.map(d),
            per: self.per,
            value_per_unit: d(self.value_per_unit),
            volume: d(self.volume),
            baseline_source: None,
            owner: None,
        }
    }
}

fn g(id: &'static str, direction: Direction, baseline: &'static str, per: Per, value_per_unit: &'static str) -> G {
    G {
        id,
        category: Category::TimeSavings,
        unit: "hours",
        direction,
        baseline,
        target: None,
        per,
        value_per_unit,
        volume: "1",
    }
}

/// Annual value of a goal held at `actual` for four quarters, through the engine's formula.
fn annual(goal: &G, actual: &str) -> Decimal {
    quarter_value(&goal.goal(), d(actual), usd()).unwrap() * Decimal::from(4)
}

fn usd() -> Currency {
    Currency::from_code("USD").unwrap()
}

fn customer(investment: &str, currency: &str, goals: &[G], observations: Vec<Observation>) -> Customer {
    Customer {
        dir: PathBuf::from("test"),
        account: Account {
            customer_id: "test".into(),
            customer_name: "Test".into(),
            renewal_date: NaiveDate::from_ymd_opt(2027, 1, 31).unwrap(),
            annual_investment: d(investment),
            currency: Currency::from_code(currency).unwrap(),
            locale: Locale::En,
            region: None,
            contract_start: None,
            segment: None,
            industry: None,
            csm_name: None,
            csm_email: None,
            executive_sponsor: None,
        },
        goals: goals.iter().map(G::goal).collect(),
        observations,
        stories: vec![],
        opportunities: vec![],
        health: vec![],
        nps: vec![],
        metric_labels: Default::default(),
        warnings: vec![],
    }
}

/// One observation per month of every quarter from `first` to `last`, all equal to `value`.
fn monthly(goal_id: &str, first: &str, last: &str, value: &str) -> Vec<Observation> {
    q(first)
        .through(q(last))
        .flat_map(|quarter| {
            let start = quarter.first_day();
            (0..3).map(move |m| start.checked_add_months(chrono::Months::new(m)).unwrap())
        })
        .map(|date| Observation { date, metric: format!("metric_{goal_id}"), value: d(value) })
        .collect()
}

fn obs(goal_id: &str, date: &str, value: &str) -> Observation {
    Observation {
        date: NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap(),
        metric: format!("metric_{goal_id}"),
        value: d(value),
    }
}

// ---- The seeds' worked examples ---------------------------------------------------------------

#[test]
fn seed_time_savings_27000_per_year() {
    // (40 − 10) h/month × $75 × 12 = $27,000/yr
    let reporting = g("G1", Direction::Down, "40", Per::Month, "75");
    assert_eq!(annual(&reporting, "10"), d("27000"));
}

#[test]
fn seed_tool_consolidation_67000_per_year() {
    // Tools A + B + C ($23K/yr) + reduced IT management ($5K/yr) + 10 h/week duplicate entry × $75 ($39K/yr).
    let tools = G { category: Category::CostSavings, unit: "USD", ..g("T", Direction::Down, "23000", Per::Year, "1") };
    let it = G { category: Category::CostSavings, unit: "USD", ..g("IT", Direction::Down, "5000", Per::Year, "1") };
    let entry = g("DE", Direction::Down, "10", Per::Week, "75");
    assert_eq!(annual(&entry, "0"), d("39000"));
    let mut observations = monthly("T", "2025-Q4", "2026-Q3", "0");
    observations.extend(monthly("IT", "2025-Q4", "2026-Q3", "0"));
    observations.extend(monthly("DE", "2025-Q4", "2026-Q3", "0"));
    let summary = compute(&customer("50000", "USD", &[tools, it, entry], observations), q("2026-Q3")).unwrap();
    assert_eq!(summary.ttm.value, d("67000"));
    assert_eq!(summary.quarters[0].by_category[&Category::CostSavings], d("7000"));
}

#[test]
fn seed_support_staff_200000_per_year() {
    // 20 → 16 support staff × $50K salary.
    let staff =
        G { category: Category::CostSavings, unit: "people", ..g("S", Direction::Down, "20", Per::Year, "50000") };
    assert_eq!(annual(&staff, "16"), d("200000"));
}

#[test]
fn seed_revenue_generated_250000() {
    // Win rate 20% → 25% on 100 opportunities/yr × $50K average deal.
    let win_rate = G {
        category: Category::Revenue,
        unit: "percent",
        volume: "100",
        ..g("W", Direction::Up, "20", Per::Year, "50000")
    };
    assert_eq!(annual(&win_rate, "25"), d("250000"));
}

#[test]
fn seed_revenue_protected_700000() {
    // Churn 15% → 8% of a $10M ARR base.
    let churn = G { category: Category::Revenue, unit: "%", ..g("C", Direction::Down, "15", Per::Year, "10000000") };
    assert_eq!(annual(&churn, "8"), d("700000"));
}

#[test]
fn seed_revenue_optimized_300000() {
    // 30% of 100 customers upgraded, $10K average uplift.
    let upgraded = G {
        category: Category::Revenue,
        unit: "percent",
        volume: "100",
        ..g("U", Direction::Up, "0", Per::Year, "10000")
    };
    assert_eq!(annual(&upgraded, "30"), d("300000"));
}

#[test]
fn seed_productivity_plus_50_percent() {
    // 20 → 30 blog posts per month: (30 − 20) / 20 = +50%.
    let posts = G { category: Category::Productivity, unit: "posts", ..g("P", Direction::Up, "20", Per::Month, "0") };
    let summary =
        compute(&customer("1000", "USD", &[posts], monthly("P", "2026-Q3", "2026-Q3", "30")), q("2026-Q3")).unwrap();
    assert_eq!(summary.goals[0].improvement_pct, Some(d("50")));
}

#[test]
fn seed_automation_157500_per_year() {
    // 4 h → 0.5 h per proposal, 50 proposals/month, $75/h: $13,125/month.
    let proposals = G { volume: "50", ..g("A", Direction::Down, "4", Per::Month, "75") };
    assert_eq!(quarter_value(&proposals.goal(), d("0.5"), usd()), Some(d("39375")));
    assert_eq!(annual(&proposals, "0.5"), d("157500"));
}

#[test]
fn seed_error_reduction_96000_per_year() {
    // Error rate 5% → 1% on 1,000 orders/month × $200 per error: $8,000/month.
    let errors = G {
        category: Category::Quality,
        unit: "percent",
        volume: "1000",
        ..g("E", Direction::Down, "5", Per::Month, "200")
    };
    assert_eq!(annual(&errors, "1"), d("96000"));
}

#[test]
fn seed_compliance_4500_per_year() {
    // Violation probability 10% → 1% per year × $50,000 average fine.
    let fine = G { category: Category::Risk, unit: "percent", ..g("F", Direction::Down, "10", Per::Year, "50000") };
    assert_eq!(annual(&fine, "1"), d("4500"));
}

#[test]
fn seed_data_security_9000_per_year() {
    // Breach probability 5% → 0.5% per year × $200,000 average breach cost.
    let breach = G { category: Category::Risk, unit: "percent", ..g("B", Direction::Down, "5", Per::Year, "200000") };
    assert_eq!(annual(&breach, "0.5"), d("9000"));
}

#[test]
fn seed_reliability_230000_per_year() {
    // Downtime 10 → 2 h/yr × $10,000/h ($80K) + downtime churn 2% → 0.5% of $10M ARR ($150K).
    let downtime = G { category: Category::Risk, ..g("D", Direction::Down, "10", Per::Year, "10000") };
    let churn =
        G { category: Category::Revenue, unit: "percent", ..g("C", Direction::Down, "2", Per::Year, "10000000") };
    let mut observations = monthly("D", "2025-Q4", "2026-Q3", "2");
    observations.extend(monthly("C", "2025-Q4", "2026-Q3", "0.5"));
    let summary = compute(&customer("100000", "USD", &[downtime, churn], observations), q("2026-Q3")).unwrap();
    assert_eq!(summary.ttm.value, d("230000"));
    assert_eq!(summary.goals[0].ttm_value, d("80000"));
    assert_eq!(summary.goals[1].ttm_value, d("150000"));
}

#[test]
fn seed_crm_example_93000_on_50000_is_186_percent_roi() {
    // Time savings: 20 h/month × $75 = $1,500/month = $18K/yr.
    // Deals: 15% pipeline improvement × $2M pipeline × 25% close rate = $75K/yr.
    let time = g("T", Direction::Down, "40", Per::Month, "75");
    let pipeline = G {
        category: Category::Revenue,
        unit: "percent",
        volume: "0.25",
        ..g("P", Direction::Up, "0", Per::Year, "2000000")
    };
    let mut observations = monthly("T", "2025-Q4", "2026-Q3", "20");
    observations.extend(monthly("P", "2025-Q4", "2026-Q3", "15"));
    let summary = compute(&customer("50000", "USD", &[time, pipeline], observations), q("2026-Q3")).unwrap();
    assert_eq!(summary.ttm.value, d("93000"));
    assert_eq!(summary.ttm.quarters, 4);
    assert_eq!(summary.ttm.roi_pct, d("186"));
    assert_eq!(summary.ttm.net_roi_pct, d("86"));
    // 50,000 ÷ (93,000 ÷ 12) = 6.4516… months.
    assert_eq!(summary.ttm.payback_months, Some(d("6.45")));
    assert_eq!(summary.goals[0].ttm_value, d("18000"));
    assert_eq!(summary.goals[1].ttm_value, d("75000"));
}

// ---- The engine's rules -----------------------------------------------------------------------

#[test]
fn actual_is_the_mean_of_the_quarter_and_later_observations_are_ignored() {
    let goal = g("G", Direction::Down, "40", Per::Month, "10");
    let observations = vec![
        obs("G", "2026-07-05", "30"),
        obs("G", "2026-08-05", "20"),
        obs("G", "2026-09-30", "10"),
        obs("G", "2026-10-01", "0"), // after the report quarter
    ];
    let summary = compute(&customer("1000", "USD", &[goal], observations), q("2026-Q3")).unwrap();
    assert_eq!(summary.quarters.len(), 1);
    let entry = summary.quarters[0].by_goal.get("G").unwrap();
    assert_eq!((entry.actual, entry.observations), (Some(d("20")), 3));
    // (40 − 20) × 10 × 3 months
    assert_eq!(entry.value, d("600"));
}

#[test]
fn a_quarter_without_observations_has_no_value_and_is_flagged() {
    let goal = g("G", Direction::Down, "40", Per::Month, "10");
    let mut observations = monthly("G", "2026-Q1", "2026-Q1", "30");
    observations.extend(monthly("G", "2026-Q3", "2026-Q3", "20"));
    let summary = compute(&customer("1000", "USD", &[goal], observations), q("2026-Q3")).unwrap();
    let listed: Vec<String> = summary.quarters.iter().map(|q| q.quarter.to_string()).collect();
    assert_eq!(listed, ["2026-Q1", "2026-Q2", "2026-Q3"]);
    let gap = summary.quarters[1].by_goal.get("G").unwrap();
    assert!(gap.no_data);
    assert_eq!((gap.actual, gap.value), (None, Decimal::ZERO));
    assert_eq!(summary.ttm.quarters, 3);
    assert_eq!(summary.ttm.value, d("300") + d("600"));
}

#[test]
fn regression_gives_negative_value_never_clamped() {
    let goal = G { target: Some("10"), ..g("G", Direction::Down, "40", Per::Month, "10") };
    let summary =
        compute(&customer("1000", "USD", &[goal], monthly("G", "2026-Q3", "2026-Q3", "45")), q("2026-Q3")).unwrap();
    assert_eq!(summary.quarters[0].total, d("-150"));
    // One quarter measured: ROI on its share of the annual 1,000, 250.
    assert_eq!(summary.ttm.investment_share, d("250"));
    assert_eq!(summary.ttm.roi_pct, d("-60"));
    assert_eq!(summary.ttm.payback_months, None);
    assert_eq!(summary.goals[0].status, GoalStatus::Regressed);
    assert_eq!(summary.goals[0].improvement_pct, Some(d("-12.5")));
}

#[test]
fn direction_up_and_down_are_mirror_images() {
    let down = g("G", Direction::Down, "40", Per::Quarter, "5");
    let up = g("G", Direction::Up, "40", Per::Quarter, "5");
    for actual in ["10", "40", "55.5"] {
        let a = quarter_value(&down.goal(), d(actual), usd()).unwrap();
        let b = quarter_value(&up.goal(), d(actual), usd()).unwrap();
        assert_eq!(a, -b, "at {actual}");
    }
}

#[test]
fn ttm_is_the_last_four_quarters_and_quarters_count_the_window() {
    let goal = g("G", Direction::Up, "0", Per::Quarter, "1");
    let mut observations = Vec::new();
    for (i, quarter) in q("2025-Q1").through(q("2026-Q3")).enumerate() {
        observations.push(Observation {
            date: quarter.first_day(),
            metric: "metric_G".into(),
            value: Decimal::from(i as u64 + 1),
        });
    }
    let summary = compute(&customer("10", "USD", &[goal], observations), q("2026-Q3")).unwrap();
    assert_eq!(summary.quarters.len(), 7);
    // Quarters 4..=7 of the history.
    assert_eq!(summary.ttm.value, d("22"));
    assert_eq!(summary.ttm.quarters, 4);
    let sum: Decimal = summary.quarters[3..].iter().map(|q| q.total).sum();
    assert_eq!(summary.ttm.value, sum);
}

#[test]
fn a_report_quarter_before_any_data_lists_nothing() {
    let goal = g("G", Direction::Up, "0", Per::Quarter, "1");
    let summary =
        compute(&customer("10", "USD", &[goal], monthly("G", "2026-Q3", "2026-Q3", "5")), q("2026-Q2")).unwrap();
    assert!(summary.quarters.is_empty());
    // The customer paid for the report quarter: a window of one quarter worth nothing.
    assert_eq!((summary.ttm.value, summary.ttm.quarters, summary.ttm.first_quarter), (Decimal::ZERO, 1, q("2026-Q2")));
    assert_eq!((summary.data_through, summary.stale), (None, true));
    assert_eq!(summary.goals[0].status, GoalStatus::NoData);
    assert_eq!(summary.projection[0].conservative, Decimal::ZERO);
}

#[test]
fn money_is_rounded_to_the_currency_minor_unit_half_away_from_zero() {
    let goal = g("G", Direction::Up, "0", Per::Year, "1");
    // 10.5 × 0.25 = 2.625 → USD 2.63, JPY 3
    let usd =
        compute(&customer("10", "USD", &[goal], monthly("G", "2026-Q3", "2026-Q3", "10.5")), q("2026-Q3")).unwrap();
    assert_eq!(usd.ttm.value, d("2.63"));
    let jpy =
        compute(&customer("10", "JPY", &[goal], monthly("G", "2026-Q3", "2026-Q3", "10.5")), q("2026-Q3")).unwrap();
    assert_eq!(jpy.ttm.value, d("3"));
}

#[test]
fn goal_progress_and_percentages() {
    let goal = G { target: Some("15"), ..g("G", Direction::Down, "40", Per::Month, "75") };
    let no_baseline = g("Z", Direction::Up, "0", Per::Month, "1");
    let mut observations = monthly("G", "2026-Q3", "2026-Q3", "25");
    observations.extend(monthly("Z", "2026-Q3", "2026-Q3", "3"));
    let summary = compute(&customer("1000", "USD", &[goal, no_baseline], observations), q("2026-Q3")).unwrap();
    let g0 = &summary.goals[0];
    assert_eq!(g0.latest, Some(d("25")));
    assert_eq!(g0.improvement, Some(d("15")));
    assert_eq!(g0.improvement_pct, Some(d("37.5")));
    assert_eq!(g0.progress_to_target_pct, Some(d("60")));
    let g1 = &summary.goals[1];
    assert_eq!((g1.improvement_pct, g1.progress_to_target_pct), (None, None));
    // One quarter of data, not at a target: no trend to judge yet.
    assert_eq!(g1.status, GoalStatus::TooEarly);
}

#[test]
fn projection_conservative_is_flat_and_expected_follows_the_trend_up_to_the_target() {
    // Hours fall 40 → 35 → 30 → 25 a quarter towards a target of 15.
    let goal = G { target: Some("15"), ..g("G", Direction::Down, "50", Per::Quarter, "100") };
    let observations = vec![
        obs("G", "2025-12-01", "40"),
        obs("G", "2026-03-01", "35"),
        obs("G", "2026-06-01", "30"),
        obs("G", "2026-09-01", "25"),
    ];
    let summary = compute(&customer("1000", "USD", &[goal], observations), q("2026-Q3")).unwrap();
    let quarters: Vec<String> = summary.projection.iter().map(|p| p.quarter.to_string()).collect();
    assert_eq!(quarters, ["2026-Q4", "2027-Q1", "2027-Q2", "2027-Q3"]);
    let expected: Vec<Decimal> =
        summary.projection.iter().map(|p| p.expected_actual.get("G").unwrap().unwrap()).collect();
    // 20, 15, then held at the target.
    assert_eq!(expected, [d("20"), d("15"), d("15"), d("15")]);
    for p in &summary.projection {
        assert_eq!(p.conservative, d("2500"), "flat at latest: (50 − 25) × 100");
    }
    assert_eq!(summary.projection[0].expected, d("3000"));
    assert_eq!(summary.projection[3].expected, d("3500"));
    assert_eq!(summary.goals[0].status, GoalStatus::OnTrack);
}

#[test]
fn projection_of_fading_gains_fades_to_the_baseline_not_past_it() {
    // An `up` goal falling 40 → 35 → 30 → 25 above its baseline of 10: the line continues 20, 15,
    // 10, 5; gains may fade to nothing (the baseline), not below it.
    let goal = G { target: Some("100"), ..g("G", Direction::Up, "10", Per::Quarter, "1") };
    let observations = vec![
        obs("G", "2025-12-01", "40"),
        obs("G", "2026-03-01", "35"),
        obs("G", "2026-06-01", "30"),
        obs("G", "2026-09-01", "25"),
    ];
    let summary = compute(&customer("1000", "USD", &[goal], observations), q("2026-Q3")).unwrap();
    let expected: Vec<Decimal> =
        summary.projection.iter().map(|p| p.expected_actual.get("G").unwrap().unwrap()).collect();
    assert_eq!(expected, [d("20"), d("15"), d("10"), d("10")]);
    // Values 10, 5, 0, 0: both cases fall below the latest quarter's 15, and conservative (the worse
    // of latest and trend) equals expected.
    let values: Vec<(Decimal, Decimal)> = summary.projection.iter().map(|p| (p.conservative, p.expected)).collect();
    assert_eq!(values, [(d("10"), d("10")), (d("5"), d("5")), (d("0"), d("0")), (d("0"), d("0"))]);
    assert_eq!(summary.goals[0].status, GoalStatus::Behind);
}

#[test]
fn projection_of_a_goal_worse_than_baseline_worsens_no_faster_than_seen() {
    // A `down` goal with baseline 10, already worse and worsening: 12, 13, 14, 15. The line goes on
    // 16, 17, 18, 19; the pace seen over the points used is |15 − 12| = 3, so it stops at 18.
    let goal = G { target: Some("8"), ..g("G", Direction::Down, "10", Per::Quarter, "100") };
    let observations = vec![
        obs("G", "2025-12-01", "12"),
        obs("G", "2026-03-01", "13"),
        obs("G", "2026-06-01", "14"),
        obs("G", "2026-09-01", "15"),
    ];
    let summary = compute(&customer("1000", "USD", &[goal], observations), q("2026-Q3")).unwrap();
    let expected: Vec<Decimal> =
        summary.projection.iter().map(|p| p.expected_actual.get("G").unwrap().unwrap()).collect();
    assert_eq!(expected, [d("16"), d("17"), d("18"), d("18")]);
    let values: Vec<Decimal> = summary.projection.iter().map(|p| p.expected).collect();
    assert_eq!(values, [d("-600"), d("-700"), d("-800"), d("-800")]);
    for p in &summary.projection {
        assert_eq!(p.conservative, p.expected, "the trend is the worse of the two");
    }
    assert_eq!(summary.goals[0].status, GoalStatus::Regressed);
}

#[test]
fn projection_of_a_goal_below_baseline_that_recovers_is_capped_by_target_or_latest() {
    // Worse than baseline (10) but recovering 16 → 14 → 12: the trend improves (10, 8, …) up to
    // the target of 9; conservative stays at the latest actual.
    let goal = G { target: Some("9"), ..g("G", Direction::Down, "10", Per::Quarter, "100") };
    let observations = vec![obs("G", "2026-03-01", "16"), obs("G", "2026-06-01", "14"), obs("G", "2026-09-01", "12")];
    let summary = compute(&customer("1000", "USD", &[goal], observations), q("2026-Q3")).unwrap();
    let expected: Vec<Decimal> =
        summary.projection.iter().map(|p| p.expected_actual.get("G").unwrap().unwrap()).collect();
    assert_eq!(expected, [d("10"), d("9"), d("9"), d("9")]);
    for p in &summary.projection {
        assert_eq!(p.conservative, d("-200"), "held at the latest actual, 12");
    }
}

#[test]
fn projection_is_flat_without_target_with_one_quarter_or_past_target() {
    let no_target = g("A", Direction::Up, "0", Per::Quarter, "1");
    let one_quarter = G { target: Some("100"), ..g("B", Direction::Up, "0", Per::Quarter, "1") };
    let past_target = G { target: Some("20"), ..g("C", Direction::Up, "0", Per::Quarter, "1") };
    let mut observations = vec![obs("A", "2026-03-01", "10"), obs("A", "2026-09-01", "30")];
    observations.push(obs("B", "2026-09-01", "50"));
    observations.extend([obs("C", "2026-03-01", "10"), obs("C", "2026-09-01", "30")]);
    let summary =
        compute(&customer("1000", "USD", &[no_target, one_quarter, past_target], observations), q("2026-Q3")).unwrap();
    for p in &summary.projection {
        assert_eq!(p.expected_actual.get("A").unwrap(), &Some(d("30")));
        assert_eq!(p.expected_actual.get("B").unwrap(), &Some(d("50")));
        assert_eq!(p.expected_actual.get("C").unwrap(), &Some(d("30")));
        assert_eq!(p.expected, p.conservative);
    }
    assert_eq!(summary.goals[2].status, GoalStatus::Achieved);
}

#[test]
fn opportunities_total_and_confidence_weighted() {
    let goal = g("G", Direction::Up, "0", Per::Quarter, "1");
    let mut c = customer("1000", "USD", &[goal], monthly("G", "2026-Q3", "2026-Q3", "1"));
    for (id, value, confidence) in [("O1", "75000", "0.6"), ("O2", "20000", "0.25"), ("O3", "999.99", "0.5")] {
        c.opportunities.push(Opportunity {
            opportunity_id: id.into(),
            title: id.into(),
            description: None,
            category: None,
            annual_value: d(value),
            confidence: d(confidence),
            assumption: None,
            start_date: None,
        });
    }
    let totals = compute(&c, q("2026-Q3")).unwrap().opportunities;
    assert_eq!(totals.count, 3);
    assert_eq!(totals.annual_value, d("95999.99"));
    // 45,000 + 5,000 + 500.00 (499.995 rounded half away from zero)
    assert_eq!(totals.weighted_annual_value, d("50500.00"));
}

#[test]
fn observation_order_does_not_matter() {
    let goal = G { target: Some("10"), ..g("G", Direction::Down, "40", Per::Month, "75") };
    let mut observations = monthly("G", "2025-Q2", "2026-Q3", "22");
    observations.extend([obs("G", "2026-08-15", "18"), obs("G", "2025-05-02", "39")]);
    let forward = compute(&customer("1000", "USD", &[goal], observations.clone()), q("2026-Q3")).unwrap();
    observations.reverse();
    let backward = compute(&customer("1000", "USD", &[goal], observations), q("2026-Q3")).unwrap();
    assert_eq!(forward, backward);
}

#[test]
fn values_beyond_exact_range_are_errors_not_panics() {
    let huge = G { volume: "79228162514264337593543950335", ..g("G", Direction::Up, "0", Per::Week, "1000") };
    let result = compute(&customer("1000", "USD", &[huge], monthly("G", "2026-Q3", "2026-Q3", "1000")), q("2026-Q3"));
    assert!(matches!(result, Err(ValueError::Overflow { .. })), "{result:?}");
}

#[test]
fn observations_beyond_exact_range_are_errors_not_panics() {
    let goal = g("G", Direction::Up, "0", Per::Quarter, "0");
    let big = "70000000000000000000000000000";
    let observations = vec![obs("G", "2026-07-01", big), obs("G", "2026-08-01", big)];
    let result = compute(&customer("1000", "USD", &[goal], observations), q("2026-Q3"));
    assert!(matches!(result, Err(ValueError::MetricOverflow { .. })), "{result:?}");

    let extreme = G {
        target: Some("-79228162514264337593543950335"),
        ..g("H", Direction::Down, "79228162514264337593543950335", Per::Quarter, "0")
    };
    let result = compute(&customer("1000", "USD", &[extreme], vec![obs("H", "2026-07-01", "1")]), q("2026-Q3"));
    assert!(result.is_ok(), "progress with an unrepresentable span is simply unknown: {result:?}");
}

// ---- Credible figures at the edges (docs/value.md, "TTM and ROI", "Freshness", "Projection") ----

fn with_contract_start(mut customer: Customer, date: &str) -> Customer {
    customer.account.contract_start = Some(NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap());
    customer
}

#[test]
fn a_new_customer_is_measured_against_the_share_of_the_investment_it_paid_for() {
    // docs/value.md: $61,158 delivered in the first quarter of a $75,000-a-year contract.
    let goal = g("G", Direction::Up, "0", Per::Quarter, "1");
    let summary =
        compute(&customer("75000", "USD", &[goal], vec![obs("G", "2026-08-01", "61158")]), q("2026-Q3")).unwrap();
    let ttm = &summary.ttm;
    assert_eq!((ttm.quarters, ttm.first_quarter), (1, q("2026-Q3")));
    assert_eq!(ttm.investment, d("75000.00"));
    assert_eq!(ttm.investment_share, d("18750.00"));
    // 61,158 ÷ 18,750 × 100 = 326.176; (61,158 − 18,750) ÷ 18,750 × 100 = 226.176;
    // 75,000 ÷ (61,158 ÷ 3) = 3.679…
    assert_eq!((ttm.roi_pct, ttm.net_roi_pct), (d("326.18"), d("226.18")));
    assert_eq!(ttm.payback_months, Some(d("3.68")));
    assert_eq!(ttm.roi_exact(), d("326.176"));
    assert_eq!(ttm.months(), 3);
}

#[test]
fn with_four_quarters_the_share_is_the_whole_investment_and_roi_is_unchanged() {
    let goal = g("G", Direction::Up, "0", Per::Quarter, "1");
    let summary =
        compute(&customer("1000", "USD", &[goal], monthly("G", "2025-Q4", "2026-Q3", "500")), q("2026-Q3")).unwrap();
    let ttm = &summary.ttm;
    assert_eq!((ttm.quarters, ttm.investment_share), (4, d("1000")));
    // 2,000 on 1,000: 200%; payback 1,000 × 12 ÷ 2,000 = 6 months, as before the pro-rating rule.
    assert_eq!((ttm.roi_pct, ttm.payback_months), (d("200"), Some(d("6"))));
}

#[test]
fn the_share_is_rounded_to_the_minor_unit_half_away_from_zero() {
    // 1,000.01 × 3 ÷ 4 = 750.0075 → 750.01; 1,001 JPY × 1 ÷ 4 = 250.25 → 250.
    let goal = g("G", Direction::Up, "0", Per::Quarter, "1");
    let usd = customer("1000.01", "USD", &[goal], monthly("G", "2026-Q1", "2026-Q3", "1"));
    assert_eq!(compute(&usd, q("2026-Q3")).unwrap().ttm.investment_share, d("750.01"));
    let jpy = customer("1001", "JPY", &[goal], monthly("G", "2026-Q3", "2026-Q3", "1"));
    assert_eq!(compute(&jpy, q("2026-Q3")).unwrap().ttm.investment_share, d("250"));
    let tiny = customer("0.01", "USD", &[goal], monthly("G", "2026-Q3", "2026-Q3", "1"));
    assert!(matches!(compute(&tiny, q("2026-Q3")), Err(ValueError::InvestmentShareIsZero { .. })));
}

#[test]
fn the_window_starts_at_the_contract_when_it_started_before_the_data() {
    // Contract from January 2026, first measurements in July: Q1 and Q2 were paid for and count
    // as zero value; the quarters listed still start with the first observation.
    let goal = g("G", Direction::Up, "0", Per::Quarter, "1");
    let c =
        with_contract_start(customer("4000", "USD", &[goal], monthly("G", "2026-Q3", "2026-Q3", "900")), "2026-01-15");
    let summary = compute(&c, q("2026-Q3")).unwrap();
    assert_eq!(summary.quarters.len(), 1);
    let ttm = &summary.ttm;
    assert_eq!((ttm.quarters, ttm.first_quarter, ttm.investment_share), (3, q("2026-Q1"), d("3000")));
    assert_eq!((ttm.value, ttm.roi_pct), (d("900"), d("30")));
    // 4,000 ÷ (900 ÷ 9) = 40 months.
    assert_eq!(ttm.payback_months, Some(d("40")));
}

#[test]
fn the_window_is_never_longer_than_four_quarters_nor_starts_after_the_first_observation() {
    let goal = g("G", Direction::Up, "0", Per::Quarter, "1");
    let old_contract =
        with_contract_start(customer("4000", "USD", &[goal], monthly("G", "2026-Q3", "2026-Q3", "1")), "2019-05-01");
    let ttm = compute(&old_contract, q("2026-Q3")).unwrap().ttm;
    assert_eq!((ttm.quarters, ttm.first_quarter), (4, q("2025-Q4")));
    // A pilot measured before the contract: the earlier of the two starts the window.
    let pilot =
        with_contract_start(customer("4000", "USD", &[goal], monthly("G", "2026-Q1", "2026-Q3", "1")), "2026-08-01");
    let ttm = compute(&pilot, q("2026-Q3")).unwrap().ttm;
    assert_eq!((ttm.quarters, ttm.first_quarter), (3, q("2026-Q1")));
}

#[test]
fn freshness_is_the_latest_quarter_with_goal_data() {
    let goal = g("G", Direction::Up, "0", Per::Quarter, "1");
    let mut observations = monthly("G", "2026-Q2", "2026-Q3", "1");
    // Usage metrics do not make a quarter fresh; observations after the report quarter are ignored.
    observations.push(Observation {
        date: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        metric: "logins".into(),
        value: d("5"),
    });
    let c = customer("1000", "USD", &[goal], observations);
    let fresh = compute(&c, q("2026-Q3")).unwrap();
    assert_eq!((fresh.data_through, fresh.stale), (Some(q("2026-Q3")), false));
    let late = compute(&c, q("2026-Q4")).unwrap();
    assert_eq!((late.data_through, late.stale), (Some(q("2026-Q3")), true));
    let json = crate::explain::to_json(&late);
    assert!(json.contains("\"data_through\": \"2026-Q3\"") && json.contains("\"stale\": true"), "{json}");
    // 2026-Q2 to 2026-Q4: three quarters of the 1,000 a year.
    assert!(json.contains("\"investment_share\": \"750.00\""), "{json}");
}

#[test]
fn one_quarter_of_data_is_too_early_to_tell_unless_at_target_or_regressed() {
    let near = G { target: Some("100"), ..g("A", Direction::Up, "0", Per::Quarter, "1") };
    let reached = G { target: Some("50"), ..g("B", Direction::Up, "0", Per::Quarter, "1") };
    let worse = G { target: Some("100"), ..g("C", Direction::Up, "60", Per::Quarter, "1") };
    let observations = vec![obs("A", "2026-08-01", "99"), obs("B", "2026-08-01", "60"), obs("C", "2026-08-01", "50")];
    let summary = compute(&customer("1000", "USD", &[near, reached, worse], observations), q("2026-Q3")).unwrap();
    let statuses: Vec<GoalStatus> = summary.goals.iter().map(|g| g.status).collect();
    assert_eq!(statuses, [GoalStatus::TooEarly, GoalStatus::Achieved, GoalStatus::Regressed]);
    // Flat at the latest actual: one point is no trend.
    assert_eq!(summary.projection[3].expected_actual.get("A").unwrap(), &Some(d("99")));
}

#[test]
fn exact_percentages_are_kept_for_display_rounding() {
    // 347.4464…: the JSON says 347.45 (2 places); a display rounding to 1 place must say 347.4.
    let goal = g("G", Direction::Up, "0", Per::Quarter, "1");
    let summary =
        compute(&customer("1000", "USD", &[goal], monthly("G", "2025-Q4", "2026-Q3", "868.616")), q("2026-Q3"))
            .unwrap();
    assert_eq!(summary.ttm.value, d("3474.48"));
    assert_eq!(summary.ttm.roi_pct, d("347.45"));
    assert_eq!(summary.ttm.roi_exact(), d("347.448"));
    let goal = &summary.goals[0];
    assert_eq!(goal.improvement_pct, None);
    assert_eq!(goal.improvement_pct_exact(), None);
}
