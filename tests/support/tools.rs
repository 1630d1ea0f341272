//! Real tools that some tests run (a registry, a credential helper): found, or else the test
//! is skipped with a reason, or fails under CI.

use std::{ffi::OsStr, io::Write as _, path::PathBuf};

/// Every real tool a test runs, with the script of `.ci/` that installs it.
const INSTALLERS: &[(&str, &str)] = &[
    ("docker-registry", ".ci/install-registry.sh"),
    ("skopeo", ".ci/install-registry.sh"),
    (
        "docker-credential-pass",
        ".ci/install-credential-helpers.sh",
    ),
    ("pass", ".ci/install-credential-helpers.sh"),
    ("gpg", ".ci/install-credential-helpers.sh"),
];

/// Returns the path of `tool`, searched for in this process's `PATH`.
///
/// When it is not there, a test cannot run, and what that means depends on where it runs:
/// - under CI (`CI` set to anything but empty, `0` or `false`, as CI services set
///   `CI=true`), it panics, naming the tool and the `.ci/` script that installs it: a
///   missing tool fails the run instead of passing silently;
/// - elsewhere it says on stderr that the calling test is skipped and why (past the test
///   harness's capture, so that a plain `cargo test` shows it), and returns `None`, on which
///   the test returns at once.
pub fn require_tool(tool: &str) -> Option<PathBuf> {
    let installer = INSTALLERS
        .iter()
        .find_map(|&(name, installer)| (name == tool).then_some(installer))
        .unwrap_or_else(|| panic!("no installer is known for {tool}: add it to INSTALLERS"));
    let path = std::env::var_os("PATH").unwrap_or_default();
    if let Some(found) = std::env::split_paths(&path)
        .map(|dir| dir.join(tool))
        .find(|candidate| candidate.is_file())
    {
        return Some(found);
    }
    assert!(
        !under_ci(),
        "{tool} is not installed (not in PATH), and under CI a test that needs it fails \
         rather than skip: run {installer}"
    );
    let test = std::thread::current().name().unwrap_or("a test").to_owned();
    let _ = writeln!(
        std::io::stderr(),
        "skipped: {tool} is not installed ({installer} installs it): {test}"
    );
    None
}

/// Whether this process runs under CI: `CI` is set, and not to empty, `0` or `false`.
fn under_ci() -> bool {
    std::env::var_os("CI").is_some_and(|value| {
        !["", "0", "false"]
            .iter()
            .any(|off| value.eq_ignore_ascii_case(OsStr::new(off)))
    })
}
