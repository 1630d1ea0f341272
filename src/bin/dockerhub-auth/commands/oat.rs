//! `dockerhub-auth oat`: an organization's access tokens (/v2/orgs/ORG/access-tokens): list,
//! show, create, deactivate, activate, delete and rotate. The verbs are `manage`'s, shared
//! with `pat`; this file says what an organization access token is on the command line.

use clap::Args;
use dockerhub_auth::{
    Hub, NewOrgAccessToken, OatResource, OatResourceKind, OatScope, OrgAccessToken, OrgAccessTokens,
};
use serde_json::{Value, json};

use crate::{
    context::{Context, HubSession},
    failure::Failure,
    manage::{self, ManageArgs, Owner, joined, text, time, yes_no},
};

/// `oat`'s arguments: a verb, and the password login of an owner of the organization.
pub(crate) type OatArgs = ManageArgs<Organization>;

pub(crate) async fn exec(ctx: &Context, args: OatArgs) -> Result<(), Failure> {
    manage::exec(ctx, args).await
}

/// The organization whose access tokens `oat` manages, named first after the verb.
#[derive(Debug, Args)]
pub(crate) struct Organization {
    /// The organization
    #[arg(value_name = "ORG")]
    org: String,
}

/// `oat create`'s own options.
#[derive(Debug, Args)]
pub(crate) struct NewOat {
    /// A label to recognise the token by
    #[arg(long, value_name = "LABEL")]
    label: String,

    /// What the token is for
    #[arg(long, value_name = "TEXT")]
    description: Option<String>,

    /// What the token may reach and do, as TYPE:PATH:SCOPE[,SCOPE...] (repeat for more):
    /// repo:acme/app:scope-image-push, repo:acme/*:scope-image-pull,
    /// repo:*/*/public:scope-image-pull, org:acme:scope-repository-list
    #[arg(long = "resource", value_name = "TYPE:PATH:SCOPE[,SCOPE...]", required = true,
          value_parser = parse_resource)]
    resources: Vec<OatResource>,
}

impl Owner for Organization {
    type Handle = OrgAccessTokens;
    type Create = NewOat;

    const COMMAND: &'static str = "oat";
    const NAME: &'static str = "organization access token";
    const GRANTS: &'static str = "resources";
    const ABOUT: &'static str = "Manage an organization's access tokens (logs in with the \
        password of an owner: Docker Hub refuses tokens issued from access tokens here)";
    const LIST_ABOUT: &'static str =
        "List the organization's tokens: a table, or one JSON array with --json";
    const SHOW_ABOUT: &'static str =
        "Show one token with its resources, or one JSON object with --json";
    const ROTATE_ABOUT: &'static str = "Replace a token: create one with the same resources and \
        lifetime, check that it works, then deactivate the old one; the new secret alone goes to \
        stdout";
    const JSON_HELP: &'static str = "Print JSON: for list, an array of {\"id\", \"label\", \
        \"description\", \"resources\": [{\"type\", \"path\", \"scopes\"}], \"is_active\", \
        \"created_by\", \"created_at\", \"last_used_at\", \"expires_at\"}; for the other verbs, \
        one such object (create and rotate add the new secret as \"token\", rotate the old token \
        as \"previous\"; delete prints {\"id\", \"deleted\"})";

    fn org(&self) -> Option<&str> {
        Some(&self.org)
    }

    fn handle(&self, hub: &Hub, login: &HubSession) -> OrgAccessTokens {
        hub.org_access_tokens(login.session(), &self.org)
    }

    fn new_token(create: NewOat) -> NewOrgAccessToken {
        let mut new = NewOrgAccessToken::new(create.label);
        if let Some(description) = create.description {
            new = new.description(description);
        }
        for resource in create.resources {
            new = new.resource(resource);
        }
        new
    }

    /// The resources as `--resource` takes them: `TYPE_REPO:acme/*:scope-image-pull`.
    fn grants(token: &OrgAccessToken) -> String {
        let resources = token.resources().iter().map(|resource| {
            let scopes: Vec<&str> = resource.scopes().iter().map(OatScope::as_str).collect();
            format!(
                "{}:{}:{}",
                resource.kind(),
                resource.path(),
                scopes.join(",")
            )
        });
        joined(resources, " ")
    }

    fn fields(token: &OrgAccessToken) -> Value {
        let resources: Vec<Value> = token
            .resources()
            .iter()
            .map(|resource| {
                json!({
                    "type": resource.kind().as_str(),
                    "path": resource.path(),
                    "scopes": resource.scopes().iter().map(OatScope::as_str).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({
            "description": token.description(),
            "created_by": token.created_by(),
            "resources": resources,
        })
    }

    fn details(token: &OrgAccessToken) -> Vec<(&'static str, String)> {
        vec![
            ("label", token.label().to_owned()),
            ("id", token.id().to_owned()),
            ("description", text(token.description())),
            ("resources", Self::grants(token)),
            ("active", yes_no(token.is_active())),
            ("created", time(token.created_at(), "-")),
            ("created by", text(token.created_by())),
            ("last used", time(token.last_used_at(), "never")),
            ("expires", time(token.expires_at(), "never")),
        ]
    }
}

/// Parses `--resource TYPE:PATH:SCOPE[,SCOPE...]`; TYPE is `repo`, `org` or Docker's own
/// `TYPE_…` name.
fn parse_resource(value: &str) -> Result<OatResource, String> {
    let usage = || {
        format!("{value:?} is not TYPE:PATH:SCOPE[,SCOPE...], e.g. repo:acme/*:scope-image-pull")
    };
    let (kind, rest) = value.split_once(':').ok_or_else(usage)?;
    let (path, scopes) = rest.rsplit_once(':').ok_or_else(usage)?;
    let kind = match kind.to_ascii_lowercase().as_str() {
        "repo" | "repository" | "type_repo" => OatResourceKind::REPOSITORY,
        "org" | "organization" | "type_org" => OatResourceKind::ORGANIZATION,
        other if other.starts_with("type_") => OatResourceKind::new(kind),
        _ => return Err(format!("{kind:?} is not a resource type: use repo or org")),
    };
    let scopes: Vec<OatScope> = scopes
        .split(',')
        .map(str::trim)
        .filter(|scope| !scope.is_empty())
        .map(OatScope::new)
        .collect();
    if path.trim().is_empty() || scopes.is_empty() {
        return Err(usage());
    }
    Ok(OatResource::new(kind, path.trim(), scopes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_are_type_path_and_scopes() {
        let resource = parse_resource("repo:acme/*:scope-image-pull,scope-image-push").unwrap();
        assert_eq!(resource.kind(), &OatResourceKind::REPOSITORY);
        assert_eq!(resource.path(), "acme/*");
        assert_eq!(
            resource.scopes(),
            [OatScope::IMAGE_PULL, OatScope::IMAGE_PUSH]
        );
        let org = parse_resource("TYPE_ORG:acme:scope-repository-list").unwrap();
        assert_eq!(org.kind(), &OatResourceKind::ORGANIZATION);
        for bad in [
            "repo:acme/*",
            "team:acme:x",
            "repo::scope-image-pull",
            "repo:acme:",
        ] {
            assert!(parse_resource(bad).is_err(), "{bad}");
        }
    }
}
