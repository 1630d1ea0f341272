//! Secrets recognised by their shape alone: JWTs and Docker's access tokens, wherever they
//! start, so that a token this crate never saw is removed even when a server glues it to a
//! word (`session=eyJ…`, `key=dckr_oat_…`, `x.dckr_pat_…`, `(dckr_pat_…)`).

/// What replaces a removed secret.
pub(super) const REDACTED: &str = "[redacted]";

/// The characters tokens are made of: ASCII letters and digits, `-`, `_`, `.`, `=`.
pub(super) fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '=')
}

/// Returns `text` with everything shaped like a token replaced by `[redacted]`, wherever it
/// starts, also inside a word or glued to punctuation:
/// - a Docker token: `dckr_` (any case) and the token characters after it (`dckr_pat_…`,
///   `dckr_oat_…`, and whatever prefix Docker adds next);
/// - a JWT: `eyJ` (a base64url `{"`) and the token characters after it, when they hold a
///   `.` (header and payload at least).
///
/// A match takes every token character after the prefix (letters, digits, `-`, `_`, `.`,
/// `=`), so a token glued to more of them is removed with them, never in part. What comes
/// before the prefix (`session=`, `key=`, `x.`) stays.
///
/// Linear in the length of `text`, whatever it holds (a megabyte of `eyJeyJ…` included).
pub(super) fn redact_token_shapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = next_prefix(rest, &[JWT_PREFIX, DOCKER_TOKEN_PREFIX]) {
        let (before, candidate) = rest.split_at(at);
        out.push_str(before);
        // The prefix and every token character after it (both prefixes are token characters).
        let run = candidate
            .find(|c: char| !is_token_char(c))
            .unwrap_or(candidate.len());
        let (shape, after) = candidate.split_at(run);
        if !shape.starts_with("eyJ") || shape.contains('.') {
            out.push_str(REDACTED);
            rest = after;
            continue;
        }
        // `eyJ` without a `.` after it: no JWT starts anywhere in this run (each would end
        // where it ends), but a Docker token may.
        match next_prefix(shape, &[DOCKER_TOKEN_PREFIX]) {
            Some(docker) => {
                out.push_str(shape.get(..docker).unwrap_or(""));
                rest = candidate.get(docker..).unwrap_or("");
            }
            None => {
                out.push_str(shape);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Docker's access tokens start with this, in any case: `dckr_pat_`, `dckr_oat_`.
const DOCKER_TOKEN_PREFIX: &[u8] = b"dckr_";

/// Every JWT starts with this: base64url of `{"`.
const JWT_PREFIX: &[u8] = b"eyJ";

/// Returns where the first of `prefixes` starts in `text`, the Docker prefix in any case.
/// The prefixes are ASCII, so a match is always at a character boundary.
fn next_prefix(text: &str, prefixes: &[&[u8]]) -> Option<usize> {
    let bytes = text.as_bytes();
    (0..bytes.len()).find(|&at| {
        let rest = bytes.get(at..).unwrap_or_default();
        prefixes.iter().any(|prefix| match *prefix == JWT_PREFIX {
            true => rest.starts_with(prefix),
            false => rest
                .get(..prefix.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(prefix)),
        })
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::scrub::{redact, scrub, window};

    #[test]
    fn tokens_glued_to_what_comes_before_them_are_redacted() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";
        let pat = "dckr_pat_abcdefghijklmnopqrstuvwxyz1";
        let oat = "dckr_oat_abcdefghijklmnopqrstuvwxyz123456";
        for (text, shown) in [
            (
                format!("session={jwt}; path=/"),
                "session=[redacted]; path=/",
            ),
            (format!("key={oat}"), "key=[redacted]"),
            (format!("x.{pat}"), "x.[redacted]"),
            (format!("({pat})"), "([redacted])"),
            (format!("abc{pat}, then"), "abc[redacted], then"),
            (format!("Bearer {jwt}."), "Bearer [redacted]"),
            (format!("\"{}\"", pat.to_uppercase()), "\"[redacted]\""),
            (format!("é{jwt}é"), "é[redacted]é"),
        ] {
            assert_eq!(scrub(&text, &[]), shown, "{text}");
        }
    }

    #[test]
    fn a_run_of_jwt_prefixes_without_a_dot_is_kept_but_not_a_docker_token_in_it() {
        // Each `eyJ` would look to the end of the run again: a megabyte of them must not take
        // a quadratic time, and the Docker token at the end must still go.
        let run = "eyJ".repeat(300_000);
        let text = format!("{run}dckr_pat_abcdefghijklmnopqrstuvwxyz1 eyJa");
        assert_eq!(redact_token_shapes(&text), format!("{run}{REDACTED} eyJa"));
    }

    #[test]
    fn words_that_only_start_like_a_jwt_are_kept() {
        assert_eq!(scrub("heyJoe said hi", &[]), "heyJoe said hi");
    }

    /// A PAT as Docker issues them: `dckr_pat_` and 27 of `[A-Za-z0-9_-]`; an OAT: 32 after
    /// `dckr_oat_`; a JWT: three base64url parts, the first starting `eyJ`.
    fn token() -> impl Strategy<Value = String> {
        prop_oneof![
            "dckr_pat_[A-Za-z0-9_-]{27}",
            "dckr_oat_[A-Za-z0-9_-]{32}",
            "eyJ[A-Za-z0-9_-]{8,40}\\.[A-Za-z0-9_-]{8,80}\\.[A-Za-z0-9_-]{0,43}",
        ]
    }

    /// Text of every kind around it: token characters (so the token is glued to them),
    /// punctuation, whitespace, control characters, and any character at all.
    fn text() -> impl Strategy<Value = String> {
        let any_char = prop_oneof![
            4 => proptest::char::range('!', '~'),
            2 => proptest::sample::select(vec![' ', '\n', '\t', '\u{1b}', '\u{9b}', '=', '.', '\u{202e}']),
            1 => any::<char>(),
        ];
        proptest::collection::vec(any_char, 0..80).prop_map(String::from_iter)
    }

    /// Returns the first piece of `token` of twelve characters that `shown` holds.
    fn surviving_piece<'a>(token: &'a str, shown: &str) -> Option<&'a str> {
        (0..=token.len().saturating_sub(12))
            .map(|at| &token[at..(at + 12).min(token.len())])
            .find(|piece| shown.contains(piece))
    }

    proptest! {
        #[test]
        fn a_token_anywhere_in_any_text_never_survives(
            before in text(), token in token(), after in text(),
        ) {
            let text = format!("{before}{token}{after}");
            for shown in [scrub(&text, &[]), redact(&text, &[])] {
                prop_assert_eq!(surviving_piece(&token, &shown), None, "{}", shown);
            }
            let excerpt = redact(&text, &[]);
            for cut in [before.len(), before.len() + token.len() / 2, text.len()] {
                let window = window(&excerpt, cut);
                prop_assert_eq!(surviving_piece(&token, window), None, "{}", window);
            }
        }
    }
}
