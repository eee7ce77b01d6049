//! PDF content streams: the pages' drawing operations as bytes.
//!
//! Pages are built from printpdf's [`Op`] vocabulary ([`super::draw`] emits a small set of them).
//! printpdf's own serializer turns every operation into lopdf objects (an allocation per operand and
//! per glyph) and prints every number with shortest-round-trip float formatting; for a five-page
//! report that was a third of the time it took to write the PDF (docs/performance.md). This encodes
//! exactly the operations the report draws, numbers to at most three decimals (coordinates are
//! already on a 1/100 pt grid, colour channels on a 1/1000 grid), text as one hex string of glyph
//! ids per run.

use printpdf::{Color, DictItem, LinePoint, Op, PaintMode, PdfFontHandle, TextItem, WindingOrder};

/// Appends the content stream of `ops` to `out`.
///
/// # Panics
/// On an operation the report never draws (a programming error, not an input error): add it here
/// before drawing it.
pub fn encode(ops: &[Op], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < ops.len() {
        // Strokes drawn one after another in the same state (grid lines, rules, a chart's axes)
        // share one `q … Q` and one setting of their state: the same painting, a fifth fewer
        // bytes to write and deflate.
        if let Some(group) = stroke_group(ops, i) {
            let state = &ops[i..group.line];
            state.iter().for_each(|op| encode_op(op, out));
            encode_op(&ops[group.line], out);
            let mut next = i + group.len;
            while let Some(more) = stroke_group(ops, next).filter(|more| &ops[next..more.line] == state) {
                encode_op(&ops[more.line], out);
                next += more.len;
            }
            for _ in 0..group.depth {
                out.extend_from_slice(b"Q\n");
            }
            i = next;
            continue;
        }
        encode_op(&ops[i], out);
        i += 1;
    }
}

/// One stroke in a state of its own: `q` (one or more, nested), operations that set the stroke's
/// state, one line, and as many `Q`.
struct StrokeGroup {
    /// Index of the line.
    line: usize,
    /// Number of operations from the first `q` to the last `Q`.
    len: usize,
    /// Nesting depth of `q`.
    depth: usize,
}

fn stroke_group(ops: &[Op], start: usize) -> Option<StrokeGroup> {
    let mut at = start;
    let mut depth = 0;
    loop {
        match ops.get(at)? {
            Op::SaveGraphicsState => depth += 1,
            Op::SetOutlineColor { .. }
            | Op::SetOutlineThickness { .. }
            | Op::SetLineDashPattern { .. }
            | Op::SetLineJoinStyle { .. } => {}
            Op::DrawLine { .. } if depth > 0 => break,
            _ => return None,
        }
        at += 1;
    }
    let line = at;
    let restores = ops.get(line + 1..line + 1 + depth)?;
    restores
        .iter()
        .all(|op| matches!(op, Op::RestoreGraphicsState))
        .then_some(StrokeGroup { line, len: line + 1 + depth - start, depth })
}

/// Appends one operation.
fn encode_op(op: &Op, out: &mut Vec<u8>) {
    {
        match op {
            Op::StartTextSection => out.extend_from_slice(b"BT\n"),
            Op::EndTextSection => out.extend_from_slice(b"ET\n"),
            Op::SaveGraphicsState => out.extend_from_slice(b"q\n"),
            Op::RestoreGraphicsState => out.extend_from_slice(b"Q\n"),
            Op::SetFillColor { col } => colour(out, col, b"rg", b"g"),
            Op::SetOutlineColor { col } => colour(out, col, b"RG", b"G"),
            Op::SetOutlineThickness { pt } => operator(out, &[pt.0], b"w"),
            Op::SetLineJoinStyle { join } => {
                integer(out, join.id());
                out.extend_from_slice(b" j\n");
            }
            Op::SetLineDashPattern { dash } => {
                out.push(b'[');
                for (i, &length) in dash.pattern.iter().enumerate() {
                    if i > 0 {
                        out.push(b' ');
                    }
                    number(out, length);
                }
                out.extend_from_slice(b"] ");
                number(out, dash.offset);
                out.extend_from_slice(b" d\n");
            }
            Op::SetTextCursor { pos } => operator(out, &[pos.x.0, pos.y.0], b"Td"),
            Op::SetTextMatrix { matrix } => operator(out, &matrix.as_array(), b"Tm"),
            Op::SetFont { font, size } => {
                out.push(b'/');
                match font {
                    PdfFontHandle::External(id) => out.extend_from_slice(id.0.as_bytes()),
                    PdfFontHandle::Builtin(builtin) => out.extend_from_slice(builtin.get_pdf_id().as_bytes()),
                }
                out.push(b' ');
                number(out, size.0);
                out.extend_from_slice(b" Tf\n");
            }
            Op::ShowText { items } => show_text(out, items),
            // The canvas marks a glyph that stands for several characters with its text: a /Span
            // with /ActualText (UTF-16BE with a byte order mark).
            Op::BeginMarkedContent { tag } => {
                out.extend_from_slice(b"/Span <</ActualText <FEFF");
                for unit in tag.encode_utf16() {
                    for byte in unit.to_be_bytes() {
                        out.push(b"0123456789ABCDEF"[usize::from(byte >> 4)]);
                        out.push(b"0123456789ABCDEF"[usize::from(byte & 15)]);
                    }
                }
                out.extend_from_slice(b">>> BDC\n");
            }
            Op::EndMarkedContent => out.extend_from_slice(b"EMC\n"),
            // Marked content of the structure tree (`super::tag`): `/Tag BMC` or `/Tag <<…>> BDC`.
            Op::BeginMarkedContentWithProperties { tag, properties } => {
                out.push(b'/');
                out.extend_from_slice(tag.as_bytes());
                match properties {
                    DictItem::Dict { map } if !map.is_empty() => {
                        out.extend_from_slice(b" <<");
                        for (i, (key, value)) in map.iter().enumerate() {
                            if i > 0 {
                                out.push(b' ');
                            }
                            out.push(b'/');
                            out.extend_from_slice(key.as_bytes());
                            out.push(b' ');
                            match value {
                                DictItem::Int(n) => integer(out, *n),
                                DictItem::Name(name) => {
                                    out.push(b'/');
                                    out.extend_from_slice(name);
                                }
                                other => panic!("marked-content properties are names and integers, found {other:?}"),
                            }
                        }
                        out.extend_from_slice(b">> BDC\n");
                    }
                    _ => out.extend_from_slice(b" BMC\n"),
                }
            }
            // Structure markers draw nothing (an untagged PDF keeps them out of the stream).
            op if super::tag::is_marker(op) => {}
            // Text rise (Ts) in points: the vertical offset of marks the shaper positions.
            Op::SetLineOffset { multiplier } => operator(out, &[*multiplier], b"Ts"),
            Op::DrawRectangle { rectangle } => {
                operator(out, &[rectangle.x.0, rectangle.y.0, rectangle.width.0, rectangle.height.0], b"re");
                let winding = rectangle.winding_order.unwrap_or(WindingOrder::NonZero);
                paint(out, rectangle.mode.unwrap_or(PaintMode::Fill), winding);
            }
            Op::DrawLine { line } => {
                path(out, &line.points);
                if line.is_closed {
                    out.extend_from_slice(b"h\n");
                }
                out.extend_from_slice(b"S\n");
            }
            Op::DrawPolygon { polygon } => {
                if polygon.rings.iter().all(|ring| ring.points.is_empty()) {
                    return;
                }
                for ring in &polygon.rings {
                    path(out, &ring.points);
                }
                out.extend_from_slice(b"h\n");
                paint(out, polygon.mode, polygon.winding_order);
            }
            other => panic!("the report does not draw {other:?}: teach render::content to encode it"),
        }
    }
}

fn show_text(out: &mut Vec<u8>, items: &[TextItem]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    // Glyphs with a position adjustment (kerning, marks, right-to-left runs shown in logical order)
    // go out as a TJ array; a run without any as a single Tj string.
    let adjusted = items.iter().any(|item| match item {
        TextItem::GlyphIds(glyphs) => glyphs.iter().any(|g| g.offset != 0.0),
        _ => false,
    });
    out.push(if adjusted { b'[' } else { b'<' });
    let mut open = !adjusted;
    for item in items {
        match item {
            TextItem::GlyphIds(glyphs) => {
                for glyph in glyphs {
                    if glyph.offset != 0.0 {
                        if open {
                            out.extend_from_slice(b"> ");
                            open = false;
                        }
                        number(out, glyph.offset);
                        out.push(b' ');
                    }
                    if !open {
                        out.push(b'<');
                        open = true;
                    }
                    for byte in glyph.gid.to_be_bytes() {
                        out.push(HEX[usize::from(byte >> 4)]);
                        out.push(HEX[usize::from(byte & 15)]);
                    }
                }
            }
            // The canvas shows text as glyph ids only; text strings would need a font encoding.
            TextItem::Text(_) | TextItem::Offset(_) => {
                panic!("the report shows text as glyph ids only, found {item:?}")
            }
        }
    }
    if open {
        out.push(b'>');
    }
    out.extend_from_slice(if adjusted { b"] TJ\n" } else { b" Tj\n" });
}

/// A path: move to the first point, then lines, or cubic Béziers through two control points.
fn path(out: &mut Vec<u8>, points: &[LinePoint]) {
    let Some(first) = points.first() else { return };
    operator(out, &[first.p.x.0, first.p.y.0], b"m");
    let mut i = 1;
    while i < points.len() {
        let point = &points[i];
        if point.bezier && i + 2 < points.len() && points[i + 1].bezier {
            let (c2, end) = (&points[i + 1], &points[i + 2]);
            operator(out, &[point.p.x.0, point.p.y.0, c2.p.x.0, c2.p.y.0, end.p.x.0, end.p.y.0], b"c");
            i += 3;
        } else {
            operator(out, &[point.p.x.0, point.p.y.0], b"l");
            i += 1;
        }
    }
}

fn paint(out: &mut Vec<u8>, mode: PaintMode, winding: WindingOrder) {
    let even_odd = matches!(winding, WindingOrder::EvenOdd);
    let op: &[u8] = match mode {
        PaintMode::Fill if even_odd => b"f*",
        PaintMode::Fill => b"f",
        PaintMode::Stroke => b"S",
        PaintMode::FillStroke if even_odd => b"B*",
        PaintMode::FillStroke => b"B",
        PaintMode::Clip if even_odd => b"W* n",
        PaintMode::Clip => b"W n",
    };
    out.extend_from_slice(op);
    out.push(b'\n');
}

fn colour(out: &mut Vec<u8>, colour: &Color, rgb: &[u8], grey: &[u8]) {
    match colour {
        Color::Rgb(c) => operator(out, &[c.r, c.g, c.b], rgb),
        Color::Greyscale(g) => operator(out, &[g.percent], grey),
        other => panic!("the report uses RGB and grey only, found {other:?}"),
    }
}

fn operator(out: &mut Vec<u8>, operands: &[f32], name: &[u8]) {
    for &operand in operands {
        number(out, operand);
        out.push(b' ');
    }
    out.extend_from_slice(name);
    out.push(b'\n');
}

/// A number to at most three decimals, without trailing zeros or exponent (`12`, `0.5`, `-3.125`).
fn number(out: &mut Vec<u8>, value: f32) {
    let thousandths = if value.is_finite() { (f64::from(value) * 1000.0).round() as i64 } else { 0 };
    if thousandths < 0 {
        out.push(b'-');
    }
    let magnitude = thousandths.unsigned_abs();
    digits(out, magnitude / 1000);
    let mut fraction = magnitude % 1000;
    if fraction > 0 {
        out.push(b'.');
        let mut places = 3;
        while fraction % 10 == 0 {
            fraction /= 10;
            places -= 1;
        }
        let start = out.len();
        for _ in 0..places {
            out.push(b'0' + (fraction % 10) as u8);
            fraction /= 10;
        }
        out[start..].reverse();
    }
}

fn integer(out: &mut Vec<u8>, value: i64) {
    if value < 0 {
        out.push(b'-');
    }
    digits(out, value.unsigned_abs());
}

fn digits(out: &mut Vec<u8>, mut value: u64) {
    let start = out.len();
    loop {
        out.push(b'0' + (value % 10) as u8);
        value /= 10;
        if value == 0 {
            break;
        }
    }
    out[start..].reverse();
}

#[cfg(test)]
mod tests {
    use super::*;
    use printpdf::{Codepoint, FontId, Line, LineDashPattern, Point, Polygon, PolygonRing, Pt, Rect, Rgb, TextMatrix};

    fn text(ops: &[Op]) -> String {
        let mut out = Vec::new();
        encode(ops, &mut out);
        String::from_utf8(out).unwrap()
    }

    fn number_text(value: f32) -> String {
        let mut out = Vec::new();
        number(&mut out, value);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn numbers_have_at_most_three_decimals_and_no_exponent() {
        let cases = [
            (0.0, "0"),
            (-0.0, "0"),
            (12.0, "12"),
            (0.5, "0.5"),
            (119.7, "119.7"),
            (119.700005, "119.7"),
            (-3.125, "-3.125"),
            (0.0004, "0"),
            (-0.0004, "0"),
            (0.8352941, "0.835"),
            (1e-8, "0"),
            (595.28, "595.28"),
            (1.0e7, "10000000"),
            (f32::NAN, "0"),
            (f32::INFINITY, "0"),
        ];
        for (value, expected) in cases {
            assert_eq!(number_text(value), expected, "{value}");
        }
    }

    #[test]
    fn every_operation_the_canvas_draws_is_encoded() {
        let point = |x: f32, y: f32, bezier: bool| LinePoint { p: Point { x: Pt(x), y: Pt(y) }, bezier };
        let rgb = Color::Rgb(Rgb { r: 0.122, g: 0.306, b: 1.0, icc_profile: None });
        let ops = vec![
            Op::SaveGraphicsState,
            Op::SetLineJoinStyle { join: printpdf::LineJoinStyle::Round },
            Op::SetOutlineColor { col: rgb.clone() },
            Op::SetOutlineThickness { pt: Pt(0.8) },
            Op::SetLineDashPattern { dash: LineDashPattern::new(0.0, &[4.0, 2.5]) },
            Op::DrawLine {
                line: Line { points: vec![point(50.0, 660.89, false), point(545.28, 660.89, false)], is_closed: false },
            },
            Op::DrawLine {
                line: Line {
                    points: vec![
                        point(0.0, 0.0, false),
                        point(1.0, 2.0, true),
                        point(3.0, 4.0, true),
                        point(5.0, 6.0, false),
                    ],
                    is_closed: true,
                },
            },
            Op::RestoreGraphicsState,
            Op::SetFillColor { col: rgb },
            Op::DrawRectangle {
                rectangle: Rect {
                    x: Pt(50.0),
                    y: Pt(775.89),
                    width: Pt(46.0),
                    height: Pt(4.0),
                    mode: Some(PaintMode::Fill),
                    winding_order: Some(WindingOrder::NonZero),
                },
            },
            Op::DrawPolygon {
                polygon: Polygon {
                    rings: vec![PolygonRing {
                        points: vec![point(0.0, 0.0, false), point(1.0, 0.0, false), point(0.0, 1.0, false)],
                    }],
                    mode: PaintMode::Fill,
                    winding_order: WindingOrder::NonZero,
                },
            },
            Op::StartTextSection,
            Op::SetTextCursor { pos: Point { x: Pt(50.0), y: Pt(749.89) } },
            Op::SetFont { font: PdfFontHandle::External(FontId("VRLBLD".into())), size: Pt(21.0) },
            Op::ShowText {
                items: vec![TextItem::GlyphIds(vec![
                    Codepoint { gid: 0x2B, offset: 0.0, cid: Some("V".into()) },
                    Codepoint { gid: 0x1A2F, offset: 0.0, cid: Some("a".into()) },
                ])],
            },
            Op::SetTextMatrix { matrix: TextMatrix::TranslateRotate(Pt(60.0), Pt(300.0), 90.0) },
            Op::EndTextSection,
        ];
        assert_eq!(
            text(&ops),
            "q\n1 j\n0.122 0.306 1 RG\n0.8 w\n[4 2.5] 0 d\n50 660.89 m\n545.28 660.89 l\nS\n\
             0 0 m\n1 2 3 4 5 6 c\nh\nS\nQ\n0.122 0.306 1 rg\n50 775.89 46 4 re\nf\n\
             0 0 m\n1 0 l\n0 1 l\nh\nf\n\
             BT\n50 749.89 Td\n/VRLBLD 21 Tf\n<002B1A2F> Tj\n0 1 -1 0 60 300 Tm\nET\n"
        );
    }

    #[test]
    fn strokes_in_the_same_state_share_one_save_and_restore() {
        let point = |x: f32, y: f32| LinePoint { p: Point { x: Pt(x), y: Pt(y) }, bezier: false };
        let grey = |g: f32| Color::Rgb(Rgb { r: g, g, b: g, icc_profile: None });
        let stroke = |y: f32, g: f32| {
            vec![
                Op::SaveGraphicsState,
                Op::SetLineJoinStyle { join: printpdf::LineJoinStyle::Round },
                Op::SaveGraphicsState,
                Op::SetOutlineColor { col: grey(g) },
                Op::SetOutlineThickness { pt: Pt(0.5) },
                Op::DrawLine { line: Line { points: vec![point(0.0, y), point(10.0, y)], is_closed: false } },
                Op::RestoreGraphicsState,
                Op::RestoreGraphicsState,
            ]
        };
        let mut ops = [stroke(1.0, 0.5), stroke(2.0, 0.5), stroke(3.0, 0.5), stroke(4.0, 0.25)].concat();
        ops.push(Op::SaveGraphicsState);
        ops.push(Op::RestoreGraphicsState);
        assert_eq!(
            text(&ops),
            "q\n1 j\nq\n0.5 0.5 0.5 RG\n0.5 w\n0 1 m\n10 1 l\nS\n0 2 m\n10 2 l\nS\n0 3 m\n10 3 l\nS\nQ\nQ\n\
             q\n1 j\nq\n0.25 0.25 0.25 RG\n0.5 w\n0 4 m\n10 4 l\nS\nQ\nQ\nq\nQ\n"
        );
        // A line not closed by as many restores is drawn as it is.
        let open = &stroke(5.0, 0.5)[..7];
        assert_eq!(text(open), "q\n1 j\nq\n0.5 0.5 0.5 RG\n0.5 w\n0 5 m\n10 5 l\nS\nQ\n");
    }

    #[test]
    fn content_streams_parse_back_with_lopdf() {
        let ops = vec![
            Op::StartTextSection,
            Op::SetTextCursor { pos: Point { x: Pt(-1.5), y: Pt(2.25) } },
            Op::SetFont { font: PdfFontHandle::External(FontId("VRJREG".into())), size: Pt(9.5) },
            Op::ShowText { items: vec![TextItem::GlyphIds(vec![Codepoint { gid: 7, offset: 0.0, cid: None }])] },
            Op::EndTextSection,
        ];
        let mut bytes = Vec::new();
        encode(&ops, &mut bytes);
        let content = lopdf::content::Content::decode(&bytes).unwrap();
        let names: Vec<&str> = content.operations.iter().map(|o| o.operator.as_str()).collect();
        assert_eq!(names, ["BT", "Td", "Tf", "Tj", "ET"]);
        assert_eq!(content.operations[1].operands[0].as_float().unwrap(), -1.5);
        assert_eq!(content.operations[3].operands[0].as_str().unwrap(), &[0, 7]);
    }
}
