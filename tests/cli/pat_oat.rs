//! `dockerhub-auth pat` and `oat` against a mock Hub: what they print (tables and JSON, the
//! new secret alone on stdout), delete's confirmation, rotation, an unknown id, and no
//! secret in any output but the one that must show it. How they log in and fail:
//! `pat_oat_login.rs`.

use crate::support::tokens::{
    as_alice::{NEW_SECRET, assert_no_leak, login, run},
    bearer,
};
use httpmock::{Method::*, MockServer};
use serde_json::{Value, json};

/// A personal access token in Docker Hub's answers.
fn pat(id: &str, label: &str, active: bool, expires: Option<&str>) -> Value {
    let mut token = crate::support::tokens::pat(id, label);
    token["created_at"] = json!("2026-07-01T10:00:00Z");
    token["is_active"] = json!(active);
    token["expires_at"] = json!(expires);
    token
}

fn pat_list(server: &MockServer) -> httpmock::Mock<'_> {
    let tomorrow = std::time::SystemTime::now() + std::time::Duration::from_secs(86_400);
    let soon = dockerhub_auth::generated::Timestamp::from(tomorrow).to_string();
    let next = server.url("/v2/access-tokens?page=2&page_size=100");
    server.mock(|when, then| {
        when.method(GET)
            .path("/v2/access-tokens")
            .query_param("page", "1")
            .header("authorization", format!("Bearer {}", bearer()));
        then.status(200).json_body(json!({
            "count": 2, "next": next,
            "results": [pat("id-1", "laptop", true, None)]
        }));
    });
    server.mock(move |when, then| {
        when.method(GET)
            .path("/v2/access-tokens")
            .query_param("page", "2");
        then.status(200).json_body(json!({
            "count": 2, "next": null,
            "results": [pat("id-2", "old ci", false, Some(&soon))]
        }));
    })
}

#[test]
fn pat_list_prints_a_table_for_people() {
    let server = MockServer::start();
    let login = login(&server);
    let last_page = pat_list(&server);

    let run = run(&server, &["pat", "list"]);

    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    for column in [
        "LABEL",
        "ID",
        "SCOPES",
        "ACTIVE",
        "CREATED",
        "LAST USED",
        "EXPIRES",
    ] {
        assert!(lines[0].contains(column), "{}", lines[0]);
    }
    assert!(lines[1].starts_with("laptop  "), "{}", lines[1]);
    assert!(lines[1].contains("repo:read") && lines[1].contains("yes"));
    assert!(lines[1].contains("2026-07-01T10:00:00Z") && lines[1].contains("never"));
    assert!(lines[2].starts_with("old ci  ") && lines[2].contains(" no "));
    // Aligned: the ID column starts at the same place on every line.
    let id_at = lines[0].find("ID").unwrap();
    assert_eq!(lines[1].find("id-1"), Some(id_at));
    assert_eq!(lines[2].find("id-2"), Some(id_at));
    assert_no_leak(&run);
    login.assert_calls(1);
    last_page.assert_calls(1);
}

#[test]
fn pat_list_json_is_one_array_and_filters_apply() {
    let server = MockServer::start();
    login(&server);
    pat_list(&server);

    let all = run(&server, &["pat", "list", "--json"]);
    let inactive = run(&server, &["pat", "list", "--inactive", "--json"]);
    let expiring = run(&server, &["pat", "list", "--expiring", "30d", "--json"]);

    assert_eq!(all.code, 0, "{}", all.stderr);
    let all: Value = serde_json::from_str(&all.stdout).unwrap();
    assert_eq!(all.as_array().unwrap().len(), 2);
    assert_eq!(
        all[0],
        json!({
            "id": "id-1", "label": "laptop", "scopes": ["repo:read"], "is_active": true,
            "created_at": "2026-07-01T10:00:00Z", "last_used_at": null, "expires_at": null,
            "client_id": "HUB", "generated_by": "manual", "creator_ip": "203.0.113.7",
            "creator_user_agent": "curl/8"
        })
    );
    for filtered in [inactive, expiring] {
        assert_eq!(filtered.code, 0, "{}", filtered.stderr);
        let ids: Vec<Value> = serde_json::from_str::<Value>(&filtered.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].clone())
            .collect();
        assert_eq!(ids, [json!("id-2")]);
    }
}

#[test]
fn pat_create_prints_the_secret_alone_on_stdout() {
    let server = MockServer::start();
    login(&server);
    let mut answer = pat("new-id", "ci", true, Some("2027-01-15T00:00:00Z"));
    answer["token"] = json!(NEW_SECRET);
    let create = server.mock(|when, then| {
        when.method(POST)
            .path("/v2/access-tokens")
            .json_body(json!({
                "token_label": "ci", "scopes": ["repo:read", "repo:write"],
                "expires_at": "2027-01-15T00:00:00Z"
            }));
        then.status(201).json_body(answer);
    });

    let people = run(
        &server,
        &[
            "pat",
            "create",
            "--label",
            "ci",
            "--scope",
            "repo:read,repo:write",
            "--expires",
            "2027-01-15",
        ],
    );
    let scripts = run(
        &server,
        &[
            "pat",
            "create",
            "--label",
            "ci",
            "--scope",
            "repo:read",
            "--scope",
            "repo:write",
            "--expires",
            "2027-01-15",
            "--json",
        ],
    );

    assert_eq!(people.code, 0, "{}", people.stderr);
    assert_eq!(people.stdout, format!("{NEW_SECRET}\n"));
    assert!(people.stderr.contains("new-id") && people.stderr.contains("2027-01-15T00:00:00Z"));
    assert_eq!(scripts.code, 0, "{}", scripts.stderr);
    let object: Value = serde_json::from_str(&scripts.stdout).unwrap();
    assert_eq!(object["token"], NEW_SECRET);
    assert_eq!(object["id"], "new-id");
    assert_eq!(scripts.stderr, "");
    assert_no_leak(&people);
    assert_no_leak(&scripts);
    create.assert_calls(2);
}

#[test]
fn pat_create_with_an_expiry_in_the_past_exits_2_before_logging_in() {
    let server = MockServer::start();
    let login = login(&server);
    let create = server.mock(|when, then| {
        when.method(POST).path("/v2/access-tokens");
        then.status(201);
    });

    let past = run(
        &server,
        &[
            "pat",
            "create",
            "--label",
            "ci",
            "--scope",
            "repo:read",
            "--expires",
            "2020-01-01",
        ],
    );
    let nonsense = run(
        &server,
        &[
            "pat",
            "create",
            "--label",
            "ci",
            "--scope",
            "repo:read",
            "--expires",
            "soon",
        ],
    );

    assert_eq!(past.code, 2, "{}", past.stderr);
    assert!(past.stderr.contains("already passed"), "{}", past.stderr);
    assert_eq!(nonsense.code, 2, "{}", nonsense.stderr);
    create.assert_calls(0);
    login.assert_calls(0);
}

/// Bad input is refused before the password is sent: a failed login counts towards Docker
/// Hub's lockout, and a label or scope mistake need not.
#[test]
fn pat_create_refuses_an_empty_label_or_scope_before_logging_in() {
    let server = MockServer::start();
    let login = login(&server);
    let long = "x".repeat(101);
    for (label, scope, said) in [
        ("", "repo:read", "label is empty"),
        (long.as_str(), "repo:read", "longer than 100"),
        ("ci", "", "scope is empty"),
        ("ci", "repo:read,", "scope is empty"),
    ] {
        let out = run(
            &server,
            &["pat", "create", "--label", label, "--scope", scope],
        );
        assert_eq!(out.code, 2, "{label:?} {scope:?}: {}", out.stderr);
        assert!(out.stderr.contains(said), "{}", out.stderr);
    }
    login.assert_calls(0);
}

#[test]
fn delete_needs_yes_without_a_terminal() {
    let server = MockServer::start();
    let login = login(&server);
    // Hub's route for one token answers only DELETE: `--yes` asks nothing, so it reads
    // nothing to name the token by.
    let get = server.mock(|when, then| {
        when.method(GET).path("/v2/access-tokens/id-1");
        then.status(404).json_body(json!({ "detail": "Not found" }));
    });
    let delete = server.mock(|when, then| {
        when.method(DELETE).path("/v2/access-tokens/id-1");
        then.status(204);
    });

    let refused = run(&server, &["pat", "delete", "id-1"]);
    login.assert_calls(0); // refused before logging in
    let done = run(&server, &["pat", "delete", "id-1", "--yes"]);

    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("--yes"), "{}", refused.stderr);
    assert_eq!(done.code, 0, "{}", done.stderr);
    assert_eq!(done.stdout, "");
    assert!(done.stderr.contains("deleted personal access token id-1"));
    assert_no_leak(&done);
    get.assert_calls(0);
    delete.assert_calls(1);
}

#[test]
fn an_unknown_id_exits_1_with_hubs_message() {
    let server = MockServer::start();
    login(&server);
    let get = server.mock(|when, then| {
        when.method(GET).path("/v2/orgs/acme/access-tokens/nope");
        then.status(404)
            .json_body(json!({ "detail": "Access token not found" }));
    });

    let run = run(&server, &["oat", "show", "acme", "nope"]);

    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("Access token not found"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
    get.assert_calls(1);
}

/// Mocks a rotation of `old-id` whose check at /v2/auth/token answers `proof_status`.
fn rotation(server: &MockServer, proof_status: u16) -> [httpmock::Mock<'_>; 4] {
    let mut old = pat("old-id", "ci", true, None);
    old["scopes"] = json!(["repo:write"]);
    server.mock(|when, then| {
        when.method(GET).path("/v2/access-tokens/old-id");
        then.status(200).json_body(old);
    });
    let mut new = pat("new-id", "ci (rotated)", true, None);
    new["token"] = json!(NEW_SECRET);
    let create = server.mock(|when, then| {
        when.method(POST).path("/v2/access-tokens");
        then.status(201).json_body(new);
    });
    let proof = server.mock(|when, then| {
        when.method(POST)
            .path("/v2/auth/token")
            .json_body(json!({ "identifier": "alice", "secret": NEW_SECRET }));
        then.status(proof_status)
            .json_body(json!({ "access_token": "not-a-jwt", "message": "unauthorized" }));
    });
    let deactivate = server.mock(|when, then| {
        when.method(PATCH)
            .path("/v2/access-tokens/old-id")
            .json_body(json!({ "is_active": false }));
        then.status(200).json_body(pat("old-id", "ci", false, None));
    });
    let delete_new = server.mock(|when, then| {
        when.method(DELETE).path("/v2/access-tokens/new-id");
        then.status(204);
    });
    [create, proof, deactivate, delete_new]
}

#[test]
fn rotate_prints_the_proven_secret_alone_on_stdout() {
    let server = MockServer::start();
    login(&server);
    let [create, proof, deactivate, delete_new] = rotation(&server, 200);

    let run = run(&server, &["pat", "rotate", "old-id"]);

    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, format!("{NEW_SECRET}\n"));
    assert!(run.stderr.contains("new-id") && run.stderr.contains("deactivated"));
    assert_no_leak(&run);
    create.assert_calls(1);
    proof.assert_calls(1);
    deactivate.assert_calls(1);
    delete_new.assert_calls(0);
}

#[test]
fn a_rotation_whose_check_fails_prints_no_secret_and_exits_3() {
    let server = MockServer::start();
    login(&server);
    let [create, proof, deactivate, delete_new] = rotation(&server, 401);

    let run = run(&server, &["pat", "rotate", "old-id", "--json"]);

    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("was deleted"), "{}", run.stderr);
    assert!(!run.stdout.contains(NEW_SECRET));
    assert_no_leak(&run);
    create.assert_calls(1);
    proof.assert_calls(1);
    delete_new.assert_calls(1);
    deactivate.assert_calls(0);
}

#[test]
fn oat_create_sends_the_resources_and_prints_the_secret() {
    let server = MockServer::start();
    login(&server);
    let create = server.mock(|when, then| {
        when.method(POST)
            .path("/v2/orgs/acme/access-tokens")
            .json_body(json!({
                "label": "ci", "description": "build farm", "resources": [
                    { "type": "TYPE_REPO", "path": "acme/*",
                      "scopes": ["scope-image-pull", "scope-image-push"] },
                    { "type": "TYPE_ORG", "path": "acme", "scopes": ["scope-repository-list"] }
                ]
            }));
        then.status(201).json_body(json!({
            "id": "a7", "label": "ci", "is_active": true, "token": NEW_SECRET,
            "resources": [{ "type": "TYPE_REPO", "path": "acme/*",
                            "scopes": ["scope-image-pull", "scope-image-push"] }]
        }));
    });

    let run = run(
        &server,
        &[
            "oat",
            "create",
            "acme",
            "--label",
            "ci",
            "--description",
            "build farm",
            "--resource",
            "repo:acme/*:scope-image-pull,scope-image-push",
            "--resource",
            "org:acme:scope-repository-list",
        ],
    );

    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, format!("{NEW_SECRET}\n"));
    assert!(
        run.stderr
            .contains("TYPE_REPO:acme/*:scope-image-pull,scope-image-push")
    );
    assert_no_leak(&run);
    create.assert_calls(1);
}

#[test]
fn oat_list_json_and_deactivate() {
    let server = MockServer::start();
    login(&server);
    let list = server.mock(|when, then| {
        when.method(GET).path("/v2/orgs/acme/access-tokens");
        then.status(200)
            .json_body(json!({ "total": 1, "next": null, "results": [{
                "id": "a7", "label": "ci", "created_by": "alice", "is_active": true,
                "created_at": "2026-07-01T10:00:00Z", "expires_at": null, "last_used_at": null
            }]}));
    });
    let patch = server.mock(|when, then| {
        when.method(PATCH)
            .path("/v2/orgs/acme/access-tokens/a7")
            .json_body(json!({ "is_active": false }));
        then.status(200)
            .json_body(json!({ "id": "a7", "label": "ci", "is_active": false }));
    });

    let listed = run(&server, &["oat", "list", "acme", "--json"]);
    let deactivated = run(&server, &["oat", "deactivate", "acme", "a7"]);

    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let tokens: Value = serde_json::from_str(&listed.stdout).unwrap();
    assert_eq!(
        tokens,
        json!([{ "id": "a7", "label": "ci", "description": null, "created_by": "alice",
                 "is_active": true, "resources": [], "created_at": "2026-07-01T10:00:00Z",
                 "last_used_at": null, "expires_at": null }])
    );
    assert_eq!(deactivated.code, 0, "{}", deactivated.stderr);
    assert!(
        deactivated
            .stderr
            .contains("deactivated organization access token \"ci\" (a7)")
    );
    list.assert_calls(1);
    patch.assert_calls(1);
}
