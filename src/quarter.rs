//! Calendar quarters (`2026-Q3`) and the rule that picks a report quarter from an as-of date.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Serialize, Serializer};

/// A calendar quarter: Q1 = January–March … Q4 = October–December.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    year: i32,
    /// 1..=4
    number: u8,
}

impl Quarter {
    /// `None` unless `number` is 1..=4.
    pub fn new(year: i32, number: u8) -> Option<Quarter> {
        (1..=4).contains(&number).then_some(Quarter { year, number })
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn number(self) -> u8 {
        self.number
    }

    /// The quarter a date falls in.
    pub fn containing(date: NaiveDate) -> Quarter {
        Quarter { year: date.year(), number: (date.month0() / 3 + 1) as u8 }
    }

    /// The last quarter that ended on or before `as_of` (2026-11-22 → 2026-Q3, 2026-09-30 → 2026-Q3).
    pub fn last_ended_on_or_before(as_of: NaiveDate) -> Quarter {
        let current = Quarter::containing(as_of);
        if as_of == current.last_day() {
            current
        } else {
            current.prev()
        }
    }

    pub fn first_day(self) -> NaiveDate {
        let month = u32::from(self.number - 1) * 3 + 1;
        NaiveDate::from_ymd_opt(self.year, month, 1).expect("quarter start is a valid date")
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().expect("day before a quarter start exists")
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        Quarter::containing(date) == self
    }

    /// Consecutive quarters have consecutive ordinals; used for regression and ranges.
    pub fn ordinal(self) -> i64 {
        i64::from(self.year) * 4 + i64::from(self.number - 1)
    }

    pub fn from_ordinal(ordinal: i64) -> Quarter {
        Quarter { year: ordinal.div_euclid(4) as i32, number: (ordinal.rem_euclid(4) + 1) as u8 }
    }

    pub fn next(self) -> Quarter {
        Quarter::from_ordinal(self.ordinal() + 1)
    }

    pub fn prev(self) -> Quarter {
        Quarter::from_ordinal(self.ordinal() - 1)
    }

    /// `self`, `self+1`, … `last` (empty when `last < self`).
    pub fn through(self, last: Quarter) -> impl Iterator<Item = Quarter> {
        (self.ordinal()..=last.ordinal()).map(Quarter::from_ordinal)
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-Q{}", self.year, self.number)
    }
}

impl Serialize for Quarter {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a quarter; expected YYYY-QN, e.g. 2026-Q3")]
pub struct ParseQuarterError(pub String);

impl FromStr for Quarter {
    type Err = ParseQuarterError;

    fn from_str(text: &str) -> Result<Quarter, ParseQuarterError> {
        let err = || ParseQuarterError(text.to_string());
        let (year, number) = text.trim().split_once("-Q").ok_or_else(err)?;
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) || number.len() != 1 {
            return Err(err());
        }
        let year: i32 = year.parse().map_err(|_| err())?;
        let number: u8 = number.parse().map_err(|_| err())?;
        Quarter::new(year, number).ok_or_else(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn report_quarter_is_last_one_ended_on_or_before_as_of() {
        assert_eq!(Quarter::last_ended_on_or_before(date("2026-11-22")).to_string(), "2026-Q3");
        assert_eq!(Quarter::last_ended_on_or_before(date("2026-09-30")).to_string(), "2026-Q3");
        assert_eq!(Quarter::last_ended_on_or_before(date("2026-10-01")).to_string(), "2026-Q3");
        assert_eq!(Quarter::last_ended_on_or_before(date("2026-09-29")).to_string(), "2026-Q2");
        assert_eq!(Quarter::last_ended_on_or_before(date("2026-01-15")).to_string(), "2025-Q4");
        assert_eq!(Quarter::last_ended_on_or_before(date("2026-12-31")).to_string(), "2026-Q4");
    }

    #[test]
    fn parses_and_prints() {
        let q: Quarter = "2026-Q3".parse().unwrap();
        assert_eq!((q.year(), q.number()), (2026, 3));
        assert_eq!(q.to_string(), "2026-Q3");
        for bad in ["2026-Q5", "2026-Q0", "2026Q3", "26-Q3", "2026-Q33", "abc", ""] {
            assert!(bad.parse::<Quarter>().is_err(), "{bad} should not parse");
        }
    }

    #[test]
    fn bounds_and_steps() {
        let q: Quarter = "2024-Q4".parse().unwrap();
        assert_eq!(q.first_day(), date("2024-10-01"));
        assert_eq!(q.last_day(), date("2024-12-31"));
        assert_eq!(q.next().to_string(), "2025-Q1");
        assert_eq!(q.next().prev(), q);
        assert_eq!("2024-Q1".parse::<Quarter>().unwrap().last_day(), date("2024-03-31"));
        let listed: Vec<String> = q.through("2025-Q2".parse().unwrap()).map(|q| q.to_string()).collect();
        assert_eq!(listed, ["2024-Q4", "2025-Q1", "2025-Q2"]);
        assert_eq!(q.through(q.prev()).count(), 0);
        assert!(q.contains(date("2024-11-05")));
        assert!(!q.contains(date("2025-01-01")));
    }
}
