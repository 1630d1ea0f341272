//! Keyless CI's token cache on the command line: the processes of one job share the
//! exchanged token, another job or another given ID token gets its own, the files hold no ID
//! token or runner token, `-v` says where the token came from, and a cache hit sets up no
//! TLS. Unix only, like the disk cache.

use std::path::{Path, PathBuf};

use super::oidc::{job_env, run_in, shared_cache};
use crate::support::{cli::*, oidc::*};
use httpmock::MockServer;
use serde_json::json;

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
    // The second run was served from the disk cache, where the exchanged token is kept
    // sealed under a key from the runner's token: in clear in no file.
    exchange.assert_calls(1);
    let files = files(&cache);
    assert!(!files.is_empty());
    for (path, content) in &files {
        for (what, secret) in [
            ("ID token", id.as_str()),
            ("runner token", RUNNER_TOKEN),
            ("access token", ACCESS_TOKEN),
        ] {
            assert!(!content.contains(secret), "{what} in {}", path.display());
        }
    }
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
