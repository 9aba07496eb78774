//! The one clock of the service: timestamps to the microsecond, as the contract promises
//! (RFC 3339 with at most six fraction digits; many clients parse no more). PostgreSQL keeps
//! microseconds anyway; SQLite keeps what it is given, so every writer takes its time here.

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};

/// Now, truncated to whole microseconds.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// Serializes a timestamp as RFC 3339 UTC with at most six fraction digits (`serialize_with`
/// on response fields), so that values written before the truncation also read back clean.
pub fn micros<S: serde::Serializer>(at: &DateTime<Utc>, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(
        &at.trunc_subsecs(6)
            .to_rfc3339_opts(SecondsFormat::AutoSi, true),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Timelike};

    #[test]
    fn at_most_six_digits() {
        assert_eq!(now().nanosecond() % 1000, 0);
        let at = Utc
            .timestamp_opt(1_700_000_000, 123_456_789)
            .single()
            .unwrap();
        let mut out = Vec::new();
        micros(&at, &mut serde_json::Serializer::new(&mut out)).unwrap();
        let json = String::from_utf8(out).unwrap();
        assert_eq!(json, "\"2023-11-14T22:13:20.123456Z\"");
    }
}
