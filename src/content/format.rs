//! How figures are written for a reader: money, percentages, numbers and dates in the report's
//! locale, by ICU4X with CLDR data (no hand-written tables). Currency decimals follow ISO 4217.

use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};
use fixed_decimal::Decimal as IcuDecimal;
use icu_calendar::{Date, Iso};
use icu_datetime::fieldsets::YMD;
use icu_datetime::DateTimeFormatter;
use icu_decimal::{CompactDecimalFormatter, DecimalFormatter};
use icu_experimental::dimension::currency::formatter::CurrencyFormatter;
use icu_experimental::dimension::currency::CurrencyType;
use icu_experimental::dimension::percent::formatter::PercentFormatter;
use icu_locale_core::Locale as IcuLocale;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::locale::LocaleTag;
use crate::model::{Currency, Locale};

/// `1234567.891` with 2 decimals → `1,234,567.89`; negative amounts get a leading `-`.
/// Locale-neutral (English conventions): for plain-text command output, not reports.
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

/// A decimal as f64 for chart pixels only.
pub fn pixels(value: Decimal) -> f64 {
    value.to_f64().unwrap_or(0.0)
}

fn icu_decimal(value: Decimal) -> IcuDecimal {
    value.normalize().to_string().parse().unwrap_or_default()
}

/// The formatters of one report: one locale, one currency. Built once per report.
pub struct Numbers {
    currency: Currency,
    decimal: DecimalFormatter,
    compact: CompactDecimalFormatter,
    percent: PercentFormatter<DecimalFormatter>,
    money: CurrencyFormatter<DecimalFormatter>,
    money_compact: CurrencyFormatter<CompactDecimalFormatter>,
    dates: DateTimeFormatter<YMD>,
}

impl Numbers {
    /// Figures in a language's default region (`en` is US English, `es` Spain's conventions).
    pub fn new(locale: Locale, currency: Currency) -> Numbers {
        Numbers::for_tag(LocaleTag::from(locale), currency)
    }

    /// Figures in the region of `tag` (`es-MX`: 1,443,710.11; `es-ES`: 1.443.710,11).
    pub fn for_tag(tag: LocaleTag, currency: Currency) -> Numbers {
        let icu: IcuLocale = tag.icu();
        let code: CurrencyType = currency.code().parse().expect("an ISO 4217 code is a currency keyword");
        // Compiled CLDR data covers every locale and currency we accept; failure is a build defect.
        let data = "compiled ICU4X data covers the supported locales and ISO 4217 currencies";
        Numbers {
            currency,
            decimal: DecimalFormatter::try_new((&icu).into(), Default::default()).expect(data),
            compact: CompactDecimalFormatter::try_new_short((&icu).into(), Default::default()).expect(data),
            percent: PercentFormatter::try_new((&icu).into(), Default::default()).expect(data),
            money: CurrencyFormatter::try_new_symbol((&icu).into(), code, Default::default()).expect(data),
            money_compact: CurrencyFormatter::try_new_compact_symbol((&icu).into(), code, Default::default())
                .expect(data),
            dates: DateTimeFormatter::try_new((&icu).into(), YMD::medium()).expect(data),
        }
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Exact money in the currency's minor units: `$1,234.50`, `1234,56 €`, `￥16,669,000`.
    /// An amount that is not zero but rounds to zero reads "< $0.01" (or "> -$0.01"), never "$0.00".
    pub fn money(&self, amount: Decimal) -> String {
        let rounded = amount.round_dp_with_strategy(self.currency.decimals(), RoundingStrategy::MidpointAwayFromZero);
        if rounded.is_zero() && !amount.is_zero() {
            let unit = Decimal::new(1, self.currency.decimals());
            return if amount.is_sign_negative() {
                format!("> {}", self.money(-unit))
            } else {
                format!("< {}", self.money(unit))
            };
        }
        let mut value = icu_decimal(rounded);
        value.absolute.pad_end(-(self.currency.decimals() as i16));
        let text = self.money.format_fixed_decimal(&value).to_string();
        text
    }

    /// Money in whole units, for headline figures: `$214,903`.
    /// An amount under one unit keeps its minor units (`$0.40`, `< $0.01`), never "$0".
    pub fn money_whole(&self, amount: Decimal) -> String {
        let whole = amount.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
        if whole.is_zero() && !amount.is_zero() {
            return self.money(amount);
        }
        let text = self.money(whole);
        // ICU pads to the currency's decimals; headline figures drop zero decimals.
        strip_zero_fraction(&text, &self.decimal)
    }

    /// Short money for chart axes: `$50K`, `5 mil €`, `￥1667万`.
    pub fn money_compact(&self, amount: f64) -> String {
        let value = Decimal::from_f64_retain(amount).unwrap_or_default().round_dp(2);
        let value = icu_decimal(value);
        let text = self.money_compact.format_fixed_decimal(&value).to_string();
        text
    }

    /// Short number for chart axes: `12.5`, `999`, `8K`, `1,2 mil`.
    pub fn number_compact(&self, value: f64) -> String {
        let decimal = Decimal::from_f64_retain(value).unwrap_or_default();
        if value.abs() >= 1_000.0 {
            return self.compact.format(&icu_decimal(decimal.round_dp(0))).to_string();
        }
        let places = if value.abs() >= 100.0 {
            0
        } else if value.abs() >= 10.0 {
            1
        } else {
            2
        };
        self.measure_to(decimal, places)
    }

    /// A percentage with up to one decimal: `186%`, `37,5 %`.
    pub fn percent(&self, value: Decimal) -> String {
        let rounded = value.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero).normalize();
        let value = icu_decimal(rounded);
        let text = self.percent.format(&value).to_string();
        text
    }

    /// A percentage with exactly `places` decimals, for a table column whose values share them.
    pub fn percent_places(&self, value: Decimal, places: u32) -> String {
        let rounded = value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
        let mut value = icu_decimal(rounded);
        value.absolute.pad_end(-(places as i16));
        self.percent.format(&value).to_string()
    }

    /// A measured value with exactly `places` decimals, for a table column whose values share them.
    pub fn measure_places(&self, value: Decimal, places: u32) -> String {
        let rounded = value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
        let mut value = icu_decimal(rounded);
        value.absolute.pad_end(-(places as i16));
        self.decimal.format(&value).to_string()
    }

    /// A value in percentage points (a goal measured in %), in the locale's percent style with up
    /// to 2 decimals: `5%`, `5 %`, `4.25%`.
    pub fn percent_points(&self, value: Decimal) -> String {
        let rounded = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero).normalize();
        self.percent.format(&icu_decimal(rounded)).to_string()
    }

    /// A measured value: grouped, trailing zeros dropped, at most 2 decimals.
    pub fn measure(&self, value: Decimal) -> String {
        self.measure_to(value, 2)
    }

    fn measure_to(&self, value: Decimal, places: u32) -> String {
        let rounded = value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero).normalize();
        self.decimal.format(&icu_decimal(rounded)).to_string()
    }

    /// A calendar date: `Nov 22, 2026`, `22 nov 2026`, `2026/11/22`.
    pub fn date(&self, date: NaiveDate) -> String {
        match Date::try_new_iso(date.year(), date.month() as u8, date.day() as u8) {
            Ok(iso) => {
                let iso: Date<Iso> = iso;
                let mut out = String::new();
                let _ = write!(out, "{}", self.dates.format(&iso));
                out
            }
            Err(_) => date.to_string(),
        }
    }
}

/// The decimals a table column shows so that all its values share them: as many as the value that
/// needs the most, rounded to at most `cap` (`33` and `32.5` → 1: "33.0%", "32.5%").
pub fn shared_places(values: impl IntoIterator<Item = Decimal>, cap: u32) -> u32 {
    values
        .into_iter()
        .map(|v| v.round_dp_with_strategy(cap, RoundingStrategy::MidpointAwayFromZero).normalize().scale())
        .max()
        .unwrap_or(0)
}

/// `$214,903.00` → `$214,903`; keeps other decimals.
fn strip_zero_fraction(text: &str, decimal: &DecimalFormatter) -> String {
    // The locale's decimal separator, found by formatting 1.5.
    let sample = decimal.format(&"1.5".parse().expect("a number")).to_string();
    let separator: String = sample.chars().filter(|c| !c.is_ascii_digit()).collect();
    if separator.is_empty() {
        return text.to_string();
    }
    let Some(at) = text.rfind(separator.as_str()) else { return text.to_string() };
    let after = &text[at + separator.len()..];
    let zeros = after.chars().take_while(|c| *c == '0').count();
    if zeros == 0 || after.chars().nth(zeros).is_some_and(|c| c.is_ascii_digit()) {
        return text.to_string();
    }
    let rest: String = after.chars().skip(zeros).collect();
    format!("{}{}", &text[..at], rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn n(locale: Locale, currency: &str) -> Numbers {
        Numbers::new(locale, Currency::from_code(currency).unwrap())
    }

    /// Whitespace-insensitive: CLDR puts (no-break) spaces in some locales' money and percentages.
    fn same(a: &str, b: &str) -> bool {
        a.split_whitespace().collect::<String>() == b.split_whitespace().collect::<String>()
    }

    #[test]
    fn money_percent_numbers_and_dates_per_locale() {
        let cases = [
            (Locale::En, "USD", ["$1,234.50", "-$20,634.80", "$214,903", "$50K", "186.5%", "9,500", "Nov 22, 2026"]),
            (
                Locale::Es,
                "EUR",
                ["1234,50 €", "-20.634,80 €", "214.903 €", "50 mil €", "186,5 %", "9500", "22 nov 2026"],
            ),
            (
                Locale::Ms,
                "MYR",
                ["RM 1,234.50", "-RM 20,634.80", "RM 214,903", "RM 50K", "186.5%", "9,500", "22 Nov 2026"],
            ),
            (Locale::Ja, "JPY", ["￥1,235", "-￥20,635", "￥214,903", "￥5万", "186.5%", "9,500", "2026/11/22"]),
            // Other dollars never read as US dollars.
            (
                Locale::En,
                "MXN",
                ["MX$1,234.50", "-MX$20,634.80", "MX$214,903", "MX$50K", "186.5%", "9,500", "Nov 22, 2026"],
            ),
        ];
        for (locale, currency, expected) in cases {
            let x = n(locale, currency);
            let got = [
                x.money(d("1234.5")),
                x.money(d("-20634.8")),
                x.money_whole(d("214903.20")),
                x.money_compact(50000.0),
                x.percent(d("186.54")),
                x.measure(d("9500")),
                x.date(NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()),
            ];
            for (got, want) in got.iter().zip(expected) {
                assert!(same(got, want), "{locale} {currency}: got {got:?}, want {want:?}");
            }
        }
    }

    #[test]
    fn currency_decimals_follow_iso_4217() {
        assert_eq!(n(Locale::En, "JPY").money(d("1234.5")), "¥1,235");
        assert!(same(&n(Locale::En, "KWD").money(d("1.2345")), "KWD 1.235"));
        assert_eq!(n(Locale::En, "USD").money(d("0.005")), "$0.01");
    }

    #[test]
    fn amounts_under_one_minor_unit_are_never_zero() {
        let usd = n(Locale::En, "USD");
        assert_eq!(usd.money(d("0.004")), "< $0.01");
        assert_eq!(usd.money(d("-0.004")), "> -$0.01");
        assert_eq!(usd.money(d("0")), "$0.00");
        assert_eq!(usd.money_whole(d("0.4")), "$0.40");
        assert_eq!(usd.money_whole(d("0.001")), "< $0.01");
        assert_eq!(usd.money_whole(d("0")), "$0");
        assert_eq!(n(Locale::En, "JPY").money_whole(d("0.3")), "< ¥1");
    }

    #[test]
    fn grouped_plain_text() {
        assert_eq!(grouped(d("1234567.891"), 2), "1,234,567.89");
        assert_eq!(grouped(d("-1234.5"), 2), "-1,234.50");
    }
}
