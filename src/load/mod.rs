//! Load: the CSV input contract (`docs/input-format.md`) and its errors.
//!
//! A customer folder is read into a validated [`Customer`](crate::model::Customer), or into the list
//! of every problem found, each with file, line, column, value and what was expected.

mod customer;
mod error;
mod number;
mod table;

use std::path::Path;

pub use customer::{
    is_valid_customer_id, load_account, load_customer, ACCOUNT_FILE, GOALS_FILE, METRICS_FILE, OPPORTUNITIES_FILE,
    STORIES_FILE,
};
pub use error::{InputError, Problem};
pub use number::{parse_decimal, NumberFormat};
pub use table::{parse_iso_date, Dialect, Table};

use crate::model::Settings;

/// Name of the optional run-wide settings file at the INPUT root.
pub const SETTINGS_FILE: &str = "valuereport.toml";

/// Reads `valuereport.toml` from `root` if it exists; defaults otherwise. Unknown keys are errors.
pub fn load_settings(root: &Path) -> Result<Settings, InputError> {
    let path = root.join(SETTINGS_FILE);
    let text = match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| InputError::new(&path, Problem::NotUtf8))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Settings::default()),
        Err(e) => return Err(InputError::new(&path, Problem::Unreadable(e.to_string()))),
    };
    let settings: Settings = toml::from_str(&text).map_err(|e| {
        let line = e.span().map(|span| 1 + text[..span.start].matches('\n').count() as u64);
        let error = InputError::new(&path, Problem::Settings(e.message().trim().to_string()));
        match line {
            Some(line) => error.at_line(line),
            None => error,
        }
    })?;
    if !is_hex_colour(&settings.brand_color) {
        let problem = Problem::Settings(format!(
            "brand_color {:?} is not a colour; expected #RRGGBB, e.g. \"#1F4E79\"",
            settings.brand_color
        ));
        return Err(InputError::new(&path, problem));
    }
    Ok(settings)
}

fn is_hex_colour(text: &str) -> bool {
    text.len() == 7 && text.starts_with('#') && text[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_default_when_absent_and_reject_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load_settings(dir.path()).unwrap(), Settings::default());

        std::fs::write(dir.path().join(SETTINGS_FILE), "vendor_name = \"Northwind\"\n").unwrap();
        assert_eq!(load_settings(dir.path()).unwrap().vendor_name, "Northwind");

        std::fs::write(dir.path().join(SETTINGS_FILE), "vendor_name = \"N\"\nbrand_colour = \"#000000\"\n").unwrap();
        let error = load_settings(dir.path()).unwrap_err();
        assert_eq!(error.line, Some(2));
        assert!(error.to_string().contains("unknown field `brand_colour`"), "{error}");

        std::fs::write(dir.path().join(SETTINGS_FILE), "brand_color = \"blue\"\n").unwrap();
        assert!(load_settings(dir.path()).unwrap_err().to_string().contains("#RRGGBB"));
    }
}
