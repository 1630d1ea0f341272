//! The crate's one error type: an opaque [`Error`] with a matchable [`ErrorKind`].

use std::{borrow::Cow, error::Error as StdError, fmt, sync::Arc, time::Duration};

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
    /// The operation needs a tokio runtime and none is running (or it is shutting down).
    /// Nothing was sent: this is a problem of the calling program, not of the network.
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
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        let what = match inner.kind {
            ErrorKind::InvalidInput => "invalid input",
            ErrorKind::CredentialsRejected => "docker hub rejected the credentials",
            ErrorKind::SecondFactorRequired => "docker hub requires a second factor",
            ErrorKind::SecondFactorRejected => "docker hub rejected the second-factor code",
            ErrorKind::RateLimited => "rate limited by docker hub",
            ErrorKind::Forbidden => "forbidden by docker hub",
            ErrorKind::Timeout => "request to docker hub timed out",
            ErrorKind::Transport => "could not talk to docker hub",
            ErrorKind::Unavailable => "docker hub is unavailable",
            ErrorKind::UnexpectedResponse => "unexpected response from docker hub",
            ErrorKind::InvalidResponse => "invalid response from docker hub",
            ErrorKind::Runtime => "no tokio runtime to run on",
            ErrorKind::CredentialStore => "cannot read docker's stored credentials",
            ErrorKind::PasswordLoginRequired => {
                "docker hub refuses tokens issued from a personal or organization access token \
                 here: managing access tokens needs a password login"
            }
            ErrorKind::NotFound => "not found on docker hub",
        };
        f.write_str(what)?;
        if let Some(status) = inner.status {
            write!(f, " (http {status})")?;
        }
        if let Some(wait) = inner.retry_after {
            write!(f, ", retry after {}s", wait.as_secs_f64().ceil())?;
        }
        if let Some(detail) = &inner.detail {
            write!(f, ": {detail}")?;
        }
        if let Some(message) = &inner.hub_message {
            write!(f, ": {message}")?;
        } else if let Some(excerpt) = &inner.excerpt {
            write!(f, ": body: {excerpt}")?;
        }
        Ok(())
    }
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
}
