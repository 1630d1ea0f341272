//! Keyless CI's failures on the command line: refusals exit 3 with the service's words and
//! are remembered across runs, a rate limit exits 5, invalid settings and missing runner
//! variables exit 2 before any request, and `login`, `pat` and `oat`, which need a password,
//! refuse OIDC credentials.

use super::oidc::{job_env, run_in, shared_cache};
use crate::support::oidc::*;
use httpmock::MockServer;
use serde_json::json;

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
    // The connection in the environment, or given as a flag: the same refusal, not a
    // usage error about an unknown flag.
    let flag = ["--oidc-connection", CONNECTION];
    for (command, extra) in [
        (&["login"][..], &[][..]),
        (&["pat", "list"], &[]),
        (&["oat", "list", ORG], &[]),
        (&["login"], &flag),
        (&["pat", "list"], &flag),
    ] {
        let mut args = command.to_vec();
        args.extend_from_slice(&["--base-url", &url]);
        args.extend_from_slice(extra);
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
