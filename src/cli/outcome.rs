//! The end of a batch run on stdout: the plan of a dry run, the summary line or JSON document, and
//! every reason the run needs attention (exit 1), so the summary and the exit code agree.

use valuereport::batch::manifest::Status;
use valuereport::batch::run::{signal_name, Outcome};
use valuereport::delivery::Delivery;

use super::args::Format;
use super::batch::BatchArgs;
use super::{plural, Exit};

/// Every reason for exit 1, each with its count; empty when the run needs no attention.
pub fn attention(outcome: &Outcome) -> Vec<String> {
    let mut reasons = Vec::new();
    let mut count = |n: usize, one: &str, many: &str| {
        if n > 0 {
            reasons.push(format!("{n} {}", if n == 1 { one } else { many }));
        }
    };
    let deliveries = |wanted: fn(&Delivery) -> bool| outcome.deliveries.iter().filter(|d| wanted(&d.delivery)).count();
    count(outcome.manifest.counts.failed as usize, "report failed", "reports failed");
    count(outcome.unreadable_entries.len(), "folder could not be read", "folders could not be read");
    count(outcome.journal_errors.len(), "journal write failed", "journal writes failed");
    count(usize::from(outcome.manifest_error.is_some()), "manifest could not be saved", "manifests could not be saved");
    count(deliveries(|d| matches!(d, Delivery::Queued(_))), "delivery queued", "deliveries queued");
    count(deliveries(|d| matches!(d, Delivery::Unconfirmed(_))), "delivery unconfirmed", "deliveries unconfirmed");
    count(deliveries(|d| matches!(d, Delivery::Failed(_))), "delivery failed", "deliveries failed");
    reasons
}

pub fn print_plan(outcome: &Outcome) {
    for r in &outcome.manifest.results {
        let path = r.path.as_deref().unwrap_or(&r.customer_dir);
        let reason = r.reason.as_deref().unwrap_or("");
        match r.status {
            Status::Written => out!("would write  {path}  ({reason})"),
            Status::Unchanged => out!("unchanged    {path}  ({reason})"),
            Status::Skipped => out!("skip         {path}  ({reason})"),
            Status::Failed => out!("fail         {path}  ({})", r.error.as_deref().unwrap_or("")),
        }
    }
}


pub fn print_summary(outcome: &Outcome, args: &BatchArgs, exit: Exit, reasons: &[String]) {
    let m = &outcome.manifest;
    let c = &m.counts;
    match args.format {
        Format::Json => {
            let failures: Vec<serde_json::Value> = m
                .results
                .iter()
                .filter(|r| r.status == Status::Failed)
                .map(|r| serde_json::json!({"customer_dir": r.customer_dir, "kind": r.kind, "error": r.error}))
                .collect();
            let summary = serde_json::json!({
                "command": m.command,
                "as_of": m.as_of,
                "report_quarter": m.report_quarter,
                "shard": m.shard,
                "dry_run": args.dry_run,
                "counts": c,
                "timings": m.timings,
                "manifest": if args.dry_run { None } else { Some(outcome.manifest_path.display().to_string()) },
                "manifest_error": outcome.manifest_error.as_ref().map(ToString::to_string),
                "failures": failures,
                "unreadable": outcome
                    .unreadable_entries
                    .iter()
                    .map(|(path, reason)| serde_json::json!({"path": path.display().to_string(), "error": reason}))
                    .collect::<Vec<_>>(),
                "plan": if args.dry_run { serde_json::to_value(&m.results).ok() } else { None },
                "written": outcome
                    .written()
                    .into_iter()
                    .map(|(id, kind, path)| serde_json::json!({
                        "customer_id": id,
                        "kind": kind,
                        "path": args.out.join(path).display().to_string(),
                    }))
                    .collect::<Vec<_>>(),
                "notes": outcome
                    .notes
                    .iter()
                    .cloned()
                    .chain(m.results.iter().filter_map(|r| {
                        r.note.as_ref().map(|n| format!("{}: {n}", r.customer_id.as_deref().unwrap_or(&r.customer_dir)))
                    }))
                    .collect::<Vec<_>>(),
                "journal_errors": outcome.journal_errors,
                "deliveries": outcome.deliveries,
                "stopped_by": outcome.stopped_by.map(signal_name),
                "not_started": outcome.not_started,
                "exit_code": exit.code(),
            });
            let mut summary = summary;
            if let Some(error) = error_text(outcome, reasons) {
                summary["error"] = error.into();
            }
            out!("{}", serde_json::to_string_pretty(&summary).expect("json"));
        }
        Format::Text => {
            let what = if m.command == "run" { format!("run {}", m.report_quarter) } else { "renewals".to_string() };
            let folder = if m.command == "run" { m.report_quarter.as_str() } else { "renewals" };
            let manifest = if args.dry_run {
                "dry run: nothing written".to_string()
            } else {
                format!("reports in {}, manifest {}", args.out.join(folder).display(), outcome.manifest_path.display())
            };
            let manifest = match outcome.stopped_by {
                Some(signal) => format!(
                    "{manifest}; stopped by {}: {} customer{} not started",
                    signal_name(signal),
                    outcome.not_started,
                    plural(outcome.not_started)
                ),
                None => manifest,
            };
            let manifest = if reasons.is_empty() {
                manifest
            } else {
                format!("{manifest}; needs attention: {}", reasons.join(", "))
            };
            out!(
                "{what} as of {}{}: {} customer{}, {} written, {} unchanged, {} skipped, {} failed in {:.1} s; {manifest}",
                m.as_of,
                m.shard.as_ref().map(|s| format!(" (shard {s})")).unwrap_or_default(),
                c.customers,
                plural(c.customers as usize),
                c.written,
                c.unchanged,
                c.skipped,
                c.failed,
                m.timings.total_ms as f64 / 1000.0,
            );
        }
    }
}

/// The JSON summary's "error": the signal that stopped the run, then the reasons for exit 1.
fn error_text(outcome: &Outcome, reasons: &[String]) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(signal) = outcome.stopped_by {
        parts.push(format!(
            "stopped by {}: {} customer{} not started",
            signal_name(signal),
            outcome.not_started,
            plural(outcome.not_started)
        ));
    }
    parts.extend(reasons.iter().cloned());
    (!parts.is_empty()).then(|| parts.join("; "))
}
