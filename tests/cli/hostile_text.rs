//! Text from a hostile server (or config file) on the way to a terminal: token ids, labels,
//! scopes, descriptions and resource paths with escape sequences, line breaks and
//! bidirectional overrides; a token with characters a token cannot have; server messages
//! with tokens glued to words, on stderr and in the token cache; a stored username that
//! tries to forge a log line.

use std::fs;

use crate::support::{
    assert_no_stranger_token,
    cli::{Cli, Run, cli},
    glued_tokens_message,
    tokens::{
        as_alice::{NEW_SECRET, login, run},
        bearer,
    },
};
use httpmock::{Method::*, MockServer};
use serde_json::{Value, json};

/// A title change, a screen clear, a CSI in its C1 form, a line break that would start a
/// line of its own, DEL, and a right-to-left override.
const TITLE: &str = "\u{1b}]0;pwned\u{7}";
const CLEAR: &str = "\u{1b}[2J\u{1b}[H";
const C1_RED: &str = "\u{9b}31m";
const FORGED_LINE: &str = "\r\nFORGED";
const RLO: &str = "\u{202e}exe.txt";

/// Returns whether a character would act on a terminal rather than show itself.
fn acts_on_a_terminal(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

/// Asserts that what the run printed shows everything as text: no control character but
/// the line feeds between lines, no bidirectional override.
fn assert_inert(run: &Run) {
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        let active: Vec<char> = text.chars().filter(|c| acts_on_a_terminal(*c)).collect();
        assert!(active.is_empty(), "{stream} holds {active:?}: {text:?}");
    }
}

fn hostile_pat() -> Value {
    json!({
        "uuid": format!("id-{CLEAR}1"), "client_id": format!("HUB{C1_RED}"),
        "creator_ip": "203.0.113.7", "creator_ua": format!("curl{FORGED_LINE}"),
        "created_at": "2026-07-01T10:00:00Z", "last_used": null, "generated_by": "manual",
        "is_active": true, "token": "", "token_label": format!("{TITLE}laptop{RLO}"),
        "scopes": [format!("repo:read{FORGED_LINE}"), format!("repo:{C1_RED}write")],
        "expires_at": null
    })
}

fn hostile_oat() -> Value {
    json!({
        "id": format!("a7{TITLE}"), "label": format!("ci{FORGED_LINE}"),
        "description": format!("{C1_RED}red {RLO}"), "created_by": format!("bob\u{7f}{CLEAR}"),
        "is_active": true, "created_at": "2026-07-01T10:00:00Z", "expires_at": null,
        "last_used_at": null,
        "resources": [{ "type": "TYPE_REPO", "path": format!("acme/{CLEAR}*"),
                        "scopes": ["scope-image-pull"] }]
    })
}

#[test]
fn server_text_in_pat_and_oat_output_cannot_act_on_the_terminal() {
    let server = MockServer::start();
    let login = login(&server);
    let list = server.mock(|when, then| {
        when.method(GET).path("/v2/access-tokens");
        then.status(200)
            .json_body(json!({ "count": 1, "next": null, "results": [hostile_pat()] }));
    });
    let show = server.mock(|when, then| {
        when.method(GET).path("/v2/access-tokens/id-1");
        then.status(200).json_body(hostile_pat());
    });
    let deactivate = server.mock(|when, then| {
        when.method(PATCH).path("/v2/access-tokens/id-1");
        then.status(200).json_body(hostile_pat());
    });
    let oat_list = server.mock(|when, then| {
        when.method(GET).path("/v2/orgs/acme/access-tokens");
        then.status(200)
            .json_body(json!({ "total": 1, "next": null, "results": [hostile_oat()] }));
    });
    let oat_show = server.mock(|when, then| {
        when.method(GET).path("/v2/orgs/acme/access-tokens/a7");
        then.status(200).json_body(hostile_oat());
    });

    let runs = [
        (run(&server, &["pat", "list"]), 2),
        (run(&server, &["pat", "show", "id-1"]), 11),
        (run(&server, &["pat", "deactivate", "id-1"]), 0),
        (run(&server, &["oat", "list", "acme"]), 2),
        (run(&server, &["oat", "show", "acme", "a7"]), 9),
    ];
    for (run, lines) in &runs {
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_inert(run);
        // Each token on its own line(s): no line break of the server's own made another.
        assert_eq!(run.stdout.lines().count(), *lines, "{}", run.stdout);
        assert!(!run.stdout.lines().any(|line| line.starts_with("FORGED")));
    }
    // What was sent is still shown, as escapes.
    let table = &runs[0].0.stdout;
    for shown in [
        "\\u{1b}]0;pwned\\u{7}laptop\\u{202e}exe.txt",
        "id-\\u{1b}[2J",
        "repo:read\\r\\nFORGED",
    ] {
        assert!(table.contains(shown), "{shown} not in {table}");
    }
    assert!(
        runs[2]
            .0
            .stderr
            .contains("deactivated personal access token")
    );
    assert!(
        runs[3].0.stdout.contains("acme/\\u{1b}[2J\\u{1b}[H*"),
        "{}",
        runs[3].0.stdout
    );

    // JSON escapes all of it too (C1, DEL and the override as well as the C0 controls),
    // and reads back as what the server sent.
    let json = run(&server, &["pat", "list", "--json"]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    assert_inert(&json);
    let listed: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(listed[0]["label"], hostile_pat()["token_label"]);
    assert_eq!(listed[0]["scopes"], hostile_pat()["scopes"]);
    let json = run(&server, &["oat", "show", "acme", "a7", "--json"]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    assert_inert(&json);
    let shown: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(shown["created_by"], hostile_oat()["created_by"]);
    assert_eq!(shown["description"], hostile_oat()["description"]);

    login.assert_calls(7);
    list.assert_calls(2);
    show.assert_calls(1);
    deactivate.assert_calls(1);
    oat_list.assert_calls(1);
    oat_show.assert_calls(2);
}

#[test]
fn a_token_with_characters_a_token_cannot_have_is_never_printed() {
    let server = MockServer::start();
    let bad = format!("eyJ.x.y{TITLE}{CLEAR}");
    let exchange = server.mock(|when, then| {
        when.path("/v2/auth/token");
        then.status(200).json_body(json!({ "access_token": bad }));
    });
    let url = server.base_url();
    for args in [
        &["token", "--base-url", &url][..],
        &["token", "--json", "--base-url", &url],
    ] {
        let run = cli(
            args,
            &[
                ("DOCKERHUB_USERNAME", "alice"),
                ("DOCKERHUB_TOKEN", "pw-of-alice"),
            ],
            "",
        );
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert_eq!(run.stdout, "");
        assert!(
            run.stderr
                .contains("the server sent a token with characters a token cannot have"),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains("eyJ.x.y"), "{}", run.stderr);
        assert_inert(&run);
    }
    // Each run has a cache of its own.
    exchange.assert_calls(2);

    // A new access token's secret, the same.
    let hub = MockServer::start();
    let login = login(&hub);
    let mut created = hostile_pat();
    created["token"] = json!(format!("{NEW_SECRET}\n{CLEAR}"));
    let create = hub.mock(|when, then| {
        when.method(POST).path("/v2/access-tokens");
        then.status(201).json_body(created);
    });
    let run = run(
        &hub,
        &["pat", "create", "--label", "ci", "--scope", "repo:read"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert!(!run.stderr.contains(NEW_SECRET), "{}", run.stderr);
    assert_inert(&run);
    login.assert_calls(1);
    create.assert_calls(1);
}

#[test]
fn a_server_message_reaches_stderr_and_the_cache_inert_and_without_tokens() {
    let server = MockServer::start();
    let refusal = server.mock(|when, then| {
        when.path("/v2/auth/token");
        then.status(401).json_body(json!({
            "detail": format!("{} {TITLE}{RLO}{FORGED_LINE}", glued_tokens_message())
        }));
    });
    let cache = tempfile::tempdir().unwrap();
    let token = || {
        Cli::new(&["token", "--base-url", &server.base_url()])
            .env("DOCKERHUB_USERNAME", "alice")
            .env("DOCKERHUB_TOKEN", "pw-of-alice")
            .env("DOCKERHUB_AUTH_CACHE_DIR", cache.path())
            .run()
    };
    let first = token();
    let remembered = token();
    for run in [&first, &remembered] {
        assert_eq!(run.code, 3, "{}", run.stderr);
        assert!(run.stderr.contains("session=[redacted]"), "{}", run.stderr);
        assert_no_stranger_token(&run.stderr);
        assert_inert(run);
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    }
    assert!(
        remembered.stderr.contains("remembered"),
        "{}",
        remembered.stderr
    );
    refusal.assert_calls(1);
    // What the cache stored of the message.
    let mut entries = 0;
    for entry in fs::read_dir(cache.path()).unwrap() {
        let bytes = fs::read(entry.unwrap().path()).unwrap();
        assert_no_stranger_token(&String::from_utf8_lossy(&bytes));
        entries += 1;
    }
    assert!(entries > 0, "nothing was cached");
}

#[test]
fn a_stored_username_with_a_line_break_cannot_forge_a_log_line() {
    let server = MockServer::start();
    let exchange = server.mock(|when, then| {
        when.path("/v2/auth/token");
        then.status(200)
            .json_body(json!({ "access_token": bearer() }));
    });
    let username = format!("alice{FORGED_LINE} ERROR forged{TITLE}");
    let auth = crate::support::docker::base64(&format!("{username}:pw-of-alice"));
    let cli = Cli::new(&["-v", "token", "--base-url", &server.base_url()]);
    fs::write(
        cli.home().join(".docker/config.json"),
        json!({ "auths": { "https://index.docker.io/v1/": { "auth": auth } } }).to_string(),
    )
    .unwrap();
    let run = cli.run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_inert(&run);
    assert!(run.stderr.contains("alice\\r\\nFORGED"), "{}", run.stderr);
    assert!(
        !run.stderr
            .lines()
            .any(|line| line.trim_start().starts_with("FORGED")),
        "{}",
        run.stderr
    );
    exchange.assert_calls(1);
}
