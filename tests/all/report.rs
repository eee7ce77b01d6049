//! Every sample customer's PDF, both editions, read back with lopdf.

use std::path::Path;
use std::process::Command;

use chrono::NaiveDate;
use lopdf::{Document, Object};
use valuereport::batch::{load_input, report_pdf, ReportOptions};
use valuereport::content::catalog::Catalogs;
use valuereport::content::format::Numbers;
use valuereport::content::report::Edition;
use valuereport::model::{Customer, Settings};
use valuereport::quarter::Quarter;
use valuereport::render::pdf::Paper;
use valuereport::value::compute;

const SECTION_KEYS: [&str; 6] = [
    "section.summary",
    "section.metrics",
    "section.stories",
    "section.roi",
    "section.projections",
    "section.recommendations",
];

/// The numbered section titles in the customer's language, from the built-in catalogs.
fn sections(customer: &Customer) -> Vec<String> {
    let catalogs = Catalogs::built_in();
    let catalog = catalogs.get(customer.account.locale);
    SECTION_KEYS
        .iter()
        .enumerate()
        .map(|(i, key)| format!("{}. {}", i + 1, catalog.text(key, &tera::Context::new()).unwrap()))
        .collect()
}

fn customers() -> (Vec<Customer>, Settings) {
    let loaded = load_input(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data")).unwrap();
    let customers: Vec<Customer> = loaded.customers.into_iter().map(|(_, c)| c.unwrap()).collect();
    assert_eq!(customers.len(), 10);
    (customers, loaded.settings.unwrap())
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn render(customer: &Customer, settings: &Settings, edition: Edition, paper: Paper) -> Vec<u8> {
    let catalogs = Catalogs::built_in();
    let options = ReportOptions {
        settings,
        catalogs: &catalogs,
        quarter: Quarter::last_ended_on_or_before(as_of()),
        as_of: as_of(),
        edition,
        paper,
        renewal: None,
        locale: None,
        allow_stale: false,
        pdf_standard: Default::default(),
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
            let sections = sections(customer);
            assert_eq!(titles, sections, "{name}: bookmarks");

            let texts = page_texts(&doc);
            let all = texts.concat();
            let mut from = 0;
            for section in &sections {
                let at = all[from..]
                    .find(&squash(section))
                    .unwrap_or_else(|| panic!("{name}: {section} missing or out of order"));
                from += at;
            }
            let catalogs = Catalogs::built_in();
            for (index, text) in texts.iter().enumerate() {
                let mut context = tera::Context::new();
                context.insert("page", &(index + 1));
                context.insert("pages", &count);
                let label = catalogs.get(customer.account.locale).text("document.page", &context).unwrap();
                assert!(text.contains(&squash(&label)), "{name}: page label {label}");
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
        let numbers = Numbers::for_tag(customer.account.locale_tag(), customer.account.currency);
        let roi = squash(&numbers.percent(summary.ttm.roi_exact()));
        assert!(all.contains(&roi), "{id}: ROI {roi}");
        // Axis titles and category labels of the charts, in the customer's language.
        let catalogs = Catalogs::built_in();
        let catalog = catalogs.get(customer.account.locale);
        let text = |key: &str, q: Quarter| {
            let mut context = tera::Context::new();
            context.insert("year", &q.year());
            context.insert("q", &q.number());
            squash(&catalog.text(key, &context).unwrap())
        };
        let x_title = text("metrics.x_title", summary.report_quarter);
        assert!(all.contains(&x_title), "{id}: x axis title {x_title}");
        let report_quarter = text("document.quarter", summary.report_quarter);
        assert!(all.matches(&report_quarter).count() >= 3, "{id}: quarter tick labels {report_quarter}");
        // Crowded axes thin their labels from the first one; the last is always shown.
        let last = text("document.quarter", summary.projection[3].quarter);
        assert!(all.contains(&last), "{id}: projected quarter label {last}");
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
    assert_eq!(text(b"Title"), "Value report — Acme Logistics, Inc. — Q3 2026");
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

/// Renders one sample customer (by id) in its own language.
fn render_id(id: &str, edition: Edition) -> String {
    let (customers, settings) = customers();
    let customer = customers.iter().find(|c| c.account.customer_id == id).unwrap();
    let bytes = render(customer, &settings, edition, Paper::A4);
    page_texts(&Document::load_mem(&bytes).unwrap()).concat()
}

#[test]
fn each_language_has_its_titles_money_percentages_and_quarters() {
    // (customer, section title, TTM value, ROI, report quarter) as a reader of that language writes them.
    let cases = [
        ("acme-logistics", "Executive summary", "$214,903.20", "286.5%", "Q3 2026"),
        ("DIN-ES-0042", "Resumen Ejecutivo", "161.445,10 €", "322,9 %", "T3 2026"),
        ("sinar-maju", "Ringkasan Eksekutif", "RM278,466.00", "206.3%", "S3 2026"),
        ("sakura-seimitsu", "エグゼクティブサマリー", "￥16,669,000", "185.2%", "2026年第3四半期"),
    ];
    for (id, title, value, roi, quarter) in cases {
        let text = render_id(id, Edition::Team);
        for expected in [title, value, roi, quarter] {
            assert!(text.contains(&squash(expected)), "{id}: {expected:?} not in the report");
        }
    }
}

#[test]
fn no_untranslated_key_placeholder_or_english_label_in_any_sample_report() {
    let (customers, settings) = customers();
    let catalogs = Catalogs::built_in();
    let english = catalogs.get(valuereport::model::Locale::En);
    let section_names: Vec<String> =
        SECTION_KEYS.iter().map(|k| squash(&english.text(k, &tera::Context::new()).unwrap())).collect();
    for customer in &customers {
        for edition in [Edition::Executive, Edition::Team] {
            let bytes = render(customer, &settings, edition, Paper::A4);
            let text = page_texts(&Document::load_mem(&bytes).unwrap()).concat();
            let id = &customer.account.customer_id;
            for marker in ["{{", "}}", "{%", "%}", "section.", "summary.hero", "metrics.col_", "roi.row_", "document."]
            {
                assert!(!text.contains(marker), "{id}: {marker:?} in the report");
            }
            if customer.account.locale != valuereport::model::Locale::En {
                for english in &section_names {
                    assert!(!text.contains(english.as_str()), "{id}: English {english:?} in a translated report");
                }
                for phrase in ["Page1of", "Quarter", "Realized", "Recommended", "Valuereport"] {
                    assert!(!text.contains(phrase), "{id}: English {phrase:?} in a translated report");
                }
            }
        }
    }
}
