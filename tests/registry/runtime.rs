//! A registry's calls outside a tokio runtime: each names itself, and sends nothing; a
//! token already cached needs no runtime.

use futures_util::FutureExt as _;
use httpmock::MockServer;
use serde_json::json;

use crate::support::registry::*;
use dockerhub_auth::{Credentials, ErrorKind, RegistryScope};

#[test]
fn outside_a_runtime_each_call_names_itself_and_a_cached_token_needs_none() {
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
    let registry = registry_at(&server.base_url());
    let anonymous = Credentials::anonymous();
    let alpine = [RegistryScope::pull("alpine").unwrap()];
    let token = registry.token(&anonymous, &alpine).now_or_never();
    let limit = registry.pull_limit(&anonymous).now_or_never();
    let errors = [
        (
            "Registry::token",
            token.expect("fails at once").unwrap_err(),
        ),
        (
            "Registry::pull_limit",
            limit.expect("fails at once").unwrap_err(),
        ),
    ];
    for (call, error) in errors {
        assert_eq!(error.kind(), ErrorKind::Runtime);
        assert!(
            error
                .to_string()
                .starts_with(&format!("{call} needs a tokio runtime")),
            "{error}"
        );
    }
    ping.assert_calls(0);
    token_route.assert_calls(0);

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime
        .block_on(registry.token(&anonymous, &alpine))
        .unwrap();
    let cached = registry
        .token(&anonymous, &alpine)
        .now_or_never()
        .expect("at once");
    assert_eq!(cached.unwrap().expose_secret(), "opaque");
    ping.assert_calls(1);
    token_route.assert_calls(1);
}
