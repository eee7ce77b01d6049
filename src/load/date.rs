//! Dates as exports write them: ISO, year-first with slashes, and timestamps at exactly midnight.

use chrono::NaiveDate;

use super::error::Problem;

/// The earliest date an input file may hold.
pub fn earliest_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).expect("a valid date")
}

/// A date as exports write it (see [`Row::date`]), or why it is not one.
pub fn parse_date_cell(text: &str) -> Result<NaiveDate, Problem> {
    let not_a_date = || Problem::NotADate(text.to_string());
    let (day, time) = match text.char_indices().nth(10) {
        Some((at, ' ' | 'T')) => (&text[..at], Some(&text[at + 1..])),
        _ => (text, None),
    };
    let date = parse_iso_date(day).or_else(|| parse_year_first_slashes(day)).ok_or_else(not_a_date)?;
    let Some(time) = time else { return Ok(date) };
    let (clock, offset) = match time.find(['Z', 'z', '+', '-']) {
        Some(at) => time.split_at(at),
        None => (time, ""),
    };
    let clock_ok = {
        let bytes = clock.as_bytes();
        let shape = |b: &[u8]| b.len() == 5 && b[2] == b':' && b.iter().enumerate().all(|(i, c)| i == 2 || c.is_ascii_digit());
        match bytes.len() {
            5 => shape(bytes),
            8 => shape(&bytes[..5]) && bytes[5] == b':' && bytes[6..].iter().all(u8::is_ascii_digit),
            n if n > 9 => {
                shape(&bytes[..5])
                    && bytes[5] == b':'
                    && bytes[6..8].iter().all(u8::is_ascii_digit)
                    && bytes[8] == b'.'
                    && bytes[9..].iter().all(u8::is_ascii_digit)
            }
            _ => false,
        }
    };
    if !clock_ok {
        return Err(not_a_date());
    }
    let offset_ok = matches!(offset, "" | "Z" | "z") || (offset.len() == 6 && offset[1..].as_bytes()[2] == b':');
    if !offset_ok {
        return Err(not_a_date());
    }
    if !clock.bytes().all(|b| b == b'0' || b == b':' || b == b'.') {
        return Err(Problem::TimeOfDay { value: text.to_string() });
    }
    if !matches!(offset, "" | "Z" | "z" | "+00:00" | "-00:00") {
        return Err(Problem::DateWithOffset { value: text.to_string() });
    }
    Ok(date)
}

/// `YYYY/MM/DD` or `YYYY/M/D`: year first, so never day-month ambiguous.
fn parse_year_first_slashes(text: &str) -> Option<NaiveDate> {
    let mut parts = text.split('/');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |part: &str, lengths: std::ops::RangeInclusive<usize>| {
        lengths.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit())
    };
    if parts.next().is_some() || !digits(year, 4..=4) || !digits(month, 1..=2) || !digits(day, 1..=2) {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
}

/// Strict ISO calendar date: exactly `YYYY-MM-DD`.
pub fn parse_iso_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes.iter().enumerate().all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape_ok {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_exports_write_them() {
        let day = NaiveDate::from_ymd_opt(2026, 9, 5).unwrap();
        for good in [
            "2026-09-05",
            "2026/09/05",
            "2026/9/5",
            "2026-09-05 00:00:00",
            "2026-09-05T00:00:00Z",
            "2026-09-05T00:00",
            "2026-09-05 00:00:00.000",
            "2026-09-05T00:00:00+00:00",
        ] {
            assert_eq!(parse_date_cell(good), Ok(day), "{good}");
        }
        for bad in ["2026-9-5", "05/09/2026", "9/5/2026", "2026/13/01", "2026/09/05/1", "2026-09-05 0:00", "2026-09-05Z"] {
            assert_eq!(parse_date_cell(bad), Err(Problem::NotADate(bad.into())), "{bad}");
        }
        assert_eq!(
            parse_date_cell("2026-09-05 13:45:00"),
            Err(Problem::TimeOfDay { value: "2026-09-05 13:45:00".into() })
        );
        assert_eq!(
            parse_date_cell("2026-09-05T00:00:00+09:00"),
            Err(Problem::DateWithOffset { value: "2026-09-05T00:00:00+09:00".into() })
        );
    }

    #[test]
    fn iso_dates_only() {
        assert!(parse_iso_date("2026-02-28").is_some());
        for bad in ["2026-02-30", "2026-2-3", "26-02-03", "2026/02/03", "03-02-2026", "2026-02-03T00:00"] {
            assert!(parse_iso_date(bad).is_none(), "{bad}");
        }
    }

}
