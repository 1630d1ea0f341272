//! The wait a server asks for, read from its headers in every form Docker Hub has sent.
//!
//! A shared helper: the border (`wire`) reads it from responses, the retry loop acts on the
//! result. It imports nothing from either.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::HeaderMap;

/// Values above this are unix timestamps, not delays: 10^9 seconds is almost 32 years, and
/// Docker Hub has sent `Retry-After: <unix timestamp>`
/// (<https://github.com/docker/hub-feedback/issues/2459>).
const UNIX_TIMESTAMP_THRESHOLD: u64 = 1_000_000_000;

/// Returns the wait a response with `status` asks for, measured from `now`.
///
/// Looks at `Retry-After` (delta seconds, HTTP-date, or a unix timestamp), then at the older
/// `X-Retry-After`. `X-RateLimit-Reset` is when a rate window resets, so it is read only for
/// a 429: on a 502, 503 or 504 it says nothing about when the server is back. A header that
/// cannot be parsed is skipped; a moment in the past means no wait.
pub(crate) fn server_wait(status: u16, headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let names: &[&str] = if status == 429 {
        &["retry-after", "x-retry-after", "x-ratelimit-reset"]
    } else {
        &["retry-after", "x-retry-after"]
    };
    names
        .iter()
        .filter_map(|name| headers.get(*name)?.to_str().ok())
        .find_map(|value| parse_wait(value, now))
}

/// Parses one header value as a wait from `now`. Never panics, whatever the input.
pub(crate) fn parse_wait(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Some(number) = parse_seconds(value) {
        return if number > Duration::from_secs(UNIX_TIMESTAMP_THRESHOLD) {
            Some(until(UNIX_EPOCH.checked_add(number)?, now))
        } else {
            Some(number)
        };
    }
    httpdate::parse_http_date(value)
        .ok()
        .map(|instant| until(instant, now))
}

/// Parses a non-negative number of seconds, whole (`120`) or decimal (`1.5`).
fn parse_seconds(value: &str) -> Option<Duration> {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    // More digits than a u64 holds is nonsense, not "forever".
    let seconds: u64 = whole.parse().ok()?;
    let nanos = fraction
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(9)
        .fold(0u32, |nanos, digit| nanos * 10 + u32::from(digit - b'0'));
    Some(Duration::new(seconds, nanos))
}

/// Returns the time from `now` until `instant`, or zero when it has passed.
fn until(instant: SystemTime, now: SystemTime) -> Duration {
    instant.duration_since(now).unwrap_or(Duration::ZERO)
}

#[cfg(test)]
pub(crate) mod tests {
    use proptest::prelude::*;

    use super::*;

    pub(crate) fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn delta_seconds_are_a_wait() {
        assert_eq!(
            parse_wait("120", at(1_800_000_000)),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_wait(" 0 ", at(1_800_000_000)), Some(Duration::ZERO));
        assert_eq!(
            parse_wait("1.5", at(1_800_000_000)),
            Some(Duration::from_millis(1500))
        );
    }

    #[test]
    fn unix_timestamp_is_a_moment() {
        assert_eq!(
            parse_wait("1800000042", at(1_800_000_000)),
            Some(Duration::from_secs(42))
        );
    }

    #[test]
    fn http_date_is_a_moment() {
        // Fri, 15 Jan 2027 08:00:00 GMT is 1_800_000_000.
        let now = at(1_800_000_000 - 90);
        assert_eq!(
            parse_wait("Fri, 15 Jan 2027 08:00:00 GMT", now),
            Some(Duration::from_secs(90))
        );
    }

    #[test]
    fn a_moment_in_the_past_means_no_wait() {
        assert_eq!(
            parse_wait("1700000000", at(1_800_000_000)),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn garbage_is_no_wait() {
        for value in [
            "",
            "soon",
            "-5",
            "1e9",
            "99999999999999999999999",
            "12abc",
            ".5",
            "Fri",
        ] {
            assert_eq!(parse_wait(value, at(1_800_000_000)), None, "{value:?}");
        }
    }

    #[test]
    fn retry_after_wins_over_rate_limit_reset() {
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-reset", "1800000100".parse().unwrap());
        assert_eq!(
            server_wait(429, &headers, at(1_800_000_000)),
            Some(Duration::from_secs(100))
        );
        headers.insert("retry-after", "7".parse().unwrap());
        assert_eq!(
            server_wait(429, &headers, at(1_800_000_000)),
            Some(Duration::from_secs(7))
        );
    }

    #[test]
    fn rate_limit_reset_is_read_for_429_only() {
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-reset", "1800000100".parse().unwrap());
        for status in [502, 503, 504] {
            assert_eq!(server_wait(status, &headers, at(1_800_000_000)), None);
        }
        headers.insert("retry-after", "7".parse().unwrap());
        assert_eq!(
            server_wait(503, &headers, at(1_800_000_000)),
            Some(Duration::from_secs(7))
        );
    }

    /// Header values as Hub, proxies and fuzzers send them.
    pub(crate) fn header_value() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[0-9]{1,25}",
            "[0-9]{1,12}\\.[0-9]{0,12}",
            " *-?[0-9]{1,11} *",
            "(Mon|Tue|Fri), [0-9]{2} (Jan|Feb|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT",
        ]
    }

    proptest! {
        #[test]
        fn any_header_value_parses_without_panic(value in header_value(), now in 0u64..u64::MAX / 2) {
            let _ = parse_wait(&value, at(now));
        }

        #[test]
        fn the_three_forms_agree_when_they_name_the_same_instant(
            now in 1_500_000_000u64..4_000_000_000,
            delta in 0u64..100_000_000,
        ) {
            let seconds = parse_wait(&delta.to_string(), at(now));
            let timestamp = parse_wait(&(now + delta).to_string(), at(now));
            let date = parse_wait(&httpdate::fmt_http_date(at(now + delta)), at(now));
            prop_assert_eq!(seconds, Some(Duration::from_secs(delta)));
            prop_assert_eq!(timestamp, seconds);
            prop_assert_eq!(date, seconds);
        }
    }
}
