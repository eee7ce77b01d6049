//! A renewal is an identity (the customer's contract term), not a date.
//!
//! The ledger (`renewals{}` in the manifests, and the journal) groups a customer's packages by
//! renewal. A renewal's key is the renewal date it had when its first package was produced; each
//! entry also records the renewal date current when that package was produced (`renewal_date`;
//! entries written before this field existed were produced for their key date).
//!
//! When `account.csv` gives a renewal date, it belongs to:
//!
//! 1. the renewal whose key, or any recorded date, is that date; otherwise
//! 2. the renewal whose latest recorded date has not passed (is on or after the as-of date) and is
//!    fewer than `date_tolerance_days` away from it (the closest one): the date **moved** (a CRM
//!    correction, a postponement, an early renewal), and the packages already produced count;
//!    otherwise
//! 3. a **new** renewal, keyed by that date: the date moved by the tolerance or more, or the
//!    previous renewal has passed.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::manifest::LedgerEntry;
use super::plan::Package;

/// package label → entry, for one renewal.
pub type Packages = BTreeMap<String, LedgerEntry>;
/// renewal key → packages, for one customer.
pub type CustomerLedger = BTreeMap<String, Packages>;

fn parse(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// The renewal date an entry was produced for.
pub fn entry_date(key: &str, entry: &LedgerEntry) -> Option<NaiveDate> {
    parse(entry.renewal_date.as_deref().unwrap_or(key))
}

/// The latest renewal date recorded for a renewal: that of its most recently produced package.
pub fn recorded_date(key: &str, packages: &Packages) -> Option<NaiveDate> {
    packages
        .iter()
        .max_by_key(|(label, entry)| (entry.as_of.clone(), Package::parse(label)))
        .and_then(|(_, entry)| entry_date(key, entry))
        .or_else(|| parse(key))
}

/// Which renewal a date belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved<'a> {
    /// The renewal's key in the ledger (the date itself for a new renewal).
    pub key: String,
    /// Packages already produced for this renewal.
    pub packages: Option<&'a Packages>,
    /// Set when the date moved: the latest date recorded for the renewal.
    pub moved_from: Option<NaiveDate>,
    /// Set for a new renewal that replaces one not passed yet (the date moved by the tolerance or
    /// more): that renewal's latest date.
    pub replaces: Option<NaiveDate>,
}

impl Resolved<'_> {
    /// The latest touchpoint produced for this renewal (T-30 is later than T-60, which is later
    /// than T-90), with its entry.
    pub fn latest_produced(&self) -> Option<(Package, &LedgerEntry)> {
        self.packages?.iter().filter_map(|(label, entry)| Some((Package::parse(label)?, entry))).max_by_key(|(p, _)| *p)
    }

    pub fn produced(&self, package: Package) -> Option<&LedgerEntry> {
        self.packages?.get(package.label())
    }
}

/// The renewal that `date` (from `account.csv`) belongs to, as of `as_of`.
pub fn resolve<'a>(
    ledger: Option<&'a CustomerLedger>,
    date: NaiveDate,
    as_of: NaiveDate,
    tolerance_days: u32,
) -> Resolved<'a> {
    let new = |replaces| Resolved { key: date.to_string(), packages: None, moved_from: None, replaces };
    let Some(ledger) = ledger else { return new(None) };
    // 1. The date itself is on record (the latest key first).
    for (key, packages) in ledger.iter().rev() {
        let on_record = parse(key) == Some(date) || packages.values().any(|e| entry_date(key, e) == Some(date));
        if on_record {
            let recorded = recorded_date(key, packages);
            let moved_from = recorded.filter(|r| *r != date);
            return Resolved { key: key.clone(), packages: Some(packages), moved_from, replaces: None };
        }
    }
    // 2. A renewal not passed yet, within the tolerance.
    let tolerance = i64::from(tolerance_days);
    let closest = ledger
        .iter()
        .filter_map(|(key, packages)| Some((key, packages, recorded_date(key, packages)?)))
        .filter(|(_, _, recorded)| *recorded >= as_of)
        .map(|(key, packages, recorded)| ((date - recorded).num_days().abs(), key, packages, recorded))
        .min_by_key(|(distance, key, _, _)| (*distance, std::cmp::Reverse((*key).clone())));
    match closest {
        Some((distance, key, packages, recorded)) if distance < tolerance => {
            Resolved { key: key.clone(), packages: Some(packages), moved_from: Some(recorded), replaces: None }
        }
        Some((_, _, _, recorded)) => new(Some(recorded)),
        None => new(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        parse(s).unwrap()
    }

    fn entry(as_of: &str, renewal_date: Option<&str>) -> LedgerEntry {
        LedgerEntry {
            as_of: as_of.into(),
            report_quarter: "2026-Q3".into(),
            path: "p".into(),
            sha256: "s".into(),
            renewal_date: renewal_date.map(str::to_string),
        }
    }

    fn ledger(entries: &[(&str, &str, LedgerEntry)]) -> CustomerLedger {
        let mut ledger = CustomerLedger::new();
        for (key, package, entry) in entries {
            ledger.entry(key.to_string()).or_default().insert(package.to_string(), entry.clone());
        }
        ledger
    }

    #[test]
    fn a_date_on_record_is_its_renewal() {
        let l = ledger(&[("2027-02-05", "T-90", entry("2026-11-22", None))]);
        let r = resolve(Some(&l), date("2027-02-05"), date("2026-12-01"), 45);
        assert_eq!((r.key.as_str(), r.moved_from, r.replaces), ("2027-02-05", None, None));
        assert!(r.produced(Package::T90).is_some());
        // Without a ledger, or for another customer: a new renewal.
        assert_eq!(resolve(None, date("2027-02-05"), date("2026-12-01"), 45).key, "2027-02-05");
    }

    #[test]
    fn a_move_within_the_tolerance_keeps_the_renewal_and_a_larger_one_starts_a_new_one() {
        let l = ledger(&[
            ("2027-02-05", "T-90", entry("2026-11-22", None)),
            ("2027-02-05", "T-60", entry("2026-12-10", Some("2027-02-05"))),
        ]);
        let as_of = date("2026-12-13");
        let corrected = resolve(Some(&l), date("2027-02-08"), as_of, 45);
        assert_eq!(corrected.key, "2027-02-05");
        assert_eq!(corrected.moved_from, Some(date("2027-02-05")));
        assert_eq!(corrected.latest_produced().map(|(p, e)| (p, e.as_of.as_str())), Some((Package::T60, "2026-12-10")));
        // Earlier, too (an early renewal).
        assert_eq!(resolve(Some(&l), date("2027-01-20"), as_of, 45).key, "2027-02-05");
        // 45 days or more: a new renewal, which says what it replaces.
        let far = resolve(Some(&l), date("2027-03-22"), as_of, 45);
        assert_eq!((far.key.as_str(), far.packages, far.replaces), ("2027-03-22", None, Some(date("2027-02-05"))));
        assert_eq!(resolve(Some(&l), date("2027-02-15"), as_of, 10).key, "2027-02-15", "tolerance from settings");
        // Once the renewal has passed, a new date is a new renewal, however close.
        let next = resolve(Some(&l), date("2027-02-20"), date("2027-02-06"), 45);
        assert_eq!((next.key.as_str(), next.replaces), ("2027-02-20", None));
    }

    #[test]
    fn later_moves_are_measured_from_the_latest_recorded_date() {
        // T-90 for 2027-02-05, then the date moved to 2027-03-10 (33 days) and T-60 was produced for it.
        let l = ledger(&[
            ("2027-02-05", "T-90", entry("2026-11-22", None)),
            ("2027-02-05", "T-60", entry("2027-01-20", Some("2027-03-10"))),
        ]);
        let as_of = date("2027-01-25");
        let r = resolve(Some(&l), date("2027-03-10"), as_of, 45);
        assert_eq!((r.key.as_str(), r.moved_from), ("2027-02-05", None));
        let r = resolve(Some(&l), date("2027-04-10"), as_of, 45);
        assert_eq!((r.key.as_str(), r.moved_from), ("2027-02-05", Some(date("2027-03-10"))));
        // Back to the first date: on record.
        assert_eq!(resolve(Some(&l), date("2027-02-05"), as_of, 45).moved_from, Some(date("2027-03-10")));
    }
}
