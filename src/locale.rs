//! Report locales as BCP 47 tags (`es-MX`, `en-GB`, `ja`): the language picks the wording catalog,
//! the region the number, money and date formats (CLDR data through ICU4X).
//!
//! Only the four report languages are accepted, alone or with one of the regions listed in
//! [`REGIONS`]; anything else is refused with what was expected, never guessed. A language alone
//! formats as its default region: en → US, es → ES, ms → MY, ja → JP (CLDR's default content for
//! the language, so `es` and `es-ES` print the same figures).

use std::fmt;

use serde::Serialize;

use crate::model::Locale;

/// A region subtag of a supported tag: ISO 3166-1 alpha-2 (`MX`) or UN M.49 (`419`, Latin America).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Region(&'static str);

impl Region {
    pub fn as_str(self) -> &'static str {
        self.0
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// The regions each report language may be paired with, default first. Each is a CLDR locale of its
/// own (`es-MX`, `en-IN`…) whose figures ICU4X's compiled data holds.
pub const REGIONS: [(Locale, &[&str]); 4] = [
    (Locale::En, &["US", "GB", "AU", "CA", "IE", "IN", "MY", "NZ", "SG", "ZA"]),
    (Locale::Es, &["ES", "MX", "419", "AR", "CL", "CO", "PE", "US"]),
    (Locale::Ms, &["MY", "BN", "SG"]),
    (Locale::Ja, &["JP"]),
];

fn regions_of(language: Locale) -> &'static [&'static str] {
    REGIONS.iter().find(|(l, _)| *l == language).map(|(_, r)| *r).unwrap_or(&[])
}

/// The region a language alone stands for: en → US, es → ES, ms → MY, ja → JP.
pub fn default_region(language: Locale) -> Region {
    Region(regions_of(language).first().copied().unwrap_or("US"))
}

/// A parsed report locale: a report language and, if the tag named one, a region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct LocaleTag {
    pub language: Locale,
    /// `None` for a language alone (`es`): its [`default_region`]'s formats.
    pub region: Option<Region>,
}

impl From<Locale> for LocaleTag {
    fn from(language: Locale) -> LocaleTag {
        LocaleTag { language, region: None }
    }
}

impl fmt::Display for LocaleTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.region {
            Some(region) => write!(f, "{}-{region}", self.language),
            None => write!(f, "{}", self.language),
        }
    }
}

/// Why a tag is refused; the message says what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TagError {
    #[error("{value:?} is not a BCP 47 language tag ({why}); expected {}", expected())]
    Malformed { value: String, why: &'static str },
    #[error("{}", unknown_language(value, language))]
    UnknownLanguage { value: String, language: String },
    #[error("{value:?}: region {region} is not supported for {language}; expected {language} alone or one of {}", supported(*language))]
    UnknownRegion { value: String, language: Locale, region: String },
}

fn unknown_language(value: &str, language: &str) -> String {
    let what = if value == language { format!("{value:?}") } else { format!("{value:?}: {language:?}") };
    format!("{what} is not a report language; expected {}", expected())
}

fn supported(language: Locale) -> String {
    regions_of(language).iter().map(|r| format!("{language}-{r}")).collect::<Vec<_>>().join(", ")
}

fn expected() -> String {
    format!(
        "en, es, ms or ja, alone or with a region: {}",
        REGIONS.iter().map(|(l, _)| supported(*l)).collect::<Vec<_>>().join(", ")
    )
}

impl LocaleTag {
    /// A BCP 47 tag: `es`, `es-MX`, `en-GB`, `es-419`, in any letter case. Scripts, variants,
    /// extensions, `_` separators and regions not in [`REGIONS`] are refused.
    pub fn parse(text: &str) -> Result<LocaleTag, TagError> {
        let value = text.trim();
        let malformed = |why| TagError::Malformed { value: value.to_string(), why };
        if value.contains('_') {
            return Err(malformed("subtags are separated by '-', not '_'"));
        }
        let mut parts = value.split('-');
        let language_text = parts.next().unwrap_or_default();
        let region_text = parts.next();
        if parts.next().is_some() {
            return Err(malformed("only a language and a region are read, e.g. es-MX"));
        }
        if !(2..=3).contains(&language_text.len()) || !language_text.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(malformed("the language is 2 or 3 letters, e.g. es"));
        }
        let Some(language) = Locale::parse(language_text) else {
            return Err(TagError::UnknownLanguage { value: value.to_string(), language: language_text.to_string() });
        };
        let Some(region_text) = region_text else { return Ok(LocaleTag { language, region: None }) };
        let well_formed = (region_text.len() == 2 && region_text.bytes().all(|b| b.is_ascii_alphabetic()))
            || (region_text.len() == 3 && region_text.bytes().all(|b| b.is_ascii_digit()));
        if !well_formed {
            return Err(malformed("the region is 2 letters or 3 digits, e.g. MX or 419"));
        }
        let upper = region_text.to_ascii_uppercase();
        match regions_of(language).iter().find(|r| **r == upper) {
            Some(region) => Ok(LocaleTag { language, region: Some(Region(region)) }),
            None => Err(TagError::UnknownRegion { value: value.to_string(), language, region: upper }),
        }
    }

    /// The region whose formats apply: the tag's, or the language's default.
    pub fn effective_region(self) -> Region {
        self.region.unwrap_or_else(|| default_region(self.language))
    }

    /// The ICU4X locale the figures are formatted in (`es-MX`; `es` for a language alone).
    pub fn icu(self) -> icu_locale_core::Locale {
        self.to_string().parse().expect("a supported tag is a valid ICU locale")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_parse_to_language_and_region() {
        let tag = LocaleTag::parse("es-MX").unwrap();
        assert_eq!((tag.language, tag.region.map(Region::as_str)), (Locale::Es, Some("MX")));
        assert_eq!(LocaleTag::parse(" en-gb ").unwrap().to_string(), "en-GB");
        assert_eq!(LocaleTag::parse("ES-419").unwrap().to_string(), "es-419");
        assert_eq!(LocaleTag::parse("ja").unwrap(), LocaleTag { language: Locale::Ja, region: None });
        for (language, regions) in REGIONS {
            for region in regions {
                let tag = LocaleTag::parse(&format!("{language}-{region}")).unwrap();
                assert_eq!(tag.icu().to_string(), format!("{language}-{region}"));
            }
        }
    }

    #[test]
    fn default_regions() {
        let defaults: Vec<String> = Locale::ALL.iter().map(|l| LocaleTag::from(*l).effective_region().to_string()).collect();
        assert_eq!(defaults, ["US", "ES", "MY", "JP"]);
    }

    #[test]
    fn unknown_or_malformed_tags_are_refused_with_what_was_expected() {
        let cases = [
            ("es_MX", "'-', not '_'"),
            ("fr-FR", "\"fr\" is not a report language"),
            ("es-FR", "region FR is not supported for es; expected es alone or one of es-ES, es-MX"),
            ("ja-US", "expected ja alone or one of ja-JP"),
            ("en-Latn-US", "only a language and a region"),
            ("en-u-nu-arab", "only a language and a region"),
            ("english", "2 or 3 letters"),
            ("es-", "2 letters or 3 digits"),
            ("es-M1", "2 letters or 3 digits"),
            ("", "2 or 3 letters"),
        ];
        for (value, message) in cases {
            let error = LocaleTag::parse(value).unwrap_err().to_string();
            assert!(error.contains(message), "{value}: {error}");
            assert!(error.contains("; expected ") && error.contains("es-MX") || error.contains("ja-JP"), "{value}: {error}");
        }
    }
}
