//! Document → bytes: writes an lopdf document the way lopdf's own writer does, byte for byte, in one
//! pass and without lopdf's per-object overhead.
//!
//! lopdf's writer goes through `&mut dyn Write` a byte at a time for names and hex strings, and its
//! object streams serialize every object three times (twice to learn offsets), clone it, and
//! allocate a fresh deflate state per stream; in a tagged report (hundreds of structure elements)
//! that was most of what tagging cost (docs/performance.md). Here each object is serialized once into
//! a reused buffer, and object streams are deflated with the thread's compressor
//! ([`super::pdf::deflate`]). The output is the same bytes lopdf writes (a test compares them), so the
//! layout of a file — classic cross-reference table for a plain PDF; object streams with a
//! cross-reference stream for a tagged one — is unchanged.

use std::io::Write as _;

use lopdf::xref::XrefType;
use lopdf::{Dictionary, Object, StringFormat};

/// How the objects are laid out in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Every object on its own; a cross-reference table and trailer, or a cross-reference stream,
    /// as the document's `reference_table` says.
    Separate,
    /// Dictionaries and other non-stream objects packed into deflated object streams of at most
    /// `per_stream` objects, with a cross-reference stream (PDF 1.5 and later).
    ObjectStreams { per_stream: usize },
}

/// Where an object is found: at a byte offset, or inside an object stream.
#[derive(Debug, Clone, Copy)]
enum Entry {
    Normal { offset: u32, generation: u16 },
    Compressed { container: u32, index: u16 },
}

/// Serializes `document`. Like lopdf's writer, it updates the trailer (/Size, and for object streams
/// /Type /XRef, /W, /Index, /Length) and raises the version to 1.5 for object streams.
pub fn to_bytes(document: &mut lopdf::Document, layout: Layout) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 * 1024);
    if let Layout::ObjectStreams { .. } = layout {
        if document.version.as_str() < "1.5" {
            document.version = "1.5".to_string();
        }
    }
    out.extend_from_slice(b"%PDF-");
    out.extend_from_slice(document.version.as_bytes());
    out.push(b'\n');
    if document.binary_mark.iter().all(|&byte| byte >= 128) {
        out.push(b'%');
        out.extend_from_slice(&document.binary_mark);
        out.push(b'\n');
    }
    let mut xref: Vec<Option<Entry>> = vec![None; document.max_id as usize + 1];
    let mut scratch = Vec::new();
    match layout {
        Layout::Separate => {
            for (&(id, generation), object) in &document.objects {
                if matches!(object.type_name(), Ok(b"ObjStm" | b"XRef" | b"Linearized")) {
                    continue;
                }
                indirect(&mut out, &mut xref, id, generation, object);
            }
            match document.reference_table.cross_reference_type {
                XrefType::CrossReferenceTable => {
                    let xref_start = out.len();
                    write_xref_table(&mut out, &xref);
                    document.trailer.set("Size", i64::from(document.max_id + 1));
                    out.extend_from_slice(b"trailer\n");
                    dictionary(&mut out, &document.trailer);
                    finish(&mut out, xref_start);
                }
                XrefType::CrossReferenceStream => write_xref_stream(&mut out, &mut xref, document),
            }
        }
        Layout::ObjectStreams { per_stream } => {
            let per_stream = per_stream.max(1);
            let catalog_can_move = !document.objects.values().any(|o| matches!(o, Object::Dictionary(d) if d.has(b"Linearized")));
            let encrypt = document.trailer.get(b"Encrypt").and_then(Object::as_reference).ok();
            let mut packed: Vec<Vec<(u32, &Object)>> = Vec::new();
            let mut direct = Vec::new();
            for (&(id, generation), object) in &document.objects {
                if matches!(object, Object::Stream(s) if matches!(s.dict.get(b"Type").and_then(Object::as_name), Ok(b"ObjStm"))) {
                    continue;
                }
                if generation == 0 && can_be_packed((id, generation), object, encrypt, catalog_can_move) {
                    match packed.last_mut() {
                        Some(stream) if stream.len() < per_stream => stream.push((id, object)),
                        _ => packed.push(vec![(id, object)]),
                    }
                } else {
                    direct.push(((id, generation), object));
                }
            }
            for ((id, generation), object) in direct {
                indirect(&mut out, &mut xref, id, generation, object);
            }
            let mut next_id = document.max_id;
            for objects in &packed {
                next_id += 1;
                let container = next_id;
                // The objects in order of number (they arrive in that order from the BTreeMap),
                // each followed by a space; the table before them gives each one's offset.
                scratch.clear();
                let mut table = String::new();
                for (index, &(id, object)) in objects.iter().enumerate() {
                    if index > 0 {
                        table.push(' ');
                    }
                    table.push_str(itoa::Buffer::new().format(id));
                    table.push(' ');
                    table.push_str(itoa::Buffer::new().format(scratch.len()));
                    write_object(&mut scratch, object);
                    scratch.push(b' ');
                    set(&mut xref, id, Entry::Compressed { container, index: index as u16 });
                }
                table.push(' ');
                let mut content = Vec::with_capacity(table.len() + scratch.len());
                content.extend_from_slice(table.as_bytes());
                content.extend_from_slice(&scratch);
                let mut dict = Dictionary::new();
                dict.set("Type", Object::Name(b"ObjStm".to_vec()));
                dict.set("N", objects.len() as i64);
                dict.set("First", table.len() as i64);
                let mut stream = lopdf::Stream::new(dict, Vec::new());
                let compressed = super::pdf::deflate(&content).expect("deflating into memory cannot fail");
                stream.dict.set("Length", content.len() as i64);
                stream.dict.set("Filter", "FlateDecode");
                stream.set_content(compressed);
                indirect(&mut out, &mut xref, container, 0, &Object::Stream(stream));
            }
            document.max_id = next_id;
            write_xref_stream(&mut out, &mut xref, document);
        }
    }
    out
}

/// The cross-reference stream (as a new last object) and the end of the file.
fn write_xref_stream(out: &mut Vec<u8>, xref: &mut Vec<Option<Entry>>, document: &mut lopdf::Document) {
    document.max_id += 1;
    let id = document.max_id;
    let xref_start = out.len();
    set(xref, id, Entry::Normal { offset: xref_start as u32, generation: 0 });
    let (data, index) = xref_stream(xref);
    let trailer = &mut document.trailer;
    trailer.set("Type", Object::Name(b"XRef".to_vec()));
    trailer.set("Size", i64::from(id + 1));
    trailer.set("W", Object::Array(vec![Object::Integer(1), Object::Integer(4), Object::Integer(2)]));
    trailer.set("Index", Object::Array(index));
    // lopdf leaves the cross-reference stream uncompressed (7 bytes an object: a tenth of a small
    // report). Rows differenced against the row above (PNG "Up") are mostly zeros and deflate to a
    // few hundred bytes.
    let content = match super::pdf::deflate(&png_up(&data, XREF_ROW)) {
        Some(compressed) => {
            trailer.set("Filter", Object::Name(b"FlateDecode".to_vec()));
            trailer.set(
                "DecodeParms",
                Dictionary::from_iter([("Predictor", Object::Integer(12)), ("Columns", Object::Integer(XREF_ROW as i64))]),
            );
            compressed
        }
        None => {
            trailer.remove(b"Filter");
            trailer.remove(b"DecodeParms");
            data
        }
    };
    trailer.set("Length", content.len() as i64);
    let stream = Object::Stream(lopdf::Stream { dict: trailer.clone(), allows_compression: true, content, start_position: None });
    indirect(out, xref, id, 0, &stream);
    finish(out, xref_start);
}

/// Bytes of a cross-reference stream row (/W [1 4 2]).
const XREF_ROW: usize = 7;

/// `data` in rows of `columns` bytes, each prefixed by PNG filter type 2 ("Up": every byte minus
/// the byte above it), as /Predictor 12 decodes.
fn png_up(data: &[u8], columns: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / columns + 1);
    let mut above = vec![0u8; columns];
    for row in data.chunks(columns) {
        out.push(2);
        for (byte, up) in row.iter().zip(above.iter_mut()) {
            out.push(byte.wrapping_sub(*up));
            *up = *byte;
        }
    }
    out
}

/// lopdf's rules for what may go into an object stream: not a stream, not the encryption
/// dictionary, not a cross-reference or object stream, and the catalog only in a file that is not
/// linearized.
fn can_be_packed(id: lopdf::ObjectId, object: &Object, encrypt: Option<lopdf::ObjectId>, catalog_can_move: bool) -> bool {
    if matches!(object, Object::Stream(_)) || encrypt == Some(id) {
        return false;
    }
    match object {
        Object::Dictionary(dict) => match dict.get(b"Type").and_then(Object::as_name) {
            Ok(b"XRef" | b"ObjStm") => false,
            Ok(b"Catalog") => catalog_can_move,
            _ => true,
        },
        _ => true,
    }
}

fn set(xref: &mut Vec<Option<Entry>>, id: u32, entry: Entry) {
    let id = id as usize;
    if xref.len() <= id {
        xref.resize(id + 1, None);
    }
    xref[id] = Some(entry);
}

fn finish(out: &mut Vec<u8>, xref_start: usize) {
    out.extend_from_slice(b"\nstartxref\n");
    out.extend_from_slice(itoa::Buffer::new().format(xref_start).as_bytes());
    out.extend_from_slice(b"\n%%EOF");
}

fn indirect(out: &mut Vec<u8>, xref: &mut Vec<Option<Entry>>, id: u32, generation: u16, object: &Object) {
    set(xref, id, Entry::Normal { offset: out.len() as u32, generation });
    out.extend_from_slice(itoa::Buffer::new().format(id).as_bytes());
    out.push(b' ');
    out.extend_from_slice(itoa::Buffer::new().format(generation).as_bytes());
    out.extend_from_slice(b" obj\n");
    if needs_separator(object) {
        out.push(b' ');
    }
    write_object(out, object);
    if needs_end_separator(object) {
        out.push(b' ');
    }
    out.extend_from_slice(b"\nendobj\n");
}

/// The classic table: entry 0 and every object from 1 on, in sections of consecutive numbers.
fn write_xref_table(out: &mut Vec<u8>, xref: &[Option<Entry>]) {
    out.extend_from_slice(b"xref\n");
    let mut start = 0usize;
    let mut lines: Vec<u8> = b"0000000000 65535 f \n".to_vec();
    let mut count = 1usize;
    let flush = |out: &mut Vec<u8>, start: usize, count: usize, lines: &mut Vec<u8>| {
        if count > 0 {
            let _ = writeln!(out, "{start} {count}");
            out.append(lines);
        }
    };
    for (id, entry) in xref.iter().enumerate().skip(1) {
        match entry {
            Some(entry) => {
                if count == 0 {
                    start = id;
                }
                match *entry {
                    Entry::Normal { offset, generation } => {
                        let _ = writeln!(lines, "{offset:>010} {generation:>05} n ");
                    }
                    Entry::Compressed { .. } => lines.extend_from_slice(b"0000000000 65535 f \n"),
                }
                count += 1;
            }
            None => {
                flush(out, start, count, &mut lines);
                count = 0;
            }
        }
    }
    flush(out, start, count, &mut lines);
}

/// The cross-reference stream's data (/W [1 4 2]) and /Index: objects from 1 on, in sections of
/// consecutive numbers.
fn xref_stream(xref: &[Option<Entry>]) -> (Vec<u8>, Vec<Object>) {
    let mut data = Vec::with_capacity(7 * xref.len());
    let mut index = Vec::new();
    let mut start = None;
    for (id, entry) in xref.iter().enumerate().skip(1) {
        match entry {
            Some(entry) => {
                if start.is_none() {
                    start = Some(id);
                }
                match *entry {
                    Entry::Normal { offset, generation } => {
                        data.push(1);
                        data.extend(offset.to_be_bytes());
                        data.extend(generation.to_be_bytes());
                    }
                    Entry::Compressed { container, index } => {
                        data.push(2);
                        data.extend(container.to_be_bytes());
                        data.extend(index.to_be_bytes());
                    }
                }
            }
            None => {
                if let Some(first) = start.take() {
                    index.push(Object::Integer(first as i64));
                    index.push(Object::Integer((id - first) as i64));
                }
            }
        }
    }
    if let Some(first) = start {
        index.push(Object::Integer(first as i64));
        index.push(Object::Integer((xref.len() - first) as i64));
    }
    (data, index)
}

fn needs_separator(object: &Object) -> bool {
    matches!(object, Object::Null | Object::Boolean(_) | Object::Integer(_) | Object::Real(_) | Object::Reference(_))
}

fn needs_end_separator(object: &Object) -> bool {
    matches!(
        object,
        Object::Null
            | Object::Boolean(_)
            | Object::Integer(_)
            | Object::Real(_)
            | Object::Name(_)
            | Object::Reference(_)
            | Object::Stream(_)
    )
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// One object in PDF syntax, as lopdf writes it.
pub fn write_object(out: &mut Vec<u8>, object: &Object) {
    match object {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(true) => out.extend_from_slice(b"true"),
        Object::Boolean(false) => out.extend_from_slice(b"false"),
        Object::Integer(value) => out.extend_from_slice(itoa::Buffer::new().format(*value).as_bytes()),
        Object::Real(value) => {
            let _ = write!(out, "{value}");
        }
        Object::Name(name) => write_name(out, name),
        Object::String(text, format) => write_string(out, text, format),
        Object::Array(array) => {
            out.push(b'[');
            for (index, object) in array.iter().enumerate() {
                if index > 0 && needs_separator(object) {
                    out.push(b' ');
                }
                write_object(out, object);
            }
            out.push(b']');
        }
        Object::Dictionary(dict) => dictionary(out, dict),
        Object::Stream(stream) => {
            dictionary(out, &stream.dict);
            out.extend_from_slice(b"stream\n");
            out.extend_from_slice(&stream.content);
            out.extend_from_slice(b"\nendstream");
        }
        Object::Reference((id, generation)) => {
            out.extend_from_slice(itoa::Buffer::new().format(*id).as_bytes());
            out.push(b' ');
            out.extend_from_slice(itoa::Buffer::new().format(*generation).as_bytes());
            out.extend_from_slice(b" R");
        }
    }
}

fn dictionary(out: &mut Vec<u8>, dict: &Dictionary) {
    out.extend_from_slice(b"<<");
    for (key, value) in dict.iter() {
        write_name(out, key);
        if needs_separator(value) {
            out.push(b' ');
        }
        write_object(out, value);
    }
    out.extend_from_slice(b">>");
}

/// Bytes a name writes as `#xx`: white space, delimiters, `#`, and anything outside `!`..=`~`.
const ESCAPED_IN_NAMES: [bool; 256] = {
    let mut escaped = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        escaped[byte] = byte < 33 || byte > 126;
        byte += 1;
    }
    let delimiters = b"()<>[]{}/%#";
    let mut i = 0;
    while i < delimiters.len() {
        escaped[delimiters[i] as usize] = true;
        i += 1;
    }
    escaped
};

fn write_name(out: &mut Vec<u8>, name: &[u8]) {
    out.push(b'/');
    if !name.iter().any(|&byte| ESCAPED_IN_NAMES[byte as usize]) {
        out.extend_from_slice(name);
        return;
    }
    for &byte in name {
        if ESCAPED_IN_NAMES[byte as usize] {
            out.extend_from_slice(&[b'#', HEX[(byte >> 4) as usize], HEX[(byte & 15) as usize]]);
        } else {
            out.push(byte);
        }
    }
}

/// A string: literal with backslashes, carriage returns and unbalanced parentheses escaped (as
/// lopdf does), or hexadecimal.
fn write_string(out: &mut Vec<u8>, text: &[u8], format: &StringFormat) {
    match format {
        StringFormat::Literal => {
            let mut escape = vec![false; text.len()];
            let mut open = Vec::new();
            for (index, &byte) in text.iter().enumerate() {
                match byte {
                    b'(' => open.push(index),
                    b')' => {
                        if open.pop().is_none() {
                            escape[index] = true;
                        }
                    }
                    b'\\' | b'\r' => escape[index] = true,
                    _ => {}
                }
            }
            for index in open {
                escape[index] = true;
            }
            out.push(b'(');
            for (&byte, &escaped) in text.iter().zip(&escape) {
                if escaped {
                    out.push(b'\\');
                    out.push(if byte == b'\r' { b'r' } else { byte });
                } else {
                    out.push(byte);
                }
            }
            out.push(b')');
        }
        StringFormat::Hexadecimal => {
            out.push(b'<');
            for &byte in text {
                out.extend_from_slice(&[HEX[(byte >> 4) as usize], HEX[(byte & 15) as usize]]);
            }
            out.push(b'>');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document with every kind of object, strings that need escaping, a gap in the object numbers
    /// and streams.
    fn document() -> lopdf::Document {
        let mut lo = lopdf::Document::with_version("1.7");
        let pages = lo.new_object_id();
        let font = lo.add_object(Dictionary::from_iter([
            ("Type", Object::Name(b"Font".to_vec())),
            ("BaseFont", Object::Name(b"AB CD#(x)".to_vec())),
            ("Widths", Object::Array(vec![Object::Integer(-3), Object::Real(0.25), Object::Null, Object::Boolean(true)])),
        ]));
        let content = lo.add_object(lopdf::Stream::new(Dictionary::new(), b"BT /F1 12 Tf (Hi) Tj ET".to_vec()));
        let page = lo.add_object(Dictionary::from_iter([
            ("Type", Object::Name(b"Page".to_vec())),
            ("Parent", Object::Reference(pages)),
            ("Contents", Object::Reference(content)),
            ("Resources", Object::Dictionary(Dictionary::from_iter([("Font", Object::Reference(font))]))),
        ]));
        lo.objects.insert(
            pages,
            Object::Dictionary(Dictionary::from_iter([
                ("Type", Object::Name(b"Pages".to_vec())),
                ("Kids", Object::Array(vec![Object::Reference(page)])),
                ("Count", Object::Integer(1)),
            ])),
        );
        lo.max_id += 2; // a gap: two numbers never used
        let info = lo.add_object(Dictionary::from_iter([
            ("Title", Object::String(b"a (b) c) \\ d\r(".to_vec(), StringFormat::Literal)),
            ("Author", Object::String(vec![0xFE, 0xFF, 0x00, 0x41, 0x30, 0x42], StringFormat::Hexadecimal)),
        ]));
        let catalog = lo.add_object(Dictionary::from_iter([
            ("Type", Object::Name(b"Catalog".to_vec())),
            ("Pages", Object::Reference(pages)),
        ]));
        lo.trailer.set("Root", catalog);
        lo.trailer.set("Info", info);
        lo.trailer.set("ID", Object::Array(vec![Object::String(vec![0; 16], StringFormat::Hexadecimal); 2]));
        lo
    }

    #[test]
    fn a_file_with_a_cross_reference_table_is_the_bytes_lopdf_writes() {
        let table = || {
            let mut lo = document();
            lo.reference_table.cross_reference_type = XrefType::CrossReferenceTable;
            lo
        };
        let (mut ours, mut theirs) = (table(), table());
        let mut expected = Vec::new();
        theirs.save_to(&mut expected).unwrap();
        assert_eq!(String::from_utf8_lossy(&to_bytes(&mut ours, Layout::Separate)), String::from_utf8_lossy(&expected));
    }

    /// Whether the file's cross-reference stream is deflated with the Up predictor.
    fn xref_stream_is_deflated(bytes: &[u8]) -> bool {
        let at = bytes.windows(10).rposition(|w| w == b"/Type/XRef").expect("a cross-reference stream");
        let dict = &bytes[bytes[..at].windows(2).rposition(|w| w == b"<<").unwrap()..];
        let dict = &dict[..dict.windows(6).position(|w| w == b"stream").unwrap()];
        let dict = String::from_utf8_lossy(dict);
        dict.contains("/Filter/FlateDecode") && dict.contains("/DecodeParms<</Predictor 12/Columns 7>>")
    }

    #[test]
    fn separate_objects_with_a_cross_reference_stream_read_back() {
        let source = document();
        let mut ours = document();
        let bytes = to_bytes(&mut ours, Layout::Separate);
        assert!(xref_stream_is_deflated(&bytes));
        let read = lopdf::Document::load_mem(&bytes).unwrap();
        same_objects(&source, &read);
    }

    /// Every object of `source` is in `read`, the same (streams: the same dictionary and bytes).
    fn same_objects(source: &lopdf::Document, read: &lopdf::Document) {
        for (id, object) in &source.objects {
            let back = read.get_object(*id).unwrap_or_else(|e| panic!("object {id:?}: {e}"));
            match (object, back) {
                (Object::Stream(a), Object::Stream(b)) => {
                    assert_eq!(a.content, b.content);
                    assert_eq!(a.dict, b.dict);
                }
                (a, b) => assert_eq!(a, b, "object {id:?}"),
            }
        }
    }

    #[test]
    fn object_streams_read_back_as_the_objects_written() {
        for per_stream in [1, 2, 1000] {
            let source = document();
            let mut ours = document();
            let bytes = to_bytes(&mut ours, Layout::ObjectStreams { per_stream });
            let read = lopdf::Document::load_mem(&bytes).unwrap();
            same_objects(&source, &read);
            let info = read.get_dictionary(read.trailer.get(b"Info").unwrap().as_reference().unwrap()).unwrap();
            assert_eq!(info.get(b"Title").unwrap().as_str().unwrap(), b"a (b) c) \\ d\r(");
            assert_eq!(read.get_pages().len(), 1);
            // Every object but the streams is packed; the cross-reference stream is deflated.
            let packed = source.objects.values().filter(|o| !matches!(o, Object::Stream(_))).count();
            assert_eq!(bytes.windows(10).filter(|w| w == b"/Type/ObjS").count(), packed.div_ceil(per_stream));
            assert!(xref_stream_is_deflated(&bytes));
        }
    }

    /// The objects written directly are the bytes lopdf writes, and the object streams hold the
    /// same text as lopdf's (deflated at our level).
    #[test]
    fn object_streams_hold_what_lopdf_writes() {
        let mut ours = document();
        let mut theirs = document();
        let mut expected = Vec::new();
        let options = lopdf::SaveOptions::builder()
            .use_object_streams(true)
            .use_xref_streams(true)
            .max_objects_per_stream(2)
            .compression_level(6)
            .build();
        theirs.save_with_options(&mut expected, options).unwrap();
        let bytes = to_bytes(&mut ours, Layout::ObjectStreams { per_stream: 2 });
        let first_stream = |b: &[u8]| b.windows(12).position(|w| w == b"/Type/ObjStm").unwrap();
        let (a, b) = (first_stream(&bytes), first_stream(&expected));
        assert_eq!(a, b);
        assert!(bytes[..a] == expected[..b], "the objects written directly differ");
        let object_streams = |b: &[u8]| -> Vec<Vec<u8>> {
            let read = lopdf::Document::load_mem(b).unwrap();
            let streams = read.objects.values().filter_map(|o| match o {
                Object::Stream(s) if s.dict.get(b"Type").and_then(Object::as_name).ok() == Some(b"ObjStm") => {
                    Some(s.decompressed_content().unwrap_or_else(|_| s.content.clone()))
                }
                _ => None,
            });
            streams.collect()
        };
        let ours = object_streams(&bytes);
        assert_eq!(ours.len(), 3);
        assert_eq!(ours, object_streams(&expected));
    }

    #[test]
    fn the_up_predictor_differences_each_row_from_the_one_above() {
        assert_eq!(png_up(&[1, 2, 3, 4, 2, 5], 3), [2, 1, 2, 3, 2, 3, 0, 2]);
    }
}
