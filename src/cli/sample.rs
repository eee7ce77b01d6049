//! `valuereport sample`: synthetic customers, reproducible from the seed and the as-of date.

use std::path::Path;

use chrono::NaiveDate;

use super::args::Format;
use super::{plural, print_json, Done, Exit, Failure};

pub struct Request<'a> {
    pub customers: usize,
    pub seed: u64,
    pub out: &'a Path,
    pub as_of: Option<NaiveDate>,
    pub force: bool,
    pub format: Format,
}

pub fn sample(request: &Request) -> Done {
    let out = request.out;
    if !request.force {
        refuse_non_empty(out)?;
    }
    let as_of = request.as_of.unwrap_or_else(|| chrono::Local::now().date_naive());
    let ids = valuereport::sample::generate(out, request.customers, request.seed, as_of)
        .map_err(|e| Failure::usage(format!("{}: {e}", out.display())))?;
    let quarter = valuereport::quarter::Quarter::last_ended_on_or_before(as_of);
    match request.format {
        Format::Text => out!(
            "wrote {} customer{} into {} (seed {}, as of {as_of}: history through {quarter}; the same seed and --as-of {as_of} give the same files)",
            ids.len(),
            plural(ids.len()),
            out.display(),
            request.seed
        ),
        Format::Json => print_json(&serde_json::json!({
            "out": out.display().to_string(),
            "customers": ids.len(),
            "seed": request.seed,
            "as_of": as_of.to_string(),
            "history_through": quarter.to_string(),
            "exit_code": Exit::Ok.code(),
        })),
    }
    Ok(Exit::Ok)
}

/// A folder that already holds anything is refused: the new customers would mix with what is there.
fn refuse_non_empty(out: &Path) -> Result<(), Failure> {
    match std::fs::read_dir(out) {
        Ok(mut entries) => match entries.next() {
            None => Ok(()),
            Some(_) => Err(Failure::usage(format!(
                "{}: the folder is not empty; the sample customers would mix with what is in it. Give a new or empty folder, or --force to write into it anyway",
                out.display()
            ))),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) if out.is_file() => Err(Failure::usage(format!("{}: is a file, not a folder ({e})", out.display()))),
        Err(e) => Err(Failure::usage(format!("{}: {e}", out.display()))),
    }
}
