//! Monitoring a cron job: a run's figures as a Prometheus textfile.
//!
//! node_exporter's textfile collector reads `*.prom` files from one folder on every scrape. A batch
//! job rewrites its file when it ends, atomically (temporary file + rename in the same folder), so
//! the collector never reads half a file. Every metric is a gauge labelled with the command
//! (`run` or `renewals`): the last run's timestamp, exit code and duration, its customers, reports
//! by status, renewal packages written and cover messages by delivery status. The time of the last
//! successful run (exit 0) is kept across failed runs, read back from the file being replaced, so
//! an alert can fire on "no success for 26 hours".

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use crate::batch::manifest::Status;
use crate::batch::output::write_atomically;
use crate::batch::run::Outcome;
use crate::delivery::Delivery;

/// The metric holding the time of the last run that exited 0.
pub const LAST_SUCCESS: &str = "valuereport_last_success_timestamp_seconds";

/// What one run of `run` or `renewals` reports.
#[derive(Debug, Clone, PartialEq)]
pub struct RunMetrics {
    /// `run` or `renewals`.
    pub command: String,
    pub exit_code: u8,
    /// When the run ended, in seconds since the Unix epoch.
    pub finished_unix: u64,
    pub duration: Duration,
    /// The run's figures; `None` when it stopped before processing customers (a configuration
    /// error, the output folder held by another run).
    pub figures: Option<Figures>,
}

/// The counts a finished run reports, equal to its summary's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    pub customers: u64,
    /// Customers with at least one failed report.
    pub customers_failed: u64,
    pub customers_not_started: u64,
    pub written: u64,
    pub unchanged: u64,
    pub skipped: u64,
    pub failed: u64,
    /// Renewal packages written by this run.
    pub packages_written: u64,
    pub sent: u64,
    pub queued: u64,
    pub delivery_failed: u64,
    pub unconfirmed: u64,
    /// Folders under INPUT that could not be read.
    pub unreadable: u64,
}

impl Figures {
    pub fn of(outcome: &Outcome) -> Figures {
        let m = &outcome.manifest;
        let mut failed_customers: Vec<&str> =
            m.results.iter().filter(|r| r.status == Status::Failed).map(|r| r.customer_dir.as_str()).collect();
        failed_customers.sort_unstable();
        failed_customers.dedup();
        let deliveries = |wanted: fn(&Delivery) -> bool| outcome.deliveries.iter().filter(|d| wanted(&d.delivery)).count() as u64;
        Figures {
            customers: m.counts.customers,
            customers_failed: failed_customers.len() as u64,
            customers_not_started: outcome.not_started as u64,
            written: m.counts.written,
            unchanged: m.counts.unchanged,
            skipped: m.counts.skipped,
            failed: m.counts.failed,
            packages_written: m
                .results
                .iter()
                .filter(|r| r.status == Status::Written && r.kind.starts_with("renewal-"))
                .count() as u64,
            sent: deliveries(|d| matches!(d, Delivery::Sent(_))),
            queued: deliveries(|d| matches!(d, Delivery::Queued(_))),
            delivery_failed: deliveries(|d| matches!(d, Delivery::Failed(_))),
            unconfirmed: deliveries(|d| matches!(d, Delivery::Unconfirmed(_))),
            unreadable: outcome.unreadable_entries.len() as u64,
        }
    }
}

impl RunMetrics {
    /// The file's text in the Prometheus text exposition format (version 0.0.4). `last_success` is
    /// the time of the last run that exited 0 before this one, if any.
    pub fn to_text(&self, last_success: Option<u64>) -> String {
        let mut out = String::new();
        let command = escape_label(&self.command);
        let mut gauge = |name: &str, help: &str, samples: &[(Option<(&str, &str)>, String)]| {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} gauge");
            for (label, value) in samples {
                match label {
                    Some((key, label)) => {
                        let _ = writeln!(out, "{name}{{command=\"{command}\",{key}=\"{label}\"}} {value}");
                    }
                    None => {
                        let _ = writeln!(out, "{name}{{command=\"{command}\"}} {value}");
                    }
                }
            }
        };
        let one = |value: u64| [(None, value.to_string())];
        gauge("valuereport_last_run_timestamp_seconds", "When the last run ended (Unix time).", &one(self.finished_unix));
        let success = if self.exit_code == 0 { Some(self.finished_unix) } else { last_success };
        if let Some(success) = success {
            gauge(LAST_SUCCESS, "When the last run that exited 0 ended (Unix time).", &one(success));
        }
        gauge(
            "valuereport_last_run_exit_code",
            "Exit code of the last run (0 ok, 1 needs attention, 2 usage or configuration, 75 output folder held, 130/143 interrupted).",
            &one(u64::from(self.exit_code)),
        );
        gauge(
            "valuereport_last_run_duration_seconds",
            "How long the last run took.",
            &[(None, format!("{:.3}", self.duration.as_secs_f64()))],
        );
        let Some(f) = &self.figures else {
            return out;
        };
        gauge("valuereport_customers", "Customers found under INPUT (in this shard) by the last run.", &one(f.customers));
        gauge("valuereport_customers_failed", "Customers with at least one failed report in the last run.", &one(f.customers_failed));
        gauge(
            "valuereport_customers_not_started",
            "Customers the last run did not start because it was stopped by a signal.",
            &one(f.customers_not_started),
        );
        let status = |label: &'static str, value: u64| (Some(("status", label)), value.to_string());
        gauge(
            "valuereport_reports",
            "Reports and packages of the last run by status.",
            &[status("written", f.written), status("unchanged", f.unchanged), status("skipped", f.skipped), status("failed", f.failed)],
        );
        gauge("valuereport_packages_written", "Renewal packages written by the last run.", &one(f.packages_written));
        gauge(
            "valuereport_deliveries",
            "Cover messages of the last run by delivery status (renewals --send).",
            &[
                status("sent", f.sent),
                status("queued", f.queued),
                status("failed", f.delivery_failed),
                status("unconfirmed", f.unconfirmed),
            ],
        );
        gauge("valuereport_unreadable_folders", "Folders under INPUT the last run could not read.", &one(f.unreadable));
        out
    }

    /// Writes the file atomically, keeping the last success time recorded in the file it replaces.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let previous = std::fs::read_to_string(path).ok().and_then(|text| last_success(&text, &self.command));
        write_atomically(path, self.to_text(previous).as_bytes())
    }
}

/// The last success time recorded for `command` in a metrics file's text.
pub fn last_success(text: &str, command: &str) -> Option<u64> {
    let prefix = format!("{LAST_SUCCESS}{{command=\"{}\"}} ", escape_label(command));
    text.lines().find_map(|line| line.strip_prefix(&prefix)).and_then(|value| value.trim().parse().ok())
}

/// A label value as the exposition format wants it: backslash, double quote and line feed escaped.
fn escape_label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metrics(exit_code: u8, figures: Option<Figures>) -> RunMetrics {
        RunMetrics {
            command: "renewals".to_string(),
            exit_code,
            finished_unix: 1_800_000_000,
            duration: Duration::from_millis(12_345),
            figures,
        }
    }

    #[test]
    fn every_metric_has_help_and_type_before_its_samples() {
        let figures = Figures { customers: 3, written: 2, failed: 1, packages_written: 2, queued: 1, ..Figures::default() };
        let text = metrics(1, Some(figures)).to_text(Some(1_700_000_000));
        let mut declared = Vec::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# HELP ") {
                declared.push(rest.split(' ').next().unwrap().to_string());
            } else if let Some(rest) = line.strip_prefix("# TYPE ") {
                assert_eq!(rest, format!("{} gauge", declared.last().unwrap()));
            } else {
                let name = line.split('{').next().unwrap();
                assert_eq!(Some(&name.to_string()), declared.last(), "{line}");
            }
        }
        assert!(text.contains("valuereport_reports{command=\"renewals\",status=\"failed\"} 1\n"), "{text}");
        assert!(text.contains("valuereport_deliveries{command=\"renewals\",status=\"queued\"} 1\n"), "{text}");
        assert!(text.contains("valuereport_last_run_duration_seconds{command=\"renewals\"} 12.345\n"), "{text}");
    }

    #[test]
    fn a_failed_run_keeps_the_last_success_and_a_good_one_replaces_it() {
        let failed = metrics(1, None).to_text(Some(1_700_000_000));
        assert_eq!(last_success(&failed, "renewals"), Some(1_700_000_000));
        assert_eq!(last_success(&failed, "run"), None);
        let good = metrics(0, Some(Figures::default())).to_text(Some(1_700_000_000));
        assert_eq!(last_success(&good, "renewals"), Some(1_800_000_000));
        // Never succeeded: no success sample at all (absent, not 0, so "time since" alerts fire).
        assert!(!metrics(2, None).to_text(None).contains(LAST_SUCCESS));
    }

    #[test]
    fn written_atomically_over_the_previous_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("valuereport.prom");
        metrics(0, Some(Figures::default())).write(&path).unwrap();
        let later = RunMetrics { exit_code: 75, finished_unix: 1_800_000_600, ..metrics(75, None) };
        later.write(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(last_success(&text, "renewals"), Some(1_800_000_000));
        assert!(text.contains("valuereport_last_run_exit_code{command=\"renewals\"} 75\n"));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
    }
}
