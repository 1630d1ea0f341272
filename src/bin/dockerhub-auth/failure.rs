//! [`Failure`]: what the CLI reports when a command fails, with the exit code of the contract.

use std::fmt::Display;

use dockerhub_auth::ErrorKind;

/// Exit code 2: usage or invalid input, including an insecure URL and Docker stored
/// credentials that cannot be read.
pub(crate) const EXIT_USAGE: u8 = 2;
/// Exit code 3: credentials rejected, or forbidden (including a token from an access token
/// where managing tokens needs a password login).
pub(crate) const EXIT_REJECTED: u8 = 3;
/// Exit code 4: a second factor is needed and none is available, or it was rejected.
pub(crate) const EXIT_SECOND_FACTOR: u8 = 4;
/// Exit code 5: rate limited.
pub(crate) const EXIT_RATE_LIMITED: u8 = 5;
/// Exit code 6: timeout, network failure, or Docker Hub unavailable.
pub(crate) const EXIT_UNREACHABLE: u8 = 6;
/// Exit code 1: anything else.
pub(crate) const EXIT_OTHER: u8 = 1;

/// A failure to report: one line on stderr, and the exit code of the contract.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) code: u8,
    pub(crate) message: String,
}

impl Failure {
    /// A failure with its exit code and message.
    pub(crate) fn new(code: u8, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: message.into(),
        }
    }

    /// Exit code 2: a usage error or invalid input, found before any request.
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Failure::new(EXIT_USAGE, message)
    }

    /// Exit code 1: the output could not be written.
    pub(crate) fn output(error: impl Display) -> Self {
        Failure::new(EXIT_OTHER, format!("cannot write the output: {error}"))
    }

    /// The failure of a password login: a second factor nobody could give is exit 4 with
    /// what to do, and Hub's own words.
    pub(crate) fn password_login(error: dockerhub_auth::Error) -> Self {
        if error.kind() == ErrorKind::SecondFactorRequired {
            let said = error
                .hub_message()
                .map(|message| format!(" (docker hub: {message})"))
                .unwrap_or_default();
            return Failure::new(
                EXIT_SECOND_FACTOR,
                format!(
                    "docker hub requires a second factor for this account{said}: pass --code, \
                     or run in a terminal to be asked for it"
                ),
            );
        }
        error.into()
    }
}

/// Returns the exit code of the contract for a library error.
pub(crate) fn exit_code(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::InvalidInput | ErrorKind::CredentialStore => EXIT_USAGE,
        ErrorKind::CredentialsRejected
        | ErrorKind::Forbidden
        | ErrorKind::PasswordLoginRequired => EXIT_REJECTED,
        ErrorKind::SecondFactorRequired | ErrorKind::SecondFactorRejected => EXIT_SECOND_FACTOR,
        ErrorKind::RateLimited => EXIT_RATE_LIMITED,
        ErrorKind::Timeout | ErrorKind::Transport | ErrorKind::Unavailable => EXIT_UNREACHABLE,
        _ => EXIT_OTHER,
    }
}

impl From<dockerhub_auth::Error> for Failure {
    fn from(error: dockerhub_auth::Error) -> Self {
        let mut message = with_root_cause(&error);
        if error.is_remembered() {
            // Answered from the token cache, without a request: say how to ask Hub now.
            message
                .push_str("; to try again now, run `dockerhub-auth logout` (or pass --no-cache)");
        }
        Failure::new(exit_code(error.kind()), message)
    }
}

/// The error's own line, and for a transport failure what the operating system said.
fn with_root_cause(error: &dockerhub_auth::Error) -> String {
    let mut cause: &dyn std::error::Error = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    if std::ptr::addr_eq(cause, error) {
        error.to_string()
    } else {
        format!("{error} ({cause})")
    }
}
