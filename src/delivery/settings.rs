//! `[delivery]` in valuereport.toml: where renewal packages are sent, and as whom.
//!
//! ```toml
//! [delivery]
//! smtp_url = "smtp://mail.example.com:587"   # STARTTLS when offered; smtps://host:465 for implicit TLS
//! from = "Northwind Analytics <renewals@northwind.example>"
//! username = "renewals@northwind.example"    # optional
//! password_env = "VALUEREPORT_SMTP_PASSWORD"  # the NAME of an environment variable, never the password
//! bcc = ["cs-archive@northwind.example"]      # optional
//! cover_locale = "en"                         # the CSM's language in cover messages (default en)
//! ```

use lettre::message::Mailbox;
use serde::Deserialize;

use crate::model::Locale;

/// How to reach the SMTP server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpUrl {
    /// `smtps://`: TLS from the first byte. `smtp://`: plain, upgraded with STARTTLS when offered.
    pub implicit_tls: bool,
    pub host: String,
    pub port: u16,
}

impl SmtpUrl {
    pub fn parse(text: &str) -> Result<SmtpUrl, String> {
        let expected = "expected smtp://HOST:PORT (STARTTLS when the server offers it) or smtps://HOST:PORT (implicit TLS), e.g. smtp://mail.example.com:587";
        let (implicit_tls, rest) = if let Some(rest) = text.strip_prefix("smtps://") {
            (true, rest)
        } else if let Some(rest) = text.strip_prefix("smtp://") {
            (false, rest)
        } else {
            return Err(format!("smtp_url {text:?} is not an SMTP address; {expected}"));
        };
        let rest = rest.trim_end_matches('/');
        if rest.contains(['/', '@', '?', '#']) || rest.is_empty() {
            return Err(format!("smtp_url {text:?}: only a host and a port are allowed; {expected}"));
        }
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, port)) if !host.ends_with(']') || host.starts_with('[') => {
                let port: u16 = port
                    .parse()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| format!("smtp_url {text:?}: port {port:?} is not a port number (1-65535)"))?;
                (host, port)
            }
            _ => (rest, if implicit_tls { 465 } else { 25 }),
        };
        if host.is_empty() {
            return Err(format!("smtp_url {text:?} has no host; {expected}"));
        }
        Ok(SmtpUrl { implicit_tls, host: host.trim_start_matches('[').trim_end_matches(']').to_string(), port })
    }
}

/// The validated `[delivery]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliverySettings {
    pub smtp: SmtpUrl,
    pub from: Mailbox,
    pub username: Option<String>,
    /// The name of the environment variable that holds the password.
    pub password_env: Option<String>,
    pub bcc: Vec<Mailbox>,
    /// The language of the parts of a cover message meant for the CSM.
    pub cover_locale: Locale,
}

/// `[delivery]` as written; validated into [`DeliverySettings`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDelivery {
    smtp_url: String,
    from: String,
    username: Option<String>,
    password_env: Option<String>,
    /// Refused: a password never sits in a settings file.
    password: Option<toml::Value>,
    #[serde(default)]
    bcc: Vec<String>,
    cover_locale: Option<String>,
}

impl RawDelivery {
    pub fn validate(self) -> Result<DeliverySettings, String> {
        if self.password.is_some() {
            return Err("[delivery] password: a password in valuereport.toml is refused; put it in an environment \
                        variable and give its name as password_env = \"VALUEREPORT_SMTP_PASSWORD\""
                .to_string());
        }
        let smtp = SmtpUrl::parse(self.smtp_url.trim()).map_err(|e| format!("[delivery] {e}"))?;
        let mailbox = |field: &str, text: &str| -> Result<Mailbox, String> {
            text.trim().parse().map_err(|e| {
                format!("[delivery] {field} {text:?} is not an e-mail address ({e}); expected e.g. \"Northwind Analytics <renewals@northwind.example>\"")
            })
        };
        let from = mailbox("from", &self.from)?;
        let bcc = self.bcc.iter().map(|b| mailbox("bcc", b)).collect::<Result<Vec<_>, _>>()?;
        if let Some(name) = &self.password_env {
            let valid = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !valid {
                return Err(format!(
                    "[delivery] password_env {name:?} is not an environment variable name; expected letters, digits and _, e.g. \"VALUEREPORT_SMTP_PASSWORD\""
                ));
            }
        }
        if self.password_env.is_some() && self.username.is_none() {
            return Err("[delivery] password_env is set but username is not: give the SMTP user name too".to_string());
        }
        let cover_locale = match &self.cover_locale {
            None => Locale::En,
            Some(text) => Locale::parse(text).ok_or_else(|| {
                format!(
                    "[delivery] cover_locale {text:?} is not a report language; expected one of {}",
                    Locale::keywords().join(", ")
                )
            })?,
        };
        Ok(DeliverySettings { smtp, from, username: self.username, password_env: self.password_env, bcc, cover_locale })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls() {
        assert_eq!(
            SmtpUrl::parse("smtp://mail.example.com:587"),
            Ok(SmtpUrl { implicit_tls: false, host: "mail.example.com".into(), port: 587 })
        );
        assert_eq!(
            SmtpUrl::parse("smtps://mail.example.com"),
            Ok(SmtpUrl { implicit_tls: true, host: "mail.example.com".into(), port: 465 })
        );
        assert_eq!(
            SmtpUrl::parse("smtp://127.0.0.1:2525/"),
            Ok(SmtpUrl { implicit_tls: false, host: "127.0.0.1".into(), port: 2525 })
        );
        assert_eq!(SmtpUrl::parse("smtp://[::1]:25").map(|u| u.host), Ok("::1".to_string()));
        for bad in
            ["http://x", "smtp://", "smtp://host:0", "smtp://host:99999", "smtp://user:pw@host:25", "mail.example.com"]
        {
            assert!(SmtpUrl::parse(bad).is_err(), "{bad}");
        }
    }

    fn raw(extra: &str) -> Result<DeliverySettings, String> {
        let text =
            format!("smtp_url = \"smtp://127.0.0.1:2525\"\nfrom = \"Northwind <cs@northwind.example>\"\n{extra}");
        toml::from_str::<RawDelivery>(&text).map_err(|e| e.to_string())?.validate()
    }

    #[test]
    fn a_password_in_the_file_is_refused_and_the_variable_name_is_checked() {
        let error = raw("password = \"hunter2\"").unwrap_err();
        assert!(error.contains("password_env"), "{error}");
        assert!(!error.contains("hunter2"), "the password is never echoed: {error}");
        assert!(raw("username = \"u\"\npassword_env = \"MY PASSWORD\"").is_err());
        assert!(raw("password_env = \"PW\"").unwrap_err().contains("username"));
        let ok =
            raw("username = \"u\"\npassword_env = \"VALUEREPORT_SMTP_PASSWORD\"\nbcc = [\"a@b.example\"]").unwrap();
        assert_eq!(ok.bcc.len(), 1);
        assert_eq!(ok.cover_locale, Locale::En);
        assert!(raw("from2 = \"x\"").is_err(), "unknown keys are errors");
        assert!(raw("bcc = [\"not an address\"]").unwrap_err().contains("bcc"));
    }
}

/// Deserializes and validates `[delivery]` (serde `deserialize_with`), so its errors carry the
/// settings file's line like every other settings error.
pub fn deserialize<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<DeliverySettings>, D::Error> {
    let raw = Option::<RawDelivery>::deserialize(deserializer)?;
    raw.map(RawDelivery::validate).transpose().map_err(serde::de::Error::custom)
}
