//! How figures are written in a report (English conventions; one place to change per locale).

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::model::Currency;

/// `1234567.891` with 2 decimals → `1,234,567.89`; negative amounts get a leading `-`.
pub fn grouped(amount: Decimal, decimals: u32) -> String {
    let rounded = amount.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero);
    let text = format!("{:.*}", decimals as usize, rounded.abs());
    let (integer, fraction) = text.split_once('.').map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
    let mut out = String::with_capacity(text.len() + integer.len() / 3 + 1);
    if rounded.is_sign_negative() && !rounded.is_zero() {
        out.push('-');
    }
    for (i, digit) in integer.chars().enumerate() {
        if i > 0 && (integer.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if let Some(fraction) = fraction {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// The currency's symbol; other dollars carry their country (`MX$`, `CA$`) so they never read as USD.
fn symbol(currency: Currency) -> String {
    let symbol = iso_currency::Currency::from_code(currency.code())
        .map(|c| c.symbol().symbol)
        .unwrap_or_else(|| currency.code().into());
    if symbol == "$" && currency.code() != "USD" {
        format!("{}$", &currency.code()[..2])
    } else {
        symbol
    }
}

fn with_symbol(currency: Currency, digits: String) -> String {
    match digits.strip_prefix('-') {
        Some(positive) => format!("-{}{positive}", symbol(currency)),
        None => format!("{}{digits}", symbol(currency)),
    }
}

/// Exact money, in the currency's minor units: `$1,234.50`, `¥16,669,000`.
pub fn money(amount: Decimal, currency: Currency) -> String {
    with_symbol(currency, grouped(amount, currency.decimals()))
}

/// Money in whole units, for headline figures: `$214,903`.
pub fn money_whole(amount: Decimal, currency: Currency) -> String {
    with_symbol(currency, grouped(amount, 0))
}

/// Short money for chart axes: `$50K`, `$1.2M`, `¥17M`.
pub fn money_compact(amount: f64, currency: Currency) -> String {
    let (scaled, suffix) = compact(amount);
    with_symbol(currency, format!("{scaled}{suffix}"))
}

/// Short plain number for chart axes: `12.5`, `999`, `8K`, `1.2M` (one style on an axis from 1,000 up).
pub fn number_compact(value: f64) -> String {
    if value.abs() >= 1_000.0 {
        let (scaled, suffix) = compact(value);
        return format!("{scaled}{suffix}");
    }
    let decimal = Decimal::from_f64_retain(value).unwrap_or_default();
    let decimals = if value.abs() >= 100.0 {
        0
    } else if value.abs() >= 10.0 {
        1
    } else {
        2
    };
    let text = grouped(decimal, decimals);
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

fn compact(value: f64) -> (String, &'static str) {
    let abs = value.abs();
    let (divisor, suffix) = if abs >= 1e9 {
        (1e9, "B")
    } else if abs >= 1e6 {
        (1e6, "M")
    } else if abs >= 1e3 {
        (1e3, "K")
    } else {
        (1.0, "")
    };
    let scaled = value / divisor;
    let text = if scaled.abs() >= 100.0 || scaled.fract().abs() < 0.05 {
        format!("{:.0}", scaled)
    } else {
        format!("{:.1}", scaled)
    };
    (if text == "-0" { "0".into() } else { text }, suffix)
}

/// A percentage with up to one decimal: `186%`, `37.5%`, `-12.9%`.
pub fn percent(value: Decimal) -> String {
    let rounded = value.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero).normalize();
    format!("{}%", grouped(rounded, rounded.scale()))
}

/// A measured value as written in its unit: grouped, trailing zeros dropped, at most 2 decimals.
pub fn measure(value: Decimal) -> String {
    let rounded = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero).normalize();
    grouped(rounded, rounded.scale())
}

/// A decimal as f64 for chart pixels only.
pub fn pixels(value: Decimal) -> f64 {
    value.to_f64().unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn money_in_minor_units_with_symbol() {
        let usd = Currency::from_code("USD").unwrap();
        let jpy = Currency::from_code("JPY").unwrap();
        let myr = Currency::from_code("MYR").unwrap();
        assert_eq!(money(d("1234.5"), usd), "$1,234.50");
        assert_eq!(money(d("-9735"), usd), "-$9,735.00");
        assert_eq!(money(d("16669000"), jpy), "¥16,669,000");
        assert_eq!(money(d("278466"), myr), "RM278,466.00");
        assert_eq!(money_whole(d("214903.20"), usd), "$214,903");
        assert_eq!(money(d("1443710.11"), Currency::from_code("MXN").unwrap()), "MX$1,443,710.11");
    }

    #[test]
    fn compact_axis_labels() {
        let usd = Currency::from_code("USD").unwrap();
        assert_eq!(money_compact(50_000.0, usd), "$50K");
        assert_eq!(money_compact(1_250_000.0, usd), "$1.2M");
        assert_eq!(money_compact(-20_000.0, usd), "-$20K");
        assert_eq!(money_compact(0.0, usd), "$0");
        assert_eq!(number_compact(12.5), "12.5");
        assert_eq!(number_compact(1250.0), "1.2K");
        assert_eq!(number_compact(8000.0), "8K");
        assert_eq!(number_compact(999.0), "999");
        assert_eq!(number_compact(0.25), "0.25");
    }

    #[test]
    fn percentages_and_measures() {
        assert_eq!(percent(d("186")), "186%");
        assert_eq!(percent(d("37.54")), "37.5%");
        assert_eq!(percent(d("-12.94")), "-12.9%");
        assert_eq!(percent(d("1234.5")), "1,234.5%");
        assert_eq!(measure(d("36.366667")), "36.37");
        assert_eq!(measure(d("9500")), "9,500");
    }
}
