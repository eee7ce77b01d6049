//! The customer health score (seeds 001 and 004): a weighted mean of component scores, in bands.
//! Pure: the same observations, weights and quarter always give the same score. Never part of ROI.
//!
//! ```text
//! component score in a quarter = its latest observation in the quarter (health.csv), or, for nps
//!                                with nps.csv, (NPS + 100) ÷ 2
//! health score                 = Σ weight × component score ÷ Σ weight, over the components with a
//!                                score in the quarter (and a weight above 0); whole number, halves
//!                                away from zero; none when no component has a score
//! NPS                          = % promoters (9–10) − % detractors (0–6) of the quarter's respondents,
//!                                each respondent counted once, with their latest answer
//! bands                        = red 0–40, yellow 41–70, green 71–100, thriving above 100
//! ```

use std::collections::BTreeMap;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use crate::model::{HealthObservation, NpsResponse};
use crate::quarter::Quarter;

/// The component nps.csv feeds.
pub const NPS_COMPONENT: &str = "nps";

/// Seed 004's bands, with their CS playbook: red — intervene now; yellow — guided help; green —
/// low touch; thriving — expansion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    Red,
    Yellow,
    Green,
    Thriving,
}

impl Band {
    /// The band of a whole-number score: 0–40 red, 41–70 yellow, 71–100 green, above 100 thriving.
    pub fn of(score: u32) -> Band {
        match score {
            0..=40 => Band::Red,
            41..=70 => Band::Yellow,
            71..=100 => Band::Green,
            _ => Band::Thriving,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Band::Red => "red",
            Band::Yellow => "yellow",
            Band::Green => "green",
            Band::Thriving => "thriving",
        }
    }
}

/// One component's part of a quarter's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentScore {
    pub component: String,
    pub weight: Decimal,
    /// The score used (exact; an NPS-derived score may have a fraction).
    pub score: Decimal,
    /// The day of the observation used (for nps from nps.csv: the latest answer of the quarter).
    #[serde(serialize_with = "iso_date")]
    pub date: chrono::NaiveDate,
}

fn iso_date<S: serde::Serializer>(date: &chrono::NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(date)
}

/// The net promoter score of one quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Nps {
    pub respondents: u32,
    pub promoters: u32,
    pub detractors: u32,
    /// % promoters − % detractors, exact (−100 to 100).
    pub score: Decimal,
}

impl Nps {
    /// The NPS as printed: a whole number, halves away from zero.
    pub fn rounded(&self) -> i32 {
        let rounded = self.score.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
        rust_decimal::prelude::ToPrimitive::to_i32(&rounded).unwrap_or(0)
    }

    /// The nps component's score: (NPS + 100) ÷ 2, from 0 to 100.
    pub fn as_component(&self) -> Decimal {
        (self.score + Decimal::ONE_HUNDRED) / Decimal::TWO
    }
}

/// The health of one customer in one quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Health {
    pub quarter: Quarter,
    /// Whole number; `None` when no weighted component has a score in the quarter.
    pub score: Option<u32>,
    pub band: Option<Band>,
    /// The components that counted, in weight-key order.
    pub components: Vec<ComponentScore>,
    /// Weighted components without a score in the quarter (left out of the mean, not counted as 0).
    pub missing: Vec<String>,
    /// From nps.csv, when it has answers in the quarter.
    pub nps: Option<Nps>,
}

/// The NPS of the answers dated in `quarter`; `None` without any.
pub fn nps(responses: &[NpsResponse], quarter: Quarter) -> Option<Nps> {
    // Each respondent once, with their latest answer of the quarter (the loader refuses two on one day).
    let mut latest: BTreeMap<&str, (chrono::NaiveDate, u8)> = BTreeMap::new();
    for response in responses.iter().filter(|r| Quarter::containing(r.date) == quarter) {
        let slot = latest.entry(response.respondent.as_str()).or_insert((response.date, response.score));
        if response.date > slot.0 {
            *slot = (response.date, response.score);
        }
    }
    if latest.is_empty() {
        return None;
    }
    let respondents = latest.len() as u32;
    let promoters = latest.values().filter(|(_, s)| *s >= 9).count() as u32;
    let detractors = latest.values().filter(|(_, s)| *s <= 6).count() as u32;
    let score =
        Decimal::from(i64::from(promoters) - i64::from(detractors)) * Decimal::ONE_HUNDRED / Decimal::from(respondents);
    Some(Nps { respondents, promoters, detractors, score })
}

/// The health score of `quarter` from health.csv rows and nps.csv answers, under `weights`.
pub fn compute(
    observations: &[HealthObservation],
    responses: &[NpsResponse],
    weights: &BTreeMap<String, Decimal>,
    quarter: Quarter,
) -> Health {
    let nps = nps(responses, quarter);
    let nps_date = responses.iter().filter(|r| Quarter::containing(r.date) == quarter).map(|r| r.date).max();
    let mut components = Vec::new();
    let mut missing = Vec::new();
    for (component, &weight) in weights.iter().filter(|(_, w)| **w > Decimal::ZERO) {
        let latest = observations
            .iter()
            .filter(|o| o.component == *component && Quarter::containing(o.date) == quarter)
            .max_by_key(|o| o.date);
        let from_nps = (component == NPS_COMPONENT).then(|| nps.as_ref().zip(nps_date)).flatten();
        match (from_nps, latest) {
            (Some((nps, date)), _) => components.push(ComponentScore {
                component: component.clone(),
                weight,
                score: nps.as_component(),
                date,
            }),
            (None, Some(o)) => {
                components.push(ComponentScore { component: component.clone(), weight, score: o.score, date: o.date })
            }
            (None, None) => missing.push(component.clone()),
        }
    }
    let total_weight: Decimal = components.iter().map(|c| c.weight).sum();
    let score = (!components.is_empty()).then(|| {
        let weighted: Decimal = components.iter().map(|c| c.weight * c.score).sum();
        let mean = (weighted / total_weight).round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
        rust_decimal::prelude::ToPrimitive::to_u32(&mean).unwrap_or(0)
    });
    Health { quarter, score, band: score.map(Band::of), components, missing, nps }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::HealthSettings;
    use chrono::NaiveDate;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn obs(date: &str, component: &str, score: &str) -> HealthObservation {
        HealthObservation { date: day(date), component: component.into(), score: score.parse().unwrap() }
    }

    fn answer(date: &str, respondent: &str, score: u8) -> NpsResponse {
        NpsResponse { date: day(date), respondent: respondent.into(), score }
    }

    fn q3() -> Quarter {
        "2026-Q3".parse().unwrap()
    }

    #[test]
    fn seed_weights_give_the_weighted_mean() {
        // usage 80 × 40 + nps 50 × 10 + support 60 × 20 + billing 100 × 30 = 7,900 over 100 → 79, green.
        let rows = [
            obs("2026-07-10", "usage", "80"),
            obs("2026-08-01", "nps", "50"),
            obs("2026-09-01", "support", "60"),
            obs("2026-09-30", "billing", "100"),
        ];
        let health = compute(&rows, &[], &HealthSettings::default_weights(), q3());
        assert_eq!(health.score, Some(79));
        assert_eq!(health.band, Some(Band::Green));
        assert!(health.missing.is_empty());
    }

    #[test]
    fn seed_004_example_active_usage_with_many_tickets_is_yellow() {
        // Seed 004: three tickets this month (red on support) but the product is used actively
        // (green on usage): the CHS is yellow. usage 85, support 20, nps 50, billing 60:
        // (85 × 40 + 50 × 10 + 20 × 20 + 60 × 30) ÷ 100 = 61 → yellow.
        let rows = [
            obs("2026-09-01", "usage", "85"),
            obs("2026-09-01", "nps", "50"),
            obs("2026-09-01", "support", "20"),
            obs("2026-09-01", "billing", "60"),
        ];
        let health = compute(&rows, &[], &HealthSettings::default_weights(), q3());
        assert_eq!((health.score, health.band), (Some(61), Some(Band::Yellow)));
    }

    #[test]
    fn missing_components_are_left_out_not_counted_as_zero() {
        // usage 90 × 40 + support 45 × 20 = 4,500 over 60 → 75 (not 45 over 100).
        let rows =
            [obs("2026-08-15", "usage", "90"), obs("2026-08-15", "support", "45"), obs("2026-06-30", "billing", "0")];
        let health = compute(&rows, &[], &HealthSettings::default_weights(), q3());
        assert_eq!(health.score, Some(75));
        assert_eq!(health.missing, ["billing", "nps"]);
        // No component in the quarter at all: no score, not a score of 0.
        let none = compute(&rows[2..], &[], &HealthSettings::default_weights(), q3());
        assert_eq!((none.score, none.band), (None, None));
    }

    #[test]
    fn the_latest_observation_of_the_quarter_counts() {
        let rows =
            [obs("2026-09-20", "usage", "30"), obs("2026-07-01", "usage", "90"), obs("2026-10-01", "usage", "100")];
        let health = compute(&rows, &[], &HealthSettings::default_weights(), q3());
        assert_eq!(health.components[0].score, Decimal::from(30));
        assert_eq!(health.score, Some(30));
    }

    #[test]
    fn the_score_rounds_once_halves_away_from_zero() {
        // usage 41 × 1 + support 40 × 1 = 81 over 2 = 40.5 → 41: yellow, not red.
        let weights: BTreeMap<String, Decimal> =
            [("usage".to_string(), Decimal::ONE), ("support".to_string(), Decimal::ONE)].into_iter().collect();
        let rows = [obs("2026-09-01", "usage", "41"), obs("2026-09-01", "support", "40")];
        let health = compute(&rows, &[], &weights, q3());
        assert_eq!((health.score, health.band), (Some(41), Some(Band::Yellow)));
        // 40.4 stays 40: red.
        let rows = [obs("2026-09-01", "usage", "40.8"), obs("2026-09-01", "support", "40")];
        assert_eq!(compute(&rows, &[], &weights, q3()).band, Some(Band::Red));
    }

    #[test]
    fn bands_follow_the_seed() {
        let bands: Vec<Band> = [0, 40, 41, 70, 71, 100, 101, 150].into_iter().map(Band::of).collect();
        use Band::*;
        assert_eq!(bands, [Red, Red, Yellow, Yellow, Green, Green, Thriving, Thriving]);
        let rows = [obs("2026-09-01", "usage", "130"), obs("2026-09-01", "billing", "100")];
        // (130 × 40 + 100 × 30) ÷ 70 = 117.14 → 117, thriving.
        assert_eq!(compute(&rows, &[], &HealthSettings::default_weights(), q3()).band, Some(Thriving));
    }

    #[test]
    fn weights_of_zero_leave_a_component_out() {
        let mut weights = HealthSettings::default_weights();
        weights.insert("billing".into(), Decimal::ZERO);
        let rows = [obs("2026-09-01", "usage", "80"), obs("2026-09-01", "billing", "0")];
        let health = compute(&rows, &[], &weights, q3());
        assert_eq!(health.score, Some(80));
        assert!(!health.missing.contains(&"billing".to_string()));
    }

    #[test]
    fn nps_is_promoters_minus_detractors_and_feeds_the_nps_component() {
        // 10 respondents: 5 promoters (9–10), 3 passives (7–8), 2 detractors (0–6): NPS 50 - 20 = 30.
        let scores = [10, 9, 9, 10, 9, 8, 7, 7, 6, 0];
        let mut answers: Vec<NpsResponse> =
            scores.iter().enumerate().map(|(i, &s)| answer("2026-08-01", &format!("r{i}"), s)).collect();
        // Outside the quarter: ignored.
        answers.push(answer("2026-06-30", "old", 0));
        let nps = nps(&answers, q3()).unwrap();
        assert_eq!((nps.respondents, nps.promoters, nps.detractors), (10, 5, 2));
        assert_eq!(nps.score, Decimal::from(30));
        assert_eq!(nps.as_component(), Decimal::from(65));
        // usage 80 × 40 + nps 65 × 10 = 3,850 over 50 = 77.
        let health = compute(&[obs("2026-09-01", "usage", "80")], &answers, &HealthSettings::default_weights(), q3());
        assert_eq!(health.score, Some(77));
        assert_eq!(health.nps.as_ref().map(Nps::rounded), Some(30));
    }

    #[test]
    fn a_respondent_counts_once_with_the_latest_answer() {
        // r1 answered 3 in July, then 10 in September: one promoter. r2 is a detractor. NPS 0.
        let answers = [answer("2026-07-01", "r1", 3), answer("2026-09-01", "r1", 10), answer("2026-08-01", "r2", 2)];
        let nps = nps(&answers, q3()).unwrap();
        assert_eq!((nps.respondents, nps.promoters, nps.detractors), (2, 1, 1));
        assert_eq!(nps.score, Decimal::ZERO);
        // Three respondents, one promoter: 33.33… → 33 printed; the component keeps the fraction.
        let answers = [answer("2026-07-01", "a", 9), answer("2026-07-01", "b", 8), answer("2026-07-01", "c", 7)];
        let nps = super::nps(&answers, q3()).unwrap();
        assert_eq!(nps.rounded(), 33);
        assert!(nps.as_component() > Decimal::new(6666, 2) && nps.as_component() < Decimal::new(6667, 2));
        // -100 to 100 maps to 0 to 100.
        let all_detractors = super::nps(&[answer("2026-07-01", "a", 0)], q3()).unwrap();
        assert_eq!((all_detractors.rounded(), all_detractors.as_component()), (-100, Decimal::ZERO));
    }
}
