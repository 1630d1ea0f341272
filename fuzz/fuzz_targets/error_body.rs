//! Any error answer that quotes the password: classifying it never panics, never shows the
//! password, and never keeps more than a short line of server text.
#![no_main]

use dockerhub_auth::fuzzing::classify_answer;
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "hunter2hunter2";

fuzz_target!(|data: &[u8]| {
    let Some(([status_high, status_low, at], body)) = data.split_first_chunk::<3>() else {
        return;
    };
    let status = 100 + u16::from_be_bytes([*status_high, *status_low]) % 900;
    // Quote the secret somewhere in the body, as a hostile server echoing it would.
    let at = usize::from(*at).min(body.len());
    let body = [&body[..at], SECRET.as_bytes(), &body[at..]].concat();

    let error = classify_answer(status, &body, SECRET);

    let shown = format!("{error} {error:?}");
    assert!(!shown.contains(SECRET), "{shown}");
    for text in [error.hub_message(), error.body_excerpt()]
        .into_iter()
        .flatten()
    {
        assert!(text.chars().count() <= 201, "{text}");
        assert!(!text.contains('\n'), "{text}");
    }
});
