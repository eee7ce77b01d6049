//! The portfolio PDF at 8 and 1,000 customers: page limits, no overlapping text, nothing off the
//! page, byte-identical on rebuild.

use chrono::NaiveDate;
use printpdf::{Op, PdfFontHandle, TextItem};
use rust_decimal::Decimal;

use valuereport::batch::results::{CustomerResult, Figures, HealthFigures, RowReason, RowStatus};
use valuereport::content::portfolio::{build, PortfolioInput};
use valuereport::model::{Account, Category, Currency, FxRate, FxSettings, Locale, Settings};
use valuereport::render::fonts::{FaceId, FontSet, Weight};
use valuereport::render::pdf::Paper;
use valuereport::value::health::Band;

pub(crate) fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// A deterministic mix: long and Japanese names, five currencies, every health band, stale and
/// failed customers, renewals spread over two years.
pub(crate) fn rows(count: usize) -> Vec<CustomerResult> {
    let names = [
        "Acme Logistics, Inc.",
        "Grupo Alimentos del Valle, S.A. de C.V. — División Norte y Bajío",
        "医療法人社団星野会 星野クリニックグループ",
        "Sinar Maju Logistik Sdn. Bhd.",
        "Harrow Fintech Ltd",
    ];
    let currencies = ["USD", "EUR", "JPY", "MYR", "GBP"];
    let csms = ["Maria Lopez", "James Carter", "伊藤 美穂", "Aisyah Rahman", "Oliver Grant", "Diego Hernández"];
    let categories = [Category::TimeSavings, Category::Revenue, Category::Quality];
    (0..count)
        .map(|i| {
            let currency = Currency::from_code(currencies[i % currencies.len()]).unwrap();
            let scale = if currency.code() == "JPY" { Decimal::from(150) } else { Decimal::ONE };
            let investment = Decimal::from(20_000 + (i * 7_919) % 180_000) * scale;
            let roi = Decimal::from((i * 37) % 420) - Decimal::from(20);
            let value = (investment * roi / Decimal::ONE_HUNDRED).round_dp(currency.decimals());
            let account = Account {
                customer_id: format!("c{i:05}"),
                customer_name: format!("{} {i}", names[i % names.len()]),
                renewal_date: day("2026-11-22") + chrono::Duration::days(((i * 13) % 730) as i64 - 30),
                annual_investment: investment,
                currency,
                locale: Locale::En,
                region: None,
                contract_start: None,
                segment: Some(["Enterprise", "Mid-Market", "SMB"][i % 3].to_string()),
                industry: None,
                csm_name: Some(csms[i % csms.len()].to_string()),
                csm_email: None,
                executive_sponsor: None,
            };
            let dir = format!("in/c{i:05}");
            if i % 41 == 7 {
                let reason = format!("{dir}/goals.csv:3, column 'category': \"income\" is not allowed; expected one of time_savings, cost_savings, revenue, quality, risk, productivity");
                return CustomerResult::failed(&dir, Some(&account), RowReason::InputError, reason);
            }
            let stale = i % 29 == 3;
            let band = [Band::Red, Band::Yellow, Band::Green, Band::Thriving][i % 4];
            CustomerResult {
                customer_id: Some(account.customer_id.clone()),
                customer_name: Some(account.customer_name.clone()),
                customer_dir: dir,
                segment: account.segment.clone(),
                csm_name: account.csm_name.clone(),
                currency: Some(currency),
                investment: Some(investment),
                renewal_date: Some(account.renewal_date),
                figures: Some(Figures {
                    data_through: Some("2026-Q3".parse().unwrap()),
                    stale,
                    quarters: 4,
                    ttm_value: value,
                    investment_share: investment,
                    roi_pct: roi,
                    net_roi_pct: roi - Decimal::ONE_HUNDRED,
                    payback_months: None,
                    quarter_value: value / Decimal::from(4),
                    previous_quarter_value: Some(value / Decimal::from(3 + (i % 3) as i64)),
                    projected_conservative_4q: value,
                    projected_expected_4q: value,
                    opportunities_weighted: Decimal::ZERO,
                    by_category: vec![(categories[i % 3], value)],
                }),
                health: (i % 5 != 0).then_some(HealthFigures {
                    score: Some([20, 55, 85, 110][i % 4]),
                    band: Some(band),
                    nps: None,
                }),
                status: if stale { RowStatus::Stale } else { RowStatus::Ok },
                reason_code: stale.then_some(RowReason::NoDataForQuarter),
                reason: stale.then(|| "no goal data for 2026-Q3 yet (latest 2026-Q2)".to_string()),
                reports: Vec::new(),
            }
        })
        .collect()
}

pub(crate) fn settings(locale: Locale) -> Settings {
    let mut settings = Settings::default();
    settings.portfolio.locale = locale;
    settings.fx = Some(FxSettings {
        base: Currency::from_code("USD").unwrap(),
        rates: [("EUR", "1.17"), ("JPY", "0.0067")]
            .into_iter()
            .map(|(code, rate)| (code.to_string(), FxRate { rate: rate.parse().unwrap(), date: day("2026-09-30") }))
            .collect(),
    });
    settings
}

/// A text's box on its page: (x0, y0, x1, y1, text).
type TextBox = (f32, f32, f32, f32, String);

/// The boxes of every horizontal text on a page (rotated axis titles are left out).
fn text_boxes(fonts: &FontSet, ops: &[Op]) -> Vec<TextBox> {
    let mut boxes = Vec::new();
    let (mut x, mut y, mut rotated) = (0.0f32, 0.0f32, false);
    let mut size = 0.0f32;
    let mut bold = false;
    let mut text = String::new();
    for op in ops {
        match op {
            Op::StartTextSection => {
                text.clear();
                rotated = false;
            }
            Op::SetTextCursor { pos } => (x, y) = (pos.x.0, pos.y.0),
            Op::SetTextMatrix { .. } => rotated = true,
            Op::SetFont { font: PdfFontHandle::External(id), size: s } => {
                size = s.0;
                let face = FaceId::from_resource_id(&id.0).unwrap();
                bold = matches!(face, FaceId::LatinBold | FaceId::CjkBold | FaceId::SymbolsBold);
            }
            Op::ShowText { items } => {
                for item in items {
                    if let TextItem::GlyphIds(glyphs) = item {
                        text.extend(glyphs.iter().filter_map(|g| g.cid.as_deref()));
                    }
                }
            }
            Op::EndTextSection if !rotated && !text.trim().is_empty() => {
                let width = fonts.width(&text, if bold { Weight::Bold } else { Weight::Regular }, size);
                boxes.push((x, y - 0.22 * size, x + width, y + 0.76 * size, text.clone()));
            }
            _ => {}
        }
    }
    boxes
}

/// Pairs of texts on one page whose boxes overlap by more than a hair.
fn overlaps(boxes: &[TextBox]) -> Vec<String> {
    let mut found = Vec::new();
    let mut sorted: Vec<&TextBox> = boxes.iter().collect();
    sorted.sort_by(|a, b| a.1.total_cmp(&b.1));
    for (i, a) in sorted.iter().enumerate() {
        for b in &sorted[i + 1..] {
            if b.1 >= a.3 - 0.3 {
                break;
            }
            let x = a.2.min(b.2) - a.0.max(b.0);
            let y = a.3.min(b.3) - a.1.max(b.1);
            if x > 0.3 && y > 0.3 {
                found.push(format!("{:?} overlaps {:?}", a.4, b.4));
            }
        }
    }
    found
}

fn check(count: usize, locale: Locale, max_pages: usize) -> Vec<Vec<TextBox>> {
    let fonts = FontSet::shared();
    let rows = rows(count);
    let settings = settings(locale);
    let input = PortfolioInput {
        rows: &rows,
        settings: &settings,
        quarter: "2026-Q3".parse().unwrap(),
        as_of: day("2026-11-22"),
    };
    let document = valuereport::render::report::lay_out(build(&input), Paper::A4, fonts);
    let pages: Vec<Vec<TextBox>> = document.pages.iter().map(|ops| text_boxes(fonts, ops)).collect();
    assert!(pages.len() <= max_pages, "{count} customers ({locale}): {} pages, at most {max_pages}", pages.len());
    let (width, height) = Paper::A4.size();
    for (n, boxes) in pages.iter().enumerate() {
        let found = overlaps(boxes);
        assert!(found.is_empty(), "{count} customers ({locale}), page {}: {found:#?}", n + 1);
        for (x0, y0, x1, y1, text) in boxes {
            assert!(
                *x0 >= 0.0 && *y0 >= 0.0 && *x1 <= width && *y1 <= height,
                "page {}: {text:?} is off the page",
                n + 1
            );
        }
    }
    pages
}

#[test]
fn eight_customers_fit_on_a_few_pages_without_overlapping_text() {
    for locale in [Locale::En, Locale::Es, Locale::Ms, Locale::Ja] {
        let pages = check(8, locale, 5);
        assert!(pages.len() >= 2);
    }
}

#[test]
fn a_thousand_customers_paginate_without_overlapping_text() {
    // About 40 table rows a page: the customer list (1,000), the calendar (~250) and the rest.
    let pages = check(1_000, Locale::En, 64);
    assert!(pages.len() > 20, "{} pages", pages.len());
    // The checker sees the tables' text: dozens of boxes on a page of the customer list.
    assert!(pages[pages.len() / 2].len() > 150, "{}", pages[pages.len() / 2].len());
    eprintln!("1,000 customers: {} pages", pages.len());
}

#[test]
fn the_portfolio_pdf_is_byte_identical_when_rebuilt() {
    let rows = rows(50);
    let settings = settings(Locale::En);
    let make = || {
        let input = PortfolioInput {
            rows: &rows,
            settings: &settings,
            quarter: "2026-Q3".parse().unwrap(),
            as_of: day("2026-11-22"),
        };
        valuereport::render::report::render_pdf(build(&input), Paper::A4, FontSet::shared())
    };
    let (first, pages) = make();
    assert_eq!(make().0, first);
    assert!(first.starts_with(b"%PDF-") && pages > 1);
}

#[test]
fn the_overlap_check_finds_overlapping_text() {
    let boxes = vec![
        (10.0, 10.0, 60.0, 20.0, "a".to_string()),
        (55.0, 12.0, 90.0, 22.0, "b".to_string()),
        (100.0, 10.0, 120.0, 20.0, "c".to_string()),
        (10.0, 20.0, 60.0, 30.0, "d".to_string()),
    ];
    assert_eq!(overlaps(&boxes), ["\"a\" overlaps \"b\"", "\"b\" overlaps \"d\""]);
}
