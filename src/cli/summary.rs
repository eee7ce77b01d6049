//! `valuereport summary`: one value line per customer under INPUT.

use std::path::Path;

use valuereport::batch::{load_input, results};
use valuereport::{explain, value};

use super::args::{Period, SummaryFormat};
use super::{input_dir, plural, report_unreadable, Done, Exit, Failure};

pub fn summary(input: &Path, period: &Period, format: SummaryFormat) -> Done {
    input_dir(input)?;
    let loaded = load_input(input).map_err(|e| Failure::usage(e.to_string()))?;
    let settings = loaded.settings.as_ref().map_err(|e| Failure::usage(e.to_string()))?;
    let quarter = period.report_quarter();
    let unreadable = loaded.unreadable.len();
    if format != SummaryFormat::Text {
        let rows = results::summary_rows(&loaded, settings, quarter);
        // Machine formats are data, written as results.csv and .jsonl write them (JSON escapes
        // control characters; CSV quotes, as in the file on disk).
        let bytes = match format {
            SummaryFormat::Csv => results::to_csv(&rows, quarter, period.as_of()),
            _ => results::to_json_array(&rows, quarter, period.as_of()).into_bytes(),
        };
        use std::io::Write as _;
        let _ = std::io::stdout().write_all(&bytes);
        report_unreadable(&loaded);
        let failed = rows.iter().filter(|r| r.status == results::RowStatus::Failed).count();
        if failed > 0 || unreadable > 0 {
            err!("{}", counts_line(rows.len(), quarter, failed, unreadable));
            return Ok(Exit::Attention);
        }
        return Ok(Exit::Ok);
    }
    let mut failed = 0;
    for (dir, result) in &loaded.customers {
        let outcome = result
            .as_ref()
            .map_err(|errors| errors.iter().map(ToString::to_string).collect::<Vec<_>>())
            .and_then(|customer| {
                value::compute(customer, quarter)
                    .map(|summary| explain::summary_line(customer, &summary))
                    .map_err(|e| vec![format!("{}: {e}", dir.display())])
            });
        match outcome {
            Ok(line) => out!("{line}"),
            Err(errors) => {
                failed += 1;
                for error in errors {
                    err!("{error}");
                }
            }
        }
    }
    report_unreadable(&loaded);
    err!("{}", counts_line(loaded.customers.len(), quarter, failed, unreadable));
    Ok(if failed > 0 || unreadable > 0 { Exit::Attention } else { Exit::Ok })
}

/// The count line: every reason for exit 1 is in it.
fn counts_line(total: usize, quarter: valuereport::quarter::Quarter, failed: usize, unreadable: usize) -> String {
    let unreadable = match unreadable {
        0 => String::new(),
        n => format!(", {n} folder{} could not be read", plural(n)),
    };
    format!("{total} customer{} for {quarter}: {} summarized, {failed} failed{unreadable}", plural(total), total - failed)
}
