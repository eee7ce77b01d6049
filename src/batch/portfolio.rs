//! The run's own files, written after every customer is done: `OUT/<quarter>/results.csv`,
//! `results.jsonl` and `portfolio-<quarter>.pdf` (a sharded run writes `results-K-of-N.*` for its
//! customers and no portfolio: the portfolio needs them all).

use std::path::Path;

use chrono::NaiveDate;

use super::fingerprint::sha256_hex;
use super::manifest::RunOutput;
use super::output::write_atomically;
use super::plan::Shard;
use super::results::{self, CustomerResult};
use crate::model::Settings;
use crate::quarter::Quarter;

/// Where and for what the run files are written.
pub struct RunFiles<'a> {
    pub out: &'a Path,
    pub quarter: Quarter,
    pub as_of: NaiveDate,
    pub shard: Option<Shard>,
    pub settings: &'a Settings,
    pub paper: crate::render::pdf::Paper,
    /// `--pdf-standard`: the portfolio is tagged (PDF/UA-1, PDF/A-3a) like the reports, or plain.
    pub pdf_standard: crate::render::archive::PdfStandard,
}

/// Writes the results files (and, unsharded, the portfolio) atomically; what was written, or the
/// first error as a message naming the file. The rows are dropped once the portfolio's content is
/// built from them, before it is laid out; each file is made and written before the next.
pub fn write_run_files(files: &RunFiles, rows: Vec<CustomerResult>) -> Result<Vec<RunOutput>, String> {
    let folder = files.quarter.to_string();
    let suffix = files.shard.map(|s| format!("-{}-of-{}", s.index, s.count)).unwrap_or_default();
    let mut outputs = Vec::new();
    type Format = fn(&[CustomerResult], crate::quarter::Quarter, NaiveDate) -> Vec<u8>;
    let formats: [(&str, String, Format); 2] = [
        ("results-csv", format!("results{suffix}.csv"), results::to_csv),
        ("results-jsonl", format!("results{suffix}.jsonl"), results::to_jsonl),
    ];
    for (kind, name, format) in formats {
        let bytes = format(&rows, files.quarter, files.as_of);
        outputs.push(write(files.out, &format!("{folder}/{name}"), kind, &bytes, None)?);
    }
    if files.shard.is_none() {
        let (bytes, pages) = portfolio_pdf(files, rows);
        let path = format!("{folder}/portfolio-{folder}.pdf");
        outputs.push(write(files.out, &path, "portfolio", &bytes, Some(pages))?);
    }
    Ok(outputs)
}

/// The portfolio PDF of `rows` and its page count.
pub fn portfolio_pdf(files: &RunFiles, rows: Vec<CustomerResult>) -> (Vec<u8>, u32) {
    let input = crate::content::portfolio::PortfolioInput {
        rows: &rows,
        settings: files.settings,
        quarter: files.quarter,
        as_of: files.as_of,
    };
    let content = crate::content::portfolio::build(&input);
    drop(rows);
    // Tagged like the reports, in the portfolio's language; nothing is attached (results.csv and
    // results.jsonl are written beside it).
    let archive = match files.pdf_standard {
        crate::render::archive::PdfStandard::Ua1A3a => Some(crate::render::archive::Archive {
            lang: files.settings.portfolio.locale.to_string(),
            attachments: Vec::new(),
            tagged: true,
        }),
        crate::render::archive::PdfStandard::None => None,
    };
    // A page per ~20 customers: laid out and written page by page, so memory does not grow with
    // the page count (docs/performance.md, issue #18).
    crate::render::stream::render_pdf_streamed(content, files.paper, crate::render::fonts::FontSet::shared(), archive)
}

fn write(out: &Path, path: &str, kind: &str, bytes: &[u8], pages: Option<u32>) -> Result<RunOutput, String> {
    let full = out.join(path);
    write_atomically(&full, bytes).map_err(|e| format!("{}: cannot write the {kind} file: {e}", full.display()))?;
    Ok(RunOutput {
        kind: kind.to_string(),
        path: path.to_string(),
        sha256: sha256_hex(bytes),
        bytes: bytes.len() as u64,
        pages,
    })
}
