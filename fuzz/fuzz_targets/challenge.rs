//! Any `WWW-Authenticate` value: parsing never panics, every scheme is a non-empty RFC 9110
//! token, and a realm and service written as quoted strings (escapes, commas, quotes and
//! all) beside another challenge come back as they were.
//!
//! The first byte picks the mode: `0x01` splits the rest at the first NUL into a realm and
//! a service and checks the round trip; anything else parses the rest as a header.
#![no_main]

use dockerhub_auth::fuzzing::{bearer, challenges};
use libfuzzer_sys::fuzz_target;

fn quote(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

fuzz_target!(|data: &[u8]| {
    let Some((mode, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    if *mode == 0x01 {
        let (realm, service) = text.split_once('\0').unwrap_or((&text, ""));
        // Header values cannot carry control characters; a realm of blanks is no realm.
        if realm.chars().chain(service.chars()).any(char::is_control) || realm.trim().is_empty() {
            return;
        }
        let header = format!(
            "Basic realm=\"x,y\", Bearer realm={}, service={}",
            quote(realm),
            quote(service)
        );
        let found = bearer(&header).expect("a Bearer challenge with a realm");
        assert_eq!(found.0, realm.trim(), "{header}");
        assert_eq!(found.1.as_deref(), Some(service).filter(|s| !s.is_empty()), "{header}");
        return;
    }
    for (scheme, _) in challenges(&text) {
        assert!(!scheme.is_empty(), "{text:?}");
        assert!(
            scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)),
            "{scheme:?} in {text:?}"
        );
    }
    let _ = bearer(&text);
});
