//! The commands, one file each: its arguments (a clap `Args` struct, with the option groups
//! it reads flattened in) and its `exec(ctx, args)`. A command imports only what lies below
//! the commands (the context, the option groups, input, output, failure, and `manage` for
//! `pat` and `oat`), never another command.

mod configure_docker;
mod inspect;
mod login;
mod logout;
mod oat;
mod pat;
mod rate_limit;
mod registry_token;
mod token;

use clap::Subcommand;

use crate::{context::Context, failure::Failure, options::CommandOptions};

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    Token(token::TokenArgs),
    Login(login::LoginArgs),
    Inspect(inspect::InspectArgs),
    Pat(pat::PatArgs),
    Oat(oat::OatArgs),
    RegistryToken(registry_token::RegistryTokenArgs),
    RateLimit(rate_limit::RateLimitArgs),
    Logout(logout::LogoutArgs),
    ConfigureDocker(configure_docker::ConfigureDockerArgs),
}

impl Command {
    /// The command's options, as the context reads them.
    pub(crate) fn options(&self) -> &dyn CommandOptions {
        match self {
            Command::Token(args) => &args.options,
            Command::Login(args) => &args.options,
            Command::Inspect(args) => &args.options,
            Command::Pat(args) => &args.options,
            Command::Oat(args) => &args.options,
            Command::RegistryToken(args) => &args.options,
            Command::RateLimit(args) => &args.options,
            Command::Logout(args) => &args.options,
            Command::ConfigureDocker(args) => &args.options,
        }
    }

    /// Runs the command.
    pub(crate) async fn exec(self, ctx: &Context) -> Result<(), Failure> {
        match self {
            Command::Token(args) => token::exec(ctx, args).await,
            Command::Login(args) => login::exec(ctx, args).await,
            Command::Inspect(args) => inspect::exec(ctx, args).await,
            Command::Pat(args) => pat::exec(ctx, args).await,
            Command::Oat(args) => oat::exec(ctx, args).await,
            Command::RegistryToken(args) => registry_token::exec(ctx, args).await,
            Command::RateLimit(args) => rate_limit::exec(ctx, args).await,
            Command::Logout(args) => logout::exec(ctx, args).await,
            Command::ConfigureDocker(args) => configure_docker::exec(ctx, args).await,
        }
    }
}
