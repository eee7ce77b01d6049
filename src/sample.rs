//! Synthetic customers for benchmarks and for users trying the tool (`valuereport sample`).
//!
//! Deterministic for a seed: the same seed and count give byte-identical folders. Customers cover
//! every category, `per`, locale and currency of the samples, 4–8 quarters of monthly history, goals
//! that improve, stall or regress, a quarter with no data now and then, stories and opportunities.

use std::fmt::Write as _;
use std::path::Path;

use chrono::{Datelike, Months, NaiveDate};

use crate::batch::output::write_atomically;

/// xorshift64*: small, fast, and stable across versions (so a seed always means the same data).
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// Uniform in [low, high).
    fn range(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

struct Language {
    locale: &'static str,
    currency: &'static str,
    rate: f64,
    companies: &'static [&'static str],
    people: &'static [&'static str],
    goals: &'static [GoalKind],
    story: &'static [&'static str],
    quote: &'static str,
}

/// A goal template: title, metric, category, unit, direction, per, baseline range, value per unit (USD).
struct GoalKind {
    title: &'static str,
    metric: &'static str,
    category: &'static str,
    unit: &'static str,
    down: bool,
    per: &'static str,
    baseline: (f64, f64),
    value_per_unit: f64,
    volume: f64,
}

const fn g(
    title: &'static str,
    metric: &'static str,
    category: &'static str,
    unit: &'static str,
    down: bool,
    per: &'static str,
    baseline: (f64, f64),
    value_per_unit: f64,
    volume: f64,
) -> GoalKind {
    GoalKind { title, metric, category, unit, down, per, baseline, value_per_unit, volume }
}

const EN_GOALS: &[GoalKind] = &[
    g(
        "Cut monthly reporting time",
        "reporting_hours_per_month",
        "time_savings",
        "hours",
        true,
        "month",
        (30.0, 60.0),
        75.0,
        1.0,
    ),
    g(
        "Reduce order error rate",
        "order_error_rate_pct",
        "quality",
        "percent",
        true,
        "month",
        (3.0, 8.0),
        200.0,
        1000.0,
    ),
    g(
        "Retire legacy reporting tools",
        "tool_spend_usd",
        "cost_savings",
        "USD",
        true,
        "year",
        (20000.0, 60000.0),
        1.0,
        1.0,
    ),
    g("Raise win rate", "win_rate_pct", "revenue", "percent", false, "quarter", (15.0, 25.0), 50000.0, 25.0),
    g(
        "Lower compliance incident probability",
        "incident_probability_pct",
        "risk",
        "percent",
        true,
        "year",
        (5.0, 12.0),
        50000.0,
        1.0,
    ),
    g(
        "More proposals per rep",
        "proposals_per_rep",
        "productivity",
        "proposals",
        false,
        "week",
        (4.0, 8.0),
        40.0,
        12.0,
    ),
];

const ES_GOALS: &[GoalKind] = &[
    g(
        "Reducir el tiempo de reporte mensual",
        "horas_reporte_mes",
        "time_savings",
        "horas",
        true,
        "month",
        (30.0, 60.0),
        55.0,
        1.0,
    ),
    g(
        "Reducir los errores en pedidos",
        "errores_pedidos_pct",
        "quality",
        "%",
        true,
        "month",
        (3.0, 8.0),
        150.0,
        1000.0,
    ),
    g(
        "Reducir el coste de licencias",
        "coste_licencias",
        "cost_savings",
        "EUR",
        true,
        "year",
        (15000.0, 50000.0),
        1.0,
        1.0,
    ),
    g(
        "Mejorar la tasa de cierre del Pipeline",
        "tasa_cierre_pct",
        "revenue",
        "percent",
        false,
        "quarter",
        (15.0, 25.0),
        30000.0,
        20.0,
    ),
    g("Reducir el Churn de clientes", "churn_pct", "risk", "percent", true, "year", (8.0, 15.0), 200000.0, 1.0),
    g(
        "Más propuestas por comercial",
        "propuestas_comercial",
        "productivity",
        "propuestas",
        false,
        "week",
        (4.0, 8.0),
        30.0,
        10.0,
    ),
];

const MS_GOALS: &[GoalKind] = &[
    g(
        "Mengurangkan masa laporan bulanan",
        "jam_laporan_bulanan",
        "time_savings",
        "jam",
        true,
        "month",
        (30.0, 60.0),
        85.0,
        1.0,
    ),
    g(
        "Mengurangkan kadar ralat penghantaran",
        "kadar_ralat_pct",
        "quality",
        "percent",
        true,
        "month",
        (3.0, 8.0),
        90.0,
        3000.0,
    ),
    g("Mengurangkan kos perisian", "kos_perisian", "cost_savings", "MYR", true, "year", (40000.0, 120000.0), 1.0, 1.0),
    g(
        "Meningkatkan kadar kemenangan",
        "kadar_menang_pct",
        "revenue",
        "percent",
        false,
        "quarter",
        (15.0, 25.0),
        90000.0,
        10.0,
    ),
    g("Mengurangkan risiko audit", "risiko_audit_pct", "risk", "percent", true, "year", (5.0, 12.0), 150000.0, 1.0),
    g(
        "Penghantaran per pemandu",
        "penghantaran_pemandu",
        "productivity",
        "penghantaran",
        false,
        "month",
        (150.0, 220.0),
        12.0,
        14.0,
    ),
];

const JA_GOALS: &[GoalKind] = &[
    g(
        "月次レポート作成時間の削減",
        "月次レポート時間",
        "time_savings",
        "時間",
        true,
        "month",
        (30.0, 60.0),
        4500.0,
        1.0,
    ),
    g("不良率の削減", "不良率", "quality", "percent", true, "month", (2.0, 5.0), 9000.0, 2000.0),
    g("ライセンス費用の削減", "ライセンス費用", "cost_savings", "円", true, "year", (2000000.0, 6000000.0), 1.0, 1.0),
    g("受注率の向上", "受注率", "revenue", "percent", false, "quarter", (15.0, 25.0), 3000000.0, 8.0),
    g("設備停止リスクの低減", "停止確率", "risk", "percent", true, "year", (5.0, 12.0), 20000000.0, 1.0),
    g("技術者1人あたりの見積件数", "見積件数", "productivity", "件", false, "week", (3.0, 6.0), 8000.0, 10.0),
];

const LANGUAGES: &[Language] = &[
    Language {
        locale: "en",
        currency: "USD",
        rate: 1.0,
        companies: &["Acme", "Northstar", "Bluefin", "Cobalt", "Harbor", "Summit", "Pioneer", "Keystone"],
        people: &["Dana Ruiz", "Tom Becker", "Priya Shah", "Luis Ortega", "Emma Clarke", "Noah Patel"],
        goals: EN_GOALS,
        story: &["Rollout completed in every region", "Legacy tool retired", "Quarterly target met early"],
        quote: "Month-end is an afternoon now, and the numbers are right the first time.",
    },
    Language {
        locale: "es",
        currency: "EUR",
        rate: 0.92,
        companies: &["Distribuciones Norte", "Grupo Levante", "Logística Ibérica", "Alimentos del Sur"],
        people: &["Carmen Vidal", "Javier Echeverría", "Lucía Romero", "Andrés Molina"],
        goals: ES_GOALS,
        story: &["Despliegue completado en todas las sedes", "Eliminadas tres herramientas manuales"],
        quote: "Antes el cierre del mes nos llevaba una semana entera; ahora lo tenemos en dos días.",
    },
    Language {
        locale: "ms",
        currency: "MYR",
        rate: 4.6,
        companies: &["Sinar Logistik", "Maju Jaya", "Teras Niaga", "Bumi Sentosa"],
        people: &["Hafiz Ismail", "Nurul Huda", "Tan Wei Ming", "Siti Aminah"],
        goals: MS_GOALS,
        story: &["Pelancaran di semua cawangan selesai", "Sistem lama ditamatkan"],
        quote: "Laporan bulanan yang dahulu memakan masa seminggu kini siap dalam dua hari.",
    },
    Language {
        locale: "ja",
        currency: "JPY",
        rate: 150.0,
        companies: &["株式会社さくら精密", "港商事株式会社", "株式会社みどり工業", "北斗物流株式会社"],
        people: &["山田 恵子", "鈴木 一郎", "中村 美咲", "高橋 誠"],
        goals: JA_GOALS,
        story: &["全拠点への展開が完了", "旧システムを廃止"],
        quote: "以前は月初の1週間がレポート作成で終わっていましたが、今は半日で終わります。",
    },
];

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn round(value: f64, places: i32) -> f64 {
    let factor = 10f64.powi(places);
    (value * factor).round() / factor
}

/// Writes `count` customers under `out/<region>/<id>/` and a `valuereport.toml`, for reports as of
/// `as_of` (history ends in the quarter before). Returns the customer ids.
pub fn generate(out: &Path, count: usize, seed: u64, as_of: NaiveDate) -> std::io::Result<Vec<String>> {
    let mut rng = Rng::new(seed);
    write_atomically(
        &out.join("valuereport.toml"),
        b"vendor_name = \"Northwind Analytics\"\nbrand_color = \"#1F4E79\"\n",
    )?;
    let history_end = crate::quarter::Quarter::last_ended_on_or_before(as_of);
    let mut ids = Vec::with_capacity(count);
    for index in 0..count {
        let language = &LANGUAGES[index % LANGUAGES.len()];
        let id = format!("cust-{index:06}");
        let region = ["amer", "emea", "apac"][index % 3];
        let dir = out.join(region).join(&id);
        let company = format!("{} {}", rng.pick(language.companies), index);
        let quarters = 4 + rng.below(5) as u32; // 4–8 quarters
        let first = crate::quarter::Quarter::from_ordinal(history_end.ordinal() - i64::from(quarters) + 1);
        let months = quarters * 3;
        let start = first.first_day();
        let renewal = as_of + chrono::Duration::days(rng.below(365) as i64 + 1);
        let goal_count = 3 + rng.below(3) as usize; // 3–5
        let mut goal_indexes: Vec<usize> = (0..language.goals.len()).collect();
        // Deterministic shuffle.
        for i in (1..goal_indexes.len()).rev() {
            goal_indexes.swap(i, rng.below(i as u64 + 1) as usize);
        }
        goal_indexes.truncate(goal_count);

        let mut annual_value = 0.0;
        let mut goals = String::from(
            "goal_id,title,metric,category,unit,direction,baseline,target,per,value_per_unit,volume,baseline_source,owner\n",
        );
        let mut metrics = String::from("date,metric,value\n");
        for (n, &gi) in goal_indexes.iter().enumerate() {
            let kind = &language.goals[gi];
            let baseline = round(rng.range(kind.baseline.0, kind.baseline.1), 1);
            // Most goals improve 20–60%; one in seven regresses.
            let regress = rng.below(7) == 0;
            let change = if regress { -rng.range(0.05, 0.2) } else { rng.range(0.2, 0.6) };
            let improve =
                |fraction: f64| if kind.down { baseline * (1.0 - fraction) } else { baseline * (1.0 + fraction) };
            let target = if rng.below(6) == 0 { String::new() } else { format!("{}", round(improve(0.5), 1)) };
            let vpu = round(kind.value_per_unit * if language.currency == "USD" { 1.0 } else { language.rate }, 2);
            let source = *rng.pick(&["measured", "estimated", "benchmark"]);
            let owner = rng.pick(language.people);
            let _ = writeln!(
                goals,
                "G{},{},{},{},{},{},{},{},{},{},{},{},{}",
                n + 1,
                csv_field(kind.title),
                csv_field(kind.metric),
                kind.category,
                csv_field(kind.unit),
                if kind.down { "down" } else { "up" },
                baseline,
                target,
                kind.per,
                vpu,
                kind.volume,
                source,
                csv_field(owner)
            );
            let gap_quarter =
                if rng.below(5) == 0 { Some(1 + rng.below(u64::from(quarters) - 1) as u32) } else { None };
            for month in 0..months {
                if gap_quarter == Some(month / 3) {
                    continue;
                }
                let progress = f64::from(month + 1) / f64::from(months);
                let noise = rng.range(-0.03, 0.03);
                let value = improve(change * progress + noise);
                let date = start.checked_add_months(Months::new(month)).expect("a month").with_day(28).expect("day 28");
                let _ = writeln!(metrics, "{date},{},{}", csv_field(kind.metric), round(value.max(0.0), 2));
            }
            annual_value += (change.abs() * baseline * kind.volume * vpu).abs();
        }
        for (metric, base) in [("active_users", 40.0), ("weekly_logins", 300.0), ("dashboards_created", 10.0)] {
            let level = base * rng.range(0.5, 2.0);
            for month in 0..months {
                let date = start.checked_add_months(Months::new(month)).expect("a month").with_day(15).expect("day 15");
                let value = level * (1.0 + 0.03 * f64::from(month)) * rng.range(0.9, 1.1);
                let _ = writeln!(metrics, "{date},{metric},{}", round(value, 0));
            }
        }
        // Price the subscription so ROI lands between ~60% and ~450%.
        let investment = round((annual_value / rng.range(0.6, 4.5)).max(1000.0), 0);
        let sponsor = format!("{}, CFO", rng.pick(language.people));
        let csm = *rng.pick(&["Maria Lopez", "James Carter", "Aisyah Rahman", "Kenji Sato"]);
        let account = format!(
            "customer_id,customer_name,renewal_date,annual_investment,currency,locale,contract_start,segment,industry,csm_name,csm_email,executive_sponsor\n\
             {id},{},{renewal},{investment},{},{},{},{},{},{csm},{}@northwind.example,{}\n",
            csv_field(&company),
            language.currency,
            language.locale,
            start,
            rng.pick(&["Enterprise", "Mid-Market", "SMB"]),
            rng.pick(&["Logistics", "Manufacturing", "Finance", "Retail"]),
            csm.to_lowercase().replace(' ', "."),
            csv_field(&sponsor)
        );
        let mut stories = String::from("date,type,title,detail,person,role,amount\n");
        for s in 0..(2 + rng.below(4)) {
            let date = history_end.first_day() - chrono::Duration::days((s * 37 + rng.below(30)) as i64);
            let person = rng.pick(language.people);
            if s == 1 {
                let _ = writeln!(
                    stories,
                    "{date},quote,{},{},{},CFO,",
                    csv_field(language.story[0]),
                    csv_field(language.quote),
                    csv_field(person)
                );
            } else {
                let amount = round(rng.range(5000.0, 200000.0) * language.rate, 0);
                let title = rng.pick(language.story);
                let _ = writeln!(
                    stories,
                    "{date},win,{},{},{},Director,{amount}",
                    csv_field(title),
                    csv_field(title),
                    csv_field(person)
                );
            }
        }
        let mut opportunities =
            String::from("opportunity_id,title,description,category,annual_value,confidence,assumption,start_date\n");
        for o in 0..rng.below(3) {
            let value = round(rng.range(10000.0, 150000.0) * language.rate, 0);
            let confidence = round(rng.range(0.2, 0.8), 2);
            let _ = writeln!(
                opportunities,
                "O{},{},{},{},{value},{confidence},{},{}",
                o + 1,
                csv_field(language.goals[o as usize].title),
                csv_field(language.story[0]),
                language.goals[o as usize].category,
                csv_field(language.goals[o as usize].title),
                as_of.checked_add_months(Months::new(3)).expect("a date")
            );
        }
        write_atomically(&dir.join("account.csv"), account.as_bytes())?;
        write_atomically(&dir.join("goals.csv"), goals.as_bytes())?;
        write_atomically(&dir.join("metrics.csv"), metrics.as_bytes())?;
        write_atomically(&dir.join("stories.csv"), stories.as_bytes())?;
        write_atomically(&dir.join("opportunities.csv"), opportunities.as_bytes())?;
        ids.push(id);
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_customers_are_valid_deterministic_and_varied() {
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let ids = generate(a.path(), 12, 7, as_of).unwrap();
        generate(b.path(), 12, 7, as_of).unwrap();
        assert_eq!(ids.len(), 12);
        let loaded = crate::batch::load_input(a.path()).unwrap();
        assert_eq!(loaded.customers.len(), 12);
        let mut locales = std::collections::BTreeSet::new();
        let mut categories = std::collections::BTreeSet::new();
        for (dir, customer) in &loaded.customers {
            let customer = customer.as_ref().unwrap_or_else(|e| panic!("{}: {e:?}", dir.display()));
            locales.insert(customer.account.locale);
            categories.extend(customer.goals.iter().map(|g| g.category));
            crate::value::compute(customer, crate::quarter::Quarter::last_ended_on_or_before(as_of)).unwrap();
            // Same seed, same bytes.
            let relative = dir.strip_prefix(a.path()).unwrap();
            for file in ["account.csv", "goals.csv", "metrics.csv", "stories.csv", "opportunities.csv"] {
                assert_eq!(
                    std::fs::read(dir.join(file)).unwrap(),
                    std::fs::read(b.path().join(relative).join(file)).unwrap()
                );
            }
        }
        assert_eq!(locales.len(), 4);
        assert!(categories.len() >= 5, "{categories:?}");
        let other = tempfile::tempdir().unwrap();
        generate(other.path(), 12, 8, as_of).unwrap();
        let first = |root: &Path| std::fs::read(root.join("amer").join(&ids[0]).join("goals.csv")).ok();
        assert_ne!(first(a.path()), first(other.path()), "another seed, other data");
    }
}
