//! One style per kind of figure (issue #14, item 6): one percent style per locale, a table column's
//! numbers sharing their decimals, metric ids printed as labels (metric_labels.csv or a readable
//! fallback), and wording about the currency that is right for the report's currency.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use valuereport::content::catalog::Catalogs;
use valuereport::content::format::Numbers;
use valuereport::content::report::{build, Edition, Element, ReportContent, ReportInput};
use valuereport::load::{load_customer, load_customer_with, load_settings, LoadOptions};
use valuereport::model::{Currency, Customer, Locale, Settings};
use valuereport::quarter::Quarter;

mod support;

use support::files::copy_dir;

fn sample(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data").join(path)
}

fn content(customer: &Customer, edition: Edition) -> ReportContent {
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let summary = compute(customer, as_of);
    let catalogs = Catalogs::built_in();
    let settings = Settings::default();
    build(&ReportInput {
        customer,
        summary: &summary,
        settings: &settings,
        as_of,
        edition,
        catalog: catalogs.get(customer.account.locale),
        locale: customer.account.locale,
        renewal: None,
    })
    .unwrap()
}

fn compute(customer: &Customer, as_of: NaiveDate) -> valuereport::value::ValueSummary {
    valuereport::value::compute(customer, Quarter::last_ended_on_or_before(as_of)).unwrap()
}

/// Every text of the report's sections (paragraphs, notes, headings, table cells, chart titles).
fn texts(content: &ReportContent) -> Vec<String> {
    let mut out = Vec::new();
    for section in &content.sections {
        for element in &section.elements {
            match element {
                Element::Hero { value, caption, .. } => out.extend([value.clone(), caption.clone()]),
                Element::Heading(t) | Element::Paragraph(t) | Element::Note(t) | Element::LeadIn(t) => out.push(t.clone()),
                Element::Table(table) => {
                    out.extend(table.columns.iter().map(|c| c.0.clone()));
                    out.extend(table.rows.iter().flatten().map(|c| c.0.clone()));
                }
                Element::LineChart(chart) => out.extend([chart.title.clone(), chart.y_title.clone()]),
                Element::BarChart(chart) => out.push(chart.title.clone()),
                Element::Quote { text, .. } => out.push(text.clone()),
                Element::ListItem { label, text } => out.push(format!("{label} {text}")),
                Element::Kpis(cards) => out.extend(cards.iter().flat_map(|c| [c.label.clone(), c.value.clone(), c.caption.clone()])),
            }
        }
    }
    out
}

const SAMPLES: [&str; 4] =
    ["amer/acme-logistics", "amer/grupo-alimentos-del-valle", "apac/sinar-maju-logistik", "apac/sakura-seimitsu"];

/// The percent sign and what sits between it and the number, for every percentage in `text`.
fn percent_affixes(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    for (i, c) in chars.iter().enumerate() {
        if *c != '%' {
            continue;
        }
        let mut j = i;
        while j > 0 && matches!(chars[j - 1], ' ' | '\u{a0}' | '\u{202f}') {
            j -= 1;
        }
        if j > 0 && chars[j - 1].is_ascii_digit() {
            found.push(chars[j..=i].iter().collect::<String>().replace(['\u{a0}', '\u{202f}'], "·"));
        }
    }
    found
}

#[test]
fn one_percent_style_per_locale_in_every_figure_kind() {
    for (locale, expected) in [(Locale::En, "%"), (Locale::Es, "·%"), (Locale::Ms, "%"), (Locale::Ja, "%")] {
        let n = Numbers::new(locale, Currency::from_code("USD").unwrap());
        let five = Decimal::from(5);
        for text in [n.percent(five), n.percent_points(five), n.percent_places(five, 1)] {
            assert_eq!(percent_affixes(&text), [expected], "{locale}: {text:?}");
        }
    }
    // In the reports: goals in percentage points, ROI, improvements, progress, table columns.
    for base in SAMPLES {
        let customer = load_customer(&sample(base)).unwrap();
        // The customer's locale with its region: es-MX writes "5%" (CLDR), es-ES "5 %".
        let n = Numbers::for_tag(customer.account.locale_tag(), customer.account.currency);
        let expected = percent_affixes(&n.percent(Decimal::from(5))).remove(0);
        for edition in [Edition::Executive, Edition::Team] {
            for text in texts(&content(&customer, edition)) {
                for affix in percent_affixes(&text) {
                    assert_eq!(affix, expected, "{base} {edition:?}: {text:?}");
                }
            }
        }
    }
}

/// Digits after the decimal separator of a figure cell; `None` for cells that are not figures.
fn decimals(cell: &str, separator: char) -> Option<usize> {
    if !cell.chars().any(|c| c.is_ascii_digit()) || cell.chars().any(|c| c.is_alphabetic() && c != 'M' && c != 'R') {
        return None;
    }
    let digits: String = cell.chars().filter(|c| c.is_ascii_digit() || *c == separator).collect();
    Some(digits.rsplit_once(separator).map_or(0, |(_, after)| after.len()))
}

#[test]
fn a_table_column_shares_its_decimals() {
    let mut checked = 0;
    for base in SAMPLES {
        let customer = load_customer(&sample(base)).unwrap();
        // es-MX and the others write a decimal point; es-ES would write a comma.
        let separator = '.';
        let content = content(&customer, Edition::Team);
        for section in &content.sections {
            for element in &section.elements {
                let Element::Table(table) = element else { continue };
                for column in 0..table.columns.len() {
                    // Figures of one kind (percentages; money and plain numbers) share their decimals
                    // (the ROI summary's Amount column holds money, then percentages).
                    for percent in [true, false] {
                        let mut seen: Vec<(usize, &str)> = Vec::new();
                        for row in &table.rows {
                            let Some(cell) = row.get(column) else { continue };
                            if cell.0.contains('%') != percent {
                                continue;
                            }
                            if let Some(places) = decimals(&cell.0, separator) {
                                seen.push((places, &cell.0));
                            }
                        }
                        if seen.len() > 1 {
                            checked += 1;
                        }
                        assert!(
                            seen.windows(2).all(|w| w[0].0 == w[1].0),
                            "{base}, table \"{}\", column \"{}\": {seen:?}",
                            section.title,
                            table.columns[column].0
                        );
                    }
                }
            }
        }
    }
    assert!(checked > 20, "only {checked} columns with figures checked");
}

fn usage_table_labels(content: &ReportContent) -> Vec<String> {
    let metrics_section = &content.sections[1];
    metrics_section
        .elements
        .iter()
        .filter_map(|e| match e {
            Element::Table(t) if t.columns.len() == 4 && t.columns[0].0 == "Metric" => Some(t),
            _ => None,
        })
        .flat_map(|t| t.rows.iter().map(|r| r[0].0.clone()))
        .collect()
}

#[test]
fn metric_ids_are_printed_as_labels_never_raw() {
    let customer = load_customer(&sample("amer/acme-logistics")).unwrap();
    let ids: Vec<String> = customer.observations.iter().map(|o| o.metric.clone()).collect();
    let team = content(&customer, Edition::Team);
    // The readable fallback: underscores as spaces, sentence case.
    let labels = usage_table_labels(&team);
    assert!(labels.contains(&"Dashboards created".to_string()), "{labels:?}");
    for text in texts(&team).iter().chain(texts(&content(&customer, Edition::Executive)).iter()) {
        for id in ids.iter().filter(|id| id.contains('_')) {
            assert!(!text.contains(id.as_str()), "raw id {id} in {text:?}");
        }
    }

    // A folder's metric_labels.csv names them, and adds to the INPUT root's file.
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("acme");
    copy_dir(&sample("amer/acme-logistics"), &dir);
    fs::write(root.path().join("metric_labels.csv"), "metric,label\nweekly_logins,Logins per week\nactive_users,Users\n")
        .unwrap();
    fs::write(dir.join("metric_labels.csv"), "metric,label\ndashboards_created,Dashboards built\nactive_users,Active seats\n")
        .unwrap();
    let settings = load_settings(root.path()).unwrap();
    let customer = load_customer_with(&dir, &LoadOptions::from_settings(&settings)).unwrap();
    let mut labels = usage_table_labels(&content(&customer, Edition::Team));
    labels.sort();
    assert_eq!(labels, ["Active seats", "Dashboards built", "Logins per week"]);
}

/// Japanese has no case: a Latin metric label in Japanese prose keeps the form it has in the tables
/// ("Dashboards createdが…"); English lower-cases it mid-sentence.
#[test]
fn a_metric_label_in_japanese_prose_keeps_its_table_form() {
    let customer = load_customer(&sample("apac/sakura-seimitsu")).unwrap();
    let prose = texts(&content(&customer, Edition::Team)).join("\n");
    assert!(prose.contains("Dashboards createdが"), "{prose}");
    assert!(!prose.contains("dashboards created"), "{prose}");
}

#[test]
fn bad_metric_label_rows_are_errors_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&sample("amer/acme-logistics"), dir.path());
    fs::write(dir.path().join("metric_labels.csv"), "metric,label\nweekly_logins,\n").unwrap();
    let errors = load_customer(dir.path()).unwrap_err();
    let message = errors[0].to_string();
    let file = dir.path().join("metric_labels.csv");
    assert!(message.starts_with(&format!("{}:2: column 'label': is empty", file.display())), "{message}");

    // At the INPUT root: a configuration error.
    let root = tempfile::tempdir().unwrap();
    fs::write(root.path().join("metric_labels.csv"), "metric,label\nx,X\nx,Again\n").unwrap();
    let error = load_settings(root.path()).unwrap_err().to_string();
    assert!(error.contains("metric_labels.csv:3: column 'metric': duplicate metric \"x\""), "{error}");
}

#[test]
fn wording_about_the_currency_names_the_reports_currency() {
    for (base, unit, not) in [
        ("emea/harrow-fintech", "£0.01", ["cents", "yen"]),
        ("apac/sakura-seimitsu", "￥1", ["（セント", "円単位"]),
        ("amer/acme-logistics", "$0.01", ["cents", "yen"]),
    ] {
        let customer = load_customer(&sample(base)).unwrap();
        let all = texts(&content(&customer, Edition::Team)).join("\n");
        assert!(all.contains(unit), "{base}: no {unit} in the rounding note");
        for word in not {
            assert!(!all.contains(word), "{base}: {word}");
        }
    }
}

#[test]
fn goals_in_percentage_points_read_as_percentages_in_prose() {
    // acme's order_error_rate_pct goal is in %: its baseline and target read "4.9%", never "4.9 %".
    let customer = load_customer(&sample("amer/acme-logistics")).unwrap();
    let goal = customer.goals.iter().find(|g| g.is_percentage()).expect("a goal in %");
    let team = texts(&content(&customer, Edition::Team)).join("\n");
    let n = Numbers::new(Locale::En, customer.account.currency);
    let baseline = n.percent_points(goal.baseline);
    assert!(team.contains(&format!("Baseline {baseline}")), "{baseline}: {team}");
    assert!(!team.contains(" %"), "{team}");
}
