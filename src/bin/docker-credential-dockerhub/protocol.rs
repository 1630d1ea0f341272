//! The wire of Docker's credential-helper protocol: the payload read from stdin, the answer
//! written to stdout, and a failure as one line on stdout with exit status 1 (clients show
//! that line to the user, and recognise [`NOT_FOUND`] by its text).

use std::{
    collections::BTreeMap,
    io::{self, Read, Write},
    process::ExitCode,
};

use dockerhub_auth::{ExposeSecret, SecretString};
use serde::Serialize;
use zeroize::Zeroizing;

/// The answer for a server the helper holds nothing for: clients compare the text
/// (`credentials.IsErrCredentialsNotFoundMessage`) and go on without credentials.
pub(crate) const NOT_FOUND: &str = "credentials not found in native keychain";

/// The answer to a `get` or `erase` with nothing on stdin, as Docker's own helpers say it.
const MISSING_SERVER: &str = "no credentials server URL";

/// The most read from stdin for a server: a URL is far shorter.
const SERVER_CAP: u64 = 64 * 1024;

/// The most read (and thrown away) from stdin for `store`.
const STORE_CAP: u64 = 1024 * 1024;

/// A failed action: one line on stdout, and exit status 1.
#[derive(Debug)]
pub(crate) struct Failure {
    message: String,
}

impl Failure {
    /// A failure saying `message` (on one line: control characters are escaped).
    pub(crate) fn new(message: impl Into<String>) -> Failure {
        let mut line = String::new();
        for c in message.into().chars() {
            match c.is_control() {
                true => line.extend(c.escape_default()),
                false => line.push(c),
            }
        }
        Failure { message: line }
    }

    /// The answer for a server the helper holds nothing for.
    pub(crate) fn not_found() -> Failure {
        Failure::new(NOT_FOUND)
    }

    /// Prints the line on stdout and returns exit status 1.
    pub(crate) fn report(self) -> ExitCode {
        // Nothing is left to report a failure to write the failure to.
        let _ = print_line(&self.message);
        ExitCode::FAILURE
    }
}

/// Reads the server a `get` or `erase` is about: stdin, trimmed, at most 64 KiB.
///
/// # Errors
///
/// When stdin cannot be read, holds more than 64 KiB or nothing but white space.
pub(crate) fn read_server() -> Result<String, Failure> {
    let mut bytes = Vec::new();
    io::stdin()
        .lock()
        .take(SERVER_CAP + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| Failure::new(format!("cannot read the server URL from stdin: {error}")))?;
    if bytes.len() as u64 > SERVER_CAP {
        return Err(Failure::new(
            "the server URL on stdin is longer than 64 KiB",
        ));
    }
    let server = String::from_utf8_lossy(&bytes).trim().to_owned();
    if server.is_empty() {
        return Err(Failure::new(MISSING_SERVER));
    }
    Ok(server)
}

/// Reads stdin to its end (at most 1 MiB) and throws it away, wiping the buffer: `store`'s
/// payload holds a secret, and a client writing it must not get a broken pipe.
pub(crate) fn discard_stdin() {
    let mut buffer = Zeroizing::new([0u8; 8192]);
    let mut stdin = io::stdin().lock().take(STORE_CAP);
    while matches!(stdin.read(&mut buffer[..]), Ok(n) if n > 0) {}
}

/// What `get` prints: `{"ServerURL", "Username", "Secret"}`, in that order. No `Debug`: it
/// holds the secret.
#[derive(Serialize)]
struct Credentials<'a> {
    #[serde(rename = "ServerURL")]
    server_url: &'a str,
    #[serde(rename = "Username")]
    username: &'a str,
    #[serde(rename = "Secret")]
    secret: &'a str,
}

/// Prints the answer of `get`: the server as it was given, the username and the secret.
pub(crate) fn print_credentials(
    server: &str,
    username: &str,
    secret: &SecretString,
) -> Result<(), Failure> {
    let answer = Credentials {
        server_url: server,
        username,
        secret: secret.expose_secret(),
    };
    let json = Zeroizing::new(serde_json::to_string(&answer).map_err(output_failure)?);
    print_line(&json)
}

/// Prints the answer of `list`: a JSON object of servers and their usernames.
pub(crate) fn print_list(servers: &BTreeMap<String, String>) -> Result<(), Failure> {
    print_line(&serde_json::to_string(servers).map_err(output_failure)?)
}

/// Writes one line to stdout and flushes it.
pub(crate) fn print_line(line: &str) -> Result<(), Failure> {
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .map_err(output_failure)
}

fn output_failure(error: impl std::fmt::Display) -> Failure {
    Failure::new(format!("cannot write the answer: {error}"))
}
