//! `dockerhub-auth inspect`: the claims of a token, decoded without verifying its signature.
//! It sends nothing, so it reads no global option but `-v`.

use clap::Args;
use dockerhub_auth::Token;

use crate::{
    context::Context,
    failure::Failure,
    help, input,
    options::{GlobalOptions, sends_nothing},
    output::write_stdout,
};

/// Print the claims of a token as JSON, decoded without verifying its signature
#[derive(Debug, Args)]
#[command(
    mut_args(sends_nothing),
    after_help = help::page(&["Reads the token from stdin when TOKEN is not given."], &[], &[]),
)]
pub(crate) struct InspectArgs {
    /// The token; prefer stdin, since arguments are visible to other users
    #[arg(value_name = "TOKEN")]
    token: Option<String>,

    #[command(flatten)]
    pub(crate) options: GlobalOptions,
}

pub(crate) async fn exec(_ctx: &Context, args: InspectArgs) -> Result<(), Failure> {
    let token = Token::from_secret(input::token(args.token)?.as_str());
    // Not a JWT is invalid input (exit 2), as the contract says: the token is the input.
    let claims = token
        .claims()
        .ok_or_else(|| Failure::usage("the token is not a JWT: it has no claims to show"))?;
    let json = serde_json::to_string_pretty(claims).map_err(Failure::output)?;
    write_stdout(&json)
}
