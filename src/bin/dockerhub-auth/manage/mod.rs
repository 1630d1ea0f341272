//! What `pat` and `oat` share: the password login for a management bearer, the verbs and their
//! arguments, confirmation, and the output for people (an aligned table, details) and for
//! scripts (JSON), written once for either [`Owner`] of tokens. `commands/pat.rs` and
//! `commands/oat.rs` say only what differs.
//!
//! Inside, the files import downward: this one runs the verbs; `verbs.rs` parses them;
//! `show.rs` prints; `owner.rs` is the trait a kind implements; `handle.rs` puts the library's
//! two handles behind one trait.

mod handle;
mod owner;
mod show;
mod verbs;

use std::{
    io::{self, BufRead, IsTerminal, Write},
    time::{Duration, SystemTime},
};

use futures_util::TryStreamExt as _;
use serde_json::{Value, json};

use self::{
    handle::{Handle, Listed},
    owner::TokenOf,
    show::{document, print_details, print_json, print_secret, print_table, tell},
    verbs::Action,
};
pub(crate) use self::{
    owner::Owner,
    show::{joined, text, time, yes_no},
    verbs::ManageArgs,
};
use crate::{
    context::Context,
    failure::{EXIT_OTHER, Failure, exit_code},
    output::escape,
};

/// Runs `pat` or `oat`: refuses bad input before any request (a failed login counts
/// towards Docker Hub's lockout; bad input need not), logs in with the password (so that a
/// refusal is reported before anything else is done), then does what the verb asks.
pub(crate) async fn exec<O: Owner>(ctx: &Context, args: ManageArgs<O>) -> Result<(), Failure> {
    let (owner, action) = args.into_action();
    if let Action::Delete { yes: false, .. } = action {
        require_a_terminal()?;
    }
    let action = action.try_map_create(|(new, expires)| {
        let mut new = O::new_token(new);
        if let Some(expiry) = expires {
            new = O::Handle::expires_at(new, expiry.at(SystemTime::now()));
        }
        O::Handle::validate(&new)?;
        Ok::<_, Failure>(new)
    })?;
    let login = ctx.session().await?;
    login.token().await?;
    let tokens = Tokens {
        handle: owner.handle(ctx.hub()?, &login),
        owner,
        json: ctx.json(),
    };
    match action {
        Action::List { expiring, inactive } => tokens.list(expiring, inactive).await,
        Action::Show(id) => tokens.show(&id).await,
        Action::Create(new) => tokens.create(new).await,
        Action::SetActive(id, active) => tokens.set_active(&id, active).await,
        Action::Delete { id, yes } => tokens.delete(&id, yes).await,
        Action::Rotate(id) => tokens.rotate(&id).await,
    }
}

/// One owner's tokens, and how to print.
struct Tokens<O: Owner> {
    handle: O::Handle,
    owner: O,
    json: bool,
}

impl<O: Owner> Tokens<O> {
    /// `list`, with `--expiring` and `--inactive`.
    async fn list(&self, expiring: Option<Duration>, inactive: bool) -> Result<(), Failure> {
        let now = SystemTime::now();
        let all: Vec<TokenOf<O>> = self.handle.list().try_collect().await?;
        let kept = all.iter().filter(|token| {
            let expiring_soon = match expiring {
                None => true,
                Some(within) => token.expires_at().is_some_and(|at| at <= now + within),
            };
            expiring_soon && (!inactive || !token.is_active())
        });
        if self.json {
            return print_json(&Value::Array(kept.map(Self::document).collect()));
        }
        let rows: Vec<_> = kept.map(|token| (token, O::grants(token))).collect();
        print_table(&rows)
    }

    async fn show(&self, id: &str) -> Result<(), Failure> {
        let token = self.handle.get(id).await?;
        match self.json {
            true => print_json(&Self::document(&token)),
            false => print_details(&O::details(&token)),
        }
    }

    async fn create(&self, new: <O::Handle as Handle>::New) -> Result<(), Failure> {
        let created = self.handle.create(new).await?;
        let token = created.token();
        if !self.json {
            let org = self.owner.org().map(|org| format!(" for {org}"));
            tell(&format!(
                "created {} {:?} ({}){}, {} {}, expires {}",
                O::NAME,
                token.label(),
                token.id(),
                org.unwrap_or_default(),
                O::GRANTS,
                O::grants(token),
                time(token.expires_at(), "never"),
            ));
        }
        print_secret(created.secret(), Self::document(token), self.json)
    }

    async fn set_active(&self, id: &str, active: bool) -> Result<(), Failure> {
        let update = dockerhub_auth::TokenUpdate::new().active(active);
        let token = self.handle.update(id, update).await?;
        if self.json {
            return print_json(&Self::document(&token));
        }
        tell(&format!(
            "{} {} {:?} ({id}){}",
            if active { "activated" } else { "deactivated" },
            O::NAME,
            token.label(),
            self.of(),
        ));
        Ok(())
    }

    /// `delete`: asks first on the terminal (naming the token, which takes a request),
    /// unless `--yes`, which deletes at once.
    async fn delete(&self, id: &str, yes: bool) -> Result<(), Failure> {
        if !yes {
            let token = self.handle.get(id).await?;
            confirm(&format!(
                "Delete {} {:?} ({id}){} for good?",
                O::NAME,
                token.label(),
                self.of(),
            ))?;
        }
        self.handle.delete(id).await?;
        if self.json {
            return print_json(&json!({ "id": id, "deleted": true }));
        }
        tell(&format!("deleted {} {id}{}", O::NAME, self.of()));
        Ok(())
    }

    /// `rotate`: the new secret is printed even when the old token could not be
    /// deactivated, which is then a failure that says what to run.
    async fn rotate(&self, id: &str) -> Result<(), Failure> {
        let rotation = self.handle.rotate(id).await?;
        if !self.json {
            tell(&format!(
                "created {:?} ({}) with the {} of {:?} ({id}) and checked that it works; the \
                 old token is {}",
                rotation.token().label(),
                rotation.token().id(),
                O::GRANTS,
                rotation.previous().label(),
                if rotation.previous().is_active() {
                    "still active"
                } else {
                    "deactivated"
                },
            ));
        }
        let mut output = Self::document(rotation.token());
        output["previous"] = Self::document(rotation.previous());
        print_secret(rotation.secret(), output, self.json)?;
        let Some(error) = rotation.deactivation_error() else {
            return Ok(());
        };
        let command = match self.owner.org() {
            Some(org) => format!("{} {org}", O::COMMAND),
            None => O::COMMAND.to_owned(),
        };
        Err(Failure::new(
            exit_code(error.kind()),
            format!(
                "the new token works, but the old one ({id}) could not be deactivated and is \
                 still active: {error}; run `dockerhub-auth {command} deactivate {id}`"
            ),
        ))
    }

    /// The token as one JSON object (never with a secret: the caller adds it when it must).
    fn document(token: &TokenOf<O>) -> Value {
        document(token, O::fields(token))
    }

    /// ` of ORG` after a token's name, for an organization's tokens.
    fn of(&self) -> String {
        self.owner
            .org()
            .map(|org| format!(" of {org}"))
            .unwrap_or_default()
    }
}

/// Refuses `delete` without `--yes` when no one can be asked, before any request.
fn require_a_terminal() -> Result<(), Failure> {
    if !io::stdin().is_terminal() {
        return Err(Failure::usage(
            "delete cannot ask for confirmation without a terminal: pass --yes",
        ));
    }
    Ok(())
}

/// Asks on the terminal whether to go on.
fn confirm(question: &str) -> Result<(), Failure> {
    eprint!("{} [y/N] ", escape(question));
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
