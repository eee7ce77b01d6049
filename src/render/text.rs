//! Line breaking: UAX #14 break opportunities (`unicode-linebreak`) filled greedily by measured width.
//!
//! UAX #14 already carries the Japanese kinsoku rules that matter for reports: no break before
//! closing punctuation (`、。」）`), small kana or prolonged sound marks, none after opening brackets;
//! and it allows breaks between ideographs without inserting spaces.

use unicode_linebreak::{linebreaks, BreakOpportunity};

use super::fonts::{FontSet, Weight};

/// Splits `text` into lines no wider than `max_width` points at `size`. Mandatory breaks (newlines)
/// are kept; a single word wider than the line is split between characters. A paragraph does not end
/// on a lone short word ("… under 15 / h"): the word before it moves down too.
pub fn wrap(fonts: &FontSet, text: &str, weight: Weight, size: f32, max_width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut paragraph_start = 0;
    let mut line = String::new();
    let mut line_width = 0.0;
    let mut start = 0;
    for (end, opportunity) in linebreaks(text) {
        // Never part a minus sign from its number ("-$20,634.80"): UAX #14 allows a break there.
        if opportunity == BreakOpportunity::Allowed && text[..end].ends_with('-') && !text[end..].starts_with(' ') {
            continue;
        }
        let segment = &text[start..end];
        start = end;
        let mandatory = opportunity == BreakOpportunity::Mandatory;
        let segment = if mandatory { segment.trim_end_matches(['\n', '\r', '\u{2028}', '\u{2029}']) } else { segment };
        let visible = segment.trim_end();
        let visible_width = fonts.width(visible, weight, size);
        if !line.is_empty() && line_width + visible_width > max_width {
            lines.push(line.trim_end().to_string());
            line.clear();
            line_width = 0.0;
        }
        if line.is_empty() && visible_width > max_width {
            // A word longer than the line: split it between characters.
            for ch in segment.chars() {
                let w = fonts.width(ch.encode_utf8(&mut [0; 4]), weight, size);
                if !line.is_empty() && line_width + w > max_width && !ch.is_whitespace() {
                    lines.push(line.trim_end().to_string());
                    line.clear();
                    line_width = 0.0;
                }
                line.push(ch);
                line_width += w;
            }
        } else {
            line.push_str(segment);
            line_width += fonts.width(segment, weight, size);
        }
        if mandatory && end < text.len() {
            lines.push(line.trim_end().to_string());
            line.clear();
            line_width = 0.0;
            avoid_runt(&mut lines[paragraph_start..], fonts, weight, size, max_width);
            paragraph_start = lines.len();
        }
    }
    let last = line.trim_end();
    if !last.is_empty() || lines.is_empty() {
        lines.push(last.to_string());
    }
    let start = paragraph_start.min(lines.len());
    avoid_runt(&mut lines[start..], fonts, weight, size, max_width);
    lines
}

/// `text` on one line no wider than `max_width`: as it is when it fits, else cut and ended with
/// "…" — after the last whole word that fits, or between characters when not even the first word
/// does (never inside a cluster: marks and joiners stay with their base).
pub fn ellipsize(fonts: &FontSet, text: &str, weight: Weight, size: f32, max_width: f32) -> String {
    if fonts.width(text, weight, size) <= max_width {
        return text.to_string();
    }
    let fits = |end: usize| {
        let head = text[..end].trim_end();
        !head.is_empty() && fonts.width(&format!("{head}…"), weight, size) <= max_width
    };
    // Word boundaries, longest first.
    let words: Vec<usize> = text.char_indices().filter(|(_, c)| *c == ' ').map(|(i, _)| i).collect();
    // Widths grow with the prefix: the longest that fits, by bisection (a 10,000-character name
    // has a thousand word boundaries).
    let (mut lo, mut hi) = (0usize, words.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if fits(words[mid - 1]) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    if lo > 0 {
        return format!("{}…", text[..words[lo - 1]].trim_end());
    }
    // Cluster boundaries: before a character that does not attach to the one before it.
    let bounds: Vec<usize> = text
        .char_indices()
        .skip(1)
        .filter(|&(i, c)| !attaches(c) && !text[..i].ends_with(['\u{200D}', '\u{094D}']))
        .map(|(i, _)| i)
        .collect();
    // Widths grow with the prefix: the longest prefix that fits, by bisection.
    let (mut lo, mut hi) = (0usize, bounds.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if fits(bounds[mid - 1]) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    if lo == 0 {
        return "…".to_string();
    }
    format!("{}…", text[..bounds[lo - 1]].trim_end())
}

/// Wraps like [`wrap`] into at most `max_lines` lines; the last one shown ends with "…" when text
/// was left out.
pub fn wrap_at_most(
    fonts: &FontSet,
    text: &str,
    weight: Weight,
    size: f32,
    max_width: f32,
    max_lines: usize,
) -> Vec<String> {
    let mut lines = wrap(fonts, text, weight, size, max_width);
    if lines.len() > max_lines && max_lines > 0 {
        let rest = lines[max_lines - 1..].join(" ");
        lines.truncate(max_lines - 1);
        let mut last = ellipsize(fonts, &format!("{rest} "), weight, size, max_width);
        if !last.ends_with('…') {
            last = ellipsize(fonts, &format!("{}…", rest), weight, size, max_width);
        }
        lines.push(last);
    }
    lines
}

/// Whether `ch` belongs to the cluster of the character before it: marks, joiners, variation
/// selectors, and Devanagari's spacing vowel signs (which UAX #9 classes as left to right).
fn attaches(ch: char) -> bool {
    crate::render::fonts::is_invisible(ch)
        || unicode_bidi::bidi_class(ch) == unicode_bidi::BidiClass::NSM
        || matches!(u32::from(ch), 0x0900..=0x0903 | 0x093A..=0x094F | 0x0955..=0x0957 | 0x0962..=0x0963)
}

/// If a paragraph's last line is one word of at most three characters, moves the last word of the
/// line before down to it, when that line keeps another word and the new last line fits.
fn avoid_runt(paragraph: &mut [String], fonts: &FontSet, weight: Weight, size: f32, max_width: f32) {
    let [.., before, last] = paragraph else { return };
    if last.contains(' ') || last.chars().count() > 3 || last.is_empty() {
        return;
    }
    let Some((kept, moved)) = before.rsplit_once(' ') else { return };
    let (kept, moved) = (kept.trim_end(), moved.trim());
    if kept.is_empty() || moved.is_empty() {
        return;
    }
    let joined = format!("{moved} {last}");
    if fonts.width(&joined, weight, size) <= max_width {
        *last = joined;
        *before = kept.to_string();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fits(lines: &[String], max: f32) -> bool {
        lines.iter().all(|l| FontSet::shared().width(l, Weight::Regular, 10.0) <= max + 0.01)
    }

    #[test]
    fn a_paragraph_does_not_end_on_a_lone_short_word() {
        let fonts = FontSet::shared();
        let title = "G1 · Cut monthly reporting from 40 h to under 15 h";
        // The width at which greedy filling leaves "h" alone on the second line.
        let width = fonts.width("G1 · Cut monthly reporting from 40 h to under 15", Weight::Bold, 10.0) + 1.0;
        let lines = wrap(fonts, title, Weight::Bold, 10.0, width);
        assert_eq!(lines, ["G1 · Cut monthly reporting from 40 h to under", "15 h"]);
        // Each paragraph on its own; a one-word paragraph stays as it is.
        let lines = wrap(fonts, &format!("{title}\nok\n{title}"), Weight::Bold, 10.0, width);
        assert_eq!(lines[1..3], ["15 h".to_string(), "ok".to_string()]);
        assert_eq!(lines.last().unwrap(), "15 h");
        // Japanese has no spaces to move at: unchanged.
        let lines = wrap(fonts, "設備の計画外停止時間を四半期36時間から18時間に半減", Weight::Regular, 10.0, 120.0);
        assert!(lines.len() >= 2 && lines.concat() == "設備の計画外停止時間を四半期36時間から18時間に半減");
    }

    #[test]
    fn wraps_english_at_spaces_within_the_width() {
        let text = "Realized value already happened last quarter: it is proof. Projected value is conditional.";
        let lines = wrap(FontSet::shared(), text, Weight::Regular, 10.0, 150.0);
        assert!(lines.len() >= 3, "{lines:?}");
        assert!(fits(&lines, 150.0), "{lines:?}");
        assert_eq!(lines.join(" "), text);
        assert!(lines.iter().all(|l| !l.starts_with(' ') && !l.ends_with(' ')));
    }

    #[test]
    fn japanese_breaks_between_characters_but_never_before_closing_punctuation() {
        let text = "月次レポート作成時間を四十時間から十時間に削減しました。「素晴らしい」と評価されています。";
        let lines = wrap(FontSet::shared(), text, Weight::Regular, 10.0, 95.0);
        assert!(lines.len() >= 4, "{lines:?}");
        assert!(fits(&lines, 95.0), "{lines:?}");
        assert_eq!(lines.concat(), text, "no spaces are inserted");
        for line in &lines[1..] {
            let first = line.chars().next().unwrap();
            assert!(!"、。」）ー".contains(first), "line starts with {first}: {lines:?}");
        }
    }

    #[test]
    fn ellipsis_cuts_at_a_word_boundary_and_fits() {
        let fonts = FontSet::shared();
        let name = "Internationale Gesellschaft für Logistik und Spedition Hamburg-Altona GmbH & Co. KG";
        for max in [40.0, 80.0, 150.0, 300.0] {
            let short = ellipsize(fonts, name, Weight::Bold, 7.5, max);
            assert!(fonts.width(&short, Weight::Bold, 7.5) <= max, "{short}");
            assert!(short.ends_with('…'), "{short}");
            let head = short.trim_end_matches('…');
            if head.contains(' ') {
                // Whole words only.
                assert!(name.starts_with(head) && name[head.len()..].starts_with(' '), "{short}");
            }
        }
        assert_eq!(ellipsize(fonts, "Acme", Weight::Bold, 7.5, 300.0), "Acme");
        // No spaces (Japanese): cut between characters.
        let short = ellipsize(fonts, "株式会社さくら精密機械製作所", Weight::Regular, 10.0, 60.0);
        assert!(short.ends_with('…') && short.chars().count() <= 6, "{short}");
        // A Devanagari cluster is never split from its vowel sign.
        let word = "नमस्तेदुनियाकंपनीलिमिटेड";
        let short = ellipsize(fonts, word, Weight::Regular, 10.0, 40.0);
        let head = short.trim_end_matches('…');
        assert!(word.starts_with(head) && !head.is_empty(), "{short}");
        let next = word[head.len()..].chars().next().unwrap();
        assert!(!attaches(next), "{short}: cut before the mark {next:?}");
        assert!(fonts.width(&short, Weight::Regular, 10.0) <= 40.0);
    }

    #[test]
    fn wrap_at_most_ends_with_an_ellipsis_when_text_is_left_out() {
        let fonts = FontSet::shared();
        let title = "Value per quarter of the dispatch automation programme across all fourteen depots and hubs";
        let lines = wrap_at_most(fonts, title, Weight::Bold, 9.5, 150.0, 2);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with('…'), "{lines:?}");
        assert!(lines.iter().all(|l| fonts.width(l, Weight::Bold, 9.5) <= 150.0), "{lines:?}");
        assert_eq!(wrap_at_most(fonts, "Short title", Weight::Bold, 9.5, 150.0, 2), ["Short title"]);
    }

    #[test]
    fn a_minus_sign_stays_with_its_amount() {
        let text = "Net of the investment, -$20,634.80 (net ROI -22.9%).";
        for width in 60..200 {
            let lines = wrap(FontSet::shared(), text, Weight::Regular, 10.0, width as f32);
            assert!(lines.iter().all(|l| !l.ends_with('-')), "{width}: {lines:?}");
        }
    }

    #[test]
    fn newlines_are_kept_and_long_words_split() {
        let lines = wrap(FontSet::shared(), "one\ntwo", Weight::Regular, 10.0, 200.0);
        assert_eq!(lines, ["one", "two"]);
        let long = "x".repeat(200);
        let lines = wrap(FontSet::shared(), &long, Weight::Regular, 10.0, 100.0);
        assert!(lines.len() > 5 && fits(&lines, 100.0));
        assert_eq!(lines.concat(), long);
        assert_eq!(wrap(FontSet::shared(), "", Weight::Regular, 10.0, 100.0), [""]);
    }
}
