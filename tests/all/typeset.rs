//! Typesetting on edge inputs (issue #14): names in every script and of any length, huge and tiny
//! amounts. Checked from the laid-out text boxes (nothing outside the page, no two lines of text
//! on top of each other) and from the PDF's text layer (each input string in logical order).

use std::fs;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use valuereport::content::catalog::Catalogs;
use valuereport::content::report::{build, Edition, ReportInput};
use valuereport::load::load_customer;
use valuereport::model::{Customer, Settings};
use valuereport::quarter::Quarter;
use valuereport::render::draw::TextBox;
use valuereport::render::fonts::FontSet;
use valuereport::render::pdf::{write, Document, Paper};
use valuereport::render::report::lay_out;
use valuereport::value::compute;

mod support;

use support::files::{copy_dir, pdf_text};

fn sample(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data").join(path)
}

/// A copy of a sample customer with some account fields replaced (by column name) and every
/// value per unit multiplied by `scale`.
fn edited(base: &str, dir: &Path, account: &[(&str, &str)], goal_titles: &[&str], scale: u64) -> Customer {
    copy_dir(&sample(base), dir);
    let edit = |file: &str, f: &dyn Fn(&csv::StringRecord, &mut Vec<String>, usize)| {
        let path = dir.join(file);
        let mut reader = csv::Reader::from_path(&path).unwrap();
        let headers = reader.headers().unwrap().clone();
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(&headers).unwrap();
        for (index, record) in reader.records().enumerate() {
            let mut fields: Vec<String> = record.unwrap().iter().map(str::to_string).collect();
            f(&headers, &mut fields, index);
            writer.write_record(&fields).unwrap();
        }
        fs::write(&path, writer.into_inner().unwrap()).unwrap();
    };
    edit("account.csv", &|headers, fields, _| {
        for (name, value) in account {
            let column = headers.iter().position(|h| h == *name).unwrap();
            fields[column] = value.to_string();
        }
    });
    edit("goals.csv", &|headers, fields, index| {
        if let Some(title) = goal_titles.get(index) {
            fields[headers.iter().position(|h| h == "title").unwrap()] = title.to_string();
        }
        let column = headers.iter().position(|h| h == "value_per_unit").unwrap();
        if scale != 1 {
            let value: rust_decimal::Decimal = fields[column].parse().unwrap();
            fields[column] = (value * rust_decimal::Decimal::from(scale)).to_string();
        }
    });
    load_customer(dir).unwrap()
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn document(customer: &Customer, edition: Edition, paper: Paper) -> Document {
    let summary = compute(customer, Quarter::last_ended_on_or_before(as_of())).unwrap();
    let catalogs = Catalogs::built_in();
    let settings = Settings::default();
    let content = build(&ReportInput {
        customer,
        summary: &summary,
        settings: &settings,
        as_of: as_of(),
        edition,
        catalog: catalogs.get(customer.account.locale),
        locale: customer.account.locale,
        renewal: None,
    })
    .unwrap();
    lay_out(content, paper, FontSet::shared())
}

/// Every text box inside the page and no two overlapping.
fn assert_no_overflow_or_collision(label: &str, doc: &Document) {
    let (width, height) = doc.paper.size();
    for (page, boxes) in doc.text_boxes.iter().enumerate() {
        for b in boxes {
            assert!(
                b.x0 >= 0.0 && b.x1 <= width && b.y0 >= 0.0 && b.y1 <= height,
                "{label}, page {}: {:?} is outside the page",
                page + 1,
                b
            );
        }
        let collisions: Vec<(&TextBox, &TextBox)> = boxes
            .iter()
            .enumerate()
            .flat_map(|(i, a)| boxes[i + 1..].iter().filter(|b| a.overlaps(b)).map(move |b| (a, b)))
            .collect();
        assert!(collisions.is_empty(), "{label}, page {}: text on text: {collisions:#?}", page + 1);
    }
}

fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

const LONG_NAME: &str =
    "Internationale Gesellschaft für Logistik, Spedition und Lagerhaltung Hamburg-Altona-Wilhelmsburg GmbH & Co. KG";

struct Case {
    label: &'static str,
    base: &'static str,
    account: Vec<(&'static str, &'static str)>,
    goals: Vec<&'static str>,
    scale: u64,
}

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for (locale, base) in [
        ("en", "amer/acme-logistics"),
        ("es", "amer/grupo-alimentos-del-valle"),
        ("ms", "apac/sinar-maju-logistik"),
        ("ja", "apac/sakura-seimitsu"),
    ] {
        cases.push(Case {
            label: "long name",
            base,
            account: vec![("customer_name", LONG_NAME), ("locale", locale)],
            goals: vec![
                "Cut the monthly consolidated reporting effort of the finance and dispatch teams from forty hours to under fifteen hours per month",
            ],
            scale: 1,
        });
    }
    cases.push(Case {
        label: "right to left and emoji",
        base: "amer/acme-logistics",
        account: vec![("customer_name", "שלום עולם בע״מ 🚀 شركة الأمل"), ("executive_sponsor", "דנה רוס, CFO")],
        goals: vec!["הפחתת שעות הדיווח החודשי 📉", "خفض معدل أخطاء الطلبات"],
        scale: 1,
    });
    cases.push(Case {
        label: "Thai, Korean, Devanagari",
        base: "amer/acme-logistics",
        account: vec![("customer_name", "บริษัท ไทยพัฒนา จำกัด · 한국전자 주식회사 · नमस्ते कंपनी")],
        goals: vec!["ลดเวลาการรายงานรายเดือน", "월간 보고 시간 단축", "मासिक रिपोर्टिंग समय घटाएँ"],
        scale: 1,
    });
    cases.push(Case {
        label: "huge JPY",
        base: "apac/sakura-seimitsu",
        account: vec![("locale", "en")],
        goals: vec![],
        scale: 100_000,
    });
    cases.push(Case {
        label: "huge JPY in Japanese",
        base: "apac/sakura-seimitsu",
        account: vec![],
        goals: vec![],
        scale: 10_000,
    });
    cases
}

#[test]
fn edge_customers_never_overflow_or_collide_and_read_back_in_logical_order() {
    let root = tempfile::tempdir().unwrap();
    for (index, case) in cases().into_iter().enumerate() {
        let dir = root.path().join(format!("c{index}"));
        let customer = edited(case.base, &dir, &case.account, &case.goals, case.scale);
        for edition in [Edition::Executive, Edition::Team] {
            for paper in [Paper::A4, Paper::Letter] {
                let label = format!("{} ({}, {edition:?}, {paper:?})", case.label, case.base);
                let doc = document(&customer, edition, paper);
                assert_no_overflow_or_collision(&label, &doc);
                assert!(doc.missing.is_empty(), "{label}: no face for {:?}", doc.missing);
                if paper == Paper::Letter {
                    continue;
                }
                let bytes = write(doc, FontSet::shared());
                let pages = pdf_text(&bytes);
                let name = squash(&customer.account.customer_name);
                assert!(pages[0].contains(&name), "{label}: {name} not in page 1: {}", pages[0]);
                if edition == Edition::Team {
                    let all: String = pages.concat();
                    for title in &case.goals {
                        assert!(all.contains(&squash(title)), "{label}: {title} not in the text layer");
                    }
                }
            }
        }
    }
}

#[test]
fn the_running_header_shortens_a_long_name_at_a_word_boundary() {
    let root = tempfile::tempdir().unwrap();
    let customer = edited("amer/acme-logistics", root.path(), &[("customer_name", LONG_NAME)], &[], 1);
    let doc = document(&customer, Edition::Team, Paper::A4);
    let header = doc.text_boxes[1].iter().find(|b| b.text.starts_with("Internationale")).unwrap();
    assert!(header.text.ends_with('…'), "{}", header.text);
    let kept = header.text.trim_end_matches('…');
    assert!(LONG_NAME.starts_with(kept) && LONG_NAME[kept.len()..].starts_with(' '), "{}", header.text);
    let right = doc.text_boxes[1].iter().find(|b| b.text.contains("Q3 2026") && b.y0 > 780.0).unwrap();
    assert!(header.x1 + 6.0 <= right.x0, "{header:?} runs into {right:?}");
    // Whole, the name and the right-hand text would not share the line.
    use valuereport::render::fonts::Weight;
    let fonts = FontSet::shared();
    assert!(fonts.width(LONG_NAME, Weight::Bold, 7.5) + fonts.width(&right.text, Weight::Regular, 7.5) > 495.28);
}

#[test]
fn kpi_amounts_share_one_baseline() {
    let root = tempfile::tempdir().unwrap();
    // Card titles of different lengths wrap to different line counts.
    let customer = edited(
        "amer/acme-logistics",
        root.path(),
        &[],
        &["Cut monthly reporting", "Reduce the order error rate across all fourteen depots from 5% to 1.5%"],
        1,
    );
    let doc = document(&customer, Edition::Team, Paper::A4);
    // KPI amounts are set at 9 to 17 pt (the headline figure larger, table cells smaller).
    let cards: Vec<&TextBox> = doc.text_boxes[0]
        .iter()
        .filter(|b| b.text.starts_with('$') && !b.text.contains(' ') && (9.0..=17.01).contains(&(b.y1 - b.y0)))
        .collect();
    assert!(cards.len() >= 3, "{cards:?}");
    assert!(cards.windows(2).all(|w| (w[0].y0 - w[1].y0).abs() < 0.01), "{cards:?}");
}

#[test]
fn a_character_no_font_has_is_a_warning_naming_customer_file_and_character_and_reads_back_as_itself() {
    use valuereport::batch::{report_pdf, ReportOptions};
    let root = tempfile::tempdir().unwrap();
    // Khmer is in none of the embedded faces.
    let name = "Acme ក្រុមហ៊ុន Logistics";
    let customer = edited("amer/acme-logistics", root.path(), &[("customer_name", name)], &[], 1);
    let catalogs = Catalogs::built_in();
    let settings = Settings::default();
    let options = ReportOptions {
        settings: &settings,
        catalogs: &catalogs,
        quarter: Quarter::last_ended_on_or_before(as_of()),
        as_of: as_of(),
        edition: Edition::Executive,
        paper: Paper::A4,
        renewal: None,
        locale: None,
        allow_stale: false,
        pdf_standard: Default::default(),
    };
    let rendered = report_pdf(&customer, &options).unwrap();
    let warning = rendered.warnings.iter().find(|w| w.contains("'ក'")).expect("a warning for ក");
    assert!(
        warning.contains("acme-logistics") && warning.contains("account.csv") && warning.contains("U+1780"),
        "{warning}"
    );
    let pages = pdf_text(&rendered.bytes);
    assert!(pages[0].contains(&squash(name)), "{}", pages[0]);
}

#[test]
fn without_a_vendor_name_the_footer_names_no_preparer() {
    let root = tempfile::tempdir().unwrap();
    let customer = edited("amer/acme-logistics", root.path(), &[], &[], 1);
    let doc = document(&customer, Edition::Executive, Paper::A4);
    let footer = doc.text_boxes[0].iter().find(|b| b.y1 < 50.0 && b.text.contains("Acme")).unwrap();
    assert!(!footer.text.contains("Prepared by") && !footer.text.contains("valuereport"), "{}", footer.text);
    assert!(footer.text.contains("figures as of"), "{}", footer.text);
}
