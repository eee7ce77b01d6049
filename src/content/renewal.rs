//! Renewal documents: what a customer receives 90, 60 and 30 days before its contract renews.
//!
//! - 90 days before, a **value summary** (two pages at most): the value delivered over the contract
//!   so far, quarter by quarter, the ROI and payback, the headline goals, and what the next term can
//!   bring (the projected quarters and the opportunities).
//! - 60 days before, the **ROI report**: the team edition of the quarterly report, opened by the
//!   figures behind the renewal decision and what renewing secures.
//! - 30 days before, an **update**: what happened since the previous document of this renewal (or in
//!   the last 30 days), the restated headline figures, and the renewal.
//!
//! Each states the renewal date and the contract period it covers ([`ContractPeriod`]). The
//! schedule's own names ("T-30", "package") are for operators: they never reach the customer.
//! Pure: everything comes from the customer's data, the engine's figures and the catalog.

use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;
use tera::Context;

use super::catalog::CatalogError;
use super::parts::{
    ctx, document, headlines, hero, kpi_cards, opportunities_table, story_line, tone_of, value_chart, Frame, Writer,
};
use super::report::{ColumnAlign, Edition, Element, ReportContent, TableSpec, Tone};
use crate::quarter::Quarter;
use crate::value::QuarterValue;

/// Which renewal document: 90, 60 or 30 days before the renewal date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Touchpoint {
    /// 90 days before: the renewal value summary.
    ValueSummary,
    /// 60 days before: the full ROI report with a renewal opening.
    RoiReport,
    /// 30 days before: what is new since the previous document.
    Update,
}

/// A renewal document's place in the renewal: asked for by `ReportInput::renewal`.
#[derive(Debug, Clone, PartialEq)]
pub struct RenewalContext {
    pub touchpoint: Touchpoint,
    /// The day the contract renews (the end of the contract period).
    pub renewal_date: NaiveDate,
    /// For the update: the previous document of this renewal, if one was produced.
    pub since: Option<Since>,
}

/// An earlier document of the same renewal: the update reports what is new since it.
#[derive(Debug, Clone, PartialEq)]
pub struct Since {
    /// The as-of date it was produced for.
    pub as_of: NaiveDate,
    /// The quarter its figures ran to.
    pub report_quarter: Quarter,
}

/// How far back an update looks when no earlier document of the renewal was produced.
pub const UPDATE_LOOKBACK_DAYS: u64 = 30;

/// The contract period a renewal document covers: from the contract's start (`contract_start` in
/// account.csv) to the renewal date; without a usable start (none, or not before the renewal date),
/// the year before the renewal date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContractPeriod {
    pub start: NaiveDate,
    /// The renewal date.
    pub end: NaiveDate,
}

impl ContractPeriod {
    pub fn new(contract_start: Option<NaiveDate>, renewal_date: NaiveDate) -> ContractPeriod {
        let year_before = renewal_date.checked_sub_months(Months::new(12)).unwrap_or(renewal_date);
        let start = contract_start.filter(|&start| start < renewal_date).unwrap_or(year_before);
        ContractPeriod { start, end: renewal_date }
    }

    /// The quarters of the contract so far: the listed quarters from the one the period starts in.
    pub fn quarters(self, listed: &[QuarterValue]) -> &[QuarterValue] {
        let first = Quarter::containing(self.start);
        let from = listed.iter().position(|q| q.quarter >= first).unwrap_or(listed.len());
        &listed[from..]
    }
}

/// What every renewal document states, computed once.
struct Figures<'a> {
    period: ContractPeriod,
    /// The listed quarters in the contract period, ascending.
    quarters: &'a [QuarterValue],
    /// Their value.
    delivered: Decimal,
    /// The next four quarters' projected sums.
    conservative: Decimal,
    expected: Decimal,
    /// Context variables every renewal text may use: `renewal_date`, `start`, `end`, `period`.
    context: Context,
}

impl<'a> Figures<'a> {
    fn new(w: &Writer<'a>, renewal: &RenewalContext) -> Result<Figures<'a>, CatalogError> {
        let summary = w.input.summary;
        let period = ContractPeriod::new(w.input.customer.account.contract_start, renewal.renewal_date);
        let quarters = period.quarters(&summary.quarters);
        let (start, end) = (w.n.date(period.start), w.n.date(period.end));
        let mut context = ctx!(renewal_date = w.n.date(renewal.renewal_date), start = start, end = end);
        context.insert("period", &w.t("renewal.period", &context)?);
        Ok(Figures {
            period,
            quarters,
            delivered: sum(quarters.iter().map(|q| q.total)),
            conservative: sum(summary.projection.iter().map(|p| p.conservative)),
            expected: sum(summary.projection.iter().map(|p| p.expected)),
            context,
        })
    }

    /// The renewal variables plus `more`.
    fn with(&self, more: Context) -> Context {
        let mut context = self.context.clone();
        context.extend(more);
        context
    }

    /// "Q2 2025" and "Q3 2026": the first and last quarter of the contract so far.
    fn span(&self, w: &Writer) -> (String, String) {
        let last = w.input.summary.report_quarter;
        let first = self.quarters.first().map_or(last, |q| q.quarter);
        (w.q(first), w.q(last))
    }
}

/// Between the items of a list in running text.
fn list_separator(w: &Writer) -> &'static str {
    if w.input.locale == crate::model::Locale::Ja {
        "、"
    } else {
        ", "
    }
}

/// A total that cannot overflow (hostile inputs saturate rather than panic).
fn sum(amounts: impl Iterator<Item = Decimal>) -> Decimal {
    amounts.fold(Decimal::ZERO, |total, amount| total.saturating_add(amount))
}

/// Builds the renewal document `renewal` asks for.
pub(super) fn build(w: &Writer, renewal: &RenewalContext) -> Result<ReportContent, CatalogError> {
    let figures = Figures::new(w, renewal)?;
    let (title_key, edition) = match renewal.touchpoint {
        Touchpoint::ValueSummary => ("renewal.title_summary", Edition::Executive),
        Touchpoint::RoiReport => ("renewal.title_report", Edition::Team),
        Touchpoint::Update => ("renewal.title_update", Edition::Executive),
    };
    let sections = match renewal.touchpoint {
        Touchpoint::ValueSummary => value_summary(w, &figures)?,
        Touchpoint::RoiReport => super::report::sections(w, roi_opening(w, &figures)?)?,
        Touchpoint::Update => update(w, &figures, renewal)?,
    };
    let account = &w.input.customer.account;
    let title = w.plain(title_key)?;
    let quarter = w.q(w.input.summary.report_quarter);
    let frame = Frame {
        full_title: w.t("renewal.full_title", &figures.with(ctx!(title = title, customer = account.customer_name)))?,
        subject: w.t("renewal.subject", &figures.with(ctx!(customer = account.customer_name)))?,
        details: w.t(
            "renewal.details",
            &figures.with(ctx!(
                quarter = quarter,
                as_of = w.n.date(w.input.as_of),
                csm = account.csm_name.clone().unwrap_or_default(),
                sponsor = account.executive_sponsor.clone().unwrap_or_default()
            )),
        )?,
        header_right: w.t("document.renewal", &figures.context)?,
        title,
        edition,
    };
    document(w, frame, sections)
}

/// Page 1's note when the report quarter has no data yet (only with `--allow-stale`).
fn stale_note(w: &Writer) -> Result<Option<Element>, CatalogError> {
    let summary = w.input.summary;
    if !summary.stale {
        return Ok(None);
    }
    let through = summary.data_through.map(|q| w.q(q)).unwrap_or_default();
    let text = w.t("summary.stale_note", &ctx!(through = through, quarter = w.q(summary.report_quarter)))?;
    Ok(Some(Element::Paragraph(text)))
}

/// 90 days before: the value summary, in three sections.
fn value_summary(w: &Writer, figures: &Figures) -> Result<Vec<(String, Vec<Element>)>, CatalogError> {
    let summary = w.input.summary;
    let (first, last) = figures.span(w);

    // 1. The value delivered over the contract so far: every quarter, and the total.
    let mut delivered: Vec<Element> = stale_note(w)?.into_iter().collect();
    delivered.push(Element::Paragraph(w.t("renewal.summary_intro", &figures.context)?));
    let count = figures.quarters.len();
    let average = if count == 0 { Decimal::ZERO } else { figures.delivered / Decimal::from(count) };
    delivered.push(Element::Hero {
        label: w.t("renewal.hero_label", &ctx!(first = first, last = last))?,
        value: w.n.money_whole(figures.delivered),
        caption: w.t("renewal.hero_caption", &figures.with(ctx!(count = count, average = w.money(average))))?,
        tone: tone_of(figures.delivered),
    });
    if let Some(before) = before_data(w, figures)? {
        delivered.push(before);
    }
    delivered.push(Element::BarChart(value_chart(w, "renewal.chart_title", &figures.quarters)?));
    if !figures.quarters.is_empty() {
        delivered.push(Element::Table(contract_table(w, figures)?));
    }

    // 2. The return: TTM ROI and payback as one figure (a block that never splits across pages; the
    // ROI report has the full table), and the headline goals (the KPI cards' rule).
    let ttm = &summary.ttm;
    let mut ret = vec![Element::Hero {
        label: w.t("renewal.roi_label", &ctx!(first = w.q(ttm.first_quarter), last = w.q(summary.report_quarter)))?,
        value: w.n.percent(ttm.roi_exact()),
        caption: roi_text(w)?,
        tone: tone_of(ttm.roi_pct),
    }];
    let cards = kpi_cards(w, &headlines(w))?;
    if !cards.is_empty() {
        ret.push(Element::Heading(w.t("renewal.highlights_heading", &ctx!(quarter = w.q(summary.report_quarter)))?));
        ret.push(Element::Kpis(cards));
    }

    // 3. The next term: what renewing secures (the projected sums and the opportunities kept open),
    // then the projected quarters and the opportunities themselves.
    let mut next = vec![Element::Paragraph(secures(w, figures)?), Element::Table(next_term_table(w, figures)?)];
    next.push(Element::Heading(w.plain("projections.opportunities_heading")?));
    next.push(opportunities_table(w)?);
    next.push(Element::Note(w.plain("projections.conditional")?));
    next.extend(contact(w)?);

    Ok(vec![
        (w.plain("renewal.section_delivered")?, delivered),
        (w.plain("renewal.section_return")?, ret),
        (w.plain("renewal.section_next")?, next),
    ])
}

/// "The contract period starts on …; measurements begin in …" when it starts before the data.
fn before_data(w: &Writer, figures: &Figures) -> Result<Option<Element>, CatalogError> {
    let first = Quarter::containing(figures.period.start);
    match figures.quarters.first() {
        Some(data) if data.quarter > first => {
            Ok(Some(Element::Note(w.t("renewal.before_data", &figures.with(ctx!(data_start = w.q(data.quarter))))?)))
        }
        _ => Ok(None),
    }
}

/// Every quarter of the contract so far: its value and the running total, and the total.
fn contract_table(w: &Writer, figures: &Figures) -> Result<TableSpec, CatalogError> {
    let mut running = Decimal::ZERO;
    let rows = figures
        .quarters
        .iter()
        .map(|q| {
            running = running.saturating_add(q.total);
            vec![
                (w.q(q.quarter), Tone::Plain),
                (w.money(q.total), tone_of(q.total)),
                (w.money(running), tone_of(running)),
            ]
        })
        .collect();
    Ok(TableSpec {
        columns: vec![
            (w.plain("roi.col_quarter")?, 1.6, ColumnAlign::Left),
            (w.plain("renewal.col_value")?, 1.5, ColumnAlign::Right),
            (w.plain("renewal.col_cumulative")?, 1.5, ColumnAlign::Right),
        ],
        rows,
        total: Some(vec![
            (w.plain("renewal.total_row")?, Tone::Strong),
            (w.money(figures.delivered), tone_of(figures.delivered)),
            (String::new(), Tone::Plain),
        ]),
    })
}

/// The TTM return in a sentence: value, ROI on the investment (or its share), payback.
fn roi_text(w: &Writer) -> Result<String, CatalogError> {
    let summary = w.input.summary;
    let ttm = &summary.ttm;
    w.t(
        "renewal.roi_text",
        &ctx!(
            quarters = ttm.quarters,
            first = w.q(ttm.first_quarter),
            last = w.q(summary.report_quarter),
            value = w.money(ttm.value),
            roi = w.n.percent(ttm.roi_exact()),
            share = ttm.quarters < 4,
            investment = w.money(ttm.investment),
            investment_share = w.money(ttm.investment_share),
            payback = ttm.payback_exact().map(|v| w.n.measure(v)).unwrap_or_default(),
            payback_reached = ttm.value >= ttm.investment,
        ),
    )
}

/// The projected quarters, conservative and expected, and their sums.
fn next_term_table(w: &Writer, figures: &Figures) -> Result<TableSpec, CatalogError> {
    let projection = &w.input.summary.projection;
    Ok(TableSpec {
        columns: vec![
            (w.plain("roi.col_quarter")?, 1.6, ColumnAlign::Left),
            (w.plain("projections.conservative")?, 1.5, ColumnAlign::Right),
            (w.plain("projections.expected")?, 1.5, ColumnAlign::Right),
        ],
        rows: projection
            .iter()
            .map(|p| {
                vec![
                    (w.q(p.quarter), Tone::Plain),
                    (w.money(p.conservative), tone_of(p.conservative)),
                    (w.money(p.expected), tone_of(p.expected)),
                ]
            })
            .collect(),
        total: Some(vec![
            (w.t("renewal.next_total", &ctx!(quarters = projection.len()))?, Tone::Strong),
            (w.money(figures.conservative), tone_of(figures.conservative)),
            (w.money(figures.expected), tone_of(figures.expected)),
        ]),
    })
}

/// What renewing secures, from the figures: the next term's value and the opportunities it keeps open.
fn secures(w: &Writer, figures: &Figures) -> Result<String, CatalogError> {
    let opportunities = &w.input.summary.opportunities;
    w.t(
        "renewal.secures",
        &figures.with(ctx!(
            loss = figures.expected < Decimal::ZERO,
            expected = w.n.money_whole(figures.expected),
            conservative = w.n.money_whole(figures.conservative),
            count = opportunities.count,
            weighted = w.n.money_whole(opportunities.weighted_annual_value),
        )),
    )
}

/// "Your contact: …", when the account names a CSM.
fn contact(w: &Writer) -> Result<Option<Element>, CatalogError> {
    let account = &w.input.customer.account;
    let Some(csm) = &account.csm_name else { return Ok(None) };
    let text =
        w.t("recommendations.contact", &ctx!(csm = csm, email = account.csm_email.clone().unwrap_or_default()))?;
    Ok(Some(Element::Heading(text)))
}

/// 60 days before: the opening of the ROI report, before its executive summary.
fn roi_opening(w: &Writer, figures: &Figures) -> Result<Vec<Element>, CatalogError> {
    let summary = w.input.summary;
    let ttm = &summary.ttm;
    let (first, last) = figures.span(w);
    let payback = match ttm.payback_exact() {
        Some(months) => w.t("roi.payback_months", &ctx!(months = w.n.measure(months)))?,
        None => w.plain("roi.payback_none")?,
    };
    let row = |label: String, figure: String, tone: Tone| vec![(label, Tone::Strong), (figure, tone)];
    let mut rows = vec![
        row(w.plain("renewal.row_renewal_date")?, w.n.date(figures.period.end), Tone::Plain),
        row(w.plain("renewal.row_period")?, w.t("renewal.period", &figures.context)?, Tone::Plain),
        row(w.plain("roi.row_investment")?, w.money(ttm.investment), Tone::Plain),
        row(
            w.t("renewal.row_delivered", &ctx!(first = first, last = last))?,
            w.money(figures.delivered),
            tone_of(figures.delivered),
        ),
        row(
            w.t("renewal.row_roi", &ctx!(first = w.q(ttm.first_quarter), last = w.q(summary.report_quarter)))?,
            w.n.percent(ttm.roi_exact()),
            tone_of(ttm.roi_pct),
        ),
        row(w.plain("roi.row_payback")?, payback, Tone::Plain),
        row(w.plain("renewal.row_next_conservative")?, w.money(figures.conservative), tone_of(figures.conservative)),
        row(w.plain("renewal.row_next_expected")?, w.money(figures.expected), tone_of(figures.expected)),
    ];
    if summary.opportunities.count > 0 {
        rows.push(row(
            w.plain("renewal.row_opportunities")?,
            w.money(summary.opportunities.weighted_annual_value),
            Tone::Plain,
        ));
    }
    Ok(vec![
        Element::Heading(w.t("renewal.opening_heading", &figures.context)?),
        Element::LeadIn(w.t("renewal.opening_intro", &figures.context)?),
        Element::Table(TableSpec {
            columns: vec![
                (w.plain("roi.col_item")?, 2.6, ColumnAlign::Left),
                (w.plain("renewal.col_figure")?, 1.6, ColumnAlign::Right),
            ],
            rows,
            total: None,
        }),
        Element::Paragraph(secures(w, figures)?),
    ])
}

/// 30 days before: what is new since the previous document (or the last 30 days), where the value
/// stands, and the renewal.
fn update(
    w: &Writer,
    figures: &Figures,
    renewal: &RenewalContext,
) -> Result<Vec<(String, Vec<Element>)>, CatalogError> {
    let summary = w.input.summary;
    let customer = w.input.customer;
    // The reference: the previous document's date and the quarter its figures ran to.
    let (reference, reference_quarter) = match &renewal.since {
        Some(since) => (since.as_of, since.report_quarter),
        None => {
            let date = w.input.as_of - chrono::Days::new(UPDATE_LOOKBACK_DAYS);
            (date, Quarter::last_ended_on_or_before(date))
        }
    };
    let date = w.n.date(reference);
    let what = ctx!(since = renewal.since.is_some(), date = date, days = UPDATE_LOOKBACK_DAYS);

    // 1. What is new: quarters closed since, and the stories dated after the reference.
    let mut new: Vec<Element> = stale_note(w)?.into_iter().collect();
    let closed: Vec<&QuarterValue> = summary.quarters.iter().filter(|q| q.quarter > reference_quarter).collect();
    let mut context = what.clone();
    context.extend(ctx!(
        count = closed.len(),
        quarters = closed.iter().map(|q| w.q(q.quarter)).collect::<Vec<_>>().join(list_separator(w)),
        value = w.money(sum(closed.iter().map(|q| q.total))),
        quarter = w.q(summary.report_quarter),
    ));
    new.push(Element::Paragraph(w.t("renewal.since_quarters", &context)?));
    if !closed.is_empty() {
        new.push(Element::Table(TableSpec {
            columns: vec![
                (w.plain("roi.col_quarter")?, 1.6, ColumnAlign::Left),
                (w.plain("renewal.col_value")?, 1.5, ColumnAlign::Right),
            ],
            rows: closed
                .iter()
                .map(|q| vec![(w.q(q.quarter), Tone::Plain), (w.money(q.total), tone_of(q.total))])
                .collect(),
            total: None,
        }));
    }
    let mut stories: Vec<_> =
        customer.stories.iter().filter(|s| s.date > reference && s.date <= w.input.as_of).collect();
    // Newest first; same-day stories keep file order.
    stories.sort_by_key(|s| std::cmp::Reverse(s.date));
    new.push(Element::Heading(w.t("renewal.stories_heading", &what)?));
    if stories.is_empty() {
        new.push(Element::Note(w.t("renewal.no_new_stories", &what)?));
    }
    for story in stories {
        new.push(Element::Paragraph(story_line(w, story)?));
        if let Some(detail) = &story.detail {
            new.push(Element::Note(detail.clone()));
        }
    }

    // 2. Where the value stands: the headline figure restated, the contract so far, the headline goals.
    let (first, last) = figures.span(w);
    let mut standing = vec![
        hero(w)?,
        Element::Paragraph(w.t(
            "renewal.standing",
            &figures.with(ctx!(first = first, last = last, value = w.money(figures.delivered))),
        )?),
    ];
    let cards = kpi_cards(w, &headlines(w))?;
    if !cards.is_empty() {
        standing.push(Element::Kpis(cards));
    }

    // 3. The renewal: what renewing secures, and whom to call.
    let mut closing = vec![Element::Paragraph(secures(w, figures)?)];
    closing.extend(contact(w)?);

    Ok(vec![
        (w.plain("renewal.section_new")?, new),
        (w.plain("renewal.section_standing")?, standing),
        (w.t("renewal.section_renewal", &figures.context)?, closing),
    ])
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::content::catalog::Catalogs;
    use crate::content::report::{build, ReportInput};
    use crate::model::{Customer, Locale, Settings};

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn sample(folder: &str) -> Customer {
        crate::load::load_customer(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data").join(folder)).unwrap()
    }

    /// Every text of a document the customer reads, metadata included.
    fn texts(content: &ReportContent) -> Vec<String> {
        let mut out = vec![content.title.clone(), content.subject.clone(), content.footer.clone()];
        out.extend(content.title_block.iter().cloned());
        out.extend(content.header.iter().cloned());
        for section in &content.sections {
            out.push(section.title.clone());
            for element in &section.elements {
                match element {
                    Element::Hero { label, value, caption, .. } => {
                        out.extend([label, value, caption].map(Clone::clone))
                    }
                    Element::Kpis(cards) => {
                        for card in cards {
                            out.extend([&card.label, &card.value, &card.caption].map(Clone::clone));
                            out.extend(card.change.iter().map(|(text, _)| text.clone()));
                        }
                    }
                    Element::Heading(text) | Element::Paragraph(text) | Element::Note(text) | Element::LeadIn(text) => {
                        out.push(text.clone())
                    }
                    Element::Quote { text, attribution } => out.extend([text, attribution].map(Clone::clone)),
                    Element::ListItem { label, text } => out.extend([label, text].map(Clone::clone)),
                    Element::Table(table) => {
                        out.extend(table.columns.iter().map(|c| c.0.clone()));
                        for row in table.rows.iter().chain(&table.total) {
                            out.extend(row.iter().map(|c| c.0.clone()));
                        }
                    }
                    Element::LineChart(chart) => {
                        out.extend([&chart.title, &chart.x_title, &chart.y_title].map(Clone::clone));
                        out.extend(chart.labels.iter().cloned());
                    }
                    Element::BarChart(chart) => {
                        out.extend(
                            [&chart.title, &chart.x_title, &chart.y_title, &chart.projected_note].map(Clone::clone),
                        );
                        out.extend(chart.labels.iter().cloned());
                    }
                }
            }
        }
        out
    }

    fn document(customer: &Customer, locale: Locale, as_of: &str, renewal: RenewalContext) -> ReportContent {
        let summary = crate::value::compute(customer, Quarter::last_ended_on_or_before(date(as_of))).unwrap();
        let catalogs = Catalogs::built_in();
        build(&ReportInput {
            customer,
            summary: &summary,
            settings: &Settings::default(),
            as_of: date(as_of),
            edition: Edition::Team,
            catalog: catalogs.get(locale),
            locale,
            renewal: Some(renewal),
        })
        .unwrap()
    }

    #[test]
    fn the_contract_period_runs_from_the_contract_start_or_a_year_before_the_renewal() {
        let renewal = date("2027-01-06");
        let given = ContractPeriod::new(Some(date("2025-01-06")), renewal);
        assert_eq!((given.start, given.end), (date("2025-01-06"), renewal));
        let none = ContractPeriod::new(None, renewal);
        assert_eq!((none.start, none.end), (date("2026-01-06"), renewal));
        // A start on or after the renewal date is not a period: a year before it is.
        assert_eq!(ContractPeriod::new(Some(renewal), renewal).start, date("2026-01-06"));
        // A leap day a year back is the last day of February.
        assert_eq!(ContractPeriod::new(None, date("2028-02-29")).start, date("2027-02-28"));
    }

    #[test]
    fn the_contract_so_far_is_every_listed_quarter_from_the_one_the_period_starts_in() {
        let customer = sample("amer/brightpath-health");
        let summary = crate::value::compute(&customer, "2026-Q3".parse().unwrap()).unwrap();
        let quarters = |start: &str| {
            ContractPeriod::new(Some(date(start)), date("2027-01-06"))
                .quarters(&summary.quarters)
                .iter()
                .map(|q| q.quarter.to_string())
                .collect::<Vec<_>>()
        };
        // Data from 2025-Q2: a contract started before it covers every listed quarter …
        assert_eq!(quarters("2025-01-06"), ["2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]);
        // … and one started later leaves the quarters before its own out (a mid-quarter start counts its quarter).
        assert_eq!(quarters("2026-02-15"), ["2026-Q1", "2026-Q2", "2026-Q3"]);
    }

    #[test]
    fn no_document_names_the_schedule_in_any_language_and_each_states_the_renewal_and_the_period() {
        let customer = sample("amer/brightpath-health");
        let since = Some(Since { as_of: date("2026-11-22"), report_quarter: "2026-Q3".parse().unwrap() });
        for locale in Locale::ALL.iter().copied() {
            for touchpoint in [Touchpoint::ValueSummary, Touchpoint::RoiReport, Touchpoint::Update] {
                let renewal = RenewalContext { touchpoint, renewal_date: date("2027-01-06"), since: since.clone() };
                let content = document(&customer, locale, "2026-12-07", renewal);
                let all = texts(&content).join("\n");
                for word in ["T-30", "T-60", "T-90", "package", "paquete", "pakej", "パッケージ"] {
                    assert!(
                        !all.to_lowercase().contains(&word.to_lowercase()),
                        "{locale} {touchpoint:?}: {word}\n{all}"
                    );
                }
                let n = crate::content::format::Numbers::new(locale, customer.account.currency);
                let (renewal_date, start) = (n.date(date("2027-01-06")), n.date(date("2025-01-06")));
                assert!(
                    content.title_block[2].contains(&renewal_date),
                    "{locale} {touchpoint:?}: {}",
                    content.title_block[2]
                );
                assert!(content.title_block[2].contains(&start), "{locale} {touchpoint:?}: {}", content.title_block[2]);
                assert!(content.header[1].contains(&renewal_date), "{locale} {touchpoint:?}");
            }
        }
    }

    #[test]
    fn the_roi_report_is_the_team_edition_opened_by_the_renewal_figures() {
        let customer = sample("amer/brightpath-health");
        let renewal =
            RenewalContext { touchpoint: Touchpoint::RoiReport, renewal_date: date("2027-01-06"), since: None };
        let content = document(&customer, Locale::En, "2026-11-22", renewal);
        assert_eq!(content.sections.len(), 6);
        let opening = &content.sections[0].elements;
        assert_eq!(opening[0], Element::Heading("Your renewal on Jan 6, 2027".into()));
        let Element::Table(table) = &opening[2] else { panic!("{:?}", opening[2]) };
        let figure = |label: &str| table.rows.iter().find(|r| r[0].0.starts_with(label)).map(|r| r[1].0.clone());
        assert_eq!(figure("Value delivered over the contract (Q2 2025–Q3 2026)").as_deref(), Some("$82,796.40"));
        assert_eq!(figure("ROI (Q4 2025–Q3 2026)").as_deref(), Some("77.1%"));
        assert_eq!(figure("Next four quarters, expected").as_deref(), Some("$25,590.19"));
        let Element::Paragraph(secures) = &opening[3] else { panic!() };
        assert!(secures.starts_with("Renewing on Jan 6, 2027 secures"), "{secures}");
        assert!(secures.contains("2 expansion opportunities worth $57,900 a year"), "{secures}");
        // Then the quarterly report's executive summary as it is.
        assert!(matches!(opening[4], Element::Hero { .. }));
    }

    #[test]
    fn the_update_reports_what_is_new_since_the_previous_document_or_the_last_30_days() {
        let customer = sample("emea/harrow-fintech");
        let first = |content: &ReportContent| match &content.sections[0].elements[0] {
            Element::Paragraph(text) => text.clone(),
            other => panic!("{other:?}"),
        };
        // Since a document of 2026-09-05 on 2026-Q2: 2026-Q3 closed since, and one story is newer.
        let since = Since { as_of: date("2026-09-05"), report_quarter: "2026-Q2".parse().unwrap() };
        let renewal =
            RenewalContext { touchpoint: Touchpoint::Update, renewal_date: date("2026-12-12"), since: Some(since) };
        let content = document(&customer, Locale::En, "2026-11-20", renewal);
        assert_eq!(
            first(&content),
            "Since our update of Sep 5, 2026, one quarter has closed (Q3 2026), delivering £58,867.50 of measured value."
        );
        let all = texts(&content).join("\n");
        assert!(all.contains("Nov 4, 2026 · Win: Clean FCA regulatory return"), "{all}");
        assert!(!all.contains("Scheduled reports replace the Monday pack"), "dated before the reference: {all}");
        // No earlier document: the last 30 days, and no quarter closed in them.
        let renewal = RenewalContext { touchpoint: Touchpoint::Update, renewal_date: date("2026-12-12"), since: None };
        let content = document(&customer, Locale::En, "2026-11-20", renewal);
        assert!(
            first(&content).starts_with("In the last 30 days, since Oct 21, 2026, no quarter has closed"),
            "{}",
            first(&content)
        );
    }
}
