//! `valuereport validate`: every customer under INPUT checked against the input contract.

use std::path::Path;

use valuereport::batch::load_input;
use valuereport::load::ACCOUNT_FILE;

use super::args::Format;
use super::{input_dir, plural, report_unreadable, Done, Exit, Failure};

pub fn validate(input: &Path, format: Format) -> Done {
    input_dir(input)?;
    let loaded = load_input(input).map_err(|e| Failure::usage(e.to_string()))?;
    let exit = if loaded.settings.is_err() {
        Exit::Usage
    } else if loaded.problem_count() > 0 || !loaded.unreadable.is_empty() {
        Exit::Attention
    } else {
        Exit::Ok
    };
    if format == Format::Json {
        let mut report = valuereport::batch::validation::to_json(&loaded);
        if let (Some(object), Some(error)) = (report.as_object_mut(), summary_error(&loaded)) {
            object.insert("error".to_string(), error.into());
            object.insert("exit_code".to_string(), exit.code().into());
        }
        std::println!("{}", serde_json::to_string_pretty(&report).expect("json"));
        report_unreadable(&loaded);
        return Ok(exit);
    }
    for (path, reason) in &loaded.skipped {
        err!("note: {}: skipped: {reason}", path.display());
    }
    report_unreadable(&loaded);
    if let Err(e) = &loaded.settings {
        out!("{e}");
    }
    let mut failed = 0;
    for (_, result) in &loaded.customers {
        match result {
            Err(errors) => {
                failed += 1;
                for error in errors {
                    out!("{error}");
                }
            }
            Ok(customer) => {
                for warning in &customer.warnings {
                    out!("warning: {warning}");
                }
            }
        }
    }
    let total = loaded.customers.len();
    let unreadable = match loaded.unreadable.len() {
        0 => String::new(),
        n => format!("; {n} folder{} could not be read", plural(n)),
    };
    err!(
        "checked {total} customer{}: {} valid, {failed} with errors ({} problem{}){unreadable}",
        plural(total),
        total - failed,
        loaded.problem_count(),
        plural(loaded.problem_count())
    );
    if total == 0 {
        err!("warning: no customer folders (folders with {ACCOUNT_FILE}) under {}", input.display());
    }
    Ok(exit)
}

/// What is wrong, in one sentence, when anything is.
fn summary_error(loaded: &valuereport::batch::LoadedInput) -> Option<String> {
    let mut parts = Vec::new();
    if let Err(e) = &loaded.settings {
        parts.push(e.to_string());
    }
    let failed = loaded.customers.iter().filter(|(_, r)| r.is_err()).count();
    if failed > 0 {
        parts.push(format!("{failed} customer{} with errors", plural(failed)));
    }
    let unreadable = loaded.unreadable.len();
    if unreadable > 0 {
        parts.push(format!("{unreadable} folder{} could not be read", plural(unreadable)));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}
