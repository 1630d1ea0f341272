//! [`RegistryToken`]: the bearer token a registry's token service issues for a set of scopes,
//! and its lifetime as the Distribution token specification defines it.

use std::{
    fmt,
    sync::Arc,
    time::{Duration, SystemTime},
};

use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

use serde_json::{Value, json};

use super::RegistryScope;
use crate::{cache::Cacheable, rfc3339};

/// The shortest lifetime a registry token is given: a missing or smaller `expires_in` counts
/// as 60 seconds, as the Distribution token specification says (older clients assumed 60).
const MIN_LIFETIME: Duration = Duration::from_secs(60);

/// The longest lifetime believed, so that a server's huge `expires_in` cannot overflow a
/// point in time.
const MAX_LIFETIME: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// A bearer token for a registry, from [`Registry::token`](crate::Registry::token).
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
    scopes: Vec<RegistryScope>,
}

impl RegistryToken {
    /// Wraps a token as the token service returned it: `expires_in` in seconds and
    /// `issued_at` in RFC 3339, both as sent (either may be missing or nonsense).
    pub(crate) fn new(
        secret: SecretString,
        expires_in: Option<i64>,
        issued_at: Option<&str>,
        received_at: SystemTime,
        scopes: Vec<RegistryScope>,
    ) -> RegistryToken {
        let lifetime = expires_in
            .and_then(|seconds| u64::try_from(seconds).ok())
            .map_or(MIN_LIFETIME, Duration::from_secs)
            .clamp(MIN_LIFETIME, MAX_LIFETIME);
        let issued_at = issued_at.and_then(rfc3339::parse);
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

    /// Returns how long the token has left from now: zero once it has expired.
    pub fn expires_in(&self) -> Duration {
        self.inner
            .expires_at
            .duration_since(SystemTime::now())
            .unwrap_or_default()
    }

    /// Returns when the token expires in RFC 3339 (UTC, to the second:
    /// `2026-07-01T10:31:07Z`), for printing and JSON.
    pub fn expires_at_rfc3339(&self) -> String {
        rfc3339::format(self.inner.expires_at)
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
    pub fn scopes(&self) -> &[RegistryScope] {
        &self.inner.scopes
    }
}

/// Registry tokens in the token cache: their lifetime is the token service's `expires_in`,
/// counted from their arrival (so that a token service whose clock is off cannot make a new
/// token look expired in memory); an entry also keeps their `issued_at` and the scopes as
/// sent. Read back from disk, a token past its own [`expires_at`](RegistryToken::expires_at)
/// is not served (with a clock far ahead of the token service's, each process then asks
/// again).
impl Cacheable for RegistryToken {
    const KIND: &'static str = "registry";

    fn expose_secret(&self) -> &str {
        self.expose_secret()
    }

    fn received_at(&self) -> SystemTime {
        self.inner.received_at
    }

    fn lifetime(&self) -> Option<Duration> {
        Some(self.inner.lifetime)
    }

    /// `issued_at` (or its arrival) plus `expires_in`.
    fn expires_at(&self) -> Option<SystemTime> {
        Some(self.inner.expires_at)
    }

    fn details(&self) -> Value {
        let issued_at_ms = self
            .inner
            .issued_at
            .and_then(|at| at.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|since| u64::try_from(since.as_millis()).unwrap_or(u64::MAX));
        let scopes: Vec<&str> = self
            .inner
            .scopes
            .iter()
            .map(RegistryScope::as_str)
            .collect();
        json!({ "issued_at_ms": issued_at_ms, "scopes": scopes })
    }

    fn restore(
        secret: SecretString,
        received_at: SystemTime,
        lifetime: Option<Duration>,
        details: &Value,
    ) -> Option<Self> {
        let lifetime = lifetime?.clamp(MIN_LIFETIME, MAX_LIFETIME);
        let issued_at = match details.get("issued_at_ms")? {
            Value::Null => None,
            millis => {
                Some(std::time::UNIX_EPOCH.checked_add(Duration::from_millis(millis.as_u64()?))?)
            }
        };
        let scopes = details
            .get("scopes")?
            .as_array()?
            .iter()
            .map(|scope| RegistryScope::parse(scope.as_str()?).ok())
            .collect::<Option<Vec<RegistryScope>>>()?;
        let start = issued_at.unwrap_or(received_at);
        Some(RegistryToken {
            inner: Arc::new(Inner {
                secret,
                lifetime,
                issued_at,
                received_at,
                expires_at: start.checked_add(lifetime).unwrap_or(start),
                scopes,
            }),
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn unix(seconds: u64) -> SystemTime {
        std::time::UNIX_EPOCH + Duration::from_secs(seconds)
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
    fn a_cached_token_comes_back_with_its_lifetime_issue_time_and_scopes() {
        let scopes = vec![RegistryScope::parse("repository:library/alpine:pull").unwrap()];
        let token = RegistryToken::new(
            "t".into(),
            Some(300),
            Some("2026-11-23T10:00:00Z"),
            unix(1_795_428_100),
            scopes.clone(),
        );
        let restored = RegistryToken::restore(
            "t".into(),
            Cacheable::received_at(&token),
            Cacheable::lifetime(&token),
            &token.details(),
        )
        .unwrap();
        assert_eq!(restored.expires_at(), token.expires_at());
        assert_eq!(restored.issued_at(), token.issued_at());
        assert_eq!(restored.scopes(), scopes.as_slice());
        assert_eq!(restored.lifetime(), Duration::from_secs(300));
        assert!(RegistryToken::restore("t".into(), unix(0), None, &token.details()).is_none());
        assert!(
            RegistryToken::restore("t".into(), unix(0), Some(token.lifetime()), &Value::Null)
                .is_none()
        );
    }

    #[test]
    fn debug_never_shows_the_token() {
        let token = RegistryToken::new("s3cr3t-token".into(), None, None, unix(0), vec![]);
        assert!(!format!("{token:?}").contains("s3cr3t-token"));
        assert!(token.authorization_header().is_sensitive());
    }
}
