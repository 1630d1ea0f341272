//! What the binary reads from stdin: a secret (`--secret-stdin`, `--password-stdin`) and
//! `inspect`'s token, each one line of at most 64 KiB, whatever is piped in.

use std::{io::Write as _, thread};

use crate::support::cli::{Cli, cli};
use httpmock::MockServer;
use serde_json::json;

/// The limit on a line read from stdin.
const LIMIT: usize = 64 * 1024;

/// The commands that read a line from stdin, against `url`.
fn readers(url: &str) -> [Vec<String>; 3] {
    let args = |args: &[&str]| args.iter().map(|arg| (*arg).to_owned()).collect::<Vec<_>>();
    [
        args(&[
            "token",
            "--base-url",
            url,
            "--username",
            "alice",
            "--secret-stdin",
        ]),
        args(&[
            "login",
            "--base-url",
            url,
            "--username",
            "alice",
            "--password-stdin",
        ]),
        args(&["inspect"]),
    ]
}

fn any_request(server: &MockServer) -> httpmock::Mock<'_> {
    server.mock(|when, then| {
        when.any_request();
        then.status(200)
            .json_body(json!({ "access_token": "t", "token": "t" }));
    })
}

#[test]
fn a_line_longer_than_64_kib_on_stdin_exits_2_without_a_request() {
    let server = MockServer::start();
    let mock = any_request(&server);
    let huge = "s".repeat(16 * LIMIT);
    for args in readers(&server.base_url()) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = cli(&args, &[], &huge);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("longer than 64 KiB"), "{}", run.stderr);
        assert!(!run.stderr.contains("ssssssss"), "{}", run.stderr);
        assert_eq!(run.stdout, "");
    }
    mock.assert_calls(0);
}

#[test]
fn an_endless_stdin_is_read_only_to_the_limit() {
    let server = MockServer::start();
    let mock = any_request(&server);
    for args in readers(&server.base_url()) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut started = Cli::new(&args).start();
        let mut stdin = started.take_stdin();
        // `/dev/zero` through a pipe: written until the binary stops reading (a broken pipe)
        // or, should it never stop, 64 MiB, so that the test ends either way.
        let writer = thread::spawn(move || {
            let chunk = [0u8; 16 * 1024];
            let mut written = 0;
            while written < 64 << 20 {
                match stdin.write(&chunk) {
                    Ok(count) => written += count,
                    Err(_) => break,
                }
            }
            written
        });
        let run = started.finish();
        let written = writer.join().unwrap();
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("longer than 64 KiB"), "{}", run.stderr);
        // What it read (the limit and one byte), what the pipe holds (64 KiB on Linux), and
        // a write that was under way: far below what an unbounded read would have taken.
        assert!(
            written < 16 * LIMIT,
            "{args:?}: {written} bytes were written"
        );
    }
    mock.assert_calls(0);
}

#[test]
fn inspect_says_in_its_help_that_the_token_comes_from_stdin() {
    let run = cli(&["inspect", "--help"], &[], "");
    assert_eq!(run.code, 0);
    for expected in [
        "dockerhub-auth inspect < token.txt",
        "echo \"$TOKEN\" | dockerhub-auth inspect",
        "visible to every user",
    ] {
        assert!(run.stdout.contains(expected), "{}", run.stdout);
    }
    assert!(!run.stdout.contains("[TOKEN]"), "{}", run.stdout);
}
