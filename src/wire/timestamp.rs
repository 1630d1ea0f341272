//! [`Timestamp`]: the type the generated client uses for every `format: date-time` string.

use std::{
    borrow::Cow,
    fmt,
    time::{SystemTime, UNIX_EPOCH},
};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

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

/// Reads RFC 3339 (`YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`) with the `time` crate, after
/// accepting what a lenient server might write instead: a space or `t` for the `T`, a `z`
/// for the `Z`, and no offset at all (read as UTC).
fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    let mut text = text.trim().to_owned();
    if matches!(text.get(10..11), Some(" " | "t")) {
        text.replace_range(10..11, "T");
    }
    if text.ends_with('z') {
        text.pop();
        text.push('Z');
    }
    // An offset is `Z` or `±HH:MM` after the seconds (at byte 19 or later).
    let has_offset = text.ends_with('Z')
        || text.len() >= 25
            && matches!(text.get(text.len() - 6..text.len() - 5), Some("+" | "-"))
            && text.get(text.len() - 3..text.len() - 2) == Some(":");
    if !has_offset {
        text.push('Z');
    }
    OffsetDateTime::parse(&text, &Rfc3339)
        .ok()
        .map(SystemTime::from)
}

/// Writes `YYYY-MM-DDTHH:MM:SSZ` in UTC, dropping fractions of a second (rounding down).
fn format_rfc3339(at: SystemTime) -> String {
    let seconds: i64 = match at.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => {
            let before = before.duration();
            let whole = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
            -whole - i64::from(before.subsec_nanos() > 0)
        }
    };
    // Outside years 1 to 9999 (which no token has) the nearest end of that range is written.
    let seconds = seconds.clamp(FIRST_SECOND, LAST_SECOND);
    OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|at| at.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the range RFC 3339 can write.
const FIRST_SECOND: i64 = -62_135_596_800;
const LAST_SECOND: i64 = 253_402_300_799;

#[cfg(test)]
mod tests {
    use std::time::Duration;

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
        fn what_is_written_reads_back(seconds in FIRST_SECOND..LAST_SECOND) {
            let whole = Duration::from_secs(seconds.unsigned_abs());
            let time = if seconds >= 0 { UNIX_EPOCH + whole } else { UNIX_EPOCH - whole };
            prop_assert_eq!(parse_rfc3339(&format_rfc3339(time)), Some(time));
        }
    }
}
