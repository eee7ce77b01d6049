//! What an archival PDF carries beyond its pages (PDF/A-3, ISO 19005-3): XMP metadata that agrees
//! with the Info dictionary, an sRGB output intent with its ICC profile, the document language, the
//! title shown by viewers, and attached files — the customer's computation and its input CSVs — so
//! an auditor can check every figure from the PDF alone.
//!
//! Deterministic like the rest of the file: dates are the as-of date, attachments come in the order
//! given, nothing depends on the clock. Claims only what the file is: PDF/A-3a and PDF/UA-1 when its
//! pages are tagged, PDF/A-3b otherwise.

use chrono::{Datelike, NaiveDate};
use lopdf::{Dictionary, Object, ObjectId, Stream, StringFormat};

/// The sRGB IEC 61966-2.1 profile (ICC v4, 480 bytes, CC0: assets/icc/LICENSE-CC0.txt) named as
/// the output intent: every colour in the reports is device RGB meant as sRGB.
const SRGB_PROFILE: &[u8] = include_bytes!("../../assets/icc/sRGB-v4.icc");

/// Which standard a report's PDF is written to (`--pdf-standard`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PdfStandard {
    /// PDF/A-3 with the computation and inputs attached (PDF/A-3a and PDF/UA-1 once tagged).
    #[default]
    Ua1A3a,
    /// A plain PDF: no archival metadata, no attachments.
    None,
}

impl PdfStandard {
    pub fn as_str(self) -> &'static str {
        match self {
            PdfStandard::Ua1A3a => "ua1-a3a",
            PdfStandard::None => "none",
        }
    }
}

/// How an attached file relates to the document (PDF/A-3's /AFRelationship).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relationship {
    /// Data the document's content is drawn from (the computation).
    Data,
    /// The original the content was made from (the input files).
    Source,
}

impl Relationship {
    fn name(self) -> &'static str {
        match self {
            Relationship::Data => "Data",
            Relationship::Source => "Source",
        }
    }
}

/// A file embedded in the PDF and listed in the catalog's /AF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// File name, unique within the document.
    pub name: String,
    /// MIME type, e.g. `application/json`, `text/csv`.
    pub mime: &'static str,
    pub relationship: Relationship,
    /// What it is, in the report's language.
    pub description: String,
    pub bytes: Vec<u8>,
}

/// The archival part of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Archive {
    /// BCP 47 language of the document (`en`, `ja`, `es-MX`).
    pub lang: String,
    pub attachments: Vec<Attachment>,
    /// The pages carry a complete structure tree (PDF/A-3a, PDF/UA-1); otherwise PDF/A-3b.
    pub tagged: bool,
}

/// The document's metadata, written to both the Info dictionary and the XMP packet.
pub struct Metadata<'a> {
    pub title: &'a str,
    pub author: &'a str,
    pub subject: &'a str,
    pub keywords: &'a [String],
    pub creator: &'a str,
    pub producer: &'a str,
    /// Creation, modification and metadata date (midnight UTC).
    pub date: NaiveDate,
}

/// Makes `lo` an archival PDF: version 1.7, metadata, output intent, language, attachments.
pub fn apply(lo: &mut lopdf::Document, metadata: &Metadata, archive: &Archive) {
    lo.version = "1.7".to_string();
    let info = info_dictionary(metadata);
    let info_id = match lo.trailer.get(b"Info").and_then(Object::as_reference) {
        Ok(id) => {
            lo.objects.insert(id, Object::Dictionary(info));
            id
        }
        Err(_) => lo.add_object(info),
    };
    lo.trailer.set("Info", Object::Reference(info_id));

    let mut xmp = Stream::new(
        Dictionary::from_iter([("Type", Object::Name(b"Metadata".to_vec())), ("Subtype", Object::Name(b"XML".to_vec()))]),
        xmp_packet(metadata, archive).into_bytes(),
    );
    // Left uncompressed, so that tools which do not parse PDF can still find and read it.
    xmp.allows_compression = false;
    let xmp_id = lo.add_object(xmp);

    let mut profile = Stream::new(Dictionary::from_iter([("N", Object::Integer(3))]), SRGB_PROFILE.to_vec());
    profile.allows_compression = true;
    let profile_id = lo.add_object(profile);
    let intent = Dictionary::from_iter([
        ("Type", Object::Name(b"OutputIntent".to_vec())),
        ("S", Object::Name(b"GTS_PDFA1".to_vec())),
        ("OutputConditionIdentifier", text("sRGB IEC61966-2.1")),
        ("Info", text("sRGB IEC61966-2.1")),
        ("DestOutputProfile", Object::Reference(profile_id)),
    ]);

    let files: Vec<(String, ObjectId)> =
        archive.attachments.iter().map(|attachment| (attachment.name.clone(), embed(lo, attachment, metadata.date))).collect();

    let catalog_id = lo.trailer.get(b"Root").and_then(Object::as_reference).expect("printpdf writes a catalog");
    let catalog = lo.get_dictionary_mut(catalog_id).expect("the catalog is a dictionary");
    catalog.set("Metadata", Object::Reference(xmp_id));
    catalog.set("OutputIntents", Object::Array(vec![Object::Dictionary(intent)]));
    catalog.set("Lang", text(&archive.lang));
    catalog.set("ViewerPreferences", Dictionary::from_iter([("DisplayDocTitle", Object::Boolean(true))]));
    // printpdf writes the page mode as a string; it is a name.
    if catalog.has(b"PageMode") {
        catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
    }
    if archive.tagged {
        catalog.set("MarkInfo", Dictionary::from_iter([("Marked", Object::Boolean(true))]));
    }
    if !files.is_empty() {
        // The name tree's keys must be sorted; the /AF array keeps the order given.
        let mut sorted = files.clone();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        let names = sorted.iter().flat_map(|(name, id)| [text(name), Object::Reference(*id)]).collect();
        let tree = Dictionary::from_iter([("Names", Object::Array(names))]);
        catalog.set("Names", Dictionary::from_iter([("EmbeddedFiles", Object::Dictionary(tree))]));
        catalog.set("AF", Object::Array(files.iter().map(|(_, id)| Object::Reference(*id)).collect()));
    }
}

/// Embeds one attachment: its stream and its file specification (returned).
fn embed(lo: &mut lopdf::Document, attachment: &Attachment, date: NaiveDate) -> ObjectId {
    let params = Dictionary::from_iter([
        ("ModDate", Object::string_literal(pdf_date(date))),
        ("Size", Object::Integer(attachment.bytes.len() as i64)),
    ]);
    let stream = Stream::new(
        Dictionary::from_iter([
            ("Type", Object::Name(b"EmbeddedFile".to_vec())),
            ("Subtype", Object::Name(attachment.mime.as_bytes().to_vec())),
            ("Params", Object::Dictionary(params)),
        ]),
        attachment.bytes.clone(),
    );
    let mut stream = stream;
    super::pdf::deflate_attachment(&mut stream);
    let stream_id = lo.add_object(stream);
    let reference = Dictionary::from_iter([("F", Object::Reference(stream_id)), ("UF", Object::Reference(stream_id))]);
    lo.add_object(Dictionary::from_iter([
        ("Type", Object::Name(b"Filespec".to_vec())),
        ("F", text(&attachment.name)),
        ("UF", text(&attachment.name)),
        ("EF", Object::Dictionary(reference)),
        ("Desc", text(&attachment.description)),
        ("AFRelationship", Object::Name(attachment.relationship.name().as_bytes().to_vec())),
    ]))
}

/// A PDF text string: literal when ASCII, else UTF-16BE with its byte-order mark.
pub fn text(value: &str) -> Object {
    if value.is_ascii() {
        Object::String(value.as_bytes().to_vec(), StringFormat::Literal)
    } else {
        // UTF-16BE as a literal string (its bytes as they are, `(`, `)`, `\` and CR escaped): half
        // the size of the same string in hexadecimal, and chart alt texts are long.
        let mut bytes = vec![0xFE, 0xFF];
        bytes.extend(value.encode_utf16().flat_map(u16::to_be_bytes));
        Object::String(bytes, StringFormat::Literal)
    }
}

/// `D:YYYYMMDD000000Z`: midnight UTC of `date`.
fn pdf_date(date: NaiveDate) -> String {
    format!("D:{:04}{:02}{:02}000000Z", date.year(), date.month(), date.day())
}

fn info_dictionary(metadata: &Metadata) -> Dictionary {
    let date = || Object::string_literal(pdf_date(metadata.date));
    Dictionary::from_iter([
        ("Title", text(metadata.title)),
        ("Author", text(metadata.author)),
        ("Subject", text(metadata.subject)),
        ("Keywords", text(&metadata.keywords.join(", "))),
        ("Creator", text(metadata.creator)),
        ("Producer", text(metadata.producer)),
        ("CreationDate", date()),
        ("ModDate", date()),
    ])
}

fn xml_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 has no way to write other control characters: drop them (customer text may
            // hold them; the Info dictionary keeps them).
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// The XMP packet (ISO 16684-1) for `metadata`, with the PDF/A and PDF/UA identification.
fn xmp_packet(metadata: &Metadata, archive: &Archive) -> String {
    let date = format!("{:04}-{:02}-{:02}T00:00:00Z", metadata.date.year(), metadata.date.month(), metadata.date.day());
    let conformance = if archive.tagged { "A" } else { "B" };
    let ua = if archive.tagged { "   <pdfuaid:part>1</pdfuaid:part>\n" } else { "" };
    format!(
        r#"<?xpacket begin="{bom}" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"
    xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
    xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
    xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{subject}</rdf:li></rdf:Alt></dc:description>
   <dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>
   <xmp:CreatorTool>{creator}</xmp:CreatorTool>
   <xmp:CreateDate>{date}</xmp:CreateDate>
   <xmp:ModifyDate>{date}</xmp:ModifyDate>
   <xmp:MetadataDate>{date}</xmp:MetadataDate>
   <pdf:Producer>{producer}</pdf:Producer>
   <pdf:Keywords>{keywords}</pdf:Keywords>
   <pdfaid:part>3</pdfaid:part>
   <pdfaid:conformance>{conformance}</pdfaid:conformance>
{ua}   <pdfaExtension:schemas>
    <rdf:Bag>
     <rdf:li rdf:parseType="Resource">
      <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
      <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
      <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
      <pdfaSchema:property>
       <rdf:Seq>
        <rdf:li rdf:parseType="Resource">
         <pdfaProperty:name>part</pdfaProperty:name>
         <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
         <pdfaProperty:category>internal</pdfaProperty:category>
         <pdfaProperty:description>Indicates which part of ISO 14289 the document conforms to</pdfaProperty:description>
        </rdf:li>
       </rdf:Seq>
      </pdfaSchema:property>
     </rdf:li>
    </rdf:Bag>
   </pdfaExtension:schemas>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="r"?>"#,
        bom = '\u{FEFF}',
        title = xml_escape(metadata.title),
        author = xml_escape(metadata.author),
        subject = xml_escape(metadata.subject),
        lang = xml_escape(&archive.lang),
        creator = xml_escape(metadata.creator),
        producer = xml_escape(metadata.producer),
        keywords = xml_escape(&metadata.keywords.join(", ")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metadata(keywords: &[String]) -> Metadata<'_> {
        Metadata {
            title: "Value report — Acme & Co. <Q3>",
            author: "Northwind",
            subject: "Realized and projected value",
            keywords,
            creator: "valuereport",
            producer: "valuereport 0.1.0",
            date: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        }
    }

    fn document() -> lopdf::Document {
        let mut lo = lopdf::Document::with_version("1.3");
        let pages = lo.add_object(Dictionary::from_iter([("Type", Object::Name(b"Pages".to_vec()))]));
        let catalog = lo.add_object(Dictionary::from_iter([
            ("Type", Object::Name(b"Catalog".to_vec())),
            ("Pages", Object::Reference(pages)),
            ("PageMode", Object::string_literal("UseOutlines")),
        ]));
        lo.trailer.set("Root", Object::Reference(catalog));
        lo
    }

    fn archive(tagged: bool) -> Archive {
        Archive {
            lang: "ja".into(),
            tagged,
            attachments: vec![
                Attachment {
                    name: "explain.json".into(),
                    mime: "application/json",
                    relationship: Relationship::Data,
                    description: "計算".into(),
                    bytes: b"{}".to_vec(),
                },
                Attachment {
                    name: "account.csv".into(),
                    mime: "text/csv",
                    relationship: Relationship::Source,
                    description: "Input".into(),
                    bytes: b"a\n1\n".to_vec(),
                },
            ],
        }
    }

    #[test]
    fn the_catalog_gets_metadata_intent_language_and_attachments() {
        let keywords = vec!["value".to_string(), "ROI".to_string()];
        let mut lo = document();
        apply(&mut lo, &metadata(&keywords), &archive(true));
        let mut bytes = Vec::new();
        lo.save_to(&mut bytes).unwrap();
        assert!(bytes.starts_with(b"%PDF-1.7\n"));
        let lo = lopdf::Document::load_mem(&bytes).unwrap();
        let catalog = lo.catalog().unwrap();
        assert_eq!(catalog.get(b"Lang").unwrap().as_str().unwrap(), b"ja");
        assert_eq!(catalog.get(b"PageMode").unwrap().as_name().unwrap(), b"UseOutlines");
        assert!(catalog.get(b"MarkInfo").is_ok());
        let intent = &catalog.get(b"OutputIntents").unwrap().as_array().unwrap()[0];
        let profile = intent.as_dict().unwrap().get(b"DestOutputProfile").unwrap().as_reference().unwrap();
        let profile = lo.get_object(profile).unwrap().as_stream().unwrap();
        assert_eq!(profile.dict.get(b"N").unwrap().as_i64().unwrap(), 3);
        // The attachments: /AF in the order given, the name tree sorted.
        let af = catalog.get(b"AF").unwrap().as_array().unwrap();
        let spec = |object: &Object| lo.get_dictionary(object.as_reference().unwrap()).unwrap().clone();
        let first = spec(&af[0]);
        assert_eq!(first.get(b"UF").unwrap().as_str().unwrap(), b"explain.json");
        assert_eq!(first.get(b"AFRelationship").unwrap().as_name().unwrap(), b"Data");
        let desc = first.get(b"Desc").unwrap().as_str().unwrap();
        assert_eq!(desc[..2], [0xFE, 0xFF], "non-ASCII text as UTF-16BE");
        let file = first.get(b"EF").unwrap().as_dict().unwrap().get(b"F").unwrap().as_reference().unwrap();
        let file = lo.get_object(file).unwrap().as_stream().unwrap();
        assert_eq!(file.dict.get(b"Subtype").unwrap().as_name().unwrap(), b"application/json");
        assert_eq!(file.content, b"{}");
        let names = catalog.get(b"Names").unwrap().as_dict().unwrap().get(b"EmbeddedFiles").unwrap();
        let names = names.as_dict().unwrap().get(b"Names").unwrap().as_array().unwrap();
        assert_eq!(names[0].as_str().unwrap(), b"account.csv");
        assert_eq!(names[2].as_str().unwrap(), b"explain.json");
        // Info and XMP agree.
        let info = lo.get_dictionary(lo.trailer.get(b"Info").unwrap().as_reference().unwrap()).unwrap();
        assert_eq!(info.get(b"CreationDate").unwrap().as_str().unwrap(), b"D:20261122000000Z");
        assert_eq!(info.get(b"Keywords").unwrap().as_str().unwrap(), b"value, ROI");
    }

    #[test]
    fn xmp_is_well_formed_and_claims_only_what_the_file_is() {
        let keywords = vec!["a<b".to_string()];
        let tagged = xmp_packet(&metadata(&keywords), &archive(true));
        let document = roxmltree::Document::parse(&tagged).unwrap();
        let value = |name: &str| {
            document.descendants().find(|n| n.tag_name().name() == name).and_then(|n| n.text()).map(str::to_string)
        };
        assert_eq!(value("part").as_deref(), Some("3"));
        assert_eq!(value("conformance").as_deref(), Some("A"));
        assert!(document
            .descendants()
            .any(|n| n.tag_name().namespace() == Some("http://www.aiim.org/pdfua/ns/id/") && n.text() == Some("1")));
        assert_eq!(value("CreateDate").as_deref(), Some("2026-11-22T00:00:00Z"));
        assert_eq!(value("Keywords").as_deref(), Some("a<b"));
        let title = document.descendants().find(|n| n.tag_name().name() == "title").unwrap();
        assert_eq!(title.descendants().find_map(|n| n.text().filter(|t| !t.trim().is_empty())), Some("Value report — Acme & Co. <Q3>"));

        let untagged = xmp_packet(&metadata(&keywords), &archive(false));
        let document = roxmltree::Document::parse(&untagged).unwrap();
        assert!(document.descendants().any(|n| n.tag_name().name() == "conformance" && n.text() == Some("B")));
        assert!(!document
            .descendants()
            .any(|n| n.tag_name().namespace() == Some("http://www.aiim.org/pdfua/ns/id/") && n.is_element()));
    }
}
