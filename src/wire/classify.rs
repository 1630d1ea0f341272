//! Turns what came back (a status, headers, a body, or no answer) into this crate's
//! [`Error`]. Server text passes through `scrub` first; nothing of a success body is kept.

use std::time::{Duration, SystemTime};

use progenitor_client::ClientInfo;

use super::body::describe_body;
use crate::{
    codegen::types,
    error::{Error, ErrorKind},
    headers,
    wire::transport::too_large,
};

/// Which operation a response answers; it decides what a 401, 403 or 404 means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Operation {
    CreateAccessToken,
    Login,
    SecondFactor,
    /// The access-token management routes, which take a bearer token: a 401 refuses the
    /// bearer token, a 403 may refuse where it came from, a 404 names an unknown token.
    ManageAccessTokens,
    /// `GET /v2/` of a registry, whose 401 (the challenge) never gets here.
    RegistryPing,
    /// The registry's token service: a 401 rejects the credentials.
    RegistryToken,
    /// A registry route with a bearer token: a 401 rejects the token.
    RegistryManifest,
    /// The token exchange of Docker's identity service: a 400, 401 or 403 refuses the ID
    /// token (no ruleset matched, a deactivated connection, an invalid token).
    IdentityExchange,
    /// GitHub's runner, asked for an ID token: a 401 rejects its request token.
    IdToken,
}

/// The generated error bodies, which all may carry Hub's `detail` or `message`.
pub(crate) trait HubMessage {
    fn hub_message(&self) -> Option<&str>;
}

macro_rules! hub_message_from_detail_or_message {
    ($($body:ty),*) => {$(
        impl HubMessage for $body {
            fn hub_message(&self) -> Option<&str> {
                self.detail.as_deref().or(self.message.as_deref())
            }
        }
    )*};
}

hub_message_from_detail_or_message!(
    types::ErrorResponse,
    types::PostUsersLoginErrorResponse,
    types::PostUsers2FaLoginErrorResponse
);

impl HubMessage for types::AccessTokenError {
    fn hub_message(&self) -> Option<&str> {
        // `text` is what a 400 of these routes carries (Docker's `ValueError`).
        self.detail
            .as_deref()
            .or(self.message.as_deref())
            .or(self.text.as_deref())
    }
}

impl HubMessage for crate::identity_codegen::types::IdentityError {
    fn hub_message(&self) -> Option<&str> {
        // RFC 6749's description first: `error` is only a code (`invalid_grant`).
        [&self.error_description, &self.message, &self.error]
            .into_iter()
            .find_map(|text| text.as_deref().filter(|text| !text.trim().is_empty()))
    }
}

/// Error answers declared without a body (the registry's 401 and 404).
impl HubMessage for () {
    fn hub_message(&self) -> Option<&str> {
        None
    }
}

/// Turns everything a generated client can fail with into this crate's error.
pub(crate) async fn classify<E: HubMessage>(
    operation: Operation,
    client: &impl ClientInfo<crate::wire::Exchange>,
    error: progenitor_client::Error<E>,
    secrets: &[&str],
) -> Error {
    use progenitor_client::Error as Generated;
    let status = client.inner().status();
    match error {
        Generated::ErrorResponse(response) => status_error(
            operation,
            response.status().as_u16(),
            headers::server_wait(
                response.status().as_u16(),
                response.headers(),
                SystemTime::now(),
            ),
            response.hub_message(),
            None,
            secrets,
        ),
        Generated::UnexpectedResponse(response) => {
            response_error(operation, response, secrets).await
        }
        Generated::InvalidResponsePayload(body, error) => match status {
            Some(status) if !is_success(status) => {
                let (message, excerpt) = describe_body(&body, secrets);
                status_error(
                    operation,
                    status,
                    None,
                    message.as_deref(),
                    excerpt.as_deref(),
                    secrets,
                )
            }
            _ => invalid_success_body(status.unwrap_or(200), &error),
        },
        Generated::ResponseBodyError(error) => {
            body_error(operation, status.unwrap_or(200), error, secrets)
        }
        Generated::CommunicationError(error) => transport(error),
        Generated::InvalidRequest(_) => {
            Error::invalid_input("the request could not be built from the input")
        }
        // Neither is produced by this crate's hooks and operations.
        Generated::Custom(_) | Generated::InvalidUpgrade(_) => Error::new(ErrorKind::Transport),
    }
}

/// The error for a success body that is not what the spec says. A success body is where the
/// token lives: neither an excerpt of it nor serde_json's message (which can quote it) is
/// kept, only where it went wrong.
pub(crate) fn invalid_success_body(status: u16, error: &serde_json::Error) -> Error {
    Error::new(ErrorKind::InvalidResponse)
        .with_status(status)
        .with_detail(format!(
            "{} (line {}, column {})",
            match error.classify() {
                serde_json::error::Category::Data =>
                    "a field the API promises is missing or has the wrong type",
                serde_json::error::Category::Eof => "the body ends early",
                serde_json::error::Category::Syntax | serde_json::error::Category::Io =>
                    "the body is not JSON",
            },
            error.line(),
            error.column()
        ))
}

/// The error for a body of an answer with `status` that could not be read: too large, cut
/// off, or late.
pub(crate) fn body_error(
    operation: Operation,
    status: u16,
    error: reqwest::Error,
    secrets: &[&str],
) -> Error {
    match is_too_large(&error) {
        true if !is_success(status) => status_error(operation, status, None, None, None, secrets)
            .with_detail(error_text(&error)),
        true => Error::new(ErrorKind::InvalidResponse)
            .with_status(status)
            .with_detail(error_text(&error)),
        false => transport(error),
    }
}

/// Classifies an answer that is not the operation's success, from the raw response: a status
/// the spec does not declare (429, 5xx, 3xx, 403 and the rest), or any answer to a request
/// the border built by hand.
pub(crate) async fn response_error(
    operation: Operation,
    response: reqwest::Response,
    secrets: &[&str],
) -> Error {
    let status = response.status().as_u16();
    let wait = headers::server_wait(
        response.status().as_u16(),
        response.headers(),
        SystemTime::now(),
    );
    match response.bytes().await {
        Ok(body) => {
            let (message, excerpt) = describe_body(&body, secrets);
            status_error(
                operation,
                status,
                wait,
                message.as_deref(),
                excerpt.as_deref(),
                secrets,
            )
        }
        // The status says what happened; the body that failed to arrive adds nothing.
        Err(error) => status_error(operation, status, wait, None, None, secrets)
            .with_detail(error_text(&error)),
    }
}

/// The error for a response with `status`, which is not the operation's success.
pub(crate) fn status_error(
    operation: Operation,
    status: u16,
    wait: Option<Duration>,
    message: Option<&str>,
    excerpt: Option<&str>,
    secrets: &[&str],
) -> Error {
    let manage = operation == Operation::ManageAccessTokens;
    let kind = match status {
        401 => match operation {
            Operation::SecondFactor => ErrorKind::SecondFactorRejected,
            Operation::CreateAccessToken
            | Operation::Login
            | Operation::ManageAccessTokens
            | Operation::RegistryPing
            | Operation::RegistryToken
            | Operation::RegistryManifest
            | Operation::IdentityExchange
            | Operation::IdToken => ErrorKind::CredentialsRejected,
        },
        400 | 403 if operation == Operation::IdentityExchange => ErrorKind::CredentialsRejected,
        403 if manage && is_access_token_refusal(message) => ErrorKind::PasswordLoginRequired,
        403 => ErrorKind::Forbidden,
        404 if manage => ErrorKind::NotFound,
        429 => ErrorKind::RateLimited,
        500..=599 => ErrorKind::Unavailable,
        200..=299 => ErrorKind::InvalidResponse,
        _ => ErrorKind::UnexpectedResponse,
    };
    let retryable = matches!(status, 429 | 502 | 503 | 504);
    // A success body is where a token would be: nothing of it goes into an error.
    let (message, excerpt) = match is_success(status) {
        true => (None, None),
        false => (message, excerpt),
    };
    let error = Error::new(kind)
        .with_status(status)
        .with_retryable(retryable)
        .with_retry_after(wait.filter(|_| retryable));
    let error = match (manage, status) {
        (true, 401) => error.with_detail("docker hub refused the bearer token"),
        _ => error,
    };
    match (message, excerpt) {
        (Some(message), _) => error.with_hub_message(message, secrets),
        (None, Some(excerpt)) => error.with_excerpt(excerpt, secrets),
        (None, None) => error,
    }
}

/// Returns whether a 403 says the bearer token came from a personal or organization access
/// token, which Docker Hub refuses for managing tokens: "token issued from personal access
/// token is not allowed" (docker/hub-feedback#2478), "… organization access token …", and
/// the older "access to the resource is forbidden with personal access token"
/// (docker/hub-feedback#2006).
fn is_access_token_refusal(message: Option<&str>) -> bool {
    let Some(message) = message else {
        return false;
    };
    let message = message.to_ascii_lowercase();
    ["personal access token", "organization access token"]
        .iter()
        .any(|source| {
            message.contains(&format!("issued from {source}"))
                || message.contains(&format!("with {source}"))
        })
}

/// The error for a request that got no (complete) response.
///
/// The detail names the host and port the request went to (`could not connect to
/// 127.0.0.1:18080`), so that a wrong base URL or a server that is down shows at once.
pub(crate) fn transport(error: reqwest::Error) -> Error {
    // " to 127.0.0.1:18080", or nothing when reqwest did not say where.
    let (to, from) = match error.url().and_then(host_and_port) {
        Some(peer) => (format!(" to {peer}"), format!(" from {peer}")),
        None => (String::new(), String::new()),
    };
    let (kind, retryable, detail) = if error.is_timeout() {
        let detail = format!("no complete answer{from} within the timeout");
        (ErrorKind::Timeout, true, detail)
    } else if error.is_connect() {
        (ErrorKind::Transport, true, format!("could not connect{to}"))
    } else if error.is_body() || error.is_decode() {
        let detail = format!("the connection{to} failed while the response was read");
        (ErrorKind::Transport, false, detail)
    } else {
        (
            ErrorKind::Transport,
            false,
            format!("the request{to} failed"),
        )
    };
    Error::new(kind)
        .with_retryable(retryable)
        .with_detail(detail)
        .with_source(error)
}

/// Returns `host:port` of a request's URL, the port written even when it is the scheme's
/// (`hub.docker.com:443`): never a username, password, path or query.
fn host_and_port(url: &url::Url) -> Option<String> {
    let host = url.host_str()?;
    Some(match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

fn is_success(status: u16) -> bool {
    (200..=299).contains(&status)
}

/// Returns whether the error, or one of its causes, is the body cap.
fn is_too_large(error: &reqwest::Error) -> bool {
    too_large(error).is_some()
}

/// Describes a failed body read in words that never include the body.
fn error_text(error: &reqwest::Error) -> String {
    match too_large(error) {
        Some(too_large) => too_large.to_string(),
        None if error.is_timeout() => "the response body did not arrive within the timeout".into(),
        None => "the response body could not be read".into(),
    }
}

/// The classification of an error answer to the login route, for the fuzz target
/// `error_body` (compiled only under `cargo fuzz`) and the property test below.
#[cfg(any(test, fuzzing))]
pub(crate) fn classify_answer(status: u16, body: &[u8], secret: &str) -> Error {
    let (message, excerpt) = describe_body(body, &[secret]);
    status_error(
        Operation::Login,
        status,
        None,
        message.as_deref(),
        excerpt.as_deref(),
        &[secret],
    )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::wire::body::EXCERPT_WINDOW;

    /// Canaries that do not look like tokens, so that only redaction of the known secret can
    /// keep them out: a passphrase with spaces, and one with characters JSON and HTML escape.
    const PASSPHRASES: [&str; 2] = [
        "correct horse battery staple",
        "Tr0ub4dor&3 \"quoted\" <angle>",
    ];

    /// Returns the pieces of `secret` at least `len` characters long that appear in `text`.
    fn fragments_in(text: &str, secret: &str, len: usize) -> Vec<String> {
        let chars: Vec<char> = secret.chars().collect();
        chars
            .windows(len)
            .map(|piece| piece.iter().collect::<String>())
            .filter(|piece| text.contains(piece.as_str()))
            .collect()
    }

    #[test]
    fn a_secret_at_any_offset_around_the_excerpt_window_never_shows_even_in_part() {
        // Fillers that share no five characters with the secrets or the message; blank
        // filler collapses to one space, which puts whatever follows it into the excerpt.
        for (secret, filler) in PASSPHRASES
            .iter()
            .flat_map(|s| [(s, "~ "), (s, "  "), (s, "\n")])
        {
            for offset in EXCERPT_WINDOW - 60..EXCERPT_WINDOW + 10 {
                let mut body = filler.repeat(offset).into_bytes();
                body.truncate(offset);
                body.extend_from_slice(secret.as_bytes());
                body.extend_from_slice(b" ~ ~ ~");
                let error = classify_answer(401, &body, secret);
                let shown = format!("{error} | {error:?}");
                let leaked = fragments_in(&shown, secret, 5);
                assert!(leaked.is_empty(), "offset {offset}: {leaked:?} in {shown}");
            }
        }
    }

    #[test]
    fn a_secret_at_any_offset_around_the_message_cap_never_shows_even_in_part() {
        for secret in PASSPHRASES {
            for offset in 150..260 {
                let filler: String = "~ ".repeat(offset / 2);
                for body in [
                    format!("{filler}{secret} ~ ~ ~").into_bytes(),
                    serde_json::json!({ "detail": format!("{filler}{secret} ~ ~") })
                        .to_string()
                        .into_bytes(),
                ] {
                    let error = classify_answer(401, &body, secret);
                    let shown = format!("{error} | {error:?}");
                    let leaked = fragments_in(&shown, secret, 5);
                    assert!(leaked.is_empty(), "offset {offset}: {leaked:?} in {shown}");
                }
            }
        }
    }

    #[test]
    fn secrets_echoed_escaped_or_in_part_are_redacted() {
        let secret = PASSPHRASES[1];
        let json_escaped = serde_json::to_string(secret).unwrap();
        let html_escaped = "Tr0ub4dor&amp;3 &quot;quoted&quot; &lt;angle&gt;";
        let url_encoded = "Tr0ub4dor%263%20%22quoted%22%20%3Cangle%3E";
        for echoed in [
            json_escaped.as_str(),
            html_escaped,
            url_encoded,
            "Tr0ub4dor&3 \"quo",
        ] {
            let body = format!("bad credentials: {echoed} (try again)");
            let error = classify_answer(401, body.as_bytes(), secret);
            let shown = error.to_string();
            assert!(shown.contains("[redacted]"), "{echoed}: {shown}");
            assert!(!shown.contains("Tr0ub4"), "{echoed}: {shown}");
            assert!(shown.contains("(try again)"), "{echoed}: {shown}");
        }
    }

    proptest! {
        #[test]
        fn any_answer_is_classified_without_panic_and_without_the_secret(
            status in 100u16..1000,
            before in proptest::collection::vec(any::<u8>(), 0..300),
            after in proptest::collection::vec(any::<u8>(), 0..300),
            json in any::<bool>(),
        ) {
            let secret = "hunter2hunter2";
            let body = if json {
                format!(
                    r#"{{"detail":"{}{secret}{}"}}"#,
                    String::from_utf8_lossy(&before).escape_default(),
                    String::from_utf8_lossy(&after).escape_default()
                )
                .into_bytes()
            } else {
                [before.as_slice(), secret.as_bytes(), after.as_slice()].concat()
            };
            let error = classify_answer(status, &body, secret);
            let shown = format!("{error} {error:?}");
            prop_assert!(!shown.contains(secret), "{shown}");
            for text in [error.hub_message(), error.body_excerpt()].into_iter().flatten() {
                prop_assert!(text.chars().count() <= 201, "{text}");
                prop_assert!(!text.contains('\n'), "{text}");
            }
        }
    }
}
