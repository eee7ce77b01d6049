//! Alternative text for charts (the /Alt of their Figure in a tagged PDF): what the chart shows,
//! over which period, the first and latest values against the baseline and target, in the report's
//! language (catalog keys under `[alt]`).

use rust_decimal::Decimal;
use tera::Context;

use super::catalog::CatalogError;
use super::parts::{ctx, Writer};
use crate::value::{ProjectedQuarter, QuarterValue};

/// "Line chart, {title}: {measure} fell from 40 to 10.7 between Q4 2024 and Q3 2026; baseline 40;
/// target 15". `points` are the quarters with data, oldest first.
pub(super) fn line_chart(
    w: &Writer,
    title: &str,
    measure: &str,
    points: &[(crate::quarter::Quarter, Decimal)],
    baseline: Decimal,
    target: Option<Decimal>,
) -> Result<String, CatalogError> {
    let target = match target {
        Some(target) => w.t("alt.target", &ctx!(target = w.n.measure(target)))?,
        None => String::new(),
    };
    let baseline = w.n.measure(baseline);
    let (Some((start, first)), Some((end, last))) = (points.first(), points.last()) else {
        return w.t("alt.line_no_data", &ctx!(title = title, measure = measure, baseline = baseline, target = target));
    };
    w.t(
        "alt.line",
        &ctx!(
            title = title,
            measure = measure,
            movement = movement(w, *first, *last)?,
            first = w.n.measure(*first),
            last = w.n.measure(*last),
            start = w.q(*start),
            end = w.q(*end),
            baseline = baseline,
            target = target,
        ),
    )
}

/// "Bar chart, {title}: realized value rose from $12,000 in Q1 2026 to $48,000 in Q3 2026; the next
/// four quarters are projected at $150,000 (conservative) to $210,000 (expected)".
pub(super) fn value_chart(
    w: &Writer,
    title: &str,
    quarters: &[QuarterValue],
    projection: &[ProjectedQuarter],
) -> Result<String, CatalogError> {
    let projected = match (projection.first(), projection.last()) {
        (Some(from), Some(to)) => w.t(
            "alt.projected",
            &ctx!(
                start = w.q(from.quarter),
                end = w.q(to.quarter),
                conservative = w.n.money_whole(projection.iter().map(|p| p.conservative).sum::<Decimal>()),
                expected = w.n.money_whole(projection.iter().map(|p| p.expected).sum::<Decimal>()),
            ),
        )?,
        _ => String::new(),
    };
    let (Some(first), Some(last)) = (quarters.first(), quarters.last()) else {
        return w.t("alt.bar_no_data", &ctx!(title = title, projected = projected));
    };
    w.t(
        "alt.bar",
        &ctx!(
            title = title,
            movement = movement(w, first.total, last.total)?,
            first = w.n.money_whole(first.total),
            last = w.n.money_whole(last.total),
            start = w.q(first.quarter),
            end = w.q(last.quarter),
            total = w.n.money_whole(quarters.iter().map(|q| q.total).sum::<Decimal>()),
            projected = projected,
        ),
    )
}

fn movement(w: &Writer, first: Decimal, last: Decimal) -> Result<String, CatalogError> {
    w.plain(match last.cmp(&first) {
        std::cmp::Ordering::Less => "alt.fell",
        std::cmp::Ordering::Greater => "alt.rose",
        std::cmp::Ordering::Equal => "alt.held",
    })
}
