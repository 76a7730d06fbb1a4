//! Stock adjustments: every change of a variant's stock that staff make is a signed quantity
//! with a reason (goods received, damaged, a count correction), kept with who and when so the
//! stock's history can be read back. Sales and cancellations move stock through orders.

use serde::{Deserialize, Serialize};

use crate::domain::Fields;
use crate::error::AppError;

/// The longest note on an adjustment.
pub const MAX_NOTE: usize = 500;
/// The largest single adjustment, either way.
const MAX_DELTA: i32 = 1_000_000_000;
/// The most a variant's stock can be (as the API's `stock` field allows).
pub const MAX_STOCK: i32 = 1_000_000_000;

/// Why stock changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "stock_reason", rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum StockReason {
    /// Goods arrived.
    Received,
    /// Units broken or lost.
    Damaged,
    /// The shelf was counted and differs (also a stock set directly, or by an import).
    CountCorrection,
}

impl StockReason {
    pub const ALL: [StockReason; 3] = [Self::Received, Self::Damaged, Self::CountCorrection];

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == raw.trim())
            .ok_or_else(|| "must be one of received, damaged, count_correction".into())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Damaged => "damaged",
            Self::CountCorrection => "count_correction",
        }
    }

    /// For people: "Received", "Damaged", "Count correction".
    pub fn label(self) -> &'static str {
        match self {
            Self::Received => "Received",
            Self::Damaged => "Damaged",
            Self::CountCorrection => "Count correction",
        }
    }
}

/// `POST /products/{id}/variants/{variant_id}/stock-adjustments`: add (positive) or take away
/// (negative) units, saying why.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AdjustStock {
    /// Units added (positive) or taken away (negative); not zero. The stock can't go below zero.
    #[cfg_attr(feature = "ssr", schema(minimum = -1000000000, maximum = 1000000000))]
    pub delta: i32,
    /// `received`, `damaged` or `count_correction`.
    #[cfg_attr(feature = "ssr", schema(value_type = StockReason))]
    pub reason: String,
    #[serde(default)]
    #[cfg_attr(
        feature = "ssr",
        schema(max_length = 500, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")
    )]
    pub note: String,
}

/// An adjustment after validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Adjustment {
    pub delta: i32,
    pub reason: StockReason,
    pub note: String,
}

impl AdjustStock {
    pub fn parse(self) -> Result<Adjustment, AppError> {
        let mut f = Fields::default();
        let delta = f.check(
            "delta",
            if self.delta == 0 {
                Err("must not be zero: say how many units were added (positive) or taken away (negative)".into())
            } else if !(-MAX_DELTA..=MAX_DELTA).contains(&self.delta) {
                Err(format!("must be between -{MAX_DELTA} and {MAX_DELTA}"))
            } else {
                Ok(self.delta)
            },
        );
        let reason = f.check("reason", StockReason::parse(&self.reason));
        let note = f.check("note", super::editing::one_line(&self.note, MAX_NOTE));
        f.finish(|| Adjustment {
            delta: delta.unwrap_or_default(),
            reason: reason.unwrap_or(StockReason::CountCorrection),
            note: note.unwrap_or_default(),
        })
    }
}

/// One change of a variant's stock, as read back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StockAdjustmentView {
    pub id: uuid::Uuid,
    pub variant_id: uuid::Uuid,
    pub sku: String,
    pub delta: i32,
    /// The stock right after the change.
    pub stock_after: i32,
    pub reason: StockReason,
    pub note: String,
    /// Who made it (absent when the account is gone).
    pub actor_email: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_adjustment_needs_a_quantity_and_a_known_reason() {
        let err = AdjustStock {
            delta: 0,
            reason: "stolen".into(),
            note: "a\u{7}".into(),
        }
        .parse()
        .unwrap_err();
        for field in ["delta", "reason", "note"] {
            assert!(!err.field(field).is_empty(), "{field}");
        }
        let ok = AdjustStock {
            delta: -3,
            reason: " damaged ".into(),
            note: " dropped ".into(),
        }
        .parse()
        .unwrap();
        assert_eq!(
            (ok.delta, ok.reason, ok.note.as_str()),
            (-3, StockReason::Damaged, "dropped")
        );
    }
}
