//! `valuereport renewals --send` against a real SMTP server on loopback (tests/support/smtp.rs):
//! messages arrive with the PDF attached, a rerun sends nothing new, a server that is down leaves
//! them queued for the next run, a refusal is a failure with the server's words, and a run killed
//! between sending and recording leaves the message unconfirmed — resent only on request, with the
//! same Message-ID.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use mail_parser::{MessageParser, MimeHeaders};
use support::files::copy_dir;
use support::smtp::SmtpServer;

const BIN: &str = env!("CARGO_BIN_EXE_valuereport");

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A copy of sample-data whose valuereport.toml delivers to `smtp_url`.
struct Work {
    dir: tempfile::TempDir,
}

impl Work {
    fn new(smtp_url: &str) -> Work {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data"), &dir.path().join("input"));
        let work = Work { dir };
        work.deliver_to(smtp_url);
        work
    }

    fn deliver_to(&self, smtp_url: &str) {
        let settings = format!(
            "vendor_name = \"Northwind Analytics\"\nbrand_color = \"#1F4E79\"\n\n[delivery]\nsmtp_url = \"{smtp_url}\"\nfrom = \"Northwind Analytics <renewals@northwind.example>\"\n"
        );
        fs::write(self.dir.path().join("input/valuereport.toml"), settings).unwrap();
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    fn command(&self, as_of: &str, extra: &[&str]) -> Command {
        let mut command = Command::new(BIN);
        command.current_dir(self.dir.path()).args(["renewals", "input", "--out", "out", "--as-of", as_of]).args(extra);
        command
    }

    fn renewals(&self, as_of: &str, extra: &[&str]) -> Output {
        self.command(as_of, extra).output().unwrap()
    }

    /// The journal's events for one package, in order.
    fn events(&self, customer: &str, package: &str) -> Vec<String> {
        let journal = fs::read_to_string(self.out().join("journal.jsonl")).unwrap_or_default();
        journal
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|r| r["customer_id"] == customer && r["package"] == package)
            .map(|r| r["event"].as_str().unwrap().to_string())
            .collect()
    }
}

/// On 2026-11-22 three sample customers have a package due: Harrow (T-30), BrightPath (T-60) and
/// Sakura (T-90).
const DUE: [(&str, &str, &str); 3] = [
    ("harrow-fintech-uk", "T-30", "2026-12-12"),
    ("brightpath.health", "T-60", "2027-01-06"),
    ("sakura-seimitsu", "T-90", "2027-02-05"),
];

fn package(work: &Work, (id, package, date): (&str, &str, &str), ext: &str) -> PathBuf {
    work.out().join(format!("renewals/{id}/{id}-renewal-{date}-{package}.{ext}"))
}

#[test]
fn packages_are_sent_once_with_the_pdf_attached_and_a_rerun_sends_nothing() {
    let server = SmtpServer::start();
    let work = Work::new(&server.url());
    let output = work.renewals("2026-11-22", &["--send"]);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    let received = server.received();
    assert_eq!(received.len(), 3, "{stdout}");
    for due in DUE {
        let eml = fs::read(package(&work, due, "eml")).unwrap();
        let pdf = fs::read(package(&work, due, "pdf")).unwrap();
        let parsed = MessageParser::default().parse(&eml).unwrap();
        let id = parsed.message_id().unwrap().to_string();
        let arrived = received
            .iter()
            .find(|r| MessageParser::default().parse(&r.data).unwrap().message_id() == Some(id.as_str()))
            .unwrap_or_else(|| panic!("{} {}: not received", due.0, due.1));
        let message = MessageParser::default().parse(&arrived.data).unwrap();
        let attachment = message.attachments().next().unwrap();
        assert_eq!(attachment.contents(), &pdf[..], "{}: the PDF on disk, attached", due.0);
        assert_eq!(attachment.attachment_name(), package(&work, due, "pdf").file_name().unwrap().to_str());
        assert_eq!(arrived.to[0], parsed.to().unwrap().first().unwrap().address().unwrap());
        assert!(message.subject().unwrap().contains(due.2.split('-').next().unwrap()), "{:?}", message.subject());
        let sent = format!(
            "sent {}",
            Path::new("out").join(package(&work, due, "eml").strip_prefix(work.out()).unwrap()).display()
        );
        assert!(stdout.contains(&sent), "{sent} not in\n{stdout}");
        assert_eq!(work.events(due.0, due.1), ["produced", "sending", "sent"]);
    }
    // The Japanese customer's message carries the Japanese note.
    let sakura = MessageParser::default()
        .parse(&fs::read(package(&work, DUE[2], "eml")).unwrap())
        .unwrap()
        .body_text(0)
        .unwrap()
        .into_owned();
    assert!(sakura.contains("日本語") && sakura.contains("契約更新"), "{sakura}");

    // Same day, and the next: nothing new is produced or sent.
    for day in ["2026-11-22", "2026-11-23"] {
        let output = work.renewals(day, &["--send"]);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        assert!(!text(&output.stdout).contains("sent "), "{}", text(&output.stdout));
    }
    assert_eq!(server.received().len(), 3);
}

#[test]
fn a_server_that_is_down_leaves_messages_queued_and_the_next_run_delivers_them() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let down = format!("smtp://127.0.0.1:{}", closed.local_addr().unwrap().port());
    drop(closed);
    let work = Work::new(&down);
    let output = work.renewals("2026-11-22", &["--send"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    for due in DUE {
        assert!(package(&work, due, "pdf").exists(), "the package is produced all the same");
        assert!(stderr.contains(&format!("error: {} {}: queued, not sent", due.0, due.1)), "{stderr}");
        assert_eq!(work.events(due.0, due.1), ["produced", "sending", "queued"]);
    }
    // The server is back: the next day's run delivers what was queued, and produces nothing new.
    let server = SmtpServer::start();
    work.deliver_to(&server.url());
    let output = work.renewals("2026-11-23", &["--send"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(server.received().len(), 3);
    assert!(!text(&output.stdout).contains("wrote "), "nothing produced again");
}

#[test]
fn a_refusal_is_a_failure_with_the_servers_words_retried_only_on_request() {
    let server = SmtpServer::start();
    server.refuse_mail_with(Some("550 5.7.1 Relaying denied for renewals@northwind.example"));
    let work = Work::new(&server.url());
    let output = work.renewals("2026-11-22", &["--send"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("brightpath.health T-60: not delivered to james.carter@northwind.example"), "{stderr}");
    assert!(stderr.contains("Relaying denied"), "{stderr}");
    // Still owed: reported again (exit 1), not retried by itself.
    server.refuse_mail_with(None);
    let output = work.renewals("2026-11-23", &["--send"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("--resend-failed"), "{}", text(&output.stderr));
    assert!(server.received().is_empty());
    let output = work.renewals("2026-11-23", &["--send", "--resend-failed"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(server.received().len(), 3);
}

#[test]
fn a_run_killed_between_sending_and_recording_leaves_it_unconfirmed_resent_only_on_request() {
    let server = SmtpServer::start();
    server.stall_after_data(true);
    let work = Work::new(&server.url());
    let mut child =
        work.command("2026-11-22", &["--send"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    // The server has the first message but never confirms it: kill the run while it waits.
    let started = Instant::now();
    while server.received().is_empty() {
        assert!(started.elapsed() < Duration::from_secs(120), "no message arrived");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let first = server.received()[0].clone();
    let first_id = MessageParser::default().parse(&first.data).unwrap().message_id().unwrap().to_string();
    let stalled = DUE
        .into_iter()
        .find(|due| {
            let eml = fs::read(package(&work, *due, "eml")).unwrap_or_default();
            MessageParser::default().parse(&eml).and_then(|m| m.message_id().map(str::to_string))
                == Some(first_id.clone())
        })
        .expect("the stalled message is one of the packages");
    assert_eq!(work.events(stalled.0, stalled.1).last().map(String::as_str), Some("sending"));

    // The next run: the unconfirmed one is reported and not sent again; the rest are delivered.
    server.stall_after_data(false);
    let output = work.renewals("2026-11-22", &["--send"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("error: {} {}: unconfirmed", stalled.0, stalled.1)), "{stderr}");
    assert!(stderr.contains("--resend-unconfirmed"), "{stderr}");
    let received = server.received();
    assert_eq!(received.len(), 3, "the stalled one once, the two others once");
    let ids: Vec<String> = received
        .iter()
        .map(|r| MessageParser::default().parse(&r.data).unwrap().message_id().unwrap().to_string())
        .collect();
    assert_eq!(ids.iter().filter(|id| **id == first_id).count(), 1);

    // Asked to: sent again, with the same Message-ID, and confirmed.
    let output = work.renewals("2026-11-22", &["--send", "--resend-unconfirmed"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let received = server.received();
    assert_eq!(received.len(), 4);
    assert_eq!(MessageParser::default().parse(&received[3].data).unwrap().message_id(), Some(first_id.as_str()));
    assert_eq!(work.events(stalled.0, stalled.1).last().map(String::as_str), Some("sent"));
}

#[test]
fn send_needs_a_delivery_table_and_an_address_for_every_package() {
    let server = SmtpServer::start();
    let work = Work::new(&server.url());
    // No [delivery]: a configuration error, nothing produced.
    fs::write(work.dir.path().join("input/valuereport.toml"), "vendor_name = \"Northwind Analytics\"\n").unwrap();
    let output = work.renewals("2026-11-22", &["--send"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("[delivery]"), "{}", text(&output.stderr));
    assert!(!work.out().exists());

    // A customer without csm_email: its package is produced, but cannot be delivered (exit 1).
    work.deliver_to(&server.url());
    let account = work.dir.path().join("input/amer/brightpath-health/account.csv");
    let fixed = fs::read_to_string(&account).unwrap().replace("james.carter@northwind.example", "");
    fs::write(&account, fixed).unwrap();
    let output = work.renewals("2026-11-22", &["--send"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(package(&work, DUE[1], "pdf").exists());
    assert!(!package(&work, DUE[1], "eml").exists());
    assert!(stderr.contains("brightpath.health T-60: not delivered: no cover message to send"), "{stderr}");
    assert_eq!(server.received().len(), 2, "the other two are sent");
}
