//! Figures a CFO can trust at the edges: stale exports, new customers, declining and regressed
//! goals, and figures rounded once (docs/value.md; issue "credible figures").

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::NaiveDate;
use valuereport::batch::{report_pdf, ReportError, ReportOptions};
use valuereport::content::catalog::Catalogs;
use valuereport::content::report::{build, Edition, Element, ReportInput};
use valuereport::load::load_customer;
use valuereport::model::{Customer, Settings};
use valuereport::quarter::Quarter;
use valuereport::render::pdf::Paper;
use valuereport::value::{compute, GoalStatus};

mod support;

use support::files::{copy_dir, pdf_text};

const BIN: &str = env!("CARGO_BIN_EXE_valuereport");

fn sample_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data")
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().expect("binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Removes the metrics.csv rows whose date starts with any of `prefixes` (a late export).
fn drop_rows(metrics: &Path, prefixes: &[&str]) {
    let kept: Vec<String> = fs::read_to_string(metrics)
        .unwrap()
        .lines()
        .filter(|line| !prefixes.iter().any(|p| line.starts_with(p)))
        .map(str::to_string)
        .collect();
    fs::write(metrics, kept.join("\n") + "\n").unwrap();
}

fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

const ACCOUNT_HEADER: &str = "customer_id,customer_name,renewal_date,annual_investment,currency,locale,contract_start,segment,industry,csm_name,csm_email,executive_sponsor";
const GOALS_HEADER: &str =
    "goal_id,title,metric,category,unit,direction,baseline,target,per,value_per_unit,volume,baseline_source,owner";

/// Writes a customer folder from CSV bodies (headers added here).
fn write_customer(dir: &Path, account: &str, goals: &[&str], metrics: &[&str], opportunities: &[&str]) {
    fs::create_dir_all(dir).unwrap();
    fs::write(dir.join("account.csv"), format!("{ACCOUNT_HEADER}\n{account}\n")).unwrap();
    fs::write(dir.join("goals.csv"), format!("{GOALS_HEADER}\n{}\n", goals.join("\n"))).unwrap();
    fs::write(dir.join("metrics.csv"), format!("date,metric,value\n{}\n", metrics.join("\n"))).unwrap();
    if !opportunities.is_empty() {
        fs::write(
            dir.join("opportunities.csv"),
            format!(
                "opportunity_id,title,description,category,annual_value,confidence,assumption,start_date\n{}\n",
                opportunities.join("\n")
            ),
        )
        .unwrap();
    }
}

fn q(text: &str) -> Quarter {
    text.parse().unwrap()
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn options<'a>(settings: &'a Settings, catalogs: &'a Catalogs, edition: Edition) -> ReportOptions<'a> {
    ReportOptions {
        settings,
        catalogs,
        quarter: q("2026-Q3"),
        as_of: as_of(),
        edition,
        paper: Paper::A4,
        renewal: None,
        locale: None,
        allow_stale: false,
        pdf_standard: Default::default(),
    }
}

// ---- Stale exports ------------------------------------------------------------------------------

#[test]
fn a_stale_customer_gets_no_report_and_the_others_do() {
    let work = tempfile::tempdir().unwrap();
    let input = work.path().join("input");
    copy_dir(&sample_data(), &input);
    // Acme's September export has not arrived: no goal data for 2026-Q3 at all.
    drop_rows(&input.join("amer/acme-logistics/metrics.csv"), &["2026-07", "2026-08", "2026-09"]);
    let out = work.path().join("out");
    let output = run(&["run", input.to_str().unwrap(), "--out", out.to_str().unwrap(), "--as-of", "2026-11-22"]);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains(
            "acme-logistics: no goal data for 2026-Q3 yet (latest 2026-Q2): the export may be late; nothing written"
        ),
        "{stderr}"
    );
    assert!(!out.join("2026-Q3/acme-logistics").exists(), "no PDF for the stale customer");
    let customers = fs::read_dir(&input).unwrap().count();
    assert!(customers > 1);
    let written: Vec<_> = fs::read_dir(out.join("2026-Q3")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(written.len() >= 7, "the other customers are written: {written:?}");
    assert!(stdout.contains("2 failed"), "both editions count as failed: {stdout}");

    // Deliberately, with --allow-stale: written, and page 1 says how far the figures run.
    let output = run(&[
        "run",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--as-of",
        "2026-11-22",
        "--allow-stale",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let pdf = fs::read(out.join("2026-Q3/acme-logistics/acme-logistics-2026-Q3-executive.pdf")).unwrap();
    let pages = pdf_text(&pdf);
    assert!(
        pages[0].contains(&squash("Figures run through Q2 2026: no goal data for Q3 2026 had arrived")),
        "{}",
        pages[0]
    );
}

#[test]
fn report_and_renewals_refuse_a_stale_customer_too() {
    let work = tempfile::tempdir().unwrap();
    let input = work.path().join("input");
    copy_dir(&sample_data(), &input);
    let brightpath = input.join("amer/brightpath-health");
    drop_rows(&brightpath.join("metrics.csv"), &["2026-07", "2026-08", "2026-09"]);

    let file = work.path().join("one.pdf");
    let output =
        run(&["report", brightpath.to_str().unwrap(), "--as-of", "2026-11-22", "--out", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("brightpath.health: no goal data for 2026-Q3 yet (latest 2026-Q2)"));
    assert!(!file.exists());
    let output = run(&[
        "report",
        brightpath.to_str().unwrap(),
        "--as-of",
        "2026-11-22",
        "--out",
        file.to_str().unwrap(),
        "--allow-stale",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(file.exists());

    // BrightPath renews on 2027-01-06: its T-60 package is due on 2026-11-07 (report quarter 2026-Q3).
    let out = work.path().join("renewals-out");
    let output = run(&["renewals", input.to_str().unwrap(), "--out", out.to_str().unwrap(), "--as-of", "2026-11-07"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stdout));
    assert!(
        text(&output.stderr).contains("brightpath.health: no goal data for 2026-Q3 yet"),
        "{}",
        text(&output.stderr)
    );
    assert!(!out.join("renewals/brightpath.health").exists(), "no package on stale data");
}

#[test]
fn explain_json_states_freshness() {
    let output = run(&["explain", "sample-data/apac/minato-shoji", "--quarter", "2026-Q4", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    // Minato's export has October rows: 2026-Q4 has data, though only one month of it.
    assert_eq!(json["data_through"], "2026-Q4");
    assert_eq!(json["stale"], false);
    let output = run(&["explain", "sample-data/amer/brightpath-health", "--quarter", "2026-Q4", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!((json["data_through"].as_str(), json["stale"].as_bool()), (Some("2026-Q3"), Some(true)));
    let table = text(&run(&["explain", "sample-data/amer/brightpath-health", "--quarter", "2026-Q4"]).stdout);
    assert!(table.contains("STALE: no goal data for 2026-Q4 yet (latest 2026-Q3)"), "{table}");
}

// ---- A new customer: one quarter of data --------------------------------------------------------

fn new_customer(dir: &Path) -> Customer {
    // $61,158 in the first quarter of a $75,000-a-year contract: G1 60,663 + G2 495.
    write_customer(
        dir,
        "nova-freight,Nova Freight,2027-06-30,75000,USD,en,,,,Sam Lee,sam.lee@example.com,",
        &[
            "G1,Recover revenue from late shipments,recovered_revenue,revenue,USD,up,0,,quarter,1,,measured,",
            "G2,Cut rework from 10 to 5 hours a week,rework_hours,time_savings,hours,down,10,5,quarter,100,,measured,",
        ],
        &["2026-08-15,recovered_revenue,60663", "2026-08-15,rework_hours,5.05"],
        &[],
    );
    load_customer(dir).unwrap()
}

#[test]
fn a_one_quarter_customer_gets_pro_rated_roi_a_single_quarter_label_and_too_early_to_tell() {
    let work = tempfile::tempdir().unwrap();
    let customer = new_customer(&work.path().join("nova"));
    let summary = compute(&customer, q("2026-Q3")).unwrap();
    assert_eq!(summary.ttm.value.to_string(), "61158.00");
    assert_eq!(summary.ttm.investment_share.to_string(), "18750.00");
    assert_eq!(summary.ttm.payback_months.map(|m| m.to_string()).as_deref(), Some("3.68"));
    assert_eq!(summary.goals[1].status, GoalStatus::TooEarly, "99% of the way with one point");

    let (settings, catalogs) = (Settings::default(), Catalogs::built_in());
    for edition in [Edition::Executive, Edition::Team] {
        let pdf = report_pdf(&customer, &options(&settings, &catalogs, edition)).unwrap();
        let all = pdf_text(&pdf.bytes).concat();
        let name = edition.as_str();
        assert!(all.contains(&squash("VALUE DELIVERED · Q3 2026")), "{name}: {all}");
        assert!(!all.contains(&squash("Q3 2026–Q3 2026")), "{name}: a single quarter is not a range");
        assert!(
            all.contains(&squash(
                "ROI over the 1 quarter measured: 326.2%, $61,158.00 on $18,750.00, the quarter's share of the $75,000.00 annual investment"
            )),
            "{name}: {all}"
        );
        assert!(all.contains(&squash("pays for itself in 3.68 months")), "{name}");
        assert!(!all.contains("81.5%") && !all.contains("14.72"), "{name}: never the unprorated figures");
        assert!(all.contains(&squash("Too early to tell")), "{name}: status");
        assert!(!all.contains(&squash("Behind plan")), "{name}: one point is no trend");
        // The ROI table shows the share it divides by.
        assert!(all.contains(&squash("Investment for the period")), "{name}");
        assert!(all.contains(&squash("annual investment × 1 ÷ 4")), "{name}");
    }
}

#[test]
fn a_contract_that_started_before_the_data_counts_the_quarters_paid_for() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("nova");
    new_customer(&dir);
    let account = fs::read_to_string(dir.join("account.csv")).unwrap().replace(",USD,en,,", ",USD,en,2026-02-01,");
    fs::write(dir.join("account.csv"), account).unwrap();
    let customer = load_customer(&dir).unwrap();
    let summary = compute(&customer, q("2026-Q3")).unwrap();
    assert_eq!((summary.ttm.quarters, summary.ttm.first_quarter), (3, q("2026-Q1")));
    assert_eq!(summary.ttm.investment_share.to_string(), "56250.00");
    assert_eq!(summary.quarters.len(), 1, "the quarters listed still start with the first observation");
    let (settings, catalogs) = (Settings::default(), Catalogs::built_in());
    let pdf = report_pdf(&customer, &options(&settings, &catalogs, Edition::Team)).unwrap();
    let all = pdf_text(&pdf.bytes).concat();
    assert!(all.contains(&squash("VALUE DELIVERED · Q1 2026–Q3 2026")), "{all}");
    assert!(all.contains(&squash("The period starts in Q1 2026, when the contract started (Feb 1, 2026)")), "{all}");
}

// ---- A declining customer: projections carry the decline forward -------------------------------

#[test]
fn brightpath_projections_fall_below_its_latest_quarter() {
    let output = run(&["explain", "sample-data/amer/brightpath-health", "--as-of", "2026-11-22", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let latest: f64 = json["quarters"].as_array().unwrap().last().unwrap()["total"].as_str().unwrap().parse().unwrap();
    let projection = json["projection"].as_array().unwrap();
    let figures: Vec<(&str, &str)> =
        projection.iter().map(|p| (p["conservative"].as_str().unwrap(), p["expected"].as_str().unwrap())).collect();
    // docs/value.md, worked example.
    assert_eq!(
        figures,
        [("7069.20", "9556.53"), ("1493.70", "6442.63"), ("-3845.80", "3564.72"), ("-3845.80", "6026.31")]
    );
    for (conservative, expected) in figures {
        let (c, e): (f64, f64) = (conservative.parse().unwrap(), expected.parse().unwrap());
        assert!(c <= e && e < latest, "both below the latest quarter's {latest}: {c} {e}");
    }
}

// ---- Every goal regressed ----------------------------------------------------------------------

fn regressed_customer(dir: &Path) -> Customer {
    // Four goals, each worse than its baseline; G4 loses the most (−38,376 a quarter). An
    // expansion opportunity is worth more than any single loss.
    write_customer(
        dir,
        "fallow-co,Fallow Co,2027-06-30,50000,USD,en,2025-01-01,,,Ann Chu,ann@example.com,",
        &[
            "G1,Cut ticket backlog,backlog,quality,tickets,down,100,80,month,10,,measured,Jo",
            "G2,Faster invoicing,invoice_days,time_savings,days,down,20,10,month,50,,measured,Jo",
            "G3,More demos booked,demos,revenue,demos,up,40,60,month,100,,measured,Jo",
            "G4,Lower churn rate,churn_pct,revenue,percent,down,2,1.5,year,3198000,1,measured,Kim",
        ],
        &[
            "2026-05-15,backlog,104",
            "2026-05-15,invoice_days,21",
            "2026-05-15,demos,38",
            "2026-05-15,churn_pct,2.5",
            "2026-08-15,backlog,105",
            "2026-08-15,invoice_days,22",
            "2026-08-15,demos,36",
            "2026-08-15,churn_pct,6.8",
        ],
        &["O1,Add the analytics module,,revenue,2000000,0.9,Upsell,2027-01-01"],
    );
    load_customer(dir).unwrap()
}

fn content(customer: &Customer, edition: Edition) -> Vec<valuereport::content::report::Section> {
    let summary = compute(customer, q("2026-Q3")).unwrap();
    let catalogs = Catalogs::built_in();
    let settings = Settings::default();
    build(&ReportInput {
        customer,
        summary: &summary,
        settings: &settings,
        as_of: as_of(),
        edition,
        catalog: catalogs.get(customer.account.locale),
        locale: customer.account.locale,
        renewal: None,
    })
    .unwrap()
    .sections
}

#[test]
fn every_goal_regressed_leads_with_the_largest_loss_and_recovery() {
    let work = tempfile::tempdir().unwrap();
    let customer = regressed_customer(&work.path().join("fallow"));
    let summary = compute(&customer, q("2026-Q3")).unwrap();
    let values: Vec<String> = summary.goals.iter().map(|g| g.quarter_value.to_string()).collect();
    // G4: (2 − 6.8) × 3,198,000 × 0.01 × 0.25 = −38,376.
    assert_eq!(values, ["-150.00", "-300.00", "-1200.00", "-38376.00"]);

    for edition in [Edition::Executive, Edition::Team] {
        let sections = content(&customer, edition);
        let summary_section = &sections[0].elements;
        let cards = summary_section
            .iter()
            .find_map(|e| if let Element::Kpis(cards) = e { Some(cards.clone()) } else { None })
            .unwrap();
        let labels: Vec<&str> = cards.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, ["Lower churn rate", "More demos booked", "Faster invoicing"], "largest losses first");
        assert_eq!(cards[0].value, "-$38,376");
        let narrative = summary_section
            .iter()
            .find_map(|e| if let Element::Paragraph(p) = e { Some(p.clone()) } else { None })
            .unwrap();
        assert!(
            narrative.contains(
                "In Q3 2026 it was 6.8%, 240% worse than its baseline, which cost $38,376.00 in the quarter."
            ),
            "{narrative}"
        );
        assert!(!narrative.contains("improvement of -"), "{narrative}");

        let recommendations: Vec<String> = sections[5]
            .elements
            .iter()
            .filter_map(|e| if let Element::ListItem { label, text } = e { Some(format!("{label} {text}")) } else { None })
            .collect();
        assert!(recommendations[0].starts_with("1. Corrective action for “Lower churn rate”"), "{recommendations:?}");
        let expansion = recommendations.iter().position(|r| r.contains("Expansion:"));
        let last_corrective = recommendations.iter().rposition(|r| r.contains("Corrective action"));
        if let Some(expansion) = expansion {
            assert!(expansion > last_corrective.unwrap(), "recovery before expansion: {recommendations:?}");
        }
    }
}

// ---- Rounded once -------------------------------------------------------------------------------

#[test]
fn displayed_percentages_are_rounded_once_from_the_exact_value() {
    // TTM value 3,474.46 on 1,000: ROI 347.446%. The JSON says 347.45 (2 places); the page must
    // say 347.4% (rounded once), never 347.5% (347.45 rounded again).
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("once");
    write_customer(
        &dir,
        "once-co,Once Co,2027-06-30,1000,USD,en,,,,,,",
        &["G1,Recovered revenue,recovered,revenue,USD,up,0,,quarter,1,,measured,"],
        &[
            "2025-11-15,recovered,868.61",
            "2026-02-15,recovered,868.62",
            "2026-05-15,recovered,868.61",
            "2026-08-15,recovered,868.62",
        ],
        &[],
    );
    let customer = load_customer(&dir).unwrap();
    let summary = compute(&customer, q("2026-Q3")).unwrap();
    assert_eq!(summary.ttm.roi_pct.to_string(), "347.45");
    let (settings, catalogs) = (Settings::default(), Catalogs::built_in());
    let pdf = report_pdf(&customer, &options(&settings, &catalogs, Edition::Team)).unwrap();
    let all = pdf_text(&pdf.bytes).concat();
    assert!(all.contains("347.4%"), "{all}");
    assert!(!all.contains("347.5%"), "rounded twice");
    assert!(all.contains("247.4%"), "net ROI rounded once too");
}

#[test]
fn the_library_refuses_a_stale_customer_unless_allowed() {
    let work = tempfile::tempdir().unwrap();
    let customer = new_customer(&work.path().join("nova"));
    let (settings, catalogs) = (Settings::default(), Catalogs::built_in());
    let mut late = options(&settings, &catalogs, Edition::Executive);
    late.quarter = q("2026-Q4");
    match report_pdf(&customer, &late) {
        Err(ReportError::Stale { data_through, .. }) => assert_eq!(data_through, Some(q("2026-Q3"))),
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("a stale report was written"),
    }
    late.allow_stale = true;
    assert!(report_pdf(&customer, &late).is_ok());
}
