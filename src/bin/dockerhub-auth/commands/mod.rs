//! One file per command: its arguments (a clap `Args` struct) and what it does.

pub(crate) mod inspect;
pub(crate) mod login;
pub(crate) mod logout;
pub(crate) mod token;
