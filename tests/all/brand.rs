//! The vendor's logo (issue #14, item 7): `logo = "logo.svg"` in valuereport.toml, drawn as vector
//! paths in the title block and the running header, sized to fit with its aspect kept, never over
//! text; resolved next to the settings file and never read from outside the input folder; a
//! missing or unusable logo is a configuration error.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use valuereport::content::catalog::Catalogs;
use valuereport::content::report::{build, Edition, ReportInput};
use valuereport::load::{load_customer, load_settings};
use valuereport::model::{Customer, Settings};
use valuereport::quarter::Quarter;
use valuereport::render::draw::TextBox;
use valuereport::render::fonts::FontSet;
use valuereport::render::pdf::{write, Document, Paper};
use valuereport::render::report::lay_out;
use valuereport::value::compute;

mod support;

use support::files::copy_dir;

fn sample(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data").join(path)
}

fn document(customer: &Customer, settings: &Settings, edition: Edition, paper: Paper) -> Document {
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let summary = compute(customer, Quarter::last_ended_on_or_before(as_of)).unwrap();
    let catalogs = Catalogs::built_in();
    let content = build(&ReportInput {
        customer,
        summary: &summary,
        settings,
        as_of,
        edition,
        catalog: catalogs.get(customer.account.locale),
        locale: customer.account.locale,
        renewal: None,
    })
    .unwrap();
    lay_out(content, paper, FontSet::shared())
}

fn logos(boxes: &[TextBox]) -> Vec<&TextBox> {
    boxes.iter().filter(|b| b.text == "logo").collect()
}

const SAMPLES: [&str; 5] = [
    "amer/acme-logistics",
    "amer/grupo-alimentos-del-valle",
    "apac/sinar-maju-logistik",
    "apac/hoshino-clinic-group",
    "emea/distribuciones-ibericas",
];

#[test]
fn the_sample_logo_is_in_the_title_block_and_every_running_header_without_touching_text() {
    let settings = load_settings(&sample("")).unwrap();
    assert_eq!(settings.logo.as_deref(), Some("logo.svg"));
    assert!(settings.logo_image.is_some());
    for base in SAMPLES {
        let customer = load_customer(&sample(base)).unwrap();
        for edition in [Edition::Executive, Edition::Team] {
            for paper in [Paper::A4, Paper::Letter] {
                let doc = document(&customer, &settings, edition, paper);
                let (width, height) = paper.size();
                for (n, boxes) in doc.text_boxes.iter().enumerate() {
                    let label = format!("{base} {edition:?} {paper:?} page {}", n + 1);
                    let found = logos(boxes);
                    // Page 1: the header's and the title block's; later pages: the header's.
                    assert_eq!(found.len(), if n == 0 { 2 } else { 1 }, "{label}");
                    for logo in &found {
                        assert!(logo.x0 >= 0.0 && logo.x1 <= width && logo.y0 >= 0.0 && logo.y1 <= height, "{label}");
                        // The sample is 160 × 48: the aspect ratio is kept.
                        let aspect = (logo.x1 - logo.x0) / (logo.y1 - logo.y0);
                        assert!((aspect - 160.0 / 48.0).abs() < 0.01, "{label}: {aspect}");
                        let over: Vec<&TextBox> = boxes.iter().filter(|b| b.text != "logo" && b.overlaps(logo)).collect();
                        assert!(over.is_empty(), "{label}: logo over text {over:?}");
                    }
                    let header = found.iter().find(|b| b.y0 > height - 60.0).expect("a logo in the running header");
                    assert!(header.y1 - header.y0 <= 16.01 && header.x1 - header.x0 <= 72.01, "{label}: {header:?}");
                    if n == 0 {
                        let title = found.iter().find(|b| b.y0 < height - 60.0).expect("a logo in the title block");
                        assert!(title.x1 - title.x0 <= 120.01 && title.y1 - title.y0 <= 44.01, "{label}: {title:?}");
                        // At the right edge of the text column, above the first section.
                        assert!((title.x1 - (width - 50.0)).abs() < 60.0, "{label}: {title:?}");
                    }
                }
            }
        }
    }
}

#[test]
fn a_long_customer_name_gives_way_to_the_logo_and_the_pdf_stays_deterministic() {
    let settings = load_settings(&sample("")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&sample("amer/acme-logistics"), dir.path());
    let account = dir.path().join("account.csv");
    let long = "Internationale Gesellschaft für Logistik, Spedition und Lagerhaltung Hamburg-Altona-Wilhelmsburg GmbH & Co. KG";
    let text = fs::read_to_string(&account).unwrap().replace("\"Acme Logistics, Inc.\"", &format!("\"{long}\""));
    fs::write(&account, text).unwrap();
    let customer = load_customer(dir.path()).unwrap();
    assert_eq!(customer.account.customer_name, long);
    let doc = document(&customer, &settings, Edition::Team, Paper::A4);
    for (n, boxes) in doc.text_boxes.iter().enumerate() {
        let collisions: Vec<(&TextBox, &TextBox)> = boxes
            .iter()
            .enumerate()
            .flat_map(|(i, a)| boxes[i + 1..].iter().filter(|b| a.overlaps(b)).map(move |b| (a, b)))
            .collect();
        assert!(collisions.is_empty(), "page {}: {collisions:#?}", n + 1);
    }
    let first = write(document(&customer, &settings, Edition::Executive, Paper::A4), FontSet::shared());
    let again = write(document(&customer, &settings, Edition::Executive, Paper::A4), FontSet::shared());
    assert_eq!(first, again);
    // Drawn as vector paths: the PDF holds no image.
    assert!(!first.windows(13).any(|w| w == b"/Subtype /Image" || w == b"/Subtype/Imag"));
}

#[test]
fn without_a_logo_the_reports_are_as_before() {
    let customer = load_customer(&sample("amer/acme-logistics")).unwrap();
    let doc = document(&customer, &Settings::default(), Edition::Team, Paper::A4);
    assert!(doc.text_boxes.iter().all(|boxes| logos(boxes).is_empty()));
}

/// A copy of the sample data with `logo` set to `value` (and the files given written first).
fn input_with_logo(value: &str, files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let input = root.path().join("input");
    copy_dir(&sample("amer/acme-logistics"), &input.join("acme"));
    for (name, bytes) in files {
        let path = root.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }
    fs::write(input.join("valuereport.toml"), format!("vendor_name = \"N\"\nlogo = {value:?}\n")).unwrap();
    root
}

#[test]
fn a_missing_outside_or_unusable_logo_is_a_configuration_error() {
    let svg = fs::read(sample("logo.svg")).unwrap();
    let cases: [(&str, Vec<(&str, &[u8])>, &str); 5] = [
        ("logo.svg", vec![], "does not exist; the path is relative to valuereport.toml"),
        ("../logo.svg", vec![("logo.svg", &svg)], "outside the input folder"),
        ("logo.png", vec![("input/logo.png", b"\x89PNG\r\n")], "expected an SVG file"),
        ("logo.svg", vec![("input/logo.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\"><text>N</text></svg>")], "outlines"),
        ("logo.svg", vec![("input/logo.svg", b"not svg")], "not a valid SVG"),
    ];
    for (value, files, why) in cases {
        let root = input_with_logo(value, &files);
        let input = root.path().join("input");
        let error = load_settings(&input).unwrap_err().to_string();
        let settings_file = input.join("valuereport.toml");
        assert!(error.starts_with(&format!("{}:2: invalid settings: logo = {value:?}", settings_file.display())), "{error}");
        assert!(error.contains(why), "{value}: {error}");

        // The command line: exit 2 (a configuration error), the message printed.
        let output = Command::new(env!("CARGO_BIN_EXE_valuereport")).arg("validate").arg(&input).output().unwrap();
        let printed = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        assert_eq!(output.status.code(), Some(2), "{value}: {printed}");
        assert!(printed.contains(why), "{printed}");
    }
    // Inside the folder, in a subfolder: fine.
    let root = input_with_logo("brand/logo.svg", &[("input/brand/logo.svg", &svg)]);
    assert!(load_settings(&root.path().join("input")).unwrap().logo_image.is_some());
}
