//! What an error body says: the server's own message from its JSON (Hub's `detail`,
//! `message` or `error`; a registry's `errors` list or `details`), or else a short excerpt
//! of the text, cut only after the request's secrets were redacted from all of it.

use crate::{registry_codegen, scrub};

/// Returns the server's message from a JSON error body, or else a short excerpt of the body,
/// with `secrets` redacted from the whole body before any excerpt is cut from it.
///
/// Hub's bodies carry `detail`, `message` or `error`; an OAuth2 service's `error` and
/// `error_description` (the description is shown); a registry's and its token service's
/// carry `errors: [{code, message, detail}]` (shown as docker shows them, `denied: requested
/// access to the resource is denied`) or, on some of Docker Hub's paths, `details`.
pub(super) fn describe_body(body: &[u8], secrets: &[&str]) -> (Option<String>, Option<String>) {
    if let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice(body) {
        // `error_description` before `error`: RFC 6749's `error` is only a code.
        let message = ["detail", "message", "error_description", "error", "details"]
            .into_iter()
            .find_map(|name| fields.get(name)?.as_str())
            .filter(|message| !message.trim().is_empty())
            .map(str::to_owned)
            .or_else(|| registry_errors(serde_json::Value::Object(fields)));
        if let Some(message) = message {
            return (Some(message), None);
        }
    }
    (None, excerpt_of_text(body, secrets))
}

/// Returns the `errors` of a registry's error body, each as `code: message`, joined by `; `.
fn registry_errors(body: serde_json::Value) -> Option<String> {
    let body: registry_codegen::types::RegistryErrorBody = serde_json::from_value(body).ok()?;
    let errors: Vec<String> = body
        .errors
        .iter()
        .filter_map(|error| {
            let code = error.code.as_deref().map(str::to_ascii_lowercase);
            match (code, error.message.as_deref()) {
                (Some(code), Some(message)) => Some(format!("{code}: {message}")),
                (Some(text), None) => Some(text),
                (None, Some(text)) => Some(text.to_owned()),
                (None, None) => None,
            }
        })
        .filter(|text| !text.trim().is_empty())
        .collect();
    (!errors.is_empty()).then(|| errors.join("; "))
}

/// The bytes of a body an excerpt looks at; the excerpt itself is shorter still.
pub(super) const EXCERPT_WINDOW: usize = 4096;

/// Returns the start of a body as text, or the `<title>` of an HTML page.
///
/// The secrets are redacted from the whole body first: a window cut before redaction could
/// split a secret so that what is left of it no longer matches. A word cut by the window is
/// left out.
fn excerpt_of_text(body: &[u8], secrets: &[&str]) -> Option<String> {
    let text = scrub::redact(&String::from_utf8_lossy(body), secrets);
    let text = scrub::window(&text, EXCERPT_WINDOW);
    let title = text.to_ascii_lowercase().find("<title>").and_then(|start| {
        let rest = text.get(start + "<title>".len()..)?;
        let end = rest
            .to_ascii_lowercase()
            .find("</title>")
            .unwrap_or(rest.len());
        rest.get(..end)
    });
    let excerpt = title.unwrap_or(text).trim();
    (!excerpt.is_empty()).then(|| excerpt.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_errors_give_hubs_message() {
        let (message, excerpt) = describe_body(br#"{"message":"unauthorized","errinfo":{}}"#, &[]);
        assert_eq!(message.as_deref(), Some("unauthorized"));
        assert_eq!(excerpt, None);
        let (message, _) = describe_body(
            br#"{"detail":"Incorrect authentication credentials","message":"x"}"#,
            &[],
        );
        assert_eq!(
            message.as_deref(),
            Some("Incorrect authentication credentials")
        );
    }

    #[test]
    fn registry_errors_give_code_and_message() {
        let (message, _) = describe_body(
            br#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":[{"Type":"repository"}]}]}"#,
            &[],
        );
        assert_eq!(
            message.as_deref(),
            Some("unauthorized: authentication required")
        );
        let (message, _) = describe_body(
            br#"{"errors":[{"code":"DENIED","message":"a"},{"message":"b"},{"code":"X"},{}]}"#,
            &[],
        );
        assert_eq!(message.as_deref(), Some("denied: a; b; x"));
        let (message, _) = describe_body(br#"{"details":"incorrect username or password"}"#, &[]);
        assert_eq!(message.as_deref(), Some("incorrect username or password"));
        let (message, excerpt) = describe_body(br#"{"errors":"not a list"}"#, &[]);
        assert_eq!((message, excerpt.is_some()), (None, true));
    }

    #[test]
    fn html_pages_give_their_title() {
        let page = b"<html><head><TITLE>502 Bad Gateway</TITLE></head><body>nginx</body></html>";
        assert_eq!(
            describe_body(page, &[]),
            (None, Some("502 Bad Gateway".to_owned()))
        );
    }

    #[test]
    fn plain_text_gives_its_start() {
        assert_eq!(
            describe_body(b"Too Many Requests (HAP429).\n", &[]),
            (None, Some("Too Many Requests (HAP429).".to_owned()))
        );
        assert_eq!(describe_body(b"  ", &[]), (None, None));
    }

    #[test]
    fn invalid_utf8_and_cut_characters_do_not_panic() {
        let mut body = vec![b'a'; EXCERPT_WINDOW - 1];
        body.extend_from_slice("é".as_bytes()); // cut in half by the window
        body.extend_from_slice(&[0xff, 0xfe]);
        let (_, excerpt) = describe_body(&body, &[]);
        assert!(excerpt.unwrap().starts_with("aaa"));
    }

    #[test]
    fn a_token_cut_by_the_excerpt_window_is_left_out_whole() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";
        for offset in EXCERPT_WINDOW - jwt.len() + 1..EXCERPT_WINDOW {
            let mut body = b"start ".to_vec();
            body.resize(offset, b'~');
            body.extend_from_slice(jwt.as_bytes());
            let (_, excerpt) = describe_body(&body, &[]);
            let excerpt = excerpt.unwrap();
            assert!(excerpt.starts_with("start"), "{offset}");
            assert!(!excerpt.contains("eyJ"), "{offset}: {excerpt}");
        }
    }
}
