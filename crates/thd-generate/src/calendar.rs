//! Dates as GraceTHD deliveries write them, from day numbers.
//!
//! The generator counts days from 2018-01-01, the start of the rollout it imitates; dates are `YYYY-MM-DD`,
//! timestamps `YYYY-MM-DD HH:MM:SS` as in the reference demo delivery.

/// Day 0 = 2018-01-01, as days since 1970-01-01.
const EPOCH: i64 = 17_532;

/// (year, month, day) of a day count since 1970-01-01 (proleptic Gregorian; H. Hinnant's algorithm).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `YYYY-MM-DD` of a rollout day.
pub fn date(day: u32) -> String {
    let (y, m, d) = civil(EPOCH + i64::from(day));
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DD HH:MM:SS` of a rollout day, at a working hour that depends on `salt`.
pub fn timestamp(day: u32, salt: u32) -> String {
    format!(
        "{} {:02}:{:02}:00",
        date(day),
        8 + salt % 10,
        (salt * 7) % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_map_to_calendar_dates() {
        assert_eq!(date(0), "2018-01-01");
        assert_eq!(date(59), "2018-03-01");
        assert_eq!(date(365 + 365 + 59), "2020-02-29");
        assert_eq!(date(2_556), "2024-12-31");
        assert_eq!(timestamp(0, 3), "2018-01-01 11:21:00");
    }
}
