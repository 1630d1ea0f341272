//! Makes text that came from a server safe to show: short, one line, and free of secrets.
//!
//! Everything Docker Hub (or a proxy in front of it) says that ends up in an [`Error`]
//! passes through [`scrub`] first. A hostile or buggy server may echo the request body, so
//! the secrets of the request are removed, and so is anything shaped like a token.
//!
//! [`Error`]: crate::Error

/// The most characters of server text an error keeps.
const MAX_CHARS: usize = 200;

/// What replaces a removed secret.
const REDACTED: &str = "[redacted]";

/// Shorter secrets are not searched for: replacing every "ab" would mangle the message and
/// Docker Hub refuses passwords that short anyway.
const MIN_SECRET_LEN: usize = 4;

/// Returns `text` on one line, redacted and capped at [`MAX_CHARS`] characters.
///
/// Redacted: every occurrence of one of `secrets`, every JWT-shaped word (`eyJ….….…`) and
/// every Docker token-shaped word (`dckr_pat_…`, `dckr_oat_…`). Control characters are
/// escaped and runs of whitespace become one space.
pub(crate) fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut text = text.to_owned();
    for secret in secrets {
        if secret.len() >= MIN_SECRET_LEN {
            text = text.replace(secret, REDACTED);
        }
    }

    let mut out = String::with_capacity(text.len().min(MAX_CHARS * 2));
    let mut pending_space = false;
    for word in words(&text) {
        let piece: &str = match word {
            Word::Space => {
                pending_space = !out.is_empty();
                continue;
            }
            Word::Token(token) if looks_like_secret(token) => REDACTED,
            Word::Token(token) | Word::Other(token) => token,
        };
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        for c in piece.chars() {
            if c.is_control() {
                out.extend(c.escape_default());
            } else {
                out.push(c);
            }
        }
    }
    // The cap counts what is shown (an escaped control character is up to ten characters),
    // and applies after redaction, so it can never cut a secret in half.
    if let Some((cut, _)) = out.char_indices().nth(MAX_CHARS) {
        out.truncate(cut);
        out.push('…');
    }
    out
}

/// Returns whether a word has the shape of a JWT or of a Docker access token.
fn looks_like_secret(word: &str) -> bool {
    let jwt = word.starts_with("eyJ") && word.matches('.').count() == 2;
    let docker_token = word.starts_with("dckr_");
    jwt || docker_token
}

enum Word<'a> {
    /// A run of whitespace.
    Space,
    /// A run of the characters tokens are made of: ASCII letters, digits, `-`, `_`, `.`, `=`.
    Token(&'a str),
    /// A single other character.
    Other(&'a str),
}

/// Splits text into token-shaped words, whitespace runs and single other characters.
fn words(text: &str) -> impl Iterator<Item = Word<'_>> {
    let is_token_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '=');
    let mut rest = text;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let (len, word) = if first.is_whitespace() {
            let len = rest
                .find(|c: char| !c.is_whitespace())
                .unwrap_or(rest.len());
            (len, Word::Space)
        } else if is_token_char(first) {
            let len = rest.find(|c: char| !is_token_char(c)).unwrap_or(rest.len());
            (len, Word::Token(&rest[..len]))
        } else {
            let len = first.len_utf8();
            (len, Word::Other(&rest[..len]))
        };
        rest = &rest[len..];
        Some(word)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_secrets_and_token_shapes_are_redacted() {
        let text = "bad password hunter2hunter2 for eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln \
                    and dckr_pat_abcdefghijklmnopqrstuvwxyz1";
        assert_eq!(
            scrub(text, &["hunter2hunter2"]),
            "bad password [redacted] for [redacted] and [redacted]"
        );
    }

    #[test]
    fn short_secrets_are_not_searched_for() {
        assert_eq!(scrub("a cat", &["a"]), "a cat");
    }

    #[test]
    fn whitespace_collapses_and_control_characters_are_escaped() {
        assert_eq!(scrub("  two\n\tlines\u{7}  ", &[]), "two lines\\u{7}");
    }

    #[test]
    fn long_text_is_capped() {
        let text = "x".repeat(1000);
        let scrubbed = scrub(&text, &[]);
        assert_eq!(scrubbed.chars().count(), MAX_CHARS + 1);
        assert!(scrubbed.ends_with('…'));
    }

    #[test]
    fn escaped_control_characters_count_toward_the_cap() {
        // Found by the property test in wire.rs: 200 NULs escaped to 1,000 characters.
        let scrubbed = scrub(&"\0".repeat(1000), &[]);
        assert!(
            scrubbed.chars().count() <= MAX_CHARS + 1,
            "{}",
            scrubbed.len()
        );
        assert!(scrubbed.starts_with("\\u{0}") && scrubbed.ends_with('…'));
    }

    #[test]
    fn non_ascii_text_is_kept_whole() {
        assert_eq!(
            scrub("Zugriff verweigert – ungültig", &[]),
            "Zugriff verweigert – ungültig"
        );
    }
}
