//! Where the username, the secret and the second-factor code come from.

use std::{
    env,
    io::{self, BufRead, IsTerminal, Write},
};

use dockerhub_auth::SecretString;
use zeroize::Zeroizing;

use crate::failure::Failure;

/// Returns the username from `--username`, else `DOCKERHUB_USERNAME`.
pub(crate) fn username(flag: Option<String>) -> Result<String, Failure> {
    let username = flag
        .or_else(|| env::var("DOCKERHUB_USERNAME").ok())
        .ok_or_else(|| Failure::usage("no username: pass --username or set DOCKERHUB_USERNAME"))?;
    if username.trim().is_empty() {
        return Err(Failure::usage("the username is empty"));
    }
    Ok(username)
}

/// Returns the secret from stdin when `from_stdin`, else `DOCKERHUB_TOKEN`, else a prompt
/// without echo when stdin is a terminal.
pub(crate) fn secret(from_stdin: bool, flag: &str, prompt: &str) -> Result<SecretString, Failure> {
    let secret: Zeroizing<String> = if from_stdin {
        read_line(&mut io::stdin().lock())
            .map_err(|e| Failure::usage(format!("cannot read the secret from stdin: {e}")))?
    } else if let Some(secret) = env::var_os("DOCKERHUB_TOKEN") {
        Zeroizing::new(
            secret
                .into_string()
                .map_err(|_| Failure::usage("DOCKERHUB_TOKEN is not valid UTF-8"))?,
        )
    } else if io::stdin().is_terminal() {
        Zeroizing::new(
            rpassword::prompt_password(prompt)
                .map_err(|e| Failure::usage(format!("cannot read the secret: {e}")))?,
        )
    } else {
        return Err(Failure::usage(format!(
            "no secret: pass {flag} and write it to stdin, or set DOCKERHUB_TOKEN"
        )));
    };
    if secret.is_empty() {
        return Err(Failure::usage("the secret is empty"));
    }
    Ok(SecretString::from(secret.as_str()))
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
