//! What the access-token tests share: Docker Hub's answers, a bearer token from a password
//! login, and a recorder of the bodies the client sends. With the `cli` feature, alice's
//! password login and a run of the binary as her.

use std::sync::{Arc, Mutex};

use httpmock::HttpMockRequest;
use serde_json::{Value, json};

use super::{assert_conforms, docker_schema, hub_claims, jwt, now_unix};

/// A bearer token from a password login, as Docker Hub issues it.
pub fn bearer() -> String {
    let mut claims = hub_claims(now_unix());
    claims["https://hub.docker.com"]["source"] = json!("password");
    jwt(claims)
}

/// A personal access token as Docker Hub's list and get answers show it.
pub fn pat(id: &str, label: &str) -> Value {
    json!({
        "uuid": id, "client_id": "HUB", "creator_ip": "203.0.113.7", "creator_ua": "curl/8",
        "created_at": "2026-07-01T10:00:00.000000Z", "last_used": null,
        "generated_by": "manual", "is_active": true, "token": "", "token_label": label,
        "scopes": ["repo:read"], "expires_at": null
    })
}

/// An organization access token as Docker Hub's list answers show it.
pub fn oat(id: &str, label: &str) -> Value {
    json!({
        "id": id, "label": label, "created_by": "alice", "is_active": true,
        "created_at": "2026-07-01T10:00:00Z", "expires_at": null, "last_used_at": null
    })
}

/// Returns a sink and a matcher that records into it the JSON body of the requests a mock
/// matches (the last one wins).
pub fn recorder() -> (
    Arc<Mutex<Option<Value>>>,
    impl Fn(&HttpMockRequest) -> bool + Send + Sync + 'static,
) {
    let sink = Arc::new(Mutex::new(None));
    let writer = sink.clone();
    let matcher = move |request: &HttpMockRequest| {
        *writer.lock().unwrap() = serde_json::from_slice(request.body_ref()).ok();
        true
    };
    (sink, matcher)
}

/// The body a recorder recorded.
pub fn recorded(sink: &Arc<Mutex<Option<Value>>>) -> Value {
    sink.lock().unwrap().clone().expect("a JSON body was sent")
}

/// Asserts an OAT request body, resources included, against Docker's schemas.
pub fn assert_oat_body_conforms(body: &Value, schema: Value) {
    assert_conforms(body, &schema);
    let resource = docker_schema("orgAccessTokenResource").unwrap();
    for item in body["resources"].as_array().into_iter().flatten() {
        assert_conforms(item, &resource);
    }
}

/// Alice at the command line.
#[cfg(feature = "cli")]
pub mod as_alice {
    use httpmock::{Method::POST, MockServer};
    use serde_json::json;

    use super::super::{
        CANARY,
        cli::{Run, cli},
    };
    use super::bearer;

    /// The password of alice's account, which no output may show.
    pub const PASSWORD: &str = CANARY;

    /// The secret of every token the mock Hub creates.
    pub const NEW_SECRET: &str = "dckr_pat_NEWLY_created_0123456789";

    /// Mocks alice's password login.
    pub fn login(server: &MockServer) -> httpmock::Mock<'_> {
        server.mock(|when, then| {
            when.method(POST)
                .path("/v2/users/login")
                .json_body(json!({ "username": "alice", "password": PASSWORD }));
            then.status(200).json_body(json!({ "token": bearer() }));
        })
    }

    /// Runs the binary against `server` as alice, her password in `DOCKERHUB_TOKEN`.
    pub fn run(server: &MockServer, args: &[&str]) -> Run {
        let url = server.base_url();
        let mut all = args.to_vec();
        all.extend(["--base-url", url.as_str()]);
        cli(
            &all,
            &[
                ("DOCKERHUB_USERNAME", "alice"),
                ("DOCKERHUB_TOKEN", PASSWORD),
            ],
            "",
        )
    }

    /// Asserts that neither the password nor the bearer token shows anywhere, and that the
    /// new secret shows on stdout only (when it shows at all).
    pub fn assert_no_leak(run: &Run) {
        for secret in [PASSWORD.to_owned(), bearer()] {
            assert!(
                !run.stdout.contains(&secret),
                "stdout leaks: {}",
                run.stdout
            );
            assert!(
                !run.stderr.contains(&secret),
                "stderr leaks: {}",
                run.stderr
            );
        }
        assert!(
            !run.stderr.contains(NEW_SECRET),
            "stderr leaks: {}",
            run.stderr
        );
    }
}
