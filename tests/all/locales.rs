//! Locales with regions (issue #14, item 5): `locale` in account.csv is a BCP 47 tag; the language
//! picks the catalog, the region the number, money and date formats (CLDR through ICU4X). An
//! unknown or malformed tag is a load error naming file, line, column, value and what was expected.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use valuereport::content::catalog::Catalogs;
use valuereport::content::format::Numbers;
use valuereport::content::report::{build, Edition, ReportInput};
use valuereport::load::load_customer;
use valuereport::locale::LocaleTag;
use valuereport::model::{Currency, Customer, Locale, Settings};
use valuereport::quarter::Quarter;
use valuereport::render::fonts::FontSet;
use valuereport::render::pdf::Paper;
use valuereport::render::report::lay_out;
use valuereport::value::compute;

mod support;

use support::files::copy_dir;

fn sample(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data").join(path)
}

fn numbers(tag: &str, currency: &str) -> Numbers {
    Numbers::for_tag(LocaleTag::parse(tag).unwrap(), Currency::from_code(currency).unwrap())
}

/// CLDR puts no-break (and narrow no-break) spaces in some figures: compare them as spaces.
fn plain(text: &str) -> String {
    text.replace(['\u{a0}', '\u{202f}'], " ")
}

#[test]
fn the_region_picks_number_money_and_date_formats() {
    let amount: Decimal = "1443710.11".parse().unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    // (tag, currency, money, plain number, date)
    let cases = [
        ("es-MX", "MXN", "$1,443,710.11", "1,443,710.11", "22 nov 2026"),
        ("es-ES", "EUR", "1.443.710,11 €", "1.443.710,11", "22 nov 2026"),
        ("es", "EUR", "1.443.710,11 €", "1.443.710,11", "22 nov 2026"),
        ("en-US", "USD", "$1,443,710.11", "1,443,710.11", "Nov 22, 2026"),
        ("en", "USD", "$1,443,710.11", "1,443,710.11", "Nov 22, 2026"),
        ("en-GB", "GBP", "£1,443,710.11", "1,443,710.11", "22 Nov 2026"),
        ("en-IN", "INR", "₹14,43,710.11", "14,43,710.11", "22 Nov 2026"),
        ("ms-MY", "MYR", "RM 1,443,710.11", "1,443,710.11", "22 Nov 2026"),
        ("ja-JP", "JPY", "￥1,443,710", "1,443,710.11", "2026/11/22"),
    ];
    for (tag, currency, money, number, date) in cases {
        let n = numbers(tag, currency);
        assert_eq!(plain(&n.money(amount)), money, "{tag} money");
        assert_eq!(plain(&n.measure(amount)), number, "{tag} number");
        assert_eq!(plain(&n.date(day)), date, "{tag} date");
    }
    // The Mexican and Spanish customer read the same catalog but not the same figures.
    assert_ne!(numbers("es-MX", "MXN").measure(amount), numbers("es-ES", "MXN").measure(amount));
}

#[test]
fn a_language_alone_is_its_default_region() {
    let amount: Decimal = "98765.4".parse().unwrap();
    for (language, region) in [("en", "en-US"), ("es", "es-ES"), ("ms", "ms-MY"), ("ja", "ja-JP")] {
        let (a, b) = (numbers(language, "EUR"), numbers(region, "EUR"));
        assert_eq!(a.money(amount), b.money(amount), "{language}");
        assert_eq!(a.percent(Decimal::new(55, 1)), b.percent(Decimal::new(55, 1)), "{language}");
        let day = NaiveDate::from_ymd_opt(2027, 1, 6).unwrap();
        assert_eq!(a.date(day), b.date(day), "{language}");
    }
}

fn with_locale(base: &str, dir: &Path, locale: &str) {
    copy_dir(&sample(base), dir);
    let path = dir.join("account.csv");
    let text = fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let column = header.iter().position(|h| *h == "locale").unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut record: Vec<String> = reader.records().next().unwrap().unwrap().iter().map(str::to_string).collect();
    record[column] = locale.to_string();
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&record).unwrap();
    lines[1] = String::from_utf8(writer.into_inner().unwrap()).unwrap().trim_end().to_string();
    fs::write(&path, lines[..2].join("\n") + "\n").unwrap();
}

/// Every line of text on the laid-out pages of the executive and team editions.
fn rendered(customer: &Customer) -> String {
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let summary = compute(customer, Quarter::last_ended_on_or_before(as_of)).unwrap();
    let catalogs = Catalogs::built_in();
    let settings = Settings::default();
    let mut text = String::new();
    for edition in [Edition::Executive, Edition::Team] {
        let content = build(&ReportInput {
            customer,
            summary: &summary,
            settings: &settings,
            as_of,
            edition,
            catalog: catalogs.get(customer.account.locale),
            locale: customer.account.locale,
            renewal: None,
        })
        .unwrap();
        let document = lay_out(content, Paper::A4, FontSet::shared());
        for page in &document.text_boxes {
            for b in page {
                text.push_str(&plain(&b.text));
                text.push('\n');
            }
        }
    }
    text
}

/// Money as Spain writes it (`900.000,00`) or as Mexico does (`900,000.00`), found in `text`.
fn has(text: &str, pattern: &str) -> bool {
    matches_shape(text, pattern)
}

/// A tiny matcher for the two shapes tested: `D` stands for a digit, any other character for itself.
fn matches_shape(text: &str, pattern: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let chars: Vec<char> = text.chars().collect();
    (0..chars.len()).any(|start| {
        let mut i = start;
        for &p in &pattern {
            match p {
                'D' => {
                    if i >= chars.len() || !chars[i].is_ascii_digit() {
                        return false;
                    }
                    i += 1;
                }
                c => {
                    if i >= chars.len() || chars[i] != c {
                        return false;
                    }
                    i += 1;
                }
            }
        }
        // Not in the middle of a longer number.
        start == 0 || !chars[start - 1].is_ascii_digit()
    })
}

#[test]
fn the_mexican_sample_customer_reads_mexican_figures_in_spanish() {
    let customer = load_customer(&sample("amer/grupo-alimentos-del-valle")).unwrap();
    assert_eq!(customer.account.locale_tag().to_string(), "es-MX");
    let text = rendered(&customer);
    // Spanish wording…
    assert!(text.contains("Resumen ejecutivo") || text.contains("Resumen Ejecutivo"), "{text}");
    // …with Mexico's figures: "," between thousands, "." before the centavos, "$" for pesos.
    assert!(has(&text, "$DDD,DDD.DD"), "no $ddd,ddd.dd amount:\n{text}");
    assert!(!has(&text, "DDD.DDD,DD"), "a Spanish-style amount in an es-MX report:\n{text}");
    assert!(!text.contains("MX$"), "pesos are $ in Mexico:\n{text}");

    // The same customer with `es` (Spain's conventions): 1.234,56 and the peso as MX$.
    let dir = tempfile::tempdir().unwrap();
    with_locale("amer/grupo-alimentos-del-valle", dir.path(), "es");
    let spain = rendered(&load_customer(dir.path()).unwrap());
    assert!(has(&spain, "DDD.DDD,DD"), "{spain}");
    assert!(!has(&spain, "$DDD,DDD.DD"), "{spain}");
}

#[test]
fn british_english_dates_and_pounds() {
    let dir = tempfile::tempdir().unwrap();
    with_locale("emea/harrow-fintech", dir.path(), "en-GB");
    let customer = load_customer(dir.path()).unwrap();
    let text = rendered(&customer);
    assert!(text.contains("22 Nov 2026"), "{text}");
    assert!(!text.contains("Nov 22, 2026"), "{text}");
    assert!(text.contains('£'));
}

#[test]
fn unknown_or_malformed_tags_are_load_errors_with_file_line_column_value_and_expected() {
    for (value, why) in [
        ("es_MX", "'-', not '_'"),
        ("fr-FR", "\"fr\" is not a report language"),
        ("es-FR", "region FR is not supported for es"),
        ("en-Latn-US", "only a language and a region"),
        ("x", "2 or 3 letters"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        with_locale("amer/grupo-alimentos-del-valle", dir.path(), value);
        let errors = load_customer(dir.path()).unwrap_err();
        assert_eq!(errors.len(), 1, "{value}: {errors:?}");
        let message = errors[0].to_string();
        let file = dir.path().join("account.csv");
        let prefix = format!("{}:2: column 'locale': \"{value}\"", file.display());
        assert!(message.starts_with(&prefix), "{value}: {message}");
        assert!(message.contains(why), "{value}: {message}");
        assert!(message.contains("expected"), "{value}: {message}");
        assert_eq!(errors[0].problem.code(), "unknown_locale");
    }
    // Letter case does not matter; the tag is kept as BCP 47 writes it.
    let dir = tempfile::tempdir().unwrap();
    with_locale("amer/grupo-alimentos-del-valle", dir.path(), "ES-mx");
    let customer = load_customer(dir.path()).unwrap();
    assert_eq!((customer.account.locale, customer.account.locale_tag().to_string()), (Locale::Es, "es-MX".into()));
}
