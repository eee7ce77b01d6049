//! PDF export: pages of operations → bytes, byte-identical for the same input.
//!
//! printpdf draws resource ids, subset tags and the trailer /ID from a global counter, so the same
//! document built twice in one process would differ. Fonts are inserted under fixed ids (which also
//! become the subset tags), bookmark ids are numbered, dates come from the as-of date, and the /ID is
//! the SHA-256 of the file written with a zero /ID, patched in place (same length, so offsets hold).
//!
//! Fonts are subset and embedded here, not by printpdf: printpdf re-parses every subset it makes and
//! decodes each glyph's outline to learn its width, which cost more than everything else in writing a
//! Japanese report. Pages show text as glyph ids ([`super::draw`]); [`subset_faces`] subsets each
//! face with `subsetter` (glyphs renumbered in ascending order of their original id), rewrites the
//! pages to the new ids, and [`add_fonts`] writes the Type0 fonts with widths from the faces' own
//! metrics and a /ToUnicode map from the characters the pages carry.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use lopdf::{Dictionary, Stream};
use lopdf::{Object, StringFormat};
use printpdf::{Mm, Op, PageAnnotId, PageAnnotation, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, TextItem};
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
    /// (name, 0-based page index); names are shown in order of page, then name.
    pub bookmarks: Vec<(String, usize)>,
    /// PDF/A-3: metadata, output intent, language and attached files; `None` for a plain PDF.
    pub archive: Option<super::archive::Archive>,
    /// Per page, the box of every line of text (layout checks; not written to the file).
    pub text_boxes: Vec<Vec<super::draw::TextBox>>,
    /// Characters no face has, drawn as the replacement mark.
    pub missing: Vec<char>,
}

const ZERO_ID: [u8; 16] = [0; 16];

pub fn write(mut document: Document, fonts: &FontSet) -> Vec<u8> {
    let mut pages = std::mem::take(&mut document.pages);
    // A tagged archival PDF turns the layout's structure markers into marked content and a tree;
    // any other PDF skips them (`super::content` writes nothing for a marker).
    let tree = match &document.archive {
        Some(archive) if archive.tagged => Some(super::tag::tag_pages(&mut pages)),
        _ => None,
    };
    let subsets = subset_faces(&mut pages);
    // The content streams are ours (see `super::content`); `compress` deflates them with the rest.
    let contents: Vec<Stream> = pages
        .iter()
        .map(|ops| {
            let mut bytes = Vec::with_capacity(32 * 1024);
            super::content::encode(ops, &mut bytes);
            Stream::new(Dictionary::new(), bytes)
        })
        .collect();
    drop(pages);
    assemble(document, contents, &subsets, tree.as_ref(), fonts)
}

/// Writes a document whose pages were laid out, encoded and deflated one at a time
/// ([`super::stream`]): `contents` holds one content stream per page, made by
/// [`Subsets::content_stream`] (of pages tagged by [`super::tag::Tagger`] into `tree` when the
/// document is tagged); `document.pages` is not read.
pub fn write_encoded(
    document: Document,
    contents: Vec<Stream>,
    subsets: &Subsets,
    tree: Option<&super::tag::Tree>,
    fonts: &FontSet,
) -> Vec<u8> {
    assemble(document, contents, subsets, tree, fonts)
}

/// The file around the pages' content streams: printpdf assembles the document (pages, resources,
/// outline, metadata) around empty pages, then the fonts, the content streams, the archival parts
/// and the structure tree go in, every stream not yet deflated is deflated, and the /ID is set.
fn assemble(
    document: Document,
    contents: Vec<Stream>,
    subsets: &Subsets,
    tree: Option<&super::tag::Tree>,
    fonts: &FontSet,
) -> Vec<u8> {
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
    let (width, height) = document.paper.size();
    let (width, height) = (Mm(width * 25.4 / 72.0), Mm(height * 25.4 / 72.0));
    pdf.pages = contents.iter().map(|_| PdfPage::new(width, height, Vec::new())).collect();
    for (index, (name, page)) in document.bookmarks.into_iter().enumerate() {
        // printpdf counts pages from 1 in bookmarks.
        pdf.bookmarks.map.insert(PageAnnotId(format!("BM{index:04}")), PageAnnotation { name, page: page + 1 });
    }

    // No fonts are registered with printpdf (see `add_fonts`), so it has nothing to subset.
    let options = PdfSaveOptions { optimize: true, subset_fonts: false, secure: true, image_optimization: None };
    let mut warnings = Vec::new();
    let mut lo = printpdf::serialize::to_lopdf_doc(&pdf, &options, &mut warnings);
    add_fonts(&mut lo, &subsets.faces, fonts);
    set_contents(&mut lo, contents);
    if let Some(archive) = &document.archive {
        let metadata = super::archive::Metadata {
            title: &document.title,
            author: &document.author,
            subject: &document.subject,
            keywords: &document.keywords,
            creator: "valuereport",
            producer: &format!("valuereport {}", env!("CARGO_PKG_VERSION")),
            date: document.date,
        };
        super::archive::apply(&mut lo, &metadata, archive);
        if let Some(tree) = tree {
            super::tag::write_tree(&mut lo, tree, &archive.lang);
        }
    }
    compress(&mut lo);
    // printpdf always writes an empty PDF/X version into Info, which makes viewers claim PDF/X.
    if let Ok(info) = lo.trailer.get(b"Info").and_then(Object::as_reference) {
        if let Ok(dict) = lo.get_dictionary_mut(info) {
            dict.remove(b"GTS_PDFXVersion");
        }
    }
    let zero = || Object::String(ZERO_ID.to_vec(), StringFormat::Hexadecimal);
    lo.trailer.set("ID", Object::Array(vec![zero(), zero()]));
    // A structure tree is hundreds of small dictionaries (one per table cell, paragraph, heading):
    // packed into deflated object streams with a cross-reference stream they cost a fraction of
    // their plain size. PDF/A-3 (on PDF 1.7) allows both.
    let layout = match tree {
        Some(_) => super::serialize::Layout::ObjectStreams { per_stream: OBJECTS_PER_STREAM },
        None => super::serialize::Layout::Separate,
    };
    let mut bytes = super::serialize::to_bytes(&mut lo, layout);
    patch_id(&mut bytes);
    bytes
}

/// One face as embedded in one document.
struct FaceSubset {
    face: FaceId,
    /// The embedded font program: the subset, as its /FontFile2 or /FontFile3 stream.
    program: std::rc::Rc<FontProgram>,
    /// Per character code (the index; code 0 is .notdef): the subset's glyph id, the original glyph
    /// id and the text the code stands for.
    codes: Vec<(u16, u16, String)>,
}

/// A subset font program, ready to embed (deflated when that makes it smaller).
struct FontProgram {
    /// Whether the program is CFF (CIDs are then its glyph ids; embedded as /FontFile3) rather than
    /// TrueType (/FontFile2).
    cff: bool,
    stream: Stream,
}

/// Subset programs kept per thread before the cache starts afresh.
const PROGRAM_CACHE: usize = 64;

thread_local! {
    /// Subset programs by face and glyph set. Reports share many subsets (the ▲ ▼ of the symbols
    /// face in nearly every report, the same names and words across editions and renewal
    /// documents): subsetting and deflating one again cost more than the rest of its font.
    static PROGRAMS: std::cell::RefCell<std::collections::HashMap<(FaceId, Vec<u16>), std::rc::Rc<FontProgram>>> =
        Default::default();
}

/// Empties this thread's caches of subset programs and deflated attachments. Benchmarks that
/// render the same report again and again call it, so that each round pays for its subsets and
/// attachments as a new customer's report does.
pub fn forget_cached_streams() {
    PROGRAMS.with_borrow_mut(|cache| cache.clear());
    ATTACHMENTS.with_borrow_mut(|cache| cache.clear());
}

/// Deflated attachments kept per thread (checked byte for byte; the oldest goes first).
const ATTACHMENT_CACHE: usize = 16;

thread_local! {
    /// Attachments deflated lately, with the bytes they were made from: a customer's input files
    /// and explain JSON go into both editions of its report (rendered one after the other by the
    /// same worker), and deflating them again was a tenth of an archival report's time.
    static ATTACHMENTS: std::cell::RefCell<std::collections::VecDeque<(Vec<u8>, Option<Vec<u8>>)>> =
        Default::default();
}

/// Deflates `stream` (an attachment) as [`deflate_stream`] would, reusing the result for bytes
/// deflated lately on this thread.
pub(super) fn deflate_attachment(stream: &mut Stream) {
    let remembered = ATTACHMENTS.with_borrow(|cache| {
        cache.iter().find(|(plain, _)| *plain == stream.content).map(|(_, deflated)| deflated.clone())
    });
    let deflated = match remembered {
        Some(deflated) => deflated,
        None => {
            let deflated = deflate_if_smaller(&stream.content);
            ATTACHMENTS.with_borrow_mut(|cache| {
                if cache.len() >= ATTACHMENT_CACHE {
                    cache.pop_front();
                }
                cache.push_back((stream.content.clone(), deflated.clone()));
            });
            deflated
        }
    };
    if let Some(deflated) = deflated {
        stream.dict.set("Filter", "FlateDecode");
        stream.set_content(deflated);
    }
    // Decided here: not deflated again with the document's other streams.
    stream.allows_compression = false;
}

/// The subset of `face` with glyphs `ids` (sorted, original ids), from the thread's cache.
fn font_program(face: FaceId, ids: &[u16], remapper: &subsetter::GlyphRemapper) -> std::rc::Rc<FontProgram> {
    let key = (face, ids.to_vec());
    if let Some(found) = PROGRAMS.with_borrow(|cache| cache.get(&key).cloned()) {
        return found;
    }
    let subset = subsetter::subset(FontSet::source_bytes(face), 0, remapper)
        .unwrap_or_else(|e| panic!("the embedded font {face:?} can be subset: {e}"));
    let (cff, mut stream) = match sfnt_table(&subset, b"CFF ") {
        // A CFF face is embedded as its bare CFF table (FontFile3 /CIDFontType0C).
        Some(cff) => {
            let mut dict = Dictionary::new();
            dict.set("Subtype", Object::Name(b"CIDFontType0C".to_vec()));
            (true, Stream::new(dict, cff.to_vec()))
        }
        None => {
            let mut dict = Dictionary::new();
            dict.set("Length1", Object::Integer(subset.len() as i64));
            (false, Stream::new(dict, subset))
        }
    };
    deflate_stream(&mut stream);
    // Deflated once here (or left as it is when that is no smaller): not again per document.
    stream.allows_compression = false;
    let program = std::rc::Rc::new(FontProgram { cff, stream });
    PROGRAMS.with_borrow_mut(|cache| {
        if cache.len() >= PROGRAM_CACHE {
            cache.clear();
        }
        cache.insert(key, program.clone());
    });
    program
}

/// Subsets every face the pages show text in, and rewrites the pages' glyph ids to the codes of the
/// subsets' fonts (see [`Glyphs::subset`]).
fn subset_faces(pages: &mut [Vec<Op>]) -> Subsets {
    let mut glyphs = Glyphs::default();
    glyphs.add(pages);
    let subsets = glyphs.subset();
    subsets.remap(pages);
    subsets
}

/// Per face, per glyph id: the texts the glyph stands for, each with its code (set by
/// [`Glyphs::subset`]). Looked up by reference: no string is built per glyph shown.
type GlyphTexts = [BTreeMap<u16, Vec<(String, u16)>>; super::fonts::FACES];

/// The glyphs a document shows, per face: every (glyph id, text) pair, collected page by page.
#[derive(Default)]
pub struct Glyphs {
    used: GlyphTexts,
}

/// The document's faces subset to the glyphs it shows, and the code of every (glyph, text) pair.
pub struct Subsets {
    faces: Vec<FaceSubset>,
    codes: GlyphTexts,
}

impl Glyphs {
    /// Adds the glyphs `pages` show.
    pub fn add(&mut self, pages: &mut [Vec<Op>]) {
        for_each_glyph(pages, |face, glyph| {
            let text = glyph.cid.as_deref().unwrap_or_default();
            let texts = self.used[face as usize].entry(glyph.gid).or_default();
            if !texts.iter().any(|(known, _)| known == text) {
                texts.push((text.to_string(), 0));
            }
        });
    }

    /// Subsets every face shown.
    ///
    /// A TrueType face gets one code per distinct (glyph, text) pair, mapped to its glyph by a
    /// /CIDToGIDMap: the same glyph standing for different text (a replacement mark for different
    /// missing characters, a shared glyph in two clusters) then reads back right. A CFF face's codes
    /// are its glyph ids (a CID-keyed CFF has no map), each with the first text (in text order).
    pub fn subset(self) -> Subsets {
        let mut used = self.used;
        let mut subsets = Vec::new();
        for face in FaceId::ALL {
            let glyphs = &mut used[face as usize];
            if glyphs.is_empty() {
                continue;
            }
            let ids: Vec<u16> = glyphs.keys().copied().collect();
            let remapper = subsetter::GlyphRemapper::new_from_glyphs_sorted(&ids);
            let program = font_program(face, &ids, &remapper);
            let new_gid = |old: u16| remapper.get(old).unwrap_or(0);
            let mut codes = Vec::new();
            if program.cff {
                codes = remapper.remapped_gids().map(|old| (new_gid(old), old, String::new())).collect();
            } else {
                codes.push((0, 0, String::new()));
            }
            // Codes in order of glyph, then text.
            for (&old, texts) in glyphs.iter_mut() {
                texts.sort_unstable_by(|a, b| a.0.cmp(&b.0));
                for (text, code) in texts.iter_mut() {
                    if program.cff {
                        *code = new_gid(old);
                        let entry = &mut codes[usize::from(*code)].2;
                        if entry.is_empty() {
                            *entry = text.clone();
                        }
                    } else {
                        *code = codes.len() as u16;
                        codes.push((new_gid(old), old, text.clone()));
                    }
                }
            }
            subsets.push(FaceSubset { face, program, codes });
        }
        Subsets { faces: subsets, codes: used }
    }
}

impl Subsets {
    /// Rewrites the glyph ids `pages` show to the codes of the subsets' fonts.
    pub fn remap(&self, pages: &mut [Vec<Op>]) {
        for_each_glyph(pages, |face, glyph| {
            let text = glyph.cid.as_deref().unwrap_or_default();
            let code = self.codes[face as usize].get(&glyph.gid).and_then(|texts| texts.iter().find(|(t, _)| t == text));
            if let Some(&(_, code)) = code {
                glyph.gid = code;
            }
        });
    }

    /// One page's content stream, deflated as [`write`] deflates it: its glyphs remapped, its
    /// operations encoded (structure markers write nothing unless tagged first).
    pub fn content_stream(&self, mut ops: Vec<Op>) -> Stream {
        self.remap(std::slice::from_mut(&mut ops));
        let mut bytes = Vec::with_capacity(32 * 1024);
        super::content::encode(&ops, &mut bytes);
        drop(ops);
        let mut stream = Stream::new(Dictionary::new(), bytes);
        deflate_stream(&mut stream);
        stream
    }
}

/// Calls `f` with every glyph the pages show and the face it is shown in.
fn for_each_glyph(pages: &mut [Vec<Op>], mut f: impl FnMut(FaceId, &mut printpdf::Codepoint)) {
    for ops in pages {
        let mut face = None;
        for op in ops {
            match op {
                Op::SetFont { font: PdfFontHandle::External(id), .. } => face = FaceId::from_resource_id(&id.0),
                Op::ShowText { items } => {
                    let Some(face) = face else { continue };
                    for item in items {
                        if let TextItem::GlyphIds(glyphs) = item {
                            glyphs.iter_mut().for_each(|g| f(face, g));
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// Adds the subset faces as Type0 fonts (Identity-H) to the document's shared font resources.
fn add_fonts(lo: &mut lopdf::Document, subsets: &[FaceSubset], fonts: &FontSet) {
    let mut font_refs = Dictionary::new();
    for subset in subsets {
        let face = fonts.face(subset.face);
        let ttf = &face.shaping;
        let per_em = face.units_per_em;
        let scale = |units: f32| (units * 1000.0 / per_em).round() as i64;
        let resource = subset.face.resource_id().0;
        let base_font = format!("{resource}+{}", subset.face.postscript_name());

        let (font_file_key, cid_subtype) =
            if subset.program.cff { ("FontFile3", "CIDFontType0") } else { ("FontFile2", "CIDFontType2") };
        let program = subset.program.stream.clone();
        let program_id = lo.add_object(program);

        let mut descriptor = Dictionary::new();
        descriptor.set("Type", Object::Name(b"FontDescriptor".to_vec()));
        descriptor.set("FontName", Object::Name(base_font.clone().into_bytes()));
        descriptor.set("Flags", Object::Integer(32));
        let bbox = ttf.global_bounding_box();
        descriptor.set(
            "FontBBox",
            Object::Array(
                [bbox.x_min, bbox.y_min, bbox.x_max, bbox.y_max]
                    .iter()
                    .map(|&v| Object::Integer(scale(f32::from(v))))
                    .collect(),
            ),
        );
        descriptor.set("ItalicAngle", Object::Integer(0));
        descriptor.set("Ascent", Object::Integer(scale(f32::from(ttf.ascender()))));
        descriptor.set("Descent", Object::Integer(scale(f32::from(ttf.descender()))));
        descriptor.set("CapHeight", Object::Integer(scale(f32::from(ttf.capital_height().unwrap_or(ttf.ascender())))));
        descriptor.set("StemV", Object::Integer(if ttf.weight().to_number() >= 600 { 166 } else { 88 }));
        descriptor.set(font_file_key, Object::Reference(program_id));
        let descriptor_id = lo.add_object(descriptor);

        // Widths of codes 0, 1, 2, … in thousandths of an em (what layout positioned against:
        // `shape::pdf_width`).
        let widths: Vec<Object> = subset
            .codes
            .iter()
            .map(|&(_, old, _)| Object::Integer(scale(f32::from(face.glyph_advance(old)))))
            .collect();
        let mut cid_font = Dictionary::new();
        cid_font.set("Type", Object::Name(b"Font".to_vec()));
        cid_font.set("Subtype", Object::Name(cid_subtype.as_bytes().to_vec()));
        cid_font.set("BaseFont", Object::Name(base_font.clone().into_bytes()));
        let mut system_info = Dictionary::new();
        system_info.set("Registry", Object::string_literal("Adobe"));
        system_info.set("Ordering", Object::string_literal("Identity"));
        system_info.set("Supplement", Object::Integer(0));
        cid_font.set("CIDSystemInfo", Object::Dictionary(system_info));
        cid_font.set("FontDescriptor", Object::Reference(descriptor_id));
        cid_font.set("DW", Object::Integer(1000));
        cid_font.set("W", Object::Array(vec![Object::Integer(0), Object::Array(widths)]));
        if !subset.program.cff {
            // Code → subset glyph id, two bytes each.
            let map: Vec<u8> = subset.codes.iter().flat_map(|&(gid, _, _)| gid.to_be_bytes()).collect();
            let map_id = lo.add_object(Stream::new(Dictionary::new(), map));
            cid_font.set("CIDToGIDMap", Object::Reference(map_id));
        }
        let cid_font_id = lo.add_object(cid_font);

        let mappings = subset
            .codes
            .iter()
            .enumerate()
            .filter(|(_, (_, _, text))| !text.is_empty())
            .map(|(code, (_, _, text))| (code as u32, text.chars().map(u32::from).collect()))
            .collect();
        let to_unicode = printpdf::cmap::ToUnicodeCMap { mappings }.to_cmap_string(&resource);
        let to_unicode_id = lo.add_object(Stream::new(Dictionary::new(), to_unicode.into_bytes()));

        let mut font = Dictionary::new();
        font.set("Type", Object::Name(b"Font".to_vec()));
        font.set("Subtype", Object::Name(b"Type0".to_vec()));
        font.set("BaseFont", Object::Name(base_font.into_bytes()));
        font.set("Encoding", Object::Name(b"Identity-H".to_vec()));
        font.set("DescendantFonts", Object::Array(vec![Object::Reference(cid_font_id)]));
        font.set("ToUnicode", Object::Reference(to_unicode_id));
        let font_id = lo.add_object(font);
        font_refs.set(resource, Object::Reference(font_id));
    }
    // printpdf gives every page the same (here empty) font dictionary object: fill it.
    let shared = lo.get_pages().values().next().and_then(|&page| {
        let page = lo.get_dictionary(page).ok()?;
        let resources = match page.get(b"Resources").ok()? {
            Object::Reference(id) => lo.get_dictionary(*id).ok()?,
            Object::Dictionary(d) => d,
            _ => return None,
        };
        resources.get(b"Font").ok()?.as_reference().ok()
    });
    let shared = shared.expect("printpdf writes a shared font dictionary for every page");
    if let Ok(dict) = lo.get_dictionary_mut(shared) {
        for (key, value) in font_refs.into_iter() {
            dict.set(key, value);
        }
    }
}

/// Puts each page's content stream in place of the empty one printpdf wrote.
fn set_contents(lo: &mut lopdf::Document, contents: Vec<Stream>) {
    let pages: Vec<lopdf::ObjectId> = lo.get_pages().into_values().collect();
    assert_eq!(pages.len(), contents.len(), "printpdf writes one page object per page");
    for (page, content) in pages.into_iter().zip(contents) {
        let stream = lo
            .get_dictionary(page)
            .and_then(|page| page.get(b"Contents"))
            .and_then(Object::as_reference)
            .expect("printpdf gives every page a content stream object");
        lo.objects.insert(stream, Object::Stream(content));
    }
}

/// The bytes of table `tag` of an OpenType file.
fn sfnt_table<'a>(font: &'a [u8], tag: &[u8; 4]) -> Option<&'a [u8]> {
    let count = u16::from_be_bytes(font.get(4..6)?.try_into().ok()?) as usize;
    (0..count).find_map(|i| {
        let record = font.get(12 + 16 * i..28 + 16 * i)?;
        if &record[..4] != tag {
            return None;
        }
        let offset = u32::from_be_bytes(record[8..12].try_into().ok()?) as usize;
        let length = u32::from_be_bytes(record[12..16].try_into().ok()?) as usize;
        font.get(offset..offset.checked_add(length)?)
    })
}

/// Deflate level for streams. lopdf's own `compress` uses 9, which cost more than everything else in
/// writing a report; see docs/performance.md for the measurements behind this choice.
const COMPRESSION_LEVEL: u32 = 5;

/// Objects per object stream in a tagged PDF: a report's structure tree fits in one or two.
const OBJECTS_PER_STREAM: usize = 1000;

thread_local! {
    /// One compressor per thread, reset for every stream: a fresh one allocates and clears about
    /// 380 KB, which cost more than compressing the small streams, and made the batch's memory churn.
    static COMPRESSOR: std::cell::RefCell<flate2::Compress> =
        std::cell::RefCell::new(flate2::Compress::new(flate2::Compression::new(COMPRESSION_LEVEL), true));
}

/// `data` deflated in the zlib format at [`COMPRESSION_LEVEL`] (zlib-rs backend) with the thread's
/// compressor; the same bytes a fresh `flate2` encoder gives.
pub(super) fn deflate(data: &[u8]) -> Option<Vec<u8>> {
    use flate2::{FlushCompress, Status};
    COMPRESSOR.with_borrow_mut(|compressor| {
        compressor.reset();
        let mut compressed = Vec::with_capacity(data.len() / 2 + 64);
        loop {
            let consumed = compressor.total_in() as usize;
            match compressor.compress_vec(&data[consumed..], &mut compressed, FlushCompress::Finish) {
                Ok(Status::StreamEnd) => return Some(compressed),
                Ok(_) => compressed.reserve(compressed.capacity().max(64)),
                Err(_) => return None,
            }
        }
    })
}

/// Deflates every stream not yet compressed.
fn compress(document: &mut lopdf::Document) {
    for object in document.objects.values_mut() {
        if let Object::Stream(stream) = object {
            deflate_stream(stream);
        }
    }
}

/// Deflates `stream` unless it does not allow it, is compressed already, or would not get smaller.
fn deflate_stream(stream: &mut Stream) {
    if !stream.allows_compression || stream.dict.get(b"Filter").is_ok() {
        return;
    }
    if let Some(compressed) = deflate_if_smaller(&stream.content) {
        stream.dict.set("Filter", "FlateDecode");
        stream.set_content(compressed);
    }
}

/// `data` deflated, when that saves more than the `/Filter /FlateDecode` entry costs.
fn deflate_if_smaller(data: &[u8]) -> Option<Vec<u8>> {
    deflate(data).filter(|compressed| compressed.len() + 19 < data.len())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::draw::{Align, Canvas, Colour, TextStyle};
    use crate::render::fonts::Weight;

    fn document(lines: &[(&str, Weight)]) -> Document {
        let fonts = FontSet::shared();
        let mut canvas = Canvas::new(fonts);
        for (i, (text, weight)) in lines.iter().enumerate() {
            let style = TextStyle::new(12.0, *weight, Colour::rgb(0, 0, 0));
            canvas.text(text, 50.0, 700.0 - 20.0 * i as f32, style, Align::Left);
        }
        Document {
            title: "t".into(),
            author: "a".into(),
            subject: "s".into(),
            keywords: vec![],
            archive: None,
            date: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
            paper: Paper::A4,
            pages: vec![canvas.ops],
            bookmarks: vec![],
            text_boxes: vec![],
            missing: vec![],
        }
    }

    #[test]
    fn faces_are_subset_with_their_own_widths_and_the_text_reads_back() {
        let fonts = FontSet::shared();
        let lines = [
            ("Value delivered: $214,903.20", Weight::Regular),
            ("Retorno de la inversión ▲ 12,5 %", Weight::Bold),
            ("株式会社さくら精密 ≒ ￥16,669,000", Weight::Regular),
            ("価値レポート", Weight::Bold),
        ];
        let bytes = write(document(&lines), fonts);
        let doc = lopdf::Document::load_mem(&bytes).unwrap();

        // lopdf puts a space between text operators (here at every change of face): compare without.
        let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        let text = squash(&doc.extract_text(&[1]).unwrap());
        for (line, _) in lines {
            assert!(text.contains(&squash(line)), "{line:?} not in {text:?}");
        }

        let mut faces = Vec::new();
        for object in doc.objects.values() {
            let Ok(font) = object.as_dict() else { continue };
            if font.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Type0".as_slice()) {
                continue;
            }
            let base = String::from_utf8(font.get(b"BaseFont").unwrap().as_name().unwrap().to_vec()).unwrap();
            let (tag, name) = base.split_once('+').unwrap();
            let face = FaceId::from_resource_id(tag).unwrap();
            assert_eq!(name, face.postscript_name());
            let descendant = font.get(b"DescendantFonts").unwrap().as_array().unwrap()[0].as_reference().unwrap();
            let descendant = doc.get_dictionary(descendant).unwrap();
            let widths = descendant.get(b"W").unwrap().as_array().unwrap();
            assert_eq!(widths[0].as_i64().unwrap(), 0);
            let widths: Vec<i64> = widths[1].as_array().unwrap().iter().map(|w| w.as_i64().unwrap()).collect();
            // Code 0 is .notdef; every other code is a glyph the lines use, at the width layout
            // positioned against (for a TrueType face, one code per glyph and text).
            let used: std::collections::BTreeSet<(u16, String)> = lines
                .iter()
                .flat_map(|(line, weight)| {
                    let shaped = crate::render::shape::shape_line(fonts, line, *weight);
                    shaped
                        .glyphs
                        .into_iter()
                        .filter(|g| g.face == face)
                        .map(|g| (g.gid, line[g.text].to_string()))
                        .collect::<Vec<_>>()
                })
                .collect();
            let mut expected: Vec<(u16, i64)> =
                used.iter().map(|(gid, _)| (*gid, crate::render::shape::pdf_width(fonts, face, *gid) as i64)).collect();
            if descendant.get(b"CIDToGIDMap").is_err() {
                expected.dedup_by_key(|e| e.0);
            }
            assert_eq!(widths.len(), expected.len() + 1, "{base}");
            assert_eq!(&widths[1..], expected.iter().map(|e| e.1).collect::<Vec<_>>(), "{base}");

            let descriptor = descendant.get(b"FontDescriptor").unwrap().as_reference().unwrap();
            let descriptor = doc.get_dictionary(descriptor).unwrap();
            let program =
                descriptor.get(b"FontFile2").or_else(|_| descriptor.get(b"FontFile3")).unwrap().as_reference().unwrap();
            let program = doc.get_object(program).unwrap().as_stream().unwrap();
            let size = program.decompressed_content().unwrap_or_else(|_| program.content.clone()).len();
            assert!(size < FontSet::source_bytes(face).len() / 10, "{base}: {size} bytes is not a subset");
            faces.push(face);
        }
        faces.sort();
        assert_eq!(
            faces,
            [
                FaceId::LatinRegular,
                FaceId::LatinBold,
                FaceId::CjkRegular,
                FaceId::CjkBold,
                FaceId::SymbolsRegular,
                FaceId::SymbolsBold
            ]
        );
    }

    #[test]
    fn a_character_no_face_has_is_a_replacement_mark_that_reads_back_as_itself() {
        // U+10FFFD and U+10FFFC (private use, plane 16) are in none of the faces: both are drawn as
        // the same replacement glyph, and each reads back as itself, never as the other.
        let bytes = write(document(&[("A\u{10FFFD}B\u{10FFFC}", Weight::Regular)]), FontSet::shared());
        let doc = lopdf::Document::load_mem(&bytes).unwrap();
        assert!(doc.extract_text(&[1]).unwrap().contains("A\u{10FFFD}B\u{10FFFC}"));
    }
}
