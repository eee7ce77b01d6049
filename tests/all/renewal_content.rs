//! The renewal documents as the customer reads them: each touchpoint's PDF, read back with lopdf,
//! for an English and a Japanese sample customer (report quarter 2026-Q3: every as-of date is in
//! 2026-Q4, while the sample exports are fresh).

use std::path::Path;

use chrono::NaiveDate;
use lopdf::Document;
use valuereport::batch::{load_input, report_pdf, ReportOptions};
use valuereport::content::catalog::Catalogs;
use valuereport::content::format::Numbers;
use valuereport::content::renewal::{RenewalContext, Since, Touchpoint};
use valuereport::content::report::Edition;
use valuereport::model::{Customer, Settings};
use valuereport::quarter::Quarter;
use valuereport::render::pdf::Paper;

/// Words of the renewal schedule that must never reach a customer, in every report language.
const FORBIDDEN: [&str; 7] = ["T-30", "T-60", "T-90", "package", "paquete", "pakej", "パッケージ"];

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn customer(id: &str) -> (Customer, Settings) {
    let loaded = load_input(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data")).unwrap();
    let settings = loaded.settings.unwrap();
    let customer = loaded
        .customers
        .into_iter()
        .map(|(_, c)| c.unwrap())
        .find(|c| c.account.customer_id == id)
        .unwrap_or_else(|| panic!("no sample customer {id}"));
    (customer, settings)
}

/// The document of `touchpoint` as of `as_of` (the edition follows the batch plan's).
fn render(customer: &Customer, settings: &Settings, as_of: &str, renewal: RenewalContext, paper: Paper) -> Document {
    let catalogs = Catalogs::built_in();
    let edition = if renewal.touchpoint == Touchpoint::RoiReport { Edition::Team } else { Edition::Executive };
    let options = ReportOptions {
        settings,
        catalogs: &catalogs,
        quarter: Quarter::last_ended_on_or_before(date(as_of)),
        as_of: date(as_of),
        edition,
        paper,
        renewal: Some(renewal),
        locale: None,
        allow_stale: false,
        pdf_standard: Default::default(),
    };
    Document::load_mem(&report_pdf(customer, &options).unwrap().bytes).unwrap()
}

/// Text of each page, whitespace removed (extraction splits runs and lines unpredictably).
fn page_texts(doc: &Document) -> Vec<String> {
    doc.get_pages()
        .keys()
        .map(|&n| doc.extract_text(&[n]).unwrap().chars().filter(|c| !c.is_whitespace()).collect())
        .collect()
}

fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn assert_customer_facing(name: &str, texts: &[String]) {
    let all = texts.concat().to_lowercase();
    for word in FORBIDDEN {
        assert!(!all.contains(&squash(&word.to_lowercase())), "{name}: {word:?} in the PDF:\n{all}");
    }
}

fn renewal(touchpoint: Touchpoint, renewal_date: &str, since: Option<Since>) -> RenewalContext {
    RenewalContext { touchpoint, renewal_date: date(renewal_date), since }
}

#[test]
fn value_summary_90_days_before_in_english_and_japanese() {
    // BrightPath renews 2027-01-06 (contract from 2025-01-06); Sakura 2027-02-05 (from 2025-02-06).
    for (id, renewal_date, as_of, contract_start, total, first_quarter_row) in [
        ("brightpath.health", "2027-01-06", "2026-10-20", "2025-01-06", "$82,796.40", "Q22025$1,031.13"),
        ("sakura-seimitsu", "2027-02-05", "2026-11-22", "2025-02-06", "￥20,613,750", "2025年第1四半期￥63,000"),
    ] {
        let (customer, settings) = customer(id);
        let n = Numbers::new(customer.account.locale, customer.account.currency);
        for paper in [Paper::A4, Paper::Letter] {
            let name = format!("{id} {paper:?}");
            let doc = render(&customer, &settings, as_of, renewal(Touchpoint::ValueSummary, renewal_date, None), paper);
            let texts = page_texts(&doc);
            assert!(texts.len() <= 2, "{name}: {} pages", texts.len());
            assert_customer_facing(&name, &texts);
            let all = texts.concat();
            // The renewal date and the contract period, as the locale writes dates.
            let renewal_date = squash(&n.date(date(renewal_date)));
            assert!(texts[0].contains(&renewal_date), "{name}: {renewal_date} not on page 1");
            let period = match customer.account.locale {
                valuereport::model::Locale::Ja => format!("{}〜{}", n.date(date(contract_start)), renewal_date),
                _ => format!("{} – {}", n.date(date(contract_start)), renewal_date),
            };
            assert!(texts[0].contains(&squash(&period)), "{name}: {period} not on page 1: {}", texts[0]);
            // Every quarter of the contract so far, and its total (in the hero and the total row).
            assert!(all.contains(first_quarter_row), "{name}: first contract quarter missing");
            assert!(all.matches(&squash(total)).count() >= 2, "{name}: contract total {total} missing");
        }
    }
    // The English words for it.
    let (customer, settings) = customer("brightpath.health");
    let doc =
        render(&customer, &settings, "2026-10-20", renewal(Touchpoint::ValueSummary, "2027-01-06", None), Paper::A4);
    let all = page_texts(&doc).concat();
    for expected in [
        "Renewalvaluesummary",
        "ContractperiodJan6,2025–Jan6,2027·RenewalonJan6,2027",
        "VALUEDELIVEREDOVERTHECONTRACT·Q22025–Q32026",
        "Contractsofar$82,796.40",
        "RETURNONINVESTMENT·Q42025–Q32026",
        "77.1%",
        "15.57months",
        "HighlightsofQ32026",
        "Next4quarters$871.30$25,590.19",
        "Expansionopportunities",
        "RenewingonJan6,2027secures",
    ] {
        assert!(all.contains(expected), "{expected:?} missing: {all}");
    }
}

#[test]
fn roi_report_60_days_before_opens_with_the_renewal_figures() {
    for (id, renewal_date, as_of, expected) in [
        (
            "brightpath.health",
            "2027-01-06",
            "2026-11-22",
            vec![
                "YourrenewalonJan6,2027",
                "RenewaldateJan6,2027",
                "ContractperiodJan6,2025–Jan6,2027",
                "Annualinvestment$90,000.00",
                "Valuedeliveredoverthecontract(Q22025–Q32026)$82,796.40",
                "ROI(Q42025–Q32026)77.1%",
                "Payback15.57months",
                "Nextfourquarters,conservative$871.30",
                "Nextfourquarters,expected$25,590.19",
                "RenewingonJan6,2027securesthevaluethegoalskeepdelivering",
            ],
        ),
        (
            "sakura-seimitsu",
            "2027-02-05",
            "2026-12-07",
            vec![
                "2027/02/05の契約更新について",
                "契約更新日2027/02/05",
                "契約期間2025/02/06〜2027/02/05",
                "年間投資額￥9,000,000",
                "契約期間中の提供価値（2025年第1四半期〜2026年第3四半期）￥20,613,750",
                "ROI（2025年第4四半期〜2026年第3四半期）185.2%",
                "今後4四半期（想定）￥23,220,000",
                "2027/02/05にご契約を更新いただくことで",
            ],
        ),
    ] {
        let (customer, settings) = customer(id);
        for paper in [Paper::A4, Paper::Letter] {
            let name = format!("{id} {paper:?}");
            let doc = render(&customer, &settings, as_of, renewal(Touchpoint::RoiReport, renewal_date, None), paper);
            let texts = page_texts(&doc);
            assert!(texts.len() <= 6, "{name}: {} pages", texts.len());
            assert_customer_facing(&name, &texts);
            // The opening is on page 1, before the executive summary's headline figure.
            let page1 = &texts[0];
            for text in &expected {
                assert!(page1.contains(text), "{name}: {text:?} not on page 1: {page1}");
            }
            // Then the full team report: six sections, as bookmarked.
            assert_eq!(doc.get_toc().unwrap().toc.len(), 6, "{name}");
        }
    }
}

#[test]
fn update_30_days_before_reports_what_is_new_since_the_previous_document() {
    // Harrow (en) renews 2026-12-12: a value summary on 2026-09-05 (on 2026-Q2), the update on
    // 2026-11-20: 2026-Q3 closed since, and the 2026-11-04 win is new.
    let (harrow, settings) = customer("harrow-fintech-uk");
    let since = Since { as_of: date("2026-09-05"), report_quarter: "2026-Q2".parse().unwrap() };
    let doc =
        render(&harrow, &settings, "2026-11-20", renewal(Touchpoint::Update, "2026-12-12", Some(since)), Paper::A4);
    let texts = page_texts(&doc);
    assert!(texts.len() <= 2, "{} pages", texts.len());
    assert_customer_facing("harrow update", &texts);
    let page1 = &texts[0];
    for expected in [
        "Renewalupdate",
        "ContractperiodDec12,2024–Dec12,2026·RenewalonDec12,2026",
        "SinceourupdateofSep5,2026,onequarterhasclosed(Q32026),delivering£58,867.50ofmeasuredvalue.",
        "Wins,milestonesandstoriessinceSep5,2026",
        "Nov4,2026·Win:CleanFCAregulatoryreturnTheQ3returnwasfiledtwodaysearly",
        "VALUEDELIVERED·Q42025–Q32026",
        "YourrenewalonDec12,2026",
    ] {
        assert!(page1.contains(expected), "{expected:?} not on page 1: {page1}");
    }
    assert!(!page1.contains("MondaypackSep"), "a story dated before the reference is not new");

    // Sakura (ja) with no earlier document: the last 30 days, in Japanese.
    let (sakura, settings) = customer("sakura-seimitsu");
    let doc = render(&sakura, &settings, "2026-10-05", renewal(Touchpoint::Update, "2026-11-01", None), Paper::A4);
    let texts = page_texts(&doc);
    assert!(texts.len() <= 2, "{} pages", texts.len());
    assert_customer_facing("sakura update", &texts);
    let all = texts.concat();
    for expected in [
        "契約更新に向けた最新のご報告",
        "契約期間：2025/02/06〜2026/11/01",
        "過去30日間（2026/09/05以降）、1四半期（2026年第3四半期）が終了し、￥5,322,500の測定価値を提供しました。",
        "2026/09/10・採用：技術部門の利用率が90%を突破",
        "2026/11/01の契約更新について",
    ] {
        assert!(all.contains(expected), "{expected:?} missing: {all}");
    }

    // And since an earlier document, in Japanese: "2026/11/22のご報告以降".
    let since = Since { as_of: date("2026-11-22"), report_quarter: "2026-Q3".parse().unwrap() };
    let doc =
        render(&sakura, &settings, "2026-12-20", renewal(Touchpoint::Update, "2027-01-15", Some(since)), Paper::A4);
    let texts = page_texts(&doc);
    assert_customer_facing("sakura update since", &texts);
    assert!(texts[0].contains("2026/11/22のご報告以降、新たに終了した四半期はありません。"), "{}", texts[0]);
}

#[test]
fn every_sample_customer_fits_each_touchpoint_on_a4_and_letter_in_its_own_language() {
    let loaded = load_input(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data")).unwrap();
    let settings = loaded.settings.unwrap();
    let since = Since { as_of: date("2026-10-20"), report_quarter: "2026-Q3".parse().unwrap() };
    for customer in loaded.customers.into_iter().map(|(_, c)| c.unwrap()) {
        for (touchpoint, pages) in [(Touchpoint::ValueSummary, 2), (Touchpoint::RoiReport, 6), (Touchpoint::Update, 2)]
        {
            for paper in [Paper::A4, Paper::Letter] {
                let name = format!("{} {touchpoint:?} {paper:?}", customer.account.customer_id);
                let context = renewal(touchpoint, "2027-01-20", Some(since.clone()));
                let doc = render(&customer, &settings, "2026-11-22", context, paper);
                let texts = page_texts(&doc);
                assert!(texts.len() <= pages, "{name}: {} pages", texts.len());
                assert_customer_facing(&name, &texts);
            }
        }
    }
}
