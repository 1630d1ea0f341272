//! `dockerhub-auth configure-docker`: names `docker-credential-dockerhub` in Docker's config
//! (`credHelpers`) for Docker Hub and the registries given, so that docker, buildx, crane
//! and skopeo ask it for credentials. The one command that writes Docker's files; it sends
//! nothing.

use std::path::Path;

use clap::Args;

use crate::{
    config_file,
    context::Context,
    failure::Failure,
    help,
    options::{GlobalOptions, sends_nothing},
    ordered_json::Json,
    output,
};

/// The helper's name: clients run `docker-credential-<name>`.
const HELPER: &str = "dockerhub";

/// Docker Hub's keys: docker's own (docker, buildx, crane ask for it), and the registry's
/// host as skopeo, podman and containerd ask for it.
const DOCKER_HUB_KEYS: [&str; 2] = ["https://index.docker.io/v1/", "docker.io"];

/// Name the credential helper docker-credential-dockerhub in Docker's config (credHelpers),
/// for Docker Hub and each --registry
#[derive(Debug, Args)]
#[command(
    mut_args(sends_nothing),
    after_help = help::page(
        &["\
Adds credHelpers entries naming \"dockerhub\" (the program docker-credential-dockerhub,
installed with this one, which answers with the credentials in the environment of the
client that runs it) for https://index.docker.io/v1/ and docker.io, and for each --registry,
to $DOCKER_CONFIG/config.json, else ~/.docker/config.json; creates the file (mode 0600) and
its directory (0700) when missing. Every other key and entry is kept, in its order; the file
is replaced atomically and keeps its mode. A different helper already named for one of these
keys is replaced only with --force. Running it again changes nothing. What changed is
printed on stderr.",
          "This is the one command that writes Docker's files. A config.json that is not valid
JSON, or is a symbolic link or not a regular file, is left as it is (exit 2)."],
        &[help::DOCKER_CONFIG_WRITTEN],
        &[],
    ),
)]
pub(crate) struct ConfigureDockerArgs {
    /// Name the helper for this registry too: a host or host:port (for example the host of
    /// DOCKERHUB_REGISTRY_URL, a mirror); repeatable
    #[arg(long = "registry", value_name = "HOST", value_parser = parse_host)]
    registries: Vec<String>,

    /// Replace a different helper the config already names for one of these registries
    #[arg(long)]
    force: bool,

    #[command(flatten)]
    pub(crate) options: GlobalOptions,
}

/// What happens to one key of `credHelpers`.
enum Change {
    Add,
    Keep,
    /// Another helper (or a value that is not a name) is there: what it is, for messages.
    Replace(String),
}

pub(crate) async fn exec(_ctx: &Context, args: ConfigureDockerArgs) -> Result<(), Failure> {
    let path = config_file::location(|name| std::env::var_os(name))?;
    let existing = config_file::read(&path)?;
    let mut document = match &existing {
        Some(existing) => parse(&path, &existing.bytes)?,
        None => Json::Object(Vec::new()),
    };
    let keys = keys(&args.registries);
    let helpers = cred_helpers(&mut document, &path)?;
    let plan: Vec<(&str, Change)> = keys
        .iter()
        .map(|key| (key.as_str(), change(helpers, key)))
        .collect();

    let conflicts: Vec<String> = plan
        .iter()
        .filter_map(|(key, change)| match change {
            Change::Replace(other) => Some(format!("credHelpers \"{key}\" is {other}")),
            _ => None,
        })
        .collect();
    if !conflicts.is_empty() && !args.force {
        return Err(Failure::usage(format!(
            "{} names another credential helper: {}; pass --force to replace it with \
             \"{HELPER}\" (nothing was changed)",
            path.display(),
            conflicts.join(", ")
        )));
    }
    warn_unless_on_path();
    if plan
        .iter()
        .all(|(_, change)| matches!(change, Change::Keep))
    {
        output::say(&format!(
            "{} already names \"{HELPER}\" for {}: nothing to change",
            path.display(),
            keys.join(", ")
        ));
        return Ok(());
    }

    for (key, change) in &plan {
        apply(helpers, key, change);
    }
    let text = document
        .to_pretty()
        .map_err(|error| Failure::new(crate::failure::EXIT_OTHER, error.to_string()))?;
    let created_dir = config_file::replace(&path, &text, existing.as_ref().map(|e| e.mode))?;
    report(&path, &plan, existing.is_none(), created_dir);
    Ok(())
}

/// Returns the document of an existing config; an empty file is an empty config, as the
/// docker CLI reads it.
fn parse(path: &Path, bytes: &[u8]) -> Result<Json, Failure> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Json::Object(Vec::new()));
    }
    Json::parse(bytes).map_err(|error| {
        Failure::usage(format!(
            "{} is not valid JSON ({error}); nothing was changed",
            path.display()
        ))
    })
}

/// Returns the entries of the document's `credHelpers` (the last one, as the docker CLI
/// reads a key given twice), added empty at the end when missing.
fn cred_helpers<'a>(
    document: &'a mut Json,
    path: &Path,
) -> Result<&'a mut Vec<(String, Json)>, Failure> {
    let Json::Object(entries) = document else {
        return Err(Failure::usage(format!(
            "{} holds {}, not a JSON object; nothing was changed",
            path.display(),
            document.kind()
        )));
    };
    if !entries.iter().any(|(key, _)| key == "credHelpers") {
        entries.push(("credHelpers".to_owned(), Json::Object(Vec::new())));
    }
    match entries
        .iter_mut()
        .rev()
        .find(|(key, _)| key == "credHelpers")
    {
        Some((_, Json::Object(helpers))) => Ok(helpers),
        Some((_, other)) => Err(Failure::usage(format!(
            "credHelpers in {} is {}, not a JSON object; nothing was changed",
            path.display(),
            other.kind()
        ))),
        None => Err(Failure::new(
            crate::failure::EXIT_OTHER,
            "credHelpers vanished while being added",
        )),
    }
}

/// Returns Docker Hub's keys and the registries given, each once, in order.
fn keys(registries: &[String]) -> Vec<String> {
    let mut keys: Vec<String> = DOCKER_HUB_KEYS
        .iter()
        .map(|key| (*key).to_owned())
        .collect();
    for registry in registries {
        if !keys.contains(registry) {
            keys.push(registry.clone());
        }
    }
    keys
}

/// Returns what naming the helper for `key` changes (every entry of a key given twice).
fn change(helpers: &[(String, Json)], key: &str) -> Change {
    let mut found = helpers.iter().filter(|(name, _)| name == key).peekable();
    if found.peek().is_none() {
        return Change::Add;
    }
    match found.find(|(_, value)| value.as_str() != Some(HELPER)) {
        None => Change::Keep,
        Some((_, Json::Scalar(serde_json::Value::String(other)))) => {
            Change::Replace(format!("\"{}\"", other.escape_debug()))
        }
        Some((_, other)) => Change::Replace(other.kind().to_owned()),
    }
}

fn apply(helpers: &mut Vec<(String, Json)>, key: &str, change: &Change) {
    match change {
        Change::Keep => {}
        Change::Add => helpers.push((key.to_owned(), Json::string(HELPER))),
        Change::Replace(_) => {
            for (_, value) in helpers.iter_mut().filter(|(name, _)| name == key) {
                *value = Json::string(HELPER);
            }
        }
    }
}

/// Says on stderr what changed.
fn report(path: &Path, plan: &[(&str, Change)], created: bool, created_dir: bool) {
    for (key, change) in plan {
        match change {
            Change::Keep => {}
            Change::Add => output::say(&format!("added credHelpers \"{key}\": \"{HELPER}\"")),
            // `other` is what the config held: escaped like all text from elsewhere.
            Change::Replace(other) => output::say(&format!(
                "replaced credHelpers \"{key}\": {other} with \"{HELPER}\""
            )),
        }
    }
    let what = match (created, created_dir) {
        (true, true) => "created (with its directory)",
        (true, false) => "created",
        (false, _) => "updated",
    };
    output::say(&format!("{what} {}", path.display()));
}

/// Warns when clients cannot run the helper: `docker-credential-dockerhub` is in no
/// absolute directory of `PATH` (docker skips relative ones).
fn warn_unless_on_path() {
    let program = format!("docker-credential-{HELPER}");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path)
        .filter(|dir| dir.is_absolute())
        .any(|dir| dir.join(&program).is_file());
    if !found {
        output::say(&format!(
            "warning: {program} is not in PATH: clients cannot get credentials from it until \
             it is (it is installed with dockerhub-auth)"
        ));
    }
}

/// Returns the key of `--registry`: a host or `host:port`, a scheme and a trailing slash
/// taken off.
fn parse_host(text: &str) -> Result<String, String> {
    let trimmed = text.trim();
    let bare = ["https://", "http://"]
        .iter()
        .find_map(|scheme| trimmed.strip_prefix(scheme))
        .unwrap_or(trimmed);
    let bare = bare.strip_suffix('/').unwrap_or(bare);
    let plain = !bare.is_empty()
        && !bare.contains(['/', '?', '#', '@'])
        && !bare.chars().any(|c| c.is_whitespace() || c.is_control());
    let parsed = url::Url::parse(&format!("https://{bare}"));
    match parsed {
        Ok(url) if plain && url.host_str().is_some() => Ok(bare.to_owned()),
        _ => Err(format!(
            "{:?} is not a registry host: give HOST or HOST:PORT, for example \
             mirror.example.com or 127.0.0.1:5000",
            text
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_registry_is_a_host_or_host_and_port() {
        for (given, key) in [
            ("mirror.example.com", "mirror.example.com"),
            ("127.0.0.1:5000", "127.0.0.1:5000"),
            ("https://mirror.example.com/", "mirror.example.com"),
            ("http://127.0.0.1:5000", "127.0.0.1:5000"),
            ("[::1]:5000", "[::1]:5000"),
        ] {
            assert_eq!(parse_host(given).as_deref(), Ok(key), "{given}");
        }
        for refused in [
            "",
            "/",
            "mirror.example.com/v2/",
            "u:p@host",
            "a b",
            "host:port",
        ] {
            let error = parse_host(refused).unwrap_err();
            assert!(error.contains("not a registry host"), "{refused}: {error}");
        }
    }

    #[test]
    fn docker_hubs_keys_come_first_and_each_key_once() {
        let registries = [
            "docker.io".to_owned(),
            "m:5000".to_owned(),
            "m:5000".to_owned(),
        ];
        assert_eq!(
            keys(&registries),
            ["https://index.docker.io/v1/", "docker.io", "m:5000"]
        );
    }
}
