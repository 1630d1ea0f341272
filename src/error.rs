//! The crate's one error type: an opaque [`Error`] with a matchable [`ErrorKind`].

use std::{
    borrow::Cow,
    error::Error as StdError,
    fmt,
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use time::{OffsetDateTime, format_description::BorrowedFormatItem, macros::format_description};

use crate::scrub::scrub;

/// A `Result` whose error defaults to this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, as the caller sees it.
///
/// Match on it with a `_` arm: new kinds may be added in minor releases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input was refused before any request was sent: an empty username, secret or code,
    /// an insecure or malformed base URL, or an invalid builder setting.
    InvalidInput,
    /// Docker Hub rejected the username, password or token (401 from a login or token route),
    /// or the bearer token (401 from a route that needs one, also after one refresh).
    CredentialsRejected,
    /// The account needs a second factor and there was no way to provide one here.
    ///
    /// [`Hub::login`](crate::Hub::login) does not return this: it returns
    /// [`Login::SecondFactorRequired`](crate::Login::SecondFactorRequired) instead.
    SecondFactorRequired,
    /// Docker Hub rejected the second-factor code (401 from `/v2/users/2fa-login`). The
    /// challenge stays usable for another code until it expires.
    SecondFactorRejected,
    /// Docker Hub is rate limiting this client or username (429).
    /// [`Error::retry_after`] tells how long to wait, when Hub said.
    RateLimited,
    /// Docker Hub refused by policy (403), for example a password where SSO requires a
    /// personal access token.
    Forbidden,
    /// The request did not complete within the configured time.
    Timeout,
    /// The connection to Docker Hub failed: DNS, connect, TLS, or a connection closed early.
    Transport,
    /// Docker Hub answered with a server error (5xx).
    Unavailable,
    /// Docker Hub answered with a status this crate does not expect (a redirect, 400, 404 …).
    UnexpectedResponse,
    /// Docker Hub answered with a success status but a body that is not what its API
    /// promises: no token, not JSON, or larger than the configured limit.
    InvalidResponse,
    /// The call cannot run where it was made: an async operation that needs a request
    /// found no tokio runtime (or one shutting down), or a call of the
    /// [`blocking`](crate#blocking-code) API was made inside a tokio runtime, which it would
    /// stall. Nothing was sent: this is a problem of the calling program, not of the
    /// network, and the message names the call.
    Runtime,
    /// Docker's credential store could not be read: a malformed `config.json` or
    /// `DOCKER_AUTH_CONFIG`, an `auth` that is not base64, or a credential helper that is
    /// missing, fails, hangs or answers garbage. The message names the file or helper.
    /// Nothing stored is not this error: it is `Ok(None)`.
    CredentialStore,
    /// Docker Hub refused to manage access tokens with this bearer token because it was
    /// issued from a personal or organization access token (403, "token issued from personal
    /// access token is not allowed"). Managing access tokens needs a bearer token from a
    /// password login ([`Credentials::password`](crate::Credentials::password)), with the
    /// second factor if the account has one.
    PasswordLoginRequired,
    /// Docker Hub has no such thing (404): an unknown access token id, or an organization
    /// that does not exist or that the account cannot see.
    NotFound,
    /// The token cache on disk could not be used by one of
    /// [`DiskCache`](crate::DiskCache)'s own methods (an unsafe or unreadable directory). A
    /// [`Session`](crate::Session) never fails because of its cache: it goes on without it.
    Cache,
}

/// The error returned by every fallible operation of this crate.
///
/// Ask [`kind`](Self::kind) what happened; [`status`](Self::status),
/// [`hub_message`](Self::hub_message) and [`retry_after`](Self::retry_after) give the details
/// Docker Hub sent. Neither `Display` nor `Debug` ever shows a password, token or code: Hub's
/// message is passed through the same redaction before it is stored.
///
/// ```
/// # fn handle(err: dockerhub_auth::Error) {
/// use dockerhub_auth::ErrorKind;
/// match err.kind() {
///     ErrorKind::CredentialsRejected | ErrorKind::Forbidden => eprintln!("check your token: {err}"),
///     ErrorKind::RateLimited => eprintln!("wait {:?}", err.retry_after()),
///     _ if err.is_retryable() => eprintln!("try again later: {err}"),
///     _ => eprintln!("{err}"),
/// }
/// # }
/// ```
///
/// Errors are `Clone`, so that every task waiting on one [`Session`](crate::Session) refresh
/// can receive the same failure.
#[derive(Clone)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Clone)]
struct Inner {
    kind: ErrorKind,
    /// What this crate knows beyond the kind, in a few words ("the username is empty").
    detail: Option<Cow<'static, str>>,
    status: Option<u16>,
    hub_message: Option<String>,
    excerpt: Option<String>,
    retry_after: Option<Duration>,
    retryable: bool,
    source: Option<Arc<dyn StdError + Send + Sync>>,
    remembered: Option<Remembered>,
    /// Who answered (or did not), in a few words ("registry ghcr.io"), when it was not
    /// Docker Hub.
    peer: Option<Cow<'static, str>>,
}

/// When a failure handed out again without a request happened, and when it is forgotten.
#[derive(Clone, Copy)]
struct Remembered {
    /// How long before it was handed out this time.
    age: Duration,
    /// When it is forgotten and the request may be sent again.
    until: SystemTime,
    /// When it was handed out this time.
    recalled_at: SystemTime,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                detail: None,
                status: None,
                hub_message: None,
                excerpt: None,
                retry_after: None,
                retryable: matches!(kind, ErrorKind::RateLimited | ErrorKind::Timeout),
                source: None,
                remembered: None,
                peer: None,
            }),
        }
    }

    /// An input refused before any I/O, with a few words saying which.
    pub(crate) fn invalid_input(detail: impl Into<Cow<'static, str>>) -> Self {
        Error::new(ErrorKind::InvalidInput).with_detail(detail)
    }

    pub(crate) fn with_detail(mut self, detail: impl Into<Cow<'static, str>>) -> Self {
        self.inner.detail = Some(detail.into());
        self
    }

    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.inner.status = Some(status);
        self
    }

    /// Stores Hub's own message, redacted of `secrets` and of anything shaped like a token.
    pub(crate) fn with_hub_message(mut self, message: &str, secrets: &[&str]) -> Self {
        let message = scrub(message, secrets);
        self.inner.hub_message = (!message.is_empty()).then_some(message);
        self
    }

    /// Stores a short excerpt of a body that carried no message, redacted like a message.
    pub(crate) fn with_excerpt(mut self, excerpt: &str, secrets: &[&str]) -> Self {
        let excerpt = scrub(excerpt, secrets);
        self.inner.excerpt = (!excerpt.is_empty()).then_some(excerpt);
        self
    }

    pub(crate) fn with_retry_after(mut self, wait: Option<Duration>) -> Self {
        self.inner.retry_after = wait;
        self
    }

    pub(crate) fn with_retryable(mut self, retryable: bool) -> Self {
        self.inner.retryable = retryable;
        self
    }

    pub(crate) fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Self {
        self.inner.source = Some(Arc::new(source));
        self
    }

    /// Names who answered, or did not, when it is not Docker Hub: "registry ghcr.io", "the
    /// token service auth.example.com". It replaces "docker hub" in `Display`.
    pub(crate) fn with_peer(mut self, peer: impl Into<Cow<'static, str>>) -> Self {
        self.inner.peer = Some(peer.into());
        self
    }

    /// Returns who answered, when it was not Docker Hub, for the disk cache to store.
    pub(crate) fn peer(&self) -> Option<&str> {
        self.inner.peer.as_deref()
    }

    /// Marks a failure handed out again without a request: it happened `age` before `now`
    /// and is remembered until `until`.
    pub(crate) fn remembered(mut self, age: Duration, until: SystemTime, now: SystemTime) -> Self {
        self.inner.remembered = Some(Remembered {
            age,
            until,
            recalled_at: now,
        });
        self
    }

    /// Returns the few words this crate added, for the disk cache to store.
    pub(crate) fn detail(&self) -> Option<&str> {
        self.inner.detail.as_deref()
    }

    /// Returns what kind of error this is.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// Returns the HTTP status Docker Hub answered with, when there was an answer.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }

    /// Returns Docker Hub's own explanation (its `detail` or `message` field), when it sent
    /// one.
    ///
    /// The text is Hub's, shortened to a few hundred characters, with control characters
    /// escaped and anything shaped like a password, token or JWT replaced by `[redacted]`.
    pub fn hub_message(&self) -> Option<&str> {
        self.inner.hub_message.as_deref()
    }

    /// Returns a short, redacted excerpt of a response body that carried no message, such as
    /// the title of a proxy's HTML error page.
    pub fn body_excerpt(&self) -> Option<&str> {
        self.inner.excerpt.as_deref()
    }

    /// Returns how long Docker Hub asked the client to wait before trying again.
    ///
    /// Set for [`ErrorKind::RateLimited`] when Hub sent `Retry-After` (in seconds, as an
    /// HTTP date or as a unix timestamp) or `X-RateLimit-Reset`; measured from the moment the
    /// response arrived.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// Returns whether the same request may succeed if it is sent again later: rate limits,
    /// timeouts, connection failures and 502, 503 or 504 answers.
    ///
    /// Rejected credentials are never retryable: each failed login counts toward Docker
    /// Hub's ten-minute lockout of the username.
    pub fn is_retryable(&self) -> bool {
        self.inner.retryable
    }

    /// Returns whether this is a failure a [`Session`](crate::Session) (or its disk cache)
    /// remembered and handed out again without sending a request.
    ///
    /// A rejected secret is not sent again until [`Session::invalidate`](crate::Session::invalidate)
    /// or the session's cool-down; a rate limit is waited out. The kind, status and Hub's
    /// message are those of the original answer; [`remembered_until`](Self::remembered_until)
    /// says when a request may be sent again.
    pub fn is_remembered(&self) -> bool {
        self.inner.remembered.is_some()
    }

    /// Returns when a remembered failure is forgotten, so that the next call sends a request
    /// again; `None` when the failure is not [remembered](Self::is_remembered).
    pub fn remembered_until(&self) -> Option<SystemTime> {
        self.inner.remembered.map(|remembered| remembered.until)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        let peer = inner.peer.as_deref().unwrap_or("docker hub");
        match inner.kind {
            ErrorKind::InvalidInput => f.write_str("invalid input")?,
            ErrorKind::CredentialsRejected => write!(f, "{peer} rejected the credentials")?,
            ErrorKind::SecondFactorRequired => {
                f.write_str("docker hub requires a second factor")?
            }
            ErrorKind::SecondFactorRejected => {
                f.write_str("docker hub rejected the second-factor code")?;
            }
            ErrorKind::RateLimited => write!(f, "rate limited by {peer}")?,
            ErrorKind::Forbidden => write!(f, "forbidden by {peer}")?,
            ErrorKind::Timeout => write!(f, "request to {peer} timed out")?,
            ErrorKind::Transport => write!(f, "could not talk to {peer}")?,
            ErrorKind::Unavailable => write!(f, "{peer} is unavailable")?,
            ErrorKind::UnexpectedResponse => write!(f, "unexpected response from {peer}")?,
            ErrorKind::InvalidResponse => write!(f, "invalid response from {peer}")?,
            // Its detail says it all: which call needs what (or cannot run where).
            ErrorKind::Runtime => match &inner.detail {
                Some(detail) => f.write_str(detail)?,
                None => f.write_str("no usable tokio runtime")?,
            },
            ErrorKind::CredentialStore => f.write_str("cannot read docker's stored credentials")?,
            ErrorKind::PasswordLoginRequired => f.write_str(
                "docker hub refuses tokens issued from a personal or organization access token \
                 here: managing access tokens needs a password login",
            )?,
            ErrorKind::NotFound => write!(f, "not found on {peer}")?,
            ErrorKind::Cache => f.write_str("the token cache cannot be used")?,
        }
        if let Some(status) = inner.status {
            write!(f, " (http {status})")?;
        }
        if let Some(wait) = inner.retry_after {
            write!(f, ", retry after {}s", wait.as_secs_f64().ceil())?;
        }
        if let Some(detail) = inner
            .detail
            .as_ref()
            .filter(|_| inner.kind != ErrorKind::Runtime)
        {
            write!(f, ": {detail}")?;
        }
        if let Some(message) = &inner.hub_message {
            write!(f, ": {message}")?;
        } else if let Some(excerpt) = &inner.excerpt {
            write!(f, ": body: {excerpt}")?;
        }
        if let Some(remembered) = &inner.remembered {
            write!(
                f,
                "; remembered from {} s ago, not retried before {}",
                remembered.age.as_secs(),
                moment(remembered.until, remembered.recalled_at)
            )?;
        }
        Ok(())
    }
}

/// `10:31:07 UTC`.
const CLOCK: &[BorrowedFormatItem<'static>] = format_description!("[hour]:[minute]:[second] UTC");

/// `2027-01-16 10:31:07 UTC`.
const DATE_AND_CLOCK: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");

/// Formats `at` as `10:31:07 UTC`, with the date in front when it is not within the next
/// twelve hours of `now`. A moment before 1970 reads as 1970-01-01; one past what `time`
/// can write (the year 9999) as a count of seconds.
fn moment(at: SystemTime, now: SystemTime) -> String {
    let seconds = at.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let description = match at.duration_since(now) {
        Ok(ahead) if ahead < Duration::from_secs(12 * 3600) => CLOCK,
        _ => DATE_AND_CLOCK,
    };
    i64::try_from(seconds)
        .ok()
        .and_then(|seconds| OffsetDateTime::from_unix_timestamp(seconds).ok())
        .and_then(|at| at.format(description).ok())
        .unwrap_or_else(|| format!("{seconds} s after 1970-01-01 00:00:00 UTC"))
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        let mut debug = f.debug_struct("Error");
        debug.field("kind", &inner.kind);
        if let Some(detail) = &inner.detail {
            debug.field("detail", detail);
        }
        if let Some(status) = inner.status {
            debug.field("status", &status);
        }
        if let Some(message) = &inner.hub_message {
            debug.field("hub_message", message);
        }
        if let Some(excerpt) = &inner.excerpt {
            debug.field("body_excerpt", excerpt);
        }
        if let Some(wait) = inner.retry_after {
            debug.field("retry_after", &wait);
        }
        if let Some(source) = &inner.source {
            debug.field("source", source);
        }
        if let Some(remembered) = &inner.remembered {
            debug.field("remembered_until", &remembered.until);
        }
        if let Some(peer) = &inner.peer {
            debug.field("peer", peer);
        }
        debug.finish()
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|source| source as &(dyn StdError + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_one_pointer_wide() {
        assert_eq!(size_of::<Error>(), size_of::<usize>());
    }

    #[test]
    fn display_is_one_lowercase_line_with_hub_message_and_wait() {
        let err = Error::new(ErrorKind::RateLimited)
            .with_status(429)
            .with_retry_after(Some(Duration::from_millis(29_100)))
            .with_hub_message("Too many\nrequests", &[]);
        assert_eq!(
            err.to_string(),
            "rate limited by docker hub (http 429), retry after 30s: Too many requests"
        );
    }

    #[test]
    fn a_remembered_failure_says_since_when_and_until_when() {
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000); // 2027-01-15 08:00:00 UTC
        let err = Error::new(ErrorKind::CredentialsRejected)
            .with_status(401)
            .with_hub_message("Incorrect authentication credentials", &[])
            .remembered(Duration::from_secs(42), now + Duration::from_secs(558), now);
        assert!(err.is_remembered());
        assert_eq!(err.kind(), ErrorKind::CredentialsRejected);
        assert_eq!(
            err.to_string(),
            "docker hub rejected the credentials (http 401): Incorrect authentication \
             credentials; remembered from 42 s ago, not retried before 08:09:18 UTC"
        );
        let far = err.remembered(Duration::ZERO, now + Duration::from_secs(86_400), now);
        assert!(far.to_string().ends_with("before 2027-01-16 08:00:00 UTC"));
    }

    #[test]
    fn dates_match_known_days() {
        let day = |days: u64| UNIX_EPOCH + Duration::from_secs(days * 86_400);
        let now = day(30_000); // far from all of them: the date is written
        assert_eq!(moment(day(0), now), "1970-01-01 00:00:00 UTC");
        assert_eq!(moment(day(11_016), now), "2000-02-29 00:00:00 UTC");
        assert_eq!(moment(day(20_833), now), "2027-01-15 00:00:00 UTC");
    }

    #[test]
    fn moments_time_cannot_write_are_seconds_not_a_panic() {
        let far = UNIX_EPOCH + Duration::from_secs(400_000_000_000);
        assert_eq!(
            moment(far, UNIX_EPOCH),
            "400000000000 s after 1970-01-01 00:00:00 UTC"
        );
        let before = UNIX_EPOCH - Duration::from_secs(1);
        assert_eq!(moment(before, UNIX_EPOCH), "1970-01-01 00:00:00 UTC");
    }
}
