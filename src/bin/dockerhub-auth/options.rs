//! The option groups a command flattens into its arguments, so that its `--help` lists what
//! it reads: the global options, and where its credentials come from.
//!
//! The global options ([`GlobalOptions`]) are the product's: every command takes them before
//! its name (`dockerhub-auth --json token`) and after it (`dockerhub-auth token --json`). The
//! top level and every command flatten the same group, so clap sees one argument per option
//! and carries a value given on either side to both; [`Context`](crate::context::Context)
//! merges the two all the same. A command hides from its help the global options it does not
//! read (`mut_arg("base_url", hidden)`, or `mut_args(sends_nothing)` for all four), which it
//! still accepts so that no script breaks, and says what its `--json` prints
//! (`mut_arg("json", …)`).
//!
//! A command that takes credentials flattens [`WithCredentials`] over the group that says
//! where they come from ([`SecretOptions`], [`PasswordOptions`], [`RegistryOptions`]); a new
//! way to authenticate is one more group, or one more field of these.

use std::time::Duration;

use clap::{Arg, Args};

use crate::credentials::{Request, SecretKind};

/// A command's options, as the [`Context`](crate::context::Context) reads them: one more option
/// group the context needs is one more method here.
pub(crate) trait CommandOptions {
    /// The global options given after the command's name.
    fn global(&self) -> &GlobalOptions;

    /// How the command finds its credentials (the default sources, for a command that
    /// sends none).
    fn credentials(&self) -> Request {
        Request::default()
    }

    /// `--registry`, for a command that talks to a registry.
    fn registry(&self) -> Option<String> {
        None
    }
}

/// The options of a command that takes credentials: where they come from (`C`), and the
/// global options.
#[derive(Debug, Args)]
pub(crate) struct WithCredentials<C: CredentialOptions> {
    #[command(flatten)]
    credentials: C,

    #[command(flatten)]
    global: GlobalOptions,
}

impl<C: CredentialOptions> CommandOptions for WithCredentials<C> {
    fn global(&self) -> &GlobalOptions {
        &self.global
    }

    fn credentials(&self) -> Request {
        self.credentials.request()
    }

    fn registry(&self) -> Option<String> {
        self.credentials.registry()
    }
}

/// An option group that says where a command's credentials come from (and, for the registry
/// commands, where they are sent).
pub(crate) trait CredentialOptions: Args {
    /// Returns how to find the credentials the options name.
    fn request(&self) -> Request;

    /// `--registry`, for a command that talks to a registry.
    fn registry(&self) -> Option<String> {
        None
    }
}

/// `--base-url`, `--timeout`, `--json` and `--no-cache`. (`-v` is read by `main` for every
/// command, so it is global at the top level only.)
///
/// Global (`global = true`) so that `pat` and `oat` take them after their verb too.
#[derive(Debug, Args)]
pub(crate) struct GlobalOptions {
    /// Where to send requests [env: DOCKERHUB_URL] [default: https://hub.docker.com]
    #[arg(long, global = true, value_name = "URL")]
    pub(crate) base_url: Option<String>,

    /// Time allowed for the whole command (requests, retries, a credential helper, and a
    /// prompt too), in seconds (decimals allowed) [default: 30 per request]
    #[arg(long, global = true, value_name = "SECONDS", value_parser = parse_seconds)]
    pub(crate) timeout: Option<Duration>,

    /// Print JSON instead of plain text (each command's help says what it prints)
    #[arg(long, global = true)]
    pub(crate) json: bool,

    /// Neither read nor write the token cache [env: DOCKERHUB_AUTH_NO_CACHE=1]
    #[arg(long, global = true)]
    pub(crate) no_cache: bool,
}

impl CommandOptions for GlobalOptions {
    fn global(&self) -> &GlobalOptions {
        self
    }
}

/// Hides a global option from the help of a command that does not read it.
pub(crate) fn hidden(arg: Arg) -> Arg {
    arg.hide(true)
}

/// Hides the global options of the commands that send something (`--base-url`, `--timeout`,
/// `--json`, `--no-cache`) from the help of a command that sends nothing:
/// `#[command(mut_args(sends_nothing))]`.
pub(crate) fn sends_nothing(arg: Arg) -> Arg {
    match arg.get_id().as_str() {
        "base_url" | "timeout" | "json" | "no_cache" => arg.hide(true),
        _ => arg,
    }
}

/// Where the credentials of `token`, `registry-token` and `rate-limit` come from: a
/// password, a personal or organization access token, or an organization's OIDC connection.
#[derive(Debug, Args)]
pub(crate) struct SecretOptions {
    /// The username, or the organization name for an organization access token or an OIDC
    /// connection [env: DOCKERHUB_USERNAME]
    #[arg(long, value_name = "USERNAME")]
    username: Option<String>,

    /// Read the secret (password, personal or organization access token) from stdin (one
    /// line, at most 64 KiB)
    #[arg(long)]
    secret_stdin: bool,

    /// Exchange an OIDC ID token (GitHub Actions') for a short-lived token of the organization
    /// (--username), through this OIDC connection of it [env: DOCKERHUB_OIDC_CONNECTIONID]
    #[arg(long, value_name = "UUID")]
    oidc_connection: Option<String>,

    /// The lifetime asked for the OIDC token, in seconds, 300 to 3600
    /// [env: DOCKERHUB_OIDC_EXPIREIN] [default: 300]
    #[arg(long, value_name = "SECONDS", value_parser = parse_whole_seconds)]
    oidc_expires_in: Option<Duration>,

    /// Docker's identity service, which exchanges the OIDC ID token
    /// [env: DOCKERHUB_IDENTITY_URL] [default: https://identity.docker.com]
    #[arg(long, value_name = "URL")]
    identity_url: Option<String>,

    /// Do not use the credentials `docker login` stored (Docker's config and credential
    /// helpers)
    #[arg(long)]
    no_docker_config: bool,
}

impl CredentialOptions for SecretOptions {
    fn request(&self) -> Request {
        Request {
            kind: SecretKind::AccessToken,
            username: self.username.clone(),
            from_stdin: self.secret_stdin,
            no_docker_config: self.no_docker_config,
            oidc_connection: self.oidc_connection.clone(),
            oidc_expires_in: self.oidc_expires_in,
            identity_url: self.identity_url.clone(),
            ..Request::default()
        }
    }
}

/// How `login`, `pat` and `oat` log in: with a password (Docker Hub refuses to manage tokens
/// for a token issued from an access token), and a second factor when Hub asks for one.
/// Global, so that `pat` and `oat` take them after their verb too.
#[derive(Debug, Args)]
pub(crate) struct PasswordOptions {
    /// The username (for `oat`, an owner of the organization) [env: DOCKERHUB_USERNAME]
    #[arg(long, value_name = "USERNAME", global = true)]
    username: Option<String>,

    /// Read the password from stdin (one line, at most 64 KiB)
    #[arg(long, global = true)]
    password_stdin: bool,

    /// Do not use the credentials `docker login` stored (Docker's config and credential
    /// helpers)
    #[arg(long, global = true)]
    no_docker_config: bool,

    /// The one-time TOTP or recovery code, for an account with two-factor authentication
    #[arg(long, value_name = "CODE", global = true, value_parser = non_empty_code)]
    code: Option<String>,

    /// Taken only to be refused, saying why: an OIDC connection gives a token, not the
    /// password these commands log in with (exit 2, before any request)
    #[arg(long, value_name = "UUID", global = true, hide = true)]
    oidc_connection: Option<String>,
}

/// Refuses a `--code` of nothing but the spaces and dashes people type into codes, before
/// any request (it is shown in the error, which is safe: it holds no digit of a code).
fn non_empty_code(code: &str) -> Result<String, String> {
    match code.chars().all(|c| c.is_whitespace() || c == '-') {
        true => Err("the second-factor code is empty".to_owned()),
        false => Ok(code.to_owned()),
    }
}

impl CredentialOptions for PasswordOptions {
    fn request(&self) -> Request {
        Request {
            kind: SecretKind::Password,
            username: self.username.clone(),
            from_stdin: self.password_stdin,
            no_docker_config: self.no_docker_config,
            code: self.code.clone(),
            oidc_connection: self.oidc_connection.clone(),
            ..Request::default()
        }
    }
}

/// The registry `registry-token` and `rate-limit` talk to, and the credentials they send to
/// its token service (or not).
#[derive(Debug, Args)]
pub(crate) struct RegistryOptions {
    /// The registry [env: DOCKERHUB_REGISTRY_URL] [default: https://registry-1.docker.io]
    #[arg(long, value_name = "URL")]
    registry: Option<String>,

    /// Send no credentials: the token (and the limit) of anonymous pulls from this address
    #[arg(long, conflicts_with_all = ["username", "secret_stdin", "oidc_connection"])]
    anonymous: bool,

    #[command(flatten)]
    credentials: SecretOptions,
}

impl CredentialOptions for RegistryOptions {
    /// None with `--anonymous`.
    fn request(&self) -> Request {
        Request {
            anonymous: self.anonymous,
            ..self.credentials.request()
        }
    }

    fn registry(&self) -> Option<String> {
        self.registry.clone()
    }
}

/// Parses a whole number of seconds (its range is the library's to check).
fn parse_whole_seconds(value: &str) -> Result<Duration, String> {
    value
        .trim()
        .parse()
        .map(Duration::from_secs)
        .map_err(|_| format!("{value:?} is not a whole number of seconds"))
}

fn parse_seconds(value: &str) -> Result<Duration, String> {
    let seconds: f64 = value
        .trim()
        .parse()
        .map_err(|_| format!("{value:?} is not a number of seconds"))?;
    match Duration::try_from_secs_f64(seconds) {
        Ok(duration) if !duration.is_zero() => Ok(duration),
        _ => Err(format!("{value:?} is not a positive number of seconds")),
    }
}
