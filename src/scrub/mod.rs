//! Makes text that came from a server safe to show: short, one line, and free of secrets.
//!
//! Everything Docker Hub (or a proxy in front of it, a registry, a token service) says that
//! ends up in an [`Error`] passes through [`scrub`] first, and so does every excerpt of a body
//! ([`redact`] before [`window`]). A hostile or buggy server may echo the request body, so the
//! secrets of the request are removed, and so is anything shaped like a token wherever it
//! sits: at the start of a word, or glued to whatever comes before it (`session=eyJ…`,
//! `key=dckr_oat_…`, `x.dckr_pat_…`, `(dckr_pat_…)`).
//!
//! [`Error`]: crate::Error

mod shapes;

use zeroize::Zeroizing;

use shapes::{REDACTED, is_token_char, redact_token_shapes};

/// The most characters of server text an error keeps.
const MAX_CHARS: usize = 200;

/// Shorter secrets are not searched for: replacing every "ab" would mangle the message and
/// Docker Hub refuses passwords that short anyway.
const MIN_SECRET_LEN: usize = 4;

/// How much longer than the cap the shown text is built before fragments are looked for, so
/// that a fragment of a secret that straddles the cap is still recognized.
const FRAGMENT_LOOKAHEAD: usize = 64;

/// The shortest piece of a secret that is redacted when a server echoes only part of it.
const MIN_FRAGMENT_LEN: usize = 8;

/// Returns `text` on one line, redacted and capped at [`MAX_CHARS`] characters.
///
/// Redacted, in this order and always before anything is cut:
/// 1. every occurrence of one of `secrets`, also JSON-, HTML- or URL-encoded, and everything
///    shaped like a token, anywhere in a word ([`redact`]);
/// 2. every run of at least eight characters that is a piece of one of `secrets` (a server
///    that echoes part of a secret).
///
/// Control characters are escaped and runs of whitespace become one space. When the cap
/// falls inside a word, the whole word is dropped rather than shown in part.
pub(crate) fn scrub(text: &str, secrets: &[&str]) -> String {
    let text = redact(text, secrets);
    let budget = MAX_CHARS + FRAGMENT_LOOKAHEAD;
    let mut out = String::with_capacity(text.len().min(budget * 2));
    let mut shown = 0;
    let mut pending_space = false;
    for word in words(&text) {
        if shown > budget {
            break;
        }
        let piece: &str = match word {
            Word::Space => {
                pending_space = !out.is_empty();
                continue;
            }
            Word::Token(token) | Word::Other(token) => token,
        };
        if pending_space {
            out.push(' ');
            shown += 1;
            pending_space = false;
        }
        for c in piece.chars() {
            if c.is_control() {
                out.extend(c.escape_default());
            } else {
                out.push(c);
            }
            shown += 1;
        }
    }
    let mut out = redact_fragments(&out, secrets);
    // The cap counts what is shown (an escaped control character is up to ten characters),
    // and applies after redaction, so it can never cut a secret in half; a word it would cut
    // is dropped whole.
    if let Some((cut, _)) = out.char_indices().nth(MAX_CHARS) {
        let cut = safe_cut(&out, cut);
        out.truncate(cut);
        out.push('…');
    }
    out
}

/// Returns `text` with every occurrence of each secret (at least [`MIN_SECRET_LEN`] bytes) in
/// the forms a server may echo it in (as sent, JSON-escaped, HTML-escaped and URL-encoded),
/// and everything shaped like a token ([`shapes::redact_token_shapes`]), replaced by
/// `[redacted]`.
///
/// Call it on a whole body before cutting an excerpt out of it, so that no cut can leave a
/// part of a secret that no longer matches.
pub(crate) fn redact(text: &str, secrets: &[&str]) -> String {
    // Every intermediate copy may still hold a secret: each is wiped when replaced.
    let mut text = Zeroizing::new(text.to_owned());
    for secret in secrets.iter().filter(|s| s.len() >= MIN_SECRET_LEN) {
        for form in encodings(secret) {
            if text.contains(form.as_str()) {
                text = Zeroizing::new(text.replace(form.as_str(), REDACTED));
            }
        }
    }
    redact_token_shapes(&text)
}

/// Returns the longest prefix of `text` of at most `max_bytes` bytes that neither splits a
/// character nor ends inside a word: a word cut by the window is left out whole.
pub(crate) fn window(text: &str, max_bytes: usize) -> &str {
    if text.len() <= max_bytes {
        return text;
    }
    let mut cut = max_bytes;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text.get(..safe_cut(text, cut)).unwrap_or("")
}

/// Returns where to cut `text` (at or before the char boundary `cut`) so that neither a
/// `[redacted]` marker nor a token-shaped word is split.
fn safe_cut(text: &str, cut: usize) -> usize {
    let window_start = cut.saturating_sub(REDACTED.len() - 1);
    let marker_start = text
        .get(window_start..cut)
        .and_then(|tail| tail.rfind('['))
        .map(|at| window_start + at)
        .filter(|&at| {
            text.get(at..)
                .is_some_and(|rest| rest.starts_with(REDACTED))
        });
    marker_start.unwrap_or_else(|| start_of_cut_word(text, cut))
}

/// Returns where to cut `text` so that a token-shaped word (a run of the characters tokens
/// are made of) around byte `cut` is not split: `cut` itself when it falls between words,
/// else the start of the word it would split. A cut token no longer has the shape the
/// redaction of token-shaped words recognizes, so it is left out whole.
fn start_of_cut_word(text: &str, cut: usize) -> usize {
    let Some((before, after)) = text.split_at_checked(cut) else {
        return 0;
    };
    let in_token = |c: Option<char>| c.is_some_and(is_token_char);
    if in_token(before.chars().next_back()) && in_token(after.chars().next()) {
        before
            .char_indices()
            .rev()
            .find(|(_, c)| !is_token_char(*c))
            .map_or(0, |(i, c)| i + c.len_utf8())
    } else {
        cut
    }
}

/// The forms a server may echo a secret in.
fn encodings(secret: &str) -> Vec<Zeroizing<String>> {
    let mut forms = vec![Zeroizing::new(secret.to_owned())];
    let mut add = |form: String| {
        let form = Zeroizing::new(form);
        if !forms.contains(&form) {
            forms.push(form);
        }
    };
    // JSON: the quoted string without its quotes.
    if let Ok(json) = serde_json::to_string(secret) {
        add(json
            .get(1..json.len().saturating_sub(1))
            .unwrap_or("")
            .to_owned());
    }
    add(secret
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;"));
    let form_encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    add(form_encoded.replace('+', "%20"));
    add(form_encoded);
    forms.retain(|form| !form.is_empty());
    forms
}

/// Returns `text` with every run of at least [`MIN_FRAGMENT_LEN`] characters that is a piece
/// of one of `secrets` replaced by `[redacted]`: what is left when a server echoes only part
/// of a secret. `text` is short (a capped excerpt), so the search can be simple.
fn redact_fragments(text: &str, secrets: &[&str]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    'next: while let Some(first) = rest.chars().next() {
        // The ends of the pieces starting here, longest first.
        let ends: Vec<usize> = rest.char_indices().map(|(i, c)| i + c.len_utf8()).collect();
        for (count, end) in ends.iter().enumerate().rev() {
            if count + 1 < MIN_FRAGMENT_LEN {
                break;
            }
            if let (Some(piece), Some(after)) = (rest.get(..*end), rest.get(*end..))
                && secrets.iter().any(|secret| secret.contains(piece))
            {
                out.push_str(REDACTED);
                rest = after;
                continue 'next;
            }
        }
        out.push(first);
        rest = rest.get(first.len_utf8()..).unwrap_or("");
    }
    out
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
        let text = "xy ".repeat(1000);
        let scrubbed = scrub(&text, &[]);
        assert!(scrubbed.chars().count() <= MAX_CHARS + 1, "{scrubbed}");
        assert!(scrubbed.starts_with("xy xy") && scrubbed.ends_with('…'));
    }

    #[test]
    fn a_token_shaped_word_cut_by_the_cap_is_left_out_whole() {
        // A JWT cut in half no longer has a JWT's shape: it must not show at all.
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlc2lnbmF0dXJl";
        for offset in 150..=MAX_CHARS {
            let text = format!("{}{jwt}", "~".repeat(offset));
            let scrubbed = scrub(&text, &[]);
            assert!(!scrubbed.contains("eyJ"), "{offset}: {scrubbed}");
        }
        assert_eq!(window("abc defgh", 6), "abc ");
        assert_eq!(window("abc defgh", 4), "abc ");
        assert_eq!(window("abc defgh", 3), "abc");
        assert_eq!(window("abc", 10), "abc");
        assert_eq!(window("ab [redacted] c", 8), "ab ");
    }

    #[test]
    fn an_echoed_piece_of_a_secret_is_redacted() {
        let secret = "correct horse battery staple";
        assert_eq!(
            scrub("you sent 'horse battery' which is wrong", &[secret]),
            "you sent '[redacted]' which is wrong"
        );
        // Short common words are not pieces worth hiding.
        assert_eq!(scrub("a horse", &[secret]), "a horse");
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
