//! `dockerhub-auth configure-docker`: the one command that writes Docker's config. Every run
//! has a temporary `HOME` and `DOCKER_CONFIG` (see `support::cli`): never the real
//! `~/.docker`.

use std::{
    fs,
    os::unix::fs::{MetadataExt as _, PermissionsExt as _},
    path::{Path, PathBuf},
};

use serde_json::{Value, json};

use crate::support::cli::*;

/// What a fresh config holds after one run.
fn named_for_docker_hub() -> Value {
    json!({ "credHelpers": {
        "https://index.docker.io/v1/": "dockerhub",
        "docker.io": "dockerhub",
    } })
}

/// A run of `configure-docker` with `args`, whose Docker config directory is `dir`.
fn configure(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["configure-docker"];
    all.extend_from_slice(args);
    Cli::new(&all).env("DOCKER_CONFIG", dir).run()
}

/// A temporary directory to hold a Docker config directory.
struct Place {
    _temp: tempfile::TempDir,
    dir: PathBuf,
}

impl Place {
    fn new() -> Place {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("docker");
        Place { _temp: temp, dir }
    }

    fn config(&self) -> PathBuf {
        self.dir.join("config.json")
    }

    /// Writes `text` as the config, with `mode`.
    fn write(&self, text: &str, mode: u32) {
        fs::create_dir_all(&self.dir).unwrap();
        fs::write(self.config(), text).unwrap();
        fs::set_permissions(self.config(), fs::Permissions::from_mode(mode)).unwrap();
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&fs::read(self.config()).unwrap()).unwrap()
    }

    /// The names in the directory: the config and nothing left behind.
    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(&self.dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }
}

fn mode(path: &Path) -> u32 {
    fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
}

#[test]
fn a_missing_config_is_created_with_its_directory_private() {
    let place = Place::new();
    let run = configure(&place.dir, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert_eq!(place.json(), named_for_docker_hub());
    assert_eq!(mode(&place.dir), 0o700);
    assert_eq!(mode(&place.config()), 0o600);
    assert_eq!(place.names(), ["config.json"]);
    // It says what it changed.
    for said in ["https://index.docker.io/v1/", "docker.io", "created"] {
        assert!(run.stderr.contains(said), "{said}: {}", run.stderr);
    }
}

#[test]
fn without_docker_config_the_config_in_home_is_written() {
    let home = tempfile::tempdir().unwrap();
    let run = Cli::new(&["configure-docker"])
        .env_remove("DOCKER_CONFIG")
        .env("HOME", home.path())
        .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let config = home.path().join(".docker").join("config.json");
    let written: Value = serde_json::from_slice(&fs::read(&config).unwrap()).unwrap();
    assert_eq!(written, named_for_docker_hub());
}

#[test]
fn every_other_key_and_entry_is_kept_in_its_order() {
    let place = Place::new();
    let original = r#"{
  "zeta": {"b": 1, "a": [true, null, 2.5]},
  "auths": {"https://index.docker.io/v1/": {"auth": "YWxpY2U6czNjcjN0"}, "quay.io": {}},
  "credsStore": "desktop",
  "credHelpers": {"gcr.io": "gcloud"},
  "HttpHeaders": {"User-Agent": "x"},
  "alpha": "last"
}"#;
    place.write(original, 0o600);
    let run = configure(&place.dir, &["--registry", "127.0.0.1:5000"]);
    assert_eq!(run.code, 0, "{}", run.stderr);

    let mut expected: Value = serde_json::from_str(original).unwrap();
    expected["credHelpers"]["https://index.docker.io/v1/"] = json!("dockerhub");
    expected["credHelpers"]["docker.io"] = json!("dockerhub");
    expected["credHelpers"]["127.0.0.1:5000"] = json!("dockerhub");
    assert_eq!(place.json(), expected);
    // The order of the text: top-level keys, nested keys, and new entries after old ones.
    let text = fs::read_to_string(place.config()).unwrap();
    let positions: Vec<usize> = [
        "\"zeta\"",
        "\"b\"",
        "\"a\"",
        "\"auths\"",
        "\"quay.io\"",
        "\"credsStore\"",
        "\"gcr.io\"",
        "\"https://index.docker.io/v1/\": \"dockerhub\"",
        "\"docker.io\"",
        "\"127.0.0.1:5000\"",
        "\"HttpHeaders\"",
        "\"alpha\"",
    ]
    .iter()
    .map(|key| text.find(key).unwrap_or_else(|| panic!("{key} in {text}")))
    .collect();
    assert!(positions.is_sorted(), "{text}");
    // Nothing stored is ever printed.
    assert!(!run.stderr.contains("YWxpY2U6czNjcjN0"), "{}", run.stderr);
}

#[test]
fn another_helper_for_the_same_key_is_kept_without_force_and_named() {
    let place = Place::new();
    let original = r#"{"credHelpers":{"docker.io":"desktop"}}"#;
    place.write(original, 0o600);
    let before = fs::metadata(place.config()).unwrap();
    let run = configure(&place.dir, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("\"desktop\""), "{}", run.stderr);
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    // Untouched: same bytes, same file.
    assert_eq!(fs::read_to_string(place.config()).unwrap(), original);
    assert_eq!(fs::metadata(place.config()).unwrap().ino(), before.ino());
    assert_eq!(place.names(), ["config.json"]);
}

#[test]
fn force_replaces_another_helper_and_says_so() {
    let place = Place::new();
    place.write(
        r#"{"credHelpers":{"docker.io":"desktop","gcr.io":"gcloud"}}"#,
        0o600,
    );
    let run = configure(&place.dir, &["--force"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        place.json(),
        json!({ "credHelpers": {
            "docker.io": "dockerhub",
            "gcr.io": "gcloud",
            "https://index.docker.io/v1/": "dockerhub",
        } })
    );
    assert!(run.stderr.contains("replaced"), "{}", run.stderr);
    assert!(run.stderr.contains("\"desktop\""), "{}", run.stderr);
}

#[test]
fn a_second_run_changes_nothing_and_says_so() {
    let place = Place::new();
    assert_eq!(
        configure(&place.dir, &["--registry", "mirror.example.com"]).code,
        0
    );
    let text = fs::read(place.config()).unwrap();
    let before = fs::metadata(place.config()).unwrap();
    let again = configure(&place.dir, &["--registry", "mirror.example.com"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again.stderr.contains("nothing to change"),
        "{}",
        again.stderr
    );
    assert_eq!(fs::read(place.config()).unwrap(), text);
    // Not even rewritten with the same bytes: the same file, untouched.
    let after = fs::metadata(place.config()).unwrap();
    assert_eq!(
        (after.ino(), after.mtime_nsec()),
        (before.ino(), before.mtime_nsec())
    );
}

#[test]
fn the_mode_of_an_existing_config_is_kept() {
    let place = Place::new();
    place.write("{}", 0o640);
    assert_eq!(configure(&place.dir, &[]).code, 0);
    assert_eq!(mode(&place.config()), 0o640);
    assert_eq!(place.json(), named_for_docker_hub());
}

/// The write is a temporary file and a rename: the config is replaced by another file
/// (a new inode) and the directory holds no temporary file afterwards; the content parses.
#[test]
fn the_config_is_replaced_whole_and_no_temporary_is_left() {
    let place = Place::new();
    place.write(r#"{"auths":{}}"#, 0o600);
    let before = fs::metadata(place.config()).unwrap().ino();
    assert_eq!(configure(&place.dir, &["--registry", "a.example"]).code, 0);
    assert_ne!(fs::metadata(place.config()).unwrap().ino(), before);
    assert_eq!(place.names(), ["config.json"]);
    assert_eq!(place.json()["credHelpers"]["a.example"], "dockerhub");
}

#[test]
fn an_empty_config_is_an_empty_object() {
    let place = Place::new();
    place.write("", 0o600);
    assert_eq!(configure(&place.dir, &[]).code, 0);
    assert_eq!(place.json(), named_for_docker_hub());
}

#[test]
fn a_config_that_is_not_a_json_object_is_left_untouched() {
    for original in [
        "{\"auths\": ",
        "not json",
        "[1, 2]",
        r#"{"credHelpers": "docker.io"}"#,
    ] {
        let place = Place::new();
        place.write(original, 0o600);
        let run = configure(&place.dir, &["--force"]);
        assert_eq!(run.code, 2, "{original}: {}", run.stderr);
        assert!(run.stderr.contains("nothing was changed"), "{}", run.stderr);
        assert_eq!(fs::read_to_string(place.config()).unwrap(), original);
        assert_eq!(place.names(), ["config.json"]);
    }
}

#[test]
fn a_config_that_is_a_symbolic_link_is_refused_and_not_followed() {
    let place = Place::new();
    fs::create_dir_all(&place.dir).unwrap();
    let target = place.dir.join("elsewhere.json");
    fs::write(&target, "{}").unwrap();
    std::os::unix::fs::symlink(&target, place.config()).unwrap();
    let run = configure(&place.dir, &["--force"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
    assert!(
        fs::symlink_metadata(place.config())
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read_to_string(&target).unwrap(), "{}");
    assert_eq!(place.names(), ["config.json", "elsewhere.json"]);
}

#[test]
fn a_config_that_is_not_a_regular_file_is_refused_without_hanging() {
    let place = Place::new();
    fs::create_dir_all(&place.dir).unwrap();
    // A FIFO: opening it for reading would wait for a writer, forever.
    let made = std::process::Command::new("mkfifo")
        .arg(place.config())
        .status()
        .unwrap();
    assert!(made.success());
    let run = configure(&place.dir, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
    // A directory named config.json.
    let place = Place::new();
    fs::create_dir_all(place.config()).unwrap();
    let run = configure(&place.dir, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn a_registry_that_is_not_a_host_is_refused() {
    let place = Place::new();
    let run = configure(&place.dir, &["--registry", "mirror.example.com/v2/"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!place.config().exists());
}
