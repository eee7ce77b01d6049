//! Cover messages of renewal packages, read back as a mail client would, and their delivery to a
//! real SMTP server on loopback (started by the test; see tests/support/smtp.rs).

mod support;

use std::path::Path;

use chrono::NaiveDate;
use mail_parser::{MessageParser, MimeHeaders};
use valuereport::batch::plan::Package;
use valuereport::content::catalog::Catalogs;
use valuereport::delivery::{cover_message, CoverError, CoverMessage, CoverRequest, Mailer, SendError};
use valuereport::load::load_customer;
use valuereport::model::{Customer, Settings};
use valuereport::quarter::Quarter;
use valuereport::value::compute;

use support::smtp::SmtpServer;

fn sample(folder: &str) -> Customer {
    load_customer(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data").join(folder)).unwrap()
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

const PDF: &[u8] = b"%PDF-1.7\n% a stand-in for the package's PDF\n%%EOF\n";

fn settings_with(delivery: Option<&str>) -> Settings {
    let text = format!("vendor_name = \"Northwind Analytics\"\n{}", delivery.unwrap_or(""));
    toml::from_str(&text).unwrap()
}

fn cover(customer: &Customer, touchpoint: Package, renewal: &str, as_of: &str, settings: &Settings) -> CoverMessage {
    let catalogs = Catalogs::built_in();
    let as_of = date(as_of);
    let summary = compute(customer, Quarter::last_ended_on_or_before(as_of)).unwrap();
    let name = format!("{0}-renewal-{renewal}-{touchpoint}.pdf", customer.account.customer_id);
    cover_message(&CoverRequest {
        customer,
        summary: &summary,
        touchpoint,
        renewal_date: date(renewal),
        renewal_key: renewal,
        as_of,
        fingerprint: "fingerprint-1",
        pdf_name: &name,
        pdf: PDF,
        catalogs: &catalogs,
        settings,
    })
    .unwrap()
}

#[test]
fn the_cover_message_reads_as_a_csm_would_read_it() {
    let brightpath = sample("amer/brightpath-health");
    let message = cover(&brightpath, Package::T60, "2027-01-06", "2026-11-22", &settings_with(None));
    let parsed = MessageParser::default().parse(&message.bytes).unwrap();
    assert_eq!(parsed.subject(), Some("BrightPath Health Partners: full ROI report for the renewal on Jan 6, 2027"));
    let to = parsed.to().unwrap().first().unwrap();
    assert_eq!((to.name(), to.address()), (Some("James Carter"), Some("james.carter@northwind.example")));
    // Without [delivery] the message is from the vendor, at the CSM's own address.
    let from = parsed.from().unwrap().first().unwrap();
    assert_eq!((from.name(), from.address()), (Some("Northwind Analytics"), Some("james.carter@northwind.example")));
    assert_eq!(parsed.message_id(), Some(message.message_id.as_str()));
    assert!(message.message_id.ends_with("@northwind.example"));
    assert_eq!(parsed.date().unwrap().to_rfc3339(), "2026-11-22T00:00:00Z", "the Date is the as-of day");

    let text = parsed.body_text(0).unwrap().replace("\r\n", "\n");
    for expected in [
        "Hello James Carter,",
        "The full ROI report for BrightPath Health Partners is attached (brightpath.health-renewal-2027-01-06-T-60.pdf). Their contract renews on Jan 6, 2027, in 45 days.",
        "What it is for: the business case for renewing.",
        "- Value delivered, Q4 2025–Q3 2026: $69,365.20",
        "- ROI: 77.1% on the $90,000.00 annual investment (net -22.9%)",
        "- Payback: 15.57 months",
        "- Next four quarters: $25,590 expected, $871 in the conservative case",
        "- Open opportunities: 2, $57,900.00 a year confidence-weighted",
        "- Needs attention:",
        "Recommended next step",
        "Walk Alicia Moreno and their finance lead through the ROI report",
        "A note you can send to the customer (in English), with the PDF attached:",
        "Dear Alicia Moreno,",
        "Best regards,\nJames Carter",
    ] {
        assert!(text.contains(expected), "{expected:?} not in the plain-text body:\n{text}");
    }
    let html = parsed.body_html(0).unwrap();
    assert!(html.contains("<li>Payback: 15.57 months</li>"), "{html}");
    assert!(html.contains("<blockquote lang=\"en\""), "{html}");

    assert_eq!(parsed.attachment_count(), 1);
    let pdf = parsed.attachments().next().unwrap();
    assert_eq!(pdf.attachment_name(), Some("brightpath.health-renewal-2027-01-06-T-60.pdf"));
    let content_type = pdf.content_type().unwrap();
    assert_eq!((content_type.ctype(), content_type.subtype()), ("application", Some("pdf")));
    assert_eq!(pdf.contents(), PDF, "the attachment is the PDF, byte for byte");
}

#[test]
fn the_note_to_the_customer_is_in_the_customers_language_and_the_message_is_deterministic() {
    let sakura = sample("apac/sakura-seimitsu");
    let settings = settings_with(None);
    let message = cover(&sakura, Package::T90, "2027-02-05", "2026-11-22", &settings);
    let parsed = MessageParser::default().parse(&message.bytes).unwrap();
    let text = parsed.body_text(0).unwrap().replace("\r\n", "\n");
    assert!(text.contains("A note you can send to the customer (in 日本語)"), "{text}");
    assert!(text.contains("2027/02/05の契約更新を前に"), "{text}");
    assert!(text.contains("よろしくお願いいたします。"), "{text}");
    assert!(parsed.body_html(0).unwrap().contains("<blockquote lang=\"ja\""));
    // The same inputs give the same bytes; another touchpoint or input is another message.
    let again = cover(&sakura, Package::T90, "2027-02-05", "2026-11-22", &settings);
    assert_eq!(message.bytes, again.bytes);
    let t60 = cover(&sakura, Package::T60, "2027-02-05", "2026-12-10", &settings);
    assert_ne!(message.message_id, t60.message_id);
    // No internal jargon reaches the customer's note.
    let note = text.split("-".repeat(60).as_str()).nth(1).unwrap();
    for jargon in ["T-90", "T-60", "T-30", "package", "パッケージ"] {
        assert!(!note.contains(jargon), "{jargon} in the note: {note}");
    }
}

#[test]
fn the_cover_locale_sets_the_csms_language() {
    let din = sample("emea/distribuciones-ibericas");
    let settings = settings_with(Some(
        "[delivery]\nsmtp_url = \"smtp://127.0.0.1:1\"\nfrom = \"Northwind <renewals@northwind.example>\"\ncover_locale = \"es\"\n",
    ));
    let message = cover(&din, Package::T30, "2026-12-20", "2026-11-22", &settings);
    let parsed = MessageParser::default().parse(&message.bytes).unwrap();
    assert!(parsed.subject().unwrap().contains("actualización antes de la renovación"), "{:?}", parsed.subject());
    assert_eq!(parsed.from().unwrap().first().unwrap().address(), Some("renewals@northwind.example"));
    assert!(message.message_id.ends_with("@northwind.example"));
}

#[test]
fn a_customer_without_csm_email_gets_no_cover_message_and_says_why() {
    let mut customer = sample("amer/acme-logistics");
    customer.account.csm_email = None;
    let catalogs = Catalogs::built_in();
    let summary = compute(&customer, "2026-Q3".parse().unwrap()).unwrap();
    let settings = settings_with(None);
    let result = cover_message(&CoverRequest {
        customer: &customer,
        summary: &summary,
        touchpoint: Package::T90,
        renewal_date: date("2027-03-31"),
        renewal_key: "2027-03-31",
        as_of: date("2026-12-31"),
        fingerprint: "f",
        pdf_name: "x.pdf",
        pdf: PDF,
        catalogs: &catalogs,
        settings: &settings,
    });
    match result {
        Err(e @ CoverError::NoRecipient { .. }) => assert!(e.to_string().contains("csm_email"), "{e}"),
        other => panic!("{other:?}"),
    }
}

fn delivery_settings(url: &str) -> Settings {
    settings_with(Some(&format!(
        "[delivery]\nsmtp_url = \"{url}\"\nfrom = \"Northwind Analytics <renewals@northwind.example>\"\nbcc = [\"cs-archive@northwind.example\"]\n"
    )))
}

#[test]
fn a_message_sent_to_a_real_smtp_server_arrives_whole_with_its_attachment() {
    let server = SmtpServer::start();
    let settings = delivery_settings(&server.url());
    let brightpath = sample("amer/brightpath-health");
    let message = cover(&brightpath, Package::T60, "2027-01-06", "2026-11-22", &settings);
    let mailer = Mailer::new(settings.delivery.as_ref().unwrap()).unwrap();
    let accepted = mailer.send(&message).unwrap();
    assert!(accepted.reply.starts_with("250") && accepted.reply.contains("queued as TEST1"), "{}", accepted.reply);
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].from, "renewals@northwind.example");
    assert_eq!(received[0].to, ["james.carter@northwind.example", "cs-archive@northwind.example"]);
    // The .eml's bytes exactly (lettre ends DATA with an empty line before the final ".").
    let data = &received[0].data;
    assert!(data == &message.bytes || *data == [&message.bytes[..], b"\r\n"].concat(), "the server got other bytes");
    let parsed = MessageParser::default().parse(&received[0].data).unwrap();
    assert!(parsed.header_raw("Bcc").is_none(), "Bcc is in the envelope only");
    assert_eq!(parsed.attachments().next().unwrap().contents(), PDF);
}

#[test]
fn failures_are_transient_or_permanent_with_the_servers_words() {
    let server = SmtpServer::start();
    let settings = delivery_settings(&server.url());
    let acme = sample("amer/acme-logistics");
    let message = cover(&acme, Package::T90, "2027-03-31", "2026-12-31", &settings);
    let mailer = Mailer::new(settings.delivery.as_ref().unwrap()).unwrap();

    server.refuse_mail_with(Some("451 4.3.0 Mailbox temporarily unavailable"));
    match mailer.send(&message) {
        Err(SendError::Transient(reason)) => assert!(reason.contains("temporarily unavailable"), "{reason}"),
        other => panic!("451 must be transient: {other:?}"),
    }
    server.refuse_mail_with(Some("550 5.7.1 Relaying denied for renewals@northwind.example"));
    match mailer.send(&message) {
        Err(SendError::Permanent(reason)) => assert!(reason.contains("Relaying denied"), "{reason}"),
        other => panic!("550 must be permanent: {other:?}"),
    }
    assert!(server.received().is_empty());
    server.refuse_mail_with(None);
    assert!(mailer.send(&message).is_ok());
    assert_eq!(server.received().len(), 1);

    // Nobody listening: transient, the package waits for the next run.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let down = delivery_settings(&format!("smtp://127.0.0.1:{port}"));
    let mailer = Mailer::new(down.delivery.as_ref().unwrap()).unwrap();
    assert!(matches!(mailer.send(&message), Err(SendError::Transient(_))));
}

#[test]
fn a_password_comes_from_the_environment_only() {
    let settings = settings_with(Some(
        "[delivery]\nsmtp_url = \"smtp://127.0.0.1:2525\"\nfrom = \"a@b.example\"\nusername = \"u\"\npassword_env = \"VALUEREPORT_TEST_SMTP_PASSWORD_UNSET\"\n",
    ));
    let error = Mailer::new(settings.delivery.as_ref().unwrap()).err().unwrap();
    assert!(error.to_string().contains("VALUEREPORT_TEST_SMTP_PASSWORD_UNSET"), "{error}");
    let in_file = toml::from_str::<Settings>(
        "[delivery]\nsmtp_url = \"smtp://127.0.0.1:2525\"\nfrom = \"a@b.example\"\npassword = \"hunter2\"\n",
    );
    let error = in_file.unwrap_err().to_string();
    assert!(error.contains("password_env") && !error.contains("hunter2"), "{error}");
}
