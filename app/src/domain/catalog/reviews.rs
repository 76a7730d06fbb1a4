//! Reviews: one per customer and product, shown once staff approve them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ProductId;
use crate::domain::Fields;
use crate::error::AppError;

/// Identifies a review.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(transparent))]
#[serde(transparent)]
pub struct ReviewId(pub Uuid);

/// Where a review stands in moderation. Only `approved` reviews are public and count towards
/// the product's rating.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "review_status", rename_all = "lowercase"))]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    #[default]
    Pending,
    Approved,
    Rejected,
}

impl ReviewStatus {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw.trim() {
            "pending" => Ok(Self::Pending),
            "approved" => Ok(Self::Approved),
            "rejected" => Ok(Self::Rejected),
            _ => Err("must be one of pending, approved, rejected".into()),
        }
    }
}

/// A review as shown on a product's page (and, with the product named, in moderation).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReviewView {
    pub id: ReviewId,
    pub product_id: ProductId,
    /// The product's name, for moderators reading a queue of many products' reviews.
    pub product_name: String,
    /// The author's display name.
    pub author: String,
    /// 1 to 5.
    pub rating: i16,
    pub title: String,
    pub body: String,
    pub status: ReviewStatus,
    #[cfg_attr(feature = "ssr", schema(value_type = String, format = DateTime))]
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// For optimistic locking of moderation.
    pub version: i32,
}

/// Where the visitor stands with reviewing one product (the product page's review form).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ReviewStanding {
    SignedOut,
    /// Signed in, no review of this product yet: the form is offered.
    NotYet,
    /// The review they wrote (one per product), whatever its status.
    Written(ReviewView),
}

/// `POST /products/{id}/reviews`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreateReview {
    /// 1 to 5.
    #[cfg_attr(feature = "ssr", schema(minimum = 1, maximum = 5))]
    pub rating: i64,
    #[cfg_attr(
        feature = "ssr",
        schema(
            min_length = 1,
            max_length = 200,
            pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
        )
    )]
    pub title: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 5000))]
    pub body: String,
}

/// A review that passed validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewFields {
    pub rating: i16,
    pub title: String,
    pub body: String,
}

impl CreateReview {
    pub fn parse(self) -> Result<ReviewFields, AppError> {
        let mut f = Fields::default();
        let rating = f.check(
            "rating",
            i16::try_from(self.rating)
                .ok()
                .filter(|r| (1..=5).contains(r))
                .ok_or_else(|| "must be a whole number from 1 to 5".to_owned()),
        );
        let title = self.title.trim();
        let title = f.check(
            "title",
            if title.is_empty() {
                Err("is required".to_owned())
            } else if title.chars().count() > 200 || title.chars().any(char::is_control) {
                Err("must be at most 200 characters, without control characters".to_owned())
            } else {
                Ok(title.to_owned())
            },
        );
        let body = self.body.trim();
        let body = f.check(
            "body",
            if body.chars().count() > 5000 {
                Err("must be at most 5000 characters".to_owned())
            } else {
                Ok(body.to_owned())
            },
        );
        f.finish(|| ReviewFields {
            rating: rating.unwrap_or_default(),
            title: title.unwrap_or_default(),
            body: body.unwrap_or_default(),
        })
    }
}

/// `PATCH /reviews/{id}`: a moderator's decision.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ModerateReview {
    /// `approved` or `rejected`.
    #[cfg_attr(feature = "ssr", schema(value_type = String, example = "approved", pattern = r"^(approved|rejected)$"))]
    pub status: String,
    /// The version last seen (or send `If-Match`); stale → 409.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(minimum = 1, maximum = 2147483647))]
    pub version: Option<i32>,
}

impl ModerateReview {
    /// The decision: approved or rejected (a review is never sent back to pending).
    pub fn parse(&self) -> Result<ReviewStatus, AppError> {
        let mut f = Fields::default();
        let status = f.check(
            "status",
            match ReviewStatus::parse(&self.status) {
                Ok(ReviewStatus::Pending) | Err(_) => Err("must be approved or rejected".to_owned()),
                Ok(decided) => Ok(decided),
            },
        );
        f.finish(|| status.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_are_one_to_five_and_titles_required() {
        let err = CreateReview {
            rating: 6,
            title: "  ".into(),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        assert!(!err.field("rating").is_empty() && !err.field("title").is_empty());
        assert!(
            CreateReview {
                rating: 0,
                title: "t".into(),
                ..Default::default()
            }
            .parse()
            .is_err()
        );
        let ok = CreateReview {
            rating: 5,
            title: " Great ".into(),
            body: "Lovely.".into(),
        }
        .parse()
        .unwrap();
        assert_eq!((ok.rating, ok.title.as_str()), (5, "Great"));
    }

    #[test]
    fn moderation_decides_once() {
        let decide = |s: &str| {
            ModerateReview {
                status: s.into(),
                version: None,
            }
            .parse()
        };
        assert_eq!(decide("approved").unwrap(), ReviewStatus::Approved);
        assert_eq!(decide("rejected").unwrap(), ReviewStatus::Rejected);
        assert!(decide("pending").is_err() && decide("maybe").is_err());
    }
}
