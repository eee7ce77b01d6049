//! Tagged PDF (PDF/UA-1, ISO 14289-1; PDF/A-3a): the logical structure of the pages.
//!
//! Layout and charts say what they draw by putting *markers* among the page operations: open a
//! structure element ([`open`]), close it ([`close`]), begin and end an artifact ([`artifact`],
//! [`artifact_end`]) for what is not content (running headers and footers, rules, panels, repeated
//! table headers). Markers are plain [`Op`]s that draw nothing, so they travel with the operations
//! through any composition of pages and cost nothing in an untagged PDF ([`super::content`] skips
//! them).
//!
//! [`tag_pages`] turns the markers into marked content: every maximal run of drawing operations
//! inside an open element becomes one marked-content sequence `/Role <</MCID n>> BDC … EMC` that the
//! element references, content outside every element becomes an artifact, and the elements form a
//! tree (Document → Sect → H2, P, Table, Figure …) in the order the markers came, across pages.
//! [`write_tree`] writes that tree into the file: the StructTreeRoot, one indirect dictionary per
//! element, the ParentTree (page → MCID → element), /StructParents and /Tabs /S on every page.

use lopdf::{Dictionary, Object, ObjectId};
use printpdf::{DictItem, Op};

/// Standard structure types the reports use (no custom roles, so no RoleMap is needed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Sect,
    Div,
    H1,
    H2,
    H3,
    P,
    L,
    LI,
    Lbl,
    LBody,
    Table,
    THead,
    TBody,
    TR,
    /// A header cell; its /Scope is always given.
    TH,
    TD,
    Figure,
    Caption,
    BlockQuote,
    Span,
}

impl Role {
    pub const ALL: [Role; 20] = [
        Role::Sect,
        Role::Div,
        Role::H1,
        Role::H2,
        Role::H3,
        Role::P,
        Role::L,
        Role::LI,
        Role::Lbl,
        Role::LBody,
        Role::Table,
        Role::THead,
        Role::TBody,
        Role::TR,
        Role::TH,
        Role::TD,
        Role::Figure,
        Role::Caption,
        Role::BlockQuote,
        Role::Span,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Role::Sect => "Sect",
            Role::Div => "Div",
            Role::H1 => "H1",
            Role::H2 => "H2",
            Role::H3 => "H3",
            Role::P => "P",
            Role::L => "L",
            Role::LI => "LI",
            Role::Lbl => "Lbl",
            Role::LBody => "LBody",
            Role::Table => "Table",
            Role::THead => "THead",
            Role::TBody => "TBody",
            Role::TR => "TR",
            Role::TH => "TH",
            Role::TD => "TD",
            Role::Figure => "Figure",
            Role::Caption => "Caption",
            Role::BlockQuote => "BlockQuote",
            Role::Span => "Span",
        }
    }

    fn from_name(name: &[u8]) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name().as_bytes() == name)
    }
}

/// /Scope of a header cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Column,
    Row,
}

/// A structure element as layout opens it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub role: Role,
    /// Alternative text (every Figure has one).
    pub alt: Option<String>,
    /// BCP 47 language when it differs from the document's (written only then).
    pub lang: Option<String>,
    pub scope: Option<Scope>,
}

impl Element {
    pub fn new(role: Role) -> Element {
        Element { role, alt: None, lang: None, scope: if role == Role::TH { Some(Scope::Column) } else { None } }
    }

    pub fn figure(alt: impl Into<String>) -> Element {
        Element { alt: Some(alt.into()), ..Element::new(Role::Figure) }
    }

    pub fn with_lang(mut self, lang: Option<&'static str>) -> Element {
        self.lang = lang.map(str::to_string);
        self
    }
}

/// Why something on a page is not content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Artifact {
    /// Running header (page furniture repeated on every page).
    Header,
    /// Running footer with the page number.
    Footer,
    /// Repeated on a page for reading, tagged once elsewhere (a table header row on a later page).
    Pagination,
    /// Rules, panels, bars: shapes that carry no information.
    Layout,
}

impl Artifact {
    fn properties(self) -> Vec<(&'static str, &'static str)> {
        match self {
            Artifact::Header => vec![("Type", "Pagination"), ("Subtype", "Header")],
            Artifact::Footer => vec![("Type", "Pagination"), ("Subtype", "Footer")],
            Artifact::Pagination => vec![("Type", "Pagination")],
            Artifact::Layout => vec![("Type", "Layout")],
        }
    }

    fn from_properties(properties: &[DictItem]) -> Option<Artifact> {
        let names: Vec<&[u8]> =
            properties.iter().filter_map(|p| if let DictItem::Name(n) = p { Some(n.as_slice()) } else { None }).collect();
        [Artifact::Header, Artifact::Footer, Artifact::Pagination, Artifact::Layout]
            .into_iter()
            .find(|a| a.properties().iter().map(|(_, v)| v.as_bytes()).eq(names.iter().copied()))
    }
}

const OPEN: &str = "valuereport:struct";
const CLOSE: &str = "valuereport:endstruct";
const ARTIFACT: &str = "valuereport:artifact";
const ARTIFACT_END: &str = "valuereport:endartifact";

/// A marker that opens `element` (closed by [`close`]).
pub fn open(element: Element) -> Op {
    let text = |s: Option<String>| DictItem::String { data: s.unwrap_or_default().into_bytes(), literal: true };
    let scope = match element.scope {
        Some(Scope::Column) => "Column",
        Some(Scope::Row) => "Row",
        None => "",
    };
    Op::Unknown {
        key: OPEN.to_string(),
        value: vec![
            DictItem::Name(element.role.name().as_bytes().to_vec()),
            text(element.alt),
            text(element.lang),
            DictItem::Name(scope.as_bytes().to_vec()),
        ],
    }
}

/// A marker that closes the element opened last.
pub fn close() -> Op {
    Op::Unknown { key: CLOSE.to_string(), value: Vec::new() }
}

/// A marker that begins an artifact (ended by [`artifact_end`]).
pub fn artifact(kind: Artifact) -> Op {
    Op::Unknown {
        key: ARTIFACT.to_string(),
        value: kind.properties().into_iter().map(|(_, v)| DictItem::Name(v.as_bytes().to_vec())).collect(),
    }
}

pub fn artifact_end() -> Op {
    Op::Unknown { key: ARTIFACT_END.to_string(), value: Vec::new() }
}

/// What a marker means.
#[derive(Debug, Clone, PartialEq)]
pub enum Mark {
    Open(Element),
    Close,
    Artifact(Artifact),
    ArtifactEnd,
}

/// The marker `op` is, if it is one.
pub fn mark(op: &Op) -> Option<Mark> {
    let Op::Unknown { key, value } = op else { return None };
    match key.as_str() {
        OPEN => {
            let name = |i: usize| match value.get(i) {
                Some(DictItem::Name(n)) => n.as_slice(),
                _ => b"",
            };
            let text = |i: usize| match value.get(i) {
                Some(DictItem::String { data, .. }) if !data.is_empty() => String::from_utf8(data.clone()).ok(),
                _ => None,
            };
            let role = Role::from_name(name(0))?;
            let scope = match name(3) {
                b"Column" => Some(Scope::Column),
                b"Row" => Some(Scope::Row),
                _ => None,
            };
            Some(Mark::Open(Element { role, alt: text(1), lang: text(2), scope }))
        }
        CLOSE => Some(Mark::Close),
        ARTIFACT => Artifact::from_properties(value).map(Mark::Artifact),
        ARTIFACT_END => Some(Mark::ArtifactEnd),
        _ => None,
    }
}

/// Whether `op` is a structure marker (draws nothing).
pub fn is_marker(op: &Op) -> bool {
    matches!(op, Op::Unknown { key, .. } if key.starts_with("valuereport:"))
}

/// A kid of a structure element: another element or marked content on a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kid {
    Element(usize),
    Content { page: usize, mcid: i64 },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub element: Element,
    pub kids: Vec<Kid>,
}

/// The structure of a document: nodes in the order they were opened; node 0 is the Document.
#[derive(Debug, Clone, PartialEq)]
pub struct Tree {
    pub nodes: Vec<Node>,
    /// Per page, the element each MCID belongs to (MCIDs count from 0 on every page).
    pub parents: Vec<Vec<usize>>,
}

/// The begin-marked-content operation of a content sequence `tag` with `properties`.
fn begin(tag: &str, properties: Vec<(&str, DictItem)>) -> Op {
    Op::BeginMarkedContentWithProperties {
        tag: tag.to_string(),
        properties: DictItem::Dict { map: properties.into_iter().map(|(k, v)| (k.to_string(), v)).collect() },
    }
}

/// Replaces the markers in `pages` by marked content and returns the structure tree.
///
/// Never fails on unbalanced markers (a programming error): a close without an open is ignored,
/// elements still open at the end are closed, an artifact still open at a page's end is ended there.
pub fn tag_pages(pages: &mut [Vec<Op>]) -> Tree {
    let mut tagger = Tagger::new(pages.len());
    for ops in pages {
        tagger.page(ops);
    }
    tagger.finish()
}

/// [`tag_pages`] one page at a time, in order (a document written as its pages fill).
pub struct Tagger {
    tree: Tree,
    /// The elements open at the end of the last page tagged (the Document at the bottom).
    stack: Vec<usize>,
}

impl Tagger {
    /// A tagger for a document of about `pages` pages.
    pub fn new(pages: usize) -> Tagger {
        Tagger {
            tree: Tree {
                nodes: vec![Node { element: Element::new(Role::Div), kids: Vec::new() }],
                parents: Vec::with_capacity(pages),
            },
            stack: vec![0],
        }
    }

    /// Tags the next page: its markers become marked content of the tree's elements.
    pub fn page(&mut self, ops: &mut Vec<Op>) {
        let (tree, stack) = (&mut self.tree, &mut self.stack);
        let page = tree.parents.len();
        let mut out = Vec::with_capacity(ops.len() + ops.len() / 4);
        let mut parents = Vec::new();
        let mut artifact_depth = 0usize;
        // Whether a marked-content sequence of ours (content or an automatic artifact) is open.
        let mut open = false;
        for op in std::mem::take(ops) {
            let Some(mark) = mark(&op) else {
                if is_marker(&op) {
                    continue;
                }
                if !open && artifact_depth == 0 {
                    let top = *stack.last().expect("the Document is never closed");
                    if top == 0 {
                        // Drawn outside every element: not content.
                        out.push(begin("Artifact", Vec::new()));
                    } else {
                        let mcid = parents.len() as i64;
                        parents.push(top);
                        tree.nodes[top].kids.push(Kid::Content { page, mcid });
                        out.push(begin(tree.nodes[top].element.role.name(), vec![("MCID", DictItem::Int(mcid))]));
                    }
                    open = true;
                }
                out.push(op);
                continue;
            };
            if open {
                out.push(Op::EndMarkedContent);
                open = false;
            }
            match mark {
                Mark::Open(element) => {
                    let parent = *stack.last().expect("the Document is never closed");
                    let index = tree.nodes.len();
                    tree.nodes.push(Node { element, kids: Vec::new() });
                    tree.nodes[parent].kids.push(Kid::Element(index));
                    stack.push(index);
                }
                Mark::Close => {
                    if stack.len() > 1 {
                        stack.pop();
                    }
                }
                Mark::Artifact(kind) => {
                    let properties =
                        kind.properties().into_iter().map(|(k, v)| (k, DictItem::Name(v.as_bytes().to_vec()))).collect();
                    out.push(begin("Artifact", properties));
                    artifact_depth += 1;
                }
                Mark::ArtifactEnd => {
                    if artifact_depth > 0 {
                        out.push(Op::EndMarkedContent);
                        artifact_depth -= 1;
                    }
                }
            }
        }
        if open {
            out.push(Op::EndMarkedContent);
        }
        out.extend(std::iter::repeat_n(Op::EndMarkedContent, artifact_depth));
        *ops = out;
        tree.parents.push(parents);
    }

    /// The structure tree of the pages tagged.
    pub fn finish(self) -> Tree {
        self.tree
    }
}

/// Removes the markers (an untagged PDF).
pub fn strip(pages: &mut [Vec<Op>]) {
    for ops in pages {
        ops.retain(|op| !is_marker(op));
    }
}

/// Writes `tree` into `lo`: the structure tree root under the catalog, the elements, the parent tree
/// and, on every page, /StructParents and /Tabs /S. `lang` is the document's language: an element's
/// own /Lang is written only when its primary subtag differs.
pub fn write_tree(lo: &mut lopdf::Document, tree: &Tree, lang: &str) {
    let pages: Vec<ObjectId> = lo.get_pages().into_values().collect();
    let root_id = lo.new_object_id();
    let ids: Vec<ObjectId> = tree.nodes.iter().map(|_| lo.new_object_id()).collect();
    let mut parent_of = vec![root_id; tree.nodes.len()];
    for (index, node) in tree.nodes.iter().enumerate() {
        for kid in &node.kids {
            if let Kid::Element(child) = kid {
                parent_of[*child] = ids[index];
            }
        }
    }
    let primary = |l: &str| l.split('-').next().unwrap_or_default().to_ascii_lowercase();
    for (index, node) in tree.nodes.iter().enumerate() {
        let role = if index == 0 { "Document" } else { node.element.role.name() };
        let mut dict = Dictionary::new();
        dict.set("Type", Object::Name(b"StructElem".to_vec()));
        dict.set("S", Object::Name(role.as_bytes().to_vec()));
        dict.set("P", Object::Reference(parent_of[index]));
        // The element's page: that of its first marked content.
        let page = node.kids.iter().find_map(|k| if let Kid::Content { page, .. } = k { Some(*page) } else { None });
        if let Some(page) = page.and_then(|p| pages.get(p)) {
            dict.set("Pg", Object::Reference(*page));
        }
        let kids: Vec<Object> = node
            .kids
            .iter()
            .filter_map(|kid| match *kid {
                Kid::Element(child) => Some(Object::Reference(ids[child])),
                Kid::Content { page: p, mcid } if Some(p) == page => Some(Object::Integer(mcid)),
                Kid::Content { page: p, mcid } => pages.get(p).map(|page| {
                    Object::Dictionary(Dictionary::from_iter([
                        ("Type", Object::Name(b"MCR".to_vec())),
                        ("Pg", Object::Reference(*page)),
                        ("MCID", Object::Integer(mcid)),
                    ]))
                }),
            })
            .collect();
        dict.set("K", Object::Array(kids));
        if let Some(alt) = &node.element.alt {
            dict.set("Alt", super::archive::text(alt));
        }
        if let Some(element_lang) = &node.element.lang {
            if primary(element_lang) != primary(lang) {
                dict.set("Lang", super::archive::text(element_lang));
            }
        }
        if let Some(scope) = node.element.scope {
            let scope: &[u8] = match scope {
                Scope::Column => b"Column",
                Scope::Row => b"Row",
            };
            dict.set("A", Dictionary::from_iter([("O", Object::Name(b"Table".to_vec())), ("Scope", Object::Name(scope.to_vec()))]));
        }
        lo.objects.insert(ids[index], Object::Dictionary(dict));
    }

    let mut nums = Vec::with_capacity(2 * pages.len());
    for (index, page) in pages.iter().enumerate() {
        let parents = tree.parents.get(index).map(Vec::as_slice).unwrap_or_default();
        nums.push(Object::Integer(index as i64));
        nums.push(Object::Array(parents.iter().map(|&node| Object::Reference(ids[node])).collect()));
        if let Ok(page) = lo.get_dictionary_mut(*page) {
            page.set("StructParents", Object::Integer(index as i64));
            page.set("Tabs", Object::Name(b"S".to_vec()));
        }
    }
    let parent_tree = lo.add_object(Dictionary::from_iter([("Nums", Object::Array(nums))]));
    let root = Dictionary::from_iter([
        ("Type", Object::Name(b"StructTreeRoot".to_vec())),
        ("K", Object::Reference(ids[0])),
        ("ParentTree", Object::Reference(parent_tree)),
        ("ParentTreeNextKey", Object::Integer(pages.len() as i64)),
    ]);
    lo.objects.insert(root_id, Object::Dictionary(root));
    if let Ok(catalog_id) = lo.trailer.get(b"Root").and_then(Object::as_reference) {
        if let Ok(catalog) = lo.get_dictionary_mut(catalog_id) {
            catalog.set("StructTreeRoot", Object::Reference(root_id));
            catalog.set("MarkInfo", Dictionary::from_iter([("Marked", Object::Boolean(true))]));
        }
    }
}

/// The language a text is written in, when its script says so unambiguously and it is not Latin:
/// kana → Japanese, Hangul → Korean, Hebrew, Arabic, Thai, Devanagari (Hindi). Han alone is left
/// unnamed (Chinese or Japanese).
pub fn script_lang(text: &str) -> Option<&'static str> {
    for c in text.chars() {
        let lang = match u32::from(c) {
            0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F => Some("ja"),
            0xAC00..=0xD7AF | 0x1100..=0x11FF | 0x3130..=0x318F => Some("ko"),
            0x0590..=0x05FF => Some("he"),
            0x0600..=0x06FF | 0x0750..=0x077F => Some("ar"),
            0x0E00..=0x0E7F => Some("th"),
            0x0900..=0x097F => Some("hi"),
            _ => None,
        };
        if lang.is_some() {
            return lang;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use printpdf::{Pt, Rect};

    fn draw() -> Op {
        Op::DrawRectangle {
            rectangle: Rect { x: Pt(0.0), y: Pt(0.0), width: Pt(1.0), height: Pt(1.0), mode: None, winding_order: None },
        }
    }

    #[test]
    fn markers_read_back_as_what_they_say() {
        let figure = Element::figure("Bar chart: value rose");
        assert_eq!(mark(&open(figure.clone())), Some(Mark::Open(figure)));
        let th = Element::new(Role::TH).with_lang(Some("ja"));
        assert_eq!(mark(&open(th.clone())), Some(Mark::Open(th)));
        assert_eq!(mark(&close()), Some(Mark::Close));
        for kind in [Artifact::Header, Artifact::Footer, Artifact::Pagination, Artifact::Layout] {
            assert_eq!(mark(&artifact(kind)), Some(Mark::Artifact(kind)));
        }
        assert_eq!(mark(&artifact_end()), Some(Mark::ArtifactEnd));
        assert_eq!(mark(&draw()), None);
    }

    #[test]
    fn content_runs_become_numbered_sequences_of_their_element_across_pages() {
        let mut pages = vec![
            vec![
                open(Element::new(Role::Sect)),
                open(Element::new(Role::P)),
                draw(),
                draw(),
                artifact(Artifact::Layout),
                draw(),
                artifact_end(),
                draw(),
            ],
            vec![draw(), close(), close(), draw()],
        ];
        let tree = tag_pages(&mut pages);
        assert_eq!(tree.nodes.len(), 3);
        assert_eq!(tree.nodes[0].kids, [Kid::Element(1)]);
        assert_eq!(tree.nodes[1].kids, [Kid::Element(2)]);
        assert_eq!(
            tree.nodes[2].kids,
            [Kid::Content { page: 0, mcid: 0 }, Kid::Content { page: 0, mcid: 1 }, Kid::Content { page: 1, mcid: 0 }]
        );
        assert_eq!(tree.parents, [vec![2, 2], vec![2]]);
        let mut bytes = Vec::new();
        super::super::content::encode(&pages[0], &mut bytes);
        super::super::content::encode(&pages[1], &mut bytes);
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(text.matches("/P <</MCID 0>> BDC").count(), 2, "{text}");
        assert_eq!(text.matches("/P <</MCID 1>> BDC").count(), 1, "{text}");
        assert!(text.contains("/Artifact <</Type /Layout>> BDC"), "{text}");
        // The rectangle after the document's elements are closed is an artifact of its own.
        assert!(text.trim_end().ends_with("/Artifact BMC\n0 0 1 1 re\nf\nEMC"), "{text}");
        assert_eq!(text.matches("BDC").count() + text.matches("BMC").count(), text.matches("EMC").count());
    }

    #[test]
    fn a_table_split_across_pages_is_tagged_once_and_its_repeated_header_is_an_artifact() {
        use crate::render::draw::{palette, Align};
        use crate::render::fonts::FontSet;
        use crate::render::layout::{layout, Block, Cell, Column, Decorations, Frame, Table};
        let table = Table {
            columns: vec![Column::new("Quarter", 1.0, Align::Left), Column::new("Value", 1.0, Align::Right)],
            rows: (0..120).map(|i| vec![Cell::new(format!("row {i}")), Cell::new(format!("{i}.00"))]).collect(),
            total: Some(vec![Cell::new("Total"), Cell::new("7140.00")]),
            size: 9.5,
        };
        let decorations = Decorations {
            header_left: "Acme".into(),
            header_right: "Value report".into(),
            footer_left: "Prepared by Northwind".into(),
            page_label: Box::new(|x, y| format!("Page {x} of {y}")),
            accent: palette::BLUE,
            logo: None,
        };
        let pages = layout(FontSet::shared(), Frame::new((595.28, 841.89)), vec![Block::Table(table)], &decorations);
        let mut ops: Vec<Vec<Op>> = pages.into_iter().map(|p| p.canvas.ops).collect();
        assert!(ops.len() >= 3);
        let tree = tag_pages(&mut ops);
        let count = |role: Role| tree.nodes.iter().filter(|n| n.element.role == role).count();
        assert_eq!(count(Role::Table), 1);
        assert_eq!(count(Role::THead), 1);
        assert_eq!(count(Role::TH), 2);
        assert_eq!(count(Role::TR), 1 + 121);
        assert_eq!(count(Role::TD), 2 * 121);
        // Every later page shows the header again, inside a pagination artifact.
        for page in &ops[1..] {
            let mut in_artifact = false;
            let mut repeated = String::new();
            for op in page {
                match op {
                    Op::BeginMarkedContentWithProperties { tag, properties: DictItem::Dict { map } }
                        if tag == "Artifact" && map.get("Type") == Some(&DictItem::Name(b"Pagination".to_vec()))
                            && !map.contains_key("Subtype") =>
                    {
                        in_artifact = true
                    }
                    Op::EndMarkedContent => in_artifact = false,
                    Op::ShowText { items } if in_artifact => repeated.push_str(&crate::render::draw::shown_text(items)),
                    _ => {}
                }
            }
            assert_eq!(repeated, "QuarterValue");
        }
    }

    #[test]
    fn scripts_name_their_language() {
        assert_eq!(script_lang("株式会社さくら精密"), Some("ja"));
        assert_eq!(script_lang("Acme Logistics"), None);
        assert_eq!(script_lang("東京"), None);
        assert_eq!(script_lang("שלום"), Some("he"));
    }
}
