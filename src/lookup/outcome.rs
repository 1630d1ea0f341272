//! What a [`CredentialLookup`](super::CredentialLookup) found, and where from.

use std::fmt;

use crate::{credentials::Credentials, docker_config::CredentialSource};

/// Where the credentials of a [`CredentialLookup`](super::CredentialLookup) came from.
///
/// `Display` gives a short phrase for messages and `-v` output ("DOCKERHUB_TOKEN", "OIDC
/// connection 867f…, GitHub Actions ID token", "docker credential helper `pass`"); no variant
/// holds a secret.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CredentialOrigin {
    /// `DOCKERHUB_TOKEN`, with the username given to the lookup or `DOCKERHUB_USERNAME`.
    TokenVariable,
    /// An organization's OIDC connection (keyless CI): the connection given to the lookup, or
    /// `DOCKERHUB_OIDC_CONNECTIONID`.
    OidcConnection {
        /// The connection's ID (a UUID, not a secret).
        connection_id: String,
        /// Where the ID token comes from: "GitHub Actions ID token", or "DOCKERHUB_OIDC_ID_TOKEN".
        id_token: String,
    },
    /// What `docker login` stored: a helper, a config file or `DOCKER_AUTH_CONFIG`.
    DockerStore(CredentialSource),
}

impl fmt::Display for CredentialOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialOrigin::TokenVariable => f.write_str("DOCKERHUB_TOKEN"),
            CredentialOrigin::OidcConnection {
                connection_id,
                id_token,
            } => {
                let start: String = connection_id.chars().take(4).collect();
                write!(f, "OIDC connection {start}…, {id_token}")
            }
            CredentialOrigin::DockerStore(source) => write!(f, "{source}"),
        }
    }
}

/// What a [`CredentialLookup`](super::CredentialLookup) found: the credentials of the first
/// source that has them, and which source that was; or, when none has usable credentials,
/// everything it looked at and why each gave nothing.
///
/// "Nothing found" is this value, not an error. `Debug` never shows a secret.
#[derive(Clone)]
pub struct LookupOutcome {
    pub(super) found: Option<(Credentials, CredentialOrigin)>,
    pub(super) looked_at: Vec<String>,
    pub(super) unusable: Option<Unusable>,
}

/// Stored credentials that were found but cannot be used here.
#[derive(Clone, Debug)]
pub(super) struct Unusable {
    pub(super) why: String,
    pub(super) username: Option<String>,
}

impl LookupOutcome {
    /// Returns the credentials found, if any.
    pub fn credentials(&self) -> Option<&Credentials> {
        self.found.as_ref().map(|(credentials, _)| credentials)
    }

    /// Returns the credentials found, if any, as the value every client takes.
    pub fn into_credentials(self) -> Option<Credentials> {
        self.found.map(|(credentials, _)| credentials)
    }

    /// Returns where the credentials found came from.
    pub fn origin(&self) -> Option<&CredentialOrigin> {
        self.found.as_ref().map(|(_, origin)| origin)
    }

    /// Returns, in order, each source looked at before the one that gave the credentials (or
    /// every source, when none did), each with why it gave nothing: "DOCKERHUB_USERNAME with
    /// DOCKERHUB_TOKEN (DOCKERHUB_TOKEN not set)".
    pub fn looked_at(&self) -> &[String] {
        &self.looked_at
    }

    /// Returns why the credentials `docker login` stored could not be used, when they were
    /// found but cannot (an identity token where Docker Hub's API needs a secret, another
    /// username than the one given): for a message before asking a person instead.
    pub fn unusable_stored(&self) -> Option<&str> {
        self.unusable.as_ref().map(|unusable| unusable.why.as_str())
    }

    /// Returns the username of the stored credentials that could not be used, when there is
    /// one: whom to ask a person for a secret for.
    pub fn unusable_stored_username(&self) -> Option<&str> {
        self.unusable.as_ref()?.username.as_deref()
    }
}

impl fmt::Debug for LookupOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LookupOutcome")
            // `Credentials`' own Debug: the kind and the name, never the secret.
            .field("credentials", &self.credentials())
            .field("origin", &self.origin())
            .field("looked_at", &self.looked_at)
            .field("unusable_stored", &self.unusable_stored())
            .finish()
    }
}

impl fmt::Display for LookupOutcome {
    /// "credentials from DOCKERHUB_TOKEN", or "no usable credentials; looked at: …".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.found {
            Some((_, origin)) => write!(f, "credentials from {origin}"),
            None => write!(
                f,
                "no usable credentials; looked at: {}",
                self.looked_at.join("; ")
            ),
        }
    }
}
