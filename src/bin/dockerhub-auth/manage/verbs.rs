//! The arguments of `pat` and `oat`: one set of verbs for either [`Owner`], and the
//! [`Action`] each asks for.

use std::time::{Duration, SystemTime};

use clap::{Args, Subcommand};

use super::owner::Owner;
use crate::{
    help,
    options::{PasswordOptions, WithCredentials},
};

/// The arguments of `pat` (`O` the account) and `oat` (`O` an organization): a verb, and the
/// password login.
#[derive(Debug, Args)]
#[command(
    about = O::ABOUT,
    mut_arg("json", |arg| arg.help(O::JSON_HELP)),
    after_help = help::page(
        &[help::MANAGEMENT],
        help::HUB_VARIABLES,
        &[&help::credentials("--password-stdin"), help::NO_SECRET_ARGUMENT_BUT_CODE, help::CACHE],
    ),
)]
pub(crate) struct ManageArgs<O: Owner> {
    #[command(subcommand)]
    verb: Verb<O>,

    #[command(flatten)]
    pub(crate) options: WithCredentials<PasswordOptions>,
}

impl<O: Owner> ManageArgs<O> {
    /// Returns whose tokens the verb names, and what it asks for.
    pub(crate) fn into_action(self) -> (O, Action<ToCreate<O>>) {
        match self.verb {
            Verb::List(ListArgs {
                owner,
                expiring,
                inactive,
            }) => (owner, Action::List { expiring, inactive }),
            Verb::Show(IdArgs { owner, id }) => (owner, Action::Show(id)),
            Verb::Create(CreateArgs {
                owner,
                new,
                expires,
            }) => (owner, Action::Create((new, expires))),
            Verb::Deactivate(IdArgs { owner, id }) => (owner, Action::SetActive(id, false)),
            Verb::Activate(IdArgs { owner, id }) => (owner, Action::SetActive(id, true)),
            Verb::Delete(DeleteArgs {
                token: IdArgs { owner, id },
                yes,
            }) => (owner, Action::Delete { id, yes }),
            Verb::Rotate(IdArgs { owner, id }) => (owner, Action::Rotate(id)),
        }
    }
}

/// What `create` was given: its own options, and `--expires`.
pub(crate) type ToCreate<O> = (<O as Owner>::Create, Option<Expiry>);

/// What a verb asks for, whoever owns the tokens; `C` is what `create` creates.
pub(crate) enum Action<C> {
    List {
        expiring: Option<Duration>,
        inactive: bool,
    },
    Show(String),
    Create(C),
    SetActive(String, bool),
    Delete {
        id: String,
        yes: bool,
    },
    Rotate(String),
}

impl<C> Action<C> {
    /// Returns the action with what `create` creates turned into `D` by `into`, or the
    /// failure `into` returned; the other actions as they are.
    pub(crate) fn try_map_create<D, E>(
        self,
        into: impl FnOnce(C) -> Result<D, E>,
    ) -> Result<Action<D>, E> {
        Ok(match self {
            Action::List { expiring, inactive } => Action::List { expiring, inactive },
            Action::Show(id) => Action::Show(id),
            Action::Create(new) => Action::Create(into(new)?),
            Action::SetActive(id, active) => Action::SetActive(id, active),
            Action::Delete { id, yes } => Action::Delete { id, yes },
            Action::Rotate(id) => Action::Rotate(id),
        })
    }
}

#[derive(Debug, Subcommand)]
enum Verb<O: Owner> {
    #[command(about = O::LIST_ABOUT)]
    List(ListArgs<O>),
    #[command(about = O::SHOW_ABOUT)]
    Show(IdArgs<O>),
    /// Create a token; its secret alone goes to stdout, what it is to stderr
    Create(CreateArgs<O>),
    /// Deactivate a token: Docker Hub refuses it until it is activated again
    Deactivate(IdArgs<O>),
    /// Activate a deactivated token
    Activate(IdArgs<O>),
    /// Delete a token for good (asks first; pass --yes when there is no terminal)
    Delete(DeleteArgs<O>),
    #[command(about = O::ROTATE_ABOUT)]
    Rotate(IdArgs<O>),
}

#[derive(Debug, Args)]
struct ListArgs<O: Owner> {
    #[command(flatten)]
    owner: O,

    /// Only tokens that expire within DURATION (30d, 12h), or have expired
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    expiring: Option<Duration>,

    /// Only deactivated tokens
    #[arg(long)]
    inactive: bool,
}

#[derive(Debug, Args)]
struct IdArgs<O: Owner> {
    #[command(flatten)]
    owner: O,

    /// The token's id, as `list` shows it
    #[arg(value_name = "ID")]
    id: String,
}

#[derive(Debug, Args)]
struct DeleteArgs<O: Owner> {
    #[command(flatten)]
    token: IdArgs<O>,

    /// Delete without asking
    #[arg(long)]
    yes: bool,
}

#[derive(Debug, Args)]
struct CreateArgs<O: Owner> {
    #[command(flatten)]
    owner: O,

    #[command(flatten)]
    new: O::Create,

    /// When the token expires: a duration from now (30d, 90d) or a date (2027-01-01, or
    /// RFC 3339) [default: never]
    #[arg(long, value_name = "DURATION|DATE", value_parser = parse_expiry)]
    expires: Option<Expiry>,
}

/// `--expires`: a duration from now (`90d`) or a date (`2027-01-01`, or RFC 3339).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Expiry {
    In(Duration),
    At(SystemTime),
}

impl Expiry {
    /// Returns the point in time, counted from `now` for a duration.
    pub(crate) fn at(self, now: SystemTime) -> SystemTime {
        match self {
            Expiry::In(duration) => now + duration,
            Expiry::At(at) => at,
        }
    }
}

/// Parses `--expires`.
fn parse_expiry(value: &str) -> Result<Expiry, String> {
    let value = value.trim();
    if let Ok(duration) = humantime::parse_duration(value) {
        return Ok(Expiry::In(duration));
    }
    let date_and_time = if value.len() == "2027-01-01".len() {
        format!("{value}T00:00:00Z")
    } else {
        value.to_owned()
    };
    // humantime takes `Z` (and a space for the `T`); `time` takes RFC 3339's offsets too.
    humantime::parse_rfc3339_weak(&date_and_time)
        .ok()
        .or_else(|| {
            time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339)
                .ok()
                .map(SystemTime::from)
        })
        .map(Expiry::At)
        .ok_or_else(|| {
            format!(
                "{value:?} is neither a duration (30d, 12h) nor a date (2027-01-01, \
                 2027-01-01T12:00:00Z, 2027-01-01T14:00:00+02:00)"
            )
        })
}

/// Parses a duration such as `30d` (for `--expiring`).
fn parse_duration(value: &str) -> Result<Duration, String> {
    humantime::parse_duration(value.trim())
        .map_err(|_| format!("{value:?} is not a duration (30d, 12h, 1w)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::rfc3339;

    #[test]
    fn expiry_is_a_duration_or_a_date() {
        assert!(matches!(parse_expiry("30d"), Ok(Expiry::In(d)) if d.as_secs() == 30 * 86_400));
        let date = parse_expiry("2027-01-15")
            .unwrap()
            .at(SystemTime::UNIX_EPOCH);
        assert_eq!(rfc3339(date), "2027-01-15T00:00:00Z");
        let offset = parse_expiry("2027-01-15T10:00:00+02:00")
            .unwrap()
            .at(SystemTime::UNIX_EPOCH);
        assert_eq!(rfc3339(offset), "2027-01-15T08:00:00Z");
        let exact = parse_expiry("2027-01-15T08:00:00Z")
            .unwrap()
            .at(SystemTime::UNIX_EPOCH);
        assert_eq!(rfc3339(exact), "2027-01-15T08:00:00Z");
        assert!(parse_expiry("soon").is_err());
    }
}
