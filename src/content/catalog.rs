//! The message catalog: every fixed text of the report, as Tera templates loaded from
//! `templates/<locale>.toml` (built in, or from `--templates DIR`).

use std::path::{Path, PathBuf};

use tera::{Context, Tera};

const BUILT_IN_EN: &str = include_str!("../../templates/en.toml");

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("{}: cannot read the templates: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{origin}: not a valid template catalog: {message}")]
    Syntax { origin: String, message: String },
    #[error("{origin}: template {key:?} is missing")]
    MissingKey { origin: String, key: String },
    #[error("{origin}: template {key:?} cannot be rendered: {message}")]
    Render { origin: String, key: String, message: String },
}

/// Compiled templates of one language.
pub struct Catalog {
    tera: Tera,
    origin: String,
}

impl Catalog {
    /// The English catalog compiled into the binary.
    pub fn built_in() -> Catalog {
        Catalog::parse(BUILT_IN_EN, "built-in templates/en.toml").expect("the built-in catalog is valid")
    }

    /// The text of the built-in catalog (for fingerprints).
    pub fn built_in_source() -> &'static str {
        BUILT_IN_EN
    }

    /// `DIR/en.toml`.
    pub fn from_dir(dir: &Path) -> Result<Catalog, CatalogError> {
        let path = dir.join("en.toml");
        let text =
            std::fs::read_to_string(&path).map_err(|source| CatalogError::Read { path: path.clone(), source })?;
        let catalog = Catalog::parse(&text, &path.display().to_string())?;
        // A custom catalog must provide every key the report uses.
        let reference = Catalog::built_in();
        for key in reference.tera.get_template_names() {
            if !catalog.tera.templates.contains_key(key) {
                return Err(CatalogError::MissingKey { origin: catalog.origin, key: key.to_string() });
            }
        }
        Ok(catalog)
    }

    fn parse(text: &str, origin: &str) -> Result<Catalog, CatalogError> {
        let syntax = |message: String| CatalogError::Syntax { origin: origin.to_string(), message };
        let table: toml::Table = toml::from_str(text).map_err(|e| syntax(e.to_string()))?;
        let mut templates = Vec::new();
        for (group, entries) in &table {
            let entries = entries.as_table().ok_or_else(|| syntax(format!("[{group}] must be a table of texts")))?;
            for (key, value) in entries {
                let text = value.as_str().ok_or_else(|| syntax(format!("{group}.{key} must be a string")))?;
                templates.push((format!("{group}.{key}"), text.to_string()));
            }
        }
        let mut tera = Tera::default();
        tera.autoescape_on(vec![]);
        tera.add_raw_templates(templates).map_err(|e| syntax(error_chain(&e)))?;
        Ok(Catalog { tera, origin: origin.to_string() })
    }

    /// Renders `key` with `context`. Values in the context are data: they are never parsed as templates.
    pub fn text(&self, key: &str, context: &Context) -> Result<String, CatalogError> {
        if !self.tera.templates.contains_key(key) {
            return Err(CatalogError::MissingKey { origin: self.origin.clone(), key: key.to_string() });
        }
        self.tera.render(key, context).map_err(|e| CatalogError::Render {
            origin: self.origin.clone(),
            key: key.to_string(),
            message: error_chain(&e),
        })
    }
}

fn error_chain(error: &tera::Error) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        message.push_str(": ");
        message.push_str(&inner.to_string());
        source = inner.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_with_data_that_looks_like_template_syntax_printed_literally() {
        let catalog = Catalog::built_in();
        let mut context = Context::new();
        context.insert("customer", "{{ 1 + 1 }} {% if x %}Acme{% endif %}");
        context.insert("quarter", "2026-Q3");
        assert_eq!(
            catalog.text("document.full_title", &context).unwrap(),
            "Value report — {{ 1 + 1 }} {% if x %}Acme{% endif %} — 2026-Q3"
        );
    }

    #[test]
    fn missing_keys_and_bad_catalogs_are_errors() {
        let catalog = Catalog::built_in();
        assert!(matches!(catalog.text("no.such", &Context::new()), Err(CatalogError::MissingKey { .. })));
        assert!(Catalog::parse("[a]\nb = \"{{ unclosed\"\n", "t").is_err());
        assert!(Catalog::parse("a = 1\n", "t").is_err());

        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("en.toml"), "[document]\ntitle = \"Value\"\n").unwrap();
        let error = Catalog::from_dir(dir.path()).err().unwrap();
        assert!(matches!(error, CatalogError::MissingKey { .. }), "{error}");
        assert!(matches!(Catalog::from_dir(&dir.path().join("none")), Err(CatalogError::Read { .. })));
    }

    #[test]
    fn a_custom_catalog_with_every_key_is_used() {
        let dir = tempfile::tempdir().unwrap();
        let custom = BUILT_IN_EN.replace("title = \"Value report\"", "title = \"Customer value review\"");
        std::fs::write(dir.path().join("en.toml"), custom).unwrap();
        let catalog = Catalog::from_dir(dir.path()).unwrap();
        assert_eq!(catalog.text("document.title", &Context::new()).unwrap(), "Customer value review");
    }
}
