//! [`ExchangedToken`]: the organization's token from an OIDC exchange, one more kind of token
//! the token cache holds.

use std::{
    fmt,
    time::{Duration, SystemTime},
};

use secrecy::SecretString;
use serde_json::Value;

use crate::{cache::Cacheable, token::Token, wire::Exchanged};

/// The longest lifetime believed, whatever the token or the answer says: the identity
/// service issues tokens for an hour at most.
const MAX_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// The token an OIDC exchange issued: a bearer [`Token`] (what a session hands out), and how
/// long it lives.
#[derive(Clone)]
pub(crate) struct ExchangedToken {
    token: Token,
    lifetime: Duration,
}

impl ExchangedToken {
    /// Returns the token of an exchange that asked for `asked`. Its lifetime is its `exp`
    /// claim (counted from `iat`, else from its arrival) when it is a JWT with one, else the
    /// answer's `expires_in`, else the lifetime asked for.
    pub(crate) fn new(exchanged: Exchanged, asked: Duration) -> ExchangedToken {
        let token = Token::new(exchanged.access_token, exchanged.received_at);
        let lifetime = match (token.expires_at(), exchanged.expires_in) {
            (Some(_), _) => token.lifetime().unwrap_or_default(),
            (None, Some(stated)) => Duration::from_secs(stated),
            (None, None) => asked,
        };
        ExchangedToken::of(token, lifetime)
    }

    /// The token with its lifetime (at most [`MAX_LIFETIME`]), which the bearer handed out
    /// states too: a token that is not a JWT still tells its expiry.
    fn of(token: Token, lifetime: Duration) -> ExchangedToken {
        let lifetime = lifetime.min(MAX_LIFETIME);
        let received = token.received_at();
        let at = received.checked_add(lifetime).unwrap_or(received);
        ExchangedToken {
            token: token.stating_expiry(at),
            lifetime,
        }
    }

    /// The bearer token, as a session hands it out.
    pub(crate) fn token(&self) -> &Token {
        &self.token
    }

    /// The token itself, for the Basic authentication of a registry's token service.
    pub(crate) fn secret(&self) -> &SecretString {
        self.token.secret()
    }

    /// When it expires, by this machine's clock: its arrival plus its lifetime.
    pub(crate) fn expires_at(&self) -> SystemTime {
        let received = self.token.received_at();
        received.checked_add(self.lifetime).unwrap_or(received)
    }
}

/// Exchanged tokens in the token cache: their lifetime is decided when they arrive (the
/// claim, the answer, or what was asked), so an entry keeps it and nothing else.
impl Cacheable for ExchangedToken {
    const KIND: &'static str = "oidc";

    fn expose_secret(&self) -> &str {
        self.token.expose_secret()
    }

    fn received_at(&self) -> SystemTime {
        self.token.received_at()
    }

    fn lifetime(&self) -> Option<Duration> {
        Some(self.lifetime)
    }

    /// Its arrival plus its lifetime: the claim's `exp`, else the answer's word, else what
    /// was asked for.
    fn expires_at(&self) -> Option<SystemTime> {
        Some(ExchangedToken::expires_at(self))
    }

    fn details(&self) -> Value {
        Value::Null
    }

    fn restore(
        secret: SecretString,
        received_at: SystemTime,
        lifetime: Option<Duration>,
        details: &Value,
    ) -> Option<Self> {
        if !details.is_null() {
            return None;
        }
        Some(ExchangedToken::of(
            Token::new(secret, received_at),
            lifetime?,
        ))
    }
}

impl fmt::Debug for ExchangedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExchangedToken")
            .field("received_at", &self.token.received_at())
            .field("lifetime", &self.lifetime)
            .finish_non_exhaustive() // the token itself is never printed
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use secrecy::ExposeSecret as _;

    use super::*;

    fn at(seconds: u64) -> SystemTime {
        std::time::UNIX_EPOCH + Duration::from_secs(seconds)
    }

    fn jwt(claims: &str) -> String {
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!("e30.{}.c2ln", engine.encode(claims))
    }

    fn exchanged(token: &str, expires_in: Option<u64>) -> ExchangedToken {
        ExchangedToken::new(
            Exchanged {
                access_token: SecretString::from(token),
                expires_in,
                received_at: at(1_800_000_000),
            },
            Duration::from_secs(300),
        )
    }

    #[test]
    fn the_lifetime_is_the_claim_else_the_answer_else_what_was_asked() {
        let with_exp = jwt(r#"{"iat":1800000000,"exp":1800000900}"#);
        assert_eq!(
            exchanged(&with_exp, Some(60)).lifetime(),
            Some(Duration::from_secs(900))
        );
        let without_exp = jwt(r#"{"sub":"acme"}"#);
        assert_eq!(
            exchanged(&without_exp, Some(600)).lifetime(),
            Some(Duration::from_secs(600))
        );
        assert_eq!(
            exchanged("opaque", None).lifetime(),
            Some(Duration::from_secs(300))
        );
        assert_eq!(
            exchanged("opaque", Some(u64::MAX)).lifetime(),
            Some(MAX_LIFETIME)
        );
        // What a session hands out says the same: the claim, else what was stated.
        assert_eq!(
            exchanged(&with_exp, Some(60)).token().expires_at(),
            Some(at(1_800_000_900))
        );
        assert_eq!(
            exchanged("opaque", None).token().expires_at(),
            Some(at(1_800_000_000 + 300))
        );
    }

    #[test]
    fn a_cached_token_comes_back_with_its_lifetime() {
        let token = exchanged("opaque", Some(600));
        let restored = ExchangedToken::restore(
            SecretString::from("opaque"),
            Cacheable::received_at(&token),
            Cacheable::lifetime(&token),
            &token.details(),
        )
        .unwrap();
        assert_eq!(restored.secret().expose_secret(), "opaque");
        assert_eq!(restored.lifetime, Duration::from_secs(600));
        // The bearer handed out tells the same expiry, though it is no JWT.
        assert_eq!(restored.token().expires_at(), Some(at(1_800_000_000 + 600)));
        assert_eq!(Cacheable::received_at(&restored), at(1_800_000_000));
        assert!(ExchangedToken::restore("t".into(), at(0), None, &Value::Null).is_none());
        assert!(
            ExchangedToken::restore("t".into(), at(0), Some(Duration::ZERO), &Value::Bool(true))
                .is_none()
        );
    }

    #[test]
    fn debug_never_shows_the_token() {
        assert!(!format!("{:?}", exchanged("CANARY-token", None)).contains("CANARY"));
    }
}
