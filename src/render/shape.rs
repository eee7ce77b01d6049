//! Shaping: one line of text → positioned glyphs, with rustybuzz (a port of HarfBuzz).
//!
//! The line is ordered by [`super::bidi`], split into per-face runs ([`FontSet::runs`]) and each run
//! shaped in its direction and script: Arabic joins, Devanagari and Thai clusters, mark
//! positioning, ligatures, kerning. Glyphs carry the text they stand for so the PDF's text layer
//! gives back the logical string: every character of a cluster is given to one of the cluster's
//! glyphs, in order; a glyph left without a character (a vowel the shaper split in two) is drawn as
//! an outline, not as text ([`ShapedGlyph::text`] empty). Glyphs are kept in logical order (the
//! order text is read and extracted); each has its own position, so the page shows visual order.

use std::ops::Range;

use rustybuzz::{Direction, UnicodeBuffer};

use super::bidi::visual_runs;
use super::fonts::{FaceId, FontSet, Weight};

/// One glyph of a shaped line. Lengths are in thousandths of an em (the PDF's text space unit).
#[derive(Debug, Clone, PartialEq)]
pub struct ShapedGlyph {
    pub face: FaceId,
    pub gid: u16,
    /// Where the glyph is drawn, from the line's left end, and its rise above the baseline.
    pub x: f32,
    pub y: f32,
    /// The byte range of the line this glyph stands for in the text layer (empty: drawn as outline).
    pub text: Range<usize>,
}

/// A shaped line.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ShapedLine {
    /// In logical order.
    pub glyphs: Vec<ShapedGlyph>,
    /// The line's advance in thousandths of an em.
    pub advance: f32,
    /// Characters no face has (drawn as the replacement glyph).
    pub missing: Vec<char>,
}

impl ShapedLine {
    /// Width in ems.
    pub fn width(&self) -> f32 {
        self.advance / 1000.0
    }
}

/// The PDF width of a glyph (its /W entry): the hmtx advance in thousandths of an em, rounded as
/// the font dictionary writes it. Positions are computed against it.
pub fn pdf_width(fonts: &FontSet, face: FaceId, gid: u16) -> f32 {
    let face = fonts.face(face);
    (f32::from(face.glyph_advance(gid)) * 1000.0 / face.units_per_em).round()
}

/// Shapes one line (no line breaks) at `weight`. Runs in faces that allow it are shaped word by
/// word through the per-thread cache of [`super::words`], which gives the same glyphs and positions
/// as shaping them whole ([`shape_line_whole`]).
pub fn shape_line(fonts: &FontSet, line: &str, weight: Weight) -> ShapedLine {
    shape_with(fonts, line, weight, true)
}

/// [`shape_line`] with every run shaped whole (the reference the word cache is tested against).
pub fn shape_line_whole(fonts: &FontSet, line: &str, weight: Weight) -> ShapedLine {
    shape_with(fonts, line, weight, false)
}

/// Strings longer than this are measured without the advance cache (long lines are rarely measured
/// twice; words, labels and headers are, many times).
const CACHED_LENGTH: usize = 48;
/// Advances kept per thread before the cache starts afresh.
const CACHED_ADVANCES: usize = 16_384;

/// Per weight (regular, bold): advance by text.
type AdvanceCache = [std::collections::HashMap<Box<str>, f32, rustc_hash::FxBuildHasher>; 2];

thread_local! {
    /// Line advances by weight and text: line breaking measures every word of a paragraph at
    /// least twice, fitting and shortening measure the same labels again, and the same words come
    /// back in every report. [`line_advance`] is a pure function of its text and weight (one font
    /// set per process), so a cached advance is the one that would be computed.
    static ADVANCES: std::cell::RefCell<AdvanceCache> = Default::default();
}

/// The advance of `line` in thousandths of an em: [`shape_line`]'s, without building its glyphs.
pub fn line_advance(fonts: &FontSet, line: &str, weight: Weight) -> f32 {
    if line.len() > CACHED_LENGTH {
        return measure_advance(fonts, line, weight);
    }
    let found = ADVANCES.with_borrow(|cache| cache[weight as usize].get(line).copied());
    if let Some(advance) = found {
        return advance;
    }
    let advance = measure_advance(fonts, line, weight);
    ADVANCES.with_borrow_mut(|cache| {
        let cache = &mut cache[weight as usize];
        if cache.len() >= CACHED_ADVANCES {
            cache.clear();
        }
        cache.insert(line.into(), advance);
    });
    advance
}

fn measure_advance(fonts: &FontSet, line: &str, weight: Weight) -> f32 {
    let mut pen = 0.0f32;
    let mut whole: Option<ShapedLine> = None;
    for_each_piece(fonts, line, weight, |face_id, piece, _, rtl| {
        let scale = 1000.0 / fonts.face(face_id).units_per_em;
        let mut units = 0i32;
        if rtl || !super::words::for_each_word(fonts, face_id, piece, |word, _| units += word.advance) {
            // A run that is shaped whole: measure the line the slow way, once.
            let shaped = whole.get_or_insert_with(|| shape_line(fonts, line, weight));
            pen = shaped.advance;
            return false;
        }
        pen += units as f32 * scale;
        true
    });
    pen
}

/// Calls `each(face, piece, start in line, right to left)` for the line's face runs in visual
/// order, until it returns `false`.
fn for_each_piece(fonts: &FontSet, line: &str, weight: Weight, mut each: impl FnMut(FaceId, &str, usize, bool) -> bool) {
    for run in visual_runs(line) {
        let text = &line[run.range.clone()];
        let mut pieces = fonts.runs(text, weight);
        if run.rtl {
            // Face runs of a right-to-left run stand right to left.
            pieces.reverse();
        }
        for (face_id, piece) in pieces {
            let start = run.range.start + (piece.as_ptr() as usize - text.as_ptr() as usize);
            if !each(face_id, piece, start, run.rtl) {
                return;
            }
        }
    }
}

fn shape_with(fonts: &FontSet, line: &str, weight: Weight, by_words: bool) -> ShapedLine {
    let mut shaped = ShapedLine::default();
    let mut buffer = Some(UnicodeBuffer::new());
    let mut pen = 0.0f32;
    for_each_piece(fonts, line, weight, |face_id, piece, start, rtl| {
        let face = fonts.face(face_id);
        let scale = 1000.0 / face.units_per_em;
        // Positions in font units from the piece's start, scaled once: the same arithmetic whether
        // the piece is shaped whole or word by word.
        let mut units = 0i32;
        let first = shaped.glyphs.len();
        let fast = by_words
            && !rtl
            && super::words::for_each_word(fonts, face_id, piece, |word, offset| {
                for g in &word.glyphs {
                    shaped.glyphs.push(ShapedGlyph {
                        face: face_id,
                        gid: g.gid,
                        x: pen + (units + g.x) as f32 * scale,
                        y: g.y as f32 * scale,
                        text: start + offset + g.text.start..start + offset + g.text.end,
                    });
                }
                units += word.advance;
            });
        if !fast {
            shaped.glyphs.truncate(first);
            units = 0;
            let mut unicode = buffer.take().unwrap_or_default();
            unicode.push_str(piece);
            unicode.set_direction(if rtl { Direction::RightToLeft } else { Direction::LeftToRight });
            unicode.guess_segment_properties();
            let plan = face.plan(unicode.direction(), unicode.script());
            let output = rustybuzz::shape_with_plan(&face.shaping, &plan, unicode);
            // Cluster starts (byte offsets into the piece), ascending: each cluster runs to the next.
            let mut starts: Vec<usize> = output.glyph_infos().iter().map(|g| g.cluster as usize).collect();
            starts.sort_unstable();
            starts.dedup();
            let end_of = |cluster: usize| {
                let next = starts.partition_point(|&s| s <= cluster);
                starts.get(next).copied().unwrap_or(piece.len())
            };
            for (info, position) in output.glyph_infos().iter().zip(output.glyph_positions()) {
                let cluster = info.cluster as usize;
                let mut gid = info.glyph_id as u16;
                if gid == 0 {
                    for ch in piece[cluster..end_of(cluster)].chars() {
                        if fonts.find_face(ch, weight).is_none() && !super::fonts::is_invisible(ch) {
                            shaped.missing.push(ch);
                        }
                    }
                    // A visible replacement mark, still standing for the character it replaces.
                    if let Some((replacement, _)) = face.glyph('\u{FFFD}') {
                        gid = replacement;
                    }
                }
                shaped.glyphs.push(ShapedGlyph {
                    face: face_id,
                    gid,
                    x: pen + (units + position.x_offset) as f32 * scale,
                    y: position.y_offset as f32 * scale,
                    text: start + cluster..start + end_of(cluster),
                });
                // A replaced glyph advances by its own width, not the .notdef's.
                units += if info.glyph_id == 0 && gid != 0 {
                    i32::from(face.glyph_advance(gid))
                } else {
                    position.x_advance
                };
            }
            let mut ranges: Vec<Range<usize>> = shaped.glyphs[first..].iter().map(|g| g.text.clone()).collect();
            share_cluster_text(line, &mut ranges, rtl);
            for (glyph, range) in shaped.glyphs[first..].iter_mut().zip(ranges) {
                glyph.text = range;
            }
            buffer = Some(output.clear());
        }
        pen += units as f32 * scale;
        true
    });
    // Logical order: by the start of each glyph's cluster (stable, so a cluster's glyphs keep
    // their order).
    shaped.glyphs.sort_by_key(|g| g.text.start);
    shaped.advance = pen;
    shaped.missing.sort_unstable();
    shaped.missing.dedup();
    shaped
}

/// [`share_cluster_text`] for a word shaped on its own (left to right, ranges into `word`).
pub(super) fn share_word_text(word: &str, glyphs: &mut [super::words::WordGlyph]) {
    let mut ranges: Vec<Range<usize>> = glyphs.iter().map(|g| g.text.clone()).collect();
    share_cluster_text(word, &mut ranges, false);
    for (glyph, range) in glyphs.iter_mut().zip(ranges) {
        glyph.text = range;
    }
}

/// Gives each cluster's characters to its glyphs: all but the last `k - 1` to the first glyph, one
/// each to the others; glyphs beyond the cluster's characters get none. `glyphs` hold full cluster
/// ranges on entry, in visual order (`rtl`: the reverse of reading order).
fn share_cluster_text(line: &str, glyphs: &mut [Range<usize>], rtl: bool) {
    let mut i = 0;
    while i < glyphs.len() {
        let range = glyphs[i].clone();
        let mut j = i + 1;
        while j < glyphs.len() && glyphs[j] == range {
            j += 1;
        }
        let count = j - i;
        if count > 1 {
            let bounds: Vec<usize> =
                line[range.clone()].char_indices().map(|(b, _)| range.start + b).chain([range.end]).collect();
            let chars = bounds.len() - 1;
            // Glyph k of the cluster gets characters [from(k), from(k + 1)).
            let from = |k: usize| -> usize {
                if k == 0 {
                    0
                } else if chars >= count {
                    chars - count + k
                } else {
                    k.min(chars)
                }
            };
            for k in 0..count {
                let (a, b) = (from(k), if k + 1 == count { chars } else { from(k + 1) });
                // The k-th glyph in reading order.
                let at = if rtl { j - 1 - k } else { i + k };
                glyphs[at] = bounds[a.min(chars)]..bounds[b.min(chars).max(a.min(chars))];
            }
        }
        i = j;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logical(line: &str, shaped: &ShapedLine) -> String {
        shaped.glyphs.iter().map(|g| &line[g.text.clone()]).collect()
    }

    #[test]
    fn every_script_gives_back_its_text_in_logical_order() {
        let fonts = FontSet::shared();
        let lines = [
            "Value report · Q3 2026",
            "AV Tokyo office, fi ffl",
            "שלום עולם בע״מ",
            "شركة الأمل للتجارة",
            "บริษัท ไทยพัฒนา จำกัด",
            "नमस्ते दुनिया कंपनी",
            "한국전자 주식회사",
            "株式会社さくら精密 ≒ ￥16,669,000",
            "🚀 Rocket 👩\u{200D}💻 ❤\u{FE0F}",
            "Acme (שלום) 2026 مرحبا 12%",
        ];
        for line in lines {
            for weight in [Weight::Regular, Weight::Bold] {
                let shaped = shape_line(fonts, line, weight);
                assert_eq!(logical(line, &shaped), line, "{weight:?}");
                assert!(shaped.missing.is_empty(), "{line}: {:?}", shaped.missing);
                assert!(shaped.glyphs.iter().all(|g| g.gid != 0), "{line}: a .notdef box");
            }
        }
    }

    #[test]
    fn hebrew_is_laid_out_right_to_left() {
        let fonts = FontSet::shared();
        let line = "שלום";
        let shaped = shape_line(fonts, line, Weight::Regular);
        // In logical order the x positions fall: the first letter is the rightmost.
        let xs: Vec<f32> = shaped.glyphs.iter().map(|g| g.x).collect();
        assert!(xs.windows(2).all(|w| w[0] > w[1]), "{xs:?}");
    }

    #[test]
    fn arabic_letters_join() {
        let fonts = FontSet::shared();
        let face = fonts.face(FaceId::ArabicRegular);
        // Isolated forms (the cmap glyphs) differ from the joined forms the shaper picks.
        let shaped = shape_line(fonts, "سلام", Weight::Regular);
        let isolated: Vec<u16> = "سلام".chars().map(|c| face.glyph(c).unwrap().0).collect();
        let joined: Vec<u16> = shaped.glyphs.iter().map(|g| g.gid).collect();
        assert_ne!(isolated, joined);
    }

    #[test]
    fn kerning_tightens_latin_pairs() {
        let fonts = FontSet::shared();
        let kerned = shape_line(fonts, "AV", Weight::Regular).advance;
        let plain = pdf_width(fonts, FaceId::LatinRegular, fonts.face(FaceId::LatinRegular).glyph('A').unwrap().0)
            + pdf_width(fonts, FaceId::LatinRegular, fonts.face(FaceId::LatinRegular).glyph('V').unwrap().0);
        assert!(kerned < plain - 10.0, "{kerned} vs {plain}");
    }

    #[test]
    fn a_character_no_face_has_is_replaced_visibly_and_reported() {
        let fonts = FontSet::shared();
        let line = "A\u{10FFFD}B";
        let shaped = shape_line(fonts, line, Weight::Regular);
        assert_eq!(shaped.missing, ['\u{10FFFD}']);
        let replacement = fonts.face(FaceId::LatinRegular).glyph('\u{FFFD}').unwrap().0;
        assert_eq!(shaped.glyphs[1].gid, replacement);
        assert_eq!(&line[shaped.glyphs[1].text.clone()], "\u{10FFFD}");
    }

    #[test]
    fn cluster_text_is_shared_in_order() {
        let line = "abc";
        let mut glyphs = vec![0..3, 0..3];
        share_cluster_text(line, &mut glyphs, false);
        assert_eq!(glyphs, [0..2, 2..3]);
        let mut glyphs = vec![0..3, 0..3];
        share_cluster_text(line, &mut glyphs, true);
        assert_eq!(glyphs, [2..3, 0..2]);
        let mut glyphs = vec![0..1, 0..1, 0..1];
        share_cluster_text(line, &mut glyphs, false);
        assert_eq!(glyphs, [0..1, 1..1, 1..1]);
    }
}
