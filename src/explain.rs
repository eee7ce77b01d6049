//! Explain: the engine's computation for one customer, for people (aligned text) and programs (JSON).

use std::fmt::Write as _;

use rust_decimal::Decimal;

use crate::model::{Category, Customer};
use crate::value::{GoalStatus, ValueSummary};

/// Pretty JSON of the whole computation (decimals as strings, so nothing is lost to floats).
pub fn to_json(summary: &ValueSummary) -> String {
    serde_json::to_string_pretty(summary).expect("a value summary always serializes")
}

/// A plain-text account of the computation, with the same figures as the JSON.
pub fn to_table(customer: &Customer, summary: &ValueSummary) -> String {
    let currency = summary.currency;
    let money = |amount: Decimal| format_amount(amount, currency.decimals());
    let mut out = String::new();
    let account = &customer.account;
    let _ = writeln!(
        out,
        "{} — {} — report quarter {} — amounts in {}",
        account.customer_id, account.customer_name, summary.report_quarter, currency
    );
    let _ = writeln!(out, "{}\n", freshness_line(summary));

    // Realized value per quarter, by category.
    let categories: Vec<Category> =
        Category::ALL.iter().copied().filter(|c| customer.goals.iter().any(|g| g.category == *c)).collect();
    let mut header = vec!["quarter".to_string(), "total".to_string()];
    header.extend(categories.iter().map(|c| c.to_string()));
    let rows = summary
        .quarters
        .iter()
        .map(|q| {
            let mut row = vec![q.quarter.to_string(), money(q.total)];
            row.extend(categories.iter().map(|c| money(q.by_category.get(c).copied().unwrap_or_default())));
            row
        })
        .collect();
    out.push_str("Realized value per quarter\n");
    out.push_str(&align(&header, rows, 1));

    let ttm = &summary.ttm;
    let _ = writeln!(
        out,
        "\nTrailing twelve months ({} quarter{}, {})",
        ttm.quarters,
        if ttm.quarters == 1 { "" } else { "s" },
        if ttm.quarters == 1 {
            summary.report_quarter.to_string()
        } else {
            format!("{} to {}", ttm.first_quarter, summary.report_quarter)
        }
    );
    if let Some(first_listed) = summary.quarters.first().map(|q| q.quarter).filter(|&q| q > ttm.first_quarter) {
        let before = first_listed.prev();
        let _ = writeln!(
            out,
            "  {} in the window (contract_start {}) but without data: counted as 0",
            if before == ttm.first_quarter {
                format!("{before} is")
            } else {
                format!("{} to {before} are", ttm.first_quarter)
            },
            account.contract_start.map(|d| d.to_string()).unwrap_or_default()
        );
    }
    let payback = ttm
        .payback_months
        .map_or("none: value is not positive".to_string(), |m| format!("{} months", format_amount(m, 2)));
    let share_formula = format!("annual_investment × {} ÷ 4", ttm.quarters);
    let payback_formula = format!("annual_investment ÷ (value ÷ {})", ttm.months());
    let lines = [
        ("value", format!("{} {currency}", money(ttm.value)), "sum of the quarters' totals"),
        ("investment", format!("{} {currency}", money(ttm.investment)), "annual_investment"),
        ("share", format!("{} {currency}", money(ttm.investment_share)), share_formula.as_str()),
        ("ROI", format!("{}%", format_amount(ttm.roi_pct, 2)), "value ÷ share × 100"),
        ("net ROI", format!("{}%", format_amount(ttm.net_roi_pct, 2)), "(value − share) ÷ share × 100"),
        ("payback", payback, payback_formula.as_str()),
    ];
    for (label, figure, formula) in lines {
        let _ = writeln!(out, "  {label:<11} {figure:>22}   {formula}");
    }

    out.push_str("\nGoals (value per quarter = improvement × volume × value_per_unit × scale × periods per quarter)\n");
    let header: Vec<String> = [
        "goal",
        "category",
        "dir",
        "per",
        "baseline",
        "target",
        "latest",
        "improvement %",
        "progress %",
        "quarter value",
        "TTM value",
        "status",
    ]
    .map(String::from)
    .to_vec();
    let optional = |v: Option<Decimal>| v.map_or("–".to_string(), |v| v.normalize().to_string());
    let rows = summary
        .goals
        .iter()
        .map(|g| {
            vec![
                g.goal_id.clone(),
                g.category.to_string(),
                g.direction.to_string(),
                g.per.to_string(),
                g.baseline.normalize().to_string(),
                optional(g.target),
                match (g.latest, g.latest_quarter) {
                    (Some(latest), Some(quarter)) => format!("{} ({quarter})", latest.normalize()),
                    _ => "no data".to_string(),
                },
                optional(g.improvement_pct),
                optional(g.progress_to_target_pct),
                money(g.quarter_value),
                money(g.ttm_value),
                status_label(g.status).to_string(),
            ]
        })
        .collect();
    out.push_str(&align(&header, rows, 4));
    for goal in &customer.goals {
        let volume =
            if goal.volume == Decimal::ONE { String::new() } else { format!(" × volume {}", goal.volume.normalize()) };
        let scale = if goal.is_percentage() { " × 0.01 (percentage points)" } else { "" };
        let _ = writeln!(
            out,
            "  {}: {} — metric {} ({}), {} {} per unit{volume}{scale} × {} per quarter",
            goal.goal_id,
            goal.title,
            goal.metric,
            goal.unit,
            format_amount(goal.value_per_unit, currency.decimals().max(goal.value_per_unit.normalize().scale())),
            currency,
            goal.per.per_quarter().normalize()
        );
    }
    let no_data: Vec<String> = summary
        .quarters
        .iter()
        .flat_map(|q| {
            q.by_goal.0.iter().filter(|(_, g)| g.no_data).map(move |(id, _)| format!("{id} in {}", q.quarter))
        })
        .collect();
    if !no_data.is_empty() {
        let _ = writeln!(out, "  No data (counted as 0, never carried over): {}", no_data.join(", "));
    }

    out.push_str("\nProjection (conditional: it assumes today's trends hold)\n");
    let header = ["quarter", "conservative", "expected"].map(String::from).to_vec();
    let rows = summary
        .projection
        .iter()
        .map(|p| vec![p.quarter.to_string(), money(p.conservative), money(p.expected)])
        .collect();
    out.push_str(&align(&header, rows, 1));
    out.push_str("  expected: least-squares trend of the last four quarters with data; never beyond the target (or the latest,\n");
    out.push_str(
        "    without a target or once reached); an improving trend never below the latest; a worsening one fading at\n",
    );
    out.push_str(
        "    most to the baseline, or, already worse than the baseline, at most |latest − oldest point used| beyond\n",
    );
    out.push_str("    the latest; one quarter of data: flat\n");
    out.push_str("  conservative: every goal at the worse of its latest actual and its expected actual\n");

    let o = &summary.opportunities;
    let _ = writeln!(
        out,
        "\nOpportunities: {} — annual value {} {currency}, confidence-weighted {} {currency}",
        o.count,
        money(o.annual_value),
        money(o.weighted_annual_value)
    );
    out
}

/// Whether the data reaches the report quarter: "data through 2026-Q3" or a stale warning.
fn freshness_line(summary: &ValueSummary) -> String {
    match (summary.stale, summary.data_through) {
        (false, _) => format!("data through {}", summary.report_quarter),
        (true, Some(through)) => format!(
            "STALE: no goal data for {} yet (latest {through}); `run`, `renewals` and `report` refuse it without --allow-stale",
            summary.report_quarter
        ),
        (true, None) => format!(
            "STALE: no goal data at or before {}; `run`, `renewals` and `report` refuse it without --allow-stale",
            summary.report_quarter
        ),
    }
}

/// One line for the batch overview.
pub fn summary_line(customer: &Customer, summary: &ValueSummary) -> String {
    let currency = summary.currency;
    format!(
        "{}  {}  TTM value {} {}  ROI {}%  ({} quarter{}{})  {}",
        customer.account.customer_id,
        summary.report_quarter,
        format_amount(summary.ttm.value, currency.decimals()),
        currency,
        format_amount(summary.ttm.roi_pct, 2),
        summary.ttm.quarters,
        if summary.ttm.quarters == 1 { "" } else { "s" },
        match summary.data_through {
            Some(through) if summary.stale => format!("; stale: data through {through}"),
            None => "; stale: no data".to_string(),
            _ => String::new(),
        },
        customer.account.customer_name,
    )
}

fn status_label(status: GoalStatus) -> &'static str {
    match status {
        GoalStatus::Achieved => "achieved",
        GoalStatus::OnTrack => "on track",
        GoalStatus::Behind => "behind",
        GoalStatus::TooEarly => "too early",
        GoalStatus::Regressed => "regressed",
        GoalStatus::NoData => "no data",
    }
}

/// Grouped amount with `decimals` places (plain-text output; reports format per locale).
pub fn format_amount(amount: Decimal, decimals: u32) -> String {
    crate::content::format::grouped(amount, decimals)
}

/// Aligns `rows` under `header`: the first `left` columns left-aligned, the rest right-aligned.
fn align(header: &[String], rows: Vec<Vec<String>>, left: usize) -> String {
    let width = |s: &str| s.chars().count();
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(width(cell));
        }
    }
    let mut out = String::new();
    for row in std::iter::once(header.to_vec()).chain(rows) {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                let pad = " ".repeat(widths[i] - width(cell));
                if i < left {
                    format!("{cell}{pad}")
                } else {
                    format!("{pad}{cell}")
                }
            })
            .collect();
        let _ = writeln!(out, "  {}", cells.join("  ").trim_end());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_grouped_and_rounded() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(format_amount(d("1234567.891"), 2), "1,234,567.89");
        assert_eq!(format_amount(d("-1234.5"), 2), "-1,234.50");
        assert_eq!(format_amount(d("999"), 0), "999");
        assert_eq!(format_amount(d("16669000"), 0), "16,669,000");
        assert_eq!(format_amount(d("-0.001"), 2), "0.00");
        assert_eq!(format_amount(d("0.125"), 2), "0.13");
    }

    #[test]
    fn alignment_pads_left_and_right_columns() {
        let header = vec!["id".to_string(), "value".to_string()];
        let table = align(&header, vec![vec!["G1".into(), "1.00".into()], vec!["G10".into(), "100.00".into()]], 1);
        assert_eq!(table, "  id    value\n  G1     1.00\n  G10  100.00\n");
    }
}
