//! Which reports a run owes: quarterly editions, renewal packages by window, and shards.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use crate::content::renewal::Touchpoint;
use crate::content::report::Edition;

/// A renewal package (seeds: 90 days before — initial value summary; 60 — full ROI report;
/// 30 — update with the latest wins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Package {
    T90,
    T60,
    T30,
}

impl Package {
    pub const ALL: [Package; 3] = [Package::T90, Package::T60, Package::T30];

    pub fn label(self) -> &'static str {
        match self {
            Package::T90 => "T-90",
            Package::T60 => "T-60",
            Package::T30 => "T-30",
        }
    }

    pub fn parse(label: &str) -> Option<Package> {
        Package::ALL.into_iter().find(|p| p.label() == label)
    }

    /// The edition of the job (the document itself follows the touchpoint): T-90 and T-30 are short,
    /// T-60 is the full (team) report.
    pub fn edition(self) -> Edition {
        match self {
            Package::T90 | Package::T30 => Edition::Executive,
            Package::T60 => Edition::Team,
        }
    }

    /// Days before renewal during which this package is due (inclusive).
    pub fn window(self) -> (i64, i64) {
        match self {
            Package::T90 => (61, 90),
            Package::T60 => (31, 60),
            Package::T30 => (0, 30),
        }
    }

    /// The package whose window holds `as_of`, if any. Renewals in the past owe nothing.
    pub fn due(as_of: NaiveDate, renewal: NaiveDate) -> Option<Package> {
        let days = (renewal - as_of).num_days();
        Package::ALL.into_iter().find(|p| (p.window().0..=p.window().1).contains(&days))
    }
}

/// The document each package holds (what the customer reads never names the package).
impl From<Package> for Touchpoint {
    fn from(package: Package) -> Touchpoint {
        match package {
            Package::T90 => Touchpoint::ValueSummary,
            Package::T60 => Touchpoint::RoiReport,
            Package::T30 => Touchpoint::Update,
        }
    }
}

impl fmt::Display for Package {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Shard K of N (1-based): the customers whose stable hash of `customer_id` falls in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    pub fn new(index: u32, count: u32) -> Option<Shard> {
        (count >= 1 && (1..=count).contains(&index)).then_some(Shard { index, count })
    }

    /// Stable across runs, machines and program versions: the first 8 bytes of SHA-256 of the id.
    pub fn of(customer_id: &str, count: u32) -> u32 {
        let digest = Sha256::digest(customer_id.as_bytes());
        let value = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"));
        (value % u64::from(count)) as u32 + 1
    }

    pub fn contains(self, customer_id: &str) -> bool {
        Shard::of(customer_id, self.count) == self.index
    }

    /// `manifest-K-of-N.json`.
    pub fn manifest_name(self) -> String {
        format!("manifest-{}-of-{}.json", self.index, self.count)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Shard, String> {
        let err = || format!("{text:?} is not a shard; expected K/N with 1 ≤ K ≤ N, e.g. 2/4");
        let (k, n) = text.split_once('/').ok_or_else(err)?;
        let (k, n) = (k.trim().parse().map_err(|_| err())?, n.trim().parse().map_err(|_| err())?);
        Shard::new(k, n).ok_or_else(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn renewal_windows_on_their_boundary_days() {
        let renewal = date("2027-01-31");
        let due = |days: i64| Package::due(renewal - chrono::Duration::days(days), renewal);
        assert_eq!(due(91), None);
        assert_eq!(due(90), Some(Package::T90));
        assert_eq!(due(61), Some(Package::T90));
        assert_eq!(due(60), Some(Package::T60));
        assert_eq!(due(31), Some(Package::T60));
        assert_eq!(due(30), Some(Package::T30));
        assert_eq!(due(0), Some(Package::T30));
        assert_eq!(due(-1), None);
    }

    #[test]
    fn shards_partition_every_id_exactly_once_and_stably() {
        let ids: Vec<String> = (0..500).map(|i| format!("customer-{i}")).collect();
        for count in [1, 2, 3, 7] {
            let mut seen = 0;
            for index in 1..=count {
                let shard = Shard::new(index, count).unwrap();
                seen += ids.iter().filter(|id| shard.contains(id)).count();
            }
            assert_eq!(seen, ids.len(), "{count} shards cover every id once");
        }
        // Pinned (computed independently with Python's hashlib): the hash must never change, or
        // shards would move customers between machines from one release to the next.
        assert_eq!(
            (1..=10).map(|n| Shard::of("acme-logistics", n)).collect::<Vec<_>>(),
            [1, 1, 2, 3, 5, 5, 5, 3, 5, 5]
        );
    }

    #[test]
    fn shard_syntax() {
        assert_eq!("2/4".parse::<Shard>().unwrap(), Shard { index: 2, count: 4 });
        for bad in ["0/4", "5/4", "1/0", "a/b", "3", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        assert_eq!(Shard::new(2, 4).unwrap().manifest_name(), "manifest-2-of-4.json");
    }
}
