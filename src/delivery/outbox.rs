//! The outbox: sending produced renewal packages' cover messages, at most once, never silently lost.
//!
//! The journal (`batch/journal.rs`) holds each package's state. A `--send` run takes every package
//! of its shard whose renewal has not passed and whose latest state is:
//!
//! | state | what happens |
//! |---|---|
//! | `produced` | sent |
//! | `queued` (an earlier attempt failed for now) | sent again |
//! | `sending` (a run died between starting and recording the send) | **unconfirmed**: reported, not sent; `--resend-unconfirmed` sends it again with the same Message-ID |
//! | `failed` (refused for good) | reported again; `--resend-failed` tries again |
//! | `sent` | nothing |
//!
//! Each attempt appends `sending` (fsync'd) *before* the first byte goes to the server and `sent`
//! (with the server's reply), `queued` or `failed` after. A crash between the two leaves `sending`:
//! the message may or may not have arrived, so it is never resent without being asked.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::smtp::{Mailer, SendError};
use crate::batch::journal::{Event, Journal, JournalRecord, JournalState};
use crate::batch::plan::Shard;

/// What `--send` may do beyond the default.
#[derive(Debug, Clone, Copy, Default)]
pub struct Resend {
    /// Send again packages left `sending` by a run that died.
    pub unconfirmed: bool,
    /// Try again packages the server refused for good.
    pub failed: bool,
}

/// What happened to one package's cover message in this run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "detail")]
pub enum Delivery {
    /// Accepted by the server: its reply.
    Sent(String),
    /// Not sent for now (server unreachable, 4xx): retried by the next `--send` run.
    Queued(String),
    /// Refused for good, or impossible (no cover message): the reason.
    Failed(String),
    /// Left `sending` by an earlier run: it may or may not have arrived.
    Unconfirmed(String),
}

impl Delivery {
    /// Everything but `Sent` makes the run exit 1: a delivery is owed or unknown.
    pub fn needs_attention(&self) -> bool {
        !matches!(self, Delivery::Sent(_))
    }
}

/// One line of the delivery report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryLine {
    pub customer_id: String,
    pub package: String,
    /// The cover message, relative to the output folder.
    pub path: String,
    pub message_id: Option<String>,
    pub to: Option<String>,
    #[serde(flatten)]
    pub delivery: Delivery,
}

/// Where and as whom the outbox works.
pub struct Outbox<'a> {
    pub out: &'a Path,
    pub shard: Option<Shard>,
    /// The run's own journal (the run holds the output folder's lock).
    pub journal: &'a Journal,
    pub writer: &'a str,
    /// Packages of renewals before this day are not sent.
    pub as_of: chrono::NaiveDate,
    pub resend: Resend,
}

/// The cover message's path for a package PDF: the same name, `.eml`.
pub fn cover_path(pdf: &str) -> String {
    match pdf.strip_suffix(".pdf") {
        Some(stem) => format!("{stem}.eml"),
        None => format!("{pdf}.eml"),
    }
}

impl Outbox<'_> {
    /// Sends what is owed, in package order, until `stopped` says the run is stopping.
    pub fn deliver(&self, state: &JournalState, mailer: &Mailer, stopped: &dyn Fn() -> bool) -> Vec<DeliveryLine> {
        let mut lines = Vec::new();
        for (key, latest) in &state.latest {
            if self.shard.is_some_and(|s| !s.contains(&key.customer_id)) {
                continue;
            }
            let passed = chrono::NaiveDate::parse_from_str(&latest.renewal_date, "%Y-%m-%d")
                .is_ok_and(|renewal| renewal < self.as_of);
            let due = match latest.event {
                Event::Produced | Event::Queued => true,
                Event::Sending => self.resend.unconfirmed,
                Event::Failed => self.resend.failed,
                Event::Sent | Event::Unknown => false,
            };
            // The latest produced record knows the PDF (delivery records repeat it, too).
            let produced = state.produced.get(key).unwrap_or(latest);
            let eml = cover_path(&produced.path);
            let mut line = DeliveryLine {
                customer_id: key.customer_id.clone(),
                package: key.package.clone(),
                path: eml.clone(),
                message_id: None,
                to: None,
                delivery: Delivery::Sent(String::new()),
            };
            if !due {
                let reported = match latest.event {
                    Event::Sending => Some(Delivery::Unconfirmed(format!(
                        "sending started at {} but no reply was recorded: it may or may not have arrived; check with the recipient, then rerun with --resend-unconfirmed to send it again (same Message-ID)",
                        latest.at
                    ))),
                    Event::Failed => Some(Delivery::Failed(format!(
                        "{} (at {}); fix it, then rerun with --resend-failed",
                        latest.detail.as_deref().unwrap_or("refused"),
                        latest.at
                    ))),
                    _ => None,
                };
                if let Some(delivery) = reported.filter(|_| !passed) {
                    line.delivery = delivery;
                    lines.push(line);
                }
                continue;
            }
            if passed || stopped() {
                // A past renewal's package is not worth sending now; a stopping run leaves it queued.
                continue;
            }
            let delivery = self.send_one(key, produced, &eml, mailer, &mut line);
            line.delivery = delivery;
            lines.push(line);
        }
        lines
    }

    fn send_one(
        &self,
        key: &crate::batch::journal::PackageKey,
        produced: &JournalRecord,
        eml: &str,
        mailer: &Mailer,
        line: &mut DeliveryLine,
    ) -> Delivery {
        let record = |event: Event, detail: Option<String>| {
            let mut record = JournalRecord::new(event, key.clone());
            record.renewal_date = produced.renewal_date.clone();
            record.path = produced.path.clone();
            record.sha256 = produced.sha256.clone();
            record.as_of = self.as_of.to_string();
            record.report_quarter = produced.report_quarter.clone();
            record.writer = format!("{} (delivery)", self.writer);
            record.detail = detail;
            record
        };
        let bytes = match std::fs::read(self.out.join(eml)) {
            Ok(bytes) => bytes,
            Err(e) => {
                let reason = format!(
                    "no cover message to send ({}: {e}); it is written with the package when account.csv has a valid csm_email",
                    PathBuf::from(eml).display()
                );
                return self
                    .append(record(Event::Failed, Some(reason.clone())))
                    .map_or_else(|e| e, |()| Delivery::Failed(reason));
            }
        };
        let Some(header) = CoverHeaders::read(&bytes) else {
            let reason = format!("{eml}: not a cover message written by valuereport (no To or Message-ID header)");
            return self
                .append(record(Event::Failed, Some(reason.clone())))
                .map_or_else(|e| e, |()| Delivery::Failed(reason));
        };
        line.message_id = Some(header.message_id.clone());
        line.to = Some(header.to.to_string());
        // Recorded (and fsync'd) before the server hears of it: a crash from here on is "unconfirmed".
        if let Err(e) = self.append(record(Event::Sending, Some(format!("Message-ID <{}>", header.message_id)))) {
            return e;
        }
        let outcome = mailer.send_bytes(&header.to, &bytes);
        let (event, detail, delivery) = match outcome {
            Ok(accepted) => (Event::Sent, accepted.reply.clone(), Delivery::Sent(accepted.reply)),
            Err(SendError::Transient(reason)) => (Event::Queued, reason.clone(), Delivery::Queued(reason)),
            Err(SendError::Permanent(reason)) => (Event::Failed, reason.clone(), Delivery::Failed(reason)),
        };
        match self.append(record(event, Some(detail))) {
            Ok(()) => delivery,
            Err(e) => e,
        }
    }

    fn append(&self, record: JournalRecord) -> Result<(), Delivery> {
        self.journal.append(&record).map_err(|e| {
            Delivery::Unconfirmed(format!("{}: cannot record the delivery state: {e}", self.journal.path().display()))
        })
    }
}

/// The two headers the outbox needs from a cover message it wrote.
struct CoverHeaders {
    to: lettre::Address,
    message_id: String,
}

impl CoverHeaders {
    fn read(bytes: &[u8]) -> Option<CoverHeaders> {
        let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = std::str::from_utf8(&bytes[..end]).ok()?;
        // Unfold continuation lines (RFC 5322 2.2.3), then find the fields.
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        let field = |name: &str| {
            unfolded.split("\r\n").find_map(|line| {
                let (field, value) = line.split_once(':')?;
                field.eq_ignore_ascii_case(name).then(|| value.trim().to_string())
            })
        };
        let to = field("To")?;
        let address = to.rsplit_once('<').map_or(to.as_str(), |(_, rest)| rest.trim_end_matches('>'));
        let message_id = field("Message-ID")?.trim_start_matches('<').trim_end_matches('>').to_string();
        Some(CoverHeaders { to: address.trim().parse().ok()?, message_id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cover_paths_and_headers() {
        assert_eq!(cover_path("renewals/a/a-renewal-2027-01-06-T-60.pdf"), "renewals/a/a-renewal-2027-01-06-T-60.eml");
        let message = b"From: x@y.example\r\nTo: \"James\r\n Carter\" <james@northwind.example>\r\nMessage-ID: <abc@northwind.example>\r\n\r\nbody";
        let headers = CoverHeaders::read(message).unwrap();
        assert_eq!(headers.to.to_string(), "james@northwind.example");
        assert_eq!(headers.message_id, "abc@northwind.example");
        assert!(CoverHeaders::read(b"To: a@b.example\r\n\r\n").is_none(), "no Message-ID");
    }
}
