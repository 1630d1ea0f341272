//! Keyless CI on the command line: `token`, `registry-token` and `rate-limit` with OIDC
//! credentials against a fake GitHub runner and a fake identity service on 127.0.0.1: what
//! they print and send, where credentials come from (the whole precedence table), and
//! `--help`. The token cache is in `oidc_cache.rs`, failures in `oidc_failures.rs`.

use std::path::{Path, PathBuf};

use crate::support::{cli::*, jwt, oidc::*};
use httpmock::MockServer;
use serde_json::{Value, json};

/// The environment of a GitHub Actions job `job` with OIDC configured for acme, the identity
/// service and the runner on `server`.
pub(crate) fn job_env(server: &MockServer, job: &str) -> Vec<(&'static str, String)> {
    vec![
        ("DOCKERHUB_USERNAME", ORG.to_owned()),
        ("DOCKERHUB_OIDC_CONNECTIONID", CONNECTION.to_owned()),
        ("DOCKERHUB_IDENTITY_URL", server.base_url()),
        ("ACTIONS_ID_TOKEN_REQUEST_URL", request_url(server, job)),
        ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", RUNNER_TOKEN.to_owned()),
    ]
}

/// A run of `args` in `env`, with the token cache in `cache` when given.
pub(crate) fn run_in(args: &[&str], env: &[(&str, String)], cache: Option<&Path>) -> Run {
    let mut cli = env
        .iter()
        .fold(Cli::new(args), |cli, (name, value)| cli.env(name, value));
    if let Some(cache) = cache {
        cli = cli.env("DOCKERHUB_AUTH_CACHE_DIR", cache);
    }
    cli.run()
}

/// A cache directory (not yet created) shared by the runs of one test.
pub(crate) fn shared_cache() -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("token-cache");
    (temp, dir)
}

#[test]
fn token_prints_the_organizations_exchanged_token_alone() {
    let server = MockServer::start();
    let audience = server.base_url();
    let id = id_token(&audience, "1");
    let github = server.mock(github("1", &audience, &id));
    let exchange = server.mock(identity(
        &id,
        CONNECTION,
        300,
        json!({ "access_token": ACCESS_TOKEN }),
    ));
    let out = run_in(&["token"], &job_env(&server, "1"), None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, format!("{ACCESS_TOKEN}\n"));
    assert_eq!(out.stderr, "");
    github.assert_calls(1);
    exchange.assert_calls(1);
}

#[test]
fn token_json_gives_the_token_its_expiry_and_the_organization() {
    let server = MockServer::start();
    let id = id_token(&server.base_url(), "json");
    let access = jwt(json!({ "sub": "acme", "iat": 3_999_999_700u64, "exp": 4_000_000_000u64 }));
    let exchange = server.mock(identity(
        &id,
        CONNECTION,
        300,
        json!({ "access_token": access }),
    ));
    let mut env = job_env(&server, "unused");
    env.push(("DOCKERHUB_OIDC_ID_TOKEN", id.clone()));
    let out = run_in(&["token", "--json"], &env, None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let document: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        document,
        json!({ "token": access, "expires_at": "2096-10-02T07:06:40Z", "username": ORG })
    );
    exchange.assert_calls(1);
}

/// A token that is no JWT says nothing of its expiry itself: the answer's `expires_in` (or
/// the lifetime asked for) tells it, as it tells the cache.
#[test]
fn token_json_of_an_opaque_token_gives_the_expiry_the_exchange_stated() {
    let server = MockServer::start();
    let id = id_token(&server.base_url(), "opaque");
    let exchange = server.mock(identity(
        &id,
        CONNECTION,
        600,
        json!({ "access_token": ACCESS_TOKEN, "expires_in": 600 }),
    ));
    let mut env = job_env(&server, "unused");
    env.push(("DOCKERHUB_OIDC_ID_TOKEN", id.clone()));
    env.push(("DOCKERHUB_OIDC_EXPIREIN", "600".to_owned()));
    let before = std::time::SystemTime::now();
    let out = run_in(&["token", "--json"], &env, None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let document: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(document["token"], ACCESS_TOKEN);
    assert_eq!(document["username"], ORG);
    let expires_at = document["expires_at"].as_str().expect("an expiry");
    let expires_at = humantime::parse_rfc3339(expires_at).unwrap();
    let left = expires_at.duration_since(before).unwrap().as_secs();
    assert!((598..=602).contains(&left), "{left} s left");
    exchange.assert_calls(1);
}

#[test]
fn the_flags_name_the_connection_the_lifetime_and_the_identity_service() {
    let server = MockServer::start();
    let id = id_token(&server.base_url(), "flags");
    let exchange = server.mock(identity(
        &id,
        OTHER_CONNECTION,
        600,
        json!({ "access_token": ACCESS_TOKEN }),
    ));
    let url = server.base_url();
    let out = run_in(
        &[
            "token",
            "--username",
            ORG,
            "--oidc-connection",
            OTHER_CONNECTION,
            "--oidc-expires-in",
            "600",
            "--identity-url",
            &url,
        ],
        &[
            ("DOCKERHUB_OIDC_ID_TOKEN", id.clone()),
            // The flags win over the variables.
            ("DOCKERHUB_OIDC_CONNECTIONID", CONNECTION.to_owned()),
            ("DOCKERHUB_OIDC_EXPIREIN", "900".to_owned()),
            (
                "DOCKERHUB_IDENTITY_URL",
                "https://identity.invalid".to_owned(),
            ),
        ],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, format!("{ACCESS_TOKEN}\n"));
    exchange.assert_calls(1);
}

#[test]
fn the_registry_commands_send_the_organization_and_its_exchanged_token() {
    let server = MockServer::start();
    let id = id_token(&server.base_url(), "registry");
    let exchange = server.mock(identity(
        &id,
        CONNECTION,
        300,
        json!({ "access_token": ACCESS_TOKEN }),
    ));
    server.mock(|when, then| {
        when.method("GET").path("/v2/");
        then.status(401).header(
            "www-authenticate",
            format!(
                r#"Bearer realm="{}",service="registry.docker.io""#,
                server.url("/token")
            ),
        );
    });
    let form = server.mock(|when, then| {
        when.method("POST")
            .path("/token")
            .form_urlencoded_tuple("username", ORG)
            .form_urlencoded_tuple("password", ACCESS_TOKEN);
        then.status(200)
            .json_body(json!({ "token": "probe-token", "expires_in": 300 }));
    });
    let probe = server.mock(|when, then| {
        when.method("HEAD")
            .path("/v2/ratelimitpreview/test/manifests/latest")
            .header("authorization", "Bearer probe-token");
        then.status(200)
            .header("ratelimit-remaining", "9;w=21600")
            .header("ratelimit-limit", "10;w=21600");
    });
    let mut env = job_env(&server, "unused");
    env.push(("DOCKERHUB_OIDC_ID_TOKEN", id.clone()));
    env.push(("DOCKERHUB_REGISTRY_URL", server.base_url()));
    let token = run_in(&["registry-token", "--scope", "acme/app"], &env, None);
    assert_eq!(
        (token.code, token.stdout.as_str()),
        (0, "probe-token\n"),
        "{}",
        token.stderr
    );
    let limit = run_in(&["rate-limit"], &env, None);
    assert_eq!(limit.code, 0, "{}", limit.stderr);
    assert!(
        limit.stdout.starts_with("9 of 10 pulls left"),
        "{}",
        limit.stdout
    );
    // Separate caches: one exchange and one token each.
    exchange.assert_calls(2);
    form.assert_calls(2);
    probe.assert_calls(1);
}

/// Where `token` finds its credentials, each source given with the sources after it: the
/// source listed first wins every pair.
#[test]
fn precedence_is_stdin_then_the_oidc_flag_then_the_token_then_the_oidc_variable_then_the_store() {
    let server = MockServer::start();
    let id = id_token(&server.base_url(), "precedence");
    for (secret, token) in [
        ("stdin-secret", "from-stdin"),
        ("env-secret", "from-dockerhub-token"),
        ("stored-secret", "from-the-store"),
    ] {
        server.mock(|when, then| {
            when.method("POST")
                .path("/v2/auth/token")
                .json_body(json!({ "identifier": ORG, "secret": secret }));
            then.status(200).json_body(json!({ "access_token": token }));
        });
    }
    server.mock(identity(
        &id,
        CONNECTION,
        300,
        json!({ "access_token": "from-the-oidc-flag" }),
    ));
    server.mock(identity(
        &id,
        OTHER_CONNECTION,
        300,
        json!({ "access_token": "from-the-oidc-variable" }),
    ));
    let url = server.base_url();
    /// One source: its arguments, variables, stdin, stored `auth`, and the token it gives.
    struct Source {
        args: &'static [&'static str],
        env: &'static [(&'static str, &'static str)],
        stdin: &'static str,
        stored: bool,
        gives: &'static str,
    }
    let sources = [
        Source {
            args: &["--secret-stdin"],
            env: &[],
            stdin: "stdin-secret\n",
            stored: false,
            gives: "from-stdin",
        },
        Source {
            args: &["--oidc-connection", CONNECTION],
            env: &[],
            stdin: "",
            stored: false,
            gives: "from-the-oidc-flag",
        },
        Source {
            args: &[],
            env: &[("DOCKERHUB_TOKEN", "env-secret")],
            stdin: "",
            stored: false,
            gives: "from-dockerhub-token",
        },
        Source {
            args: &[],
            env: &[("DOCKERHUB_OIDC_CONNECTIONID", OTHER_CONNECTION)],
            stdin: "",
            stored: false,
            gives: "from-the-oidc-variable",
        },
        Source {
            args: &[],
            env: &[],
            stdin: "",
            stored: true,
            gives: "from-the-store",
        },
    ];
    for (first, winner) in sources.iter().enumerate() {
        for loser in &sources[first + 1..] {
            let mut args = vec!["token", "--base-url", url.as_str()];
            args.extend_from_slice(winner.args);
            args.extend_from_slice(loser.args);
            let mut cli = Cli::new(&args)
                .env("DOCKERHUB_USERNAME", ORG)
                .env("DOCKERHUB_IDENTITY_URL", &url)
                .env("DOCKERHUB_OIDC_ID_TOKEN", &id)
                .stdin(&format!("{}{}", winner.stdin, loser.stdin));
            for (name, value) in winner.env.iter().chain(loser.env) {
                cli = cli.env(name, value);
            }
            if winner.stored || loser.stored {
                let auth = crate::support::docker::base64(&format!("{ORG}:stored-secret"));
                let config =
                    json!({ "auths": { "https://index.docker.io/v1/": { "auth": auth } } });
                std::fs::write(cli.home().join(".docker/config.json"), config.to_string()).unwrap();
            }
            let out = cli.run();
            assert_eq!(
                out.code, 0,
                "{} over {}: {}",
                winner.gives, loser.gives, out.stderr
            );
            assert_eq!(
                out.stdout,
                format!("{}\n", winner.gives),
                "{} over {}",
                winner.gives,
                loser.gives
            );
        }
    }
}

#[test]
fn the_oidc_commands_list_the_oidc_options_and_the_password_commands_do_not() {
    for command in [&["token"][..], &["registry-token"], &["rate-limit"]] {
        let mut args = command.to_vec();
        args.push("--help");
        let text = Cli::new(&args).run().stdout;
        for present in [
            "--oidc-connection <UUID>",
            "--oidc-expires-in <SECONDS>",
            "--identity-url <URL>",
            "DOCKERHUB_OIDC_CONNECTIONID",
            "DOCKERHUB_OIDC_EXPIREIN",
            "DOCKERHUB_IDENTITY_URL",
            "DOCKERHUB_OIDC_ID_TOKEN",
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            "permissions: id-token: write",
        ] {
            assert!(
                text.contains(present),
                "{command:?} lacks {present}:\n{text}"
            );
        }
    }
    for command in [&["login"][..], &["pat"], &["oat", "list"]] {
        let mut args = command.to_vec();
        args.push("--help");
        let text = Cli::new(&args).run().stdout;
        for absent in [
            "--oidc-connection",
            "--identity-url",
            "DOCKERHUB_OIDC_ID_TOKEN",
        ] {
            assert!(
                !text.contains(absent),
                "{command:?} lists {absent}:\n{text}"
            );
        }
    }
}
