//! The stream over every page of a list. A `next` link is followed only when it points to
//! the same list on the base URL's own origin (it only ever supplies a page number: every
//! request goes to the base URL), and only for a bounded number of pages.

use std::{future::Future, num::NonZeroU64};

use futures_util::{Stream, stream};
use url::Url;

use crate::{Error, ErrorKind, Result};

/// How many tokens a page asks for.
pub(crate) const PAGE_SIZE: NonZeroU64 = match NonZeroU64::new(100) {
    Some(size) => size,
    None => NonZeroU64::MIN,
};

/// The most pages a list reads: 10,000 tokens, far more than Docker Hub lets an account or
/// organization have, and few enough that a server whose list never ends cannot trap the
/// client.
pub(crate) const MAX_PAGES: u64 = 100;

/// One page of a list, as the border read it.
pub(crate) struct Page<T> {
    /// The page's items; one that could not be read is an error in its place.
    pub(crate) items: Vec<Result<T>>,
    /// The `next` link, when Docker Hub sent a non-empty one.
    pub(crate) next: Option<String>,
}

/// Where the stream is between two items.
struct State<T, F> {
    fetch: F,
    /// The list's own URL, which a `next` link must point to.
    list: Option<Url>,
    /// The page to fetch once the buffer is empty; `None` after the last one.
    next: Option<NonZeroU64>,
    fetched: u64,
    buffer: std::vec::IntoIter<Result<T>>,
    /// An error to report once the items of the page before it are out.
    pending: Option<Error>,
}

/// Returns every item of the list at `base_url` + `route`, page after page, fetching page
/// `n` with `fetch(n)`. After an error about a page (not about one item) the stream ends.
pub(crate) fn every_page<T, F, Fut>(
    base_url: &str,
    route: &str,
    fetch: F,
) -> impl Stream<Item = Result<T>> + Send + 'static + use<T, F, Fut>
where
    T: Send + 'static,
    F: FnMut(NonZeroU64) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send,
{
    let state = State {
        fetch,
        list: Url::parse(&format!("{base_url}{route}")).ok(),
        next: Some(NonZeroU64::MIN),
        fetched: 0,
        buffer: Vec::new().into_iter(),
        pending: None,
    };
    stream::unfold(state, |mut state| async move {
        loop {
            if let Some(item) = state.buffer.next() {
                return Some((item, state));
            }
            if let Some(error) = state.pending.take() {
                return Some((Err(error), state));
            }
            let page = state.next.take()?;
            if state.fetched == MAX_PAGES {
                let error = invalid(format!(
                    "the list goes on past {MAX_PAGES} pages of {PAGE_SIZE}: stopped there"
                ));
                return Some((Err(error), state));
            }
            state.fetched += 1;
            let Page { items, next } = match (state.fetch)(page).await {
                Ok(page) => page,
                Err(error) => return Some((Err(error), state)),
            };
            state.buffer = items.into_iter();
            match next.map(|next| follow(state.list.as_ref(), &next, page)) {
                None => {}
                Some(Ok(next)) => state.next = Some(next),
                Some(Err(error)) => state.pending = Some(error),
            }
        }
    })
}

/// Returns the page number of a `next` link that may be followed: on the list's own origin
/// (scheme, host and port), at the list's own path, and further on than `current`.
fn follow(list: Option<&Url>, next: &str, current: NonZeroU64) -> Result<NonZeroU64> {
    // The link is never quoted in the error: it is the server's text.
    let list = list.ok_or_else(|| invalid("the list's address is not a URL"))?;
    let url = list
        .join(next.trim())
        .map_err(|_| invalid("the next page's link is not a URL"))?;
    let same_origin = url.scheme() == list.scheme()
        && url.host_str() == list.host_str()
        && url.port_or_known_default() == list.port_or_known_default();
    if !same_origin {
        return Err(invalid(
            "the next page's link points to another origin, which would receive the bearer \
             token: not followed",
        ));
    }
    if url.path().trim_end_matches('/') != list.path().trim_end_matches('/') {
        return Err(invalid(
            "the next page's link points outside the list: not followed",
        ));
    }
    let page = url
        .query_pairs()
        .find(|(name, _)| name == "page")
        .and_then(|(_, value)| value.parse::<u64>().ok())
        .and_then(NonZeroU64::new)
        .ok_or_else(|| invalid("the next page's link has no page number"))?;
    if page <= current {
        return Err(invalid(format!(
            "the link after page {current} leads back to page {page}: the list does not end"
        )));
    }
    Ok(page)
}

fn invalid(detail: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::new(ErrorKind::InvalidResponse)
        .with_status(200)
        .with_detail(detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> Url {
        Url::parse("http://127.0.0.1:8080/hub/v2/access-tokens").unwrap()
    }

    fn follow_from_1(next: &str) -> Result<NonZeroU64> {
        follow(Some(&list()), next, NonZeroU64::MIN)
    }

    #[test]
    fn next_links_on_the_same_list_give_their_page() {
        for next in [
            "http://127.0.0.1:8080/hub/v2/access-tokens?page=2&page_size=100",
            "http://127.0.0.1:8080/hub/v2/access-tokens/?page_size=100&page=2",
            "/hub/v2/access-tokens?page=2",
            "?page=2",
        ] {
            assert_eq!(follow_from_1(next).unwrap().get(), 2, "{next}");
        }
    }

    #[test]
    fn links_elsewhere_are_refused() {
        for next in [
            "https://127.0.0.1:8080/hub/v2/access-tokens?page=2",
            "http://127.0.0.2:8080/hub/v2/access-tokens?page=2",
            "http://127.0.0.1:8081/hub/v2/access-tokens?page=2",
            "http://127.0.0.1/hub/v2/access-tokens?page=2",
            "//evil.example/hub/v2/access-tokens?page=2",
            "http://127.0.0.1:8080/v2/access-tokens?page=2",
            "http://127.0.0.1:8080/hub/v2/repositories?page=2",
            "http://127.0.0.1:8080/hub/v2/access-tokens?page=1",
            "http://127.0.0.1:8080/hub/v2/access-tokens?page=x",
            "http://127.0.0.1:8080/hub/v2/access-tokens",
            "http://[::1",
        ] {
            let error = follow_from_1(next).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidResponse, "{next}");
        }
    }
}
