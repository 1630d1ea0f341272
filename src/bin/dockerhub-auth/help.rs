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
/// Where Docker's stored credentials are read, for the commands that take credentials.
pub(crate) const DOCKER_CONFIG: &str = "  \
DOCKER_AUTH_CONFIG, DOCKER_CONFIG, HOME
                            where Docker's stored credentials are read, as the docker CLI does";

/// What the commands that talk to Docker Hub read.
pub(crate) const HUB_VARIABLES: &[&str] =
    &[USERNAME, TOKEN, URL, CACHE_DIR, NO_CACHE, DOCKER_CONFIG];

/// What the registry commands read.
pub(crate) const REGISTRY_VARIABLES: &[&str] = &[
    REGISTRY_URL,
    USERNAME,
    TOKEN,
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
Without --anonymous, credentials are needed, found as `token` finds them: --username with
--secret-stdin, DOCKERHUB_USERNAME with DOCKERHUB_TOKEN, what `docker login` stored (unless
--no-docker-config), or a prompt without echo when stdin is a terminal.";

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

/// Returns where credentials come from, for a command whose secret comes from stdin with
/// `stdin_flag` (`--secret-stdin` or `--password-stdin`).
pub(crate) fn credentials(stdin_flag: &str) -> String {
    format!(
        "\
Credentials come from, first match wins:
  1. {stdin_flag} (its first line, at most 64 KiB) with --username or DOCKERHUB_USERNAME;
  2. DOCKERHUB_TOKEN, with --username or DOCKERHUB_USERNAME;
  3. what `docker login` stored for Docker Hub (its config file or credential helper; with a
     username given, only if it is the stored one; never with --no-docker-config);
  4. a prompt without echo, when stdin is a terminal.
Otherwise the command exits with 2 and lists what it looked at; -v names the source used."
    )
}

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
            URL,
            REGISTRY_URL,
            CACHE_DIR,
            NO_CACHE,
            DOCKER_CONFIG,
        ],
        &[
            &credentials("--secret-stdin (or --password-stdin)"),
            NO_SECRET_ARGUMENT_BUT_CODE,
            CACHE,
        ],
    )
}
