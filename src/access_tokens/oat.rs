//! Organization access tokens: [`OrgAccessTokens`], the operations on one organization's
//! tokens, [`OrgAccessToken`], what Docker Hub says about one of them, and
//! [`OatResource`], what one may reach.

use std::time::SystemTime;

use futures_util::Stream;

use crate::{
    CreatedToken, Error, ErrorKind, OatResourceKind, OatScope, Result, TokenUpdate,
    access_tokens::{
        Manager,
        pages::{PAGE_SIZE, every_page},
        require_id,
        rotate::{self, Described, Rotate, Rotation},
    },
    wire,
};

/// The access tokens of one organization. Get it with
/// [`Hub::org_access_tokens`](crate::Hub::org_access_tokens); the bearer token must belong to
/// an owner of the organization.
///
/// The operations are those of
/// [`PersonalAccessTokens`](crate::PersonalAccessTokens), on the organization's tokens; a
/// 404 ([`NotFound`](ErrorKind::NotFound)) may also mean that the organization does not
/// exist. Cloning is cheap.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let server = httpmock::MockServer::start_async().await;
/// # server.mock_async(|when, then| { when.method("POST").path("/v2/users/login");
/// #     then.status(200).json_body(serde_json::json!({ "token": "not-a-jwt" })); }).await;
/// # server.mock_async(|when, then| { when.method("POST").path("/v2/orgs/acme/access-tokens");
/// #     then.status(201).json_body(serde_json::json!({ "id": "a7a5ef25", "label": "ci",
/// #         "is_active": true, "token": "dckr_oat_new",
/// #         "resources": [{ "type": "TYPE_REPO", "path": "acme/*",
/// #                         "scopes": ["scope-image-pull"] }] })); }).await;
/// # let hub = dockerhub_auth::Hub::builder().base_url(server.base_url()).build()?;
/// use dockerhub_auth::{Credentials, ExposeSecret, NewOrgAccessToken, OatResource, OatScope};
///
/// let owner = hub.session(Credentials::password("alice", "correct horse battery staple"));
/// let created = hub
///     .org_access_tokens(&owner, "acme")
///     .create(
///         NewOrgAccessToken::new("ci")
///             .description("pulls for the build farm")
///             .resource(OatResource::repository("acme/*", [OatScope::IMAGE_PULL])),
///     )
///     .await?;
/// let secret = created.secret().expose_secret(); // dckr_oat_…, shown this once
/// # assert_eq!(secret, "dckr_oat_new");
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct OrgAccessTokens {
    manager: Manager,
    org: String,
}

impl OrgAccessTokens {
    pub(crate) fn new(manager: Manager, org: &str) -> Self {
        OrgAccessTokens {
            manager,
            org: org.to_owned(),
        }
    }

    /// Returns the organization's name.
    pub fn org(&self) -> &str {
        &self.org
    }

    /// Returns every access token of the organization, page after page (100 a page),
    /// without their secrets; Docker Hub's list may leave out their resources.
    ///
    /// # Errors
    ///
    /// As for [`PersonalAccessTokens::list`](crate::PersonalAccessTokens::list); an empty
    /// organization name is [`InvalidInput`](ErrorKind::InvalidInput).
    pub fn list(&self) -> impl Stream<Item = Result<OrgAccessToken>> + Send + 'static + use<> {
        let manager = self.manager.clone();
        let org = self.org.clone();
        let base_url = manager.hub().base_url().to_owned();
        let route = wire::org_access_tokens_route(&org);
        every_page(&base_url, &route, move |page| {
            let (manager, org) = (manager.clone(), org.clone());
            async move {
                require_org(&org)?;
                let endpoint = manager.hub().endpoint();
                let org = &org;
                manager
                    .run(|token| async move {
                        wire::list_org_access_tokens(endpoint, &token, org, page, PAGE_SIZE).await
                    })
                    .await
            }
        })
    }

    /// Returns one organization access token, with its resources and without its secret.
    ///
    /// # Errors
    ///
    /// As for [`PersonalAccessTokens::get`](crate::PersonalAccessTokens::get), and
    /// [`Forbidden`](ErrorKind::Forbidden) when the account is not an owner of the
    /// organization.
    #[tracing::instrument(name = "get_org_access_token", skip_all)]
    pub async fn get(&self, id: &str) -> Result<OrgAccessToken> {
        require_org(&self.org)?;
        require_id(id)?;
        let (endpoint, org) = (self.manager.hub().endpoint(), self.org.as_str());
        self.manager
            .run(|token| async move { wire::get_org_access_token(endpoint, &token, org, id).await })
            .await
    }

    /// Creates an organization access token, and returns it with its secret, which Docker
    /// Hub shows this once.
    ///
    /// # Errors
    ///
    /// [`InvalidInput`](ErrorKind::InvalidInput) before any request for an empty label or
    /// an expiry that has passed; otherwise as for
    /// [`PersonalAccessTokens::create`](crate::PersonalAccessTokens::create), and
    /// [`Forbidden`](ErrorKind::Forbidden).
    #[tracing::instrument(name = "create_org_access_token", skip_all)]
    pub async fn create(&self, token: NewOrgAccessToken) -> Result<CreatedToken<OrgAccessToken>> {
        require_org(&self.org)?;
        token.check(SystemTime::now())?;
        let (endpoint, org, token) = (self.manager.hub().endpoint(), self.org.as_str(), &token);
        self.manager
            .run_once(|bearer| async move {
                wire::create_org_access_token(endpoint, &bearer, org, token).await
            })
            .await
    }

    /// Changes an organization access token's label, or activates or deactivates it, and
    /// returns it as it is now.
    ///
    /// # Errors
    ///
    /// As for [`get`](Self::get), and [`InvalidInput`](ErrorKind::InvalidInput) before any
    /// request for an update that changes nothing or an empty label.
    #[tracing::instrument(name = "update_org_access_token", skip_all)]
    pub async fn update(&self, id: &str, update: TokenUpdate) -> Result<OrgAccessToken> {
        require_org(&self.org)?;
        require_id(id)?;
        update.check()?;
        let (endpoint, org, update) = (self.manager.hub().endpoint(), self.org.as_str(), &update);
        self.manager
            .run(|token| async move {
                wire::update_org_access_token(endpoint, &token, org, id, update).await
            })
            .await
    }

    /// Deletes an organization access token for good.
    ///
    /// # Errors
    ///
    /// As for [`get`](Self::get).
    #[tracing::instrument(name = "delete_org_access_token", skip_all)]
    pub async fn delete(&self, id: &str) -> Result<()> {
        require_org(&self.org)?;
        require_id(id)?;
        let (endpoint, org) = (self.manager.hub().endpoint(), self.org.as_str());
        self.manager
            .run(|token| async move {
                wire::delete_org_access_token(endpoint, &token, org, id).await
            })
            .await
    }

    /// Replaces an organization access token with a new one, as
    /// [`PersonalAccessTokens::rotate`](crate::PersonalAccessTokens::rotate) does: same
    /// resources and description, same lifetime from now, the label marked
    /// `(rotated YYYY-MM-DD)`, the secret proven at `/v2/auth/token` with the organization's
    /// name, then the old token deactivated; or, if the proof fails, the new one deleted.
    ///
    /// # Errors
    ///
    /// As for [`PersonalAccessTokens::rotate`](crate::PersonalAccessTokens::rotate);
    /// [`InvalidResponse`](ErrorKind::InvalidResponse), before any change, when Docker Hub
    /// does not say what the old token may reach.
    #[tracing::instrument(name = "rotate_org_access_token", skip_all)]
    pub async fn rotate(&self, id: &str) -> Result<Rotation<OrgAccessToken>> {
        require_org(&self.org)?;
        rotate::rotate(self, id).await
    }
}

/// Refuses an empty organization name before any request.
fn require_org(org: &str) -> Result<()> {
    if org.trim().is_empty() {
        return Err(Error::invalid_input("the organization name is empty"));
    }
    Ok(())
}

impl Rotate for OrgAccessTokens {
    type Token = OrgAccessToken;

    fn hub(&self) -> &crate::Hub {
        self.manager.hub()
    }

    async fn identifier(&self) -> Result<String> {
        // An organization access token is exchanged with the organization's name.
        Ok(self.org.clone())
    }

    async fn get(&self, id: &str) -> Result<OrgAccessToken> {
        OrgAccessTokens::get(self, id).await
    }

    async fn create_successor(
        &self,
        old: &OrgAccessToken,
        label: String,
        expires_at: Option<SystemTime>,
    ) -> Result<CreatedToken<OrgAccessToken>> {
        if old.resources.is_empty() {
            return Err(Error::new(ErrorKind::InvalidResponse)
                .with_detail("docker hub did not say what the token to rotate may reach"));
        }
        let new = NewOrgAccessToken {
            label,
            description: old.description.clone(),
            resources: old.resources.clone(),
            expires_at,
        };
        self.create(new).await
    }

    async fn deactivate(&self, id: &str) -> Result<OrgAccessToken> {
        self.update(id, TokenUpdate::new().active(false)).await
    }

    async fn delete(&self, id: &str) -> Result<()> {
        OrgAccessTokens::delete(self, id).await
    }

    fn max_label_chars(&self) -> Option<usize> {
        // Docker's spec states no limit for these labels; keep to the one of personal
        // access tokens, which any limit Docker adds is unlikely to be below.
        Some(crate::access_tokens::pat::MAX_LABEL_CHARS)
    }
}

/// An organization access token to create: its label, description, resources and expiry.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct NewOrgAccessToken {
    pub(crate) label: String,
    pub(crate) description: Option<String>,
    pub(crate) resources: Vec<OatResource>,
    pub(crate) expires_at: Option<SystemTime>,
}

impl NewOrgAccessToken {
    /// Returns a token to create with this label, no description, no resource yet, and no
    /// expiry.
    pub fn new(label: impl Into<String>) -> Self {
        NewOrgAccessToken {
            label: label.into(),
            description: None,
            resources: Vec::new(),
            expires_at: None,
        }
    }

    /// Sets what the token is for.
    ///
    /// Default: none.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Adds a resource the token may reach (Docker Hub allows up to 50 repositories).
    ///
    /// Default: none.
    pub fn resource(mut self, resource: OatResource) -> Self {
        self.resources.push(resource);
        self
    }

    /// Sets when the token expires (Docker Hub sets a year at most).
    ///
    /// Default: never.
    pub fn expires_at(mut self, at: SystemTime) -> Self {
        self.expires_at = Some(at);
        self
    }

    /// Refuses what Docker Hub would refuse, before any request.
    fn check(&self, now: SystemTime) -> Result<()> {
        if self.label.trim().is_empty() {
            return Err(Error::invalid_input("the label is empty"));
        }
        if self.expires_at.is_some_and(|at| at <= now) {
            return Err(Error::invalid_input("the expiry has already passed"));
        }
        Ok(())
    }
}

/// Something an organization access token may reach, and what it may do there.
///
/// ```
/// use dockerhub_auth::{OatResource, OatScope};
///
/// let push = OatResource::repository("acme/app", [OatScope::IMAGE_PUSH]);
/// let public = OatResource::repository("*/*/public", [OatScope::IMAGE_PULL]);
/// let list = OatResource::organization("acme", [OatScope::REPOSITORY_LIST]);
/// # let _ = (push, public, list);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OatResource {
    pub(crate) kind: OatResourceKind,
    pub(crate) path: String,
    pub(crate) scopes: Vec<OatScope>,
}

impl OatResource {
    /// Returns a resource of any kind.
    pub fn new(
        kind: OatResourceKind,
        path: impl Into<String>,
        scopes: impl IntoIterator<Item = OatScope>,
    ) -> Self {
        OatResource {
            kind,
            path: path.into(),
            scopes: scopes.into_iter().collect(),
        }
    }

    /// Returns repositories: one (`acme/app`), a glob (`acme/*`), or `*/*/public` for every
    /// public repository.
    pub fn repository(path: impl Into<String>, scopes: impl IntoIterator<Item = OatScope>) -> Self {
        OatResource::new(OatResourceKind::REPOSITORY, path, scopes)
    }

    /// Returns the organization itself, for its organization scopes.
    pub fn organization(
        org: impl Into<String>,
        scopes: impl IntoIterator<Item = OatScope>,
    ) -> Self {
        OatResource::new(OatResourceKind::ORGANIZATION, org, scopes)
    }

    /// Returns the kind of resource.
    pub fn kind(&self) -> &OatResourceKind {
        &self.kind
    }

    /// Returns the repository, glob or organization.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Returns what the token may do there.
    pub fn scopes(&self) -> &[OatScope] {
        &self.scopes
    }
}

/// What Docker Hub says about an organization access token: everything but its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgAccessToken {
    pub(crate) id: String,
    pub(crate) label: String,
    pub(crate) description: Option<String>,
    pub(crate) created_by: Option<String>,
    pub(crate) is_active: bool,
    pub(crate) created_at: Option<SystemTime>,
    pub(crate) last_used_at: Option<SystemTime>,
    pub(crate) expires_at: Option<SystemTime>,
    pub(crate) resources: Vec<OatResource>,
}

impl OrgAccessToken {
    /// Returns the token's id, which the other operations take.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Returns the token's label.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Returns what the token is for, when it says.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// Returns the user who created the token.
    pub fn created_by(&self) -> Option<&str> {
        self.created_by.as_deref()
    }

    /// Returns whether the token can be used (it may still have expired).
    pub fn is_active(&self) -> bool {
        self.is_active
    }

    /// Returns when the token was created.
    pub fn created_at(&self) -> Option<SystemTime> {
        self.created_at
    }

    /// Returns when the token was last used, or `None` if it never was.
    pub fn last_used_at(&self) -> Option<SystemTime> {
        self.last_used_at
    }

    /// Returns when the token expires, or `None` if it never does.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }

    /// Returns what the token may reach, and what it may do there. Empty when Docker
    /// Hub's answer left them out, as its lists do: [`OrgAccessTokens::get`] has them.
    pub fn resources(&self) -> &[OatResource] {
        &self.resources
    }
}

impl Described for OrgAccessToken {
    fn id(&self) -> &str {
        &self.id
    }
    fn label(&self) -> &str {
        &self.label
    }
    fn created_at(&self) -> Option<SystemTime> {
        self.created_at
    }
    fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }
}
