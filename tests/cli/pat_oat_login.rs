//! How `dockerhub-auth pat` and `oat` log in and fail: the second factor, a login Docker
//! Hub refuses for management (exit 3), usage errors (exit 2, before any request), the help,
//! and verbose output without a secret.

use crate::support::{
    SECOND_FACTOR_DETAIL,
    cli::cli,
    tokens::{
        as_alice::{NEW_SECRET, assert_no_leak, login, run},
        bearer,
    },
};
use httpmock::{Method::*, MockServer};
use serde_json::json;

#[test]
fn a_login_with_an_access_token_is_refused_with_exit_3_and_the_explanation() {
    let server = MockServer::start();
    login(&server);
    let refusal = server.mock(|when, then| {
        when.method(GET).path("/v2/access-tokens");
        then.status(403).json_body(json!({
            "message": "token issued from personal access token is not allowed", "errinfo": {}
        }));
    });

    let run = run(&server, &["pat", "list"]);

    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains("needs a password login"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("token issued from personal access token")
    );
    assert_eq!(run.stdout, "");
    assert_no_leak(&run);
    refusal.assert_calls(1);
}

#[test]
fn a_two_factor_account_logs_in_with_the_code() {
    let server = MockServer::start();
    let first = server.mock(|when, then| {
        when.method(POST).path("/v2/users/login");
        then.status(401).json_body(json!({
            "detail": SECOND_FACTOR_DETAIL, "login_2fa_token": "eyJ.login.2fa"
        }));
    });
    let second = server.mock(|when, then| {
        when.method(POST)
            .path("/v2/users/2fa-login")
            .json_body(json!({ "login_2fa_token": "eyJ.login.2fa", "code": "123456" }));
        then.status(200).json_body(json!({ "token": bearer() }));
    });
    let list = server.mock(|when, then| {
        when.method(GET)
            .path("/v2/access-tokens")
            .header("authorization", format!("Bearer {}", bearer()));
        then.status(200)
            .json_body(json!({ "next": null, "results": [] }));
    });

    let with_code = run(&server, &["pat", "list", "--code", "123 456"]);
    let without = run(&server, &["pat", "list"]);

    assert_eq!(with_code.code, 0, "{}", with_code.stderr);
    assert_eq!(with_code.stdout.lines().count(), 1, "the header only");
    assert_eq!(without.code, 4, "{}", without.stderr);
    first.assert_calls(2);
    second.assert_calls(1);
    list.assert_calls(1);
}

#[test]
fn usage_errors_exit_2_before_any_request() {
    let server = MockServer::start();
    let login = login(&server);
    for args in [
        &["pat", "create", "--label", "ci"][..],
        &[
            "oat",
            "create",
            "acme",
            "--label",
            "ci",
            "--resource",
            "team:acme:x",
        ],
        &["pat", "list", "--expiring", "soon"],
        &["pat", "show"],
    ] {
        let run = run(&server, args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
    }
    login.assert_calls(0);
}

#[test]
fn the_help_documents_the_login_the_environment_and_exit_codes() {
    for command in ["pat", "oat"] {
        let run = cli(&[command, "--help"], &[], "");
        assert_eq!(run.code, 0);
        for expected in [
            "password login",
            "DOCKERHUB_TOKEN",
            "Exit codes",
            "3  credentials",
        ] {
            assert!(
                run.stdout.contains(expected),
                "{command} --help lacks {expected:?}"
            );
        }
    }
}

#[test]
fn verbose_output_never_shows_the_password_the_bearer_or_the_new_secret() {
    let server = MockServer::start();
    login(&server);
    let create = server.mock(|when, then| {
        when.method(POST).path("/v2/access-tokens");
        then.status(201)
            .json_body(json!({ "uuid": "new-id", "token": NEW_SECRET }));
    });
    for verbosity in ["-v", "-vv"] {
        let run = run(
            &server,
            &[
                "pat",
                "create",
                "--label",
                "ci",
                "--scope",
                "repo:read",
                verbosity,
            ],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stderr.contains("create_personal_access_token"),
            "{verbosity} logged nothing:\n{}",
            run.stderr
        );
        assert_eq!(run.stdout, format!("{NEW_SECRET}\n"));
        assert_no_leak(&run);
    }
    create.assert_calls(2);
}
