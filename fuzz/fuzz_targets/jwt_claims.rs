//! Any string as a token: decoding its claims never panics, whatever the payload holds.
#![no_main]

use dockerhub_auth::Token;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let token = Token::from_secret(text.as_ref());
    if let Some(claims) = token.claims() {
        let _ = (
            claims.expires_at(),
            claims.issued_at(),
            claims.jwt_id(),
            claims.scope(),
        );
        let _ = (
            claims.username(),
            claims.email(),
            claims.uuid(),
            claims.source(),
        );
        let _ = serde_json::to_string(claims);
    }
    let _ = (
        token.expires_at(),
        token.lifetime(),
        token.authorization_header(),
    );
    let _ = format!("{token:?}");
});
