//! `dockerhub-auth inspect`: the claims of a token, decoded without verifying its signature.

use clap::Args;
use dockerhub_auth::Token;

use crate::{failure::Failure, input, output::write_stdout};

/// Print the claims of a token as JSON, decoded without verifying its signature
#[derive(Debug, Args)]
pub(crate) struct InspectArgs {
    /// The token; prefer stdin, since arguments are visible to other users
    #[arg(value_name = "TOKEN")]
    token: Option<String>,
}

pub(crate) fn run(args: InspectArgs) -> Result<(), Failure> {
    let token = Token::from_secret(input::token(args.token)?.as_str());
    // Not a JWT is invalid input (exit 2), as the contract says: the token is the input.
    let claims = token
        .claims()
        .ok_or_else(|| Failure::usage("the token is not a JWT: it has no claims to show"))?;
    let json = serde_json::to_string_pretty(claims).map_err(Failure::output)?;
    write_stdout(&json)
}
