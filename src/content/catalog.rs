//! The message catalog: every fixed text of the report, as Tera templates loaded from
//! `templates/<locale>.toml` (built in, or from `--templates DIR`).

use std::path::{Path, PathBuf};

use tera::{Context, Tera};

use crate::model::Locale;

const BUILT_IN_EN: &str = include_str!("../../templates/en.toml");

/// The catalogs compiled into the binary, one per report language.
const BUILT_IN: [(Locale, &str); 4] = [
    (Locale::En, BUILT_IN_EN),
    (Locale::Es, include_str!("../../templates/es.toml")),
    (Locale::Ms, include_str!("../../templates/ms.toml")),
    (Locale::Ja, include_str!("../../templates/ja.toml")),
];

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("{}: cannot read the templates: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{origin}: not a valid template catalog: {message}")]
    Syntax { origin: String, message: String },
    #[error("{origin}: template {key:?} is missing")]
    MissingKey { origin: String, key: String },
    #[error("{origin}: template {key:?} is not one the report uses (a typo?)")]
    UnknownKey { origin: String, key: String },
    #[error("{}: no catalog found; expected one or more of en.toml, es.toml, ms.toml, ja.toml", .0.display())]
    Empty(PathBuf),
    #[error("{origin}: template {key:?} cannot be rendered: {message}")]
    Render { origin: String, key: String, message: String },
}

/// One catalog per report language. The built-in ones are parsed when first used: compiling a
/// catalog's templates costs more than writing a report, and most runs use one or two languages.
pub struct Catalogs {
    by_locale: Vec<LocaleCatalog>,
    /// All catalog texts, for fingerprints: a wording change re-renders the reports.
    source: String,
}

struct LocaleCatalog {
    locale: Locale,
    /// The built-in text, parsed on first use when no catalog was given for this language.
    built_in: &'static str,
    catalog: std::sync::OnceLock<Catalog>,
}

impl LocaleCatalog {
    fn catalog(&self) -> &Catalog {
        self.catalog.get_or_init(|| {
            let origin = format!("built-in templates/{}.toml", self.locale);
            Catalog::parse(self.built_in, &origin).expect("the built-in catalogs are valid")
        })
    }
}

impl Catalogs {
    /// The catalogs compiled into the binary.
    pub fn built_in() -> Catalogs {
        let mut source = String::new();
        let by_locale = BUILT_IN
            .iter()
            .map(|&(locale, text)| {
                source.push_str(text);
                LocaleCatalog { locale, built_in: text, catalog: std::sync::OnceLock::new() }
            })
            .collect();
        Catalogs { by_locale, source }
    }

    /// `DIR/<locale>.toml` for every locale that has a file there; the built-in catalog for the
    /// others. Every file must hold exactly the keys of the built-in catalogs.
    pub fn from_dir(dir: &Path) -> Result<Catalogs, CatalogError> {
        let built_in = Catalogs::built_in();
        let mut by_locale = Vec::new();
        let mut source = String::new();
        let mut found = 0;
        for reference in built_in.by_locale {
            let locale = reference.locale;
            let path = dir.join(format!("{locale}.toml"));
            let text = match std::fs::read_to_string(&path) {
                Ok(text) => {
                    found += 1;
                    text
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    source.push_str(reference.built_in);
                    by_locale.push(reference);
                    continue;
                }
                Err(source) => return Err(CatalogError::Read { path, source }),
            };
            let catalog = Catalog::parse(&text, &path.display().to_string())?;
            catalog.check_keys(reference.catalog())?;
            source.push_str(&text);
            by_locale.push(LocaleCatalog { locale, built_in: reference.built_in, catalog: catalog.into() });
        }
        if found == 0 {
            return Err(CatalogError::Empty(dir.to_path_buf()));
        }
        Ok(Catalogs { by_locale, source })
    }

    pub fn get(&self, locale: Locale) -> &Catalog {
        self.by_locale.iter().find(|c| c.locale == locale).map(LocaleCatalog::catalog).expect("a catalog for every locale")
    }

    pub fn source(&self) -> &str {
        &self.source
    }
}

/// Compiled templates of one language.
pub struct Catalog {
    /// The entries with template syntax.
    tera: Tera,
    /// The entries without any (`{` nowhere): their text is what rendering them gives, so they are
    /// kept as they are rather than compiled.
    plain: std::collections::HashMap<String, String>,
    origin: String,
}

impl Catalog {
    /// The English catalog compiled into the binary.
    pub fn built_in() -> Catalog {
        Catalog::parse(BUILT_IN_EN, "built-in templates/en.toml").expect("the built-in catalog is valid")
    }

    /// Every key of the catalog (`group.key`), sorted.
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> =
            self.tera.get_template_names().chain(self.plain.keys().map(String::as_str)).map(str::to_string).collect();
        keys.sort();
        keys
    }

    /// Exactly the keys of `reference`: none missing, none unknown.
    fn check_keys(&self, reference: &Catalog) -> Result<(), CatalogError> {
        let (ours, theirs) = (self.keys(), reference.keys());
        let has = |keys: &[String], key: &String| keys.binary_search(key).is_ok();
        if let Some(key) = theirs.iter().find(|k| !has(&ours, k)) {
            return Err(CatalogError::MissingKey { origin: self.origin.clone(), key: key.to_string() });
        }
        if let Some(key) = ours.iter().find(|k| !has(&theirs, k)) {
            return Err(CatalogError::UnknownKey { origin: self.origin.clone(), key: key.to_string() });
        }
        Ok(())
    }

    fn parse(text: &str, origin: &str) -> Result<Catalog, CatalogError> {
        let syntax = |message: String| CatalogError::Syntax { origin: origin.to_string(), message };
        let table: toml::Table = toml::from_str(text).map_err(|e| syntax(e.to_string()))?;
        let mut templates = Vec::new();
        let mut plain = std::collections::HashMap::new();
        for (group, entries) in &table {
            let entries = entries.as_table().ok_or_else(|| syntax(format!("[{group}] must be a table of texts")))?;
            for (key, value) in entries {
                let text = value.as_str().ok_or_else(|| syntax(format!("{group}.{key} must be a string")))?;
                if text.contains('{') {
                    templates.push((format!("{group}.{key}"), text.to_string()));
                } else {
                    plain.insert(format!("{group}.{key}"), text.to_string());
                }
            }
        }
        let mut tera = Tera::default();
        tera.autoescape_on(vec![]);
        tera.add_raw_templates(templates).map_err(|e| syntax(error_chain(&e)))?;
        Ok(Catalog { tera, plain, origin: origin.to_string() })
    }

    /// Renders `key` with `context`. Values in the context are data: they are never parsed as templates.
    pub fn text(&self, key: &str, context: &Context) -> Result<String, CatalogError> {
        if let Some(text) = self.plain.get(key) {
            return Ok(text.clone());
        }
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

    /// Entries without template syntax are kept as text: what tera renders for them.
    #[test]
    fn plain_entries_are_what_tera_would_render() {
        for (locale, text) in BUILT_IN {
            let catalog = Catalog::parse(text, "t").unwrap();
            assert!(!catalog.plain.is_empty(), "{locale}");
            let mut tera = Tera::default();
            tera.autoescape_on(vec![]);
            for (key, plain) in &catalog.plain {
                tera.add_raw_template(key, plain).unwrap();
                assert_eq!(&tera.render(key, &Context::new()).unwrap(), plain, "{locale} {key}");
            }
        }
    }

    #[test]
    fn missing_keys_and_bad_catalogs_are_errors() {
        let catalog = Catalog::built_in();
        assert!(matches!(catalog.text("no.such", &Context::new()), Err(CatalogError::MissingKey { .. })));
        assert!(Catalog::parse("[a]\nb = \"{{ unclosed\"\n", "t").is_err());
        assert!(Catalog::parse("a = 1\n", "t").is_err());

        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(Catalogs::from_dir(dir.path()), Err(CatalogError::Empty(_))));
        std::fs::write(dir.path().join("en.toml"), "[document]\ntitle = \"Value\"\n").unwrap();
        let error = Catalogs::from_dir(dir.path()).err().unwrap();
        assert!(matches!(error, CatalogError::MissingKey { .. }), "{error}");
        let typo = format!("{BUILT_IN_EN}\n[extra]\ntitel = \"x\"\n");
        std::fs::write(dir.path().join("en.toml"), typo).unwrap();
        assert!(matches!(Catalogs::from_dir(dir.path()), Err(CatalogError::UnknownKey { .. })));
    }

    #[test]
    fn a_custom_catalog_replaces_its_language_only() {
        let dir = tempfile::tempdir().unwrap();
        let custom = BUILT_IN_EN.replace("title = \"Value report\"", "title = \"Customer value review\"");
        std::fs::write(dir.path().join("en.toml"), custom).unwrap();
        let catalogs = Catalogs::from_dir(dir.path()).unwrap();
        assert_eq!(catalogs.get(Locale::En).text("document.title", &Context::new()).unwrap(), "Customer value review");
        let built_in = Catalogs::built_in();
        let es = |c: &Catalogs| c.get(Locale::Es).text("document.title", &Context::new()).unwrap();
        assert_eq!(es(&catalogs), es(&built_in));
        assert_ne!(catalogs.source(), built_in.source());
    }

    #[test]
    fn every_built_in_catalog_has_exactly_the_english_keys_and_renders_them() {
        let catalogs = Catalogs::built_in();
        let english = catalogs.get(Locale::En);
        for locale in Locale::ALL {
            let catalog = catalogs.get(*locale);
            catalog.check_keys(english).unwrap();
            // Every template renders with every variable any template uses, set to a sample value.
            let mut context = Context::new();
            for name in [
                "customer",
                "quarter",
                "as_of",
                "vendor",
                "edition",
                "csm",
                "sponsor",
                "page",
                "pages",
                "quarters",
                "first",
                "last",
                "roi",
                "investment",
                "value",
                "net",
                "net_roi",
                "payback",
                "pct",
                "previous",
                "id",
                "title",
                "baseline",
                "unit",
                "latest",
                "improvement",
                "goals",
                "expected",
                "conservative",
                "count",
                "titles",
                "per",
                "metric",
                "date",
                "kind",
                "amount",
                "person",
                "role",
                "direction_words",
                "volume",
                "value_per_unit",
                "unit_one",
                "periods",
                "source",
                "target",
                "months",
                "currency",
                "progress",
                "owner",
                "at_stake",
                "annual",
                "confidence",
                "weighted",
                "assumption",
                "email",
                "end",
                "period",
                "average",
                "investment_share",
                "since",
                "days",
                "loss",
                "year",
                "q",
                "renewal_date",
                "decline",
                "share",
                "through",
                "start",
                "data_start",
                "file",
                "language",
                "sponsor",
                "name",
                "touchpoint",
                "period",
                "points",
                "band",
                "components",
                "missing",
                "hundredth",
                "minor_unit",
                "measure",
                "movement",
                "first",
                "last",
                "end",
                "projected",
                "conservative",
                "expected",
                "total",
            ] {
                context.insert(name, "1");
            }
            // Counts compared in templates are numbers.
            context.insert("count", &1);
            context.insert("days", &1);
            context.insert("payback_reached", &true);
            context.insert("percentage", &false);
            for key in english.keys() {
                let key = key.as_str();
                let text = catalog.text(key, &context).unwrap_or_else(|e| panic!("{locale} {key}: {e}"));
                assert!(!text.contains("{{") && !text.contains("{%"), "{locale} {key}: {text}");
            }
        }
    }
}
