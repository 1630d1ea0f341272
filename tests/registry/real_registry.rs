//! Against a real registry: Debian's `docker-registry` (the Distribution registry 2.8) and
//! its token service (see `distribution`), with this crate's client.
//!
//! What the registry accepts here it accepts from any conforming token service. The
//! pull-limit probe is tried on a missing manifest and on a v2 image pushed through the
//! registry's upload API (the registry answers 400 to a manifest request that does not
//! accept v2 manifests). Without the registry each test says it is skipped and passes,
//! except under CI, where it fails.

use std::{sync::atomic::Ordering, time::Duration};

use dockerhub_auth::{Credentials, ErrorKind, RegistryScope};

use crate::distribution::{RealRegistry, alice};
#[tokio::test]
async fn the_probe_is_accepted_and_reports_no_limit() {
    let Some(registry) = RealRegistry::start().await else {
        return;
    };
    let client = registry.client();
    // The challenge names the token service; its token passes the registry's checks (a 401
    // would be an error here); the registry sends no pull-limit headers.
    let anonymous = client.pull_limit(&Credentials::anonymous()).await.unwrap();
    assert!(!anonymous.is_reported());
    assert_eq!(anonymous.remaining(), None);
    let authenticated = client.pull_limit(&alice()).await.unwrap();
    assert!(!authenticated.is_reported());
    assert_eq!(registry.issued.load(Ordering::SeqCst), 2);
    // One of them to alice's name and secret, one anonymous.
    assert_eq!(registry.issued_to_alice.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_push_and_pull_token_opens_its_repository_and_only_it() {
    let Some(registry) = RealRegistry::start().await else {
        return;
    };
    let client = registry.client();
    let scope = RegistryScope::parse("repository:acme/app:pull,push").unwrap();
    let token = client.token(&alice(), &[scope]).await.unwrap();
    assert_eq!(token.lifetime(), Duration::from_secs(300));
    // Not 401: the registry accepted the token, and there is no such repository yet.
    assert_eq!(registry.tags_list("acme/app", &token).await, 404);
    // The registry checks the scope: the same token does not open another repository.
    assert_eq!(registry.tags_list("acme/other", &token).await, 401);
    // An anonymous token for a pull works the same way.
    let anonymous = client
        .token(
            &Credentials::anonymous(),
            &[RegistryScope::pull("acme/app").unwrap()],
        )
        .await
        .unwrap();
    assert_eq!(registry.tags_list("acme/app", &anonymous).await, 404);
}

#[tokio::test]
async fn wrong_credentials_are_rejected_by_the_token_service() {
    let Some(registry) = RealRegistry::start().await else {
        return;
    };
    let error = registry
        .client()
        .token(
            &Credentials::secret("alice", "dckr_pat_wrong_secret"),
            &[RegistryScope::pull("acme/app").unwrap()],
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::CredentialsRejected);
    assert_eq!(error.hub_message(), Some("incorrect username or password"));
    assert_eq!(registry.issued.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn the_probe_of_a_v2_image_is_accepted_and_reports_no_limit() {
    let Some(registry) = RealRegistry::start().await else {
        return;
    };
    registry.push_v2_image("ratelimitpreview/test").await;
    let client = registry.client();
    // The manifest exists now: without the manifest types in `Accept`, the registry would
    // answer this HEAD with 400.
    let anonymous = client.pull_limit(&Credentials::anonymous()).await.unwrap();
    assert!(!anonymous.is_reported());
    let authenticated = client.pull_limit(&alice()).await.unwrap();
    assert!(!authenticated.is_reported());
    assert_eq!(authenticated.limit(), None);
}

#[cfg(feature = "cli")]
#[tokio::test]
async fn rate_limit_on_a_registry_holding_the_probe_image_says_not_reported() {
    let Some(registry) = RealRegistry::start().await else {
        return;
    };
    registry.push_v2_image("ratelimitpreview/test").await;
    let url = registry.url.clone();
    // The binary blocks its thread while the token service answers on this runtime's.
    let run = tokio::task::spawn_blocking(move || {
        crate::support::cli::cli(
            &["rate-limit", "--registry", &url],
            &[
                ("DOCKERHUB_USERNAME", "alice"),
                ("DOCKERHUB_TOKEN", crate::distribution::PASSWORD),
            ],
            "",
        )
    })
    .await
    .unwrap();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("not reported"), "{}", run.stdout);
}
