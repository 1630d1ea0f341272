//! What `pat` and `oat` share: the password login that gets a management bearer token,
//! the arguments parsed into library types, confirmation, and the output for people (an
//! aligned table) and for scripts (JSON).

use std::{
    io::{self, BufRead, IsTerminal, Write},
    time::{Duration, SystemTime},
};

use dockerhub_auth::{
    ExposeSecret, Hub, OatResource, OatResourceKind, OatScope, SecretString, Session,
};
use serde_json::{Value, json};
use zeroize::Zeroizing;

use crate::{
    args::Global,
    commands::login::{PasswordArgs, PasswordLogin, password_login, second_factor_failure},
    failure::{EXIT_OTHER, Failure, exit_code},
    output::{rfc3339, write_stdout},
};

/// A bearer for the access-token routes (a password session, so that a token Hub refuses is
/// refreshed once), and the username it belongs to.
pub(crate) struct LoggedIn {
    pub(crate) bearer: Session,
    pub(crate) username: String,
}

/// Returns a bearer Docker Hub accepts for managing tokens: a password login (from the
/// sources `login` reads, through the token cache like `login`), with the second factor when
/// Hub asks for one. The login happens here, so that a refusal is reported before anything
/// else is done.
pub(crate) async fn management_bearer(
    hub: &Hub,
    login: PasswordArgs,
    global: &Global,
) -> Result<LoggedIn, Failure> {
    let PasswordLogin { session, username } = password_login(hub, login, global).await?;
    session.token().await.map_err(second_factor_failure)?;
    Ok(LoggedIn {
        bearer: session,
        username,
    })
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
pub(crate) fn parse_expiry(value: &str) -> Result<Expiry, String> {
    let value = value.trim();
    if let Ok(duration) = humantime::parse_duration(value) {
        return Ok(Expiry::In(duration));
    }
    let date_and_time = if value.len() == "2027-01-01".len() {
        format!("{value}T00:00:00Z")
    } else {
        value.to_owned()
    };
    humantime::parse_rfc3339_weak(&date_and_time)
        .map(Expiry::At)
        .map_err(|_| {
            format!(
                "{value:?} is neither a duration (30d, 12h) nor a date (2027-01-01, \
                 2027-01-01T12:00:00Z)"
            )
        })
}

/// Parses a duration such as `30d` (for `--expiring`).
pub(crate) fn parse_duration(value: &str) -> Result<Duration, String> {
    humantime::parse_duration(value.trim())
        .map_err(|_| format!("{value:?} is not a duration (30d, 12h, 1w)"))
}

/// Parses `--resource TYPE:PATH:SCOPE[,SCOPE...]`; TYPE is `repo`, `org` or Docker's own
/// `TYPE_…` name.
pub(crate) fn parse_resource(value: &str) -> Result<OatResource, String> {
    let usage = || {
        format!("{value:?} is not TYPE:PATH:SCOPE[,SCOPE...], e.g. repo:acme/*:scope-image-pull")
    };
    let (kind, rest) = value.split_once(':').ok_or_else(usage)?;
    let (path, scopes) = rest.rsplit_once(':').ok_or_else(usage)?;
    let kind = match kind.to_ascii_lowercase().as_str() {
        "repo" | "repository" | "type_repo" => OatResourceKind::REPOSITORY,
        "org" | "organization" | "type_org" => OatResourceKind::ORGANIZATION,
        other if other.starts_with("type_") => OatResourceKind::new(kind),
        _ => return Err(format!("{kind:?} is not a resource type: use repo or org")),
    };
    let scopes: Vec<OatScope> = scopes
        .split(',')
        .map(str::trim)
        .filter(|scope| !scope.is_empty())
        .map(OatScope::new)
        .collect();
    if path.trim().is_empty() || scopes.is_empty() {
        return Err(usage());
    }
    Ok(OatResource::new(kind, path.trim(), scopes))
}

/// What the table and the JSON of both kinds of token show.
pub(crate) struct Row {
    pub(crate) label: String,
    pub(crate) id: String,
    pub(crate) scopes: String,
    pub(crate) is_active: bool,
    pub(crate) created_at: Option<SystemTime>,
    pub(crate) last_used_at: Option<SystemTime>,
    pub(crate) expires_at: Option<SystemTime>,
}

/// `--expiring` and `--inactive`.
pub(crate) fn keep(row: &Row, expiring: Option<Duration>, inactive: bool, now: SystemTime) -> bool {
    let expiring_soon = match expiring {
        None => true,
        Some(within) => row.expires_at.is_some_and(|at| at <= now + within),
    };
    expiring_soon && (!inactive || !row.is_active)
}

/// Prints rows as a table aligned for people.
pub(crate) fn print_table(rows: &[Row]) -> Result<(), Failure> {
    let time = |at: Option<SystemTime>, none: &str| at.map_or(none.to_owned(), rfc3339);
    let mut lines = vec![[
        "LABEL".to_owned(),
        "ID".to_owned(),
        "SCOPES".to_owned(),
        "ACTIVE".to_owned(),
        "CREATED".to_owned(),
        "LAST USED".to_owned(),
        "EXPIRES".to_owned(),
    ]];
    for row in rows {
        lines.push([
            one_line(&row.label),
            row.id.clone(),
            row.scopes.clone(),
            if row.is_active { "yes" } else { "no" }.to_owned(),
            time(row.created_at, "-"),
            time(row.last_used_at, "never"),
            time(row.expires_at, "never"),
        ]);
    }
    let mut widths = [0; 7];
    for line in &lines {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut table = String::new();
    for line in &lines {
        let cells: Vec<String> = line
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        table.push_str(cells.join("  ").trim_end());
        table.push('\n');
    }
    write_stdout(table.trim_end())
}

/// Prints one token's details for people: a name and a value per line, aligned.
pub(crate) fn print_details(fields: &[(&str, String)]) -> Result<(), Failure> {
    let width = fields.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    let lines: Vec<String> = fields
        .iter()
        .map(|(name, value)| format!("{name:<width$}  {value}"))
        .collect();
    write_stdout(&lines.join("\n"))
}

/// Returns text a server sent on one line, with control characters (terminal escapes
/// included) escaped, for a table.
pub(crate) fn one_line(text: &str) -> String {
    let mut line = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            line.extend(c.escape_default());
        } else {
            line.push(c);
        }
    }
    line
}

/// The JSON fields both kinds of token share.
pub(crate) fn json_times(row: &Row) -> Value {
    json!({
        "created_at": row.created_at.map(rfc3339),
        "last_used_at": row.last_used_at.map(rfc3339),
        "expires_at": row.expires_at.map(rfc3339),
    })
}

/// Prints one JSON document on stdout.
pub(crate) fn print_json(document: &Value) -> Result<(), Failure> {
    write_stdout(&document.to_string())
}

/// Prints a new token's secret alone on stdout, or, with `--json`, `document` with the
/// secret added as `token`.
pub(crate) fn print_secret(
    secret: &SecretString,
    mut document: Value,
    json: bool,
) -> Result<(), Failure> {
    if !json {
        return write_stdout(secret.expose_secret());
    }
    document["token"] = Value::String(secret.expose_secret().to_owned());
    let text = Zeroizing::new(document.to_string());
    // The copy inside the JSON value is wiped too.
    if let Some(Value::String(copy)) = document.get_mut("token").map(Value::take) {
        drop(Zeroizing::new(copy));
    }
    write_stdout(&text)
}

/// Says something to the person at the terminal (stderr), never to a script's stdout.
pub(crate) fn tell(message: &str) {
    eprintln!("{message}");
}

/// Refuses `delete` without `--yes` when no one can be asked, before any request.
pub(crate) fn require_confirmation_possible(yes: bool) -> Result<(), Failure> {
    if !yes && !io::stdin().is_terminal() {
        return Err(Failure::usage(
            "delete cannot ask for confirmation without a terminal: pass --yes",
        ));
    }
    Ok(())
}

/// Asks on the terminal whether to go on, unless `--yes` was given.
pub(crate) fn confirm(yes: bool, question: &str) -> Result<(), Failure> {
    if yes {
        return Ok(());
    }
    eprint!("{question} [y/N] ");
    let _ = io::stderr().flush();
    let mut answer = String::new();
    io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Failure::usage(format!("cannot read the answer: {e}")))?;
    match answer.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(()),
        _ => Err(Failure::new(EXIT_OTHER, "not deleted")),
    }
}

/// The failure of a rotation whose new token works but whose old token is still active;
/// the new secret has been printed already.
pub(crate) fn old_still_active(
    command: &str,
    old_id: &str,
    error: &dockerhub_auth::Error,
) -> Failure {
    Failure::new(
        exit_code(error.kind()),
        format!(
            "the new token works, but the old one ({old_id}) could not be deactivated and is \
             still active: {error}; run `dockerhub-auth {command} deactivate {old_id}`"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_a_duration_or_a_date() {
        assert!(matches!(parse_expiry("30d"), Ok(Expiry::In(d)) if d.as_secs() == 30 * 86_400));
        let date = parse_expiry("2027-01-15")
            .unwrap()
            .at(SystemTime::UNIX_EPOCH);
        assert_eq!(rfc3339(date), "2027-01-15T00:00:00Z");
        let exact = parse_expiry("2027-01-15T08:00:00Z")
            .unwrap()
            .at(SystemTime::UNIX_EPOCH);
        assert_eq!(rfc3339(exact), "2027-01-15T08:00:00Z");
        assert!(parse_expiry("soon").is_err());
    }

    #[test]
    fn resources_are_type_path_and_scopes() {
        let resource = parse_resource("repo:acme/*:scope-image-pull,scope-image-push").unwrap();
        assert_eq!(resource.kind(), &OatResourceKind::REPOSITORY);
        assert_eq!(resource.path(), "acme/*");
        assert_eq!(
            resource.scopes(),
            [OatScope::IMAGE_PULL, OatScope::IMAGE_PUSH]
        );
        let org = parse_resource("TYPE_ORG:acme:scope-repository-list").unwrap();
        assert_eq!(org.kind(), &OatResourceKind::ORGANIZATION);
        for bad in [
            "repo:acme/*",
            "team:acme:x",
            "repo::scope-image-pull",
            "repo:acme:",
        ] {
            assert!(parse_resource(bad).is_err(), "{bad}");
        }
    }
}
