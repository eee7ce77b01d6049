//! Text from customers' files on the operator's terminal and in cron logs.
//!
//! Folder names, ids, names and values reach error messages, summaries and progress lines. A
//! control character in them could move the cursor, recolour or clear the terminal, or overwrite a
//! line with a forged one (`\r`, ANSI escape sequences), and bidirectional controls could reorder
//! what the operator reads. Every line the command line prints goes through [`safe`], which shows
//! such characters as `\uXXXX` instead. That form is also a valid JSON string escape, so JSON
//! output stays valid.

use std::borrow::Cow;

/// `text` with every character that could change how the terminal shows the rest replaced by
/// `\uXXXX`: C0 controls but line feed and tab, DEL, C1 controls, bidirectional marks, embeddings,
/// overrides and isolates, and the Unicode line and paragraph separators.
pub fn safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for ch in text.chars() {
        if unsafe_char(ch) {
            out.push_str(&format!("\\u{:04X}", ch as u32));
        } else {
            out.push(ch);
        }
    }
    Cow::Owned(out)
}

fn unsafe_char(ch: char) -> bool {
    matches!(ch,
        '\u{0}'..='\u{8}' | '\u{B}'..='\u{1F}' | '\u{7F}'..='\u{9F}'
        | '\u{61C}' | '\u{200E}' | '\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::safe;

    #[test]
    fn plain_text_is_untouched_and_borrowed() {
        for text in ["acme/metrics.csv:3: column 'value': 'abc' is not a number", "株式会社さくら精密", "a\tb\nc", ""]
        {
            assert!(matches!(safe(text), std::borrow::Cow::Borrowed(t) if t == text));
        }
    }

    #[test]
    fn controls_and_bidi_marks_are_shown_not_obeyed() {
        assert_eq!(safe("\u{1b}[31mred\u{1b}[0m"), "\\u001B[31mred\\u001B[0m");
        assert_eq!(safe("ok\rFAKE"), "ok\\u000DFAKE");
        assert_eq!(safe("bell\u{7}del\u{7f}csi\u{9b}"), "bell\\u0007del\\u007Fcsi\\u009B");
        assert_eq!(safe("abc\u{202E}fed\u{2069}\u{200F}"), "abc\\u202Efed\\u2069\\u200F");
        assert_eq!(safe("nul\u{0}"), "nul\\u0000");
    }

    #[test]
    fn json_stays_valid() {
        let json = serde_json::json!({ "name": "A\u{202E}B\u{9b}C\u{1b}" }).to_string();
        let shown = safe(&json);
        let back: serde_json::Value = serde_json::from_str(&shown).unwrap();
        assert_eq!(back["name"], "A\u{202E}B\u{9b}C\u{1b}");
    }
}
