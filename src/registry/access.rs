//! How a [`Registry`](super::Registry) is asked: its challenge (`GET /v2/`, once), the token
//! service a refusal is filed under, and a token request to the service the challenge
//! names; and how errors name who answered.

use std::sync::{Arc, PoisonError, Weak};

use super::{
    Access, DOCKER_HUB_SERVICE, DOCKER_HUB_TOKEN_HOST, Inner, RegistryScope, RegistryToken,
    challenge,
};
use crate::{
    cache::DOCKER_HUB,
    credentials::{Credentials, Method},
    error::{Error, ErrorKind, Result},
    retry,
    wire::{self, Ping, TokenCredentials},
    workload::{self, ExchangedToken, Workload},
};

/// Returns a URL's host, with its port when it has one that is not the scheme's.
fn authority(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

/// Returns the registry of a token source's fetch. The sources live inside the registry and
/// hold it weakly, so that dropping the last handle frees it; a fetch still running then
/// (the owner gone) ends with an error nobody waits for.
pub(super) fn upgrade(registry: &Weak<Inner>) -> Result<Arc<Inner>> {
    registry.upgrade().ok_or_else(|| {
        Error::new(ErrorKind::Runtime).with_detail("the registry client was dropped")
    })
}

impl Inner {
    /// Returns the service a refusal of the secret is filed under: Docker Hub (its API and
    /// its registry's token service are one account, one lockout) for Docker Hub's registry
    /// or a registry whose challenge names Docker Hub's token service; else the token
    /// service the challenge names.
    pub(super) async fn token_service(&self) -> Result<String> {
        if self.docker_hub_host {
            return Ok(DOCKER_HUB.to_owned());
        }
        Ok(match self.access().await? {
            Access::Open => self.endpoint.base_url.clone(),
            Access::Bearer(bearer) => {
                let realm_host = url::Url::parse(&bearer.realm)
                    .ok()
                    .and_then(|realm| realm.host_str().map(str::to_ascii_lowercase));
                if bearer.service.as_deref() == Some(DOCKER_HUB_SERVICE)
                    || realm_host.as_deref() == Some(DOCKER_HUB_TOKEN_HOST)
                {
                    DOCKER_HUB.to_owned()
                } else {
                    format!(
                        "{} {}",
                        bearer.realm,
                        bearer.service.as_deref().unwrap_or_default()
                    )
                }
            }
        })
    }

    /// Gets a token from the token service the registry names, without the cache.
    pub(super) async fn fetch_token(
        &self,
        credentials: &Credentials,
        scopes: Vec<RegistryScope>,
    ) -> Result<RegistryToken> {
        let Access::Bearer(bearer) = self.access().await? else {
            return Err(Error::new(ErrorKind::UnexpectedResponse)
                .with_peer(self.peer())
                .with_status(200)
                .with_detail("the registry asks for no authentication, so it issues no tokens"));
        };
        // Before anything is exchanged: credentials go only where the transport rule allows.
        let realm =
            challenge::realm_url(&bearer.realm, !credentials.is_anonymous(), self.allow_http)?;
        // OIDC credentials: the organization's exchanged token is the Basic secret, kept
        // alive for this request.
        let exchanged: ExchangedToken;
        let token_credentials = match credentials.method() {
            Method::Anonymous => None,
            Method::Secret { identifier, secret } => Some(TokenCredentials::Basic {
                username: identifier,
                secret,
            }),
            Method::Password {
                username, password, ..
            } => Some(TokenCredentials::Basic {
                username,
                secret: password,
            }),
            Method::IdentityToken { token, .. } => Some(TokenCredentials::Identity(token)),
            Method::WorkloadIdentity(identity) => {
                exchanged = self.exchanged_token(identity).await?;
                Some(TokenCredentials::Basic {
                    username: identity.organization(),
                    secret: exchanged.secret(),
                })
            }
        };
        let docker_hub =
            self.docker_hub_host || bearer.service.as_deref() == Some(DOCKER_HUB_SERVICE);
        // Each scope once, in the order given (`alpine` and `library/alpine` are one on
        // Docker Hub).
        let mut sent: Vec<RegistryScope> = Vec::with_capacity(scopes.len());
        for scope in scopes {
            let scope = if docker_hub {
                scope.on_docker_hub()
            } else {
                scope
            };
            if !sent.contains(&scope) {
                sent.push(scope);
            }
        }
        let request = wire::TokenRequest {
            realm: &realm,
            service: bearer.service.as_deref(),
            scopes: &sent,
            credentials: token_credentials,
            docker_hub: docker_hub || realm.host_str() == Some(DOCKER_HUB_TOKEN_HOST),
        };
        let endpoint = &self.endpoint;
        let peer = if docker_hub || realm.host_str() == Some(DOCKER_HUB_TOKEN_HOST) {
            "docker hub's token service".to_owned()
        } else {
            format!("the token service {} of {}", authority(&realm), self.peer())
        };
        retry::run(&self.retry, || wire::fetch_token(endpoint, &request))
            .await
            .map_err(|error| error.with_peer(peer.clone()))
    }

    /// Returns an exchanged token of `identity`, from its cached source (shared by every scope
    /// set), asked with this registry's transport settings and retry policy.
    pub(super) async fn exchanged_token(&self, identity: &Arc<Workload>) -> Result<ExchangedToken> {
        let source = self
            .exchanges
            .source(identity.grant(), identity.on_disk(), || {
                let endpoint = self
                    .endpoint
                    .sibling(identity.identity_url(), identity.allows_http())
                    .map(Arc::new);
                (
                    workload::refusal_key(identity),
                    workload::fetch(identity.clone(), endpoint, self.retry.clone()),
                )
            });
        source.token().await
    }

    /// Returns how errors name this registry: Docker Hub's, or by its host and port.
    pub(super) fn peer(&self) -> String {
        if self.docker_hub_host {
            return "docker hub's registry".to_owned();
        }
        match url::Url::parse(&self.endpoint.base_url) {
            Ok(url) => format!("registry {}", authority(&url)),
            Err(_) => "the registry".to_owned(),
        }
    }

    /// Returns how the registry wants clients to authenticate, asking it the first time.
    pub(super) async fn access(&self) -> Result<Access> {
        if let Some(access) = self.lock_access().clone() {
            return Ok(access);
        }
        let endpoint = &self.endpoint;
        let ping = retry::run(&self.retry, || wire::ping(endpoint))
            .await
            .map_err(|error| error.with_peer(self.peer()))?;
        let access = match ping {
            Ping::Open => Access::Open,
            Ping::Challenged(headers) => {
                match challenge::bearer(headers.iter().map(String::as_str)) {
                    Some(bearer) => Access::Bearer(Arc::new(bearer)),
                    None => {
                        return Err(Error::new(ErrorKind::UnexpectedResponse)
                            .with_peer(self.peer())
                            .with_status(401)
                            .with_detail(
                                "the registry answered without a Bearer challenge: it does not \
                                 use token authentication",
                            ));
                    }
                }
            }
        };
        *self.lock_access() = Some(access.clone());
        Ok(access)
    }

    fn lock_access(&self) -> std::sync::MutexGuard<'_, Option<Access>> {
        // One assignment at a time: a poisoned lock still holds a whole value.
        self.access.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
