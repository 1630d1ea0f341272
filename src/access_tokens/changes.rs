//! What to create or change: [`NewPersonalAccessToken`], [`NewOrgAccessToken`] and
//! [`TokenUpdate`], each refused before any request when Docker Hub would refuse it.

use std::time::SystemTime;

use crate::{
    access_tokens::{OatResource, PatScope},
    error::{Error, Result},
};

/// The longest label Docker Hub accepts for a personal access token, in characters.
pub(crate) const MAX_LABEL_CHARS: usize = 100;

/// A personal access token to create: its label, scopes and expiry.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use dockerhub_auth::{NewPersonalAccessToken, PatScope};
///
/// let ci = NewPersonalAccessToken::new("ci")
///     .scope(PatScope::REPO_WRITE)
///     .expires_at(SystemTime::now() + Duration::from_secs(90 * 24 * 60 * 60));
/// # let _ = ci;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct NewPersonalAccessToken {
    pub(crate) label: String,
    pub(crate) scopes: Vec<PatScope>,
    pub(crate) expires_at: Option<SystemTime>,
}

impl NewPersonalAccessToken {
    /// Returns a token to create with this label (1 to 100 characters), no scope yet, and
    /// no expiry.
    pub fn new(label: impl Into<String>) -> Self {
        NewPersonalAccessToken {
            label: label.into(),
            scopes: Vec::new(),
            expires_at: None,
        }
    }

    /// Adds a scope. A token needs at least one.
    ///
    /// Default: none.
    pub fn scope(mut self, scope: PatScope) -> Self {
        self.scopes.push(scope);
        self
    }

    /// Adds scopes.
    ///
    /// Default: none.
    pub fn scopes(mut self, scopes: impl IntoIterator<Item = PatScope>) -> Self {
        self.scopes.extend(scopes);
        self
    }

    /// Sets when the token expires (Docker Hub sets a year at most).
    ///
    /// Default: never.
    pub fn expires_at(mut self, at: SystemTime) -> Self {
        self.expires_at = Some(at);
        self
    }

    /// Returns the error [`create`](crate::PersonalAccessTokens::create) would return for
    /// this token before any request, or `Ok`: for a program that refuses bad input before
    /// it logs in (a failed login counts towards Docker Hub's lockout; bad input need not).
    ///
    /// # Errors
    ///
    /// [`InvalidInput`](crate::ErrorKind::InvalidInput) for an empty label or one longer
    /// than 100 characters, no scope or an empty one, or an expiry that has passed.
    pub fn validate(&self) -> Result<()> {
        self.check(SystemTime::now())
    }

    /// Refuses what Docker Hub would refuse, before any request.
    pub(crate) fn check(&self, now: SystemTime) -> Result<()> {
        let chars = self.label.chars().count();
        if self.label.trim().is_empty() {
            return Err(Error::invalid_input("the label is empty"));
        }
        if chars > MAX_LABEL_CHARS {
            return Err(Error::invalid_input(
                "the label is longer than 100 characters",
            ));
        }
        if self.scopes.is_empty() {
            return Err(Error::invalid_input(
                "a personal access token needs at least one scope",
            ));
        }
        if self
            .scopes
            .iter()
            .any(|scope| scope.as_str().trim().is_empty())
        {
            return Err(Error::invalid_input("a scope is empty"));
        }
        if self.expires_at.is_some_and(|at| at <= now) {
            return Err(Error::invalid_input("the expiry has already passed"));
        }
        Ok(())
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

    /// Returns the error [`create`](crate::OrgAccessTokens::create) would return for this
    /// token before any request, or `Ok`: for a program that refuses bad input before it
    /// logs in.
    ///
    /// # Errors
    ///
    /// [`InvalidInput`](crate::ErrorKind::InvalidInput) for an empty label or an expiry
    /// that has passed.
    pub fn validate(&self) -> Result<()> {
        self.check(SystemTime::now())
    }

    /// Refuses what Docker Hub would refuse, before any request.
    pub(crate) fn check(&self, now: SystemTime) -> Result<()> {
        if self.label.trim().is_empty() {
            return Err(Error::invalid_input("the label is empty"));
        }
        if self.expires_at.is_some_and(|at| at <= now) {
            return Err(Error::invalid_input("the expiry has already passed"));
        }
        Ok(())
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
