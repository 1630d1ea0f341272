//! [`PullLimit`]: what Docker Hub says about an account's (or an address's) pull limit, read
//! from the headers of the probe's answer.

use std::time::Duration;

use http::HeaderMap;

/// The repository Docker documents for checking the pull limit: a `HEAD` of its manifest with
/// a pull token answers with the limit in its headers and is not counted as a pull
/// (<https://docs.docker.com/docker-hub/usage/pulls/>).
pub(crate) const PROBE_REPOSITORY: (&str, &str) = ("ratelimitpreview", "test");

/// The tag of the probe's manifest.
pub(crate) const PROBE_REFERENCE: &str = "latest";

/// The longest `docker-ratelimit-source` kept, in characters.
const MAX_SOURCE_CHARS: usize = 100;

/// The pull limit a registry reported, from [`Registry::pull_limit`](crate::Registry::pull_limit).
///
/// Docker Hub answers with `ratelimit-limit: 100;w=21600` (100 pulls per 21,600 seconds),
/// `ratelimit-remaining: 76;w=21600` and `docker-ratelimit-source` (the client's address, or
/// the account's id when authenticated). Each part may be missing: an account without a pull
/// limit gets no such headers, and registries other than Docker Hub never send them. What
/// was not reported is `None`, never zero; [`is_reported`](Self::is_reported) tells the two
/// cases apart. The window is read from `w=`, never assumed: Docker has changed it before.
///
/// ```
/// # let limit = dockerhub_auth::PullLimit::default();
/// match (limit.remaining(), limit.limit()) {
///     (Some(remaining), Some(limit)) => println!("{remaining} of {limit} pulls left"),
///     _ if !limit.is_reported() => println!("no pull limit reported"),
///     _ => println!("partly reported: {limit:?}"),
/// }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PullLimit {
    limit: Option<u64>,
    remaining: Option<u64>,
    window: Option<Duration>,
    source: Option<String>,
}

impl PullLimit {
    /// Reads the pull limit from the headers of an answer. Headers that are missing or
    /// cannot be parsed leave their part `None`.
    pub(crate) fn from_headers(headers: &HeaderMap) -> PullLimit {
        let value = |name: &str| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::trim)
        };
        let limit = value("ratelimit-limit").and_then(parse_quota);
        let remaining = value("ratelimit-remaining").and_then(parse_quota);
        PullLimit {
            limit: limit.map(|quota| quota.0),
            remaining: remaining.map(|quota| quota.0),
            window: limit
                .and_then(|quota| quota.1)
                .or(remaining.and_then(|quota| quota.1)),
            source: value("docker-ratelimit-source")
                .filter(|source| !source.is_empty())
                .map(|source| source.chars().take(MAX_SOURCE_CHARS).collect()),
        }
    }

    /// Returns how many pulls the window allows, when reported.
    pub fn limit(&self) -> Option<u64> {
        self.limit
    }

    /// Returns how many pulls are left in the current window, when reported.
    pub fn remaining(&self) -> Option<u64> {
        self.remaining
    }

    /// Returns the length of the window the limit applies to (`w=` in the headers), when
    /// reported.
    pub fn window(&self) -> Option<Duration> {
        self.window
    }

    /// Returns what the limit is counted against, when reported: the client's IP address
    /// for anonymous pulls, the account's id for authenticated ones.
    pub fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    /// Returns whether the registry reported a limit or a remainder at all. `false` means
    /// the account has no pull limit, or the registry does not report one.
    pub fn is_reported(&self) -> bool {
        self.limit.is_some() || self.remaining.is_some()
    }
}

/// Parses a quota header: `100;w=21600`, `100`, or the list form of the IETF draft these
/// headers come from, `100, 100;w=21600` (the first number is the quota; the window is the
/// first `w=` of a policy with that quota, else the first `w=` at all). `None` when it has no
/// number to start with.
fn parse_quota(value: &str) -> Option<(u64, Option<Duration>)> {
    let mut items = value.split(',').map(str::trim);
    let first = items.next()?;
    let quota = leading_number(first)?;
    let window_of = |item: &str| {
        item.split(';').skip(1).find_map(|parameter| {
            let (name, value) = parameter.split_once('=')?;
            if !name.trim().eq_ignore_ascii_case("w") {
                return None;
            }
            let value = value.trim().trim_matches('"');
            value.parse::<u64>().ok().map(Duration::from_secs)
        })
    };
    let windows: Vec<(bool, Duration)> = std::iter::once(first)
        .chain(items)
        .filter_map(|item| Some((leading_number(item) == Some(quota), window_of(item)?)))
        .collect();
    let window = windows
        .iter()
        .find(|(same_quota, _)| *same_quota)
        .or(windows.first())
        .map(|(_, window)| *window);
    Some((quota, window))
}

/// Returns the number an item starts with (`76` of `76;w=21600`).
fn leading_number(item: &str) -> Option<u64> {
    item.split(';').next()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| (http::HeaderName::from_static(name), value.parse().unwrap()))
            .collect()
    }

    #[test]
    fn docker_hubs_headers_give_every_part() {
        let limit = PullLimit::from_headers(&headers(&[
            ("ratelimit-limit", "100;w=21600"),
            ("ratelimit-remaining", "76;w=21600"),
            ("docker-ratelimit-source", "203.0.113.7"),
        ]));
        assert_eq!(limit.limit(), Some(100));
        assert_eq!(limit.remaining(), Some(76));
        assert_eq!(limit.window(), Some(Duration::from_secs(21_600)));
        assert_eq!(limit.source(), Some("203.0.113.7"));
        assert!(limit.is_reported());
    }

    #[test]
    fn no_headers_is_not_reported_rather_than_zero() {
        let limit = PullLimit::from_headers(&HeaderMap::new());
        assert_eq!(limit, PullLimit::default());
        assert_eq!(limit.remaining(), None);
        assert!(!limit.is_reported());
    }

    #[test]
    fn zero_left_is_reported_as_zero() {
        let limit = PullLimit::from_headers(&headers(&[
            ("ratelimit-limit", "100;w=21600"),
            ("ratelimit-remaining", "0;w=21600"),
        ]));
        assert_eq!(limit.remaining(), Some(0));
        assert!(limit.is_reported());
    }

    #[test]
    fn every_form_of_the_quota_is_read() {
        let cases = [
            ("100;w=21600", Some((100, Some(21_600)))),
            ("100", Some((100, None))),
            (" 100 ; w = 3600 ", Some((100, Some(3_600)))),
            ("100;W=\"3600\"", Some((100, Some(3_600)))),
            ("100;comment=\"x\";w=3600", Some((100, Some(3_600)))),
            ("100, 100;w=21600", Some((100, Some(21_600)))),
            ("10, 50;w=60, 10;w=1", Some((10, Some(1)))),
            ("10, 50;w=60", Some((10, Some(60)))),
            ("100;w=soon", Some((100, None))),
            ("", None),
            ("-1;w=60", None),
            ("lots", None),
            ("w=60", None),
        ];
        for (value, expected) in cases {
            let expected = expected.map(|(quota, window)| (quota, window.map(Duration::from_secs)));
            assert_eq!(parse_quota(value), expected, "{value:?}");
        }
    }

    #[test]
    fn the_window_may_come_from_either_header() {
        let limit = PullLimit::from_headers(&headers(&[
            ("ratelimit-limit", "200"),
            ("ratelimit-remaining", "199;w=3600"),
        ]));
        assert_eq!(limit.window(), Some(Duration::from_secs(3_600)));
        let only_remaining = PullLimit::from_headers(&headers(&[("ratelimit-remaining", "5")]));
        assert_eq!(
            (only_remaining.limit(), only_remaining.remaining()),
            (None, Some(5))
        );
    }

    proptest! {
        #[test]
        fn any_header_value_parses_without_panic(value in "\\PC{0,60}") {
            let _ = parse_quota(&value);
        }
    }
}
