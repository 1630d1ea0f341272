//! Registry token refusals and failures against a fake registry and token service on
//! 127.0.0.1: what each is classified as, what is retried and what never is, and what is
//! refused before anything is sent. Every mock's hit count is asserted.

use std::time::Duration;

use crate::support::{CANARY, closed_port_url, registry::*};
use dockerhub_auth::{Credentials, ErrorKind, RegistryScope, RetryPolicy};
use httpmock::MockServer;
use serde_json::json;

fn alice() -> Credentials {
    Credentials::secret("alice", CANARY)
}

fn scopes(texts: &[&str]) -> Vec<RegistryScope> {
    texts.iter().map(|text| text.parse().unwrap()).collect()
}

#[tokio::test]
async fn a_refusal_from_the_token_service_is_rejected_credentials_and_never_retried() {
    for body in [
        json!({ "details": "incorrect username or password" }),
        json!({ "errors": [{ "code": "UNAUTHORIZED", "message": "incorrect username or password" }] }),
    ] {
        let server = MockServer::start_async().await;
        docker_hub_challenge(&server).await;
        let form = server
            .mock_async(|when, then| {
                when.method("POST").path("/token");
                then.status(401).json_body(body.clone());
            })
            .await;
        let get = server
            .mock_async(|when, then| {
                when.method("GET").path("/token");
                then.status(200).json_body(json!({ "token": "t" }));
            })
            .await;
        // The default policy retries what may succeed later; a refusal is not that.
        let registry = registry_builder(&server.base_url())
            .retry_policy(RetryPolicy::default())
            .build()
            .unwrap();
        let error = registry
            .token(&alice(), &scopes(&["alpine"]))
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::CredentialsRejected, "{body}");
        assert_eq!(error.status(), Some(401));
        assert!(
            error
                .hub_message()
                .unwrap()
                .contains("incorrect username or password"),
            "{error}"
        );
        form.assert_calls_async(1).await;
        get.assert_calls_async(0).await;
    }
}

#[tokio::test]
async fn a_refusal_on_get_after_the_form_is_rejected_credentials() {
    let server = MockServer::start_async().await;
    docker_hub_challenge(&server).await;
    let get = server
        .mock_async(|when, then| {
            when.method("GET").path("/token");
            then.status(401)
                .json_body(json!({ "details": "incorrect username or password" }));
        })
        .await;
    // Nothing answers POST /token: the mock server says 404, and GET follows.
    let error = registry_at(&server.base_url())
        .token(&alice(), &scopes(&["alpine"]))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::CredentialsRejected);
    get.assert_calls_async(1).await;
}

#[tokio::test]
async fn docker_hubs_token_service_refusing_the_form_is_not_asked_again_on_get() {
    // Docker Hub's token service takes the form: its 400 or 401 is the answer, and a GET
    // would count as a second failed login.
    for status in [401, 400] {
        let server = MockServer::start_async().await;
        docker_hub_challenge(&server).await;
        let form = server
            .mock_async(|when, then| {
                when.method("POST").path("/token");
                then.status(status)
                    .json_body(json!({ "details": "incorrect username or password" }));
            })
            .await;
        let get = server
            .mock_async(|when, then| {
                when.method("GET").path("/token");
                then.status(200).json_body(json!({ "token": "t" }));
            })
            .await;
        let error = registry_at(&server.base_url())
            .token(&alice(), &scopes(&["alpine"]))
            .await
            .unwrap_err();
        assert_eq!(error.status(), Some(status));
        if status == 401 {
            assert_eq!(error.kind(), ErrorKind::CredentialsRejected);
        }
        form.assert_calls_async(1).await;
        get.assert_calls_async(0).await;
    }
}

#[tokio::test]
async fn an_identity_token_refused_by_another_token_service_is_not_asked_again_on_get() {
    // An identity token has no GET form: a 400 or 401 to it is the answer, from any service.
    for status in [401, 400] {
        let server = MockServer::start_async().await;
        challenging(
            &server,
            &challenge(&server.url("/token"), "acr.example.test"),
        )
        .await;
        let form = server
            .mock_async(|when, then| {
                when.method("POST").path("/token");
                then.status(status)
                    .json_body(json!({ "details": "invalid refresh token" }));
            })
            .await;
        let get = server
            .mock_async(|when, then| {
                when.method("GET").path("/token");
                then.status(200).json_body(json!({ "token": "t" }));
            })
            .await;
        let error = registry_at(&server.base_url())
            .token(&Credentials::identity_token(CANARY), &[])
            .await
            .unwrap_err();
        assert_eq!(error.status(), Some(status));
        if status == 401 {
            assert_eq!(error.kind(), ErrorKind::CredentialsRejected);
        }
        form.assert_calls_async(1).await;
        get.assert_calls_async(0).await;
    }
}

#[tokio::test]
async fn an_answer_without_a_token_is_an_invalid_response() {
    for body in [
        json!({ "expires_in": 300 }),
        json!({ "token": "", "access_token": "" }),
    ] {
        let server = MockServer::start_async().await;
        docker_hub_challenge(&server).await;
        server
            .mock_async(|when, then| {
                when.path("/token");
                then.status(200).json_body(body.clone());
            })
            .await;
        let error = registry_at(&server.base_url())
            .token(&Credentials::anonymous(), &[])
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidResponse, "{body}");
    }
}

#[tokio::test]
async fn credentials_are_not_sent_to_a_plain_http_realm_on_another_host() {
    let server = MockServer::start_async().await;
    // The name is never resolved: the realm is refused before anything is sent to it.
    let ping = challenging(
        &server,
        &challenge("http://auth.example.test/token", DOCKER_HUB_SERVICE),
    )
    .await;
    let error = registry_at(&server.base_url())
        .token(&alice(), &scopes(&["alpine"]))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert!(error.to_string().contains("http://"), "{error}");
    ping.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_realm_that_is_not_a_url_is_an_invalid_response() {
    let server = MockServer::start_async().await;
    challenging(&server, &challenge("/token", DOCKER_HUB_SERVICE)).await;
    let error = registry_at(&server.base_url())
        .token(&Credentials::anonymous(), &[])
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidResponse);
}

#[tokio::test]
async fn a_registry_without_token_authentication_issues_no_token() {
    let server = MockServer::start_async().await;
    let ping = challenging(&server, r#"Basic realm="Registry Realm""#).await;
    let error = registry_at(&server.base_url())
        .token(&Credentials::anonymous(), &[])
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::UnexpectedResponse);
    ping.assert_calls_async(1).await;

    let open = MockServer::start_async().await;
    open.mock_async(|when, then| {
        when.path("/v2/");
        then.status(200).body("{}");
    })
    .await;
    let error = registry_at(&open.base_url())
        .token(&Credentials::anonymous(), &[])
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::UnexpectedResponse);
}

#[tokio::test]
async fn invalid_input_is_refused_before_any_request() {
    let server = MockServer::start_async().await;
    let ping = docker_hub_challenge(&server).await;
    let registry = registry_at(&server.base_url());
    for scope in ["Alpine", "repository:a:read", "alpine:latest", "a//b"] {
        let error = RegistryScope::parse(scope).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{scope}");
    }
    for credentials in [
        Credentials::secret("alice", ""),
        Credentials::secret(" ", CANARY),
    ] {
        let error = registry.token(&credentials, &[]).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        let error = registry.pull_limit(&credentials).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
    }
    ping.assert_calls_async(0).await;
}

#[tokio::test]
async fn rate_limits_and_outages_of_the_token_service_are_retried() {
    let server = MockServer::start_async().await;
    let ping = docker_hub_challenge(&server).await;
    let limited = server
        .mock_async(|when, then| {
            when.path("/token");
            then.status(429)
                .header("retry-after", "0")
                .json_body(
                    json!({ "errors": [{ "code": "TOOMANYREQUESTS", "message": "slow down" }] }),
                )
                .up_to_n_times(1);
        })
        .await;
    let unavailable = server
        .mock_async(|when, then| {
            when.path("/token");
            then.status(503).body("down").up_to_n_times(1);
        })
        .await;
    let served = server
        .mock_async(|when, then| {
            when.path("/token");
            then.status(200).json_body(json!({ "token": "third-time" }));
        })
        .await;
    let registry = registry_builder(&server.base_url())
        .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(1)))
        .build()
        .unwrap();
    let token = registry
        .token(&Credentials::anonymous(), &[])
        .await
        .unwrap();
    assert_eq!(token.expose_secret(), "third-time");
    ping.assert_calls_async(1).await;
    limited.assert_calls_async(1).await;
    unavailable.assert_calls_async(1).await;
    served.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_rate_limit_longer_than_the_cap_is_returned_with_its_wait() {
    let server = MockServer::start_async().await;
    docker_hub_challenge(&server).await;
    let limited = server
        .mock_async(|when, then| {
            when.path("/token");
            then.status(429).header("retry-after", "3600").json_body(
                json!({ "errors": [{ "code": "TOOMANYREQUESTS", "message": "too many failed login attempts" }] }),
            );
        })
        .await;
    let registry = registry_builder(&server.base_url())
        .retry_policy(RetryPolicy::default())
        .build()
        .unwrap();
    let error = registry
        .token(&Credentials::anonymous(), &[])
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::RateLimited);
    assert_eq!(error.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(
        error.hub_message(),
        Some("toomanyrequests: too many failed login attempts")
    );
    limited.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_redirect_from_the_token_service_is_not_followed_with_the_credentials() {
    let server = MockServer::start_async().await;
    docker_hub_challenge(&server).await;
    let redirect = server
        .mock_async(|when, then| {
            when.path("/token");
            then.status(307)
                .header("location", server.url("/elsewhere"));
        })
        .await;
    let elsewhere = server
        .mock_async(|when, then| {
            when.path("/elsewhere");
            then.status(200).json_body(json!({ "token": "stolen" }));
        })
        .await;
    let error = registry_at(&server.base_url())
        .token(&alice(), &scopes(&["alpine"]))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::UnexpectedResponse);
    assert_eq!(error.status(), Some(307));
    redirect.assert_calls_async(1).await;
    elsewhere.assert_calls_async(0).await;
}

#[tokio::test]
async fn an_identity_token_is_never_sent_on_get() {
    let server = MockServer::start_async().await;
    docker_hub_challenge(&server).await;
    let form = server
        .mock_async(|when, then| {
            when.method("POST").path("/token");
            then.status(404);
        })
        .await;
    let get = server
        .mock_async(|when, then| {
            when.method("GET").path("/token");
            then.status(200).json_body(json!({ "token": "t" }));
        })
        .await;
    let registry = registry_at(&server.base_url());
    let error = registry
        .token(&Credentials::identity_token(CANARY), &scopes(&["alpine"]))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::UnexpectedResponse);
    form.assert_calls_async(1).await;
    get.assert_calls_async(0).await;
    let empty = registry
        .token(&Credentials::identity_token(" "), &[])
        .await
        .unwrap_err();
    assert_eq!(empty.kind(), ErrorKind::InvalidInput);
    form.assert_calls_async(1).await;
}

#[tokio::test]
async fn an_identity_token_is_not_sent_to_a_plain_http_realm_on_another_host() {
    let server = MockServer::start_async().await;
    challenging(
        &server,
        &challenge("http://auth.example.test/token", DOCKER_HUB_SERVICE),
    )
    .await;
    let error = registry_at(&server.base_url())
        .token(&Credentials::identity_token(CANARY), &[])
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
}

#[tokio::test]
async fn errors_about_another_registry_name_it_not_docker_hub() {
    let server = MockServer::start_async().await;
    let host = server.address().to_string();
    challenging(&server, &challenge(&server.url("/token"), "test-registry")).await;
    let refused = server
        .mock_async(|when, then| {
            when.path("/token");
            then.status(403)
                .json_body(json!({ "details": "no access to acme/app" }));
        })
        .await;
    let registry = registry_at(&server.base_url());
    let err = registry
        .token(&alice(), &scopes(&["acme/app"]))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    let message = err.to_string();
    assert!(
        message.starts_with(&format!(
            "forbidden by the token service {host} of registry {host}"
        )),
        "{message}"
    );
    assert!(!message.contains("docker hub"), "{message}");
    // Remembered, the refusal still says who refused.
    let again = registry
        .token(&alice(), &scopes(&["acme/app"]))
        .await
        .unwrap_err();
    assert!(again.is_remembered());
    assert!(!again.to_string().contains("docker hub"), "{again}");
    refused.assert_calls_async(1).await;

    let down = MockServer::start_async().await;
    let ping = down
        .mock_async(|when, then| {
            when.path("/v2/");
            then.status(400).body("bad request");
        })
        .await;
    let err = registry_at(&down.base_url())
        .pull_limit(&Credentials::anonymous())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "unexpected response from registry {} (http 400): body: bad request",
            down.address()
        )
    );
    ping.assert_calls_async(1).await;
}

#[tokio::test]
async fn errors_of_docker_hubs_token_service_say_so() {
    let server = MockServer::start_async().await;
    docker_hub_challenge(&server).await;
    let refused = server
        .mock_async(|when, then| {
            when.path("/token");
            then.status(401)
                .json_body(json!({ "details": "incorrect username or password" }));
        })
        .await;
    let err = registry_at(&server.base_url())
        .token(&alice(), &[])
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("docker hub's token service rejected the credentials (http 401)"),
        "{err}"
    );
    refused.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_registry_that_cannot_be_reached_is_named_with_the_host_and_port_tried() {
    let url = closed_port_url();
    let host_and_port = url.trim_start_matches("http://");
    let registry = registry_at(&url);
    for err in [
        registry.token(&alice(), &[]).await.unwrap_err(),
        registry.pull_limit(&alice()).await.unwrap_err(),
    ] {
        assert_eq!(err.kind(), ErrorKind::Transport);
        assert_eq!(
            err.to_string(),
            format!(
                "could not talk to registry {host_and_port}: could not connect to {host_and_port}"
            )
        );
    }
}
