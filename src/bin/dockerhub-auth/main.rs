//! `dockerhub-auth`: Docker Hub bearer tokens for shell scripts and CI jobs.
//!
//! Replaces `curl … /v2/users/login | jq -r .token`. Built only with the `cli` feature, and
//! only on top of the library's public API.

mod args;
mod cache;
mod commands;
mod credentials;
mod failure;
mod hub;
mod input;
mod output;
mod registry;

use std::{io, process::ExitCode};

use clap::Parser;
use tracing_subscriber::{
    filter::{LevelFilter, Targets},
    fmt::{
        FmtContext, FormatEvent, FormatFields,
        format::{self},
    },
    prelude::*,
    registry::LookupSpan,
};

use crate::{
    args::{Cli, Command},
    failure::Failure,
};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.global.verbose);
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("dockerhub-auth: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let global = &cli.global;
    match cli.command {
        Command::Token(args) => commands::token::run(args, global).await,
        Command::Login(args) => commands::login::run(args, global).await,
        Command::Inspect(args) => commands::inspect::run(args),
        Command::Pat(args) => commands::pat::run(args, global).await,
        Command::Oat(args) => commands::oat::run(args, global).await,
        Command::RegistryToken(args) => commands::registry_token::run(args, global).await,
        Command::RateLimit(args) => commands::rate_limit::run(args, global).await,
        Command::Logout(args) => commands::logout::run(args),
    }
}

/// Without `-v`: the library's warnings only (a token served from the cache after a failed
/// refresh, a cache directory that is not safe to use). `-v`: this crate's events on stderr;
/// `-vv`: the HTTP stack's too. The library never records a secret, a token or a body in them.
fn init_tracing(verbose: u8) {
    let filter = match verbose {
        0 => Targets::new().with_target("dockerhub_auth", LevelFilter::WARN),
        1 => Targets::new()
            .with_target("dockerhub_auth", LevelFilter::DEBUG)
            .with_default(LevelFilter::WARN),
        _ => Targets::new().with_default(LevelFilter::TRACE),
    };
    let layer = tracing_subscriber::fmt::layer().with_writer(io::stderr);
    // Warnings alone read like the CLI's own messages: `dockerhub-auth: warning: …`.
    let layer = match verbose {
        0 => layer.event_format(Warning).boxed(),
        _ => layer.boxed(),
    };
    tracing_subscriber::registry()
        .with(layer.with_filter(filter))
        .init();
}

/// Formats an event as one line `dockerhub-auth: warning: <message>`, its other fields after
/// it, for the warnings shown without `-v`.
struct Warning;

impl<S, N> FormatEvent<S, N> for Warning
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        context: &FmtContext<'_, S, N>,
        mut writer: format::Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        write!(writer, "dockerhub-auth: warning: ")?;
        context
            .field_format()
            .format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}
