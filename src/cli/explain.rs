//! `valuereport explain`: one customer's value computation, traced.

use std::path::Path;

use valuereport::batch::load_one;
use valuereport::{explain as trace, value};

use super::args::{ExplainFormat, Period};
use super::{customer_dir, Done, Exit, Failure};

pub fn explain(dir: &Path, period: &Period, format: ExplainFormat) -> Done {
    customer_dir(dir)?;
    let customer = load_one(dir).map_err(|errors| Failure::data(errors.iter().map(ToString::to_string).collect()))?;
    for warning in &customer.warnings {
        err!("warning: {warning}");
    }
    let summary = value::compute(&customer, period.report_quarter())
        .map_err(|e| Failure::data(vec![format!("{}: {e}", dir.display())]))?;
    match format {
        ExplainFormat::Text => print!("{}", super::terminal::safe(&trace::to_table(&customer, &summary))),
        ExplainFormat::Json => out!("{}", trace::to_json(&summary)),
    }
    Ok(Exit::Ok)
}
