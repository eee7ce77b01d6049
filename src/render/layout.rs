//! Layout: a flow of blocks poured onto pages.
//!
//! Blocks are measured with the embedded fonts, then placed top to bottom. Paragraphs and tables
//! split across pages (a table repeats its header row); everything else moves whole to the next page.
//! A heading is never left alone at the bottom of a page: it moves with the start of what follows.
//! Page headers and footers ("page X of Y") are added once the page count is known.

use super::draw::{palette, Align, Canvas, Colour, TextStyle};
use super::fonts::{FontSet, Weight};
use super::logo::Logo;
use super::tag::{script_lang, Artifact, Element, Role};
use super::text::{ellipsize, wrap};

/// Page geometry in points.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    pub width: f32,
    pub height: f32,
    pub margin_x: f32,
    pub margin_top: f32,
    pub margin_bottom: f32,
}

impl Frame {
    pub fn new((width, height): (f32, f32)) -> Frame {
        Frame { width, height, margin_x: 50.0, margin_top: 62.0, margin_bottom: 58.0 }
    }

    pub(super) fn content_width(&self) -> f32 {
        self.width - 2.0 * self.margin_x
    }

    pub(super) fn top(&self) -> f32 {
        self.height - self.margin_top
    }

    pub(super) fn content_height(&self) -> f32 {
        self.top() - self.margin_bottom
    }
}

/// Body text sizes.
pub const BODY: f32 = 9.5;
/// The headline figure's size and the smallest it shrinks to in order to fit its box.
const HERO_FLOOR: f32 = 12.0;
/// KPI amounts' size and floor.
const KPI_SIZE: f32 = 17.0;
const KPI_FLOOR: f32 = 9.0;
/// Where the hero's explanation starts, right of its big figure.
const HERO_CAPTION_X: f32 = 215.0;
const LEADING: f32 = 1.38;
pub(super) const GAP: f32 = 8.0;
/// The smallest share of its height a chart is drawn at to fill the room left on a page.
pub(super) const SHRINK_FLOOR: f32 = 0.85;

/// One cell of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub text: String,
    pub colour: Option<Colour>,
    pub bold: bool,
}

impl Cell {
    pub fn new(text: impl Into<String>) -> Cell {
        Cell { text: text.into(), colour: None, bold: false }
    }

    pub fn coloured(text: impl Into<String>, colour: Colour) -> Cell {
        Cell { text: text.into(), colour: Some(colour), bold: false }
    }

    pub fn bold(mut self) -> Cell {
        self.bold = true;
        self
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub title: String,
    /// Relative width.
    pub width: f32,
    pub align: Align,
}

impl Column {
    pub fn new(title: impl Into<String>, width: f32, align: Align) -> Column {
        Column { title: title.into(), width, align }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    /// A last row set off in bold with a rule above it (totals).
    pub total: Option<Vec<Cell>>,
    pub size: f32,
}

/// A key figure in a card.
#[derive(Debug, Clone, PartialEq)]
pub struct Kpi {
    pub label: String,
    pub value: String,
    pub value_colour: Colour,
    /// e.g. "▲ 12.4% vs 2026-Q2", with its colour.
    pub change: Option<(String, Colour)>,
    pub caption: String,
}

/// Draws into the given box: (canvas, x, y_bottom, width, height).
pub type DrawFn<'a> = Box<dyn Fn(&mut Canvas, f32, f32, f32, f32) + 'a>;

/// What a report is made of.
pub enum Block<'a> {
    /// The title area on the first page.
    Title {
        title: String,
        subtitle: String,
        details: String,
        accent: Colour,
        /// The vendor's logo, at the block's top right; the texts wrap in the room left of it.
        logo: Option<Logo>,
        /// The subtitle and details whole, when they were clipped to keep the block on its page:
        /// the text layer gives them whole (/ActualText).
        whole: [String; 2],
    },
    /// A numbered section title; also a bookmark.
    Section {
        title: String,
        accent: Colour,
    },
    /// A sub-heading.
    Heading(String),
    Paragraph {
        text: String,
        style: TextStyle,
    },
    /// One item of a list: a paragraph whose first line begins with its label ("1."); consecutive
    /// items form one list.
    ListItem {
        label: String,
        text: String,
        style: TextStyle,
    },
    /// A paragraph that introduces the next block and stays on its page.
    LeadIn {
        text: String,
        style: TextStyle,
    },
    /// One big figure with its label and explanation (the most important number, on top).
    Hero {
        label: String,
        value: String,
        caption: String,
        accent: Colour,
    },
    Kpis(Vec<Kpi>),
    Table(Table),
    /// A chart or other drawing of fixed height; kept together with a heading before it.
    Graphic {
        height: f32,
        draw: DrawFn<'a>,
    },
    Quote {
        text: String,
        attribution: String,
        accent: Colour,
    },
    Spacer(f32),
}

/// A laid-out page: its canvas and the bookmarks that point at it.
pub struct Page<'f> {
    pub canvas: Canvas<'f>,
    pub bookmarks: Vec<String>,
}

/// Texts of the running header and footer.
pub struct Decorations {
    pub header_left: String,
    pub header_right: String,
    pub footer_left: String,
    /// Formats "page X of Y".
    pub page_label: Box<dyn Fn(usize, usize) -> String>,
    pub accent: Colour,
    /// The vendor's logo, at the left of the running header, before the header's left text.
    pub logo: Option<Logo>,
}

/// A block measured for a given width.
pub(super) enum Laid<'a> {
    Lines {
        lines: Vec<String>,
        style: TextStyle,
        leading: f32,
        indent: f32,
        bar: Option<Colour>,
        lead_in: bool,
        /// The label of a list item, which its first line begins with.
        label: Option<String>,
    },
    Table { table: Table, widths: Vec<f32>, header: Vec<Vec<String>>, rows: Vec<Vec<Vec<String>>> },
    Whole { height: f32, block: Block<'a> },
}

/// Pages being filled, top to bottom.
pub(super) struct Flow<'f> {
    pub fonts: &'f FontSet,
    pub frame: Frame,
    pub pages: Vec<Page<'f>>,
    pub y: f32,
    /// Charts are drawn at this share of their height (composition tries smaller ones to save a page).
    pub graphic_scale: f32,
    /// A forced page break: before line `.1` of block `.0` (0: before the block).
    pub break_at: Option<(usize, usize)>,
    /// The block being placed, and the page each placed block starts on.
    pub current: usize,
    pub starts: Vec<usize>,
    /// Only decide where things go: pages are sketches ([`Canvas::sketch`]) and charts are not drawn.
    pub dry: bool,
    /// Streamed layout: each page, once the next one is started, is handed to this with its
    /// 0-based number and no longer kept (`pages` then holds only the page being filled).
    pub sink: Option<PageSink<'f>>,
    /// Pages handed to `sink` so far.
    pub handed: usize,
}

/// Where a streamed layout hands its finished pages: (0-based page number, page).
pub(super) type PageSink<'f> = Box<dyn FnMut(usize, Page<'f>) + 'f>;

impl<'f> Flow<'f> {
    pub fn new(fonts: &'f FontSet, frame: Frame) -> Flow<'f> {
        let mut flow = Flow {
            fonts,
            frame,
            pages: Vec::new(),
            y: 0.0,
            graphic_scale: 1.0,
            break_at: None,
            current: 0,
            starts: Vec::new(),
            dry: false,
            sink: None,
            handed: 0,
        };
        flow.new_page();
        flow
    }

    /// A flow that hands every finished page to `sink` instead of keeping it; call
    /// [`Flow::finish`] after the last block to hand over the last page.
    pub fn streamed(fonts: &'f FontSet, frame: Frame, sink: PageSink<'f>) -> Flow<'f> {
        let mut flow = Flow::new(fonts, frame);
        flow.sink = Some(sink);
        flow
    }

    /// A flow that only decides where things go (see [`Flow::dry`]).
    pub fn sketch(fonts: &'f FontSet, frame: Frame) -> Flow<'f> {
        let mut flow = Flow::new(fonts, frame);
        flow.dry = true;
        flow.pages[0].canvas = Canvas::sketch(fonts);
        flow
    }

    /// Pages so far, the one being filled included.
    pub fn page_count(&self) -> usize {
        self.handed + self.pages.len()
    }

    /// Hands the page being filled to the sink (a streamed flow; nothing otherwise).
    pub fn finish(&mut self) {
        if let Some(sink) = &mut self.sink {
            for page in self.pages.drain(..) {
                sink(self.handed, page);
                self.handed += 1;
            }
        }
    }

    /// Notes that the current block starts on the current page.
    fn mark(&mut self) {
        if self.starts.len() <= self.current {
            self.starts.push(self.page_count() - 1);
        }
    }

    /// Whether a page break is forced before line `line` of the current block.
    fn forced(&self, line: usize) -> bool {
        self.break_at == Some((self.current, line))
    }

    fn new_page(&mut self) {
        self.finish();
        let canvas = if self.dry { Canvas::sketch(self.fonts) } else { Canvas::new(self.fonts) };
        self.pages.push(Page { canvas, bookmarks: Vec::new() });
        self.y = self.frame.top();
    }

    pub(super) fn page(&mut self) -> &mut Page<'f> {
        self.pages.last_mut().expect("a page exists")
    }

    pub fn room(&self) -> f32 {
        self.y - self.frame.margin_bottom
    }

    /// Starts a new page unless the current one is still empty.
    pub fn break_page(&mut self) {
        if self.y < self.frame.top() {
            self.new_page();
        }
    }
}

pub use super::compose::layout;

pub(super) fn line_height(style: &TextStyle, leading: f32) -> f32 {
    style.size * leading
}

pub(super) fn measure<'a>(fonts: &FontSet, block: Block<'a>, width: f32) -> Laid<'a> {
    match block {
        Block::Paragraph { text, style } => {
            let lines = wrap(fonts, &text, style.weight, style.size, width);
            Laid::Lines { lines, style, leading: LEADING, indent: 0.0, bar: None, lead_in: false, label: None }
        }
        Block::ListItem { label, text, style } => {
            let lines = wrap(fonts, &format!("{label} {text}"), style.weight, style.size, width);
            Laid::Lines { lines, style, leading: LEADING, indent: 0.0, bar: None, lead_in: false, label: Some(label) }
        }
        Block::LeadIn { text, style } => {
            let lines = wrap(fonts, &text, style.weight, style.size, width);
            Laid::Lines { lines, style, leading: LEADING, indent: 0.0, bar: None, lead_in: true, label: None }
        }
        Block::Quote { text, attribution, accent } => {
            let style = TextStyle::new(BODY + 0.5, Weight::Regular, palette::TEXT);
            let mut lines = wrap(fonts, &format!("“{text}”"), style.weight, style.size, width - 16.0);
            lines.push(String::new());
            lines.extend(wrap(fonts, &format!("— {attribution}"), Weight::Regular, style.size, width - 16.0));
            Laid::Lines { lines, style, leading: LEADING, indent: 14.0, bar: Some(accent), lead_in: false, label: None }
        }
        Block::Table(table) => {
            let total: f32 = table.columns.iter().map(|c| c.width).sum::<f32>().max(f32::EPSILON);
            let widths: Vec<f32> = table.columns.iter().map(|c| c.width / total * width).collect();
            let pad = 4.0;
            let wrap_cells = |cells: &[Cell], header: bool| -> Vec<Vec<String>> {
                cells
                    .iter()
                    .zip(&widths)
                    .map(|(cell, w)| {
                        let weight = if header || cell.bold { Weight::Bold } else { Weight::Regular };
                        let size = if header { table.size - 0.5 } else { table.size };
                        wrap(fonts, &cell.text, weight, size, (w - 2.0 * pad).max(10.0))
                    })
                    .collect()
            };
            let header_cells: Vec<Cell> = table.columns.iter().map(|c| Cell::new(c.title.clone())).collect();
            let header = wrap_cells(&header_cells, true);
            let mut rows: Vec<Vec<Vec<String>>> = table.rows.iter().map(|r| wrap_cells(r, false)).collect();
            if let Some(total) = &table.total {
                rows.push(wrap_cells(total, false));
            }
            Laid::Table { table, widths, header, rows }
        }
        other => {
            let height = whole_height(fonts, &other, width);
            Laid::Whole { height, block: other }
        }
    }
}

/// The logo's box in the title block (top right) and the gap kept between it and the texts.
const TITLE_LOGO: (f32, f32) = (120.0, 44.0);
const TITLE_LOGO_GAP: f32 = 16.0;
/// The logo's box in the running header (left) and the gap before the header text.
const HEADER_LOGO: (f32, f32) = (72.0, 16.0);
const HEADER_LOGO_GAP: f32 = 6.0;

/// The width the title block's texts leave to the logo (with the gap), 0 without one.
fn title_logo_room(logo: &Option<Logo>, width: f32) -> f32 {
    logo.as_ref().map_or(0.0, |logo| logo.fit(TITLE_LOGO.0.min(width / 3.0), TITLE_LOGO.1).0 + TITLE_LOGO_GAP)
}

/// Title block: lines of the title are `TITLE_STEP` apart, of the subtitle (the customer's name,
/// which can be long) `SUBTITLE_STEP`.
const TITLE_STEP: f32 = 25.0;
const SUBTITLE_STEP: f32 = 16.0;

fn title_lines(
    fonts: &FontSet,
    title: &str,
    subtitle: &str,
    details: &str,
    width: f32,
) -> (Vec<String>, Vec<String>, Vec<String>) {
    (
        wrap(fonts, title, Weight::Bold, 21.0, width),
        wrap(fonts, subtitle, Weight::Regular, 12.5, width),
        wrap(fonts, details, Weight::Regular, 8.5, width),
    )
}

/// The largest size from `size` down to `floor` (in half points) at which `text` is at most
/// `max_width` wide; `floor` if none is.
pub fn fit_size(fonts: &FontSet, text: &str, weight: Weight, size: f32, floor: f32, max_width: f32) -> f32 {
    let natural = fonts.width(text, weight, size);
    if natural <= max_width {
        return size;
    }
    // Width is proportional to size: start from the proportional guess, round down to half points.
    let guess = ((size * max_width / natural) * 2.0).floor() / 2.0;
    let mut fitted = guess.clamp(floor, size);
    while fitted > floor && fonts.width(text, weight, fitted) > max_width {
        fitted -= 0.5;
    }
    fitted.max(floor)
}

fn whole_height(fonts: &FontSet, block: &Block, width: f32) -> f32 {
    match block {
        Block::Title { title, subtitle, details, logo, .. } => {
            let width = width - title_logo_room(logo, width);
            let (title, subtitle, details) = title_lines(fonts, title, subtitle, details, width);
            64.0 + (title.len().max(1) - 1) as f32 * TITLE_STEP
                + (subtitle.len().max(1) - 1) as f32 * SUBTITLE_STEP
                + details.len() as f32 * 11.0
        }
        Block::Section { .. } => 31.0,
        Block::Heading(text) => {
            let lines = wrap(fonts, text, Weight::Bold, 11.0, width).len() as f32;
            lines * 15.0 + 6.0
        }
        Block::Hero { caption, .. } => {
            let lines = wrap(fonts, caption, Weight::Regular, BODY, width - HERO_CAPTION_X - 12.0).len().max(2) as f32;
            (lines * BODY * LEADING + 44.0).max(76.0)
        }
        Block::Kpis(kpis) => {
            let count = kpis.len().max(1) as f32;
            let card_width = (width - 10.0 * (count - 1.0)) / count;
            let caption_lines = kpis
                .iter()
                .map(|k| wrap(fonts, &k.caption, Weight::Regular, 8.0, card_width - 16.0).len())
                .max()
                .unwrap_or(0) as f32;
            let label_lines = kpis
                .iter()
                .map(|k| wrap(fonts, &k.label, Weight::Bold, 8.5, card_width - 16.0).len())
                .max()
                .unwrap_or(1) as f32;
            20.0 + label_lines * 11.0 + 24.0 + 14.0 + caption_lines * 10.5
        }
        Block::Graphic { height, .. } => *height,
        Block::Spacer(height) => *height,
        Block::Paragraph { .. }
        | Block::ListItem { .. }
        | Block::LeadIn { .. }
        | Block::Quote { .. }
        | Block::Table(_) => {
            unreachable!("measured as lines or rows")
        }
    }
}

/// The smallest first piece of a block that may end a page.
pub(super) fn min_height(laid: &Laid) -> f32 {
    match laid {
        // Lead-ins and quotes (the ones with a bar) move whole; other text may end a page after two lines.
        Laid::Lines { lines, style, leading, lead_in, bar, .. } => {
            let shown = if *lead_in || bar.is_some() { lines.len() } else { lines.len().min(2) };
            line_height(style, *leading) * shown as f32 + GAP
        }
        Laid::Table { table, header, rows, .. } => {
            let first = rows.first().map_or(0.0, |r| row_height(r, table.size));
            row_height(header, table.size - 0.5) + first + GAP
        }
        Laid::Whole { height, .. } => height + GAP,
    }
}

pub(super) fn row_height(row: &[Vec<String>], size: f32) -> f32 {
    let lines = row.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32;
    lines * size * 1.28 + 5.5
}

pub(super) fn place(flow: &mut Flow, laid: &Laid) {
    let x = flow.frame.margin_x;
    let width = flow.frame.content_width();
    match laid {
        Laid::Lines { lines, style, leading, indent, bar, label, .. } => {
            let (style, indent, bar) = (*style, *indent, *bar);
            let step = line_height(&style, *leading);
            // A paragraph is a P; a quote a BlockQuote of the quote's P and the attribution's P
            // (the lines after the empty one); a list item an LI of its Lbl and its LBody.
            if bar.is_some() {
                flow.page().canvas.open_role(Role::BlockQuote);
            }
            flow.page().canvas.open_role(if label.is_some() { Role::LI } else { Role::P });
            let mut body_open = false;
            let mut index = 0;
            while index < lines.len() {
                if flow.room() < step || (index > 0 && flow.forced(index)) {
                    flow.new_page();
                }
                if index == 0 && flow.forced(0) {
                    flow.break_page();
                }
                let fit = ((flow.room() / step).floor() as usize).max(1);
                let mut end = (index + fit).min(lines.len());
                // No single orphan line at the foot of a page when more follow.
                if end - index == 1 && lines.len() - index > 1 && index == 0 && fit < lines.len() {
                    flow.new_page();
                    end = (index + ((flow.room() / step).floor() as usize).max(1)).min(lines.len());
                }
                // A forced break inside the block.
                if let Some((block, line)) = flow.break_at {
                    if block == flow.current && line > index && line < end {
                        end = line;
                    }
                }
                flow.mark();
                let top = flow.y;
                let page = flow.page();
                for (i, line) in lines[index..end].iter().enumerate() {
                    if bar.is_some() && line.is_empty() {
                        page.canvas.close();
                        let attribution = lines[index + i..].concat();
                        page.canvas.open(Element::new(Role::P).with_lang(script_lang(&attribution)));
                    }
                    let baseline = top - style.size - i as f32 * step;
                    let is_attribution = bar.is_some() && line.starts_with('—');
                    let line_style = if is_attribution {
                        TextStyle::new(style.size - 1.0, Weight::Bold, palette::MUTED)
                    } else {
                        style
                    };
                    let first = index + i == 0;
                    match label.as_deref().filter(|_| first) {
                        Some(label) => {
                            // The label, then the rest of the line where it stood in the whole line.
                            let rest = line.strip_prefix(label).and_then(|r| r.strip_prefix(' '));
                            let canvas = &mut page.canvas;
                            body_open = true;
                            if let Some(rest) = rest {
                                canvas.open_role(Role::Lbl);
                                canvas.text(label, x + indent, baseline, line_style, Align::Left);
                                canvas.close();
                                canvas.open_role(Role::LBody);
                                let offset = canvas.width(&format!("{label} "), line_style);
                                canvas.text(rest, x + indent + offset, baseline, line_style, Align::Left);
                            } else {
                                canvas.open_role(Role::LBody);
                                canvas.text(line, x + indent, baseline, line_style, Align::Left);
                            }
                        }
                        None => page.canvas.text(line, x + indent, baseline, line_style, Align::Left),
                    }
                }
                let used = (end - index) as f32 * step;
                if let Some(colour) = bar {
                    page.canvas.artifact(Artifact::Layout);
                    page.canvas.fill_rect(x, top - used + 2.0, 3.0, used - 2.0, colour);
                    page.canvas.artifact_end();
                }
                flow.y -= used;
                index = end;
            }
            if body_open {
                flow.page().canvas.close();
            }
            flow.page().canvas.close();
            if bar.is_some() {
                flow.page().canvas.close();
            }
            flow.y -= GAP;
        }
        Laid::Table { table, widths, header, rows } => {
            if flow.forced(0) {
                flow.break_page();
            }
            flow.mark();
            place_table(flow, table, widths, header, rows)
        }
        Laid::Whole { height, block } => {
            let mut height = *height;
            if let Block::Graphic { .. } = block {
                // A chart gives up to 15% of its height rather than leave the rest of a page empty.
                height *= flow.graphic_scale;
                if height > flow.room() && flow.room() >= height * SHRINK_FLOOR {
                    height = flow.room();
                }
            }
            if height > flow.room() || flow.forced(0) {
                flow.break_page();
            }
            flow.mark();
            let top = flow.y;
            if !flow.dry {
                draw_whole(flow.page(), block, x, top, width, height);
            }
            flow.y -= height + GAP;
        }
    }
}

fn place_table(flow: &mut Flow, table: &Table, widths: &[f32], header: &[Vec<String>], rows: &[Vec<Vec<String>>]) {
    let x = flow.frame.margin_x;
    let width = flow.frame.content_width();
    let header_height = row_height(header, table.size - 0.5);
    let total_index = table.total.as_ref().map(|_| rows.len() - 1);
    // Structure: Table → THead (the header row once, TH cells with /Scope /Column) and TBody (a TR
    // of TD cells per row, the total last). The header row repeated on later pages is an artifact.
    let draw_header = |flow: &mut Flow, first: bool| {
        let top = flow.y;
        let page = flow.page();
        page.canvas.artifact(Artifact::Layout);
        page.canvas.fill_rect(x, top - header_height, width, header_height, palette::PANEL);
        page.canvas.artifact_end();
        if first {
            page.canvas.open_role(Role::THead);
            draw_row(&mut page.canvas, table, widths, header, None, x, top, true, Some(Role::TH));
            page.canvas.close();
        } else {
            page.canvas.artifact(Artifact::Pagination);
            draw_row(&mut page.canvas, table, widths, header, None, x, top, true, None);
            page.canvas.artifact_end();
        }
        flow.y -= header_height;
    };
    flow.page().canvas.open_role(Role::Table);
    draw_header(flow, true);
    flow.page().canvas.open_role(Role::TBody);
    for (index, row) in rows.iter().enumerate() {
        let height = row_height(row, table.size);
        // The last data row goes with the total: a total never starts a page alone.
        let with_total = match total_index {
            Some(total) if index + 1 == total => row_height(&rows[total], table.size),
            _ => 0.0,
        };
        if height + with_total > flow.room() && index > 0 || height > flow.room() {
            flow.new_page();
            draw_header(flow, false);
        }
        let top = flow.y;
        let page = flow.page();
        let cells =
            if Some(index) == total_index { table.total.as_deref() } else { table.rows.get(index).map(Vec::as_slice) };
        if Some(index) == total_index {
            page.canvas.artifact(Artifact::Layout);
            page.canvas.line(x, top, x + width, top, palette::TEXT, 0.8);
            page.canvas.artifact_end();
        }
        draw_row(&mut page.canvas, table, widths, row, cells, x, top, Some(index) == total_index, Some(Role::TD));
        page.canvas.artifact(Artifact::Layout);
        page.canvas.line(x, top - height, x + width, top - height, palette::RULE, 0.5);
        page.canvas.artifact_end();
        flow.y -= height;
    }
    flow.page().canvas.close();
    flow.page().canvas.close();
    flow.y -= GAP;
}

#[allow(clippy::too_many_arguments)]
fn draw_row(
    canvas: &mut Canvas,
    table: &Table,
    widths: &[f32],
    lines: &[Vec<String>],
    cells: Option<&[Cell]>,
    x: f32,
    top: f32,
    bold: bool,
    cell_role: Option<Role>,
) {
    // With a cell role, the row is a TR and every cell (empty ones too) an element of that role.
    if cell_role.is_some() {
        canvas.open_role(Role::TR);
    }
    let pad = 4.0;
    let mut left = x;
    let size = if cells.is_none() { table.size - 0.5 } else { table.size };
    for (column_index, (column, width)) in table.columns.iter().zip(widths).enumerate() {
        let cell = cells.and_then(|c| c.get(column_index));
        let colour =
            cell.and_then(|c| c.colour).unwrap_or(if cells.is_none() { palette::MUTED } else { palette::TEXT });
        let weight = if bold || cell.is_some_and(|c| c.bold) { Weight::Bold } else { Weight::Regular };
        let style = TextStyle::new(size, weight, colour);
        if let Some(role) = cell_role {
            let text = cell.map_or(column.title.as_str(), |c| c.text.as_str());
            canvas.open(Element::new(role).with_lang(script_lang(text)));
        }
        for (i, line) in lines.get(column_index).map(Vec::as_slice).unwrap_or_default().iter().enumerate() {
            let baseline = top - 3.2 - size - i as f32 * size * 1.28;
            let (anchor, align) = match column.align {
                Align::Left => (left + pad, Align::Left),
                Align::Centre => (left + width / 2.0, Align::Centre),
                Align::Right => (left + width - pad, Align::Right),
            };
            canvas.text(line, anchor, baseline, style, align);
        }
        if cell_role.is_some() {
            canvas.close();
        }
        left += width;
    }
    if cell_role.is_some() {
        canvas.close();
    }
}

fn draw_whole(page: &mut Page, block: &Block, x: f32, top: f32, width: f32, height: f32) {
    let canvas = &mut page.canvas;
    match block {
        Block::Title { title, subtitle, details, accent, logo, whole } => {
            let accent = *accent;
            // The accent rule and the vendor's logo are decoration; the logo's name is in the
            // document's metadata (author) and footer.
            canvas.artifact(Artifact::Layout);
            canvas.fill_rect(x, top - 4.0, 46.0, 4.0, accent);
            let room = title_logo_room(&logo, width);
            if let Some(logo) = logo {
                let (w, _) = logo.fit(TITLE_LOGO.0.min(width / 3.0), TITLE_LOGO.1);
                logo.draw(canvas, x + width - w, top - 8.0 - TITLE_LOGO.1, w, TITLE_LOGO.1);
            }
            canvas.artifact_end();
            let width = width - room;
            // The title is the H1; the subtitle (the customer's name, in its own language when its
            // script says so) and the details are paragraphs.
            let subtitle_lang = script_lang(&subtitle);
            let clipped = [*subtitle != whole[0], *details != whole[1]];
            let (title, subtitle, details) = title_lines(canvas.fonts, &title, &subtitle, &details, width);
            canvas.open_role(Role::H1);
            // Baselines: the title's first 30 pt below the top; the subtitle 22 pt and the details
            // 18 pt below the last line before them.
            let mut y = top - 30.0;
            for line in &title {
                canvas.text(line, x, y, TextStyle::new(21.0, Weight::Bold, palette::TEXT), Align::Left);
                y -= TITLE_STEP;
            }
            canvas.close();
            canvas.open(Element::new(Role::P).with_lang(subtitle_lang));
            y += TITLE_STEP - 22.0;
            for (n, line) in subtitle.iter().enumerate() {
                let style = TextStyle::new(12.5, Weight::Regular, accent);
                text_or_rest(canvas, line, clipped[0], &whole[0], &subtitle[..n], n + 1 == subtitle.len(), (x, y), style);
                y -= SUBTITLE_STEP;
            }
            canvas.close();
            canvas.open_role(Role::P);
            y += SUBTITLE_STEP - 18.0;
            for (n, line) in details.iter().enumerate() {
                let style = TextStyle::new(8.5, Weight::Regular, palette::MUTED);
                text_or_rest(canvas, line, clipped[1], &whole[1], &details[..n], n + 1 == details.len(), (x, y), style);
                y -= 11.0;
            }
            canvas.close();
        }
        Block::Section { title, accent } => {
            let accent = *accent;
            canvas.open_role(Role::H2);
            canvas.text(&title, x, top - 19.0, TextStyle::new(14.5, Weight::Bold, accent), Align::Left);
            canvas.close();
            canvas.artifact(Artifact::Layout);
            canvas.line(x, top - 25.0, x + width, top - 25.0, accent.lighten(0.55), 0.8);
            canvas.artifact_end();
            page.bookmarks.push(title.clone());
        }
        Block::Heading(text) => {
            let lines = wrap(canvas.fonts, &text, Weight::Bold, 11.0, width);
            canvas.open_role(Role::H3);
            for (i, line) in lines.iter().enumerate() {
                let style = TextStyle::new(11.0, Weight::Bold, palette::TEXT);
                canvas.text(line, x, top - 12.0 - i as f32 * 15.0, style, Align::Left);
            }
            canvas.close();
        }
        Block::Hero { label, value, caption, accent } => {
            let accent = *accent;
            // A Div of three paragraphs, in reading order: label, figure, explanation.
            canvas.artifact(Artifact::Layout);
            canvas.fill_rect(x, top - height, width, height, accent.lighten(0.92));
            canvas.fill_rect(x, top - height, 4.0, height, accent);
            canvas.artifact_end();
            canvas.open_role(Role::Div);
            let shown = ellipsize(canvas.fonts, &label, Weight::Bold, 9.0, width - 32.0);
            canvas.open_role(Role::P);
            let style = TextStyle::new(9.0, Weight::Bold, palette::MUTED);
            canvas.text_shortened(&shown, &label, x + 16.0, top - 20.0, style, Align::Left);
            canvas.close();
            // The headline figure shrinks to its box before anything else gives way.
            let room = HERO_CAPTION_X - 16.0 - 12.0;
            let size = fit_size(canvas.fonts, &value, Weight::Bold, 27.0, HERO_FLOOR, room);
            canvas.open_role(Role::P);
            canvas.text(&value, x + 16.0, top - 56.0, TextStyle::new(size, Weight::Bold, accent), Align::Left);
            canvas.close();
            let text_x = x + HERO_CAPTION_X;
            let lines = wrap(canvas.fonts, &caption, Weight::Regular, BODY, width - HERO_CAPTION_X - 12.0);
            canvas.open_role(Role::P);
            for (i, line) in lines.iter().enumerate() {
                let style = TextStyle::new(BODY, Weight::Regular, palette::TEXT);
                canvas.text(line, text_x, top - 40.0 - i as f32 * BODY * LEADING, style, Align::Left);
            }
            canvas.close();
            canvas.close();
        }
        Block::Kpis(kpis) => {
            let gap = 10.0;
            let count = kpis.len().max(1) as f32;
            let card_width = (width - gap * (count - 1.0)) / count;
            let inner = card_width - 16.0;
            let fonts = canvas.fonts;
            // One baseline and one size for every card's amount: below the tallest label, at the
            // largest size (to a floor) at which every amount fits its card.
            let label_lines = kpis.iter().map(|k| wrap(fonts, &k.label, Weight::Bold, 8.5, inner).len()).max();
            let value_y = top - 18.0 - label_lines.unwrap_or(1) as f32 * 11.0 - 15.0;
            let size = kpis
                .iter()
                .map(|k| fit_size(fonts, &k.value, Weight::Bold, KPI_SIZE, KPI_FLOOR, inner))
                .fold(KPI_SIZE, f32::min);
            // A Figure whose /Alt reads every card; inside it, each card's title, amount, change and
            // caption as paragraphs in that order.
            canvas.open(Element::figure(kpi_alt(&kpis)));
            for (i, kpi) in kpis.iter().enumerate() {
                let left = x + i as f32 * (card_width + gap);
                canvas.artifact(Artifact::Layout);
                canvas.fill_rect(left, top - height, card_width, height, palette::PANEL);
                canvas.artifact_end();
                let mut y = top - 18.0;
                canvas.open_role(Role::P);
                for line in wrap(fonts, &kpi.label, Weight::Bold, 8.5, inner) {
                    canvas.text(&line, left + 8.0, y, TextStyle::new(8.5, Weight::Bold, palette::MUTED), Align::Left);
                    y -= 11.0;
                }
                canvas.close();
                y = value_y;
                canvas.open_role(Role::P);
                canvas.text(
                    &kpi.value,
                    left + 8.0,
                    y,
                    TextStyle::new(size, Weight::Bold, kpi.value_colour),
                    Align::Left,
                );
                canvas.close();
                y -= 16.0;
                if let Some((change, colour)) = &kpi.change {
                    // Shortened on the card, whole in the text layer (/ActualText).
                    let shown = ellipsize(fonts, change, Weight::Bold, 8.5, inner);
                    canvas.open_role(Role::P);
                    let style = TextStyle::new(8.5, Weight::Bold, *colour);
                    canvas.text_shortened(&shown, change, left + 8.0, y, style, Align::Left);
                    canvas.close();
                }
                y -= 13.0;
                canvas.open_role(Role::P);
                for line in wrap(fonts, &kpi.caption, Weight::Regular, 8.0, inner) {
                    canvas.text(
                        &line,
                        left + 8.0,
                        y,
                        TextStyle::new(8.0, Weight::Regular, palette::MUTED),
                        Align::Left,
                    );
                    y -= 10.5;
                }
                canvas.close();
            }
            canvas.close();
        }
        Block::Graphic { draw, .. } => draw(canvas, x, top - height, width, height),
        Block::Spacer(_) => {}
        Block::Paragraph { .. }
        | Block::ListItem { .. }
        | Block::LeadIn { .. }
        | Block::Quote { .. }
        | Block::Table(_) => {
            unreachable!("placed as lines or rows")
        }
    }
}

/// Draws `line` of a wrapped text; the last line of a text that was clipped carries the rest of the
/// whole text (after the lines `before`) as /ActualText.
#[allow(clippy::too_many_arguments)]
fn text_or_rest(
    canvas: &mut Canvas,
    line: &str,
    clipped: bool,
    whole: &str,
    before: &[String],
    last: bool,
    (x, y): (f32, f32),
    style: TextStyle,
) {
    match super::draw::rest_after(whole, before).filter(|_| clipped && last) {
        Some(rest) => canvas.text_shortened(line, rest, x, y, style, Align::Left),
        None => canvas.text(line, x, y, style, Align::Left),
    }
}

/// Space between a running header's or footer's left and right texts.
const RUNNING_GAP: f32 = 12.0;

/// Fits a left and a right text on one line `width` wide: the right text whole when it takes at
/// most half the line (else shortened to half), the left one shortened to the rest.
fn share_line(
    fonts: &FontSet,
    left: &str,
    left_style: TextStyle,
    right: &str,
    right_style: TextStyle,
    width: f32,
) -> (String, String) {
    let right_room = (width - RUNNING_GAP) / 2.0;
    let left_width = fonts.width(left, left_style.weight, left_style.size);
    let right = if left_width + RUNNING_GAP + fonts.width(right, right_style.weight, right_style.size) <= width {
        right.to_string()
    } else {
        ellipsize(fonts, right, right_style.weight, right_style.size, right_room)
    };
    let room = width - RUNNING_GAP - fonts.width(&right, right_style.weight, right_style.size);
    (ellipsize(fonts, left, left_style.weight, left_style.size, room), right)
}

pub(super) fn decorate(pages: &mut [Page], frame: Frame, decorations: &Decorations) {
    let count = pages.len();
    for (index, page) in pages.iter_mut().enumerate() {
        decorate_page(&mut page.canvas, index, count, frame, decorations);
    }
}

/// Adds the running header and footer of page `index` (0-based) of `count` to `canvas`.
pub(super) fn decorate_page(canvas: &mut Canvas, index: usize, count: usize, frame: Frame, decorations: &Decorations) {
    let small = TextStyle::new(7.5, Weight::Regular, palette::MUTED);
    let left = frame.margin_x;
    let right = frame.width - frame.margin_x;
    let header_y = frame.height - 34.0;
    let bold = TextStyle { weight: Weight::Bold, ..small };
    // The logo sits on the header's baseline, 4 pt below it to 12 pt above; the header's left
    // text starts after it.
    canvas.artifact(Artifact::Header);
    let header_x = match &decorations.logo {
        Some(logo) => {
            left + logo.draw(canvas, left, header_y - 4.0, HEADER_LOGO.0, HEADER_LOGO.1) + HEADER_LOGO_GAP
        }
        None => left,
    };
    // The left text (the customer's name) gives way to the right one, with an ellipsis at a
    // word boundary; the right one keeps at least half the line.
    let (header_left, header_right) =
        share_line(canvas.fonts, &decorations.header_left, bold, &decorations.header_right, small, right - header_x);
    // What is shortened with "…" keeps its whole text in the text layer (/ActualText).
    canvas.text_shortened(&header_left, &decorations.header_left, header_x, header_y, bold, Align::Left);
    canvas.text_shortened(&header_right, &decorations.header_right, right, header_y, small, Align::Right);
    canvas.line(left, header_y - 7.0, right, header_y - 7.0, decorations.accent, 0.8);
    canvas.artifact_end();
    let footer_y = 32.0;
    canvas.artifact(Artifact::Footer);
    canvas.line(left, footer_y + 12.0, right, footer_y + 12.0, palette::RULE, 0.5);
    let full_label = (decorations.page_label)(index + 1, count);
    let (footer_left, page_label) =
        share_line(canvas.fonts, &decorations.footer_left, small, &full_label, small, right - left);
    canvas.text_shortened(&footer_left, &decorations.footer_left, left, footer_y, small, Align::Left);
    canvas.text_shortened(&page_label, &full_label, right, footer_y, small, Align::Right);
    canvas.artifact_end();
}

/// The alternative text of a group of KPI cards: every card's title, amount, change and caption,
/// in the report's own words.
fn kpi_alt(kpis: &[Kpi]) -> String {
    kpis.iter()
        .map(|k| {
            let mut card = format!("{}: {}", k.label, k.value);
            if let Some((change, _)) = &k.change {
                card.push_str(&format!(" ({change})"));
            }
            if !k.caption.is_empty() {
                card.push_str(&format!(", {}", k.caption));
            }
            card
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decorations() -> Decorations {
        Decorations {
            header_left: "Acme".into(),
            header_right: "Value report · 2026-Q3".into(),
            footer_left: "Prepared by Northwind".into(),
            page_label: Box::new(|x, y| format!("Page {x} of {y}")),
            accent: palette::BLUE,
            logo: None,
        }
    }

    fn texts(page: &Page) -> String {
        page.canvas
            .ops
            .iter()
            .filter_map(|op| match op {
                printpdf::Op::ShowText { items } => Some(crate::render::draw::shown_text(items)),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("|")
    }

    fn frame() -> Frame {
        Frame::new((595.28, 841.89))
    }

    #[test]
    fn long_tables_split_and_repeat_their_header() {
        let table = Table {
            columns: vec![Column::new("Quarter", 1.0, Align::Left), Column::new("Value", 1.0, Align::Right)],
            rows: (0..120).map(|i| vec![Cell::new(format!("row {i}")), Cell::new(format!("{i}.00"))]).collect(),
            total: Some(vec![Cell::new("Total"), Cell::new("7140.00")]),
            size: BODY,
        };
        let pages = layout(FontSet::shared(), frame(), vec![Block::Table(table)], &decorations());
        assert!(pages.len() >= 3, "{}", pages.len());
        for page in &pages {
            let text = texts(page);
            assert!(text.contains("Quarter|Value"), "header on every page");
        }
        let all: String = pages.iter().map(texts).collect();
        for i in 0..120 {
            assert!(all.contains(&format!("|row {i}|")), "row {i} is drawn");
        }
        assert!(texts(pages.last().unwrap()).contains("Total|7140.00"));
        assert!(texts(&pages[0]).contains(&format!("Page 1 of {}", pages.len())));
    }

    #[test]
    fn a_total_row_never_starts_a_page_alone() {
        for spacer in (560..700).step_by(4) {
            let table = Table {
                columns: vec![Column::new("Quarter", 1.0, Align::Left)],
                rows: (0..4).map(|i| vec![Cell::new(format!("row {i}"))]).collect(),
                total: Some(vec![Cell::new("Total")]),
                size: BODY,
            };
            let blocks = vec![Block::Spacer(spacer as f32), Block::Table(table)];
            let pages = layout(FontSet::shared(), frame(), blocks, &decorations());
            let with_total = pages.iter().find(|p| texts(p).contains("Total")).unwrap();
            assert!(texts(with_total).contains("row 3"), "spacer {spacer}: total alone");
        }
    }

    #[test]
    fn a_heading_never_ends_a_page() {
        let blocks = vec![
            Block::Spacer(500.0),
            Block::Heading("The heading".into()),
            Block::Graphic { height: 250.0, draw: Box::new(|_, _, _, _, _| {}) },
        ];
        let pages = layout(FontSet::shared(), frame(), blocks, &decorations());
        let with_heading = pages.iter().position(|p| texts(p).contains("The heading")).unwrap();
        // Page 1 has room for the heading (21 pt) but not for it and the chart.
        assert_eq!(with_heading, 1, "heading moved with its chart");
    }

    #[test]
    fn a_heading_and_its_lead_in_move_with_the_table_they_introduce() {
        let table = Table {
            columns: vec![Column::new("Quarter", 1.0, Align::Left)],
            rows: (0..4).map(|i| vec![Cell::new(format!("row {i}"))]).collect(),
            total: None,
            size: BODY,
        };
        let note = TextStyle::new(8.5, Weight::Regular, palette::MUTED);
        let blocks = vec![
            // Leaves 64 pt: room for the heading and lead-in (~49 pt) but not with the table's first rows.
            Block::Spacer(650.0),
            Block::Heading("Goal heading".into()),
            Block::LeadIn { text: "The formula of this goal.".into(), style: note },
            Block::Table(table),
        ];
        let pages = layout(FontSet::shared(), frame(), blocks, &decorations());
        assert_eq!(pages.len(), 2);
        let second = texts(&pages[1]);
        assert!(
            second.contains("Goal heading") && second.contains("The formula") && second.contains("row 0"),
            "{second}"
        );
    }

    #[test]
    fn sections_are_bookmarked_on_their_page() {
        let blocks = vec![
            Block::Section { title: "1. Executive summary".into(), accent: palette::BLUE },
            Block::Spacer(650.0),
            Block::Section { title: "2. Key metrics".into(), accent: palette::BLUE },
        ];
        let pages = layout(FontSet::shared(), frame(), blocks, &decorations());
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[0].bookmarks, ["1. Executive summary"]);
        assert_eq!(pages[1].bookmarks, ["2. Key metrics"]);
    }
}
