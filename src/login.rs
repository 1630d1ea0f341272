//! The outcome of the login route, and the two-factor challenge it may hand back.

use std::{fmt, sync::Arc};

use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::{
    error::{Error, Result},
    token::Token,
};

/// What [`Hub::login`](crate::Hub::login) gets back from Docker Hub.
///
/// A second factor is an expected answer, not an error: keep the challenge while someone
/// types the code, then pass it to [`Hub::login_second_factor`](crate::Hub::login_second_factor).
///
/// These are the only two outcomes of a login (every other answer is an [`Error`]), so a
/// `match` on them needs no other arm.
pub enum Login {
    /// The credentials were accepted; here is the token.
    Authenticated(Token),
    /// The credentials were right and the account needs a second factor.
    SecondFactorRequired(SecondFactorChallenge),
}

impl fmt::Debug for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Login::Authenticated(token) => f.debug_tuple("Authenticated").field(token).finish(),
            Login::SecondFactorRequired(challenge) => f
                .debug_tuple("SecondFactorRequired")
                .field(challenge)
                .finish(),
        }
    }
}

/// A login that is waiting for its second factor: a TOTP code or a recovery code.
///
/// It holds Docker Hub's short-lived `login_2fa_token`, and the password of the login that
/// led to it, kept only so that an error of the second step that echoes the password can be
/// redacted of it; `Debug` shows neither, and both are wiped when the last clone is
/// dropped. It can be kept, cloned and sent to another task, and it stays usable after a
/// wrong code, until Docker Hub lets the `login_2fa_token` expire.
#[derive(Clone)]
pub struct SecondFactorChallenge {
    inner: Arc<ChallengeInner>,
}

struct ChallengeInner {
    username: String,
    login_2fa_token: SecretString,
    /// The password of the login, never sent again: only redacted from the second step's
    /// errors.
    password: SecretString,
    hub_message: Option<String>,
}

impl SecondFactorChallenge {
    pub(crate) fn new(
        username: &str,
        login_2fa_token: SecretString,
        password: SecretString,
        hub_message: Option<String>,
    ) -> Self {
        SecondFactorChallenge {
            inner: Arc::new(ChallengeInner {
                username: username.to_owned(),
                login_2fa_token,
                password,
                hub_message,
            }),
        }
    }

    /// Returns the username that logged in.
    pub fn username(&self) -> &str {
        &self.inner.username
    }

    /// Returns what Docker Hub said when it asked for the second factor, for example
    /// "Require secondary authentication on MFA enabled account".
    pub fn hub_message(&self) -> Option<&str> {
        self.inner.hub_message.as_deref()
    }

    pub(crate) fn login_2fa_token(&self) -> &SecretString {
        &self.inner.login_2fa_token
    }

    /// Returns the secrets an answer of the second step must never show: the
    /// `login_2fa_token`, and the password of the login that led here.
    pub(crate) fn secrets(&self) -> [&str; 2] {
        [
            self.inner.login_2fa_token.expose_secret(),
            self.inner.password.expose_secret(),
        ]
    }
}

impl fmt::Debug for SecondFactorChallenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecondFactorChallenge")
            .field("username", &self.inner.username)
            .field("hub_message", &self.inner.hub_message)
            .finish_non_exhaustive() // the login_2fa_token and the password are never printed
    }
}

/// Returns a second-factor code without the spaces and dashes people type into it
/// (`123 456`, `1234-5678`).
///
/// # Errors
///
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when nothing is left.
pub(crate) fn normalize_code(code: &SecretString) -> Result<Zeroizing<String>> {
    let code: Zeroizing<String> = Zeroizing::new(
        code.expose_secret()
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect(),
    );
    if code.is_empty() {
        return Err(Error::invalid_input("the second-factor code is empty"));
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn normalized(code: &str) -> Result<String> {
        normalize_code(&SecretString::from(code)).map(|code| code.to_string())
    }

    #[test]
    fn spaces_and_dashes_are_removed() {
        assert_eq!(normalized(" 123 456\n").unwrap(), "123456");
        assert_eq!(normalized("abcd-efgh").unwrap(), "abcdefgh");
    }

    #[test]
    fn an_empty_code_is_invalid_input() {
        for code in ["", "  ", " - "] {
            assert_eq!(
                normalized(code).unwrap_err().kind(),
                ErrorKind::InvalidInput
            );
        }
    }
}
