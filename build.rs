//! Generates the low-level clients from the OpenAPI documents in `openapi/` with progenitor.
//!
//! Each spec gives one file in `$OUT_DIR` and nowhere else: `openapi/dockerhub-auth.yaml`
//! (Docker Hub's auth routes) gives `codegen.rs`, `openapi/registry.yaml` (the registry and
//! its token service) gives `registry_codegen.rs`, `openapi/identity.yaml` (the token
//! exchange of Docker's identity service) gives `identity_codegen.rs`. `src/lib.rs` includes
//! each in a private module of its own, and `tests/generated_code.rs` keeps the reviewed
//! copies in `openapi/` identical to them.

use std::{env, fs, path::Path, process::ExitCode};

/// Each spec and the file generated from it.
const SPECS: [(&str, &str); 3] = [
    ("openapi/dockerhub-auth.yaml", "codegen.rs"),
    ("openapi/registry.yaml", "registry_codegen.rs"),
    ("openapi/identity.yaml", "identity_codegen.rs"),
];

fn main() -> ExitCode {
    let mut status = ExitCode::SUCCESS;
    for (spec, output) in SPECS {
        println!("cargo:rerun-if-changed={spec}");
        if let Err(reason) = generate(spec, output) {
            // One readable line instead of a panic and its backtrace.
            eprintln!("error: cannot generate a client from {spec}: {reason}");
            status = ExitCode::FAILURE;
        }
    }
    status
}

/// Generates `$OUT_DIR/{output}` from the spec at `spec`, with the settings every generated
/// client of this crate shares.
fn generate(spec: &str, output: &str) -> Result<(), String> {
    let root = env::var("CARGO_MANIFEST_DIR").map_err(|e| format!("CARGO_MANIFEST_DIR: {e}"))?;
    let out_dir = env::var("OUT_DIR").map_err(|e| format!("OUT_DIR: {e}"))?;
    let text = fs::read_to_string(Path::new(&root).join(spec)).map_err(|e| e.to_string())?;
    let document =
        yaml_serde::from_str(&text).map_err(|e| format!("not an OpenAPI 3.0 document: {e}"))?;

    // Each generated `Client` carries a `wire::Exchange`: the response body cap its hooks
    // enforce, the status of the response it got, and the credentials of the call. `Expected`
    // hooks make the build fail if `src/wire/transport.rs` ever stops implementing
    // `ClientHooks` for a client (and with it the body cap).
    let exchange: proc_macro2::TokenStream = "crate::wire::Exchange"
        .parse()
        .map_err(|e| format!("inner type: {e}"))?;
    // Positional arguments and one `impl Client` for all operations, in the spec's order:
    // openapi/README.md says why (builder style with a trait per tag tripled the code).
    let mut settings = progenitor::GenerationSettings::new();
    settings
        .with_interface(progenitor::InterfaceStyle::Positional)
        .with_tag(progenitor::TagStyle::Merged)
        .with_inner_type(exchange)
        .with_hooks(progenitor::HooksMode::Expected)
        .with_derive("schemars::JsonSchema")
        .with_derive("PartialEq")
        // Every string the spec marks `format: password` (passwords, access tokens, JWTs,
        // login_2fa_tokens, codes, registry and refresh tokens, OIDC ID tokens) becomes a type whose `Debug`
        // redacts it and whose drop wipes it: no generated type can print a secret.
        .with_conversion(
            schemars08::schema::SchemaObject {
                instance_type: Some(schemars08::schema::InstanceType::String.into()),
                format: Some("password".to_owned()),
                ..Default::default()
            },
            "crate::wire::Sensitive",
            std::iter::empty(),
        )
        // Every `format: date-time` string keeps its text and is read by the facade, so
        // that one odd timestamp cannot fail a whole answer (and chrono stays out).
        .with_conversion(
            schemars08::schema::SchemaObject {
                instance_type: Some(schemars08::schema::InstanceType::String.into()),
                format: Some("date-time".to_owned()),
                ..Default::default()
            },
            "crate::wire::Timestamp",
            std::iter::empty(),
        );
    let mut generator = progenitor::Generator::new(&settings);

    // progenitor panics (rather than returning an error) on some constructs, for example two
    // success responses with different bodies; report those like any other rejection, with
    // the default hook's message and backtrace silenced.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let generated = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        generator.generate_tokens(&document)
    }));
    std::panic::set_hook(default_hook);
    let tokens = generated
        .map_err(|panic| {
            let why = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "the generator panicked".to_string());
            format!("progenitor rejected it: {why}")
        })?
        .map_err(|e| format!("progenitor rejected it: {e}"))?;

    let file = syn::parse2(tokens).map_err(|e| format!("progenitor produced invalid Rust: {e}"))?;
    let code = format!(
        "// @generated by build.rs from {spec} with progenitor; do not edit.\n\n{}",
        prettyplease::unparse(&file)
    );
    fs::write(Path::new(&out_dir).join(output), code).map_err(|e| e.to_string())
}
