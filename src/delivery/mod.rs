//! Delivery of renewal packages: the cover message beside every package (an `.eml` for the CSM)
//! and, with `renewals --send`, its sending over SMTP.
//!
//! Sending is at most once and never silently lost: the run records a package as `sending`
//! before it talks to the server and `sent` (with the server's reply) after; a package found
//! `sending` after a crash is reported as unconfirmed and resent only on request, with the same
//! Message-ID (docs/operations.md, "Delivery").

pub mod message;
pub mod outbox;
pub mod settings;
pub mod smtp;

pub use message::{cover_message, CoverError, CoverMessage, CoverRequest};
pub use outbox::{cover_path, Delivery, DeliveryLine, Outbox, Resend};
pub use settings::{DeliverySettings, SmtpUrl};
pub use smtp::{Accepted, Mailer, MailerError, SendError};
