//! [`RegistryToken`]: the bearer token a registry's token service issues for a set of scopes,
//! and its lifetime as the Distribution token specification defines it.

use std::{
    fmt,
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

use super::Scope;
use crate::Token;

/// The shortest lifetime a registry token is given: a missing or smaller `expires_in` counts
/// as 60 seconds, as the Distribution token specification says (older clients assumed 60).
const MIN_LIFETIME: Duration = Duration::from_secs(60);

/// The longest lifetime believed, so that a server's huge `expires_in` cannot overflow a
/// point in time.
const MAX_LIFETIME: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// A bearer token for a registry, from [`Registry::token`](crate::Registry::token) or
/// [`Registry::anonymous_token`](crate::Registry::anonymous_token).
///
/// Its lifetime is the token service's `expires_in` (60 seconds when it sent none or less),
/// counted from its `issued_at` when it sent one, else from when the token arrived. Docker
/// Hub's tokens live 300 seconds. The token itself is usually a JWT, but it is treated as
/// opaque: nothing in it is decoded.
///
/// Cloning is cheap (one reference count), and `Debug` never shows the token: reach it
/// through [`expose_secret`](Self::expose_secret) or
/// [`authorization_header`](Self::authorization_header).
#[derive(Clone)]
pub struct RegistryToken {
    inner: Arc<Inner>,
}

struct Inner {
    secret: SecretString,
    lifetime: Duration,
    issued_at: Option<SystemTime>,
    received_at: SystemTime,
    /// `issued_at` (or, without one, `received_at`) plus `lifetime`.
    expires_at: SystemTime,
    scopes: Vec<Scope>,
}

impl RegistryToken {
    /// Wraps a token as the token service returned it: `expires_in` in seconds and
    /// `issued_at` in RFC 3339, both as sent (either may be missing or nonsense).
    pub(crate) fn new(
        secret: SecretString,
        expires_in: Option<i64>,
        issued_at: Option<&str>,
        received_at: SystemTime,
        scopes: Vec<Scope>,
    ) -> RegistryToken {
        let lifetime = expires_in
            .and_then(|seconds| u64::try_from(seconds).ok())
            .map_or(MIN_LIFETIME, Duration::from_secs)
            .clamp(MIN_LIFETIME, MAX_LIFETIME);
        let issued_at = issued_at.and_then(parse_rfc3339);
        let start = issued_at.unwrap_or(received_at);
        RegistryToken {
            inner: Arc::new(Inner {
                secret,
                lifetime,
                issued_at,
                received_at,
                expires_at: start.checked_add(lifetime).unwrap_or(start),
                scopes,
            }),
        }
    }

    /// Returns the token as the shared token machinery keeps it: the string, when it
    /// arrived, and how long it lives from then.
    pub(crate) fn to_cached(&self, lifetime: Duration) -> Token {
        Token::with_stated_lifetime(
            self.inner.secret.clone(),
            self.inner.received_at,
            Some(lifetime),
        )
    }

    /// Returns a token the shared machinery kept (another process's, from the disk cache)
    /// as a registry token for `scopes`: it lives what [`to_cached`](Self::to_cached)
    /// stored, from its `issued_at` when it is a JWT with an `iat` (Docker Hub's are), else
    /// from its arrival.
    pub(crate) fn from_cached(token: &Token, scopes: Vec<Scope>) -> RegistryToken {
        let received_at = token.received_at();
        let lifetime = token.stated_lifetime().unwrap_or(MIN_LIFETIME);
        let issued_at = token.claims().and_then(|claims| claims.issued_at());
        let start = issued_at.unwrap_or(received_at);
        RegistryToken {
            inner: Arc::new(Inner {
                secret: SecretString::from(token.expose_secret()),
                lifetime,
                issued_at,
                received_at,
                expires_at: start.checked_add(lifetime).unwrap_or(start),
                scopes,
            }),
        }
    }

    /// Returns the token string, to send as `Authorization: Bearer <token>`.
    ///
    /// # Security
    ///
    /// This is the credential itself. Prefer
    /// [`authorization_header`](Self::authorization_header), whose value HTTP clients keep out
    /// of their logs.
    pub fn expose_secret(&self) -> &str {
        self.inner.secret.expose_secret()
    }

    /// Returns the `Authorization` header value `Bearer <token>`, marked sensitive so that
    /// `reqwest`, `hyper` and `http` never print it.
    pub fn authorization_header(&self) -> HeaderValue {
        // Built in a buffer that is wiped when this returns.
        let value = zeroize::Zeroizing::new(format!("Bearer {}", self.expose_secret()));
        // A token a header cannot carry gives an empty header (which the registry refuses)
        // rather than a panic here.
        let mut header = HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static(""));
        header.set_sensitive(true);
        header
    }

    /// Returns when the token expires: its `issued_at` (or, without one, when it arrived)
    /// plus its [`lifetime`](Self::lifetime).
    pub fn expires_at(&self) -> SystemTime {
        self.inner.expires_at
    }

    /// Returns how long the token is valid: the token service's `expires_in`, at least 60
    /// seconds.
    pub fn lifetime(&self) -> Duration {
        self.inner.lifetime
    }

    /// Returns when the token service says it issued the token, when it said.
    pub fn issued_at(&self) -> Option<SystemTime> {
        self.inner.issued_at
    }

    /// Returns when this client received the token.
    pub fn received_at(&self) -> SystemTime {
        self.inner.received_at
    }

    /// Returns the scopes the token was asked for, as sent: on Docker Hub, `alpine` reads
    /// `repository:library/alpine:pull`. The token service may have granted fewer.
    pub fn scopes(&self) -> &[Scope] {
        &self.inner.scopes
    }
}

impl fmt::Debug for RegistryToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistryToken")
            .field("expires_at", &self.expires_at())
            .field("lifetime", &self.inner.lifetime)
            .field("scopes", &self.inner.scopes)
            .finish_non_exhaustive() // the token itself is never printed
    }
}

/// Parses an RFC 3339 date-time (`2026-11-23T10:00:00Z`, `…T10:00:00.123456789+02:00`), as
/// token services send `issued_at`. Returns `None` for anything else; never panics.
pub(crate) fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    let bytes = text.trim().as_bytes();
    let number = |from: usize, to: usize| -> Option<i64> {
        let digits = bytes.get(from..to)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        digits.iter().try_fold(0i64, |n, d| {
            n.checked_mul(10)?.checked_add(i64::from(d - b'0'))
        })
    };
    let at = |index: usize, allowed: &[u8]| bytes.get(index).is_some_and(|b| allowed.contains(b));
    if !(at(4, b"-") && at(7, b"-") && at(10, b"Tt ") && at(13, b":") && at(16, b":")) {
        return None;
    }
    let (year, month, day) = (number(0, 4)?, number(5, 7)?, number(8, 10)?);
    let (hour, minute, second) = (number(11, 13)?, number(14, 16)?, number(17, 19)?);
    if !(1..=12).contains(&month)
        || !(1..=days_in_month(year, month)).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    // An optional fraction of a second, to nanoseconds (further digits are ignored).
    let mut index = 19;
    let mut nanos = 0u32;
    if at(index, b".") {
        let digits = bytes
            .get(index + 1..)?
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == 0 {
            return None;
        }
        for (place, digit) in bytes
            .get(index + 1..index + 1 + digits.min(9))?
            .iter()
            .enumerate()
        {
            nanos += u32::from(digit - b'0') * 10u32.pow(8 - place as u32);
        }
        index += 1 + digits;
    }
    let offset = match bytes.get(index..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (hours, minutes) = (number(index + 1, index + 3)?, number(index + 4, index + 6)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let offset = hours * 3600 + minutes * 60;
            if *sign == b'+' { offset } else { -offset }
        }
        _ => return None,
    };
    let seconds =
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
    let whole = match u64::try_from(seconds) {
        Ok(after) => UNIX_EPOCH.checked_add(Duration::from_secs(after)),
        Err(_) => UNIX_EPOCH.checked_sub(Duration::from_secs(seconds.unsigned_abs())),
    };
    whole?.checked_add(Duration::from_nanos(u64::from(nanos)))
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given date of the proleptic Gregorian calendar (Howard
/// Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn unix(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn rfc3339_in_the_forms_token_services_send() {
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
            assert_eq!(parse_rfc3339(text), Some(expected), "{text}");
        }
    }

    #[test]
    fn other_text_is_not_a_date() {
        for text in [
            "",
            "2026-11-23",
            "2026-11-23T10:00:00",
            "2026-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2026-11-23T24:00:00Z",
            "2026-11-23T10:00:00.Z",
            "2026-11-23T10:00:00+2:00",
            "2026-11-23T10:00:00+02:00x",
            "२०२६-11-23T10:00:00Z",
            "1795428000",
        ] {
            assert_eq!(parse_rfc3339(text), None, "{text}");
        }
    }

    #[test]
    fn lifetime_defaults_to_60_seconds_and_is_never_shorter() {
        let token = |expires_in| {
            RegistryToken::new("t".into(), expires_in, None, unix(1_000), vec![]).lifetime()
        };
        assert_eq!(token(None), Duration::from_secs(60));
        assert_eq!(token(Some(0)), Duration::from_secs(60));
        assert_eq!(token(Some(-5)), Duration::from_secs(60));
        assert_eq!(token(Some(30)), Duration::from_secs(60));
        assert_eq!(token(Some(300)), Duration::from_secs(300));
        assert_eq!(token(Some(i64::MAX)), MAX_LIFETIME);
    }

    #[test]
    fn expiry_counts_from_issued_at_else_from_receipt() {
        let issued = RegistryToken::new(
            "t".into(),
            Some(300),
            Some("2026-11-23T10:00:00Z"),
            unix(1_795_428_100),
            vec![],
        );
        assert_eq!(issued.expires_at(), unix(1_795_428_300));
        assert_eq!(issued.issued_at(), Some(unix(1_795_428_000)));
        let received = RegistryToken::new(
            "t".into(),
            Some(300),
            Some("yesterday"),
            unix(1_000),
            vec![],
        );
        assert_eq!(received.expires_at(), unix(1_300));
        assert_eq!(received.issued_at(), None);
    }

    #[test]
    fn debug_never_shows_the_token() {
        let token = RegistryToken::new("s3cr3t-token".into(), None, None, unix(0), vec![]);
        assert!(!format!("{token:?}").contains("s3cr3t-token"));
        assert!(token.authorization_header().is_sensitive());
    }

    proptest! {
        #[test]
        fn any_text_parses_or_not_without_panic(text in "\\PC{0,40}") {
            let _ = parse_rfc3339(&text);
        }

        #[test]
        fn every_second_round_trips_through_its_utc_text(seconds in 0u64..253_402_300_799) {
            let text = humantime_like(seconds);
            prop_assert_eq!(parse_rfc3339(&text), Some(unix(seconds)), "{}", text);
        }
    }

    /// Formats unix seconds as RFC 3339 in UTC, by walking the calendar (independent of the
    /// arithmetic under test).
    fn humantime_like(seconds: u64) -> String {
        let mut days = (seconds / 86_400) as i64;
        let rest = seconds % 86_400;
        let mut year = 1970;
        while days >= if is_leap(year) { 366 } else { 365 } {
            days -= if is_leap(year) { 366 } else { 365 };
            year += 1;
        }
        let mut month = 1;
        while days >= days_in_month(year, month) {
            days -= days_in_month(year, month);
            month += 1;
        }
        format!(
            "{year:04}-{month:02}-{:02}T{:02}:{:02}:{:02}Z",
            days + 1,
            rest / 3600,
            rest % 3600 / 60,
            rest % 60
        )
    }
}
