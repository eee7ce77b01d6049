//! A whole customer folder from arbitrary bytes: the input is split at `SEPARATOR` into account,
//! goals, metrics, stories and opportunities (a missing part is a missing file), written to a
//! folder, loaded, computed for a few report quarters and explained. Never panics, and what is
//! computed adds up: quarter totals are the sums of their goals and categories, TTM the sum of its
//! quarters, and expected actuals never pass the target nor fall behind the latest actual.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;
use valuereport::explain;
use valuereport::load::{load_customer, FileKind};
use valuereport::model::Direction;
use valuereport::quarter::Quarter;
use valuereport::value::{compute, TTM_QUARTERS};

const SEPARATOR: &[u8] = b"\n--8<--\n";

fn folder() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base =
            if std::path::Path::new("/dev/shm").is_dir() { PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
        let dir = base.join(format!("valuereport-fuzz-{}", std::process::id())).join("customer");
        std::fs::create_dir_all(&dir).unwrap();
        dir
    })
}

fn split(data: &[u8]) -> Vec<&[u8]> {
    let mut parts = Vec::new();
    let mut rest = data;
    while let Some(at) = rest.windows(SEPARATOR.len()).position(|w| w == SEPARATOR) {
        parts.push(&rest[..at]);
        rest = &rest[at + SEPARATOR.len()..];
    }
    parts.push(rest);
    parts
}

fuzz_target!(|data: &[u8]| {
    let dir = folder();
    let parts = split(data);
    for (index, kind) in FileKind::ALL.into_iter().enumerate() {
        let path = dir.join(kind.file_name());
        match parts.get(index) {
            Some(bytes) => std::fs::write(&path, bytes).unwrap(),
            None => {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    let customer = match load_customer(dir) {
        Ok(customer) => customer,
        Err(errors) => {
            assert!(!errors.is_empty());
            for error in &errors {
                assert!(error.file.starts_with(dir), "{error}");
                assert!(!error.to_string().is_empty());
            }
            return;
        }
    };
    let latest = customer.observations.iter().map(|o| Quarter::containing(o.date)).max();
    let quarters = ["2026-Q3".parse::<Quarter>().unwrap()].into_iter().chain(latest);
    for quarter in quarters {
        let Ok(summary) = compute(&customer, quarter) else { continue };
        for q in &summary.quarters {
            let by_goal: Decimal = q.by_goal.0.iter().map(|(_, g)| g.value).sum();
            let by_category: Decimal = q.by_category.values().copied().sum();
            assert_eq!(q.total, by_goal, "{quarter}: total of {}", q.quarter);
            assert_eq!(q.total, by_category, "{quarter}: categories of {}", q.quarter);
        }
        let window: Vec<_> = summary.quarters.iter().filter(|q| q.quarter >= summary.ttm.first_quarter).collect();
        assert!((1..=TTM_QUARTERS as u32).contains(&summary.ttm.quarters));
        assert_eq!(summary.ttm.value, window.iter().map(|q| q.total).sum::<Decimal>());
        for projected in &summary.projection {
            assert!(projected.conservative <= projected.expected, "{}: conservative above expected", projected.quarter);
        }
        for (goal, goal_summary) in customer.goals.iter().zip(&summary.goals) {
            let Some(latest) = goal_summary.latest else { continue };
            for projected in &summary.projection {
                let Some(Some(expected)) = projected.expected_actual.get(&goal.goal_id).copied() else { continue };
                // docs/value.md, "Projection": never beyond the target (unless already there), and
                // never past the baseline for a goal at or better than it.
                let past_target = goal.target.is_some_and(|t| better(goal.direction, expected, t));
                assert!(
                    !past_target || goal.target.is_some_and(|t| !better(goal.direction, t, latest)),
                    "{}: expected {expected} past target {:?}",
                    goal.goal_id,
                    goal.target
                );
                if !better(goal.direction, goal.baseline, latest) {
                    assert!(
                        !better(goal.direction, goal.baseline, expected),
                        "{}: expected {expected} past baseline {}",
                        goal.goal_id,
                        goal.baseline
                    );
                }
            }
        }
        let _ = explain::to_json(&summary);
        let _ = explain::to_table(&customer, &summary);
        let _ = explain::summary_line(&customer, &summary);
    }
});

/// `a` is strictly better than `b` going in `direction`.
fn better(direction: Direction, a: Decimal, b: Decimal) -> bool {
    match direction {
        Direction::Down => a < b,
        Direction::Up => a > b,
    }
}
