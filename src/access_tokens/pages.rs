//! The stream over every page of a list. Pages are asked for by number (`page=1`, `2`, …)
//! while an answer says there is a next page (a non-empty `next`), for a bounded number of
//! pages. The `next` link itself is never followed and never read: every request goes to
//! the base URL, so the bearer token goes nowhere else, and a list works behind a mirror or
//! against a server whose links name another host (Docker's own example names
//! `hub.docker.com`).

use std::{future::Future, num::NonZeroU64};

use futures_util::{Stream, stream};

use crate::error::{Error, ErrorKind, Result};

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
    /// Whether Docker Hub said there is a next page (a non-empty `next`).
    pub(crate) has_next: bool,
}

/// Where the stream is between two items.
struct State<T, F> {
    fetch: F,
    /// The page to fetch once the buffer is empty; `None` after the last one.
    next: Option<NonZeroU64>,
    buffer: std::vec::IntoIter<Result<T>>,
}

/// Returns every item of a list, page after page, fetching page `n` with `fetch(n)`. After
/// an error about a page (not about one item) the stream ends.
pub(crate) fn every_page<T, F, Fut>(
    fetch: F,
) -> impl Stream<Item = Result<T>> + Send + 'static + use<T, F, Fut>
where
    T: Send + 'static,
    F: FnMut(NonZeroU64) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send,
{
    let state = State {
        fetch,
        next: Some(NonZeroU64::MIN),
        buffer: Vec::new().into_iter(),
    };
    stream::unfold(state, |mut state| async move {
        loop {
            if let Some(item) = state.buffer.next() {
                return Some((item, state));
            }
            let page = state.next.take()?;
            if page.get() > MAX_PAGES {
                return Some((Err(too_long()), state));
            }
            let Page { items, has_next } = match (state.fetch)(page).await {
                Ok(page) => page,
                Err(error) => return Some((Err(error), state)),
            };
            state.buffer = items.into_iter();
            if has_next {
                state.next = page.checked_add(1);
            }
        }
    })
}

fn too_long() -> Error {
    Error::new(ErrorKind::InvalidResponse)
        .with_status(200)
        .with_detail(format!(
            "the list goes on past {MAX_PAGES} pages of {PAGE_SIZE}: stopped there"
        ))
}
