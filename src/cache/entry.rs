//! The format of the cache's entries, as JSON with a format name, a version and a kind.
//!
//! Two kinds of entry, each under its own keyed hash: a token, filed under what was granted
//! (endpoint, route, identifier, secret, scopes), and a remembered failure, filed under what
//! was refused (the secret at that service, whatever scopes were asked):
//!
//! ```json
//! {"format": "dockerhub-auth token cache", "version": 3, "kind": "hub",
//!  "identifier": "<keyed hash of the identifier>", "stored_at_ms": 1800000000000,
//!  "token": {"sealed": "<base64 of nonce, ciphertext, tag>",
//!            "received_at_ms": 1800000000000, "lifetime_ms": 600000,
//!            "keep_until_ms": 1800000600000, "details": null}}
//!
//! {"format": "dockerhub-auth token cache", "version": 3, "kind": "failure",
//!  "identifier": "<keyed hash of the identifier>", "stored_at_ms": 1800000000000,
//!  "failure": {"kind": "credentials_rejected", "status": 401,
//!              "hub_message": "Incorrect authentication credentials",
//!              "at_ms": 1800000000000, "until_ms": 1800000600000}}
//! ```
//!
//! A token entry's `kind` is its token's [`Cacheable::KIND`]; `details` is what that kind
//! keeps beside the token. The secret the token was obtained with is never in an entry, and
//! the token is there only [sealed](super::seal) under a key derived from that secret (as
//! `value`, in clear, only when there is no secret: an anonymous registry token).
//! Anything that does not decode as this version and kind (truncated, corrupt, another
//! program's, an older or later version) is no entry at all: it is ignored and replaced.

use std::{
    borrow::Cow,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use zeroize::Zeroizing;

use super::{cacheable::Cacheable, seal::SealKey};
use crate::error::{Error, ErrorKind};

const FORMAT: &str = "dockerhub-auth token cache";
const VERSION: u32 = 3;
/// The `kind` of a failure entry.
const FAILURE: &str = "failure";

/// A token and what is needed to decide how long to reuse it.
pub(crate) struct StoredToken<T> {
    pub(crate) token: T,
    /// Past this, the entry's token is not used, whatever a reader's settings say.
    pub(crate) keep_until: SystemTime,
}

/// A failure to hand out again, without a request, until `until`.
pub(crate) struct StoredFailure {
    pub(crate) error: Error,
    pub(crate) at: SystemTime,
    pub(crate) until: SystemTime,
}

#[derive(Serialize, Deserialize)]
struct OnDisk<'a> {
    format: Cow<'a, str>,
    version: u32,
    kind: Cow<'a, str>,
    identifier: Cow<'a, str>,
    stored_at_ms: u64,
    #[serde(default)]
    token: Option<TokenOnDisk<'a>>,
    #[serde(default)]
    failure: Option<FailureOnDisk<'a>>,
}

#[derive(Serialize, Deserialize)]
struct TokenOnDisk<'a> {
    /// The token in clear: only for a grant without a secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    value: Option<Cow<'a, str>>,
    /// The token sealed under the key of its grant's secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sealed: Option<Cow<'a, str>>,
    received_at_ms: u64,
    lifetime_ms: Option<u64>,
    keep_until_ms: u64,
    #[serde(default)]
    details: Value,
}

#[derive(Serialize, Deserialize)]
struct FailureOnDisk<'a> {
    kind: Cow<'a, str>,
    status: Option<u16>,
    hub_message: Option<Cow<'a, str>>,
    body_excerpt: Option<Cow<'a, str>>,
    detail: Option<Cow<'a, str>>,
    retry_after_ms: Option<u64>,
    retryable: bool,
    #[serde(default)]
    peer: Option<Cow<'a, str>>,
    at_ms: u64,
    until_ms: u64,
}

/// Encodes a token entry, its token sealed with `seal` (in clear without one); `None` when
/// it cannot be sealed. The buffer may hold the token, so it is wiped when dropped.
pub(crate) fn encode_token<T: Cacheable>(
    identifier_tag: &str,
    stored_at: SystemTime,
    stored: &StoredToken<T>,
    seal: Option<&SealKey>,
) -> Option<Zeroizing<Vec<u8>>> {
    let token = &stored.token;
    let (value, sealed) = match seal {
        Some(key) => (None, Some(key.seal(T::KIND, token.expose_secret())?.into())),
        None => (Some(token.expose_secret().into()), None),
    };
    Some(encode(&OnDisk {
        format: FORMAT.into(),
        version: VERSION,
        kind: T::KIND.into(),
        identifier: identifier_tag.into(),
        stored_at_ms: millis(stored_at),
        token: Some(TokenOnDisk {
            value,
            sealed,
            received_at_ms: millis(token.received_at()),
            lifetime_ms: token.lifetime().map(duration_millis),
            keep_until_ms: millis(stored.keep_until),
            details: token.details(),
        }),
        failure: None,
    }))
}

/// Encodes a failure entry.
pub(crate) fn encode_failure(
    identifier_tag: &str,
    stored_at: SystemTime,
    stored: &StoredFailure,
) -> Zeroizing<Vec<u8>> {
    let error = &stored.error;
    encode(&OnDisk {
        format: FORMAT.into(),
        version: VERSION,
        kind: FAILURE.into(),
        identifier: identifier_tag.into(),
        stored_at_ms: millis(stored_at),
        token: None,
        failure: Some(FailureOnDisk {
            kind: kind_name(error.kind()).into(),
            status: error.status(),
            hub_message: error.hub_message().map(Into::into),
            body_excerpt: error.body_excerpt().map(Into::into),
            detail: error.detail().map(Into::into),
            retry_after_ms: error.retry_after().map(duration_millis),
            retryable: error.is_retryable(),
            peer: error.peer().map(Into::into),
            at_ms: millis(stored.at),
            until_ms: millis(stored.until),
        }),
    })
}

fn encode(on_disk: &OnDisk<'_>) -> Zeroizing<Vec<u8>> {
    // Serializing plain strings, numbers and a JSON value into a Vec cannot fail; should it
    // ever, the empty buffer decodes as no entry.
    Zeroizing::new(serde_json::to_vec(on_disk).unwrap_or_default())
}

/// Decodes an entry of this format and version, whatever its kind.
fn decode(bytes: &[u8]) -> Option<OnDisk<'_>> {
    let on_disk: OnDisk<'_> = serde_json::from_slice(bytes).ok()?;
    (on_disk.format == FORMAT && on_disk.version == VERSION).then_some(on_disk)
}

/// Decodes a token entry of kind `T` whose token opens with `seal` (or is in clear, without
/// one), or returns `None` for anything else.
pub(crate) fn decode_token<T: Cacheable>(
    bytes: &[u8],
    seal: Option<&SealKey>,
) -> Option<StoredToken<T>> {
    let on_disk = decode(bytes)?;
    if on_disk.kind != T::KIND {
        return None;
    }
    let token = on_disk.token?;
    // The secret goes straight into a `SecretString`; the decoder's own buffer is `bytes`,
    // which the store wipes.
    let secret = match (seal, &token.value, &token.sealed) {
        (Some(key), None, Some(sealed)) => key.open(T::KIND, sealed)?,
        (None, Some(value), None) => SecretString::from(value.as_ref()),
        // A token in clear where a sealed one belongs is no entry, nor the other way round.
        _ => return None,
    };
    if secret.expose_secret().is_empty() {
        return None;
    }
    let received_at = time(token.received_at_ms)?;
    let lifetime = token.lifetime_ms.map(Duration::from_millis);
    let keep_until = time(token.keep_until_ms)?;
    Some(StoredToken {
        token: T::restore(secret, received_at, lifetime, &token.details)?,
        keep_until,
    })
}

/// Decodes a failure entry, or returns `None` for anything else.
pub(crate) fn decode_failure(bytes: &[u8]) -> Option<StoredFailure> {
    let on_disk = decode(bytes)?;
    if on_disk.kind != FAILURE {
        return None;
    }
    let failure = on_disk.failure?;
    Some(StoredFailure {
        error: rebuild(&failure)?,
        at: time(failure.at_ms)?,
        until: time(failure.until_ms)?,
    })
}

/// Returns the keyed hash of the identifier an entry of any kind carries, for `logout
/// --username`; `None` for what is not an entry.
pub(crate) fn identifier_tag(bytes: &[u8]) -> Option<String> {
    decode(bytes).map(|on_disk| on_disk.identifier.into_owned())
}

/// The error a stored failure describes, with its original kind, status and messages.
fn rebuild(failure: &FailureOnDisk<'_>) -> Option<Error> {
    let mut error = Error::new(kind_from_name(&failure.kind)?).with_retryable(failure.retryable);
    if let Some(status) = failure.status {
        error = error.with_status(status);
    }
    if let Some(detail) = &failure.detail {
        error = error.with_detail(detail.clone().into_owned());
    }
    if let Some(peer) = &failure.peer {
        error = error.with_peer(peer.clone().into_owned());
    }
    // Stored already redacted; the same redaction again changes nothing.
    if let Some(message) = &failure.hub_message {
        error = error.with_hub_message(message, &[]);
    }
    if let Some(excerpt) = &failure.body_excerpt {
        error = error.with_excerpt(excerpt, &[]);
    }
    Some(error.with_retry_after(failure.retry_after_ms.map(Duration::from_millis)))
}

/// The stable name of a kind in an entry. Only failures a session remembers are stored,
/// but every kind has a name, so that no kind can be mistaken for another.
fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::InvalidInput => "invalid_input",
        ErrorKind::CredentialsRejected => "credentials_rejected",
        ErrorKind::SecondFactorRequired => "second_factor_required",
        ErrorKind::SecondFactorRejected => "second_factor_rejected",
        ErrorKind::RateLimited => "rate_limited",
        ErrorKind::Forbidden => "forbidden",
        ErrorKind::Timeout => "timeout",
        ErrorKind::Transport => "transport",
        ErrorKind::Unavailable => "unavailable",
        ErrorKind::UnexpectedResponse => "unexpected_response",
        ErrorKind::InvalidResponse => "invalid_response",
        ErrorKind::Runtime => "runtime",
        ErrorKind::Cache => "cache",
        ErrorKind::CredentialStore => "credential_store",
        ErrorKind::PasswordLoginRequired => "password_login_required",
        ErrorKind::NotFound => "not_found",
    }
}

fn kind_from_name(name: &str) -> Option<ErrorKind> {
    Some(match name {
        "invalid_input" => ErrorKind::InvalidInput,
        "credentials_rejected" => ErrorKind::CredentialsRejected,
        "second_factor_required" => ErrorKind::SecondFactorRequired,
        "second_factor_rejected" => ErrorKind::SecondFactorRejected,
        "rate_limited" => ErrorKind::RateLimited,
        "forbidden" => ErrorKind::Forbidden,
        "timeout" => ErrorKind::Timeout,
        "transport" => ErrorKind::Transport,
        "unavailable" => ErrorKind::Unavailable,
        "unexpected_response" => ErrorKind::UnexpectedResponse,
        "invalid_response" => ErrorKind::InvalidResponse,
        "runtime" => ErrorKind::Runtime,
        "cache" => ErrorKind::Cache,
        "credential_store" => ErrorKind::CredentialStore,
        "password_login_required" => ErrorKind::PasswordLoginRequired,
        "not_found" => ErrorKind::NotFound,
        _ => return None,
    })
}

fn millis(at: SystemTime) -> u64 {
    duration_millis(at.duration_since(UNIX_EPOCH).unwrap_or_default())
}

fn duration_millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

fn time(millis: u64) -> Option<SystemTime> {
    UNIX_EPOCH.checked_add(Duration::from_millis(millis))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::token::Token;

    fn at(ms: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(ms)
    }

    fn token_entry() -> StoredToken<Token> {
        StoredToken {
            token: Token::new(SecretString::from("eyJ.token.sig"), at(1_800_000_000_000)),
            keep_until: at(1_800_000_600_000),
        }
    }

    fn failure_entry() -> StoredFailure {
        StoredFailure {
            error: Error::new(ErrorKind::RateLimited)
                .with_peer("registry ghcr.io")
                .with_status(429)
                .with_retry_after(Some(Duration::from_secs(30)))
                .with_hub_message("Too Many Requests", &[]),
            at: at(1_800_000_000_000),
            until: at(1_800_000_030_000),
        }
    }

    fn seal(byte: u8) -> SealKey {
        SealKey::new(&Zeroizing::new([byte; 32]))
    }

    fn sealed_entry() -> Zeroizing<Vec<u8>> {
        encode_token(
            "ab12",
            at(1_800_000_000_000),
            &token_entry(),
            Some(&seal(1)),
        )
        .unwrap()
    }

    #[test]
    fn a_token_entry_survives_the_round_trip_sealed() {
        let bytes = sealed_entry();
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        assert!(!text.contains("eyJ"), "the token shows: {text}");
        assert_eq!(identifier_tag(&bytes).as_deref(), Some("ab12"));
        let stored = decode_token::<Token>(&bytes, Some(&seal(1))).unwrap();
        assert_eq!(stored.token.expose_secret(), "eyJ.token.sig");
        assert_eq!(stored.token.received_at(), at(1_800_000_000_000));
        assert_eq!(stored.keep_until, at(1_800_000_600_000));
        assert!(
            decode_failure(&bytes).is_none(),
            "a token entry is no failure"
        );
    }

    #[test]
    fn a_sealed_token_opens_only_with_its_key() {
        let bytes = sealed_entry();
        assert!(decode_token::<Token>(&bytes, Some(&seal(2))).is_none());
        assert!(decode_token::<Token>(&bytes, None).is_none());
    }

    #[test]
    fn only_a_grant_without_a_secret_keeps_its_token_in_clear() {
        let bytes = encode_token("ab12", at(1_800_000_000_000), &token_entry(), None).unwrap();
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        assert!(text.contains("\"value\":\"eyJ.token.sig\""), "{text}");
        let stored = decode_token::<Token>(&bytes, None).unwrap();
        assert_eq!(stored.token.expose_secret(), "eyJ.token.sig");
        // A token in clear where a sealed one belongs is no entry: one written in clear by
        // anyone who can write the directory is never served to a grant with a secret.
        assert!(decode_token::<Token>(&bytes, Some(&seal(1))).is_none());
    }

    #[test]
    fn a_failure_entry_survives_the_round_trip() {
        let bytes = encode_failure("ab12", at(1_800_000_000_000), &failure_entry());
        assert_eq!(identifier_tag(&bytes).as_deref(), Some("ab12"));
        let failure = decode_failure(&bytes).unwrap();
        assert_eq!(failure.error.kind(), ErrorKind::RateLimited);
        assert_eq!(failure.error.status(), Some(429));
        assert_eq!(failure.error.hub_message(), Some("Too Many Requests"));
        assert_eq!(failure.error.peer(), Some("registry ghcr.io"));
        assert_eq!(failure.error.retry_after(), Some(Duration::from_secs(30)));
        assert!(failure.error.is_retryable());
        assert_eq!(failure.until, at(1_800_000_030_000));
        assert!(
            decode_token::<Token>(&bytes, Some(&seal(1))).is_none(),
            "a failure entry is no token"
        );
    }

    #[test]
    fn damaged_foreign_older_and_later_entries_are_no_entry() {
        let bytes = sealed_entry();
        for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
            assert!(
                decode_token::<Token>(&bytes[..cut], Some(&seal(1))).is_none(),
                "cut at {cut}"
            );
        }
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        for damaged in [
            text.replace("\"version\":3", "\"version\":4"),
            text.replace("\"version\":3", "\"version\":2"),
            text.replace(FORMAT, "another program"),
            text.replace("\"kind\":\"hub\"", "\"kind\":\"registry\""),
            "{}".to_owned(),
            "null".to_owned(),
            "\u{0}\u{1}garbage".to_owned(),
        ] {
            assert!(
                decode_token::<Token>(damaged.as_bytes(), Some(&seal(1))).is_none(),
                "{damaged}"
            );
        }
        let failure = encode_failure("ab12", at(0), &failure_entry());
        let text = String::from_utf8(failure.to_vec()).unwrap();
        let unknown_kind = text.replace("rate_limited", "on_fire");
        assert!(decode_failure(unknown_kind.as_bytes()).is_none());
    }

    #[test]
    fn every_kind_has_a_name_that_reads_back() {
        for kind in [
            ErrorKind::InvalidInput,
            ErrorKind::CredentialsRejected,
            ErrorKind::SecondFactorRequired,
            ErrorKind::SecondFactorRejected,
            ErrorKind::RateLimited,
            ErrorKind::Forbidden,
            ErrorKind::Timeout,
            ErrorKind::Transport,
            ErrorKind::Unavailable,
            ErrorKind::UnexpectedResponse,
            ErrorKind::InvalidResponse,
            ErrorKind::Runtime,
            ErrorKind::Cache,
            ErrorKind::CredentialStore,
            ErrorKind::PasswordLoginRequired,
            ErrorKind::NotFound,
        ] {
            assert_eq!(kind_from_name(kind_name(kind)), Some(kind));
        }
    }

    proptest! {
        #[test]
        fn any_bytes_decode_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = decode_token::<Token>(&bytes, Some(&seal(1)));
            let _ = decode_token::<Token>(&bytes, None);
            let _ = decode_failure(&bytes);
            let _ = identifier_tag(&bytes);
        }
    }
}
