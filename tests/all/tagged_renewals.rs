//! The renewal documents (`valuereport renewals`: the value summary 90 days before the renewal, the
//! full ROI report 60 days before, the update 30 days before) take the report's tagged path: read
//! back with lopdf, each is checked as `tagged.rs` checks the reports — a structure tree complete
//! and consistent with the page content (every MCID referenced by exactly one element and the
//! other way round, a ParentTree entry per page), every text-showing operator in marked content of
//! the tree or in an artifact, running headers and footers as artifacts, /Lang, /Tabs /S, XMP
//! claiming PDF/A-3a and PDF/UA-1, every Figure with alternative text naming figures, every table
//! with TH header cells — plus the KPI cards in reading order and each chart's /Alt from its data.
//! The portfolio PDF (`valuereport run`) is tagged the same way, and plain with
//! `--pdf-standard none`.

use std::path::Path;

use chrono::NaiveDate;
use valuereport::batch::{load_input, report_pdf, ReportOptions};
use valuereport::content::catalog::Catalogs;
use valuereport::content::renewal::{RenewalContext, Since, Touchpoint};
use valuereport::content::report::{build, Edition, Element, ReportInput};
use valuereport::model::{Customer, Settings};
use valuereport::quarter::Quarter;
use valuereport::render::archive::PdfStandard;
use valuereport::render::pdf::Paper;

use crate::tagged::{check_document, check_kpi_groups, squash, Kid, Tagged};

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn customers() -> Vec<(Customer, Settings)> {
    let loaded = load_input(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data")).unwrap();
    let settings = loaded.settings.unwrap();
    loaded.customers.into_iter().map(|(_, c)| (c.unwrap(), settings.clone())).collect()
}

/// The three documents of a renewal, as the batch plan makes them (the ROI report is the team
/// edition, the others the executive one), the update once with an earlier document and once
/// without.
fn touchpoints(renewal_date: NaiveDate) -> Vec<(&'static str, RenewalContext, Edition, usize)> {
    let context = |touchpoint, since| RenewalContext { touchpoint, renewal_date, since };
    let since =
        Since { as_of: date("2026-10-20"), report_quarter: Quarter::last_ended_on_or_before(date("2026-10-20")) };
    vec![
        ("value summary", context(Touchpoint::ValueSummary, None), Edition::Executive, 3),
        ("ROI report", context(Touchpoint::RoiReport, None), Edition::Team, 6),
        ("update", context(Touchpoint::Update, Some(since)), Edition::Executive, 3),
        ("update (no earlier document)", context(Touchpoint::Update, None), Edition::Executive, 3),
    ]
}

struct Rendered {
    tagged: Tagged,
    elements: Vec<Element>,
}

fn render(
    customer: &Customer,
    settings: &Settings,
    renewal: RenewalContext,
    edition: Edition,
    paper: Paper,
) -> Rendered {
    let catalogs = Catalogs::built_in();
    let as_of = date("2026-11-22");
    let options = ReportOptions {
        settings,
        catalogs: &catalogs,
        quarter: Quarter::last_ended_on_or_before(as_of),
        as_of,
        edition,
        paper,
        renewal: Some(renewal.clone()),
        locale: None,
        allow_stale: false,
        pdf_standard: PdfStandard::Ua1A3a,
    };
    let bytes = report_pdf(customer, &options).unwrap().bytes;
    let summary = valuereport::value::compute(customer, options.quarter).unwrap();
    let content = build(&ReportInput {
        customer,
        summary: &summary,
        settings,
        as_of,
        edition,
        catalog: catalogs.get(customer.account.locale),
        locale: customer.account.locale,
        renewal: Some(renewal),
    })
    .unwrap();
    Rendered { tagged: Tagged::read(&bytes), elements: content.sections.into_iter().flat_map(|s| s.elements).collect() }
}

/// The KPI cards read in order (title, amount, change, caption), each group a Figure whose /Alt
/// reads every card; each chart a Figure whose /Alt is the one the content made from its data;
/// recommendations as a list, quotes as block quotes, as the content has them.
fn check_content(rendered: &Rendered, what: &str) {
    let (tagged, elements) = (&rendered.tagged, &rendered.elements);
    let card_groups: Vec<_> =
        elements.iter().filter_map(|e| if let Element::Kpis(cards) = e { Some(cards) } else { None }).collect();
    check_kpi_groups(tagged, &card_groups.iter().map(|c| c.as_slice()).collect::<Vec<_>>(), what);
    let chart_alts: Vec<&str> = elements
        .iter()
        .filter_map(|e| match e {
            Element::LineChart(c) => Some(c.alt.as_str()),
            Element::BarChart(c) => Some(c.alt.as_str()),
            _ => None,
        })
        .collect();
    let charts: Vec<Option<&str>> = tagged
        .elems
        .iter()
        .filter(|e| e.role == "Figure" && e.kids.iter().any(|k| matches!(k, Kid::Content(..))))
        .map(|e| e.alt.as_deref())
        .collect();
    assert_eq!(charts, chart_alts.into_iter().map(Some).collect::<Vec<_>>(), "{what}: chart Figures and their /Alt");

    // Recommendations: one L of LI items, each its Lbl and LBody; quotes: a BlockQuote of the
    // quote's P and the attribution's P.
    let items: Vec<(String, String)> = elements
        .iter()
        .filter_map(
            |e| if let Element::ListItem { label, text } = e { Some((squash(label), squash(text))) } else { None },
        )
        .collect();
    let lists: Vec<usize> = (0..tagged.elems.len()).filter(|&i| tagged.elems[i].role == "L").collect();
    assert_eq!(lists.len(), usize::from(!items.is_empty()), "{what}");
    if let Some(&list) = lists.first() {
        let read: Vec<(String, String)> = tagged
            .children(list)
            .into_iter()
            .map(|li| {
                let parts = tagged.children(li);
                assert_eq!(
                    (tagged.elems[li].role.as_str(), tagged.roles(&parts)),
                    ("LI", vec!["Lbl", "LBody"]),
                    "{what}"
                );
                (squash(&tagged.text(parts[0])), squash(&tagged.text(parts[1])))
            })
            .collect();
        assert_eq!(read, items, "{what}");
    }
    let quotes: Vec<(String, String)> = elements
        .iter()
        .filter_map(|e| {
            if let Element::Quote { text, attribution } = e {
                Some((squash(text), squash(attribution)))
            } else {
                None
            }
        })
        .collect();
    let blockquotes: Vec<usize> = (0..tagged.elems.len()).filter(|&i| tagged.elems[i].role == "BlockQuote").collect();
    assert_eq!(blockquotes.len(), quotes.len(), "{what}");
    for (&quote, (text, attribution)) in blockquotes.iter().zip(&quotes) {
        let parts = tagged.children(quote);
        assert_eq!(tagged.roles(&parts), ["P", "P"], "{what}");
        assert!(squash(&tagged.text(parts[0])).contains(text.as_str()), "{what}");
        assert!(squash(&tagged.text(parts[1])).contains(attribution.as_str()), "{what}");
    }
    // A Table element per table of the content (each checked for its TH header row above).
    let tables = elements.iter().filter(|e| matches!(e, Element::Table(_))).count();
    assert_eq!(tagged.elems.iter().filter(|e| e.role == "Table").count(), tables, "{what}: tables");
}

#[test]
fn every_renewal_document_of_every_sample_customer_is_tagged_completely_and_consistently() {
    for (customer, settings) in customers() {
        for (label, renewal, edition, sections) in touchpoints(customer.account.renewal_date) {
            let what = format!("{} {label}", customer.account.customer_id);
            let rendered = render(&customer, &settings, renewal, edition, Paper::A4);
            check_document(&rendered.tagged, &what, &customer.account.locale_tag().to_string(), sections);
            check_content(&rendered, &what);
        }
    }
}

#[test]
fn renewal_documents_on_letter_paper_are_tagged_too() {
    for (customer, settings) in customers().into_iter().filter(|(c, _)| {
        matches!(c.account.customer_id.as_str(), "brightpath.health" | "sakura-seimitsu" | "sinar-maju-logistik")
    }) {
        for (label, renewal, edition, sections) in touchpoints(customer.account.renewal_date) {
            let what = format!("{} {label} (Letter)", customer.account.customer_id);
            let rendered = render(&customer, &settings, renewal, edition, Paper::Letter);
            check_document(&rendered.tagged, &what, &customer.account.locale_tag().to_string(), sections);
            check_content(&rendered, &what);
        }
    }
}

#[test]
fn the_portfolio_is_tagged_like_the_reports_and_plain_on_request() {
    use valuereport::batch::portfolio::{portfolio_pdf, RunFiles};
    use valuereport::content::portfolio::{build as build_portfolio, PortfolioInput};
    use valuereport::model::Locale;
    let out = tempfile::tempdir().unwrap();
    let rows = crate::portfolio::rows(60);
    for (locale, lang) in [(Locale::En, "en"), (Locale::Ja, "ja")] {
        let settings = crate::portfolio::settings(locale);
        let as_of = date("2026-11-22");
        let quarter = Quarter::last_ended_on_or_before(as_of);
        for paper in [Paper::A4, Paper::Letter] {
            let files = |pdf_standard| RunFiles {
                out: out.path(),
                quarter,
                as_of,
                shard: None,
                settings: &settings,
                paper,
                pdf_standard,
            };
            let what = format!("portfolio {lang} {paper:?}");
            let content = build_portfolio(&PortfolioInput { rows: &rows, settings: &settings, quarter, as_of });
            let (bytes, pages) = portfolio_pdf(&files(PdfStandard::Ua1A3a), rows.clone());
            let tagged = Tagged::read(&bytes);
            assert_eq!(tagged.pages.len(), pages as usize, "{what}");
            check_document(&tagged, &what, lang, content.sections.len());
            let tables =
                content.sections.iter().flat_map(|s| &s.elements).filter(|e| matches!(e, Element::Table(_))).count();
            assert_eq!(tagged.elems.iter().filter(|e| e.role == "Table").count(), tables, "{what}");

            let (plain, _) = portfolio_pdf(&files(PdfStandard::None), rows.clone());
            let doc = lopdf::Document::load_mem(&plain).unwrap();
            assert!(doc.catalog().unwrap().get(b"StructTreeRoot").is_err(), "{what}: plain");
        }
    }
}
