//! The portfolio report for CS leadership: every customer of a run on a few pages, built from the
//! rows of results.csv (never from the reports), as a [`ReportContent`] the report renderer lays out
//! with the customer report's typesetting.
//!
//! Money is never added across currencies. With `[fx]` rates every amount of a currency that has a
//! rate is converted into the base currency (amount × rate, rounded once to the base's minor unit;
//! totals are sums of those), and the rates and their dates are printed under the figures;
//! currencies without a rate, or every currency without `[fx]`, are totalled on their own.
//!
//! Rules (docs/report.md, "The portfolio"):
//! - value-weighted ROI = Σ TTM value ÷ Σ investment share × 100 (each customer's ROI weighted by
//!   what it paid for the window);
//! - value at risk = Σ annual investment of customers renewing within [`RISK_DAYS`] days whose ROI
//!   is under 100%, or who are stale, falling (report quarter's value below the previous
//!   quarter's) or failed (no figures to show);
//! - the attention list holds customers that are failed, at risk (as above), red on health, under
//!   100% ROI or stale, worst first: by their worst flag in that order, then the soonest renewal,
//!   then the lowest ROI, then customer_id.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::format::Numbers;
use super::report::{
    AxisFormat, BarChartSpec, ColumnAlign, Edition, Element, KpiCard, ReportContent, Section, TableSpec, Tone,
};
use crate::batch::plan::Package;
use crate::batch::results::{CustomerResult, RowStatus};
use crate::model::{Category, Currency, Locale, Settings};
use crate::quarter::Quarter;
use crate::value::health::Band;
use crate::value::round_money;

/// The renewal horizon: the next two quarters.
pub const RISK_DAYS: i64 = 180;
/// Rows of the attention list on the page; the rest are counted (results.csv has them all).
pub const ATTENTION_ROWS: usize = 25;

/// What the portfolio is built from.
pub struct PortfolioInput<'a> {
    /// Sorted as results.csv lists them.
    pub rows: &'a [CustomerResult],
    pub settings: &'a Settings,
    pub quarter: Quarter,
    pub as_of: NaiveDate,
}

/// Why a customer is on the attention list, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Flag {
    Failed,
    AtRisk,
    Red,
    LowRoi,
    Stale,
    Falling,
}

/// A customer's flags at `as_of`, worst first.
pub fn flags(row: &CustomerResult, as_of: NaiveDate) -> Vec<Flag> {
    let mut flags = Vec::new();
    let figures = row.figures.as_ref();
    let low_roi = figures.is_some_and(|f| f.roi_pct < Decimal::ONE_HUNDRED);
    let stale = row.status == RowStatus::Stale;
    let falling = figures.is_some_and(|f| f.falling());
    let failed = row.status == RowStatus::Failed;
    if failed {
        flags.push(Flag::Failed);
    }
    if renews_soon(row, as_of) && (low_roi || stale || falling || failed) {
        flags.push(Flag::AtRisk);
    }
    if row.health.as_ref().and_then(|h| h.band) == Some(Band::Red) {
        flags.push(Flag::Red);
    }
    if low_roi {
        flags.push(Flag::LowRoi);
    }
    if stale {
        flags.push(Flag::Stale);
    }
    if falling {
        flags.push(Flag::Falling);
    }
    flags
}

/// Renews within [`RISK_DAYS`] of `as_of` (today included).
pub fn renews_soon(row: &CustomerResult, as_of: NaiveDate) -> bool {
    row.days_to_renewal(as_of).is_some_and(|d| (0..=RISK_DAYS).contains(&d))
}

/// The attention list, worst first (see the module documentation).
pub fn attention(rows: &[CustomerResult], as_of: NaiveDate) -> Vec<(&CustomerResult, Vec<Flag>)> {
    let mut list: Vec<(&CustomerResult, Vec<Flag>)> = rows
        .iter()
        .map(|row| (row, flags(row, as_of)))
        .filter(|(_, flags)| flags.iter().any(|f| *f != Flag::Falling))
        .collect();
    list.sort_by(|(a, fa), (b, fb)| {
        let days = |r: &CustomerResult| r.days_to_renewal(as_of).filter(|d| *d >= 0).unwrap_or(i64::MAX);
        let roi = |r: &CustomerResult| r.figures.as_ref().map_or(Decimal::MIN, |f| f.roi_pct);
        (fa[0], days(a), roi(a), &a.customer_id, &a.customer_dir).cmp(&(
            fb[0],
            days(b),
            roi(b),
            &b.customer_id,
            &b.customer_dir,
        ))
    });
    list
}

/// A total over customers of one reporting currency.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Totals {
    pub customers: u32,
    pub value: Decimal,
    pub investment: Decimal,
    pub share: Decimal,
    pub at_risk: Decimal,
    pub by_category: BTreeMap<Category, Decimal>,
}

impl Totals {
    /// Σ value ÷ Σ share × 100; `None` without any share.
    pub fn roi(&self) -> Option<Decimal> {
        (!self.share.is_zero()).then(|| self.value * Decimal::ONE_HUNDRED / self.share)
    }
}

/// How one currency's amounts are reported: as they are, or converted into the base currency.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Conversion {
    pub into: Currency,
    pub rate: Decimal,
}

/// The reporting currency of `currency` under the settings' `[fx]`.
pub fn conversion(settings: &Settings, currency: Currency) -> Conversion {
    match settings.fx.as_ref().and_then(|fx| fx.rate(currency).map(|(rate, _)| (fx.base, rate))) {
        Some((base, rate)) => Conversion { into: base, rate },
        None => Conversion { into: currency, rate: Decimal::ONE },
    }
}

impl Conversion {
    /// `amount` in the reporting currency, rounded once to its minor unit.
    pub fn apply(self, amount: Decimal) -> Decimal {
        round_money(amount.saturating_mul(self.rate), self.into)
    }
}

/// Totals per reporting currency, in currency-code order.
pub fn totals(input: &PortfolioInput) -> BTreeMap<&'static str, (Currency, Totals)> {
    let mut groups: BTreeMap<&'static str, (Currency, Totals)> = BTreeMap::new();
    for row in input.rows {
        let Some(currency) = row.currency else { continue };
        let conversion = conversion(input.settings, currency);
        let (_, totals) = groups.entry(conversion.into.code()).or_insert_with(|| (conversion.into, Totals::default()));
        totals.customers += 1;
        let investment = row.investment.map_or(Decimal::ZERO, |i| conversion.apply(i));
        totals.investment += investment;
        if let Some(f) = &row.figures {
            totals.value += conversion.apply(f.ttm_value);
            totals.share += conversion.apply(f.investment_share);
            for (category, value) in &f.by_category {
                *totals.by_category.entry(*category).or_default() += conversion.apply(*value);
            }
        }
        if flags(row, input.as_of).contains(&Flag::AtRisk) {
            totals.at_risk += investment;
        }
    }
    groups
}

/// The buckets of the ROI distribution: (label, lower bound inclusive).
const ROI_BUCKETS: [(&str, i64); 6] =
    [("< 50%", i64::MIN), ("50–100%", 50), ("100–200%", 100), ("200–300%", 200), ("300–500%", 300), ("≥ 500%", 500)];

/// Customers with figures per ROI bucket.
pub fn roi_distribution(rows: &[CustomerResult]) -> [u32; 6] {
    let mut counts = [0u32; 6];
    for f in rows.iter().filter_map(|r| r.figures.as_ref()) {
        let bucket =
            ROI_BUCKETS.iter().rposition(|(_, lo)| *lo == i64::MIN || f.roi_pct >= Decimal::from(*lo)).unwrap_or(0);
        counts[bucket] += 1;
    }
    counts
}

/// The wording of the portfolio in one language.
struct Words {
    title: &'static str,
    subtitle: &'static str,
    page: &'static str,
    as_of: &'static str,
    s_headline: &'static str,
    s_attention: &'static str,
    s_calendar: &'static str,
    s_charts: &'static str,
    s_csm: &'static str,
    s_customers: &'static str,
    s_stale_failed: &'static str,
    customers: &'static str,
    customers_caption: &'static str,
    value: &'static str,
    value_caption: &'static str,
    roi: &'static str,
    roi_caption: &'static str,
    investment: &'static str,
    at_risk: &'static str,
    at_risk_caption: &'static str,
    health: &'static str,
    health_caption: &'static str,
    by_currency_lead: &'static str,
    col_currency: &'static str,
    col_customer: &'static str,
    col_csm: &'static str,
    col_segment: &'static str,
    col_renewal: &'static str,
    col_touchpoints: &'static str,
    col_why: &'static str,
    col_status: &'static str,
    col_reason: &'static str,
    col_value: &'static str,
    col_roi: &'static str,
    col_health: &'static str,
    col_investment: &'static str,
    col_at_risk: &'static str,
    col_renewals: &'static str,
    rates: &'static str,
    unconverted: &'static str,
    no_fx: &'static str,
    attention_rule: &'static str,
    attention_more: &'static str,
    nobody: &'static str,
    all_current: &'static str,
    calendar_lead: &'static str,
    roi_chart: &'static str,
    roi_axis_x: &'static str,
    roi_axis_y: &'static str,
    category_chart: &'static str,
    category_axis: &'static str,
    /// Names the kind of chart in its alternative text.
    bar_chart: &'static str,
    csm_lead: &'static str,
    no_csm: &'static str,
    flags: [&'static str; 6],
    statuses: [&'static str; 3],
    bands: [&'static str; 4],
    categories: [&'static str; 6],
    no_data: &'static str,
}

const EN: Words = Words {
    title: "Customer portfolio",
    subtitle: "Value delivered, renewals and health across all customers",
    page: "Page {page} of {pages}",
    as_of: "Figures as of",
    s_headline: "1. Headline figures",
    s_attention: "2. Needs attention",
    s_calendar: "3. Renewal calendar: the next 180 days",
    s_charts: "4. ROI and value by category",
    s_csm: "5. By customer success manager",
    s_customers: "6. All customers",
    s_stale_failed: "7. Stale and failed customers",
    customers: "Customers",
    customers_caption: "ok · stale · failed",
    value: "Value delivered, TTM",
    value_caption: "realized value over the trailing twelve months",
    roi: "Value-weighted ROI",
    roi_caption: "total value ÷ total investment for the same months",
    investment: "Annual investment",
    at_risk: "Value at risk",
    at_risk_caption: "annual investment renewing within 180 days with ROI under 100%, stale, falling or failed",
    health: "Health",
    health_caption: "red · yellow · green · thriving · no data",
    by_currency_lead: "By reporting currency (amounts in different currencies are never added):",
    col_currency: "Currency",
    col_customer: "Customer",
    col_csm: "CSM",
    col_segment: "Segment",
    col_renewal: "Renewal",
    col_touchpoints: "Touchpoints due",
    col_why: "Why",
    col_status: "Status",
    col_reason: "Reason",
    col_value: "Value TTM",
    col_roi: "ROI",
    col_health: "Health",
    col_investment: "Investment",
    col_at_risk: "At risk",
    col_renewals: "Renewals ≤ 180 d",
    rates: "Converted at",
    unconverted: "no rate in [fx]: shown in its own currency",
    no_fx: "No [fx] rates in valuereport.toml: each currency is totalled on its own.",
    attention_rule: "Failed first, then renewals within 180 days at risk, red health, ROI under 100% and stale data; within each, the soonest renewal and the lowest ROI first.",
    attention_more: "more customers need attention: see results.csv",
    nobody: "No customer needs attention.",
    all_current: "Every customer's figures are computed on current data.",
    calendar_lead: "Renewals in the next 180 days, soonest first, with the renewal packages still to come:",
    roi_chart: "Customers by ROI (TTM)",
    roi_axis_x: "ROI",
    roi_axis_y: "Customers",
    category_chart: "Value delivered by category, TTM",
    category_axis: "Category",
    bar_chart: "Bar chart",
    csm_lead: "Customers, value and renewals per CSM, in each reporting currency:",
    no_csm: "(no CSM)",
    flags: ["failed", "renewal at risk", "red health", "ROI < 100%", "stale data", "falling value"],
    statuses: ["ok", "stale", "failed"],
    bands: ["red", "yellow", "green", "thriving"],
    categories: ["Time savings", "Cost savings", "Revenue", "Quality", "Risk", "Productivity"],
    no_data: "–",
};

const ES: Words = Words {
    title: "Cartera de clientes",
    subtitle: "Valor entregado, renovaciones y salud de todos los clientes",
    page: "Página {page} de {pages}",
    as_of: "Cifras a",
    s_headline: "1. Cifras principales",
    s_attention: "2. Requieren atención",
    s_calendar: "3. Calendario de renovaciones: próximos 180 días",
    s_charts: "4. ROI y valor por categoría",
    s_csm: "5. Por gestor de éxito del cliente",
    s_customers: "6. Todos los clientes",
    s_stale_failed: "7. Clientes sin datos recientes o con errores",
    customers: "Clientes",
    customers_caption: "correctos · sin datos recientes · con errores",
    value: "Valor entregado, 12 meses",
    value_caption: "valor realizado en los últimos doce meses",
    roi: "ROI ponderado por valor",
    roi_caption: "valor total ÷ inversión total de los mismos meses",
    investment: "Inversión anual",
    at_risk: "Valor en riesgo",
    at_risk_caption: "inversión anual que renueva en 180 días con ROI menor al 100%, sin datos recientes, en caída o con errores",
    health: "Salud",
    health_caption: "rojo · amarillo · verde · próspero · sin datos",
    by_currency_lead: "Por moneda de presentación (nunca se suman importes de monedas distintas):",
    col_currency: "Moneda",
    col_customer: "Cliente",
    col_csm: "CSM",
    col_segment: "Segmento",
    col_renewal: "Renovación",
    col_touchpoints: "Entregas pendientes",
    col_why: "Motivo",
    col_status: "Estado",
    col_reason: "Motivo",
    col_value: "Valor 12 m",
    col_roi: "ROI",
    col_health: "Salud",
    col_investment: "Inversión",
    col_at_risk: "En riesgo",
    col_renewals: "Renov. ≤ 180 d",
    rates: "Convertido a",
    unconverted: "sin tipo en [fx]: se muestra en su moneda",
    no_fx: "Sin tipos de cambio [fx] en valuereport.toml: cada moneda se suma por separado.",
    attention_rule: "Primero los clientes con errores, luego renovaciones en riesgo en 180 días, salud roja, ROI menor al 100% y datos no recientes; dentro de cada grupo, la renovación más próxima y el ROI más bajo primero.",
    attention_more: "clientes más requieren atención: ver results.csv",
    nobody: "Ningún cliente requiere atención.",
    all_current: "Las cifras de todos los clientes se calculan con datos actuales.",
    calendar_lead: "Renovaciones de los próximos 180 días, la más próxima primero, con los paquetes de renovación pendientes:",
    roi_chart: "Clientes por ROI (12 meses)",
    roi_axis_x: "ROI",
    roi_axis_y: "Clientes",
    category_chart: "Valor entregado por categoría, 12 meses",
    category_axis: "Categoría",
    bar_chart: "Gráfico de barras",
    csm_lead: "Clientes, valor y renovaciones por CSM, en cada moneda de presentación:",
    no_csm: "(sin CSM)",
    flags: ["con errores", "renovación en riesgo", "salud roja", "ROI < 100%", "datos no recientes", "valor en caída"],
    statuses: ["correcto", "sin datos recientes", "con errores"],
    bands: ["rojo", "amarillo", "verde", "próspero"],
    categories: ["Ahorro de tiempo", "Ahorro de costes", "Ingresos", "Calidad", "Riesgo", "Productividad"],
    no_data: "–",
};

const MS: Words = Words {
    title: "Portfolio pelanggan",
    subtitle: "Nilai yang diberikan, pembaharuan dan kesihatan semua pelanggan",
    page: "Halaman {page} daripada {pages}",
    as_of: "Angka setakat",
    s_headline: "1. Angka utama",
    s_attention: "2. Perlu perhatian",
    s_calendar: "3. Kalendar pembaharuan: 180 hari akan datang",
    s_charts: "4. ROI dan nilai mengikut kategori",
    s_csm: "5. Mengikut pengurus kejayaan pelanggan",
    s_customers: "6. Semua pelanggan",
    s_stale_failed: "7. Pelanggan tanpa data terkini atau gagal",
    customers: "Pelanggan",
    customers_caption: "ok · tiada data terkini · gagal",
    value: "Nilai diberikan, 12 bulan",
    value_caption: "nilai yang direalisasikan dalam dua belas bulan lepas",
    roi: "ROI berwajaran nilai",
    roi_caption: "jumlah nilai ÷ jumlah pelaburan bagi bulan yang sama",
    investment: "Pelaburan tahunan",
    at_risk: "Nilai berisiko",
    at_risk_caption: "pelaburan tahunan yang diperbaharui dalam 180 hari dengan ROI bawah 100%, tiada data terkini, menurun atau gagal",
    health: "Kesihatan",
    health_caption: "merah · kuning · hijau · cemerlang · tiada data",
    by_currency_lead: "Mengikut mata wang laporan (amaun mata wang berbeza tidak pernah dijumlahkan):",
    col_currency: "Mata wang",
    col_customer: "Pelanggan",
    col_csm: "CSM",
    col_segment: "Segmen",
    col_renewal: "Pembaharuan",
    col_touchpoints: "Pakej belum tiba",
    col_why: "Sebab",
    col_status: "Status",
    col_reason: "Sebab",
    col_value: "Nilai 12 bln",
    col_roi: "ROI",
    col_health: "Kesihatan",
    col_investment: "Pelaburan",
    col_at_risk: "Berisiko",
    col_renewals: "Pembaharuan ≤ 180 h",
    rates: "Ditukar pada",
    unconverted: "tiada kadar dalam [fx]: ditunjukkan dalam mata wangnya",
    no_fx: "Tiada kadar [fx] dalam valuereport.toml: setiap mata wang dijumlahkan berasingan.",
    attention_rule: "Gagal dahulu, kemudian pembaharuan berisiko dalam 180 hari, kesihatan merah, ROI bawah 100% dan data tidak terkini; dalam setiap kumpulan, pembaharuan terdekat dan ROI terendah dahulu.",
    attention_more: "lagi pelanggan perlu perhatian: lihat results.csv",
    nobody: "Tiada pelanggan perlu perhatian.",
    all_current: "Angka semua pelanggan dikira dengan data terkini.",
    calendar_lead: "Pembaharuan dalam 180 hari akan datang, yang terdekat dahulu, dengan pakej pembaharuan yang belum tiba:",
    roi_chart: "Pelanggan mengikut ROI (12 bulan)",
    roi_axis_x: "ROI",
    roi_axis_y: "Pelanggan",
    category_chart: "Nilai diberikan mengikut kategori, 12 bulan",
    category_axis: "Kategori",
    bar_chart: "Carta bar",
    csm_lead: "Pelanggan, nilai dan pembaharuan bagi setiap CSM, dalam setiap mata wang laporan:",
    no_csm: "(tiada CSM)",
    flags: ["gagal", "pembaharuan berisiko", "kesihatan merah", "ROI < 100%", "data tidak terkini", "nilai menurun"],
    statuses: ["ok", "tiada data terkini", "gagal"],
    bands: ["merah", "kuning", "hijau", "cemerlang"],
    categories: ["Penjimatan masa", "Penjimatan kos", "Hasil", "Kualiti", "Risiko", "Produktiviti"],
    no_data: "–",
};

const JA: Words = Words {
    title: "顧客ポートフォリオ",
    subtitle: "全顧客の提供価値・更新・ヘルス",
    page: "{page} / {pages} ページ",
    as_of: "数値の基準日",
    s_headline: "1. 主要指標",
    s_attention: "2. 要対応",
    s_calendar: "3. 更新カレンダー：今後180日",
    s_charts: "4. ROIとカテゴリ別の価値",
    s_csm: "5. カスタマーサクセス担当者別",
    s_customers: "6. 全顧客",
    s_stale_failed: "7. データ未更新・エラーの顧客",
    customers: "顧客数",
    customers_caption: "正常・データ未更新・エラー",
    value: "提供価値（直近12か月）",
    value_caption: "直近12か月に実現した価値",
    roi: "価値加重ROI",
    roi_caption: "価値の合計 ÷ 同期間の投資の合計",
    investment: "年間投資額",
    at_risk: "リスクのある価値",
    at_risk_caption: "180日以内に更新を迎え、ROIが100%未満・データ未更新・減少・エラーの顧客の年間投資額",
    health: "ヘルス",
    health_caption: "赤・黄・緑・好調・データなし",
    by_currency_lead: "報告通貨別（異なる通貨の金額は合算しません）：",
    col_currency: "通貨",
    col_customer: "顧客",
    col_csm: "CSM",
    col_segment: "セグメント",
    col_renewal: "更新日",
    col_touchpoints: "今後の更新パッケージ",
    col_why: "理由",
    col_status: "状態",
    col_reason: "理由",
    col_value: "価値 12か月",
    col_roi: "ROI",
    col_health: "ヘルス",
    col_investment: "投資額",
    col_at_risk: "リスク",
    col_renewals: "180日以内の更新",
    rates: "換算レート",
    unconverted: "[fx] にレートなし：元の通貨で表示",
    no_fx: "valuereport.toml に [fx] レートがないため、通貨ごとに集計しています。",
    attention_rule: "エラーを最初に、次に180日以内の更新でリスクのある顧客、ヘルスが赤、ROI 100%未満、データ未更新の順。各グループ内では更新日が近い順、ROIが低い順。",
    attention_more: "件の顧客も要対応です：results.csv を参照",
    nobody: "要対応の顧客はいません。",
    all_current: "すべての顧客の数値は最新のデータで計算されています。",
    calendar_lead: "今後180日以内の更新（近い順）と、これからの更新パッケージ：",
    roi_chart: "ROI別の顧客数（直近12か月）",
    roi_axis_x: "ROI",
    roi_axis_y: "顧客数",
    category_chart: "カテゴリ別の提供価値（直近12か月）",
    category_axis: "カテゴリ",
    bar_chart: "棒グラフ",
    csm_lead: "CSMごとの顧客数・価値・更新（報告通貨別）：",
    no_csm: "（CSMなし）",
    flags: ["エラー", "更新リスク", "ヘルス赤", "ROI < 100%", "データ未更新", "価値減少"],
    statuses: ["正常", "データ未更新", "エラー"],
    bands: ["赤", "黄", "緑", "好調"],
    categories: ["時間削減", "コスト削減", "売上", "品質", "リスク", "生産性"],
    no_data: "–",
};

fn words(locale: Locale) -> &'static Words {
    match locale {
        Locale::En => &EN,
        Locale::Es => &ES,
        Locale::Ms => &MS,
        Locale::Ja => &JA,
    }
}

fn flag_word(w: &Words, flag: Flag) -> &'static str {
    w.flags[flag as usize]
}

fn band_word(w: &Words, band: Option<Band>) -> &'static str {
    band.map_or(w.no_data, |b| w.bands[b as usize])
}

fn status_word(w: &Words, status: RowStatus) -> &'static str {
    w.statuses[status as usize]
}

fn category_word(w: &Words, category: Category) -> &'static str {
    w.categories[Category::ALL.iter().position(|c| *c == category).unwrap_or(0)]
}

fn band_tone(band: Option<Band>) -> Tone {
    match band {
        Some(Band::Red) => Tone::Bad,
        Some(Band::Green | Band::Thriving) => Tone::Good,
        Some(Band::Yellow) => Tone::Plain,
        None => Tone::Muted,
    }
}

/// Number formats per currency, made once each (ICU formatters are not free).
struct Formats {
    locale: Locale,
    by_currency: BTreeMap<&'static str, Numbers>,
}

impl Formats {
    fn of(&mut self, currency: Currency) -> &Numbers {
        let locale = self.locale;
        self.by_currency.entry(currency.code()).or_insert_with(|| Numbers::new(locale, currency))
    }
}

fn cell(text: impl Into<String>) -> (String, Tone) {
    (text.into(), Tone::Plain)
}

fn name_of(row: &CustomerResult) -> String {
    match (&row.customer_name, &row.customer_id) {
        (Some(name), _) => name.clone(),
        (None, Some(id)) => id.clone(),
        (None, None) => row.customer_dir.clone(),
    }
}

/// Builds the portfolio; `locale` is `[portfolio] locale`.
pub fn build(input: &PortfolioInput) -> ReportContent {
    let locale = input.settings.portfolio.locale;
    let w = words(locale);
    let mut formats = Formats { locale, by_currency: BTreeMap::new() };
    let as_of = input.as_of;
    let groups = totals(input);
    let primary = groups.values().max_by_key(|(_, t)| t.customers).map(|(c, _)| *c).unwrap_or_default();
    let count = |status: RowStatus| input.rows.iter().filter(|r| r.status == status).count();
    let date_numbers = Numbers::new(locale, primary);
    let date = |d: NaiveDate| date_numbers.date(d);

    // 1. Headline figures.
    let mut headline = Vec::new();
    let mut bands = [0usize; 5];
    for row in input.rows {
        let band = row.health.as_ref().and_then(|h| h.band);
        bands[band.map_or(4, |b| b as usize)] += 1;
    }
    // A headline figure is whole units, or compact ($11.6B) when that would be longer than 12
    // characters: the hero leaves about that much room before its caption. The exact figure is in
    // the table per currency below it.
    let money_text = |formats: &mut Formats, currency: Currency, amount: Decimal| {
        let numbers = formats.of(currency);
        let whole = numbers.money_whole(amount);
        if whole.chars().count() <= 12 {
            return whole;
        }
        // Rounded to three significant digits in decimal; the compact formatter only prints it.
        let digits = amount.abs().trunc().to_string().len() as u32;
        let step = Decimal::from(10u64.pow(digits.saturating_sub(3)));
        let rounded =
            (amount / step).round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero) * step;
        numbers.money_compact(super::format::pixels(rounded))
    };
    if let Some((currency, t)) = groups.get(primary.code()) {
        let roi = t.roi().map_or(w.no_data.to_string(), |r| formats.of(*currency).percent(r));
        let others = groups.len() > 1;
        let suffix = if others { format!(" ({currency})") } else { String::new() };
        headline.push(Element::Hero {
            label: format!("{}{suffix}", w.value),
            value: money_text(&mut formats, *currency, t.value),
            caption: w.value_caption.to_string(),
            tone: Tone::Plain,
        });
        // Value at risk is the second most important number: a hero of its own (whole-unit amounts of a
        // large portfolio do not fit a card).
        headline.push(Element::Hero {
            label: format!("{}{suffix}", w.at_risk),
            value: money_text(&mut formats, *currency, t.at_risk),
            caption: w.at_risk_caption.to_string(),
            tone: if t.at_risk.is_zero() { Tone::Plain } else { Tone::Bad },
        });
        headline.push(Element::Kpis(vec![
            KpiCard {
                label: w.customers.to_string(),
                value: input.rows.len().to_string(),
                value_tone: Tone::Plain,
                change: None,
                caption: format!(
                    "{} · {} · {} ({})",
                    count(RowStatus::Ok),
                    count(RowStatus::Stale),
                    count(RowStatus::Failed),
                    w.customers_caption
                ),
            },
            KpiCard {
                label: format!("{}{suffix}", w.roi),
                value: roi,
                value_tone: if t.roi().is_some_and(|r| r < Decimal::ONE_HUNDRED) { Tone::Bad } else { Tone::Plain },
                change: None,
                caption: w.roi_caption.to_string(),
            },
            KpiCard {
                label: w.health.to_string(),
                value: format!("{} · {} · {} · {}", bands[0], bands[1], bands[2], bands[3]),
                value_tone: if bands[0] > 0 { Tone::Bad } else { Tone::Plain },
                change: None,
                caption: format!("{} ({} {})", w.health_caption, bands[4], w.no_data),
            },
        ]));
    }
    headline.push(Element::LeadIn(w.by_currency_lead.to_string()));
    let mut rows = Vec::new();
    for (currency, t) in groups.values() {
        let numbers = formats.of(*currency);
        rows.push(vec![
            cell(currency.code()),
            cell(t.customers.to_string()),
            cell(numbers.money_whole(t.value)),
            cell(numbers.money_whole(t.investment)),
            cell(t.roi().map_or(w.no_data.to_string(), |r| numbers.percent(r))),
            (numbers.money_whole(t.at_risk), if t.at_risk.is_zero() { Tone::Plain } else { Tone::Bad }),
        ]);
    }
    headline.push(Element::Table(TableSpec {
        columns: vec![
            (w.col_currency.to_string(), 1.0, ColumnAlign::Left),
            (w.customers.to_string(), 1.0, ColumnAlign::Right),
            (w.col_value.to_string(), 1.6, ColumnAlign::Right),
            (w.investment.to_string(), 1.6, ColumnAlign::Right),
            (w.roi.to_string(), 1.3, ColumnAlign::Right),
            (w.at_risk.to_string(), 1.6, ColumnAlign::Right),
        ],
        rows,
        total: None,
    }));
    headline.push(Element::Note(rates_note(input, w)));

    // 2. Needs attention.
    let mut attention_elements = vec![Element::Note(w.attention_rule.to_string())];
    let list = attention(input.rows, as_of);
    if list.is_empty() {
        attention_elements.push(Element::Paragraph(w.nobody.to_string()));
    } else {
        let mut rows = Vec::new();
        for (row, flags) in list.iter().take(ATTENTION_ROWS) {
            rows.push(vec![
                cell(name_of(row)),
                cell(row.csm_name.clone().unwrap_or_default()),
                cell(row.renewal_date.map_or(String::new(), date)),
                roi_cell(&mut formats, row, w),
                (
                    band_word(w, row.health.as_ref().and_then(|h| h.band)).to_string(),
                    band_tone(row.health.as_ref().and_then(|h| h.band)),
                ),
                (flags.iter().map(|f| flag_word(w, *f)).collect::<Vec<_>>().join(", "), Tone::Bad),
            ]);
        }
        attention_elements.push(Element::Table(TableSpec {
            columns: vec![
                (w.col_customer.to_string(), 2.6, ColumnAlign::Left),
                (w.col_csm.to_string(), 1.3, ColumnAlign::Left),
                (w.col_renewal.to_string(), 1.2, ColumnAlign::Left),
                (w.col_roi.to_string(), 0.9, ColumnAlign::Right),
                (w.col_health.to_string(), 1.0, ColumnAlign::Left),
                (w.col_why.to_string(), 2.2, ColumnAlign::Left),
            ],
            rows,
            total: None,
        }));
        if list.len() > ATTENTION_ROWS {
            attention_elements.push(Element::Note(format!("+{} {}", list.len() - ATTENTION_ROWS, w.attention_more)));
        }
    }

    // 3. Renewal calendar.
    let mut calendar: Vec<&CustomerResult> = input.rows.iter().filter(|r| renews_soon(r, as_of)).collect();
    calendar.sort_by(|a, b| (a.renewal_date, &a.customer_id).cmp(&(b.renewal_date, &b.customer_id)));
    let mut calendar_elements = vec![Element::LeadIn(w.calendar_lead.to_string())];
    let mut rows = Vec::new();
    for row in calendar {
        let renewal = row.renewal_date.expect("renews soon");
        let touchpoints: Vec<String> = Package::ALL
            .into_iter()
            .filter(|p| (renewal - as_of).num_days() >= p.window().0)
            .map(|p| format!("{} {}", p.label(), date(renewal - chrono::Duration::days(p.window().1))))
            .collect();
        let at_risk = flags(row, as_of).contains(&Flag::AtRisk);
        rows.push(vec![
            (date(renewal), if at_risk { Tone::Bad } else { Tone::Plain }),
            cell(name_of(row)),
            cell(row.csm_name.clone().unwrap_or_default()),
            cell(row.currency.zip(row.investment).map_or(String::new(), |(c, i)| formats.of(c).money_whole(i))),
            roi_cell(&mut formats, row, w),
            (
                band_word(w, row.health.as_ref().and_then(|h| h.band)).to_string(),
                band_tone(row.health.as_ref().and_then(|h| h.band)),
            ),
            cell(touchpoints.join(" · ")),
        ]);
    }
    if rows.is_empty() {
        calendar_elements = vec![Element::Paragraph(w.nobody.to_string())];
    } else {
        calendar_elements.push(Element::Table(TableSpec {
            columns: vec![
                (w.col_renewal.to_string(), 1.2, ColumnAlign::Left),
                (w.col_customer.to_string(), 2.4, ColumnAlign::Left),
                (w.col_csm.to_string(), 1.2, ColumnAlign::Left),
                (w.col_investment.to_string(), 1.3, ColumnAlign::Right),
                (w.col_roi.to_string(), 0.8, ColumnAlign::Right),
                (w.col_health.to_string(), 1.0, ColumnAlign::Left),
                (w.col_touchpoints.to_string(), 2.5, ColumnAlign::Left),
            ],
            rows,
            total: None,
        }));
    }

    // 4. Charts.
    let distribution = roi_distribution(input.rows);
    let bars_alt = |title: &str, bars: Vec<String>| format!("{}, {title}: {}", w.bar_chart, bars.join(", "));
    let mut chart_elements = vec![Element::BarChart(BarChartSpec {
        alt: bars_alt(
            w.roi_chart,
            ROI_BUCKETS.iter().zip(distribution).map(|((label, _), n)| format!("{label} {n}")).collect(),
        ),
        title: w.roi_chart.to_string(),
        realized: ROI_BUCKETS
            .iter()
            .zip(distribution)
            .map(|((label, _), n)| (label.to_string(), f64::from(n)))
            .collect(),
        projected: Vec::new(),
        labels: [String::new(), String::new(), String::new()],
        projected_note: String::new(),
        x_title: w.roi_axis_x.to_string(),
        y_title: w.roi_axis_y.to_string(),
        axis: AxisFormat::Number,
    })];
    for (currency, t) in groups.values() {
        if t.by_category.is_empty() {
            continue;
        }
        let suffix = if groups.len() > 1 { format!(" ({currency})") } else { String::new() };
        let title = format!("{}{suffix}", w.category_chart);
        let numbers = formats.of(*currency);
        let bars = t.by_category.iter().map(|(c, v)| format!("{} {}", category_word(w, *c), numbers.money_whole(*v)));
        chart_elements.push(Element::BarChart(BarChartSpec {
            alt: bars_alt(&title, bars.collect()),
            title,
            realized: t
                .by_category
                .iter()
                .map(|(c, v)| (category_word(w, *c).to_string(), super::format::pixels(*v)))
                .collect(),
            projected: Vec::new(),
            labels: [String::new(), String::new(), String::new()],
            projected_note: String::new(),
            x_title: w.category_axis.to_string(),
            y_title: currency.code().to_string(),
            // The renderer labels money axes in the document's currency: another currency's axis
            // is labelled as plain numbers under its code.
            axis: if *currency == primary { AxisFormat::Money(*currency) } else { AxisFormat::Number },
        }));
    }

    // 5. Per CSM, per reporting currency.
    let mut by_csm: BTreeMap<(String, &'static str), (Currency, Totals, u32)> = BTreeMap::new();
    for row in input.rows {
        let Some(currency) = row.currency else { continue };
        let conversion = conversion(input.settings, currency);
        let key = (row.csm_name.clone().unwrap_or_else(|| w.no_csm.to_string()), conversion.into.code());
        let (_, t, renewals) = by_csm.entry(key).or_insert_with(|| (conversion.into, Totals::default(), 0));
        t.customers += 1;
        let investment = row.investment.map_or(Decimal::ZERO, |i| conversion.apply(i));
        t.investment += investment;
        if let Some(f) = &row.figures {
            t.value += conversion.apply(f.ttm_value);
            t.share += conversion.apply(f.investment_share);
        }
        if flags(row, as_of).contains(&Flag::AtRisk) {
            t.at_risk += investment;
        }
        if renews_soon(row, as_of) {
            *renewals += 1;
        }
    }
    let mut rows = Vec::new();
    for ((csm, _), (currency, t, renewals)) in &by_csm {
        let numbers = formats.of(*currency);
        rows.push(vec![
            cell(csm.clone()),
            cell(currency.code()),
            cell(t.customers.to_string()),
            cell(numbers.money_whole(t.value)),
            cell(t.roi().map_or(w.no_data.to_string(), |r| numbers.percent(r))),
            cell(renewals.to_string()),
            (numbers.money_whole(t.at_risk), if t.at_risk.is_zero() { Tone::Plain } else { Tone::Bad }),
        ]);
    }
    let csm_elements = vec![
        Element::LeadIn(w.csm_lead.to_string()),
        Element::Table(TableSpec {
            columns: vec![
                (w.col_csm.to_string(), 2.0, ColumnAlign::Left),
                (w.col_currency.to_string(), 0.9, ColumnAlign::Left),
                (w.customers.to_string(), 1.1, ColumnAlign::Right),
                (w.col_value.to_string(), 1.5, ColumnAlign::Right),
                (w.col_roi.to_string(), 0.9, ColumnAlign::Right),
                (w.col_renewals.to_string(), 1.2, ColumnAlign::Right),
                (w.col_at_risk.to_string(), 1.4, ColumnAlign::Right),
            ],
            rows,
            total: None,
        }),
    ];

    // 6. All customers, by name (results.csv is by customer_id).
    let mut by_name: Vec<&CustomerResult> = input.rows.iter().collect();
    by_name.sort_by_cached_key(|r| (name_of(r).to_lowercase(), r.customer_id.clone(), r.customer_dir.clone()));
    let mut rows = Vec::new();
    for row in by_name {
        let band = row.health.as_ref().and_then(|h| h.band);
        let health = match row.health.as_ref().and_then(|h| h.score) {
            Some(score) => format!("{score} {}", band_word(w, band)),
            None => w.no_data.to_string(),
        };
        rows.push(vec![
            cell(name_of(row)),
            cell(row.segment.clone().unwrap_or_default()),
            cell(row.csm_name.clone().unwrap_or_default()),
            cell(match (row.currency, &row.figures) {
                (Some(c), Some(f)) => formats.of(c).money_whole(f.ttm_value),
                _ => w.no_data.to_string(),
            }),
            roi_cell(&mut formats, row, w),
            (health, band_tone(band)),
            cell(row.renewal_date.map_or(String::new(), date)),
            (status_word(w, row.status).to_string(), if row.status == RowStatus::Ok { Tone::Plain } else { Tone::Bad }),
        ]);
    }
    let customer_elements = vec![Element::Table(TableSpec {
        columns: vec![
            (w.col_customer.to_string(), 2.4, ColumnAlign::Left),
            (w.col_segment.to_string(), 1.3, ColumnAlign::Left),
            (w.col_csm.to_string(), 1.3, ColumnAlign::Left),
            (w.col_value.to_string(), 1.5, ColumnAlign::Right),
            (w.col_roi.to_string(), 0.8, ColumnAlign::Right),
            (w.col_health.to_string(), 1.0, ColumnAlign::Left),
            (w.col_renewal.to_string(), 1.3, ColumnAlign::Left),
            (w.col_status.to_string(), 0.8, ColumnAlign::Left),
        ],
        rows,
        total: None,
    })];

    // 7. Stale and failed.
    let mut rows = Vec::new();
    for row in input.rows.iter().filter(|r| r.status != RowStatus::Ok) {
        rows.push(vec![
            cell(row.customer_id.clone().unwrap_or_else(|| row.customer_dir.clone())),
            (status_word(w, row.status).to_string(), Tone::Bad),
            cell(row.reason_code.map_or("", |c| c.as_str())),
            cell(row.reason.clone().unwrap_or_default()),
        ]);
    }
    let stale_elements = if rows.is_empty() {
        vec![Element::Paragraph(w.all_current.to_string())]
    } else {
        vec![Element::Table(TableSpec {
            columns: vec![
                (w.col_customer.to_string(), 1.8, ColumnAlign::Left),
                (w.col_status.to_string(), 1.0, ColumnAlign::Left),
                (w.col_why.to_string(), 1.4, ColumnAlign::Left),
                (w.col_reason.to_string(), 4.6, ColumnAlign::Left),
            ],
            rows,
            total: None,
        })]
    };

    let vendor = input.settings.vendor_name.clone();
    let quarter = input.quarter.to_string();
    let section = |title: &str, elements: Vec<Element>| Section { title: title.to_string(), elements };
    ReportContent {
        locale,
        region: None,
        currency: primary,
        title: format!("{} {quarter}", w.title),
        subject: w.subtitle.to_string(),
        author: vendor.clone(),
        accent: input.settings.brand_color.clone(),
        logo: input.settings.logo_image.clone(),
        as_of,
        edition: Edition::Team,
        title_block: [
            format!("{} {quarter}", w.title),
            w.subtitle.to_string(),
            format!("{vendor} · {} {}", w.as_of, date(as_of)),
        ],
        title_block_whole: [w.subtitle.to_string(), format!("{vendor} · {} {}", w.as_of, date(as_of))],
        header: [vendor, format!("{} {quarter}", w.title)],
        footer: format!("{} {}", w.as_of, date(as_of)),
        page_label: w.page.to_string(),
        charts_per_row: 2,
        sections: vec![
            section(w.s_headline, headline),
            section(w.s_attention, attention_elements),
            section(w.s_calendar, calendar_elements),
            section(w.s_charts, chart_elements),
            section(w.s_csm, csm_elements),
            section(w.s_customers, customer_elements),
            section(w.s_stale_failed, stale_elements),
        ],
    }
}

fn roi_cell(formats: &mut Formats, row: &CustomerResult, w: &Words) -> (String, Tone) {
    match (row.currency, &row.figures) {
        (Some(c), Some(f)) => {
            (formats.of(c).percent(f.roi_pct), if f.roi_pct < Decimal::ONE_HUNDRED { Tone::Bad } else { Tone::Plain })
        }
        _ => (w.no_data.to_string(), Tone::Muted),
    }
}

/// The rates used and their dates, or why nothing was converted.
fn rates_note(input: &PortfolioInput, w: &Words) -> String {
    let Some(fx) = &input.settings.fx else { return w.no_fx.to_string() };
    let mut used: Vec<String> = Vec::new();
    let mut missing: Vec<&'static str> = Vec::new();
    let mut seen: Vec<&'static str> = input.rows.iter().filter_map(|r| r.currency.map(|c| c.code())).collect();
    seen.sort_unstable();
    seen.dedup();
    for code in seen {
        let currency = Currency::from_code(code).expect("a known code");
        match fx.rate(currency) {
            Some((_, None)) => {}
            Some((rate, Some(day))) => used.push(format!("1 {code} = {} {} ({day})", rate.normalize(), fx.base)),
            None => missing.push(code),
        }
    }
    let mut note =
        format!("{} {}: {}.", w.rates, fx.base, if used.is_empty() { "–".to_string() } else { used.join("; ") });
    if !missing.is_empty() {
        note.push_str(&format!(" {}: {}.", missing.join(", "), w.unconverted));
    }
    note
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::results::{Figures, HealthFigures};
    use crate::model::FxRate;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn row(id: &str, currency: &str, value: &str, share: &str, renewal: &str) -> CustomerResult {
        let currency = Currency::from_code(currency).unwrap();
        CustomerResult {
            customer_id: Some(id.into()),
            customer_name: Some(id.to_uppercase()),
            customer_dir: format!("in/{id}"),
            segment: None,
            csm_name: Some("Ann".into()),
            currency: Some(currency),
            investment: Some(d(share) * Decimal::from(4) / Decimal::from(4)),
            renewal_date: Some(day(renewal)),
            figures: Some(Figures {
                data_through: Some("2026-Q3".parse().unwrap()),
                stale: false,
                quarters: 4,
                ttm_value: d(value),
                investment_share: d(share),
                roi_pct: (d(value) * Decimal::ONE_HUNDRED / d(share)).round_dp(2),
                net_roi_pct: Decimal::ZERO,
                payback_months: None,
                quarter_value: Decimal::ONE,
                previous_quarter_value: Some(Decimal::ONE),
                projected_conservative_4q: Decimal::ZERO,
                projected_expected_4q: Decimal::ZERO,
                opportunities_weighted: Decimal::ZERO,
                by_category: vec![(Category::Revenue, d(value))],
            }),
            health: Some(HealthFigures { score: Some(80), band: Some(Band::Green), nps: None }),
            status: RowStatus::Ok,
            reason_code: None,
            reason: None,
            reports: Vec::new(),
        }
    }

    #[test]
    fn currencies_are_totalled_apart_without_rates_and_converted_with_them() {
        let rows = vec![
            row("a", "USD", "150000.00", "50000.00", "2027-01-31"),
            row("b", "EUR", "100000.00", "50000.00", "2027-12-31"),
            row("c", "JPY", "1000000", "2000000", "2027-02-28"),
        ];
        let plain = Settings::default();
        let quarter: Quarter = "2026-Q3".parse().unwrap();
        let input = PortfolioInput { rows: &rows, settings: &plain, quarter, as_of: day("2026-11-22") };
        let apart = totals(&input);
        assert_eq!(apart.keys().copied().collect::<Vec<_>>(), ["EUR", "JPY", "USD"]);
        assert_eq!(apart["USD"].1.value, d("150000.00"));

        let mut settings = Settings::default();
        settings.fx = Some(crate::model::FxSettings {
            base: Currency::from_code("USD").unwrap(),
            rates: [("EUR".to_string(), FxRate { rate: d("1.085"), date: day("2026-09-30") })].into_iter().collect(),
        });
        let input = PortfolioInput { rows: &rows, settings: &settings, quarter, as_of: day("2026-11-22") };
        let converted = totals(&input);
        // EUR joins USD (100,000 × 1.085 = 108,500.00); JPY has no rate and stays apart.
        assert_eq!(converted.keys().copied().collect::<Vec<_>>(), ["JPY", "USD"]);
        let usd = &converted["USD"].1;
        assert_eq!((usd.customers, usd.value, usd.share), (2, d("258500.00"), d("104250.00")));
        // Value-weighted ROI = 258,500 ÷ 104,250 × 100 = 247.96…%
        assert_eq!(usd.roi().unwrap().round_dp(2), d("247.96"));
        // JPY: ROI 50% and renewing within 180 days: its annual investment is at risk.
        assert_eq!(converted["JPY"].1.at_risk, d("2000000"));
        let note = rates_note(&input, &EN);
        assert!(note.contains("1 EUR = 1.085 USD (2026-09-30)") && note.contains("JPY: no rate"), "{note}");
    }

    #[test]
    fn the_attention_list_puts_the_worst_first() {
        let as_of = day("2026-11-22");
        let mut failed = row("f", "USD", "1", "1", "2028-01-01");
        failed.status = RowStatus::Failed;
        failed.figures = None;
        let at_risk_late = row("r2", "USD", "10.00", "20.00", "2027-04-01");
        let at_risk_soon = row("r1", "USD", "10.00", "20.00", "2027-01-01");
        let mut red = row("red", "USD", "300.00", "100.00", "2028-01-01");
        red.health = Some(HealthFigures { score: Some(30), band: Some(Band::Red), nps: None });
        let low_far = row("low", "USD", "50.00", "100.00", "2028-06-01");
        let fine = row("fine", "USD", "300.00", "100.00", "2027-01-01");
        let mut falling_only = row("fall", "USD", "300.00", "100.00", "2028-01-01");
        falling_only.figures.as_mut().unwrap().previous_quarter_value = Some(d("5"));
        let rows = vec![fine, low_far, red, at_risk_late, at_risk_soon, failed, falling_only];
        let list: Vec<&str> = attention(&rows, as_of).iter().map(|(r, _)| r.customer_id.as_deref().unwrap()).collect();
        assert_eq!(list, ["f", "r1", "r2", "red", "low"]);
        assert_eq!(flags(&rows[4], as_of), [Flag::AtRisk, Flag::LowRoi]);
    }

    #[test]
    fn roi_buckets_count_every_customer_with_figures_once() {
        let rows: Vec<CustomerResult> = ["10", "50", "99.99", "100", "250", "300", "499", "500", "-20"]
            .iter()
            .enumerate()
            .map(|(i, roi)| row(&format!("c{i}"), "USD", roi, "100", "2028-01-01"))
            .collect();
        assert_eq!(roi_distribution(&rows), [2, 2, 1, 1, 2, 1]);
    }
}
