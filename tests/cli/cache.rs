//! The CLI's token cache: runs that share `DOCKERHUB_AUTH_CACHE_DIR` share tokens and
//! Docker Hub's refusals, as the CI jobs of one runner would.
//! Unix only: elsewhere there is no disk cache.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use crate::support::{cli::*, *};
use httpmock::{Mock, MockServer};
use serde_json::json;

/// A cache directory (not yet created) shared by the runs of one test.
struct Shared {
    _temp: tempfile::TempDir,
    dir: PathBuf,
}

fn shared() -> Shared {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("token-cache");
    Shared { _temp: temp, dir }
}

/// `token` as alice with `secret` from DOCKERHUB_TOKEN, against `server`, with the cache in
/// `dir`.
fn token(server: &MockServer, dir: &Path, secret: &str, extra: &[&str]) -> Cli {
    let url = server.base_url();
    let mut args = vec!["token", "--base-url", url.as_str()];
    args.extend_from_slice(extra);
    Cli::new(&args)
        .env("DOCKERHUB_USERNAME", "alice")
        .env("DOCKERHUB_TOKEN", secret)
        .env("DOCKERHUB_AUTH_CACHE_DIR", dir)
}

fn token_route(server: &MockServer, delay: Duration) -> Mock<'_> {
    let jwt = jwt(hub_claims(now_unix()));
    server.mock(|when, then| {
        when.method("POST").path("/v2/auth/token");
        then.status(200)
            .delay(delay)
            .json_body(json!({ "access_token": jwt }));
    })
}

/// Every file in `dir` and its content.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let content = std::fs::read(&path).unwrap();
            (path, content)
        })
        .collect()
}

#[test]
fn a_second_run_prints_the_cached_token_without_a_request() {
    let server = MockServer::start();
    let mock = token_route(&server, Duration::ZERO);
    let cache = shared();
    let first = token(&server, &cache.dir, CANARY, &["-v"]).run();
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(
        !first.stderr.contains("from the disk cache"),
        "{}",
        first.stderr
    );
    let second = token(&server, &cache.dir, CANARY, &["-v"]).run();
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert_eq!(second.stdout, first.stdout);
    mock.assert_calls(1);
    // -v says where the token came from, and never shows it.
    assert!(
        second.stderr.contains("from the disk cache"),
        "{}",
        second.stderr
    );
    let token = first.stdout.trim();
    for run in [&first, &second] {
        assert!(!run.stderr.contains(token));
        assert!(!run.stderr.contains(CANARY));
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_token_cached_for_an_https_hub_is_served_without_setting_up_tls() {
    let jwt = jwt(hub_claims(now_unix()));
    let hub =
        crate::support::tls::TlsServer::start(move |method, path, _| crate::support::tls::Answer {
            status: if (method, path) == ("POST", "/v2/auth/token") {
                200
            } else {
                404
            },
            headers: Vec::new(),
            body: json!({ "access_token": jwt }).to_string(),
        });
    let cache = shared();
    let run = |certificates: &Path, extra: &[&str]| {
        let mut args = vec!["token", "--base-url", hub.url.as_str()];
        args.extend_from_slice(extra);
        Cli::new(&args)
            .env("DOCKERHUB_USERNAME", "alice")
            .env("DOCKERHUB_TOKEN", CANARY)
            .env("DOCKERHUB_AUTH_CACHE_DIR", &cache.dir)
            .env("SSL_CERT_FILE", certificates)
            .env_remove("SSL_CERT_DIR")
            .run()
    };
    // The first run trusts the local hub's certificate authority and fills the cache.
    let first = run(&hub.ca_file, &[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(hub.requests(), 1);

    // With no root certificate to load, setting up TLS fails: a cache hit never tries.
    let cached = run(&hub.no_certificates, &[]);
    assert_eq!(cached.code, 0, "{}", cached.stderr);
    assert_eq!(cached.stdout, first.stdout);

    // A run that needs the network finds out at its first request, as a transport failure
    // (with native-tls, OpenSSL reads the certificates only at the handshake).
    let uncached = run(&hub.no_certificates, &["--no-cache"]);
    assert_eq!(uncached.code, 6, "{}", uncached.stderr);
    let expected = if cfg!(feature = "native-tls") {
        "could not talk to docker hub: "
    } else {
        "could not talk to docker hub: the HTTP client could not be initialized"
    };
    assert!(uncached.stderr.contains(expected), "{}", uncached.stderr);
    assert_eq!(hub.requests(), 1);
}

#[test]
fn fifty_runs_started_together_on_a_cold_cache_send_one_request() {
    let server = MockServer::start();
    let mock = token_route(&server, Duration::from_millis(300));
    let cache = shared();
    // Each run waits for its secret on stdin: all fifty are running before any goes on.
    let mut runs: Vec<Started> = (0..50)
        .map(|_| {
            token(&server, &cache.dir, "", &["--secret-stdin"])
                .env_remove("DOCKERHUB_TOKEN")
                .stdin(CANARY)
                .start()
        })
        .collect();
    for run in &mut runs {
        run.release();
    }
    let outputs: Vec<Run> = runs.into_iter().map(Started::finish).collect();
    for run in &outputs {
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(run.stdout, outputs[0].stdout);
    }
    mock.assert_calls(1);
}

#[test]
fn a_wrong_secret_is_sent_once_and_the_right_one_works_at_once() {
    let server = MockServer::start();
    let rejected = server.mock(|when, then| {
        when.path("/v2/auth/token")
            .json_body(json!({ "identifier": "alice", "secret": "dckr_pat_wrong" }));
        then.status(401)
            .json_body(json!({ "detail": "Incorrect authentication credentials" }));
    });
    let accepted = server.mock(|when, then| {
        when.path("/v2/auth/token")
            .json_body(json!({ "identifier": "alice", "secret": CANARY }));
        then.status(200)
            .json_body(json!({ "access_token": "right" }));
    });
    let cache = shared();
    for attempt in 0..20 {
        let run = token(&server, &cache.dir, "dckr_pat_wrong", &[]).run();
        assert_eq!(run.code, 3, "{}", run.stderr);
        assert!(run.stderr.contains("Incorrect authentication credentials"));
        if attempt > 0 {
            // Answered from the cache, and the message says how to ask Hub now.
            assert!(run.stderr.contains("remembered"), "{}", run.stderr);
            assert!(
                run.stderr.contains("dockerhub-auth logout"),
                "{}",
                run.stderr
            );
            assert!(run.stderr.contains("--no-cache"), "{}", run.stderr);
        }
    }
    rejected.assert_calls(1);
    let run = token(&server, &cache.dir, CANARY, &[]).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "right\n");
    accepted.assert_calls(1);
}

#[test]
fn a_remembered_rate_limit_exits_5_at_once() {
    let server = MockServer::start();
    let limited = server.mock(|when, then| {
        when.path("/v2/auth/token");
        then.status(429)
            .header("retry-after", "600")
            .json_body(json!({ "detail": "Too Many Requests" }));
    });
    let cache = shared();
    for _ in 0..3 {
        let run = token(&server, &cache.dir, CANARY, &[]).run();
        assert_eq!(run.code, 5, "{}", run.stderr);
    }
    limited.assert_calls(1);
    // --no-cache asks Hub again, and still neither reads nor writes the cache.
    let run = token(&server, &cache.dir, CANARY, &["--no-cache"]).run();
    assert_eq!(run.code, 5);
    assert!(!run.stderr.contains("remembered"), "{}", run.stderr);
    limited.assert_calls(2);
}

#[test]
fn no_cache_neither_reads_nor_writes() {
    let server = MockServer::start();
    let mock = token_route(&server, Duration::ZERO);
    let cache = shared();
    for run in [
        token(&server, &cache.dir, CANARY, &["--no-cache"]),
        token(&server, &cache.dir, CANARY, &[]).env("DOCKERHUB_AUTH_NO_CACHE", "1"),
    ] {
        assert_eq!(run.run().code, 0);
    }
    mock.assert_calls(2);
    assert!(!cache.dir.exists());
    // A cached token is not read either.
    assert_eq!(token(&server, &cache.dir, CANARY, &[]).run().code, 0);
    mock.assert_calls(3);
    assert_eq!(
        token(&server, &cache.dir, CANARY, &["--no-cache"])
            .run()
            .code,
        0
    );
    mock.assert_calls(4);
    // DOCKERHUB_AUTH_NO_CACHE=0 leaves the cache on.
    let run = token(&server, &cache.dir, CANARY, &[]).env("DOCKERHUB_AUTH_NO_CACHE", "0");
    assert_eq!(run.run().code, 0);
    mock.assert_calls(4);
}

#[test]
fn a_corrupt_or_truncated_entry_is_ignored_and_replaced() {
    let server = MockServer::start();
    let mock = token_route(&server, Duration::ZERO);
    let cache = shared();
    assert_eq!(token(&server, &cache.dir, CANARY, &[]).run().code, 0);
    let entry = files(&cache.dir)
        .into_iter()
        .map(|(path, _)| path)
        .find(|path| path.extension().is_some_and(|ext| ext == "json"))
        .unwrap();
    let whole = std::fs::read(&entry).unwrap();
    for (damage, calls) in [
        (whole[..whole.len() / 3].to_vec(), 2),
        (b"{{{ not json".to_vec(), 3),
    ] {
        std::fs::write(&entry, damage).unwrap();
        let run = token(&server, &cache.dir, CANARY, &[]).run();
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(run.stderr, "");
        mock.assert_calls(calls);
        // Replaced: the next run is served from it.
        assert_eq!(token(&server, &cache.dir, CANARY, &[]).run().code, 0);
        mock.assert_calls(calls);
    }
}

#[test]
fn no_file_in_the_cache_holds_the_secret_or_a_token_in_clear() {
    let server = MockServer::start();
    let exchange = token_route(&server, Duration::ZERO);
    let login = server.mock(|when, then| {
        when.path("/v2/users/login");
        then.status(200)
            .json_body(json!({ "token": "eyJ.login-token-in-clear.sig" }));
    });
    let cache = shared();
    let first = token(&server, &cache.dir, CANARY, &[]).run();
    assert_eq!(first.code, 0, "{}", first.stderr);
    // Served from the cache the second time: the entry holds the token, sealed.
    let again = token(&server, &cache.dir, CANARY, &[]).run();
    assert_eq!(again.stdout, first.stdout);
    exchange.assert_calls(1);
    let password = "dckr_pat_PASSWORD_must_not_print";
    let run = Cli::new(&[
        "login",
        "--base-url",
        &server.base_url(),
        "--password-stdin",
    ])
    .env("DOCKERHUB_USERNAME", "alice")
    .env("DOCKERHUB_AUTH_CACHE_DIR", &cache.dir)
    .stdin(password)
    .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    login.assert_calls(1);
    let jwt = first.stdout.trim();
    for (path, content) in files(&cache.dir) {
        for secret in [CANARY, password, jwt, "eyJ.login-token-in-clear.sig"] {
            let shown = content
                .windows(secret.len())
                .any(|w| w == secret.as_bytes());
            assert!(!shown, "{secret} in {}", path.display());
        }
    }
}

#[test]
fn login_reuses_a_two_factor_token_without_asking_for_a_code() {
    let server = MockServer::start();
    let login = server.mock(|when, then| {
        when.path("/v2/users/login");
        then.status(401).json_body(second_factor_required());
    });
    let second_factor = server.mock(|when, then| {
        when.path("/v2/users/2fa-login")
            .json_body(second_factor_answer("123456"));
        then.status(200).json_body(json!({ "token": "after-2fa" }));
    });
    let cache = shared();
    let login_run = |extra: &[&str]| {
        let url = server.base_url();
        let mut args = vec!["login", "--base-url", url.as_str(), "--password-stdin"];
        args.extend_from_slice(extra);
        Cli::new(&args)
            .env("DOCKERHUB_USERNAME", "alice")
            .env("DOCKERHUB_AUTH_CACHE_DIR", &cache.dir)
            .stdin("hunter2hunter2")
            .run()
    };
    let first = login_run(&["--code", "123 456"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(first.stdout, "after-2fa\n");
    // No code this time, and no terminal to ask for one: the cached token is enough.
    let second = login_run(&[]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert_eq!(second.stdout, "after-2fa\n");
    login.assert_calls(1);
    second_factor.assert_calls(1);
}

#[test]
fn a_rejected_password_is_remembered_by_login() {
    let server = MockServer::start();
    let login = server.mock(|when, then| {
        when.path("/v2/users/login");
        then.status(401)
            .json_body(json!({ "detail": "Incorrect authentication credentials" }));
    });
    let cache = shared();
    for _ in 0..3 {
        let run = Cli::new(&[
            "login",
            "--base-url",
            &server.base_url(),
            "--password-stdin",
        ])
        .env("DOCKERHUB_USERNAME", "alice")
        .env("DOCKERHUB_AUTH_CACHE_DIR", &cache.dir)
        .stdin("wrong-password")
        .run();
        assert_eq!(run.code, 3, "{}", run.stderr);
    }
    login.assert_calls(1);
}

#[test]
fn logout_removes_all_entries_or_one_users_and_never_dockers_files() {
    let server = MockServer::start();
    let mock = token_route(&server, Duration::ZERO);
    let cache = shared();
    let docker = tempfile::tempdir().unwrap();
    let docker_config = docker.path().join("config.json");
    std::fs::write(&docker_config, r#"{"auths":{}}"#).unwrap();
    let as_user = |user: &str| {
        token(&server, &cache.dir, CANARY, &[])
            .env("DOCKERHUB_USERNAME", user)
            .env("DOCKER_CONFIG", docker.path())
            .run()
    };
    let logout = |extra: &[&str]| {
        let mut args = vec!["logout"];
        args.extend_from_slice(extra);
        Cli::new(&args)
            .env("DOCKERHUB_AUTH_CACHE_DIR", &cache.dir)
            .env("DOCKERHUB_USERNAME", "bob")
            .env("DOCKER_CONFIG", docker.path())
            .run()
    };
    assert_eq!(as_user("alice").code, 0);
    assert_eq!(as_user("bob").code, 0);
    mock.assert_calls(2);

    let run = logout(&["--username", "alice"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert_eq!(as_user("bob").code, 0); // still cached
    mock.assert_calls(2);
    assert_eq!(as_user("alice").code, 0); // asked again
    mock.assert_calls(3);

    // Without --username, everything (DOCKERHUB_USERNAME is not read).
    assert_eq!(logout(&[]).code, 0);
    assert_eq!(as_user("alice").code, 0);
    assert_eq!(as_user("bob").code, 0);
    mock.assert_calls(5);
    assert_eq!(
        std::fs::read_to_string(&docker_config).unwrap(),
        r#"{"auths":{}}"#
    );
}

#[test]
fn logout_forgets_a_remembered_rejection() {
    let server = MockServer::start();
    let rejected = server.mock(|when, then| {
        when.path("/v2/auth/token");
        then.status(401).json_body(json!({ "detail": "no" }));
    });
    let cache = shared();
    assert_eq!(token(&server, &cache.dir, CANARY, &[]).run().code, 3);
    assert_eq!(token(&server, &cache.dir, CANARY, &[]).run().code, 3);
    rejected.assert_calls(1);
    let logout = Cli::new(&["logout", "--username", "alice"])
        .env("DOCKERHUB_AUTH_CACHE_DIR", &cache.dir)
        .run();
    assert_eq!(logout.code, 0, "{}", logout.stderr);
    assert_eq!(token(&server, &cache.dir, CANARY, &[]).run().code, 3);
    rejected.assert_calls(2);
}

#[cfg(unix)]
mod permissions {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    #[test]
    fn every_file_is_0600_and_the_directory_0700() {
        let server = MockServer::start();
        token_route(&server, Duration::ZERO);
        let cache = shared();
        assert_eq!(token(&server, &cache.dir, CANARY, &[]).run().code, 0);
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&cache.dir), 0o700);
        let files = files(&cache.dir);
        assert!(!files.is_empty());
        for (path, _) in files {
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
    }

    #[test]
    fn a_directory_others_can_write_is_not_used_with_one_warning() {
        let server = MockServer::start();
        let mock = token_route(&server, Duration::ZERO);
        let cache = shared();
        std::fs::create_dir(&cache.dir).unwrap();
        std::fs::set_permissions(&cache.dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        for calls in [1, 2] {
            let run = token(&server, &cache.dir, CANARY, &[]).run();
            assert_eq!(run.code, 0, "{}", run.stderr);
            assert!(!run.stdout.trim().is_empty());
            let lines: Vec<_> = run.stderr.lines().collect();
            assert_eq!(lines.len(), 1, "{}", run.stderr);
            assert!(
                lines[0].starts_with("dockerhub-auth: warning: ")
                    && lines[0].contains("writable by other users"),
                "{}",
                run.stderr
            );
            mock.assert_calls(calls);
        }
        assert_eq!(std::fs::read_dir(&cache.dir).unwrap().count(), 0);
    }
}

/// `registry-token` as alice with `secret`, against a registry on `server` whose challenge
/// names Docker Hub's token service (realm on the same server), with the cache in `dir`.
fn registry_token(server: &MockServer, dir: &Path, secret: &str, scope: &str) -> Cli {
    let url = server.base_url();
    Cli::new(&[
        "registry-token",
        "--registry",
        url.as_str(),
        "--scope",
        scope,
    ])
    .env("DOCKERHUB_USERNAME", "alice")
    .env("DOCKERHUB_TOKEN", secret)
    .env("DOCKERHUB_AUTH_CACHE_DIR", dir)
}

/// A registry whose challenge names Docker Hub's token service, which refuses every request.
fn refusing_registry(server: &MockServer) -> Mock<'_> {
    let challenge = format!(
        r#"Bearer realm="{}",service="registry.docker.io""#,
        server.url("/token")
    );
    server.mock(|when, then| {
        when.method("GET").path("/v2/");
        then.status(401).header("www-authenticate", challenge);
    });
    server.mock(|when, then| {
        when.path("/token");
        then.status(401)
            .json_body(json!({ "details": "incorrect username or password" }));
    })
}

#[test]
fn a_secret_refused_for_one_scope_is_not_sent_for_the_next() {
    let registry = MockServer::start();
    let refused = refusing_registry(&registry);
    let cache = shared();
    for scope in ["alpine", "debian", "acme/app", "acme/db"] {
        let run = registry_token(&registry, &cache.dir, "dckr_pat_wrong", scope).run();
        assert_eq!(run.code, 3, "{scope}: {}", run.stderr);
    }
    // Four runs, four scope sets, one secret: one refusal reached the token service.
    refused.assert_calls(1);
}

#[test]
fn a_refusal_by_docker_hub_stops_the_registry_commands_and_the_other_way_round() {
    let hub = MockServer::start();
    let rejected = hub.mock(|when, then| {
        when.path("/v2/auth/token");
        then.status(401)
            .json_body(json!({ "detail": "Incorrect authentication credentials" }));
    });
    let registry = MockServer::start();
    let refused = refusing_registry(&registry);
    let cache = shared();
    let run = token(&hub, &cache.dir, "dckr_pat_wrong", &[]).run();
    assert_eq!(run.code, 3, "{}", run.stderr);
    // The same secret of the same account at Docker Hub's token service: one lockout, so
    // not sent there either.
    let run = registry_token(&registry, &cache.dir, "dckr_pat_wrong", "alpine").run();
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("remembered"), "{}", run.stderr);
    let url = registry.base_url();
    let run = Cli::new(&["rate-limit", "--registry", url.as_str()])
        .env("DOCKERHUB_USERNAME", "alice")
        .env("DOCKERHUB_TOKEN", "dckr_pat_wrong")
        .env("DOCKERHUB_AUTH_CACHE_DIR", &cache.dir)
        .run();
    assert_eq!(run.code, 3, "{}", run.stderr);
    refused.assert_calls(0);
    rejected.assert_calls(1);

    // The other way round, with another wrong secret.
    let run = registry_token(&registry, &cache.dir, "dckr_pat_wrong_too", "alpine").run();
    assert_eq!(run.code, 3, "{}", run.stderr);
    refused.assert_calls(1);
    let run = token(&hub, &cache.dir, "dckr_pat_wrong_too", &[]).run();
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("remembered"), "{}", run.stderr);
    rejected.assert_calls(1);
}

#[test]
fn a_transient_failure_is_not_remembered_by_the_next_process() {
    let server = MockServer::start();
    let mut down = server.mock(|when, then| {
        when.path("/v2/auth/token");
        then.status(503).body("down for maintenance");
    });
    let cache = shared();
    // As a CI retry loop would: `until dockerhub-auth token; do sleep 2; done`.
    let first = token(&server, &cache.dir, CANARY, &[]).run();
    assert_eq!(first.code, 6, "{}", first.stderr);
    let sent = down.calls();
    assert!(sent >= 1);
    let second = token(&server, &cache.dir, CANARY, &[]).run();
    assert_eq!(second.code, 6, "{}", second.stderr);
    assert!(!second.stderr.contains("remembered"), "{}", second.stderr);
    assert_eq!(down.calls(), 2 * sent, "the second process asked again");
    // And once Hub is back, the next process gets its token.
    down.delete();
    let up = token_route(&server, Duration::ZERO);
    let third = token(&server, &cache.dir, CANARY, &[]).run();
    assert_eq!(third.code, 0, "{}", third.stderr);
    up.assert_calls(1);
}
