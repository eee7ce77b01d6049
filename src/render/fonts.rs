//! The embedded fonts: parsed once per process (ttf-parser through rustybuzz), measured through a
//! lock-free per-character cache, shaped by [`super::shape`].
//!
//! Noto Sans (Latin, Greek, Cyrillic) is the primary face; then the script faces customers' names
//! need (Noto Sans Hebrew, Arabic, Thai, Devanagari), DejaVu Sans for the symbols Noto Sans lacks
//! (▲ ▼ ≒ arrows, maths), Noto Sans CJK JP (a Japanese + Korean subset, see `fonts/README.md`) and
//! Noto Emoji (monochrome outlines). Text is split into runs, each set in the first face of the
//! chain that has its characters, so a Japanese customer name in an English report and Latin words
//! in a Japanese report both come out right. A character no face has is set as the Latin face's
//! replacement glyph (U+FFFD) and reported ([`super::shape::ShapedLine::missing`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

use rustybuzz::{Direction, Face as ShapingFace, Script, ShapePlan};

const LATIN_REGULAR: &[u8] = include_bytes!("../../fonts/NotoSans-Regular.ttf");
const LATIN_BOLD: &[u8] = include_bytes!("../../fonts/NotoSans-Bold.ttf");
const CJK_REGULAR: &[u8] = include_bytes!("../../fonts/NotoSansCJKjp-Regular.subset.otf");
const CJK_BOLD: &[u8] = include_bytes!("../../fonts/NotoSansCJKjp-Bold.subset.otf");
const SYMBOLS_REGULAR: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
const SYMBOLS_BOLD: &[u8] = include_bytes!("../../fonts/DejaVuSans-Bold.ttf");
const HEBREW_REGULAR: &[u8] = include_bytes!("../../fonts/NotoSansHebrew-Regular.ttf");
const HEBREW_BOLD: &[u8] = include_bytes!("../../fonts/NotoSansHebrew-Bold.ttf");
const ARABIC_REGULAR: &[u8] = include_bytes!("../../fonts/NotoSansArabic-Regular.ttf");
const ARABIC_BOLD: &[u8] = include_bytes!("../../fonts/NotoSansArabic-Bold.ttf");
const THAI_REGULAR: &[u8] = include_bytes!("../../fonts/NotoSansThai-Regular.ttf");
const THAI_BOLD: &[u8] = include_bytes!("../../fonts/NotoSansThai-Bold.ttf");
const DEVANAGARI_REGULAR: &[u8] = include_bytes!("../../fonts/NotoSansDevanagari-Regular.ttf");
const DEVANAGARI_BOLD: &[u8] = include_bytes!("../../fonts/NotoSansDevanagari-Bold.ttf");
const EMOJI: &[u8] = include_bytes!("../../fonts/NotoEmoji-Regular.ttf");

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
    HebrewRegular,
    HebrewBold,
    ArabicRegular,
    ArabicBold,
    ThaiRegular,
    ThaiBold,
    DevanagariRegular,
    DevanagariBold,
    /// Noto Emoji has one weight; bold text uses it too.
    Emoji,
}

/// How many faces there are.
pub const FACES: usize = 15;

impl FaceId {
    pub const ALL: [FaceId; FACES] = [
        FaceId::LatinRegular,
        FaceId::LatinBold,
        FaceId::CjkRegular,
        FaceId::CjkBold,
        FaceId::SymbolsRegular,
        FaceId::SymbolsBold,
        FaceId::HebrewRegular,
        FaceId::HebrewBold,
        FaceId::ArabicRegular,
        FaceId::ArabicBold,
        FaceId::ThaiRegular,
        FaceId::ThaiBold,
        FaceId::DevanagariRegular,
        FaceId::DevanagariBold,
        FaceId::Emoji,
    ];

    /// The PDF resource id, fixed so documents are byte-identical; its first six letters become the
    /// subset tag (`VRLREG+NotoSans-Regular`).
    pub fn resource_id(self) -> printpdf::FontId {
        printpdf::FontId(self.tag().to_string())
    }

    fn tag(self) -> &'static str {
        match self {
            FaceId::LatinRegular => "VRLREG",
            FaceId::LatinBold => "VRLBLD",
            FaceId::CjkRegular => "VRJREG",
            FaceId::CjkBold => "VRJBLD",
            FaceId::SymbolsRegular => "VRSREG",
            FaceId::SymbolsBold => "VRSBLD",
            FaceId::HebrewRegular => "VRHREG",
            FaceId::HebrewBold => "VRHBLD",
            FaceId::ArabicRegular => "VRAREG",
            FaceId::ArabicBold => "VRABLD",
            FaceId::ThaiRegular => "VRTREG",
            FaceId::ThaiBold => "VRTBLD",
            FaceId::DevanagariRegular => "VRDREG",
            FaceId::DevanagariBold => "VRDBLD",
            FaceId::Emoji => "VREMOJ",
        }
    }

    /// The face named by [`FaceId::resource_id`].
    pub fn from_resource_id(id: &str) -> Option<FaceId> {
        FaceId::ALL.into_iter().find(|face| face.tag() == id)
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
            FaceId::HebrewRegular => "NotoSansHebrew-Regular",
            FaceId::HebrewBold => "NotoSansHebrew-Bold",
            FaceId::ArabicRegular => "NotoSansArabic-Regular",
            FaceId::ArabicBold => "NotoSansArabic-Bold",
            FaceId::ThaiRegular => "NotoSansThai-Regular",
            FaceId::ThaiBold => "NotoSansThai-Bold",
            FaceId::DevanagariRegular => "NotoSansDevanagari-Regular",
            FaceId::DevanagariBold => "NotoSansDevanagari-Bold",
            FaceId::Emoji => "NotoEmoji-Regular",
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
    /// The font program, also what subsets are cut from.
    pub data: &'static [u8],
    pub shaping: ShapingFace<'static>,
    pub units_per_em: f32,
    /// Ascender and descender as fractions of the em (descender negative).
    pub ascent: f32,
    pub descent: f32,
    /// One slot per Basic Multilingual Plane character: the glyph and its advance.
    glyphs: Vec<AtomicU64>,
    /// Shaping plans by (right to left, script tag): building one costs more than shaping a line.
    plans: RwLock<HashMap<(bool, u32), Arc<ShapePlan>>>,
}

impl Face {
    fn parse(data: &'static [u8], name: &str) -> Face {
        let shaping =
            ShapingFace::from_slice(data, 0).unwrap_or_else(|| panic!("the embedded font {name} is a valid font file"));
        let units_per_em = shaping.units_per_em().max(1) as f32;
        let ascent = f32::from(shaping.ascender()) / units_per_em;
        let descent = -f32::from(shaping.descender()).abs() / units_per_em;
        Face {
            data,
            shaping,
            units_per_em,
            ascent,
            descent,
            glyphs: (0..=0xFFFF).map(|_| AtomicU64::new(UNKNOWN)).collect(),
            plans: RwLock::new(HashMap::new()),
        }
    }

    /// Advance of `ch` in ems, `None` if the face has no glyph for it.
    pub fn advance(&self, ch: char) -> Option<f32> {
        self.glyph(ch).map(|(_, units)| units as f32 / self.units_per_em)
    }

    /// Horizontal advance of glyph `gid` in font units (hmtx).
    pub fn glyph_advance(&self, gid: u16) -> u16 {
        self.shaping.glyph_hor_advance(rustybuzz::ttf_parser::GlyphId(gid)).unwrap_or(0)
    }

    /// The glyph id of `ch` and its advance in font units; `None` if the face has no glyph for it.
    pub fn glyph(&self, ch: char) -> Option<(u16, u32)> {
        let code = ch as u32;
        let lookup = || {
            self.shaping
                .glyph_index(ch)
                .filter(|glyph| glyph.0 != 0)
                .map(|glyph| (glyph.0, u32::from(self.glyph_advance(glyph.0))))
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

    /// The shaping plan for a direction and script, built once per process.
    pub fn plan(&self, direction: Direction, script: Script) -> Arc<ShapePlan> {
        let key = (direction == Direction::RightToLeft, script.tag().as_u32());
        if let Some(plan) = self.plans.read().expect("plan cache lock").get(&key) {
            return Arc::clone(plan);
        }
        let plan = Arc::new(ShapePlan::new(&self.shaping, direction, Some(script), None, &[]));
        self.plans.write().expect("plan cache lock").entry(key).or_insert(plan).clone()
    }
}

/// The faces of the report.
pub struct FontSet {
    faces: Vec<Face>,
}

impl FontSet {
    /// The process-wide font set, parsed on first use.
    pub fn shared() -> &'static FontSet {
        static FONTS: OnceLock<FontSet> = OnceLock::new();
        FONTS.get_or_init(|| FontSet {
            faces: FaceId::ALL
                .into_iter()
                .map(|id| Face::parse(FontSet::source_bytes(id), id.postscript_name()))
                .collect(),
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
            FaceId::HebrewRegular => HEBREW_REGULAR,
            FaceId::HebrewBold => HEBREW_BOLD,
            FaceId::ArabicRegular => ARABIC_REGULAR,
            FaceId::ArabicBold => ARABIC_BOLD,
            FaceId::ThaiRegular => THAI_REGULAR,
            FaceId::ThaiBold => THAI_BOLD,
            FaceId::DevanagariRegular => DEVANAGARI_REGULAR,
            FaceId::DevanagariBold => DEVANAGARI_BOLD,
            FaceId::Emoji => EMOJI,
        }
    }

    pub fn face(&self, id: FaceId) -> &Face {
        &self.faces[id.index()]
    }

    /// The fallback chain at `weight`, most preferred first.
    fn chain(weight: Weight) -> [FaceId; 8] {
        // The script faces come before DejaVu Sans, which has (worse) Hebrew and Arabic of its own;
        // symbols (▲ ▼ ≒ arrows) come from DejaVu before the CJK face: a Latin report then embeds
        // only TrueType faces, whose subsetting is several times cheaper than the CJK CFF face's.
        match weight {
            Weight::Regular => [
                FaceId::LatinRegular,
                FaceId::HebrewRegular,
                FaceId::ArabicRegular,
                FaceId::ThaiRegular,
                FaceId::DevanagariRegular,
                FaceId::SymbolsRegular,
                FaceId::CjkRegular,
                FaceId::Emoji,
            ],
            Weight::Bold => [
                FaceId::LatinBold,
                FaceId::HebrewBold,
                FaceId::ArabicBold,
                FaceId::ThaiBold,
                FaceId::DevanagariBold,
                FaceId::SymbolsBold,
                FaceId::CjkBold,
                FaceId::Emoji,
            ],
        }
    }

    /// The face that sets `ch` at `weight`: the first of the chain that has the glyph; `None` if no
    /// face has it. Pictographs (U+1F000 and up) go to the emoji face first.
    pub fn find_face(&self, ch: char, weight: Weight) -> Option<FaceId> {
        if u32::from(ch) >= 0x1F000 && self.face(FaceId::Emoji).advance(ch).is_some() {
            return Some(FaceId::Emoji);
        }
        Self::chain(weight).into_iter().find(|&face| self.face(face).advance(ch).is_some())
    }

    /// Like [`FontSet::find_face`], with the primary face (whose replacement glyph is then drawn)
    /// when no face has the character.
    pub fn face_for(&self, ch: char, weight: Weight) -> FaceId {
        if ch.is_whitespace() {
            return Self::chain(weight)[0];
        }
        self.find_face(ch, weight).unwrap_or(Self::chain(weight)[0])
    }

    /// Splits `text` into runs that each use one face. Spaces join the run they are in, and marks,
    /// joiners and variation selectors stay in the face of the character they attach to when it
    /// has them (an accent, a vowel sign, a ZWJ emoji sequence).
    pub fn runs<'t>(&self, text: &'t str, weight: Weight) -> Vec<(FaceId, &'t str)> {
        let mut runs: Vec<(FaceId, &str)> = Vec::new();
        let mut start = 0;
        let mut current: Option<FaceId> = None;
        for (i, ch) in text.char_indices() {
            let attached = is_attached(ch);
            let face = match current {
                Some(current) if ch == ' ' => current,
                Some(current) if attached && (self.face(current).advance(ch).is_some() || is_invisible(ch)) => current,
                _ => self.face_for(ch, weight),
            };
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

    /// Width of `text` in points at `size` points, as shaped ([`super::shape::shape_line`]).
    pub fn width(&self, text: &str, weight: Weight, size: f32) -> f32 {
        if text.is_empty() {
            return 0.0;
        }
        super::shape::line_advance(self, text, weight) / 1000.0 * size
    }
}

/// A character that belongs to the one before it: a non-spacing or enclosing mark, a joiner or a
/// variation selector.
fn is_attached(ch: char) -> bool {
    use unicode_bidi::BidiClass;
    // Nothing before the combining diacritical marks (U+0300) attaches: Latin text skips the table
    // search.
    if u32::from(ch) < 0x300 {
        return false;
    }
    is_invisible(ch) || matches!(unicode_bidi::bidi_class(ch), BidiClass::NSM)
}

/// Format characters that never have ink of their own: joiners and variation selectors.
pub(crate) fn is_invisible(ch: char) -> bool {
    matches!(u32::from(ch), 0x200C | 0x200D | 0xFE00..=0xFE0F | 0xE0100..=0xE01EF)
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
    fn every_script_customers_write_has_a_face() {
        let fonts = FontSet::shared();
        let cases = [
            ('ש', FaceId::HebrewRegular),
            ('ع', FaceId::ArabicRegular),
            ('ก', FaceId::ThaiRegular),
            ('क', FaceId::DevanagariRegular),
            ('한', FaceId::CjkRegular),
            ('🚀', FaceId::Emoji),
            ('Ж', FaceId::LatinRegular),
            ('Ω', FaceId::LatinRegular),
        ];
        for (ch, face) in cases {
            assert_eq!(fonts.find_face(ch, Weight::Regular), Some(face), "{ch}");
        }
        assert_eq!(fonts.find_face('\u{10FFFD}', Weight::Regular), None);
        // A ZWJ sequence and a Devanagari vowel sign stay with their base.
        let runs = fonts.runs("👩\u{200D}💻 नमस्ते", Weight::Regular);
        let faces: Vec<FaceId> = runs.iter().map(|r| r.0).collect();
        assert_eq!(faces, [FaceId::Emoji, FaceId::DevanagariRegular], "the space stays in the run it is in");
    }

    #[test]
    fn widths_are_plausible() {
        let fonts = FontSet::shared();
        let w = fonts.width("Value report", Weight::Regular, 10.0);
        assert!((45.0..75.0).contains(&w), "{w}");
        assert_eq!(fonts.width("Value report", Weight::Regular, 10.0), w);
        assert!(fonts.width("Value report", Weight::Bold, 10.0) > w);
        // Full-width Japanese characters are one em wide.
        assert!((fonts.width("価値", Weight::Regular, 10.0) - 20.0).abs() < 0.5);
    }
}
