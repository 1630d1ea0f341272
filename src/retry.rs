//! How long Docker Hub asks a client to wait: every form of `Retry-After` it has sent.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::HeaderMap;

/// Values above this are unix timestamps, not delays: 10^9 seconds is almost 32 years, and
/// Docker Hub has sent `Retry-After: <unix timestamp>` (hub-feedback#2459).
const UNIX_TIMESTAMP_THRESHOLD: u64 = 1_000_000_000;

/// Returns the wait a response asks for, measured from `now`.
///
/// Looks at `Retry-After` (delta seconds, HTTP-date, or a unix timestamp), then at the older
/// `X-Retry-After`, then at `X-RateLimit-Reset` (a unix timestamp). A header that cannot be
/// parsed is skipped; a moment in the past means no wait.
pub(crate) fn server_wait(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    ["retry-after", "x-retry-after", "x-ratelimit-reset"]
        .into_iter()
        .filter_map(|name| headers.get(name)?.to_str().ok())
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
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
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
            server_wait(&headers, at(1_800_000_000)),
            Some(Duration::from_secs(100))
        );
        headers.insert("retry-after", "7".parse().unwrap());
        assert_eq!(
            server_wait(&headers, at(1_800_000_000)),
            Some(Duration::from_secs(7))
        );
    }
}
