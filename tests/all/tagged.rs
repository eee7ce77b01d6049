//! Every sample report, both editions, is a tagged PDF (PDF/UA-1, PDF/A-3a), read back with lopdf:
//! a structure tree that is complete and consistent with the page content (every MCID in the pages
//! referenced by exactly one element and the other way round, a ParentTree entry per page that
//! agrees), every text-showing operator inside marked content of the tree or inside an artifact,
//! running headers and footers as artifacts, every Figure with alternative text naming figures,
//! every table with a header row of TH cells (with /Scope) and rows of as many cells, the KPI cards
//! in reading order (title, amount, change, caption), /Lang, /Tabs /S, and XMP claiming PDF/A-3a and
//! PDF/UA-1.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::NaiveDate;
use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId};
use valuereport::batch::{load_input, report_pdf, ReportOptions};
use valuereport::content::catalog::Catalogs;
use valuereport::content::report::{build, Edition, Element, KpiCard, ReportInput};
use valuereport::model::{Customer, Settings};
use valuereport::quarter::Quarter;
use valuereport::render::archive::PdfStandard;
use valuereport::render::pdf::Paper;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn customers() -> Vec<(std::path::PathBuf, Customer, Settings)> {
    let loaded = load_input(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data")).unwrap();
    let settings = loaded.settings.unwrap();
    loaded.customers.into_iter().map(|(dir, c)| (dir, c.unwrap(), settings.clone())).collect()
}

fn options<'a>(settings: &'a Settings, catalogs: &'a Catalogs, edition: Edition, standard: PdfStandard) -> ReportOptions<'a> {
    ReportOptions {
        settings,
        catalogs,
        quarter: Quarter::last_ended_on_or_before(as_of()),
        as_of: as_of(),
        edition,
        paper: Paper::A4,
        renewal: None,
        locale: None,
        allow_stale: false,
        pdf_standard: standard,
    }
}

pub(crate) fn name(object: &Object) -> String {
    String::from_utf8_lossy(object.as_name().unwrap()).into_owned()
}

pub(crate) fn text(object: &Object) -> String {
    let bytes = object.as_str().unwrap();
    match bytes.strip_prefix(&[0xFE, 0xFF]) {
        Some(utf16) => {
            String::from_utf16(&utf16.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect::<Vec<_>>()).unwrap()
        }
        None => String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

pub(crate) fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A structure element read back: its type, attributes and kids in order.
#[derive(Debug)]
pub(crate) struct Elem {
    pub(crate) id: ObjectId,
    pub(crate) role: String,
    pub(crate) alt: Option<String>,
    pub(crate) lang: Option<String>,
    pub(crate) scope: Option<String>,
    pub(crate) kids: Vec<Kid>,
}

#[derive(Debug)]
pub(crate) enum Kid {
    Elem(usize),
    Content(ObjectId, i64),
}

/// What marked content a page holds: per MCID its text and tag, and the text shown in artifacts by
/// artifact subtype ("" for none).
#[derive(Debug, Default)]
pub(crate) struct PageContent {
    pub(crate) mcids: BTreeMap<i64, (String, String)>,
    pub(crate) artifacts: BTreeMap<String, String>,
}

pub(crate) struct Tagged {
    pub(crate) doc: Document,
    pub(crate) elems: Vec<Elem>,
    pub(crate) pages: Vec<ObjectId>,
    pub(crate) content: BTreeMap<ObjectId, PageContent>,
}

impl Tagged {
    pub(crate) fn read(bytes: &[u8]) -> Tagged {
        let doc = Document::load_mem(bytes).unwrap();
        let pages: Vec<ObjectId> = doc.get_pages().into_values().collect();
        let root = doc.catalog().unwrap().get(b"StructTreeRoot").unwrap().as_reference().unwrap();
        let root_dict = doc.get_dictionary(root).unwrap();
        assert_eq!(name(root_dict.get(b"Type").unwrap()), "StructTreeRoot");
        let mut elems = Vec::new();
        let top = root_dict.get(b"K").unwrap().as_reference().unwrap();
        read_elem(&doc, top, root, &mut elems);
        let content = pages.iter().map(|&page| (page, page_content(&doc, page))).collect();
        Tagged { doc, elems, pages, content }
    }

    /// The text of an element: its marked content and its kids', in order.
    pub(crate) fn text(&self, index: usize) -> String {
        self.elems[index]
            .kids
            .iter()
            .map(|kid| match kid {
                Kid::Elem(child) => self.text(*child),
                Kid::Content(page, mcid) => self.content[page].mcids[mcid].1.clone(),
            })
            .collect()
    }

    pub(crate) fn children(&self, index: usize) -> Vec<usize> {
        self.elems[index].kids.iter().filter_map(|k| if let Kid::Elem(c) = k { Some(*c) } else { None }).collect()
    }

    pub(crate) fn roles(&self, indices: &[usize]) -> Vec<&str> {
        indices.iter().map(|&i| self.elems[i].role.as_str()).collect()
    }
}

fn read_elem(doc: &Document, id: ObjectId, parent: ObjectId, elems: &mut Vec<Elem>) -> usize {
    let dict = doc.get_dictionary(id).unwrap();
    assert_eq!(name(dict.get(b"Type").unwrap()), "StructElem");
    assert_eq!(dict.get(b"P").unwrap().as_reference().unwrap(), parent, "/P of an element is its parent");
    let page = dict.get(b"Pg").ok().map(|p| p.as_reference().unwrap());
    let index = elems.len();
    let attribute = |key: &[u8]| dict.get(b"A").ok().and_then(|a| a.as_dict().ok()).and_then(|a| a.get(key).ok()).map(name);
    elems.push(Elem {
        id,
        role: name(dict.get(b"S").unwrap()),
        alt: dict.get(b"Alt").ok().map(text),
        lang: dict.get(b"Lang").ok().map(text),
        scope: attribute(b"Scope"),

        kids: Vec::new(),
    });
    let mut kids = Vec::new();
    for kid in dict.get(b"K").unwrap().as_array().unwrap() {
        match kid {
            Object::Integer(mcid) => kids.push(Kid::Content(page.expect("an element with MCIDs has /Pg"), *mcid)),
            Object::Dictionary(mcr) => {
                assert_eq!(name(mcr.get(b"Type").unwrap()), "MCR");
                kids.push(Kid::Content(
                    mcr.get(b"Pg").unwrap().as_reference().unwrap(),
                    mcr.get(b"MCID").unwrap().as_i64().unwrap(),
                ));
            }
            Object::Reference(child) => {
                let child = read_elem(doc, *child, id, elems);
                kids.push(Kid::Elem(child));
            }
            other => panic!("unexpected kid {other:?}"),
        }
    }
    elems[index].kids = kids;
    index
}

/// Walks a page's content: marked-content nesting, fonts, text. Panics on a text-showing operator
/// outside marked content of the tree and outside every artifact.
fn page_content(doc: &Document, page: ObjectId) -> PageContent {
    let fonts = doc.get_page_fonts(page).unwrap();
    let encodings: BTreeMap<Vec<u8>, lopdf::Encoding> =
        fonts.iter().map(|(name, font)| (name.clone(), font.get_font_encoding(doc).unwrap())).collect();
    let content = Content::decode(&doc.get_page_content(page)).unwrap();
    // The marked-content stack: (tag, MCID, artifact subtype).
    let mut stack: Vec<(String, Option<i64>, Option<String>)> = Vec::new();
    let mut font: Option<Vec<u8>> = None;
    let mut out = PageContent::default();
    for op in &content.operations {
        match op.operator.as_str() {
            "BMC" => stack.push((name(&op.operands[0]), None, None)),
            "BDC" => {
                let tag = name(&op.operands[0]);
                let properties = op.operands[1].as_dict().unwrap();
                let mcid = properties.get(b"MCID").ok().map(|m| m.as_i64().unwrap());
                let artifact = (tag == "Artifact").then(|| {
                    properties.get(b"Subtype").ok().map(name).unwrap_or_default()
                });
                if let Some(mcid) = mcid {
                    assert!(
                        stack.iter().all(|(_, m, a)| m.is_none() && a.is_none()),
                        "marked content of the tree is never nested in other such content or an artifact"
                    );
                    assert!(out.mcids.insert(mcid, (tag.clone(), String::new())).is_none(), "MCID {mcid} twice on a page");
                }
                stack.push((tag, mcid, artifact));
            }
            "EMC" => {
                stack.pop().expect("EMC closes a sequence");
            }
            "Tf" => font = Some(op.operands[0].as_name().unwrap().to_vec()),
            "Tj" | "TJ" => {
                let encoding = &encodings[font.as_ref().expect("a font before text")];
                let mut shown = String::new();
                let strings: Vec<&Object> = match op.operator.as_str() {
                    "Tj" => vec![&op.operands[0]],
                    _ => op.operands[0].as_array().unwrap().iter().filter(|o| o.as_str().is_ok()).collect(),
                };
                for s in strings {
                    shown.push_str(&Document::decode_text(encoding, s.as_str().unwrap()).unwrap());
                }
                let mcid = stack.iter().find_map(|(_, m, _)| *m);
                let artifact = stack.iter().find_map(|(tag, _, a)| (tag == "Artifact").then(|| a.clone().unwrap_or_default()));
                match (mcid, artifact) {
                    (Some(mcid), None) => out.mcids.get_mut(&mcid).unwrap().1.push_str(&shown),
                    (None, Some(subtype)) => out.artifacts.entry(subtype).or_default().push_str(&shown),
                    other => panic!("text {shown:?} outside marked content of the tree and artifacts: {other:?}"),
                }
            }
            "'" | "\"" => panic!("the reports show text with Tj and TJ only"),
            _ => {}
        }
    }
    assert!(stack.is_empty(), "every marked-content sequence ends on its page");
    out
}

fn check(tagged: &Tagged, what: &str, lang: &str) {
    check_document(tagged, what, lang, 6);
}

/// Each group of KPI cards is a Figure whose children read, in order, every card's title, amount,
/// change and caption, and whose /Alt names every card's title and amount.
pub(crate) fn check_kpi_groups(tagged: &Tagged, card_groups: &[&[KpiCard]], what: &str) {
    let kpi_figures: Vec<usize> = (0..tagged.elems.len())
        .filter(|&i| tagged.elems[i].role == "Figure" && tagged.elems[i].kids.iter().all(|k| matches!(k, Kid::Elem(_))))
        .collect();
    assert_eq!(kpi_figures.len(), card_groups.len(), "{what}: a Figure per KPI group");
    for (&figure, cards) in kpi_figures.iter().zip(card_groups) {
        let read: Vec<String> = tagged.children(figure).into_iter().map(|p| squash(&tagged.text(p))).collect();
        let expected: Vec<String> = cards
            .iter()
            .flat_map(|c| {
                let mut parts = vec![squash(&c.label), squash(&c.value)];
                parts.extend(c.change.iter().map(|(t, _)| squash(t)));
                parts.push(squash(&c.caption));
                parts
            })
            .collect();
        // A change too long for its card is shortened on the page with "…" (the Figure's /Alt
        // keeps it whole): the start of it must then read in its place.
        assert_eq!(read.len(), expected.len(), "{what}: KPI reading order {read:?}");
        for (got, want) in read.iter().zip(&expected) {
            let shortened = got.strip_suffix('…').is_some_and(|start| want.starts_with(start));
            assert!(got == want || shortened, "{what}: KPI reading order: {got:?} for {want:?}");
        }
        let alt = tagged.elems[figure].alt.clone().unwrap_or_else(|| panic!("{what}: a KPI Figure without /Alt"));
        for card in *cards {
            assert!(alt.contains(&card.label) && alt.contains(&card.value), "{what}: {alt}");
        }
    }
}

/// [`check`] for a document of `sections` sections (the renewal documents have three or six).
pub(crate) fn check_document(tagged: &Tagged, what: &str, lang: &str, sections: usize) {
    let doc = &tagged.doc;
    let catalog = doc.catalog().unwrap();
    assert_eq!(text(catalog.get(b"Lang").unwrap()), lang, "{what}");
    let mark_info = catalog.get(b"MarkInfo").unwrap().as_dict().unwrap();
    assert_eq!(mark_info.get(b"Marked").unwrap(), &Object::Boolean(true), "{what}");
    let xmp = doc.get_object(catalog.get(b"Metadata").unwrap().as_reference().unwrap()).unwrap();
    let xmp = String::from_utf8(xmp.as_stream().unwrap().content.clone()).unwrap();
    let xml = roxmltree::Document::parse(&xmp).unwrap();
    let value = |ns: &str, local: &str| {
        xml.descendants()
            .find(|n| n.tag_name().namespace() == Some(ns) && n.tag_name().name() == local)
            .and_then(|n| n.text())
            .map(str::to_string)
    };
    assert_eq!(value("http://www.aiim.org/pdfa/ns/id/", "part").as_deref(), Some("3"), "{what}");
    assert_eq!(value("http://www.aiim.org/pdfa/ns/id/", "conformance").as_deref(), Some("A"), "{what}");
    assert_eq!(value("http://www.aiim.org/pdfua/ns/id/", "part").as_deref(), Some("1"), "{what}");

    // The root element is the Document; the title is its first H1; then one Sect per section,
    // each beginning with its H2.
    let elems = &tagged.elems;
    assert_eq!(elems[0].role, "Document", "{what}");
    let top = tagged.children(0);
    let sects: Vec<usize> = top.iter().copied().filter(|&i| elems[i].role == "Sect").collect();
    assert_eq!(tagged.roles(&top[..1]), ["H1"], "{what}");
    assert_eq!(sects.len(), sections, "{what}: {sections} sections");
    assert!(top.iter().all(|&i| matches!(elems[i].role.as_str(), "H1" | "P" | "Sect")), "{what}: {:?}", tagged.roles(&top));
    for &sect in &sects {
        assert_eq!(tagged.roles(&tagged.children(sect)[..1]), ["H2"], "{what}");
    }
    assert_eq!(elems.iter().filter(|e| e.role == "H1").count(), 1, "{what}");

    // Every MCID in the pages is referenced by exactly one element, and every reference is to
    // content that exists, with the element's type as its tag.
    let mut referenced: BTreeSet<(ObjectId, i64)> = BTreeSet::new();
    for elem in elems {
        for kid in &elem.kids {
            if let Kid::Content(page, mcid) = kid {
                assert!(referenced.insert((*page, *mcid)), "{what}: MCID {mcid} referenced twice");
                let (tag, _) = tagged.content[page].mcids.get(mcid).unwrap_or_else(|| panic!("{what}: no MCID {mcid}"));
                assert_eq!(tag, &elem.role, "{what}");
            }
        }
    }
    let in_pages: BTreeSet<(ObjectId, i64)> =
        tagged.content.iter().flat_map(|(page, c)| c.mcids.keys().map(move |m| (*page, *m))).collect();
    assert_eq!(referenced, in_pages, "{what}");

    // The ParentTree maps every page's MCIDs to the element that holds them.
    let root = doc.get_dictionary(catalog.get(b"StructTreeRoot").unwrap().as_reference().unwrap()).unwrap();
    let parent_tree = doc.get_dictionary(root.get(b"ParentTree").unwrap().as_reference().unwrap()).unwrap();
    let nums = parent_tree.get(b"Nums").unwrap().as_array().unwrap();
    let owner: BTreeMap<(ObjectId, i64), ObjectId> = elems
        .iter()
        .flat_map(|e| e.kids.iter().filter_map(move |k| if let Kid::Content(p, m) = k { Some(((*p, *m), e.id)) } else { None }))
        .collect();
    assert_eq!(nums.len(), 2 * tagged.pages.len(), "{what}: a ParentTree entry per page");
    for &page in &tagged.pages {
        let page_dict = doc.get_dictionary(page).unwrap();
        assert_eq!(name(page_dict.get(b"Tabs").unwrap()), "S", "{what}");
        let key = page_dict.get(b"StructParents").unwrap().as_i64().unwrap();
        let at = nums.chunks(2).find(|pair| pair[0].as_i64().unwrap() == key).expect("a ParentTree entry");
        let parents = at[1].as_array().unwrap();
        let mcids = &tagged.content[&page].mcids;
        assert_eq!(parents.len(), mcids.len(), "{what}");
        for (mcid, parent) in parents.iter().enumerate() {
            assert_eq!(owner[&(page, mcid as i64)], parent.as_reference().unwrap(), "{what}");
        }
        // Running header and footer: artifacts, with text, on every page.
        let artifacts = &tagged.content[&page].artifacts;
        assert!(artifacts.get("Header").is_some_and(|t| !t.is_empty()), "{what}: header artifact");
        assert!(artifacts.get("Footer").is_some_and(|t| !t.is_empty()), "{what}: footer artifact");
    }

    // Figures: non-empty alternative text that names figures (charts) or reads the cards (KPIs).
    let figures: Vec<&Elem> = elems.iter().filter(|e| e.role == "Figure").collect();
    assert!(!figures.is_empty(), "{what}");
    for figure in &figures {
        let alt = figure.alt.as_deref().unwrap_or_default();
        assert!(alt.chars().any(|c| c.is_ascii_digit()), "{what}: Figure /Alt {alt:?} names no figure");
    }

    // Tables: THead with one TR of TH cells (each with /Scope), then TBody rows of as many cells.
    for (index, table) in elems.iter().enumerate().filter(|(_, e)| e.role == "Table") {
        let parts = tagged.children(index);
        assert_eq!(tagged.roles(&parts), ["THead", "TBody"], "{what}");
        let head_rows = tagged.children(parts[0]);
        assert_eq!(tagged.roles(&head_rows), ["TR"], "{what}");
        let header = tagged.children(head_rows[0]);
        assert!(!header.is_empty() && header.iter().all(|&c| elems[c].role == "TH"), "{what}");
        assert!(header.iter().all(|&c| elems[c].scope.as_deref() == Some("Column")), "{what}");
        let body = tagged.children(parts[1]);
        assert!(!body.is_empty(), "{what}: {table:?}");
        for row in body {
            assert_eq!(elems[row].role, "TR");
            let cells = tagged.children(row);
            assert_eq!(cells.len(), header.len(), "{what}");
            assert!(cells.iter().all(|&c| elems[c].role == "TD"), "{what}");
        }
    }
}

#[test]
fn every_sample_report_is_tagged_completely_and_consistently() {
    let catalogs = Catalogs::built_in();
    for (dir, customer, settings) in customers() {
        for edition in [Edition::Executive, Edition::Team] {
            let options = options(&settings, &catalogs, edition, PdfStandard::Ua1A3a);
            let bytes = report_pdf(&customer, &options).unwrap().bytes;
            let what = format!("{} {}", dir.display(), edition.as_str());
            let tagged = Tagged::read(&bytes);
            check(&tagged, &what, &customer.account.locale_tag().to_string());

            // The KPI cards read in order: per card its title, amount, change and caption, as the
            // content has them.
            let summary = valuereport::value::compute(&customer, options.quarter).unwrap();
            let content = build(&ReportInput {
                customer: &customer,
                summary: &summary,
                settings: &settings,
                as_of: as_of(),
                edition,
                catalog: catalogs.get(customer.account.locale),
                locale: customer.account.locale,
                renewal: None,
            })
            .unwrap();
            let cards: Vec<_> = content
                .sections
                .iter()
                .flat_map(|s| &s.elements)
                .filter_map(|e| if let Element::Kpis(cards) = e { Some(cards.clone()) } else { None })
                .collect();
            check_kpi_groups(&tagged, &cards.iter().map(Vec::as_slice).collect::<Vec<_>>(), &what);
            // Recommendations: one L of LI items, each its Lbl ("1.") and LBody; quotes: a
            // BlockQuote of the quote's P and the attribution's P.
            let elements: Vec<&Element> = content.sections.iter().flat_map(|s| &s.elements).collect();
            let items: Vec<(String, String)> = elements
                .iter()
                .filter_map(|e| if let Element::ListItem { label, text } = e { Some((label.clone(), text.clone())) } else { None })
                .collect();
            let lists: Vec<usize> = (0..tagged.elems.len()).filter(|&i| tagged.elems[i].role == "L").collect();
            assert_eq!(lists.len(), usize::from(!items.is_empty()), "{what}");
            if let Some(&list) = lists.first() {
                let read: Vec<(String, String)> = tagged
                    .children(list)
                    .into_iter()
                    .map(|li| {
                        assert_eq!(tagged.elems[li].role, "LI");
                        let parts = tagged.children(li);
                        assert_eq!(tagged.roles(&parts), ["Lbl", "LBody"], "{what}");
                        (squash(&tagged.text(parts[0])), squash(&tagged.text(parts[1])))
                    })
                    .collect();
                let expected: Vec<(String, String)> = items.iter().map(|(l, t)| (squash(l), squash(t))).collect();
                assert_eq!(read, expected, "{what}");
            }
            let quotes: Vec<(String, String)> = elements
                .iter()
                .filter_map(|e| if let Element::Quote { text, attribution } = e { Some((text.clone(), attribution.clone())) } else { None })
                .collect();
            let blockquotes: Vec<usize> = (0..tagged.elems.len()).filter(|&i| tagged.elems[i].role == "BlockQuote").collect();
            assert_eq!(blockquotes.len(), quotes.len(), "{what}");
            for (&quote, (text, attribution)) in blockquotes.iter().zip(&quotes) {
                let parts = tagged.children(quote);
                assert_eq!(tagged.roles(&parts), ["P", "P"], "{what}");
                assert!(squash(&tagged.text(parts[0])).contains(&squash(text)), "{what}");
                assert!(squash(&tagged.text(parts[1])).contains(&squash(attribution)), "{what}");
            }

            // Charts: a Figure with a Caption (the chart's title) and the chart's data in words.
            let charts: Vec<&Elem> = tagged
                .elems
                .iter()
                .filter(|e| e.role == "Figure" && e.kids.iter().any(|k| matches!(k, Kid::Content(..))))
                .collect();
            let expected_charts = content
                .sections
                .iter()
                .flat_map(|s| &s.elements)
                .filter(|e| matches!(e, Element::LineChart(_) | Element::BarChart(_)))
                .count();
            assert_eq!(charts.len(), expected_charts, "{what}");
            for (chart, spec) in charts.iter().zip(
                content.sections.iter().flat_map(|s| &s.elements).filter_map(|e| match e {
                    Element::LineChart(c) => Some(c.alt.clone()),
                    Element::BarChart(c) => Some(c.alt.clone()),
                    _ => None,
                }),
            ) {
                assert_eq!(chart.alt.as_deref(), Some(spec.as_str()), "{what}");
            }
        }
    }
}

#[test]
fn chart_alt_text_says_what_the_chart_shows_in_the_reports_language() {
    let catalogs = Catalogs::built_in();
    let all = customers();
    let (_, acme, settings) = all.iter().find(|(d, _, _)| d.ends_with("acme-logistics")).unwrap();
    let options = options(settings, &catalogs, Edition::Team, PdfStandard::Ua1A3a);
    let tagged = Tagged::read(&report_pdf(acme, &options).unwrap().bytes);
    let alts: Vec<String> = tagged.elems.iter().filter(|e| e.role == "Figure").filter_map(|e| e.alt.clone()).collect();
    let line = alts.iter().find(|a| a.starts_with("Line chart, ")).unwrap_or_else(|| panic!("{alts:?}"));
    assert!(line.contains(" from ") && line.contains(" between Q") && line.contains("; baseline "), "{line}");
    let bar = alts.iter().find(|a| a.starts_with("Bar chart, ")).unwrap_or_else(|| panic!("{alts:?}"));
    assert!(bar.contains("realized value per quarter") && bar.contains("$") && bar.contains("(expected)"), "{bar}");

    let (_, sakura, settings) = all.iter().find(|(d, _, _)| d.ends_with("sakura-seimitsu")).unwrap();
    let options = self::options(settings, &catalogs, Edition::Team, PdfStandard::Ua1A3a);
    let tagged = Tagged::read(&report_pdf(sakura, &options).unwrap().bytes);
    let alts: Vec<String> = tagged.elems.iter().filter(|e| e.role == "Figure").filter_map(|e| e.alt.clone()).collect();
    assert!(alts.iter().any(|a| a.starts_with("折れ線グラフ「")), "{alts:?}");
    assert!(alts.iter().any(|a| a.starts_with("棒グラフ「")), "{alts:?}");
}

#[test]
fn a_japanese_customer_name_in_an_english_report_is_marked_japanese() {
    let catalogs = Catalogs::built_in();
    let all = customers();
    let (_, sakura, settings) = all.iter().find(|(d, _, _)| d.ends_with("sakura-seimitsu")).unwrap();
    let mut options = options(settings, &catalogs, Edition::Executive, PdfStandard::Ua1A3a);
    options.locale = Some(valuereport::model::Locale::En);
    let tagged = Tagged::read(&report_pdf(sakura, &options).unwrap().bytes);
    assert_eq!(text(tagged.doc.catalog().unwrap().get(b"Lang").unwrap()), "en");
    let name = &sakura.account.customer_name;
    let marked: Vec<&Elem> = tagged.elems.iter().filter(|e| e.lang.as_deref() == Some("ja")).collect();
    assert!(!marked.is_empty(), "no element is marked ja");
    let indices: Vec<usize> = (0..tagged.elems.len()).filter(|&i| tagged.elems[i].lang.as_deref() == Some("ja")).collect();
    assert!(indices.iter().any(|&i| squash(&tagged.text(i)).contains(&squash(name))), "{name}");

    // In its own language, nothing is marked: the catalog's /Lang says it.
    let options = self::options(settings, &catalogs, Edition::Executive, PdfStandard::Ua1A3a);
    let tagged = Tagged::read(&report_pdf(sakura, &options).unwrap().bytes);
    assert!(tagged.elems.iter().all(|e| e.lang.is_none()));
}

#[test]
fn a_plain_pdf_has_no_structure_and_no_marked_content_of_ours() {
    let catalogs = Catalogs::built_in();
    let all = customers();
    let (_, acme, settings) = all.iter().find(|(d, _, _)| d.ends_with("acme-logistics")).unwrap();
    let bytes = report_pdf(acme, &options(settings, &catalogs, Edition::Team, PdfStandard::None)).unwrap().bytes;
    let doc = Document::load_mem(&bytes).unwrap();
    assert!(doc.catalog().unwrap().get(b"StructTreeRoot").is_err());
    for page in doc.get_pages().into_values() {
        let content = Content::decode(&doc.get_page_content(page)).unwrap();
        // Only the /ActualText spans of ligatures and of text shortened with "…" remain.
        for op in content.operations.iter().filter(|o| o.operator == "BDC") {
            assert_eq!(name(&op.operands[0]), "Span");
            let _: &Dictionary = op.operands[1].as_dict().unwrap();
        }
        assert!(content.operations.iter().all(|o| o.operator != "BMC"));
    }
}
