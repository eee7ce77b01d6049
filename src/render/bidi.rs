//! Line order: the Unicode Bidirectional Algorithm (UAX #9, `unicode-bidi`) turns one line of text
//! into directional runs in visual order (left to right on the page).
//!
//! The report's own sentences are in left-to-right languages; right-to-left text comes from
//! customers (names, goals, quotes). A line is therefore set right to left only when most of its
//! strong characters are right to left (a higher-level protocol, UAX #9 HL1, instead of P2–P3's
//! first strong character): a Hebrew name at the start of a wrapped English line keeps the line
//! left to right, and a Hebrew quote with one English word reads right to left.

use std::ops::Range;

use unicode_bidi::BidiInfo;

/// A run of one direction: a byte range of the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub range: Range<usize>,
    pub rtl: bool,
}

/// The runs of `line` in visual order. A line without right-to-left characters is one run.
pub fn visual_runs(line: &str) -> Vec<Run> {
    if line.is_empty() {
        return Vec::new();
    }
    if !line.chars().any(may_be_rtl) {
        return vec![Run { range: 0..line.len(), rtl: false }];
    }
    use unicode_bidi::{BidiClass, Level};
    let (mut ltr, mut rtl) = (0usize, 0usize);
    for ch in line.chars() {
        match unicode_bidi::bidi_class(ch) {
            BidiClass::L => ltr += 1,
            BidiClass::R | BidiClass::AL => rtl += 1,
            _ => {}
        }
    }
    let base = if rtl > ltr { Level::rtl() } else { Level::ltr() };
    let info = BidiInfo::new(line, Some(base));
    let mut runs = Vec::new();
    for paragraph in &info.paragraphs {
        let (levels, ranges) = info.visual_runs(paragraph, paragraph.range.clone());
        for range in ranges {
            let rtl = levels[range.start].is_rtl();
            runs.push(Run { range, rtl });
        }
    }
    runs
}

/// Whether a character may start right-to-left text (Hebrew, Arabic and their presentation forms,
/// other RTL blocks, explicit directional formatting): a cheap test before the full algorithm.
fn may_be_rtl(ch: char) -> bool {
    matches!(u32::from(ch), 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x10800..=0x10FFF | 0x1E800..=0x1EFFF
        | 0x200F | 0x202B | 0x202E | 0x2067)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visual(line: &str) -> Vec<(&str, bool)> {
        visual_runs(line).into_iter().map(|r| (&line[r.range], r.rtl)).collect()
    }

    #[test]
    fn left_to_right_text_is_one_run() {
        assert_eq!(visual("Value report · Q3 2026"), [("Value report · Q3 2026", false)]);
        assert_eq!(visual("株式会社さくら精密"), [("株式会社さくら精密", false)]);
        assert!(visual("").is_empty());
    }

    #[test]
    fn hebrew_inside_english_is_one_right_to_left_run_in_place() {
        let runs = visual("Prepared for שלום עולם Ltd");
        assert_eq!(runs, [("Prepared for ", false), ("שלום עולם", true), (" Ltd", false)]);
    }

    #[test]
    fn a_right_to_left_line_puts_later_runs_to_the_left() {
        // A Hebrew name starting an English line leaves the line left to right.
        let runs = visual("שלום Ltd set its success plan");
        assert_eq!(runs, [("שלום", true), (" Ltd set its success plan", false)]);
        // An Arabic paragraph with a number: the number stays left to right, to the left of the
        // words that come before it in reading order.
        let line = "شركة الأمل 2026";
        let runs = visual(line);
        assert_eq!(runs.first().map(|r| r.0.trim()), Some("2026"));
        assert!(!runs[0].1);
        assert!(runs.last().unwrap().1);
        assert_eq!(runs.last().unwrap().0.trim(), "شركة الأمل");
    }
}
