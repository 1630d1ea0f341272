//! Checks and normalizes the base URL every request is sent to.

use url::{Host, Url};

use crate::{
    error::{Error, Result},
    scrub::scrub,
};

/// Returns `input` as the base URL the generated client joins paths to: no trailing slash,
/// a path prefix kept (`https://proxy.example/hub/` becomes `https://proxy.example/hub`).
///
/// # Errors
///
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a URL that does not
/// parse, is not `http` or `https`, carries credentials, a query or a fragment, or uses
/// `http://` for a host that is not loopback while `allow_http` is false. The message shows
/// the URL as [`shown`] writes it (never its username or password) and, where one is
/// likely, the URL that was meant: `127.0.0.1:18080` gets "did you mean
/// `http://127.0.0.1:18080`?", `hub.docker.com` "did you mean `https://hub.docker.com`?".
pub(crate) fn normalize(input: &str, allow_http: bool) -> Result<String> {
    let refuse = |problem: &str, meant: Option<String>| {
        let mut detail = format!("the base URL {} {problem}", shown(input));
        if let Some(meant) = meant {
            detail.push_str(&format!("; did you mean {}?", shown(&meant)));
        }
        Error::invalid_input(detail)
    };
    if input.trim().is_empty() {
        return Err(refuse("is empty", None));
    }
    let url = match Url::parse(input.trim()) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            return Err(refuse("has no scheme", with_scheme(input)));
        }
        Err(error) => return Err(refuse(&format!("is not a valid URL ({error})"), None)),
    };
    match url.scheme() {
        "https" => {}
        "http" if allow_http || is_loopback(&url) => {}
        "http" => {
            let meant = input
                .trim()
                .split_once("://")
                .map(|(_, rest)| format!("https://{rest}"));
            return Err(refuse(
                "uses http:// for a host that is not loopback, which would send secrets in \
                 clear text",
                meant,
            ));
        }
        // `localhost:8080` and `hub.docker.com:443` parse, as a scheme and a path.
        _ if !input.contains("://") => {
            return Err(refuse("has no scheme", with_scheme(input)));
        }
        _ => {
            return Err(refuse(
                "must start with https:// (or http:// for a loopback host)",
                None,
            ));
        }
    }
    if url.cannot_be_a_base() || url.host().is_none() {
        return Err(refuse("has no host", None));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("must not contain a username or password", None));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(refuse("must not have a query or a fragment", None));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// Returns what `input`, written without a scheme, most likely meant: `http://` in front of
/// a loopback host (a local mock or registry), `https://` in front of any other; `None`
/// when that is not a usable base URL either, or would carry a username or password.
fn with_scheme(input: &str) -> Option<String> {
    let input = input.trim();
    let loopback = Url::parse(&format!("http://{input}"))
        .ok()
        .is_some_and(|url| is_loopback(&url));
    let meant = format!("{}://{input}", if loopback { "http" } else { "https" });
    let url = Url::parse(&meant).ok()?;
    let usable = url.host().is_some()
        && url.username().is_empty()
        && url.password().is_none()
        && url.query().is_none()
        && url.fragment().is_none();
    usable.then_some(meant)
}

/// Returns a base URL, valid or not, in the form an error may show: in quotes, without a
/// username or password (also when it does not parse: whatever precedes an `@` in the
/// authority goes), without a query or fragment, with anything shaped like a token
/// redacted, control characters escaped, and at most a couple of hundred characters long.
pub(crate) fn shown(input: &str) -> String {
    let input = input.trim();
    let (scheme, rest) = match input.split_once("://") {
        Some((scheme, rest)) => (format!("{scheme}://"), rest),
        None => (String::new(), input),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((_, host)) => format!("redacted@{host}"),
        None => authority.to_owned(),
    };
    let path = match path.split_once(['?', '#']) {
        Some((path, _)) => format!("{path}…"),
        None => path.to_owned(),
    };
    format!("\"{}\"", scrub(&format!("{scheme}{authority}{path}"), &[]))
}

/// Returns a base URL that may not have been checked yet in a form safe to print: without
/// its username and password.
pub(crate) fn redacted(input: &str) -> String {
    match Url::parse(input.trim()) {
        Ok(mut url) => {
            if !url.username().is_empty() || url.password().is_some() {
                // Both only fail for URLs that cannot have credentials in the first place.
                let _ = url.set_username("redacted");
                let _ = url.set_password(None);
            }
            url.to_string()
        }
        Err(_) => "(not a valid URL)".to_owned(),
    }
}

/// Returns whether the URL's host is `localhost`, in 127.0.0.0/8, or `::1`.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn trailing_slashes_go_and_path_prefixes_stay() {
        let cases = [
            ("https://hub.docker.com", "https://hub.docker.com"),
            ("https://hub.docker.com/", "https://hub.docker.com"),
            ("https://proxy.example/hub/", "https://proxy.example/hub"),
            ("https://proxy.example/hub//", "https://proxy.example/hub"),
            ("HTTPS://Hub.Docker.COM:443/", "https://hub.docker.com"),
            ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
            ("http://127.1.2.3", "http://127.1.2.3"),
            ("http://localhost:1/x", "http://localhost:1/x"),
            ("http://[::1]:9/", "http://[::1]:9"),
        ];
        for (input, expected) in cases {
            assert_eq!(normalize(input, false).unwrap(), expected, "{input}");
        }
    }

    #[test]
    fn insecure_or_odd_urls_are_refused() {
        for input in [
            "http://hub.docker.com",
            "http://10.0.0.1",
            "http://localhost.evil.example",
            "ftp://hub.docker.com",
            "hub.docker.com",
            "https://user:s3cr3tpw@hub.docker.com",
            "https://s3cr3tpw@hub.docker.com",
            "https://hub.docker.com/?a=b",
            "https://hub.docker.com/#x",
            "",
            "mailto:a@b",
        ] {
            let err = normalize(input, false).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{input}");
            assert!(!format!("{err} {err:?}").contains("s3cr3tpw"), "{err}");
        }
    }

    #[test]
    fn a_url_without_a_scheme_is_shown_with_the_one_it_most_likely_meant() {
        let cases = [
            ("127.0.0.1:18080", "\"http://127.0.0.1:18080\""),
            ("localhost:5000/v2", "\"http://localhost:5000/v2\""),
            ("hub.docker.com", "\"https://hub.docker.com\""),
            ("hub.docker.com:443", "\"https://hub.docker.com:443\""),
            ("http://hub.docker.com/", "\"https://hub.docker.com/\""),
            ("http://hub.docker.com", "\"https://hub.docker.com\""),
        ];
        for (input, meant) in cases {
            let shown = normalize(input, false).unwrap_err().to_string();
            assert!(shown.contains(&format!("\"{input}\"")), "{shown}");
            assert!(
                shown.ends_with(&format!("did you mean {meant}?")),
                "{shown}"
            );
        }
    }

    #[test]
    fn a_url_is_shown_without_its_credentials_even_when_it_does_not_parse() {
        for input in [
            "https://alice:s3cr3tpw@hub.docker.com",
            "alice:s3cr3tpw@hub.docker.com",
            "alice:s3cr3tpw@127.0.0.1:1",
            "ftp://alice:s3cr3tpw@hub.docker.com",
            "https://hub.docker.com/?password=s3cr3tpw",
            "dckr_pat_s3cr3tpw",
        ] {
            let shown = format!("{:?}", normalize(input, false).unwrap_err());
            assert!(!shown.contains("s3cr3tpw"), "{shown}");
        }
        assert_eq!(
            shown("alice:s3cr3tpw@hub.docker.com/x?y#z"),
            "\"redacted@hub.docker.com/x…\""
        );
    }

    #[test]
    fn credentials_are_redacted_for_printing() {
        assert_eq!(
            redacted("https://alice:pw@hub.example/x"),
            "https://redacted@hub.example/x"
        );
        assert_eq!(redacted("https://hub.example/"), "https://hub.example/");
        assert_eq!(redacted("not a url alice:pw"), "(not a valid URL)");
    }

    #[test]
    fn http_can_be_allowed_explicitly() {
        assert_eq!(
            normalize("http://hub.internal/", true).unwrap(),
            "http://hub.internal"
        );
    }
}
