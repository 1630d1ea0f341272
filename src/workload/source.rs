//! The source of a checked [`Workload`](super::Workload)'s ID tokens: GitHub's runner (its
//! URL checked by the transport rule), a given ID token, or a caller's function.

use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::{IdTokenFn, Source};
use crate::{
    base_url,
    error::{Error, Result},
};

/// A checked [`IdTokenSource`](super::IdTokenSource).
pub(crate) enum Checked {
    GithubActions {
        request_url: Url,
        request_token: SecretString,
    },
    Given(SecretString),
    Function(IdTokenFn, u64),
}

/// Checks where the ID token comes from.
pub(super) fn check_source(source: Source, allow_http: bool) -> Result<Checked> {
    match source {
        Source::GithubActions {
            request_url: Some(request_url),
            request_token: Some(request_token),
        } if !request_token.expose_secret().trim().is_empty() => Ok(Checked::GithubActions {
            request_url: runner_url(&request_url, allow_http)?,
            request_token,
        }),
        Source::GithubActions { .. } => Err(Error::invalid_input(
            "no OIDC ID token: ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN \
             are not set. In GitHub Actions, add `permissions: id-token: write` to the job; \
             elsewhere, give the ID token itself (DOCKERHUB_OIDC_ID_TOKEN)",
        )),
        Source::Given(token) if token.expose_secret().trim().is_empty() => {
            Err(Error::invalid_input("the OIDC ID token is empty"))
        }
        Source::Given(token) => Ok(Checked::Given(token)),
        Source::Function(function, number) => Ok(Checked::Function(function, number)),
    }
}

/// Checks the runner's URL: `https://`, or `http://` on a loopback host (or when allowed),
/// with no username or password. Its query is kept: the audience is appended to it.
fn runner_url(text: &str, allow_http: bool) -> Result<Url> {
    let invalid = |why: &str| {
        Error::invalid_input(format!(
            "ACTIONS_ID_TOKEN_REQUEST_URL {why} (the ID token request carries the runner's \
             request token)"
        ))
    };
    let url = Url::parse(text.trim()).map_err(|_| invalid("is not a valid absolute URL"))?;
    if url.host().is_none() {
        return Err(invalid("has no host"));
    }
    match url.scheme() {
        "https" => {}
        "http" if allow_http || base_url::is_loopback(&url) => {}
        _ => return Err(invalid("must use https:// (or http:// on a loopback host)")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("must not contain a username or password"));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::{IdTokenSource, Workload, WorkloadIdentity};

    fn identity(source: IdTokenSource) -> WorkloadIdentity {
        WorkloadIdentity::new("acme", "867f6ef4-4b2c-4d8e-9a43-7f3b2c1d0e5a", source)
    }

    #[test]
    fn missing_runner_variables_say_to_add_the_permission() {
        let source = IdTokenSource {
            inner: Source::GithubActions {
                request_url: None,
                request_token: None,
            },
        };
        let error = Workload::check(identity(source)).unwrap_err();
        let shown = error.to_string();
        assert!(shown.contains("permissions: id-token: write"), "{shown}");
        assert!(shown.contains("DOCKERHUB_OIDC_ID_TOKEN"), "{shown}");
    }

    #[test]
    fn the_runners_url_keeps_its_query_and_follows_the_transport_rule() {
        let url = runner_url("https://runner.example/idtoken?api-version=2.0", false).unwrap();
        assert_eq!(url.query(), Some("api-version=2.0"));
        assert!(runner_url("http://127.0.0.1:8080/idtoken", false).is_ok());
        assert!(runner_url("http://runner.example/idtoken", true).is_ok());
        for refused in [
            "http://runner.example/idtoken",
            "https://user:pw@runner.example/idtoken",
            "ftp://runner.example/idtoken",
            "not a url",
        ] {
            assert!(runner_url(refused, false).is_err(), "{refused}");
        }
    }
}
