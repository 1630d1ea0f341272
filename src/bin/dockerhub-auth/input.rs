//! Reading what a person types or pipes in: a secret, a second-factor code, a token. Which
//! source a command's credentials come from is decided in `credentials.rs`.

use std::io::{self, BufRead, IsTerminal, Write};

use dockerhub_auth::SecretString;
use zeroize::Zeroizing;

use crate::failure::Failure;

/// Returns the secret read from stdin (one line).
pub(crate) fn secret_from_stdin() -> Result<SecretString, Failure> {
    let secret = read_line(&mut io::stdin().lock())
        .map_err(|e| Failure::usage(format!("cannot read the secret from stdin: {e}")))?;
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
    let code = read_line(&mut stdin.lock())
        .map_err(|e| Failure::usage(format!("cannot read the code: {e}")))?;
    Ok(Some(SecretString::from(code.as_str())))
}

/// Returns the token for `inspect`: the argument, else stdin.
pub(crate) fn token(argument: Option<String>) -> Result<Zeroizing<String>, Failure> {
    let token = match argument {
        Some(token) => Zeroizing::new(token),
        None => read_line(&mut io::stdin().lock())
            .map_err(|e| Failure::usage(format!("cannot read the token from stdin: {e}")))?,
    };
    let token = Zeroizing::new(token.trim().to_owned());
    if token.is_empty() {
        return Err(Failure::usage("the token is empty"));
    }
    Ok(token)
}

/// Reads one line, without its line ending.
fn read_line(input: &mut impl BufRead) -> io::Result<Zeroizing<String>> {
    let mut line = Zeroizing::new(String::new());
    input.read_line(&mut line)?;
    let end = line.trim_end_matches(['\n', '\r']).len();
    line.truncate(end);
    Ok(line)
}
