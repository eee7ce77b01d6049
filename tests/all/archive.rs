//! Every sample report is an archival PDF that carries its own computation: PDF 1.7, XMP metadata
//! that parses and agrees with the Info dictionary, an sRGB output intent, the report's language,
//! and attached files — `explain --format json` exactly as the command prints it, and the input
//! files byte for byte — listed in the catalog's /AF. Still byte-identical across runs.

use std::path::Path;
use std::process::Command;

use chrono::NaiveDate;
use lopdf::{Dictionary, Document, Object};
use valuereport::batch::{load_input, report_pdf, ReportOptions};
use valuereport::content::catalog::Catalogs;
use valuereport::content::report::Edition;
use valuereport::model::{Customer, Settings};
use valuereport::quarter::Quarter;
use valuereport::render::archive::PdfStandard;
use valuereport::render::pdf::Paper;

const BIN: &str = env!("CARGO_BIN_EXE_valuereport");

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn customers() -> Vec<(std::path::PathBuf, Customer, Settings)> {
    let loaded = load_input(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data")).unwrap();
    let settings = loaded.settings.unwrap();
    loaded.customers.into_iter().map(|(dir, c)| (dir, c.unwrap(), settings.clone())).collect()
}

/// The report of `customer` as of [`as_of`], A4, in `edition` and `standard` (shared by other tests).
pub(crate) fn render(customer: &Customer, settings: &Settings, edition: Edition, standard: PdfStandard) -> Vec<u8> {
    let catalogs = Catalogs::built_in();
    let options = ReportOptions {
        settings,
        catalogs: &catalogs,
        quarter: Quarter::last_ended_on_or_before(as_of()),
        as_of: as_of(),
        edition,
        paper: Paper::A4,
        renewal: None,
        locale: None,
        allow_stale: false,
        pdf_standard: standard,
    };
    report_pdf(customer, &options).unwrap().bytes
}

fn dict<'a>(doc: &'a Document, object: &'a Object) -> &'a Dictionary {
    match object {
        Object::Reference(id) => doc.get_dictionary(*id).unwrap(),
        Object::Dictionary(dict) => dict,
        other => panic!("not a dictionary: {other:?}"),
    }
}

fn text(object: &Object) -> String {
    let bytes = object.as_str().unwrap();
    match bytes.strip_prefix(&[0xFE, 0xFF]) {
        Some(utf16) => {
            String::from_utf16(&utf16.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect::<Vec<_>>()).unwrap()
        }
        None => String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

/// Attached files by name: (MIME type, relationship, description, bytes).
fn attachments(doc: &Document) -> Vec<(String, String, String, String, Vec<u8>)> {
    let catalog = doc.catalog().unwrap();
    catalog
        .get(b"AF")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|spec| {
            let spec = dict(doc, spec);
            let file = spec.get(b"EF").unwrap().as_dict().unwrap().get(b"F").unwrap().as_reference().unwrap();
            let stream = doc.get_object(file).unwrap().as_stream().unwrap().clone();
            let bytes = stream.decompressed_content().unwrap_or_else(|_| stream.content.clone());
            stream.dict.get(b"Params").unwrap().as_dict().unwrap().get(b"ModDate").unwrap();
            (
                text(spec.get(b"UF").unwrap()),
                String::from_utf8(stream.dict.get(b"Subtype").unwrap().as_name().unwrap().to_vec()).unwrap(),
                String::from_utf8(spec.get(b"AFRelationship").unwrap().as_name().unwrap().to_vec()).unwrap(),
                text(spec.get(b"Desc").unwrap()),
                bytes,
            )
        })
        .collect()
}

#[test]
fn every_sample_report_is_archival_and_carries_its_computation_and_inputs() {
    for (dir, customer, settings) in customers() {
        let bytes = render(&customer, &settings, Edition::Team, PdfStandard::Ua1A3a);
        assert!(bytes.starts_with(b"%PDF-1.7\n%"), "{}", dir.display());
        assert!(bytes[10..14].iter().all(|&b| b >= 128), "the binary comment PDF/A asks for");
        let doc = Document::load_mem(&bytes).unwrap();
        let catalog = doc.catalog().unwrap();
        assert_eq!(text(catalog.get(b"Lang").unwrap()), customer.account.locale_tag().to_string());
        assert_eq!(
            dict(&doc, catalog.get(b"ViewerPreferences").unwrap()).get(b"DisplayDocTitle").unwrap(),
            &Object::Boolean(true)
        );
        let intents = catalog.get(b"OutputIntents").unwrap().as_array().unwrap();
        let intent = dict(&doc, &intents[0]);
        assert_eq!(intent.get(b"S").unwrap().as_name().unwrap(), b"GTS_PDFA1");
        assert!(doc.trailer.get(b"ID").is_ok());

        // XMP parses, declares PDF/A-3 and agrees with the Info dictionary.
        let metadata = catalog.get(b"Metadata").unwrap().as_reference().unwrap();
        let xmp = doc.get_object(metadata).unwrap().as_stream().unwrap();
        assert!(xmp.dict.get(b"Filter").is_err(), "metadata left uncompressed");
        let xmp = String::from_utf8(xmp.content.clone()).unwrap();
        let xml = roxmltree::Document::parse(&xmp).unwrap();
        let value = |name: &str| xml.descendants().find(|n| n.tag_name().name() == name).and_then(|n| n.text());
        assert_eq!(value("part"), Some("3"));
        // The pages are tagged (tests/tagged.rs): conformance A, and PDF/UA-1.
        assert_eq!(value("conformance"), Some("A"));
        let info = dict(&doc, doc.trailer.get(b"Info").unwrap());
        let title = xml.descendants().find(|n| n.tag_name().name() == "title").unwrap();
        let xmp_title = title.descendants().find_map(|n| n.text().filter(|t| !t.trim().is_empty())).unwrap();
        assert_eq!(xmp_title, text(info.get(b"Title").unwrap()));
        assert_eq!(value("CreateDate"), Some("2026-11-22T00:00:00Z"));
        assert_eq!(text(info.get(b"CreationDate").unwrap()), "D:20261122000000Z");

        // The computation, exactly as the command prints it; the inputs byte for byte.
        let attached = attachments(&doc);
        let (name, mime, relationship, description, json) = &attached[0];
        assert_eq!((name.as_str(), mime.as_str(), relationship.as_str()), ("explain.json", "application/json", "Data"));
        assert!(description.contains(&customer.account.customer_id), "{description}");
        let explain = Command::new(BIN)
            .args(["explain", dir.to_str().unwrap(), "--quarter", "2026-Q3", "--format", "json"])
            .output()
            .unwrap();
        assert_eq!(explain.status.code(), Some(0));
        assert_eq!(json, &explain.stdout, "{}", dir.display());
        let mut sources: Vec<&str> = attached[1..].iter().map(|a| a.0.as_str()).collect();
        sources.sort_unstable();
        let mut expected: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".csv"))
            .collect();
        expected.push("valuereport.toml".into());
        expected.sort_unstable();
        assert_eq!(sources, expected, "{}", dir.display());
        for (name, mime, relationship, _, bytes) in &attached[1..] {
            assert_eq!(relationship, "Source");
            let on_disk = if name == "valuereport.toml" {
                assert_eq!(mime, "application/toml");
                std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data").join(name)).unwrap()
            } else {
                assert_eq!(mime, "text/csv");
                std::fs::read(dir.join(name)).unwrap()
            };
            assert_eq!(bytes, &on_disk, "{name}");
        }
    }
}

#[test]
fn archival_reports_stay_byte_identical_and_a_plain_pdf_has_none_of_it() {
    let (_, customer, settings) = customers().swap_remove(0);
    let first = render(&customer, &settings, Edition::Executive, PdfStandard::Ua1A3a);
    assert_eq!(first, render(&customer, &settings, Edition::Executive, PdfStandard::Ua1A3a));
    let plain = render(&customer, &settings, Edition::Executive, PdfStandard::None);
    let doc = Document::load_mem(&plain).unwrap();
    let catalog = doc.catalog().unwrap();
    for key in [&b"AF"[..], b"Metadata", b"OutputIntents", b"Names"] {
        assert!(catalog.get(key).is_err(), "{}", String::from_utf8_lossy(key));
    }
    assert!(plain.len() < first.len());
}
