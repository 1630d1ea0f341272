//! `dockerhub-auth inspect`: the claims of a token, decoded without verifying its signature.
//! It sends nothing, so it reads no global option but `-v`. The token comes from stdin only:
//! one given as an argument is refused, since every user of the machine can read arguments.

use clap::Args;
use dockerhub_auth::Token;
use zeroize::Zeroizing;

use crate::{
    context::Context,
    failure::Failure,
    help, input,
    options::{GlobalOptions, sends_nothing},
    output::write_json,
};

/// Print the claims of a token read from stdin as JSON, decoded without verifying its
/// signature
#[derive(Debug, Args)]
#[command(
    mut_args(sends_nothing),
    after_help = help::page(&[help::INSPECT_STDIN], &[], &[]),
)]
pub(crate) struct InspectArgs {
    /// Refused: a token given as an argument is visible to every user of the machine
    #[arg(value_name = "TOKEN", hide = true)]
    token: Option<String>,

    #[command(flatten)]
    pub(crate) options: GlobalOptions,
}

pub(crate) async fn exec(_ctx: &Context, args: InspectArgs) -> Result<(), Failure> {
    if let Some(token) = args.token {
        // Too late to hide it from `ps`, but this copy at least is wiped.
        drop(Zeroizing::new(token));
        return Err(Failure::usage(help::INSPECT_ARGUMENT_REFUSED));
    }
    let token = Token::from_secret(input::token_from_stdin()?.as_str());
    // Not a JWT is invalid input (exit 2), as the contract says: the token is the input.
    let claims = token
        .claims()
        .ok_or_else(|| Failure::usage("the token is not a JWT: it has no claims to show"))?;
    let json = serde_json::to_string_pretty(claims).map_err(Failure::output)?;
    write_json(&json)
}
