//! [`RegistryScope`]: what a registry token is for, and the repository name rules, checked before
//! any request.

use std::{fmt, str::FromStr};

use crate::error::{Error, Result};

/// The longest repository name a registry accepts (the Distribution reference grammar).
const MAX_NAME_LEN: usize = 255;

/// What a registry token may do: pull from or push to a repository, or list the catalog.
///
/// Written as the token service wants it: `repository:NAME:ACTIONS` (actions `pull`, `push`,
/// `delete` or `*`, comma separated) or `registry:catalog:*`. Repository names are checked
/// when a scope is made, so an invalid one never reaches a server: lowercase letters and
/// digits in components separated by `/`, each component made of `[a-z0-9]+` runs joined by
/// `.`, `_`, `__` or dashes, 255 characters at most.
///
/// On Docker Hub a one-component name is an official image: `alpine` is asked for as
/// `library/alpine` ([`Registry`](crate::Registry) does this when it talks to Docker Hub,
/// never elsewhere).
///
/// ```
/// use dockerhub_auth::{RegistryAction, RegistryScope};
///
/// let pull: RegistryScope = "alpine".parse()?; // a bare name means pull
/// assert_eq!(pull.to_string(), "repository:alpine:pull");
/// let push = RegistryScope::repository("acme/app", &[RegistryAction::Pull, RegistryAction::Push])?;
/// assert_eq!(push.to_string(), "repository:acme/app:pull,push");
/// assert!(RegistryScope::parse("repository:Acme/App:pull").is_err()); // refused before any request
/// # Ok::<(), dockerhub_auth::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegistryScope {
    /// The scope as sent, for example `repository:library/alpine:pull`.
    text: String,
}

/// What a [`RegistryScope`] allows on a repository.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RegistryAction {
    /// `pull`: read manifests and blobs.
    Pull,
    /// `push`: write them.
    Push,
    /// `delete`: delete them.
    Delete,
    /// `*`: everything the account may do.
    All,
}

impl RegistryAction {
    fn as_str(self) -> &'static str {
        match self {
            RegistryAction::Pull => "pull",
            RegistryAction::Push => "push",
            RegistryAction::Delete => "delete",
            RegistryAction::All => "*",
        }
    }

    fn parse(text: &str) -> Option<RegistryAction> {
        Some(match text {
            "pull" => RegistryAction::Pull,
            "push" => RegistryAction::Push,
            "delete" => RegistryAction::Delete,
            "*" => RegistryAction::All,
            _ => return None,
        })
    }
}

impl RegistryScope {
    /// Returns the scope in `text`: a full scope (`repository:acme/app:pull,push`,
    /// `registry:catalog:*`) or a bare repository name, which means pulling from it
    /// (`alpine` is `repository:alpine:pull`).
    ///
    /// # Errors
    ///
    /// [`InvalidInput`](crate::ErrorKind::InvalidInput) for an invalid repository name, an
    /// unknown resource type or action, or no action at all.
    pub fn parse(text: &str) -> Result<RegistryScope> {
        let text = text.trim();
        let Some((kind, rest)) = text.split_once(':') else {
            return RegistryScope::repository(text, &[RegistryAction::Pull]);
        };
        match kind {
            "repository" => {
                let (name, actions) = rest.rsplit_once(':').ok_or_else(|| {
                    Error::invalid_input("a repository scope is repository:NAME:ACTIONS")
                })?;
                let actions = actions
                    .split(',')
                    .map(|action| {
                        RegistryAction::parse(action.trim()).ok_or_else(|| {
                            Error::invalid_input(
                                "a scope's actions are pull, push, delete or *, comma separated",
                            )
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                RegistryScope::repository(name, &actions)
            }
            "registry" if rest == "catalog:*" => Ok(RegistryScope::catalog()),
            _ => Err(Error::invalid_input(
                "a scope is repository:NAME:ACTIONS, registry:catalog:* or a repository name",
            )),
        }
    }

    /// Returns the scope for `actions` on the repository `name`.
    ///
    /// # Errors
    ///
    /// [`InvalidInput`](crate::ErrorKind::InvalidInput) for an invalid name or no action.
    pub fn repository(name: &str, actions: &[RegistryAction]) -> Result<RegistryScope> {
        check_name(name)?;
        if actions.is_empty() {
            return Err(Error::invalid_input("a repository scope needs an action"));
        }
        let mut listed: Vec<&str> = Vec::with_capacity(actions.len());
        for action in actions {
            if !listed.contains(&action.as_str()) {
                listed.push(action.as_str());
            }
        }
        Ok(RegistryScope {
            text: format!("repository:{name}:{}", listed.join(",")),
        })
    }

    /// Returns the scope for pulling from the repository `name`.
    ///
    /// # Errors
    ///
    /// [`InvalidInput`](crate::ErrorKind::InvalidInput) for an invalid name.
    pub fn pull(name: &str) -> Result<RegistryScope> {
        RegistryScope::repository(name, &[RegistryAction::Pull])
    }

    /// Returns `registry:catalog:*`, the scope for listing the registry's repositories.
    pub fn catalog() -> RegistryScope {
        RegistryScope {
            text: "registry:catalog:*".to_owned(),
        }
    }

    /// Returns the scope as sent to the token service.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Returns the scope with Docker Hub's name rule applied: a one-component repository
    /// name is an official image, under `library/`.
    pub(crate) fn on_docker_hub(&self) -> RegistryScope {
        match self.text.strip_prefix("repository:") {
            Some(rest) if !rest.contains('/') => RegistryScope {
                text: format!("repository:library/{rest}"),
            },
            _ => self.clone(),
        }
    }
}

impl fmt::Display for RegistryScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for RegistryScope {
    type Err = Error;

    /// The same as [`RegistryScope::parse`].
    fn from_str(text: &str) -> Result<RegistryScope> {
        RegistryScope::parse(text)
    }
}

/// Refuses a repository name the Distribution reference grammar does not allow: components
/// of lowercase `[a-z0-9]+` runs joined by `.`, `_`, `__` or dashes, separated by `/`.
fn check_name(name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(Error::invalid_input("the repository name is empty"));
    }
    if name.len() > MAX_NAME_LEN {
        return Err(Error::invalid_input(
            "the repository name is longer than 255 characters",
        ));
    }
    if !name.split('/').all(is_component) {
        return Err(Error::invalid_input(
            "invalid repository name: use lowercase letters and digits, separated by \
             '/', '.', '_', '__' or '-'",
        ));
    }
    Ok(())
}

/// Returns whether `component` is `[a-z0-9]+` runs joined by `.`, `_`, `__` or `-+`.
fn is_component(component: &str) -> bool {
    let alphanumeric = |part: &str| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    let bytes = component.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let separator_len = match bytes.get(i) {
            Some(b'.') => 1,
            Some(b'_') if bytes.get(i + 1) == Some(&b'_') => 2,
            Some(b'_') => 1,
            Some(b'-') => bytes
                .get(i..)
                .map_or(0, |rest| rest.iter().take_while(|b| **b == b'-').count()),
            _ => 0,
        };
        if separator_len == 0 {
            i += 1;
            continue;
        }
        if !component.get(start..i).is_some_and(alphanumeric) {
            return false;
        }
        i += separator_len;
        start = i;
    }
    component.get(start..).is_some_and(alphanumeric)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn names_of_the_distribution_grammar_are_accepted() {
        for name in [
            "alpine",
            "library/alpine",
            "acme/app",
            "a/b/c/d",
            "my.app",
            "my_app",
            "my__app",
            "my-app",
            "my--app",
            "0",
            "ratelimitpreview/test",
        ] {
            assert!(check_name(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn other_names_are_refused() {
        for name in [
            "",
            "Alpine",
            "alpine:3.19",
            "/alpine",
            "alpine/",
            "a//b",
            "my___app",
            ".app",
            "app.",
            "-app",
            "app-",
            "my._app",
            "é",
            "a b",
            &"a".repeat(256),
        ] {
            let error = check_name(name).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidInput, "{name}");
        }
    }

    #[test]
    fn scopes_parse_in_every_form() {
        let cases = [
            ("alpine", "repository:alpine:pull"),
            (" acme/app ", "repository:acme/app:pull"),
            (
                "repository:acme/app:pull,push",
                "repository:acme/app:pull,push",
            ),
            (
                "repository:acme/app:push,pull,push",
                "repository:acme/app:push,pull",
            ),
            ("repository:acme/app:*", "repository:acme/app:*"),
            ("repository:a:delete", "repository:a:delete"),
            ("registry:catalog:*", "registry:catalog:*"),
        ];
        for (input, expected) in cases {
            assert_eq!(
                RegistryScope::parse(input).unwrap().as_str(),
                expected,
                "{input}"
            );
        }
    }

    #[test]
    fn invalid_scopes_are_refused() {
        for input in [
            "repository:acme/app",
            "repository:acme/app:",
            "repository:acme/app:pull,",
            "repository:acme/app:read",
            "repository:Acme:pull",
            "registry:catalog:pull",
            "plugin:x:pull",
            "alpine:latest",
            "",
        ] {
            let error = RegistryScope::parse(input).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidInput, "{input}");
        }
    }

    #[test]
    fn docker_hub_puts_one_component_names_under_library() {
        let on_hub = |text: &str| {
            RegistryScope::parse(text)
                .unwrap()
                .on_docker_hub()
                .to_string()
        };
        assert_eq!(on_hub("alpine"), "repository:library/alpine:pull");
        assert_eq!(
            on_hub("repository:alpine:pull,push"),
            "repository:library/alpine:pull,push"
        );
        assert_eq!(on_hub("acme/app"), "repository:acme/app:pull");
        assert_eq!(on_hub("registry:catalog:*"), "registry:catalog:*");
    }

    proptest! {
        #[test]
        fn any_text_is_parsed_or_refused_without_panic(text in "\\PC{0,40}") {
            if let Ok(scope) = RegistryScope::parse(&text) {
                // What is accepted round-trips through its own text.
                prop_assert_eq!(RegistryScope::parse(scope.as_str()).unwrap(), scope);
            }
        }

        #[test]
        fn names_built_from_the_grammar_are_accepted(
            parts in proptest::collection::vec(("[a-z0-9]{1,5}", "(\\.|_|__|-{1,3})?"), 1..5),
            components in 1usize..4,
        ) {
            let component: String = parts
                .iter()
                .enumerate()
                .map(|(i, (run, separator))| {
                    if i + 1 == parts.len() { run.clone() } else { format!("{run}{separator}") }
                })
                .collect();
            let name = vec![component; components].join("/");
            prop_assert!(check_name(&name).is_ok(), "{}", name);
        }
    }
}
