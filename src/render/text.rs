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
