//! `validate --format json`: every problem found under INPUT as data, with a code per problem.

use serde_json::{json, Value};

use super::LoadedInput;
use crate::load::InputError;

fn problem(error: &InputError) -> Value {
    json!({
        "file": error.file.display().to_string(),
        "line": error.line,
        "column": error.column,
        "code": error.problem.code(),
        "message": error.problem.to_string(),
        "text": error.to_string(),
    })
}

/// The whole check: counts, settings error, problems and warnings per customer folder, and the
/// entries that were skipped or could not be read.
pub fn to_json(loaded: &LoadedInput) -> Value {
    let customers: Vec<Value> = loaded
        .customers
        .iter()
        .map(|(dir, result)| match result {
            Ok(customer) => json!({
                "customer_dir": dir.display().to_string(),
                "customer_id": customer.account.customer_id,
                "valid": true,
                "problems": [],
                "warnings": customer.warnings.iter().map(problem).collect::<Vec<_>>(),
            }),
            Err(errors) => json!({
                "customer_dir": dir.display().to_string(),
                "customer_id": null,
                "valid": false,
                "problems": errors.iter().map(problem).collect::<Vec<_>>(),
                "warnings": [],
            }),
        })
        .collect();
    let failed = loaded.customers.iter().filter(|(_, r)| r.is_err()).count();
    json!({
        "customers": loaded.customers.len(),
        "valid": loaded.customers.len() - failed,
        "with_errors": failed,
        "problem_count": loaded.problem_count(),
        "settings_error": loaded.settings.as_ref().err().map(problem),
        "results": customers,
        "skipped": loaded.skipped.iter().map(|(p, r)| json!({"path": p.display().to_string(), "reason": r})).collect::<Vec<_>>(),
        "unreadable": loaded.unreadable.iter().map(|(p, r)| json!({"path": p.display().to_string(), "error": r})).collect::<Vec<_>>(),
    })
}
