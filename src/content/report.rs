//! The report as content: six sections of text, figures, tables and chart data, in the reader's
//! words (from the catalog) and numbers (from the engine). Nothing here knows about pages or PDF.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use tera::Context;

use super::catalog::{Catalog, CatalogError};
use super::density::Density;
use super::format::{pixels, shared_places};
use super::parts::{
    ctx, document, headlines, hero, kpi_cards, opportunities_table, roi_summary_table, story_kind, story_line, tone_of,
    unit_of, value_chart, Frame, Writer,
};
use super::recommend::{recommend, usage_trends, Action, UsageTrend};
use super::renewal::RenewalContext;
use crate::model::{BaselineSource, Currency, Customer, Direction, Settings, StoryKind};
use crate::value::{GoalStatus, ValueSummary};

/// Who the report is for (seeds: executives get 1–2 pages, teams 2–5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edition {
    Executive,
    Team,
}

impl Edition {
    pub fn as_str(self) -> &'static str {
        match self {
            Edition::Executive => "executive",
            Edition::Team => "team",
        }
    }
}

/// How a piece of text should read: the colour rules of the seeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    /// Improvement.
    Good,
    /// Needs attention.
    Bad,
    /// No data, neutral.
    Muted,
    Strong,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnAlign {
    Left,
    Right,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TableSpec {
    pub columns: Vec<(String, f32, ColumnAlign)>,
    pub rows: Vec<Vec<(String, Tone)>>,
    pub total: Option<Vec<(String, Tone)>>,
}

/// How a chart's y axis is labelled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AxisFormat {
    Money(Currency),
    Number,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LineChartSpec {
    pub title: String,
    pub categories: Vec<String>,
    pub actual: Vec<Option<f64>>,
    pub baseline: f64,
    pub target: Option<f64>,
    /// Legend labels: actual, baseline, target.
    pub labels: [String; 3],
    pub x_title: String,
    pub y_title: String,
    pub axis: AxisFormat,
    /// What the chart shows, in words (the alternative text of its Figure in a tagged PDF).
    pub alt: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BarChartSpec {
    pub title: String,
    pub realized: Vec<(String, f64)>,
    /// (quarter, conservative, expected)
    pub projected: Vec<(String, f64, f64)>,
    /// Legend labels: realized, conservative, expected.
    pub labels: [String; 3],
    pub projected_note: String,
    pub x_title: String,
    pub y_title: String,
    pub axis: AxisFormat,
    /// What the chart shows, in words (the alternative text of its Figure in a tagged PDF).
    pub alt: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KpiCard {
    pub label: String,
    pub value: String,
    /// `Bad` for a negative value.
    pub value_tone: Tone,
    pub change: Option<(String, Tone)>,
    pub caption: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Element {
    Hero {
        label: String,
        value: String,
        caption: String,
        tone: Tone,
    },
    Kpis(Vec<KpiCard>),
    Heading(String),
    Paragraph(String),
    /// Smaller, muted text.
    Note(String),
    /// A note that introduces the next element (a table or chart) and is never parted from it.
    LeadIn(String),
    Quote {
        text: String,
        attribution: String,
    },
    /// One item of a numbered list (a recommendation): its label ("1.") and its text.
    ListItem {
        label: String,
        text: String,
    },
    Table(TableSpec),
    LineChart(LineChartSpec),
    BarChart(BarChartSpec),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub title: String,
    pub elements: Vec<Element>,
}

/// The whole report, ready to lay out.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportContent {
    /// The reader's language and the customer's currency (for chart axis labels).
    pub locale: crate::model::Locale,
    /// The region of the customer's locale tag (`es-MX`), for the figures; `None`: the language's default.
    pub region: Option<crate::locale::Region>,
    pub currency: Currency,
    pub title: String,
    pub subject: String,
    pub author: String,
    pub accent: String,
    /// The vendor's logo (`logo` in valuereport.toml), in the title block and running header.
    pub logo: Option<crate::render::logo::Logo>,
    pub as_of: NaiveDate,
    pub edition: Edition,
    pub title_block: [String; 3],
    /// The title block's customer name and details line whole: the text layer gives them whole
    /// where the title block shows them clipped ([`build_at`]).
    pub title_block_whole: [String; 2],
    pub header: [String; 2],
    pub footer: String,
    /// "Page {page} of {pages}" with those two placeholders left for the layout to fill.
    pub page_label: String,
    /// The six sections, in order; their titles are numbered ("1. Executive summary").
    pub sections: Vec<Section>,
    /// Goal charts side by side in a row.
    pub charts_per_row: usize,
}

/// Everything a report is built from.
pub struct ReportInput<'a> {
    pub customer: &'a Customer,
    pub summary: &'a ValueSummary,
    pub settings: &'a Settings,
    pub as_of: NaiveDate,
    pub edition: Edition,
    pub catalog: &'a Catalog,
    /// The reader's language: the catalog's language and the number and date formats.
    pub locale: crate::model::Locale,
    /// A renewal document (value summary, ROI report or update) instead of the quarterly report.
    pub renewal: Option<RenewalContext>,
}

impl ReportInput<'_> {
    /// The locale of the figures: the customer's region (`es-MX`) when the report is in the
    /// customer's language; a report in another language (`--locale`) uses that language's default.
    pub fn locale_tag(&self) -> crate::locale::LocaleTag {
        let account = &self.customer.account;
        let region = if self.locale == account.locale { account.region } else { None };
        crate::locale::LocaleTag { language: self.locale, region }
    }
}

/// Builds the report for one customer and edition, or the renewal document `input.renewal` asks for.
pub fn build(input: &ReportInput) -> Result<ReportContent, CatalogError> {
    Ok(build_at(input, 0)?.expect("every edition has a first density level"))
}

/// [`build`] at density level `level` of the edition ([`Density::levels`]; 0 is the fullest),
/// `None` past the densest. The layout builds denser levels only when a report exceeds its page
/// budget ([`crate::render::report::lay_out_within_budget`]).
pub fn build_at(input: &ReportInput, level: usize) -> Result<Option<ReportContent>, CatalogError> {
    let w = Writer::new(input);
    if let Some(renewal) = &input.renewal {
        return if level == 0 { super::renewal::build(&w, renewal).map(Some) } else { Ok(None) };
    }
    let account = &input.customer.account;
    let quarter = w.q(input.summary.report_quarter);
    let edition_key = match input.edition {
        Edition::Executive => "document.edition_executive",
        Edition::Team => "document.edition_team",
    };
    let frame = Frame {
        title: w.plain("document.title")?,
        full_title: w.t("document.full_title", &ctx!(customer = account.customer_name, quarter = quarter))?,
        subject: w.t("document.subject", &ctx!(customer = account.customer_name, quarter = quarter))?,
        details: w.t(
            "document.details",
            &ctx!(
                edition = w.plain(edition_key)?,
                quarter = quarter,
                as_of = w.n.date(input.as_of),
                csm = account.csm_name.clone().unwrap_or_default(),
                sponsor = account.executive_sponsor.clone().unwrap_or_default()
            ),
        )?,
        header_right: w.t("document.header_right", &ctx!(quarter = quarter))?,
        edition: input.edition,
    };
    let Some(density) = Density::levels(input.edition).get(level).copied() else { return Ok(None) };
    let mut content = document(&w, frame, sections_at(&w, Vec::new(), &density)?)?;
    // What customers typed cannot push the title block past its page (the running header is
    // shortened by the layout).
    let [_, name, details] = &mut content.title_block;
    *name = super::density::clip(name, 120);
    *details = super::density::clip(details, 240);
    content.charts_per_row = density.charts_per_row;
    Ok(Some(content))
}

/// The six sections of the report; `opening` goes first in section 1 (a renewal's opening figures).
pub(super) fn sections(w: &Writer, opening: Vec<Element>) -> Result<Vec<(String, Vec<Element>)>, CatalogError> {
    sections_at(w, opening, &Density::levels(w.input.edition)[0])
}

/// [`sections`] at a density.
fn sections_at(w: &Writer, opening: Vec<Element>, d: &Density) -> Result<Vec<(String, Vec<Element>)>, CatalogError> {
    let usage = usage_trends(w.input.customer, w.input.summary.report_quarter);
    let mut summary = opening;
    summary.extend(summary_section(w, d)?);
    Ok(vec![
        (w.plain("section.summary")?, summary),
        (w.plain("section.metrics")?, metrics_section(w, &usage, d)?),
        (w.plain("section.stories")?, stories_section(w, d)?),
        (w.plain("section.roi")?, roi_section(w, d)?),
        (w.plain("section.projections")?, projections_section(w)?),
        (w.plain("section.recommendations")?, recommendations_section(w, &usage, d)?),
    ])
}

fn status_text(w: &Writer, status: GoalStatus) -> Result<(String, Tone), CatalogError> {
    let (key, tone) = match status {
        GoalStatus::Achieved => ("metrics.status_achieved", Tone::Good),
        GoalStatus::OnTrack => ("metrics.status_on_track", Tone::Good),
        GoalStatus::Behind => ("metrics.status_behind", Tone::Bad),
        GoalStatus::TooEarly => ("metrics.status_too_early", Tone::Muted),
        GoalStatus::Regressed => ("metrics.status_regressed", Tone::Bad),
        GoalStatus::NoData => ("metrics.status_no_data", Tone::Muted),
    };
    Ok((w.plain(key)?, tone))
}

fn summary_section(w: &Writer, d: &Density) -> Result<Vec<Element>, CatalogError> {
    let summary = w.input.summary;
    let customer = w.input.customer;
    let ttm = &summary.ttm;
    let mut elements = Vec::new();
    if summary.stale {
        // Only with --allow-stale: say up front that the report quarter has no data yet.
        let through = summary.data_through.map(|q| w.q(q)).unwrap_or_default();
        let quarter = w.q(summary.report_quarter);
        elements.push(Element::Paragraph(w.t("summary.stale_note", &ctx!(through = through, quarter = quarter))?));
    }
    elements.push(hero(w)?);
    let ranked = headlines(w);
    let mut cards = kpi_cards(w, &ranked)?;
    for card in &mut cards {
        card.label = d.clip(&card.label);
    }
    // The team edition also shows the customer's health beside the value cards (seeds 001, 004).
    if w.input.edition == Edition::Team {
        cards.extend(super::health_card::health_card(w)?);
    }
    if !cards.is_empty() {
        elements.push(Element::Kpis(cards));
    }

    // Narrative: where they started → the journey → where they are → where they are going.
    let mut narrative = Vec::new();
    if let Some(&top) = ranked.first() {
        let goal = &customer.goals[top];
        let figures = &summary.goals[top];
        narrative.push(w.t(
            "summary.narrative_start",
            &ctx!(
                customer = d.clip(&w.input.customer.account.customer_name),
                title = d.clip(&goal.title),
                baseline = w.quantity(goal.baseline, goal),
                unit = unit_of(goal)
            ),
        )?);
        if let (Some(latest), Some(improvement_pct)) = (figures.latest, figures.improvement_pct_exact()) {
            // The value of the quarter the latest actual is from (not always the report quarter).
            let value = summary
                .quarters
                .iter()
                .find(|q| Some(q.quarter) == figures.latest_quarter)
                .and_then(|q| q.by_goal.get(&goal.goal_id))
                .map_or(Decimal::ZERO, |g| g.value);
            let worse = improvement_pct < Decimal::ZERO;
            narrative.push(w.t(
                if worse { "summary.narrative_now_worse" } else { "summary.narrative_now" },
                &ctx!(
                    quarter = figures.latest_quarter.map(|q| w.q(q)).unwrap_or_default(),
                    latest = w.quantity(latest, goal),
                    unit = unit_of(goal),
                    improvement = w.n.percent(improvement_pct),
                    decline = w.n.percent(improvement_pct.abs()),
                    value = w.money(value.abs()),
                ),
            )?);
        }
    }
    narrative.push(w.t(
        "summary.narrative_total",
        &ctx!(
            goals = customer.goals.len(),
            quarters = ttm.quarters,
            value = w.money(ttm.value),
            roi = w.n.percent(ttm.roi_exact())
        ),
    )?);
    let conservative: Decimal = summary.projection.iter().map(|p| p.conservative).sum();
    let expected: Decimal = summary.projection.iter().map(|p| p.expected).sum();
    // The executive edition states the outlook once, in its projections section.
    if w.input.edition == Edition::Team {
        // A projected loss is said as a loss ("would lose about $300,738"), not "would add -$300,738".
        let (key, expected, conservative) = if expected < Decimal::ZERO {
            ("summary.narrative_next_loss", expected.abs(), conservative.abs())
        } else {
            ("summary.narrative_next", expected, conservative)
        };
        narrative
            .push(w.t(key, &ctx!(expected = w.n.money_whole(expected), conservative = w.n.money_whole(conservative)))?);
    }
    let attention: Vec<&str> = customer
        .goals
        .iter()
        .zip(&summary.goals)
        .filter(|(_, g)| g.status.needs_attention())
        .map(|(goal, _)| goal.title.as_str())
        .collect();
    if !attention.is_empty() {
        // The first few titles by name; "…" stands for the others (all are in the goal table).
        let mut titles: Vec<String> = attention.iter().take(d.attention).map(|t| d.clip(t)).collect();
        if attention.len() > d.attention {
            titles.push("…".into());
        }
        narrative.push(w.t("summary.narrative_attention", &ctx!(count = attention.len(), titles = titles.join("; ")))?);
    }
    // Japanese sentences are not separated by spaces.
    let separator = if w.input.locale == crate::model::Locale::Ja { "" } else { " " };
    elements.push(Element::Paragraph(narrative.join(separator)));
    Ok(elements)
}

/// The goals the goal table shows at density `d`, in goals.csv order: all, or the most valuable
/// ones of the report quarter (then those without data there, in file order).
fn shown_goals(w: &Writer, d: &Density) -> Vec<usize> {
    most_valuable_goals(w, d.goals)
}

/// Every goal, or the `limit` most valuable ones of the report quarter (then those without data
/// there, in file order); in goals.csv order.
fn most_valuable_goals(w: &Writer, limit: Option<usize>) -> Vec<usize> {
    let count = w.input.customer.goals.len();
    let Some(limit) = limit.filter(|&limit| limit < count) else { return (0..count).collect() };
    let mut ranked = headlines(w);
    let without_data: Vec<usize> = (0..count).filter(|i| !ranked.contains(i)).collect();
    ranked.extend(without_data);
    ranked.truncate(limit);
    ranked.sort_unstable();
    ranked
}

fn goal_table(w: &Writer, shown: &[usize], d: &Density) -> Result<TableSpec, CatalogError> {
    let summary = w.input.summary;
    let none = w.plain("metrics.no_target")?;
    let no_data = w.plain("metrics.no_data")?;
    let goals = &w.input.customer.goals;
    // Each column shares its decimals: "29.50" beside "10.73", "33.0%" beside "32.5%".
    let places = |values: Vec<Option<Decimal>>, cap| shared_places(values.into_iter().flatten(), cap);
    let baseline_places = places(goals.iter().map(|g| Some(g.baseline)).collect(), 2);
    let latest_places = places(summary.goals.iter().map(|f| f.latest).collect(), 2);
    let target_places = places(goals.iter().map(|g| g.target).collect(), 2);
    let improvement_places = places(summary.goals.iter().map(|f| f.improvement_pct_exact()).collect(), 1);
    let progress_places = places(summary.goals.iter().map(|f| f.progress_to_target_exact()).collect(), 1);
    let mut rows = Vec::new();
    for &index in shown {
        let (goal, figures) = (&w.input.customer.goals[index], &summary.goals[index]);
        let (status, tone) = status_text(w, figures.status)?;
        let improvement = figures
            .improvement_pct_exact()
            .map(|v| w.n.percent_places(v, improvement_places))
            .unwrap_or_else(|| "–".into());
        let improvement_tone = match figures.improvement {
            Some(i) if i < Decimal::ZERO => Tone::Bad,
            Some(i) if i > Decimal::ZERO => Tone::Good,
            _ => Tone::Muted,
        };
        rows.push(vec![
            (format!("{} · {} ({})", goal.goal_id, d.clip(&goal.title), unit_of(goal)), Tone::Plain),
            (w.n.measure_places(goal.baseline, baseline_places), Tone::Plain),
            (figures.latest.map(|v| w.n.measure_places(v, latest_places)).unwrap_or_else(|| no_data.clone()), Tone::Plain),
            (goal.target.map(|v| w.n.measure_places(v, target_places)).unwrap_or_else(|| none.clone()), Tone::Plain),
            (improvement, improvement_tone),
            (
                figures
                    .progress_to_target_exact()
                    .map(|v| w.n.percent_places(v, progress_places))
                    .unwrap_or_else(|| "–".into()),
                Tone::Plain,
            ),
            (status, tone),
        ]);
    }
    Ok(TableSpec {
        columns: vec![
            (w.plain("metrics.col_goal")?, 3.6, ColumnAlign::Left),
            (w.plain("metrics.col_baseline")?, 0.95, ColumnAlign::Right),
            (w.plain("metrics.col_latest")?, 0.95, ColumnAlign::Right),
            (w.plain("metrics.col_target")?, 0.95, ColumnAlign::Right),
            (w.plain("metrics.col_improvement")?, 1.0, ColumnAlign::Right),
            (w.plain("metrics.col_progress")?, 1.0, ColumnAlign::Right),
            (w.plain("metrics.col_status")?, 1.25, ColumnAlign::Left),
        ],
        rows,
        total: None,
    })
}

/// The quarters shown in trend charts: up to the last eight listed.
fn chart_quarters(summary: &ValueSummary) -> &[crate::value::QuarterValue] {
    &summary.quarters[summary.quarters.len().saturating_sub(8)..]
}

fn metrics_section(w: &Writer, usage: &[UsageTrend], d: &Density) -> Result<Vec<Element>, CatalogError> {
    let summary = w.input.summary;
    let quarter = w.q(summary.report_quarter);
    let shown = shown_goals(w, d);
    let mut elements = vec![
        Element::Heading(w.t("metrics.table_title", &ctx!(quarter = quarter))?),
        Element::Table(goal_table(w, &shown, d)?),
    ];
    let more = w.input.customer.goals.len() - shown.len();
    if more > 0 {
        elements.push(Element::Note(w.t("metrics.more_goals", &ctx!(count = more))?));
    }
    if w.input.edition == Edition::Executive {
        return Ok(elements);
    }
    let charted = most_valuable_goals(w, d.goal_charts);
    let goals = &w.input.customer.goals;
    let mut intro = w.plain("metrics.intro")?;
    if charted.len() < goals.len() {
        // The densest level charts the most valuable goals only: say so, and where the rest are.
        let context = ctx!(count = charted.len(), total = goals.len(), quarter = quarter);
        intro = format!("{intro} {}", w.t("metrics.charts_shown", &context)?);
    }
    elements.push(Element::LeadIn(intro));
    let quarters = chart_quarters(summary);
    for goal in charted.iter().map(|&i| &goals[i]) {
        let actual = quarters.iter().map(|q| q.by_goal.get(&goal.goal_id).and_then(|g| g.actual).map(pixels)).collect();
        let per = goal.per.to_string();
        let y_title = w.t("metrics.y_title", &ctx!(unit = unit_of(goal), per = per))?;
        let points: Vec<(crate::quarter::Quarter, Decimal)> = quarters
            .iter()
            .filter_map(|q| q.by_goal.get(&goal.goal_id).and_then(|g| g.actual).map(|a| (q.quarter, a)))
            .collect();
        let alt = super::alt::line_chart(w, &goal.title, &y_title, &points, goal.baseline, goal.target)?;
        elements.push(Element::LineChart(LineChartSpec {
            alt,
            title: w.t("metrics.chart_title", &ctx!(id = goal.goal_id, title = goal.title))?,
            categories: quarters.iter().map(|q| w.q(q.quarter)).collect(),
            actual,
            baseline: pixels(goal.baseline),
            target: goal.target.map(pixels),
            labels: [w.plain("metrics.actual")?, w.plain("metrics.baseline")?, w.plain("metrics.target")?],
            x_title: w.plain("metrics.x_title")?,
            y_title,
            axis: AxisFormat::Number,
        }));
    }
    elements.push(Element::Heading(w.plain("metrics.usage_title")?));
    if usage.is_empty() {
        elements.push(Element::Note(w.plain("metrics.usage_none")?));
    } else {
        elements.push(Element::LeadIn(w.plain("metrics.usage_intro")?));
        let previous = w.q(summary.report_quarter.prev());
        let value_places = shared_places(usage.iter().flat_map(|u| [u.previous, u.latest]).flatten(), 2);
        let change_places = shared_places(usage.iter().filter_map(|u| u.change_pct), 1);
        let rows = usage
            .iter()
            .map(|u| {
                let change = u.change_pct.map(|c| {
                    let tone = match c.cmp(&Decimal::ZERO) {
                        std::cmp::Ordering::Less => Tone::Bad,
                        std::cmp::Ordering::Greater => Tone::Good,
                        std::cmp::Ordering::Equal => Tone::Muted,
                    };
                    (w.n.percent_places(c, change_places), tone)
                });
                vec![
                    (w.metric_label(&u.metric), Tone::Plain),
                    (u.previous.map(|v| w.n.measure_places(v, value_places)).unwrap_or_else(|| "–".into()), Tone::Plain),
                    (u.latest.map(|v| w.n.measure_places(v, value_places)).unwrap_or_else(|| "–".into()), Tone::Plain),
                    change.unwrap_or(("–".into(), Tone::Muted)),
                ]
            })
            .collect();
        elements.push(Element::Table(TableSpec {
            columns: vec![
                (w.plain("metrics.col_metric")?, 3.0, ColumnAlign::Left),
                (previous, 1.2, ColumnAlign::Right),
                (quarter, 1.2, ColumnAlign::Right),
                (w.plain("metrics.col_change")?, 1.0, ColumnAlign::Right),
            ],
            rows,
            total: None,
        }));
    }
    Ok(elements)
}

/// The stories told in full at density `d`: the most recent half, then the most valuable (largest
/// amount) of the others, up to `d.full_stories`; `stories` newest first, the result in that order.
fn full_stories(stories: &[&crate::model::Story], d: &Density) -> Vec<bool> {
    let mut full = vec![false; stories.len()];
    let recent = d.full_stories.div_ceil(2).min(stories.len());
    full[..recent].iter_mut().for_each(|f| *f = true);
    let mut by_value: Vec<usize> = (recent..stories.len()).filter(|&i| stories[i].amount.is_some()).collect();
    // Largest amount first; ties keep the newer story.
    by_value.sort_by(|&a, &b| stories[b].amount.cmp(&stories[a].amount).then(a.cmp(&b)));
    let mut left = d.full_stories.saturating_sub(recent);
    for i in by_value.into_iter().chain(recent..stories.len()) {
        if left == 0 {
            break;
        }
        if !full[i] {
            full[i] = true;
            left -= 1;
        }
    }
    full
}

fn stories_section(w: &Writer, d: &Density) -> Result<Vec<Element>, CatalogError> {
    let report_quarter = w.input.summary.report_quarter;
    let previous = report_quarter.prev();
    let mut stories: Vec<_> = w
        .input
        .customer
        .stories
        .iter()
        .filter(|s| s.date >= previous.first_day() && s.date <= report_quarter.last_day())
        .collect();
    // Newest first; same-day stories keep file order.
    stories.sort_by_key(|s| std::cmp::Reverse(s.date));
    let context = ctx!(previous = w.q(previous), quarter = w.q(report_quarter));
    if stories.is_empty() {
        return Ok(vec![Element::Note(w.t("stories.none", &context)?)]);
    }
    let clipped = |story: &crate::model::Story| crate::model::Story { title: d.clip(&story.title), ..story.clone() };
    let mut elements = Vec::new();
    if w.input.edition == Edition::Executive {
        for story in stories.iter().take(d.stories.max(1)) {
            elements.push(Element::Paragraph(story_line(w, &clipped(story))?));
        }
        return Ok(elements);
    }
    elements.push(Element::Note(w.t("stories.intro", &context)?));
    let full = full_stories(&stories, d);
    for (story, _) in stories.iter().zip(&full).filter(|(_, full)| **full) {
        let story = clipped(story);
        let kind = story_kind(w, story.kind)?;
        let date = w.n.date(story.date);
        let person = match &story.person {
            Some(person) => {
                Some(w.t("stories.person", &ctx!(person = person, role = story.role.clone().unwrap_or_default()))?)
            }
            None => None,
        };
        if story.kind == StoryKind::Quote && story.detail.is_some() {
            elements.push(Element::Heading(w.t("stories.line", &ctx!(date = date, kind = kind, title = story.title))?));
            elements.push(Element::Quote {
                text: story.detail.clone().unwrap_or_default(),
                attribution: person.unwrap_or_default(),
            });
            continue;
        }
        elements.push(Element::Heading(w.t("stories.line", &ctx!(date = date, kind = kind, title = story.title))?));
        let mut body = Vec::new();
        if let Some(detail) = &story.detail {
            body.push(detail.clone());
        }
        if let Some(amount) = story.amount {
            body.push(w.t("stories.amount", &ctx!(amount = w.money(amount)))?);
        }
        if let Some(person) = person {
            body.push(format!("— {person}"));
        }
        if !body.is_empty() {
            elements.push(Element::Paragraph(body.join(" ")));
        }
    }
    // The others, a line each, newest first.
    let rest: Vec<String> = stories
        .iter()
        .zip(&full)
        .filter(|(_, full)| !**full)
        .map(|(story, _)| story_line(w, &clipped(story)))
        .collect::<Result<_, _>>()?;
    if !rest.is_empty() {
        elements.push(Element::Heading(w.plain("stories.more_heading")?));
        elements.push(Element::Paragraph(rest.join("\n")));
    }
    Ok(elements)
}

fn roi_section(w: &Writer, d: &Density) -> Result<Vec<Element>, CatalogError> {
    let summary = w.input.summary;
    let customer = w.input.customer;
    let mut elements = Vec::new();
    if w.input.edition == Edition::Executive {
        elements.push(Element::Table(roi_summary_table(w)?));
        return Ok(elements);
    }
    let hundredth = w.n.measure(Decimal::new(1, 2));
    elements.push(Element::Note(w.t("roi.intro", &ctx!(hundredth = hundredth))?));
    let first_quarter = summary.ttm.first_quarter;
    let window: Vec<_> = summary.quarters.iter().filter(|q| q.quarter >= first_quarter).collect();
    if let (Some(start), Some(data_start)) = (customer.account.contract_start, summary.quarters.first()) {
        if data_start.quarter > first_quarter {
            elements.push(Element::Note(w.t(
                "roi.window_before_data",
                &ctx!(first = w.q(first_quarter), start = w.n.date(start), data_start = w.q(data_start.quarter)),
            )?));
        }
    }
    let (mut compact_rows, mut formulas) = (Vec::new(), Vec::new());
    for (goal, figures) in customer.goals.iter().zip(&summary.goals) {
        let source = w.plain(match goal.baseline_source {
            Some(BaselineSource::Measured) => "roi.source_measured",
            Some(BaselineSource::Estimated) => "roi.source_estimated",
            Some(BaselineSource::Benchmark) => "roi.source_benchmark",
            None => "roi.source_unknown",
        })?;
        let direction_words = w.plain(match goal.direction {
            Direction::Down => "roi.direction_down",
            Direction::Up => "roi.direction_up",
        })?;
        let value_per_unit = w.n.money(goal.value_per_unit);
        // Show value per unit exactly even when it has more decimals than the currency.
        let value_per_unit = if goal.value_per_unit.normalize().scale() > w.currency.decimals() {
            format!("{} {}", w.n.measure(goal.value_per_unit), w.currency)
        } else {
            value_per_unit
        };
        let heading = w.t("roi.goal_heading", &ctx!(id = goal.goal_id, title = d.clip(&goal.title)))?;
        let formula = w.t(
            "roi.goal_formula",
            &ctx!(
                direction_words = direction_words,
                volume = w.n.measure(goal.volume),
                value_per_unit = value_per_unit,
                unit_one = unit_of(goal),
                percentage = goal.is_percentage(),
                hundredth = hundredth,
                periods = w.n.measure(goal.per.per_quarter()),
                per = goal.per.to_string(),
                baseline = w.quantity(goal.baseline, goal),
                source = source,
                target = goal.target.map(|t| w.quantity(t, goal)).unwrap_or_default(),
            ),
        )?;
        if d.roi_compact {
            // One row per goal in a table of all goals; the formula as a note under it.
            let mut row = vec![(format!("{} · {}", goal.goal_id, d.clip(&goal.title)), Tone::Plain)];
            for q in &window {
                let value = q.by_goal.get(&goal.goal_id).map_or(Decimal::ZERO, |e| e.value);
                row.push((w.money(value), tone_of(value)));
            }
            row.push((w.money(figures.ttm_value), tone_of(figures.ttm_value)));
            compact_rows.push(row);
            formulas.push(format!("{heading}: {formula}"));
            continue;
        }
        elements.push(Element::Heading(heading));
        elements.push(Element::LeadIn(formula));
        let no_data = w.plain("metrics.no_data")?;
        let entries = || window.iter().filter_map(|q| q.by_goal.get(&goal.goal_id));
        let actual_places = shared_places(entries().filter_map(|e| e.actual), 2);
        let improvement_places = shared_places(entries().filter_map(|e| e.improvement), 2);
        let rows = window
            .iter()
            .map(|q| {
                let entry = q.by_goal.get(&goal.goal_id);
                let actual = entry.and_then(|e| e.actual);
                let improvement = entry.and_then(|e| e.improvement);
                let value = entry.map_or(Decimal::ZERO, |e| e.value);
                vec![
                    (w.q(q.quarter), Tone::Plain),
                    (
                        actual.map(|v| w.n.measure_places(v, actual_places)).unwrap_or_else(|| no_data.clone()),
                        if actual.is_some() { Tone::Plain } else { Tone::Muted },
                    ),
                    (
                        improvement.map(|v| w.n.measure_places(v, improvement_places)).unwrap_or_else(|| "–".into()),
                        improvement.map_or(Tone::Muted, tone_of),
                    ),
                    (w.money(value), tone_of(value)),
                ]
            })
            .collect();
        elements.push(Element::Table(TableSpec {
            columns: vec![
                (w.plain("roi.col_quarter")?, 1.2, ColumnAlign::Left),
                (format!("{} ({})", w.plain("roi.col_actual")?, unit_of(goal)), 1.4, ColumnAlign::Right),
                (w.plain("roi.col_improvement")?, 1.4, ColumnAlign::Right),
                (w.plain("roi.col_value")?, 1.6, ColumnAlign::Right),
            ],
            rows,
            total: Some(vec![
                (w.t("roi.ttm_row", &ctx!(quarters = summary.ttm.quarters))?, Tone::Strong),
                (String::new(), Tone::Plain),
                (String::new(), Tone::Plain),
                (w.money(figures.ttm_value), tone_of(figures.ttm_value)),
            ]),
        }));
    }
    if !compact_rows.is_empty() {
        // Amounts take the room they need on one line (RM 14,400.00 split over two lines at 1.0);
        // goal titles wrap.
        let mut columns = vec![(w.plain("metrics.col_goal")?, 2.6, ColumnAlign::Left)];
        columns.extend(window.iter().map(|q| (w.q(q.quarter), 1.2, ColumnAlign::Right)));
        columns.push((w.t("roi.ttm_row", &ctx!(quarters = summary.ttm.quarters))?, 1.3, ColumnAlign::Right));
        elements.push(Element::Table(TableSpec { columns, rows: compact_rows, total: None }));
        elements.push(Element::Note(formulas.join("\n")));
    }
    elements.push(Element::Heading(w.plain("roi.summary_heading")?));
    elements.push(Element::Table(roi_summary_table(w)?));
    elements.push(Element::Heading(w.plain("roi.assumptions_heading")?));
    // The currency's smallest unit as an amount ($0.01, ¥1, 0,001 KWD): right for every currency.
    let minor_unit = w.money(Decimal::new(1, w.currency.decimals()));
    for key in ["roi.assumption_rounding", "roi.assumption_negative", "roi.assumption_projection"] {
        elements.push(Element::Note(w.t(key, &ctx!(minor_unit = minor_unit))?));
    }
    Ok(elements)
}

fn projections_section(w: &Writer) -> Result<Vec<Element>, CatalogError> {
    let summary = w.input.summary;
    let conservative: Decimal = summary.projection.iter().map(|p| p.conservative).sum();
    let expected: Decimal = summary.projection.iter().map(|p| p.expected).sum();
    let mut elements = vec![Element::Paragraph(
        w.t("projections.headline", &ctx!(expected = w.money(expected), conservative = w.money(conservative)))?,
    )];
    let chart =
        value_chart(w, "projections.chart_title", &summary.quarters[summary.quarters.len().saturating_sub(6)..])?;
    elements.push(Element::BarChart(chart));
    if w.input.edition == Edition::Team {
        elements.push(Element::Heading(w.plain("projections.opportunities_heading")?));
        elements.push(opportunities_table(w)?);
    }
    elements.push(Element::Note(w.plain("projections.conditional")?));
    Ok(elements)
}

fn recommendations_section(w: &Writer, usage: &[UsageTrend], d: &Density) -> Result<Vec<Element>, CatalogError> {
    let customer = w.input.customer;
    let summary = w.input.summary;
    let quarter = w.q(summary.report_quarter);
    let recommendations = recommend(customer, summary, usage);
    let mut elements = Vec::new();
    if recommendations.is_empty() {
        // Nothing fired: every goal is on track, unless some only have one quarter of data.
        let too_early = summary.goals.iter().any(|g| g.status == crate::value::GoalStatus::TooEarly);
        let key = if too_early { "recommendations.none_too_early" } else { "recommendations.none" };
        elements.push(Element::Paragraph(w.plain(key)?));
    } else if w.input.edition == Edition::Team {
        elements.push(Element::Note(w.plain("recommendations.intro")?));
    }
    let limit = d.recommendations;
    let owner_fallback = w.plain("recommendations.owner_fallback")?;
    for (number, recommendation) in recommendations.iter().take(limit).enumerate() {
        let text = match &recommendation.action {
            Action::Corrective(i) | Action::BackOnPlan(i) | Action::NewTarget(i) | Action::Measure(i) => {
                let goal = &customer.goals[*i];
                let figures = &summary.goals[*i];
                let at_stake = summary
                    .quarters
                    .iter()
                    .rev()
                    .filter_map(|q| q.by_goal.get(&goal.goal_id))
                    .find(|g| !g.no_data)
                    .map(|g| w.money(g.value))
                    .unwrap_or_default();
                let context = ctx!(
                    title = d.clip(&goal.title),
                    metric = w.metric_in_sentence(&goal.metric),
                    unit = unit_of(goal),
                    latest = figures.latest.map(|v| w.quantity(v, goal)).unwrap_or_default(),
                    baseline = w.quantity(goal.baseline, goal),
                    target = goal.target.map(|v| w.quantity(v, goal)).unwrap_or_default(),
                    progress = figures.progress_to_target_exact().map(|v| w.n.percent(v)).unwrap_or_default(),
                    value = w.money(figures.quarter_value.abs()),
                    quarter = quarter,
                    owner = d.clip(goal.owner.as_deref().unwrap_or(&owner_fallback)),
                    at_stake = at_stake,
                );
                let key = match recommendation.action {
                    Action::Corrective(_) => "recommendations.corrective",
                    Action::BackOnPlan(_) => "recommendations.behind",
                    Action::NewTarget(_) => "recommendations.new_target",
                    _ => "recommendations.measure",
                };
                w.t(key, &context)?
            }
            Action::Expand(i) => {
                let o = &customer.opportunities[*i];
                w.t(
                    "recommendations.expand",
                    &ctx!(
                        title = d.clip(&o.title),
                        annual = w.money(o.annual_value),
                        confidence = w.n.percent(o.confidence * Decimal::ONE_HUNDRED),
                        weighted = w.money(crate::value::round_money(o.annual_value * o.confidence, w.currency)),
                        assumption = d.clip(&o.assumption.as_deref().map(|a| as_sentence(a, w.input.locale)).unwrap_or_default()),
                    ),
                )?
            }
            Action::Adoption(trend) => w.t(
                "recommendations.adoption",
                &ctx!(
                    metric = w.metric_in_sentence(&trend.metric),
                    pct = trend.change_pct.map(|c| w.n.percent(c.abs())).unwrap_or_default(),
                    previous = w.q(summary.report_quarter.prev()),
                    quarter = quarter,
                ),
            )?,
        };
        let goal_rule = !matches!(recommendation.action, Action::Expand(_) | Action::Adoption(_));
        let value = if goal_rule && recommendation.value > Decimal::ZERO {
            // The catalog carries its own spacing and brackets (full-width in Japanese).
            w.t("recommendations.value_label", &ctx!(value = w.n.money_whole(recommendation.value)))?
        } else {
            String::new()
        };
        elements.push(Element::ListItem { label: format!("{}.", number + 1), text: format!("{}{value}", text.trim()) });
    }
    if let Some(csm) = &customer.account.csm_name {
        elements.push(Element::Heading(w.t(
            "recommendations.contact",
            &ctx!(csm = d.clip(csm), email = d.clip(customer.account.csm_email.as_deref().unwrap_or_default())),
        )?));
    }
    Ok(elements)
}

/// The customer's text as a sentence of a recommendation: with its final punctuation (a full stop
/// added when it has none; "。" in Japanese).
fn as_sentence(text: &str, locale: crate::model::Locale) -> String {
    let text = text.trim();
    let closing = |c: char| matches!(c, ')' | '）' | '」' | '』' | '”' | '’' | '"' | '\'');
    let body = text.trim_end_matches(closing);
    if text.is_empty() || body.ends_with(['.', '!', '?', '。', '！', '？', '…']) {
        return text.to_string();
    }
    let stop = if locale == crate::model::Locale::Ja { '。' } else { '.' };
    format!("{text}{stop}")
}

/// Serializable note of what a report contains, for tests and manifests.
#[derive(Debug, Serialize)]
pub struct Outline {
    pub sections: Vec<String>,
}

impl ReportContent {
    pub fn outline(&self) -> Outline {
        Outline { sections: self.sections.iter().map(|s| s.title.clone()).collect() }
    }
}
