//! Keyless CI on the command line: `token`, `registry-token` and `rate-limit` with OIDC
//! credentials against a fake GitHub runner and a fake identity service on 127.0.0.1; the
//! token cache across processes and jobs; what is never printed or written; validation
//! before any request; and `login`, `pat` and `oat`, which cannot use OIDC credentials.
//! Unix only: the cache-sharing runs need the disk cache.

use std::path::{Path, PathBuf};

use crate::support::{cli::*, jwt, oidc::*};
use httpmock::MockServer;
use serde_json::{Value, json};

/// The environment of a GitHub Actions job `job` with OIDC configured for acme, the identity
/// service and the runner on `server`.
fn job_env(server: &MockServer, job: &str) -> Vec<(&'static str, String)> {
    vec![
        ("DOCKERHUB_USERNAME", ORG.to_owned()),
        ("DOCKERHUB_OIDC_CONNECTIONID", CONNECTION.to_owned()),
        ("DOCKERHUB_IDENTITY_URL", server.base_url()),
        ("ACTIONS_ID_TOKEN_REQUEST_URL", request_url(server, job)),
        ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", RUNNER_TOKEN.to_owned()),
    ]
}

/// A run of `args` in `env`, with the token cache in `cache` when given.
fn run_in(args: &[&str], env: &[(&str, String)], cache: Option<&Path>) -> Run {
    let mut cli = env
        .iter()
        .fold(Cli::new(args), |cli, (name, value)| cli.env(name, value));
    if let Some(cache) = cache {
        cli = cli.env("DOCKERHUB_AUTH_CACHE_DIR", cache);
    }
    cli.run()
}

/// A cache directory (not yet created) shared by the runs of one test.
fn shared_cache() -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("token-cache");
    (temp, dir)
}

/// Every file under `dir` and its content.
fn files(dir: &Path) -> Vec<(PathBuf, String)> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let content = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            (path, content)
        })
        .collect()
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
fn a_second_process_of_the_job_sends_no_request_and_another_job_gets_its_own() {
    let server = MockServer::start();
    let audience = server.base_url();
    let (id_a, id_b) = (id_token(&audience, "job-a"), id_token(&audience, "job-b"));
    let github_a = server.mock(github("a", &audience, &id_a));
    let github_b = server.mock(github("b", &audience, &id_b));
    let exchange_a = server.mock(identity(
        &id_a,
        CONNECTION,
        300,
        json!({ "access_token": "token-of-job-a" }),
    ));
    let exchange_b = server.mock(identity(
        &id_b,
        CONNECTION,
        300,
        json!({ "access_token": "token-of-job-b" }),
    ));
    let (_temp, cache) = shared_cache();
    for _ in 0..3 {
        let out = run_in(&["token"], &job_env(&server, "a"), Some(&cache));
        assert_eq!(
            (out.code, out.stdout.as_str()),
            (0, "token-of-job-a\n"),
            "{}",
            out.stderr
        );
    }
    github_a.assert_calls(1);
    exchange_a.assert_calls(1);
    let out = run_in(&["token"], &job_env(&server, "b"), Some(&cache));
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "token-of-job-b\n"),
        "{}",
        out.stderr
    );
    github_b.assert_calls(1);
    exchange_b.assert_calls(1);
    // The registry commands of job a reuse its exchanged token too.
    server.mock(|when, then| {
        when.method("GET").path("/v2/");
        then.status(401).header(
            "www-authenticate",
            format!(
                r#"Bearer realm="{}",service="registry.example""#,
                server.url("/token")
            ),
        );
    });
    let form = server.mock(|when, then| {
        when.method("POST")
            .path("/token")
            .form_urlencoded_tuple("username", ORG)
            .form_urlencoded_tuple("password", "token-of-job-a");
        then.status(200)
            .json_body(json!({ "token": "registry-token", "expires_in": 300 }));
    });
    let registry = server.base_url();
    let out = run_in(
        &["registry-token", "--registry", &registry],
        &job_env(&server, "a"),
        Some(&cache),
    );
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "registry-token\n"),
        "{}",
        out.stderr
    );
    form.assert_calls(1);
    github_a.assert_calls(1);
    exchange_a.assert_calls(1);
}

#[test]
fn a_given_id_token_is_its_own_cache_entry() {
    let server = MockServer::start();
    let audience = server.base_url();
    let (x, y) = (id_token(&audience, "x"), id_token(&audience, "y"));
    let exchange_x = server.mock(identity(
        &x,
        CONNECTION,
        300,
        json!({ "access_token": "token-x" }),
    ));
    let exchange_y = server.mock(identity(
        &y,
        CONNECTION,
        300,
        json!({ "access_token": "token-y" }),
    ));
    let (_temp, cache) = shared_cache();
    for (given, expected) in [(&x, "token-x"), (&y, "token-y"), (&x, "token-x")] {
        let mut env = job_env(&server, "unused");
        env.push(("DOCKERHUB_OIDC_ID_TOKEN", given.clone()));
        let out = run_in(&["token"], &env, Some(&cache));
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(out.stdout, format!("{expected}\n"));
    }
    exchange_x.assert_calls(1);
    exchange_y.assert_calls(1);
}

#[test]
fn no_id_token_runner_token_or_access_token_in_output_or_cache_files() {
    let server = MockServer::start();
    let audience = server.base_url();
    let id = id_token(&audience, "secret-check");
    server.mock(github("s", &audience, &id));
    let exchange = server.mock(identity(
        &id,
        CONNECTION,
        300,
        json!({ "access_token": ACCESS_TOKEN }),
    ));
    let (_temp, cache) = shared_cache();
    for verbosity in ["-v", "-vv"] {
        let out = run_in(&["token", verbosity], &job_env(&server, "s"), Some(&cache));
        assert_eq!(out.code, 0, "{}", out.stderr);
        for secret in [id.as_str(), RUNNER_TOKEN, ACCESS_TOKEN] {
            assert!(!out.stderr.contains(secret), "{secret} in: {}", out.stderr);
        }
    }
    exchange.assert_calls(1);
    let files = files(&cache);
    for (path, content) in &files {
        assert!(!content.contains(&id), "ID token in {}", path.display());
        assert!(
            !content.contains(RUNNER_TOKEN),
            "runner token in {}",
            path.display()
        );
    }
    // The exchanged token is where tokens are kept: in its own entry, and nowhere else.
    let holding: Vec<_> = files
        .iter()
        .filter(|(_, content)| content.contains(ACCESS_TOKEN))
        .collect();
    assert_eq!(holding.len(), 1, "{holding:?}");
}

#[test]
fn v_names_the_source_the_id_tokens_subject_and_whether_the_cache_answered() {
    let server = MockServer::start();
    let audience = server.base_url();
    let id = id_token(&audience, "verbose");
    server.mock(github("v", &audience, &id));
    let exchange = server.mock(identity(
        &id,
        CONNECTION,
        300,
        json!({ "access_token": ACCESS_TOKEN }),
    ));
    let (_temp, cache) = shared_cache();
    let first = run_in(&["token", "-v"], &job_env(&server, "v"), Some(&cache));
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(
        first
            .stderr
            .contains("OIDC connection 867f…, GitHub Actions ID token"),
        "{}",
        first.stderr
    );
    assert!(
        first.stderr.contains(&format!("for {SUBJECT}")),
        "{}",
        first.stderr
    );
    assert!(
        first.stderr.contains("fetching a new one"),
        "{}",
        first.stderr
    );
    let second = run_in(&["token", "-v"], &job_env(&server, "v"), Some(&cache));
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(
        second.stderr.contains("token from the disk cache"),
        "{}",
        second.stderr
    );
    exchange.assert_calls(1);
}

#[test]
fn a_refused_exchange_exits_3_with_the_services_words_and_is_remembered_across_runs() {
    for (status, content_type, body, words) in [
        (
            400,
            "application/json",
            r#"{"error":"invalid_grant","error_description":"no ruleset matched"}"#,
            "no ruleset matched",
        ),
        (
            401,
            "application/json",
            r#"{"message":"invalid ID token"}"#,
            "invalid ID token",
        ),
        (
            403,
            "text/plain",
            "connection deactivated",
            "connection deactivated",
        ),
    ] {
        let server = MockServer::start();
        let audience = server.base_url();
        let id = id_token(&audience, "refused");
        server.mock(github("r", &audience, &id));
        let refused = server.mock(refusing(status, content_type, body));
        let (_temp, cache) = shared_cache();
        for _ in 0..2 {
            let out = run_in(&["token"], &job_env(&server, "r"), Some(&cache));
            assert_eq!(out.code, 3, "{status}: {}", out.stderr);
            assert!(out.stderr.contains(words), "{status}: {}", out.stderr);
            assert!(out.stderr.contains(SUBJECT), "{}", out.stderr);
            assert_eq!(out.stdout, "");
        }
        refused.assert_calls(1);
    }
}

#[test]
fn a_rate_limited_exchange_exits_5() {
    let server = MockServer::start();
    let limited = server.mock(|when, then| {
        when.method("POST").path("/oauth/token");
        then.status(429)
            .header("retry-after", "3600")
            .body("slow down");
    });
    let mut env = job_env(&server, "unused");
    env.push(("DOCKERHUB_OIDC_ID_TOKEN", "eyJ.rate.limited".to_owned()));
    let out = run_in(&["token"], &env, None);
    assert_eq!(out.code, 5, "{}", out.stderr);
    assert!(out.stderr.contains("slow down"), "{}", out.stderr);
    limited.assert_calls(1);
}

#[test]
fn invalid_oidc_settings_exit_2_before_any_request() {
    let server = MockServer::start();
    let anything = server.mock(|when, then| {
        when.any_request();
        then.status(200)
            .json_body(json!({ "access_token": ACCESS_TOKEN, "value": "x" }));
    });
    let base = job_env(&server, "bad");
    /// Extra arguments, and variables that replace the job's.
    type Case<'a> = (Vec<&'a str>, Vec<(&'a str, String)>);
    let cases: Vec<Case> = vec![
        (vec!["--oidc-connection", "not-a-uuid"], vec![]),
        (vec!["--oidc-expires-in", "299"], vec![]),
        (vec!["--oidc-expires-in", "3601"], vec![]),
        (vec!["--oidc-expires-in", "soon"], vec![]),
        (
            vec![],
            vec![("DOCKERHUB_OIDC_CONNECTIONID", "867f".to_owned())],
        ),
        (vec![], vec![("DOCKERHUB_OIDC_EXPIREIN", "7200".to_owned())]),
        (
            vec!["--identity-url", "http://identity.example.com"],
            vec![],
        ),
        (vec![], vec![("DOCKERHUB_USERNAME", " ".to_owned())]),
    ];
    for (args, changes) in cases {
        let mut env = base.clone();
        env.retain(|(name, _)| !changes.iter().any(|(changed, _)| changed == name));
        env.extend(changes.iter().cloned());
        let mut all = vec!["token"];
        all.extend(args.iter().copied());
        let out = run_in(&all, &env, None);
        assert_eq!(out.code, 2, "{args:?} {changes:?}: {}", out.stderr);
    }
    anything.assert_calls(0);
}

#[test]
fn missing_id_token_variables_say_to_add_the_permission() {
    let server = MockServer::start();
    let anything = server.mock(|when, then| {
        when.any_request();
        then.status(200);
    });
    let mut env = job_env(&server, "none");
    env.retain(|(name, _)| !name.starts_with("ACTIONS_"));
    for command in ["token", "registry-token", "rate-limit"] {
        let out = run_in(&[command], &env, None);
        assert_eq!(out.code, 2, "{command}: {}", out.stderr);
        assert!(
            out.stderr.contains("permissions: id-token: write"),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr.contains("DOCKERHUB_OIDC_ID_TOKEN"),
            "{}",
            out.stderr
        );
    }
    anything.assert_calls(0);
}

#[test]
fn login_pat_and_oat_with_only_oidc_credentials_exit_2_and_say_so_before_any_request() {
    let server = MockServer::start();
    let anything = server.mock(|when, then| {
        when.any_request();
        then.status(200)
            .json_body(json!({ "token": "t", "access_token": "t", "value": "v" }));
    });
    let url = server.base_url();
    let mut env = job_env(&server, "login");
    env.push(("DOCKERHUB_OIDC_ID_TOKEN", "eyJ.id.token".to_owned()));
    for command in [&["login"][..], &["pat", "list"], &["oat", "list", ORG]] {
        let mut args = command.to_vec();
        args.extend_from_slice(&["--base-url", &url]);
        let out = run_in(&args, &env, None);
        assert_eq!(out.code, 2, "{command:?}: {}", out.stderr);
        assert!(out.stderr.contains("OIDC"), "{command:?}: {}", out.stderr);
        assert!(
            out.stderr.contains("password"),
            "{command:?}: {}",
            out.stderr
        );
    }
    anything.assert_calls(0);
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

#[cfg(target_os = "linux")]
#[test]
fn an_exchanged_token_in_the_cache_is_served_without_setting_up_tls() {
    use crate::support::tls::{Answer, TlsServer};
    let identity = TlsServer::start(|method, path, _| match (method, path) {
        ("POST", "/oauth/token") => Answer {
            status: 200,
            headers: Vec::new(),
            body: json!({ "access_token": ACCESS_TOKEN, "expires_in": 300 }).to_string(),
        },
        _ => Answer {
            status: 404,
            headers: Vec::new(),
            body: "{}".to_owned(),
        },
    });
    let (_temp, cache) = shared_cache();
    let run = |certificates: &Path| {
        Cli::new(&["token"])
            .env("DOCKERHUB_USERNAME", ORG)
            .env("DOCKERHUB_OIDC_CONNECTIONID", CONNECTION)
            .env("DOCKERHUB_OIDC_ID_TOKEN", "eyJ.given.id-token")
            .env("DOCKERHUB_IDENTITY_URL", &identity.url)
            .env("DOCKERHUB_AUTH_CACHE_DIR", &cache)
            .env("SSL_CERT_FILE", certificates)
            .env_remove("SSL_CERT_DIR")
            .run()
    };
    // Trusting the identity service's certificate authority: one exchange.
    let first = run(&identity.ca_file);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(first.stdout, format!("{ACCESS_TOKEN}\n"));
    assert_eq!(identity.requests(), 1);
    // With no root certificate to load, the cached token is still served, without a request:
    // a cache hit builds no HTTP client.
    let cached = run(&identity.no_certificates);
    assert_eq!(cached.code, 0, "{}", cached.stderr);
    assert_eq!(cached.stdout, format!("{ACCESS_TOKEN}\n"));
    assert_eq!(identity.requests(), 1);
}
