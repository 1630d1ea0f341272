//! Listing access tokens against a mock Hub: every page, asked for by number, with the
//! bearer token, and no more: not past a hundred pages, never to the host a `next` link
//! names.
//!
//! The other access-token tests: `changes.rs` (create, update, delete), `rotation.rs`,
//! `bearer.rs` (where the bearer token comes from, when it is refused, and where it never
//! goes).

use crate::support::{
    hub,
    tokens::{bearer, oat, pat},
};
use dockerhub_auth::{ErrorKind, OatResourceKind, OatScope, PatScope, Token};
use futures_util::{StreamExt as _, TryStreamExt as _};
use httpmock::{Method::*, MockServer};
use serde_json::{Value, json};

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

    let tokens = hub(&server).personal_access_tokens(Token::from_secret(token));
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
    assert_eq!(
        first.created_at(),
        Some(crate::support::unix(1_782_900_000))
    );
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
    // The link always says page 1: it is not read, so pages 2, 3, … are asked for by number,
    // and the list ends after a hundred of them.
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

    let tokens = hub(&server).personal_access_tokens(Token::from_secret(bearer()));
    let items: Vec<_> = tokens.list().collect().await;

    assert_eq!(items.len(), 101, "100 pages of one token, then the error");
    assert_eq!(items[0].as_ref().unwrap().id(), "id-1");
    assert!(items[..100].iter().all(Result::is_ok));
    let error = items[100].as_ref().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidResponse);
    page.assert_calls_async(100).await;
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

    let tokens = hub(&server).personal_access_tokens(Token::from_secret(bearer()));
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
    let one = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/access-tokens")
                .query_param("page", "1");
            then.status(200).json_body(json!({
                "next": elsewhere.url("/v2/access-tokens?page=2&page_size=100"),
                "results": [pat("id-1", "one")]
            }));
        })
        .await;
    let two = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/access-tokens")
                .query_param("page", "2")
                .query_param("page_size", "100");
            then.status(200).json_body(json!({
                "next": null, "results": [pat("id-2", "two")]
            }));
        })
        .await;

    let tokens = hub(&server).personal_access_tokens(Token::from_secret(bearer()));
    let all: Vec<_> = tokens.list().try_collect().await.unwrap();

    // Page 2 was asked for by number, of the hub itself.
    let ids: Vec<&str> = all.iter().map(|t| t.id()).collect();
    assert_eq!(ids, ["id-1", "id-2"]);
    one.assert_calls_async(1).await;
    two.assert_calls_async(1).await;
    trap.assert_calls_async(0).await; // the bearer token never reached it
}

/// The `next` link of Docker's own example answer (its spec, `GET /v2/orgs/{name}/access-tokens`),
/// which a mock generated from that spec, or a mirror passing Hub's answers on, sends as it is.
const DOCKER_EXAMPLE_NEXT: &str =
    "https://hub.docker.com/v2/orgs/docker/access-tokens?page=2&page_size=10";

/// Mocks three pages of `path`, the first two with Docker's example `next` (which names
/// another origin and always says page 2), the last with none.
async fn three_pages_with_dockers_next<'a>(
    server: &'a MockServer,
    path: &str,
    token: &str,
    item: impl Fn(u32) -> Value,
) -> Vec<httpmock::Mock<'a>> {
    let authorization = format!("Bearer {token}");
    let mut pages = Vec::new();
    for page in 1..=3 {
        let next = (page < 3).then_some(DOCKER_EXAMPLE_NEXT);
        let body = json!({
            "count": 3, "total": 3, "next": next, "previous": null, "results": [item(page)]
        });
        pages.push(
            server
                .mock_async(|when, then| {
                    when.method(GET)
                        .path(path)
                        .query_param("page", page.to_string())
                        .query_param("page_size", "100")
                        .header("authorization", &authorization);
                    then.status(200).json_body(body);
                })
                .await,
        );
    }
    pages
}

#[tokio::test]
async fn pat_list_pages_by_number_when_next_is_dockers_example_on_another_origin() {
    let server = MockServer::start_async().await;
    let token = bearer();
    let pages = three_pages_with_dockers_next(&server, "/v2/access-tokens", &token, |page| {
        pat(&format!("id-{page}"), "t")
    })
    .await;

    let tokens = hub(&server).personal_access_tokens(Token::from_secret(token));
    let all: Vec<_> = tokens.list().try_collect().await.unwrap();

    let ids: Vec<&str> = all.iter().map(|t| t.id()).collect();
    assert_eq!(ids, ["id-1", "id-2", "id-3"]);
    for page in pages {
        page.assert_calls_async(1).await; // pages 1, 2 and 3, each once, of the mock
    }
}

#[tokio::test]
async fn oat_list_pages_by_number_when_next_is_dockers_example_on_another_origin() {
    let server = MockServer::start_async().await;
    let token = bearer();
    let path = "/v2/orgs/acme/access-tokens";
    let pages =
        three_pages_with_dockers_next(&server, path, &token, |page| oat(&format!("a{page}"), "ci"))
            .await;

    let org = hub(&server).org_access_tokens(Token::from_secret(token), "acme");
    let all: Vec<_> = org.list().try_collect().await.unwrap();

    let ids: Vec<&str> = all.iter().map(|t| t.id()).collect();
    assert_eq!(ids, ["a1", "a2", "a3"]);
    for page in pages {
        page.assert_calls_async(1).await;
    }
}
