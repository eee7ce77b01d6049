//! Vector charts (line charts and grouped bar charts) drawn into a [`Canvas`].
//!
//! plotters lays out the axes, tick marks, tick labels, grid lines and axis titles; [`PdfBackend`], a
//! plotters `DrawingBackend`, turns its pixel coordinates (origin top-left, [`UNITS`] per point) into
//! page points and draws everything through the canvas, so every label is real, selectable text in the
//! report's fonts. The y ticks are chosen here (3–5 intervals of 1, 2, 2.5 or 5 × 10ⁿ) and handed to
//! plotters through custom axis types, and all text is measured with the report's fonts, so plotters
//! never needs a font system of its own. The legend, the projection divider and its note are drawn
//! directly on the canvas, in space reserved above the plot.

use std::cell::Cell;
use std::convert::Infallible;
use std::ops::Range;
use std::rc::Rc;

use plotters::chart::ChartBuilder;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::drawing::IntoDrawingArea;
use plotters::element::{Circle, PathElement, Rectangle};
use plotters::style::{FontDesc, FontFamily, FontStyle, RGBAColor, RGBColor, ShapeStyle};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind, FontTransform,
};
use printpdf::{LineJoinStyle, Op};

use super::draw::{palette, Align, Canvas, Colour, TextStyle};
use super::fonts::Weight;

/// Area on the page in points: x = left edge, y = BOTTOM edge (PDF origin bottom-left).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChartArea {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

/// One line of a [`LineChart`].
pub struct LineSeries {
    /// Legend text.
    pub label: String,
    /// One value per category; `None` = no data (a gap in the line, no marker).
    pub values: Vec<Option<f64>>,
    pub colour: Colour,
    pub style: LineStyle,
}

/// How a line series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineStyle {
    /// A data line with round markers at its points.
    Solid,
    /// A reference line (baseline, target): dashed, no markers.
    Dashed,
}

/// A line chart over categories (quarters).
pub struct LineChart {
    /// x labels, e.g. `["2025-Q4", "2026-Q1", …]`; 1..=12 of them.
    pub categories: Vec<String>,
    pub series: Vec<LineSeries>,
    pub x_title: String,
    pub y_title: String,
    /// Formats the y tick labels (e.g. "$50K", "12.5%").
    pub y_label: Box<dyn Fn(f64) -> String>,
}

/// What a bar shows; selects its colour in [`BarChart::colours`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BarKind {
    Realized,
    Conservative,
    Expected,
}

/// The bars of one category, side by side.
pub struct BarGroup {
    pub category: String,
    pub bars: Vec<(BarKind, f64)>,
}

/// A grouped bar chart: realized quarters, then projected quarters (conservative and expected).
pub struct BarChart {
    pub groups: Vec<BarGroup>,
    /// Realized (solid brand colour), Conservative, Expected (lighter).
    pub colours: [Colour; 3],
    /// Legend entries to show, in order.
    pub legend: Vec<(BarKind, String)>,
    pub x_title: String,
    pub y_title: String,
    pub y_label: Box<dyn Fn(f64) -> String>,
    /// Index of the first projected group: a thin vertical divider is drawn before it, with
    /// [`BarChart::projected_note`] above.
    pub projected_from: Option<usize>,
    pub projected_note: String,
}

/// Draws `chart` into `area`: legend on top, then the plot with its axes.
pub fn draw_line_chart(canvas: &mut Canvas, area: ChartArea, chart: &LineChart) {
    let series: Vec<Vec<Option<f64>>> = chart
        .series
        .iter()
        .map(|s| (0..chart.categories.len()).map(|i| s.values.get(i).copied().flatten().and_then(clean)).collect())
        .collect();
    let values = series.iter().flatten().flatten().copied();
    let (lo, hi) = line_range(values);
    let legend = chart
        .series
        .iter()
        .filter(|s| !s.label.is_empty())
        .map(|s| LegendEntry { swatch: Swatch::Line(s.colour, s.style), label: s.label.clone() })
        .collect();
    let plan = Plan {
        categories: &chart.categories,
        x_title: &chart.x_title,
        y_title: &chart.y_title,
        ticks: readable_ticks(lo, hi, &*chart.y_label),
        y_label: &*chart.y_label,
        legend,
        note: None,
    };
    render(canvas, area, &plan, Content::Lines { series: &chart.series, values: &series });
}

/// Draws `chart` into `area`: legend on top, then the plot with its axes; bars start at 0.
pub fn draw_bar_chart(canvas: &mut Canvas, area: ChartArea, chart: &BarChart) {
    let categories: Vec<String> = chart.groups.iter().map(|g| g.category.clone()).collect();
    let values = chart.groups.iter().flat_map(|g| g.bars.iter().filter_map(|&(_, v)| clean(v)));
    let (lo, hi) = bar_range(values);
    let legend = chart
        .legend
        .iter()
        .filter(|(_, label)| !label.is_empty())
        .map(|(kind, label)| LegendEntry { swatch: Swatch::Box(chart.colours[*kind as usize]), label: label.clone() })
        .collect();
    let note = chart.projected_from.filter(|&i| i < chart.groups.len()).map(|i| (i, chart.projected_note.as_str()));
    let plan = Plan {
        categories: &categories,
        x_title: &chart.x_title,
        y_title: &chart.y_title,
        ticks: readable_ticks(lo, hi, &*chart.y_label),
        y_label: &*chart.y_label,
        legend,
        note,
    };
    render(canvas, area, &plan, Content::Bars(chart));
}

// ---------------------------------------------------------------------------------------------
// Styling and metrics

/// Backend units per point: plotters works in integer pixels, so lines land on 0.1 pt, not 1 pt.
const UNITS: f32 = 10.0;
const TICK_LABEL_SIZE: f32 = 7.5;
const TITLE_SIZE: f32 = 8.0;
const LEGEND_SIZE: f32 = 8.0;
const LEGEND_LINE: f32 = 12.0;
/// Text box used to place text by its anchor: top and bottom relative to the baseline, in ems,
/// and the middle of the capitals (vertical centring on grid lines).
const TEXT_TOP: f32 = 0.76;
const TEXT_BOTTOM: f32 = 0.22;
const TEXT_MIDDLE: f32 = 0.36;
/// Tick marks (points); plotters puts tick labels at twice this distance from the axis.
const TICK: f32 = 2.5;
/// Gap between tick labels and the axis title.
const TITLE_GAP: f32 = 4.0;
const LINE_WIDTH: f32 = 1.8;
const DASHED_WIDTH: f32 = 1.3;
const DASH: (f32, f32) = (4.0, 2.5);
const MARKER_RADIUS: f32 = 2.4;
/// The widest a bar gets (points), for charts with few categories.
const MAX_BAR: f32 = 36.0;
/// Values are clamped to this magnitude so spans and coordinates stay finite.
const MAX_VALUE: f64 = 1e15;

fn grid_colour() -> Colour {
    palette::RULE.lighten(0.45)
}

fn axis_colour() -> Colour {
    palette::RULE
}

fn muted(size: f32) -> TextStyle {
    TextStyle::new(size, Weight::Regular, palette::MUTED)
}

fn text_height(size: f32) -> f32 {
    (TEXT_TOP + TEXT_BOTTOM) * size
}

/// A finite value, clamped to a sane magnitude.
fn clean(v: f64) -> Option<f64> {
    v.is_finite().then(|| v.clamp(-MAX_VALUE, MAX_VALUE))
}

fn rgb(c: Colour) -> RGBColor {
    let byte = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    RGBColor(byte(c.r), byte(c.g), byte(c.b))
}

fn shape(c: Colour, width_pt: f32, filled: bool) -> ShapeStyle {
    let RGBColor(r, g, b) = rgb(c);
    ShapeStyle { color: RGBAColor(r, g, b, 1.0), filled, stroke_width: units(width_pt).max(1) as u32 }
}

fn font(size_pt: f32, colour: Colour) -> plotters::style::TextStyle<'static> {
    FontDesc::new(FontFamily::SansSerif, f64::from(size_pt * UNITS), FontStyle::Normal).color(&rgb(colour))
}

fn units(pt: f32) -> i32 {
    (pt * UNITS).round() as i32
}

// ---------------------------------------------------------------------------------------------
// Value ranges and ticks

/// y range of a line chart: the data padded by 10 % (not crossing 0 when the data does not).
fn line_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let Some((min, max)) = min_max(values) else { return (0.0, 1.0) };
    let span = max - min;
    let magnitude = min.abs().max(max.abs());
    let (mut lo, mut hi) = if span <= magnitude * 1e-9 || span < 1e-12 {
        let pad = if magnitude > 1e-12 { magnitude * 0.1 } else { 1.0 };
        (min - pad, max + pad)
    } else {
        (min - span * 0.1, max + span * 0.1)
    };
    if min >= 0.0 && lo < 0.0 {
        lo = 0.0;
    }
    if max <= 0.0 && hi > 0.0 {
        hi = 0.0;
    }
    (lo, hi)
}

/// y range of a bar chart: always includes 0, where the bars start.
fn bar_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (min, max) = min_max(values).unwrap_or((0.0, 0.0));
    let (lo, hi) = (min.min(0.0), max.max(0.0));
    if hi - lo < 1e-12 {
        (0.0, 1.0)
    } else {
        (lo, hi)
    }
}

fn min_max(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// Tick positions: `lo` and `hi` are the first and last tick.
#[derive(Debug, Clone, PartialEq)]
struct Ticks {
    lo: f64,
    hi: f64,
    values: Vec<f64>,
}

/// "Nice" ticks covering `[min, max]` (min < max, both finite): 3–5 intervals of 1, 2, 2.5 or 5 × 10ⁿ,
/// preferring the one that wastes the least space.
fn nice_ticks(min: f64, max: f64) -> Ticks {
    let span = max - min;
    if !(span.is_finite() && span > 0.0) {
        let v = if min.is_finite() { min } else { 0.0 };
        return Ticks { lo: v - 1.0, hi: v + 1.0, values: vec![v - 1.0, v, v + 1.0] };
    }
    let exponent = (span / 4.0).log10().floor() as i32;
    // (mantissa, exponent): the step is mantissa × 10^exponent, computed so tick values are exact decimals.
    let mut best: Option<(f64, i64, i64, i64, i32)> = None;
    for e in exponent - 1..=exponent + 1 {
        for (m, e) in [(1, e), (2, e), (25, e - 1), (5, e)] {
            let step = decimal(m, e);
            if !(step.is_finite() && step > 0.0) {
                continue;
            }
            let first = (min / step + 1e-9).floor();
            let last = (max / step - 1e-9).ceil();
            let intervals = last - first;
            if !(3.0..=5.0).contains(&intervals) {
                continue;
            }
            let waste = (intervals * step - span) / (intervals * step);
            let cost = waste + if intervals == 3.0 { 0.12 } else { 0.0 } + if m == 25 { 0.08 } else { 0.0 };
            if best.is_none_or(|b| cost < b.0) {
                best = Some((cost, first as i64, last as i64, m, e));
            }
        }
    }
    match best {
        Some((_, first, last, m, e)) => {
            let values: Vec<f64> = (first..=last).map(|i| decimal(i * m, e)).collect();
            Ticks { lo: values[0], hi: values[values.len() - 1], values }
        }
        None => {
            let values: Vec<f64> = (0..=4).map(|i| min + span * f64::from(i) / 4.0).collect();
            Ticks { lo: min, hi: max, values }
        }
    }
}

/// [`nice_ticks`], made coarser (down to a single interval) while the formatter gives two ticks the
/// same label, as with "$0K" for every tick of a chart without data.
fn readable_ticks(min: f64, max: f64, label: &dyn Fn(f64) -> String) -> Ticks {
    let distinct = |t: &Ticks| t.values.windows(2).all(|w| label(w[0]) != label(w[1]));
    let ticks = nice_ticks(min, max);
    if distinct(&ticks) || ticks.values.len() < 2 {
        return ticks;
    }
    let current = ticks.values[1] - ticks.values[0];
    let mut e = current.log10().floor() as i32;
    for _ in 0..40 {
        for m in [1, 2, 5] {
            let step = decimal(m, e);
            if !(step.is_finite() && step > current * (1.0 + 1e-9)) {
                continue;
            }
            let first = (min / step + 1e-9).floor();
            let last = (max / step - 1e-9).ceil().max(first + 1.0);
            let values: Vec<f64> = (first as i64..=last as i64).map(|i| decimal(i * m, e)).collect();
            let coarser = Ticks { lo: values[0], hi: values[values.len() - 1], values };
            if distinct(&coarser) {
                return coarser;
            }
        }
        e += 1;
    }
    ticks
}

/// `m × 10^e`, as the closest double to the decimal value.
fn decimal(m: i64, e: i32) -> f64 {
    if e >= 0 {
        m as f64 * 10f64.powi(e)
    } else {
        m as f64 / 10f64.powi(-e)
    }
}

// ---------------------------------------------------------------------------------------------
// Axes for plotters

/// The value axis: linear between the first and last tick; its key points are exactly the ticks
/// (no light grid lines).
#[derive(Clone)]
struct ValueAxis {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl Ranged for ValueAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        map_linear(*value, self.lo, self.hi, limit)
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// The category axis: category `i` sits at the middle of slot `i` (coordinate `i`, range −0.5..n−0.5);
/// every `every`-th category is labelled, counting back from the last (the latest quarter).
#[derive(Clone)]
struct CategoryAxis {
    count: usize,
    every: usize,
}

impl Ranged for CategoryAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        map_linear(*value, -0.5, self.count as f64 - 0.5, limit)
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            let every = self.every.max(1);
            (0..self.count).filter(|i| (self.count - 1 - i) % every == 0).map(|i| i as f64).collect()
        }
    }

    fn range(&self) -> Range<f64> {
        -0.5..self.count as f64 - 0.5
    }
}

fn map_linear(value: f64, lo: f64, hi: f64, limit: (i32, i32)) -> i32 {
    let span = hi - lo;
    let t = if span > 0.0 && value.is_finite() { ((value - lo) / span).clamp(-1.0, 2.0) } else { 0.5 };
    (f64::from(limit.0) + t * f64::from(limit.1 - limit.0)).round() as i32
}

// ---------------------------------------------------------------------------------------------
// The backend

/// A plotters backend drawing into a [`Canvas`]: backend pixel `(x, y)` (origin top-left of the
/// chart area) is the page point `(left + x / UNITS, top − y / UNITS)`.
struct PdfBackend<'c, 'f> {
    canvas: &'c mut Canvas<'f>,
    left: f32,
    top: f32,
    size: (u32, u32),
    /// Dash pattern (on, off in points) for the paths drawn while it is set.
    dash: Rc<Cell<Option<(f32, f32)>>>,
    /// Texts plotters draws shortened with "…" (the axis titles), with their whole text for the
    /// text layer (/ActualText).
    shortened: Vec<(String, String)>,
}

type BackendResult = Result<(), DrawingErrorKind<Infallible>>;

impl PdfBackend<'_, '_> {
    fn point(&self, (x, y): BackendCoord) -> (f32, f32) {
        (self.left + x as f32 / UNITS, self.top - y as f32 / UNITS)
    }
}

/// The colour as painted on white; `None` if fully transparent.
fn paint(colour: BackendColor) -> Option<Colour> {
    let alpha = if colour.alpha.is_finite() { colour.alpha.clamp(0.0, 1.0) as f32 } else { 1.0 };
    (alpha > 0.0).then(|| Colour::rgb(colour.rgb.0, colour.rgb.1, colour.rgb.2).lighten(1.0 - alpha))
}

fn stroke_width<S: BackendStyle>(style: &S) -> f32 {
    style.stroke_width().max(1) as f32 / UNITS
}

impl DrawingBackend for PdfBackend<'_, '_> {
    type ErrorType = Infallible;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> BackendResult {
        Ok(())
    }

    fn present(&mut self) -> BackendResult {
        Ok(())
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> BackendResult {
        if let Some(colour) = paint(color) {
            let (x, y) = self.point(point);
            let pixel = 1.0 / UNITS;
            self.canvas.fill_rect(x, y - pixel, pixel, pixel, colour);
        }
        Ok(())
    }

    fn draw_line<S: BackendStyle>(&mut self, from: BackendCoord, to: BackendCoord, style: &S) -> BackendResult {
        self.draw_path([from, to], style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> BackendResult {
        let Some(colour) = paint(style.color()) else { return Ok(()) };
        let (x0, y0) = self.point(upper_left);
        let (x1, y1) = self.point(bottom_right);
        let (x, y, w, h) = (x0.min(x1), y0.min(y1), (x1 - x0).abs(), (y1 - y0).abs());
        if fill {
            self.canvas.fill_rect(x, y, w, h, colour);
        } else {
            self.canvas.stroke_rect(x, y, w, h, colour, stroke_width(style));
        }
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> BackendResult {
        let Some(colour) = paint(style.color()) else { return Ok(()) };
        let points: Vec<(f32, f32)> = path.into_iter().map(|p| self.point(p)).collect();
        if points.len() < 2 {
            return Ok(());
        }
        self.canvas.ops.push(Op::SaveGraphicsState);
        self.canvas.ops.push(Op::SetLineJoinStyle { join: LineJoinStyle::Round });
        self.canvas.polyline(&points, colour, stroke_width(style), self.dash.get(), false);
        self.canvas.ops.push(Op::RestoreGraphicsState);
        Ok(())
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> BackendResult {
        if let Some(colour) = paint(style.color()) {
            let points: Vec<(f32, f32)> = vert.into_iter().map(|p| self.point(p)).collect();
            self.canvas.fill_polygon(&points, colour);
        }
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> BackendResult {
        let Some(colour) = paint(style.color()) else { return Ok(()) };
        let (cx, cy) = self.point(center);
        let r = radius as f32 / UNITS;
        let stroke = if fill { None } else { Some(stroke_width(style)) };
        self.canvas.circle(cx, cy, r, colour, stroke);
        Ok(())
    }

    fn draw_text<T: BackendTextStyle>(&mut self, text: &str, style: &T, pos: BackendCoord) -> BackendResult {
        let Some(colour) = paint(style.color()) else { return Ok(()) };
        let size = style.size() as f32 / UNITS;
        if !(size.is_finite() && size > 0.0) {
            return Ok(());
        }
        let weight = if matches!(style.style(), FontStyle::Bold) { Weight::Bold } else { Weight::Regular };
        let text_style = TextStyle::new(size, weight, colour);
        let anchor = style.anchor();
        let align = match anchor.h_pos {
            HPos::Left => Align::Left,
            HPos::Center => Align::Centre,
            HPos::Right => Align::Right,
        };
        // From the anchor to the baseline, along the text's "up" direction.
        let rise = match anchor.v_pos {
            VPos::Top => -TEXT_TOP * size,
            VPos::Center => -TEXT_MIDDLE * size,
            VPos::Bottom => TEXT_BOTTOM * size,
        };
        let (x, y) = self.point(pos);
        let full = self.shortened.iter().find(|(shown, _)| shown == text).map_or(text, |(_, full)| full.as_str());
        let full = full.to_string();
        self.canvas.actual_text(text, &full, |canvas| match style.transform() {
            // Vertical text reads upwards (the canvas has no downward text); its "up" is page left.
            FontTransform::Rotate90 | FontTransform::Rotate270 => {
                canvas.text_rotated(text, x - rise, y, text_style, align, true)
            }
            FontTransform::None | FontTransform::Rotate180 => canvas.text(text, x, y + rise, text_style, align),
        });
        Ok(())
    }

    fn estimate_text_size<T: BackendTextStyle>(
        &self,
        text: &str,
        style: &T,
    ) -> Result<(u32, u32), DrawingErrorKind<Infallible>> {
        let size = style.size() as f32 / UNITS;
        if !(size.is_finite() && size > 0.0) {
            return Ok((0, 0));
        }
        let weight = if matches!(style.style(), FontStyle::Bold) { Weight::Bold } else { Weight::Regular };
        let width = self.canvas.width(text, TextStyle::new(size, weight, palette::TEXT));
        Ok(((width * UNITS).ceil().max(0.0) as u32, (text_height(size) * UNITS).ceil() as u32))
    }
}

// ---------------------------------------------------------------------------------------------
// Layout and drawing

/// What the two chart kinds have in common.
struct Plan<'a> {
    categories: &'a [String],
    x_title: &'a str,
    y_title: &'a str,
    ticks: Ticks,
    y_label: &'a dyn Fn(f64) -> String,
    legend: Vec<LegendEntry>,
    /// Index of the first projected category and the note above the divider.
    note: Option<(usize, &'a str)>,
}

enum Content<'a> {
    Lines { series: &'a [LineSeries], values: &'a [Vec<Option<f64>>] },
    Bars(&'a BarChart),
}

struct LegendEntry {
    swatch: Swatch,
    label: String,
}

#[derive(Clone, Copy)]
enum Swatch {
    Line(Colour, LineStyle),
    Box(Colour),
}

impl Swatch {
    fn width(self) -> f32 {
        match self {
            Swatch::Line(..) => 16.0,
            Swatch::Box(_) => 8.0,
        }
    }
}

const SWATCH_GAP: f32 = 4.0;
const ENTRY_GAP: f32 = 14.0;

/// Where everything goes, in points.
struct Geometry {
    /// Plot rectangle: left, bottom, width, height.
    plot: (f32, f32, f32, f32),
    y_area: f32,
    x_area: f32,
    top: f32,
    right: f32,
    /// Every how many categories an x label is shown.
    every: usize,
    /// Legend lines: per entry its index in `plan.legend`, its x and its label (shortened to fit).
    legend: Vec<Vec<(usize, f32, String)>>,
    /// Axis titles, shortened with "…" to the plot's width (x) and height (y, turned upwards).
    x_title: String,
    y_title: String,
}

fn geometry(canvas: &Canvas, area: ChartArea, plan: &Plan) -> Option<Geometry> {
    let finite = [area.x, area.y, area.width, area.height].iter().all(|v| v.is_finite());
    if !finite || area.width < 40.0 || area.height < 40.0 {
        return None;
    }
    let tick_style = muted(TICK_LABEL_SIZE);
    let label_dist = 2.0 * TICK;

    // Left: y title, gap, tick labels, tick.
    let y_label_width =
        plan.ticks.values.iter().map(|&v| canvas.width(&(plan.y_label)(v), tick_style)).fold(0.0f32, f32::max);
    let y_title = if plan.y_title.is_empty() { 0.0 } else { text_height(TITLE_SIZE) + TITLE_GAP };
    let mut y_area = y_title + y_label_width + label_dist;

    // Bottom: tick, labels, gap, x title.
    let x_title = if plan.x_title.is_empty() { 0.0 } else { TITLE_GAP + text_height(TITLE_SIZE) };
    let x_area = label_dist + text_height(TICK_LABEL_SIZE) + x_title + 1.0;

    // x labels: thin them out until they fit their slots.
    let count = plan.categories.len().max(1);
    let widths: Vec<f32> = plan.categories.iter().map(|c| canvas.width(c, tick_style)).collect();
    let widest = widths.iter().copied().fold(0.0f32, f32::max);
    let mut right = 8.0f32;
    let estimate = (area.width - y_area - right).max(1.0) / count as f32;
    let every = (((widest + 6.0) / estimate).ceil() as usize).clamp(1, count);
    // The first and last labels may be wider than their slots: make room at the sides.
    let first_labelled = (count - 1) % every;
    if let Some(&first) = widths.get(first_labelled) {
        let slots_left = first_labelled as f32 * estimate;
        y_area = y_area.max(first / 2.0 - estimate / 2.0 - slots_left + 2.0);
    }
    if let Some(&last) = widths.last() {
        right = right.max(last / 2.0 - estimate / 2.0 + 2.0);
    }

    // Legend lines, starting at the plot's left edge, or the area's if the plot is narrow or an
    // entry would not fit; an entry too wide even for the whole width is shortened.
    let legend_style = muted(LEGEND_SIZE);
    let legend_right = area.x + area.width;
    let entry_width =
        |entry: &LegendEntry| entry.swatch.width() + SWATCH_GAP + canvas.width(&entry.label, legend_style);
    let plot_left = area.x + y_area;
    let fits_from_plot = plan.legend.iter().all(|e| entry_width(e) <= legend_right - plot_left);
    let legend_left = if area.width - y_area > 200.0 && fits_from_plot { plot_left } else { area.x };
    let mut legend: Vec<Vec<(usize, f32, String)>> = Vec::new();
    let mut x = legend_left;
    for (i, entry) in plan.legend.iter().enumerate() {
        let room = legend_right - legend_left - entry.swatch.width() - SWATCH_GAP;
        let label = shorten(canvas, &entry.label, legend_style, room);
        let width = entry.swatch.width() + SWATCH_GAP + canvas.width(&label, legend_style);
        if legend.is_empty() || (x + width > legend_right && x > legend_left) {
            legend.push(Vec::new());
            x = legend_left;
        }
        legend.last_mut().expect("pushed").push((i, x, label));
        x += width + ENTRY_GAP;
    }
    let legend_height = if legend.is_empty() { 0.0 } else { legend.len() as f32 * LEGEND_LINE + 2.0 };
    let note_height = if plan.note.is_some() { 12.0 } else { 0.0 };
    // Room for the top tick label, centred on the top grid line.
    let top = legend_height + note_height + TICK_LABEL_SIZE * 0.6;

    let plot_width = area.width - y_area - right;
    let plot_height = area.height - top - x_area;
    if plot_width < 10.0 || plot_height < 10.0 {
        return None;
    }
    Some(Geometry {
        plot: (area.x + y_area, area.y + x_area, plot_width, plot_height),
        y_area,
        x_area,
        top,
        right,
        every,
        legend,
        x_title: shorten(canvas, plan.x_title, axis_title_style(), plot_width),
        y_title: shorten(canvas, plan.y_title, axis_title_style(), plot_height),
    })
}

fn axis_title_style() -> TextStyle {
    TextStyle::new(TITLE_SIZE, Weight::Regular, palette::MUTED)
}

/// `text`, cut (at a word boundary when one fits) and ended with "…" if it is wider than `max`.
fn shorten(canvas: &Canvas, text: &str, style: TextStyle, max: f32) -> String {
    super::text::ellipsize(canvas.fonts, text, style.weight, style.size, max)
}

fn render(canvas: &mut Canvas, area: ChartArea, plan: &Plan, content: Content) {
    let Some(geo) = geometry(canvas, area, plan) else { return };
    let dash = Rc::new(Cell::new(None));
    {
        let backend = PdfBackend {
            canvas: &mut *canvas,
            left: area.x,
            top: area.y + area.height,
            size: (units(area.width).max(1) as u32, units(area.height).max(1) as u32),
            dash: Rc::clone(&dash),
            shortened: [(&geo.x_title, plan.x_title), (&geo.y_title, plan.y_title)]
                .into_iter()
                .filter(|(shown, full)| shown.as_str() != *full)
                .map(|(shown, full)| (shown.clone(), full.to_string()))
                .collect(),
        };
        let root = backend.into_drawing_area();
        // The backend cannot fail; a layout error from plotters leaves the chart incomplete rather
        // than failing the report.
        let _ = plot(&root, plan, &geo, &content, &dash);
    }
    let (plot_left, plot_bottom, plot_width, plot_height) = geo.plot;
    let plot_top = plot_bottom + plot_height;
    let slot = plot_width / plan.categories.len().max(1) as f32;

    // The projection divider and its note.
    if let Some((index, note)) = plan.note {
        let x = plot_left + slot * index as f32;
        // Before the first category the y axis is the divider.
        if index > 0 {
            let colour = palette::MUTED.lighten(0.35);
            canvas.polyline(&[(x, plot_bottom), (x, plot_top + 10.0)], colour, 0.6, Some((2.0, 2.0)), false);
        }
        // Right of the divider, or left of it if it would not fit there.
        let style = muted(TICK_LABEL_SIZE);
        if x + 4.0 + canvas.width(note, style) <= area.x + area.width {
            canvas.text(note, x + 4.0, plot_top + 4.0, style, Align::Left);
        } else {
            canvas.text(note, x - 4.0, plot_top + 4.0, style, Align::Right);
        }
    }

    // The legend.
    let legend_style = muted(LEGEND_SIZE);
    let first_baseline = area.y + area.height - TEXT_TOP * LEGEND_SIZE - 1.0;
    for (line, entries) in geo.legend.iter().enumerate() {
        let baseline = first_baseline - line as f32 * LEGEND_LINE;
        let middle = baseline + TEXT_MIDDLE * LEGEND_SIZE;
        for (i, x, label) in entries {
            let (x, entry) = (*x, &plan.legend[*i]);
            match entry.swatch {
                Swatch::Line(colour, LineStyle::Solid) => {
                    canvas.line(x, middle, x + 16.0, middle, colour, LINE_WIDTH);
                    canvas.fill_polygon(&circle(x + 8.0, middle, MARKER_RADIUS + 0.8), palette::WHITE);
                    canvas.fill_polygon(&circle(x + 8.0, middle, MARKER_RADIUS), colour);
                }
                Swatch::Line(colour, LineStyle::Dashed) => {
                    canvas.polyline(&[(x, middle), (x + 16.0, middle)], colour, DASHED_WIDTH, Some((3.5, 2.0)), false);
                }
                Swatch::Box(colour) => canvas.fill_rect(x, middle - 3.5, 7.0, 7.0, colour),
            }
            let left = x + entry.swatch.width() + SWATCH_GAP;
            canvas.text_shortened(label, &entry.label, left, baseline, legend_style, Align::Left);
        }
    }
}

fn circle(cx: f32, cy: f32, r: f32) -> Vec<(f32, f32)> {
    (0..32)
        .map(|i| {
            let a = i as f32 / 32.0 * std::f32::consts::TAU;
            (cx + r * a.cos(), cy + r * a.sin())
        })
        .collect()
}

type DrawResult = Result<(), plotters::drawing::DrawingAreaErrorKind<Infallible>>;

fn plot(
    root: &plotters::drawing::DrawingArea<PdfBackend, plotters::coord::Shift>,
    plan: &Plan,
    geo: &Geometry,
    content: &Content,
    dash: &Cell<Option<(f32, f32)>>,
) -> DrawResult {
    let count = plan.categories.len().max(1);
    let x_axis = CategoryAxis { count, every: geo.every };
    let y_axis = ValueAxis { lo: plan.ticks.lo, hi: plan.ticks.hi, ticks: plan.ticks.values.clone() };
    let mut chart = ChartBuilder::on(root)
        .margin_top(units(geo.top))
        .margin_right(units(geo.right))
        .margin_left(0)
        .margin_bottom(0)
        .x_label_area_size(units(geo.x_area))
        .y_label_area_size(units(geo.y_area))
        .build_cartesian_2d(x_axis, y_axis)?;

    let x_format = |v: &f64| {
        let i = v.round();
        if i >= 0.0 {
            plan.categories.get(i as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    let y_format = |v: &f64| (plan.y_label)(*v);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .bold_line_style(shape(grid_colour(), 0.5, false))
        .light_line_style(shape(palette::WHITE, 0.1, false))
        .axis_style(shape(axis_colour(), 0.7, false))
        .set_all_tick_mark_size(units(TICK))
        .label_style(font(TICK_LABEL_SIZE, palette::MUTED))
        .axis_desc_style(font(TITLE_SIZE, palette::MUTED))
        .x_label_formatter(&x_format)
        .y_label_formatter(&y_format)
        .x_desc(geo.x_title.as_str())
        .y_desc(geo.y_title.as_str())
        .draw()?;

    // A visible zero line when the axis goes below zero.
    let (lo, hi) = (plan.ticks.lo, plan.ticks.hi);
    if lo < 0.0 && hi >= 0.0 {
        let zero = shape(palette::MUTED.lighten(0.3), 0.7, false);
        chart.draw_series(std::iter::once(PathElement::new(vec![(-0.5, 0.0), (count as f64 - 0.5, 0.0)], zero)))?;
    }

    match content {
        Content::Bars(bars) => {
            // Bar widths as fractions of a category slot; no bar wider than MAX_BAR points.
            let slot = f64::from(geo.plot.2) / count as f64;
            let shrink = (f64::from(MAX_BAR) / (0.5 * slot)).min(1.0);
            for (i, group) in bars.groups.iter().enumerate() {
                let n = group.bars.len();
                if n == 0 {
                    continue;
                }
                let gap = 0.04 * shrink;
                let width = shrink * if n == 1 { 0.5 } else { (0.72 - 0.04 * (n - 1) as f64) / n as f64 };
                let total = width * n as f64 + gap * (n - 1) as f64;
                let start = i as f64 - total / 2.0;
                for (j, &(kind, value)) in group.bars.iter().enumerate() {
                    let Some(value) = clean(value) else { continue };
                    let x0 = start + j as f64 * (width + gap);
                    let style = shape(bars.colours[kind as usize], 0.1, true);
                    chart.draw_series(std::iter::once(Rectangle::new([(x0, 0.0), (x0 + width, value)], style)))?;
                }
            }
        }
        Content::Lines { series, values } => {
            // Reference lines first, then data lines, then markers on top.
            for pass in [LineStyle::Dashed, LineStyle::Solid] {
                for (s, points) in series.iter().zip(values.iter()) {
                    if s.style != pass {
                        continue;
                    }
                    for run in runs(points) {
                        let mut path: Vec<(f64, f64)> = run.iter().map(|&(i, v)| (i as f64, v)).collect();
                        if s.style == LineStyle::Dashed && path.len() == 1 {
                            // A lone reference value: a short level mark.
                            let (x, v) = path[0];
                            path = vec![(x - 0.3, v), (x + 0.3, v)];
                        }
                        if path.len() < 2 {
                            continue;
                        }
                        let (width, pattern) = match s.style {
                            LineStyle::Solid => (LINE_WIDTH, None),
                            LineStyle::Dashed => (DASHED_WIDTH, Some(DASH)),
                        };
                        dash.set(pattern);
                        let drawn =
                            chart.draw_series(std::iter::once(PathElement::new(path, shape(s.colour, width, false))));
                        dash.set(None);
                        drawn?;
                    }
                }
            }
            for (s, points) in series.iter().zip(values.iter()) {
                if s.style != LineStyle::Solid {
                    continue;
                }
                let markers = points.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i as f64, v)));
                for point in markers {
                    chart.draw_series([
                        Circle::new(point, units(MARKER_RADIUS + 0.8), shape(palette::WHITE, 0.1, true)),
                        Circle::new(point, units(MARKER_RADIUS), shape(s.colour, 0.1, true)),
                    ])?;
                }
            }
        }
    }
    Ok(())
}

/// Maximal runs of consecutive values.
fn runs(values: &[Option<f64>]) -> Vec<Vec<(usize, f64)>> {
    let mut runs: Vec<Vec<(usize, f64)>> = Vec::new();
    let mut current: Vec<(usize, f64)> = Vec::new();
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => current.push((i, *v)),
            None if !current.is_empty() => runs.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fonts::FontSet;
    use printpdf::{Op, TextMatrix};

    const AREA: ChartArea = ChartArea { x: 60.0, y: 300.0, width: 470.0, height: 210.0 };
    const TOLERANCE: f32 = 3.0;

    fn quarters(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("{}-Q{}", 2025 + i.div_ceil(4), (i + 3) % 4 + 1)).collect()
    }

    fn money(v: f64) -> String {
        if v.abs() >= 1e6 {
            format!("${:.1}M", v / 1e6)
        } else {
            format!("${:.0}K", v / 1e3)
        }
    }

    fn line_chart(categories: Vec<String>, series: Vec<(&str, Vec<Option<f64>>, LineStyle)>) -> LineChart {
        let colours = [palette::BLUE, palette::NEUTRAL, palette::GOOD];
        LineChart {
            categories,
            series: series
                .into_iter()
                .enumerate()
                .map(|(i, (label, values, style))| LineSeries {
                    label: label.to_string(),
                    values,
                    colour: colours[i % 3],
                    style,
                })
                .collect(),
            x_title: "Quarter".into(),
            y_title: "Hours per month".into(),
            y_label: Box::new(|v| format!("{v:.0} h")),
        }
    }

    fn bar_chart(realized: &[f64], projected: &[(f64, f64)], y_label: Box<dyn Fn(f64) -> String>) -> BarChart {
        let categories = quarters(realized.len() + projected.len());
        let mut groups: Vec<BarGroup> = realized
            .iter()
            .zip(&categories)
            .map(|(&v, c)| BarGroup { category: c.clone(), bars: vec![(BarKind::Realized, v)] })
            .collect();
        for (&(c, e), category) in projected.iter().zip(&categories[realized.len()..]) {
            groups.push(BarGroup {
                category: category.clone(),
                bars: vec![(BarKind::Conservative, c), (BarKind::Expected, e)],
            });
        }
        BarChart {
            groups,
            colours: [palette::BLUE, palette::BLUE.lighten(0.45), palette::BLUE.lighten(0.7)],
            legend: vec![
                (BarKind::Realized, "Realized value".into()),
                (BarKind::Conservative, "Projected (conservative)".into()),
                (BarKind::Expected, "Projected (expected)".into()),
            ],
            x_title: "Quarter".into(),
            y_title: "Value per quarter".into(),
            y_label,
            projected_from: Some(realized.len()),
            projected_note: "Projected".into(),
        }
    }

    /// All text shown, and every coordinate checked to be finite and inside the area.
    fn inspect(canvas: &Canvas, area: ChartArea) -> Vec<String> {
        let mut texts = Vec::new();
        let mut current = String::new();
        let check = |x: f32, y: f32, what: &str| {
            assert!(x.is_finite() && y.is_finite(), "{what}: non-finite ({x}, {y})");
            assert!(
                x >= area.x - TOLERANCE
                    && x <= area.x + area.width + TOLERANCE
                    && y >= area.y - TOLERANCE
                    && y <= area.y + area.height + TOLERANCE,
                "{what}: ({x}, {y}) outside {area:?}"
            );
        };
        for op in &canvas.ops {
            match op {
                Op::DrawLine { line } => line.points.iter().for_each(|p| check(p.p.x.0, p.p.y.0, "line")),
                Op::DrawPolygon { polygon } => {
                    polygon.rings.iter().flat_map(|r| &r.points).for_each(|p| check(p.p.x.0, p.p.y.0, "polygon"))
                }
                Op::DrawRectangle { rectangle: r } => {
                    assert!(r.width.0 >= 0.0 && r.height.0 >= 0.0, "rectangle {r:?}");
                    check(r.x.0, r.y.0, "rectangle");
                    check(r.x.0 + r.width.0, r.y.0 + r.height.0, "rectangle");
                }
                Op::SetTextCursor { pos } => check(pos.x.0, pos.y.0, "text"),
                Op::SetTextMatrix { matrix: TextMatrix::TranslateRotate(x, y, _) } => check(x.0, y.0, "rotated text"),
                Op::SetTextMatrix { matrix } => panic!("unexpected text matrix {matrix:?}"),
                Op::SetOutlineThickness { pt } => assert!(pt.0.is_finite() && pt.0 > 0.0),
                Op::ShowText { items } => current.push_str(&crate::render::draw::shown_text(items)),
                Op::EndTextSection => texts.push(std::mem::take(&mut current)),
                _ => {}
            }
        }
        texts
    }

    fn draw_line(chart: &LineChart) -> Vec<String> {
        let mut canvas = Canvas::new(FontSet::shared());
        draw_line_chart(&mut canvas, AREA, chart);
        inspect(&canvas, AREA)
    }

    fn draw_bars(chart: &BarChart) -> Vec<String> {
        let mut canvas = Canvas::new(FontSet::shared());
        draw_bar_chart(&mut canvas, AREA, chart);
        inspect(&canvas, AREA)
    }

    fn has(texts: &[String], text: &str) -> bool {
        texts.iter().any(|t| t == text)
    }

    #[test]
    fn line_chart_has_ticks_titles_and_legend_inside_the_area() {
        let chart = line_chart(
            quarters(6),
            vec![
                (
                    "Hours saved",
                    vec![Some(120.0), Some(180.0), None, Some(260.0), Some(300.0), Some(310.0)],
                    LineStyle::Solid,
                ),
                ("Baseline", vec![Some(100.0); 6], LineStyle::Dashed),
                ("Target", vec![Some(350.0); 6], LineStyle::Dashed),
            ],
        );
        let texts = draw_line(&chart);
        for expected in ["Quarter", "Hours per month", "Hours saved", "Baseline", "Target", "2025-Q4", "2026-Q4"] {
            assert!(has(&texts, expected), "{expected:?} missing from {texts:?}");
        }
        // y ticks: 4–6 labels, covering 100..350 (e.g. 50 h … 400 h).
        let ticks: Vec<&String> = texts.iter().filter(|t| t.ends_with(" h")).collect();
        assert!((4..=6).contains(&ticks.len()), "{ticks:?}");
        let tick_values: Vec<f64> = ticks.iter().map(|t| t.trim_end_matches(" h").parse().expect("number")).collect();
        assert!(tick_values[0] <= 100.0 && *tick_values.last().expect("ticks") >= 350.0, "{tick_values:?}");
    }

    #[test]
    fn line_chart_gap_splits_the_line_and_has_no_marker() {
        let values = vec![Some(1.0), Some(2.0), None, Some(4.0), Some(5.0)];
        assert_eq!(runs(&values).len(), 2);
        let chart = line_chart(quarters(5), vec![("Savings", values, LineStyle::Solid)]);
        let mut canvas = Canvas::new(FontSet::shared());
        draw_line_chart(&mut canvas, AREA, &chart);
        // Two markers (a white ring and a dot) per value; the legend swatch has one more pair.
        let polygons = canvas.ops.iter().filter(|op| matches!(op, Op::DrawPolygon { .. })).count();
        assert_eq!(polygons, 2 * 4 + 2);
        // Two thick data paths.
        let thick = canvas
            .ops
            .iter()
            .filter(|op| matches!(op, Op::SetOutlineThickness { pt } if (pt.0 - LINE_WIDTH).abs() < 0.05))
            .count();
        assert_eq!(thick, 2 + 1, "two runs and the legend swatch");
    }

    #[test]
    fn bar_chart_has_ticks_titles_legend_and_projection_note() {
        let chart = bar_chart(
            &[42_000.0, 51_000.0, 48_500.0, 60_000.0],
            &[(58_000.0, 66_000.0), (60_000.0, 70_000.0), (61_000.0, 74_000.0), (63_000.0, 78_000.0)],
            Box::new(money),
        );
        let texts = draw_bars(&chart);
        for expected in
            ["$0K", "Quarter", "Value per quarter", "Realized value", "Projected (expected)", "Projected", "2026-Q3"]
        {
            assert!(has(&texts, expected), "{expected:?} missing from {texts:?}");
        }
        let ticks = texts.iter().filter(|t| t.starts_with('$')).count();
        assert!((4..=6).contains(&ticks), "{texts:?}");
    }

    #[test]
    fn bars_start_at_zero_and_negative_bars_go_below_it() {
        let chart = bar_chart(&[-20_000.0, 15_000.0, 30_000.0], &[(10_000.0, 25_000.0)], Box::new(money));
        let mut canvas = Canvas::new(FontSet::shared());
        draw_bar_chart(&mut canvas, AREA, &chart);
        let texts = inspect(&canvas, AREA);
        assert!(has(&texts, "$0K") && has(&texts, "$-20K"), "{texts:?}");
        // All bars share one edge: the zero line.
        let rects: Vec<(f32, f32)> = canvas
            .ops
            .iter()
            .filter_map(|op| match op {
                Op::DrawRectangle { rectangle: r } if r.width.0 > 7.5 && r.height.0 > 0.0 => {
                    Some((r.y.0, r.y.0 + r.height.0))
                }
                _ => None,
            })
            .collect();
        assert_eq!(rects.len(), 5, "{rects:?}");
        let zero = rects[1].0;
        assert!((rects[0].1 - zero).abs() < 0.2, "negative bar ends at zero: {rects:?}");
        assert!(rects[1..].iter().all(|r| (r.0 - zero).abs() < 0.2), "{rects:?}");
    }

    #[test]
    fn degenerate_inputs_draw_without_panicking() {
        let yen = |v: f64| format!("¥{:.0}", v);
        // All equal, all None, a single category, negatives, very large values, Japanese text.
        let cases: Vec<(Vec<String>, Vec<Option<f64>>)> = vec![
            (quarters(4), vec![Some(5.0); 4]),
            (quarters(4), vec![Some(0.0); 4]),
            (quarters(4), vec![None; 4]),
            (quarters(1), vec![Some(3.0)]),
            (quarters(1), vec![None]),
            (quarters(5), vec![Some(-3.0), Some(-1.0), None, Some(2.0), Some(-7.5)]),
            (
                quarters(12),
                vec![
                    Some(16_669_000.0),
                    Some(12_000_000.0),
                    Some(1.0),
                    None,
                    Some(9e14),
                    Some(1e300),
                    Some(f64::NAN),
                    Some(f64::INFINITY),
                    None,
                    None,
                    None,
                    Some(5.0),
                ],
            ),
            (vec!["2026年第1四半期".into(), "第2四半期".into()], vec![Some(1.5e-7), Some(1.6e-7)]),
            (Vec::new(), Vec::new()),
        ];
        for (categories, values) in cases {
            let chart = LineChart {
                categories: categories.clone(),
                series: vec![
                    LineSeries {
                        label: "削減時間".into(),
                        values: values.clone(),
                        colour: palette::BLUE,
                        style: LineStyle::Solid,
                    },
                    LineSeries {
                        label: "目標".into(),
                        values: values.iter().map(|v| v.map(|v| v * 1.2)).collect(),
                        colour: palette::GOOD,
                        style: LineStyle::Dashed,
                    },
                ],
                x_title: "四半期".into(),
                y_title: "月間時間".into(),
                y_label: Box::new(yen),
            };
            let texts = draw_line(&chart);
            assert!(has(&texts, "削減時間") && has(&texts, "月間時間"), "{texts:?}");
            // The latest category is always labelled.
            if let Some(last) = categories.last() {
                assert!(has(&texts, last), "{texts:?}");
            }

            let groups: Vec<BarGroup> = categories
                .iter()
                .zip(&values)
                .enumerate()
                .map(|(i, (c, v))| BarGroup {
                    category: c.clone(),
                    bars: if i % 2 == 0 {
                        vec![(BarKind::Realized, v.unwrap_or(f64::NAN))]
                    } else {
                        vec![(BarKind::Conservative, v.unwrap_or(0.0)), (BarKind::Expected, v.unwrap_or(0.0) * 2.0)]
                    },
                })
                .collect();
            let projected_from = Some(groups.len() / 2);
            let bars = BarChart {
                groups,
                colours: [palette::BLUE, palette::NEUTRAL, palette::GOOD],
                legend: vec![(BarKind::Realized, "実績".into()), (BarKind::Expected, "見込み".into())],
                x_title: "四半期".into(),
                y_title: "価値".into(),
                y_label: Box::new(yen),
                projected_from,
                projected_note: "予測".into(),
            };
            let texts = draw_bars(&bars);
            assert!(has(&texts, "実績") && has(&texts, "価値") && has(&texts, "¥0"), "{texts:?}");
        }
    }

    #[test]
    fn nice_ticks_have_three_to_five_round_intervals() {
        for (min, max) in [
            (0.0, 1.0),
            (0.0, 78_000.0),
            (-20_000.0, 30_000.0),
            (12.3, 12.9),
            (0.0, 16_669_000.0),
            (-7.5, 2.0),
            (90.0, 360.0),
            (0.0, 1e15),
        ] {
            let t = nice_ticks(min, max);
            let n = t.values.len() - 1;
            assert!((3..=5).contains(&n), "{min}..{max}: {t:?}");
            assert!(t.lo <= min && t.hi >= max, "{min}..{max}: {t:?}");
            let step = t.values[1] - t.values[0];
            let mantissa = step / 10f64.powf(step.log10().floor());
            assert!([1.0, 2.0, 2.5, 5.0].iter().any(|m| (m - mantissa).abs() < 1e-9), "{min}..{max}: {t:?}");
        }
        assert_eq!(nice_ticks(0.0, 78_000.0).values, [0.0, 20_000.0, 40_000.0, 60_000.0, 80_000.0]);
        assert_eq!(nice_ticks(0.0, 0.3).values, [0.0, 0.1, 0.2, 0.3]);
        assert_eq!(line_range([5.0, 5.0].into_iter()), (4.5, 5.5));
        assert_eq!(bar_range([3.0, 8.0].into_iter()), (0.0, 8.0));
        assert_eq!(bar_range(std::iter::empty()), (0.0, 1.0));
    }

    #[test]
    fn legend_sits_above_the_plot_and_inside_the_area() {
        let long = "Baseline before the rollout (median of the four quarters before go-live)";
        let chart = line_chart(
            quarters(8),
            vec![
                ("Hours saved", vec![Some(10.0); 8], LineStyle::Solid),
                (long, vec![Some(8.0); 8], LineStyle::Dashed),
                ("Target", vec![Some(12.0); 8], LineStyle::Dashed),
            ],
        );
        let area = ChartArea { x: 20.0, y: 20.0, width: 220.0, height: 180.0 };
        let canvas = Canvas::new(FontSet::shared());
        let plan = Plan {
            categories: &chart.categories,
            x_title: &chart.x_title,
            y_title: &chart.y_title,
            ticks: nice_ticks(7.0, 13.0),
            y_label: &*chart.y_label,
            legend: chart
                .series
                .iter()
                .map(|s| LegendEntry { swatch: Swatch::Line(s.colour, s.style), label: s.label.clone() })
                .collect(),
            note: Some((4, "Projected")),
        };
        let geo = geometry(&canvas, area, &plan).expect("fits");
        assert!(geo.legend.len() >= 2, "wraps: {:?}", geo.legend);
        let style = muted(LEGEND_SIZE);
        let lowest_baseline =
            area.y + area.height - TEXT_TOP * LEGEND_SIZE - 1.0 - (geo.legend.len() - 1) as f32 * LEGEND_LINE;
        let plot_top = geo.plot.1 + geo.plot.3;
        // Below the legend: the projection note (12 pt) and half a tick label.
        assert!(lowest_baseline - TEXT_BOTTOM * LEGEND_SIZE >= plot_top + 12.0 + 0.5 * TICK_LABEL_SIZE - 0.01);
        for line in &geo.legend {
            for (i, x, label) in line {
                let end = x + plan.legend[*i].swatch.width() + SWATCH_GAP + canvas.width(label, style);
                assert!(*x >= area.x && end <= area.x + area.width + 0.01, "{label:?} from {x} to {end}");
            }
        }
        assert!(geo.legend.iter().flatten().any(|(_, _, label)| label.ends_with('…')), "the long label is shortened");
    }

    #[test]
    fn backend_blends_alpha_against_white() {
        let half = BackendColor { alpha: 0.5, rgb: (0, 0, 0) };
        let c = paint(half).expect("visible");
        assert!((c.r - 0.5).abs() < 0.01 && (c.g - 0.5).abs() < 0.01, "{c:?}");
        assert!(paint(BackendColor { alpha: 0.0, rgb: (0, 0, 0) }).is_none());
    }
}
