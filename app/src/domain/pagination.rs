//! Page-based pagination: a validated request (`page` ≥ 1, 1 ≤ `per_page` ≤ 100) and a page of
//! results that knows its totals. Every list in Oxcart goes through these two types.

use serde::{Deserialize, Serialize};

use crate::error::{AppError, FieldErrors};

/// Largest page a client may ask for.
pub const MAX_PER_PAGE: u32 = 100;
/// Page size when the client does not say.
pub const DEFAULT_PER_PAGE: u32 = 20;

/// A validated page request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    pub page: u32,
    pub per_page: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
        }
    }
}

impl PageRequest {
    /// Parses raw query values; absent values take the defaults. Every bad field is reported.
    pub fn parse(page: Option<&str>, per_page: Option<&str>) -> Result<Self, AppError> {
        let mut errors = FieldErrors::new();
        let mut field = |name: &str, raw: Option<&str>, default: u32, max: u32| -> u32 {
            let Some(raw) = raw.map(str::trim) else {
                return default;
            };
            match raw.parse::<u64>() {
                Ok(n) if n >= 1 && n <= u64::from(max) => n as u32,
                Ok(0) => {
                    errors.entry(name.into()).or_default().push("must be at least 1".into());
                    default
                }
                Ok(_) => {
                    errors
                        .entry(name.into())
                        .or_default()
                        .push(format!("must be at most {max}"));
                    default
                }
                Err(_) => {
                    errors
                        .entry(name.into())
                        .or_default()
                        .push("must be a whole number".into());
                    default
                }
            }
        };
        let page = field("page", page, 1, 1_000_000);
        let per_page = field("per_page", per_page, DEFAULT_PER_PAGE, MAX_PER_PAGE);
        if errors.is_empty() {
            Ok(Self { page, per_page })
        } else {
            Err(AppError::validation(errors))
        }
    }

    /// Rows to skip for this page.
    pub fn offset(&self) -> i64 {
        (i64::from(self.page) - 1) * i64::from(self.per_page)
    }

    pub fn limit(&self) -> i64 {
        i64::from(self.per_page)
    }
}

/// One page of results with the totals needed to navigate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, request: PageRequest, total: u64) -> Self {
        Self {
            items,
            page: request.page,
            per_page: request.per_page,
            total,
        }
    }

    /// Number of pages; an empty list still has one (empty) page.
    pub fn total_pages(&self) -> u32 {
        let pages = self.total.div_ceil(u64::from(self.per_page.max(1)));
        u32::try_from(pages.max(1)).unwrap_or(u32::MAX)
    }

    pub fn has_next(&self) -> bool {
        self.page < self.total_pages()
    }

    pub fn has_prev(&self) -> bool {
        self.page > 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_when_absent() {
        assert_eq!(
            PageRequest::parse(None, None).unwrap(),
            PageRequest { page: 1, per_page: 20 }
        );
    }

    #[test]
    fn accepts_the_bounds() {
        let req = PageRequest::parse(Some("3"), Some("100")).unwrap();
        assert_eq!((req.page, req.per_page, req.offset()), (3, 100, 200));
    }

    #[test]
    fn reports_every_bad_field() {
        let err = PageRequest::parse(Some("0"), Some("101")).unwrap_err();
        assert_eq!(err.field("page"), ["must be at least 1"]);
        assert_eq!(err.field("per_page"), ["must be at most 100"]);
        let err = PageRequest::parse(Some("two"), Some("-1")).unwrap_err();
        assert_eq!(err.field("page"), ["must be a whole number"]);
        assert_eq!(err.field("per_page"), ["must be a whole number"]);
    }

    #[test]
    fn counts_pages() {
        let req = PageRequest { page: 2, per_page: 10 };
        let page = Page::new(vec![(); 10], req, 25);
        assert_eq!(page.total_pages(), 3);
        assert!(page.has_next() && page.has_prev());
        let empty: Page<()> = Page::new(vec![], PageRequest::default(), 0);
        assert_eq!(empty.total_pages(), 1);
        assert!(!empty.has_next());
    }
}
