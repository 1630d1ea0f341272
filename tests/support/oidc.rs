//! Keyless CI's two services, faked on one local mock server: GitHub's ID token endpoint
//! (`GET /idtoken?api-version=2.0&audience=…` with the runner's bearer, answering
//! `{"value": JWT}`) and Docker's identity service (`POST /oauth/token`, form-encoded). Each
//! mock matches only the exact request Docker's actions send, so an inexact request is a
//! 404 and a failing test.

use httpmock::{MockServer, Then, When};
use serde_json::json;

use super::jwt;

/// An organization.
pub const ORG: &str = "acme";
/// One OIDC connection of it.
pub const CONNECTION: &str = "867f6ef4-4b2c-4d8e-9a43-7f3b2c1d0e5a";
/// Another.
pub const OTHER_CONNECTION: &str = "0b8d2c4e-1f3a-4e5b-8c6d-9e0f1a2b3c4d";
/// The runner's request token: a secret no output or cache file may contain.
pub const RUNNER_TOKEN: &str = "runner-CANARY-request-token";
/// The organization's token the identity service issues: only `token`'s stdout and its own
/// cache entry may contain it.
pub const ACCESS_TOKEN: &str = "dckr_oidc_CANARY_access_token";
/// The subject GitHub writes into an ID token of the main branch of acme/app.
pub const SUBJECT: &str = "repo:acme/app:ref:refs/heads/main";

/// An ID token as GitHub's runner issues it for `audience`, for the main branch of
/// acme/app, distinguished by `jti`.
pub fn id_token(audience: &str, jti: &str) -> String {
    jwt(json!({
        "iss": "https://token.actions.githubusercontent.com",
        "aud": audience,
        "sub": SUBJECT,
        "repository": "acme/app",
        "ref": "refs/heads/main",
        "jti": jti,
        "exp": 4_000_000_000u64,
    }))
}

/// The runner's request URL on `server` for the job `job`, with the query GitHub gives it.
pub fn request_url(server: &MockServer, job: &str) -> String {
    server.url(format!("/jobs/{job}/idtoken?api-version=2.0"))
}

/// The runner's ID token endpoint of `job`, for `server.mock(…)` or `mock_async`: it answers
/// `id_token` to exactly `GET /jobs/{job}/idtoken?api-version=2.0&audience={audience}` with
/// the runner's bearer.
pub fn github(job: &str, audience: &str, id_token: &str) -> impl FnOnce(When, Then) {
    let (job, audience, id_token) = (job.to_owned(), audience.to_owned(), id_token.to_owned());
    move |when, then| {
        when.method("GET")
            .path(format!("/jobs/{job}/idtoken"))
            .query_param("api-version", "2.0")
            .query_param("audience", audience)
            .header("authorization", format!("Bearer {RUNNER_TOKEN}"));
        then.status(200)
            .json_body(json!({ "count": 1, "value": id_token }));
    }
}

/// The identity service, for `server.mock(…)` or `mock_async`: it answers exactly the
/// exchange of `id_token` through `connection` for `expires_in` seconds with `answer`.
pub fn identity(
    id_token: &str,
    connection: &str,
    expires_in: u64,
    answer: serde_json::Value,
) -> impl FnOnce(When, Then) {
    let (id_token, connection) = (id_token.to_owned(), connection.to_owned());
    move |when, then| {
        when.method("POST")
            .path("/oauth/token")
            .header("content-type", "application/x-www-form-urlencoded")
            .form_urlencoded_tuple(
                "grant_type",
                "urn:ietf:params:oauth:grant-type:token-exchange",
            )
            .form_urlencoded_tuple(
                "subject_token_type",
                "urn:ietf:params:oauth:token-type:id_token",
            )
            .form_urlencoded_tuple("subject_token", id_token)
            .form_urlencoded_tuple("connection_id", connection)
            .form_urlencoded_tuple("expires_in", expires_in.to_string());
        then.status(200).json_body(answer);
    }
}

/// The identity service refusing every exchange with `status` and `body`, for
/// `server.mock(…)` or `mock_async`.
pub fn refusing(status: u16, content_type: &str, body: &str) -> impl FnOnce(When, Then) {
    let (content_type, body) = (content_type.to_owned(), body.to_owned());
    move |when, then| {
        when.method("POST").path("/oauth/token");
        then.status(status)
            .header("content-type", content_type)
            .body(body);
    }
}
