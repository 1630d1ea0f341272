//! What goes to stdout: one line a script can capture, or one JSON document.

use std::io::{self, Write};

use dockerhub_auth::Token;

use crate::failure::Failure;

/// What `--json` prints for the commands that print a token with [`print_token`].
pub(crate) const TOKEN_JSON_HELP: &str =
    "Print {\"token\", \"expires_at\", \"username\"} as JSON instead of the token alone";

/// Prints the token alone on one line, or `{"token", "expires_at", "username"}` with
/// `--json` (`expires_at` from its `exp` claim, `username` as the session says).
pub(crate) fn print_token(
    token: &Token,
    username: Option<&str>,
    json: bool,
) -> Result<(), Failure> {
    if !json {
        return write_stdout(token.expose_secret());
    }
    let document = serde_json::json!({
        "token": token.expose_secret(),
        "expires_at": token.expires_at().map(rfc3339),
        "username": username,
    });
    write_stdout(&document.to_string())
}

/// Formats a point in time as RFC 3339 in UTC, to the second.
pub(crate) fn rfc3339(at: std::time::SystemTime) -> String {
    humantime::format_rfc3339_seconds(at).to_string()
}

/// Writes one line to stdout and flushes it.
pub(crate) fn write_stdout(line: &str) -> Result<(), Failure> {
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .map_err(Failure::output)
}
