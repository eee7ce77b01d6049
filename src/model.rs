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
    /// Rows of the optional health.csv (customer health score inputs), in file order.
    pub health: Vec<HealthObservation>,
    /// Rows of the optional nps.csv (survey answers), in file order.
    pub nps: Vec<NpsResponse>,
    /// Display labels of metric ids (`metric_labels.csv` at the INPUT root and in the folder).
    pub metric_labels: crate::load::MetricLabels,
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
    /// The report language (which catalog).
    pub locale: Locale,
    /// The region of a `locale` tag such as `es-MX` (number, money and date formats); `None` for a
    /// language alone, which formats as its default region (`crate::locale::default_region`).
    pub region: Option<crate::locale::Region>,
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

impl Account {
    /// The locale the customer's figures are written in: language and region.
    pub fn locale_tag(&self) -> crate::locale::LocaleTag {
        crate::locale::LocaleTag { language: self.locale, region: self.region }
    }
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

/// One row of health.csv: a component of the customer health score observed on a day.
#[derive(Debug, Clone, PartialEq)]
pub struct HealthObservation {
    pub date: NaiveDate,
    /// A key of `[health.weights]` (usage, nps, support, billing by default).
    pub component: String,
    /// 0–100, above 100 for exceptional (seed 004: thriving).
    pub score: Decimal,
}

/// One row of nps.csv: one respondent's answer (0–10) to "how likely are you to recommend us".
#[derive(Debug, Clone, PartialEq)]
pub struct NpsResponse {
    pub date: NaiveDate,
    pub respondent: String,
    pub score: u8,
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
    /// The vendor's logo, an SVG file relative to valuereport.toml (`logo = "logo.svg"`), drawn in
    /// the title block and the running header.
    #[serde(default)]
    pub logo: Option<String>,
    /// The file `logo` names, read and parsed by `load_settings`.
    #[serde(skip)]
    pub logo_image: Option<crate::render::logo::Logo>,
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
    /// `[health]`: the weights of the customer health score's components.
    #[serde(default)]
    pub health: HealthSettings,
    /// `[portfolio]`: the cross-customer portfolio report.
    #[serde(default)]
    pub portfolio: PortfolioSettings,
    /// `[fx]`: exchange rates into one base currency for the portfolio's totals. Without it, money
    /// is totalled per currency only.
    #[serde(default)]
    pub fx: Option<FxSettings>,
    /// Display labels of metric ids from `metric_labels.csv` at the INPUT root (read by
    /// `load_settings`, not a key of valuereport.toml).
    #[serde(skip)]
    pub metric_labels: crate::load::MetricLabels,
}

/// `[health]` in `valuereport.toml`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthSettings {
    /// Component → weight (relative; they need not add up to 100). A `[health.weights]` table
    /// replaces the defaults as a whole: its keys are the components health.csv may name.
    #[serde(default = "HealthSettings::default_weights")]
    pub weights: std::collections::BTreeMap<String, Decimal>,
}

impl HealthSettings {
    /// Seed 004: product usage 40%, NPS 10%, support tickets 20%, billing 30%.
    pub fn default_weights() -> std::collections::BTreeMap<String, Decimal> {
        [("usage", 40), ("nps", 10), ("support", 20), ("billing", 30)]
            .into_iter()
            .map(|(name, weight)| (name.to_string(), Decimal::from(weight)))
            .collect()
    }

    /// Weights are 0 or more, at least one above 0, and components are lowercase words: the message
    /// for `valuereport.toml`.
    pub fn check(&self) -> Result<(), String> {
        for (name, weight) in &self.weights {
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
                return Err(format!(
                    "[health.weights] {name:?}: a component is a lowercase word (letters, digits, _), e.g. usage"
                ));
            }
            if *weight < Decimal::ZERO {
                return Err(format!("[health.weights] {name} = {weight}: a weight is 0 or more"));
            }
        }
        if !self.weights.values().any(|w| *w > Decimal::ZERO) {
            return Err("[health.weights]: at least one weight must be above 0, e.g. usage = 40".to_string());
        }
        Ok(())
    }
}

impl Default for HealthSettings {
    fn default() -> HealthSettings {
        HealthSettings { weights: HealthSettings::default_weights() }
    }
}

/// `[portfolio]` in `valuereport.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortfolioSettings {
    /// Language of portfolio-<quarter>.pdf (en, es, ms, ja); default en.
    #[serde(default, deserialize_with = "deserialize_locale")]
    pub locale: Locale,
}

/// `[fx]` in `valuereport.toml`: `base = "USD"` and one `[fx.rates.EUR]` table per currency with
/// `rate` (units of the base currency per one unit of that currency) and the `date` it was taken.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FxSettings {
    #[serde(deserialize_with = "deserialize_currency")]
    pub base: Currency,
    #[serde(default)]
    pub rates: std::collections::BTreeMap<String, FxRate>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FxRate {
    /// Units of the base currency per one unit of this currency (EUR 1.0850 with base USD).
    pub rate: Decimal,
    /// The day the rate was taken (stated on the page beside every converted figure).
    #[serde(deserialize_with = "deserialize_date")]
    pub date: NaiveDate,
}

impl FxSettings {
    /// Every code is ISO 4217, every rate above 0: the message for `valuereport.toml`.
    pub fn check(&self) -> Result<(), String> {
        for (code, rate) in &self.rates {
            let Some(currency) = Currency::from_code(code) else {
                return Err(format!("[fx.rates.{code}]: {code:?} is not an ISO 4217 currency code; expected e.g. EUR"));
            };
            if currency == self.base {
                return Err(format!("[fx.rates.{code}]: {code} is the base currency; remove it (its rate is 1)"));
            }
            if rate.rate <= Decimal::ZERO {
                return Err(format!("[fx.rates.{code}] rate = {}: a rate is above 0", rate.rate));
            }
        }
        Ok(())
    }

    /// The rate into the base currency (1 for the base itself); `None` without one.
    pub fn rate(&self, currency: Currency) -> Option<(Decimal, Option<NaiveDate>)> {
        if currency == self.base {
            return Some((Decimal::ONE, None));
        }
        self.rates
            .iter()
            .find(|(code, _)| Currency::from_code(code) == Some(currency))
            .map(|(_, rate)| (rate.rate, Some(rate.date)))
    }
}

fn deserialize_locale<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Locale, D::Error> {
    let text = <String as serde::Deserialize>::deserialize(deserializer)?;
    Locale::parse(&text).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "{text:?} is not a report language; expected one of {}",
            Locale::keywords().join(", ")
        ))
    })
}

fn deserialize_currency<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Currency, D::Error> {
    let text = <String as serde::Deserialize>::deserialize(deserializer)?;
    Currency::from_code(&text).ok_or_else(|| {
        serde::de::Error::custom(format!("{text:?} is not an ISO 4217 currency code; expected e.g. USD"))
    })
}

/// A TOML date (`2026-09-30`) or a string holding one.
fn deserialize_date<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum DateValue {
        Toml(toml::value::Datetime),
        Text(String),
    }
    let text = match <DateValue as serde::Deserialize>::deserialize(deserializer)? {
        DateValue::Toml(datetime) => datetime.to_string(),
        DateValue::Text(text) => text,
    };
    crate::load::parse_iso_date(&text)
        .ok_or_else(|| serde::de::Error::custom(format!("{text:?} is not a date; expected YYYY-MM-DD")))
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

impl Settings {
    /// What the settings bring in from other files (the root's metric labels, the logo's digest),
    /// for fingerprints: a change to any of them re-renders the reports.
    pub fn brand_fingerprint(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        for (metric, label) in &self.metric_labels {
            bytes.extend(metric.as_bytes());
            bytes.push(0);
            bytes.extend(label.as_bytes());
            bytes.push(0);
        }
        if let Some(logo) = &self.logo_image {
            bytes.extend(logo.digest());
        }
        bytes
    }
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            vendor_name: Settings::default_vendor_name(),
            brand_color: Settings::default_brand_color(),
            logo: None,
            logo_image: None,
            delivery: None,
            renewals: RenewalSettings::default(),
            columns: crate::load::ColumnSettings::default(),
            dedupe_exact_rows: false,
            health: HealthSettings::default(),
            portfolio: PortfolioSettings::default(),
            fx: None,
            metric_labels: Default::default(),
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
