//! Page composition (issue #14, item 4), checked from the laid-out text boxes and page counts:
//! headings keep three lines of their section, the last page is never a tail (the contact line
//! alone), no page but the last is left more than ~40% empty, the executive edition takes at most
//! 2 pages for any input and the team edition at most 5 for up to 8 goals and 15 stories.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use valuereport::content::catalog::Catalogs;
use valuereport::content::report::{Edition, Element, ReportInput};
use valuereport::load::load_customer;
use valuereport::model::{Customer, Settings};
use valuereport::quarter::Quarter;
use valuereport::render::draw::TextBox;
use valuereport::render::fonts::FontSet;
use valuereport::render::pdf::{write, Document, Paper};
use valuereport::render::report::lay_out_within_budget;
use valuereport::value::compute;

mod support;

use support::files::{copy_dir, pdf_text};

fn sample(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data").join(path)
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn document(customer: &Customer, edition: Edition, paper: Paper) -> Document {
    let summary = compute(customer, Quarter::last_ended_on_or_before(as_of())).unwrap();
    let catalogs = Catalogs::built_in();
    let settings = Settings::default();
    lay_out_within_budget(
        &ReportInput {
        customer,
        summary: &summary,
        settings: &settings,
        as_of: as_of(),
        edition,
        catalog: catalogs.get(customer.account.locale),
        locale: customer.account.locale,
        renewal: None,
        },
        paper,
        FontSet::shared(),
    )
    .unwrap()
}

/// Reads a CSV file as header + records.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().iter().map(str::to_string).collect();
    let rows = reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    (headers, rows)
}

fn write_csv(path: &Path, headers: &[String], rows: &[Vec<String>]) {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(headers).unwrap();
    for row in rows {
        writer.write_record(row).unwrap();
    }
    fs::write(path, writer.into_inner().unwrap()).unwrap();
}

fn column(headers: &[String], name: &str) -> usize {
    headers.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"))
}

/// What to change in a copy of a sample customer.
#[derive(Default, Clone)]
struct Edit {
    /// Goals in total: the sample's goals repeated (each copy with its own metric id and metric rows).
    goals: Option<usize>,
    /// Stories in total, dated within the report quarter and the one before.
    stories: Option<usize>,
    /// Account fields by column name.
    account: Vec<(&'static str, String)>,
    /// Every goal title replaced by this, numbered.
    goal_title: Option<String>,
    /// Every story title and detail replaced by these, numbered.
    story_text: Option<(String, String)>,
    /// Every value per unit multiplied by this.
    scale: Option<u64>,
}

fn edited(base: &str, dir: &Path, edit: &Edit) -> Customer {
    copy_dir(&sample(base), dir);
    if !edit.account.is_empty() {
        let path = dir.join("account.csv");
        let (headers, mut rows) = read_csv(&path);
        for (name, value) in &edit.account {
            rows[0][column(&headers, name)] = value.clone();
        }
        write_csv(&path, &headers, &rows);
    }
    let goals_path = dir.join("goals.csv");
    let (headers, mut goals) = read_csv(&goals_path);
    let (id, metric, title, value) =
        (column(&headers, "goal_id"), column(&headers, "metric"), column(&headers, "title"), column(&headers, "value_per_unit"));
    if let Some(count) = edit.goals {
        let metrics_path = dir.join("metrics.csv");
        let (metric_headers, mut metrics) = read_csv(&metrics_path);
        let metric_column = column(&metric_headers, "metric");
        let originals = goals.clone();
        let original_metrics = metrics.clone();
        goals.truncate(count);
        for n in originals.len()..count {
            let mut goal = originals[n % originals.len()].clone();
            let new_metric = format!("{}_{}", goal[metric], n + 1);
            for row in original_metrics.iter().filter(|r| r[metric_column] == goal[metric]) {
                let mut row = row.clone();
                row[metric_column] = new_metric.clone();
                metrics.push(row);
            }
            goal[id] = format!("G{}", n + 1);
            goal[metric] = new_metric;
            goal[title] = format!("{} ({})", goal[title], n + 1);
            goals.push(goal);
        }
        write_csv(&metrics_path, &metric_headers, &metrics);
    }
    for (n, goal) in goals.iter_mut().enumerate() {
        if let Some(text) = &edit.goal_title {
            goal[title] = format!("{text} {}", n + 1);
        }
        if let Some(scale) = edit.scale {
            let v: rust_decimal::Decimal = goal[value].parse().unwrap();
            goal[value] = (v * rust_decimal::Decimal::from(scale)).to_string();
        }
    }
    write_csv(&goals_path, &headers, &goals);
    if let Some(count) = edit.stories {
        let path = dir.join("stories.csv");
        let (headers, originals) = read_csv(&path);
        let (date, story_title, detail, amount) = (
            column(&headers, "date"),
            column(&headers, "title"),
            column(&headers, "detail"),
            column(&headers, "amount"),
        );
        let stories: Vec<Vec<String>> = (0..count)
            .map(|n| {
                let mut story = originals[n % originals.len()].clone();
                // Spread over 2026-04-01 .. 2026-09-30 (the report quarter and the one before).
                let day = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap() + chrono::Days::new((n as u64 * 11) % 182);
                story[date] = day.to_string();
                story[story_title] = format!("{} #{}", story[story_title], n + 1);
                if let Some((t, d)) = &edit.story_text {
                    story[story_title] = format!("{t} {}", n + 1);
                    story[detail] = d.clone();
                }
                // Every third story has an amount, growing with n: later ones are the most valuable.
                story[amount] = if n % 3 == 0 { format!("{}", 1000 * (n + 1)) } else { String::new() };
                story
            })
            .collect();
        write_csv(&path, &headers, &stories);
    }
    load_customer(dir).unwrap()
}

/// The page's content area in points: text between the running header and footer.
fn content_boxes(doc: &Document, page: usize) -> Vec<&TextBox> {
    let (_, height) = doc.paper.size();
    doc.text_boxes[page].iter().filter(|b| b.y0 > 50.0 && b.y1 < height - 55.0).collect()
}

/// Section titles (14.5 pt) and headings (11 pt), told apart from other text by their box height
/// (one em).
fn is_heading(b: &TextBox) -> bool {
    let size = b.y1 - b.y0;
    (size - 11.0).abs() < 0.01 || (size - 14.5).abs() < 0.01
}

/// The rules of composition on a laid-out document.
fn check_composition(label: &str, doc: &Document) {
    let pages = doc.text_boxes.len();
    let (_, height) = doc.paper.size();
    let (top, bottom) = (height - 62.0, 58.0);
    for page in 0..pages {
        let boxes = content_boxes(doc, page);
        assert!(!boxes.is_empty(), "{label}: page {} is empty", page + 1);
        // A heading keeps at least three lines of its section with it on its page (unless the
        // section ends on the page: another heading follows below it, or it is the last page).
        for heading in boxes.iter().filter(|b| is_heading(b)) {
            let below: Vec<&&TextBox> = boxes.iter().filter(|b| b.y1 <= heading.y0 + 0.01).collect();
            let next_heading = below.iter().any(|b| is_heading(b));
            let mut baselines: Vec<i64> = below.iter().map(|b| (b.y0 * 10.0).round() as i64).collect();
            baselines.dedup();
            baselines.sort_unstable();
            baselines.dedup();
            // The section may end on this page: the next page then starts with a heading.
            let ends_here = page + 1 < pages
                && content_boxes(doc, page + 1).iter().max_by(|a, b| a.y1.total_cmp(&b.y1)).is_some_and(|b| is_heading(b));
            assert!(
                baselines.len() >= 3 || next_heading || ends_here || page + 1 == pages,
                "{label}: page {}: heading {:?} keeps only {} lines",
                page + 1,
                heading.text,
                baselines.len()
            );
        }
        // No page but the last is left more than 40% empty.
        if page + 1 < pages {
            let lowest = boxes.iter().map(|b| b.y0).fold(f32::MAX, f32::min);
            let filled = (top - lowest) / (top - bottom);
            assert!(filled >= 0.6, "{label}: page {} is only {:.0}% full", page + 1, filled * 100.0);
        }
    }
    // The last page is never a tail: more than one line of text, and more than the contact line.
    if pages > 1 {
        let last = content_boxes(doc, pages - 1);
        let mut baselines: Vec<i64> = last.iter().map(|b| (b.y0 * 10.0).round() as i64).collect();
        baselines.sort_unstable();
        baselines.dedup();
        assert!(baselines.len() >= 3, "{label}: the last page holds only {:?}", last);
    }
}

const SAMPLES: [&str; 10] = [
    "amer/acme-logistics",
    "amer/brightpath-health",
    "amer/grupo-alimentos-del-valle",
    "amer/northgate-outfitters",
    "apac/hoshino-clinic-group",
    "apac/minato-shoji",
    "apac/sakura-seimitsu",
    "apac/sinar-maju-logistik",
    "emea/distribuciones-ibericas",
    "emea/harrow-fintech",
];

#[test]
fn every_sample_report_keeps_its_budget_and_the_rules_of_composition() {
    for base in SAMPLES {
        let customer = load_customer(&sample(base)).unwrap();
        for edition in [Edition::Executive, Edition::Team] {
            for paper in [Paper::A4, Paper::Letter] {
                let label = format!("{base} ({edition:?}, {paper:?})");
                let doc = document(&customer, edition, paper);
                assert!(doc.pages.len() <= edition.page_budget(), "{label}: {} pages", doc.pages.len());
                check_composition(&label, &doc);
            }
        }
    }
}

#[test]
fn the_minato_team_report_does_not_end_on_its_contact_line_alone() {
    let customer = load_customer(&sample("apac/minato-shoji")).unwrap();
    let doc = document(&customer, Edition::Team, Paper::A4);
    let last = content_boxes(&doc, doc.pages.len() - 1);
    let contact = last.iter().position(|b| b.text.contains("kenji.sato@northwind.example"));
    assert!(contact.is_some(), "the contact line is on the last page");
    assert!(last.len() > 5, "the last page holds more than the contact line: {last:?}");
}

/// The locales' samples, for edge inputs in every language.
const LOCALES: [(&str, &str); 4] = [
    ("en", "amer/acme-logistics"),
    ("es", "amer/grupo-alimentos-del-valle"),
    ("ms", "apac/sinar-maju-logistik"),
    ("ja", "apac/sakura-seimitsu"),
];

const LONG_NAME: &str =
    "Internationale Gesellschaft für Logistik, Spedition und Lagerhaltung Hamburg-Altona-Wilhelmsburg GmbH & Co. KG";

/// The executive edition's line for goals left out of its table, per locale.
fn more_goals(locale: &str, count: usize) -> String {
    match locale {
        "en" => format!("And {count} more goals in the team report."),
        "es" => format!("Y {count} objetivos más en el informe del equipo."),
        "ms" => format!("Dan {count} lagi matlamat dalam laporan pasukan."),
        _ => format!("ほか{count}件の目標はチーム版レポートに掲載しています。"),
    }
}

fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn twelve_goals_and_long_names_keep_the_executive_edition_to_two_pages_in_every_locale() {
    let root = tempfile::tempdir().unwrap();
    for (locale, base) in LOCALES {
        let dir = root.path().join(locale);
        let edit = Edit {
            goals: Some(12),
            stories: Some(15),
            account: vec![("customer_name", LONG_NAME.to_string()), ("locale", locale.to_string())],
            ..Edit::default()
        };
        let customer = edited(base, &dir, &edit);
        assert_eq!(customer.goals.len(), 12);
        for paper in [Paper::A4, Paper::Letter] {
            let label = format!("12 goals, {locale}, {paper:?}");
            let doc = document(&customer, Edition::Executive, paper);
            assert!(doc.pages.len() <= 2, "{label}: {} pages", doc.pages.len());
            check_composition(&label, &doc);
            let text: String = doc.text_boxes.iter().flatten().map(|b| b.text.as_str()).collect::<Vec<_>>().join(" ");
            // Some goals are shown, and the rest are counted with a pointer to the team report.
            let shown = (1..=12).filter(|n| text.contains(&format!("G{n} ·")) || text.contains(&format!("G{n}・"))).count();
            assert!((1..12).contains(&shown), "{label}: {shown} goals in the table");
            let line = more_goals(locale, 12 - shown);
            let bytes = write(doc, FontSet::shared());
            let all = squash(&pdf_text(&bytes).concat());
            assert!(all.contains(&squash(&line)), "{label}: no {line:?}");
        }
    }
}

#[test]
fn eight_goals_and_fifteen_stories_keep_the_team_edition_to_five_pages_in_every_locale() {
    let root = tempfile::tempdir().unwrap();
    for (locale, base) in LOCALES {
        let dir = root.path().join(locale);
        let edit = Edit {
            goals: Some(8),
            stories: Some(15),
            account: vec![("locale", locale.to_string())],
            ..Edit::default()
        };
        let customer = edited(base, &dir, &edit);
        // Every locale on A4 and on Letter (9% shorter: Malay fits only at the densest level,
        // with charts for the six goals of most value).
        for paper in [Paper::A4, Paper::Letter] {
            let label = format!("8 goals, 15 stories, {locale}, {paper:?}");
            let doc = document(&customer, Edition::Team, paper);
            assert!(doc.pages.len() <= 5, "{label}: {} pages", doc.pages.len());
            check_composition(&label, &doc);
            // Every story is there: the newest and the most valuable in full, the rest a line each.
            let text: String = doc.text_boxes.iter().flatten().map(|b| b.text.as_str()).collect::<Vec<_>>().join("\n");
            for n in 1..=15 {
                assert!(text.contains(&format!("#{n}")), "{label}: story {n} is missing");
            }
            // Every goal is in the goal table, whether or not it has a chart.
            for n in 1..=8 {
                let id = [format!("G{n} ·"), format!("G{n}・")];
                assert!(id.iter().any(|id| text.contains(id.as_str())), "{label}: goal G{n} is missing");
            }
            let newest = customer.stories.iter().max_by_key(|s| s.date).unwrap();
            let valuable = customer.stories.iter().max_by_key(|s| s.amount).unwrap();
            for story in [newest, valuable] {
                let start: String = story.detail.as_deref().unwrap().chars().take(12).collect();
                assert!(text.contains(&start), "{label}: {} is not told in full", story.title);
            }
        }
    }
}

#[test]
fn the_densest_team_level_charts_the_most_valuable_goals_and_says_so() {
    let root = tempfile::tempdir().unwrap();
    let customer = edited("apac/sinar-maju-logistik", root.path(), &Edit { goals: Some(8), ..Edit::default() });
    let summary = compute(&customer, Quarter::last_ended_on_or_before(as_of())).unwrap();
    let catalogs = Catalogs::built_in();
    let settings = Settings::default();
    let input = ReportInput {
        customer: &customer,
        summary: &summary,
        settings: &settings,
        as_of: as_of(),
        edition: Edition::Team,
        catalog: catalogs.get(customer.account.locale),
        locale: customer.account.locale,
        renewal: None,
    };
    let levels = valuereport::content::density::Density::levels(Edition::Team);
    let densest = levels.len() - 1;
    let charts = |level: usize| {
        let content = valuereport::content::report::build_at(&input, level).unwrap().unwrap();
        let elements: Vec<Element> = content.sections.into_iter().flat_map(|s| s.elements).collect();
        let titles: Vec<String> = elements
            .iter()
            .filter_map(|e| if let Element::LineChart(c) = e { Some(c.title.clone()) } else { None })
            .collect();
        let text: String = elements
            .iter()
            .filter_map(|e| if let Element::LeadIn(t) = e { Some(t.as_str()) } else { None })
            .collect::<Vec<_>>()
            .join(" ");
        (titles, text)
    };
    let (all, intro) = charts(densest - 1);
    assert_eq!(all.len(), 8);
    assert!(!intro.contains("Carta ditunjukkan"), "{intro}");
    let (shown, intro) = charts(densest);
    assert_eq!(shown.len(), 6, "{shown:?}");
    assert!(intro.contains("Carta ditunjukkan untuk 6 matlamat") && intro.contains("kesemua 8 matlamat"), "{intro}");
    // The most valuable in the report quarter: the two left out are worth least there.
    let quarter = summary.quarters.iter().find(|q| q.quarter == summary.report_quarter).unwrap();
    let worth = |id: &str| quarter.by_goal.get(id).map_or(rust_decimal::Decimal::ZERO, |e| e.value.abs());
    let (kept, left): (Vec<_>, Vec<_>) =
        customer.goals.iter().partition(|g| shown.iter().any(|t| t.starts_with(&format!("{} ", g.goal_id))));
    assert_eq!(left.len(), 2);
    let least_kept = kept.iter().map(|g| worth(&g.goal_id)).min().unwrap();
    assert!(left.iter().all(|g| worth(&g.goal_id) <= least_kept), "{shown:?}");
}

#[test]
fn samples_with_many_stories_list_the_rest_compactly() {
    let root = tempfile::tempdir().unwrap();
    let customer = edited("amer/acme-logistics", root.path(), &Edit { stories: Some(15), ..Edit::default() });
    let doc = document(&customer, Edition::Team, Paper::A4);
    let text: Vec<&str> = doc.text_boxes.iter().flatten().map(|b| b.text.as_str()).collect();
    assert!(text.contains(&"Also recorded"), "no compact list");
    // Some story is a single line: date · kind: title.
    assert!(text.iter().any(|t| t.starts_with("Apr ") || t.contains("· Win: ")), "{text:?}");
}

#[test]
fn the_executive_edition_takes_two_pages_for_any_input() {
    let root = tempfile::tempdir().unwrap();
    // Every text at its longest (10,000 characters is the loader's limit), in two scripts.
    let words = |word: &str| (0..).map(|_| word).take(9_900 / (word.chars().count() + 1)).collect::<Vec<_>>().join(" ");
    for (locale, base, word) in
        [("en", "amer/acme-logistics", "Logistik"), ("ja", "apac/sakura-seimitsu", "株式会社精密")]
    {
        let long = words(word);
        let dir = root.path().join(locale);
        let edit = Edit {
            goals: Some(12),
            stories: Some(15),
            account: vec![
                ("customer_name", long.clone()),
                ("executive_sponsor", long.clone()),
                ("csm_name", long.clone()),
            ],
            goal_title: Some(long.clone()),
            story_text: Some((long.clone(), long.clone())),
            ..Edit::default()
        };
        let customer = edited(base, &dir, &edit);
        for paper in [Paper::A4, Paper::Letter] {
            let doc = document(&customer, Edition::Executive, paper);
            assert!(doc.pages.len() <= 2, "{locale}, {paper:?}: {} pages", doc.pages.len());
        }
    }
}

#[test]
fn huge_yen_amounts_keep_both_budgets() {
    let root = tempfile::tempdir().unwrap();
    for locale in ["en", "ja"] {
        let dir = root.path().join(locale);
        let edit = Edit {
            scale: Some(100_000),
            goals: Some(8),
            account: vec![("locale", locale.to_string())],
            ..Edit::default()
        };
        let customer = edited("apac/sakura-seimitsu", &dir, &edit);
        for edition in [Edition::Executive, Edition::Team] {
            let label = format!("huge JPY, {locale}, {edition:?}");
            let doc = document(&customer, edition, Paper::A4);
            assert!(doc.pages.len() <= edition.page_budget(), "{label}: {} pages", doc.pages.len());
            check_composition(&label, &doc);
        }
    }
}
