//! Report rendering: content → layout blocks → pages → PDF bytes.

use super::chart::{
    draw_bar_chart, draw_line_chart, BarChart, BarGroup, BarKind, ChartArea, LineChart, LineSeries, LineStyle,
};
use super::draw::{palette, Align, Colour, TextStyle};
use super::fonts::{FontSet, Weight};
use super::layout::{layout, Block, Cell, Column, Decorations, Frame, Kpi, Page, Table, BODY};
use super::pdf::{write, Document, Paper};
use super::tag::{self, Role};
use std::rc::Rc;

use crate::content::format::Numbers;
use crate::content::report::{
    AxisFormat, BarChartSpec, ColumnAlign, Edition, Element, LineChartSpec, ReportContent, Section, TableSpec, Tone,
};

/// Chart heights in points (chart title included). Goal charts stand two to a row.
const LINE_CHART_HEIGHT: f32 = 178.0;
const LINE_CHART_GUTTER: f32 = 22.0;
const LINE_CHART_HEIGHT_NARROW: f32 = 150.0;
const BAR_CHART_HEIGHT: f32 = 215.0;
const BAR_CHART_HEIGHT_EXECUTIVE: f32 = 140.0;
const CHART_TITLE_HEIGHT: f32 = 26.0;

fn tone_colour(tone: Tone) -> Option<Colour> {
    match tone {
        Tone::Plain | Tone::Strong => None,
        Tone::Good => Some(palette::GOOD),
        Tone::Bad => Some(palette::BAD),
        Tone::Muted => Some(palette::MUTED),
    }
}

fn table(spec: &TableSpec, size: f32) -> Table {
    let cell = |(text, tone): &(String, Tone)| Cell {
        text: text.clone(),
        colour: tone_colour(*tone),
        bold: *tone == Tone::Strong,
    };
    Table {
        columns: spec
            .columns
            .iter()
            .map(|(title, width, align)| {
                Column::new(
                    title.clone(),
                    *width,
                    if *align == ColumnAlign::Right { Align::Right } else { Align::Left },
                )
            })
            .collect(),
        rows: spec.rows.iter().map(|row| row.iter().map(cell).collect()).collect(),
        total: spec.total.as_ref().map(|row| row.iter().map(cell).collect()),
        size,
    }
}

fn axis_label(format: AxisFormat, numbers: &Rc<Numbers>) -> Box<dyn Fn(f64) -> String> {
    let numbers = Rc::clone(numbers);
    match format {
        AxisFormat::Money(_) => Box::new(move |v| numbers.money_compact(v)),
        AxisFormat::Number => Box::new(move |v| numbers.number_compact(v)),
    }
}

fn note_style() -> TextStyle {
    TextStyle::new(8.5, Weight::Regular, palette::MUTED)
}

fn chart_title_style() -> TextStyle {
    TextStyle::new(9.5, Weight::Bold, palette::TEXT)
}

/// Goal charts in a row of two (or one).
fn line_chart_row<'a>(specs: Vec<LineChartSpec>, per_row: usize, accent: Colour, numbers: &Rc<Numbers>) -> Block<'a> {
    let charts: Vec<(String, String, LineChart)> =
        specs.into_iter().map(|spec| line_chart(spec, accent, numbers)).collect();
    Block::Graphic {
        // Three to a row, the charts are narrower: lower too, at about the same proportions.
        height: if per_row >= 3 { LINE_CHART_HEIGHT_NARROW } else { LINE_CHART_HEIGHT },
        draw: Box::new(move |canvas, x, y, width, height| {
            let per_row = per_row.max(1) as f32;
            let column = (width - LINE_CHART_GUTTER * (per_row - 1.0)) / per_row;
            for (i, (title, alt, chart)) in charts.iter().enumerate() {
                let left = x + i as f32 * (column + LINE_CHART_GUTTER);
                let style = chart_title_style();
                // Each chart is a Figure with its data as alternative text, its title the caption.
                canvas.open(tag::Element::figure(alt.clone()));
                canvas.open_role(Role::Caption);
                // Two lines at most, the second ending with "…" when the title is longer.
                let lines = super::text::wrap_at_most(canvas.fonts, title, style.weight, style.size, column, 2);
                title_lines(canvas, title, &lines, left, y + height - 9.0, style);
                canvas.close();
                let area = ChartArea { x: left, y, width: column, height: height - CHART_TITLE_HEIGHT };
                draw_line_chart(canvas, area, chart);
                canvas.close();
            }
        }),
    }
}

/// A chart title's lines from the baseline `top` down. When the title was cut after its last line
/// ("…"), that line carries the rest of the title as /ActualText, so the text layer reads the whole
/// title (one /Span per line: extractors handle a span within one text object best).
fn title_lines(canvas: &mut super::draw::Canvas, title: &str, lines: &[String], x: f32, top: f32, style: TextStyle) {
    let Some((last, before)) = lines.split_last() else { return };
    for (n, line) in before.iter().enumerate() {
        canvas.text(line, x, top - n as f32 * 11.5, style, Align::Left);
    }
    let y = top - before.len() as f32 * 11.5;
    let cut = last.ends_with('…') && !title.trim_end().ends_with('…');
    match super::draw::rest_after(title, before).filter(|_| cut) {
        Some(rest) => canvas.text_shortened(last, rest, x, y, style, Align::Left),
        None => canvas.text(last, x, y, style, Align::Left),
    }
}

fn line_chart(spec: LineChartSpec, accent: Colour, numbers: &Rc<Numbers>) -> (String, String, LineChart) {
    let count = spec.categories.len();
    let mut series = vec![LineSeries {
        label: spec.labels[0].clone(),
        values: spec.actual.clone(),
        colour: accent,
        style: LineStyle::Solid,
    }];
    series.push(LineSeries {
        label: spec.labels[1].clone(),
        values: vec![Some(spec.baseline); count],
        colour: palette::NEUTRAL,
        style: LineStyle::Dashed,
    });
    if let Some(target) = spec.target {
        series.push(LineSeries {
            label: spec.labels[2].clone(),
            values: vec![Some(target); count],
            colour: palette::GOOD,
            style: LineStyle::Dashed,
        });
    }
    let chart = LineChart {
        categories: spec.categories.clone(),
        series,
        x_title: spec.x_title.clone(),
        y_title: spec.y_title.clone(),
        y_label: axis_label(spec.axis, numbers),
    };
    (spec.title, spec.alt, chart)
}

fn bar_chart_block<'a>(spec: BarChartSpec, accent: Colour, height: f32, numbers: &Rc<Numbers>) -> Block<'a> {
    let mut groups: Vec<BarGroup> = spec
        .realized
        .iter()
        .map(|(q, v)| BarGroup { category: q.clone(), bars: vec![(BarKind::Realized, *v)] })
        .collect();
    let projected_from = (!spec.projected.is_empty()).then_some(groups.len());
    groups.extend(spec.projected.iter().map(|(q, conservative, expected)| BarGroup {
        category: q.clone(),
        bars: vec![(BarKind::Conservative, *conservative), (BarKind::Expected, *expected)],
    }));
    let chart = BarChart {
        groups,
        colours: [accent, accent.lighten(0.45), accent.lighten(0.72)],
        legend: vec![
            (BarKind::Realized, spec.labels[0].clone()),
            (BarKind::Conservative, spec.labels[1].clone()),
            (BarKind::Expected, spec.labels[2].clone()),
        ],
        x_title: spec.x_title.clone(),
        y_title: spec.y_title.clone(),
        y_label: axis_label(spec.axis, numbers),
        projected_from,
        projected_note: spec.projected_note.clone(),
    };
    let title = spec.title;
    let alt = spec.alt;
    Block::Graphic {
        height,
        draw: Box::new(move |canvas, x, y, width, height| {
            let style = chart_title_style();
            canvas.open(tag::Element::figure(alt.clone()));
            canvas.open_role(Role::Caption);
            let lines = super::text::wrap_at_most(canvas.fonts, &title, style.weight, style.size, width, 2);
            title_lines(canvas, &title, &lines, x, y + height - 9.0, style);
            canvas.close();
            // A second title line takes its height from the chart.
            let title_height = CHART_TITLE_HEIGHT - 8.0 + (lines.len().max(1) - 1) as f32 * 11.5;
            draw_bar_chart(canvas, ChartArea { x, y, width, height: height - title_height }, &chart);
            canvas.close();
        }),
    }
}

/// Lays out and writes the report: the PDF bytes and the page count.
pub fn render_pdf(content: ReportContent, paper: Paper, fonts: &FontSet) -> (Vec<u8>, u32) {
    render_pdf_with(content, paper, fonts, None)
}

/// [`render_pdf`], as an archival PDF when `archive` is given (see [`super::archive`]).
pub fn render_pdf_with(
    content: ReportContent,
    paper: Paper,
    fonts: &FontSet,
    archive: Option<super::archive::Archive>,
) -> (Vec<u8>, u32) {
    let mut document = lay_out(content, paper, fonts);
    document.archive = archive;
    let pages = document.pages.len() as u32;
    (write(document, fonts), pages)
}

/// Lays the report out on pages: everything but PDF serialization (font subsetting, compression).
pub fn lay_out(mut content: ReportContent, paper: Paper, fonts: &FontSet) -> Document {
    let sections = std::mem::take(&mut content.sections);
    let pages = pages_of(&content, sections, paper, fonts);
    document_of(content, paper, pages)
}

/// Builds and lays out the report of `input`; when it takes more pages than its edition's budget
/// ([`Edition::page_budget`]), its denser levels are built and laid out in turn
/// ([`crate::content::density`]) and the first that fits is kept (else the densest).
pub fn lay_out_within_budget(
    input: &crate::content::report::ReportInput,
    paper: Paper,
    fonts: &FontSet,
) -> Result<Document, crate::content::catalog::CatalogError> {
    let budget = input.edition.page_budget();
    let mut level = 0;
    let mut document = lay_out(crate::content::report::build(input)?, paper, fonts);
    while document.pages.len() > budget {
        level += 1;
        match crate::content::report::build_at(input, level)? {
            Some(content) => document = lay_out(content, paper, fonts),
            None => break,
        }
    }
    Ok(document)
}

/// The pages of `sections` in `content`'s frame.
fn pages_of<'f>(content: &ReportContent, sections: Vec<Section>, paper: Paper, fonts: &'f FontSet) -> Vec<Page<'f>> {
    let (blocks, decorations) = blocks_of(content, sections);
    layout(fonts, Frame::new(paper.size()), blocks, &decorations)
}

/// The blocks of `sections` and the running header and footer of `content`.
pub(super) fn blocks_of<'a>(content: &ReportContent, sections: Vec<Section>) -> (Vec<Block<'a>>, Decorations) {
    let accent = Colour::from_hex(&content.accent).unwrap_or(palette::BLUE);
    let mut blocks = vec![Block::Title {
        title: content.title_block[0].clone(),
        subtitle: content.title_block[1].clone(),
        details: content.title_block[2].clone(),
        whole: content.title_block_whole.clone(),
        accent,
        logo: content.logo.clone(),
    }];
    let tag = crate::locale::LocaleTag { language: content.locale, region: content.region };
    let numbers = Rc::new(Numbers::for_tag(tag, content.currency));
    // Goal charts three to a row mark the team edition's most compact level: its value chart is
    // then as high as the executive edition's.
    let bar_height = match content.edition {
        Edition::Team if content.charts_per_row < 3 => BAR_CHART_HEIGHT,
        _ => BAR_CHART_HEIGHT_EXECUTIVE,
    };
    let per_row = content.charts_per_row.max(1);
    for section in sections {
        blocks.push(Block::Section { title: section.title, accent });
        let mut pending_charts: Vec<LineChartSpec> = Vec::new();
        for element in section.elements {
            if let Element::LineChart(spec) = element {
                pending_charts.push(spec);
                if pending_charts.len() == per_row {
                    blocks.push(line_chart_row(std::mem::take(&mut pending_charts), per_row, accent, &numbers));
                }
                continue;
            }
            if !pending_charts.is_empty() {
                blocks.push(line_chart_row(std::mem::take(&mut pending_charts), per_row, accent, &numbers));
            }
            blocks.push(match element {
                Element::Hero { label, value, caption, tone } => {
                    Block::Hero { label, value, caption, accent: if tone == Tone::Bad { palette::BAD } else { accent } }
                }
                Element::Kpis(cards) => Block::Kpis(
                    cards
                        .into_iter()
                        .map(|c| Kpi {
                            label: c.label,
                            value: c.value,
                            value_colour: tone_colour(c.value_tone).unwrap_or(palette::TEXT),
                            change: c.change.map(|(text, tone)| (text, tone_colour(tone).unwrap_or(palette::TEXT))),
                            caption: c.caption,
                        })
                        .collect(),
                ),
                Element::Heading(text) => Block::Heading(text),
                Element::Paragraph(text) => {
                    Block::Paragraph { text, style: TextStyle::new(BODY, Weight::Regular, palette::TEXT) }
                }
                Element::Note(text) => Block::Paragraph { text, style: note_style() },
                Element::LeadIn(text) => Block::LeadIn { text, style: note_style() },
                Element::Quote { text, attribution } => Block::Quote { text, attribution, accent },
                Element::ListItem { label, text } => {
                    Block::ListItem { label, text, style: TextStyle::new(BODY, Weight::Regular, palette::TEXT) }
                }
                Element::Table(spec) => Block::Table(table(&spec, 8.5)),
                Element::LineChart(_) => unreachable!("collected into chart rows above"),
                Element::BarChart(spec) => bar_chart_block(spec, accent, bar_height, &numbers),
            });
        }
        if !pending_charts.is_empty() {
            blocks.push(line_chart_row(pending_charts, per_row, accent, &numbers));
        }
    }
    let page_label = content.page_label.clone();
    let decorations = Decorations {
        header_left: content.header[0].clone(),
        header_right: content.header[1].clone(),
        footer_left: content.footer.clone(),
        page_label: Box::new(move |page, pages| {
            page_label.replace("{page}", &page.to_string()).replace("{pages}", &pages.to_string())
        }),
        accent,
        logo: content.logo.clone(),
    };
    (blocks, decorations)
}

pub(super) fn document_of(content: ReportContent, paper: Paper, pages: Vec<Page>) -> Document {
    let mut bookmarks = Vec::new();
    let mut page_ops = Vec::with_capacity(pages.len());
    let mut text_boxes = Vec::with_capacity(pages.len());
    let mut missing = std::collections::BTreeSet::new();
    for (index, page) in pages.into_iter().enumerate() {
        bookmarks.extend(page.bookmarks.into_iter().map(|name| (name, index)));
        page_ops.push(page.canvas.ops);
        text_boxes.push(page.canvas.boxes);
        missing.extend(page.canvas.missing);
    }
    Document {
        title: content.title,
        author: content.author,
        subject: content.subject,
        keywords: vec!["customer value".into(), "ROI".into(), content.edition.as_str().into()],
        date: content.as_of,
        paper,
        pages: page_ops,
        bookmarks,
        archive: None,
        text_boxes,
        missing: missing.into_iter().collect(),
    }
}
