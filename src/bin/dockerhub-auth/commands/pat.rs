//! `dockerhub-auth pat`: the account's personal access tokens (/v2/access-tokens): list,
//! show, create, deactivate, activate, delete and rotate.

use std::time::{Duration, SystemTime};

use clap::{Args, Subcommand};
use dockerhub_auth::{NewPersonalAccessToken, PatScope, PersonalAccessToken, TokenUpdate};
use futures_util::TryStreamExt as _;
use serde_json::{Value, json};

use crate::{
    args::Global,
    commands::{
        login::PasswordArgs,
        manage::{
            Expiry, Row, confirm, json_times, keep, management_bearer, old_still_active, one_line,
            parse_duration, parse_expiry, print_details, print_json, print_secret, print_table,
            require_confirmation_possible, tell,
        },
    },
    failure::Failure,
    hub::hub,
    output::rfc3339,
};

/// Manage the account's personal access tokens (logs in with the password: Docker Hub
/// refuses tokens issued from access tokens here)
#[derive(Debug, Args)]
pub(crate) struct PatArgs {
    #[command(subcommand)]
    verb: PatVerb,

    #[command(flatten)]
    login: PasswordArgs,
}

#[derive(Debug, Subcommand)]
enum PatVerb {
    /// List the tokens: a table, or one JSON array with --json
    List(ListArgs),
    /// Show one token: its details, or one JSON object with --json
    Show(IdArgs),
    /// Create a token; its secret alone goes to stdout, what it is to stderr
    Create(CreateArgs),
    /// Deactivate a token: Docker Hub refuses it until it is activated again
    Deactivate(IdArgs),
    /// Activate a deactivated token
    Activate(IdArgs),
    /// Delete a token for good (asks first; pass --yes when there is no terminal)
    Delete(DeleteArgs),
    /// Replace a token: create one with the same scopes and lifetime, check that it works,
    /// then deactivate the old one; the new secret alone goes to stdout
    Rotate(IdArgs),
}

/// `list`'s filters, shared with `oat list`.
#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Only tokens that expire within DURATION (30d, 12h), or have expired
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) expiring: Option<Duration>,

    /// Only deactivated tokens
    #[arg(long)]
    pub(crate) inactive: bool,
}

#[derive(Debug, Args)]
struct IdArgs {
    /// The token's id, as `list` shows it
    #[arg(value_name = "ID")]
    id: String,
}

#[derive(Debug, Args)]
struct DeleteArgs {
    /// The token's id, as `list` shows it
    #[arg(value_name = "ID")]
    id: String,

    /// Delete without asking
    #[arg(long)]
    yes: bool,
}

#[derive(Debug, Args)]
struct CreateArgs {
    /// A label to recognise the token by (1 to 100 characters)
    #[arg(long, value_name = "LABEL")]
    label: String,

    /// What the token may do: repo:admin, repo:write, repo:read or repo:public_read
    /// (repeat, or separate with commas)
    #[arg(
        long = "scope",
        value_name = "SCOPE",
        required = true,
        value_delimiter = ','
    )]
    scopes: Vec<String>,

    /// When the token expires: a duration from now (30d, 90d) or a date (2027-01-01, or
    /// RFC 3339) [default: never]
    #[arg(long, value_name = "DURATION|DATE", value_parser = parse_expiry)]
    expires: Option<Expiry>,
}

pub(crate) async fn run(args: PatArgs, global: &Global) -> Result<(), Failure> {
    if let PatVerb::Delete(delete) = &args.verb {
        require_confirmation_possible(delete.yes)?;
    }
    let hub = hub(global)?;
    let bearer = management_bearer(&hub, args.login, global).await?;
    let tokens = hub
        .personal_access_tokens(&bearer.bearer)
        .username(bearer.username);
    let json = global.json;
    match args.verb {
        PatVerb::List(filters) => {
            let now = SystemTime::now();
            let all: Vec<PersonalAccessToken> = tokens.list().try_collect().await?;
            let kept: Vec<&PersonalAccessToken> = all
                .iter()
                .filter(|token| keep(&row(token), filters.expiring, filters.inactive, now))
                .collect();
            match json {
                true => print_json(&Value::Array(kept.into_iter().map(document).collect())),
                false => print_table(&kept.into_iter().map(row).collect::<Vec<_>>()),
            }
        }
        PatVerb::Show(IdArgs { id }) => {
            let token = tokens.get(&id).await?;
            match json {
                true => print_json(&document(&token)),
                false => print_details(&details(&token)),
            }
        }
        PatVerb::Create(create) => {
            let mut new = NewPersonalAccessToken::new(create.label).scopes(
                create
                    .scopes
                    .iter()
                    .map(|scope| PatScope::new(scope.trim())),
            );
            if let Some(expires) = create.expires {
                new = new.expires_at(expires.at(SystemTime::now()));
            }
            let created = tokens.create(new).await?;
            let token = created.token();
            if !json {
                tell(&format!(
                    "created personal access token {:?} ({}), scopes {}, expires {}",
                    one_line(token.label()),
                    token.id(),
                    scopes(token),
                    token.expires_at().map_or("never".to_owned(), rfc3339),
                ));
            }
            print_secret(created.secret(), document(token), json)
        }
        PatVerb::Deactivate(IdArgs { id }) => set_active(&tokens, &id, false, json).await,
        PatVerb::Activate(IdArgs { id }) => set_active(&tokens, &id, true, json).await,
        PatVerb::Delete(DeleteArgs { id, yes }) => {
            let token = tokens.get(&id).await?;
            confirm(
                yes,
                &format!(
                    "Delete personal access token {:?} ({id}) for good?",
                    one_line(token.label())
                ),
            )?;
            tokens.delete(&id).await?;
            match json {
                true => print_json(&json!({ "id": id, "deleted": true })),
                false => {
                    tell(&format!("deleted personal access token {id}"));
                    Ok(())
                }
            }
        }
        PatVerb::Rotate(IdArgs { id }) => {
            let rotation = tokens.rotate(&id).await?;
            if !json {
                tell(&format!(
                    "created {:?} ({}) with the scopes of {:?} ({id}) and checked that it works; \
                     the old token is {}",
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
                Some(error) => Err(old_still_active("pat", &id, error)),
                None => Ok(()),
            }
        }
    }
}

async fn set_active(
    tokens: &dockerhub_auth::PersonalAccessTokens,
    id: &str,
    active: bool,
    json: bool,
) -> Result<(), Failure> {
    let token = tokens.update(id, TokenUpdate::new().active(active)).await?;
    match json {
        true => print_json(&document(&token)),
        false => {
            tell(&format!(
                "{} personal access token {:?} ({id})",
                if active { "activated" } else { "deactivated" },
                one_line(token.label()),
            ));
            Ok(())
        }
    }
}

fn scopes(token: &PersonalAccessToken) -> String {
    let scopes: Vec<&str> = token.scopes().iter().map(PatScope::as_str).collect();
    if scopes.is_empty() {
        "-".to_owned()
    } else {
        scopes.join(",")
    }
}

fn row(token: &PersonalAccessToken) -> Row {
    Row {
        label: token.label().to_owned(),
        id: token.id().to_owned(),
        scopes: scopes(token),
        is_active: token.is_active(),
        created_at: token.created_at(),
        last_used_at: token.last_used_at(),
        expires_at: token.expires_at(),
    }
}

/// The token as one JSON object (never with a secret: the caller adds it when it must).
fn document(token: &PersonalAccessToken) -> Value {
    let mut document = json!({
        "id": token.id(),
        "label": token.label(),
        "scopes": token.scopes().iter().map(PatScope::as_str).collect::<Vec<_>>(),
        "is_active": token.is_active(),
        "client_id": token.client_id(),
        "generated_by": token.generated_by(),
        "creator_ip": token.creator_ip(),
        "creator_user_agent": token.creator_user_agent(),
    });
    if let (Value::Object(fields), Value::Object(times)) = (&mut document, json_times(&row(token)))
    {
        fields.extend(times);
    }
    document
}

fn details(token: &PersonalAccessToken) -> Vec<(&'static str, String)> {
    let text = |value: Option<&str>| value.map_or("-".to_owned(), one_line);
    let time = |at: Option<SystemTime>, none: &str| at.map_or(none.to_owned(), rfc3339);
    vec![
        ("label", one_line(token.label())),
        ("id", token.id().to_owned()),
        ("scopes", scopes(token)),
        (
            "active",
            if token.is_active() { "yes" } else { "no" }.to_owned(),
        ),
        ("created", time(token.created_at(), "-")),
        ("last used", time(token.last_used_at(), "never")),
        ("expires", time(token.expires_at(), "never")),
        ("client", text(token.client_id())),
        ("generated by", text(token.generated_by())),
        ("created from", text(token.creator_ip())),
        ("user agent", text(token.creator_user_agent())),
    ]
}
