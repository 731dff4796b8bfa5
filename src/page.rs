//! Pages of long lists 分页: an agenda of a city's day or the households of a community are
//! too long for one answer, so a host asks for them a window at a time.
//!
//! A [`PageRequest`] is an offset and a limit (clamped to 1..=[`PageRequest::MAX_LIMIT`]); a
//! [`Page`] holds that window of a list in the list's own order, the list's total length and
//! the offset of the next page, if any. The lists are deterministic (agenda order, pre-order
//! of units), so pages read one after another while nothing changes cover the list exactly
//! once.
//!
//! # Example
//! ```
//! use wangge::page::{Page, PageRequest};
//! let letters = ["a", "b", "c", "d", "e"];
//! let first = Page::of(letters, PageRequest::new(0, 2));
//! assert_eq!((first.items(), first.total(), first.next()), (&["a", "b"][..], 5, Some(2)));
//! let last = Page::of(letters, PageRequest::new(4, 2));
//! assert_eq!((last.items(), last.next()), (&["e"][..], None));
//! ```

use serde::{Deserialize, Serialize};

/// Which window of a list to return: skip `offset` items, return at most `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PageRequest {
    offset: usize,
    limit: usize,
}

impl PageRequest {
    /// The most items a page holds.
    pub const MAX_LIMIT: usize = 1_000;

    /// The window of at most `limit` items from `offset`; `limit` is clamped to
    /// 1..=[`PageRequest::MAX_LIMIT`].
    pub fn new(offset: usize, limit: usize) -> Self {
        PageRequest { offset, limit: limit.clamp(1, Self::MAX_LIMIT) }
    }

    /// The items skipped.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The most items returned.
    pub fn limit(&self) -> usize {
        self.limit
    }
}

impl Default for PageRequest {
    /// The first 100 items.
    fn default() -> Self {
        PageRequest::new(0, 100)
    }
}

/// A window of a list: its items in the list's order, where it starts, the list's length and
/// where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    items: Vec<T>,
    offset: usize,
    total: usize,
    next: Option<usize>,
}

impl<T> Page<T> {
    /// The window `request` asks of `list`.
    ///
    /// # Complexity
    /// O(length of the list): the whole list is walked to count it.
    pub fn of(list: impl IntoIterator<Item = T>, request: PageRequest) -> Self {
        let mut total = 0;
        let mut items = Vec::new();
        for item in list {
            if total >= request.offset && items.len() < request.limit {
                items.push(item);
            }
            total += 1;
        }
        let end = request.offset.saturating_add(items.len());
        Page { items, offset: request.offset, total, next: (end < total).then_some(end) }
    }

    /// The items of the window, in the list's order.
    pub fn items(&self) -> &[T] {
        &self.items
    }

    /// The items, owned.
    pub fn into_items(self) -> Vec<T> {
        self.items
    }

    /// The offset the window starts at.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The length of the whole list.
    pub fn total(&self) -> usize {
        self.total
    }

    /// The offset of the next page, `None` on the last.
    pub fn next(&self) -> Option<usize> {
        self.next
    }
}
