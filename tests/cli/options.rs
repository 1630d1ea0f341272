//! Where `dockerhub-auth`'s global options go (before the command's name, after it, and after
//! `pat`'s and `oat`'s verbs), and what each command's `--help` lists: only the options and
//! variables it reads, and what its own `--json` prints.
use std::{
    net::TcpListener,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use crate::support::{CANARY, cli::*, hub_claims, jwt, tokens};
use httpmock::{Method::*, Mock, MockServer};
use serde_json::{Value, json};

const ALICE: &[(&str, &str)] = &[("DOCKERHUB_USERNAME", "alice"), ("DOCKERHUB_TOKEN", CANARY)];

fn token_route(server: &MockServer) -> (Mock<'_>, String) {
    let jwt = jwt(hub_claims(1_800_000_000));
    let mock = server.mock(|when, then| {
        when.method(POST).path("/v2/auth/token");
        then.status(200).json_body(json!({ "access_token": jwt }));
    });
    (mock, jwt)
}

/// `args` with `{url}` replaced by `url`.
fn with_url<'a>(args: &[&'a str], url: &'a str) -> Vec<&'a str> {
    args.iter()
        .map(|arg| if *arg == "{url}" { url } else { arg })
        .collect()
}

#[test]
fn base_url_and_json_work_before_and_after_the_command() {
    let server = MockServer::start();
    let (mock, jwt) = token_route(&server);
    let url = server.base_url();
    for args in [
        &["--base-url", "{url}", "--json", "token"][..],
        &["token", "--base-url", "{url}", "--json"],
        &["--json", "token", "--base-url", "{url}"],
        &["--base-url", "{url}", "token", "--json"],
    ] {
        let run = cli(&with_url(args, &url), ALICE, "");
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        let output: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(output["token"], json!(jwt), "{args:?}");
    }
    mock.assert_calls(4);
}

#[test]
fn verbose_works_before_and_after_the_command() {
    let server = MockServer::start();
    let (mock, jwt) = token_route(&server);
    let url = server.base_url();
    for args in [
        &["-v", "token", "--base-url", "{url}"][..],
        &["token", "-v", "--base-url", "{url}"],
    ] {
        let run = cli(&with_url(args, &url), ALICE, "");
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("attempt"),
            "{args:?} logged nothing: {}",
            run.stderr
        );
        assert!(!run.stderr.contains(&jwt) && !run.stderr.contains(CANARY));
    }
    mock.assert_calls(2);
}

#[test]
fn no_cache_works_before_and_after_the_command() {
    let server = MockServer::start();
    let (mock, _) = token_route(&server);
    let url = server.base_url();
    let cache = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let run = Cli::new(&with_url(args, &url))
            .env("DOCKERHUB_USERNAME", "alice")
            .env("DOCKERHUB_TOKEN", CANARY)
            .env("DOCKERHUB_AUTH_CACHE_DIR", cache.path())
            .run();
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    };
    run(&["token", "--base-url", "{url}"]);
    // Both ask Docker Hub again, although the cache holds a token.
    run(&["--no-cache", "token", "--base-url", "{url}"]);
    run(&["token", "--base-url", "{url}", "--no-cache"]);
    mock.assert_calls(3);
    // And neither wrote to it or removed it: the first run's token is still there.
    run(&["token", "--base-url", "{url}"]);
    mock.assert_calls(3);
}

/// A server that accepts connections and never answers; returns its URL and how many
/// connections it accepted.
fn silent_server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
            counter.fetch_add(1, Ordering::SeqCst);
        }
    });
    (url, accepted)
}

#[test]
fn timeout_works_before_and_after_the_command() {
    for args in [
        &["--timeout", "0.2", "token", "--base-url", "{url}"][..],
        &[
            "--timeout",
            "0.2",
            "rate-limit",
            "--anonymous",
            "--registry",
            "{url}",
        ],
        &[
            "rate-limit",
            "--anonymous",
            "--registry",
            "{url}",
            "--timeout",
            "0.2",
        ],
        &["--timeout", "0.2", "pat", "list", "--base-url", "{url}"],
    ] {
        let (url, accepted) = silent_server();
        let run = cli(&with_url(args, &url), ALICE, "");
        assert_eq!(run.code, 6, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("timed out"), "{args:?}: {}", run.stderr);
        assert!(accepted.load(Ordering::SeqCst) >= 1, "{args:?}");
    }
    for args in [
        &["--timeout", "0", "token"][..],
        &["token", "--timeout", "0"],
    ] {
        assert_eq!(cli(args, ALICE, "").code, 2, "{args:?}");
    }
}

#[test]
fn pat_and_oat_take_the_global_options_before_and_after_their_verb() {
    let server = MockServer::start();
    let login = tokens::as_alice::login(&server);
    let pats = server.mock(|when, then| {
        when.method(GET).path("/v2/access-tokens");
        then.status(200).json_body(
            json!({ "count": 1, "next": null, "results": [tokens::pat("id-1", "laptop")] }),
        );
    });
    let oats = server.mock(|when, then| {
        when.method(GET).path("/v2/orgs/acme/access-tokens");
        then.status(200)
            .json_body(json!({ "total": 1, "next": null, "results": [tokens::oat("id-2", "ci")] }));
    });
    let url = server.base_url();
    let env = [
        ("DOCKERHUB_USERNAME", "alice"),
        ("DOCKERHUB_TOKEN", tokens::as_alice::PASSWORD),
    ];
    for (args, id) in [
        (
            &["--base-url", "{url}", "--json", "pat", "list"][..],
            "id-1",
        ),
        (&["pat", "--base-url", "{url}", "--json", "list"], "id-1"),
        (&["pat", "list", "--base-url", "{url}", "--json"], "id-1"),
        (
            &["--json", "oat", "list", "acme", "--base-url", "{url}"],
            "id-2",
        ),
        (
            &["oat", "--json", "list", "acme", "--base-url", "{url}"],
            "id-2",
        ),
    ] {
        let run = cli(&with_url(args, &url), &env, "");
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        let listed: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(listed[0]["id"], json!(id), "{args:?}");
    }
    login.assert_calls(5);
    pats.assert_calls(3);
    oats.assert_calls(2);
}

#[test]
fn commands_take_the_global_options_they_do_not_read_and_ignore_them() {
    let jwt = format!("{}\n", jwt(hub_claims(1_800_000_000)));
    let plain = cli(&["inspect"], &[], &jwt);
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    for args in [
        &["inspect", "--json"][..],
        &["--json", "inspect"],
        &[
            "inspect",
            "--base-url",
            "https://hub.example",
            "--timeout",
            "1",
            "--no-cache",
        ],
    ] {
        let run = cli(args, &[], &jwt);
        assert_eq!((run.code, &run.stdout), (0, &plain.stdout), "{args:?}");
    }
    for args in [
        &["logout", "--json"][..],
        &["--json", "logout"],
        &[
            "logout",
            "--base-url",
            "https://hub.example",
            "--timeout",
            "1",
            "--no-cache",
        ],
    ] {
        let run = cli(args, &[], "");
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{args:?}");
        assert!(
            run.stderr.contains("removed 0 cached entries"),
            "{args:?}: {}",
            run.stderr
        );
    }
}

#[test]
fn the_registry_commands_take_base_url_and_send_nothing_there() {
    let registry = MockServer::start();
    let challenge = format!(
        r#"Bearer realm="{}",service="registry.docker.io""#,
        registry.url("/token")
    );
    registry.mock(|when, then| {
        when.method(GET).path("/v2/");
        then.status(401).header("www-authenticate", challenge);
    });
    let token = registry.mock(|when, then| {
        when.path("/token");
        then.status(200)
            .json_body(json!({ "token": "registry-token", "expires_in": 300 }));
    });
    let hub = MockServer::start();
    let nothing = hub.mock(|when, then| {
        when.any_request();
        then.status(500);
    });
    let (registry_url, hub_url) = (registry.base_url(), hub.base_url());
    let run = cli(
        &[
            "registry-token",
            "--anonymous",
            "--registry",
            &registry_url,
            "--base-url",
            &hub_url,
        ],
        &[],
        "",
    );
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "registry-token\n"),
        "{}",
        run.stderr
    );
    token.assert_calls(1);
    nothing.assert_calls(0);
}

/// Returns a command's `--help`.
fn help(command: &[&str]) -> String {
    let mut args = command.to_vec();
    args.push("--help");
    let run = cli(&args, &[], "");
    assert_eq!(run.code, 0, "{command:?}: {}", run.stderr);
    run.stdout
}

/// Returns the lines of `option`'s description in `help`.
fn option_help(help: &str, option: &str) -> String {
    let is_option = |line: &str| {
        let rest = line.trim_start().strip_prefix(option);
        rest.is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
    };
    let mut lines = help.lines().skip_while(|line| !is_option(line));
    let mut text = lines.next().unwrap_or_default().to_owned();
    for line in lines {
        let indent = line.len() - line.trim_start().len();
        if line.trim().is_empty() || (indent <= 6 && line.trim_start().starts_with('-')) {
            break;
        }
        text.push('\n');
        text.push_str(line);
    }
    text
}

const SENDING: [&str; 4] = ["--base-url", "--timeout", "--json", "--no-cache"];

#[test]
fn inspect_logout_and_configure_docker_list_no_option_or_variable_of_a_request() {
    for command in ["inspect", "logout", "configure-docker"] {
        let text = help(&[command]);
        for absent in SENDING.into_iter().chain([
            "DOCKERHUB_URL",
            "DOCKERHUB_TOKEN",
            "DOCKERHUB_USERNAME",
            "Credentials",
        ]) {
            assert!(
                !text.contains(absent),
                "{command} --help lists {absent}:\n{text}"
            );
        }
        assert!(text.contains("--verbose"), "{text}");
        assert!(text.contains("Exit codes"), "{text}");
    }
    let logout = help(&["logout"]);
    assert!(logout.contains("--username <USERNAME>"), "{logout}");
    assert!(logout.contains("DOCKERHUB_AUTH_CACHE_DIR"), "{logout}");
    let configure = help(&["configure-docker"]);
    for listed in ["--registry <HOST>", "--force", "DOCKER_CONFIG, HOME"] {
        assert!(configure.contains(listed), "{configure}");
    }
    assert!(
        !configure.contains("DOCKERHUB_AUTH_CACHE_DIR"),
        "{configure}"
    );
}

#[test]
fn the_registry_commands_list_the_registry_and_not_the_base_url() {
    for command in ["registry-token", "rate-limit"] {
        let text = help(&[command]);
        for present in [
            "--registry <URL>",
            "DOCKERHUB_REGISTRY_URL",
            "--anonymous",
            "--secret-stdin",
            "--timeout <SECONDS>",
            "--json",
            "--no-cache",
            "DOCKERHUB_TOKEN",
        ] {
            assert!(
                text.contains(present),
                "{command} --help lacks {present}:\n{text}"
            );
        }
        for absent in ["--base-url", "DOCKERHUB_URL", "--password-stdin"] {
            assert!(
                !text.contains(absent),
                "{command} --help lists {absent}:\n{text}"
            );
        }
    }
}

#[test]
fn the_hub_commands_list_every_global_option() {
    for command in [
        &["token"][..],
        &["login"],
        &["pat"],
        &["oat"],
        &["pat", "list"],
        &["oat", "create"],
    ] {
        let text = help(command);
        for present in
            SENDING
                .into_iter()
                .chain(["--verbose", "DOCKERHUB_URL", "<URL>", "<SECONDS>"])
        {
            assert!(
                text.contains(present),
                "{command:?} --help lacks {present}:\n{text}"
            );
        }
    }
}

#[test]
fn each_json_option_describes_its_own_command_output() {
    let token = ["\"token\"", "\"expires_at\"", "\"username\""];
    let pat = ["\"label\"", "\"scopes\"", "\"is_active\"", "\"creator_ip\""];
    let oat = [
        "\"label\"",
        "\"resources\"",
        "\"is_active\"",
        "\"created_by\"",
    ];
    for (command, fields, others) in [
        (&["token"][..], &token[..], &["\"scopes\"", "\"limit\""][..]),
        (&["login"], &token, &["\"scopes\"", "\"limit\""]),
        (
            &["registry-token"],
            &["\"token\"", "\"expires_at\"", "\"scopes\""],
            &["\"username\""],
        ),
        (
            &["rate-limit"],
            &[
                "\"limit\"",
                "\"remaining\"",
                "\"window_seconds\"",
                "\"source\"",
            ],
            &["\"token\"", "\"username\""],
        ),
        (&["pat"], &pat, &["\"resources\"", "\"username\""]),
        (&["pat", "list"], &pat, &["\"resources\""]),
        (&["oat"], &oat, &["\"creator_ip\"", "\"username\""]),
        (&["oat", "show"], &oat, &["\"creator_ip\""]),
    ] {
        let json = option_help(&help(command), "--json");
        for field in fields {
            assert!(
                json.contains(field),
                "{command:?}: --json lacks {field}: {json}"
            );
        }
        for field in others {
            assert!(
                !json.contains(field),
                "{command:?}: --json names {field}: {json}"
            );
        }
    }
}

#[test]
fn each_command_names_only_the_stdin_flag_it_takes() {
    let token = help(&["token"]);
    assert!(token.contains("--secret-stdin"), "{token}");
    assert!(!token.contains("--password-stdin"), "{token}");
    for command in [&["login"][..], &["pat"], &["oat"], &["pat", "create"]] {
        let text = help(command);
        assert!(text.contains("--password-stdin"), "{command:?}: {text}");
        assert!(!text.contains("--secret-stdin"), "{command:?}: {text}");
    }
}

#[test]
fn metavariables_read_as_words() {
    for command in [
        &[][..],
        &["token"],
        &["login"],
        &["logout"],
        &["pat"],
        &["oat", "create"],
        &["registry-token"],
        &["rate-limit"],
    ] {
        let text = help(command);
        assert!(!text.contains("<U>"), "{command:?}: {text}");
    }
    for command in ["token", "login", "pat", "registry-token", "logout"] {
        let text = help(&[command]);
        assert!(text.contains("--username <USERNAME>"), "{command}: {text}");
    }
}

#[test]
fn the_top_level_help_lists_the_global_options() {
    let text = help(&[]);
    for option in
        SENDING
            .into_iter()
            .chain(["--verbose", "DOCKERHUB_URL", "DOCKERHUB_REGISTRY_URL"])
    {
        assert!(text.contains(option), "--help lacks {option}:\n{text}");
    }
}

#[test]
fn a_misspelled_command_gets_a_suggestion() {
    for (typo, command) in [
        ("tokn", "token"),
        ("registry-tokn", "registry-token"),
        ("lgout", "logout"),
    ] {
        let run = cli(&[typo], &[], "");
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert_eq!(run.stdout, "");
        let tip = format!("tip: a similar subcommand exists: '{command}'");
        assert!(run.stderr.contains(&tip), "{typo}: {}", run.stderr);
    }
}
