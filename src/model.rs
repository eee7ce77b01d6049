//! The validated data of one customer, as the loader hands it to the value engine.
//!
//! Everything here has passed the input contract (`docs/input-format.md`): ids are safe, enums are
//! known, numbers are exact decimals. The engine never re-validates.

use std::fmt;
use std::path::PathBuf;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

/// One customer folder, fully loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct Customer {
    /// The folder the files were read from (for messages only; never part of a computation).
    pub dir: PathBuf,
    pub account: Account,
    pub goals: Vec<Goal>,
    /// Every row of metrics.csv, outcome and usage metrics alike, in file order.
    pub observations: Vec<Observation>,
    pub stories: Vec<Story>,
    pub opportunities: Vec<Opportunity>,
    /// What loading changed and the operator should know (exact repeats dropped by
    /// `dedupe_exact_rows`), each against its file and line.
    pub warnings: Vec<crate::load::InputError>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub customer_id: String,
    pub customer_name: String,
    pub renewal_date: NaiveDate,
    /// What the customer pays per year, in `currency`.
    pub annual_investment: Decimal,
    pub currency: Currency,
    pub locale: Locale,
    pub contract_start: Option<NaiveDate>,
    pub segment: Option<String>,
    pub industry: Option<String>,
    pub csm_name: Option<String>,
    pub csm_email: Option<String>,
    pub executive_sponsor: Option<String>,
}

/// An ISO 4217 currency, with the number of decimals its amounts are rounded to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency {
    code: iso_currency::Currency,
}

impl Currency {
    /// An ISO 4217 code, in any letter case (`usd` is USD).
    pub fn from_code(code: &str) -> Option<Currency> {
        iso_currency::Currency::from_code(&code.trim().to_ascii_uppercase()).map(|code| Currency { code })
    }

    pub fn code(self) -> &'static str {
        self.code.code()
    }

    /// Minor-unit digits per ISO 4217 (USD 2, JPY 0, KWD 3); funds and metals without one get 2.
    pub fn decimals(self) -> u32 {
        self.code.exponent().map(u32::from).unwrap_or(2)
    }
}

impl Default for Currency {
    fn default() -> Currency {
        Currency::from_code("USD").expect("USD is an ISO 4217 code")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

/// Defines a closed set of lowercase keywords as an enum with parsing, listing and printing.
macro_rules! keyword_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Exact keyword, case-insensitive.
            pub fn parse(text: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str().eq_ignore_ascii_case(text.trim()))
            }

            /// The keywords, for "expected one of …" messages.
            pub fn keywords() -> Vec<&'static str> {
                $name::ALL.iter().map(|v| v.as_str()).collect()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

keyword_enum! {
    /// Report language.
    Locale { En = "en", Es = "es", Ms = "ms", Ja = "ja" }
}

#[allow(clippy::derivable_impls)] // the enum is declared by a macro
impl Default for Locale {
    fn default() -> Locale {
        Locale::En
    }
}

keyword_enum! {
    /// What kind of value a goal produces (the seeds' ROI calculation methods).
    Category {
        TimeSavings = "time_savings",
        CostSavings = "cost_savings",
        Revenue = "revenue",
        Quality = "quality",
        Risk = "risk",
        Productivity = "productivity",
    }
}

keyword_enum! {
    /// Which way a metric improves.
    Direction { Down = "down", Up = "up" }
}

keyword_enum! {
    /// The period a goal's metric is measured over, and over which its value accrues.
    Per { Week = "week", Month = "month", Quarter = "quarter", Year = "year" }
}

impl Per {
    /// How many of this period make one quarter: week 13, month 3, quarter 1, year 0.25.
    pub fn per_quarter(self) -> Decimal {
        match self {
            Per::Week => Decimal::from(13),
            Per::Month => Decimal::from(3),
            Per::Quarter => Decimal::ONE,
            Per::Year => Decimal::new(25, 2),
        }
    }
}

keyword_enum! {
    /// Where a goal's baseline came from (the seeds' three methods).
    BaselineSource { Measured = "measured", Estimated = "estimated", Benchmark = "benchmark" }
}

keyword_enum! {
    /// What a story is.
    StoryKind { Win = "win", Milestone = "milestone", Quote = "quote", Adoption = "adoption" }
}

/// One value driver of the customer's success plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    pub goal_id: String,
    /// The customer's own words.
    pub title: String,
    pub metric: String,
    pub category: Category,
    pub unit: String,
    pub direction: Direction,
    pub baseline: Decimal,
    pub target: Option<Decimal>,
    pub per: Per,
    /// Money per unit of improvement.
    pub value_per_unit: Decimal,
    pub volume: Decimal,
    pub baseline_source: Option<BaselineSource>,
    pub owner: Option<String>,
}

impl Goal {
    /// `percent` or `%` units are percentage points: 5 points on a $10M base is 5 × 0.01 × $10M.
    pub fn is_percentage(&self) -> bool {
        let unit = self.unit.trim();
        unit == "%" || unit.eq_ignore_ascii_case("percent")
    }
}

/// One row of metrics.csv.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub date: NaiveDate,
    pub metric: String,
    pub value: Decimal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Story {
    pub date: NaiveDate,
    pub kind: StoryKind,
    pub title: String,
    pub detail: Option<String>,
    pub person: Option<String>,
    pub role: Option<String>,
    pub amount: Option<Decimal>,
}

/// An expansion or adoption opportunity: projected, never realized, value.
#[derive(Debug, Clone, PartialEq)]
pub struct Opportunity {
    pub opportunity_id: String,
    pub title: String,
    pub description: Option<String>,
    pub category: Option<Category>,
    pub annual_value: Decimal,
    /// A fraction 0–1.
    pub confidence: Decimal,
    pub assumption: Option<String>,
    pub start_date: Option<NaiveDate>,
}

/// Run-wide settings from `valuereport.toml` at the INPUT root.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Who sends the reports; the PDF author.
    #[serde(default = "Settings::default_vendor_name")]
    pub vendor_name: String,
    /// Accent colour, `#RRGGBB`.
    #[serde(default = "Settings::default_brand_color")]
    pub brand_color: String,
    /// `[delivery]`: sending renewal packages to the CSMs by SMTP (`renewals --send`).
    #[serde(default, deserialize_with = "crate::delivery::settings::deserialize")]
    pub delivery: Option<crate::delivery::DeliverySettings>,
    /// `[renewals]`: how the daily renewal job tells a moved renewal from a new one.
    #[serde(default)]
    pub renewals: RenewalSettings,
    /// `[columns]`: how a vendor's export names our columns (explicitly, or by a preset).
    #[serde(default)]
    pub columns: crate::load::ColumnSettings,
    /// Drop rows of metrics.csv that repeat an earlier row exactly (date, metric and value), with a
    /// warning per row, instead of refusing the customer.
    #[serde(default)]
    pub dedupe_exact_rows: bool,
}

/// `[renewals]` in `valuereport.toml`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenewalSettings {
    /// A renewal date that moves by fewer days than this (while the renewal has not passed) is the
    /// same renewal: the packages already produced for it count. A larger move is a new renewal.
    #[serde(default = "RenewalSettings::default_date_tolerance_days")]
    pub date_tolerance_days: u32,
}

impl RenewalSettings {
    pub const DEFAULT_DATE_TOLERANCE_DAYS: u32 = 45;

    fn default_date_tolerance_days() -> u32 {
        RenewalSettings::DEFAULT_DATE_TOLERANCE_DAYS
    }
}

impl Default for RenewalSettings {
    fn default() -> RenewalSettings {
        RenewalSettings { date_tolerance_days: RenewalSettings::DEFAULT_DATE_TOLERANCE_DAYS }
    }
}

impl Settings {
    fn default_vendor_name() -> String {
        "valuereport".to_string()
    }

    fn default_brand_color() -> String {
        "#1F4E79".to_string()
    }
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            vendor_name: Settings::default_vendor_name(),
            brand_color: Settings::default_brand_color(),
            delivery: None,
            renewals: RenewalSettings::default(),
            columns: crate::load::ColumnSettings::default(),
            dedupe_exact_rows: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_parse_case_insensitively_and_list_themselves() {
        assert_eq!(Category::parse("Time_Savings"), Some(Category::TimeSavings));
        assert_eq!(Category::parse("time savings"), None);
        assert_eq!(Per::keywords(), ["week", "month", "quarter", "year"]);
        assert_eq!(Locale::parse(" ja "), Some(Locale::Ja));
    }

    #[test]
    fn per_quarter_factors() {
        assert_eq!(Per::Week.per_quarter(), Decimal::from(13));
        assert_eq!(Per::Year.per_quarter().to_string(), "0.25");
    }

    #[test]
    fn currency_decimals_follow_iso_4217() {
        assert_eq!(Currency::from_code("JPY").unwrap().decimals(), 0);
        assert_eq!(Currency::from_code("EUR").unwrap().decimals(), 2);
        assert_eq!(Currency::from_code("KWD").unwrap().decimals(), 3);
        assert!(Currency::from_code("XYZ").is_none());
    }
}
