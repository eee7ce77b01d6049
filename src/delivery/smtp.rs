//! Sending a cover message over SMTP (lettre), and telling a failure worth retrying from a final one.

use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{SmtpTransport, Transport};

use super::message::CoverMessage;
use super::DeliverySettings;

/// How long one SMTP exchange may take before the message is left queued for the next run.
const TIMEOUT: Duration = Duration::from_secs(60);

/// A configuration problem: nothing can be sent (a usage or configuration error at the edge).
#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    #[error("[delivery] password_env names {name}, but that environment variable is not set (or not UTF-8); export it before running")]
    MissingPassword { name: String },
    #[error("[delivery] smtp_url: cannot set up TLS for {host}: {reason}")]
    Tls { host: String, reason: String },
}

/// Why a message was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth trying again later: the server was unreachable, timed out, or answered 4xx.
    #[error("not sent, will retry on the next run: {0}")]
    Transient(String),
    /// The server refused the message (5xx): retrying the same message would fail the same way.
    #[error("refused by the mail server: {0}")]
    Permanent(String),
}

/// The server's answer to an accepted message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// e.g. `250 2.0.0 Ok: queued as 4F2A1`.
    pub reply: String,
}

/// An SMTP connection setup, made once per run.
pub struct Mailer {
    transport: SmtpTransport,
    settings: DeliverySettings,
}

impl Mailer {
    pub fn new(settings: &DeliverySettings) -> Result<Mailer, MailerError> {
        let url = &settings.smtp;
        let tls_error =
            |e: lettre::transport::smtp::Error| MailerError::Tls { host: url.host.clone(), reason: e.to_string() };
        let parameters = TlsParameters::new(url.host.clone()).map_err(tls_error)?;
        let tls = if url.implicit_tls { Tls::Wrapper(parameters) } else { Tls::Opportunistic(parameters) };
        let mut builder = SmtpTransport::builder_dangerous(url.host.clone())
            .port(url.port)
            .tls(tls)
            .timeout(Some(TIMEOUT))
            // A fixed EHLO name: the machine's host name says nothing useful and varies by pod.
            .hello_name(ClientId::Domain(settings.from.email.domain().to_string()));
        if let (Some(user), Some(name)) = (&settings.username, &settings.password_env) {
            let password = std::env::var(name).map_err(|_| MailerError::MissingPassword { name: name.clone() })?;
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        Ok(Mailer { transport: builder.build(), settings: settings.clone() })
    }

    /// Sends exactly `message.bytes` (the `.eml` on disk) to its recipient and the configured Bcc.
    pub fn send(&self, message: &CoverMessage) -> Result<Accepted, SendError> {
        self.send_bytes(&message.to.email, &message.bytes)
    }

    /// Sends a message's bytes as they are to `to` and the configured Bcc.
    pub fn send_bytes(&self, to: &lettre::Address, bytes: &[u8]) -> Result<Accepted, SendError> {
        let mut recipients = vec![to.clone()];
        recipients.extend(self.settings.bcc.iter().map(|b| b.email.clone()));
        let envelope = Envelope::new(Some(self.settings.from.email.clone()), recipients)
            .map_err(|e| SendError::Permanent(e.to_string()))?;
        match self.transport.send_raw(&envelope, bytes) {
            Ok(response) => {
                let text: Vec<&str> = response.message().collect();
                Ok(Accepted { reply: format!("{} {}", response.code(), text.join(" ")).trim().to_string() })
            }
            Err(e) if e.is_permanent() => Err(SendError::Permanent(describe(&e))),
            // 4xx, connection refused, timeouts, TLS handshakes that failed midway: try again later.
            Err(e) => Err(SendError::Transient(describe(&e))),
        }
    }
}

/// The error with its causes, which lettre keeps in its source chain.
fn describe(error: &lettre::transport::smtp::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
