//! Keyless CI on the wire: the ID token request of GitHub's runner (built by hand: its URL is
//! the one the runner gives the job) and the token exchange of `openapi/identity.yaml`
//! (through the generated client), both through the same transport and classification as
//! every other call.

use std::time::SystemTime;

use reqwest::header::{AUTHORIZATION, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;
use zeroize::Zeroizing;

use crate::{
    error::{Error, ErrorKind, Result},
    identity_codegen::types,
    wire::{
        Endpoint, Sensitive,
        classify::{
            Operation, body_error, classify, invalid_success_body, response_error, transport,
        },
    },
};

/// What the identity service answered: the organization's token, and the lifetime it stated,
/// when it stated one this crate can read.
pub(crate) struct Exchanged {
    pub(crate) access_token: SecretString,
    pub(crate) expires_in: Option<u64>,
    pub(crate) received_at: SystemTime,
}

/// `POST /oauth/token`: exchanges `id_token` through the connection `connection_id` for a
/// token that lives `expires_in` seconds.
pub(crate) async fn exchange_token(
    endpoint: &Endpoint,
    id_token: &SecretString,
    connection_id: &str,
    expires_in: u64,
) -> Result<Exchanged> {
    let form = types::TokenExchangeForm {
        grant_type: Default::default(),
        subject_token_type: Default::default(),
        subject_token: Sensitive::from(id_token.clone()),
        connection_id: connection_id.to_owned(),
        expires_in: i64::try_from(expires_in).unwrap_or(i64::MAX),
    };
    let client = endpoint.identity_client()?;
    let result = client.exchange_token(&form).await;
    let secrets = [id_token.expose_secret()];
    match result {
        Ok(answer) => {
            let answer = answer.into_inner();
            if answer.access_token.expose_secret().is_empty() {
                return Err(Error::new(ErrorKind::InvalidResponse)
                    .with_status(200)
                    .with_detail("the access_token in the answer is empty"));
            }
            Ok(Exchanged {
                expires_in: answer.expires_in.as_ref().and_then(seconds),
                access_token: answer.access_token.into_secret(),
                received_at: SystemTime::now(),
            })
        }
        Err(error) => Err(classify(Operation::IdentityExchange, &client, error, &secrets).await),
    }
}

/// Reads a lifetime in whole seconds from a JSON number (a fraction is dropped) or a string
/// of digits; anything else is no lifetime.
fn seconds(value: &serde_json::Value) -> Option<u64> {
    match value {
        serde_json::Value::Number(number) => number.as_u64().or_else(|| {
            number
                .as_f64()
                .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
                // Saturates at u64::MAX; the token's lifetime is bounded again later.
                .map(|seconds| seconds as u64)
        }),
        serde_json::Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// The answer of GitHub's ID token endpoint; the ID token is wiped when it is dropped.
#[derive(Deserialize)]
struct IdTokenAnswer {
    value: Option<Sensitive>,
}

/// `GET {request_url}&audience={audience}` with `Authorization: Bearer {request_token}`: an
/// ID token from GitHub's runner for `audience`.
pub(crate) async fn github_id_token(
    endpoint: &Endpoint,
    request_url: &Url,
    request_token: &SecretString,
    audience: &str,
) -> Result<SecretString> {
    let mut url = request_url.clone();
    // `?audience=` when the URL has no query, `&audience=` after the one it has.
    url.query_pairs_mut().append_pair("audience", audience);
    let bearer = Zeroizing::new(format!("Bearer {}", request_token.expose_secret()));
    let mut authorization = HeaderValue::from_str(&bearer).map_err(|_| {
        Error::invalid_input("the runner's ID token request token is not a header value")
    })?;
    authorization.set_sensitive(true);
    let http = endpoint.http()?;
    let request = http
        .get(url)
        .header(AUTHORIZATION, authorization)
        .build()
        .map_err(|_| Error::invalid_input("the ID token request could not be built"))?;
    let response = endpoint
        .send(http, request, "GetIdToken")
        .await
        .map_err(transport)?;
    let secrets = [request_token.expose_secret()];
    let status = response.status().as_u16();
    if !response.status().is_success() {
        return Err(response_error(Operation::IdToken, response, &secrets).await);
    }
    let body = response
        .bytes()
        .await
        .map_err(|error| body_error(Operation::IdToken, status, error, &secrets))?;
    // The body is the ID token: the buffer is wiped once decoded.
    let body = Zeroizing::new(body.to_vec());
    let answer: IdTokenAnswer =
        serde_json::from_slice(&body).map_err(|error| invalid_success_body(status, &error))?;
    answer
        .value
        .filter(|token| !token.expose_secret().trim().is_empty())
        .map(Sensitive::into_secret)
        .ok_or_else(|| {
            Error::new(ErrorKind::InvalidResponse)
                .with_status(status)
                .with_detail("the runner's answer has no ID token (`value`)")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stated_lifetime_is_read_from_numbers_and_digit_strings() {
        let cases = [
            (serde_json::json!(600), Some(600)),
            (serde_json::json!(599.9), Some(599)),
            (serde_json::json!("3600"), Some(3600)),
            (serde_json::json!(" 42 "), Some(42)),
            (serde_json::json!(-1), None),
            (serde_json::json!("soon"), None),
            (serde_json::json!(null), None),
            (serde_json::json!({ "s": 1 }), None),
        ];
        for (value, expected) in cases {
            assert_eq!(seconds(&value), expected, "{value}");
        }
    }

    #[test]
    fn the_form_has_the_fields_dockers_actions_send() {
        let form = types::TokenExchangeForm {
            grant_type: Default::default(),
            subject_token_type: Default::default(),
            subject_token: Sensitive::from("eyJ.id.token"),
            connection_id: "867f6ef4-4b2c-4d8e-9a43-7f3b2c1d0e5a".to_owned(),
            expires_in: 300,
        };
        let encoded = serde_urlencoded::to_string(&form).unwrap();
        let mut fields: Vec<(String, String)> = serde_urlencoded::from_str(&encoded).unwrap();
        fields.sort();
        assert_eq!(
            fields,
            [
                ("connection_id", "867f6ef4-4b2c-4d8e-9a43-7f3b2c1d0e5a"),
                ("expires_in", "300"),
                (
                    "grant_type",
                    "urn:ietf:params:oauth:grant-type:token-exchange"
                ),
                ("subject_token", "eyJ.id.token"),
                (
                    "subject_token_type",
                    "urn:ietf:params:oauth:token-type:id_token"
                ),
            ]
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
        );
        assert!(!format!("{form:?}").contains("eyJ.id.token"));
    }
}
