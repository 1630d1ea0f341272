//! The binary with the credentials `docker login` stored: where they come from, what wins
//! over them, and what is said (and never said) about them.
//!
//! Every run has a temporary `HOME` and `DOCKER_CONFIG` (see `support/cli.rs`); helpers are
//! the scripts of `support/docker.rs`, first on the run's `PATH`.
// Unix only: credential helpers here are `#!/bin/sh` scripts.

use std::{fs, path::Path};

use crate::support::{
    CANARY,
    cli::{Cli, Run},
    docker::{HUB, base64, helpers},
};
use httpmock::{Mock, MockServer};
use serde_json::{Value, json};

/// `auths` holding alice's PAT (the canary) under Docker Hub's key.
fn alice_in_auths() -> Value {
    json!({ "auths": { HUB: { "auth": base64(&format!("alice:{CANARY}")) } } })
}

/// A mock Hub that accepts exactly `identifier` with `secret` on `/v2/auth/token`.
fn token_route<'a>(server: &'a MockServer, identifier: &str, secret: &str) -> Mock<'a> {
    server.mock(|when, then| {
        when.method("POST")
            .path("/v2/auth/token")
            .json_body(json!({ "identifier": identifier, "secret": secret }));
        then.status(200)
            .json_body(json!({ "access_token": "the-token" }));
    })
}

/// A run of `token` against `server`, with `config` as the run's `config.json` (if any) and
/// the helper scripts first on its `PATH`.
fn token(server: &MockServer, args: &[&str], config: Option<Value>) -> Cli {
    let url = server.base_url();
    let mut all = vec!["token", "--base-url", url.as_str()];
    all.extend_from_slice(args);
    let cli = Cli::new(&all).env("PATH", search_path());
    if let Some(config) = config {
        write_config(cli.home(), &config);
    }
    cli
}

fn write_config(home: &Path, config: &Value) {
    fs::write(home.join(".docker/config.json"), config.to_string()).unwrap();
}

/// Asserts that a run's output holds neither the secret nor its base64 form.
fn assert_no_secret(run: &Run) {
    for text in [&run.stdout, &run.stderr] {
        assert!(!text.contains(CANARY), "secret leaked: {text}");
        assert!(
            !text.contains(&base64(&format!("alice:{CANARY}"))),
            "auth leaked: {text}"
        );
    }
}

#[test]
fn token_uses_the_stored_credentials_and_v_names_their_source() {
    let server = MockServer::start();
    let mock = token_route(&server, "alice", CANARY);
    let cli = token(&server, &["-v"], Some(alice_in_auths()));
    let config_file = cli.home().join(".docker/config.json");
    let run = cli.run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "the-token\n");
    assert!(
        run.stderr
            .contains(&format!("`auths` in {}", config_file.display())),
        "{}",
        run.stderr
    );
    assert_no_secret(&run);
    mock.assert_calls(1);
}

#[test]
fn nothing_from_the_store_or_a_helper_is_printed_with_vv() {
    let server = MockServer::start();
    let mock = token_route(&server, "alice", CANARY);
    for config in [alice_in_auths(), json!({ "credsStore": "found" })] {
        let run = token(&server, &["-vv"], Some(config)).run();
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stderr.contains("docker"),
            "-vv logged nothing: {}",
            run.stderr
        );
        assert_no_secret(&run);
    }
    mock.assert_calls(2);
}

#[test]
fn dockerhub_token_wins_over_the_store() {
    let server = MockServer::start();
    let mock = token_route(&server, "bob", "dckr_pat_from_env");
    let run = token(&server, &[], Some(alice_in_auths()))
        .env("DOCKERHUB_USERNAME", "bob")
        .env("DOCKERHUB_TOKEN", "dckr_pat_from_env")
        .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    mock.assert_calls(1);
}

#[test]
fn secret_stdin_wins_over_the_store() {
    let server = MockServer::start();
    let mock = token_route(&server, "bob", "dckr_pat_from_stdin");
    let run = token(
        &server,
        &["--username", "bob", "--secret-stdin"],
        Some(alice_in_auths()),
    )
    .stdin("dckr_pat_from_stdin\n")
    .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    mock.assert_calls(1);
}

#[test]
fn a_username_alone_uses_the_stored_secret_only_if_it_is_the_stored_username() {
    let server = MockServer::start();
    let mock = token_route(&server, "alice", CANARY);
    let same = token(&server, &["--username", "alice"], Some(alice_in_auths())).run();
    assert_eq!(same.code, 0, "{}", same.stderr);
    let same_from_env = token(&server, &[], Some(alice_in_auths()))
        .env("DOCKERHUB_USERNAME", "alice")
        .run();
    assert_eq!(same_from_env.code, 0, "{}", same_from_env.stderr);
    mock.assert_calls(2);

    let other = token(&server, &["--username", "bob"], Some(alice_in_auths())).run();
    assert_eq!(other.code, 2, "{}", other.stderr);
    assert!(
        other.stderr.contains("for alice, not bob"),
        "{}",
        other.stderr
    );
    assert_no_secret(&other);
    mock.assert_calls(2);
}

#[test]
fn no_docker_config_skips_the_store() {
    let server = MockServer::start();
    let mock = token_route(&server, "alice", CANARY);
    let run = token(&server, &["--no-docker-config"], Some(alice_in_auths())).run();
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("skipped: --no-docker-config"),
        "{}",
        run.stderr
    );
    mock.assert_calls(0);
}

#[test]
fn with_nothing_anywhere_exit_2_lists_every_source_looked_at() {
    let server = MockServer::start();
    let mock = token_route(&server, "alice", CANARY);
    let cli = token(&server, &[], Some(json!({ "credsStore": "notfound" })));
    let config_file = cli.home().join(".docker/config.json");
    let run = cli.run();
    assert_eq!(run.code, 2, "{}", run.stderr);
    for source in [
        "--secret-stdin".to_owned(),
        "DOCKERHUB_USERNAME".to_owned(),
        "DOCKERHUB_TOKEN".to_owned(),
        config_file.display().to_string(),
        "docker credential helper `notfound`".to_owned(),
        "terminal".to_owned(),
    ] {
        assert!(
            run.stderr.contains(&source),
            "{source} missing: {}",
            run.stderr
        );
    }
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    mock.assert_calls(0);
}

#[test]
fn an_identity_token_alone_exits_2_with_the_explanation() {
    let server = MockServer::start();
    let mock = token_route(&server, "alice", CANARY);
    let config = json!({ "auths": { HUB: { "identitytoken": CANARY } } });
    let run = token(&server, &[], Some(config)).run();
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("identity token"), "{}", run.stderr);
    assert!(
        run.stderr.contains("personal access token"),
        "{}",
        run.stderr
    );
    assert_no_secret(&run);
    mock.assert_calls(0);
}

#[test]
fn a_store_that_cannot_be_read_exits_2_naming_it_and_the_way_around() {
    let server = MockServer::start();
    let mock = token_route(&server, "alice", CANARY);
    for (config, named) in [
        (json!({ "credsStore": "failing" }), "`failing`"),
        (
            json!({ "credsStore": "nothere" }),
            "docker-credential-nothere",
        ),
        (json!({ "auths": { HUB: { "auth": CANARY } } }), "`auth`"),
    ] {
        let run = token(&server, &["-vv"], Some(config)).run();
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains(named), "{}", run.stderr);
        assert!(run.stderr.contains("--no-docker-config"), "{}", run.stderr);
        assert_no_secret(&run);
    }
    mock.assert_calls(0);
}

#[test]
fn a_credential_helper_is_used_and_named_with_v() {
    let server = MockServer::start();
    let mock = token_route(&server, "alice", CANARY);
    let run = token(&server, &["-v"], Some(json!({ "credsStore": "found" }))).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("docker credential helper `found`"),
        "{}",
        run.stderr
    );
    assert_no_secret(&run);
    mock.assert_calls(1);
}

#[test]
fn docker_auth_config_wins_over_the_config_file() {
    let server = MockServer::start();
    let mock = token_route(&server, "carol", "dckr_pat_from_variable");
    let variable =
        json!({ "auths": { "docker.io": { "auth": base64("carol:dckr_pat_from_variable") } } });
    let run = token(&server, &["-v"], Some(alice_in_auths()))
        .env("DOCKER_AUTH_CONFIG", variable.to_string())
        .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("DOCKER_AUTH_CONFIG"), "{}", run.stderr);
    mock.assert_calls(1);
}

#[test]
fn home_docker_config_json_is_read_without_docker_config() {
    let server = MockServer::start();
    let mock = token_route(&server, "alice", CANARY);
    let cli = token(&server, &[], None).env_remove("DOCKER_CONFIG");
    fs::create_dir_all(cli.home().join(".docker")).unwrap();
    write_config(cli.home(), &alice_in_auths());
    let run = cli.run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    mock.assert_calls(1);
}

#[test]
fn login_uses_the_stored_credentials_too() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.method("POST")
            .path("/v2/users/login")
            .json_body(json!({ "username": "alice", "password": CANARY }));
        then.status(200).json_body(json!({ "token": "the-token" }));
    });
    let url = server.base_url();
    let cli = Cli::new(&["login", "--base-url", &url]).env("PATH", search_path());
    write_config(cli.home(), &alice_in_auths());
    let run = cli.run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "the-token\n");
    mock.assert_calls(1);

    let cli = Cli::new(&["login", "--base-url", &url, "--no-docker-config"]);
    write_config(cli.home(), &alice_in_auths());
    assert_eq!(cli.run().code, 2);
    mock.assert_calls(1);
}

#[test]
fn login_with_a_stored_organization_access_token_is_refused_before_any_request() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.any_request();
        then.status(200).json_body(json!({ "token": "the-token" }));
    });
    let url = server.base_url();
    let cli = Cli::new(&["login", "--base-url", &url]);
    let oat = "dckr_oat_CANARY_must_not_print";
    write_config(
        cli.home(),
        &json!({ "auths": { HUB: { "auth": base64(&format!("acme-org:{oat}")) } } }),
    );
    let run = cli.run();
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!run.stderr.contains(oat), "{}", run.stderr);
    mock.assert_calls(0);
}

#[test]
fn both_commands_document_no_docker_config() {
    for command in ["token", "login"] {
        let run = Cli::new(&[command, "--help"]).run();
        assert!(run.stdout.contains("--no-docker-config"), "{}", run.stdout);
        assert!(run.stdout.contains("DOCKER_CONFIG"), "{}", run.stdout);
    }
}

/// The helper scripts' directory, then the system's, as the runs' `PATH`.
fn search_path() -> String {
    format!("{}:/usr/bin:/bin", helpers().display())
}

/// A registry on `server` whose token service (on the same server) accepts exactly
/// `username` with `secret` in the OAuth2 form.
fn registry_accepting<'a>(server: &'a MockServer, username: &str, secret: &str) -> Mock<'a> {
    server.mock(|when, then| {
        when.method("GET").path("/v2/");
        then.status(401).header(
            "www-authenticate",
            format!(
                r#"Bearer realm="{}",service="test-registry""#,
                server.url("/token")
            ),
        );
    });
    server.mock(|when, then| {
        when.method("POST")
            .path("/token")
            .form_urlencoded_tuple("username", username)
            .form_urlencoded_tuple("password", secret);
        then.status(200)
            .json_body(json!({ "token": "registry-token", "expires_in": 300 }));
    })
}

#[test]
fn docker_hubs_stored_credentials_are_never_sent_to_another_registry() {
    let server = MockServer::start();
    let accepted = registry_accepting(&server, "alice", CANARY);
    let anything_else = server.mock(|when, then| {
        when.path("/token");
        then.status(401)
            .json_body(json!({ "details": "incorrect username or password" }));
    });
    let url = server.base_url();
    let cli = Cli::new(&["registry-token", "--registry", &url]).env("PATH", search_path());
    write_config(cli.home(), &alice_in_auths());
    let run = cli.run();
    // Only Hub's entry is stored: nothing for 127.0.0.1:PORT, so nothing is sent there.
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("none for registry"), "{}", run.stderr);
    assert_no_secret(&run);
    accepted.assert_calls(0);
    anything_else.assert_calls(0);
}

#[test]
fn a_registrys_own_stored_credentials_are_sent_to_it() {
    let server = MockServer::start();
    let host = server.base_url().trim_start_matches("http://").to_owned();
    let accepted = registry_accepting(&server, "bob", CANARY);
    let url = server.base_url();
    for key in [host.clone(), format!("http://{host}")] {
        let cli =
            Cli::new(&["registry-token", "--registry", &url, "-v"]).env("PATH", search_path());
        write_config(
            cli.home(),
            &json!({ "auths": {
                HUB: { "auth": base64("alice:hub-secret") },
                key.as_str(): { "auth": base64(&format!("bob:{CANARY}")) },
            } }),
        );
        let run = cli.run();
        assert_eq!(run.code, 0, "{key}: {}", run.stderr);
        assert_eq!(run.stdout, "registry-token\n");
        assert!(!run.stderr.contains(CANARY), "{}", run.stderr);
    }
    accepted.assert_calls(2);
}
