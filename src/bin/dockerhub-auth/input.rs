//! Reading what a person types or pipes in: a secret, a second-factor code, a token. Which
//! source a command's credentials come from is decided in `credentials.rs`.
//!
//! Every line read from stdin is bounded: at most [`LINE_LIMIT`] bytes, read into one buffer
//! allocated once and wiped when dropped, so that neither an endless input (`/dev/zero`) nor
//! a huge one can grow the process, and no reallocation leaves an unwiped copy behind.

use std::io::{self, IsTerminal, Read, Write};

use dockerhub_auth::SecretString;
use zeroize::Zeroizing;

use crate::failure::Failure;

/// The longest line read from stdin, in bytes: passwords, access tokens and JWTs are far
/// shorter (Docker Hub's JWTs are under 4 KiB).
pub(crate) const LINE_LIMIT: usize = 64 * 1024;

/// Returns the secret read from stdin (its first line).
pub(crate) fn secret_from_stdin() -> Result<SecretString, Failure> {
    let secret = read_line(&mut io::stdin().lock(), "the secret")?;
    checked(&secret)
}

/// Returns the secret typed at a prompt on the terminal, without echo.
pub(crate) fn secret_from_prompt(prompt: &str) -> Result<SecretString, Failure> {
    let secret = Zeroizing::new(
        rpassword::prompt_password(prompt)
            .map_err(|e| Failure::usage(format!("cannot read the secret: {e}")))?,
    );
    checked(&secret)
}

fn checked(secret: &str) -> Result<SecretString, Failure> {
    if secret.is_empty() {
        return Err(Failure::usage("the secret is empty"));
    }
    Ok(SecretString::from(secret))
}

/// Returns the second-factor code from `--code`, else from a prompt when stdin is a
/// terminal, else `None`.
pub(crate) fn code(flag: Option<String>) -> Result<Option<SecretString>, Failure> {
    if let Some(code) = flag {
        return Ok(Some(SecretString::from(code)));
    }
    let stdin = io::stdin();
    if !stdin.is_terminal() {
        return Ok(None);
    }
    eprint!("Two-factor code (or recovery code): ");
    let _ = io::stderr().flush();
    let code = read_line(&mut stdin.lock(), "the code")?;
    Ok(Some(SecretString::from(code.as_str())))
}

/// Returns the token for `inspect`, read from stdin (its first line, trimmed).
pub(crate) fn token_from_stdin() -> Result<Zeroizing<String>, Failure> {
    let token = read_line(&mut io::stdin().lock(), "the token")?;
    let token = Zeroizing::new(token.trim().to_owned());
    if token.is_empty() {
        return Err(Failure::usage("the token is empty"));
    }
    Ok(token)
}

/// Reads one line of at most [`LINE_LIMIT`] bytes, without its line ending; `what` names
/// it in messages. Reads at most `LINE_LIMIT + 1` bytes, whatever the input holds.
///
/// The buffer is read into directly: std's own 8 KiB buffer of stdin is bypassed for every
/// read with more room than that, which is all of them until the line is already longer
/// than 56 KiB.
fn read_line(input: &mut impl Read, what: &str) -> Result<Zeroizing<String>, Failure> {
    // Allocated once, for the limit and the one byte that says it was passed.
    let mut buffer = Zeroizing::new(vec![0u8; LINE_LIMIT + 1]);
    let (mut filled, mut scanned) = (0, 0);
    let end = loop {
        let (read, room) = buffer.split_at_mut(filled);
        let fresh = read.get(scanned..).unwrap_or_default();
        if let Some(newline) = fresh.iter().position(|&byte| byte == b'\n') {
            break scanned + newline;
        }
        scanned = filled;
        if room.is_empty() {
            return Err(Failure::usage(format!(
                "{what} on stdin is longer than {} KiB, so it is not a secret or token; \
                 stopped reading",
                LINE_LIMIT / 1024
            )));
        }
        match input.read(room) {
            Ok(0) => break filled,
            Ok(count) => filled += count,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(Failure::usage(format!(
                    "cannot read {what} from stdin: {e}"
                )));
            }
        }
    };
    let line = buffer.get(..end).unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let line = std::str::from_utf8(line)
        .map_err(|_| Failure::usage(format!("{what} on stdin is not UTF-8 text")))?;
    Ok(Zeroizing::new(line.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(input: &[u8]) -> Result<String, String> {
        read_line(&mut &input[..], "the secret")
            .map(|line| line.to_string())
            .map_err(|failure| failure.message)
    }

    #[test]
    fn the_first_line_is_read_without_its_ending() {
        assert_eq!(line(b"s3cret\r\nmore\n").unwrap(), "s3cret");
        assert_eq!(line(b"s3cret").unwrap(), "s3cret");
        assert_eq!(line(b"").unwrap(), "");
    }

    #[test]
    fn a_line_at_the_limit_is_read_and_one_byte_more_is_refused() {
        let mut at_limit = vec![b'a'; LINE_LIMIT];
        assert_eq!(line(&at_limit).unwrap().len(), LINE_LIMIT);
        at_limit.push(b'\n');
        assert_eq!(line(&at_limit).unwrap().len(), LINE_LIMIT);
        let over = vec![b'a'; LINE_LIMIT + 1];
        assert!(line(&over).unwrap_err().contains("longer than 64 KiB"));
    }

    #[test]
    fn an_endless_input_is_read_only_to_one_byte_past_the_limit() {
        let mut endless = io::repeat(b'x').take(u64::MAX);
        let failure = read_line(&mut endless, "the token").unwrap_err();
        assert!(failure.message.starts_with("the token on stdin is longer"));
        assert_eq!(endless.limit(), u64::MAX - (LINE_LIMIT as u64 + 1));
    }

    #[test]
    fn text_that_is_not_utf8_is_refused() {
        assert!(line(b"\xff\xfe\n").unwrap_err().contains("not UTF-8"));
    }
}
