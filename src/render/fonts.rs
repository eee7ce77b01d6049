//! The embedded fonts: parsed once per process, measured through a lock-free per-character cache.
//!
//! Noto Sans (Latin, Greek, Cyrillic) is the primary face; Noto Sans CJK JP (a Japanese subset, see
//! `fonts/README.md`) sets Japanese, and DejaVu Sans the symbols Noto Sans lacks (▲ ▼ ≒ arrows, math),
//! tried before the CJK face. Text is split into runs, each set in the first
//! face of the chain that has its characters, so a Japanese customer name in an English report and
//! Latin words in a Japanese report both come out right.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use printpdf::{FontId, ParsedFont};

const LATIN_REGULAR: &[u8] = include_bytes!("../../fonts/NotoSans-Regular.ttf");
const LATIN_BOLD: &[u8] = include_bytes!("../../fonts/NotoSans-Bold.ttf");
const CJK_REGULAR: &[u8] = include_bytes!("../../fonts/NotoSansCJKjp-Regular.subset.otf");
const CJK_BOLD: &[u8] = include_bytes!("../../fonts/NotoSansCJKjp-Bold.subset.otf");
const SYMBOLS_REGULAR: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
const SYMBOLS_BOLD: &[u8] = include_bytes!("../../fonts/DejaVuSans-Bold.ttf");

/// Regular or bold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Weight {
    Regular,
    Bold,
}

/// One of the embedded faces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FaceId {
    LatinRegular,
    LatinBold,
    CjkRegular,
    CjkBold,
    SymbolsRegular,
    SymbolsBold,
}

/// How many faces there are.
pub const FACES: usize = 6;

impl FaceId {
    pub const ALL: [FaceId; FACES] = [
        FaceId::LatinRegular,
        FaceId::LatinBold,
        FaceId::CjkRegular,
        FaceId::CjkBold,
        FaceId::SymbolsRegular,
        FaceId::SymbolsBold,
    ];

    /// The PDF resource id, fixed so documents are byte-identical; its first six letters become the
    /// subset tag (`VRLREG+NotoSans-Regular`).
    pub fn resource_id(self) -> FontId {
        FontId(
            match self {
                FaceId::LatinRegular => "VRLREG",
                FaceId::LatinBold => "VRLBLD",
                FaceId::CjkRegular => "VRJREG",
                FaceId::CjkBold => "VRJBLD",
                FaceId::SymbolsRegular => "VRSREG",
                FaceId::SymbolsBold => "VRSBLD",
            }
            .to_string(),
        )
    }

    /// The face named by [`FaceId::resource_id`].
    pub fn from_resource_id(id: &str) -> Option<FaceId> {
        FaceId::ALL.into_iter().find(|face| face.resource_id().0 == id)
    }

    /// The PostScript name of the face (after the subset tag in the PDF's /BaseFont).
    pub fn postscript_name(self) -> &'static str {
        match self {
            FaceId::LatinRegular => "NotoSans-Regular",
            FaceId::LatinBold => "NotoSans-Bold",
            FaceId::CjkRegular => "NotoSansCJKjp-Regular",
            FaceId::CjkBold => "NotoSansCJKjp-Bold",
            FaceId::SymbolsRegular => "DejaVuSans",
            FaceId::SymbolsBold => "DejaVuSans-Bold",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Glyph cache entry: 0 = not looked up yet, 1 = no glyph, else `glyph id << 32 | (advance + 2)`
/// (advance in font units).
const UNKNOWN: u64 = 0;
const MISSING: u64 = 1;

pub struct Face {
    pub parsed: ParsedFont,
    units_per_em: f32,
    /// Ascender and descender as fractions of the em (descender negative).
    pub ascent: f32,
    pub descent: f32,
    /// One slot per Basic Multilingual Plane character: the glyph and its advance. The text is
    /// written as glyph ids from here, so the font's own cmap (a linear search per character in
    /// printpdf's font library, slow for the CJK face) is consulted once per character per process.
    glyphs: Vec<AtomicU64>,
}

impl Face {
    fn parse(bytes: &[u8], name: &str) -> Face {
        let mut warnings = Vec::new();
        let parsed = ParsedFont::from_bytes(bytes, 0, &mut warnings)
            .unwrap_or_else(|| panic!("the embedded font {name} is a valid font file"));
        let metrics = &parsed.font_metrics;
        let units_per_em = f32::from(metrics.units_per_em.max(1));
        // Layout metrics are in font units, descent negative.
        let ascent = metrics.ascent / units_per_em;
        let descent = -metrics.descent.abs() / units_per_em;
        Face { parsed, units_per_em, ascent, descent, glyphs: (0..=0xFFFF).map(|_| AtomicU64::new(UNKNOWN)).collect() }
    }

    /// Advance of `ch` in ems, `None` if the face has no glyph for it.
    pub fn advance(&self, ch: char) -> Option<f32> {
        self.glyph(ch).map(|(_, units)| units as f32 / self.units_per_em)
    }

    /// The glyph id of `ch` and its advance in font units; `None` if the face has no glyph for it.
    pub fn glyph(&self, ch: char) -> Option<(u16, u32)> {
        let code = ch as u32;
        let lookup = || {
            self.parsed
                .lookup_glyph_index(code)
                .filter(|&glyph| glyph != 0)
                .map(|glyph| (glyph, u32::from(self.parsed.get_horizontal_advance(glyph))))
        };
        let Some(slot) = self.glyphs.get(code as usize) else { return lookup() };
        match slot.load(Ordering::Relaxed) {
            UNKNOWN => {
                let found = lookup();
                let entry = found.map_or(MISSING, |(glyph, units)| u64::from(glyph) << 32 | u64::from(units + 2));
                slot.store(entry, Ordering::Relaxed);
                found
            }
            MISSING => None,
            entry => Some(((entry >> 32) as u16, (entry as u32) - 2)),
        }
    }
}

/// The faces of the report.
pub struct FontSet {
    faces: [Face; FACES],
}

impl FontSet {
    /// The process-wide font set, parsed on first use.
    pub fn shared() -> &'static FontSet {
        static FONTS: OnceLock<FontSet> = OnceLock::new();
        FONTS.get_or_init(|| FontSet {
            faces: [
                Face::parse(LATIN_REGULAR, "NotoSans-Regular"),
                Face::parse(LATIN_BOLD, "NotoSans-Bold"),
                Face::parse(CJK_REGULAR, "NotoSansCJKjp-Regular"),
                Face::parse(CJK_BOLD, "NotoSansCJKjp-Bold"),
                Face::parse(SYMBOLS_REGULAR, "DejaVuSans"),
                Face::parse(SYMBOLS_BOLD, "DejaVuSans-Bold"),
            ],
        })
    }

    /// The font file a face is parsed from (for fingerprints; no parsing).
    pub fn source_bytes(id: FaceId) -> &'static [u8] {
        match id {
            FaceId::LatinRegular => LATIN_REGULAR,
            FaceId::LatinBold => LATIN_BOLD,
            FaceId::CjkRegular => CJK_REGULAR,
            FaceId::CjkBold => CJK_BOLD,
            FaceId::SymbolsRegular => SYMBOLS_REGULAR,
            FaceId::SymbolsBold => SYMBOLS_BOLD,
        }
    }

    pub fn face(&self, id: FaceId) -> &Face {
        &self.faces[id.index()]
    }

    /// The face that sets `ch` at `weight`: the first of Latin, symbols, CJK that has the glyph;
    /// Latin (its .notdef box) if none has it.
    pub fn face_for(&self, ch: char, weight: Weight) -> FaceId {
        // Symbols (▲ ▼ ≒ arrows) come from DejaVu before the CJK face: a Latin report then embeds
        // only TrueType faces, whose subsetting is several times cheaper than the CJK CFF face's.
        let chain = match weight {
            Weight::Regular => [FaceId::LatinRegular, FaceId::SymbolsRegular, FaceId::CjkRegular],
            Weight::Bold => [FaceId::LatinBold, FaceId::SymbolsBold, FaceId::CjkBold],
        };
        if ch.is_whitespace() {
            return chain[0];
        }
        chain.into_iter().find(|&face| self.face(face).advance(ch).is_some()).unwrap_or(chain[0])
    }

    /// Splits `text` into runs that each use one face.
    pub fn runs<'t>(&self, text: &'t str, weight: Weight) -> Vec<(FaceId, &'t str)> {
        let mut runs: Vec<(FaceId, &str)> = Vec::new();
        let mut start = 0;
        let mut current: Option<FaceId> = None;
        for (i, ch) in text.char_indices() {
            let face = self.face_for(ch, weight);
            // Spaces join the run they are in: no font switch for a space.
            let face = if ch == ' ' { current.unwrap_or(face) } else { face };
            if current.is_some_and(|c| c != face) {
                runs.push((current.expect("checked"), &text[start..i]));
                start = i;
            }
            current = Some(face);
        }
        if let Some(face) = current {
            runs.push((face, &text[start..]));
        }
        runs
    }

    /// Width of `text` in points at `size` points.
    pub fn width(&self, text: &str, weight: Weight, size: f32) -> f32 {
        let mut ems = 0.0;
        for ch in text.chars() {
            let face = self.face_for(ch, weight);
            ems += self.face(face).advance(ch).unwrap_or(0.5);
        }
        ems * size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_text_uses_noto_sans_and_japanese_falls_back_to_cjk() {
        let fonts = FontSet::shared();
        assert_eq!(fonts.face_for('A', Weight::Regular), FaceId::LatinRegular);
        assert_eq!(fonts.face_for('é', Weight::Bold), FaceId::LatinBold);
        assert_eq!(fonts.face_for('株', Weight::Regular), FaceId::CjkRegular);
        assert_eq!(fonts.face_for('ア', Weight::Bold), FaceId::CjkBold);
        // Neither Noto face has ≒ (U+2252), a common Japanese "approximately".
        assert_eq!(fonts.face_for('≒', Weight::Regular), FaceId::SymbolsRegular);
        let runs = fonts.runs("ROI 185% 株式会社さくら精密 2026", Weight::Regular);
        let faces: Vec<FaceId> = runs.iter().map(|r| r.0).collect();
        assert_eq!(faces, [FaceId::LatinRegular, FaceId::CjkRegular, FaceId::LatinRegular]);
        assert_eq!(runs.iter().map(|r| r.1).collect::<String>(), "ROI 185% 株式会社さくら精密 2026");
    }

    #[test]
    fn widths_are_plausible_and_cached() {
        let fonts = FontSet::shared();
        let w = fonts.width("Value report", Weight::Regular, 10.0);
        assert!((45.0..75.0).contains(&w), "{w}");
        assert_eq!(fonts.width("Value report", Weight::Regular, 10.0), w);
        assert!(fonts.width("Value report", Weight::Bold, 10.0) > w);
        // Full-width Japanese characters are one em wide.
        assert!((fonts.width("価値", Weight::Regular, 10.0) - 20.0).abs() < 0.5);
    }
}
