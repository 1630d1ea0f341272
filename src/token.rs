//! The bearer token Docker Hub issues, and the claims it carries.

use std::{
    fmt,
    sync::{Arc, OnceLock},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use base64::Engine as _;
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::{cache::Cacheable, rfc3339};

/// The namespace of Docker Hub's own claims inside its JWTs.
const HUB_NAMESPACE: &str = "https://hub.docker.com";

/// A bearer token issued by Docker Hub.
///
/// It is a JWT in practice; its claims are decoded (see [`claims`](Self::claims)) but not
/// verified. A token that is not a JWT, or that has no `exp` claim, is still a token:
/// `claims()` or `expires_at()` are then `None`.
///
/// Cloning is cheap (one reference count), and the token is never shown by `Debug`: reach
/// the string through [`expose_secret`](Self::expose_secret) or
/// [`authorization_header`](Self::authorization_header).
#[derive(Clone)]
pub struct Token {
    inner: Arc<Inner>,
}

struct Inner {
    secret: SecretString,
    /// Decoded on first use: a caller who never looks at them does not pay for it.
    claims: OnceLock<Option<Claims>>,
    received_at: SystemTime,
    /// When the issuer said the token expires, when it said so beside the token (an OIDC
    /// exchange's `expires_in`, or the lifetime asked for): the `exp` claim still comes first.
    stated_expiry: Option<SystemTime>,
}

impl Token {
    /// Wraps a token obtained elsewhere (a cache, another tool), decoding its claims when it
    /// is a JWT. Its [`received_at`](Self::received_at) is now.
    ///
    /// ```
    /// let token = dockerhub_auth::Token::from_secret("opaque");
    /// assert!(token.claims().is_none());
    /// ```
    pub fn from_secret(secret: impl Into<SecretString>) -> Token {
        Token::new(secret.into(), SystemTime::now())
    }

    /// Wraps a token string as Docker Hub returned it, decoding its claims when it is a JWT.
    pub(crate) fn new(secret: SecretString, received_at: SystemTime) -> Token {
        Token {
            inner: Arc::new(Inner {
                secret,
                claims: OnceLock::new(),
                received_at,
                stated_expiry: None,
            }),
        }
    }

    /// Returns this token with the expiry its issuer stated beside it, for a token that need
    /// not say it itself (an OIDC exchange's).
    pub(crate) fn stating_expiry(self, at: SystemTime) -> Token {
        Token {
            inner: Arc::new(Inner {
                secret: self.inner.secret.clone(),
                claims: OnceLock::new(),
                received_at: self.inner.received_at,
                stated_expiry: Some(at),
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

    /// Returns the token as held, for requests that send it otherwise than as a bearer (the
    /// Basic authentication of an exchanged OIDC token at a registry).
    pub(crate) fn secret(&self) -> &SecretString {
        &self.inner.secret
    }

    /// Returns the `Authorization` header value `Bearer <token>`, marked sensitive so that
    /// `reqwest`, `hyper` and `http` never print it.
    ///
    /// # Security
    ///
    /// The string this builds on the way is wiped when the call returns. The returned
    /// `HeaderValue` keeps its own copy in a buffer of the `http` crate, which this crate
    /// cannot wipe: drop it when the request is sent.
    pub fn authorization_header(&self) -> HeaderValue {
        let value = Zeroizing::new(format!("Bearer {}", self.expose_secret()));
        // Docker Hub tokens are base64url JWTs. Should a server ever send bytes a header
        // cannot carry, the header is empty (and rejected by Hub) rather than a panic here.
        let mut header = HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static(""));
        header.set_sensitive(true);
        header
    }

    /// Returns the token's claims, decoded without verifying the signature, or `None` when
    /// the token is not a JWT.
    ///
    /// # Security
    ///
    /// This crate cannot verify the signature (Docker Hub does not publish its key for
    /// this), so the claims are what the token says about itself: good for expiry and
    /// display, not for authorization decisions.
    pub fn claims(&self) -> Option<&Claims> {
        self.inner
            .claims
            .get_or_init(|| Claims::decode(self.inner.secret.expose_secret()))
            .as_ref()
    }

    /// Returns when the token expires: its `exp` claim, else what its issuer stated beside
    /// it (an OIDC exchange's `expires_in`, else the lifetime asked for), else `None`.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.claims()
            .and_then(Claims::expires_at)
            .or(self.inner.stated_expiry)
    }

    /// Returns how long the token has left from now, by [`expires_at`](Self::expires_at):
    /// zero once it has expired, `None` without an expiry.
    ///
    /// ```
    /// # let token = dockerhub_auth::Token::from_secret("opaque");
    /// match token.expires_in() {
    ///     Some(left) => println!("valid for {} more seconds", left.as_secs()),
    ///     None => println!("no expiry in the token"),
    /// }
    /// ```
    pub fn expires_in(&self) -> Option<Duration> {
        let at = self.expires_at()?;
        Some(at.duration_since(SystemTime::now()).unwrap_or_default())
    }

    /// Returns [`expires_at`](Self::expires_at) in RFC 3339 (UTC, to the second:
    /// `2026-07-01T10:31:07Z`), for printing and JSON; `None` without an expiry.
    pub fn expires_at_rfc3339(&self) -> Option<String> {
        self.expires_at().map(rfc3339::format)
    }

    /// Returns when this client received the token.
    pub fn received_at(&self) -> SystemTime {
        self.inner.received_at
    }

    /// Returns how long the token was issued for: from its `iat` claim (or, without one, from
    /// when it was received) to its `exp` claim.
    pub fn lifetime(&self) -> Option<Duration> {
        let claims = self.claims()?;
        let start = claims.issued_at().unwrap_or(self.inner.received_at);
        claims.expires_at()?.duration_since(start).ok()
    }
}

/// Docker Hub's tokens in the token cache: their lifetime is in their claims (`exp − iat`),
/// so an entry keeps nothing beside the token.
impl Cacheable for Token {
    const KIND: &'static str = "hub";

    fn expose_secret(&self) -> &str {
        self.expose_secret()
    }

    fn received_at(&self) -> SystemTime {
        self.received_at()
    }

    /// `exp − iat` (or `exp` less its arrival without `iat`); zero when `exp` is before
    /// that, `None` without `exp`.
    fn lifetime(&self) -> Option<Duration> {
        Cacheable::expires_at(self).map(|_| self.lifetime().unwrap_or_default())
    }

    /// The `exp` claim (Docker Hub states nothing beside its tokens).
    fn expires_at(&self) -> Option<SystemTime> {
        self.claims()?.expires_at()
    }

    fn restore(
        secret: SecretString,
        received_at: SystemTime,
        _lifetime: Option<Duration>,
        _details: &Value,
    ) -> Option<Self> {
        Some(Token::new(secret, received_at))
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("expires_at", &self.expires_at())
            .field("username", &self.claims().and_then(Claims::username))
            .finish_non_exhaustive() // the token itself is never printed
    }
}

/// The claims of a Docker Hub JWT, decoded without verification.
///
/// Docker Hub's tokens carry the standard `exp`, `iat` and `jti`, a `scope`, and an object
/// named `https://hub.docker.com` with the account's `username`, `email`, `uuid` and the
/// `source` of the token (for example `docker_pat|<uuid>`). Every accessor returns `None`
/// when its claim is missing or has another type. [`as_map`](Self::as_map) gives all claims.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(transparent)]
pub struct Claims {
    raw: Map<String, Value>,
}

impl Claims {
    /// Decodes the payload of a compact JWS (`header.payload.signature`).
    pub(crate) fn decode(jwt: &str) -> Option<Claims> {
        let mut parts = jwt.split('.');
        let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let payload = payload.trim_end_matches('=');
        let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .ok()?;
        serde_json::from_slice(&json).ok().map(|raw| Claims { raw })
    }

    /// Returns when the token expires (`exp`).
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.time("exp")
    }

    /// Returns when the token was issued (`iat`).
    pub fn issued_at(&self) -> Option<SystemTime> {
        self.time("iat")
    }

    /// Returns the token's unique id (`jti`).
    pub fn jwt_id(&self) -> Option<&str> {
        self.raw.get("jti")?.as_str()
    }

    /// Returns the token's scope (`scope`), for example `repo:public_read`.
    pub fn scope(&self) -> Option<&str> {
        self.raw.get("scope")?.as_str()
    }

    /// Returns the Docker Hub username the token was issued to.
    pub fn username(&self) -> Option<&str> {
        self.hub("username")
    }

    /// Returns the email address of the account.
    pub fn email(&self) -> Option<&str> {
        self.hub("email")
    }

    /// Returns the account's UUID.
    pub fn uuid(&self) -> Option<&str> {
        self.hub("uuid")
    }

    /// Returns what the token was issued from, as Docker Hub writes it, for example
    /// `docker_pat|<uuid of the personal access token>`.
    pub fn source(&self) -> Option<&str> {
        let source = self.raw.get(HUB_NAMESPACE)?.get("source")?;
        // Seen both as a string and as an object; only the string form is documented.
        source.as_str()
    }

    /// Returns every claim of the token.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.raw
    }

    fn hub(&self, name: &str) -> Option<&str> {
        self.raw.get(HUB_NAMESPACE)?.get(name)?.as_str()
    }

    /// Reads a NumericDate claim. Negative, fractional-overflowing or absurd values are
    /// `None`, never a panic.
    fn time(&self, name: &str) -> Option<SystemTime> {
        let seconds = self.raw.get(name)?.as_f64()?;
        UNIX_EPOCH.checked_add(Duration::try_from_secs_f64(seconds).ok()?)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn jwt(payload: &str) -> String {
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.c2lnbmF0dXJl",
            engine.encode(r#"{"alg":"RS256","typ":"JWT"}"#),
            engine.encode(payload)
        )
    }

    #[test]
    fn hub_claims_are_decoded() {
        let claims = Claims::decode(&jwt(
            r#"{"exp":1800000600,"iat":1800000000,"jti":"j1","scope":"repo:public_read",
                "https://hub.docker.com":{"username":"alice","email":"a@example.com",
                "uuid":"u1","source":"docker_pat|p1"}}"#,
        ))
        .unwrap();
        assert_eq!(
            claims.expires_at(),
            Some(UNIX_EPOCH + Duration::from_secs(1_800_000_600))
        );
        assert_eq!(
            claims.issued_at(),
            Some(UNIX_EPOCH + Duration::from_secs(1_800_000_000))
        );
        assert_eq!(claims.jwt_id(), Some("j1"));
        assert_eq!(claims.scope(), Some("repo:public_read"));
        assert_eq!(claims.username(), Some("alice"));
        assert_eq!(claims.email(), Some("a@example.com"));
        assert_eq!(claims.uuid(), Some("u1"));
        assert_eq!(claims.source(), Some("docker_pat|p1"));
    }

    #[test]
    fn padded_payloads_are_accepted() {
        let engine = base64::engine::general_purpose::URL_SAFE;
        let token = format!("e30.{}.sig", engine.encode(r#"{"exp":50}"#));
        assert!(token.contains('='));
        assert!(Claims::decode(&token).unwrap().expires_at().is_some());
    }

    #[test]
    fn what_is_not_a_jwt_has_no_claims() {
        for token in [
            "opaque",
            "a.b",
            "a.b.c.d",
            "e30.!!!.c2ln",
            "e30.bm90IGpzb24.c2ln",
            "",
        ] {
            assert_eq!(Claims::decode(token), None, "{token}");
        }
        assert_eq!(Claims::decode(&jwt("[1,2]")), None);
    }

    #[test]
    fn absurd_times_are_absent() {
        for exp in ["-1", "1e300", "\"soon\"", "null"] {
            let claims = Claims::decode(&jwt(&format!(r#"{{"exp":{exp}}}"#))).unwrap();
            assert_eq!(claims.expires_at(), None, "{exp}");
        }
    }

    proptest! {
        #[test]
        fn any_string_decodes_without_panic(token in any::<String>()) {
            let _ = Claims::decode(&token);
        }

        #[test]
        fn jwt_shaped_strings_decode_without_panic(
            token in "[A-Za-z0-9_-]{0,40}\\.[A-Za-z0-9_=-]{0,300}\\.[A-Za-z0-9_-]{0,40}",
        ) {
            if let Some(claims) = Claims::decode(&token) {
                let _ = (claims.expires_at(), claims.issued_at(), claims.username());
            }
        }

        #[test]
        fn claims_survive_the_round_trip(
            exp in any::<i64>(),
            iat in any::<i64>(),
            username in any::<String>(),
        ) {
            let payload = serde_json::json!({
                "exp": exp, "iat": iat, "https://hub.docker.com": { "username": username }
            });
            let claims = Claims::decode(&jwt(&payload.to_string())).unwrap();
            prop_assert_eq!(claims.username(), Some(username.as_str()));
            let expected = u64::try_from(exp)
                .ok()
                .and_then(|exp| UNIX_EPOCH.checked_add(Duration::from_secs(exp)));
            // Beyond 2^53 seconds an f64 no longer holds every integer; Hub's `exp` is ~2^31.
            if exp.unsigned_abs() < 1 << 53 {
                prop_assert_eq!(claims.expires_at(), expected);
            }
            let token = Token::new(SecretString::from(jwt(&payload.to_string())), UNIX_EPOCH);
            let _ = (token.lifetime(), format!("{token:?}"));
        }
    }
}
