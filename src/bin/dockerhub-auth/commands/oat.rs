//! `dockerhub-auth oat`: an organization's access tokens (/v2/orgs/ORG/access-tokens): list,
//! show, create, deactivate, activate, delete and rotate.

use std::time::SystemTime;

use clap::{Args, Subcommand};
use dockerhub_auth::{
    NewOrgAccessToken, OatResource, OrgAccessToken, OrgAccessTokens, TokenUpdate,
};
use futures_util::TryStreamExt as _;
use serde_json::{Value, json};

use crate::{
    args::Global,
    commands::{
        login::PasswordArgs,
        manage::{
            Expiry, Row, confirm, json_times, keep, management_bearer, old_still_active, one_line,
            parse_expiry, parse_resource, print_details, print_json, print_secret, print_table,
            require_confirmation_possible, tell,
        },
        pat::ListArgs,
    },
    failure::Failure,
    hub::hub,
    output::rfc3339,
};

/// Manage an organization's access tokens (logs in with the password of an owner: Docker
/// Hub refuses tokens issued from access tokens here)
#[derive(Debug, Args)]
pub(crate) struct OatArgs {
    #[command(subcommand)]
    verb: OatVerb,

    #[command(flatten)]
    login: PasswordArgs,
}

#[derive(Debug, Subcommand)]
enum OatVerb {
    /// List the organization's tokens: a table, or one JSON array with --json
    List(OrgListArgs),
    /// Show one token with its resources, or one JSON object with --json
    Show(IdArgs),
    /// Create a token; its secret alone goes to stdout, what it is to stderr
    Create(CreateArgs),
    /// Deactivate a token: Docker Hub refuses it until it is activated again
    Deactivate(IdArgs),
    /// Activate a deactivated token
    Activate(IdArgs),
    /// Delete a token for good (asks first; pass --yes when there is no terminal)
    Delete(DeleteArgs),
    /// Replace a token: create one with the same resources and lifetime, check that it
    /// works, then deactivate the old one; the new secret alone goes to stdout
    Rotate(IdArgs),
}

#[derive(Debug, Args)]
struct OrgListArgs {
    /// The organization
    #[arg(value_name = "ORG")]
    org: String,

    #[command(flatten)]
    filters: ListArgs,
}

#[derive(Debug, Args)]
struct IdArgs {
    /// The organization
    #[arg(value_name = "ORG")]
    org: String,

    /// The token's id, as `list` shows it
    #[arg(value_name = "ID")]
    id: String,
}

#[derive(Debug, Args)]
struct DeleteArgs {
    #[command(flatten)]
    token: IdArgs,

    /// Delete without asking
    #[arg(long)]
    yes: bool,
}

#[derive(Debug, Args)]
struct CreateArgs {
    /// The organization
    #[arg(value_name = "ORG")]
    org: String,

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

    /// When the token expires: a duration from now (30d, 90d) or a date (2027-01-01, or
    /// RFC 3339) [default: never]
    #[arg(long, value_name = "DURATION|DATE", value_parser = parse_expiry)]
    expires: Option<Expiry>,
}

pub(crate) async fn run(args: OatArgs, global: &Global) -> Result<(), Failure> {
    if let OatVerb::Delete(delete) = &args.verb {
        require_confirmation_possible(delete.yes)?;
    }
    let hub = hub(global)?;
    let bearer = management_bearer(&hub, args.login, global).await?;
    let json = global.json;
    let tokens = |org: &str| hub.org_access_tokens(&bearer.bearer, org);
    match args.verb {
        OatVerb::List(OrgListArgs { org, filters }) => {
            let now = SystemTime::now();
            let all: Vec<OrgAccessToken> = tokens(&org).list().try_collect().await?;
            let kept: Vec<&OrgAccessToken> = all
                .iter()
                .filter(|token| keep(&row(token), filters.expiring, filters.inactive, now))
                .collect();
            match json {
                true => print_json(&Value::Array(kept.into_iter().map(document).collect())),
                false => print_table(&kept.into_iter().map(row).collect::<Vec<_>>()),
            }
        }
        OatVerb::Show(IdArgs { org, id }) => {
            let token = tokens(&org).get(&id).await?;
            match json {
                true => print_json(&document(&token)),
                false => print_details(&details(&token)),
            }
        }
        OatVerb::Create(create) => {
            let mut new = NewOrgAccessToken::new(create.label);
            if let Some(description) = create.description {
                new = new.description(description);
            }
            for resource in create.resources {
                new = new.resource(resource);
            }
            if let Some(expires) = create.expires {
                new = new.expires_at(expires.at(SystemTime::now()));
            }
            let created = tokens(&create.org).create(new).await?;
            let token = created.token();
            if !json {
                tell(&format!(
                    "created organization access token {:?} ({}) for {}, resources {}, expires {}",
                    one_line(token.label()),
                    token.id(),
                    create.org,
                    resources(token),
                    token.expires_at().map_or("never".to_owned(), rfc3339),
                ));
            }
            print_secret(created.secret(), document(token), json)
        }
        OatVerb::Deactivate(IdArgs { org, id }) => {
            set_active(&tokens(&org), &id, false, json).await
        }
        OatVerb::Activate(IdArgs { org, id }) => set_active(&tokens(&org), &id, true, json).await,
        OatVerb::Delete(DeleteArgs {
            token: IdArgs { org, id },
            yes,
        }) => {
            let tokens = tokens(&org);
            let token = tokens.get(&id).await?;
            confirm(
                yes,
                &format!(
                    "Delete organization access token {:?} ({id}) of {org} for good?",
                    one_line(token.label())
                ),
            )?;
            tokens.delete(&id).await?;
            match json {
                true => print_json(&json!({ "id": id, "deleted": true })),
                false => {
                    tell(&format!("deleted organization access token {id} of {org}"));
                    Ok(())
                }
            }
        }
        OatVerb::Rotate(IdArgs { org, id }) => {
            let rotation = tokens(&org).rotate(&id).await?;
            if !json {
                tell(&format!(
                    "created {:?} ({}) with the resources of {:?} ({id}) and checked that it \
                     works; the old token is {}",
                    one_line(rotation.token().label()),
                    rotation.token().id(),
                    one_line(rotation.previous().label()),
                    if rotation.previous().is_active() {
                        "still active"
                    } else {
                        "deactivated"
                    },
                ));
            }
            let mut output = document(rotation.token());
            output["previous"] = document(rotation.previous());
            print_secret(rotation.secret(), output, json)?;
            match rotation.deactivation_error() {
                Some(error) => Err(old_still_active(&format!("oat {org}"), &id, error)),
                None => Ok(()),
            }
        }
    }
}

async fn set_active(
    tokens: &OrgAccessTokens,
    id: &str,
    active: bool,
    json: bool,
) -> Result<(), Failure> {
    let token = tokens.update(id, TokenUpdate::new().active(active)).await?;
    match json {
        true => print_json(&document(&token)),
        false => {
            tell(&format!(
                "{} organization access token {:?} ({id}) of {}",
                if active { "activated" } else { "deactivated" },
                one_line(token.label()),
                tokens.org(),
            ));
            Ok(())
        }
    }
}

/// The resources as `--resource` takes them: `TYPE_REPO:acme/*:scope-image-pull`.
fn resources(token: &OrgAccessToken) -> String {
    let resources: Vec<String> = token
        .resources()
        .iter()
        .map(|resource| {
            let scopes: Vec<&str> = resource.scopes().iter().map(|s| s.as_str()).collect();
            format!(
                "{}:{}:{}",
                resource.kind(),
                one_line(resource.path()),
                scopes.join(",")
            )
        })
        .collect();
    if resources.is_empty() {
        "-".to_owned()
    } else {
        resources.join(" ")
    }
}

fn row(token: &OrgAccessToken) -> Row {
    Row {
        label: token.label().to_owned(),
        id: token.id().to_owned(),
        scopes: resources(token),
        is_active: token.is_active(),
        created_at: token.created_at(),
        last_used_at: token.last_used_at(),
        expires_at: token.expires_at(),
    }
}

/// The token as one JSON object (never with a secret: the caller adds it when it must).
fn document(token: &OrgAccessToken) -> Value {
    let resources: Vec<Value> = token
        .resources()
        .iter()
        .map(|resource| {
            json!({
                "type": resource.kind().as_str(),
                "path": resource.path(),
                "scopes": resource.scopes().iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut document = json!({
        "id": token.id(),
        "label": token.label(),
        "description": token.description(),
        "created_by": token.created_by(),
        "is_active": token.is_active(),
        "resources": resources,
    });
    if let (Value::Object(fields), Value::Object(times)) = (&mut document, json_times(&row(token)))
    {
        fields.extend(times);
    }
    document
}

fn details(token: &OrgAccessToken) -> Vec<(&'static str, String)> {
    let text = |value: Option<&str>| value.map_or("-".to_owned(), one_line);
    let time = |at: Option<SystemTime>, none: &str| at.map_or(none.to_owned(), rfc3339);
    vec![
        ("label", one_line(token.label())),
        ("id", token.id().to_owned()),
        ("description", text(token.description())),
        ("resources", resources(token)),
        (
            "active",
            if token.is_active() { "yes" } else { "no" }.to_owned(),
        ),
        ("created", time(token.created_at(), "-")),
        ("created by", text(token.created_by())),
        ("last used", time(token.last_used_at(), "never")),
        ("expires", time(token.expires_at(), "never")),
    ]
}
