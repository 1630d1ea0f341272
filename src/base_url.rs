//! Checks and normalizes the base URL every request is sent to.

use url::{Host, Url};

use crate::{Error, Result};

/// Returns `input` as the base URL the generated client joins paths to: no trailing slash,
/// a path prefix kept (`https://proxy.example/hub/` becomes `https://proxy.example/hub`).
///
/// # Errors
///
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a URL that does not
/// parse, is not `http` or `https`, carries credentials, a query or a fragment, or uses
/// `http://` for a host that is not loopback while `allow_http` is false.
pub(crate) fn normalize(input: &str, allow_http: bool) -> Result<String> {
    // The input is never echoed: it might hold credentials.
    let url = Url::parse(input.trim())
        .map_err(|_| Error::invalid_input("the base URL is not a valid absolute URL"))?;
    if url.cannot_be_a_base() || url.host().is_none() {
        return Err(Error::invalid_input("the base URL has no host"));
    }
    match url.scheme() {
        "https" => {}
        "http" if allow_http || is_loopback(&url) => {}
        "http" => {
            return Err(Error::invalid_input(
                "the base URL uses http:// for a host that is not loopback; use https://",
            ));
        }
        _ => {
            return Err(Error::invalid_input(
                "the base URL must start with https://",
            ));
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid_input(
            "the base URL must not contain a username or password",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid_input(
            "the base URL must not have a query or a fragment",
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
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
    use crate::ErrorKind;

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
