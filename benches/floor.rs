//! The floor of issue #18: the least work a report could cost. For each customer: parse its CSV
//! files, deflate at level 6 the very streams its team report carries (decompressed beforehand,
//! out of the timing), and write the deflated bytes to a file (temporary name, fsync, rename) —
//! no value computation, layout, fonts or PDF structure.
//!
//! Usage (bench/peers/compare.sh runs it; `cargo bench --bench floor -- …` works too):
//!
//! ```text
//! floor INPUT RUN_OUT SCRATCH
//! ```
//!
//! INPUT is the folder `valuereport run` read (customer folders with account.csv, at any depth),
//! RUN_OUT the folder it wrote (the team PDFs `<id>-<quarter>-team.pdf` under it), SCRATCH a
//! folder for the floor's own files (emptied first). Prints one line of JSON with the time for all
//! customers, in milliseconds, of three variants run one after the other:
//!
//! - `fsync_ms`: parse + deflate every stream at level 6 + write with fsync and rename (the floor);
//! - `nofsync_ms`: the same without fsync;
//! - `content_l1_ms`: parse + deflate only the content streams (pages, form XObjects) at level 1 +
//!   write, no fsync.
//!
//! The streams deflated are those the PDF carries deflated (/FlateDecode), and its object streams
//! (lopdf hands those over decompressed). The compressor is the crate's (flate2 with zlib-rs), one
//! for the whole run, reset for each stream, as `render::pdf` does.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use flate2::{Compress, Compression, FlushCompress, Status};
use lopdf::{Document, Object};

struct Customer {
    csvs: Vec<PathBuf>,
    /// Every deflated stream of the team report, decompressed.
    streams: Vec<Vec<u8>>,
    /// The page content streams only, decompressed.
    contents: Vec<Vec<u8>>,
    id: String,
}

fn fail(message: String) -> ! {
    eprintln!("floor: {message}");
    std::process::exit(2)
}

fn customer_dirs(input: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = walkdir::WalkDir::new(input)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name() == "account.csv")
        .filter_map(|entry| entry.path().parent().map(Path::to_path_buf))
        .collect();
    dirs.sort();
    dirs
}

/// The customer_id in account.csv (first column of the first record).
fn customer_id(dir: &Path) -> String {
    let mut reader = csv::Reader::from_path(dir.join("account.csv"))
        .unwrap_or_else(|e| fail(format!("{}: {e}", dir.display())));
    let record = reader.records().next().and_then(Result::ok).unwrap_or_else(|| fail(format!("{}: no account row", dir.display())));
    record.get(0).unwrap_or_default().to_string()
}

fn team_pdfs(run_out: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(run_out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_string_lossy().ends_with("-team.pdf"))
        .map(|entry| entry.into_path())
        .collect()
}

fn load(dir: &Path, pdfs: &[PathBuf]) -> Customer {
    let id = customer_id(dir);
    let pdf = pdfs
        .iter()
        .find(|p| p.parent().and_then(Path::file_name).is_some_and(|name| name == id.as_str()))
        .unwrap_or_else(|| fail(format!("no team PDF for {id}")));
    let document = Document::load(pdf).unwrap_or_else(|e| fail(format!("{}: {e}", pdf.display())));
    let mut streams = Vec::new();
    for object in document.objects.values() {
        let Object::Stream(stream) = object else { continue };
        let deflated = stream.dict.get(b"Filter").ok().and_then(|f| f.as_name().ok()) == Some(b"FlateDecode".as_slice());
        if deflated {
            streams.push(stream.decompressed_content().unwrap_or_else(|e| fail(format!("{}: {e}", pdf.display()))));
        } else if stream.dict.has_type(b"ObjStm") {
            streams.push(stream.content.clone());
        }
    }
    // Page content streams (one per page, concatenated as lopdf reads them) and form XObjects.
    let mut contents: Vec<Vec<u8>> = document.get_pages().values().map(|page| document.get_page_content(*page)).collect();
    for object in document.objects.values() {
        let Object::Stream(stream) = object else { continue };
        if stream.dict.get(b"Subtype").ok().and_then(|s| s.as_name().ok()) == Some(b"Form".as_slice()) {
            contents.push(stream.decompressed_content().unwrap_or_else(|_| stream.content.clone()));
        }
    }
    let mut csvs: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| fail(format!("{}: {e}", dir.display())))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "csv"))
        .collect();
    csvs.sort();
    Customer { csvs, streams, contents, id }
}

/// Parses every CSV file of the customer into records (what loading does before any checking).
fn parse(customer: &Customer) -> usize {
    let mut fields = 0;
    for path in &customer.csvs {
        let bytes = fs::read(path).unwrap_or_else(|e| fail(format!("{}: {e}", path.display())));
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes.as_slice());
        let records: Vec<csv::StringRecord> = reader.records().filter_map(Result::ok).collect();
        fields += records.iter().map(csv::StringRecord::len).sum::<usize>();
    }
    fields
}

fn deflate(compressor: &mut Compress, input: &[u8], out: &mut Vec<u8>) {
    compressor.reset();
    let start = out.len();
    out.reserve(input.len() / 2 + 64);
    loop {
        let consumed = compressor.total_in() as usize;
        match compressor.compress_vec(&input[consumed..], out, FlushCompress::Finish) {
            Ok(Status::StreamEnd) => break,
            Ok(_) => out.reserve(out.capacity().max(64)),
            Err(e) => fail(format!("deflate: {e}")),
        }
    }
    debug_assert!(out.len() > start);
}

fn write(scratch: &Path, id: &str, bytes: &[u8], fsync: bool) {
    let temporary = scratch.join(format!(".{id}.tmp"));
    let path = scratch.join(format!("{id}.bin"));
    let mut file = fs::File::create(&temporary).unwrap_or_else(|e| fail(format!("{}: {e}", temporary.display())));
    file.write_all(bytes).unwrap_or_else(|e| fail(format!("{}: {e}", temporary.display())));
    if fsync {
        file.sync_all().unwrap_or_else(|e| fail(format!("{}: {e}", temporary.display())));
    }
    fs::rename(&temporary, &path).unwrap_or_else(|e| fail(format!("{}: {e}", path.display())));
}

/// Milliseconds for all customers of one variant; returns (ms, bytes written, fields parsed).
fn variant(customers: &[Customer], scratch: &Path, level: u32, content_only: bool, fsync: bool) -> (f64, usize, usize) {
    let mut compressor = Compress::new(Compression::new(level), true);
    let (mut bytes, mut fields) = (0, 0);
    let start = Instant::now();
    for customer in customers {
        fields += parse(customer);
        let streams = if content_only { &customer.contents } else { &customer.streams };
        let mut file = Vec::new();
        for stream in streams {
            deflate(&mut compressor, stream, &mut file);
        }
        write(scratch, &customer.id, &file, fsync);
        bytes += file.len();
    }
    (start.elapsed().as_secs_f64() * 1000.0, bytes, fields)
}

fn main() {
    // `cargo bench` passes --bench; the paths are the other arguments.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    if args.is_empty() {
        // `cargo test --all-targets` / `cargo bench` without paths: nothing to measure.
        eprintln!("floor: usage: floor INPUT RUN_OUT SCRATCH (bench/peers/compare.sh runs it); nothing measured");
        return;
    }
    let [input, run_out, scratch] = args.as_slice() else {
        fail("usage: floor INPUT RUN_OUT SCRATCH".to_string())
    };
    let (input, run_out, scratch) = (Path::new(input), Path::new(run_out), Path::new(scratch));
    let pdfs = team_pdfs(run_out);
    let customers: Vec<Customer> = customer_dirs(input).iter().map(|dir| load(dir, &pdfs)).collect();
    if customers.is_empty() {
        fail(format!("no customers under {}", input.display()));
    }
    let _ = fs::remove_dir_all(scratch);
    fs::create_dir_all(scratch).unwrap_or_else(|e| fail(format!("{}: {e}", scratch.display())));
    let raw: usize = customers.iter().flat_map(|c| &c.streams).map(Vec::len).sum();
    let raw_content: usize = customers.iter().flat_map(|c| &c.contents).map(Vec::len).sum();
    let streams: usize = customers.iter().map(|c| c.streams.len()).sum();
    let (fsync_ms, deflated, fields) = variant(&customers, scratch, 6, false, true);
    let (nofsync_ms, _, _) = variant(&customers, scratch, 6, false, false);
    let (content_l1_ms, deflated_content, _) = variant(&customers, scratch, 1, true, false);
    println!(
        "{{\"customers\": {}, \"fsync_ms\": {fsync_ms:.3}, \"nofsync_ms\": {nofsync_ms:.3}, \"content_l1_ms\": {content_l1_ms:.3}, \
         \"streams\": {streams}, \"stream_bytes\": {raw}, \"deflated_bytes\": {deflated}, \"content_bytes\": {raw_content}, \
         \"content_l1_bytes\": {deflated_content}, \"csv_fields\": {fields}}}",
        customers.len()
    );
}
