//! PDF export: pages of operations → bytes, byte-identical for the same input.
//!
//! printpdf draws resource ids, subset tags and the trailer /ID from a global counter, so the same
//! document built twice in one process would differ. Fonts are inserted under fixed ids (which also
//! become the subset tags), bookmark ids are numbered, dates come from the as-of date, and the /ID is
//! the SHA-256 of the file written with a zero /ID, patched in place (same length, so offsets hold).

use chrono::{Datelike, NaiveDate};
use lopdf::{Object, StringFormat};
use printpdf::{Mm, Op, PageAnnotId, PageAnnotation, PdfDocument, PdfFont, PdfPage, PdfSaveOptions};
use sha2::{Digest, Sha256};

use super::fonts::{FaceId, FontSet};

/// Paper sizes in points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    A4,
    Letter,
}

impl Paper {
    /// (width, height) in points.
    pub fn size(self) -> (f32, f32) {
        match self {
            Paper::A4 => (595.28, 841.89),
            Paper::Letter => (612.0, 792.0),
        }
    }
}

/// Everything a PDF file holds.
pub struct Document {
    pub title: String,
    pub author: String,
    pub subject: String,
    pub keywords: Vec<String>,
    /// Creation and modification date: the report's as-of date, never the clock.
    pub date: NaiveDate,
    pub paper: Paper,
    pub pages: Vec<Vec<Op>>,
    /// Faces the pages use (index = `FaceId as usize`); only these are embedded.
    pub used_faces: [bool; super::fonts::FACES],
    /// (name, 0-based page index); names are shown in order of page, then name.
    pub bookmarks: Vec<(String, usize)>,
}

const ZERO_ID: [u8; 16] = [0; 16];

pub fn write(document: Document, fonts: &FontSet) -> Vec<u8> {
    let mut pdf = PdfDocument::new(&document.title);
    let date = printpdf::DateTime::new_in_offset(
        printpdf::Date {
            year: document.date.year(),
            month: document.date.month() as u8,
            day: document.date.day() as u8,
        },
        printpdf::Time { hour: 0, minute: 0, second: 0, millisecond: 0 },
        printpdf::Offset { hours: 0, minutes: 0, seconds: 0, milliseconds: 0 },
    );
    let info = &mut pdf.metadata.info;
    info.author = document.author.clone();
    info.creator = "valuereport".to_string();
    info.producer = format!("valuereport {}", env!("CARGO_PKG_VERSION"));
    info.subject = document.subject.clone();
    info.keywords = document.keywords.clone();
    info.creation_date = date;
    info.modification_date = date;
    info.metadata_date = date;
    for face in FaceId::ALL {
        if document.used_faces[face as usize] {
            pdf.resources.fonts.map.insert(face.resource_id(), PdfFont::new(fonts.face(face).parsed.clone()));
        }
    }
    let (width, height) = document.paper.size();
    let (width, height) = (Mm(width * 25.4 / 72.0), Mm(height * 25.4 / 72.0));
    pdf.pages = document.pages.into_iter().map(|ops| PdfPage::new(width, height, ops)).collect();
    for (index, (name, page)) in document.bookmarks.into_iter().enumerate() {
        // printpdf counts pages from 1 in bookmarks.
        pdf.bookmarks.map.insert(PageAnnotId(format!("BM{index:04}")), PageAnnotation { name, page: page + 1 });
    }

    let options = PdfSaveOptions { optimize: true, subset_fonts: true, secure: true, image_optimization: None };
    let mut warnings = Vec::new();
    let mut lo = printpdf::serialize::to_lopdf_doc(&pdf, &options, &mut warnings);
    compress(&mut lo);
    // printpdf always writes an empty PDF/X version into Info, which makes viewers claim PDF/X.
    if let Ok(info) = lo.trailer.get(b"Info").and_then(Object::as_reference) {
        if let Ok(dict) = lo.get_dictionary_mut(info) {
            dict.remove(b"GTS_PDFXVersion");
        }
    }
    let zero = || Object::String(ZERO_ID.to_vec(), StringFormat::Hexadecimal);
    lo.trailer.set("ID", Object::Array(vec![zero(), zero()]));
    let mut bytes = Vec::new();
    lo.save_to(&mut bytes).expect("writing a PDF to memory cannot fail");
    patch_id(&mut bytes);
    bytes
}

/// Deflate level for streams. lopdf's own `compress` uses 9, which cost more than everything else in
/// writing a report; see docs/performance.md for the measurements behind this choice.
const COMPRESSION_LEVEL: u32 = 6;

/// Deflates every stream not yet compressed (zlib-rs backend).
fn compress(document: &mut lopdf::Document) {
    use std::io::Write;
    for object in document.objects.values_mut() {
        let Object::Stream(stream) = object else { continue };
        if !stream.allows_compression || stream.dict.get(b"Filter").is_ok() {
            continue;
        }
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(COMPRESSION_LEVEL));
        let compressed = encoder.write_all(&stream.content).and_then(|_| encoder.finish());
        if let Ok(compressed) = compressed {
            if compressed.len() + 19 < stream.content.len() {
                stream.dict.set("Filter", "FlateDecode");
                stream.set_content(compressed);
            }
        }
    }
}

/// Replaces the zero /ID in the trailer with the first 16 bytes of the file's SHA-256, twice.
fn patch_id(bytes: &mut [u8]) {
    let placeholder = format!("<{}>", "0".repeat(32));
    let Some(at) = find_last(bytes, placeholder.as_bytes()) else { return };
    // The /ID array holds two placeholders, "<0…0> <0…0>" or "<0…0><0…0>": patch from the first.
    let first =
        find_last(&bytes[..at], placeholder.as_bytes()).filter(|&p| at - p <= placeholder.len() + 2).unwrap_or(at);
    let digest = Sha256::digest(&*bytes);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02X}")).collect();
    for start in [first, at] {
        bytes[start + 1..start + 33].copy_from_slice(hex.as_bytes());
    }
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}
