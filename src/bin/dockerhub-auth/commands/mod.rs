//! One file per command: its arguments (a clap `Args` struct) and what it does.

pub(crate) mod inspect;
pub(crate) mod login;
pub(crate) mod logout;
pub(crate) mod manage;
pub(crate) mod oat;
pub(crate) mod pat;
pub(crate) mod rate_limit;
pub(crate) mod registry_token;
pub(crate) mod token;
