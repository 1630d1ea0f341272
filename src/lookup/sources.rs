//! How a [`CredentialLookup`] reads each source of its table: the variables (rows 1 to 3),
//! then what Docker's store gave (row 4).

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use super::{
    CredentialLookup, Value,
    outcome::{CredentialOrigin, LookupOutcome, Unusable},
};
use crate::{
    credentials::Credentials,
    docker_config::StoredCredentials,
    error::{Error, Result},
    workload::{IdTokenSource, WorkloadIdentity},
};

impl CredentialLookup {
    /// Rows 1 to 3: the connection given, `DOCKERHUB_TOKEN`, `DOCKERHUB_OIDC_CONNECTIONID`.
    pub(super) fn in_variables(
        &self,
        looked_at: &mut Vec<String>,
    ) -> Result<Option<LookupOutcome>> {
        let username = self.given_username()?;
        if let Some(connection) = &self.oidc_connection {
            return self.oidc(connection, username).map(Some);
        }
        if let Some(secret) = self.var("DOCKERHUB_TOKEN")? {
            let username = username.ok_or_else(|| {
                Error::invalid_input(
                    "DOCKERHUB_TOKEN is set but there is no username: set DOCKERHUB_USERNAME \
                     (the organization's name for an organization access token)",
                )
            })?;
            tracing::debug!(%username, source = "DOCKERHUB_TOKEN", "using these credentials");
            let credentials = match self.password_login {
                true => Credentials::password(username, secret),
                false => Credentials::secret(username, secret),
            };
            return Ok(Some(found(
                credentials,
                CredentialOrigin::TokenVariable,
                looked_at,
            )));
        }
        looked_at.push("DOCKERHUB_USERNAME with DOCKERHUB_TOKEN (DOCKERHUB_TOKEN not set)".into());
        if let Some(connection) = self.var("DOCKERHUB_OIDC_CONNECTIONID")? {
            return self
                .oidc(connection.expose_secret(), username)
                .map(|mut outcome| {
                    outcome.looked_at = std::mem::take(looked_at);
                    Some(outcome)
                });
        }
        looked_at.push("DOCKERHUB_OIDC_CONNECTIONID (not set)".into());
        Ok(None)
    }

    /// The OIDC credentials of `connection`, for the organization `username`.
    pub(super) fn oidc(
        &self,
        connection: &str,
        organization: Option<String>,
    ) -> Result<LookupOutcome> {
        if self.password_login {
            return Err(Error::invalid_input(
                "OIDC credentials (an OIDC connection) give a short-lived token, not a password: \
                 logging in with /v2/users/login, as managing access tokens needs, takes a \
                 password or personal access token (DOCKERHUB_TOKEN, or what `docker login` \
                 stored once DOCKERHUB_OIDC_CONNECTIONID is unset)",
            ));
        }
        let organization = organization.ok_or_else(|| {
            Error::invalid_input(
                "OIDC credentials need the organization: set DOCKERHUB_USERNAME (or give the \
                 username) to the organization's name",
            )
        })?;
        let (source, id_token) = match self.var("DOCKERHUB_OIDC_ID_TOKEN")? {
            Some(token) => (IdTokenSource::id_token(token), "DOCKERHUB_OIDC_ID_TOKEN"),
            None => (
                IdTokenSource::github_actions_from(
                    self.text("ACTIONS_ID_TOKEN_REQUEST_URL")?,
                    self.var("ACTIONS_ID_TOKEN_REQUEST_TOKEN")?,
                ),
                "GitHub Actions ID token",
            ),
        };
        let mut identity = WorkloadIdentity::new(&organization, connection, source);
        if let Some(lifetime) = self.expires_in()? {
            identity = identity.expires_in(lifetime);
        }
        if let Some(url) = self
            .identity_url
            .clone()
            .map(Some)
            .unwrap_or(self.text("DOCKERHUB_IDENTITY_URL")?)
        {
            identity = identity.identity_url(url);
        }
        let credentials = Credentials::workload_identity(identity)?;
        let origin = CredentialOrigin::OidcConnection {
            connection_id: connection.trim().to_ascii_lowercase(),
            id_token: id_token.to_owned(),
        };
        tracing::debug!(%organization, source = %origin, "using these credentials");
        Ok(found(credentials, origin, &mut Vec::new()))
    }

    /// The lifetime given, else `DOCKERHUB_OIDC_EXPIREIN`, else none (the default).
    pub(super) fn expires_in(&self) -> Result<Option<Duration>> {
        if let Some(lifetime) = self.oidc_expires_in {
            return Ok(Some(lifetime));
        }
        let Some(text) = self.text("DOCKERHUB_OIDC_EXPIREIN")? else {
            return Ok(None);
        };
        let seconds: u64 = text.trim().parse().map_err(|_| {
            Error::invalid_input(format!(
                "DOCKERHUB_OIDC_EXPIREIN must be a whole number of seconds (300 to 3600), not \
                 {:?}",
                crate::scrub::scrub(&text, &[])
            ))
        })?;
        Ok(Some(Duration::from_secs(seconds)))
    }

    /// Row 4: what Docker's store gave.
    pub(super) fn with_stored(
        &self,
        stored: Option<StoredCredentials>,
        mut looked_at: Vec<String>,
    ) -> Result<LookupOutcome> {
        let Some(stored) = stored else {
            let helper = match &self.registry {
                None => self.store.docker_hub_helper(),
                Some(registry) => self.store.registry_helper(registry),
            };
            let helper = match helper {
                Ok(Some(name)) => format!(" and docker credential helper `{name}`"),
                _ => String::new(),
            };
            let whose = match &self.registry {
                None => "Docker Hub".to_owned(),
                Some(registry) => format!("registry {registry}"),
            };
            looked_at.push(format!(
                "Docker's stored credentials in {}{helper} (none for {whose})",
                self.store
            ));
            return Ok(nothing(looked_at, None));
        };
        let source = stored.source().clone();
        let wanted = self.given_username()?;
        if let (Some(wanted), Some(stored_user)) = (wanted.as_deref(), stored.username())
            && wanted != stored_user
        {
            let why = format!(
                "Docker's stored credentials from {source} (for {stored_user}, not {wanted})"
            );
            return Ok(unusable(looked_at, why, Some(stored_user.to_owned())));
        }
        let credentials = match (stored.username(), stored.secret()) {
            (Some(username), Some(secret)) if self.password_login => {
                Credentials::password(username, secret.clone())
            }
            (Some(_), Some(_)) => stored.clone().into_credentials(),
            // A registry's token service takes an identity token; Docker Hub's API does not.
            _ if self.registry.is_some() && !self.password_login => {
                stored.clone().into_credentials()
            }
            _ => {
                let why = format!(
                    "{source} holds only an identity token for Docker Hub (from a browser or \
                     SSO `docker login`), which Docker Hub's token API does not accept: a \
                     personal access token is needed (`docker login -u NAME` with the token as \
                     password, or DOCKERHUB_TOKEN)"
                );
                return Ok(unusable(
                    looked_at,
                    why,
                    stored.username().map(str::to_owned),
                ));
            }
        };
        tracing::debug!(username = ?stored.username(), %source, "using these credentials");
        Ok(found(
            credentials,
            CredentialOrigin::DockerStore(source),
            &mut looked_at,
        ))
    }

    /// The username given, else `DOCKERHUB_USERNAME`; a blank one is refused.
    pub(super) fn given_username(&self) -> Result<Option<String>> {
        let (username, blank) = match &self.username {
            Some(username) => (Some(username.clone()), "the username is empty"),
            None => (
                self.text("DOCKERHUB_USERNAME")?,
                "the username is empty (DOCKERHUB_USERNAME is blank)",
            ),
        };
        if username.as_ref().is_some_and(|name| name.trim().is_empty()) {
            return Err(Error::invalid_input(blank));
        }
        Ok(username)
    }

    /// A variable that may hold a secret, when set.
    pub(super) fn var(&self, name: &'static str) -> Result<Option<SecretString>> {
        match self.vars.get(name) {
            None => Ok(None),
            Some(Value::Text(value)) => Ok(Some(value.clone())),
            Some(Value::NotUnicode) => {
                Err(Error::invalid_input(format!("{name} is not valid UTF-8")))
            }
        }
    }

    /// A variable that holds no secret, when set.
    pub(super) fn text(&self, name: &'static str) -> Result<Option<String>> {
        Ok(self
            .var(name)?
            .map(|value| value.expose_secret().to_owned()))
    }
}

pub(super) fn found(
    credentials: Credentials,
    origin: CredentialOrigin,
    looked_at: &mut Vec<String>,
) -> LookupOutcome {
    LookupOutcome {
        found: Some((credentials, origin)),
        looked_at: std::mem::take(looked_at),
        unusable: None,
    }
}

pub(super) fn nothing(looked_at: Vec<String>, unusable: Option<Unusable>) -> LookupOutcome {
    LookupOutcome {
        found: None,
        looked_at,
        unusable,
    }
}

fn unusable(mut looked_at: Vec<String>, why: String, username: Option<String>) -> LookupOutcome {
    looked_at.push(why.clone());
    nothing(looked_at, Some(Unusable { why, username }))
}
