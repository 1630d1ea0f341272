//! Any `Retry-After` value at any moment: parsing never panics, and a plain number of
//! seconds below the unix-timestamp threshold is always that many seconds.
#![no_main]

use std::time::Duration;

use dockerhub_auth::fuzzing::retry_after;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((now, value)) = data.split_first_chunk::<8>() else {
        return;
    };
    let now = u64::from_le_bytes(*now) >> 8; // keep SystemTime arithmetic in range
    let value = String::from_utf8_lossy(value);
    let wait = retry_after(&value, now);
    // RFC 9110 delay-seconds: digits only (so not "+2", which `u64::from_str` accepts).
    let digits = value.trim();
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(seconds @ 0..=1_000_000_000) = digits.parse::<u64>() {
            assert_eq!(wait, Some(Duration::from_secs(seconds)), "{value:?}");
        }
    }
});
