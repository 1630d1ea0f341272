//! OIDC credentials (keyless CI) at a registry's token service: the organization's exchanged
//! token goes as the password of `ORGANIZATION:token`, one exchange serves every scope set,
//! and a refused exchange reaches the token service never.

use crate::support::{oidc::*, registry::*};
use dockerhub_auth::{
    Credentials, ErrorKind, ExposeSecret, IdTokenSource, RegistryScope, WorkloadIdentity,
};
use httpmock::MockServer;
use serde_json::json;

fn credentials(server: &MockServer, id_token: &str) -> Credentials {
    Credentials::workload_identity(
        WorkloadIdentity::new(ORG, CONNECTION, IdTokenSource::id_token(id_token))
            .identity_url(server.base_url()),
    )
    .unwrap()
}

fn scope(text: &str) -> Vec<RegistryScope> {
    vec![RegistryScope::parse(text).unwrap()]
}

#[tokio::test]
async fn the_token_service_gets_the_organization_and_its_exchanged_token_once_exchanged() {
    let server = MockServer::start_async().await;
    docker_hub_challenge(&server).await;
    let id = id_token(&server.base_url(), "registry");
    let exchange = server
        .mock_async(identity(
            &id,
            CONNECTION,
            300,
            json!({ "access_token": ACCESS_TOKEN }),
        ))
        .await;
    let form = server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/token")
                .form_urlencoded_tuple("grant_type", "password")
                .form_urlencoded_tuple("username", ORG)
                .form_urlencoded_tuple("password", ACCESS_TOKEN);
            then.status(200)
                .json_body(json!({ "token": "registry-token", "expires_in": 300 }));
        })
        .await;
    let registry = registry_at(&server.base_url());
    let credentials = credentials(&server, &id);
    for wanted in ["repository:acme/app:pull,push", "repository:acme/lib:pull"] {
        let token = registry.token(&credentials, &scope(wanted)).await.unwrap();
        assert_eq!(token.expose_secret(), "registry-token");
    }
    // One exchange for both scope sets; one token each.
    exchange.assert_calls_async(1).await;
    form.assert_calls_async(2).await;
    let shown = format!("{registry:?} {credentials:?}");
    for secret in [id.as_str(), ACCESS_TOKEN] {
        assert!(!shown.contains(secret), "{shown}");
    }
}

#[tokio::test]
async fn the_pull_limit_probe_works_with_oidc_credentials() {
    let server = MockServer::start_async().await;
    docker_hub_challenge(&server).await;
    let id = id_token(&server.base_url(), "probe");
    let exchange = server
        .mock_async(identity(
            &id,
            CONNECTION,
            300,
            json!({ "access_token": ACCESS_TOKEN }),
        ))
        .await;
    server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/token")
                .form_urlencoded_tuple("username", ORG)
                .form_urlencoded_tuple("password", ACCESS_TOKEN);
            then.status(200)
                .json_body(json!({ "token": "probe-token" }));
        })
        .await;
    let probe = server
        .mock_async(|when, then| {
            when.method("HEAD")
                .path("/v2/ratelimitpreview/test/manifests/latest")
                .header("authorization", "Bearer probe-token");
            then.status(200)
                .header("ratelimit-limit", "200;w=21600")
                .header("ratelimit-remaining", "199;w=21600");
        })
        .await;
    let limit = registry_at(&server.base_url())
        .pull_limit(&credentials(&server, &id))
        .await
        .unwrap();
    assert_eq!((limit.remaining(), limit.limit()), (Some(199), Some(200)));
    exchange.assert_calls_async(1).await;
    probe.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_refused_exchange_sends_nothing_to_the_token_service_and_is_remembered() {
    let server = MockServer::start_async().await;
    docker_hub_challenge(&server).await;
    let refused = server
        .mock_async(refusing(
            403,
            "application/json",
            r#"{"error":"access_denied","error_description":"no ruleset matched"}"#,
        ))
        .await;
    let token_service = server
        .mock_async(|when, then| {
            when.path("/token");
            then.status(200).json_body(json!({ "token": "never" }));
        })
        .await;
    let registry = registry_at(&server.base_url());
    let credentials = credentials(&server, "eyJ.refused.id-token");
    for wanted in ["repository:acme/app:pull", "repository:acme/lib:pull"] {
        let error = registry
            .token(&credentials, &scope(wanted))
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::CredentialsRejected, "{error}");
        assert!(error.to_string().contains("no ruleset matched"), "{error}");
    }
    refused.assert_calls_async(1).await;
    token_service.assert_calls_async(0).await;
}

#[tokio::test]
async fn login_hands_out_the_organization_and_its_exchanged_token_from_the_cache() {
    let server = MockServer::start_async().await;
    let id = id_token(&server.base_url(), "login");
    let exchange = server
        .mock_async(identity(
            &id,
            CONNECTION,
            300,
            json!({ "access_token": ACCESS_TOKEN }),
        ))
        .await;
    let dir = tempfile::tempdir().unwrap();
    let cache = dockerhub_auth::DiskCache::at(dir.path().join("cache"));
    let before = std::time::SystemTime::now();
    // Two processes' registries sharing the disk cache: one exchange.
    for _ in 0..2 {
        let registry = registry_builder(&server.base_url())
            .disk_cache(cache.clone())
            .build()
            .unwrap();
        let login = registry
            .login(&credentials(&server, &id))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(login.username(), ORG);
        assert_eq!(login.secret().expose_secret(), ACCESS_TOKEN);
        let expires_at = login.expires_at().unwrap();
        let lifetime = expires_at.duration_since(before).unwrap();
        assert!(
            lifetime <= std::time::Duration::from_secs(301),
            "{lifetime:?}"
        );
        assert!(
            lifetime >= std::time::Duration::from_secs(290),
            "{lifetime:?}"
        );
        assert!(!format!("{login:?}").contains(ACCESS_TOKEN));
    }
    exchange.assert_calls_async(1).await;
}

#[tokio::test]
async fn login_gives_other_credentials_as_they_are_and_sends_nothing() {
    let server = MockServer::start_async().await;
    let anything = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await;
    let registry = registry_at(&server.base_url());
    let secret = registry
        .login(&Credentials::secret("alice", "dckr_pat_given"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (secret.username(), secret.secret().expose_secret()),
        ("alice", "dckr_pat_given")
    );
    assert_eq!(secret.expires_at(), None);
    let identity = registry
        .login(&Credentials::identity_token("identity-token"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(identity.username(), "<token>");
    assert!(
        registry
            .login(&Credentials::anonymous())
            .await
            .unwrap()
            .is_none()
    );
    let empty = registry
        .login(&Credentials::secret("alice", ""))
        .await
        .unwrap_err();
    assert_eq!(empty.kind(), ErrorKind::InvalidInput);
    anything.assert_calls_async(0).await;
}
