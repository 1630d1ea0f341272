//! `dockerhub-auth rate-limit`: how many pulls are left, with Docker's probe (a `HEAD` of
//! ratelimitpreview/test, which is not counted as a pull).

use std::time::Duration;

use clap::Args;
use dockerhub_auth::PullLimit;

use crate::{
    context::Context,
    failure::Failure,
    help,
    options::{RegistryOptions, WithCredentials, hidden},
    output::{print_lines, write_json},
};

/// Show how many pulls are left (HEAD of ratelimitpreview/test with a pull token; not
/// counted as a pull)
#[derive(Debug, Args)]
#[command(
    mut_arg("base_url", hidden),
    mut_arg("json", |arg| arg.help(
        "Print {\"limit\", \"remaining\", \"window_seconds\", \"source\"} as JSON instead of one \
         line, null for what the registry did not report"
    )),
    after_help = help::page(
        &["Prints one line such as \"76 of 100 pulls left in a 6 h window (source 203.0.113.7)\"; \
           with --json, {\"limit\", \"remaining\", \"window_seconds\", \"source\"}, null for \
           what the registry did not report."],
        help::REGISTRY_VARIABLES,
        &[help::REGISTRY_CREDENTIALS, help::OIDC, help::NO_SECRET_ARGUMENT, help::CACHE],
    ),
)]
pub(crate) struct RateLimitArgs {
    #[command(flatten)]
    pub(crate) options: WithCredentials<RegistryOptions>,
}

pub(crate) async fn exec(ctx: &Context, _args: RateLimitArgs) -> Result<(), Failure> {
    let limit = ctx.pull_limit().await?;
    if ctx.json() {
        let document = serde_json::json!({
            "limit": limit.limit(),
            "remaining": limit.remaining(),
            "window_seconds": limit.window().map(|window| window.as_secs()),
            "source": limit.source(),
        });
        return write_json(&document.to_string());
    }
    // The source is the registry's text.
    print_lines(&[describe(&limit)])
}

/// One line for people: `76 of 100 pulls left in a 6 h window (source 203.0.113.7)`.
fn describe(limit: &PullLimit) -> String {
    let mut line = match (limit.remaining(), limit.limit()) {
        (Some(remaining), Some(of)) => format!("{remaining} of {of} pulls left"),
        (Some(remaining), None) => format!("{remaining} pulls left"),
        (None, Some(of)) => format!("a limit of {of} pulls (remaining not reported)"),
        (None, None) => {
            // The contract's words: "not limited / not reported", never zero.
            "no pull limit reported: not limited / not reported by this registry".to_owned()
        }
    };
    if let Some(window) = limit.window().filter(|_| limit.is_reported()) {
        line.push_str(&format!(" in a {} window", span(window)));
    }
    if let Some(source) = limit.source() {
        line.push_str(&format!(" (source {source})"));
    }
    line
}

/// Writes a window as people say it: `6 h`, `30 min`, `90 s`.
fn span(window: Duration) -> String {
    let seconds = window.as_secs();
    match seconds {
        0 => "0 s".to_owned(),
        s if s % 3600 == 0 => format!("{} h", s / 3600),
        s if s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_read_as_people_say_them() {
        assert_eq!(span(Duration::from_secs(21_600)), "6 h");
        assert_eq!(span(Duration::from_secs(3_600)), "1 h");
        assert_eq!(span(Duration::from_secs(1_800)), "30 min");
        assert_eq!(span(Duration::from_secs(90)), "90 s");
    }
}
