//! The customer health card in the team report's summary (seeds 001 and 004): the quarter's score,
//! its band, the change since the previous quarter and the components it is made of. Shown beside
//! the KPI cards, never part of the ROI.

use rust_decimal::{Decimal, RoundingStrategy};
use tera::Context;

use super::catalog::CatalogError;
use super::parts::{ctx, Writer};
use super::report::{KpiCard, Tone};
use crate::quarter::Quarter;
use crate::value::health::{self, Band, Health};

/// The card for the report quarter, or `None` when no weighted component has a score in it (a
/// customer without health.csv or nps.csv gets no card rather than an empty one).
pub(super) fn health_card(w: &Writer) -> Result<Option<KpiCard>, CatalogError> {
    let input = w.input;
    let quarter = input.summary.report_quarter;
    let weights = &input.settings.health.weights;
    let now = health::compute(&input.customer.health, &input.customer.nps, weights, quarter);
    let (Some(score), Some(band)) = (now.score, now.band) else {
        return Ok(None);
    };
    let previous_quarter = Quarter::from_ordinal(quarter.ordinal() - 1);
    let before = health::compute(&input.customer.health, &input.customer.nps, weights, previous_quarter).score;
    let previous = w.q(previous_quarter);
    let change = match before.map(|b| i64::from(score) - i64::from(b)) {
        Some(points) if points > 0 => {
            (w.t("summary.health_change_up", &ctx!(points = points, previous = previous))?, Tone::Good)
        }
        Some(points) if points < 0 => {
            (w.t("summary.health_change_down", &ctx!(points = -points, previous = previous))?, Tone::Bad)
        }
        Some(_) => (w.t("summary.health_change_flat", &ctx!(previous = previous))?, Tone::Muted),
        None => (w.plain("summary.health_change_none")?, Tone::Muted),
    };
    Ok(Some(KpiCard {
        label: w.plain("summary.health_label")?,
        value: w.n.measure(Decimal::from(score)),
        value_tone: band_tone(band),
        change: Some(change),
        caption: caption(w, &now, band)?,
    }))
}

fn band_key(band: Band) -> &'static str {
    match band {
        Band::Red => "summary.health_band_red",
        Band::Yellow => "summary.health_band_yellow",
        Band::Green => "summary.health_band_green",
        Band::Thriving => "summary.health_band_thriving",
    }
}

/// Red needs attention; green and thriving are good; yellow is neither.
fn band_tone(band: Band) -> Tone {
    match band {
        Band::Red => Tone::Bad,
        Band::Yellow => Tone::Plain,
        Band::Green | Band::Thriving => Tone::Good,
    }
}

/// "Green band. Weighted score of usage 82, support 70, billing 100; no NPS score this quarter. Not part of the ROI."
fn caption(w: &Writer, health: &Health, band: Band) -> Result<String, CatalogError> {
    let separator = if w.input.locale == crate::model::Locale::Ja { "、" } else { ", " };
    let mut components = Vec::new();
    for component in &health.components {
        let score = component.score.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
        components.push(format!("{} {}", component_label(w, &component.component)?, w.n.measure(score)));
    }
    let mut missing = Vec::new();
    for component in &health.missing {
        missing.push(component_label(w, component)?);
    }
    w.t(
        "summary.health_caption",
        &ctx!(
            band = w.plain(band_key(band))?,
            components = components.join(separator),
            missing = missing.join(separator)
        ),
    )
}

/// The catalog's word for the seed's components; any other component (a custom weight) by its id,
/// underscores as spaces.
fn component_label(w: &Writer, component: &str) -> Result<String, CatalogError> {
    match component {
        "usage" | "nps" | "support" | "billing" => w.plain(&format!("summary.health_component_{component}")),
        other => Ok(other.replace('_', " ")),
    }
}
