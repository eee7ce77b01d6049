//! The vendor's logo (`logo = "logo.svg"` in valuereport.toml): an SVG read by usvg (no
//! rasterizer) and drawn as vector paths in the title block and the running header, scaled to fit
//! its box with its aspect ratio kept.
//!
//! What a logo may hold: paths, shapes and groups with flat colours, strokes, opacity (flattened
//! against the white page) and gradients (drawn in the average of their stops). Text (convert it to
//! outlines), embedded or linked images, patterns, masks, clip paths and filters are refused with a
//! message saying so: drawn without them the logo would be wrong, and a linked image would be a file
//! read from outside the input folder.

use std::path::Path;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::draw::{Canvas, Colour};

/// Largest logo file read, in bytes.
pub const MAX_LOGO_BYTES: u64 = 1024 * 1024;

/// One painted outline, in the logo's own units (y down, as in SVG).
#[derive(Debug, Clone, PartialEq)]
struct Shape {
    /// Subpaths: points with whether each is a Bézier control point, and whether it is closed.
    rings: Vec<(Vec<(f32, f32, bool)>, bool)>,
    fill: Option<(Colour, bool)>,
    stroke: Option<(Colour, f32)>,
}

/// A parsed logo, ready to draw at any size. Two logos are equal when their files are.
#[derive(Clone)]
pub struct Logo {
    digest: [u8; 32],
    /// Size in the SVG's own units.
    width: f32,
    height: f32,
    shapes: Arc<Vec<Shape>>,
}

impl std::fmt::Debug for Logo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Logo({}×{}, {} shapes)", self.width, self.height, self.shapes.len())
    }
}

impl PartialEq for Logo {
    fn eq(&self, other: &Logo) -> bool {
        self.digest == other.digest
    }
}

impl Eq for Logo {}

impl Logo {
    /// Reads the logo `name` (as written in valuereport.toml) relative to the folder `root` of the
    /// settings file. It must lie inside that folder (links are resolved first), be a plain SVG file
    /// of at most [`MAX_LOGO_BYTES`], and draw something. The message says what to do.
    pub fn load(root: &Path, name: &str) -> Result<Logo, String> {
        let written = Path::new(name);
        let path = root.join(written);
        let shown = format!("logo = {name:?}");
        let root_real = root.canonicalize().map_err(|e| format!("{shown}: cannot resolve the input folder: {e}"))?;
        let real = path.canonicalize().map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                format!("{shown}: {} does not exist; the path is relative to valuereport.toml", path.display())
            }
            _ => format!("{shown}: cannot read {}: {e}", path.display()),
        })?;
        if !real.starts_with(&root_real) {
            return Err(format!(
                "{shown}: {} is outside the input folder {}; a logo is read only from inside it, so copy it next to \
                 valuereport.toml",
                real.display(),
                root_real.display()
            ));
        }
        let meta = std::fs::metadata(&real).map_err(|e| format!("{shown}: cannot read {}: {e}", path.display()))?;
        if !meta.is_file() {
            return Err(format!("{shown}: {} is not a file", path.display()));
        }
        if meta.len() > MAX_LOGO_BYTES {
            return Err(format!("{shown}: {} bytes; a logo is at most {MAX_LOGO_BYTES} bytes", meta.len()));
        }
        let is_svg = written.extension().is_some_and(|e| e.eq_ignore_ascii_case("svg"));
        if !is_svg {
            return Err(format!("{shown}: expected an SVG file (logo.svg); export the logo as SVG"));
        }
        let bytes = std::fs::read(&real).map_err(|e| format!("{shown}: cannot read {}: {e}", path.display()))?;
        Logo::from_svg(&bytes).map_err(|why| format!("{shown}: {why}"))
    }

    /// Parses SVG bytes (for tests and fuzzing; [`Logo::load`] for files).
    pub fn from_svg(bytes: &[u8]) -> Result<Logo, String> {
        let text = std::str::from_utf8(bytes).map_err(|_| "not an SVG file: it is not UTF-8 text".to_string())?;
        let document = usvg::roxmltree::Document::parse_with_options(
            text,
            usvg::roxmltree::ParsingOptions { allow_dtd: false, ..Default::default() },
        )
        .map_err(|e| format!("not a valid SVG file: {e}"))?;
        for node in document.descendants().filter(|n| n.is_element()) {
            let refused = match node.tag_name().name() {
                "text" => Some("text; convert the text to outlines (paths) in the drawing program"),
                "image" => Some("an image; a logo is drawn as vector paths only"),
                "pattern" | "mask" | "clipPath" | "filter" => Some("a pattern, mask, clip path or filter"),
                _ => None,
            };
            if let Some(what) = refused {
                return Err(format!("the SVG holds {what}"));
            }
        }
        let mut options = usvg::Options::default();
        // Never fetch anything an SVG points at (files, data): only the document itself is read.
        options.image_href_resolver = usvg::ImageHrefResolver {
            resolve_data: Box::new(|_, _, _| None),
            resolve_string: Box::new(|_, _| None),
        };
        let tree = usvg::Tree::from_str(text, &options).map_err(|e| format!("not a valid SVG file: {e}"))?;
        let mut shapes = Vec::new();
        collect(tree.root(), 1.0, &mut shapes)?;
        if shapes.is_empty() {
            return Err("the SVG draws nothing".to_string());
        }
        let size = tree.size();
        Ok(Logo {
            digest: Sha256::digest(bytes).into(),
            width: size.width(),
            height: size.height(),
            shapes: Arc::new(shapes),
        })
    }

    /// SHA-256 of the file (fingerprints: a new logo re-renders the reports).
    pub fn digest(&self) -> [u8; 32] {
        self.digest
    }

    /// The size of the logo drawn as large as fits `max_width` × `max_height`, aspect kept.
    pub fn fit(&self, max_width: f32, max_height: f32) -> (f32, f32) {
        let scale = (max_width / self.width).min(max_height / self.height);
        if !(scale.is_finite() && scale > 0.0) {
            return (0.0, 0.0);
        }
        (self.width * scale, self.height * scale)
    }

    /// Draws the logo as large as fits the box with bottom-left corner `(x, y)`, aspect kept, at the
    /// box's left and vertically centred; records its box (text "logo") with the canvas's text boxes
    /// so the overlap checks see it. Returns the width used.
    pub fn draw(&self, canvas: &mut Canvas, x: f32, y: f32, max_width: f32, max_height: f32) -> f32 {
        let (width, height) = self.fit(max_width, max_height);
        if width <= 0.0 {
            return 0.0;
        }
        let scale = width / self.width;
        let bottom = y + (max_height - height) / 2.0;
        let top = bottom + height;
        let map = |(u, v, bezier): (f32, f32, bool)| (x + u * scale, top - v * scale, bezier);
        for shape in self.shapes.iter() {
            let rings: Vec<(Vec<(f32, f32, bool)>, bool)> =
                shape.rings.iter().map(|(points, closed)| (points.iter().copied().map(map).collect(), *closed)).collect();
            canvas.path(&rings, shape.fill, shape.stroke.map(|(colour, w)| (colour, w * scale)));
        }
        canvas.boxes.push(super::draw::TextBox { x0: x, y0: bottom, x1: x + width, y1: top, text: "logo".into() });
        width
    }
}

/// Walks a group, collecting its visible paths with absolute coordinates.
fn collect(group: &usvg::Group, opacity: f32, shapes: &mut Vec<Shape>) -> Result<(), String> {
    let opacity = opacity * group.opacity().get();
    for node in group.children() {
        match node {
            usvg::Node::Group(child) => collect(child, opacity, shapes)?,
            usvg::Node::Path(path) if path.is_visible() => {
                let transform = path.abs_transform();
                let mut rings: Vec<(Vec<(f32, f32, bool)>, bool)> = Vec::new();
                let mut last = (0.0f32, 0.0f32);
                let point = |p: usvg::tiny_skia_path::Point| {
                    let mut p = p;
                    transform.map_point(&mut p);
                    (p.x, p.y)
                };
                for segment in path.data().segments() {
                    use usvg::tiny_skia_path::PathSegment;
                    match segment {
                        PathSegment::MoveTo(p) => {
                            let (x, y) = point(p);
                            rings.push((vec![(x, y, false)], false));
                            last = (x, y);
                        }
                        PathSegment::LineTo(p) => {
                            let (x, y) = point(p);
                            if let Some((ring, _)) = rings.last_mut() {
                                ring.push((x, y, false));
                            }
                            last = (x, y);
                        }
                        PathSegment::QuadTo(c, p) => {
                            let ((cx, cy), (x, y)) = (point(c), point(p));
                            let (x0, y0) = last;
                            if let Some((ring, _)) = rings.last_mut() {
                                ring.push((x0 + 2.0 / 3.0 * (cx - x0), y0 + 2.0 / 3.0 * (cy - y0), true));
                                ring.push((x + 2.0 / 3.0 * (cx - x), y + 2.0 / 3.0 * (cy - y), true));
                                ring.push((x, y, false));
                            }
                            last = (x, y);
                        }
                        PathSegment::CubicTo(c1, c2, p) => {
                            let ((ax, ay), (bx, by), (x, y)) = (point(c1), point(c2), point(p));
                            if let Some((ring, _)) = rings.last_mut() {
                                ring.extend([(ax, ay, true), (bx, by, true), (x, y, false)]);
                            }
                            last = (x, y);
                        }
                        PathSegment::Close => {
                            if let Some((ring, closed)) = rings.last_mut() {
                                *closed = true;
                                if let Some(&(x, y, _)) = ring.first() {
                                    last = (x, y);
                                }
                            }
                        }
                    }
                }
                let fill = match path.fill() {
                    Some(fill) => Some((
                        paint_colour(fill.paint(), opacity * fill.opacity().get())?,
                        fill.rule() == usvg::FillRule::EvenOdd,
                    )),
                    None => None,
                };
                let stroke = match path.stroke() {
                    Some(stroke) => {
                        let scale = transform_scale(&transform);
                        Some((paint_colour(stroke.paint(), opacity * stroke.opacity().get())?, stroke.width().get() * scale))
                    }
                    None => None,
                };
                if !rings.is_empty() && (fill.is_some() || stroke.is_some()) {
                    shapes.push(Shape { rings, fill, stroke });
                }
            }
            usvg::Node::Path(_) => {}
            usvg::Node::Image(_) => return Err("the SVG holds an image; a logo is drawn as vector paths only".into()),
            usvg::Node::Text(_) => {
                return Err("the SVG holds text; convert the text to outlines (paths) in the drawing program".into())
            }
        }
    }
    Ok(())
}

/// A transform's average scale (for stroke widths).
fn transform_scale(t: &usvg::Transform) -> f32 {
    let (sx, sy) = ((t.sx * t.sx + t.ky * t.ky).sqrt(), (t.kx * t.kx + t.sy * t.sy).sqrt());
    (sx * sy).sqrt()
}

/// A paint as one flat colour, its opacity flattened against the white page.
fn paint_colour(paint: &usvg::Paint, opacity: f32) -> Result<Colour, String> {
    let (r, g, b, stop_opacity) = match paint {
        usvg::Paint::Color(c) => (c.red as f32, c.green as f32, c.blue as f32, 1.0),
        usvg::Paint::LinearGradient(gradient) => average(gradient.stops()),
        usvg::Paint::RadialGradient(gradient) => average(gradient.stops()),
        usvg::Paint::Pattern(_) => return Err("the SVG holds a pattern fill".into()),
    };
    let alpha = (opacity * stop_opacity).clamp(0.0, 1.0);
    let over_white = |c: f32| (c * alpha + 255.0 * (1.0 - alpha)).round().clamp(0.0, 255.0) as u8;
    Ok(Colour::rgb(over_white(r), over_white(g), over_white(b)))
}

fn average(stops: &[usvg::Stop]) -> (f32, f32, f32, f32) {
    if stops.is_empty() {
        return (0.0, 0.0, 0.0, 1.0);
    }
    let n = stops.len() as f32;
    let sum = |f: &dyn Fn(&usvg::Stop) -> f32| stops.iter().map(f).sum::<f32>() / n;
    (
        sum(&|s| s.color().red as f32),
        sum(&|s| s.color().green as f32),
        sum(&|s| s.color().blue as f32),
        sum(&|s| s.opacity().get()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUARE: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="50" viewBox="0 0 200 50">
        <rect x="0" y="0" width="50" height="50" fill="#1F4E79"/>
        <path d="M60 10 Q 80 0 100 10 L 100 40 Z" fill="red" fill-opacity="0.5" stroke="#000" stroke-width="2"/>
        </svg>"##;

    #[test]
    fn parses_shapes_and_fits_keeping_the_aspect() {
        let logo = Logo::from_svg(SQUARE.as_bytes()).unwrap();
        assert_eq!(logo.shapes.len(), 2);
        assert_eq!(logo.shapes[0].fill, Some((Colour::rgb(0x1F, 0x4E, 0x79), false)));
        // 50% red over white.
        assert_eq!(logo.shapes[1].fill.unwrap().0, Colour::rgb(255, 128, 128));
        assert_eq!(logo.fit(100.0, 100.0), (100.0, 25.0));
        assert_eq!(logo.fit(400.0, 20.0), (80.0, 20.0));
        assert_eq!(Logo::from_svg(SQUARE.as_bytes()).unwrap(), logo);
    }

    #[test]
    fn what_cannot_be_drawn_faithfully_is_refused() {
        let cases = [
            ("<svg xmlns=\"http://www.w3.org/2000/svg\"><text>ACME</text></svg>", "outlines"),
            ("<svg xmlns=\"http://www.w3.org/2000/svg\"><image href=\"/etc/passwd\"/></svg>", "image"),
            ("<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>", "draws nothing"),
            ("<svg", "not a valid SVG"),
            ("PNG\x00", "not a valid SVG"),
        ];
        for (svg, message) in cases {
            let error = Logo::from_svg(svg.as_bytes()).unwrap_err();
            assert!(error.contains(message), "{svg}: {error}");
        }
    }

    #[test]
    fn files_resolve_against_the_settings_folder_and_never_leave_it() {
        let outer = tempfile::tempdir().unwrap();
        let root = outer.path().join("input");
        std::fs::create_dir_all(root.join("brand")).unwrap();
        std::fs::write(root.join("brand/logo.svg"), SQUARE).unwrap();
        std::fs::write(outer.path().join("outside.svg"), SQUARE).unwrap();
        std::fs::write(root.join("logo.png"), b"\x89PNG").unwrap();
        assert!(Logo::load(&root, "brand/logo.svg").is_ok());
        let error = Logo::load(&root, "../outside.svg").unwrap_err();
        assert!(error.contains("outside the input folder"), "{error}");
        let absolute = outer.path().join("outside.svg");
        assert!(Logo::load(&root, absolute.to_str().unwrap()).unwrap_err().contains("outside the input folder"));
        let error = Logo::load(&root, "missing.svg").unwrap_err();
        assert!(error.contains("does not exist") && error.contains("relative to valuereport.toml"), "{error}");
        assert!(Logo::load(&root, "logo.png").unwrap_err().contains("expected an SVG file"));
        assert!(Logo::load(&root, "brand").unwrap_err().contains("not a file"));
    }
}
