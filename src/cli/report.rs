//! `valuereport report`: one customer's PDF value report.

use std::path::{Path, PathBuf};

use valuereport::batch::output::write_atomically;
use valuereport::batch::{load_one, report_pdf, settings_for, ReportError, ReportOptions};

use super::args::{AudienceArg, Format, Look, Period, DEFAULT_OUT};
use super::{customer_dir, print_json, Done, Exit, Failure};

pub struct Request<'a> {
    pub dir: &'a Path,
    pub period: &'a Period,
    pub audience: AudienceArg,
    pub out: Option<PathBuf>,
    pub allow_stale: bool,
    pub format: Format,
    pub look: &'a Look,
}

pub fn report(request: &Request) -> Done {
    let dir = request.dir;
    customer_dir(dir)?;
    let catalogs = request.look.catalogs().map_err(Failure::usage)?;
    let settings = settings_for(dir).map_err(|e| Failure::usage(e.to_string()))?;
    let customer = load_one(dir).map_err(|errors| Failure::data(errors.iter().map(ToString::to_string).collect()))?;
    for warning in &customer.warnings {
        err!("warning: {warning}");
    }
    let quarter = request.period.report_quarter();
    let edition = request.audience.edition();
    let options = ReportOptions {
        settings: &settings,
        catalogs: &catalogs,
        quarter,
        as_of: request.period.as_of(),
        edition,
        paper: request.look.paper(),
        renewal: None,
        locale: request.look.locale(),
        allow_stale: request.allow_stale,
        pdf_standard: request.look.pdf_standard(),
    };
    let name = format!("{}-{quarter}-{}.pdf", customer.account.customer_id, edition.as_str());
    let path = out_path(request.out.as_deref(), &name);
    let rendered = report_pdf(&customer, &options).map_err(|e| match e {
        // A template that does not render is a configuration error.
        ReportError::Catalog(_) => Failure::usage(e.to_string()),
        _ => Failure::data(vec![e.to_string()]),
    })?;
    for warning in &rendered.warnings {
        err!("warning: {warning}");
    }
    write_atomically(&path, &rendered.bytes)
        .map_err(|source| Failure::usage(ReportError::Write { path: path.clone(), source }.to_string()))?;
    match request.format {
        Format::Text => out!("{}", path.display()),
        Format::Json => print_json(&serde_json::json!({
            "path": path.display().to_string(),
            "customer_id": customer.account.customer_id,
            "report_quarter": quarter.to_string(),
            "as_of": options.as_of.to_string(),
            "audience": edition.as_str(),
            "pdf_standard": options.pdf_standard.as_str(),
            "pages": rendered.pages,
            "bytes": rendered.bytes.len(),
            "warnings": rendered.warnings,
            "exit_code": Exit::Ok.code(),
        })),
    }
    Ok(Exit::Ok)
}

/// `--out`: a path ending in .pdf (that is not a folder) is the file; anything else is a folder
/// that gets `name`. Without it, `name` in out/.
fn out_path(out: Option<&Path>, name: &str) -> PathBuf {
    match out {
        Some(out) if is_pdf_file(out) => out.to_path_buf(),
        Some(folder) => folder.join(name),
        None => Path::new(DEFAULT_OUT).join(name),
    }
}

fn is_pdf_file(path: &Path) -> bool {
    !path.is_dir() && path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("pdf"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_is_a_file_when_it_ends_in_pdf_and_a_folder_otherwise() {
        let name = "acme-2026-Q3-team.pdf";
        assert_eq!(out_path(Some(Path::new("x/acme.pdf")), name), Path::new("x/acme.pdf"));
        assert_eq!(out_path(Some(Path::new("x/ACME.PDF")), name), Path::new("x/ACME.PDF"));
        assert_eq!(out_path(Some(Path::new("reports")), name), Path::new("reports").join(name));
        assert_eq!(out_path(Some(Path::new("reports/")), name), Path::new("reports/").join(name));
        assert_eq!(out_path(None, name), Path::new("out").join(name));
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("q3.pdf");
        std::fs::create_dir(&folder).unwrap();
        assert_eq!(out_path(Some(&folder), name), folder.join(name));
    }
}
