//! `dockerhub-auth`: Docker Hub bearer tokens for shell scripts and CI jobs.
//!
//! Replaces `curl … /v2/users/login | jq -r .token`. Built only with the `cli` feature, and
//! only on top of the library's public API.
//!
//! `main` parses the command line, builds the [`Context`] once and runs the command with it.
//! The files import downward only: `commands` (one file per command) over `manage` (what `pat`
//! and `oat` share) over `context` (the clients, the cache decision, the credentials) over
//! `options`, `credentials` and `cache`, over `input`, `output`, `help` and `failure`.
//! `configure-docker`, the one command that writes Docker's files, has `config_file` (its
//! finding, reading and atomic replacing) over `ordered_json` below it.

mod cache;
mod commands;
mod config_file;
mod context;
mod credentials;
mod failure;
mod help;
mod input;
mod manage;
mod options;
mod ordered_json;
mod output;

use std::process::ExitCode;

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

use crate::{commands::Command, context::Context, options::GlobalOptions};

/// Gets Docker Hub bearer tokens for shell scripts and CI jobs.
///
/// The token goes alone to stdout, so TOKEN=$(dockerhub-auth token) works; messages go to
/// stderr.
#[derive(Debug, Parser)]
#[command(name = "dockerhub-auth", version, after_help = help::overview())]
struct Cli {
    #[command(subcommand)]
    command: Command,

    #[command(flatten)]
    options: GlobalOptions,

    /// Log what happens on stderr (-vv for the HTTP stack too); never a secret or token
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.verbose);
    let ctx = Context::new(&cli.options, cli.command.options());
    match cli.command.exec(&ctx).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            output::say(&failure.message);
            ExitCode::from(failure.code)
        }
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
    // Each event on one line of stderr, escaped: a field from a server, a config file or a
    // helper can neither forge a line nor act on the terminal.
    let layer = tracing_subscriber::fmt::layer().with_writer(output::log_writer());
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

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    /// Every command takes every global option after its name (hidden where it does not read
    /// it), so that no command refuses what the product's contract calls global.
    #[test]
    fn every_command_takes_the_global_options_after_its_name() {
        let mut cli = Cli::command();
        cli.build();
        let mut commands: Vec<&clap::Command> = cli.get_subcommands().collect();
        while let Some(command) = commands.pop() {
            if command.get_name() == "help" {
                continue;
            }
            for id in ["base_url", "timeout", "json", "no_cache", "verbose"] {
                assert!(
                    command.get_arguments().any(|arg| arg.get_id() == id),
                    "{} does not take {id}",
                    command.get_name()
                );
            }
            commands.extend(command.get_subcommands());
        }
    }
}
