//! The `WWW-Authenticate` challenges of a registry (RFC 9110 §11.6.1), and the rule for the
//! realm they name: where credentials may be sent.
//!
//! The parser takes whatever a server sends: several challenges in one header, quoted
//! strings with escapes and commas, any case of the scheme, `token68` credentials, and
//! garbage, which it skips. It never panics (`fuzz/fuzz_targets/challenge.rs`).

use url::Url;

use crate::{
    base_url::is_loopback,
    error::{Error, ErrorKind, Result},
};

/// One challenge: a scheme and its parameters (names lowercased, values unquoted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Challenge {
    pub(crate) scheme: String,
    pub(crate) params: Vec<(String, String)>,
}

impl Challenge {
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// What a Bearer challenge says: where the token service is and which service to ask for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Bearer {
    pub(crate) realm: String,
    pub(crate) service: Option<String>,
}

/// Returns the first Bearer challenge with a realm among `headers` (the values of every
/// `WWW-Authenticate` header of one answer).
pub(crate) fn bearer<'a>(headers: impl IntoIterator<Item = &'a str>) -> Option<Bearer> {
    headers
        .into_iter()
        .flat_map(parse)
        .filter(|challenge| challenge.scheme.eq_ignore_ascii_case("bearer"))
        .find_map(|challenge| {
            let realm = challenge.param("realm").filter(|r| !r.trim().is_empty())?;
            Some(Bearer {
                realm: realm.trim().to_owned(),
                service: challenge
                    .param("service")
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
            })
        })
}

/// Parses one `WWW-Authenticate` value into its challenges, skipping what is not one.
pub(crate) fn parse(header: &str) -> Vec<Challenge> {
    let mut cursor = Cursor { rest: header };
    let mut challenges: Vec<Challenge> = Vec::new();
    loop {
        cursor.skip_separators();
        if cursor.rest.is_empty() {
            return challenges;
        }
        let Some(token) = cursor.token() else {
            // Not the start of a challenge or a parameter: skip to the next element.
            cursor.skip_element();
            continue;
        };
        cursor.skip_spaces();
        if cursor.rest.starts_with('=') {
            let after_equals = cursor.rest.trim_start_matches('=');
            let after_equals = after_equals.trim_start_matches([' ', '\t']);
            if after_equals.is_empty() || after_equals.starts_with(',') {
                // `token68=` without a scheme before it: not a challenge.
                cursor.rest = after_equals;
                continue;
            }
            cursor.rest = cursor.rest.get(1..).unwrap_or("");
            cursor.skip_spaces();
            let value = cursor.value();
            // A parameter before any scheme belongs to nothing and is dropped.
            if let Some(challenge) = challenges.last_mut() {
                challenge.params.push((token.to_ascii_lowercase(), value));
            }
            continue;
        }
        // A new scheme, maybe followed by a token68 (`Basic dXNlcg==`), which is kept as a
        // parameter without a name.
        let mut challenge = Challenge {
            scheme: token.to_owned(),
            params: Vec::new(),
        };
        if let Some(token68) = cursor.token68() {
            challenge.params.push((String::new(), token68.to_owned()));
        }
        challenges.push(challenge);
    }
}

struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    fn skip_spaces(&mut self) {
        self.rest = self.rest.trim_start_matches([' ', '\t']);
    }

    fn skip_separators(&mut self) {
        self.rest = self.rest.trim_start_matches([' ', '\t', ',']);
    }

    /// Skips to the next `,` outside a quoted string.
    fn skip_element(&mut self) {
        while let Some(c) = self.rest.chars().next() {
            if c == ',' {
                return;
            }
            if c == '"' {
                let _ = self.quoted();
            } else {
                self.rest = self.rest.get(c.len_utf8()..).unwrap_or("");
            }
        }
    }

    /// Takes an RFC 9110 token: `!#$%&'*+-.^_`|~`, digits and letters.
    fn token(&mut self) -> Option<&'a str> {
        let len = self
            .rest
            .find(|c: char| !is_token_char(c))
            .unwrap_or(self.rest.len());
        let (token, rest) = self.rest.split_at_checked(len)?;
        if token.is_empty() {
            return None;
        }
        self.rest = rest;
        Some(token)
    }

    /// Takes a token68 after a scheme (`dXNlcg==`), if what follows is one rather than a
    /// parameter (a token followed by `=` and a value).
    fn token68(&mut self) -> Option<&'a str> {
        let rest = self.rest;
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || "-._~+/".contains(c)))
            .unwrap_or(rest.len());
        if len == 0 {
            return None;
        }
        let padded = rest
            .get(len..)
            .map_or(0, |after| after.len() - after.trim_start_matches('=').len());
        let (token68, after) = rest.split_at_checked(len + padded)?;
        let after = after.trim_start_matches([' ', '\t']);
        if after.is_empty() || after.starts_with(',') {
            self.rest = after;
            Some(token68)
        } else {
            None
        }
    }

    /// Takes a parameter value: a quoted string, or a token up to the next `,`.
    fn value(&mut self) -> String {
        if self.rest.starts_with('"') {
            return self.quoted();
        }
        let len = self.rest.find(',').unwrap_or(self.rest.len());
        let (value, rest) = self.rest.split_at_checked(len).unwrap_or((self.rest, ""));
        self.rest = rest;
        value.trim_end_matches([' ', '\t']).to_owned()
    }

    /// Takes a quoted string, starting at its `"`, resolving `\x` escapes. An unterminated
    /// string runs to the end.
    fn quoted(&mut self) -> String {
        let mut value = String::new();
        let mut chars = self.rest.char_indices().skip(1);
        while let Some((at, c)) = chars.next() {
            match c {
                '"' => {
                    self.rest = self.rest.get(at + 1..).unwrap_or("");
                    return value;
                }
                '\\' => match chars.next() {
                    Some((_, escaped)) => value.push(escaped),
                    None => break,
                },
                c => value.push(c),
            }
        }
        self.rest = "";
        value
    }
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

/// Returns the realm as a URL credentials may be sent to, or why not.
///
/// A realm is the server's word, so one that is not a usable URL is an invalid answer. One on
/// `http://` is refused when `with_credentials` (Basic credentials would cross in clear),
/// unless its host is loopback or `allow_http` was set; nothing has been sent to it then.
pub(crate) fn realm_url(realm: &str, with_credentials: bool, allow_http: bool) -> Result<Url> {
    let invalid =
        |detail: &'static str| Err(Error::new(ErrorKind::InvalidResponse).with_detail(detail));
    let Ok(url) = Url::parse(realm) else {
        return invalid("the registry's challenge names a realm that is not a URL");
    };
    if url.host().is_none() || url.cannot_be_a_base() {
        return invalid("the registry's challenge names a realm without a host");
    }
    if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
        return invalid("the registry's challenge names a realm with credentials or a fragment");
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if !with_credentials || allow_http || is_loopback(&url) => Ok(url),
        "http" => Err(Error::invalid_input(
            "the registry's token service (its realm) uses http:// on a host that is not \
             loopback: credentials are not sent in clear",
        )),
        _ => invalid("the registry's challenge names a realm that is not http(s)"),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn challenge(scheme: &str, params: &[(&str, &str)]) -> Challenge {
        Challenge {
            scheme: scheme.to_owned(),
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn docker_hubs_challenge_is_read() {
        let header = r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io""#;
        assert_eq!(
            bearer([header]),
            Some(Bearer {
                realm: "https://auth.docker.io/token".into(),
                service: Some("registry.docker.io".into()),
            })
        );
    }

    #[test]
    fn quoted_strings_keep_commas_and_resolve_escapes() {
        let header = r#"Bearer realm="https://a.example/t?x=1,2", service="a \"quoted\" \\ name",scope="repository:a/b:pull,push""#;
        assert_eq!(
            parse(header),
            vec![challenge(
                "Bearer",
                &[
                    ("realm", "https://a.example/t?x=1,2"),
                    ("service", r#"a "quoted" \ name"#),
                    ("scope", "repository:a/b:pull,push"),
                ]
            )]
        );
    }

    #[test]
    fn several_challenges_in_one_header_and_any_case() {
        let header = r#"Basic realm="Registry", BEARER realm="https://auth.example/token" , service=reg.example, Negotiate"#;
        assert_eq!(
            parse(header),
            vec![
                challenge("Basic", &[("realm", "Registry")]),
                challenge(
                    "BEARER",
                    &[
                        ("realm", "https://auth.example/token"),
                        ("service", "reg.example")
                    ]
                ),
                challenge("Negotiate", &[]),
            ]
        );
        assert_eq!(
            bearer([header]).map(|b| b.realm),
            Some("https://auth.example/token".into())
        );
    }

    #[test]
    fn token68_credentials_are_not_parameters() {
        assert_eq!(
            parse("Basic dXNlcjpwYXNz==, bearer realm=x"),
            vec![
                challenge("Basic", &[("", "dXNlcjpwYXNz==")]),
                challenge("bearer", &[("realm", "x")]),
            ]
        );
    }

    #[test]
    fn challenges_are_read_across_header_lines() {
        let lines = ["Basic realm=\"x\"", "Bearer realm=\"https://t.example/\""];
        assert_eq!(
            bearer(lines).map(|b| b.realm),
            Some("https://t.example/".into())
        );
    }

    #[test]
    fn garbage_is_skipped_and_a_bearer_without_realm_is_no_challenge() {
        assert_eq!(bearer(["Bearer service=\"x\""]), None);
        assert_eq!(bearer(["Bearer realm=\"\""]), None);
        assert_eq!(bearer([""]), None);
        assert_eq!(parse("=,=\"x\",\"unterminated"), vec![]);
        assert_eq!(
            bearer(["(junk) \"q,\" , Bearer realm=\"https://r.example\""]).map(|b| b.realm),
            Some("https://r.example".into())
        );
        assert_eq!(
            parse("Bearer realm=\"unterminated, service=x"),
            vec![challenge("Bearer", &[("realm", "unterminated, service=x")])]
        );
    }

    #[test]
    fn credentials_go_to_https_and_loopback_realms_only() {
        for realm in [
            "https://auth.docker.io/token",
            "http://127.0.0.1:5001/token",
            "http://localhost/token",
            "http://[::1]:1/t",
        ] {
            assert!(realm_url(realm, true, false).is_ok(), "{realm}");
        }
        let refused = realm_url("http://auth.example.test/token", true, false).unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::InvalidInput);
        assert!(realm_url("http://auth.example.test/token", false, false).is_ok());
        assert!(realm_url("http://auth.example.test/token", true, true).is_ok());
        for realm in [
            "/token",
            "ftp://a.example/",
            "https://u:p@a.example/",
            "data:x",
        ] {
            let error = realm_url(realm, true, false).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidResponse, "{realm}");
        }
    }

    fn quote(value: &str) -> String {
        format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
    }

    proptest! {
        #[test]
        fn any_header_parses_without_panic(header in "\\PC{0,80}") {
            let _ = bearer([header.as_str()]);
        }

        #[test]
        fn quoted_values_come_back_as_they_were(
            realm in "[^\\x00-\\x1f]{1,40}",
            service in "[^\\x00-\\x1f]{0,20}",
            scheme in "(?i:bearer)",
            before_basic in any::<bool>(),
        ) {
            prop_assume!(!realm.trim().is_empty());
            let mut header = format!("{scheme} realm={}, service={}", quote(&realm), quote(&service));
            if before_basic {
                header = format!("Basic realm=\"a,b\", {header}");
            } else {
                header = format!("{header}, Basic realm=\"a,b\"");
            }
            let found = bearer([header.as_str()]).unwrap();
            prop_assert_eq!(found.realm, realm.trim());
            prop_assert_eq!(found.service, Some(service).filter(|s| !s.is_empty()));
        }
    }
}
