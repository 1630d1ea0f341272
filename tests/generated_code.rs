//! The generated clients: the reviewed snapshots in `openapi/` are what `build.rs` generates,
//! and the generated types describe the same bodies as the specs they came from.
//!
//! After changing the spec or the generator, refresh the snapshot with
//!
//! ```text
//! EXPECTORATE=overwrite cargo test --all-features --test generated_code
//! ```
//!
//! and commit it with the change, so that review shows the generated code's diff.

mod support;

use dockerhub_auth::generated::types;
use schemars::{JsonSchema, schema_for};
use serde_json::Value;
use support::{inline_defs, shape};

#[test]
fn the_reviewed_snapshot_is_what_build_rs_generates() {
    expectorate::assert_contents(
        "openapi/codegen.rs",
        include_str!(concat!(env!("OUT_DIR"), "/codegen.rs")),
    );
}

#[test]
fn the_reviewed_registry_snapshot_is_what_build_rs_generates() {
    expectorate::assert_contents(
        "openapi/registry_codegen.rs",
        include_str!(concat!(env!("OUT_DIR"), "/registry_codegen.rs")),
    );
}

#[test]
fn the_reviewed_identity_snapshot_is_what_build_rs_generates() {
    expectorate::assert_contents(
        "openapi/identity_codegen.rs",
        include_str!(concat!(env!("OUT_DIR"), "/identity_codegen.rs")),
    );
}

/// The component schemas of our spec, `openapi/dockerhub-auth.yaml`.
fn spec_schema(name: &str) -> Value {
    let spec: Value = yaml_serde::from_str(include_str!("../openapi/dockerhub-auth.yaml")).unwrap();
    spec["components"]["schemas"][name].clone()
}

fn assert_same_shape<T: JsonSchema>(spec_name: &str) {
    let generated = inline_defs(serde_json::to_value(schema_for!(T)).unwrap());
    assert_eq!(
        shape(&generated),
        shape(&spec_schema(spec_name)),
        "the generated type for {spec_name} does not match the spec"
    );
}

#[test]
fn generated_types_have_the_shape_of_the_spec_schemas() {
    assert_same_shape::<types::AuthCreateAccessTokenRequest>("AuthCreateAccessTokenRequest");
    assert_same_shape::<types::AuthCreateTokenResponse>("AuthCreateTokenResponse");
    assert_same_shape::<types::ErrorResponse>("ErrorResponse");
    assert_same_shape::<types::UsersLoginRequest>("UsersLoginRequest");
    assert_same_shape::<types::PostUsersLoginSuccessResponse>("PostUsersLoginSuccessResponse");
    assert_same_shape::<types::PostUsersLoginErrorResponse>("PostUsersLoginErrorResponse");
    assert_same_shape::<types::Users2FaLoginRequest>("Users2FALoginRequest");
    assert_same_shape::<types::PostUsers2FaLoginErrorResponse>("PostUsers2FALoginErrorResponse");
    assert_same_shape::<types::AccessTokenError>("AccessTokenError");
    assert_same_shape::<types::AccessToken>("accessToken");
    assert_same_shape::<types::CreateAccessTokenRequest>("createAccessTokenRequest");
    assert_same_shape::<types::PatchAccessTokenRequest>("patchAccessTokenRequest");
    assert_same_shape::<types::GetAccessTokensResponse>("getAccessTokensResponse");
    assert_same_shape::<types::OrgAccessTokenResource>("orgAccessTokenResource");
    assert_same_shape::<types::OrgAccessToken>("orgAccessToken");
    assert_same_shape::<types::CreateOrgAccessTokenRequest>("createOrgAccessTokenRequest");
    assert_same_shape::<types::UpdateOrgAccessTokenRequest>("updateOrgAccessTokenRequest");
    assert_same_shape::<types::GetOrgAccessTokensResponse>("getOrgAccessTokensResponse");
}

/// The secret of a created token is generated as `Sensitive`, whose `Debug` never shows it,
/// and timestamps as `Timestamp`, which keeps any text.
#[test]
fn created_secrets_never_print_and_odd_timestamps_still_decode() {
    let token: types::AccessToken = serde_json::from_value(serde_json::json!({
        "uuid": "b30bbf97", "token": "dckr_pat_CANARY", "created_at": "", "last_used": null
    }))
    .unwrap();
    assert!(!format!("{token:?}").contains("dckr_pat_CANARY"));
    assert_eq!(token.created_at.unwrap().to_system_time(), None);
    let org: types::OrgAccessToken =
        serde_json::from_value(serde_json::json!({ "id": "a7", "token": "dckr_oat_CANARY" }))
            .unwrap();
    assert!(!format!("{org:?}").contains("dckr_oat_CANARY"));
}
