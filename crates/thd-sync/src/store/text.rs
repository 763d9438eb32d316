//! How dates and timestamps are written in the tables: fixed-width ISO text, the same on both backends, so
//! that comparing the text compares the times (`MAX(at)`) and a value reads back exactly as written.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SubsecRound, Utc};

const TIMESTAMP: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";
const DATE: &str = "%Y-%m-%d";

/// The precision kept: microseconds, as PostgreSQL would. Applied to a command's time before anything is
/// written, so the outcome returned is the one a replay reads back.
pub(crate) fn normalise(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}

pub(crate) fn timestamp(at: DateTime<Utc>) -> String {
    at.format(TIMESTAMP).to_string()
}

pub(crate) fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(text, TIMESTAMP)
        .ok()
        .map(|t| t.and_utc())
}

pub(crate) fn date(date: NaiveDate) -> String {
    date.format(DATE).to_string()
}

pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, DATE).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_fixed_width_and_read_back_as_written() {
        let at = DateTime::from_timestamp(1_740_823_200, 123_456_789).expect("time");
        let kept = normalise(at);
        let text = timestamp(kept);
        assert_eq!(text, "2025-03-01T10:00:00.123456Z");
        assert_eq!(parse_timestamp(&text), Some(kept));
        let whole = DateTime::from_timestamp(1_740_823_200, 0).expect("time");
        assert_eq!(timestamp(whole), "2025-03-01T10:00:00.000000Z");
        assert!(timestamp(whole) < text);
        let day = NaiveDate::from_ymd_opt(2025, 6, 30).expect("date");
        assert_eq!(parse_date(&date(day)), Some(day));
        assert_eq!(parse_date("2025-6-31"), None);
    }
}
