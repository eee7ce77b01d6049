//! Streamed rendering of long documents (the portfolio: one table row per customer, ~500 pages at
//! 10,000 customers): each page is laid out, encoded and deflated as soon as it is full, and only
//! its compressed content stream is kept, never every page's operations at once.
//!
//! The file is byte-identical to [`super::report::render_pdf`]'s for the same content. Two things
//! have to be known before the first page can be encoded: the page count (every footer says
//! "page X of Y") and every glyph the document shows (the font subsets, and with them the codes the
//! content streams use, are made from the whole set). So composition's pours ([`compose`]) run dry
//! first — their pages are dropped as they fill, after their glyphs are noted — and the pour kept
//! is then run once more, each page getting its header and footer, its glyph codes and its deflated
//! content stream as it is handed on. That is one pour more than [`super::report::render_pdf`]
//! makes, for memory that no longer grows with the page count.

use std::cell::RefCell;
use std::rc::Rc;

use lopdf::Stream;

use super::compose::compose;
use super::draw::Canvas;
use super::fonts::FontSet;
use super::layout::{decorate_page, measure, Flow, Frame, Laid};
use super::pdf::{write_encoded, Glyphs, Paper};
use super::tag::Tagger;
use crate::content::report::ReportContent;

/// Lays out and writes `content` page by page: the PDF bytes (the same as
/// [`super::report::render_pdf_with`]'s) and the page count. A tagged `archive` has each page
/// tagged as it is handed on ([`super::tag::Tagger`]); only the structure tree is kept.
pub fn render_pdf_streamed(
    mut content: ReportContent,
    paper: Paper,
    fonts: &FontSet,
    archive: Option<super::archive::Archive>,
) -> (Vec<u8>, u32) {
    let sections = std::mem::take(&mut content.sections);
    let (blocks, decorations) = super::report::blocks_of(&content, sections);
    let frame = Frame::new(paper.size());
    let width = frame.content_width();
    let laid: Vec<Laid> = blocks.into_iter().map(|b| measure(fonts, b, width)).collect();

    // Dry pours: each notes the glyphs of its pages (headers and footers aside) and drops them.
    let mut noted: Vec<Rc<RefCell<Glyphs>>> = Vec::new();
    let (mut kept, number) = compose(&laid, || {
        let glyphs = Rc::new(RefCell::new(Glyphs::default()));
        noted.push(Rc::clone(&glyphs));
        Flow::streamed(
            fonts,
            frame,
            Box::new(move |_, mut page| glyphs.borrow_mut().add(std::slice::from_mut(&mut page.canvas.ops))),
        )
    });
    kept.finish();
    let count = kept.page_count();
    let (scale, break_at) = (kept.graphic_scale, kept.break_at);
    drop(kept);
    let glyphs = Rc::clone(&noted[number]);
    noted.clear();
    let mut glyphs = Rc::try_unwrap(glyphs).ok().expect("the dry pours are done").into_inner();
    // The headers and footers, drawn alone: the same text, so the same glyphs, as on the pages.
    for index in 0..count {
        let mut canvas = Canvas::new(fonts);
        decorate_page(&mut canvas, index, count, frame, &decorations);
        glyphs.add(std::slice::from_mut(&mut canvas.ops));
    }
    let subsets = glyphs.subset();

    // The pour kept, once more: every page decorated, encoded and deflated as it is handed on.
    let written: Rc<RefCell<(Vec<Stream>, Vec<(String, usize)>)>> = Rc::default();
    let tagger = archive.as_ref().filter(|a| a.tagged).map(|_| Rc::new(RefCell::new(Tagger::new(count))));
    let sink = {
        let written = Rc::clone(&written);
        let tagger = tagger.clone();
        let (subsets, decorations) = (&subsets, &decorations);
        Box::new(move |index: usize, mut page: super::layout::Page| {
            decorate_page(&mut page.canvas, index, count, frame, decorations);
            if let Some(tagger) = &tagger {
                tagger.borrow_mut().page(&mut page.canvas.ops);
            }
            let mut written = written.borrow_mut();
            written.1.extend(page.bookmarks.into_iter().map(|name| (name, index)));
            written.0.push(subsets.content_stream(page.canvas.ops));
        })
    };
    let mut flow = super::compose::pour_into(Flow::streamed(fonts, frame, sink), &laid, scale, break_at);
    flow.finish();
    assert_eq!(flow.page_count(), count, "a pour is deterministic");
    drop(flow);
    let (contents, bookmarks) = Rc::try_unwrap(written).ok().expect("the pour is done").into_inner();
    let tree = tagger.map(|t| Rc::try_unwrap(t).ok().expect("the pour is done").into_inner().finish());

    let mut document = super::report::document_of(content, paper, Vec::new());
    document.bookmarks = bookmarks;
    document.archive = archive;
    let pages = contents.len() as u32;
    (write_encoded(document, contents, &subsets, tree.as_ref(), fonts), pages)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::report::{ColumnAlign, Edition, Element, Section, TableSpec, Tone};

    /// A document of `rows` table rows over several sections, with a chart-free layout.
    fn content(rows: usize) -> ReportContent {
        let row = |i: usize| {
            vec![
                (format!("Customer {i} · 顧客 {i}"), Tone::Plain),
                (format!("{}", i * 37 % 1000), if i % 7 == 0 { Tone::Bad } else { Tone::Plain }),
                (format!("CSM ▲ {}", i % 13), Tone::Strong),
            ]
        };
        let table = |n: usize| {
            Element::Table(TableSpec {
                columns: vec![
                    ("Customer".into(), 2.0, ColumnAlign::Left),
                    ("Value".into(), 1.0, ColumnAlign::Right),
                    ("CSM".into(), 1.0, ColumnAlign::Left),
                ],
                rows: (0..n).map(row).collect(),
                total: None,
            })
        };
        ReportContent {
            locale: crate::model::Locale::En,
            region: None,
            currency: crate::model::Currency::from_code("USD").unwrap(),
            title: "Streamed".into(),
            subject: "A long table".into(),
            author: "Vendor".into(),
            accent: "#1F6FEB".into(),
            logo: None,
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
            edition: Edition::Team,
            title_block: ["Streamed".into(), "A long table".into(), "Vendor".into()],
            title_block_whole: ["Streamed".into(), "Vendor".into()],
            header: ["Vendor".into(), "Streamed".into()],
            footer: "As of 2026-11-22".into(),
            page_label: "Page {page} of {pages}".into(),
            charts_per_row: 2,
            sections: vec![
                Section {
                    title: "1. First".into(),
                    elements: vec![Element::Paragraph("Before the table.".into()), table(rows)],
                },
                Section { title: "2. Second".into(), elements: vec![table(rows / 3), Element::Note("After.".into())] },
            ],
        }
    }

    #[test]
    fn a_streamed_document_is_byte_identical_to_one_laid_out_whole() {
        let fonts = FontSet::shared();
        let tagged = || {
            Some(crate::render::archive::Archive { lang: "en-US".into(), attachments: Vec::new(), tagged: true })
        };
        for (rows, archive) in [(3, None), (140, None), (400, None), (3, tagged()), (400, tagged())] {
            let (whole, whole_pages) =
                super::super::report::render_pdf_with(content(rows), Paper::A4, fonts, archive.clone());
            let (streamed, streamed_pages) = render_pdf_streamed(content(rows), Paper::A4, fonts, archive);
            assert_eq!(streamed_pages, whole_pages, "{rows} rows");
            assert!(rows < 140 || whole_pages > 3, "{rows} rows make {whole_pages} pages");
            assert!(streamed == whole, "{rows} rows: the streamed file differs from the whole one");
            // And it is a readable PDF with every page, its footer and its bookmarks.
            let doc = lopdf::Document::load_mem(&streamed).unwrap();
            assert_eq!(doc.get_pages().len() as u32, streamed_pages);
            let last = doc.extract_text(&[streamed_pages]).unwrap();
            assert!(last.contains(&format!("Page {streamed_pages} of {streamed_pages}")), "{last}");
        }
    }
}
