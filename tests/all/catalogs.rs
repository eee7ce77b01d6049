//! The wording catalogs (templates/*.toml): every sentence ends with its punctuation, in all four
//! languages, and no catalog names one currency's minor unit for all of them.

use tera::Context;
use valuereport::content::catalog::Catalogs;
use valuereport::model::Locale;

/// Every variable any template uses, set to text without punctuation (so a template that ends in a
/// variable cannot borrow the variable's full stop). `assumption` is the customer's text, which the
/// report hands over as a sentence (with its full stop).
fn context() -> Context {
    let mut context = Context::new();
    for name in [
        "customer", "quarter", "as_of", "vendor", "edition", "csm", "sponsor", "page", "pages", "quarters", "first",
        "last", "roi", "investment", "value", "net", "net_roi", "payback", "pct", "previous", "id", "title", "baseline",
        "unit", "latest", "improvement", "goals", "expected", "conservative", "titles", "per", "metric", "date", "kind",
        "amount", "person", "role", "direction_words", "volume", "value_per_unit", "unit_one", "periods", "source",
        "target", "months", "currency", "progress", "owner", "at_stake", "annual", "confidence", "weighted", "email",
        "end", "period", "average", "investment_share", "since", "loss", "year", "q", "renewal_date", "decline",
        "share", "through", "start", "data_start", "file", "language", "name", "touchpoint", "hundredth", "minor_unit",
        "points", "band", "components", "missing", "measure", "movement", "projected", "total",
    ] {
        context.insert(name, "x");
    }
    context.insert("assumption", "x.");
    context.insert("count", &2);
    context.insert("days", &2);
    context.insert("payback_reached", &true);
    context.insert("percentage", &true);
    context
}

/// Ends a sentence: a full stop, question or exclamation mark, colon (a lead-in), or one of these
/// followed by closing brackets or quotes.
fn ends_a_sentence(text: &str) -> bool {
    let body = text.trim_end().trim_end_matches([')', '）', '」', '』', '”', '"']);
    body.ends_with(['.', '!', '?', ':', '。', '！', '？', '：'])
}

/// Keys that are sentences whatever the English says (prose the reader reads as sentences).
fn must_be_sentence(key: &str) -> bool {
    let (group, name) = key.split_once('.').unwrap_or(("", key));
    (group == "recommendations" && !matches!(name, "owner_fallback" | "contact"))
        || name == "intro"
        || name.starts_with("none")
        || name.starts_with("narrative_")
        || name.starts_with("assumption_")
}

#[test]
fn every_catalog_sentence_ends_with_its_punctuation() {
    let catalogs = Catalogs::built_in();
    let context = context();
    let english = catalogs.get(Locale::En);
    let sentences: Vec<String> = english
        .keys()
        .into_iter()
        .filter(|key| must_be_sentence(key) || ends_a_sentence(&english.text(key, &context).unwrap()))
        .collect();
    assert!(sentences.len() > 50, "only {} sentence keys: {sentences:?}", sentences.len());
    let mut unfinished = Vec::new();
    for locale in Locale::ALL {
        let catalog = catalogs.get(*locale);
        for key in &sentences {
            let text = catalog.text(key, &context).unwrap_or_else(|e| panic!("{locale} {key}: {e}"));
            if !ends_a_sentence(&text) {
                unfinished.push(format!("{locale} {key}: {text:?}"));
            }
        }
    }
    assert!(unfinished.is_empty(), "sentences without their final punctuation:\n{}", unfinished.join("\n"));
}

#[test]
fn a_recommendation_with_its_value_at_stake_still_ends_with_a_full_stop() {
    let catalogs = Catalogs::built_in();
    let context = context();
    for locale in Locale::ALL {
        let catalog = catalogs.get(*locale);
        let label = catalog.text("recommendations.value_label", &context).unwrap();
        assert!(ends_a_sentence(&label), "{locale}: {label:?}");
        let text = format!("{}{label}", catalog.text("recommendations.corrective", &context).unwrap());
        assert!(ends_a_sentence(&text), "{locale}: {text:?}");
    }
}

#[test]
fn no_catalog_names_one_currency_for_all() {
    for (locale, text) in [
        ("en", include_str!("../../templates/en.toml")),
        ("es", include_str!("../../templates/es.toml")),
        ("ms", include_str!("../../templates/ms.toml")),
        ("ja", include_str!("../../templates/ja.toml")),
    ] {
        for word in ["cents", "yen", "centavos", "yenes", "（セント", "円単位", "sen,", "0,01", "0.01"] {
            assert!(!text.contains(word), "templates/{locale}.toml names {word:?}: the report's currency and locale say it");
        }
    }
}
