//! No secret of the registry flows reaches any output: the password or access token, the
//! Basic credentials built from it, and the registry tokens, in `Debug`, `Display`, errors
//! (also when a server echoes the request) and everything logged at TRACE level.

use std::{
    io::Write,
    sync::{Arc, Mutex},
};

use crate::support::{CANARY, registry::*, trace::ThreadDefault as _};
use base64::Engine as _;
use dockerhub_auth::{Credentials, Registry, RegistryScope, RetryPolicy};
use httpmock::MockServer;
use serde_json::json;
use tracing_subscriber::{
    filter::{LevelFilter, Targets},
    prelude::*,
};

/// A registry token no output may contain either.
const ISSUED: &str = "registry-token-CANARY-9f1c";

/// Everything written to the subscriber.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn basic_credentials() -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("alice:{CANARY}"))
}

fn assert_clean(texts: &[String]) {
    for text in texts {
        for secret in [CANARY, ISSUED, basic_credentials().as_str()] {
            assert!(!text.contains(secret), "secret leaked: {text}");
        }
    }
}

// The subscriber is this test's alone: see `ThreadDefault`.
#[tokio::test]
async fn no_secret_appears_in_any_output() {
    let captured = Captured::default();
    let writer = captured.clone();
    // Everything at TRACE, except the mock server's own logs (it records the requests it
    // receives, which is its job and not this crate's output).
    let _subscriber = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(move || writer.clone())
                .with_filter(
                    Targets::new()
                        .with_default(LevelFilter::TRACE)
                        .with_target("httpmock", LevelFilter::OFF),
                ),
        )
        .set_thread_default();

    let server = MockServer::start_async().await;
    docker_hub_challenge(&server).await;
    let echo = format!(
        "bad credentials {CANARY} in Basic {} for alice",
        basic_credentials()
    );
    // An identity token is refused with it echoed (it is all that request carried) …
    server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/token")
                .form_urlencoded_tuple("grant_type", "refresh_token");
            then.status(401)
                .json_body(json!({ "details": format!("invalid refresh token {CANARY}") }));
        })
        .await;
    // … the password grant with the secret and the Basic credentials in a registry error …
    server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/token")
                .form_urlencoded_tuple("username", "alice");
            then.status(401)
                .json_body(json!({ "errors": [{ "code": "UNAUTHORIZED", "message": echo }] }));
        })
        .await;
    // … the anonymous GET is rate limited once with it in plain text, then answered.
    server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/token")
                .header_missing("authorization");
            then.status(429)
                .header("retry-after", "0")
                .body(echo.clone())
                .up_to_n_times(1);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method("GET").path("/token");
            then.status(200)
                .json_body(json!({ "token": ISSUED, "refresh_token": ISSUED }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method("HEAD")
                .path("/v2/ratelimitpreview/test/manifests/latest");
            then.status(401).body(echo.clone());
        })
        .await;

    let builder = Registry::builder()
        .base_url(server.base_url())
        .retry_policy(RetryPolicy::default());
    let builder_debug = format!("{builder:?}");
    let registry = builder.build().unwrap();
    let alice = Credentials::secret("alice", CANARY);
    let wanted = [RegistryScope::pull("alpine").unwrap()];

    let rejected = registry.token(&alice, &wanted).await.unwrap_err();
    let identity = registry
        .token(&Credentials::identity_token(CANARY), &wanted)
        .await
        .unwrap_err();
    let token = registry
        .token(&Credentials::anonymous(), &wanted)
        .await
        .unwrap();
    assert_eq!(token.expose_secret(), ISSUED);
    let probe = registry
        .pull_limit(&Credentials::anonymous())
        .await
        .unwrap_err();
    let header = token.authorization_header();

    let trace = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        trace.contains("registry_token"),
        "no spans recorded: {trace}"
    );
    assert!(rejected.hub_message().unwrap().contains("[redacted]"));
    assert_clean(&[
        builder_debug,
        format!("{registry:?}"),
        format!("{alice:?}"),
        format!("{token:?}"),
        format!("{header:?}"),
        format!("{rejected} {rejected:?}"),
        format!("{identity} {identity:?}"),
        format!("{probe} {probe:?}"),
        trace,
    ]);
}
