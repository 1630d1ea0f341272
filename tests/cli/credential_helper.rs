//! `docker-credential-dockerhub`, run as Docker's clients run it (docker/docker-credential-
//! helpers `client/client.go`): the action as its argument, the payload on stdin, the answer
//! on stdout, exit status 1 with one line on stdout for a failure.
//! Unix only: the spy helper is a `#!/bin/sh` script, and only Unix has a token cache.

use std::{fs, os::unix::fs::PermissionsExt as _, path::Path};

use httpmock::{Mock, MockServer};
use serde_json::{Value, json};

use crate::support::{cli::*, *};

/// What Docker's clients look for to tell "no credentials here" from a failure.
const NOT_FOUND: &str = "credentials not found in native keychain\n";

/// Every spelling of Docker Hub that docker, buildx, crane and skopeo ask for.
const DOCKER_HUB_SPELLINGS: &[&str] = &[
    "https://index.docker.io/v1/",
    "https://index.docker.io/v1",
    "https://index.docker.io/",
    "https://index.docker.io",
    "index.docker.io",
    "index.docker.io/v1/",
    "docker.io",
    "https://docker.io/",
    "registry-1.docker.io",
    "https://registry-1.docker.io/",
    "http://registry-1.docker.io",
];

/// The helper with `action`, alice's token in the environment, and `stdin`.
fn configured(action: &str, stdin: &str) -> Cli {
    Cli::helper(&[action])
        .env("DOCKERHUB_USERNAME", "alice")
        .env("DOCKERHUB_TOKEN", CANARY)
        .stdin(stdin)
}

/// Asserts that the run answered "not found", as the protocol says it.
fn assert_not_found(run: &Run, server: &str) {
    assert_eq!(run.code, 1, "{server}: {}", run.stderr);
    assert_eq!(run.stdout, NOT_FOUND, "{server}");
    assert_eq!(run.stderr, "", "{server}");
}

/// Asserts that `run` shows the canary nowhere.
fn assert_no_secret(run: &Run) {
    assert!(!run.stdout.contains(CANARY), "stdout: {}", run.stdout);
    assert!(!run.stderr.contains(CANARY), "stderr: {}", run.stderr);
}

#[test]
fn get_answers_for_every_spelling_of_docker_hub_with_the_server_as_given() {
    for server in DOCKER_HUB_SPELLINGS {
        // Clients write the server with or without a newline.
        for stdin in [server.to_string(), format!("{server}\n")] {
            let run = configured("get", &stdin).run();
            assert_eq!(run.code, 0, "{server}: {} {}", run.stdout, run.stderr);
            let answer: Value = serde_json::from_str(&run.stdout).unwrap();
            assert_eq!(
                answer,
                json!({ "ServerURL": server, "Username": "alice", "Secret": CANARY }),
                "{server}"
            );
            assert_eq!(run.stderr, "");
        }
    }
}

#[test]
fn get_answers_with_the_fields_in_the_protocols_order_on_one_line() {
    let run = configured("get", "docker.io").run();
    assert_eq!(
        run.stdout,
        format!("{{\"ServerURL\":\"docker.io\",\"Username\":\"alice\",\"Secret\":\"{CANARY}\"}}\n")
    );
}

#[test]
fn get_says_not_found_for_any_other_server() {
    for server in [
        "quay.io",
        "ghcr.io",
        "https://index.docker.io/v2/",
        "docker.io/library",
        "index.docker.io.evil.example",
        "evil.example/index.docker.io",
        "https://hub.docker.com",
        "127.0.0.1:5000",
    ] {
        let run = configured("get", server).run();
        assert_not_found(&run, server);
    }
}

#[test]
fn get_says_not_found_when_no_credentials_are_configured() {
    for env in [
        &[][..],
        &[("DOCKERHUB_USERNAME", "alice")],
        // GitHub Actions gives an empty string for a secret a fork's workflow cannot read.
        &[("DOCKERHUB_USERNAME", "alice"), ("DOCKERHUB_TOKEN", "")],
    ] {
        let run = env
            .iter()
            .fold(Cli::helper(&["get"]), |cli, (name, value)| {
                cli.env(name, value)
            })
            .stdin("https://index.docker.io/v1/")
            .run();
        assert_not_found(&run, &format!("{env:?}"));
    }
}

#[test]
fn get_answers_for_the_host_of_the_registry_url() {
    let mirror = |server: &str| {
        configured("get", server)
            .env("DOCKERHUB_REGISTRY_URL", "http://127.0.0.1:5000")
            .run()
    };
    for server in [
        "127.0.0.1:5000",
        "http://127.0.0.1:5000/",
        "https://127.0.0.1:5000/v2/",
    ] {
        let run = mirror(server);
        assert_eq!(run.code, 0, "{server}: {}", run.stdout);
        let answer: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(answer["ServerURL"], server);
        assert_eq!(answer["Secret"], CANARY);
    }
    for server in ["127.0.0.1:5001", "127.0.0.1", "localhost:5000"] {
        assert_not_found(&mirror(server), server);
    }
    // Docker Hub is still answered for beside the mirror.
    assert_eq!(mirror("docker.io").code, 0);
}

#[test]
fn a_token_without_a_username_fails_on_one_line_that_names_what_is_missing() {
    let run = Cli::helper(&["get"])
        .env("DOCKERHUB_TOKEN", CANARY)
        .stdin("docker.io")
        .run();
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert!(run.stdout.contains("DOCKERHUB_USERNAME"), "{}", run.stdout);
    assert_ne!(run.stdout, NOT_FOUND);
    assert_no_secret(&run);
}

/// Incomplete credentials are a failure only for the servers the helper answers for: a
/// client asking about another registry hears "not found", as from any helper.
#[test]
fn another_server_is_not_found_whatever_the_credentials_lack() {
    let connection = (
        "DOCKERHUB_OIDC_CONNECTIONID",
        "867f2f0e-5a3c-4a71-9a0e-7d3c3a1f0b42",
    );
    for vars in [
        &[("DOCKERHUB_TOKEN", CANARY)][..],
        &[connection, ("DOCKERHUB_OIDC_ID_TOKEN", "eyJ.id.token")],
        &[("DOCKERHUB_USERNAME", "acme"), connection],
    ] {
        let run = vars
            .iter()
            .fold(Cli::helper(&["get"]), |cli, (name, value)| {
                cli.env(name, value)
            })
            .stdin("quay.io")
            .run();
        assert_not_found(&run, "quay.io");
    }
}

/// `list` and `erase` need the names only: an OIDC connection whose ID token is not there
/// (yet, or any more) is still listed and erased.
#[test]
fn list_and_erase_need_no_id_token() {
    let oidc = |action: &str| {
        Cli::helper(&[action])
            .env("DOCKERHUB_USERNAME", "acme")
            .env(
                "DOCKERHUB_OIDC_CONNECTIONID",
                "867f2f0e-5a3c-4a71-9a0e-7d3c3a1f0b42",
            )
    };
    let run = oidc("list").run();
    assert_eq!(run.code, 0, "{}", run.stdout);
    let listed: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(listed, json!({ "https://index.docker.io/v1/": "acme" }));
    let run = oidc("erase").stdin("docker.io").run();
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
}

#[test]
fn get_with_no_server_on_stdin_says_so() {
    for stdin in ["", "\n", "  \n"] {
        let run = configured("get", stdin).run();
        assert_eq!(run.code, 1);
        assert_eq!(run.stdout, "no credentials server URL\n");
        assert_no_secret(&run);
    }
}

/// Docker's config may name this very helper, and may hold other credentials: the helper
/// reads neither the config nor another helper.
#[test]
fn docker_s_config_and_its_helpers_are_never_read() {
    let cli = Cli::helper(&["get"]).stdin("https://index.docker.io/v1/");
    let home = cli.home().to_owned();
    let bin = home.join("bin");
    fs::create_dir(&bin).unwrap();
    let marker = home.join("spy-ran");
    let spy = bin.join("docker-credential-spy");
    fs::write(
        &spy,
        format!("#!/bin/sh\ntouch '{}'\nexit 1\n", marker.display()),
    )
    .unwrap();
    fs::set_permissions(&spy, fs::Permissions::from_mode(0o755)).unwrap();
    let auth = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("bob:{CANARY}"),
    );
    fs::write(
        home.join(".docker").join("config.json"),
        json!({
            "auths": { "https://index.docker.io/v1/": { "auth": auth } },
            "credsStore": "spy",
            "credHelpers": { "docker.io": "spy", "https://index.docker.io/v1/": "dockerhub" },
        })
        .to_string(),
    )
    .unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let run = cli.env("PATH", path).run();
    assert_not_found(&run, "https://index.docker.io/v1/");
    assert!(!marker.exists(), "the helper ran another helper");
}

#[test]
fn store_stores_nothing_and_says_where_credentials_come_from() {
    let payload = json!({ "ServerURL": "https://index.docker.io/v1/", "Username": "alice", "Secret": CANARY });
    let run = configured("store", &payload.to_string()).run();
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert!(run.stdout.contains("stores nothing"), "{}", run.stdout);
    assert!(run.stdout.contains("DOCKERHUB_TOKEN"), "{}", run.stdout);
    assert_ne!(run.stdout, NOT_FOUND);
    assert_no_secret(&run);
    // The next get is still answered from the environment, not from what store was given.
    let get = Cli::helper(&["get"]).stdin("docker.io").run();
    assert_not_found(&get, "docker.io");
}

#[test]
fn list_names_the_servers_it_answers_for_with_their_username() {
    let run = configured("list", "unused").run();
    assert_eq!(run.code, 0, "{}", run.stdout);
    let listed: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(listed, json!({ "https://index.docker.io/v1/": "alice" }));
    assert_no_secret(&run);

    let run = configured("list", "unused")
        .env("DOCKERHUB_REGISTRY_URL", "http://127.0.0.1:5000")
        .run();
    let listed: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        listed,
        json!({ "https://index.docker.io/v1/": "alice", "127.0.0.1:5000": "alice" })
    );
}

#[test]
fn list_is_an_empty_object_when_nothing_is_configured() {
    let run = Cli::helper(&["list"]).stdin("unused").run();
    assert_eq!((run.code, run.stdout.as_str()), (0, "{}\n"));
}

#[test]
fn version_is_one_line_with_exit_0() {
    for action in ["version", "--version"] {
        let run = configured(action, "").run();
        assert_eq!(run.code, 0);
        assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
        assert!(
            run.stdout.starts_with(&format!(
                "docker-credential-dockerhub (dockerhub-auth) {}",
                env!("CARGO_PKG_VERSION")
            )),
            "{}",
            run.stdout
        );
        assert_no_secret(&run);
    }
}

#[test]
fn no_action_or_an_unknown_one_fails_with_the_usage() {
    for args in [&[][..], &["fetch"]] {
        let run = Cli::helper(args).run();
        assert_eq!(run.code, 1, "{args:?}");
        assert!(
            run.stdout.contains("<store|get|erase|list|version>"),
            "{}",
            run.stdout
        );
    }
}

/// `token` as alice with the canary as her token, against `server`, with the cache in `dir`.
fn token(server: &MockServer, dir: &Path) -> Run {
    Cli::new(&["token", "--base-url", &server.base_url()])
        .env("DOCKERHUB_USERNAME", "alice")
        .env("DOCKERHUB_TOKEN", CANARY)
        .env("DOCKERHUB_AUTH_CACHE_DIR", dir)
        .run()
}

fn token_route(server: &MockServer) -> Mock<'_> {
    let jwt = jwt(hub_claims(now_unix()));
    server.mock(|when, then| {
        when.method("POST").path("/v2/auth/token");
        then.status(200).json_body(json!({ "access_token": jwt }));
    })
}

#[test]
fn erase_forgets_the_cached_tokens_of_the_username_for_a_server_it_answers_for() {
    let server = MockServer::start();
    let mock = token_route(&server);
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("token-cache");
    assert_eq!(token(&server, &dir).code, 0);
    assert_eq!(token(&server, &dir).code, 0);
    mock.assert_calls(1); // the second run was served from the cache

    // Another server: nothing to forget, and that is no failure.
    let other = configured("erase", "quay.io")
        .env("DOCKERHUB_AUTH_CACHE_DIR", &dir)
        .run();
    assert_eq!((other.code, other.stdout.as_str()), (0, ""));
    assert_eq!(token(&server, &dir).code, 0);
    mock.assert_calls(1);

    let erased = configured("erase", "https://index.docker.io/v1/")
        .env("DOCKERHUB_AUTH_CACHE_DIR", &dir)
        .run();
    assert_eq!(
        (erased.code, erased.stdout.as_str()),
        (0, ""),
        "{}",
        erased.stderr
    );
    assert_no_secret(&erased);
    // Forgotten: the next run asks Docker Hub again.
    assert_eq!(token(&server, &dir).code, 0);
    mock.assert_calls(2);
}

#[test]
fn get_answers_with_the_organizations_exchanged_oidc_token_from_the_jobs_cache() {
    use super::oidc::{job_env, shared_cache};
    use crate::support::oidc::{
        ACCESS_TOKEN, CONNECTION, ORG, RUNNER_TOKEN, github, id_token, identity,
    };
    let server = MockServer::start();
    let audience = server.base_url();
    let id = id_token(&audience, "helper");
    let runner = server.mock(github("helper", &audience, &id));
    let exchange = server.mock(identity(
        &id,
        CONNECTION,
        300,
        json!({ "access_token": ACCESS_TOKEN }),
    ));
    let (_temp, cache) = shared_cache();
    let get = || {
        job_env(&server, "helper")
            .iter()
            .fold(Cli::helper(&["get"]), |cli, (name, value)| {
                cli.env(name, value)
            })
            .env("DOCKERHUB_AUTH_CACHE_DIR", &cache)
            .stdin("https://index.docker.io/v1/")
            .run()
    };
    for _ in 0..3 {
        let run = get();
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        let answer: Value = serde_json::from_str(run.stdout.trim()).unwrap();
        assert_eq!(
            answer,
            json!({
                "ServerURL": "https://index.docker.io/v1/",
                "Username": ORG,
                "Secret": ACCESS_TOKEN,
            })
        );
        assert!(!run.stderr.contains(ACCESS_TOKEN) && !run.stderr.contains(RUNNER_TOKEN));
    }
    // One exchange for the job: the later gets (other processes) were served from the cache.
    runner.assert_calls(1);
    exchange.assert_calls(1);
    // `token` in the same job shares that cache entry too.
    let token = job_env(&server, "helper")
        .iter()
        .fold(Cli::new(&["token"]), |cli, (name, value)| {
            cli.env(name, value)
        })
        .env("DOCKERHUB_AUTH_CACHE_DIR", &cache)
        .run();
    assert_eq!(
        token.stdout,
        format!("{ACCESS_TOKEN}\n"),
        "{}",
        token.stderr
    );
    exchange.assert_calls(1);
}

#[test]
fn a_refused_exchange_fails_get_on_one_line_without_a_secret() {
    use super::oidc::job_env;
    use crate::support::oidc::{RUNNER_TOKEN, github, id_token, refusing};
    let server = MockServer::start();
    let audience = server.base_url();
    let id = id_token(&audience, "refused");
    server.mock(github("refused", &audience, &id));
    let exchange = server.mock(refusing(
        400,
        "application/json",
        r#"{"error":"invalid_grant","error_description":"no ruleset matched the token"}"#,
    ));
    let temp = tempfile::tempdir().unwrap();
    let run = job_env(&server, "refused")
        .iter()
        .fold(Cli::helper(&["get"]), |cli, (name, value)| {
            cli.env(name, value)
        })
        .env("DOCKERHUB_AUTH_CACHE_DIR", temp.path().join("cache"))
        .stdin("docker.io")
        .run();
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("no ruleset matched the token"),
        "{}",
        run.stdout
    );
    for secret in [RUNNER_TOKEN, id.as_str()] {
        assert!(!run.stdout.contains(secret) && !run.stderr.contains(secret));
    }
    exchange.assert_calls(1);
}
