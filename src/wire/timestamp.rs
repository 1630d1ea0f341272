//! [`Timestamp`]: the type the generated client uses for every `format: date-time` string.

use std::{
    borrow::Cow,
    fmt,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A point in time as Docker Hub writes it (RFC 3339), inside a type of the generated client.
///
/// `build.rs` maps every string the spec marks `format: date-time` to this type. It keeps
/// the text as it came, so that one timestamp in an unexpected form (or an empty one, which
/// some clients of Docker Hub have met for a token without expiry) does not make a whole
/// answer fail to decode; [`to_system_time`](Self::to_system_time) reads it, and is `None`
/// for text that is not RFC 3339. It serializes and deserializes as a plain JSON string.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use dockerhub_auth::generated::Timestamp;
///
/// let at = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
/// assert_eq!(Timestamp::from(at).as_str(), "2027-01-15T08:00:00Z");
/// let sent = Timestamp::from("2027-01-15T09:00:00.5+01:00".to_owned());
/// assert_eq!(sent.to_system_time(), Some(at + Duration::from_millis(500)));
/// assert_eq!(Timestamp::from(String::new()).to_system_time(), None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Timestamp(String);

impl Timestamp {
    /// Returns the text as Docker Hub sent it (or as this crate will send it).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Returns the point in time, or `None` when the text is not an RFC 3339 date and time.
    ///
    /// Lenient where Docker Hub's servers might be: a space instead of `T`, a lowercase `t`
    /// or `z`, any number of fraction digits, and no offset at all (read as UTC).
    pub fn to_system_time(&self) -> Option<SystemTime> {
        parse_rfc3339(&self.0)
    }
}

impl From<String> for Timestamp {
    fn from(text: String) -> Self {
        Timestamp(text)
    }
}

/// Formats the point in time as RFC 3339 in UTC, to the second (`2027-01-15T08:00:00Z`).
impl From<SystemTime> for Timestamp {
    fn from(at: SystemTime) -> Self {
        Timestamp(format_rfc3339(at))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Timestamp)
    }
}

impl schemars::JsonSchema for Timestamp {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "Timestamp".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "date-time" })
    }
}

const SECONDS_PER_DAY: i64 = 86_400;

/// Reads `YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM]`.
fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    let bytes = text.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = text.get(range)?;
        digits
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| digits.parse().ok())?
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    let separators = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if separators.iter().any(|&(at, c)| bytes.get(at) != Some(&c))
        || !matches!(bytes.get(10), Some(b'T' | b't' | b' '))
        || !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }

    let mut rest = text.get(19..)?;
    let mut nanos = 0u32;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        for (i, b) in fraction.bytes().take(digits.min(9)).enumerate() {
            nanos += u32::from(b - b'0') * 10u32.pow(8 - i as u32);
        }
        rest = fraction.get(digits..)?;
    }
    let offset_seconds: i64 = match rest {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let offset = rest.get(1..)?;
            if offset.len() != 5 || offset.as_bytes().get(2) != Some(&b':') {
                return None;
            }
            let hours: i64 = offset.get(0..2)?.parse().ok()?;
            let minutes: i64 = offset.get(3..5)?.parse().ok()?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            sign * (hours * 3600 + minutes * 60)
        }
    };

    // A leap second (:60) is read as the first second of the next minute.
    let seconds = days_from_civil(i64::from(year), month, day) * SECONDS_PER_DAY
        + i64::from(hour) * 3600
        + i64::from(minute) * 60
        + i64::from(second)
        - offset_seconds;
    let whole = Duration::from_secs(seconds.unsigned_abs());
    let at = if seconds >= 0 {
        UNIX_EPOCH.checked_add(whole)?
    } else {
        UNIX_EPOCH.checked_sub(whole)?
    };
    at.checked_add(Duration::from_nanos(u64::from(nanos)))
}

/// Writes `YYYY-MM-DDTHH:MM:SSZ`, dropping fractions of a second.
fn format_rfc3339(at: SystemTime) -> String {
    let seconds: i64 = match at.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        // Before 1970: round down to the whole second before.
        Err(before) => {
            let before = before.duration();
            let whole = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
            -whole - i64::from(before.subsec_nanos() > 0)
        }
    };
    let (days, second_of_day) = (
        seconds.div_euclid(SECONDS_PER_DAY),
        seconds.rem_euclid(SECONDS_PER_DAY),
    );
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60
    )
}

fn is_leap(year: u32) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a date in the proleptic Gregorian calendar (H. Hinnant,
/// "chrono-Compatible Low-Level Date Algorithms").
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day counted from 1970-01-01; the inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn reads_the_forms_docker_hub_writes() {
        // accessToken.created_at as in Docker's spec example, and an OAT's.
        assert_eq!(
            parse_rfc3339("2021-07-20T12:00:00.000000Z"),
            Some(at(1_626_782_400))
        );
        assert_eq!(
            parse_rfc3339("2022-05-20T00:54:18Z"),
            Some(at(1_653_008_058))
        );
        assert_eq!(
            parse_rfc3339("2021-10-28T18:30:19.520861Z"),
            Some(at(1_635_445_819) + Duration::from_micros(520_861))
        );
    }

    #[test]
    fn reads_offsets_and_lenient_forms() {
        let noon = Some(at(1_626_782_400));
        assert_eq!(parse_rfc3339("2021-07-20T14:00:00+02:00"), noon);
        assert_eq!(parse_rfc3339("2021-07-20T09:30:00-02:30"), noon);
        assert_eq!(parse_rfc3339("2021-07-20 12:00:00"), noon);
        assert_eq!(parse_rfc3339("2021-07-20t12:00:00z"), noon);
        assert_eq!(
            parse_rfc3339("1969-12-31T23:59:59Z"),
            UNIX_EPOCH.checked_sub(Duration::from_secs(1))
        );
    }

    #[test]
    fn refuses_what_is_not_a_date_and_time() {
        for text in [
            "",
            "null",
            "2021-07-20",
            "2021-02-29T00:00:00Z",
            "2021-13-01T00:00:00Z",
            "2021-07-20T24:00:00Z",
            "2021-07-20T12:00:00.Z",
            "2021-07-20T12:00:00+0200",
            "2021-07-20T12:00:00 UTC",
            "+021-07-20T12:00:00Z",
            "２０２１-07-20T12:00:00Z",
        ] {
            assert_eq!(parse_rfc3339(text), None, "{text}");
        }
    }

    #[test]
    fn writes_utc_to_the_second() {
        assert_eq!(format_rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(
            format_rfc3339(at(1_709_208_000) + Duration::from_millis(999)),
            "2024-02-29T12:00:00Z"
        );
        assert_eq!(
            format_rfc3339(UNIX_EPOCH - Duration::from_millis(1)),
            "1969-12-31T23:59:59Z"
        );
    }

    proptest! {
        #[test]
        fn what_is_written_reads_back(seconds in -62_135_596_800i64..253_402_300_799) {
            let whole = Duration::from_secs(seconds.unsigned_abs());
            let time = if seconds >= 0 { UNIX_EPOCH + whole } else { UNIX_EPOCH - whole };
            prop_assert_eq!(parse_rfc3339(&format_rfc3339(time)), Some(time));
        }
    }
}
