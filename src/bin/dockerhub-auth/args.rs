//! The command line: global options, the list of commands, and the help text they share.
//! Each command's own arguments are in its file under `commands/`.

use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::commands;

const ENVIRONMENT: &str = "\
Environment:
  DOCKERHUB_USERNAME  the username (or organization name), when --username is not given
  DOCKERHUB_TOKEN     the secret, when it does not come from stdin
  DOCKERHUB_URL       the base URL, when --base-url is not given
  DOCKERHUB_AUTH_CACHE_DIR  the token cache directory [default: $XDG_RUNTIME_DIR/dockerhub-auth,
                      else ~/.cache/dockerhub-auth (~/Library/Caches/dockerhub-auth on macOS)]
  DOCKERHUB_AUTH_NO_CACHE   1 to neither read nor write the token cache, as --no-cache
  DOCKER_AUTH_CONFIG, DOCKER_CONFIG, HOME
                      where Docker's stored credentials are read, as the docker CLI does

Credentials come from, first match wins: --secret-stdin (or --password-stdin) with
--username or DOCKERHUB_USERNAME; DOCKERHUB_TOKEN; what `docker login` stored for Docker Hub
(its config file or credential helper; with a username given, only if it is the stored one;
never with --no-docker-config); a prompt without echo when stdin is a terminal. Otherwise the
command exits with 2 and lists what it looked at; -v names the source used.

No option takes a password or token as an argument (arguments are visible to other users);
the only secret-like argument is login's one-time --code.

Every command that gets a token (token, login, pat, oat, registry-token, rate-limit) keeps
it, or the refusal, in the token cache: the next run (another CI job, another process)
reuses the token instead of logging in again, and a rejected secret or a rate limit is
answered from the cache (exit 3 or 5) without a request until it expires. `dockerhub-auth logout` empties the cache; --no-cache bypasses it.";

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  anything else: an unexpected or invalid answer from Docker Hub
  2  usage or invalid input, including an http:// URL for a host that is not loopback,
     no credentials found, or Docker's stored credentials that cannot be read
  3  credentials rejected, or forbidden by Docker Hub
  4  a second factor is needed but no code is available, or the code was rejected
  5  rate limited by Docker Hub
  6  timeout, network failure, or Docker Hub unavailable";

/// Gets Docker Hub bearer tokens for shell scripts and CI jobs.
///
/// The token goes alone to stdout, so TOKEN=$(dockerhub-auth token) works; messages go to
/// stderr.
#[derive(Debug, Parser)]
#[command(
    name = "dockerhub-auth",
    version,
    after_help = format!("{ENVIRONMENT}\n\n{EXIT_CODES}"),
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
    #[command(flatten)]
    pub(crate) global: Global,
}

#[derive(Debug, Args)]
pub(crate) struct Global {
    /// Where to send requests [env: DOCKERHUB_URL] [default: https://hub.docker.com]
    #[arg(long, global = true, value_name = "URL")]
    pub(crate) base_url: Option<String>,

    /// Time allowed for each request, in seconds (decimals allowed) [default: 30]
    #[arg(long, global = true, value_name = "SECONDS", value_parser = parse_seconds)]
    pub(crate) timeout: Option<Duration>,

    /// Print JSON instead of plain text: {"token", "expires_at", "username"} for a token (see
    /// each command's help for its own)
    #[arg(long, global = true)]
    pub(crate) json: bool,

    /// Log what happens on stderr (-vv for the HTTP stack too); never a secret or token
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,

    /// Neither read nor write the token cache [env: DOCKERHUB_AUTH_NO_CACHE=1]
    #[arg(long, global = true)]
    pub(crate) no_cache: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    #[command(after_help = format!("{ENVIRONMENT}\n\n{EXIT_CODES}"))]
    Token(commands::token::TokenArgs),

    #[command(after_help = format!(
        "The second-factor code comes from --code, else from a prompt when stdin is a \
         terminal; otherwise the command exits with 4.\n\n{ENVIRONMENT}\n\n{EXIT_CODES}"
    ))]
    Login(commands::login::LoginArgs),

    #[command(after_help = format!(
        "Reads the token from stdin when TOKEN is not given.\n\n{EXIT_CODES}"
    ))]
    Inspect(commands::inspect::InspectArgs),

    #[command(after_help = format!("{MANAGEMENT}\n\n{ENVIRONMENT}\n\n{EXIT_CODES}"))]
    Pat(commands::pat::PatArgs),

    #[command(after_help = format!("{MANAGEMENT}\n\n{ENVIRONMENT}\n\n{EXIT_CODES}"))]
    Oat(commands::oat::OatArgs),

    #[command(after_help = format!(
        "Prints the token alone; with --json, {{\"token\", \"expires_at\", \"scopes\"}}.\n\n{}\n\n{EXIT_CODES}",
        crate::registry::ENVIRONMENT
    ))]
    RegistryToken(commands::registry_token::RegistryTokenArgs),

    #[command(after_help = format!(
        "Prints one line such as \"76 of 100 pulls left in a 6 h window (source 203.0.113.7)\"; \
         with --json, {{\"limit\", \"remaining\", \"window_seconds\", \"source\"}}, null for \
         what the registry did not report.\n\n{}\n\n{EXIT_CODES}",
        crate::registry::ENVIRONMENT
    ))]
    RateLimit(commands::rate_limit::RateLimitArgs),

    #[command(after_help = format!(
        "Never touches Docker's own files (~/.docker).\n\n{ENVIRONMENT}\n\n{EXIT_CODES}"
    ))]
    Logout(commands::logout::LogoutArgs),
}

const MANAGEMENT: &str = "\
Managing tokens needs a password login (DOCKERHUB_TOKEN or --password-stdin holds the
password; a second-factor code comes from --code, else a prompt on a terminal). Docker Hub
refuses a login with an access token here: exit 3. create and rotate print the new secret
alone on stdout and what it is on stderr; with --json, one object that includes the secret.
An unknown ID exits 1 with Docker Hub's message.";

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
