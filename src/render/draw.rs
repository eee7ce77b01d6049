//! Drawing primitives in page points (origin bottom-left, as in PDF), emitted as printpdf operations.
//!
//! Everything that puts ink on a page goes through [`Canvas`]: text (split into per-font runs),
//! filled rectangles, lines and polygons. Layout and charts never build printpdf operations directly.

use printpdf::{
    Codepoint, Color, Line, LineDashPattern, LinePoint, Op, PaintMode, PdfFontHandle, Point, Polygon, PolygonRing, Pt,
    Rect, Rgb, TextItem, WindingOrder,
};

use super::fonts::{FaceId, FontSet, Weight};

/// Collects a glyph outline (font units, y up) as polygon rings in page points; quadratic curves
/// become cubic ones.
struct OutlinePath {
    rings: Vec<Vec<LinePoint>>,
    x: f32,
    y: f32,
    scale: f32,
    vertical: bool,
    last: (f32, f32),
}

impl OutlinePath {
    fn point(&self, (u, v): (f32, f32), bezier: bool) -> LinePoint {
        let (along, up) = (u * self.scale, v * self.scale);
        let (px, py) = if self.vertical { (self.x - up, self.y + along) } else { (self.x + along, self.y + up) };
        LinePoint { p: point(px, py), bezier }
    }

    fn push(&mut self, at: (f32, f32), bezier: bool) {
        let p = self.point(at, bezier);
        if let Some(ring) = self.rings.last_mut() {
            ring.push(p);
        }
    }
}

impl rustybuzz::ttf_parser::OutlineBuilder for OutlinePath {
    fn move_to(&mut self, x: f32, y: f32) {
        let p = self.point((x, y), false);
        self.rings.push(vec![p]);
        self.last = (x, y);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.push((x, y), false);
        self.last = (x, y);
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let (x0, y0) = self.last;
        let c1 = (x0 + 2.0 / 3.0 * (x1 - x0), y0 + 2.0 / 3.0 * (y1 - y0));
        let c2 = (x + 2.0 / 3.0 * (x1 - x), y + 2.0 / 3.0 * (y1 - y));
        self.push(c1, true);
        self.push(c2, true);
        self.push((x, y), false);
        self.last = (x, y);
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        self.push((x1, y1), true);
        self.push((x2, y2), true);
        self.push((x, y), false);
        self.last = (x, y);
    }
    fn close(&mut self) {}
}

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Colour {
    pub r: f32,
    pub g: f32,
    pub b: f32,
}

impl Colour {
    pub const fn rgb(r: u8, g: u8, b: u8) -> Colour {
        Colour { r: r as f32 / 255.0, g: g as f32 / 255.0, b: b as f32 / 255.0 }
    }

    /// `#RRGGBB`; `None` otherwise.
    pub fn from_hex(hex: &str) -> Option<Colour> {
        let hex = hex.strip_prefix('#')?;
        if hex.len() != 6 || !hex.is_ascii() {
            return None;
        }
        let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some(Colour::rgb(channel(0)?, channel(2)?, channel(4)?))
    }

    /// This colour mixed with white: `amount` 0 keeps it, 1 gives white (for tints and alpha).
    pub fn lighten(self, amount: f32) -> Colour {
        let mix = |c: f32| c + (1.0 - c) * amount.clamp(0.0, 1.0);
        Colour { r: mix(self.r), g: mix(self.g), b: mix(self.b) }
    }

    /// As a PDF colour, each channel to three decimals: finer than 8-bit colour, and short in the
    /// content stream.
    fn pdf(self) -> Color {
        let channel = |c: f32| (c.clamp(0.0, 1.0) * 1000.0).round() / 1000.0;
        Color::Rgb(Rgb { r: channel(self.r), g: channel(self.g), b: channel(self.b), icc_profile: None })
    }
}

/// The report palette (seed rules: green improvement, red attention, blue/grey neutral).
pub mod palette {
    use super::Colour;
    pub const TEXT: Colour = Colour::rgb(0x22, 0x28, 0x31);
    pub const MUTED: Colour = Colour::rgb(0x5F, 0x6B, 0x7A);
    pub const RULE: Colour = Colour::rgb(0xD5, 0xDB, 0xE3);
    pub const PANEL: Colour = Colour::rgb(0xF3, 0xF5, 0xF8);
    pub const GOOD: Colour = Colour::rgb(0x1E, 0x7B, 0x3C);
    pub const BAD: Colour = Colour::rgb(0xB4, 0x23, 0x18);
    pub const NEUTRAL: Colour = Colour::rgb(0x7A, 0x84, 0x90);
    pub const BLUE: Colour = Colour::rgb(0x2E, 0x6D, 0xB4);
    pub const WHITE: Colour = Colour::rgb(0xFF, 0xFF, 0xFF);
}

/// Text style.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextStyle {
    pub size: f32,
    pub weight: Weight,
    pub colour: Colour,
}

impl TextStyle {
    pub const fn new(size: f32, weight: Weight, colour: Colour) -> TextStyle {
        TextStyle { size, weight, colour }
    }
}

/// What of `text` follows `lines` (its first lines as wrapped, the spaces between them dropped);
/// `None` if the lines are not its start. The last line of a shortened text carries this as its
/// /ActualText ([`Canvas::text_shortened`]).
pub fn rest_after<'t>(text: &'t str, lines: &[String]) -> Option<&'t str> {
    let mut rest = text;
    for line in lines {
        rest = rest.trim_start().strip_prefix(line.trim_end())?;
    }
    Some(rest.trim_start())
}

/// Horizontal anchor of a text position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Centre,
    Right,
}

/// Collects the operations of one page (or one chart).
pub struct Canvas<'f> {
    pub fonts: &'f FontSet,
    pub ops: Vec<Op>,
    /// Characters no face has, drawn as the replacement mark (reported as warnings).
    pub missing: std::collections::BTreeSet<char>,
    /// The box of every text drawn, for checks that nothing overflows or collides.
    pub boxes: Vec<TextBox>,
    /// A sketch: nothing is drawn (composition tries page breaks on sketches, then draws once).
    dry: bool,
    /// Inside an /ActualText span ([`Canvas::actual_text`]): ligatures get no span of their own
    /// (nested /ActualText is redundant, and poppler then loses the outer text).
    in_actual_text: bool,
}

/// Where a line of text was drawn: its ink box in page points (from the baseline, 0.22 em below
/// to 0.78 em above: the body of Latin, CJK and most scripts' letters) and the text.
#[derive(Debug, Clone, PartialEq)]
pub struct TextBox {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
    pub text: String,
}

impl TextBox {
    /// Whether the two boxes share area (touching edges do not count).
    pub fn overlaps(&self, other: &TextBox) -> bool {
        const EPS: f32 = 0.01;
        self.x0 < other.x1 - EPS && other.x0 < self.x1 - EPS && self.y0 < other.y1 - EPS && other.y0 < self.y1 - EPS
    }
}

impl<'f> Canvas<'f> {
    pub fn new(fonts: &'f FontSet) -> Canvas<'f> {
        Canvas {
            fonts,
            ops: Vec::new(),
            missing: Default::default(),
            boxes: Vec::new(),
            dry: false,
            in_actual_text: false,
        }
    }

    /// A canvas that draws nothing: layout on it costs only the arithmetic of where things go.
    pub fn sketch(fonts: &'f FontSet) -> Canvas<'f> {
        Canvas { dry: true, ..Canvas::new(fonts) }
    }

    /// Whether this canvas only sketches (see [`Canvas::sketch`]).
    pub fn is_sketch(&self) -> bool {
        self.dry
    }

    /// Opens a structure element (tagged PDF, see [`super::tag`]); [`Canvas::close`] closes it.
    pub fn open(&mut self, element: super::tag::Element) {
        if self.dry {
            return;
        }
        self.ops.push(super::tag::open(element));
    }

    /// Opens an element of `role` with no attributes.
    pub fn open_role(&mut self, role: super::tag::Role) {
        self.open(super::tag::Element::new(role));
    }

    /// Closes the element opened last.
    pub fn close(&mut self) {
        if self.dry {
            return;
        }
        self.ops.push(super::tag::close());
    }

    /// Begins what is not content (rules, panels, running headers); [`Canvas::artifact_end`] ends it.
    pub fn artifact(&mut self, kind: super::tag::Artifact) {
        if self.dry {
            return;
        }
        self.ops.push(super::tag::artifact(kind));
    }

    pub fn artifact_end(&mut self) {
        if self.dry {
            return;
        }
        self.ops.push(super::tag::artifact_end());
    }

    /// Width of `text` in this style.
    pub fn width(&self, text: &str, style: TextStyle) -> f32 {
        self.fonts.width(text, style.weight, style.size)
    }

    /// Draws one line of text with its baseline at `y`, anchored at `x`.
    pub fn text(&mut self, text: &str, x: f32, y: f32, style: TextStyle, align: Align) {
        self.text_rotated(text, x, y, style, align, false);
    }

    /// Draws `shown`, the visible form of `full` (shortened with "…" to fit its box): when they
    /// differ, the text layer gives `full` (a /Span with /ActualText around the line), so search,
    /// copy and assistive technology get the whole string, not its shortened start.
    pub fn text_shortened(&mut self, shown: &str, full: &str, x: f32, y: f32, style: TextStyle, align: Align) {
        self.actual_text(shown, full, |canvas| canvas.text(shown, x, y, style, align));
    }

    /// Runs `draw` (which draws `shown`) inside a /Span whose /ActualText is `full`, when `shown` is
    /// a shortened form of it.
    pub fn actual_text(&mut self, shown: &str, full: &str, draw: impl FnOnce(&mut Self)) {
        let shortened = !self.dry && shown != full && !full.trim().is_empty() && !self.in_actual_text;
        if shortened {
            self.ops.push(Op::BeginMarkedContent { tag: full.to_string() });
            self.in_actual_text = true;
        }
        draw(self);
        if shortened {
            self.ops.push(Op::EndMarkedContent);
            self.in_actual_text = false;
        }
    }

    /// Like [`Canvas::text`]; `vertical` turns it 90° counter-clockwise (reading upwards), for axis titles.
    pub fn text_rotated(&mut self, text: &str, x: f32, y: f32, style: TextStyle, align: Align, vertical: bool) {
        if self.dry {
            return;
        }
        if text.is_empty() {
            return;
        }
        let shaped = super::shape::shape_line(self.fonts, text, style.weight);
        self.missing.extend(shaped.missing.iter().copied());
        let width = shaped.width() * style.size;
        let offset = match align {
            Align::Left => 0.0,
            Align::Centre => width / 2.0,
            Align::Right => width,
        };
        let (below, above) = (0.22 * style.size, 0.78 * style.size);
        self.boxes.push(if vertical {
            TextBox { x0: x - above, y0: y - offset, x1: x + below, y1: y - offset + width, text: text.to_string() }
        } else {
            TextBox { x0: x - offset, y0: y - below, x1: x - offset + width, y1: y + above, text: text.to_string() }
        });
        self.ops.push(Op::StartTextSection);
        self.ops.push(Op::SetFillColor { col: style.colour.pdf() });
        // The line's origin; `along` maps a distance along the line and a rise to page points.
        let (origin_x, origin_y) = if vertical { (x, y - offset) } else { (x - offset, y) };
        if vertical {
            self.ops.push(Op::SetTextMatrix {
                matrix: printpdf::TextMatrix::TranslateRotate(pt(origin_x), pt(origin_y), 90.0),
            });
        } else {
            self.ops.push(Op::SetTextCursor { pos: point(origin_x, origin_y) });
        }
        // Glyphs go out in logical order, each moved to its own position with a TJ adjustment
        // (thousandths of an em; positive moves left): the text layer reads in logical order,
        // the page shows visual order. `pen` is where the PDF's text position is after the last
        // glyph shown, by the widths the font dictionary declares.
        let mut pen = 0.0f32;
        let mut face: Option<FaceId> = None;
        let mut rise = 0.0f32;
        let mut glyphs: Vec<Codepoint> = Vec::new();
        let mut outlines = Vec::new();
        for glyph in &shaped.glyphs {
            if glyph.text.is_empty() {
                // A glyph standing for no character of its own: ink without text.
                outlines.push(glyph);
                continue;
            }
            if face != Some(glyph.face) || glyph.y != rise {
                if let Some(current) = face {
                    self.flush_glyphs(current, style.size, &mut glyphs);
                }
                if glyph.y != rise {
                    rise = glyph.y;
                    self.ops.push(Op::SetLineOffset { multiplier: rise / 1000.0 * style.size });
                }
                if face != Some(glyph.face) {
                    self.ops.push(Op::SetFont {
                        font: PdfFontHandle::External(glyph.face.resource_id()),
                        size: pt(style.size),
                    });
                    face = Some(glyph.face);
                }
            }
            let adjust = pen - glyph.x;
            let glyph_text = &text[glyph.text.clone()];
            // One glyph for several characters (a ligature such as Arabic lam-alef): its text is
            // also given as /ActualText, which extractors that reorder right-to-left text by
            // character (poppler) take whole instead of reversing the ligature's characters. Not
            // inside a shortened text's span, whose /ActualText already holds the whole text.
            let several = glyph_text.chars().nth(1).is_some() && !self.in_actual_text;
            if several {
                self.flush_glyphs(glyph.face, style.size, &mut glyphs);
                self.ops.push(Op::BeginMarkedContent { tag: glyph_text.to_string() });
            }
            glyphs.push(Codepoint {
                gid: glyph.gid,
                offset: if adjust.abs() < 0.05 { 0.0 } else { (adjust * 10.0).round() / 10.0 },
                cid: Some(glyph_text.to_string()),
            });
            if several {
                self.flush_glyphs(glyph.face, style.size, &mut glyphs);
                self.ops.push(Op::EndMarkedContent);
            }
            pen = glyph.x + super::shape::pdf_width(self.fonts, glyph.face, glyph.gid);
        }
        if let Some(current) = face {
            self.flush_glyphs(current, style.size, &mut glyphs);
        }
        if rise != 0.0 {
            self.ops.push(Op::SetLineOffset { multiplier: 0.0 });
        }
        self.ops.push(Op::EndTextSection);
        for glyph in outlines {
            let scale = style.size / 1000.0;
            let (along, up) = (glyph.x * scale, glyph.y * scale);
            let (gx, gy) = if vertical { (origin_x - up, origin_y + along) } else { (origin_x + along, origin_y + up) };
            self.glyph_outline(glyph.face, glyph.gid, gx, gy, style, vertical);
        }
    }

    fn flush_glyphs(&mut self, _face: FaceId, _size: f32, glyphs: &mut Vec<Codepoint>) {
        if !glyphs.is_empty() {
            self.ops.push(Op::ShowText { items: vec![TextItem::GlyphIds(std::mem::take(glyphs))] });
        }
    }

    /// Draws glyph `gid` of `face` as a filled path with its origin at (`x`, `y`).
    fn glyph_outline(&mut self, face: FaceId, gid: u16, x: f32, y: f32, style: TextStyle, vertical: bool) {
        let face = self.fonts.face(face);
        let scale = style.size / face.units_per_em;
        let mut builder = OutlinePath { rings: Vec::new(), x, y, scale, vertical, last: (0.0, 0.0) };
        if face.shaping.outline_glyph(rustybuzz::ttf_parser::GlyphId(gid), &mut builder).is_none() {
            return;
        }
        let rings: Vec<PolygonRing> =
            builder.rings.into_iter().filter(|r| r.len() > 1).map(|points| PolygonRing { points }).collect();
        if rings.is_empty() {
            return;
        }
        self.ops.push(Op::SetFillColor { col: style.colour.pdf() });
        self.ops.push(Op::DrawPolygon {
            polygon: Polygon { rings, mode: PaintMode::Fill, winding_order: WindingOrder::NonZero },
        });
    }

    pub fn fill_rect(&mut self, x: f32, y: f32, width: f32, height: f32, colour: Colour) {
        if self.dry {
            return;
        }
        self.ops.push(Op::SetFillColor { col: colour.pdf() });
        self.ops.push(Op::DrawRectangle {
            rectangle: Rect {
                x: pt(x),
                y: pt(y),
                width: pt(width),
                height: pt(height),
                mode: Some(PaintMode::Fill),
                winding_order: Some(WindingOrder::NonZero),
            },
        });
    }

    pub fn stroke_rect(&mut self, x: f32, y: f32, width: f32, height: f32, colour: Colour, thickness: f32) {
        let corners = [(x, y), (x + width, y), (x + width, y + height), (x, y + height)];
        self.polyline(&corners, colour, thickness, None, true);
    }

    /// A straight line from `(x1, y1)` to `(x2, y2)`.
    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, colour: Colour, thickness: f32) {
        self.polyline(&[(x1, y1), (x2, y2)], colour, thickness, None, false);
    }

    /// Connected segments; `dash` is (on, off) lengths in points.
    pub fn polyline(
        &mut self,
        points: &[(f32, f32)],
        colour: Colour,
        thickness: f32,
        dash: Option<(f32, f32)>,
        closed: bool,
    ) {
        if self.dry {
            return;
        }
        if points.len() < 2 {
            return;
        }
        self.ops.push(Op::SaveGraphicsState);
        self.ops.push(Op::SetOutlineColor { col: colour.pdf() });
        self.ops.push(Op::SetOutlineThickness { pt: pt(thickness) });
        if let Some((on, off)) = dash {
            self.ops.push(Op::SetLineDashPattern { dash: LineDashPattern::new(0.0, &[on, off]) });
        }
        self.ops.push(Op::DrawLine {
            line: Line {
                points: points.iter().map(|&(x, y)| LinePoint { p: point(x, y), bezier: false }).collect(),
                is_closed: closed,
            },
        });
        self.ops.push(Op::RestoreGraphicsState);
    }

    /// A filled polygon (markers, areas).
    pub fn fill_polygon(&mut self, points: &[(f32, f32)], colour: Colour) {
        if self.dry {
            return;
        }
        if points.len() < 3 {
            return;
        }
        self.ops.push(Op::SetFillColor { col: colour.pdf() });
        self.ops.push(Op::DrawPolygon {
            polygon: Polygon {
                rings: vec![PolygonRing {
                    points: points.iter().map(|&(x, y)| LinePoint { p: point(x, y), bezier: false }).collect(),
                }],
                mode: PaintMode::Fill,
                winding_order: WindingOrder::NonZero,
            },
        });
    }

    /// A circle as four cubic Bézier arcs: filled, or stroked `thickness` wide.
    pub fn circle(&mut self, cx: f32, cy: f32, r: f32, colour: Colour, stroke: Option<f32>) {
        if self.dry {
            return;
        }
        if !(r.is_finite() && r > 0.0) {
            return;
        }
        // Control point distance for a quarter circle.
        let k = r * 0.552_284_8;
        let (on, handle) = (false, true);
        let points = [
            (cx + r, cy, on),
            (cx + r, cy + k, handle),
            (cx + k, cy + r, handle),
            (cx, cy + r, on),
            (cx - k, cy + r, handle),
            (cx - r, cy + k, handle),
            (cx - r, cy, on),
            (cx - r, cy - k, handle),
            (cx - k, cy - r, handle),
            (cx, cy - r, on),
            (cx + k, cy - r, handle),
            (cx + r, cy - k, handle),
            (cx + r, cy, on),
        ];
        let points: Vec<LinePoint> =
            points.iter().map(|&(x, y, bezier)| LinePoint { p: point(x, y), bezier }).collect();
        match stroke {
            None => {
                self.ops.push(Op::SetFillColor { col: colour.pdf() });
                self.ops.push(Op::DrawPolygon {
                    polygon: Polygon {
                        rings: vec![PolygonRing { points }],
                        mode: PaintMode::Fill,
                        winding_order: WindingOrder::NonZero,
                    },
                });
            }
            Some(thickness) => {
                self.ops.push(Op::SaveGraphicsState);
                self.ops.push(Op::SetOutlineColor { col: colour.pdf() });
                self.ops.push(Op::SetOutlineThickness { pt: pt(thickness) });
                self.ops.push(Op::DrawLine { line: Line { points, is_closed: true } });
                self.ops.push(Op::RestoreGraphicsState);
            }
        }
    }

    /// Subpaths (points in page points, each with whether it is a Bézier control point, and whether
    /// the subpath is closed), filled (`even_odd` rule or non-zero) and/or stroked (colour, width).
    pub fn path(
        &mut self,
        rings: &[(Vec<(f32, f32, bool)>, bool)],
        fill: Option<(Colour, bool)>,
        stroke: Option<(Colour, f32)>,
    ) {
        if self.dry {
            return;
        }
        let points = |ring: &[(f32, f32, bool)]| -> Vec<LinePoint> {
            ring.iter().map(|&(x, y, bezier)| LinePoint { p: point(x, y), bezier }).collect()
        };
        if let Some((colour, even_odd)) = fill {
            let rings: Vec<PolygonRing> =
                rings.iter().filter(|(r, _)| r.len() >= 3).map(|(r, _)| PolygonRing { points: points(r) }).collect();
            if !rings.is_empty() {
                self.ops.push(Op::SetFillColor { col: colour.pdf() });
                let winding_order = if even_odd { WindingOrder::EvenOdd } else { WindingOrder::NonZero };
                self.ops.push(Op::DrawPolygon { polygon: Polygon { rings, mode: PaintMode::Fill, winding_order } });
            }
        }
        if let Some((colour, width)) = stroke.filter(|(_, w)| w.is_finite() && *w > 0.0) {
            self.ops.push(Op::SaveGraphicsState);
            self.ops.push(Op::SetOutlineColor { col: colour.pdf() });
            self.ops.push(Op::SetOutlineThickness { pt: pt(width) });
            for (ring, closed) in rings.iter().filter(|(r, _)| r.len() >= 2) {
                self.ops.push(Op::DrawLine { line: Line { points: points(ring), is_closed: *closed } });
            }
            self.ops.push(Op::RestoreGraphicsState);
        }
    }

    /// Appends another canvas's operations (a chart drawn separately).
    pub fn append(&mut self, other: Canvas<'_>) {
        self.ops.extend(other.ops);
        self.missing.extend(other.missing);
        self.boxes.extend(other.boxes);
    }
}

/// A length or coordinate in points, to 1/100 pt (far below what print or screen can show): the
/// content stream then holds `119.7`, not `119.700005`.
fn pt(value: f32) -> Pt {
    Pt((value * 100.0).round() / 100.0)
}

fn point(x: f32, y: f32) -> Point {
    Point { x: pt(x), y: pt(y) }
}

/// The text that `ShowText` items show (for tests and checks of what a page says).
pub fn shown_text(items: &[TextItem]) -> String {
    let mut text = String::new();
    for item in items {
        match item {
            TextItem::Text(t) => text.push_str(t),
            TextItem::GlyphIds(glyphs) => glyphs.iter().filter_map(|g| g.cid.as_deref()).for_each(|c| text.push_str(c)),
            TextItem::Offset(_) => {}
        }
    }
    text
}
