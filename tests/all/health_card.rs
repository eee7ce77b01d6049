//! The health card in the team report's summary (issue: portfolio and health score, item 5): the
//! score and band of the report quarter, the change since the quarter before, its components; only
//! in the team edition, and only for a customer with health data.

use std::path::Path;

use chrono::NaiveDate;
use valuereport::content::catalog::Catalogs;
use valuereport::content::report::{build, Edition, Element, KpiCard, ReportInput, Tone};
use valuereport::load::load_customer;
use valuereport::model::{Customer, Settings};
use valuereport::value::compute;

fn sample(path: &str) -> Customer {
    load_customer(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data").join(path)).unwrap()
}

fn cards(customer: &Customer, edition: Edition, settings: &Settings) -> Vec<KpiCard> {
    let summary = compute(customer, "2026-Q3".parse().unwrap()).unwrap();
    let catalogs = Catalogs::built_in();
    let content = build(&ReportInput {
        customer,
        summary: &summary,
        settings,
        as_of: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        edition,
        catalog: catalogs.get(customer.account.locale),
        locale: customer.account.locale,
        renewal: None,
    })
    .unwrap();
    content.sections[0]
        .elements
        .iter()
        .find_map(|e| if let Element::Kpis(cards) = e { Some(cards.clone()) } else { None })
        .unwrap()
}

fn health_card(cards: &[KpiCard]) -> Option<&KpiCard> {
    cards.iter().find(|c| c.label == "Customer health")
}

#[test]
fn the_team_edition_shows_the_worked_health_score_beside_the_value_cards() {
    let acme = sample("amer/acme-logistics");
    let cards = cards(&acme, Edition::Team, &Settings::default());
    assert_eq!(cards.len(), 4, "three value cards, then health");
    let card = health_card(&cards).expect("a health card");
    assert!(std::ptr::eq(card, cards.last().unwrap()), "health comes after the value cards");
    // Q3 2026 with the seed's weights (usage 40, nps 10, support 20, billing 30): usage 82, support
    // 70, billing 100 (latest rows of the quarter); nps.csv has 10 respondents, 6 promoters and 1
    // detractor: NPS 50 → (50 + 100) ÷ 2 = 75. (82×40 + 75×10 + 70×20 + 100×30) ÷ 100 = 84.3 → 84.
    assert_eq!(card.value, "84");
    assert_eq!(card.value_tone, Tone::Good);
    // Q2: usage 78, support 65, billing 100, one passive answer (NPS 0 → 50): 79.2 → 79; +5.
    assert_eq!(card.change, Some(("▲ 5 pts vs Q2 2026".to_string(), Tone::Good)));
    assert_eq!(card.caption, "Green band. Weighted score of billing 100, NPS 75, support 70, usage 82. Not part of the ROI.");
}

#[test]
fn a_red_customer_falling_is_shown_in_red_with_its_drop() {
    let brightpath = sample("amer/brightpath-health");
    let cards = cards(&brightpath, Edition::Team, &Settings::default());
    let card = health_card(&cards).expect("a health card");
    // Q3: (35×40 + 20×10 + 25×20 + 50×30) ÷ 100 = 36, red; Q2: 57.8 → 58; 22 points down.
    assert_eq!(card.value, "36");
    assert_eq!(card.value_tone, Tone::Bad);
    assert!(card.caption.starts_with("Red band. "), "{}", card.caption);
    assert_eq!(card.change, Some(("▼ 22 pts vs Q2 2026".to_string(), Tone::Bad)));
}

#[test]
fn missing_components_are_named_and_left_out_of_the_mean() {
    let acme = sample("amer/acme-logistics");
    let mut settings = Settings::default();
    settings.health.weights.insert("adoption_depth".into(), "10".parse().unwrap());
    let cards = cards(&acme, Edition::Team, &settings);
    let card = health_card(&cards).unwrap();
    assert_eq!(card.value, "84", "a weighted component without a score does not count as 0");
    assert!(card.caption.ends_with("; no adoption depth score this quarter. Not part of the ROI."), "{}", card.caption);
}

#[test]
fn no_card_in_the_executive_edition_or_without_health_data() {
    let acme = sample("amer/acme-logistics");
    assert!(health_card(&cards(&acme, Edition::Executive, &Settings::default())).is_none());
    let mut without = acme.clone();
    without.health.clear();
    without.nps.clear();
    let cards = cards(&without, Edition::Team, &Settings::default());
    assert!(health_card(&cards).is_none());
    assert_eq!(cards.len(), 3);
}

#[test]
fn every_language_has_the_card() {
    // Sakura Seimitsu (ja) and Distribuciones Ibéricas (es) ship health.csv.
    for (path, label) in [("apac/sakura-seimitsu", "カスタマーヘルス"), ("emea/distribuciones-ibericas", "Salud del cliente")] {
        let customer = sample(path);
        let cards = cards(&customer, Edition::Team, &Settings::default());
        let card = cards.iter().find(|c| c.label == label).unwrap_or_else(|| panic!("{path}: {cards:?}"));
        assert!(card.change.is_some() && !card.caption.is_empty());
        assert!(!card.caption.contains("{{"), "{}", card.caption);
    }
}

#[test]
fn without_a_score_the_quarter_before_the_card_says_it_is_the_first() {
    let mut acme = sample("amer/acme-logistics");
    let q3_start = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
    acme.health.retain(|o| o.date >= q3_start);
    acme.nps.retain(|r| r.date >= q3_start);
    let cards = cards(&acme, Edition::Team, &Settings::default());
    let card = health_card(&cards).unwrap();
    assert_eq!(card.value, "84");
    assert_eq!(card.change, Some(("first quarter with a score".to_string(), Tone::Muted)));
}
