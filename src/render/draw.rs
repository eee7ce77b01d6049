//! Drawing primitives in page points (origin bottom-left, as in PDF), emitted as printpdf operations.
//!
//! Everything that puts ink on a page goes through [`Canvas`]: text (split into per-font runs),
//! filled rectangles, lines and polygons. Layout and charts never build printpdf operations directly.

use printpdf::{
    Codepoint, Color, Line, LineDashPattern, LinePoint, Op, PaintMode, PdfFontHandle, Point, Polygon, PolygonRing, Pt,
    Rect, Rgb, TextItem, WindingOrder,
};

use super::fonts::{FaceId, FontSet, Weight};

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
}

impl<'f> Canvas<'f> {
    pub fn new(fonts: &'f FontSet) -> Canvas<'f> {
        Canvas { fonts, ops: Vec::new() }
    }

    /// Width of `text` in this style.
    pub fn width(&self, text: &str, style: TextStyle) -> f32 {
        self.fonts.width(text, style.weight, style.size)
    }

    /// Draws one line of text with its baseline at `y`, anchored at `x`.
    pub fn text(&mut self, text: &str, x: f32, y: f32, style: TextStyle, align: Align) {
        self.text_rotated(text, x, y, style, align, false);
    }

    /// Like [`Canvas::text`]; `vertical` turns it 90° counter-clockwise (reading upwards), for axis titles.
    pub fn text_rotated(&mut self, text: &str, x: f32, y: f32, style: TextStyle, align: Align, vertical: bool) {
        if text.is_empty() {
            return;
        }
        let width = self.width(text, style);
        let offset = match align {
            Align::Left => 0.0,
            Align::Centre => width / 2.0,
            Align::Right => width,
        };
        self.ops.push(Op::StartTextSection);
        self.ops.push(Op::SetFillColor { col: style.colour.pdf() });
        if vertical {
            self.ops
                .push(Op::SetTextMatrix { matrix: printpdf::TextMatrix::TranslateRotate(pt(x), pt(y - offset), 90.0) });
        } else {
            self.ops.push(Op::SetTextCursor { pos: point(x - offset, y) });
        }
        for (face, run) in self.fonts.runs(text, style.weight) {
            self.ops.push(Op::SetFont { font: PdfFontHandle::External(face.resource_id()), size: pt(style.size) });
            self.ops.push(Op::ShowText { items: vec![TextItem::GlyphIds(self.glyphs(face, run))] });
        }
        self.ops.push(Op::EndTextSection);
    }

    /// `run` as glyph ids of `face`, each carrying its character for the PDF's /ToUnicode map (copy
    /// and search). A character the face lacks is glyph 0, the .notdef box.
    fn glyphs(&self, face: FaceId, run: &str) -> Vec<Codepoint> {
        let face_fonts = self.fonts.face(face);
        run.chars()
            .map(|ch| Codepoint {
                gid: face_fonts.glyph(ch).map_or(0, |(glyph, _)| glyph),
                offset: 0.0,
                cid: Some(ch.to_string()),
            })
            .collect()
    }

    pub fn fill_rect(&mut self, x: f32, y: f32, width: f32, height: f32, colour: Colour) {
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

    /// Appends another canvas's operations (a chart drawn separately).
    pub fn append(&mut self, other: Canvas<'_>) {
        self.ops.extend(other.ops);
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
