//! What goes to stdout and stderr: one line a script can capture, one JSON document, or
//! text for people; and the one escape every text from elsewhere (a server, a config file,
//! a credential helper) passes through before a terminal shows it.
//!
//! - [`escape`] makes text inert on a terminal: no control character (C0, DEL, C1, so no
//!   escape sequence, carriage return or line feed) and no bidirectional override reaches
//!   it. Tables, details, messages on stderr ([`say`]) and the `-v` log ([`log_writer`]) all
//!   go through it.
//! - A token or secret printed alone on stdout is checked to be visible ASCII first
//!   ([`checked_token`]): tokens are, and anything else is not printed at all.
//! - JSON goes out as serde_json writes it (which escapes the C0 controls, `\u001b`) with
//!   the other characters [`escape`] would escape written as `\uXXXX` too ([`write_json`]):
//!   the same document for a JSON reader, inert on a terminal.

use std::{
    borrow::Cow,
    io::{self, Write},
};

use dockerhub_auth::Token;
use zeroize::Zeroizing;

use crate::failure::{EXIT_OTHER, Failure};

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
    let secret = checked_token(token.expose_secret())?;
    if !json {
        return write_stdout(secret);
    }
    let document = serde_json::json!({
        "token": secret,
        "expires_at": token.expires_at().map(rfc3339),
        "username": username,
    });
    write_json(&Zeroizing::new(document.to_string()))
}

/// Returns `token` when it is made only of visible ASCII characters (`!` to `~`), as every
/// token and access token is; else the failure to report (exit 1), which never shows it.
pub(crate) fn checked_token(token: &str) -> Result<&str, Failure> {
    if !token.is_empty() && token.bytes().all(|byte| byte.is_ascii_graphic()) {
        return Ok(token);
    }
    Err(Failure::new(
        EXIT_OTHER,
        "the server sent a token with characters a token cannot have; it is not printed",
    ))
}

/// Formats a point in time as RFC 3339 in UTC, to the second.
pub(crate) fn rfc3339(at: std::time::SystemTime) -> String {
    humantime::format_rfc3339_seconds(at).to_string()
}

/// Writes one line to stdout and flushes it, as it is: for a checked token or JSON.
pub(crate) fn write_stdout(line: &str) -> Result<(), Failure> {
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .map_err(Failure::output)
}

/// Writes one JSON document, as serde_json wrote it, on its own line to stdout, with every
/// character serde_json leaves as it is but a terminal acts on (DEL, C1 such as CSI,
/// bidirectional formatting, line and paragraph separators) written as a `\uXXXX` escape.
/// A JSON reader reads the same document; a terminal shows a server's `\u{9b}` as text.
pub(crate) fn write_json(json: &str) -> Result<(), Failure> {
    let mut stdout = io::stdout().lock();
    write_inert_json(&mut stdout, json)
        .and_then(|()| writeln!(stdout))
        .and_then(|()| stdout.flush())
        .map_err(Failure::output)
}

/// Writes `json` to `out` with the characters that act on a terminal escaped, but the line
/// feeds pretty-printed JSON is made of. serde_json has escaped the C0 controls inside
/// strings, and outside its strings a document holds only printable ASCII and whitespace,
/// so each character left (DEL and up) is inside a string, where `\uXXXX` stands for it
/// (all of them are in the basic multilingual plane).
fn write_inert_json(out: &mut impl Write, json: &str) -> io::Result<()> {
    let mut rest = json;
    while let Some((at, c)) = rest
        .char_indices()
        .find(|&(_, c)| c != '\n' && acts_on_a_terminal(c))
    {
        out.write_all(&rest.as_bytes()[..at])?;
        write!(out, "\\u{:04x}", u32::from(c))?;
        rest = &rest[at + c.len_utf8()..];
    }
    out.write_all(rest.as_bytes())
}

/// Prints lines for people on stdout, each [escaped](escape).
pub(crate) fn print_lines<S: AsRef<str>>(lines: &[S]) -> Result<(), Failure> {
    let lines: Vec<Cow<'_, str>> = lines.iter().map(|line| escape(line.as_ref())).collect();
    write_stdout(&lines.join("\n"))
}

/// Says something to the person at the terminal: `dockerhub-auth: <message>` on stderr,
/// [escaped](escape).
pub(crate) fn say(message: &str) {
    eprintln!("dockerhub-auth: {}", escape(message));
}

/// Returns `text` safe to show on a terminal, on one line: every control character (C0
/// such as line feed, carriage return, tab and ESC; DEL; C1 such as CSI), every Unicode
/// bidirectional formatting character (which reorders what is shown) and the line and
/// paragraph separators are written as escapes (`\n`, `\u{1b}`, `\u{202e}`). Text without
/// them is returned as it is, and escaping twice changes nothing more.
pub(crate) fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(acts_on_a_terminal) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if acts_on_a_terminal(c) => escaped.extend(c.escape_default()),
            c => escaped.push(c),
        }
    }
    Cow::Owned(escaped)
}

/// Returns whether a character does something on a terminal other than show itself.
fn acts_on_a_terminal(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' // Arabic letter mark
                | '\u{200e}'..='\u{200f}' // left-to-right and right-to-left marks
                | '\u{202a}'..='\u{202e}' // embeddings and overrides
                | '\u{2066}'..='\u{2069}' // isolates
                | '\u{2028}'..='\u{2029}' // line and paragraph separators
        )
}

/// Returns where the `-v` log and the warnings go: stderr, each event on its own line with
/// the rest [escaped](escape), so that a field that came from elsewhere (a username with a
/// line feed in it) can neither forge a line nor act on the terminal.
pub(crate) fn log_writer() -> impl Fn() -> LogLine + Send + Sync + 'static {
    LogLine::default
}

/// One event of the log, written to stderr escaped when it is dropped.
#[derive(Default)]
pub(crate) struct LogLine {
    bytes: Vec<u8>,
}

impl Write for LogLine {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.bytes.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for LogLine {
    fn drop(&mut self) {
        if self.bytes.is_empty() {
            return;
        }
        let text = String::from_utf8_lossy(&self.bytes);
        let line = text.strip_suffix('\n').unwrap_or(&text);
        // Nothing is left to tell of a log line stderr would not take.
        let _ = writeln!(io::stderr().lock(), "{}", escape(line));
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn terminal_sequences_and_line_breaks_are_escaped() {
        assert_eq!(escape("laptop"), "laptop");
        assert_eq!(
            escape("\u{1b}]0;pwned\u{7}\u{1b}[2J"),
            "\\u{1b}]0;pwned\\u{7}\\u{1b}[2J"
        );
        assert_eq!(escape("a\r\nb\tc"), "a\\r\\nb\\tc");
        assert_eq!(escape("\u{9b}31m \u{7f}"), "\\u{9b}31m \\u{7f}");
        assert_eq!(escape("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(escape("Zugriff – ungültig ✓"), "Zugriff – ungültig ✓");
    }

    fn inert(json: &str) -> String {
        let mut out = Vec::new();
        write_inert_json(&mut out, json).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn json_keeps_its_meaning_and_loses_its_terminal_sequences() {
        let document = serde_json::json!({
            "name": "ci\u{9b}2J\u{7f}\u{202e}gpj.exe\u{2028}",
            "scopes": ["repo:a\u{1b}[31m"],
            "ok": "Zugriff – ungültig ✓",
        });
        for json in [
            document.to_string(),
            serde_json::to_string_pretty(&document).unwrap(),
        ] {
            let written = inert(&json);
            assert!(
                !written.chars().any(|c| c != '\n' && acts_on_a_terminal(c)),
                "{written}"
            );
            assert!(
                written.contains("ci\\u009b2J\\u007f\\u202egpj.exe\\u2028"),
                "{written}"
            );
            assert!(written.contains("Zugriff – ungültig ✓"), "{written}");
            let read: serde_json::Value = serde_json::from_str(&written).unwrap();
            assert_eq!(read, document);
        }
    }

    #[test]
    fn only_visible_ascii_is_a_token() {
        assert!(checked_token("eyJ.a-b_c.d~=").is_ok());
        for bad in ["", "a b", "tok\u{1b}[2J", "tok\n", "tök", "\u{202e}x"] {
            let failure = checked_token(bad).unwrap_err();
            assert_eq!(failure.code, EXIT_OTHER);
            assert!(!failure.message.contains(bad) || bad.is_empty());
        }
    }

    proptest! {
        #[test]
        fn escaped_text_never_holds_a_control_character(text in any::<String>()) {
            let escaped = escape(&text);
            prop_assert!(!escaped.chars().any(acts_on_a_terminal), "{:?}", escaped);
            prop_assert!(!escaped.chars().any(char::is_control), "{:?}", escaped);
            prop_assert_eq!(escape(&escaped), escaped.clone());
        }

        #[test]
        fn text_of_any_control_characters_is_escaped_whole(
            text in proptest::collection::vec(
                prop_oneof![
                    proptest::char::range('\u{0}', '\u{9f}'),
                    proptest::char::range('\u{2000}', '\u{206f}'),
                ],
                0..64,
            ).prop_map(String::from_iter),
        ) {
            let escaped = escape(&text);
            prop_assert!(!escaped.chars().any(acts_on_a_terminal), "{:?}", escaped);
        }
    }
}
