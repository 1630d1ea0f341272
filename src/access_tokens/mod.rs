//! Managing personal access tokens (PATs) and organization access tokens (OATs): list, get,
//! create, update, delete and rotate, with a bearer token from a password login.
//!
//! - `pat`, `oat`: the operations, [`PersonalAccessTokens`] and [`OrgAccessTokens`];
//! - `tokens`: what Docker Hub says about a token ([`PersonalAccessToken`],
//!   [`OrgAccessToken`], [`CreatedToken`]);
//! - `changes`: what to create or change ([`NewPersonalAccessToken`], [`NewOrgAccessToken`],
//!   [`TokenUpdate`]);
//! - `scope`: the open sets of names ([`PatScope`], [`OatScope`], [`OatResourceKind`]);
//! - `pages`: the stream over every page of a list;
//! - `rotate`: create, prove, deactivate, and undo when the proof fails.

mod changes;
mod oat;
mod pages;
mod pat;
mod rotate;
mod scope;
mod tokens;

use std::{fmt, future::Future};

pub use changes::{NewOrgAccessToken, NewPersonalAccessToken, TokenUpdate};
pub use oat::OrgAccessTokens;
pub(crate) use pages::Page;
pub use pat::PersonalAccessTokens;
pub(crate) use rotate::Described;
pub use rotate::Rotation;
pub use scope::{OatResourceKind, OatScope, PatScope};
pub use tokens::{CreatedToken, OatResource, OrgAccessToken, PersonalAccessToken};

use crate::{
    error::{Error, ErrorKind, Result},
    hub::Hub,
    retry, runtime,
    session::Session,
    token::Token,
};

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
    /// let tokens = hub.personal_access_tokens(&session);
    /// # let _ = tokens;
    /// # Ok(()) }
    /// ```
    pub fn personal_access_tokens(&self, bearer: impl Into<Bearer>) -> PersonalAccessTokens {
        PersonalAccessTokens::new(Manager::new(self, bearer.into()))
    }

    /// Returns the access tokens of the organization `org`, to list, create, change, delete
    /// and rotate.
    ///
    /// `bearer` is a [`Session`] or a [`Token`], as for
    /// [`personal_access_tokens`](Self::personal_access_tokens), and must belong to an owner of the
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
        // Checked here, before a session is asked, so that the message names what was called.
        runtime::require("managing access tokens")?;
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

/// Refuses an empty token id before any request: it would name the collection instead.
pub(crate) fn require_id(id: &str) -> Result<()> {
    if id.trim().is_empty() {
        return Err(Error::invalid_input("the token id is empty"));
    }
    Ok(())
}
