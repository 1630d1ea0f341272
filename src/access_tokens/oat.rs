//! Organization access tokens: [`OrgAccessTokens`], the operations on one organization's
//! tokens.

use std::time::SystemTime;

use futures_util::Stream;

use crate::{
    access_tokens::{CreatedToken, NewOrgAccessToken, OrgAccessToken, TokenUpdate},
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
        every_page(move |page| {
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
        Some(MAX_LABEL_CHARS)
    }
}
