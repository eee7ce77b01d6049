//! Parts every kind of report shares: the catalog writer, the headline figure and KPI cards, the
//! ROI table, story lines and the document frame (title block, header, footer).

use rust_decimal::Decimal;
use tera::Context;

use super::catalog::CatalogError;
use super::format::Numbers;
use super::report::{ColumnAlign, Edition, Element, KpiCard, ReportContent, ReportInput, Section, TableSpec, Tone};
use crate::model::{Currency, Story, StoryKind};
use crate::quarter::Quarter;

/// Builds a catalog context from `key = value` pairs (values of any serializable type).
macro_rules! ctx {
    ($($key:ident = $value:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut context = Context::new();
        $(context.insert(stringify!($key), &$value);)*
        context
    }};
}
pub(super) use ctx;

/// Writes text for one report: its catalog, locale and currency.
pub(super) struct Writer<'a> {
    pub input: &'a ReportInput<'a>,
    pub currency: Currency,
    /// Numbers, money and dates in the report's locale.
    pub n: Numbers,
}

impl<'a> Writer<'a> {
    pub fn new(input: &'a ReportInput<'a>) -> Writer<'a> {
        let currency = input.customer.account.currency;
        Writer { input, currency, n: Numbers::for_tag(input.locale_tag(), currency) }
    }

    pub fn t(&self, key: &str, context: &Context) -> Result<String, CatalogError> {
        self.input.catalog.text(key, context)
    }

    pub fn plain(&self, key: &str) -> Result<String, CatalogError> {
        self.t(key, &Context::new())
    }

    pub fn money(&self, amount: Decimal) -> String {
        self.n.money(amount)
    }

    /// A quarter as the reader writes it (`Q3 2026`, `T3 2026`, `2026年第3四半期`).
    pub fn q(&self, quarter: Quarter) -> String {
        self.t("document.quarter", &ctx!(year = quarter.year(), q = quarter.number()))
            .unwrap_or_else(|_| quarter.to_string())
    }
}

impl Writer<'_> {
    /// A goal's value with its unit: percentage-point goals in the locale's percent style (`5%`,
    /// `5 %`), others as `12.5 hours` (`12.5hours` in Japanese, which sets no space).
    pub fn quantity(&self, value: Decimal, goal: &crate::model::Goal) -> String {
        if goal.is_percentage() {
            return self.n.percent_points(value);
        }
        let separator = if self.input.locale == crate::model::Locale::Ja { "" } else { " " };
        format!("{}{separator}{}", self.n.measure(value), goal.unit.trim())
    }

    /// A metric's display label (table cells, charts): `metric_labels.csv`, or the readable id.
    pub fn metric_label(&self, metric: &str) -> String {
        crate::load::metric_label(&self.input.customer.metric_labels, metric)
    }

    /// A metric's display label inside a sentence: lower-cased where the language lower-cases
    /// nouns mid-sentence; in Japanese, which has no case, a Latin label keeps the form it has in
    /// tables and charts ("Dashboards createdが…", not "dashboards createdが…").
    pub fn metric_in_sentence(&self, metric: &str) -> String {
        if self.input.locale == crate::model::Locale::Ja {
            return self.metric_label(metric);
        }
        crate::load::metric_label_in_sentence(&self.input.customer.metric_labels, metric)
    }
}

/// A goal's unit as printed: percentage-point units read "%" in every language; others as written.
pub(super) fn unit_of(goal: &crate::model::Goal) -> &str {
    if goal.is_percentage() {
        "%"
    } else {
        goal.unit.as_str()
    }
}

/// Red for a negative amount.
pub(super) fn tone_of(amount: Decimal) -> Tone {
    if amount < Decimal::ZERO {
        Tone::Bad
    } else {
        Tone::Plain
    }
}

/// Headline goals (KPI cards, and the narrative's first goal).
pub(super) const HEADLINES: usize = 3;

/// Goals with data in the report quarter, largest absolute value there first (a large loss is a
/// headline too); ties keep goals.csv order. A goal without data there is never a headline.
pub(super) fn headlines(w: &Writer) -> Vec<usize> {
    let summary = w.input.summary;
    let report = summary.quarters.last().filter(|q| q.quarter == summary.report_quarter);
    let has_data = |goal_id: &str| report.and_then(|q| q.by_goal.get(goal_id)).is_some_and(|g| !g.no_data);
    let mut ranked: Vec<usize> =
        (0..w.input.customer.goals.len()).filter(|&i| has_data(&w.input.customer.goals[i].goal_id)).collect();
    ranked.sort_by(|&a, &b| {
        summary.goals[b].quarter_value.abs().cmp(&summary.goals[a].quarter_value.abs()).then(a.cmp(&b))
    });
    ranked
}

pub(super) fn story_kind(w: &Writer, kind: StoryKind) -> Result<String, CatalogError> {
    w.plain(match kind {
        StoryKind::Win => "stories.kind_win",
        StoryKind::Milestone => "stories.kind_milestone",
        StoryKind::Quote => "stories.kind_quote",
        StoryKind::Adoption => "stories.kind_adoption",
    })
}

/// The return-on-investment table (value, investment, ROI, net ROI, payback) of the TTM window.
pub(super) fn roi_summary_table(w: &Writer) -> Result<TableSpec, CatalogError> {
    let summary = w.input.summary;
    let ttm = &summary.ttm;
    let first = w.q(ttm.first_quarter);
    let last = w.q(summary.report_quarter);
    let payback = match ttm.payback_exact() {
        Some(months) => w.t("roi.payback_months", &ctx!(months = w.n.measure(months)))?,
        None => w.plain("roi.payback_none")?,
    };
    let row = |label: String, formula: String, amount: String, tone: Tone| {
        vec![(label, Tone::Strong), (formula, Tone::Muted), (amount, tone)]
    };
    // Fewer than four quarters measured: ROI is on the share of the annual investment paid for them.
    let share = ttm.quarters < 4;
    let formula = ctx!(share = share, quarters = ttm.quarters, months = ttm.months());
    let mut investment_rows = vec![row(
        w.plain("roi.row_investment")?,
        w.plain("roi.row_investment_formula")?,
        w.money(ttm.investment),
        Tone::Plain,
    )];
    if share {
        investment_rows.push(row(
            w.plain("roi.row_share")?,
            w.t("roi.row_share_formula", &formula)?,
            w.money(ttm.investment_share),
            Tone::Plain,
        ));
    }
    let mut rows = vec![row(
        w.plain("roi.row_value")?,
        w.t("roi.row_value_formula", &ctx!(first = first, last = last))?,
        w.money(ttm.value),
        tone_of(ttm.value),
    )];
    rows.extend(investment_rows);
    rows.extend([
        row(
            w.plain("roi.row_roi")?,
            w.t("roi.row_roi_formula", &formula)?,
            w.n.percent(ttm.roi_exact()),
            tone_of(ttm.roi_pct),
        ),
        row(
            w.plain("roi.row_net_roi")?,
            w.t("roi.row_net_roi_formula", &formula)?,
            w.n.percent(ttm.net_roi_exact()),
            tone_of(ttm.net_roi_pct),
        ),
        row(w.plain("roi.row_payback")?, w.t("roi.row_payback_formula", &formula)?, payback, Tone::Plain),
    ]);
    Ok(TableSpec {
        columns: vec![
            (w.plain("roi.col_item")?, 1.4, ColumnAlign::Left),
            (w.plain("roi.col_formula")?, 2.6, ColumnAlign::Left),
            (w.plain("roi.col_amount")?, 1.3, ColumnAlign::Right),
        ],
        rows,
        total: None,
    })
}

/// The headline figure: the TTM value, with ROI, net ROI and payback in its caption.
pub(super) fn hero(w: &Writer) -> Result<Element, CatalogError> {
    let summary = w.input.summary;
    let ttm = &summary.ttm;
    Ok(Element::Hero {
        label: w.t(
            "summary.hero_label",
            &ctx!(quarters = ttm.quarters, first = w.q(ttm.first_quarter), last = w.q(summary.report_quarter)),
        )?,
        value: w.n.money_whole(ttm.value),
        caption: hero_caption(w)?,
        tone: tone_of(ttm.value),
    })
}

/// What the TTM value is as a return: ROI, net ROI and payback, each rounded once for display.
pub(super) fn hero_caption(w: &Writer) -> Result<String, CatalogError> {
    let ttm = &w.input.summary.ttm;
    w.t(
        "summary.hero_caption",
        &ctx!(
            roi = w.n.percent(ttm.roi_exact()),
            investment = w.money(ttm.investment),
            share = w.money(ttm.investment_share),
            quarters = ttm.quarters,
            value = w.money(ttm.value),
            net = w.money(ttm.value - ttm.investment_share),
            net_roi = w.n.percent(ttm.net_roi_exact()),
            payback = ttm.payback_exact().map(|v| w.n.measure(v)).unwrap_or_default(),
            // Paid for itself within the period measured: the value reached the annual investment.
            payback_reached = ttm.value >= ttm.investment,
        ),
    )
}

/// KPI cards for the first `HEADLINES` of `ranked` (see `headlines`): the goal's value in the report
/// quarter and its change from the quarter before.
pub(super) fn kpi_cards(w: &Writer, ranked: &[usize]) -> Result<Vec<KpiCard>, CatalogError> {
    let summary = w.input.summary;
    let customer = w.input.customer;
    let report = summary.quarters.last().filter(|q| q.quarter == summary.report_quarter);
    let previous = summary.quarters.iter().rev().nth(1).filter(|_| report.is_some());
    let mut cards = Vec::new();
    for &index in ranked.iter().take(HEADLINES) {
        let goal = &customer.goals[index];
        let figures = &summary.goals[index];
        let before = previous.and_then(|q| q.by_goal.get(&goal.goal_id)).filter(|g| !g.no_data).map(|g| g.value);
        let change = match before {
            Some(before) if !before.is_zero() => {
                let pct = (figures.quarter_value - before) / before.abs() * Decimal::ONE_HUNDRED;
                let previous = previous.map(|q| w.q(q.quarter)).unwrap_or_default();
                let context = ctx!(pct = w.n.percent(pct.abs()), previous = previous);
                if pct > Decimal::ZERO {
                    Some((w.t("summary.kpi_change_up", &context)?, Tone::Good))
                } else if pct < Decimal::ZERO {
                    Some((w.t("summary.kpi_change_down", &context)?, Tone::Bad))
                } else {
                    Some((w.t("summary.kpi_change_flat", &context)?, Tone::Muted))
                }
            }
            Some(_) => {
                // From zero a percentage means nothing: say which way it went.
                let previous = previous.map(|q| w.q(q.quarter)).unwrap_or_default();
                let context = ctx!(previous = previous);
                match figures.quarter_value.cmp(&Decimal::ZERO) {
                    std::cmp::Ordering::Greater => Some((w.t("summary.kpi_change_from_zero", &context)?, Tone::Good)),
                    std::cmp::Ordering::Less => Some((w.t("summary.kpi_change_from_zero_down", &context)?, Tone::Bad)),
                    std::cmp::Ordering::Equal => Some((w.t("summary.kpi_change_flat", &context)?, Tone::Muted)),
                }
            }
            None => Some((w.plain("summary.kpi_change_none")?, Tone::Muted)),
        };
        cards.push(KpiCard {
            label: goal.title.clone(),
            value: w.n.money_whole(figures.quarter_value),
            value_tone: tone_of(figures.quarter_value),
            change,
            caption: w.t("summary.kpi_caption", &ctx!(id = goal.goal_id, quarter = w.q(summary.report_quarter)))?,
        });
    }
    Ok(cards)
}

/// One line for a story: "2026-09-15 · Win: title · $180,000.00".
/// Realized value of `quarters`, then the four projected quarters (conservative and expected).
pub(super) fn value_chart(
    w: &Writer,
    title_key: &str,
    quarters: &[crate::value::QuarterValue],
) -> Result<super::report::BarChartSpec, CatalogError> {
    use super::format::pixels;
    let title = w.plain(title_key)?;
    Ok(super::report::BarChartSpec {
        alt: super::alt::value_chart(w, &title, quarters, &w.input.summary.projection)?,
        title,
        realized: quarters.iter().map(|q| (w.q(q.quarter), pixels(q.total))).collect(),
        projected: w
            .input
            .summary
            .projection
            .iter()
            .map(|p| (w.q(p.quarter), pixels(p.conservative), pixels(p.expected)))
            .collect(),
        labels: [
            w.plain("projections.realized")?,
            w.plain("projections.conservative")?,
            w.plain("projections.expected")?,
        ],
        projected_note: w.plain("projections.projected_note")?,
        x_title: w.plain("projections.x_title")?,
        y_title: w.t("projections.y_title", &ctx!(currency = w.currency.code()))?,
        axis: super::report::AxisFormat::Money(w.currency),
    })
}

pub(super) fn story_line(w: &Writer, story: &Story) -> Result<String, CatalogError> {
    let kind = story_kind(w, story.kind)?;
    let mut line = w.t("stories.line", &ctx!(date = w.n.date(story.date), kind = kind, title = story.title))?;
    if let Some(amount) = story.amount {
        line.push_str(&format!(" · {}", w.money(amount)));
    }
    Ok(line)
}

/// The expansion opportunities with their confidence-weighted values, or a note that there are none.
pub(super) fn opportunities_table(w: &Writer) -> Result<Element, CatalogError> {
    let summary = w.input.summary;
    let opportunities = &w.input.customer.opportunities;
    if opportunities.is_empty() {
        return Ok(Element::Note(w.plain("projections.opportunities_none")?));
    }
    let totals = &summary.opportunities;
    let confidence_places =
        super::format::shared_places(opportunities.iter().map(|o| o.confidence * Decimal::ONE_HUNDRED), 1);
    Ok(Element::Table(TableSpec {
        columns: vec![
            (w.plain("projections.col_opportunity")?, 2.2, ColumnAlign::Left),
            (w.plain("projections.col_annual")?, 1.1, ColumnAlign::Right),
            (w.plain("projections.col_confidence")?, 0.9, ColumnAlign::Right),
            (w.plain("projections.col_weighted")?, 1.1, ColumnAlign::Right),
            (w.plain("projections.col_assumption")?, 2.4, ColumnAlign::Left),
        ],
        rows: opportunities
            .iter()
            .map(|o| {
                vec![
                    (o.title.clone(), Tone::Plain),
                    (w.money(o.annual_value), Tone::Plain),
                    (w.n.percent_places(o.confidence * Decimal::ONE_HUNDRED, confidence_places), Tone::Plain),
                    (w.money(crate::value::round_money(o.annual_value * o.confidence, w.currency)), Tone::Plain),
                    (o.assumption.clone().unwrap_or_default(), Tone::Muted),
                ]
            })
            .collect(),
        total: Some(vec![
            (w.plain("projections.opportunities_total")?, Tone::Strong),
            (w.money(totals.annual_value), Tone::Plain),
            (String::new(), Tone::Plain),
            (w.money(totals.weighted_annual_value), Tone::Plain),
            (String::new(), Tone::Plain),
        ]),
    }))
}

/// The fixed text around a document's sections.
pub(super) struct Frame {
    /// The title block's first line, e.g. "Value report".
    pub title: String,
    /// The PDF's Title and Subject.
    pub full_title: String,
    pub subject: String,
    /// The title block's details line.
    pub details: String,
    pub header_right: String,
    pub edition: Edition,
}

/// A document: `frame` around `sections`, whose titles are numbered ("1. Executive summary").
pub(super) fn document(
    w: &Writer,
    frame: Frame,
    sections: Vec<(String, Vec<Element>)>,
) -> Result<ReportContent, CatalogError> {
    let input = w.input;
    let account = &input.customer.account;
    let vendor = &input.settings.vendor_name;
    Ok(ReportContent {
        locale: input.locale,
        region: input.locale_tag().region,
        currency: w.currency,
        title: frame.full_title,
        subject: frame.subject,
        author: vendor.clone(),
        accent: input.settings.brand_color.clone(),
        logo: input.settings.logo_image.clone(),
        as_of: input.as_of,
        edition: frame.edition,
        title_block_whole: [account.customer_name.clone(), frame.details.clone()],
        title_block: [frame.title, account.customer_name.clone(), frame.details],
        header: [account.customer_name.clone(), frame.header_right],
        // Without a vendor name (no valuereport.toml, where it defaults to the program's name) the
        // footer names no one as the preparer.
        footer: w.t(
            if vendor.trim().is_empty() || vendor == "valuereport" {
                "document.footer_unbranded"
            } else {
                "document.footer"
            },
            &ctx!(vendor = vendor, customer = account.customer_name, as_of = w.n.date(input.as_of)),
        )?,
        page_label: w.t("document.page", &ctx!(page = "{page}", pages = "{pages}"))?,
        charts_per_row: 2,
        sections: numbered(sections),
    })
}

/// Sections with their titles numbered ("1. Executive summary").
pub(super) fn numbered(sections: Vec<(String, Vec<Element>)>) -> Vec<Section> {
    sections
        .into_iter()
        .enumerate()
        .map(|(i, (title, elements))| Section { title: format!("{}. {title}", i + 1), elements })
        .collect()
}
