//! Docker Hub bearer tokens, the way Docker Hub really behaves.
//!
//! `dockerhub-auth` turns a password, a personal access token (PAT, `dckr_pat_…`) or an
//! organization access token (OAT, `dckr_oat_…`) into the JWT that Docker Hub's API wants
//! in `Authorization: Bearer …`, two-factor accounts included. Its low-level client is
//! generated at build time by [progenitor](https://github.com/oxidecomputer/progenitor) from
//! the OpenAPI document in `openapi/`; the types below are a small facade over it.
//!
//! # Quick start
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let server = httpmock::MockServer::start_async().await;
//! # server.mock_async(|when, then| { when.method("POST").path("/v2/auth/token");
//! #     then.status(200).json_body(serde_json::json!({ "access_token": "not-a-jwt" })); }).await;
//! # let hub_url = server.base_url();
//! use dockerhub_auth::Hub;
//!
//! let hub = Hub::builder()
//!     .base_url(hub_url) // leave out for https://hub.docker.com
//!     .user_agent("my-tool/1.2")
//!     .build()?;
//! let token = hub.create_access_token("alice", "dckr_pat_example").await?;
//! let header = token.authorization_header(); // `Bearer …`, marked sensitive
//! # assert!(header.is_sensitive());
//! # Ok(()) }
//! ```
//!
//! # Runtime: Tokio, with time and I/O
//!
//! The async API runs on [Tokio](https://tokio.rs) 1.x and uses its timers and its I/O
//! driver. `#[tokio::main]`, `#[tokio::test]` and `tokio::runtime::Runtime::new()` enable
//! both; a runtime from `tokio::runtime::Builder` needs `.enable_all()`. What a program's
//! `Cargo.toml` needs for `#[tokio::main]`:
//!
//! ```toml
//! [dependencies]
//! dockerhub-auth = "0.1"
//! tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
//! ```
//!
//! - Without a runtime, a call that needs a request returns [`ErrorKind::Runtime`] at once,
//!   naming itself ("Registry::token needs a tokio runtime, with time and I/O enabled, and
//!   none is running …"), and sends nothing. A token a cache holds is handed out without
//!   one.
//! - A runtime built without timers or without I/O cannot be detected before it is used:
//!   tokio 1.x has no public way to ask that does not panic. Such a call fails inside tokio,
//!   with tokio's message naming the fix ("… timers are disabled. Call `enable_time` on the
//!   runtime builder to enable timers.").
//! - Code without an async runtime (a build script, a synchronous tool, a test helper) uses
//!   the [blocking API][blocking] instead: feature `blocking`, no runtime needed.
//!
//! # Blocking code
//!
//! With the `blocking` feature, [`blocking::Hub`][blocking], `blocking::Session` and
//! `blocking::Registry` have the builders, method names, errors and guarantees of
//! [`Hub`], [`Session`] and [`Registry`], and return the same types, without `async`:
//!
#![cfg_attr(
    feature = "blocking",
    doc = r#"```
# fn main() -> Result<(), Box<dyn std::error::Error>> {
# let server = httpmock::MockServer::start();
# let mock = server.mock(|when, then| { when.method("POST").path("/v2/auth/token");
#     then.status(200).json_body(serde_json::json!({ "access_token": "not-a-jwt" })); });
# let hub_url = server.base_url();
use dockerhub_auth::{Credentials, blocking::Hub};

let hub = Hub::builder().base_url(hub_url).build()?; // in a plain `fn main`
let session = hub.session(Credentials::secret("alice", "dckr_pat_example"));
let token = session.token()?; // a cached token is handed out on this thread
# let _ = token;
# mock.assert_calls(1);
# Ok(()) }
```"#
)]
#![cfg_attr(
    not(feature = "blocking"),
    doc = r#"```text
let hub = dockerhub_auth::blocking::Hub::builder().build()?; // in a plain `fn main`
let session = hub.session(Credentials::secret("alice", pat));
let token = session.token()?; // a cached token is handed out on this thread
```"#
)]
//!
//! Each client runs its own runtime thread, which its clones share and which stops with the
//! last of them. Called inside a tokio runtime, where blocking would stall it, a blocking
//! call returns [`ErrorKind::Runtime`] at once, naming the async method to use instead.
//!
//! # The three operations
//!
//! | method | route | gives |
//! | --- | --- | --- |
//! | [`Hub::create_access_token`] | `POST /v2/auth/token` | a [`Token`] living about ten minutes; Docker's recommended route, for passwords, PATs and OATs (identifier = organization name) |
//! | [`Hub::login`] | `POST /v2/users/login` | a [`Login`]: a token, or a [`SecondFactorChallenge`] |
//! | [`Hub::login_second_factor`] | `POST /v2/users/2fa-login` | a [`Token`] |
//!
//! # Two-factor accounts
//!
//! A second factor is an answer, not an error. Keep the challenge while a person types
//! the code; a wrong code leaves it usable for another try.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let server = httpmock::MockServer::start_async().await;
//! # server.mock_async(|when, then| { when.method("POST").path("/v2/users/login");
//! #     then.status(401).json_body(serde_json::json!({
//! #         "detail": "Require secondary authentication on MFA enabled account",
//! #         "login_2fa_token": "eyJ.short-lived.token" })); }).await;
//! # server.mock_async(|when, then| { when.method("POST").path("/v2/users/2fa-login");
//! #     then.status(200).json_body(serde_json::json!({ "token": "not-a-jwt" })); }).await;
//! # let hub = dockerhub_auth::Hub::builder().base_url(server.base_url()).build()?;
//! # let ask_for_code = || "123 456";
//! use dockerhub_auth::Login;
//!
//! let token = match hub.login("alice", "correct horse battery staple").await? {
//!     Login::Authenticated(token) => token,
//!     Login::SecondFactorRequired(challenge) => {
//!         hub.login_second_factor(&challenge, ask_for_code()).await?
//!     }
//! };
//! # let _ = token;
//! # Ok(()) }
//! ```
//!
//! # Sessions: a token for as long as the program runs
//!
//! Tokens from `/v2/auth/token` live about ten minutes. A [`Session`] holds the
//! [`Credentials`] and hands out a cached token, refreshed ahead of expiry (when less than
//! the larger of 60 s and 10% of its lifetime is left). However many tasks ask while a
//! refresh is due, one request goes to Docker Hub and all of them get its result.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let server = httpmock::MockServer::start_async().await;
//! # let mock = server.mock_async(|when, then| { when.method("POST").path("/v2/auth/token");
//! #     then.status(200).json_body(serde_json::json!({ "access_token": "not-a-jwt" })); }).await;
//! # let hub = dockerhub_auth::Hub::builder().base_url(server.base_url()).build()?;
//! use dockerhub_auth::Credentials;
//!
//! let session = hub.session(Credentials::secret("acme-org", "dckr_oat_example"));
//! let tasks: Vec<_> = (0..10)
//!     .map(|_| {
//!         let session = session.clone();
//!         tokio::spawn(async move { session.token().await })
//!     })
//!     .collect();
//! for task in tasks {
//!     let token = task.await??;
//!     # let _ = token;
//! }
//! # mock.assert_calls_async(1).await; // ten callers, one request
//! # Ok(()) }
//! ```
//!
//! After Docker Hub rejects a token elsewhere (a 401 from another route), call
//! [`Session::invalidate`]. With the `totp` feature, [`Credentials::password_with_totp`][totp] lets a
//! session log in to a two-factor account without a person.
//!
//! # Failures are remembered
//!
//! Docker Hub locks a username for ten minutes after repeated failed logins, and rate
//! limits its login routes. A session therefore never sends what it knows will fail:
//!
//! - a rejected secret ([`ErrorKind::CredentialsRejected`], [`ErrorKind::Forbidden`]) is
//!   returned again without a request until [`Session::invalidate`] or a cool-down (default
//!   ten minutes, [`SessionBuilder::cool_down`]);
//! - a rate limit with a known wait keeps every caller off Docker Hub until it is over, or
//!   for an hour at most (a `Retry-After` of years is reported as it is, not obeyed);
//! - a transient failure (timeout, connection, 5xx) is returned again for a short backoff;
//! - when an early refresh fails, the cached token, still valid, keeps being handed out
//!   (with a `tracing` warning) until shortly before it expires.
//!
//! Such an error keeps the original kind, status and Hub's message;
//! [`Error::is_remembered`] tells it apart, [`Error::remembered_until`] says until when,
//! and its `Display` ends with "remembered from 42 s ago, not retried before 10:31:07 UTC".
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let server = httpmock::MockServer::start_async().await;
//! # let mock = server.mock_async(|when, then| { when.method("POST").path("/v2/auth/token");
//! #     then.status(401).json_body(serde_json::json!({ "detail": "Incorrect authentication credentials" })); }).await;
//! # let hub = dockerhub_auth::Hub::builder().base_url(server.base_url()).build()?;
//! use dockerhub_auth::{Credentials, ErrorKind};
//!
//! let session = hub.session(Credentials::secret("alice", "dckr_pat_revoked"));
//! let first = session.token().await.unwrap_err(); // Docker Hub said no
//! let again = session.token().await.unwrap_err(); // and is not asked again
//! assert_eq!(again.kind(), ErrorKind::CredentialsRejected);
//! assert!(again.is_remembered() && !first.is_remembered());
//! # mock.assert_calls_async(1).await;
//! session.invalidate(); // new credentials in place: the next call asks
//! # Ok(()) }
//! ```
//!
//! # A token cache shared across processes
//!
//! With a [`DiskCache`] ([`SessionBuilder::disk_cache`]; off by default in the library, on
//! by default in the CLI), sessions in any number of processes share tokens and remembered
//! failures: fifty CI jobs that start at once send one request, and a rejected secret is
//! sent once, not once per job. It lives in `DOCKERHUB_AUTH_CACHE_DIR`, else
//! `$XDG_RUNTIME_DIR/dockerhub-auth`, else the user's cache directory; the directory is
//! 0700 and its files 0600, one per account and secret, named by a keyed hash: the secret
//! is never written. A directory others can write is not used (one warning), a damaged
//! entry is ignored and replaced, and the cross-process lock is released by the operating
//! system when its holder dies. What the disk holds is data from an earlier process, not a
//! promise: a failure is remembered for an hour at most, an entry received in the future
//! (beyond a minute of clock skew) is not served, nor a token past its own expiry. No link
//! is followed and nothing but a regular file is read (a FIFO never hangs a session); a
//! directory, key or lock file that is not the cache's own makes the cache unusable (one
//! warning), and is never replaced or removed. On platforms other than Unix the cache is not
//! used.
//! [`DiskCache::clear`] and [`DiskCache::clear_identifier`] remove entries
//! (`dockerhub-auth logout`).
//!
//! # Docker's stored credentials
//!
//! Where `docker login` already saved credentials, [`DockerCredentialStore`] reads them the
//! way the docker CLI does: the JSON in `DOCKER_AUTH_CONFIG`, else
//! `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`; in it, the credential helper
//! `credHelpers` or `credsStore` names (`docker-credential-<name> get`), else `auths`. Every
//! spelling of Docker Hub's key (`https://index.docker.io/v1/`, `docker.io`,
//! `registry-1.docker.io`, …) is recognised. For another registry,
//! [`DockerCredentialStore::registry_credentials`] looks its own host up
//! (`credHelpers[host]`, `credsStore`, `auths[host]`), as docker does before it talks to that
//! registry: Docker Hub's entry is never sent to another registry's token service. Nothing
//! stored is `Ok(None)`; a store that cannot be read is [`ErrorKind::CredentialStore`],
//! naming the file or helper. The config is read only from a regular file (a link to one is
//! followed, as docker does), opened without blocking and up to 4 MiB: a FIFO or a device
//! named `config.json` is an error at once. Helper names must be plain names (never a path),
//! helpers are looked up only in the absolute entries of `PATH` (as docker does: never in
//! `bin` or `.`), and a helper is stopped after a timeout (60 s by default, shortened to what
//! is left of the caller's [deadline](DockerCredentialStore::deadline_at)) or 64 KiB of
//! output, on Unix with every process it started (its process group). An identity token
//! (from a browser or SSO login) is reported as one: Docker Hub's token API needs a personal
//! access token instead.
//!
//! The lookup reads a file and may run a helper, so it blocks; from async code use the
//! `_async` variant, which runs it on Tokio's blocking pool.
//!
//! ```
//! # async fn run() -> Result<(), dockerhub_auth::Error> {
//! use dockerhub_auth::{DockerCredentialStore, Hub};
//!
//! let hub = Hub::builder().build()?;
//! match DockerCredentialStore::from_env().docker_hub_credentials_async().await? {
//!     Some(stored) => {
//!         eprintln!("using the credentials of {}", stored.source()); // never the secret
//!         let session = hub.session(stored.into_credentials());
//!         # let _ = session;
//!     }
//!     None => eprintln!("nothing stored for Docker Hub: run `docker login` first"),
//! }
//! # Ok(()) }
//! ```
//!
//! # Credentials from the environment
//!
//! [`CredentialLookup`] finds "whatever credentials this environment has" exactly as the
//! `dockerhub-auth` command line does (its stdin and prompt aside), and says which source it
//! used. First match wins:
//!
//! | # | source | gives |
//! | --- | --- | --- |
//! | 1 | [`CredentialLookup::oidc_connection`] (the CLI's `--oidc-connection`) | OIDC credentials, as in row 3 |
//! | 2 | `DOCKERHUB_TOKEN`, with [`CredentialLookup::username`] or `DOCKERHUB_USERNAME` | [`Credentials::secret`] |
//! | 3 | `DOCKERHUB_OIDC_CONNECTIONID`, with the username as the organization, `DOCKERHUB_OIDC_EXPIREIN`, `DOCKERHUB_IDENTITY_URL`, and `DOCKERHUB_OIDC_ID_TOKEN` or GitHub's `ACTIONS_ID_TOKEN_REQUEST_URL`/`_TOKEN` | [`Credentials::workload_identity`] |
//! | 4 | what `docker login` stored ([`DockerCredentialStore`]; for a [registry](CredentialLookup::registry), the entry of its host), unless [skipped](CredentialLookup::docker_config) | a secret, or a registry's identity token |
//!
//! A job that sets both a token and a connection uses the token, as `docker/login-action`
//! does; an empty variable counts as unset. Nothing found is a value
//! ([`LookupOutcome::credentials`] is `None`) that lists what was looked at. The lookup reads
//! files and may run a credential helper: [`CredentialLookup::find_async`] keeps that off the
//! async runtime. [`HubBuilder::base_url_from_env`] and
//! [`RegistryBuilder::base_url_from_env`] read `DOCKERHUB_URL` and `DOCKERHUB_REGISTRY_URL` the
//! same way.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use dockerhub_auth::{CredentialLookup, Hub};
//!
//! let hub = Hub::builder().base_url_from_env().build()?;
//! let outcome = CredentialLookup::from_env().find_async().await?;
//! match outcome.origin() {
//!     Some(origin) => eprintln!("using the credentials from {origin}"), // never the secret
//!     None => eprintln!("{outcome}"), // "no usable credentials; looked at: …"
//! }
//! if let Some(credentials) = outcome.into_credentials() {
//!     let session = hub.session(credentials);
//!     # let _ = session;
//! }
//! # Ok(()) }
//! ```
//!
//! # Keyless CI: OIDC credentials
//!
//! In GitHub Actions, Docker Hub trusts the job's OIDC ID token through an "OIDC connection"
//! of an organization (Beta, organization accounts only): no personal or organization access
//! token needs to be stored in the CI system. [`Credentials::workload_identity`] takes the
//! organization, the connection's ID and where the ID token comes from
//! ([`IdTokenSource::github_actions`]: the job needs `permissions: id-token: write`; a given
//! token; or a function of yours). The ID token is exchanged at Docker's identity service
//! (`POST https://identity.docker.com/oauth/token`) for a short-lived token of the
//! organization, which a [`Session`] hands out as its bearer token and a [`Registry`] sends as
//! Basic `organization:token`. It is cached and refreshed like every token (a new ID token and
//! a new exchange, ahead of expiry, one at a time), and with a [`DiskCache`] the processes of
//! one job share it; another job (another runner request URL) or another given ID token gets
//! its own. A refused exchange is [`ErrorKind::CredentialsRejected`] with the service's
//! description and the ID token's subject (`repo:acme/app:ref:refs/heads/main`), remembered
//! like a rejected secret. [`Registry::login`] gives the pair a Docker credential helper hands
//! out (`acme` and the exchanged token, from the cache while it has a minute of life left).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let server = httpmock::MockServer::start_async().await;
//! # let exchange = server.mock_async(|when, then| { when.method("POST").path("/oauth/token")
//! #         .form_urlencoded_tuple("connection_id", "867f6ef4-4b2c-4d8e-9a43-7f3b2c1d0e5a");
//! #     then.status(200).json_body(serde_json::json!({ "access_token": "organization-token" })); }).await;
//! # let identity_url = server.base_url();
//! # let id_token = "eyJ.id.token";
//! use dockerhub_auth::{Credentials, Hub, IdTokenSource, WorkloadIdentity};
//!
//! let credentials = Credentials::workload_identity(
//!     WorkloadIdentity::new(
//!         "acme", // the organization
//!         "867f6ef4-4b2c-4d8e-9a43-7f3b2c1d0e5a", // its OIDC connection
//!         IdTokenSource::id_token(id_token), // in a workflow: IdTokenSource::github_actions()
//!     )
//!     .identity_url(identity_url), // leave out for https://identity.docker.com
//! )?;
//! let session = Hub::builder().build()?.session(credentials);
//! let token = session.token().await?; // the organization's token
//! # assert_eq!(token.expose_secret(), "organization-token");
//! # exchange.assert_calls_async(1).await;
//! # Ok(()) }
//! ```
//!
//! # Managing access tokens
//!
//! [`Hub::personal_access_tokens`] and [`Hub::org_access_tokens`] list, create, change, delete and
//! rotate personal and organization access tokens (`/v2/access-tokens`,
//! `/v2/orgs/{name}/access-tokens`). They need a bearer token from a **password** login:
//! Docker Hub refuses one issued from an access token with
//! [`ErrorKind::PasswordLoginRequired`]. With a [`Session`] as the bearer, a token Hub
//! refuses (401) is refreshed once.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # use serde_json::json;
//! # let server = httpmock::MockServer::start_async().await;
//! # server.mock_async(|when, then| { when.method("POST").path("/v2/users/login");
//! #     then.status(200).json_body(json!({ "token": "not-a-jwt" })); }).await;
//! # server.mock_async(|when, then| { when.method("GET").path("/v2/access-tokens");
//! #     then.status(200).json_body(json!({ "next": null, "results": [
//! #         { "uuid": "4c1e", "token_label": "laptop", "is_active": true, "scopes": ["repo:admin"],
//! #           "created_at": "2025-01-01T00:00:00Z", "last_used": null },
//! #         { "uuid": "9f2a", "token_label": "ci", "is_active": true, "scopes": ["repo:write"],
//! #           "created_at": "2026-01-01T00:00:00Z", "last_used": "2026-07-01T00:00:00Z" }] })); }).await;
//! # server.mock_async(|when, then| { when.method("PATCH").path("/v2/access-tokens/4c1e");
//! #     then.status(200).json_body(json!({ "uuid": "4c1e", "is_active": false })); }).await;
//! # let hub = dockerhub_auth::Hub::builder().base_url(server.base_url()).build()?;
//! use dockerhub_auth::{Credentials, TokenUpdate};
//! use futures_util::TryStreamExt as _;
//!
//! let session = hub.session(Credentials::password("alice", "correct horse battery staple"));
//! let tokens = hub.personal_access_tokens(&session);
//! // Deactivate every token that was never used.
//! let unused: Vec<_> = tokens
//!     .list()
//!     .try_filter(|token| std::future::ready(token.is_active() && token.last_used_at().is_none()))
//!     .try_collect()
//!     .await?;
//! for token in unused {
//!     tokens.update(token.id(), TokenUpdate::new().active(false)).await?;
//! }
//! # Ok(()) }
//! ```
//!
//! [`PersonalAccessTokens::create`] returns the new secret once, as a [`SecretString`];
//! [`PersonalAccessTokens::rotate`] creates a successor with the same scopes, proves its
//! secret at `/v2/auth/token`, and only then deactivates the old token (if the proof fails,
//! the successor is deleted and the old token left as it was). Each has a runnable example.
//!
//! # Registry tokens and the pull limit
//!
//! Pulling and pushing images needs another token: the registry's (`registry-1.docker.io`
//! for Docker Hub), for a set of [`RegistryScope`]s. A [`Registry`] asks the registry how it wants
//! clients to authenticate (`GET /v2/` answers with a challenge naming its token service),
//! gets tokens there with the same [`Credentials`] value as a [`Session`] (a secret, a
//! password, [none](Credentials::anonymous), or the [identity
//! token](Credentials::identity_token) `docker login` stores after a web login), and caches
//! them per credentials and scope set; a secret the token service refused is not sent again
//! for another scope set. Credentials go only to `https://` token services, or to
//! loopback ones; an invalid repository name is refused before any request. On Docker Hub a
//! one-part name is an official image: `alpine` is `library/alpine`.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let server = httpmock::MockServer::start_async().await;
//! # let challenge = format!(r#"Bearer realm="{}",service="registry.docker.io""#, server.url("/token"));
//! # server.mock_async(|when, then| { when.method("GET").path("/v2/");
//! #     then.status(401).header("www-authenticate", challenge); }).await;
//! # server.mock_async(|when, then| { when.method("POST").path("/token");
//! #     then.status(200).json_body(serde_json::json!({ "access_token": "opaque", "expires_in": 300 })); }).await;
//! # server.mock_async(|when, then| {
//! #     when.method("HEAD").path("/v2/ratelimitpreview/test/manifests/latest");
//! #     then.status(200).header("ratelimit-limit", "100;w=21600")
//! #         .header("ratelimit-remaining", "76;w=21600"); }).await;
//! # let registry_url = server.base_url();
//! use dockerhub_auth::{Credentials, Registry, RegistryScope};
//!
//! let registry = Registry::builder()
//!     .base_url(registry_url) // leave out for https://registry-1.docker.io
//!     .build()?;
//! let alice = Credentials::secret("alice", "dckr_pat_example");
//! let token = registry
//!     .token(&alice, &[RegistryScope::parse("repository:alice/app:pull,push")?])
//!     .await?;
//! println!("{:?} until {}", token.scopes(), token.expires_at_rfc3339());
//!
//! // Docker's pull-limit probe: a HEAD that is not counted as a pull.
//! let limit = registry.pull_limit(&alice).await?;
//! match (limit.remaining(), limit.limit()) {
//!     (Some(left), Some(of)) => println!("{left} of {of} pulls left"),
//!     _ => println!("no pull limit reported"), // never read as zero
//! }
//! # assert_eq!(limit.remaining(), Some(76));
//! # Ok(()) }
//! ```
//!
//! # Retries
//!
//! Every operation follows the hub's [`RetryPolicy`]: by default three attempts for 429,
//! 502, 503, 504, connection failures and timeouts while connecting, waiting as long as
//! Hub's `Retry-After` says (in seconds, as an HTTP date, or as the unix timestamp Hub has
//! also sent), else `X-RateLimit-Reset` on a 429, plus up to a tenth more so that clients
//! told the same moment spread out; else an exponential backoff with jitter. A wait longer
//! than 60 s is not slept: the error comes back at once with [`Error::retry_after`].
//! Rejected credentials are never retried: each failed login counts toward Docker Hub's
//! ten-minute lockout of the username; for the same reason a timeout after the request was
//! sent is not retried either (Hub may have counted it). An operation takes at most
//! `attempts × timeout + (attempts − 1) × max_wait` (210 s with the defaults), and
//! [`RetryPolicy::deadline`] bounds it further. One instant for a program's whole work,
//! [`RetryPolicy::deadline_at`], bounds every operation, retry, wait for another process's
//! refresh and (given to [`DockerCredentialStore::deadline_at`] too) credential helper: the
//! CLI's `--timeout`.
//!
//! # Errors
//!
//! Every operation returns [`Error`]. Match on its [`ErrorKind`]; Hub's own explanation is
//! in [`Error::hub_message`], the wait it asked for in [`Error::retry_after`].
//!
//! ```
//! # async fn run(hub: dockerhub_auth::Hub) {
//! use dockerhub_auth::ErrorKind;
//!
//! match hub.create_access_token("alice", "dckr_pat_example").await {
//!     Ok(token) => println!("valid for {} s", token.expires_in().unwrap_or_default().as_secs()),
//!     Err(err) => match err.kind() {
//!         ErrorKind::CredentialsRejected | ErrorKind::Forbidden => eprintln!("{err}"),
//!         ErrorKind::RateLimited => eprintln!("wait {:?}", err.retry_after()),
//!         _ if err.is_retryable() => eprintln!("try again later: {err}"),
//!         _ => eprintln!("{err}"),
//!     },
//! }
//! # }
//! ```
//!
//! # Security
//!
//! - Passwords, access tokens, JWTs, `login_2fa_token`s, codes, registry tokens, OIDC ID
//!   tokens, GitHub's runner request token and exchanged tokens are held as [`SecretString`]
//!   and never appear in `Debug` or `Display` output, in errors, or in `tracing` events (an
//!   ID token's `sub`, `repository` and `ref` claims may: they say why a ruleset did not
//!   match). Server text quoted in errors is redacted of them too (and of the Basic
//!   credentials built from them; after a second factor, of the password of the login that
//!   led there), and of anything shaped like a JWT (`eyJ…`) or a Docker access token
//!   (`dckr_…`) wherever it sits, also glued to a word (`session=eyJ…`, `key=dckr_oat_…`): a
//!   token this crate never saw is removed by its shape.
//! - [`Token::claims`] are decoded without verifying the signature; use them for expiry and
//!   display, not for authorization decisions.
//! - Redirects are never followed (the request body holds the secret), response bodies are
//!   capped (1 MiB by default), and `http://` is refused for hosts that are not loopback.
//! - `tracing` spans (`create_access_token`, `login`, `login_second_factor`,
//!   `session_refresh`, the access-token operations such as `create_personal_access_token`,
//!   `registry_token`, `pull_limit`, each with `attempt` spans carrying the attempt number,
//!   status and duration) never record a body, a header or a secret.
//! - Docker's credential store is only read: this crate never writes its files and never
//!   calls a helper's `store` or `erase`. Nothing a config file or helper holds is put in an
//!   error or a `tracing` event. A failing helper is named with its exit status and the
//!   command to run by hand (`docker-credential-NAME get`), never quoted: what it printed
//!   may hold the secret, which no scrubber could recognise.
//! - The access-token routes send the bearer token to the base URL only: a list asks for
//!   its pages by number (`page=2`, `3`, … while an answer has a non-empty `next`, at most
//!   100 pages) and never follows the `next` link the server sent.
//! - The disk cache holds bearer tokens sealed under a key derived from the secret they were
//!   obtained with (never the secret itself, nor an OIDC ID token or runner token), in files
//!   only the user can read; see [`DiskCache`].
//! - Secrets are wiped from this crate's own buffers when dropped. Copies inside `reqwest`,
//!   `hyper`, `serde_json` and the TLS library are out of its reach.
//!
//! # Names used here
//!
//! Docker's own words overlap ("access token" names three things in its docs), so this
//! crate gives each thing one name and keeps it everywhere, in the API, the CLI and the
//! docs:
//!
//! | name | means | where |
//! | --- | --- | --- |
//! | secret | what proves who you are to Docker Hub: a password, a personal access token (`dckr_pat_…`) or an organization access token (`dckr_oat_…`) | [`Credentials::secret`], `--secret-stdin`, `DOCKERHUB_TOKEN` |
//! | credentials | how to authenticate, one value every client takes: a secret, a password for the login route, an identity token, OIDC credentials, or none | [`Credentials`] |
//! | access token | only Docker Hub's personal and organization access tokens, the long-lived secrets that are managed | [`Hub::personal_access_tokens`], [`Hub::org_access_tokens`], `pat`, `oat` |
//! | token, bearer token | what an issuer hands back, short-lived: Docker Hub's JWT, or a registry's token | [`Token`], [`RegistryToken`] |
//! | identity token | the OAuth2 refresh token `docker login` stores after a web or SSO login | [`Credentials::identity_token`] |
//! | OIDC credentials, workload identity | an organization's credentials that are no stored secret: an OIDC ID token exchanged through one of its OIDC connections (keyless CI) | [`Credentials::workload_identity`], [`WorkloadIdentity`], `--oidc-connection`, `DOCKERHUB_OIDC_CONNECTIONID` |
//! | ID token | the OIDC JWT a CI system issues to a job (GitHub Actions' runner), whose claims (`sub`, `repository`, `ref`) a connection's rulesets match | [`IdTokenSource`], `DOCKERHUB_OIDC_ID_TOKEN` |
//! | OIDC connection | what an organization owner creates in Docker Home: an ID (a UUID) and rulesets | [`WorkloadIdentity::new`] |
//! | identity service | Docker's `identity.docker.com`, which exchanges an ID token for the organization's short-lived token (a token, by the names above) | [`WorkloadIdentity::identity_url`], `--identity-url` |
//! | registry | a container registry and its token service; its types say so | [`Registry`], [`RegistryToken`], [`RegistryScope`], [`RegistryAction`], [`PullLimit`] |
//!
//! [`Hub::create_access_token`] keeps the name of Docker's operation (`POST /v2/auth/token`,
//! "Create access token"), so that it reads like Docker's API reference, though what it
//! returns is a bearer [`Token`]. That is why the credential constructor is
//! [`Credentials::secret`]: it names what the caller holds, not the operation it is
//! exchanged by. Errors name who answered: "docker hub", "docker hub's registry", "registry
//! ghcr.io", "the token service … of registry …", "docker's identity service", "the GitHub
//! Actions ID token service".
//!
//! # Cargo features
//!
//! - `rustls` *(default)*: TLS through rustls.
//! - `native-tls`: TLS through the platform's library instead (OpenSSL on Linux, which
//!   needs OpenSSL's headers and `pkg-config` to build: `apt-get install libssl-dev
//!   pkg-config` on Debian).
//! - `totp`: [`Credentials::password_with_totp`][totp], RFC 6238 codes for unattended two-factor
//!   logins (adds `totp-rs`).
//! - `blocking`: the [blocking API][blocking], for code without an async runtime (adds no
//!   dependency).
//! - `cli`: the `dockerhub-auth` binary (`token`, `login`, `logout`, `inspect`, `pat`,
//!   `oat`, `registry-token`, `rate-limit`, `configure-docker`) for shell scripts, with the
//!   disk cache on by default, and `docker-credential-dockerhub`, a Docker credential
//!   helper answering with the credentials in its environment (adds `clap`, `rpassword`,
//!   `humantime` and `tracing-subscriber`; library users never compile them).
//!
// The `[totp]` and `[blocking]` links resolve in docs built without their features too: to
// their pages on docs.rs.
#![cfg_attr(feature = "totp", doc = "[totp]: Credentials::password_with_totp")]
#![cfg_attr(
    not(feature = "totp"),
    doc = "[totp]: https://docs.rs/dockerhub-auth/latest/dockerhub_auth/struct.Credentials.html#method.password_with_totp"
)]
#![cfg_attr(feature = "blocking", doc = "[blocking]: crate::blocking")]
#![cfg_attr(
    not(feature = "blocking"),
    doc = "[blocking]: https://docs.rs/dockerhub-auth/latest/dockerhub_auth/blocking/index.html"
)]
#![forbid(unsafe_code)]
#![deny(missing_docs, missing_debug_implementations, unreachable_pub)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod access_tokens;
mod base_url;
#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
pub mod blocking;
mod cache;
mod credentials;
mod deadline;
mod docker_config;
mod error;
mod headers;
mod hub;
mod login;
mod lookup;
mod registry;
mod retry;
mod rfc3339;
mod runtime;
mod safe_file;
mod scrub;
mod session;
mod token;
#[cfg(feature = "totp")]
mod totp;
mod wire;
mod workload;

/// Declares a private module holding the client `build.rs` generated into `$OUT_DIR/$file`.
/// Generated code is reviewed as a snapshot (`openapi/`), not linted; its `Client::new`
/// unwraps, and the facade only ever calls `Client::new_with_client`.
macro_rules! generated_module {
    ($(#[$doc:meta])* $name:ident, $file:literal) => {
        $(#[$doc])*
        #[allow(
            missing_docs,
            missing_debug_implementations,
            unreachable_pub,
            unused_imports,
            dead_code,
            clippy::all,
            clippy::unwrap_used,
            clippy::expect_used,
            clippy::panic
        )]
        mod $name {
            include!(concat!(env!("OUT_DIR"), "/", $file));
        }
    };
}

generated_module!(
    /// The client generated from `openapi/dockerhub-auth.yaml`, published (its secrets
    /// redacting) as [`generated`].
    codegen,
    "codegen.rs"
);
generated_module!(
    /// The client generated from `openapi/registry.yaml`; private, used only by `wire`.
    registry_codegen,
    "registry_codegen.rs"
);
generated_module!(
    /// The client generated from `openapi/identity.yaml` (the token exchange of Docker's
    /// identity service); private, used only by `wire`.
    identity_codegen,
    "identity_codegen.rs"
);

/// The client generated from `openapi/dockerhub-auth.yaml`, for Hub operations the facade
/// does not wrap. Get one with [`Hub::generated`].
///
/// Every secret field of its types (passwords, tokens, codes) is a [`generated::Sensitive`],
/// which never prints its value: these types are as safe to log as the facade's.
pub mod generated {
    pub use crate::codegen::{Client, types};
    pub use crate::wire::{Exchange, Sensitive, Timestamp};
}

pub use access_tokens::{
    Bearer, CreatedToken, NewOrgAccessToken, NewPersonalAccessToken, OatResource, OatResourceKind,
    OatScope, OrgAccessToken, OrgAccessTokens, PatScope, PersonalAccessToken, PersonalAccessTokens,
    Rotation, TokenUpdate,
};
pub use cache::DiskCache;
pub use credentials::Credentials;
pub use docker_config::{CredentialSource, DockerCredentialStore, StoredCredentials};
pub use error::{Error, ErrorKind, Result};
pub use hub::{Hub, HubBuilder};
pub use login::{Login, SecondFactorChallenge};
pub use lookup::{CredentialLookup, CredentialOrigin, LookupOutcome};
pub use registry::{
    PullLimit, Registry, RegistryAction, RegistryBuilder, RegistryLogin, RegistryScope,
    RegistryToken,
};
pub use retry::RetryPolicy;
pub use secrecy::{ExposeSecret, SecretString};
pub use session::{Session, SessionBuilder};
pub use token::{Claims, Token};
pub use workload::{IdTokenSource, WorkloadIdentity};

/// Entry points for the fuzz targets in `fuzz/`, compiled only under `cargo fuzz` (which
/// sets `--cfg fuzzing`); not part of the API.
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing {
    /// Parses a `Retry-After` value as a wait from `now_unix`.
    pub fn retry_after(value: &str, now_unix: u64) -> Option<std::time::Duration> {
        crate::headers::parse_wait(
            value,
            std::time::UNIX_EPOCH.checked_add(std::time::Duration::from_secs(now_unix))?,
        )
    }

    /// Classifies an error answer of the login route that quotes `secret` somewhere.
    pub fn classify_answer(status: u16, body: &[u8], secret: &str) -> crate::Error {
        crate::wire::classify_answer(status, body, secret)
    }

    /// Scrubs server text that came with no known secret: what an error would show of it.
    pub fn scrub(text: &str) -> String {
        crate::scrub::scrub(text, &[])
    }

    /// Parses a `WWW-Authenticate` value: each challenge's scheme and parameters.
    pub fn challenges(header: &str) -> Vec<(String, Vec<(String, String)>)> {
        crate::registry::fuzzing::challenges(header)
    }

    /// Returns the realm and service of the first Bearer challenge with a realm.
    pub fn bearer(header: &str) -> Option<(String, Option<String>)> {
        crate::registry::fuzzing::bearer(header)
    }
}

/// Compiles the README's Rust examples as doctests (complete programs, `no_run`: they would
/// talk to hub.docker.com), so that they cannot go stale. One uses the blocking API.
#[cfg(all(doctest, feature = "blocking"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

const _: fn() = || {
    fn shareable<T: Send + Sync + Clone + 'static>() {}
    shareable::<Hub>();
    shareable::<Session>();
    shareable::<DiskCache>();
    shareable::<Token>();
    shareable::<Credentials>();
    shareable::<WorkloadIdentity>();
    shareable::<IdTokenSource>();
    shareable::<DockerCredentialStore>();
    shareable::<StoredCredentials>();
    shareable::<CredentialLookup>();
    shareable::<LookupOutcome>();
    shareable::<SecondFactorChallenge>();
    shareable::<Error>();
    shareable::<Bearer>();
    shareable::<PersonalAccessTokens>();
    shareable::<OrgAccessTokens>();
    shareable::<Registry>();
    shareable::<RegistryToken>();
    shareable::<RegistryLogin>();
    shareable::<RegistryScope>();
    shareable::<PullLimit>();
};
