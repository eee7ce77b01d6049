//! Properties of the value engine and the loader, checked on generated customers (proptest).
//!
//! - value is linear in volume and in value_per_unit (exactly before rounding to the currency);
//! - swapping a goal's direction negates its improvement and value;
//! - the projection stays within target, baseline and the pace seen; conservative ≤ expected; four
//!   improving quarters project as the rules did before decline was admitted;
//! - TTM is the sum of its quarters, and every total the sum of its goals;
//! - one customer written as every export form loads to the same customer and figures: `,` files;
//!   `;` files with decimal commas (BOM or Excel's `sep=;` line, CRLF, `.` or no-break-space
//!   thousands); UTF-16 LE/BE tab files with `yyyy/m/d` dates; metrics written wide (one column per
//!   metric, empty cells for the rest) with midnight timestamps; old-Mac CR-only line ends.

use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDate};
use proptest::prelude::*;
use rust_decimal::Decimal;
use valuereport::load::load_customer;
use valuereport::model::{
    Account, BaselineSource, Category, Currency, Customer, Direction, Goal, Locale, Observation, Opportunity, Per,
    Story, StoryKind,
};
use valuereport::quarter::Quarter;
use valuereport::value::{compute, round_money, ValueSummary, TTM_QUARTERS};

// ---- generated customers ------------------------------------------------------------------------

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn quarter(text: &str) -> Quarter {
    text.parse().unwrap()
}

fn account(currency: &str) -> Account {
    Account {
        customer_id: "prop".into(),
        customer_name: "Property Test".into(),
        renewal_date: date("2027-03-31"),
        annual_investment: Decimal::from(50_000),
        currency: Currency::from_code(currency).unwrap(),
        locale: Locale::En,
        region: None,
        contract_start: None,
        segment: None,
        industry: None,
        csm_name: None,
        csm_email: None,
        executive_sponsor: None,
    }
}

fn goal(id: &str, metric: &str, direction: Direction, baseline: Decimal, per: Per, unit: &str) -> Goal {
    Goal {
        goal_id: id.into(),
        title: format!("Goal {id}"),
        metric: metric.into(),
        category: Category::TimeSavings,
        unit: unit.into(),
        direction,
        baseline,
        target: None,
        per,
        value_per_unit: Decimal::ONE,
        volume: Decimal::ONE,
        baseline_source: None,
        owner: None,
    }
}

fn customer(currency: &str, goals: Vec<Goal>, observations: Vec<Observation>) -> Customer {
    Customer {
        dir: PathBuf::from("prop"),
        account: account(currency),
        goals,
        observations,
        stories: Vec::new(),
        opportunities: Vec::new(),
        health: Vec::new(),
        nps: Vec::new(),
        metric_labels: Default::default(),
        warnings: Vec::new(),
    }
}

/// A decimal with `mantissa` and up to `max_scale` places.
fn decimal(mantissa: i64, scale: u32) -> Decimal {
    Decimal::new(mantissa, scale)
}

fn any_decimal(range: std::ops::RangeInclusive<i64>, max_scale: u32) -> impl Strategy<Value = Decimal> {
    (range, 0..=max_scale).prop_map(|(m, s)| decimal(m, s))
}

fn any_direction() -> impl Strategy<Value = Direction> {
    prop_oneof![Just(Direction::Down), Just(Direction::Up)]
}

fn any_per() -> impl Strategy<Value = Per> {
    prop_oneof![Just(Per::Week), Just(Per::Month), Just(Per::Quarter), Just(Per::Year)]
}

fn any_category() -> impl Strategy<Value = Category> {
    proptest::sample::select(Category::ALL.to_vec())
}

/// Observations of `metric`: (days after 2024-01-01, value).
fn observations(metric: &str, points: &[(i64, Decimal)]) -> Vec<Observation> {
    points
        .iter()
        .map(|&(days, value)| Observation {
            date: date("2024-01-01") + Duration::days(days),
            metric: metric.into(),
            value,
        })
        .collect()
}

fn goal_values(summary: &ValueSummary, goal_id: &str) -> Vec<Option<Decimal>> {
    summary.quarters.iter().map(|q| q.by_goal.get(goal_id).filter(|g| !g.no_data).map(|g| g.value)).collect()
}

const REPORT: &str = "2026-Q3";

// ---- value is linear in volume and value_per_unit ------------------------------------------------

proptest! {
    /// Exact inputs (whole numbers, no ¼ or 0.01 factor): value(k·x) = k·value(x) to the cent.
    #[test]
    fn value_is_exactly_linear_in_volume_and_value_per_unit(
        direction in any_direction(),
        baseline in -1000i64..1000,
        points in prop::collection::vec((0i64..1000, -1000i64..1000), 1..12),
        per in prop_oneof![Just(Per::Week), Just(Per::Month), Just(Per::Quarter)],
        volume in 1i64..1000,
        value_per_unit in 0i64..10_000,
        k in 1i64..50,
    ) {
        // One observation per quarter keeps the actual (a mean) exact.
        let mut seen = std::collections::BTreeSet::new();
        let points: Vec<(i64, Decimal)> = points
            .into_iter()
            .filter(|(days, _)| seen.insert(Quarter::containing(date("2024-01-01") + Duration::days(*days))))
            .map(|(days, v)| (days, Decimal::from(v)))
            .collect();
        let with = |volume: i64, vpu: i64| {
            let mut g = goal("G1", "m", direction, Decimal::from(baseline), per, "hours");
            g.volume = Decimal::from(volume);
            g.value_per_unit = Decimal::from(vpu);
            compute(&customer("USD", vec![g], observations("m", &points)), quarter(REPORT)).unwrap()
        };
        let base = goal_values(&with(volume, value_per_unit), "G1");
        let times_k: Vec<Option<Decimal>> = base.iter().map(|v| v.map(|v| v * Decimal::from(k))).collect();
        prop_assert_eq!(&goal_values(&with(volume * k, value_per_unit), "G1"), &times_k);
        prop_assert_eq!(&goal_values(&with(volume, value_per_unit * k), "G1"), &times_k);
    }

    /// Any inputs: the value is the rounding of a function linear in volume and value_per_unit, so
    /// value(k·x) is within rounding of k·value(x), and additive in volume the same way.
    #[test]
    fn value_is_linear_before_rounding(
        direction in any_direction(),
        baseline in any_decimal(-100_000..=100_000, 3),
        actual in any_decimal(-100_000..=100_000, 3),
        per in any_per(),
        percent in any::<bool>(),
        volume in any_decimal(1..=100_000, 2),
        value_per_unit in any_decimal(0..=1_000_000, 2),
        k in 1i64..20,
        currency in prop_oneof![Just("USD"), Just("JPY"), Just("KWD")],
    ) {
        let currency = Currency::from_code(currency).unwrap();
        let mut g = goal("G1", "m", direction, baseline, per, if percent { "percent" } else { "hours" });
        g.volume = volume;
        g.value_per_unit = value_per_unit;
        let value = |g: &Goal| valuereport::value::quarter_value(g, actual, currency).unwrap();
        let improvement = valuereport::value::improvement(&g, actual).unwrap();
        let scale = if percent { Decimal::new(1, 2) } else { Decimal::ONE };
        let exact = improvement * volume * value_per_unit * scale * per.per_quarter();
        prop_assert_eq!(value(&g), round_money(exact, currency));

        let k = Decimal::from(k);
        let minor = Decimal::new(1, currency.decimals());
        let mut by_volume = g.clone();
        by_volume.volume = volume * k;
        let mut by_price = g.clone();
        by_price.value_per_unit = value_per_unit * k;
        for scaled in [value(&by_volume), value(&by_price)] {
            prop_assert_eq!(scaled, round_money(exact * k, currency));
            // Rounding moves each value by at most half a minor unit.
            prop_assert!((scaled - value(&g) * k).abs() <= minor * (k + Decimal::ONE) / Decimal::TWO);
        }
        let mut doubled = g.clone();
        doubled.volume = volume + volume;
        prop_assert!((value(&doubled) - value(&g) - value(&g)).abs() <= minor * Decimal::new(15, 1));
    }
}

// ---- direction -----------------------------------------------------------------------------------

proptest! {
    /// The same goal measured the other way round has the opposite improvement and value, in every
    /// quarter and in total (halves round away from zero, symmetrically).
    #[test]
    fn swapping_direction_negates_improvement_and_value(
        baseline in any_decimal(-10_000_000..=10_000_000, 4),
        points in prop::collection::vec((0i64..1100, any_decimal(-10_000_000..=10_000_000, 4)), 1..25),
        per in any_per(),
        percent in any::<bool>(),
        volume in any_decimal(1..=100_000, 3),
        value_per_unit in any_decimal(0..=1_000_000, 2),
        currency in prop_oneof![Just("USD"), Just("JPY"), Just("KWD")],
    ) {
        let summary = |direction| {
            let mut g = goal("G1", "m", direction, baseline, per, if percent { "%" } else { "hours" });
            g.volume = volume;
            g.value_per_unit = value_per_unit;
            compute(&customer(currency, vec![g], observations("m", &points)), quarter(REPORT)).unwrap()
        };
        let (down, up) = (summary(Direction::Down), summary(Direction::Up));
        prop_assert_eq!(down.quarters.len(), up.quarters.len());
        for (d, u) in down.quarters.iter().zip(&up.quarters) {
            let (d, u) = (d.by_goal.get("G1").unwrap(), u.by_goal.get("G1").unwrap());
            prop_assert_eq!(d.actual, u.actual);
            prop_assert_eq!(d.improvement.map(|i| -i), u.improvement);
            prop_assert_eq!(-d.value, u.value);
        }
        prop_assert_eq!(-down.ttm.value, up.ttm.value);
        prop_assert_eq!(down.goals[0].improvement.map(|i| -i), up.goals[0].improvement);
    }
}

// ---- projection ----------------------------------------------------------------------------------

proptest! {
    /// docs/value.md, "Projection": in every projected quarter conservative ≤ expected; the expected
    /// actual is never beyond the target (nor better than the latest actual, without a target or
    /// once it is reached); never past the baseline unless the goal is already worse than it, and
    /// then never worse than the pace seen (|latest − oldest point used|) beyond the latest actual;
    /// conservative is each goal at the worse of its latest and expected actuals.
    #[test]
    fn projection_stays_within_target_baseline_and_pace(
        direction in any_direction(),
        baseline in any_decimal(-1_000_000..=1_000_000, 2),
        gap in prop::option::of(any_decimal(1..=1_000_000, 2)),
        points in prop::collection::vec((0i64..1100, any_decimal(-2_000_000..=2_000_000, 2)), 1..30),
        per in any_per(),
        volume in any_decimal(1..=10_000, 2),
        value_per_unit in any_decimal(0..=100_000, 2),
        report in prop_oneof![Just("2024-Q2"), Just("2025-Q1"), Just("2026-Q3"), Just("2027-Q4")],
    ) {
        let target = gap.map(|gap| match direction {
            Direction::Down => baseline - gap,
            Direction::Up => baseline + gap,
        });
        let mut g = goal("G1", "m", direction, baseline, per, "hours");
        g.target = target;
        g.volume = volume;
        g.value_per_unit = value_per_unit;
        let c = customer("USD", vec![g.clone()], observations("m", &points));
        let summary = compute(&c, quarter(report)).unwrap();
        let worse = |a: Decimal, b: Decimal| match direction {
            Direction::Down => a > b,
            Direction::Up => a < b,
        };
        prop_assert_eq!(summary.projection.len(), 4);
        let history: Vec<Decimal> =
            summary.quarters.iter().filter_map(|q| q.by_goal.get("G1").and_then(|g| g.actual)).collect();
        let Some(&latest) = history.last() else {
            for p in &summary.projection {
                prop_assert_eq!(p.expected_actual.get("G1"), Some(&None));
            }
            return Ok(());
        };
        let oldest = history[history.len().saturating_sub(4)];
        let best = match target {
            Some(target) if worse(latest, target) => target,
            _ => latest,
        };
        let value = |actual: Decimal| valuereport::value::quarter_value(&g, actual, c.account.currency).unwrap();
        for p in &summary.projection {
            let expected = p.expected_actual.get("G1").copied().flatten().unwrap();
            prop_assert!(!worse(best, expected), "{} expected {} beyond {}", p.quarter, expected, best);
            if !worse(latest, baseline) {
                prop_assert!(!worse(expected, baseline), "{} expected {} past baseline {}", p.quarter, expected, baseline);
            } else {
                let pace = (latest - oldest).abs();
                let floor = match direction {
                    Direction::Down => latest + pace,
                    Direction::Up => latest - pace,
                };
                prop_assert!(!worse(expected, floor), "{} expected {} faster than the pace seen {}", p.quarter, expected, floor);
            }
            if history.len() == 1 {
                prop_assert_eq!(expected, latest, "one quarter of data: flat");
            }
            prop_assert!(p.conservative <= p.expected);
            let cautious = if worse(expected, latest) { expected } else { latest };
            prop_assert_eq!(p.conservative, value(cautious));
            prop_assert_eq!(p.expected, value(expected));
        }
    }

    /// With four quarters, each better than the one before, the projection is what the rules were
    /// before decline was admitted: conservative flat at the latest actual, expected on the
    /// least-squares line clamped between the latest actual and the target (flat without a target
    /// or once it is reached).
    #[test]
    fn four_improving_quarters_project_as_before_decline_was_admitted(
        direction in any_direction(),
        baseline in any_decimal(-1_000_000..=1_000_000, 2),
        gap in prop::option::of(any_decimal(1..=10_000_000, 2)),
        start in any_decimal(-1_000_000..=1_000_000, 2),
        steps in prop::collection::vec(any_decimal(1..=500_000, 2), 3),
        per in any_per(),
    ) {
        let target = gap.map(|gap| match direction {
            Direction::Down => baseline - gap,
            Direction::Up => baseline + gap,
        });
        let mut g = goal("G1", "m", direction, baseline, per, "hours");
        g.target = target;
        let mut actual = start;
        let mut actuals = vec![actual];
        for step in &steps {
            actual = match direction {
                Direction::Down => actual - step,
                Direction::Up => actual + step,
            };
            actuals.push(actual);
        }
        let observations: Vec<Observation> = quarter("2025-Q4")
            .through(quarter("2026-Q3"))
            .zip(&actuals)
            .map(|(q, &value)| Observation { date: q.first_day(), metric: "m".into(), value })
            .collect();
        let c = customer("USD", vec![g.clone()], observations);
        let summary = compute(&c, quarter("2026-Q3")).unwrap();
        let latest = *actuals.last().unwrap();
        let better = |a: Decimal, b: Decimal| match direction {
            Direction::Down => a < b,
            Direction::Up => a > b,
        };
        let value = |actual: Decimal| valuereport::value::quarter_value(&g, actual, c.account.currency).unwrap();
        for (step, p) in summary.projection.iter().enumerate() {
            // The old rule, computed here on its own: x = 0..3, read at x = 4 + step.
            let old = match target {
                Some(target) if better(target, latest) => {
                    let n = Decimal::from(4);
                    let xs = [0, 1, 2, 3].map(Decimal::from);
                    let sum_x: Decimal = xs.iter().sum();
                    let sum_xx: Decimal = xs.iter().map(|x| x * x).sum();
                    let sum_y: Decimal = actuals.iter().sum();
                    let sum_xy: Decimal = xs.iter().zip(&actuals).map(|(x, y)| x * y).sum();
                    let den = n * sum_xx - sum_x * sum_x;
                    let x = Decimal::from(4 + step as i64);
                    let line = (sum_y * den + (n * sum_xy - sum_x * sum_y) * (n * x - sum_x)) / (n * den);
                    let mut line = line.round_dp_with_strategy(6, rust_decimal::RoundingStrategy::MidpointAwayFromZero).normalize();
                    if better(latest, line) {
                        line = latest;
                    }
                    if better(line, target) {
                        line = target;
                    }
                    line
                }
                _ => latest,
            };
            prop_assert_eq!(p.expected_actual.get("G1").copied().flatten(), Some(old));
            prop_assert_eq!(p.conservative, value(latest));
            prop_assert_eq!(p.expected, value(old));
        }
    }
}

// ---- TTM and totals ------------------------------------------------------------------------------

fn any_goals() -> impl Strategy<Value = Vec<Goal>> {
    prop::collection::vec(
        (
            any_direction(),
            any_decimal(-100_000..=100_000, 2),
            any_per(),
            any_category(),
            any::<bool>(),
            any_decimal(1..=1000, 1),
            any_decimal(0..=10_000, 2),
            0usize..3,
        ),
        1..5,
    )
    .prop_map(|specs| {
        specs
            .into_iter()
            .enumerate()
            .map(|(i, (direction, baseline, per, category, percent, volume, vpu, metric))| {
                let mut g = goal(
                    &format!("G{}", i + 1),
                    &format!("m{metric}"),
                    direction,
                    baseline,
                    per,
                    if percent { "percent" } else { "hours" },
                );
                g.category = category;
                g.volume = volume;
                g.value_per_unit = vpu;
                g
            })
            .collect()
    })
}

proptest! {
    /// TTM is the sum of the totals of the listed quarters in its window (up to four quarters,
    /// from the first observation), its ROI base the share of the investment for those quarters; every quarter total is the
    /// sum of its goals' values and of its categories; a goal's TTM value is the sum of its values
    /// in those quarters.
    #[test]
    fn ttm_is_the_sum_of_its_quarters_and_totals_of_their_parts(
        goals in any_goals(),
        points in prop::collection::vec((0usize..3, 0i64..1200, any_decimal(-100_000..=100_000, 3)), 1..40),
        report in prop_oneof![Just("2024-Q1"), Just("2024-Q4"), Just("2025-Q3"), Just("2026-Q3"), Just("2028-Q1")],
        currency in prop_oneof![Just("USD"), Just("JPY"), Just("KWD")],
    ) {
        let observations: Vec<Observation> = points
            .iter()
            .map(|&(metric, days, value)| Observation {
                date: date("2024-01-01") + Duration::days(days),
                metric: format!("m{metric}"),
                value,
            })
            .collect();
        let c = customer(currency, goals.clone(), observations);
        let summary = compute(&c, quarter(report)).unwrap();
        // No contract_start: the window starts at the first listed quarter, at most four back.
        let report = quarter(report);
        let oldest = Quarter::from_ordinal(report.ordinal() - (TTM_QUARTERS as i64 - 1));
        let first = summary.quarters.first().map_or(report, |q| q.quarter).max(oldest);
        prop_assert_eq!(summary.ttm.first_quarter, first);
        prop_assert_eq!(i64::from(summary.ttm.quarters), report.ordinal() - first.ordinal() + 1);
        prop_assert!((1..=4).contains(&summary.ttm.quarters));
        let share = round_money(c.account.annual_investment * Decimal::from(summary.ttm.quarters) / Decimal::from(4), c.account.currency);
        prop_assert_eq!(summary.ttm.investment_share, share);
        let window: Vec<_> = summary.quarters.iter().filter(|q| q.quarter >= first).collect();
        prop_assert_eq!(summary.ttm.value, window.iter().map(|q| q.total).sum::<Decimal>());
        if let Some(last) = summary.quarters.last() {
            prop_assert_eq!(last.quarter, report);
        }
        for q in &summary.quarters {
            prop_assert_eq!(q.total, q.by_goal.0.iter().map(|(_, g)| g.value).sum::<Decimal>());
            prop_assert_eq!(q.total, q.by_category.values().copied().sum::<Decimal>());
        }
        for (g, s) in goals.iter().zip(&summary.goals) {
            let in_window: Decimal = window.iter().map(|q| q.by_goal.get(&g.goal_id).unwrap().value).sum();
            prop_assert_eq!(s.ttm_value, in_window);
        }
        let goal_ttm: Decimal = summary.goals.iter().map(|g| g.ttm_value).sum();
        prop_assert_eq!(goal_ttm, summary.ttm.value);
    }
}

// ---- `;` with decimal commas loads like `,` ------------------------------------------------------

/// A number's text in one format: optional thousands grouping, sign, currency symbol.
#[derive(Debug, Clone)]
struct NumberStyle {
    group: bool,
    symbol: Option<&'static str>,
    symbol_after: bool,
}

fn any_style() -> impl Strategy<Value = NumberStyle> {
    (any::<bool>(), prop::option::of(prop::sample::select(vec!["$", "€", "£", "¥"])), any::<bool>())
        .prop_map(|(group, symbol, symbol_after)| NumberStyle { group, symbol, symbol_after })
}

fn format_number(value: Decimal, comma_file: bool, style: &NumberStyle) -> String {
    let (mark, separator) = if comma_file { (',', '.') } else { ('.', ',') };
    let text = value.abs().to_string();
    let (integer, fraction) = text.split_once('.').map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
    let mut grouped = String::new();
    for (i, digit) in integer.chars().enumerate() {
        if style.group && i > 0 && (integer.len() - i) % 3 == 0 {
            grouped.push(separator);
        }
        grouped.push(digit);
    }
    if let Some(fraction) = fraction {
        grouped.push(mark);
        grouped.push_str(fraction);
    }
    let sign = if value.is_sign_negative() && !value.is_zero() { "-" } else { "" };
    match (style.symbol, style.symbol_after) {
        (Some(symbol), true) => format!("{sign}{grouped} {symbol}"),
        (Some(symbol), false) => format!("{sign}{symbol}{grouped}"),
        (None, _) => format!("{sign}{grouped}"),
    }
}

/// Free text that survives trimming and needs quoting in both dialects.
fn any_text() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9 ,;\"'€é\n]{0,12}[a-z]"
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    (0i64..1100).prop_map(|days| date("2024-01-01") + Duration::days(days))
}

#[derive(Debug, Clone)]
struct Export {
    header_upper: bool,
    customer: Customer,
    styles: Vec<NumberStyle>,
}

fn any_export() -> impl Strategy<Value = Export> {
    let account = (
        "[a-z][a-z0-9-]{0,10}",
        any_text(),
        any_date(),
        any_decimal(1..=100_000_000_000, 2),
        prop::sample::select(vec!["USD", "EUR", "JPY", "KWD"]),
        prop::option::of(any_text()),
    );
    let goals = prop::collection::vec(
        (
            any_text(),
            any_category(),
            any_direction(),
            any_decimal(-1_000_000_000..=1_000_000_000, 4),
            prop::option::of(any_decimal(1..=1_000_000, 2)),
            any_per(),
            any_decimal(0..=100_000_000, 2),
            any_decimal(1..=1_000_000, 3),
            prop::option::of(proptest::sample::select(BaselineSource::ALL.to_vec())),
        ),
        1..4,
    );
    let metrics =
        prop::collection::vec((0usize..4, any_date(), any_decimal(-1_000_000_000_000..=1_000_000_000_000, 6)), 4..30);
    let stories = prop::collection::vec(
        (
            any_date(),
            proptest::sample::select(StoryKind::ALL.to_vec()),
            any_text(),
            prop::option::of(any_text()),
            prop::option::of(any_decimal(-1_000_000..=1_000_000, 2)),
        ),
        0..3,
    );
    let opportunities = prop::collection::vec(
        (
            any_text(),
            any_decimal(0..=1_000_000_000, 2),
            (0i64..=100).prop_map(|c| Decimal::new(c, 2)),
            prop::option::of(any_category()),
        ),
        0..3,
    );
    (account, goals, metrics, stories, opportunities, prop::collection::vec(any_style(), 8), any::<bool>()).prop_map(
        |(
            (id, name, renewal, investment, currency, sponsor),
            goals,
            metrics,
            stories,
            opportunities,
            styles,
            header_upper,
        )| {
            let goals: Vec<Goal> = goals
                .into_iter()
                .enumerate()
                .map(|(i, (title, category, direction, baseline, gap, per, vpu, volume, source))| Goal {
                    goal_id: format!("G{}", i + 1),
                    title,
                    metric: format!("metric_{i}"),
                    category,
                    unit: if i % 2 == 0 { "percent".into() } else { "hours".into() },
                    direction,
                    baseline,
                    target: gap.map(|gap| if direction == Direction::Down { baseline - gap } else { baseline + gap }),
                    per,
                    value_per_unit: vpu,
                    volume,
                    baseline_source: source,
                    owner: None,
                })
                .collect();
            // Every goal's metric has a row; other rows go to any metric (some to no goal's).
            let mut observations: Vec<Observation> = goals
                .iter()
                .map(|g| Observation { date: date("2026-08-15"), metric: g.metric.clone(), value: g.baseline })
                .collect();
            observations.extend(metrics.into_iter().map(|(m, d, v)| Observation {
                date: d,
                metric: format!("metric_{m}"),
                value: v,
            }));
            // An exact repeat (same date, metric and value) is refused by the loader: none here.
            let mut seen = std::collections::HashSet::new();
            observations.retain(|o| seen.insert((o.date, o.metric.clone(), o.value.normalize())));
            let customer = Customer {
                dir: PathBuf::new(),
                account: Account {
                    customer_id: id,
                    customer_name: name,
                    renewal_date: renewal,
                    annual_investment: investment,
                    currency: Currency::from_code(currency).unwrap(),
                    locale: Locale::En,
                    region: None,
                    contract_start: None,
                    segment: None,
                    industry: None,
                    csm_name: None,
                    csm_email: None,
                    executive_sponsor: sponsor,
                },
                goals,
                observations,
                stories: stories
                    .into_iter()
                    .map(|(date, kind, title, detail, amount)| Story {
                        date,
                        kind,
                        title,
                        detail,
                        person: None,
                        role: None,
                        amount,
                    })
                    .collect(),
                opportunities: opportunities
                    .into_iter()
                    .enumerate()
                    .map(|(i, (title, annual_value, confidence, category))| Opportunity {
                        opportunity_id: format!("O{}", i + 1),
                        title,
                        description: None,
                        category,
                        annual_value,
                        confidence,
                        assumption: None,
                        start_date: None,
                    })
                    .collect(),
                health: Vec::new(),
                nps: Vec::new(),
                metric_labels: Default::default(),
                warnings: Vec::new(),
            };
            Export { header_upper, customer, styles }
        },
    )
}

/// How an export is written: the forms the tools produce (docs/input-format.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// `,`, decimal point, LF, no BOM.
    Comma,
    /// `;`, decimal comma, CRLF; BOM or Excel's `sep=;` line; thousands with `.` or a no-break space.
    Semicolon { sep_line: bool, no_break_space: bool },
    /// Excel "Unicode Text": UTF-16 with its BOM, tabs, CRLF; Japanese Excel's `yyyy/m/d` dates.
    Utf16 { big_endian: bool },
    /// `,` files, metrics wide (date and one column per metric), dates as midnight timestamps.
    Wide,
    /// `,` files with old-Mac CR-only line ends.
    CrOnly,
}

const FORMS: [Form; 8] = [
    Form::Comma,
    Form::Semicolon { sep_line: false, no_break_space: false },
    Form::Semicolon { sep_line: true, no_break_space: true },
    Form::Semicolon { sep_line: true, no_break_space: false },
    Form::Utf16 { big_endian: false },
    Form::Utf16 { big_endian: true },
    Form::Wide,
    Form::CrOnly,
];

/// Writes `export` into `dir` in `form`.
fn write_export(export: &Export, dir: &Path, form: Form) {
    std::fs::create_dir_all(dir).unwrap();
    let c = &export.customer;
    let semicolon = matches!(form, Form::Semicolon { .. });
    let style = |i: usize| &export.styles[i % export.styles.len()];
    let no_break_space = matches!(form, Form::Semicolon { no_break_space: true, .. });
    let regroup = |text: String| if no_break_space { text.replace('.', "\u{A0}") } else { text };
    let number = |value: Decimal, i: usize| regroup(format_number(value, semicolon, style(i)));
    // Confidence is a plain fraction; a currency symbol on it would be odd but is allowed.
    let plain = |value: Decimal| {
        format_number(value, semicolon, &NumberStyle { group: false, symbol: None, symbol_after: false })
    };
    let day = |date: NaiveDate| match form {
        Form::Utf16 { .. } => date.format("%Y/%-m/%-d").to_string(),
        _ => date.to_string(),
    };
    let write = |name: &str, header: &[&str], rows: Vec<Vec<String>>| {
        let mut text = Vec::new();
        let delimiter = match form {
            Form::Semicolon { .. } => b';',
            Form::Utf16 { .. } => b'\t',
            _ => b',',
        };
        let terminator = match form {
            Form::Comma | Form::Wide => csv::Terminator::Any(b'\n'),
            Form::CrOnly => csv::Terminator::Any(b'\r'),
            _ => csv::Terminator::CRLF,
        };
        let mut writer = csv::WriterBuilder::new().delimiter(delimiter).terminator(terminator).from_writer(&mut text);
        // Metric columns of a wide file are metric names: written as they are.
        let header: Vec<String> = header
            .iter()
            .map(|h| {
                if export.header_upper && !h.starts_with("metric_") {
                    format!(" {} ", h.to_uppercase())
                } else {
                    h.to_string()
                }
            })
            .collect();
        writer.write_record(&header).unwrap();
        for row in rows {
            writer.write_record(&row).unwrap();
        }
        writer.flush().unwrap();
        drop(writer);
        let bytes = match form {
            Form::Semicolon { sep_line: true, .. } => [b"sep=;\r\n".to_vec(), text].concat(),
            Form::Semicolon { sep_line: false, .. } => [b"\xEF\xBB\xBF".to_vec(), text].concat(),
            Form::Utf16 { big_endian } => {
                let mut bytes = if big_endian { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
                for unit in String::from_utf8(text).unwrap().encode_utf16() {
                    bytes.extend(if big_endian { unit.to_be_bytes() } else { unit.to_le_bytes() });
                }
                bytes
            }
            _ => text,
        };
        std::fs::write(dir.join(name), bytes).unwrap();
    };
    let a = &c.account;
    write(
        "account.csv",
        &["customer_id", "customer_name", "renewal_date", "annual_investment", "currency", "executive_sponsor"],
        vec![vec![
            a.customer_id.clone(),
            a.customer_name.clone(),
            day(a.renewal_date),
            number(a.annual_investment, 0),
            a.currency.code().to_string(),
            a.executive_sponsor.clone().unwrap_or_default(),
        ]],
    );
    write(
        "goals.csv",
        &[
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
        ],
        c.goals
            .iter()
            .enumerate()
            .map(|(i, g)| {
                vec![
                    g.goal_id.clone(),
                    g.title.clone(),
                    g.metric.clone(),
                    g.category.to_string(),
                    g.unit.clone(),
                    g.direction.to_string(),
                    number(g.baseline, i + 1),
                    g.target.map(|t| number(t, i + 2)).unwrap_or_default(),
                    g.per.to_string(),
                    number(g.value_per_unit, i + 3),
                    number(g.volume, i + 4),
                    g.baseline_source.map(|s| s.to_string()).unwrap_or_default(),
                ]
            })
            .collect(),
    );
    if form == Form::Wide {
        // Rows by date; an observation goes to the first row of its date with its cell free.
        let metrics: Vec<&str> = {
            let mut names: Vec<&str> = c.observations.iter().map(|o| o.metric.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            names
        };
        let mut rows: Vec<(NaiveDate, Vec<String>)> = Vec::new();
        for (i, o) in c.observations.iter().enumerate() {
            let column = metrics.iter().position(|m| *m == o.metric).unwrap();
            let free = rows.iter().position(|(date, cells)| *date == o.date && cells[column].is_empty());
            let row = free.unwrap_or_else(|| {
                rows.push((o.date, vec![String::new(); metrics.len()]));
                rows.len() - 1
            });
            rows[row].1[column] = number(o.value, i);
        }
        let header: Vec<&str> = std::iter::once("date").chain(metrics.iter().copied()).collect();
        let rows = rows
            .into_iter()
            .enumerate()
            .map(|(i, (date, cells))| {
                let date = if i % 2 == 0 { format!("{date} 00:00:00") } else { format!("{date}T00:00:00Z") };
                std::iter::once(date).chain(cells).collect()
            })
            .collect();
        write("metrics.csv", &header, rows);
    } else {
        write(
            "metrics.csv",
            &["date", "metric", "value"],
            c.observations.iter().enumerate().map(|(i, o)| vec![day(o.date), o.metric.clone(), number(o.value, i)]).collect(),
        );
    }
    write(
        "stories.csv",
        &["date", "type", "title", "detail", "amount"],
        c.stories
            .iter()
            .enumerate()
            .map(|(i, s)| {
                vec![
                    day(s.date),
                    s.kind.to_string(),
                    s.title.clone(),
                    s.detail.clone().unwrap_or_default(),
                    s.amount.map(|a| number(a, i)).unwrap_or_default(),
                ]
            })
            .collect(),
    );
    write(
        "opportunities.csv",
        &["opportunity_id", "title", "annual_value", "confidence", "category"],
        c.opportunities
            .iter()
            .enumerate()
            .map(|(i, o)| {
                vec![
                    o.opportunity_id.clone(),
                    o.title.clone(),
                    number(o.annual_value, i),
                    plain(o.confidence),
                    o.category.map(|c| c.to_string()).unwrap_or_default(),
                ]
            })
            .collect(),
    );
}

proptest! {
    /// Every form of one export loads to the same customer (every value, exact decimals) and so
    /// computes to the same figures; and that customer is the one that was written.
    #[test]
    fn every_export_form_loads_to_the_same_customer_and_figures(export in any_export()) {
        let dir = tempfile::tempdir().unwrap();
        let load = |path: &Path| {
            let mut customer = load_customer(path).map_err(|errors| {
                errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
            })?;
            customer.dir = PathBuf::new();
            // A wide file lists observations by row, then column.
            customer.observations.sort_by(|a, b| (a.date, &a.metric, a.value).cmp(&(b.date, &b.metric, b.value)));
            Ok::<Customer, String>(customer)
        };
        let mut expected = export.customer.clone();
        expected.observations.sort_by(|a, b| (a.date, &a.metric, a.value).cmp(&(b.date, &b.metric, b.value)));
        let figures = compute(&expected, quarter(REPORT));
        for (i, form) in FORMS.into_iter().enumerate() {
            let path = dir.path().join(i.to_string());
            write_export(&export, &path, form);
            let loaded = load(&path);
            prop_assert!(loaded.is_ok(), "{form:?}: {}", loaded.unwrap_err());
            let loaded = loaded.unwrap();
            prop_assert_eq!(&loaded, &expected, "{:?}", form);
            prop_assert_eq!(compute(&loaded, quarter(REPORT)), figures.clone(), "{:?}", form);
        }
    }
}
