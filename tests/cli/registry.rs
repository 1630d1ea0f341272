//! `dockerhub-auth registry-token` and `rate-limit` against a fake registry and token
//! service: output, where the registry and the credentials come from, and exit codes.

use crate::support::{CANARY, cli::*, registry::*};
use httpmock::{Mock, MockServer};
use serde_json::{Value, json};

/// Makes `server` a registry with Docker Hub's challenge, its realm on the same server.
fn challenge_on(server: &MockServer) {
    let challenge = challenge(&server.url("/token"), DOCKER_HUB_SERVICE);
    server.mock(|when, then| {
        when.method("GET").path("/v2/");
        then.status(401).header("www-authenticate", challenge);
    });
}

/// Mocks the token service to answer every request with `token`, issued now for five
/// minutes (a token past its `issued_at` + `expires_in` is never served from the cache).
fn tokens<'a>(server: &'a MockServer, token: &str) -> Mock<'a> {
    let issued_at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    server.mock(|when, then| {
        when.path("/token");
        then.status(200)
            .json_body(json!({ "token": token, "expires_in": 300, "issued_at": issued_at }));
    })
}

/// Mocks the probe's `HEAD` to answer with `headers` when it carries `probe-token`.
fn probe<'a>(server: &'a MockServer, headers: &[(&str, &str)]) -> Mock<'a> {
    server.mock(|when, then| {
        when.method("HEAD")
            .path("/v2/ratelimitpreview/test/manifests/latest")
            .header("authorization", "Bearer probe-token");
        let mut then = then.status(200);
        for (name, value) in headers {
            then = then.header(*name, *value);
        }
    })
}

fn run(server: &MockServer, args: &[&str], env: &[(&str, &str)], stdin: &str) -> Run {
    let url = server.base_url();
    let mut all = args.to_vec();
    all.extend_from_slice(&["--registry", url.as_str()]);
    cli(&all, env, stdin)
}

#[test]
fn registry_token_prints_the_token_alone() {
    let server = MockServer::start();
    challenge_on(&server);
    let token_route = tokens(&server, "registry-token-1");
    let out = run(
        &server,
        &["registry-token", "--anonymous", "--scope", "alpine"],
        &[],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "registry-token-1\n");
    assert_eq!(out.stderr, "");
    token_route.assert_calls(1);
}

#[test]
fn registry_token_json_gives_token_expiry_and_the_scopes_sent() {
    let server = MockServer::start();
    challenge_on(&server);
    let token_route = server.mock(|when, then| {
        when.method("GET").path("/token").is_true(|request| {
            let scopes: Vec<String> = request
                .query_params()
                .into_iter()
                .filter(|(name, _)| name == "scope")
                .map(|(_, value)| value)
                .collect();
            scopes
                == [
                    "repository:library/alpine:pull",
                    "repository:acme/app:pull,push",
                ]
        });
        then.status(200).json_body(
            json!({ "token": "t1", "expires_in": 300, "issued_at": "2026-11-23T10:00:00Z" }),
        );
    });
    let out = run(
        &server,
        &[
            "registry-token",
            "--anonymous",
            "--scope",
            "alpine",
            "--scope",
            "repository:acme/app:pull,push",
            "--json",
        ],
        &[],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let document: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        document,
        json!({
            "token": "t1",
            "expires_at": "2026-11-23T10:05:00Z",
            "scopes": ["repository:library/alpine:pull", "repository:acme/app:pull,push"]
        })
    );
    token_route.assert_calls(1);
}

#[test]
fn the_registry_comes_from_the_environment_and_credentials_as_for_token() {
    let server = MockServer::start();
    challenge_on(&server);
    let form = server.mock(|when, then| {
        when.method("POST")
            .path("/token")
            .form_urlencoded_tuple("username", "acme-org")
            .form_urlencoded_tuple("password", CANARY);
        then.status(200)
            .json_body(json!({ "access_token": "org-token" }));
    });
    let url = server.base_url();
    // From the environment: DOCKERHUB_USERNAME and DOCKERHUB_TOKEN.
    let out = cli(
        &["registry-token"],
        &[
            ("DOCKERHUB_REGISTRY_URL", url.as_str()),
            ("DOCKERHUB_USERNAME", "acme-org"),
            ("DOCKERHUB_TOKEN", CANARY),
        ],
        "",
    );
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "org-token\n"),
        "{}",
        out.stderr
    );
    // From the flags, the secret on stdin.
    let out = cli(
        &["registry-token", "--username", "acme-org", "--secret-stdin"],
        &[("DOCKERHUB_REGISTRY_URL", url.as_str())],
        &format!("{CANARY}\n"),
    );
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "org-token\n"),
        "{}",
        out.stderr
    );
    form.assert_calls(2);
}

#[test]
fn without_credentials_or_anonymous_nothing_is_sent_and_the_exit_is_2() {
    let server = MockServer::start();
    challenge_on(&server);
    let token_route = tokens(&server, "t");
    let out = run(&server, &["registry-token"], &[], "");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--anonymous"), "{}", out.stderr);
    assert_eq!(out.stdout, "");
    token_route.assert_calls(0);
}

#[test]
fn an_invalid_scope_is_a_usage_error_before_any_request() {
    let server = MockServer::start();
    challenge_on(&server);
    let token_route = tokens(&server, "t");
    for scope in ["Alpine", "repository:a:read", "alpine:latest"] {
        let out = run(
            &server,
            &["registry-token", "--anonymous", "--scope", scope],
            &[],
            "",
        );
        assert_eq!(out.code, 2, "{scope}: {}", out.stderr);
    }
    token_route.assert_calls(0);
}

#[test]
fn rejected_credentials_exit_3_without_showing_the_secret() {
    let server = MockServer::start();
    challenge_on(&server);
    let refused = server.mock(|when, then| {
        when.path("/token");
        then.status(401)
            .json_body(json!({ "details": format!("incorrect username or password {CANARY}") }));
    });
    for command in ["registry-token", "rate-limit"] {
        let out = run(
            &server,
            &[command],
            &[("DOCKERHUB_USERNAME", "alice"), ("DOCKERHUB_TOKEN", CANARY)],
            "",
        );
        assert_eq!(out.code, 3, "{command}: {}", out.stderr);
        assert!(
            out.stderr.contains("incorrect username or password"),
            "{}",
            out.stderr
        );
        assert!(!out.stderr.contains(CANARY) && !out.stdout.contains(CANARY));
    }
    // Each: the form (POST), refused; no GET after a refusal, and nothing retried.
    refused.assert_calls(2);
}

#[test]
fn an_insecure_registry_url_exits_2() {
    let out = cli(
        &[
            "rate-limit",
            "--anonymous",
            "--registry",
            "http://registry.example.test",
        ],
        &[],
        "",
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
}

#[test]
fn rate_limit_prints_one_line_for_people() {
    let server = MockServer::start();
    challenge_on(&server);
    tokens(&server, "probe-token");
    let head = probe(
        &server,
        &[
            ("ratelimit-limit", "100;w=21600"),
            ("ratelimit-remaining", "76;w=21600"),
            ("docker-ratelimit-source", "203.0.113.7"),
        ],
    );
    let out = run(&server, &["rate-limit", "--anonymous"], &[], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "76 of 100 pulls left in a 6 h window (source 203.0.113.7)\n"
    );
    head.assert_calls(1);
}

#[test]
fn rate_limit_json_has_null_for_what_was_not_reported() {
    let server = MockServer::start();
    challenge_on(&server);
    tokens(&server, "probe-token");
    probe(
        &server,
        &[
            ("ratelimit-limit", "100;w=21600"),
            ("ratelimit-remaining", "76;w=21600"),
            ("docker-ratelimit-source", "203.0.113.7"),
        ],
    );
    let out = run(&server, &["rate-limit", "--anonymous", "--json"], &[], "");
    let document: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        document,
        json!({ "limit": 100, "remaining": 76, "window_seconds": 21600, "source": "203.0.113.7" })
    );

    let server = MockServer::start();
    challenge_on(&server);
    tokens(&server, "probe-token");
    probe(&server, &[]);
    let out = run(&server, &["rate-limit", "--anonymous", "--json"], &[], "");
    let document: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        document,
        json!({ "limit": null, "remaining": null, "window_seconds": null, "source": null })
    );
}

#[test]
fn no_headers_read_as_not_limited_rather_than_zero() {
    let server = MockServer::start();
    challenge_on(&server);
    tokens(&server, "probe-token");
    let head = probe(&server, &[]);
    // `--no-docker-config` beside `--anonymous` changes nothing, and is no conflict.
    let out = run(
        &server,
        &["rate-limit", "--anonymous", "--no-docker-config"],
        &[],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "no pull limit reported: not limited / not reported by this registry\n"
    );
    head.assert_calls(1);
}

#[test]
fn a_rate_limited_token_service_exits_5() {
    let server = MockServer::start();
    challenge_on(&server);
    let limited = server.mock(|when, then| {
        when.path("/token");
        then.status(429).header("retry-after", "3600").json_body(
            json!({ "errors": [{ "code": "TOOMANYREQUESTS", "message": "slow down" }] }),
        );
    });
    let out = run(&server, &["rate-limit", "--anonymous"], &[], "");
    assert_eq!(out.code, 5, "{}", out.stderr);
    assert!(out.stderr.contains("slow down"), "{}", out.stderr);
    limited.assert_calls(1);
}

#[test]
fn verbose_output_never_shows_the_secret_or_the_tokens() {
    let server = MockServer::start();
    challenge_on(&server);
    let form = server.mock(|when, then| {
        when.method("POST").path("/token");
        then.status(200)
            .json_body(json!({ "access_token": "probe-token" }));
    });
    probe(&server, &[("ratelimit-remaining", "5;w=21600")]);
    for verbosity in ["-v", "-vv"] {
        for command in ["registry-token", "rate-limit"] {
            let out = run(
                &server,
                &[command, verbosity],
                &[("DOCKERHUB_USERNAME", "alice"), ("DOCKERHUB_TOKEN", CANARY)],
                "",
            );
            assert_eq!(out.code, 0, "{command} {verbosity}: {}", out.stderr);
            assert!(
                !out.stderr.is_empty(),
                "{command} {verbosity} logged nothing"
            );
            assert!(!out.stderr.contains(CANARY), "{}", out.stderr);
            assert!(!out.stderr.contains("probe-token"), "{}", out.stderr);
        }
    }
    form.assert_calls(4);
}

/// Runs `args` against `server` with the token cache in `cache`, shared between runs.
fn cached_run(
    server: &MockServer,
    cache: &std::path::Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> Run {
    let url = server.base_url();
    let mut all = args.to_vec();
    all.extend_from_slice(&["--registry", url.as_str()]);
    env.iter()
        .fold(Cli::new(&all), |cli, (name, value)| cli.env(name, value))
        .env("DOCKERHUB_AUTH_CACHE_DIR", cache)
        .run()
}

#[test]
fn registry_tokens_come_from_the_token_cache_in_the_next_run() {
    let server = MockServer::start();
    challenge_on(&server);
    let token_route = tokens(&server, "registry-token-cached");
    let cache = tempfile::tempdir().unwrap();
    let alice = [("DOCKERHUB_USERNAME", "alice"), ("DOCKERHUB_TOKEN", CANARY)];
    for _ in 0..3 {
        let out = cached_run(
            &server,
            cache.path(),
            &["registry-token", "--scope", "alpine"],
            &alice,
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(out.stdout, "registry-token-cached\n");
    }
    token_route.assert_calls(1);
    // --no-cache neither reads nor writes it.
    let out = cached_run(
        &server,
        cache.path(),
        &["registry-token", "--scope", "alpine", "--no-cache"],
        &alice,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    token_route.assert_calls(2);
    // No file of the cache holds the secret.
    for entry in std::fs::read_dir(cache.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap_or_default();
        assert!(!String::from_utf8_lossy(&bytes).contains(CANARY));
    }
}

#[test]
fn a_rejected_secret_is_sent_to_the_token_service_once_across_runs() {
    let server = MockServer::start();
    challenge_on(&server);
    let refused = server.mock(|when, then| {
        when.path("/token");
        then.status(401)
            .json_body(json!({ "details": "incorrect username or password" }));
    });
    let cache = tempfile::tempdir().unwrap();
    let wrong = [("DOCKERHUB_USERNAME", "alice"), ("DOCKERHUB_TOKEN", CANARY)];
    for _ in 0..4 {
        let out = cached_run(&server, cache.path(), &["rate-limit"], &wrong);
        assert_eq!(out.code, 3, "{}", out.stderr);
        assert!(!out.stderr.contains(CANARY), "{}", out.stderr);
    }
    refused.assert_calls(1);
}

#[cfg(target_os = "linux")]
#[test]
fn a_registry_token_cached_for_an_https_registry_is_served_without_setting_up_tls() {
    use crate::support::tls::{Answer, TlsServer};
    let registry = TlsServer::start(|method, path, own_url| match (method, path) {
        ("GET", "/v2/") => Answer {
            status: 401,
            headers: vec![(
                "www-authenticate",
                challenge(&format!("{own_url}/token"), "tls-registry"),
            )],
            body: "{}".to_owned(),
        },
        ("POST", "/token") => Answer {
            status: 200,
            headers: Vec::new(),
            body: json!({ "token": "tls-registry-token", "expires_in": 300 }).to_string(),
        },
        _ => Answer {
            status: 404,
            headers: Vec::new(),
            body: "{}".to_owned(),
        },
    });
    let cache = tempfile::tempdir().unwrap();
    let run = |certificates: &std::path::Path| {
        let args = ["registry-token", "--scope", "acme/app", "--registry"];
        let mut args = args.to_vec();
        args.push(&registry.url);
        Cli::new(&args)
            .env("DOCKERHUB_USERNAME", "alice")
            .env("DOCKERHUB_TOKEN", CANARY)
            .env("DOCKERHUB_AUTH_CACHE_DIR", cache.path())
            .env("SSL_CERT_FILE", certificates)
            .env_remove("SSL_CERT_DIR")
            .run()
    };
    // Trusting the registry's certificate authority: the challenge, then the token.
    let first = run(&registry.ca_file);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(first.stdout, "tls-registry-token\n");
    assert_eq!(registry.requests(), 2);
    // With no root certificate to load, the cached token is still served, without a request.
    let cached = run(&registry.no_certificates);
    assert_eq!(cached.code, 0, "{}", cached.stderr);
    assert_eq!(cached.stdout, "tls-registry-token\n");
    assert_eq!(registry.requests(), 2);
}
