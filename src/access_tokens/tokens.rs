//! What Docker Hub says about tokens: [`PersonalAccessToken`], [`OrgAccessToken`] with its
//! [`OatResource`]s, and [`CreatedToken`], a new token with its secret.

use std::{fmt, time::SystemTime};

use secrecy::SecretString;

use crate::{
    access_tokens::rotate::Described,
    access_tokens::{OatResourceKind, OatScope, PatScope},
};

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

/// What Docker Hub says about a personal access token: everything but its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonalAccessToken {
    pub(crate) id: String,
    pub(crate) label: String,
    pub(crate) scopes: Vec<PatScope>,
    pub(crate) is_active: bool,
    pub(crate) created_at: Option<SystemTime>,
    pub(crate) last_used_at: Option<SystemTime>,
    pub(crate) expires_at: Option<SystemTime>,
    pub(crate) client_id: Option<String>,
    pub(crate) generated_by: Option<String>,
    pub(crate) creator_ip: Option<String>,
    pub(crate) creator_user_agent: Option<String>,
}

impl PersonalAccessToken {
    /// Returns the token's id (Docker Hub's `uuid`), which the other operations take.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Returns the token's label.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Returns what the token may do.
    pub fn scopes(&self) -> &[PatScope] {
        &self.scopes
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

    /// Returns the client the token was created with (`HUB`, or Docker Desktop's).
    pub fn client_id(&self) -> Option<&str> {
        self.client_id.as_deref()
    }

    /// Returns how the token came to be: `manual`, or Docker Desktop's automatic tokens.
    pub fn generated_by(&self) -> Option<&str> {
        self.generated_by.as_deref()
    }

    /// Returns the IP address the token was created from.
    pub fn creator_ip(&self) -> Option<&str> {
        self.creator_ip.as_deref()
    }

    /// Returns the user agent the token was created with.
    pub fn creator_user_agent(&self) -> Option<&str> {
        self.creator_user_agent.as_deref()
    }
}

impl Described for PersonalAccessToken {
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

    /// Returns what the token may reach, and what it may do there. Empty when Docker Hub's
    /// answer left them out, as its lists do:
    /// [`OrgAccessTokens::get`](crate::OrgAccessTokens::get) has them.
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
