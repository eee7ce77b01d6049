//! Every sample customer's PDF, both editions, read back with lopdf.

use std::path::Path;
use std::process::Command;

use chrono::NaiveDate;
use lopdf::{Document, Object};
use valuereport::batch::{load_input, report_pdf, ReportOptions};
use valuereport::content::catalog::Catalog;
use valuereport::content::format::percent;
use valuereport::content::report::Edition;
use valuereport::model::{Customer, Settings};
use valuereport::quarter::Quarter;
use valuereport::render::pdf::Paper;
use valuereport::value::compute;

const SECTIONS: [&str; 6] = [
    "1. Executive summary",
    "2. Key metrics and trends",
    "3. Success stories and milestones",
    "4. ROI calculation and assumptions",
    "5. Future value projections",
    "6. Recommendations",
];

fn customers() -> (Vec<Customer>, Settings) {
    let loaded = load_input(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data")).unwrap();
    let customers: Vec<Customer> = loaded.customers.into_iter().map(|(_, c)| c.unwrap()).collect();
    assert_eq!(customers.len(), 8);
    (customers, loaded.settings.unwrap())
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn render(customer: &Customer, settings: &Settings, edition: Edition, paper: Paper) -> Vec<u8> {
    let catalog = Catalog::built_in();
    let options = ReportOptions {
        settings,
        catalog: &catalog,
        quarter: Quarter::last_ended_on_or_before(as_of()),
        as_of: as_of(),
        edition,
        paper,
        since: None,
    };
    report_pdf(customer, &options).unwrap().bytes
}

/// Text of all pages, with whitespace removed (extraction splits runs and lines unpredictably).
fn page_texts(doc: &Document) -> Vec<String> {
    doc.get_pages()
        .keys()
        .map(|&n| doc.extract_text(&[n]).unwrap().chars().filter(|c| !c.is_whitespace()).collect())
        .collect()
}

fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn every_sample_report_has_six_bookmarked_sections_in_order_and_fits_its_edition() {
    let (customers, settings) = customers();
    for (customer, paper) in customers.iter().flat_map(|c| [(c, Paper::A4), (c, Paper::Letter)]) {
        for (edition, pages) in [(Edition::Executive, 1..=2), (Edition::Team, 2..=5)] {
            let name = format!("{} {} {paper:?}", customer.account.customer_id, edition.as_str());
            let bytes = render(customer, &settings, edition, paper);
            let doc = Document::load_mem(&bytes).unwrap();
            let count = doc.get_pages().len();
            assert!(pages.contains(&count), "{name}: {count} pages");

            let toc = doc.get_toc().unwrap();
            let titles: Vec<String> = toc.toc.iter().map(|t| t.title.clone()).collect();
            assert_eq!(titles, SECTIONS, "{name}: bookmarks");

            let texts = page_texts(&doc);
            let all = texts.concat();
            let mut from = 0;
            for section in SECTIONS {
                let at = all[from..]
                    .find(&squash(section))
                    .unwrap_or_else(|| panic!("{name}: {section} missing or out of order"));
                from += at;
            }
            for (index, text) in texts.iter().enumerate() {
                assert!(
                    text.contains(&squash(&format!("Page {} of {count}", index + 1))),
                    "{name}: page label {index}"
                );
            }
        }
    }
}

#[test]
fn name_roi_and_axis_labels_are_real_text() {
    let (customers, settings) = customers();
    for customer in &customers {
        let summary = compute(customer, Quarter::last_ended_on_or_before(as_of())).unwrap();
        let bytes = render(customer, &settings, Edition::Team, Paper::A4);
        let doc = Document::load_mem(&bytes).unwrap();
        let all = page_texts(&doc).concat();
        let id = &customer.account.customer_id;
        assert!(all.contains(&squash(&customer.account.customer_name)), "{id}: customer name");
        assert!(all.contains(&squash(&percent(summary.ttm.roi_pct))), "{id}: ROI {}", percent(summary.ttm.roi_pct));
        // Axis titles and category labels of the charts.
        assert!(all.contains("Quarter"), "{id}: x axis title");
        let report_quarter = summary.report_quarter.to_string();
        assert!(all.matches(&report_quarter).count() >= 3, "{id}: quarter tick labels");
        let next = summary.projection[0].quarter.to_string();
        assert!(all.contains(&next), "{id}: projected quarter label {next}");
    }
}

#[test]
fn fonts_are_embedded_and_subset_and_there_are_no_images() {
    let (customers, settings) = customers();
    for customer in &customers {
        let bytes = render(customer, &settings, Edition::Team, Paper::A4);
        let doc = Document::load_mem(&bytes).unwrap();
        let id = &customer.account.customer_id;
        let mut fonts = 0;
        for object in doc.objects.values() {
            let dict = match object {
                Object::Dictionary(dict) => dict,
                Object::Stream(stream) => &stream.dict,
                _ => continue,
            };
            let kind = dict.get(b"Type").and_then(Object::as_name).unwrap_or_default();
            let subtype = dict.get(b"Subtype").and_then(Object::as_name).unwrap_or_default();
            assert_ne!(subtype, b"Image", "{id}: image XObject found");
            if kind == b"FontDescriptor" {
                fonts += 1;
                let name =
                    String::from_utf8_lossy(dict.get(b"FontName").and_then(Object::as_name).unwrap()).into_owned();
                let (tag, _) = name.split_once('+').unwrap_or_else(|| panic!("{id}: {name} is not subset-tagged"));
                assert!(tag.len() == 6 && tag.chars().all(|c| c.is_ascii_uppercase()), "{id}: {name}");
                assert!(
                    dict.has(b"FontFile2") || dict.has(b"FontFile3") || dict.has(b"FontFile"),
                    "{id}: {name} is not embedded"
                );
            }
        }
        assert!(fonts >= 2, "{id}: {fonts} fonts");
        let japanese = customer.account.customer_name.chars().any(|c| c as u32 > 0x3000);
        let limit = if japanese { 400_000 } else { 150_000 };
        assert!(bytes.len() <= limit, "{id}: {} bytes", bytes.len());
    }
}

#[test]
fn the_same_inputs_give_byte_identical_pdfs() {
    let (customers, settings) = customers();
    for customer in [&customers[0], &customers[4]] {
        for edition in [Edition::Executive, Edition::Team] {
            let first = render(customer, &settings, edition, Paper::A4);
            let second = render(customer, &settings, edition, Paper::A4);
            assert!(first == second, "{} {} differs", customer.account.customer_id, edition.as_str());
        }
    }
    // And across processes, through the command line.
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str| {
        let out = dir.path().join(name);
        let status = Command::new(env!("CARGO_BIN_EXE_valuereport"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["report", "sample-data/apac/sakura-seimitsu", "--as-of", "2026-11-22", "--out"])
            .arg(&out)
            .status()
            .unwrap();
        assert!(status.success());
        std::fs::read(out).unwrap()
    };
    assert!(run("a.pdf") == run("b.pdf"));
}

#[test]
fn metadata_comes_from_the_data_not_the_clock() {
    let (customers, settings) = customers();
    let bytes = render(&customers[0], &settings, Edition::Executive, Paper::A4);
    let doc = Document::load_mem(&bytes).unwrap();
    let info = doc.trailer.get(b"Info").and_then(Object::as_reference).unwrap();
    let info = doc.get_dictionary(info).unwrap();
    let text = |key: &[u8]| -> String {
        match info.get(key).unwrap() {
            Object::String(bytes, _) => {
                lopdf::decode_text_string(&Object::String(bytes.clone(), lopdf::StringFormat::Literal))
                    .unwrap_or_else(|_| String::from_utf8_lossy(bytes).into_owned())
            }
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(text(b"Title"), "Value report — Acme Logistics, Inc. — 2026-Q3");
    assert_eq!(text(b"Author"), "Northwind Analytics");
    assert!(text(b"CreationDate").starts_with("D:20261122"), "{}", text(b"CreationDate"));
}

#[test]
fn letter_paper_and_custom_templates() {
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    let built_in = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/en.toml")).unwrap();
    let custom = built_in.replace("summary = \"Executive summary\"", "summary = \"At a glance\"");
    assert_ne!(custom, built_in);
    std::fs::write(templates.join("en.toml"), custom).unwrap();
    let out = dir.path().join("acme.pdf");
    let output = Command::new(env!("CARGO_BIN_EXE_valuereport"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["report", "sample-data/amer/acme-logistics", "--quarter", "2026-Q3", "--audience", "executive"])
        .args(["--paper", "letter", "--templates"])
        .arg(&templates)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let doc = Document::load_mem(&std::fs::read(&out).unwrap()).unwrap();
    let page = doc.get_pages()[&1];
    let media_box = doc.get_dictionary(page).unwrap().get(b"MediaBox").unwrap().as_array().unwrap().clone();
    let width = media_box[2].as_float().unwrap();
    assert!((width - 612.0).abs() < 0.5, "{width}");
    let toc = doc.get_toc().unwrap();
    assert_eq!(toc.toc[0].title, "1. At a glance");

    // A template folder missing a key is a usage error that names it.
    std::fs::write(templates.join("en.toml"), "[document]\ntitle = \"x\"\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_valuereport"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["report", "sample-data/amer/acme-logistics", "--templates"])
        .arg(&templates)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is missing"));
}

#[test]
fn customer_text_that_looks_like_a_template_prints_literally() {
    let (mut customers, settings) = customers();
    let customer = &mut customers[0];
    customer.account.customer_name = "Acme {{ customer }} {% if true %}x{% endif %}".into();
    customer.goals[0].title = "{{ 7 * 6 }} hours".into();
    let bytes = render(customer, &settings, Edition::Team, Paper::A4);
    let all = page_texts(&Document::load_mem(&bytes).unwrap()).concat();
    assert!(all.contains(&squash("Acme {{ customer }} {% if true %}x{% endif %}")));
    assert!(all.contains(&squash("{{ 7 * 6 }} hours")));
    assert!(!all.contains("42hours"));
}
