//! Managing personal and organization access tokens against a mock Hub: every page of a
//! list and no more, create, update, delete, rotate (also when the new token fails its
//! check), the refusal of tokens issued from access tokens, the refresh after a 401, and
//! bodies that validate against Docker's published spec.

mod common;

use std::{
    sync::{Arc, Mutex},
    time::{Duration, SystemTime},
};

use common::{
    CANARY, assert_conforms, builder, docker_request_schema_at, docker_schema, hub, hub_claims,
    jwt, now_unix,
};
use dockerhub_auth::{
    Credentials, ErrorKind, ExposeSecret, NewOrgAccessToken, NewPersonalAccessToken, OatResource,
    OatResourceKind, OatScope, PatScope, RetryPolicy, Token, TokenUpdate,
};
use futures_util::{StreamExt as _, TryStreamExt as _};
use httpmock::{HttpMockRequest, Method::*, MockServer};
use serde_json::{Value, json};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpListener,
};

/// A bearer token from a password login, as Docker Hub issues it.
fn bearer() -> String {
    let mut claims = hub_claims(now_unix());
    claims["https://hub.docker.com"]["source"] = json!("password");
    jwt(claims)
}

fn pat(id: &str, label: &str) -> Value {
    json!({
        "uuid": id, "client_id": "HUB", "creator_ip": "203.0.113.7", "creator_ua": "curl/8",
        "created_at": "2026-07-01T10:00:00.000000Z", "last_used": null,
        "generated_by": "manual", "is_active": true, "token": "", "token_label": label,
        "scopes": ["repo:read"], "expires_at": null
    })
}

fn oat(id: &str, label: &str) -> Value {
    json!({
        "id": id, "label": label, "created_by": "alice", "is_active": true,
        "created_at": "2026-07-01T10:00:00Z", "expires_at": null, "last_used_at": null
    })
}

/// Records the JSON body of the requests a mock matches (the last one wins).
fn recorder() -> (
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

fn recorded(sink: &Arc<Mutex<Option<Value>>>) -> Value {
    sink.lock().unwrap().clone().expect("a JSON body was sent")
}

/// Asserts an OAT request body, resources included, against Docker's schemas.
fn assert_oat_body_conforms(body: &Value, schema: Value) {
    assert_conforms(body, &schema);
    let resource = docker_schema("orgAccessTokenResource").unwrap();
    for item in body["resources"].as_array().into_iter().flatten() {
        assert_conforms(item, &resource);
    }
}

#[tokio::test]
async fn list_reads_every_page_with_the_bearer_token() {
    let server = MockServer::start_async().await;
    let token = bearer();
    let authorization = format!("Bearer {token}");
    let mut pages = Vec::new();
    for page in 1..=3 {
        let next = (page < 3)
            .then(|| server.url(format!("/v2/access-tokens?page={}&page_size=100", page + 1)));
        let results: Vec<Value> = (0..2)
            .map(|i| pat(&format!("id-{page}-{i}"), &format!("token {page}.{i}")))
            .collect();
        pages.push(
            server
                .mock_async(|when, then| {
                    when.method(GET)
                        .path("/v2/access-tokens")
                        .query_param("page", page.to_string())
                        .query_param("page_size", "100")
                        .header("authorization", &authorization);
                    then.status(200).json_body(json!({
                        "count": 6, "active_count": 6, "next": next, "previous": null,
                        "results": results
                    }));
                })
                .await,
        );
    }

    let tokens = hub(&server).access_tokens(Token::from_secret(token));
    let all: Vec<_> = tokens.list().try_collect().await.unwrap();

    let ids: Vec<&str> = all.iter().map(|t| t.id()).collect();
    assert_eq!(
        ids,
        ["id-1-0", "id-1-1", "id-2-0", "id-2-1", "id-3-0", "id-3-1"]
    );
    let first = &all[0];
    assert_eq!(first.label(), "token 1.0");
    assert_eq!(first.scopes(), [PatScope::REPO_READ]);
    assert!(first.is_active());
    assert_eq!(first.created_at(), Some(common::unix(1_782_900_000)));
    assert_eq!((first.last_used_at(), first.expires_at()), (None, None));
    assert_eq!(first.creator_user_agent(), Some("curl/8"));
    for page in pages {
        page.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn org_list_follows_relative_next_links_and_reads_resources() {
    let server = MockServer::start_async().await;
    let mut first = oat("a1", "ci");
    first["resources"] = json!([{ "type": "TYPE_REPO", "path": "acme/*",
                                  "scopes": ["scope-image-pull", "scope-new-thing"] }]);
    let one = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/orgs/acme/access-tokens")
                .query_param("page", "1");
            then.status(200).json_body(json!({
                "total": 2, "next": "/v2/orgs/acme/access-tokens?page=2&page_size=100",
                "previous": null, "results": [first]
            }));
        })
        .await;
    let two = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/orgs/acme/access-tokens")
                .query_param("page", "2");
            then.status(200).json_body(json!({
                "total": 2, "next": null, "previous": "?page=1", "results": [oat("a2", "old")]
            }));
        })
        .await;

    let org = hub(&server).org_access_tokens(Token::from_secret(bearer()), "acme");
    let all: Vec<_> = org.list().try_collect().await.unwrap();

    assert_eq!(all.len(), 2);
    let resource = &all[0].resources()[0];
    assert_eq!(resource.kind(), &OatResourceKind::REPOSITORY);
    assert_eq!(resource.path(), "acme/*");
    assert_eq!(resource.scopes()[0], OatScope::IMAGE_PULL);
    assert!(!resource.scopes()[1].is_known()); // a scope Docker added is kept as it is
    assert!(all[1].resources().is_empty());
    one.assert_calls_async(1).await;
    two.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_next_link_that_loops_ends_the_list_with_an_error() {
    let server = MockServer::start_async().await;
    let page = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/access-tokens");
            then.status(200).json_body(json!({
                "next": server.url("/v2/access-tokens?page=1&page_size=100"),
                "results": [pat("id-1", "one")]
            }));
        })
        .await;

    let tokens = hub(&server).access_tokens(Token::from_secret(bearer()));
    let items: Vec<_> = tokens.list().collect().await;

    assert_eq!(items.len(), 2, "the page's token, then the error");
    assert_eq!(items[0].as_ref().unwrap().id(), "id-1");
    let error = items[1].as_ref().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidResponse);
    page.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_list_that_never_ends_stops_after_a_hundred_pages() {
    let server = MockServer::start_async().await;
    let mut mocks = Vec::new();
    for page in 1..=101 {
        let next = server.url(format!("/v2/access-tokens?page={}", page + 1));
        mocks.push(
            server
                .mock_async(|when, then| {
                    when.method(GET)
                        .path("/v2/access-tokens")
                        .query_param("page", page.to_string());
                    then.status(200).json_body(json!({
                        "next": next, "results": [pat(&format!("id-{page}"), "t")]
                    }));
                })
                .await,
        );
    }

    let tokens = hub(&server).access_tokens(Token::from_secret(bearer()));
    let items: Vec<_> = tokens.list().collect().await;

    assert_eq!(items.len(), 101, "100 pages of one token, then the error");
    assert!(items[..100].iter().all(Result::is_ok));
    assert_eq!(
        items[100].as_ref().unwrap_err().kind(),
        ErrorKind::InvalidResponse
    );
    for (page, mock) in mocks.iter().enumerate() {
        mock.assert_calls_async(if page < 100 { 1 } else { 0 })
            .await;
    }
}

#[tokio::test]
async fn a_next_link_to_another_host_is_not_followed() {
    let server = MockServer::start_async().await;
    let elsewhere = MockServer::start_async().await;
    let trap = elsewhere
        .mock_async(|when, then| {
            when.any_request();
            then.status(200)
                .json_body(json!({ "next": null, "results": [] }));
        })
        .await;
    let page = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/access-tokens");
            then.status(200).json_body(json!({
                "next": elsewhere.url("/v2/access-tokens?page=2&page_size=100"),
                "results": [pat("id-1", "one")]
            }));
        })
        .await;

    let tokens = hub(&server).access_tokens(Token::from_secret(bearer()));
    let items: Vec<_> = tokens.list().collect().await;

    assert_eq!(items.len(), 2);
    assert_eq!(items[0].as_ref().unwrap().id(), "id-1");
    let error = items[1].as_ref().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidResponse);
    assert!(error.to_string().contains("another origin"), "{error}");
    page.assert_calls_async(1).await;
    trap.assert_calls_async(0).await; // the bearer token never reached it
}

#[tokio::test]
async fn create_returns_the_secret_and_sends_dockers_body() {
    let server = MockServer::start_async().await;
    let (body, record) = recorder();
    let mut answer = pat("new-id", "ci");
    answer["token"] = json!(CANARY);
    answer["expires_at"] = json!("2027-01-15T08:00:00Z");
    let create = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v2/access-tokens")
                .header_exists("authorization")
                .is_true(record);
            then.status(201).json_body(answer);
        })
        .await;

    let expires = common::unix(1_800_000_000); // 2027-01-15T08:00:00Z
    let created = hub(&server)
        .access_tokens(Token::from_secret(bearer()))
        .create(
            NewPersonalAccessToken::new("ci")
                .scope(PatScope::REPO_WRITE)
                .scope(PatScope::new("repo:sandbox"))
                .expires_at(expires),
        )
        .await
        .unwrap();

    assert_eq!(created.secret().expose_secret(), CANARY);
    assert_eq!(created.token().id(), "new-id");
    assert_eq!(created.token().expires_at(), Some(expires));
    assert!(!format!("{created:?}").contains(CANARY));
    let body = recorded(&body);
    assert_eq!(
        body,
        json!({ "token_label": "ci", "scopes": ["repo:write", "repo:sandbox"],
                "expires_at": "2027-01-15T08:00:00Z" })
    );
    assert_conforms(
        &body,
        &docker_request_schema_at("post", "/v2/access-tokens"),
    );
    create.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_created_token_without_its_secret_is_an_invalid_response_naming_it() {
    let server = MockServer::start_async().await;
    let create = server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/access-tokens");
            then.status(201).json_body(pat("new-id", "ci"));
        })
        .await;

    let error = hub(&server)
        .access_tokens(Token::from_secret(bearer()))
        .create(NewPersonalAccessToken::new("ci").scope(PatScope::REPO_READ))
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::InvalidResponse);
    assert!(error.to_string().contains("new-id"), "{error}");
    create.assert_calls_async(1).await;
}

#[tokio::test]
async fn org_create_sends_dockers_body_with_its_resources() {
    let server = MockServer::start_async().await;
    let (body, record) = recorder();
    let mut answer = oat("a7", "ci");
    answer["token"] = json!("dckr_oat_new");
    let create = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v2/orgs/acme/access-tokens")
                .is_true(record);
            then.status(201).json_body(answer);
        })
        .await;

    let created = hub(&server)
        .org_access_tokens(Token::from_secret(bearer()), "acme")
        .create(
            NewOrgAccessToken::new("ci")
                .description("build farm")
                .resource(OatResource::repository("acme/*", [OatScope::IMAGE_PUSH]))
                .resource(OatResource::organization(
                    "acme",
                    [OatScope::REPOSITORY_LIST],
                )),
        )
        .await
        .unwrap();

    assert_eq!(created.secret().expose_secret(), "dckr_oat_new");
    let body = recorded(&body);
    assert_eq!(
        body,
        json!({ "label": "ci", "description": "build farm", "resources": [
            { "type": "TYPE_REPO", "path": "acme/*", "scopes": ["scope-image-push"] },
            { "type": "TYPE_ORG", "path": "acme", "scopes": ["scope-repository-list"] }
        ]})
    );
    assert_oat_body_conforms(
        &body,
        docker_request_schema_at("post", "/v2/orgs/{name}/access-tokens"),
    );
    create.assert_calls_async(1).await;
}

#[tokio::test]
async fn update_and_delete_send_dockers_requests() {
    let server = MockServer::start_async().await;
    let (pat_body, record_pat) = recorder();
    let (oat_body, record_oat) = recorder();
    let patch = server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path("/v2/access-tokens/id-1")
                .is_true(record_pat);
            then.status(200)
                .json_body(json!({ "uuid": "id-1", "is_active": false }));
        })
        .await;
    let patch_org = server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path("/v2/orgs/acme/access-tokens/a7")
                .is_true(record_oat);
            then.status(200)
                .json_body(json!({ "id": "a7", "label": "renamed", "is_active": true }));
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v2/access-tokens/id-1");
            then.status(204);
        })
        .await;
    let delete_org = server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v2/orgs/acme/access-tokens/a7");
            then.status(204);
        })
        .await;
    let hub = hub(&server);
    let (pats, oats) = (
        hub.access_tokens(Token::from_secret(bearer())),
        hub.org_access_tokens(Token::from_secret(bearer()), "acme"),
    );

    let updated = pats
        .update("id-1", TokenUpdate::new().active(false))
        .await
        .unwrap();
    let renamed = oats
        .update("a7", TokenUpdate::new().label("renamed").active(true))
        .await
        .unwrap();
    pats.delete("id-1").await.unwrap();
    oats.delete("a7").await.unwrap();

    assert!(!updated.is_active());
    assert_eq!(renamed.label(), "renamed");
    let (pat_body, oat_body) = (recorded(&pat_body), recorded(&oat_body));
    assert_eq!(pat_body, json!({ "is_active": false }));
    assert_eq!(oat_body, json!({ "label": "renamed", "is_active": true }));
    assert_conforms(
        &pat_body,
        &docker_request_schema_at("patch", "/v2/access-tokens/{uuid}"),
    );
    assert_oat_body_conforms(
        &oat_body,
        docker_request_schema_at(
            "patch",
            "/v2/orgs/{org_name}/access-tokens/{access_token_id}",
        ),
    );
    for mock in [patch, patch_org, delete, delete_org] {
        mock.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn an_unknown_id_is_not_found_with_hubs_message() {
    let server = MockServer::start_async().await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/access-tokens/nope");
            then.status(404)
                .json_body(json!({ "detail": "Not found." }));
        })
        .await;
    let patch = server
        .mock_async(|when, then| {
            when.method(PATCH).path("/v2/access-tokens/nope"); // 404 not in Docker's spec here
            then.status(404)
                .json_body(json!({ "message": "token not found" }));
        })
        .await;
    let tokens = hub(&server).access_tokens(Token::from_secret(bearer()));

    let error = tokens.get("nope").await.unwrap_err();
    assert_eq!(
        (error.kind(), error.status(), error.hub_message()),
        (ErrorKind::NotFound, Some(404), Some("Not found."))
    );
    let error = tokens
        .update("nope", TokenUpdate::new().active(false))
        .await
        .unwrap_err();
    assert_eq!(
        (error.kind(), error.hub_message()),
        (ErrorKind::NotFound, Some("token not found"))
    );
    get.assert_calls_async(1).await;
    patch.assert_calls_async(1).await;
}

/// The mocks of a rotation of `old-id` into `new-id`, with the proof's answer.
struct Rotation<'a> {
    get: httpmock::Mock<'a>,
    create: httpmock::Mock<'a>,
    proof: httpmock::Mock<'a>,
    deactivate: httpmock::Mock<'a>,
    delete_new: httpmock::Mock<'a>,
    created_body: Arc<Mutex<Option<Value>>>,
}

async fn rotation_mocks<'a>(
    server: &'a MockServer,
    collection: &str,
    identifier: &str,
    old: Value,
    proof_status: u16,
) -> Rotation<'a> {
    let (created_body, record) = recorder();
    let id_field = if old.get("uuid").is_some() {
        "uuid"
    } else {
        "id"
    };
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("{collection}/old-id"));
            then.status(200).json_body(old.clone());
        })
        .await;
    let create = server
        .mock_async(|when, then| {
            when.method(POST).path(collection).is_true(record);
            then.status(201).json_body(json!({
                id_field: "new-id", "is_active": true, "token": "dckr_pat_NEW_secret_value"
            }));
        })
        .await;
    let proof = server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/auth/token").json_body(
                json!({ "identifier": identifier, "secret": "dckr_pat_NEW_secret_value" }),
            );
            match proof_status {
                200 => then
                    .status(200)
                    .json_body(json!({ "access_token": "not-a-jwt" })),
                status => then
                    .status(status)
                    .json_body(json!({ "message": "unauthorized", "errinfo": {} })),
            };
        })
        .await;
    let deactivate = server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(format!("{collection}/old-id"))
                .json_body(json!({ "is_active": false }));
            then.status(200)
                .json_body(json!({ id_field: "old-id", "is_active": false }));
        })
        .await;
    let delete_new = server
        .mock_async(|when, then| {
            when.method(DELETE).path(format!("{collection}/new-id"));
            then.status(204);
        })
        .await;
    Rotation {
        get,
        create,
        proof,
        deactivate,
        delete_new,
        created_body,
    }
}

/// Today's date as a rotation label writes it.
fn today() -> String {
    dockerhub_auth::generated::Timestamp::from(SystemTime::now()).as_str()[..10].to_owned()
}

#[tokio::test]
async fn rotate_creates_a_twin_proves_it_and_deactivates_the_old_token() {
    let server = MockServer::start_async().await;
    let mut old = pat("old-id", "ci");
    old["scopes"] = json!(["repo:write"]);
    old["created_at"] = json!("2026-01-01T00:00:00Z");
    old["expires_at"] = json!("2026-03-02T00:00:00Z"); // a 60-day token
    let mocks = rotation_mocks(&server, "/v2/access-tokens", "alice", old, 200).await;

    let before = SystemTime::now();
    let rotation = hub(&server)
        .access_tokens(Token::from_secret(bearer())) // its claims name alice
        .rotate("old-id")
        .await
        .unwrap();

    assert_eq!(
        rotation.secret().expose_secret(),
        "dckr_pat_NEW_secret_value"
    );
    assert_eq!(rotation.token().id(), "new-id");
    assert!(!rotation.previous().is_active());
    assert!(rotation.deactivation_error().is_none());
    assert!(!format!("{rotation:?}").contains("dckr_pat_NEW"));
    let body = recorded(&mocks.created_body);
    assert_eq!(body["token_label"], format!("ci (rotated {})", today()));
    assert_eq!(body["scopes"], json!(["repo:write"]));
    let expires =
        dockerhub_auth::generated::Timestamp::from(body["expires_at"].as_str().unwrap().to_owned())
            .to_system_time()
            .unwrap();
    let sixty_days = Duration::from_secs(60 * 86_400);
    assert!(expires >= before + sixty_days - Duration::from_secs(1));
    assert!(expires <= SystemTime::now() + sixty_days);
    assert_conforms(
        &body,
        &docker_request_schema_at("post", "/v2/access-tokens"),
    );
    for mock in [&mocks.get, &mocks.create, &mocks.proof, &mocks.deactivate] {
        mock.assert_calls_async(1).await;
    }
    mocks.delete_new.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_rotation_whose_check_fails_deletes_the_new_token_and_leaves_the_old_one() {
    let server = MockServer::start_async().await;
    let mocks = rotation_mocks(
        &server,
        "/v2/access-tokens",
        "alice",
        pat("old-id", "ci"),
        401,
    )
    .await;

    let error = hub(&server)
        .access_tokens(Token::from_secret(bearer()))
        .rotate("old-id")
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::CredentialsRejected);
    let message = error.to_string();
    assert!(
        message.contains("was deleted") && message.contains("unchanged"),
        "{message}"
    );
    assert!(!message.contains("dckr_pat_NEW"), "{message}");
    for mock in [&mocks.get, &mocks.create, &mocks.proof, &mocks.delete_new] {
        mock.assert_calls_async(1).await;
    }
    mocks.deactivate.assert_calls_async(0).await; // the old token stays active
}

#[tokio::test]
async fn org_rotation_proves_the_new_token_with_the_org_name() {
    let server = MockServer::start_async().await;
    let mut old = oat("old-id", "ci");
    old["description"] = json!("build farm");
    old["resources"] =
        json!([{ "type": "TYPE_REPO", "path": "acme/app", "scopes": ["scope-image-push"] }]);
    let mocks = rotation_mocks(&server, "/v2/orgs/acme/access-tokens", "acme", old, 200).await;

    let rotation = hub(&server)
        .org_access_tokens(Token::from_secret(bearer()), "acme")
        .rotate("old-id")
        .await
        .unwrap();

    assert_eq!(rotation.token().id(), "new-id");
    let body = recorded(&mocks.created_body);
    assert_eq!(
        body,
        json!({ "label": format!("ci (rotated {})", today()), "description": "build farm",
                "resources": [{ "type": "TYPE_REPO", "path": "acme/app",
                                "scopes": ["scope-image-push"] }] })
    );
    assert_oat_body_conforms(
        &body,
        docker_request_schema_at("post", "/v2/orgs/{name}/access-tokens"),
    );
    for mock in [&mocks.get, &mocks.create, &mocks.proof, &mocks.deactivate] {
        mock.assert_calls_async(1).await;
    }
    mocks.delete_new.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_token_issued_from_a_personal_access_token_is_refused_for_management() {
    let server = MockServer::start_async().await;
    let exchange = server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/auth/token");
            then.status(200)
                .json_body(json!({ "access_token": jwt(hub_claims(now_unix())) }));
        })
        .await;
    let refusal = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/access-tokens");
            then.status(403).json_body(json!({
                "message": "token issued from personal access token is not allowed",
                "errinfo": {}
            }));
        })
        .await;
    let hub = hub(&server);
    let session = hub.session(Credentials::access_token("alice", CANARY));

    let items: Vec<_> = hub.access_tokens(&session).list().collect().await;

    let error = items[0].as_ref().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::PasswordLoginRequired);
    let message = error.to_string();
    assert!(message.contains("password login"), "{message}");
    assert!(
        message.contains("token issued from personal access token"),
        "{message}"
    );
    assert_eq!(items.len(), 1);
    exchange.assert_calls_async(1).await; // a 403 is not a reason to refresh
    refusal.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_token_issued_from_an_org_access_token_is_refused_and_a_non_owner_is_forbidden() {
    let server = MockServer::start_async().await;
    let refusal = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/orgs/acme/access-tokens/a7");
            then.status(403).json_body(json!({
                "message": "token issued from organization access token is not allowed"
            }));
        })
        .await;
    let forbidden = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/orgs/other/access-tokens/a7");
            then.status(403).json_body(json!({ "detail": "forbidden" }));
        })
        .await;
    let hub = hub(&server);

    let oat_derived = hub
        .org_access_tokens(Token::from_secret(bearer()), "acme")
        .get("a7")
        .await
        .unwrap_err();
    let not_owner = hub
        .org_access_tokens(Token::from_secret(bearer()), "other")
        .get("a7")
        .await
        .unwrap_err();

    assert_eq!(oat_derived.kind(), ErrorKind::PasswordLoginRequired);
    assert_eq!(not_owner.kind(), ErrorKind::Forbidden);
    refusal.assert_calls_async(1).await;
    forbidden.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_second_401_is_returned_after_one_refresh() {
    let server = MockServer::start_async().await;
    let login = server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/users/login");
            then.status(200).json_body(json!({ "token": bearer() }));
        })
        .await;
    let refused = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/access-tokens/id-1");
            then.status(401)
                .json_body(json!({ "detail": "Token is expired" }));
        })
        .await;
    let hub = hub(&server);
    let session = hub.session(Credentials::password("alice", CANARY));

    let error = hub.access_tokens(&session).get("id-1").await.unwrap_err();

    assert_eq!(error.kind(), ErrorKind::CredentialsRejected);
    assert_eq!(error.hub_message(), Some("Token is expired"));
    login.assert_calls_async(2).await;
    refused.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_fixed_token_is_not_refreshed_after_a_401() {
    let server = MockServer::start_async().await;
    let refused = server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v2/access-tokens/id-1");
            then.status(401)
                .json_body(json!({ "message": "unauthorized", "errinfo": {} }));
        })
        .await;

    let error = hub(&server)
        .access_tokens(Token::from_secret(bearer()))
        .delete("id-1")
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::CredentialsRejected);
    refused.assert_calls_async(1).await;
}

/// A Hub that answers its first login with one token and later ones with another, and
/// refuses the first token: what a session meets when its token is revoked.
async fn hub_that_revokes_the_first_token() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        let (mut logins, revoked, fresh) = (0, bearer(), format!("{}.fresh", bearer()));
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut request = Vec::new();
            let mut chunk = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = stream.read(&mut chunk).await.unwrap();
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&chunk[..n]);
            }
            let head = String::from_utf8_lossy(&request).to_string();
            let line = head.lines().next().unwrap_or_default().to_owned();
            let (status, body) = if line.starts_with("POST /v2/users/login") {
                logins += 1;
                let token = if logins == 1 { &revoked } else { &fresh };
                log.lock().unwrap().push("login".to_owned());
                (200, json!({ "token": token }))
            } else if head.contains(&format!("Bearer {revoked}\r\n")) {
                log.lock().unwrap().push("revoked".to_owned());
                (401, json!({ "detail": "Token is expired" }))
            } else if head.contains(&format!("Bearer {fresh}\r\n")) {
                log.lock().unwrap().push("fresh".to_owned());
                (200, pat("id-1", "ci"))
            } else {
                (400, json!({ "detail": "unexpected request" }))
            };
            let body = body.to_string();
            let answer = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
                 connection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes()).await;
            let _ = stream.shutdown().await;
        }
    });
    (base_url, seen)
}

#[tokio::test]
async fn a_401_refreshes_the_sessions_token_once() {
    let (base_url, seen) = hub_that_revokes_the_first_token().await;
    let hub = common::hub_at(&base_url);
    let session = hub.session(Credentials::password("alice", CANARY));

    let token = hub.access_tokens(&session).get("id-1").await.unwrap();

    assert_eq!(token.id(), "id-1");
    assert_eq!(
        *seen.lock().unwrap(),
        ["login", "revoked", "login", "fresh"]
    );
}

#[tokio::test]
async fn a_create_that_may_have_happened_is_not_retried_but_reads_are() {
    let server = MockServer::start_async().await;
    let create = server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/access-tokens");
            then.status(502)
                .body("<html><title>502 Bad Gateway</title></html>");
        })
        .await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/access-tokens/id-1");
            then.status(502)
                .body("<html><title>502 Bad Gateway</title></html>");
        })
        .await;
    let policy = RetryPolicy::default().initial_backoff(Duration::from_millis(1));
    let hub = builder(&server.base_url())
        .retry_policy(policy)
        .build()
        .unwrap();
    let tokens = hub.access_tokens(Token::from_secret(bearer()));

    let created = tokens
        .create(NewPersonalAccessToken::new("ci").scope(PatScope::REPO_READ))
        .await
        .unwrap_err();
    let read = tokens.get("id-1").await.unwrap_err();

    assert_eq!(created.kind(), ErrorKind::Unavailable);
    assert!(!created.is_retryable());
    assert_eq!(read.kind(), ErrorKind::Unavailable);
    create.assert_calls_async(1).await;
    get.assert_calls_async(3).await;
}

#[tokio::test]
async fn invalid_input_is_refused_before_any_request() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await;
    let hub = hub(&server);
    let pats = hub.access_tokens(Token::from_secret(bearer()));
    let oats = hub.org_access_tokens(Token::from_secret(bearer()), "");
    let yesterday = SystemTime::now() - Duration::from_secs(86_400);

    let errors = [
        pats.get(" ").await.unwrap_err(),
        pats.delete("").await.unwrap_err(),
        pats.update("id-1", TokenUpdate::new()).await.unwrap_err(),
        pats.update("id-1", TokenUpdate::new().label("x".repeat(101)))
            .await
            .unwrap_err(),
        pats.create(NewPersonalAccessToken::new("ci"))
            .await
            .unwrap_err(),
        pats.create(NewPersonalAccessToken::new("").scope(PatScope::REPO_READ))
            .await
            .unwrap_err(),
        pats.create(
            NewPersonalAccessToken::new("ci")
                .scope(PatScope::REPO_READ)
                .expires_at(yesterday),
        )
        .await
        .unwrap_err(),
        oats.get("a7").await.unwrap_err(),
        pats.rotate("").await.unwrap_err(),
    ];

    for error in errors {
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
    }
    any.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_session_of_another_hub_never_sends_its_token_here() {
    let server = MockServer::start_async().await;
    let other = MockServer::start_async().await;
    let login = other
        .mock_async(|when, then| {
            when.method(POST).path("/v2/users/login");
            then.status(200).json_body(json!({ "token": bearer() }));
        })
        .await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).json_body(pat("id-1", "ci"));
        })
        .await;
    let session = hub(&other).session(Credentials::password("alice", CANARY));

    let error = hub(&server)
        .access_tokens(&session)
        .get("id-1")
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    login.assert_calls_async(0).await;
    any.assert_calls_async(0).await;
}

#[tokio::test]
async fn secrets_never_show_in_errors_or_debug_output() {
    let server = MockServer::start_async().await;
    let token = bearer();
    // A hostile answer that echoes the bearer token and a created secret.
    let echo = server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/access-tokens");
            then.status(400).json_body(json!({
                "fields": { "token_label": ["bad"] },
                "text": format!("rejected Bearer {token} and {CANARY}")
            }));
        })
        .await;
    let hub = hub(&server);
    let bearer = Token::from_secret(token.clone());
    let tokens = hub.access_tokens(&bearer);

    let error = tokens
        .create(NewPersonalAccessToken::new("ci").scope(PatScope::REPO_READ))
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::UnexpectedResponse);
    for text in [
        error.to_string(),
        format!("{error:?}"),
        format!("{tokens:?}"),
        format!("{:?}", dockerhub_auth::Bearer::from(&bearer)),
    ] {
        assert!(!text.contains(&token), "bearer token leaked: {text}");
        assert!(!text.contains(CANARY), "secret leaked: {text}");
    }
    echo.assert_calls_async(1).await;
}
