//! A token anywhere in any text: what the scrubber shows never holds it, whole or a twelve
//! character piece of it, whatever it is glued to.
#![no_main]

use dockerhub_auth::fuzzing::scrub;
use libfuzzer_sys::fuzz_target;

/// The characters of a PAT's or OAT's random part (hub-auth-facts §7), and of base64url.
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

fuzz_target!(|data: &[u8]| {
    let Some(([kind, at, seed @ ..], text)) = data.split_first_chunk::<10>() else {
        return;
    };
    // The token's random characters, from the eight seed bytes.
    let random: String = (0..80)
        .map(|i: usize| {
            let byte = seed[i % seed.len()].wrapping_mul(31).wrapping_add(i as u8 * 7);
            char::from(ALPHABET[usize::from(byte) % ALPHABET.len()])
        })
        .collect();
    let token = match kind % 3 {
        0 => format!("dckr_pat_{}", &random[..27]),
        1 => format!("dckr_oat_{}", &random[..32]),
        _ => format!("eyJ{}.{}.{}", &random[..20], &random[20..60], &random[60..]),
    };
    let text = String::from_utf8_lossy(text);
    // Anywhere: at a character boundary picked by `at`, glued to what is there.
    let boundaries: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    let at = boundaries[usize::from(*at) % boundaries.len()];
    let with_token = format!("{}{token}{}", &text[..at], &text[at..]);

    let shown = scrub(&with_token);
    for start in 0..=token.len() - 12 {
        let piece = &token[start..start + 12];
        // libFuzzer copies compared bytes into its inputs: a piece the text around the token
        // holds itself is the text's, not what is left of the token.
        if text.contains(piece) {
            continue;
        }
        assert!(!shown.contains(piece), "{piece:?} survived in {shown:?}");
    }
});
