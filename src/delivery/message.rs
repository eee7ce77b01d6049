//! The cover message of a renewal package: an RFC 5322 e-mail to the CSM, written beside the PDF as
//! `<same name>.eml` and sent as those very bytes by `renewals --send`.
//!
//! It tells the CSM what the package is for, its headline figures and the recommended next step,
//! and carries a ready-to-send note to the customer in the customer's language; the PDF is
//! attached. Deterministic: the Message-ID comes from the customer, the renewal, the touchpoint and
//! the input fingerprint, the Date from the as-of date, and the MIME boundaries from the
//! Message-ID, so the same inputs give the same bytes.

use std::time::{Duration, SystemTime};

use chrono::NaiveDate;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::Message;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use tera::Context;

use crate::batch::plan::Package;
use crate::content::catalog::{CatalogError, Catalogs};
use crate::content::format::Numbers;
use crate::model::{Customer, Locale, Settings};
use crate::value::{GoalStatus, ValueSummary};

/// Everything a cover message is made from.
pub struct CoverRequest<'a> {
    pub customer: &'a Customer,
    pub summary: &'a ValueSummary,
    pub touchpoint: Package,
    /// The renewal date the package is for (stated in the message).
    pub renewal_date: NaiveDate,
    /// What identifies the renewal across date corrections (part of the Message-ID).
    pub renewal_key: &'a str,
    pub as_of: NaiveDate,
    /// The package's input fingerprint (part of the Message-ID: new inputs, new message).
    pub fingerprint: &'a str,
    /// The PDF's file name, as attached.
    pub pdf_name: &'a str,
    pub pdf: &'a [u8],
    pub catalogs: &'a Catalogs,
    pub settings: &'a Settings,
}

/// A cover message, ready to write or send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverMessage {
    /// Without angle brackets.
    pub message_id: String,
    pub from: Mailbox,
    pub to: Mailbox,
    pub subject: String,
    /// The whole message (headers and MIME body), CRLF line ends.
    pub bytes: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum CoverError {
    #[error("{customer_id}: account.csv has no csm_email, so no cover message can be addressed; add the CSM's e-mail address")]
    NoRecipient { customer_id: String },
    #[error("{customer_id}: csm_email {email:?} in account.csv is not an e-mail address ({reason})")]
    BadRecipient { customer_id: String, email: String, reason: String },
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error("{customer_id}: the cover message cannot be built: {reason}")]
    Build { customer_id: String, reason: String },
}

/// Builds a package's cover message.
pub fn cover_message(request: &CoverRequest) -> Result<CoverMessage, CoverError> {
    let account = &request.customer.account;
    let customer_id = account.customer_id.clone();
    let email = account.csm_email.as_deref().map(str::trim).filter(|e| !e.is_empty());
    let Some(email) = email else { return Err(CoverError::NoRecipient { customer_id }) };
    let address: lettre::Address = email.parse().map_err(|e: lettre::address::AddressError| {
        CoverError::BadRecipient { customer_id: customer_id.clone(), email: email.to_string(), reason: e.to_string() }
    })?;
    let to = Mailbox::new(account.csm_name.clone(), address.clone());
    // Without a [delivery] table the message is the CSM's own note: from the vendor, at their address.
    let from = match &request.settings.delivery {
        Some(delivery) => delivery.from.clone(),
        None => Mailbox::new(Some(request.settings.vendor_name.clone()), address),
    };
    let message_id = message_id(request, &from);
    let cover_locale = request.settings.delivery.as_ref().map_or(Locale::En, |d| d.cover_locale);
    let text = Texts::new(request, cover_locale)?;
    let boundary = |part: &str| format!("=_{part}_{}", &message_id[..24]);
    let date = SystemTime::UNIX_EPOCH
        + Duration::from_secs(request.as_of.and_hms_opt(0, 0, 0).map_or(0, |t| t.and_utc().timestamp()).max(0) as u64);
    let pdf_type = ContentType::parse("application/pdf").expect("a valid MIME type");
    let build_error =
        |e: &dyn std::fmt::Display| CoverError::Build { customer_id: customer_id.clone(), reason: e.to_string() };
    let message = Message::builder()
        .from(from.clone())
        .to(to.clone())
        .subject(text.subject.clone())
        .message_id(Some(format!("<{message_id}>")))
        .date(date)
        .multipart(
            MultiPart::mixed()
                .boundary(boundary("mixed"))
                .multipart(
                    MultiPart::alternative()
                        .boundary(boundary("alt"))
                        .singlepart(SinglePart::plain(text.plain.clone()))
                        .singlepart(SinglePart::html(text.html.clone())),
                )
                .singlepart(Attachment::new(request.pdf_name.to_string()).body(request.pdf.to_vec(), pdf_type)),
        )
        .map_err(|e| build_error(&e))?;
    Ok(CoverMessage { message_id, from, to, subject: text.subject, bytes: message.formatted() })
}

/// `<32 hex digits>@<sender's domain>`: the same customer, renewal, touchpoint and inputs always
/// give the same Message-ID, so a resent message is recognisably the same message.
fn message_id(request: &CoverRequest, from: &Mailbox) -> String {
    let mut hash = Sha256::new();
    for part in [
        request.customer.account.customer_id.as_str(),
        request.renewal_key,
        request.touchpoint.label(),
        request.fingerprint,
    ] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    let digest: String = hash.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("{digest}@{}", from.email.domain())
}

/// The message's text in its two forms.
struct Texts {
    subject: String,
    plain: String,
    html: String,
}

impl Texts {
    fn new(request: &CoverRequest, cover_locale: Locale) -> Result<Texts, CatalogError> {
        let account = &request.customer.account;
        let summary = request.summary;
        let ttm = &summary.ttm;
        // The CSM's words in the cover locale; the customer's note in the customer's language.
        let (csm, customer) = (request.catalogs.get(cover_locale), request.catalogs.get(account.locale));
        let touchpoint_key =
            |prefix: &str| format!("{prefix}_{}", request.touchpoint.label().replace('-', "").to_lowercase());
        let figures_in = |locale: Locale| {
            // The customer's region (es-MX) applies to figures in the customer's language.
            let region = if locale == account.locale { account.region } else { None };
            let n = Numbers::for_tag(crate::locale::LocaleTag { language: locale, region }, account.currency);
            let catalog = request.catalogs.get(locale);
            let q = |quarter: crate::quarter::Quarter| {
                let mut c = Context::new();
                c.insert("year", &quarter.year());
                c.insert("q", &quarter.number());
                catalog.text("document.quarter", &c)
            };
            let (first, last) = (q(ttm.first_quarter)?, q(summary.report_quarter)?);
            // The catalogs' range mark: 〜 in Japanese, an en dash elsewhere.
            let dash = if locale == Locale::Ja { "〜" } else { "–" };
            let period = if first == last { last } else { format!("{first}{dash}{last}") };
            let mut c = Context::new();
            c.insert("customer", &account.customer_name);
            c.insert("renewal_date", &n.date(request.renewal_date));
            c.insert("period", &period);
            c.insert("value", &n.money(ttm.value));
            c.insert("roi", &n.percent(ttm.roi_exact()));
            c.insert("net_roi", &n.percent(ttm.net_roi_exact()));
            c.insert("investment", &n.money(ttm.investment));
            c.insert("share", &n.money(ttm.investment_share));
            c.insert("quarters", &ttm.quarters);
            c.insert("payback", &ttm.payback_exact().map(|m| n.measure(m)).unwrap_or_default());
            let expected: Decimal = summary.projection.iter().map(|p| p.expected).sum();
            let conservative: Decimal = summary.projection.iter().map(|p| p.conservative).sum();
            c.insert("expected", &n.money_whole(expected));
            c.insert("conservative", &n.money_whole(conservative));
            c.insert("count", &summary.opportunities.count);
            c.insert("weighted", &n.money(summary.opportunities.weighted_annual_value));
            c.insert("as_of", &n.date(request.as_of));
            Ok::<Context, CatalogError>(c)
        };
        let mut c = figures_in(cover_locale)?;
        let touchpoint = csm.text(&touchpoint_key("cover.touchpoint"), &Context::new())?;
        let sponsor_name =
            account.executive_sponsor.as_deref().map(|s| s.split(',').next().unwrap_or(s).trim().to_string());
        c.insert("touchpoint", &touchpoint);
        c.insert("csm", &account.csm_name.clone().unwrap_or_default());
        c.insert("file", request.pdf_name);
        c.insert("days", &(request.renewal_date - request.as_of).num_days());
        c.insert("sponsor", &sponsor_name.clone().unwrap_or_else(|| account.customer_name.clone()));
        c.insert("language", &customer.text("cover.language_name", &Context::new())?);
        let attention: Vec<&str> = request
            .customer
            .goals
            .iter()
            .zip(&summary.goals)
            .filter(|(_, g)| g.status.needs_attention())
            .map(|(goal, _)| goal.title.as_str())
            .collect();
        let regressed: Vec<&str> = request
            .customer
            .goals
            .iter()
            .zip(&summary.goals)
            .filter(|(_, g)| g.status == GoalStatus::Regressed)
            .map(|(goal, _)| goal.title.as_str())
            .collect();
        let losing =
            summary.quarters.last().is_some_and(|q| q.quarter == summary.report_quarter && q.total < Decimal::ZERO);
        let t = |key: &str, context: &Context| csm.text(key, context);

        let subject = t("cover.subject", &c)?;
        let mut figures = vec![
            t("cover.figure_value", &c)?,
            t("cover.figure_roi", &c)?,
            t("cover.figure_payback", &c)?,
            t("cover.figure_projection", &c)?,
            t("cover.figure_opportunities", &c)?,
        ];
        if !attention.is_empty() {
            let mut with = c.clone();
            with.insert("titles", &attention.join("; "));
            figures.push(t("cover.figure_attention", &with)?);
        }
        let mut next_steps = Vec::new();
        if losing && !regressed.is_empty() {
            let mut with = c.clone();
            with.insert("titles", &regressed.join("; "));
            next_steps.push(t("cover.next_step_recovery", &with)?);
        }
        next_steps.push(t(&touchpoint_key("cover.next_step"), &c)?);

        let mut note_context = figures_in(account.locale)?;
        note_context.insert("name", &sponsor_name.unwrap_or_default());
        let note = [
            customer.text("cover.note_greeting", &note_context)?,
            customer.text(&touchpoint_key("cover.note"), &note_context)?,
            format!(
                "{}\n{}",
                customer.text("cover.note_closing", &note_context)?,
                account.csm_name.clone().unwrap_or_default()
            ),
        ];
        let parts = Parts {
            greeting: t("cover.greeting", &c)?,
            intro: t("cover.intro", &c)?,
            purpose: t(&touchpoint_key("cover.purpose"), &c)?,
            figures_heading: t("cover.figures_heading", &c)?,
            figures,
            next_step_heading: t("cover.next_step_heading", &c)?,
            next_steps,
            note_heading: t("cover.note_heading", &c)?,
            note: note.to_vec(),
            footer: t("cover.footer", &c)?,
            title: t("cover.html_title", &c)?,
        };
        Ok(Texts { subject, plain: parts.plain(), html: parts.html(account.locale) })
    }
}

struct Parts {
    greeting: String,
    intro: String,
    purpose: String,
    figures_heading: String,
    figures: Vec<String>,
    next_step_heading: String,
    next_steps: Vec<String>,
    note_heading: String,
    /// Paragraphs of the note to the customer.
    note: Vec<String>,
    footer: String,
    title: String,
}

impl Parts {
    fn plain(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!("{}\n\n{}\n\n{}\n\n", self.greeting, self.intro, self.purpose));
        out.push_str(&format!("{}\n", self.figures_heading));
        for figure in &self.figures {
            out.push_str(&format!("- {figure}\n"));
        }
        out.push_str(&format!("\n{}\n", self.next_step_heading));
        for step in &self.next_steps {
            out.push_str(&format!("- {step}\n"));
        }
        out.push_str(&format!("\n{}\n\n", self.note_heading));
        let rule = "-".repeat(60);
        out.push_str(&format!("{rule}\n{}\n{rule}\n\n", self.note.join("\n\n")));
        out.push_str(&format!("{}\n", self.footer));
        out
    }

    fn html(&self, note_locale: Locale) -> String {
        let p = |text: &str| format!("<p>{}</p>\n", escape(text).replace('\n', "<br>\n"));
        let list = |items: &[String]| {
            let items: String = items.iter().map(|i| format!("  <li>{}</li>\n", escape(i))).collect();
            format!("<ul>\n{items}</ul>\n")
        };
        let mut out = format!(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title></head>\n<body style=\"font-family: sans-serif; line-height: 1.45; max-width: 40em\">\n",
            escape(&self.title)
        );
        out.push_str(&p(&self.greeting));
        out.push_str(&p(&self.intro));
        out.push_str(&p(&self.purpose));
        out.push_str(&format!("<h3>{}</h3>\n", escape(&self.figures_heading)));
        out.push_str(&list(&self.figures));
        out.push_str(&format!("<h3>{}</h3>\n", escape(&self.next_step_heading)));
        out.push_str(&list(&self.next_steps));
        out.push_str(&format!("<h3>{}</h3>\n", escape(&self.note_heading)));
        out.push_str(&format!(
            "<blockquote lang=\"{}\" style=\"border-left: 3px solid #999; margin-left: 0; padding-left: 1em\">\n",
            note_locale.as_str()
        ));
        for paragraph in &self.note {
            out.push_str(&p(paragraph));
        }
        out.push_str("</blockquote>\n");
        out.push_str(&format!("<p style=\"color: #666; font-size: small\">{}</p>\n", escape(&self.footer)));
        out.push_str("</body></html>\n");
        out
    }
}

/// Customer text in HTML: every markup character escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_in_customer_text() {
        assert_eq!(escape("<b>Tom & \"Jerry\"</b>"), "&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;");
    }
}
