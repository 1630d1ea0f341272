//! [`PatScope`], [`OatScope`] and [`OatResourceKind`]: Docker Hub's open sets of names, as
//! constants for the known ones and any string for the ones Docker adds later.

use std::{borrow::Cow, fmt, str::FromStr};

/// Defines a newtype over a name Docker Hub sends and accepts, with constants for the names
/// known today.
macro_rules! open_name {
    (
        $(#[$doc:meta])*
        $name:ident {
            $( $(#[$const_doc:meta])* $constant:ident = $value:literal, )*
        }
    ) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Cow<'static, str>);

        impl $name {
            $( $(#[$const_doc])* pub const $constant: $name = $name(Cow::Borrowed($value)); )*

            /// The names this version of the crate knows.
            const KNOWN: &'static [$name] = &[$($name::$constant),*];

            /// Returns the name for any string, a known one or one Docker Hub added since
            /// this crate was released.
            pub fn new(name: impl Into<String>) -> Self {
                let name = name.into();
                match Self::KNOWN.iter().find(|known| known.0 == name) {
                    Some(known) => known.clone(),
                    None => $name(Cow::Owned(name)),
                }
            }

            /// Returns the name as Docker Hub writes it.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Returns whether this version of the crate has a constant for the name.
            pub fn is_known(&self) -> bool {
                Self::KNOWN.contains(self)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(self.as_str(), f)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for $name {
            fn from(name: &str) -> Self {
                $name::new(name)
            }
        }

        impl From<String> for $name {
            fn from(name: String) -> Self {
                $name::new(name)
            }
        }

        /// Never fails: a name this crate does not know is kept as it is.
        impl FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(name: &str) -> Result<Self, Self::Err> {
                Ok($name::new(name))
            }
        }
    };
}

open_name! {
    /// What a personal access token may do.
    ///
    /// Scopes are hierarchical: [`REPO_ADMIN`](Self::REPO_ADMIN) includes
    /// [`REPO_WRITE`](Self::REPO_WRITE), which includes [`REPO_READ`](Self::REPO_READ), which
    /// includes [`REPO_PUBLIC_READ`](Self::REPO_PUBLIC_READ). A scope Docker Hub adds later
    /// comes back as it is, with [`is_known`](Self::is_known) false.
    ///
    /// ```
    /// use dockerhub_auth::PatScope;
    ///
    /// assert_eq!(PatScope::new("repo:read"), PatScope::REPO_READ);
    /// assert!(!PatScope::new("repo:sandbox").is_known());
    /// ```
    PatScope {
        /// `repo:admin`: read, write and delete repositories.
        REPO_ADMIN = "repo:admin",
        /// `repo:write`: read and push.
        REPO_WRITE = "repo:write",
        /// `repo:read`: read private and public repositories.
        REPO_READ = "repo:read",
        /// `repo:public_read`: read public repositories only.
        REPO_PUBLIC_READ = "repo:public_read",
    }
}

open_name! {
    /// What an organization access token may do on one of its resources.
    ///
    /// The constants are the scopes Docker documents for repositories and for the
    /// organization (docker/docs, `content/manuals/security/access-tokens/reference.md`);
    /// some include others, for example [`IMAGE_PUSH`](Self::IMAGE_PUSH) includes
    /// [`IMAGE_PULL`](Self::IMAGE_PULL). Any other scope works through [`new`](Self::new).
    ///
    /// ```
    /// use dockerhub_auth::OatScope;
    ///
    /// assert_eq!(OatScope::IMAGE_PULL.as_str(), "scope-image-pull");
    /// assert_eq!("scope-member-read".parse::<OatScope>()?.as_str(), "scope-member-read");
    /// # Ok::<(), std::convert::Infallible>(())
    /// ```
    OatScope {
        /// `scope-image-pull`: pull images.
        IMAGE_PULL = "scope-image-pull",
        /// `scope-image-push`: push images (and pull).
        IMAGE_PUSH = "scope-image-push",
        /// `scope-image-delete`: delete images (and push and pull).
        IMAGE_DELETE = "scope-image-delete",
        /// `scope-repository-read`: read repository details.
        REPOSITORY_READ = "scope-repository-read",
        /// `scope-repository-edit`: edit repository details (and read).
        REPOSITORY_EDIT = "scope-repository-edit",
        /// `scope-repository-admin`: administer repositories (and edit).
        REPOSITORY_ADMIN = "scope-repository-admin",
        /// `scope-repository-settings-admin`: administer repository settings.
        REPOSITORY_SETTINGS_ADMIN = "scope-repository-settings-admin",
        /// `scope-tag-read`: read tags.
        TAG_READ = "scope-tag-read",
        /// `scope-tag-admin`: administer tags (and read).
        TAG_ADMIN = "scope-tag-admin",
        /// `scope-webhook-read`: read webhooks.
        WEBHOOK_READ = "scope-webhook-read",
        /// `scope-webhook-edit`: edit webhooks (and read).
        WEBHOOK_EDIT = "scope-webhook-edit",
        /// `scope-webhook-admin`: administer webhooks (and edit).
        WEBHOOK_ADMIN = "scope-webhook-admin",
        /// `scope-repo-group-read`: read repository groups.
        REPO_GROUP_READ = "scope-repo-group-read",
        /// `scope-repo-group-edit`: edit repository groups (and read).
        REPO_GROUP_EDIT = "scope-repo-group-edit",
        /// `scope-repo-group-admin`: administer repository groups (and edit).
        REPO_GROUP_ADMIN = "scope-repo-group-admin",
        /// `scope-repository-list`: list the organization's repositories (an organization
        /// scope).
        REPOSITORY_LIST = "scope-repository-list",
        /// `scope-repository-create`: create repositories (an organization scope).
        REPOSITORY_CREATE = "scope-repository-create",
        /// `scope-registry-usage-read`: read registry usage (an organization scope).
        REGISTRY_USAGE_READ = "scope-registry-usage-read",
    }
}

open_name! {
    /// What kind of resource an [`OatResource`](crate::OatResource) is.
    ///
    /// ```
    /// use dockerhub_auth::OatResourceKind;
    ///
    /// assert_eq!(OatResourceKind::REPOSITORY.as_str(), "TYPE_REPO");
    /// ```
    OatResourceKind {
        /// `TYPE_REPO`: repositories, named `org/repo` or by a glob (`org/*`, or
        /// `*/*/public` for every public repository).
        REPOSITORY = "TYPE_REPO",
        /// `TYPE_ORG`: the organization itself.
        ORGANIZATION = "TYPE_ORG",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_names_are_their_constants_and_others_are_kept() {
        assert_eq!(PatScope::new("repo:admin"), PatScope::REPO_ADMIN);
        assert!(PatScope::from("repo:write").is_known());
        let new = PatScope::from("repo:sandbox".to_owned());
        assert_eq!((new.as_str(), new.is_known()), ("repo:sandbox", false));
        assert_eq!(format!("{:?}", OatScope::TAG_READ), "\"scope-tag-read\"");
        assert_eq!(
            OatResourceKind::new("TYPE_ORG"),
            OatResourceKind::ORGANIZATION
        );
    }
}
