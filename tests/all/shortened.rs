//! Text the layout shortens with "…" to fit its box keeps its whole text in the text layer: the
//! shortened line is wrapped in a /Span whose /ActualText is the full string (PDF/UA wants the
//! real text available to extraction and assistive technology). Read back with lopdf: a Japanese
//! KPI change line (four cards), the running header's long customer name, and a long chart title
//! and axis title.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use lopdf::content::Content;
use lopdf::{Document, Object};
use valuereport::batch::load_input;
use valuereport::content::catalog::Catalogs;
use valuereport::content::report::{build, Edition, Element, ReportInput};
use valuereport::model::{Customer, Settings};
use valuereport::quarter::Quarter;
use valuereport::render::archive::PdfStandard;

use crate::archive::render;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn sample(id: &str) -> (Customer, Settings) {
    let loaded = load_input(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data")).unwrap();
    let settings = loaded.settings.unwrap();
    let customer = loaded
        .customers
        .into_iter()
        .map(|(_, c)| c.unwrap())
        .find(|c| c.account.customer_id == id)
        .unwrap_or_else(|| panic!("no sample customer {id}"));
    (customer, settings)
}

fn content(customer: &Customer, settings: &Settings, edition: Edition) -> Vec<Element> {
    let catalogs = Catalogs::built_in();
    let summary = valuereport::value::compute(customer, Quarter::last_ended_on_or_before(as_of())).unwrap();
    build(&ReportInput {
        customer,
        summary: &summary,
        settings,
        as_of: as_of(),
        edition,
        catalog: catalogs.get(customer.account.locale),
        locale: customer.account.locale,
        renewal: None,
    })
    .unwrap()
    .sections
    .into_iter()
    .flat_map(|s| s.elements)
    .collect()
}

fn name(object: &Object) -> String {
    String::from_utf8_lossy(object.as_name().unwrap()).into_owned()
}

fn utf16(bytes: &[u8]) -> String {
    let units = bytes.strip_prefix(&[0xFE, 0xFF]).expect("/ActualText is UTF-16BE with a byte order mark");
    String::from_utf16(&units.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect::<Vec<_>>()).unwrap()
}

/// A /Span with /ActualText read back: the whole text, the text its operators show, and the
/// marked-content tags around it (outermost first: "Artifact", "P", …).
#[derive(Debug)]
struct Span {
    actual: String,
    shown: String,
    within: Vec<String>,
}

/// What the text layer reads: every shown text, with an /ActualText span's text in place of
/// what the span shows (as extractors and assistive technology read it), whitespace removed.
#[derive(Debug, Default)]
struct Layer {
    spans: Vec<Span>,
    /// The text read with /ActualText.
    read: String,
    /// The text the operators show (without /ActualText).
    shown: String,
    /// /ActualText spans inside another (extractors such as poppler then lose the outer text).
    nested: usize,
}

/// Every /ActualText span of the document, page by page in order, and the text layer.
fn read_spans(bytes: &[u8]) -> Vec<Span> {
    read_layer(bytes).spans
}

fn read_layer(bytes: &[u8]) -> Layer {
    let doc = Document::load_mem(bytes).unwrap();
    let mut layer = Layer::default();
    for page in doc.get_pages().into_values() {
        let fonts = doc.get_page_fonts(page).unwrap();
        let encodings: BTreeMap<Vec<u8>, lopdf::Encoding> =
            fonts.iter().map(|(name, font)| (name.clone(), font.get_font_encoding(&doc).unwrap())).collect();
        let content = Content::decode(&doc.get_page_content(page)).unwrap();
        // Open marked content: its tag, and for an /ActualText span its text and what it shows.
        let mut stack: Vec<(String, Option<(String, String)>)> = Vec::new();
        let mut font = None;
        for op in &content.operations {
            match op.operator.as_str() {
                "BMC" => stack.push((name(&op.operands[0]), None)),
                "BDC" => {
                    let tag = name(&op.operands[0]);
                    let actual = op.operands[1]
                        .as_dict()
                        .ok()
                        .and_then(|d| d.get(b"ActualText").ok())
                        .map(|t| (utf16(t.as_str().unwrap()), String::new()));
                    if actual.is_some() && stack.iter().any(|(_, a)| a.is_some()) {
                        layer.nested += 1;
                    }
                    // The outermost /ActualText is what is read.
                    if let Some((text, _)) = actual.as_ref().filter(|_| stack.iter().all(|(_, a)| a.is_none())) {
                        layer.read.push_str(&squash(text));
                    }
                    stack.push((tag, actual));
                }
                "EMC" => {
                    let (_, actual) = stack.pop().expect("EMC closes a sequence");
                    if let Some((actual, shown)) = actual {
                        let within = stack.iter().map(|(tag, _)| tag.clone()).collect();
                        layer.spans.push(Span { actual, shown, within });
                    }
                }
                "Tf" => font = Some(op.operands[0].as_name().unwrap().to_vec()),
                "Tj" | "TJ" => {
                    let encoding = &encodings[font.as_ref().expect("a font before text")];
                    let strings: Vec<&Object> = match op.operator.as_str() {
                        "Tj" => vec![&op.operands[0]],
                        _ => op.operands[0].as_array().unwrap().iter().filter(|o| o.as_str().is_ok()).collect(),
                    };
                    let shown: String = strings
                        .into_iter()
                        .map(|s| Document::decode_text(encoding, s.as_str().unwrap()).unwrap())
                        .collect();
                    layer.shown.push_str(&squash(&shown));
                    if stack.iter().all(|(_, a)| a.is_none()) {
                        layer.read.push_str(&squash(&shown));
                    }
                    for (_, actual) in stack.iter_mut() {
                        if let Some((_, text)) = actual {
                            text.push_str(&shown);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    layer
}

/// The spans that stand for a shortened text (their operators show text ending with "…"), as
/// (whole text, shown text).
fn shortened(spans: &[Span]) -> Vec<&Span> {
    spans.iter().filter(|s| s.shown.ends_with('…')).collect()
}

fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// `shown` is `full` shortened: its start (without the "…") begins the whole text, which is longer.
fn is_start_of(shown: &str, full: &str) -> bool {
    let head = squash(shown.trim_end_matches('…'));
    let full = squash(full);
    full.starts_with(&head) && full.chars().count() > head.chars().count()
}

#[test]
fn a_japanese_kpi_change_line_shortened_on_its_card_is_whole_in_the_text_layer() {
    let (customer, settings) = sample("sakura-seimitsu");
    let elements = content(&customer, &settings, Edition::Team);
    let cards: Vec<_> = elements
        .iter()
        .filter_map(|e| if let Element::Kpis(cards) = e { Some(cards.clone()) } else { None })
        .flatten()
        .collect();
    assert_eq!(cards.len(), 4, "three goals and the health card");
    let changes: Vec<String> = cards.iter().filter_map(|c| c.change.as_ref().map(|(t, _)| t.clone())).collect();
    let spans = read_spans(&render(&customer, &settings, Edition::Team, PdfStandard::Ua1A3a));
    let short = shortened(&spans);
    // At least one change line is too long for its card (the sample's "▲5.1%（2026年第2四半期比）").
    let mut whole = 0;
    for change in &changes {
        if let Some(span) = short.iter().find(|s| s.actual == *change) {
            assert!(is_start_of(&span.shown, change), "{span:?}");
            // Inside the card's paragraph of the tree, not an artifact.
            assert!(span.within.iter().any(|t| t == "P") && !span.within.iter().any(|t| t == "Artifact"), "{span:?}");
            whole += 1;
        }
    }
    assert!(whole >= 1, "no shortened change line carries its whole text: {changes:?} {short:?}");
    // No other shortened span claims a KPI text it does not start.
    for span in &short {
        assert!(is_start_of(&span.shown, &span.actual), "{span:?}");
    }
    // The plain PDF keeps the /ActualText too (it is text-layer fidelity, not tagging).
    let plain = read_spans(&render(&customer, &settings, Edition::Team, PdfStandard::None));
    assert!(changes.iter().any(|c| shortened(&plain).iter().any(|s| s.actual == *c)), "plain PDF: {plain:?}");
}

#[test]
fn a_long_name_in_the_running_header_and_a_long_chart_title_are_whole_in_the_text_layer() {
    let (mut customer, settings) = sample("acme-logistics");
    let long_name = "Internationale Gesellschaft für Logistik, Spedition und Lagerhaltung Hamburg-Altona-Wilhelmsburg GmbH & Co. KG";
    customer.account.customer_name = long_name.to_string();
    let long_title = "Cut the monthly reporting effort of every regional finance team from forty hours to under fifteen hours by automating the consolidation, reconciliation and variance commentary across all business units";
    customer.goals[0].title = long_title.to_string();
    customer.goals[0].unit =
        "hours of analyst and controller time spent on the monthly close and its reconciliations".to_string();
    let elements = content(&customer, &settings, Edition::Team);
    let chart_title = elements
        .iter()
        .find_map(|e| {
            if let Element::LineChart(c) = e {
                c.title.contains(long_title).then(|| c.title.clone())
            } else {
                None
            }
        })
        .expect("the first goal's chart");
    let y_title = elements
        .iter()
        .find_map(|e| {
            if let Element::LineChart(c) = e {
                c.title.contains(long_title).then(|| c.y_title.clone())
            } else {
                None
            }
        })
        .unwrap();
    let bytes = render(&customer, &settings, Edition::Team, PdfStandard::Ua1A3a);
    let spans = read_spans(&bytes);
    let short = shortened(&spans);

    // The running header: on every page, the name shortened to its room, whole as /ActualText,
    // inside the Header artifact.
    let pages = Document::load_mem(&bytes).unwrap().get_pages().len();
    let headers: Vec<&&Span> = short.iter().filter(|s| s.actual == long_name).collect();
    assert_eq!(headers.len(), pages, "{short:?}");
    for span in headers {
        assert!(is_start_of(&span.shown, long_name), "{span:?}");
        assert_eq!(span.within, ["Artifact"], "{span:?}");
    }

    // The chart title: two lines, the second ending with "…" and carrying the rest of the title as
    // /ActualText, inside the chart's Caption; the text layer reads the whole title.
    let title = short
        .iter()
        .find(|s| s.within.iter().any(|t| t == "Caption") && squash(&chart_title).ends_with(&squash(&s.actual)))
        .unwrap_or_else(|| panic!("{chart_title:?} in {short:?}"));
    assert!(is_start_of(&title.shown, &title.actual), "{title:?}");
    // Read with /ActualText, the whole title and name occur more often than the operators show
    // them whole (the ROI heading and the title block show them whole; the chart title and the
    // running header only in the text layer).
    let layer = read_layer(&bytes);
    assert_eq!(layer.nested, 0, "an /ActualText span inside another");
    for whole in [squash(&chart_title), squash(long_name)] {
        let (read, shown) = (layer.read.matches(&whole).count(), layer.shown.matches(&whole).count());
        assert!(read > shown, "{whole:?}: read whole {read} times, shown whole {shown} times");
    }
    // On every page twice more: the running header and the footer ("Prepared by … for NAME ·
    // figures as of …"), both shortened.
    let name = squash(long_name);
    assert_eq!(layer.read.matches(&name).count(), layer.shown.matches(&name).count() + 2 * pages);

    // The y-axis title, shortened to the plot's height.
    let axis = short.iter().find(|s| s.actual == y_title).unwrap_or_else(|| panic!("{y_title:?} in {short:?}"));
    assert!(is_start_of(&axis.shown, &y_title), "{axis:?}");

    // Text that fits is not wrapped in a span of its own (a ligature's span, two or three
    // characters for one glyph, shows its text whole).
    assert!(
        spans.iter().all(|s| s.shown != s.actual || s.actual.chars().count() <= 3),
        "a span around text shown whole"
    );
}

#[test]
fn a_name_clipped_in_the_title_block_is_whole_in_the_text_layer() {
    // Over 120 characters: the title block shows it clipped (to keep the block on its page).
    let (mut customer, settings) = sample("acme-logistics");
    let name = "Internationale Gesellschaft für Logistik, Spedition, Lagerhaltung und Zollabwicklung der Freien und Hansestadt Hamburg-Altona-Wilhelmsburg GmbH & Co. KG";
    assert!(name.chars().count() > 120);
    customer.account.customer_name = name.to_string();
    let bytes = render(&customer, &settings, Edition::Executive, PdfStandard::Ua1A3a);
    let layer = read_layer(&bytes);
    assert_eq!(layer.nested, 0);
    // The title block's last line of the name: inside its paragraph, the rest of the name whole.
    let title = layer
        .spans
        .iter()
        .find(|s| {
            s.shown.ends_with('…')
                && !s.within.iter().any(|t| t == "Artifact")
                && squash(name).ends_with(&squash(&s.actual))
        })
        .unwrap_or_else(|| panic!("no span for the clipped name: {:?}", layer.spans));
    assert!(is_start_of(&title.shown, &title.actual), "{title:?}");
    assert_eq!(title.within, ["P"], "{title:?}");
    // Nowhere on the pages is the name shown whole; the text layer reads it whole in the title
    // block, and in the running header and footer of every page.
    let pages = Document::load_mem(&bytes).unwrap().get_pages().len();
    assert_eq!(layer.shown.matches(&squash(name)).count(), 0);
    assert_eq!(layer.read.matches(&squash(name)).count(), 1 + 2 * pages);
}
