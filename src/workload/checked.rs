//! [`Workload`]: a [`WorkloadIdentity`] checked before any request, and what its tokens and
//! refusals are filed under in the token cache.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use url::Url;
use zeroize::Zeroizing;

use super::{
    WorkloadIdentity,
    source::{Checked, check_source},
};
use crate::{
    base_url,
    cache::KeyMaterial,
    error::{Error, Result},
};

/// The lifetimes Docker's actions accept for the exchanged token, in seconds.
const EXPIRES_IN: std::ops::RangeInclusive<u64> = 300..=3600;

/// The route part of what exchanged tokens are filed under.
const EXCHANGE_ROUTE: &str = "/oauth/token (oidc)";

/// Checked OIDC credentials: what [`Credentials`](crate::Credentials) holds for them.
pub(crate) struct Workload {
    organization: String,
    /// Lowercase, as UUIDs are written.
    connection_id: String,
    expires_in: u64,
    /// Normalized: no trailing slash.
    identity_url: String,
    /// The identity service's origin: the audience of the ID tokens.
    audience: String,
    allow_http: bool,
    source: Checked,
}

impl Workload {
    /// Checks `identity` before any request.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput): an empty organization, a
    /// connection ID that is not a UUID, a lifetime that is not 300 to 3600 whole seconds, an
    /// identity URL that is not `https://` (or loopback), a given ID token that is empty, or
    /// a GitHub Actions source without the runner's variables.
    pub(crate) fn check(identity: WorkloadIdentity) -> Result<Workload> {
        let organization = identity.organization.trim().to_owned();
        if organization.is_empty() {
            return Err(Error::invalid_input(
                "the organization is empty: OIDC credentials are an organization's (the \
                 username is the organization's name)",
            ));
        }
        let connection_id = identity.connection_id.trim().to_ascii_lowercase();
        if !is_uuid(&connection_id) {
            return Err(Error::invalid_input(format!(
                "the OIDC connection ID {:?} is not a UUID (like \
                 867f6ef4-4b2c-4d8e-9a43-7f3b2c1d0e5a)",
                crate::scrub::scrub(&identity.connection_id, &[])
            )));
        }
        let lifetime = identity.expires_in;
        let expires_in = lifetime.as_secs();
        if lifetime.subsec_nanos() != 0 || !EXPIRES_IN.contains(&expires_in) {
            return Err(Error::invalid_input(format!(
                "the OIDC token lifetime (expires_in) must be {} to {} whole seconds, not {:?}",
                EXPIRES_IN.start(),
                EXPIRES_IN.end(),
                lifetime
            )));
        }
        let identity_url = base_url::normalize(&identity.identity_url, identity.allow_http)
            .map_err(|error| {
                let detail = error.detail().unwrap_or("it is not a valid URL");
                Error::invalid_input(detail.replacen("the base URL", "the identity URL", 1))
            })?;
        let audience = Url::parse(&identity_url)
            .map(|url| url.origin().ascii_serialization())
            .map_err(|_| Error::invalid_input("the identity URL is not a valid absolute URL"))?;
        let source = check_source(identity.source.inner, identity.allow_http)?;
        Ok(Workload {
            organization,
            connection_id,
            expires_in,
            identity_url,
            audience,
            allow_http: identity.allow_http,
            source,
        })
    }

    /// The organization: the username of its token.
    pub(crate) fn organization(&self) -> &str {
        &self.organization
    }

    pub(crate) fn connection_id(&self) -> &str {
        &self.connection_id
    }

    /// The lifetime asked for, in seconds.
    pub(crate) fn expires_in(&self) -> u64 {
        self.expires_in
    }

    pub(crate) fn identity_url(&self) -> &str {
        &self.identity_url
    }

    /// Whether `http://` is allowed for hosts that are not loopback.
    pub(crate) fn allows_http(&self) -> bool {
        self.allow_http
    }

    /// The audience of the ID tokens: the identity service's origin.
    pub(crate) fn audience(&self) -> &str {
        &self.audience
    }

    pub(crate) fn source(&self) -> &Checked {
        &self.source
    }

    /// Whether its exchanged tokens may be shared through a disk cache: not those of a
    /// caller's function, which nothing identifies across processes.
    pub(crate) fn on_disk(&self) -> bool {
        !matches!(self.source, Checked::Function(..))
    }

    /// The connection, shortened as people recognise it: `867f…`.
    pub(crate) fn short_connection(&self) -> String {
        let start: String = self.connection_id.chars().take(4).collect();
        format!("{start}…")
    }

    /// Names the credentials for messages and `-v`, never a token: "OIDC connection 867f…,
    /// GitHub Actions ID token".
    pub(crate) fn describe(&self) -> String {
        let source = match &self.source {
            Checked::GithubActions { .. } => "GitHub Actions ID token",
            Checked::Given(_) => "given ID token",
            Checked::Function(..) => "ID token of the caller's function",
        };
        format!("OIDC connection {}, {source}", self.short_connection())
    }

    /// Everything that makes the exchanged token different, as one string that is only ever
    /// hashed (keyed) into a cache entry's name: the identity service, the connection, the
    /// lifetime asked for, and the ID token's source (the runner's request URL and token,
    /// which are the job's own; a given ID token itself; a function's number in this process).
    /// The organization is the material's identifier.
    pub(crate) fn fingerprint(&self) -> SecretString {
        let source = match &self.source {
            Checked::GithubActions {
                request_url,
                request_token,
            } => Zeroizing::new(format!(
                "github actions\n{request_url}\n{}",
                request_token.expose_secret()
            )),
            Checked::Given(token) => Zeroizing::new(format!("given\n{}", token.expose_secret())),
            Checked::Function(_, number) => Zeroizing::new(format!("function\n{number}")),
        };
        let all = Zeroizing::new(format!(
            "oidc 1\n{}\n{}\n{}\n{}",
            self.identity_url,
            self.connection_id,
            self.expires_in,
            source.as_str()
        ));
        SecretString::from(all.as_str())
    }

    /// What an exchanged token is filed under.
    pub(crate) fn grant(&self) -> KeyMaterial {
        KeyMaterial::new(
            &self.identity_url,
            EXCHANGE_ROUTE,
            &self.organization,
            Some(self.fingerprint()),
        )
    }

    /// What a refused exchange is filed under: the same ID token source at the same
    /// connection, whatever asks.
    pub(crate) fn refusal(&self) -> KeyMaterial {
        KeyMaterial::refusal(
            &self.identity_url,
            &self.organization,
            Some(self.fingerprint()),
        )
    }
}

impl fmt::Debug for Workload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match &self.source {
            Checked::GithubActions { .. } => "github actions",
            Checked::Given(_) => "given",
            Checked::Function(..) => "function",
        };
        f.debug_struct("WorkloadIdentity")
            .field("organization", &self.organization)
            .field("connection_id", &self.connection_id)
            .field("expires_in", &self.expires_in)
            .field("identity_url", &self.identity_url)
            .field("id_token_source", &source)
            .finish_non_exhaustive() // never a token
    }
}

/// Returns whether `text` is a UUID written as 8-4-4-4-12 hexadecimal digits.
fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::{error::ErrorKind, workload::IdTokenSource};

    const CONNECTION: &str = "867f6ef4-4b2c-4d8e-9a43-7f3b2c1d0e5a";

    fn identity(source: IdTokenSource) -> WorkloadIdentity {
        WorkloadIdentity::new("acme", CONNECTION, source)
    }

    fn given() -> IdTokenSource {
        IdTokenSource::id_token("eyJ.given.token")
    }

    #[test]
    fn uuids_are_recognised_in_either_case_and_nothing_else_is() {
        assert!(is_uuid(CONNECTION));
        assert!(is_uuid(
            &CONNECTION.to_ascii_uppercase().to_ascii_lowercase()
        ));
        for text in [
            "",
            "867f6ef4",
            "867f6ef44b2c4d8e9a437f3b2c1d0e5a",
            "867f6ef4-4b2c-4d8e-9a43-7f3b2c1d0e5",
            "867f6ef4-4b2c-4d8e-9a43-7f3b2c1d0e5g",
            "867f6ef4-4b2c-4d8e-9a43-7f3b2c1d0e5a-",
            "../../etc/passwd",
        ] {
            assert!(!is_uuid(text), "{text}");
        }
    }

    #[test]
    fn invalid_settings_are_refused_before_any_request() {
        let cases = [
            WorkloadIdentity::new(" ", CONNECTION, given()),
            WorkloadIdentity::new("acme", "not-a-uuid", given()),
            identity(given()).expires_in(Duration::from_secs(299)),
            identity(given()).expires_in(Duration::from_secs(3601)),
            identity(given()).expires_in(Duration::from_millis(300_500)),
            identity(given()).identity_url("http://identity.example.com"),
            identity(given()).identity_url("https://user:pw@identity.example.com"),
            identity(IdTokenSource::id_token(" ")),
            identity(IdTokenSource::github_actions_request(
                "http://runner.example.com/idtoken?api-version=2.0",
                "runner-token",
            )),
            identity(IdTokenSource::github_actions_request(
                "https://runner.example.com/idtoken",
                "",
            )),
        ];
        for case in cases {
            let shown = format!("{case:?}");
            let error = Workload::check(case).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidInput, "{shown}");
        }
    }

    #[test]
    fn the_audience_is_the_identity_services_origin() {
        let workload = Workload::check(identity(given())).unwrap();
        assert_eq!(workload.audience(), "https://identity.docker.com");
        let workload =
            Workload::check(identity(given()).identity_url("http://127.0.0.1:8080/prefix/"))
                .unwrap();
        assert_eq!(workload.audience(), "http://127.0.0.1:8080");
        assert_eq!(workload.identity_url(), "http://127.0.0.1:8080/prefix");
    }

    #[test]
    fn every_part_that_makes_the_token_different_changes_the_fingerprint() {
        let fingerprint = |identity: WorkloadIdentity| {
            Workload::check(identity)
                .unwrap()
                .fingerprint()
                .expose_secret()
                .to_owned()
        };
        let runner = |url: &str| IdTokenSource::github_actions_request(url, "runner-token");
        let base = fingerprint(identity(runner("https://runner.example/job/1")));
        assert_eq!(
            base,
            fingerprint(identity(runner("https://runner.example/job/1")))
        );
        for other in [
            identity(runner("https://runner.example/job/2")),
            identity(IdTokenSource::github_actions_request(
                "https://runner.example/job/1",
                "another-runner-token",
            )),
            identity(runner("https://runner.example/job/1")).expires_in(Duration::from_secs(600)),
            identity(runner("https://runner.example/job/1"))
                .identity_url("https://identity-stage.docker.com"),
            WorkloadIdentity::new(
                "acme",
                "00000000-4b2c-4d8e-9a43-7f3b2c1d0e5a",
                runner("https://runner.example/job/1"),
            ),
            identity(given()),
        ] {
            assert_ne!(fingerprint(other), base);
        }
        let two_functions = [
            IdTokenSource::from_fn(|_| None),
            IdTokenSource::from_fn(|_| None),
        ]
        .map(|source| fingerprint(identity(source)));
        assert_ne!(two_functions[0], two_functions[1]);
    }

    #[test]
    fn debug_and_descriptions_never_show_a_token() {
        let workload = Workload::check(identity(IdTokenSource::github_actions_request(
            "https://runner.example/job/1",
            "runner-CANARY",
        )))
        .unwrap();
        let shown = format!("{workload:?} {}", workload.describe());
        assert!(!shown.contains("CANARY"), "{shown}");
        assert_eq!(
            workload.describe(),
            "OIDC connection 867f…, GitHub Actions ID token"
        );
        let given = Workload::check(identity(IdTokenSource::id_token("eyJ.CANARY"))).unwrap();
        assert!(!format!("{given:?}").contains("CANARY"));
    }
}
