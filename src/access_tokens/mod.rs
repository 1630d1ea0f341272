//! Managing personal access tokens (PATs) and organization access tokens (OATs): list, get,
//! create, update, delete and rotate, with a bearer token from a password login.
//!
//! - `pat`: [`PersonalAccessTokens`] and [`PersonalAccessToken`];
//! - `oat`: [`OrgAccessTokens`], [`OrgAccessToken`] and [`OatResource`];
//! - `scope`: the open sets of names ([`PatScope`], [`OatScope`], [`OatResourceKind`]);
//! - `pages`: the stream over every page of a list;
//! - `rotate`: create, prove, deactivate, and undo when the proof fails.

mod oat;
mod pages;
mod pat;
mod rotate;
mod scope;

use std::{fmt, future::Future};

use secrecy::SecretString;

pub use oat::{NewOrgAccessToken, OatResource, OrgAccessToken, OrgAccessTokens};
pub(crate) use pages::Page;
pub use pat::{NewPersonalAccessToken, PersonalAccessToken, PersonalAccessTokens};
pub(crate) use rotate::Described;
pub use rotate::Rotation;
pub use scope::{OatResourceKind, OatScope, PatScope};

use crate::{Error, ErrorKind, Hub, Result, Session, Token, retry};

impl Hub {
    /// Returns the personal access tokens of the account `bearer` belongs to, to list,
    /// create, change, delete and rotate.
    ///
    /// `bearer` is a [`Session`] (its token is refreshed once when Hub refuses it) or a
    /// [`Token`] (used as it is). Docker Hub manages tokens only for a bearer token from a
    /// password login: one from a personal or organization access token is refused with
    /// [`ErrorKind::PasswordLoginRequired`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let server = httpmock::MockServer::start_async().await;
    /// # let hub = dockerhub_auth::Hub::builder().base_url(server.base_url()).build()?;
    /// use dockerhub_auth::Credentials;
    ///
    /// let session = hub.session(Credentials::password("alice", "correct horse battery staple"));
    /// let tokens = hub.access_tokens(&session);
    /// # let _ = tokens;
    /// # Ok(()) }
    /// ```
    pub fn access_tokens(&self, bearer: impl Into<Bearer>) -> PersonalAccessTokens {
        PersonalAccessTokens::new(Manager::new(self, bearer.into()))
    }

    /// Returns the access tokens of the organization `org`, to list, create, change, delete
    /// and rotate.
    ///
    /// `bearer` is a [`Session`] or a [`Token`], as for
    /// [`access_tokens`](Self::access_tokens), and must belong to an owner of the
    /// organization.
    pub fn org_access_tokens(&self, bearer: impl Into<Bearer>, org: &str) -> OrgAccessTokens {
        OrgAccessTokens::new(Manager::new(self, bearer.into()), org)
    }
}

/// Where the access-token routes get their bearer token: a [`Session`] or a [`Token`].
///
/// With a session, a bearer token Docker Hub refuses (401) is forgotten with
/// [`Session::invalidate`] and the request is sent once more with a fresh one; a second 401
/// is returned. A token is used as it is, for a program that logged in itself (for example
/// with a second factor typed by a person).
#[derive(Clone)]
pub struct Bearer {
    source: Source,
}

#[derive(Clone)]
enum Source {
    Session(Session),
    Token(Token),
}

impl From<Session> for Bearer {
    fn from(session: Session) -> Self {
        Bearer {
            source: Source::Session(session),
        }
    }
}

impl From<&Session> for Bearer {
    fn from(session: &Session) -> Self {
        Bearer::from(session.clone())
    }
}

impl From<Token> for Bearer {
    fn from(token: Token) -> Self {
        Bearer {
            source: Source::Token(token),
        }
    }
}

impl From<&Token> for Bearer {
    fn from(token: &Token) -> Self {
        Bearer::from(token.clone())
    }
}

impl fmt::Debug for Bearer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Source::Session(session) => f.debug_tuple("Bearer").field(session).finish(),
            Source::Token(token) => f.debug_tuple("Bearer").field(token).finish(),
        }
    }
}

/// What both kinds of token management share: the hub, the bearer, and how a call runs.
#[derive(Clone)]
pub(crate) struct Manager {
    hub: Hub,
    bearer: Bearer,
}

impl Manager {
    fn new(hub: &Hub, bearer: Bearer) -> Self {
        Manager {
            hub: hub.clone(),
            bearer,
        }
    }

    pub(crate) fn hub(&self) -> &Hub {
        &self.hub
    }

    /// Returns the bearer token to send.
    async fn token(&self) -> Result<Token> {
        match &self.bearer.source {
            Source::Session(session) => {
                // The bearer token goes only where it came from.
                if session.hub().base_url() != self.hub.base_url() {
                    return Err(Error::invalid_input(
                        "the session belongs to a hub with another base URL",
                    ));
                }
                session.token().await
            }
            Source::Token(token) => Ok(token.clone()),
        }
    }

    /// Returns the username in the bearer token's claims.
    pub(crate) async fn username(&self) -> Result<Option<String>> {
        let token = self.token().await?;
        Ok(token
            .claims()
            .and_then(|claims| claims.username())
            .map(str::to_owned))
    }

    /// Runs `call` with the bearer token under the hub's retry policy; after a 401 from a
    /// session's token, runs it once more with a fresh token.
    pub(crate) async fn run<T, F, Fut>(&self, mut call: F) -> Result<T>
    where
        F: FnMut(Token) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let token = self.token().await?;
        let policy = self.hub.retry_policy();
        let result = retry::run(policy, || call(token.clone())).await;
        match (&self.bearer.source, result) {
            (Source::Session(session), Err(error)) if error.status() == Some(401) => {
                session.invalidate();
                let token = self.token().await?;
                retry::run(policy, || call(token.clone())).await
            }
            (_, result) => result,
        }
    }

    /// [`run`](Self::run) for a request that creates something: a failure after which the
    /// request may have been carried out (a timeout, 502, 504, a connection that broke) is
    /// not retried, so that one call never creates two tokens.
    pub(crate) async fn run_once<T, F, Fut>(&self, mut call: F) -> Result<T>
    where
        F: FnMut(Token) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        self.run(|token| {
            let sent = call(token);
            async move {
                sent.await.map_err(|error| {
                    // Transport failures are retryable only when no connection was made.
                    let surely_not_done = matches!(error.status(), Some(429 | 503))
                        || (error.kind() == ErrorKind::Transport && error.is_retryable());
                    match surely_not_done {
                        true => error,
                        false => error.with_retryable(false),
                    }
                })
            }
        })
        .await
    }
}

impl fmt::Debug for Manager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Manager")
            .field("hub", &self.hub)
            .field("bearer", &self.bearer)
            .finish()
    }
}

/// A token Docker Hub has just created: what it says about the token, and its secret, which
/// Docker Hub shows this once.
///
/// `Debug` shows the metadata, never the secret.
#[derive(Clone)]
pub struct CreatedToken<T> {
    token: T,
    secret: SecretString,
}

impl<T> CreatedToken<T> {
    pub(crate) fn new(token: T, secret: SecretString) -> Self {
        CreatedToken { token, secret }
    }

    /// Returns what Docker Hub says about the new token.
    pub fn token(&self) -> &T {
        &self.token
    }

    /// Returns the new token's secret (`dckr_pat_…` or `dckr_oat_…`). Docker Hub never
    /// shows it again: store it now.
    pub fn secret(&self) -> &SecretString {
        &self.secret
    }

    /// Returns the metadata and the secret.
    pub fn into_parts(self) -> (T, SecretString) {
        (self.token, self.secret)
    }
}

impl<T: fmt::Debug> fmt::Debug for CreatedToken<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreatedToken")
            .field("token", &self.token)
            .finish_non_exhaustive() // the secret is never printed
    }
}

/// The changes to make to a token: its label, whether it can be used, or both.
///
/// ```
/// use dockerhub_auth::TokenUpdate;
///
/// let retire = TokenUpdate::new().active(false);
/// let rename = TokenUpdate::new().label("ci (old)");
/// # let _ = (retire, rename);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct TokenUpdate {
    pub(crate) label: Option<String>,
    pub(crate) active: Option<bool>,
}

impl TokenUpdate {
    /// Returns an update that changes nothing yet.
    pub fn new() -> Self {
        TokenUpdate::default()
    }

    /// Sets a new label (for a personal access token, 1 to 100 characters).
    ///
    /// Default: the label is left as it is.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Activates (`true`) or deactivates (`false`) the token. A deactivated token is refused
    /// by Docker Hub until it is activated again.
    ///
    /// Default: left as it is.
    pub fn active(mut self, active: bool) -> Self {
        self.active = Some(active);
        self
    }

    /// Refuses an update that changes nothing, before any request.
    pub(crate) fn check(&self) -> Result<()> {
        match (&self.label, self.active) {
            (None, None) => Err(Error::invalid_input("the update changes nothing")),
            (Some(label), _) if label.trim().is_empty() => {
                Err(Error::invalid_input("the label is empty"))
            }
            _ => Ok(()),
        }
    }
}

/// Refuses an empty token id before any request: it would name the collection instead.
pub(crate) fn require_id(id: &str) -> Result<()> {
    if id.trim().is_empty() {
        return Err(Error::invalid_input("the token id is empty"));
    }
    Ok(())
}
