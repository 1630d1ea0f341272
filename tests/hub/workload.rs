//! OIDC credentials (keyless CI) with a `Session`: the exact requests to GitHub's runner and
//! to Docker's identity service for each source of ID tokens, the exchanged token's
//! lifetime, and the disk cache. Failures are in `workload_failures.rs`.

use std::time::Duration;

use crate::support::{oidc::*, *};
use dockerhub_auth::{
    Credentials, DiskCache, ErrorKind, Hub, IdTokenSource, SecretString, WorkloadIdentity,
};
use httpmock::MockServer;
use serde_json::json;

/// OIDC credentials of acme through `CONNECTION`, with the identity service on `server`.
pub(crate) fn credentials(server: &MockServer, source: IdTokenSource) -> Credentials {
    Credentials::workload_identity(
        WorkloadIdentity::new(ORG, CONNECTION, source).identity_url(server.base_url()),
    )
    .unwrap()
}

/// The runner of the job `job` on `server`.
pub(crate) fn runner(server: &MockServer, job: &str) -> IdTokenSource {
    IdTokenSource::github_actions_request(request_url(server, job), RUNNER_TOKEN)
}

/// Moves tokio's clock forward by `by` without sleeping (see `session.rs`).
async fn travel(by: Duration) {
    tokio::time::pause();
    tokio::time::advance(by).await;
    tokio::time::resume();
}

#[tokio::test]
async fn a_session_exchanges_the_runners_id_token_and_hands_out_the_organizations_token() {
    let server = MockServer::start_async().await;
    let audience = server.base_url();
    let id = id_token(&audience, "1");
    let github = server.mock_async(github("7", &audience, &id)).await;
    let exchange = server
        .mock_async(identity(
            &id,
            CONNECTION,
            300,
            json!({ "access_token": ACCESS_TOKEN, "issued_token_type":
                    "urn:ietf:params:oauth:token-type:access_token", "token_type": "Bearer",
                    "expires_in": 300 }),
        ))
        .await;
    let session = hub(&server).session(credentials(&server, runner(&server, "7")));
    let first = session.token().await.unwrap();
    let second = session.token().await.unwrap();
    assert_eq!(first.expose_secret(), ACCESS_TOKEN);
    assert_eq!(second.expose_secret(), ACCESS_TOKEN);
    github.assert_calls_async(1).await;
    exchange.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_given_id_token_is_exchanged_as_it_is_for_the_lifetime_asked() {
    let server = MockServer::start_async().await;
    let id = id_token(&server.base_url(), "given");
    let exchange = server
        .mock_async(identity(
            &id,
            CONNECTION,
            600,
            json!({ "access_token": ACCESS_TOKEN }),
        ))
        .await;
    let credentials = Credentials::workload_identity(
        WorkloadIdentity::new(ORG, CONNECTION.to_uppercase(), IdTokenSource::id_token(id))
            .identity_url(server.base_url())
            .expires_in(Duration::from_secs(600)),
    )
    .unwrap();
    let token = hub(&server).session(credentials).token().await.unwrap();
    assert_eq!(token.expose_secret(), ACCESS_TOKEN);
    // The connection ID goes out lowercase, as UUIDs are written.
    exchange.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_callers_function_is_asked_for_an_id_token_for_the_audience() {
    let server = MockServer::start_async().await;
    let audience = server.base_url();
    let id = id_token(&audience, "function");
    let exchange = server
        .mock_async(identity(
            &id,
            CONNECTION,
            300,
            json!({ "access_token": ACCESS_TOKEN }),
        ))
        .await;
    let (asked, expected) = (
        std::sync::Arc::new(std::sync::Mutex::new(Vec::new())),
        audience,
    );
    let record = asked.clone();
    let source = IdTokenSource::from_fn(move |audience| {
        record.lock().unwrap().push(audience.to_owned());
        Some(SecretString::from(id.as_str()))
    });
    let token = hub(&server)
        .session(credentials(&server, source))
        .token()
        .await
        .unwrap();
    assert_eq!(token.expose_secret(), ACCESS_TOKEN);
    assert_eq!(*asked.lock().unwrap(), [expected]);
    exchange.assert_calls_async(1).await;

    let nothing = IdTokenSource::from_fn(|_| None);
    let error = hub(&server)
        .session(credentials(&server, nothing))
        .token()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    exchange.assert_calls_async(1).await;
}

#[tokio::test]
async fn the_lifetime_is_the_answers_expires_in_when_the_token_has_no_exp() {
    let server = MockServer::start_async().await;
    let id = id_token(&server.base_url(), "lifetime");
    // Asked for 300 s; the service says 900 s; the token is opaque.
    let exchange = server
        .mock_async(identity(
            &id,
            CONNECTION,
            300,
            json!({ "access_token": "opaque-organization-token", "expires_in": 900 }),
        ))
        .await;
    let session = hub(&server).session(credentials(&server, IdTokenSource::id_token(id.as_str())));
    session.token().await.unwrap();
    travel(Duration::from_secs(500)).await; // past what was asked, well inside what was said
    session.token().await.unwrap();
    exchange.assert_calls_async(1).await;
    travel(Duration::from_secs(320)).await; // 80 s left: inside the 90 s margin (10%)
    session.token().await.unwrap();
    exchange.assert_calls_async(2).await;
}

#[tokio::test]
async fn without_exp_or_expires_in_the_lifetime_asked_is_used() {
    let server = MockServer::start_async().await;
    let id = id_token(&server.base_url(), "asked");
    let exchange = server
        .mock_async(identity(
            &id,
            CONNECTION,
            300,
            json!({ "access_token": "opaque" }),
        ))
        .await;
    let session = hub(&server).session(credentials(&server, IdTokenSource::id_token(id.as_str())));
    session.token().await.unwrap();
    travel(Duration::from_secs(230)).await; // 70 s left of 300
    session.token().await.unwrap();
    exchange.assert_calls_async(1).await;
    travel(Duration::from_secs(20)).await; // 50 s left: inside the 60 s margin
    session.token().await.unwrap();
    exchange.assert_calls_async(2).await;
}

#[tokio::test]
async fn sessions_sharing_a_disk_cache_share_the_exchange_of_one_job_and_not_anothers() {
    let server = MockServer::start_async().await;
    let audience = server.base_url();
    let (first_id, second_id) = (id_token(&audience, "job-1"), id_token(&audience, "job-2"));
    let first_runner = server.mock_async(github("1", &audience, &first_id)).await;
    let second_runner = server.mock_async(github("2", &audience, &second_id)).await;
    let first_exchange = server
        .mock_async(identity(
            &first_id,
            CONNECTION,
            300,
            json!({ "access_token": "job-1-token" }),
        ))
        .await;
    let second_exchange = server
        .mock_async(identity(
            &second_id,
            CONNECTION,
            300,
            json!({ "access_token": "job-2-token" }),
        ))
        .await;
    let dir = tempfile::tempdir().unwrap();
    let cache = DiskCache::at(dir.path().join("cache"));
    let session = |hub: &Hub, job: &str| {
        hub.session_builder(credentials(&server, runner(&server, job)))
            .disk_cache(cache.clone())
            .build()
    };
    // Two processes of job 1 (two hubs, two sessions): one ID token, one exchange.
    for _ in 0..2 {
        let token = session(&hub(&server), "1").token().await.unwrap();
        assert_eq!(token.expose_secret(), "job-1-token");
    }
    first_runner.assert_calls_async(1).await;
    first_exchange.assert_calls_async(1).await;
    // Job 2 gets its own.
    let token = session(&hub(&server), "2").token().await.unwrap();
    assert_eq!(token.expose_secret(), "job-2-token");
    second_runner.assert_calls_async(1).await;
    second_exchange.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_functions_tokens_stay_out_of_the_disk_cache() {
    let server = MockServer::start_async().await;
    let id = id_token(&server.base_url(), "memory");
    let exchange = server
        .mock_async(identity(
            &id,
            CONNECTION,
            300,
            json!({ "access_token": ACCESS_TOKEN }),
        ))
        .await;
    let dir = tempfile::tempdir().unwrap();
    let cache = DiskCache::at(dir.path().join("cache"));
    let given = id.clone();
    let source = IdTokenSource::from_fn(move |_| Some(SecretString::from(given.as_str())));
    let credentials = credentials(&server, source);
    for _ in 0..2 {
        let session = hub(&server)
            .session_builder(credentials.clone())
            .disk_cache(cache.clone())
            .build();
        assert_eq!(session.token().await.unwrap().expose_secret(), ACCESS_TOKEN);
    }
    // Two sessions, no disk: each exchanged, and nothing holds the token on disk.
    exchange.assert_calls_async(2).await;
    for entry in std::fs::read_dir(dir.path())
        .into_iter()
        .flatten()
        .flatten()
    {
        for file in std::fs::read_dir(entry.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let bytes = std::fs::read(file.path()).unwrap_or_default();
            assert!(!String::from_utf8_lossy(&bytes).contains(ACCESS_TOKEN));
        }
    }
}
