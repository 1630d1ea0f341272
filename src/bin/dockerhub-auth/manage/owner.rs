//! [`Owner`]: what differs between `pat` and `oat`, which everything else in `manage` is
//! written once against.

use std::fmt::Debug;

use clap::Args;
use dockerhub_auth::Hub;
use serde_json::Value;

use super::handle::Handle;
use crate::context::HubSession;

/// One token of `O`'s kind.
pub(crate) type TokenOf<O> = <<O as Owner>::Handle as Handle>::Token;

/// Whose access tokens a command manages: the account's personal access tokens (`pat`), or an
/// organization's access tokens (`oat ORG`). As arguments, it is what names the owner after a
/// verb: nothing for the account, `ORG` for an organization. It says how to reach its tokens,
/// what messages and help call them, and how one is shown.
pub(crate) trait Owner: Args + Debug {
    /// The library's handle on the owner's tokens.
    type Handle: Handle;
    /// `create`'s own options: the label, and what the token may do.
    type Create: Args + Debug;

    /// The command: `pat`, `oat`.
    const COMMAND: &'static str;
    /// What messages call one token: `personal access token`.
    const NAME: &'static str;
    /// What messages call what a token may do: `scopes`, `resources`.
    const GRANTS: &'static str;
    /// The command's one-line help.
    const ABOUT: &'static str;
    /// `list`'s, `show`'s and `rotate`'s one-line help.
    const LIST_ABOUT: &'static str;
    const SHOW_ABOUT: &'static str;
    const ROTATE_ABOUT: &'static str;
    /// What `--json` prints.
    const JSON_HELP: &'static str;

    /// The organization, for an organization's tokens.
    fn org(&self) -> Option<&str>;

    /// Returns the handle on the owner's tokens, with `login`'s session as the bearer.
    fn handle(&self, hub: &Hub, login: &HubSession) -> Self::Handle;

    /// Returns the token `create` asks for (without its expiry, which is the same option for
    /// both kinds).
    fn new_token(create: Self::Create) -> <Self::Handle as Handle>::New;

    /// What a token may do, in one cell: its scopes, or its resources (`-` for none).
    fn grants(token: &TokenOf<Self>) -> String;

    /// The fields of a token's JSON object that only this kind of token has, as one object.
    fn fields(token: &TokenOf<Self>) -> Value;

    /// A token's details for people: a name and a value per line.
    fn details(token: &TokenOf<Self>) -> Vec<(&'static str, String)>;
}
