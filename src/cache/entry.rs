//! The format of one cache entry: what is known about one key, the last token and the last
//! failure, as JSON with a format name and a version.
//!
//! ```json
//! {"format": "dockerhub-auth token cache", "version": 1,
//!  "identifier": "<keyed hash of the identifier>", "stored_at_ms": 1800000000000,
//!  "token": {"value": "eyJ…", "received_at_ms": 1800000000000, "lifetime_ms": 600000,
//!            "keep_until_ms": 1800000600000},
//!  "failure": {"kind": "credentials_rejected", "status": 401,
//!              "hub_message": "Incorrect authentication credentials",
//!              "at_ms": 1800000000000, "until_ms": 1800000600000}}
//! ```
//!
//! The secret the token was obtained with is never in an entry. Anything that does not
//! decode as this version (truncated, corrupt, another program's, a later version) is no
//! entry at all: it is ignored and replaced.

use std::{
    borrow::Cow,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::{Error, ErrorKind, Token};

const FORMAT: &str = "dockerhub-auth token cache";
const VERSION: u32 = 1;

/// What one entry holds, decoded.
pub(crate) struct Entry {
    /// The keyed hash of the identifier, for `logout --username`.
    pub(crate) identifier_tag: String,
    pub(crate) stored_at: SystemTime,
    pub(crate) token: Option<StoredToken>,
    pub(crate) failure: Option<StoredFailure>,
}

/// A token and what is needed to decide how long to reuse it.
pub(crate) struct StoredToken {
    pub(crate) token: Token,
    pub(crate) received_at: SystemTime,
    /// How long it lives from when it arrived; `None` when unknown (no `exp`).
    pub(crate) lifetime: Option<Duration>,
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
    identifier: Cow<'a, str>,
    stored_at_ms: u64,
    #[serde(default)]
    token: Option<TokenOnDisk<'a>>,
    #[serde(default)]
    failure: Option<FailureOnDisk<'a>>,
}

#[derive(Serialize, Deserialize)]
struct TokenOnDisk<'a> {
    value: Cow<'a, str>,
    received_at_ms: u64,
    lifetime_ms: Option<u64>,
    keep_until_ms: u64,
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
    at_ms: u64,
    until_ms: u64,
}

impl Entry {
    /// Encodes the entry; the buffer holds a token, so it is wiped when dropped.
    pub(crate) fn encode(&self) -> Zeroizing<Vec<u8>> {
        let on_disk = OnDisk {
            format: FORMAT.into(),
            version: VERSION,
            identifier: self.identifier_tag.as_str().into(),
            stored_at_ms: millis(self.stored_at),
            token: self.token.as_ref().map(|stored| TokenOnDisk {
                value: stored.token.expose_secret().into(),
                received_at_ms: millis(stored.received_at),
                lifetime_ms: stored.lifetime.map(duration_millis),
                keep_until_ms: millis(stored.keep_until),
            }),
            failure: self.failure.as_ref().map(|stored| {
                let error = &stored.error;
                FailureOnDisk {
                    kind: kind_name(error.kind()).into(),
                    status: error.status(),
                    hub_message: error.hub_message().map(Into::into),
                    body_excerpt: error.body_excerpt().map(Into::into),
                    detail: error.detail().map(Into::into),
                    retry_after_ms: error.retry_after().map(duration_millis),
                    retryable: error.is_retryable(),
                    at_ms: millis(stored.at),
                    until_ms: millis(stored.until),
                }
            }),
        };
        // Serializing plain strings and numbers into a Vec cannot fail; should it ever, the
        // empty buffer decodes as no entry.
        Zeroizing::new(serde_json::to_vec(&on_disk).unwrap_or_default())
    }

    /// Decodes an entry, or returns `None` for anything that is not one of this version.
    pub(crate) fn decode(bytes: &[u8]) -> Option<Entry> {
        let on_disk: OnDisk<'_> = serde_json::from_slice(bytes).ok()?;
        if on_disk.format != FORMAT || on_disk.version != VERSION {
            return None;
        }
        let token = match on_disk.token {
            None => None,
            Some(token) => {
                if token.value.is_empty() {
                    return None;
                }
                let received_at = time(token.received_at_ms)?;
                let lifetime = token.lifetime_ms.map(Duration::from_millis);
                Some(StoredToken {
                    token: Token::with_stated_lifetime(
                        SecretString::from(token.value.into_owned()),
                        received_at,
                        lifetime,
                    ),
                    received_at,
                    lifetime,
                    keep_until: time(token.keep_until_ms)?,
                })
            }
        };
        let failure = match on_disk.failure {
            None => None,
            Some(failure) => Some(StoredFailure {
                error: rebuild(&failure)?,
                at: time(failure.at_ms)?,
                until: time(failure.until_ms)?,
            }),
        };
        Some(Entry {
            identifier_tag: on_disk.identifier.into_owned(),
            stored_at: time(on_disk.stored_at_ms)?,
            token,
            failure,
        })
    }
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

    fn at(ms: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(ms)
    }

    fn full() -> Entry {
        Entry {
            identifier_tag: "ab12".into(),
            stored_at: at(1_800_000_000_000),
            token: Some(StoredToken {
                token: Token::new(SecretString::from("eyJ.token.sig"), at(1_800_000_000_000)),
                received_at: at(1_800_000_000_000),
                lifetime: Some(Duration::from_secs(600)),
                keep_until: at(1_800_000_600_000),
            }),
            failure: Some(StoredFailure {
                error: Error::new(ErrorKind::RateLimited)
                    .with_status(429)
                    .with_retry_after(Some(Duration::from_secs(30)))
                    .with_hub_message("Too Many Requests", &[]),
                at: at(1_800_000_000_000),
                until: at(1_800_000_030_000),
            }),
        }
    }

    #[test]
    fn an_entry_survives_the_round_trip() {
        let bytes = full().encode();
        let entry = Entry::decode(&bytes).unwrap();
        assert_eq!(entry.identifier_tag, "ab12");
        let token = entry.token.unwrap();
        assert_eq!(token.token.expose_secret(), "eyJ.token.sig");
        assert_eq!(token.token.received_at(), at(1_800_000_000_000));
        assert_eq!(token.lifetime, Some(Duration::from_secs(600)));
        let failure = entry.failure.unwrap();
        assert_eq!(failure.error.kind(), ErrorKind::RateLimited);
        assert_eq!(failure.error.status(), Some(429));
        assert_eq!(failure.error.hub_message(), Some("Too Many Requests"));
        assert_eq!(failure.error.retry_after(), Some(Duration::from_secs(30)));
        assert!(failure.error.is_retryable());
        assert_eq!(failure.until, at(1_800_000_030_000));
    }

    #[test]
    fn damaged_foreign_and_later_entries_are_no_entry() {
        let bytes = full().encode();
        for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
            assert!(Entry::decode(&bytes[..cut]).is_none(), "cut at {cut}");
        }
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        for damaged in [
            text.replace("\"version\":1", "\"version\":2"),
            text.replace(FORMAT, "another program"),
            text.replace("rate_limited", "on_fire"),
            "{}".to_owned(),
            "null".to_owned(),
            "\u{0}\u{1}garbage".to_owned(),
        ] {
            assert!(Entry::decode(damaged.as_bytes()).is_none(), "{damaged}");
        }
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
        ] {
            assert_eq!(kind_from_name(kind_name(kind)), Some(kind));
        }
    }

    proptest! {
        #[test]
        fn any_bytes_decode_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = Entry::decode(&bytes);
        }
    }
}
