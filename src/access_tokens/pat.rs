//! Personal access tokens: [`PersonalAccessTokens`], the operations on one account's tokens.

use std::time::SystemTime;

use futures_util::Stream;

use crate::{
    access_tokens::{CreatedToken, NewPersonalAccessToken, PersonalAccessToken, TokenUpdate},
    access_tokens::{
        Manager,
        changes::MAX_LABEL_CHARS,
        pages::{PAGE_SIZE, every_page},
        require_id,
        rotate::{self, Rotate, Rotation},
    },
    error::{Error, ErrorKind, Result},
    wire,
};

/// The personal access tokens of the account a bearer token belongs to. Get it with
/// [`Hub::personal_access_tokens`](crate::Hub::personal_access_tokens).
///
/// Every operation sends the bearer token to the hub's base URL, and nowhere else. Cloning
/// is cheap.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let server = httpmock::MockServer::start_async().await;
/// # server.mock_async(|when, then| { when.method("POST").path("/v2/users/login");
/// #     then.status(200).json_body(serde_json::json!({ "token": "not-a-jwt" })); }).await;
/// # server.mock_async(|when, then| { when.method("GET").path("/v2/access-tokens");
/// #     then.status(200).json_body(serde_json::json!({ "count": 1, "next": null,
/// #         "results": [{ "uuid": "b30bbf97", "token_label": "ci", "is_active": true,
/// #                       "scopes": ["repo:read"], "created_at": "2026-07-01T10:00:00Z",
/// #                       "last_used": null, "token": "" }] })); }).await;
/// # let hub = dockerhub_auth::Hub::builder().base_url(server.base_url()).build()?;
/// use dockerhub_auth::Credentials;
/// use futures_util::TryStreamExt as _;
///
/// // Docker Hub manages tokens only for a password login.
/// let session = hub.session(Credentials::password("alice", "correct horse battery staple"));
/// let tokens = hub.personal_access_tokens(&session);
/// let all: Vec<_> = tokens.list().try_collect().await?; // every page
/// for token in &all {
///     println!("{} {} active={}", token.id(), token.label(), token.is_active());
/// }
/// # assert_eq!(all[0].scopes(), [dockerhub_auth::PatScope::REPO_READ]);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct PersonalAccessTokens {
    manager: Manager,
    username: Option<String>,
}

impl PersonalAccessTokens {
    pub(crate) fn new(manager: Manager) -> Self {
        PersonalAccessTokens {
            manager,
            username: None,
        }
    }

    /// Sets the username [`rotate`](Self::rotate) proves new tokens with at
    /// `/v2/auth/token`.
    ///
    /// Default: the username in the bearer token's claims (Docker Hub's tokens carry it).
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }

    /// Returns every personal access token of the account, page after page (100 a page),
    /// without their secrets.
    ///
    /// Pages are asked for by number (`page=2`, `3`, …) on the hub's base URL while an
    /// answer has a non-empty `next`, for at most 100 pages: the `next` link itself is never
    /// followed, so the bearer token goes nowhere else (and a list works behind a mirror
    /// whose links name Docker Hub). After an error about a page the stream ends; an error
    /// about one token takes its place and the stream goes on.
    ///
    /// # Errors
    ///
    /// Items are errors of the kinds of [`get`](Self::get), and
    /// [`InvalidResponse`](ErrorKind::InvalidResponse) for a list longer than 100 pages.
    pub fn list(&self) -> impl Stream<Item = Result<PersonalAccessToken>> + Send + 'static + use<> {
        let manager = self.manager.clone();
        every_page(move |page| {
            let manager = manager.clone();
            async move {
                let endpoint = manager.hub().endpoint();
                manager
                    .run(|token| async move {
                        wire::list_personal_access_tokens(endpoint, &token, page, PAGE_SIZE).await
                    })
                    .await
            }
        })
    }

    /// Returns one personal access token, without its secret.
    ///
    /// # Errors
    ///
    /// - [`InvalidInput`](ErrorKind::InvalidInput): an empty id, refused before any request;
    /// - [`NotFound`](ErrorKind::NotFound): no token with this id;
    /// - [`PasswordLoginRequired`](ErrorKind::PasswordLoginRequired): the bearer token was
    ///   issued from a personal or organization access token;
    /// - [`CredentialsRejected`](ErrorKind::CredentialsRejected): the bearer token was
    ///   refused (after one refresh, for a session);
    /// - the errors of [`Session::token`](crate::Session::token), for a session;
    /// - [`RateLimited`](ErrorKind::RateLimited), [`Forbidden`](ErrorKind::Forbidden),
    ///   [`Timeout`](ErrorKind::Timeout), [`Transport`](ErrorKind::Transport),
    ///   [`Unavailable`](ErrorKind::Unavailable),
    ///   [`UnexpectedResponse`](ErrorKind::UnexpectedResponse),
    ///   [`InvalidResponse`](ErrorKind::InvalidResponse), [`Runtime`](ErrorKind::Runtime).
    #[tracing::instrument(name = "get_personal_access_token", skip_all)]
    pub async fn get(&self, id: &str) -> Result<PersonalAccessToken> {
        require_id(id)?;
        let endpoint = self.manager.hub().endpoint();
        self.manager
            .run(|token| async move { wire::get_personal_access_token(endpoint, &token, id).await })
            .await
    }

    /// Creates a personal access token, and returns it with its secret, which Docker Hub
    /// shows this once.
    ///
    /// A failure after which the token may have been created anyway (a timeout, 502, 504)
    /// is not retried, so that one call never creates two tokens.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let server = httpmock::MockServer::start_async().await;
    /// # server.mock_async(|when, then| { when.method("POST").path("/v2/users/login");
    /// #     then.status(200).json_body(serde_json::json!({ "token": "not-a-jwt" })); }).await;
    /// # server.mock_async(|when, then| { when.method("POST").path("/v2/access-tokens");
    /// #     then.status(201).json_body(serde_json::json!({ "uuid": "b30bbf97",
    /// #         "token_label": "ci", "is_active": true, "scopes": ["repo:read"],
    /// #         "created_at": "2026-07-01T10:00:00Z", "expires_at": "2026-07-31T10:00:00Z",
    /// #         "token": "dckr_pat_new" })); }).await;
    /// # let hub = dockerhub_auth::Hub::builder().base_url(server.base_url()).build()?;
    /// # let session = hub.session(dockerhub_auth::Credentials::password("alice", "pw"));
    /// use std::time::{Duration, SystemTime};
    /// use dockerhub_auth::{ExposeSecret, NewPersonalAccessToken, PatScope};
    ///
    /// let month = SystemTime::now() + Duration::from_secs(30 * 24 * 60 * 60);
    /// let created = hub
    ///     .personal_access_tokens(&session)
    ///     .create(NewPersonalAccessToken::new("ci").scope(PatScope::REPO_READ).expires_at(month))
    ///     .await?;
    /// let secret = created.secret().expose_secret(); // store it now: it is shown once
    /// # assert_eq!(secret, "dckr_pat_new");
    /// println!("created {}", created.token().id());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`InvalidInput`](ErrorKind::InvalidInput), before any request: an empty label or
    ///   one longer than 100 characters, no scope or an empty one, or an expiry that has
    ///   passed (see [`NewPersonalAccessToken::validate`]);
    /// - [`InvalidResponse`](ErrorKind::InvalidResponse): the answer holds no secret (its
    ///   detail names the token's id, to delete it);
    /// - the other kinds of [`get`](Self::get).
    #[tracing::instrument(name = "create_personal_access_token", skip_all)]
    pub async fn create(
        &self,
        token: NewPersonalAccessToken,
    ) -> Result<CreatedToken<PersonalAccessToken>> {
        token.check(SystemTime::now())?;
        let endpoint = self.manager.hub().endpoint();
        let token = &token;
        self.manager
            .run_once(|bearer| async move {
                wire::create_personal_access_token(endpoint, &bearer, token).await
            })
            .await
    }

    /// Changes a personal access token's label, or activates or deactivates it, and
    /// returns it as it is now.
    ///
    /// # Errors
    ///
    /// [`InvalidInput`](ErrorKind::InvalidInput) before any request for an empty id, an
    /// update that changes nothing, or an empty label or one longer than 100 characters;
    /// the other kinds of [`get`](Self::get).
    #[tracing::instrument(name = "update_personal_access_token", skip_all)]
    pub async fn update(&self, id: &str, update: TokenUpdate) -> Result<PersonalAccessToken> {
        require_id(id)?;
        update.check()?;
        if update
            .label
            .as_ref()
            .is_some_and(|label| label.chars().count() > MAX_LABEL_CHARS)
        {
            return Err(Error::invalid_input(
                "the label is longer than 100 characters",
            ));
        }
        let endpoint = self.manager.hub().endpoint();
        let update = &update;
        self.manager
            .run(|token| async move {
                wire::update_personal_access_token(endpoint, &token, id, update).await
            })
            .await
    }

    /// Deletes a personal access token for good; anything using it is refused from then on.
    ///
    /// # Errors
    ///
    /// The kinds of [`get`](Self::get).
    #[tracing::instrument(name = "delete_personal_access_token", skip_all)]
    pub async fn delete(&self, id: &str) -> Result<()> {
        require_id(id)?;
        let endpoint = self.manager.hub().endpoint();
        self.manager
            .run(|token| async move {
                wire::delete_personal_access_token(endpoint, &token, id).await
            })
            .await
    }

    /// Replaces a personal access token with a new one, without leaving the account
    /// without a working token.
    ///
    /// The new token gets the old one's scopes, the same lifetime from now (or none, if the
    /// old one never expires), and the old label marked `(rotated YYYY-MM-DD)`. Its secret
    /// is proven at `/v2/auth/token` (as the [`username`](Self::username)); only then is the
    /// old token deactivated (not deleted: it can be activated again, or deleted once
    /// nothing uses it). If the proof fails, the new token is deleted and the old one is
    /// left as it was.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use serde_json::json;
    /// # let server = httpmock::MockServer::start_async().await;
    /// # let old = json!({ "uuid": "old-id", "token_label": "ci", "is_active": true,
    /// #     "scopes": ["repo:write"], "created_at": "2026-01-01T00:00:00Z", "expires_at": null });
    /// # server.mock_async(|when, then| { when.method("POST").path("/v2/users/login");
    /// #     then.status(200).json_body(json!({ "token": "not-a-jwt" })); }).await;
    /// # server.mock_async(|when, then| { when.method("GET").path("/v2/access-tokens/old-id");
    /// #     then.status(200).json_body(old.clone()); }).await;
    /// # server.mock_async(|when, then| { when.method("POST").path("/v2/access-tokens");
    /// #     then.status(201).json_body(json!({ "uuid": "new-id", "token_label": "ci (rotated)",
    /// #         "is_active": true, "scopes": ["repo:write"], "token": "dckr_pat_new" }));
    /// # }).await;
    /// # server.mock_async(|when, then| { when.method("POST").path("/v2/auth/token");
    /// #     then.status(200).json_body(json!({ "access_token": "not-a-jwt" })); }).await;
    /// # server.mock_async(|when, then| { when.method("PATCH").path("/v2/access-tokens/old-id");
    /// #     then.status(200).json_body(json!({ "uuid": "old-id", "is_active": false })); }).await;
    /// # let hub = dockerhub_auth::Hub::builder().base_url(server.base_url()).build()?;
    /// # let session = hub.session(dockerhub_auth::Credentials::password("alice", "pw"));
    /// use dockerhub_auth::ExposeSecret;
    ///
    /// let tokens = hub.personal_access_tokens(&session).username("alice");
    /// let rotation = tokens.rotate("old-id").await?;
    /// let new_secret = rotation.secret().expose_secret(); // proven to work
    /// # assert_eq!(new_secret, "dckr_pat_new");
    /// assert!(!rotation.previous().is_active()); // deactivated, not deleted
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`InvalidInput`](ErrorKind::InvalidInput): an empty id, or no username (none set
    ///   and none in the bearer token's claims), before any change;
    /// - the errors of [`Hub::create_access_token`](crate::Hub::create_access_token) when
    ///   the new token fails its proof; the new token is then deleted (the error's message
    ///   says so, or names it when it could not be deleted);
    /// - the kinds of [`get`](Self::get) and [`create`](Self::create), before any change.
    ///
    /// A failure to deactivate the old token is not an error: the new secret is returned
    /// and [`Rotation::deactivation_error`] tells what happened.
    #[tracing::instrument(name = "rotate_personal_access_token", skip_all)]
    pub async fn rotate(&self, id: &str) -> Result<Rotation<PersonalAccessToken>> {
        rotate::rotate(self, id).await
    }
}

impl Rotate for PersonalAccessTokens {
    type Token = PersonalAccessToken;

    fn hub(&self) -> &crate::Hub {
        self.manager.hub()
    }

    async fn identifier(&self) -> Result<String> {
        match &self.username {
            Some(username) => Ok(username.clone()),
            None => self.manager.username().await?.ok_or_else(|| {
                Error::invalid_input(
                    "the bearer token names no username to prove the new token with: \
                     set one with PersonalAccessTokens::username",
                )
            }),
        }
    }

    async fn get(&self, id: &str) -> Result<PersonalAccessToken> {
        PersonalAccessTokens::get(self, id).await
    }

    async fn create_successor(
        &self,
        old: &PersonalAccessToken,
        label: String,
        expires_at: Option<SystemTime>,
    ) -> Result<CreatedToken<PersonalAccessToken>> {
        if old.scopes.is_empty() {
            return Err(Error::new(ErrorKind::InvalidResponse)
                .with_detail("docker hub sent no scopes for the token to rotate"));
        }
        let mut new = NewPersonalAccessToken::new(label).scopes(old.scopes.iter().cloned());
        new.expires_at = expires_at;
        self.create(new).await
    }

    async fn deactivate(&self, id: &str) -> Result<PersonalAccessToken> {
        self.update(id, TokenUpdate::new().active(false)).await
    }

    async fn delete(&self, id: &str) -> Result<()> {
        PersonalAccessTokens::delete(self, id).await
    }

    fn max_label_chars(&self) -> Option<usize> {
        Some(MAX_LABEL_CHARS)
    }
}
