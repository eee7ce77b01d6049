//! Exact parsing of the numbers CRM and spreadsheet exports contain.
//!
//! Two formats, chosen by the file's delimiter: in `,` and tab files the decimal point is `.` and `,`
//! may only group thousands (`1,234.50`); in `;` files (European Excel) the decimal mark is `,` and `.`
//! may only group thousands (`1.234,50`). A currency symbol (`$ € £ ¥`) before or after the number and
//! a trailing `%` are ignored. Anything else is rejected: a wrong guess would put a wrong figure in
//! front of a CFO, so `1.2.3`, `12,34,5`, `1e5` or `abc` are errors, never guesses.

use rust_decimal::Decimal;

/// Which character is the decimal mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberFormat {
    /// `1,234.50`
    DecimalPoint,
    /// `1.234,50`
    DecimalComma,
}

impl NumberFormat {
    fn marks(self) -> (char, char) {
        match self {
            NumberFormat::DecimalPoint => ('.', ','),
            NumberFormat::DecimalComma => (',', '.'),
        }
    }

    /// What a valid number looks like, for error messages.
    pub fn expected(self) -> &'static str {
        match self {
            NumberFormat::DecimalPoint => {
                "a number with '.' as decimal point and ',' only between thousands, e.g. 1,234.50"
            }
            NumberFormat::DecimalComma => {
                "a number with ',' as decimal mark and '.' (or a no-break space) only between thousands, e.g. 1.234,50"
            }
        }
    }
}

const CURRENCY_SYMBOLS: [char; 4] = ['$', '€', '£', '¥'];
const NO_BREAK_SPACES: [char; 2] = ['\u{A0}', '\u{202F}'];

/// Parses `text` exactly, or returns `None` when it is not unambiguously a number in `format`.
pub fn parse_decimal(text: &str, format: NumberFormat) -> Option<Decimal> {
    let mut s = text.trim();
    if let Some(rest) = s.strip_suffix('%') {
        s = rest.trim_end();
    }
    // At most one symbol, before or after; sign and symbol in either order: "-$1,200", "$-1,200".
    let mut seen_symbol = false;
    if let Some(rest) = s.strip_suffix(CURRENCY_SYMBOLS) {
        s = rest.trim_end();
        seen_symbol = true;
    }
    let mut negative = false;
    let mut seen_sign = false;
    loop {
        if let Some(rest) = s.strip_prefix(['-', '+']) {
            if seen_sign {
                return None;
            }
            seen_sign = true;
            negative = s.starts_with('-');
            s = rest.trim_start();
        } else if let Some(rest) = s.strip_prefix(CURRENCY_SYMBOLS) {
            if seen_symbol {
                return None;
            }
            seen_symbol = true;
            s = rest.trim_start();
        } else {
            break;
        }
    }
    // French Excel groups thousands with a no-break space (U+00A0) or a narrow one (U+202F): in a
    // decimal-comma file they stand for the '.' grouping, and may not be mixed with it.
    let regrouped;
    if format == NumberFormat::DecimalComma && s.contains(NO_BREAK_SPACES) {
        if s.contains('.') {
            return None;
        }
        regrouped = s.replace(NO_BREAK_SPACES, ".");
        s = &regrouped;
    }
    let digits = canonical_digits(s, format)?;
    let canonical = if negative { format!("-{digits}") } else { digits };
    Decimal::from_str_exact(&canonical).ok()
}

/// Rewrites the body of a number (no sign, no symbol) as `123456.78`, validating its grouping.
fn canonical_digits(body: &str, format: NumberFormat) -> Option<String> {
    let (decimal_mark, group_mark) = format.marks();
    let (integer, fraction) = match body.split_once(decimal_mark) {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (body, None),
    };
    let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    let mut out = String::with_capacity(body.len());
    if integer.contains(group_mark) {
        let mut groups = integer.split(group_mark);
        let first = groups.next()?;
        if first.is_empty() || first.len() > 3 || !all_digits(first) {
            return None;
        }
        out.push_str(first);
        for group in groups {
            if group.len() != 3 || !all_digits(group) {
                return None;
            }
            out.push_str(group);
        }
    } else {
        if !all_digits(integer) {
            return None;
        }
        out.push_str(integer);
    }
    match fraction {
        Some(fraction) => {
            if fraction.is_empty() || !all_digits(fraction) {
                return None;
            }
            if out.is_empty() {
                out.push('0');
            }
            out.push('.');
            out.push_str(fraction);
        }
        None if out.is_empty() => return None,
        None => {}
    }
    Some(out)
}

/// A money amount that reads as a decimal here but would be a whole number to a spreadsheet from
/// the other convention: one decimal mark followed by exactly three digits, after 1–3 digits that do
/// not start with 0 (`1.250` and `75.000` in a `,` file, `1,250` in a `;` file). A German-locale sheet
/// saved as a comma file writes 75,000 as `75.000`; read as 75, it made an ROI of 286,537%.
/// Returns the mark, the decimal reading and the thousands reading.
pub fn ambiguous_money(text: &str, format: NumberFormat) -> Option<(char, Decimal, Decimal)> {
    let as_decimal = parse_decimal(text, format)?;
    let (decimal_mark, _) = format.marks();
    let body: &str = text.trim_matches(|c: char| c.is_whitespace() || "+-%".contains(c) || CURRENCY_SYMBOLS.contains(&c));
    let (integer, fraction) = body.split_once(decimal_mark)?;
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let groupable = digits(integer) && integer.len() <= 3 && !integer.starts_with('0');
    if !groupable || fraction.len() != 3 || !digits(fraction) {
        return None;
    }
    let whole: Decimal = format!("{integer}{fraction}").parse().ok()?;
    let as_thousands = if as_decimal.is_sign_negative() { -whole } else { whole };
    Some((decimal_mark, as_decimal.normalize(), as_thousands))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(s: &str) -> Option<String> {
        parse_decimal(s, NumberFormat::DecimalPoint).map(|d| d.to_string())
    }

    fn comma(s: &str) -> Option<String> {
        parse_decimal(s, NumberFormat::DecimalComma).map(|d| d.to_string())
    }

    #[test]
    fn decimal_point_files() {
        assert_eq!(point("1234.50").as_deref(), Some("1234.50"));
        assert_eq!(point("1,234.50").as_deref(), Some("1234.50"));
        assert_eq!(point("1,234,567").as_deref(), Some("1234567"));
        assert_eq!(point(" 42 ").as_deref(), Some("42"));
        assert_eq!(point("-0.5").as_deref(), Some("-0.5"));
        assert_eq!(point(".5").as_deref(), Some("0.5"));
        assert_eq!(point("+7").as_deref(), Some("7"));
        assert_eq!(point("0").as_deref(), Some("0"));
    }

    #[test]
    fn decimal_comma_files() {
        assert_eq!(comma("1.234,50").as_deref(), Some("1234.50"));
        assert_eq!(comma("1234,5").as_deref(), Some("1234.5"));
        assert_eq!(comma("1.234").as_deref(), Some("1234"));
        assert_eq!(comma("-12,75").as_deref(), Some("-12.75"));
    }

    #[test]
    fn no_break_spaces_group_thousands_in_decimal_comma_files() {
        assert_eq!(comma("1\u{A0}234,50").as_deref(), Some("1234.50"));
        assert_eq!(comma("1\u{202F}234\u{202F}567").as_deref(), Some("1234567"));
        assert_eq!(comma("-1\u{A0}234,5\u{A0}€").as_deref(), Some("-1234.5"));
        assert_eq!(comma("12,5\u{A0}%").as_deref(), Some("12.5"));
        for bad in ["1\u{A0}23,5", "1\u{A0}234.567", "1 234,50", "1\u{A0}\u{A0}234"] {
            assert_eq!(comma(bad), None, "{bad:?}");
        }
        assert_eq!(point("1\u{A0}234.50"), None, "only in ';' files");
    }

    #[test]
    fn symbols_and_percent_are_ignored() {
        assert_eq!(point("$1,200").as_deref(), Some("1200"));
        assert_eq!(point("-$1,200.10").as_deref(), Some("-1200.10"));
        assert_eq!(point("$-1,200").as_deref(), Some("-1200"));
        assert_eq!(point("¥4500").as_deref(), Some("4500"));
        assert_eq!(point("£ 3.5").as_deref(), Some("3.5"));
        assert_eq!(point("15%").as_deref(), Some("15"));
        assert_eq!(point("12.5 %").as_deref(), Some("12.5"));
        assert_eq!(comma("1.234,50 €").as_deref(), Some("1234.50"));
        assert_eq!(comma("€1.234,50").as_deref(), Some("1234.50"));
    }

    #[test]
    fn anything_ambiguous_is_rejected() {
        for bad in [
            "", "abc", "1.2.3", "12,34,5", "1,23", "1,2345", ",123", "1,234,", "1e5", "1 234", "--1", "+-1", "1-",
            "$$1", "$1$", "1.", "0x10", "NaN", "inf", "1_000", "%", "$", "-", "12%%",
        ] {
            assert_eq!(point(bad), None, "{bad:?} must not parse in a ',' file");
        }
        for bad in ["1,2,3", "1.2", "1.23,4", "1234.567,1", "12.34", "1,", "1.234.5"] {
            assert_eq!(comma(bad), None, "{bad:?} must not parse in a ';' file");
        }
    }

    #[test]
    fn the_same_text_means_different_numbers_per_format_only_when_unambiguous() {
        // "1,234" is a thousand-something with a decimal point format and 1.234 with a decimal comma.
        assert_eq!(point("1,234").as_deref(), Some("1234"));
        assert_eq!(comma("1,234").as_deref(), Some("1.234"));
    }

    #[test]
    fn too_many_digits_is_an_error_not_a_rounding() {
        assert_eq!(point("1.00000000000000000000000000001"), None);
        assert_eq!(point("999999999999999999999999999999"), None);
    }

    #[test]
    fn money_with_one_mark_and_three_digits_is_ambiguous() {
        let ambiguous = |s: &str, f| ambiguous_money(s, f).map(|(m, d, t)| (m, d.to_string(), t.to_string()));
        use NumberFormat::*;
        assert_eq!(ambiguous("75.000", DecimalPoint), Some(('.', "75".into(), "75000".into())));
        assert_eq!(ambiguous("1.250", DecimalPoint), Some(('.', "1.25".into(), "1250".into())));
        assert_eq!(ambiguous("$-1.250", DecimalPoint), Some(('.', "-1.25".into(), "-1250".into())));
        assert_eq!(ambiguous("1,250", DecimalComma), Some((',', "1.25".into(), "1250".into())));
        assert_eq!(ambiguous("€ 999,999", DecimalComma), Some((',', "999.999".into(), "999999".into())));
        // Not ambiguous: the thousands reading would not be a number a spreadsheet writes, or the
        // mark is already the thousands separator, or the digits are not three.
        for (text, format) in [
            ("0.250", DecimalPoint),
            ("1234.500", DecimalPoint),
            ("1.25", DecimalPoint),
            ("1.2500", DecimalPoint),
            ("1,250", DecimalPoint),
            ("1,250.000", DecimalPoint),
            ("1.250", DecimalComma),
            ("1.250,000", DecimalComma),
            ("75000", DecimalPoint),
            ("abc", DecimalPoint),
        ] {
            assert_eq!(ambiguous(text, format), None, "{text} in {format:?}");
        }
    }
}
