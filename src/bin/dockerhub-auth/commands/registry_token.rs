//! `dockerhub-auth registry-token`: a registry token for a set of scopes, from the token
//! service the registry names.

use clap::Args;
use dockerhub_auth::{RegistryScope, RegistryToken};
use zeroize::Zeroizing;

use crate::{
    context::Context,
    failure::Failure,
    help,
    options::{RegistryOptions, WithCredentials, hidden},
    output::{checked_token, rfc3339, write_json, write_stdout},
};

/// Get a registry token for pulling or pushing, from the token service the registry names
/// (GET /v2/, then its realm)
#[derive(Debug, Args)]
#[command(
    mut_arg("base_url", hidden),
    mut_arg("json", |arg| arg.help(
        "Print {\"token\", \"expires_at\", \"scopes\"} as JSON instead of the token alone"
    )),
    after_help = help::page(
        &["Prints the token alone; with --json, {\"token\", \"expires_at\", \"scopes\"}."],
        help::REGISTRY_VARIABLES,
        &[help::REGISTRY_CREDENTIALS, help::OIDC, help::NO_SECRET_ARGUMENT, help::CACHE],
    ),
)]
pub(crate) struct RegistryTokenArgs {
    /// A scope: repository:NAME:ACTIONS (actions pull, push, delete or *, comma separated),
    /// registry:catalog:*, or a bare repository name for repository:NAME:pull; repeatable. On
    /// Docker Hub a one-part name is an official image (alpine is library/alpine)
    #[arg(long = "scope", value_name = "SCOPE", value_parser = parse_scope)]
    scopes: Vec<RegistryScope>,

    #[command(flatten)]
    pub(crate) options: WithCredentials<RegistryOptions>,
}

pub(crate) async fn exec(ctx: &Context, args: RegistryTokenArgs) -> Result<(), Failure> {
    let token = ctx.registry_token(&args.scopes).await?;
    print(&token, ctx.json())
}

/// Prints the token alone on one line, or `{"token", "expires_at", "scopes"}` with `--json`.
fn print(token: &RegistryToken, json: bool) -> Result<(), Failure> {
    let secret = checked_token(token.expose_secret())?;
    if !json {
        return write_stdout(secret);
    }
    let scopes: Vec<&str> = token.scopes().iter().map(RegistryScope::as_str).collect();
    let document = serde_json::json!({
        "token": secret,
        "expires_at": rfc3339(token.expires_at()),
        "scopes": scopes,
    });
    write_json(&Zeroizing::new(document.to_string()))
}

fn parse_scope(text: &str) -> Result<RegistryScope, String> {
    RegistryScope::parse(text).map_err(|error| error.to_string())
}
