//! The `dockerhub-auth` binary against a mock Hub: output, input sources, and every exit
//! code of the contract.

use crate::support::{cli::*, *};
use httpmock::MockServer;
use serde_json::{Value, json};

/// Runs `token` against `server` as alice with `CANARY` as her PAT.
fn token(server: &MockServer, extra: &[&str]) -> Run {
    let url = server.base_url();
    let mut args = vec!["token", "--base-url", url.as_str()];
    args.extend_from_slice(extra);
    cli(
        &args,
        &[("DOCKERHUB_USERNAME", "alice"), ("DOCKERHUB_TOKEN", CANARY)],
        "",
    )
}

fn token_route(server: &MockServer, status: u16, body: Value) -> httpmock::Mock<'_> {
    server.mock(|when, then| {
        when.method("POST").path("/v2/auth/token");
        then.status(status).json_body(body);
    })
}

#[test]
fn token_prints_the_token_alone_on_stdout() {
    let server = MockServer::start();
    let jwt = jwt(hub_claims(1_800_000_000));
    let mock = server.mock(|when, then| {
        when.path("/v2/auth/token")
            .json_body(json!({ "identifier": "alice", "secret": CANARY }));
        then.status(200).json_body(json!({ "access_token": jwt }));
    });
    let run = token(&server, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, format!("{jwt}\n"));
    assert_eq!(run.stderr, "");
    mock.assert_calls(1);
}

#[test]
fn token_with_json_prints_token_expiry_and_username() {
    let server = MockServer::start();
    let jwt = jwt(hub_claims(1_800_000_000));
    token_route(&server, 200, json!({ "access_token": jwt }));
    let run = token(&server, &["--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let output: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        output,
        json!({ "token": jwt, "expires_at": "2027-01-15T08:10:00Z", "username": "alice" })
    );
}

#[test]
fn an_opaque_token_has_null_expiry_and_username_in_json() {
    let server = MockServer::start();
    token_route(&server, 200, json!({ "access_token": "opaque" }));
    let run = token(&server, &["--json"]);
    let output: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        output,
        json!({ "token": "opaque", "expires_at": null, "username": null })
    );
}

#[test]
fn the_secret_and_username_can_come_from_stdin_and_flags() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.path("/v2/auth/token")
            .json_body(json!({ "identifier": "acme-org", "secret": "dckr_oat_from_stdin" }));
        then.status(200).json_body(json!({ "access_token": "t" }));
    });
    let run = cli(
        &[
            "token",
            "--base-url",
            &server.base_url(),
            "--username",
            "acme-org",
            "--secret-stdin",
        ],
        &[
            ("DOCKERHUB_USERNAME", "ignored"),
            ("DOCKERHUB_TOKEN", "ignored"),
        ],
        "dckr_oat_from_stdin\r\nsecond line ignored\n",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    mock.assert_calls(1);
}

#[test]
fn the_base_url_can_come_from_the_environment() {
    let server = MockServer::start();
    let mock = token_route(&server, 200, json!({ "access_token": "t" }));
    let run = cli(
        &["token"],
        &[
            ("DOCKERHUB_USERNAME", "alice"),
            ("DOCKERHUB_TOKEN", "dckr_pat_x"),
            ("DOCKERHUB_URL", &server.base_url()),
        ],
        "",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    mock.assert_calls(1);
}

#[test]
fn wrong_credentials_exit_3_with_hubs_message() {
    let server = MockServer::start();
    let mock = token_route(
        &server,
        401,
        json!({ "detail": "Incorrect authentication credentials" }),
    );
    let run = token(&server, &[]);
    assert_eq!(run.code, 3);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "dockerhub-auth: docker hub rejected the credentials (http 401): Incorrect authentication credentials\n"
    );
    mock.assert_calls(1);
}

#[test]
fn forbidden_exits_3() {
    let server = MockServer::start();
    token_route(
        &server,
        403,
        json!({ "message": "token issued from personal access token" }),
    );
    let run = token(&server, &[]);
    assert_eq!(run.code, 3);
    assert!(
        run.stderr
            .contains("token issued from personal access token"),
        "{}",
        run.stderr
    );
}

#[test]
fn rate_limited_past_the_cap_exits_5_at_once() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.path("/v2/auth/token");
        then.status(429)
            .header("retry-after", "3600")
            .body("slow down");
    });
    let run = token(&server, &[]);
    assert_eq!(run.code, 5);
    assert!(run.stderr.contains("retry after 3600s"), "{}", run.stderr);
    mock.assert_calls(1);
}

#[test]
fn unavailable_after_retries_exits_6() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.path("/v2/auth/token");
        then.status(503).header("retry-after", "0");
    });
    let run = token(&server, &[]);
    assert_eq!(run.code, 6);
    mock.assert_calls(3);
}

#[test]
fn a_timeout_exits_6_and_is_not_retried() {
    // Accepts connections, holds them open and never answers. The request was sent, so Hub
    // may have counted it: it is not sent again.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = accepted.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    let run = cli(
        &["token", "--base-url", &url, "--timeout", "0.2"],
        &[
            ("DOCKERHUB_USERNAME", "alice"),
            ("DOCKERHUB_TOKEN", "dckr_pat_x"),
        ],
        "",
    );
    assert_eq!(run.code, 6, "{}", run.stderr);
    assert!(run.stderr.contains("timed out"), "{}", run.stderr);
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[test]
fn a_garbage_response_exits_1() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/v2/auth/token");
        then.status(200).body("<html>not json</html>");
    });
    let run = token(&server, &[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("invalid response"), "{}", run.stderr);
}

#[test]
fn an_insecure_url_exits_2_before_any_request() {
    let run = cli(
        &["token", "--base-url", "http://hub.docker.com"],
        &[
            ("DOCKERHUB_USERNAME", "alice"),
            ("DOCKERHUB_TOKEN", "dckr_pat_x"),
        ],
        "",
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("http://"), "{}", run.stderr);
}

#[test]
fn an_empty_secret_or_username_exits_2_before_any_request() {
    let server = MockServer::start();
    let mock = server.mock(|_, then| {
        then.status(200);
    });
    let url = server.base_url();
    /// Extra arguments, environment, stdin.
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case; 5] = [
        (
            &[],
            &[("DOCKERHUB_USERNAME", "alice"), ("DOCKERHUB_TOKEN", "")],
            "",
        ),
        (
            &["--secret-stdin"],
            &[("DOCKERHUB_USERNAME", "alice")],
            "\n",
        ),
        (
            &[],
            &[("DOCKERHUB_USERNAME", " "), ("DOCKERHUB_TOKEN", "x")],
            "",
        ),
        (&[], &[("DOCKERHUB_TOKEN", "x")], ""), // no username at all
        (&[], &[("DOCKERHUB_USERNAME", "alice")], ""), // no secret, stdin not a terminal
    ];
    for (extra, env, stdin) in cases {
        let mut args = vec!["token", "--base-url", url.as_str()];
        args.extend_from_slice(extra);
        let run = cli(&args, env, stdin);
        assert_eq!(run.code, 2, "{extra:?} {env:?}: {}", run.stderr);
    }
    mock.assert_calls(0);
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(cli(&["token", "--password", "x"], &[], "").code, 2);
    assert_eq!(cli(&["token", "--timeout", "0"], &[], "").code, 2);
    assert_eq!(cli(&[], &[], "").code, 2);
}

fn two_factor_server() -> MockServer {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/v2/users/login")
            .json_body(json!({ "username": "alice", "password": "hunter2hunter2" }));
        then.status(401).json_body(second_factor_required());
    });
    server
}

fn login(server: &MockServer, extra: &[&str]) -> Run {
    let url = server.base_url();
    let mut args = vec!["login", "--base-url", url.as_str(), "--password-stdin"];
    args.extend_from_slice(extra);
    cli(
        &args,
        &[("DOCKERHUB_USERNAME", "alice")],
        "hunter2hunter2\n",
    )
}

#[test]
fn login_prints_the_token() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/v2/users/login")
            .json_body(json!({ "username": "alice", "password": "hunter2hunter2" }));
        then.status(200).json_body(json!({ "token": "legacy-jwt" }));
    });
    let run = login(&server, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "legacy-jwt\n");
}

#[test]
fn login_completes_the_second_factor_with_the_code() {
    let server = two_factor_server();
    let second = server.mock(|when, then| {
        when.path("/v2/users/2fa-login")
            .json_body(second_factor_answer("123456"));
        then.status(200).json_body(json!({ "token": "2fa-jwt" }));
    });
    let run = login(&server, &["--code", "123 456"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "2fa-jwt\n");
    second.assert_calls(1);
}

#[test]
fn login_needing_a_code_without_one_exits_4() {
    let server = two_factor_server();
    let second = server.mock(|when, then| {
        when.path("/v2/users/2fa-login");
        then.status(200);
    });
    let run = login(&server, &[]);
    assert_eq!(run.code, 4);
    assert!(run.stderr.contains("--code"), "{}", run.stderr);
    // Hub's own words are in the message, as for every failure.
    assert!(run.stderr.contains(SECOND_FACTOR_DETAIL), "{}", run.stderr);
    second.assert_calls(0);
}

#[test]
fn an_empty_code_is_refused_before_the_password_is_sent() {
    let server = MockServer::start();
    let login_route = server.mock(|when, then| {
        when.path("/v2/users/login");
        then.status(401).json_body(second_factor_required());
    });
    for code in ["", " - ", "  "] {
        let run = login(&server, &["--code", code]);
        assert_eq!(run.code, 2, "{code:?}: {}", run.stderr);
        assert!(run.stderr.contains("code is empty"), "{}", run.stderr);
    }
    login_route.assert_calls(0);
}

#[test]
fn a_wrong_code_exits_4() {
    let server = two_factor_server();
    server.mock(|when, then| {
        when.path("/v2/users/2fa-login");
        then.status(401)
            .json_body(json!({ "detail": "Incorrect authentication credentials" }));
    });
    let run = login(&server, &["--code", "000000"]);
    assert_eq!(run.code, 4);
    assert!(run.stderr.contains("second-factor code"), "{}", run.stderr);
}

#[test]
fn inspect_prints_the_claims_of_the_token_on_stdin_and_refuses_one_as_an_argument() {
    let claims = hub_claims(1_800_000_000);
    let jwt = jwt(claims.clone());
    let run = cli(&["inspect"], &[], &format!("{jwt}\n"));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(serde_json::from_str::<Value>(&run.stdout).unwrap(), claims);

    // An argument is visible to every user of the machine: refused, before stdin is read.
    let run = cli(&["inspect", &jwt], &[], &format!("{jwt}\n"));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    for expected in [
        "visible to every user of the machine",
        "dockerhub-auth inspect < token.txt",
        "echo \"$TOKEN\" | dockerhub-auth inspect",
    ] {
        assert!(run.stderr.contains(expected), "{}", run.stderr);
    }
    assert!(!run.stderr.contains(&jwt), "{}", run.stderr);
}

#[test]
fn inspect_of_something_that_is_not_a_jwt_is_invalid_input_exit_2() {
    let run = cli(&["inspect"], &[], "opaque\n");
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("not a JWT"), "{}", run.stderr);
}

#[test]
fn verbose_output_never_shows_the_secret_or_the_token() {
    let server = MockServer::start();
    let jwt = jwt(hub_claims(1_800_000_000));
    token_route(&server, 200, json!({ "access_token": jwt }));
    for verbosity in ["-v", "-vv"] {
        let run = token(&server, &[verbosity]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stderr.contains("attempt"),
            "{verbosity} logged nothing:\n{}",
            run.stderr
        );
        assert!(!run.stderr.contains(CANARY), "{}", run.stderr);
        assert!(!run.stderr.contains(&jwt), "{}", run.stderr);
        assert_eq!(run.stdout, format!("{jwt}\n"));
        // -vv shows the HTTP stack too, including what it logs through the `log` crate
        // (reqwest's connection records), which the `cli` feature bridges.
        if verbosity == "-vv" {
            assert!(
                run.stderr.contains("reqwest::"),
                "-vv showed nothing of the HTTP stack:\n{}",
                run.stderr
            );
        }
    }
}

#[test]
fn every_subcommands_help_documents_the_environment_and_exit_codes() {
    for command in ["token", "login"] {
        let run = cli(&[command, "--help"], &[], "");
        assert_eq!(run.code, 0);
        for expected in [
            "DOCKERHUB_USERNAME",
            "DOCKERHUB_TOKEN",
            "DOCKERHUB_URL",
            "Exit codes",
            "5  rate limited",
        ] {
            assert!(
                run.stdout.contains(expected),
                "{command} --help lacks {expected:?}"
            );
        }
    }
    let inspect = cli(&["inspect", "--help"], &[], "");
    assert!(inspect.stdout.contains("Exit codes"));
}

#[test]
fn login_with_an_organization_access_token_exits_2_before_any_request() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.any_request();
        then.status(401);
    });
    let url = server.base_url();
    let run = cli(
        &["login", "--base-url", &url],
        &[
            ("DOCKERHUB_USERNAME", "acme-org"),
            ("DOCKERHUB_TOKEN", "dckr_oat_CANARY_must_not_print_012345"),
        ],
        "",
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("/v2/auth/token"), "{}", run.stderr);
    assert!(!run.stderr.contains("CANARY"), "{}", run.stderr);
    mock.assert_calls(0);
}
