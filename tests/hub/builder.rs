//! `Hub::builder`: base URLs, timeouts, user agent, and what is refused before any I/O.

use std::time::Duration;

use crate::support::*;
use dockerhub_auth::{ErrorKind, ExposeSecret, Hub};
use httpmock::MockServer;
use serde_json::json;

async fn token_route<'a>(server: &'a MockServer, path: &str) -> httpmock::Mock<'a> {
    server
        .mock_async(|when, then| {
            when.method("POST").path(path);
            then.status(200).json_body(json!({ "access_token": "t" }));
        })
        .await
}

#[tokio::test]
async fn a_trailing_slash_in_the_base_url_is_harmless() {
    let server = MockServer::start_async().await;
    let mock = token_route(&server, "/v2/auth/token").await;
    let hub = Hub::builder().base_url(server.url("/")).build().unwrap();
    hub.create_access_token("alice", "pw12").await.unwrap();
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_path_prefix_in_the_base_url_is_kept() {
    let server = MockServer::start_async().await;
    let mock = token_route(&server, "/mirror/hub/v2/auth/token").await;
    for base_url in [server.url("/mirror/hub"), server.url("/mirror/hub/")] {
        let hub = Hub::builder().base_url(&base_url).build().unwrap();
        assert_eq!(hub.base_url(), server.url("/mirror/hub"));
        hub.create_access_token("alice", "pw12").await.unwrap();
    }
    mock.assert_calls_async(2).await;
}

#[tokio::test]
async fn the_user_agent_names_the_crate_and_the_callers_product() {
    let server = MockServer::start_async().await;
    let version = env!("CARGO_PKG_VERSION");
    let plain = server
        .mock_async(|when, then| {
            when.header("user-agent", format!("dockerhub-auth/{version}"));
            then.status(200).json_body(json!({ "access_token": "t" }));
        })
        .await;
    let suffixed = server
        .mock_async(|when, then| {
            when.header(
                "user-agent",
                format!("dockerhub-auth/{version} my-tool/1.2"),
            );
            then.status(200).json_body(json!({ "access_token": "t" }));
        })
        .await;
    hub(&server)
        .create_access_token("alice", "pw12")
        .await
        .unwrap();
    Hub::builder()
        .base_url(server.base_url())
        .user_agent("my-tool/1.2")
        .build()
        .unwrap()
        .create_access_token("alice", "pw12")
        .await
        .unwrap();
    plain.assert_calls_async(1).await;
    suffixed.assert_calls_async(1).await;
}

#[test]
fn http_is_refused_for_hosts_that_are_not_loopback() {
    let err = Hub::builder()
        .base_url("http://hub.docker.com")
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("http://"), "{err}");
}

#[test]
fn a_base_url_without_its_scheme_is_shown_with_the_url_it_likely_meant() {
    for (input, meant) in [
        ("127.0.0.1:18080", "http://127.0.0.1:18080"),
        ("hub.docker.com", "https://hub.docker.com"),
        ("http://hub.docker.com", "https://hub.docker.com"),
    ] {
        let err = Hub::builder().base_url(input).build().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        let message = err.to_string();
        assert!(message.contains(&format!("\"{input}\"")), "{message}");
        assert!(
            message.ends_with(&format!("did you mean \"{meant}\"?")),
            "{message}"
        );
    }
    // The same for a registry, whose builder checks its base URL the same way.
    let err = dockerhub_auth::Registry::builder()
        .base_url("localhost:5000")
        .build()
        .unwrap_err();
    assert!(
        err.to_string()
            .ends_with("did you mean \"http://localhost:5000\"?"),
        "{err}"
    );
}

#[test]
fn http_for_another_host_needs_the_dangerous_opt_in() {
    let hub = Hub::builder()
        .base_url("http://hub.internal:8080/")
        .danger_allow_http(true)
        .build()
        .unwrap();
    assert_eq!(hub.base_url(), "http://hub.internal:8080");
}

#[test]
fn https_and_loopback_http_are_accepted() {
    for base_url in [
        "https://hub.docker.com",
        "http://localhost:5000",
        "http://127.0.0.1",
        "http://[::1]:1",
    ] {
        assert!(
            Hub::builder().base_url(base_url).build().is_ok(),
            "{base_url}"
        );
    }
}

#[test]
fn the_default_base_url_is_docker_hub() {
    assert_eq!(
        Hub::builder().build().unwrap().base_url(),
        "https://hub.docker.com"
    );
}

#[test]
fn credentials_in_the_base_url_are_refused_and_never_printed() {
    let builder = Hub::builder().base_url(format!("https://alice:{CANARY}@hub.docker.com"));
    let debug = format!("{builder:?}");
    assert!(!debug.contains(CANARY), "{debug}");
    let err = builder.build().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(!format!("{err} {err:?}").contains(CANARY));
    // A password that does not look like a token is not shown either, though the URL is.
    let err = Hub::builder()
        .base_url("https://alice:horse-battery@hub.docker.com/v2")
        .build()
        .unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(
        !shown.contains("horse-battery") && !shown.contains("alice"),
        "{shown}"
    );
    assert!(
        shown.contains("\"https://redacted@hub.docker.com/v2\""),
        "{shown}"
    );
}

#[test]
fn invalid_settings_are_reported_by_build() {
    let builders = [
        Hub::builder().timeout(Duration::ZERO),
        Hub::builder().connect_timeout(Duration::ZERO),
        Hub::builder().body_limit(0),
        Hub::builder().user_agent("bad\nagent"),
        Hub::builder().base_url("not a url"),
        Hub::builder().base_url("https://hub.docker.com/?x=1"),
    ];
    for builder in builders {
        let debug = format!("{builder:?}");
        assert_eq!(
            builder.build().unwrap_err().kind(),
            ErrorKind::InvalidInput,
            "{debug}"
        );
    }
}

#[test]
fn debug_shows_the_settings() {
    let hub = Hub::builder()
        .base_url("https://hub.example/")
        .timeout(Duration::from_secs(7))
        .build()
        .unwrap();
    let debug = format!("{hub:?}");
    assert!(debug.contains("https://hub.example"), "{debug}");
    assert!(debug.contains("7s"), "{debug}");
}

#[tokio::test]
async fn the_generated_client_shares_the_hubs_settings() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/prefix/v2/auth/token").header(
                "user-agent",
                format!("dockerhub-auth/{}", env!("CARGO_PKG_VERSION")),
            );
            then.status(200).json_body(json!({ "access_token": "raw" }));
        })
        .await;
    let hub = Hub::builder()
        .base_url(server.url("/prefix/"))
        .build()
        .unwrap();
    let body = dockerhub_auth::generated::types::AuthCreateAccessTokenRequest {
        identifier: "alice".into(),
        secret: "pw12".into(),
    };
    let response = hub
        .generated()
        .auth_create_access_token(&body)
        .await
        .unwrap();
    let token = response.into_inner().access_token;
    assert_eq!(token.expose_secret(), "raw");
    // The generated types hold secrets as `Sensitive`: their `Debug` never shows one.
    assert_eq!(format!("{token:?}"), "Sensitive([redacted])");
    assert!(!format!("{body:?}").contains("pw12"), "{body:?}");
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn the_generated_client_caps_bodies_too() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/v2/auth/token");
            then.status(200).body("x".repeat(4096));
        })
        .await;
    let hub = Hub::builder()
        .base_url(server.base_url())
        .body_limit(1024)
        .build()
        .unwrap();
    let body = dockerhub_auth::generated::types::AuthCreateAccessTokenRequest {
        identifier: "alice".into(),
        secret: "pw12".into(),
    };
    let err = hub
        .generated()
        .auth_create_access_token(&body)
        .await
        .unwrap_err();
    assert!(
        matches!(err, progenitor_client::Error::ResponseBodyError(_)),
        "{err}"
    );
}
