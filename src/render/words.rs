//! Shaped words, cached: the fast path of [`super::shape`].
//!
//! Measuring a paragraph asks for the width of every word, often many times (line breaking,
//! ellipses, fitting sizes), and the same words come back in every report ("the", "quarter",
//! "$12,400"). Shaping each request with rustybuzz made layout 75× slower than summing cached
//! advances. In the faces whose OpenType lookups never reach across a space (checked by the tests
//! below for Noto Sans, DejaVu Sans and Noto Sans CJK), a left-to-right run shapes to exactly the
//! concatenation of its words and spaces shaped one by one: each word is shaped once per thread,
//! at one size (positions are in font units and scale with the size) and reused for measuring and
//! drawing. Faces with joining or reordering scripts (Arabic, Hebrew, Thai, Devanagari) and emoji
//! sequences are always shaped whole.

use std::cell::RefCell;
use std::collections::HashMap;

use rustc_hash::FxBuildHasher;
use std::ops::Range;
use std::rc::Rc;

use rustybuzz::{script, Direction, Script, UnicodeBuffer};

use super::fonts::{FaceId, FontSet};

/// One glyph of a word shaped on its own, in font units from the word's start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordGlyph {
    pub gid: u16,
    pub x: i32,
    pub y: i32,
    /// The bytes of the word it stands for in the text layer (see [`super::shape::ShapedGlyph`]).
    pub text: Range<usize>,
}

/// A word shaped on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub glyphs: Vec<WordGlyph>,
    /// Advance in font units.
    pub advance: i32,
}

/// Whether runs in `face` may be shaped word by word (see the module documentation).
pub fn splits_at_spaces(face: FaceId) -> bool {
    matches!(
        face,
        FaceId::LatinRegular
            | FaceId::LatinBold
            | FaceId::SymbolsRegular
            | FaceId::SymbolsBold
            | FaceId::CjkRegular
            | FaceId::CjkBold
    )
}

/// Entries kept per thread before the cache starts afresh (a batch of thousands of customers
/// would otherwise keep every word it ever set).
const CAPACITY: usize = 16_384;

#[derive(Default)]
struct Cache {
    /// By face and script (the run's, which the shaping plan depends on), then by word.
    words: HashMap<(FaceId, u32), HashMap<Box<str>, Option<Rc<Word>>, FxBuildHasher>, FxBuildHasher>,
    entries: usize,
    buffer: Option<UnicodeBuffer>,
    /// The script guessed for text of digits, punctuation and spaces only.
    no_script: Option<Script>,
}

thread_local! {
    static CACHE: RefCell<Cache> = RefCell::new(Cache::default());
}

/// The script rustybuzz guesses for `text` (its first character of a real script), as the slow
/// path's `guess_segment_properties` does for the whole run.
fn run_script(cache: &mut Cache, text: &str) -> Script {
    // ASCII: the first letter is Latin, whatever comes before it (digits, punctuation and spaces
    // have no script of their own); without a letter, the guess is that of text with no script.
    if text.is_ascii() {
        if text.bytes().any(|b| b.is_ascii_alphabetic()) {
            return script::LATIN;
        }
        if let Some(found) = cache.no_script {
            return found;
        }
        let found = guess_script(cache, "0");
        cache.no_script = Some(found);
        return found;
    }
    guess_script(cache, text)
}

fn guess_script(cache: &mut Cache, text: &str) -> Script {
    let mut buffer = cache.buffer.take().unwrap_or_default();
    buffer.push_str(text);
    buffer.guess_segment_properties();
    let found = buffer.script();
    buffer.clear();
    cache.buffer = Some(buffer);
    found
}

/// Shapes one word (or one space) left to right in `face` with the run's `script`; `None` when a
/// character has no glyph there (the slow path then draws and reports the replacement).
fn shape_word(fonts: &FontSet, cache: &mut Cache, face_id: FaceId, run_script: Script, word: &str) -> Option<Word> {
    let mut buffer = cache.buffer.take().unwrap_or_default();
    buffer.push_str(word);
    buffer.set_direction(Direction::LeftToRight);
    if run_script != script::UNKNOWN {
        buffer.set_script(run_script);
    }
    buffer.guess_segment_properties();
    let face = fonts.face(face_id);
    let plan = face.plan(buffer.direction(), buffer.script());
    let output = rustybuzz::shape_with_plan(&face.shaping, &plan, buffer);
    let mut starts: Vec<usize> = output.glyph_infos().iter().map(|g| g.cluster as usize).collect();
    starts.sort_unstable();
    starts.dedup();
    let end_of = |cluster: usize| {
        let next = starts.partition_point(|&s| s <= cluster);
        starts.get(next).copied().unwrap_or(word.len())
    };
    let mut pen = 0i32;
    let mut glyphs = Vec::with_capacity(output.len());
    let mut complete = true;
    for (info, position) in output.glyph_infos().iter().zip(output.glyph_positions()) {
        if info.glyph_id == 0 {
            complete = false;
            break;
        }
        let cluster = info.cluster as usize;
        glyphs.push(WordGlyph {
            gid: info.glyph_id as u16,
            x: pen + position.x_offset,
            y: position.y_offset,
            text: cluster..end_of(cluster),
        });
        pen += position.x_advance;
    }
    cache.buffer = Some(output.clear());
    if !complete {
        return None;
    }
    super::shape::share_word_text(word, &mut glyphs);
    Some(Word { glyphs, advance: pen })
}

/// Calls `each(word, offset in run)` for the words and spaces of a left-to-right `run` in `face`,
/// each shaped once per thread; `false` (having called nothing) when the run cannot be shaped word
/// by word: a face that needs whole runs, or a character the face lacks.
pub fn for_each_word(fonts: &FontSet, face: FaceId, run: &str, mut each: impl FnMut(&Word, usize)) -> bool {
    if !splits_at_spaces(face) {
        return false;
    }
    CACHE.with(|cell| {
        let mut cache = cell.borrow_mut();
        let cache = &mut *cache;
        let script = run_script(cache, run);
        // Look every word up first (shaping the new ones), then hand them out.
        let mut words: Vec<(Rc<Word>, usize)> = Vec::new();
        for (offset, word) in split_spaces(run) {
            let known = cache.words.get(&(face, script.tag().as_u32())).and_then(|m| m.get(word)).cloned();
            let shaped = match known {
                Some(shaped) => shaped,
                None => {
                    if cache.entries >= CAPACITY {
                        cache.words.clear();
                        cache.entries = 0;
                    }
                    let shaped = shape_word(fonts, cache, face, script, word).map(Rc::new);
                    cache.words.entry((face, script.tag().as_u32())).or_default().insert(word.into(), shaped.clone());
                    cache.entries += 1;
                    shaped
                }
            };
            match shaped {
                Some(shaped) => words.push((shaped, offset)),
                None => return false,
            }
        }
        for (word, offset) in &words {
            each(word, *offset);
        }
        true
    })
}

/// The words and single spaces of `text` with their byte offsets.
fn split_spaces(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut rest = 0;
    std::iter::from_fn(move || {
        if rest >= text.len() {
            return None;
        }
        let start = rest;
        let end = if text[start..].starts_with(' ') {
            start + 1
        } else {
            text[start..].find(' ').map_or(text.len(), |i| start + i)
        };
        rest = end;
        Some((start, &text[start..end]))
    })
}

#[cfg(test)]
mod tests {
    use super::super::fonts::Weight;
    use super::super::shape::{shape_line, shape_line_whole};
    use super::*;

    #[test]
    fn the_ascii_shortcut_guesses_the_script_rustybuzz_guesses() {
        let mut cache = Cache::default();
        for text in ["Revenue", "$12,400", "42 %", "  x", "", "Q3 2026", "-", "(1.5)", "10x"] {
            let fast = run_script(&mut cache, text);
            assert_eq!(fast, guess_script(&mut cache, text), "{text:?}");
        }
    }

    #[test]
    fn splits_into_words_and_single_spaces() {
        let parts: Vec<(usize, &str)> = split_spaces("ab  c d ").collect();
        assert_eq!(parts, [(0, "ab"), (2, " "), (3, " "), (4, "c"), (5, " "), (6, "d"), (7, " ")]);
        assert_eq!(split_spaces("").count(), 0);
    }

    /// The faces shaped word by word have no lookup that reaches across a space: for every pair of
    /// characters around a space, the whole run and the words shaped one by one agree.
    #[test]
    fn word_by_word_equals_whole_runs_around_every_space() {
        let fonts = FontSet::shared();
        let latin: Vec<char> = (0x21u8..0x7F)
            .map(char::from)
            .chain("ÀÉÍÓÚàéíóúñçüöäßøÅÆŒœ‘’“”–—…·€£¥₹ЖжΩωАВТТУ".chars())
            .collect();
        let japanese: Vec<char> = "株式会社さくら精密、。「」（）ー月次レポ한국전자ABC1%".chars().collect();
        let symbols: Vec<char> = "▲▼≒→←↑↓±×÷∞≈≤≥".chars().collect();
        let mut checked = 0;
        for (chars, weight) in [
            (&latin, Weight::Regular),
            (&latin, Weight::Bold),
            (&japanese, Weight::Regular),
            (&japanese, Weight::Bold),
            (&symbols, Weight::Regular),
        ] {
            for &a in chars.iter() {
                for &b in chars.iter() {
                    let line = format!("{a} {b}{a}  {b}");
                    let fast = shape_line(fonts, &line, weight);
                    let whole = shape_line_whole(fonts, &line, weight);
                    assert_eq!(fast, whole, "{line:?} {weight:?}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 20_000);
    }

    #[test]
    fn report_sentences_shape_the_same_word_by_word() {
        let fonts = FontSet::shared();
        let lines = [
            "Realized value already happened last quarter: it is proof. Projected value is conditional.",
            "AV Tokyo office, fi ffl “quoted” — Wa Te Yo 1,234.50 ▲ 12.4% vs 2026-Q2",
            "月次レポート作成時間を四十時間から十時間に削減しました。ROI 185% 株式会社さくら精密 2026",
            "Привет мир, Ωmega Société Générale ≒ ¥439,637,343,200",
            "Acme (שלום) 2026 مرحبا 12% 🚀 बिक्री",
        ];
        for line in lines {
            for weight in [Weight::Regular, Weight::Bold] {
                assert_eq!(shape_line(fonts, line, weight), shape_line_whole(fonts, line, weight), "{line}");
                let width = fonts.width(line, weight, 10.0);
                assert_eq!(width, shape_line_whole(fonts, line, weight).width() * 10.0, "{line}");
            }
        }
    }

    #[test]
    fn a_character_the_face_lacks_takes_the_slow_path() {
        let fonts = FontSet::shared();
        let line = "Acme \u{10FFFD} Logistics";
        assert!(!for_each_word(fonts, FaceId::LatinRegular, line, |_, _| {}));
        let shaped = shape_line(fonts, line, Weight::Regular);
        assert_eq!(shaped.missing, ['\u{10FFFD}']);
        assert_eq!(shaped, shape_line_whole(fonts, line, Weight::Regular));
    }
}
