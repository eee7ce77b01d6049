//! The four quarters after the report quarter: expected (each goal on its trend, bounded) and
//! conservative (each goal at the worse of its latest actual and its expected actual).
//!
//! A goal's trend is the least-squares line through its last (up to) four quarters with data. It is
//! bounded on the good side by the target (by the latest actual when there is no target, the
//! target is already reached, or the line worsens: a worsening goal is never projected to improve).
//! On the bad side, a line that does not worsen (its slope is flat or
//! in the goal's good direction) is never read below the latest actual, as before; a worsening line
//! may take a goal at or better than its baseline back to the baseline, not past it (gains can fade
//! to nothing), and a goal already worse than its baseline no more than |latest − oldest point
//! used| beyond its latest actual (the pace seen, no faster).

use rust_decimal::Decimal;

use super::{
    better, quarter_value, round_actual, zero, GoalMap, ProjectedQuarter, QuarterValue, ValueError, PROJECTED_QUARTERS,
};
use crate::model::{Customer, Direction, Goal};
use crate::quarter::Quarter;

/// Quarters with data a trend line is fitted through.
const TREND_POINTS: usize = 4;

pub(super) fn project(
    customer: &Customer,
    quarters: &[QuarterValue],
    report_quarter: Quarter,
) -> Result<Vec<ProjectedQuarter>, ValueError> {
    let currency = customer.account.currency;
    let histories: Vec<Vec<(Quarter, Decimal)>> = customer
        .goals
        .iter()
        .map(|goal| {
            let mut points: Vec<(Quarter, Decimal)> = quarters
                .iter()
                .rev()
                .filter_map(|q| Some((q.quarter, q.by_goal.get(&goal.goal_id)?.actual?)))
                .take(TREND_POINTS)
                .collect();
            points.reverse();
            points
        })
        .collect();

    let mut projection = Vec::with_capacity(PROJECTED_QUARTERS as usize);
    for step in 1..=PROJECTED_QUARTERS {
        let quarter = Quarter::from_ordinal(report_quarter.ordinal() + step);
        let mut conservative = zero(currency);
        let mut expected = zero(currency);
        let mut expected_actual = Vec::with_capacity(customer.goals.len());
        for (goal, history) in customer.goals.iter().zip(&histories) {
            let overflow = || ValueError::Overflow { goal_id: goal.goal_id.clone(), quarter };
            let projected = history.last().map(|&(_, latest)| (latest, expected_actual_at(goal, history, quarter)));
            if let Some((latest, trend)) = projected {
                let worse = if better(goal.direction, latest, trend) { trend } else { latest };
                let cautious = quarter_value(goal, worse, currency).ok_or_else(overflow)?;
                let on_trend = quarter_value(goal, trend, currency).ok_or_else(overflow)?;
                conservative = conservative.checked_add(cautious).ok_or(ValueError::TotalOverflow)?;
                expected = expected.checked_add(on_trend).ok_or(ValueError::TotalOverflow)?;
            }
            expected_actual.push((goal.goal_id.clone(), projected.map(|(_, trend)| trend)));
        }
        projection.push(ProjectedQuarter {
            quarter,
            conservative,
            expected,
            expected_actual: GoalMap(expected_actual),
        });
    }
    Ok(projection)
}

/// The goal's expected actual in `quarter`: its least-squares line, rounded to 6 places, within the
/// bounds of [`bounds`]. Flat at the latest actual with one quarter of data.
fn expected_actual_at(goal: &Goal, history: &[(Quarter, Decimal)], quarter: Quarter) -> Decimal {
    let latest = history.last().expect("a goal with data").1;
    if history.len() < 2 {
        return latest;
    }
    let Some(fitted) = least_squares_at(history, quarter) else { return latest };
    let (best, worst) = bounds(goal, history);
    let mut projected = round_actual(fitted);
    if better(goal.direction, projected, best) {
        projected = best;
    }
    if better(goal.direction, worst, projected) {
        projected = worst;
    }
    projected
}

/// The best and the worst a goal's trend may reach: (good-side bound, bad-side bound).
fn bounds(goal: &Goal, history: &[(Quarter, Decimal)]) -> (Decimal, Decimal) {
    let latest = history.last().expect("a goal with data").1;
    let oldest = history.first().expect("a goal with data").1;
    let worsening = worsens(goal.direction, history);
    let best = match goal.target {
        // A worsening line can read better than the latest point next quarter (pulled by older
        // points); a worsening goal is never projected to improve.
        _ if worsening => latest,
        Some(target) if better(goal.direction, target, latest) => target,
        _ => latest,
    };
    let worst = if !worsening {
        // An improving (or flat) line can dip below the latest point it was fitted through; an
        // improving goal is never projected worse than where it is.
        latest
    } else if better(goal.direction, goal.baseline, latest) {
        // Already worse than its baseline: no faster than the pace seen over the points used.
        let pace = latest.checked_sub(oldest).map(|d| d.abs());
        let further = pace.and_then(|pace| match goal.direction {
            Direction::Down => latest.checked_add(pace),
            Direction::Up => latest.checked_sub(pace),
        });
        further.unwrap_or(latest)
    } else {
        goal.baseline
    };
    (best, worst)
}

/// The least-squares line through `points` slopes in the goal's bad direction.
fn worsens(direction: Direction, points: &[(Quarter, Decimal)]) -> bool {
    // The slope's sign is the sign of n·Σxy − Σx·Σy (its denominator is positive).
    let Some(origin) = points.first().map(|p| p.0.ordinal()) else { return false };
    let n = Decimal::from(points.len() as u64);
    let (mut sum_x, mut sum_y, mut sum_xy) = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    for (q, y) in points {
        let x = Decimal::from(q.ordinal() - origin);
        sum_x += x;
        let (Some(sy), Some(sxy)) = (sum_y.checked_add(*y), x.checked_mul(*y).and_then(|xy| sum_xy.checked_add(xy)))
        else {
            return false;
        };
        (sum_y, sum_xy) = (sy, sxy);
    }
    let slope = n.checked_mul(sum_xy).zip(sum_x.checked_mul(sum_y)).and_then(|(a, b)| a.checked_sub(b));
    match (slope, direction) {
        (Some(slope), Direction::Down) => slope > Decimal::ZERO,
        (Some(slope), Direction::Up) => slope < Decimal::ZERO,
        (None, _) => false,
    }
}

/// Value of the least-squares line through `points` (x = quarter ordinal) at `quarter`, computed
/// with a single division so that exact lines stay exact. `None` if it leaves Decimal's range.
fn least_squares_at(points: &[(Quarter, Decimal)], quarter: Quarter) -> Option<Decimal> {
    let origin = points.first()?.0.ordinal();
    let n = Decimal::from(points.len() as u64);
    let (mut sum_x, mut sum_xx, mut sum_y, mut sum_xy) = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    for (q, y) in points {
        let x = Decimal::from(q.ordinal() - origin);
        sum_x += x;
        sum_xx += x * x;
        sum_y = sum_y.checked_add(*y)?;
        sum_xy = sum_xy.checked_add(x.checked_mul(*y)?)?;
    }
    // slope = num / den; y(x) = (Σy·den + num·(n·x − Σx)) / (n·den)
    let den = n * sum_xx - sum_x * sum_x;
    if den.is_zero() {
        return sum_y.checked_div(n);
    }
    let num = n.checked_mul(sum_xy)?.checked_sub(sum_x.checked_mul(sum_y)?)?;
    let x = Decimal::from(quarter.ordinal() - origin);
    let numerator = sum_y.checked_mul(den)?.checked_add(num.checked_mul(n * x - sum_x)?)?;
    numerator.checked_div(n * den)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> Quarter {
        text.parse().unwrap()
    }

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn least_squares_through_a_straight_line_extends_it() {
        let points = [(q("2026-Q1"), d("40")), (q("2026-Q2"), d("35")), (q("2026-Q3"), d("30"))];
        assert_eq!(least_squares_at(&points, q("2026-Q4")), Some(d("25")));
        assert_eq!(least_squares_at(&points, q("2027-Q2")), Some(d("15")));
    }

    #[test]
    fn least_squares_respects_gaps_between_quarters() {
        // Q2 had no data: x = 0, 2, 3.
        let points = [(q("2026-Q1"), d("10")), (q("2026-Q3"), d("14")), (q("2026-Q4"), d("16"))];
        assert_eq!(least_squares_at(&points, q("2027-Q1")), Some(d("18")));
    }

    #[test]
    fn an_accelerating_improvement_is_never_projected_below_its_latest_point() {
        // 10, 0, 0, 12 on an `up` goal: the line slopes up (0.6 a quarter) but, pulled down by the
        // two zeros, reads 7 next quarter, below the latest 12. An improving goal is held at 12.
        let goal = Goal {
            goal_id: "G".into(),
            title: "G".into(),
            metric: "m".into(),
            category: crate::model::Category::Revenue,
            unit: "units".into(),
            direction: Direction::Up,
            baseline: d("0"),
            target: Some(d("1000")),
            per: crate::model::Per::Quarter,
            value_per_unit: d("1"),
            volume: d("1"),
            baseline_source: None,
            owner: None,
        };
        let points = [(q("2025-Q4"), d("10")), (q("2026-Q1"), d("0")), (q("2026-Q2"), d("0")), (q("2026-Q3"), d("12"))];
        assert!(!worsens(Direction::Up, &points));
        assert_eq!(least_squares_at(&points, q("2026-Q4")), Some(d("7")));
        for quarter in ["2026-Q4", "2027-Q3"] {
            assert_eq!(expected_actual_at(&goal, &points, q(quarter)), d("12"));
        }
        // The same points on a `down` goal worsen: the line's 7 next quarter would be an improvement,
        // so the goal is held at 12; later quarters may fade towards the baseline of 20, not past it.
        let down = Goal { direction: Direction::Down, baseline: d("20"), target: Some(d("0")), ..goal };
        assert!(worsens(Direction::Down, &points));
        assert_eq!(expected_actual_at(&down, &points, q("2026-Q4")), d("12"));
        assert_eq!(least_squares_at(&points, q("2029-Q4")), Some(d("14.2")));
        assert_eq!(expected_actual_at(&down, &points, q("2029-Q4")), d("14.2"));
        assert_eq!(expected_actual_at(&down, &points, q("2035-Q4")), d("20"));
    }

    #[test]
    fn least_squares_of_noisy_points() {
        // x = 0..3, y = 1, 3, 2, 4: slope 0.8, intercept 1.3; at x = 4: 4.5.
        let points = [(q("2025-Q1"), d("1")), (q("2025-Q2"), d("3")), (q("2025-Q3"), d("2")), (q("2025-Q4"), d("4"))];
        assert_eq!(least_squares_at(&points, q("2026-Q1")).map(|v| v.normalize()), Some(d("4.5")));
    }
}
