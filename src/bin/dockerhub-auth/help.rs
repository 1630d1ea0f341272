//! The paragraphs under the commands' help: the environment variables, where credentials come
//! from, the token cache and the exit codes. Each command lists only what it reads.

/// `DOCKERHUB_USERNAME`, for the commands that take credentials.
pub(crate) const USERNAME: &str =
    "  DOCKERHUB_USERNAME        the username (or organization name), when --username is not given";
/// `DOCKERHUB_TOKEN`, for the commands that take credentials.
pub(crate) const TOKEN: &str =
    "  DOCKERHUB_TOKEN           the secret, when it does not come from stdin";
/// `DOCKERHUB_URL`, for the commands that talk to Docker Hub.
pub(crate) const URL: &str =
    "  DOCKERHUB_URL             the base URL, when --base-url is not given";
/// `DOCKERHUB_REGISTRY_URL`, for the registry commands.
pub(crate) const REGISTRY_URL: &str =
    "  DOCKERHUB_REGISTRY_URL    the registry, when --registry is not given";
/// `DOCKERHUB_AUTH_CACHE_DIR`, for the commands that use the token cache and `logout`.
pub(crate) const CACHE_DIR: &str = "  \
DOCKERHUB_AUTH_CACHE_DIR  the token cache directory [default:
                            $XDG_RUNTIME_DIR/dockerhub-auth, else ~/.cache/dockerhub-auth
                            (~/Library/Caches/dockerhub-auth on macOS)]";
/// `DOCKERHUB_AUTH_NO_CACHE`, for the commands that use the token cache.
pub(crate) const NO_CACHE: &str =
    "  DOCKERHUB_AUTH_NO_CACHE   1 to neither read nor write the token cache, as --no-cache";
/// `DOCKERHUB_OIDC_CONNECTIONID`, for the commands that take OIDC credentials.
pub(crate) const OIDC_CONNECTION: &str = "  \
DOCKERHUB_OIDC_CONNECTIONID
                            an OIDC connection of the organization, when --oidc-connection is not
                            given (after DOCKERHUB_TOKEN: a token set too wins)";
/// `DOCKERHUB_OIDC_EXPIREIN`, for the commands that take OIDC credentials.
pub(crate) const OIDC_EXPIREIN: &str = "  DOCKERHUB_OIDC_EXPIREIN   the OIDC token's lifetime in seconds, when --oidc-expires-in is not given";
/// `DOCKERHUB_IDENTITY_URL`, for the commands that take OIDC credentials.
pub(crate) const IDENTITY_URL: &str =
    "  DOCKERHUB_IDENTITY_URL    Docker's identity service, when --identity-url is not given";
/// `DOCKERHUB_OIDC_ID_TOKEN`, for the commands that take OIDC credentials.
pub(crate) const OIDC_ID_TOKEN: &str = "  DOCKERHUB_OIDC_ID_TOKEN   an OIDC ID token to exchange, instead of asking GitHub Actions' runner";
/// GitHub's variables, for the commands that take OIDC credentials.
pub(crate) const ACTIONS_ID_TOKEN: &str = "  \
ACTIONS_ID_TOKEN_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_TOKEN
                            where GitHub Actions' runner gives the job an ID token (set in a job
                            with `permissions: id-token: write`)";
/// `DOCKERHUB_OIDC_CONNECTIONID`, for the commands that need a password.
pub(crate) const OIDC_REFUSED: &str = "  \
DOCKERHUB_OIDC_CONNECTIONID
                            OIDC credentials cannot log in with a password: with it set (and no
                            DOCKERHUB_TOKEN) the command exits 2";
/// Where Docker's stored credentials are read, for the commands that take credentials.
pub(crate) const DOCKER_CONFIG: &str = "  \
DOCKER_AUTH_CONFIG, DOCKER_CONFIG, HOME
                            where Docker's stored credentials are read, as the docker CLI does";
/// Where `configure-docker` writes Docker's config.
pub(crate) const DOCKER_CONFIG_WRITTEN: &str = "  \
DOCKER_CONFIG, HOME       where Docker's config.json is written: $DOCKER_CONFIG/config.json,
                            else ~/.docker/config.json, as the docker CLI reads it";

/// What the commands that log in to Docker Hub with a password read (`login`, `pat`, `oat`).
pub(crate) const HUB_VARIABLES: &[&str] = &[
    USERNAME,
    TOKEN,
    OIDC_REFUSED,
    URL,
    CACHE_DIR,
    NO_CACHE,
    DOCKER_CONFIG,
];

/// What `token` reads.
pub(crate) const TOKEN_VARIABLES: &[&str] = &[
    USERNAME,
    TOKEN,
    OIDC_CONNECTION,
    OIDC_EXPIREIN,
    IDENTITY_URL,
    OIDC_ID_TOKEN,
    ACTIONS_ID_TOKEN,
    URL,
    CACHE_DIR,
    NO_CACHE,
    DOCKER_CONFIG,
];

/// What the registry commands read.
pub(crate) const REGISTRY_VARIABLES: &[&str] = &[
    REGISTRY_URL,
    USERNAME,
    TOKEN,
    OIDC_CONNECTION,
    OIDC_EXPIREIN,
    IDENTITY_URL,
    OIDC_ID_TOKEN,
    ACTIONS_ID_TOKEN,
    CACHE_DIR,
    NO_CACHE,
    DOCKER_CONFIG,
];

/// Every command that takes credentials.
pub(crate) const NO_SECRET_ARGUMENT: &str =
    "No option takes a password or token as an argument (arguments are visible to other users).";

/// The commands that log in with a password, which take a one-time code.
pub(crate) const NO_SECRET_ARGUMENT_BUT_CODE: &str = "\
No option takes a password or token as an argument (arguments are visible to other users);
the only secret-like argument is the one-time --code.";

/// `inspect`: where its token comes from.
pub(crate) const INSPECT_STDIN: &str = "\
Reads the token from stdin, and only from there:
  dockerhub-auth inspect < token.txt
  echo \"$TOKEN\" | dockerhub-auth inspect
A token given as an argument is refused (exit 2): arguments are visible to every user of the
machine.";

/// Why `inspect TOKEN` is refused, and what to run instead.
pub(crate) const INSPECT_ARGUMENT_REFUSED: &str = "inspect takes no token as an argument, \
since arguments are visible to every user of the machine (ps, /proc): pass it on stdin \
instead, as in `dockerhub-auth inspect < token.txt` or `echo \"$TOKEN\" | dockerhub-auth inspect`";

/// The registry commands.
pub(crate) const REGISTRY_CREDENTIALS: &str = "\
Without --anonymous, credentials are needed, found as `token` finds them, first match wins:
  1. --secret-stdin with --username or DOCKERHUB_USERNAME;
  2. --oidc-connection (OIDC: the organization is --username or DOCKERHUB_USERNAME);
  3. DOCKERHUB_TOKEN, with --username or DOCKERHUB_USERNAME;
  4. DOCKERHUB_OIDC_CONNECTIONID (OIDC, as 2);
  5. what `docker login` stored for this registry's host (Docker Hub's entry only for Docker
     Hub's registry; never with --no-docker-config);
  6. a prompt without echo, when stdin is a terminal.
The token service gets them as Basic authentication (OIDC: ORGANIZATION:exchanged token).";

/// How OIDC credentials work, for the commands that take them.
pub(crate) const OIDC: &str = "\
OIDC (keyless CI): the ID token (DOCKERHUB_OIDC_ID_TOKEN, else one asked of GitHub Actions'
runner for the identity service's origin; the job needs `permissions: id-token: write`) is
exchanged at Docker's identity service for a short-lived token of the organization, cached
like every token: a second run in the same job sends no request.";

/// Every command that gets a token.
pub(crate) const CACHE: &str = "\
Every command that gets a token (token, login, pat, oat, registry-token, rate-limit) keeps
it, or the refusal, in the token cache: the next run (another CI job, another process)
reuses the token instead of logging in again, and a rejected secret or a rate limit is
answered from the cache (exit 3 or 5) without a request until it expires. `dockerhub-auth logout`
empties the cache; --no-cache bypasses it.";

/// `pat` and `oat`.
pub(crate) const MANAGEMENT: &str = "\
Managing tokens needs a password login (DOCKERHUB_TOKEN or --password-stdin holds the
password; a second-factor code comes from --code, else a prompt on a terminal). Docker Hub
refuses a login with an access token here: exit 3. create and rotate print the new secret
alone on stdout and what it is on stderr; with --json, one object that includes the secret.
An unknown ID exits 1 with Docker Hub's message.";

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

/// Returns where credentials come from, for a command that logs in with a password from
/// stdin with `stdin_flag` (`--password-stdin`).
pub(crate) fn credentials(stdin_flag: &str) -> String {
    format!(
        "\
Credentials come from, first match wins:
  1. {stdin_flag} (its first line, at most 64 KiB) with --username or DOCKERHUB_USERNAME;
  2. DOCKERHUB_TOKEN, with --username or DOCKERHUB_USERNAME;
  3. DOCKERHUB_OIDC_CONNECTIONID: refused (exit 2), OIDC credentials have no password;
  4. what `docker login` stored for Docker Hub (its config file or credential helper; with a
     username given, only if it is the stored one; never with --no-docker-config);
  5. a prompt without echo, when stdin is a terminal.
Otherwise the command exits with 2 and lists what it looked at; -v names the source used."
    )
}

/// Where `token`'s credentials come from.
pub(crate) const TOKEN_CREDENTIALS: &str = "\
Credentials come from, first match wins:
  1. --secret-stdin with --username or DOCKERHUB_USERNAME;
  2. --oidc-connection (OIDC: the organization is --username or DOCKERHUB_USERNAME);
  3. DOCKERHUB_TOKEN, with --username or DOCKERHUB_USERNAME;
  4. DOCKERHUB_OIDC_CONNECTIONID (OIDC, as 2);
  5. what `docker login` stored for Docker Hub (its config file or credential helper; with a
     username given, only if it is the stored one; never with --no-docker-config);
  6. a prompt without echo, when stdin is a terminal.
Otherwise the command exits with 2 and lists what it looked at; -v names the source used.
With OIDC the token printed is the organization's exchanged token (--json: \"username\" is
the organization).";

/// Returns the text under a command's options: `paragraphs` (what the command does), the
/// environment `variables` it reads (none: no such section), `notes`, then the exit codes.
pub(crate) fn page(paragraphs: &[&str], variables: &[&str], notes: &[&str]) -> String {
    let mut sections: Vec<String> = paragraphs.iter().map(|text| (*text).to_owned()).collect();
    if !variables.is_empty() {
        sections.push(format!("Environment:\n{}", variables.join("\n")));
    }
    sections.extend(notes.iter().map(|text| (*text).to_owned()));
    sections.push(EXIT_CODES.to_owned());
    sections.join("\n\n")
}

/// Returns the text under the top-level help: every variable, and the notes that hold for
/// every command.
pub(crate) fn overview() -> String {
    page(
        &[],
        &[
            USERNAME,
            TOKEN,
            OIDC_CONNECTION,
            OIDC_EXPIREIN,
            IDENTITY_URL,
            OIDC_ID_TOKEN,
            ACTIONS_ID_TOKEN,
            URL,
            REGISTRY_URL,
            CACHE_DIR,
            NO_CACHE,
            DOCKER_CONFIG,
        ],
        &[
            TOKEN_CREDENTIALS,
            OIDC,
            "login, pat and oat need a password: --password-stdin instead of --secret-stdin, \
             and OIDC credentials make them exit 2.",
            NO_SECRET_ARGUMENT_BUT_CODE,
            CACHE,
        ],
    )
}
