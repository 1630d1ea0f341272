//! Getting an organization's token with OIDC credentials: an ID token from its source, then
//! the exchange at Docker's identity service, each under the asking client's retry policy
//! and through its transport settings. A [`Session`](crate::Session) and a
//! [`Registry`](crate::Registry) hold a token source whose fetch is [`fetch`].

use std::{sync::Arc, time::Duration};

use secrecy::SecretString;
use tracing::Instrument as _;

use super::{ExchangedToken, Workload, source::Checked};
use crate::{
    cache::{Fetch, RefusalKey},
    error::{Error, ErrorKind, Result},
    retry,
    retry::RetryPolicy,
    scrub::scrub,
    token::Claims,
    wire::{self, Endpoint},
};

/// The host of Docker's identity service, which errors name as Docker's.
const DOCKER_IDENTITY_HOST: &str = "identity.docker.com";

/// How errors name GitHub's runner.
const RUNNER: &str = "the GitHub Actions ID token service";

/// Returns the fetch of a token source for `workload`: an ID token, then the exchange, at the
/// identity service of `endpoint` (or that endpoint's error, for every fetch), in an
/// `oidc_exchange` span.
pub(crate) fn fetch(
    workload: Arc<Workload>,
    endpoint: Result<Arc<Endpoint>>,
    retry: RetryPolicy,
) -> Fetch<ExchangedToken> {
    Arc::new(move || {
        let (workload, endpoint, retry) = (workload.clone(), endpoint.clone(), retry.clone());
        Box::pin(
            async move { exchange(&workload, endpoint?.as_ref(), &retry).await }
                .instrument(tracing::info_span!("oidc_exchange")),
        )
    })
}

/// Returns what a refused exchange of `workload` is filed under, known at once.
pub(crate) fn refusal_key(workload: &Workload) -> RefusalKey {
    let refusal = Arc::new(workload.refusal());
    Arc::new(move || {
        let refusal = refusal.clone();
        Box::pin(async move { Ok(refusal.as_ref().clone()) })
    })
}

/// Gets an ID token and exchanges it.
async fn exchange(
    workload: &Workload,
    endpoint: &Endpoint,
    policy: &RetryPolicy,
) -> Result<ExchangedToken> {
    let id_token = id_token(workload, endpoint, policy).await?;
    let subject = Subject::of(&id_token);
    tracing::debug!(
        identity_service = %endpoint.base_url,
        "{}{}",
        workload.describe(),
        subject.for_whom()
    );
    let peer = identity_peer(&endpoint.base_url);
    let exchanged = retry::run(policy, || {
        wire::exchange_token(
            endpoint,
            &id_token,
            workload.connection_id(),
            workload.expires_in(),
        )
    })
    .await
    .map_err(|error| {
        let error = error.with_peer(peer.clone());
        match error.kind() {
            // Why a ruleset did not match is in the ID token's claims: say whose it was.
            ErrorKind::CredentialsRejected | ErrorKind::Forbidden => error.with_detail(format!(
                "OIDC connection {}, ID token{}",
                workload.short_connection(),
                subject.for_whom()
            )),
            _ => error,
        }
    })?;
    Ok(ExchangedToken::new(
        exchanged,
        Duration::from_secs(workload.expires_in()),
    ))
}

/// Gets an ID token for the identity service's origin from the workload's source.
async fn id_token(
    workload: &Workload,
    endpoint: &Endpoint,
    policy: &RetryPolicy,
) -> Result<SecretString> {
    match workload.source() {
        Checked::Given(token) => Ok(token.clone()),
        Checked::GithubActions {
            request_url,
            request_token,
        } => retry::run(policy, || {
            wire::github_id_token(endpoint, request_url, request_token, workload.audience())
        })
        .await
        .map_err(|error| error.with_peer(RUNNER)),
        Checked::Function(function, _) => {
            let (function, audience) = (function.clone(), workload.audience().to_owned());
            let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
                Error::new(ErrorKind::Runtime)
                    .with_detail("asking for an ID token needs a tokio runtime and none is running")
            })?;
            let token = runtime
                .spawn_blocking(move || function(&audience))
                .await
                .map_err(|_| {
                    Error::new(ErrorKind::Runtime).with_detail(
                        "the ID token function panicked, or the runtime shut down before it \
                         returned",
                    )
                })?;
            token
                .filter(|token| {
                    !secrecy::ExposeSecret::expose_secret(token)
                        .trim()
                        .is_empty()
                })
                .ok_or_else(|| Error::invalid_input("the ID token function gave no ID token"))
        }
    }
}

/// How errors name the identity service: Docker's, or by its host and port.
fn identity_peer(base_url: &str) -> String {
    let Ok(url) = url::Url::parse(base_url) else {
        return "the identity service".to_owned();
    };
    let host = url.host_str().unwrap_or_default();
    if host.eq_ignore_ascii_case(DOCKER_IDENTITY_HOST) {
        return "docker's identity service".to_owned();
    }
    match url.port() {
        Some(port) => format!("the identity service {host}:{port}"),
        None => format!("the identity service {host}"),
    }
}

/// What an ID token says about who it is for, from its claims (decoded, not verified): what a
/// person needs to see why a connection's ruleset did not match. Never the token.
struct Subject {
    sub: Option<String>,
    repository: Option<String>,
    reference: Option<String>,
}

impl Subject {
    fn of(id_token: &SecretString) -> Subject {
        let claims = Claims::decode(secrecy::ExposeSecret::expose_secret(id_token));
        let claim = |name: &str| {
            claims
                .as_ref()
                .and_then(|claims| {
                    claims
                        .as_map()
                        .get(name)?
                        .as_str()
                        .map(|text| scrub(text, &[]))
                })
                .filter(|text| !text.is_empty())
        };
        Subject {
            sub: claim("sub"),
            repository: claim("repository"),
            reference: claim("ref"),
        }
    }

    /// " for repo:acme/app:ref:refs/heads/main (repository acme/app, ref refs/heads/main)",
    /// or as much of it as the claims give.
    fn for_whom(&self) -> String {
        let mut text = String::new();
        if let Some(sub) = &self.sub {
            text.push_str(&format!(" for {sub}"));
        }
        let details: Vec<String> = [("repository", &self.repository), ("ref", &self.reference)]
            .into_iter()
            .filter_map(|(name, value)| value.as_ref().map(|value| format!("{name} {value}")))
            .collect();
        if !details.is_empty() {
            text.push_str(&format!(" ({})", details.join(", ")));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;

    use super::*;

    fn jwt(claims: &str) -> SecretString {
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        SecretString::from(format!("e30.{}.c2ln", engine.encode(claims)))
    }

    #[test]
    fn the_subject_names_the_claims_a_ruleset_is_matched_against() {
        let subject = Subject::of(&jwt(
            r#"{"sub":"repo:acme/app:ref:refs/heads/main","repository":"acme/app","ref":"refs/heads/main"}"#,
        ));
        assert_eq!(
            subject.for_whom(),
            " for repo:acme/app:ref:refs/heads/main (repository acme/app, ref refs/heads/main)"
        );
        assert_eq!(Subject::of(&SecretString::from("opaque")).for_whom(), "");
        let hostile = Subject::of(&jwt(r#"{"sub":"repo:x\n\u001b[31mforged"}"#));
        assert!(!hostile.for_whom().contains('\n'), "{}", hostile.for_whom());
        assert!(
            !hostile.for_whom().contains('\u{1b}'),
            "{}",
            hostile.for_whom()
        );
    }

    #[test]
    fn the_identity_service_is_named_by_its_host() {
        assert_eq!(
            identity_peer("https://identity.docker.com"),
            "docker's identity service"
        );
        assert_eq!(
            identity_peer("http://127.0.0.1:8080/x"),
            "the identity service 127.0.0.1:8080"
        );
    }
}
