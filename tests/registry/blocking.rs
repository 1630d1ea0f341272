//! `dockerhub_auth::blocking::Registry`: tokens and the pull limit from a thread without a
//! runtime, its cache, and calls made inside a runtime.

use httpmock::MockServer;
use serde_json::json;

use crate::support::{CANARY, registry::*};
use dockerhub_auth::{Credentials, ErrorKind, RegistryScope, RetryPolicy, blocking::Registry};

fn registry(base_url: &str) -> Registry {
    Registry::builder()
        .base_url(base_url)
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap()
}

#[test]
fn a_plain_thread_gets_a_cached_token_and_the_pull_limit() {
    let server = MockServer::start();
    let ping = server.mock(|when, then| {
        when.path("/v2/");
        then.status(401).header(
            "www-authenticate",
            challenge(&server.url("/token"), DOCKER_HUB_SERVICE),
        );
    });
    let token_route = server.mock(|when, then| {
        when.path("/token");
        then.status(200)
            .json_body(json!({ "token": "opaque", "expires_in": 300 }));
    });
    let probe = server.mock(|when, then| {
        when.method("HEAD")
            .path("/v2/ratelimitpreview/test/manifests/latest");
        then.status(200)
            .header("ratelimit-limit", "100;w=21600")
            .header("ratelimit-remaining", "76;w=21600");
    });
    let registry = registry(&server.base_url());
    let alice = Credentials::secret("alice", CANARY);
    let scopes = [RegistryScope::pull("alpine").unwrap()];
    let first = registry.token(&alice, &scopes).unwrap();
    let again = registry.clone().token(&alice, &scopes).unwrap();
    assert_eq!(first.expose_secret(), again.expose_secret());
    assert_eq!(first.scopes()[0].as_str(), "repository:library/alpine:pull");
    let limit = registry.pull_limit(&alice).unwrap();
    assert_eq!((limit.remaining(), limit.limit()), (Some(76), Some(100)));
    ping.assert_calls(1);
    // One for alpine, one for the probe's repository.
    token_route.assert_calls(2);
    probe.assert_calls(1);
    assert!(!format!("{registry:?}").contains(CANARY));
}

#[tokio::test(flavor = "current_thread")]
async fn inside_a_runtime_its_calls_are_runtime_errors_naming_them() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200);
        })
        .await;
    let registry = registry(&server.base_url());
    let anonymous = Credentials::anonymous();
    for (call, error) in [
        (
            "Registry::token",
            registry.token(&anonymous, &[]).unwrap_err(),
        ),
        (
            "Registry::pull_limit",
            registry.pull_limit(&anonymous).unwrap_err(),
        ),
    ] {
        assert_eq!(error.kind(), ErrorKind::Runtime);
        assert!(
            error.to_string().starts_with(&format!(
                "dockerhub_auth::blocking::{call} cannot be called inside a tokio runtime"
            )),
            "{error}"
        );
    }
    any.assert_calls_async(0).await;
}
