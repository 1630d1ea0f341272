//! RFC 3339 date-times, as Docker Hub and token services write them: read leniently, written
//! in UTC to the second. A shared helper; it imports nothing from the rest of the crate.

use std::time::{SystemTime, UNIX_EPOCH};

use time::{OffsetDateTime, format_description::well_known::Rfc3339};

/// Reads RFC 3339 (`YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`) with the `time` crate, after
/// accepting what a lenient server might write instead: a space or `t` for the `T`, a `z`
/// for the `Z`, and no offset at all (read as UTC).
pub(crate) fn parse(text: &str) -> Option<SystemTime> {
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
pub(crate) fn format(at: SystemTime) -> String {
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
            parse("2021-07-20T12:00:00.000000Z"),
            Some(at(1_626_782_400))
        );
        assert_eq!(parse("2022-05-20T00:54:18Z"), Some(at(1_653_008_058)));
        assert_eq!(
            parse("2021-10-28T18:30:19.520861Z"),
            Some(at(1_635_445_819) + Duration::from_micros(520_861))
        );
    }

    #[test]
    fn reads_offsets_and_lenient_forms() {
        let noon = Some(at(1_626_782_400));
        assert_eq!(parse("2021-07-20T14:00:00+02:00"), noon);
        assert_eq!(parse("2021-07-20T09:30:00-02:30"), noon);
        assert_eq!(parse("2021-07-20 12:00:00"), noon);
        assert_eq!(parse("2021-07-20t12:00:00z"), noon);
        assert_eq!(
            parse("1969-12-31T23:59:59Z"),
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
            assert_eq!(parse(text), None, "{text}");
        }
    }

    #[test]
    fn writes_utc_to_the_second() {
        assert_eq!(format(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(
            format(at(1_709_208_000) + Duration::from_millis(999)),
            "2024-02-29T12:00:00Z"
        );
        assert_eq!(
            format(UNIX_EPOCH - Duration::from_millis(1)),
            "1969-12-31T23:59:59Z"
        );
    }

    fn unix(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn the_forms_token_services_send_issued_at_in() {
        let cases = [
            ("1970-01-01T00:00:00Z", unix(0)),
            ("2026-11-23T10:00:00Z", unix(1_795_428_000)),
            ("2026-11-23t10:00:00z", unix(1_795_428_000)),
            ("2026-11-23 10:00:00Z", unix(1_795_428_000)),
            ("2026-11-23T12:00:00+02:00", unix(1_795_428_000)),
            ("2026-11-23T07:30:00-02:30", unix(1_795_428_000)),
            ("2024-02-29T00:00:00Z", unix(1_709_164_800)),
            (
                "2026-11-23T10:00:00.5Z",
                unix(1_795_428_000) + Duration::from_millis(500),
            ),
            (
                "2026-11-23T10:00:00.123456789123Z",
                unix(1_795_428_000) + Duration::from_nanos(123_456_789),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text), Some(expected), "{text}");
        }
    }

    #[test]
    fn other_text_is_not_an_issued_at() {
        for text in [
            "",
            "2026-11-23",
            "2026-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2026-11-23T24:00:00Z",
            "2026-11-23T10:00:00.Z",
            "2026-11-23T10:00:00+2:00",
            "2026-11-23T10:00:00+02:00x",
            "२०२६-11-23T10:00:00Z",
            "1795428000",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }

    proptest! {
        #[test]
        fn what_is_written_reads_back(seconds in FIRST_SECOND..LAST_SECOND) {
            let whole = Duration::from_secs(seconds.unsigned_abs());
            let time = if seconds >= 0 { UNIX_EPOCH + whole } else { UNIX_EPOCH - whole };
            prop_assert_eq!(parse(&format(time)), Some(time));
        }
    }
}
