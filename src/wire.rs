//! The border with the generated client, and the only file that touches its types.
//!
//! Each operation builds the generated request body, sends it through a fresh generated
//! [`Client`] whose [`Exchange`] caps the response body and records the status, zeroizes
//! the body's secret, and turns whatever came back into a facade type or an [`Error`].
//! Generated values never leave this file: their `Debug` would print tokens.

use std::{
    error::Error as StdError,
    fmt,
    sync::atomic::{AtomicU16, Ordering},
    time::{Instant, SystemTime},
};

use bytes::Bytes;
use futures_util::stream;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroize;

use crate::{
    Error, ErrorKind, Login, Result, SecondFactorChallenge, Token,
    codegen::{Client, types},
    retry,
};

/// The default cap on a response body: tokens are under 4 KiB, Hub's errors smaller still.
pub(crate) const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// What every call needs: where to send it, how, and how much of an answer to read.
#[derive(Clone)]
pub(crate) struct Endpoint {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
    pub(crate) body_limit: usize,
}

impl Endpoint {
    /// Returns a generated client for one call, with an exchange of its own.
    pub(crate) fn client(&self) -> Client {
        Client::new_with_client(
            &self.base_url,
            self.http.clone(),
            Exchange::new(self.body_limit),
        )
    }
}

/// The state a generated [`Client`] carries into its hooks: the cap on response bodies,
/// and the status of the last response it received.
///
/// The hooks this crate installs read at most the cap of any response body; a longer body
/// fails to read with an error whose source chain contains the cause. Clients obtained from
/// [`Hub::generated`](crate::Hub::generated) share the hub's cap.
pub struct Exchange {
    body_limit: usize,
    status: AtomicU16,
}

impl Exchange {
    pub(crate) fn new(body_limit: usize) -> Self {
        Exchange {
            body_limit,
            status: AtomicU16::new(0),
        }
    }

    /// Returns the status of the last response, if one arrived.
    fn status(&self) -> Option<u16> {
        Some(self.status.load(Ordering::Relaxed)).filter(|status| *status != 0)
    }
}

impl Clone for Exchange {
    fn clone(&self) -> Self {
        Exchange {
            body_limit: self.body_limit,
            status: AtomicU16::new(self.status.load(Ordering::Relaxed)),
        }
    }
}

impl fmt::Debug for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Exchange")
            .field("body_limit", &self.body_limit)
            .field("status", &self.status())
            .finish()
    }
}

impl ClientHooks<Exchange> for Client {
    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let started = Instant::now();
        let result = self.client().execute(request).await;
        let elapsed_ms = started.elapsed().as_millis();
        match &result {
            Ok(response) => {
                let status = response.status().as_u16();
                self.inner().status.store(status, Ordering::Relaxed);
                // The `attempt` span of `retry::run`, when this call runs inside one.
                tracing::Span::current().record("status", status);
                tracing::debug!(
                    operation = info.operation_id,
                    status,
                    elapsed_ms,
                    "response"
                );
            }
            Err(error) => tracing::debug!(
                operation = info.operation_id,
                elapsed_ms,
                timeout = error.is_timeout(),
                connect = error.is_connect(),
                "no response"
            ),
        }
        result.map(|response| cap_body(response, self.inner().body_limit))
    }
}

/// The source of the error returned when a response body is longer than the cap.
#[derive(Debug)]
pub(crate) struct BodyTooLarge {
    limit: usize,
}

impl fmt::Display for BodyTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the response body is larger than {} bytes", self.limit)
    }
}

impl StdError for BodyTooLarge {}

/// Returns the response with a body that yields at most `limit` bytes, then an error.
///
/// A `Content-Length` above the cap fails before a byte of the body is read. A body within
/// its `Content-Length` is left as it is: hyper never delivers more than the declared length.
fn cap_body(response: reqwest::Response, limit: usize) -> reqwest::Response {
    let declared = response.content_length();
    if declared.is_some_and(|length| length <= limit as u64) {
        return response;
    }
    let (parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
    let body = if declared.is_some() {
        let refusal: Result<Bytes, BodyTooLarge> = Err(BodyTooLarge { limit });
        reqwest::Body::wrap_stream(stream::iter([refusal]))
    } else {
        reqwest::Body::wrap(Limited::new(body, limit).map_err(move |error| {
            if error.is::<LengthLimitError>() {
                Box::new(BodyTooLarge { limit })
            } else {
                error
            }
        }))
    };
    reqwest::Response::from(http::Response::from_parts(parts, body))
}

/// Which operation a response answers; it decides what a 401 means.
#[derive(Clone, Copy, Debug)]
enum Operation {
    CreateAccessToken,
    Login,
    SecondFactor,
}

/// The generated error bodies, which all may carry Hub's `detail` or `message`.
trait HubMessage {
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

/// `POST /v2/auth/token`.
pub(crate) async fn create_access_token(
    endpoint: &Endpoint,
    identifier: &str,
    secret: &SecretString,
) -> Result<Token> {
    let mut body = types::AuthCreateAccessTokenRequest {
        identifier: identifier.to_owned(),
        secret: secret.expose_secret().to_owned(),
    };
    let client = endpoint.client();
    let result = client.auth_create_access_token(&body).await;
    body.secret.zeroize();
    let secrets = [secret.expose_secret()];
    match result {
        Ok(response) => token(response.into_inner().access_token),
        Err(error) => Err(classify(Operation::CreateAccessToken, &client, error, &secrets).await),
    }
}

/// `POST /v2/users/login`.
pub(crate) async fn login(
    endpoint: &Endpoint,
    username: &str,
    password: &SecretString,
) -> Result<Login> {
    let mut body = types::UsersLoginRequest {
        username: username.to_owned(),
        password: password.expose_secret().to_owned(),
    };
    let client = endpoint.client();
    let result = client.post_users_login(&body).await;
    body.password.zeroize();
    let secrets = [password.expose_secret()];
    match result {
        Ok(response) => token(response.into_inner().token).map(Login::Authenticated),
        Err(progenitor_client::Error::ErrorResponse(response)) => {
            let status = response.status().as_u16();
            let mut refusal = response.into_inner();
            match refusal.login_2fa_token.take().filter(|t| !t.is_empty()) {
                Some(login_2fa_token) => {
                    let message = refusal
                        .hub_message()
                        .map(|message| crate::scrub::scrub(message, &secrets));
                    Ok(Login::SecondFactorRequired(SecondFactorChallenge::new(
                        username,
                        SecretString::from(login_2fa_token),
                        message,
                    )))
                }
                None if is_second_factor_request(refusal.hub_message()) => {
                    Err(Error::new(ErrorKind::InvalidResponse)
                        .with_status(status)
                        .with_detail(
                            "docker hub asked for a second factor but sent no login_2fa_token",
                        ))
                }
                None => Err(status_error(
                    Operation::Login,
                    status,
                    None,
                    refusal.hub_message(),
                    None,
                    &secrets,
                )),
            }
        }
        Err(error) => Err(classify(Operation::Login, &client, error, &secrets).await),
    }
}

/// `POST /v2/users/2fa-login`.
pub(crate) async fn login_second_factor(
    endpoint: &Endpoint,
    challenge: &SecondFactorChallenge,
    code: &str,
) -> Result<Token> {
    let mut body = types::Users2FaLoginRequest {
        login_2fa_token: challenge.login_2fa_token().expose_secret().to_owned(),
        code: code.to_owned(),
    };
    let client = endpoint.client();
    let result = client.post_users2_fa_login(&body).await;
    body.login_2fa_token.zeroize();
    body.code.zeroize();
    let secrets = [challenge.login_2fa_token().expose_secret(), code];
    match result {
        Ok(response) => token(response.into_inner().token),
        Err(error) => Err(classify(Operation::SecondFactor, &client, error, &secrets).await),
    }
}

/// The `detail` Docker Hub has sent with `login_2fa_token` (hub-tool matches on it).
fn is_second_factor_request(message: Option<&str>) -> bool {
    message.is_some_and(|m| m.contains("Require secondary authentication"))
}

/// Wraps a token from a success body, which must not be empty.
fn token(token: String) -> Result<Token> {
    if token.is_empty() {
        return Err(Error::new(ErrorKind::InvalidResponse)
            .with_status(200)
            .with_detail("the token in the response is empty"));
    }
    Ok(Token::new(SecretString::from(token), SystemTime::now()))
}

/// Turns everything the generated client can fail with into this crate's error.
async fn classify<E: HubMessage>(
    operation: Operation,
    client: &Client,
    error: progenitor_client::Error<E>,
    secrets: &[&str],
) -> Error {
    use progenitor_client::Error as Generated;
    let status = client.inner().status();
    match error {
        Generated::ErrorResponse(response) => status_error(
            operation,
            response.status().as_u16(),
            retry::server_wait(response.headers(), SystemTime::now()),
            response.hub_message(),
            None,
            secrets,
        ),
        Generated::UnexpectedResponse(response) => undeclared(operation, response, secrets).await,
        Generated::InvalidResponsePayload(body, error) => match status {
            Some(status) if !is_success(status) => {
                let (message, excerpt) = describe_body(&body);
                status_error(
                    operation,
                    status,
                    None,
                    message.as_deref(),
                    excerpt.as_deref(),
                    secrets,
                )
            }
            // A success body is where the token lives: neither an excerpt of it nor
            // serde_json's message (which can quote it) is kept, only where it went wrong.
            _ => Error::new(ErrorKind::InvalidResponse)
                .with_status(status.unwrap_or(200))
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
                )),
        },
        Generated::ResponseBodyError(error) => match status {
            Some(status) if !is_success(status) && is_too_large(&error) => {
                status_error(operation, status, None, None, None, secrets)
                    .with_detail(error_text(&error))
            }
            _ if is_too_large(&error) => Error::new(ErrorKind::InvalidResponse)
                .with_status(status.unwrap_or(200))
                .with_detail(error_text(&error)),
            _ => transport(error),
        },
        Generated::CommunicationError(error) => transport(error),
        Generated::InvalidRequest(_) => {
            Error::invalid_input("the request could not be built from the input")
        }
        // Neither is produced by this crate's hooks and operations.
        Generated::Custom(_) | Generated::InvalidUpgrade(_) => Error::new(ErrorKind::Transport),
    }
}

/// Classifies a status the spec does not declare: 429, 5xx, 3xx, 403 and the rest.
async fn undeclared(operation: Operation, response: reqwest::Response, secrets: &[&str]) -> Error {
    let status = response.status().as_u16();
    let wait = retry::server_wait(response.headers(), SystemTime::now());
    match response.bytes().await {
        Ok(body) => {
            let (message, excerpt) = describe_body(&body);
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
fn status_error(
    operation: Operation,
    status: u16,
    wait: Option<std::time::Duration>,
    message: Option<&str>,
    excerpt: Option<&str>,
    secrets: &[&str],
) -> Error {
    let kind = match status {
        401 => match operation {
            Operation::SecondFactor => ErrorKind::SecondFactorRejected,
            Operation::CreateAccessToken | Operation::Login => ErrorKind::CredentialsRejected,
        },
        403 => ErrorKind::Forbidden,
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
    match (message, excerpt) {
        (Some(message), _) => error.with_hub_message(message, secrets),
        (None, Some(excerpt)) => error.with_excerpt(excerpt, secrets),
        (None, None) => error,
    }
}

/// The error for a request that got no (complete) response.
fn transport(error: reqwest::Error) -> Error {
    let (kind, retryable, detail) = if error.is_timeout() {
        (
            ErrorKind::Timeout,
            true,
            "no complete answer within the timeout",
        )
    } else if error.is_connect() {
        (ErrorKind::Transport, true, "could not connect")
    } else if error.is_body() || error.is_decode() {
        (
            ErrorKind::Transport,
            false,
            "the connection failed while the response was read",
        )
    } else {
        (ErrorKind::Transport, false, "the request failed")
    };
    Error::new(kind)
        .with_retryable(retryable)
        .with_detail(detail)
        .with_source(error)
}

fn is_success(status: u16) -> bool {
    (200..=299).contains(&status)
}

/// Returns whether the error, or one of its causes, is the body cap.
fn is_too_large(error: &reqwest::Error) -> bool {
    too_large(error).is_some()
}

fn too_large(error: &reqwest::Error) -> Option<&BodyTooLarge> {
    let mut cause: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(current) = cause {
        if let Some(too_large) = current.downcast_ref::<BodyTooLarge>() {
            return Some(too_large);
        }
        cause = current.source();
    }
    None
}

/// Describes a failed body read in words that never include the body.
fn error_text(error: &reqwest::Error) -> String {
    match too_large(error) {
        Some(too_large) => too_large.to_string(),
        None if error.is_timeout() => "the response body did not arrive within the timeout".into(),
        None => "the response body could not be read".into(),
    }
}

/// Returns Hub's message from a JSON error body, or else a short excerpt of the body.
fn describe_body(body: &[u8]) -> (Option<String>, Option<String>) {
    if let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice(body) {
        let message = ["detail", "message", "error"]
            .into_iter()
            .find_map(|name| fields.get(name)?.as_str())
            .filter(|message| !message.trim().is_empty());
        if let Some(message) = message {
            return (Some(message.to_owned()), None);
        }
    }
    (None, excerpt_of_text(body))
}

/// The bytes of a body an excerpt looks at; the excerpt itself is shorter still.
const EXCERPT_WINDOW: usize = 4096;

/// Returns the start of a body as text, or the `<title>` of an HTML page.
fn excerpt_of_text(body: &[u8]) -> Option<String> {
    let window = body.get(..EXCERPT_WINDOW).unwrap_or(body);
    let text = String::from_utf8_lossy(window);
    let title = text.to_ascii_lowercase().find("<title>").and_then(|start| {
        let rest = text.get(start + "<title>".len()..)?;
        let end = rest
            .to_ascii_lowercase()
            .find("</title>")
            .unwrap_or(rest.len());
        rest.get(..end)
    });
    let excerpt = title.unwrap_or(&text).trim();
    (!excerpt.is_empty()).then(|| excerpt.to_owned())
}

/// The classification of an error answer to the login route, for the fuzz target
/// `error_body` (compiled only under `cargo fuzz`) and the property test below.
#[cfg(any(test, fuzzing))]
pub(crate) fn classify_answer(status: u16, body: &[u8], secret: &str) -> Error {
    let (message, excerpt) = describe_body(body);
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

    #[test]
    fn json_errors_give_hubs_message() {
        let (message, excerpt) = describe_body(br#"{"message":"unauthorized","errinfo":{}}"#);
        assert_eq!(message.as_deref(), Some("unauthorized"));
        assert_eq!(excerpt, None);
        let (message, _) =
            describe_body(br#"{"detail":"Incorrect authentication credentials","message":"x"}"#);
        assert_eq!(
            message.as_deref(),
            Some("Incorrect authentication credentials")
        );
    }

    #[test]
    fn html_pages_give_their_title() {
        let page = b"<html><head><TITLE>502 Bad Gateway</TITLE></head><body>nginx</body></html>";
        assert_eq!(
            describe_body(page),
            (None, Some("502 Bad Gateway".to_owned()))
        );
    }

    #[test]
    fn plain_text_gives_its_start() {
        assert_eq!(
            describe_body(b"Too Many Requests (HAP429).\n"),
            (None, Some("Too Many Requests (HAP429).".to_owned()))
        );
        assert_eq!(describe_body(b"  "), (None, None));
    }

    #[test]
    fn invalid_utf8_and_cut_characters_do_not_panic() {
        let mut body = vec![b'a'; EXCERPT_WINDOW - 1];
        body.extend_from_slice("é".as_bytes()); // cut in half by the window
        body.extend_from_slice(&[0xff, 0xfe]);
        let (_, excerpt) = describe_body(&body);
        assert!(excerpt.unwrap().starts_with("aaa"));
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
