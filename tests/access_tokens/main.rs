//! Managing personal and organization access tokens (`/v2/access-tokens`,
//! `/v2/orgs/{name}/access-tokens`) against a mock Hub: listing, changes, rotation, and the
//! bearer token those routes need.
//!
//! One test binary, one module per concept (run one with
//! `cargo test --test access_tokens rotation::`).

#[path = "../support/mod.rs"]
mod support;

mod bearer;
mod changes;
mod examples;
mod listing;
mod rotation;
