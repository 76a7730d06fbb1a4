//! The catalogue as a CSV file: one line per variant, with its product's fields repeated on each
//! of the product's lines. The export writes the columns the import reads, so a file exported,
//! edited in a spreadsheet and imported again round-trips. What a cell means when it is read
//! (and how each is written) is here; the checks on the values themselves are the API's own
//! ([`super::editing`]), applied by the import service.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Every column, in the order the export writes them. An import may leave columns out (then an
/// existing product or variant keeps what it has, a new one takes the default) and put them in
/// any order; `sku` is required.
pub const COLUMNS: [&str; 19] = [
    "product_slug",
    "product_name",
    "product_status",
    "category",
    "featured",
    "description",
    "seo_title",
    "seo_description",
    "product_version",
    "sku",
    "variant_name",
    "options",
    "price",
    "compare_at_price",
    "stock",
    "low_stock_threshold",
    "active",
    "position",
    "version",
];

/// The session key of an upload's refusal, shown once on the imports page.
pub const UPLOAD_ERROR_KEY: &str = "imports:error";

/// At most this many lines in one import.
pub const MAX_LINES: usize = 20_000;

/// A line's cells by column, the columns the file has only.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cells {
    /// The line in the file (the header is line 1).
    pub line: u64,
    pub values: BTreeMap<&'static str, String>,
}

impl Cells {
    /// The cell of `column`, trimmed; `None` when the file has no such column.
    pub fn get(&self, column: &str) -> Option<&str> {
        self.values.get(column).map(|v| v.trim())
    }

    /// The cell of `column` when the file has it and it is not empty.
    pub fn filled(&self, column: &str) -> Option<&str> {
        self.get(column).filter(|v| !v.is_empty())
    }
}

/// Where each column of a file is, read from its header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header(Vec<Option<&'static str>>);

impl Header {
    /// Reads the header line: every name must be a known column, once; `sku` must be there.
    pub fn parse<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        let mut columns = Vec::new();
        for name in names {
            let name = name.trim().trim_start_matches('\u{feff}').to_lowercase();
            if name.is_empty() {
                columns.push(None);
                continue;
            }
            let known = COLUMNS
                .iter()
                .find(|c| **c == name)
                .ok_or_else(|| format!("unknown column \"{name}\"; the columns are {}", COLUMNS.join(", ")))?;
            if columns.contains(&Some(*known)) {
                return Err(format!("column \"{name}\" is given twice"));
            }
            columns.push(Some(*known));
        }
        if !columns.contains(&Some("sku")) {
            return Err("the header must name a `sku` column (download the template to see every column)".into());
        }
        Ok(Self(columns))
    }

    /// A record's cells under this header.
    pub fn cells<'a>(&self, line: u64, record: impl IntoIterator<Item = &'a str>) -> Cells {
        let values = self
            .0
            .iter()
            .zip(record)
            .filter_map(|(column, value)| column.map(|c| (c, value.to_owned())))
            .collect();
        Cells { line, values }
    }
}

/// An error found in a file: the line, the column (empty when it is about the whole line), and
/// what is wrong. `conflict`: the line was right but its variant (or product) was changed by
/// someone since the file was exported, so the line was left alone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LineError {
    pub line: u64,
    pub column: String,
    pub message: String,
    #[serde(default)]
    pub conflict: bool,
}

impl LineError {
    pub fn new(line: u64, column: &str, message: impl Into<String>) -> Self {
        Self {
            line,
            column: column.to_owned(),
            message: message.into(),
            conflict: false,
        }
    }
}

/// Where an import is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "import_status", rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    /// Waiting for a worker.
    Queued,
    /// Reading and checking every line.
    Checking,
    /// Every line was right; writing them.
    Applying,
    /// Applied (lines in conflict left alone, see `errors`).
    Done,
    /// A line was wrong: nothing was applied (see `errors`).
    Failed,
}

impl ImportStatus {
    /// Whether the job is still to finish.
    pub fn running(self) -> bool {
        matches!(self, Self::Queued | Self::Checking | Self::Applying)
    }
}

/// An import, as staff follow it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImportView {
    pub id: Uuid,
    pub filename: String,
    pub status: ImportStatus,
    /// Lines of the file below the header.
    pub total_lines: i32,
    /// Lines checked (while `checking`) or written (while `applying`).
    pub done_lines: i32,
    /// Variants created, updated, and found already as the file says.
    pub created: i32,
    pub updated: i32,
    pub unchanged: i32,
    /// Lines that failed (wrong, or in conflict).
    pub failed: i32,
    /// What was wrong, by line and column (at most the first 1000).
    pub errors: Vec<LineError>,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl ImportView {
    /// How far the job is, from 0 to 100: checking is the first half, applying the second.
    pub fn percent(&self) -> u32 {
        let total = self.total_lines.max(1) as u32;
        let done = (self.done_lines.max(0) as u32).min(total);
        match self.status {
            ImportStatus::Queued => 0,
            ImportStatus::Checking => done * 50 / total,
            ImportStatus::Applying => 50 + done * 50 / total,
            ImportStatus::Done | ImportStatus::Failed => 100,
        }
    }
}

/// Option values as one cell: `colour=Navy; size=M`.
pub fn format_options(options: &BTreeMap<String, String>) -> String {
    options
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Reads [`format_options`]' form back.
pub fn parse_options(raw: &str) -> Result<BTreeMap<String, String>, String> {
    let mut options = BTreeMap::new();
    for pair in raw.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("\"{pair}\" is not name=value (write options as `size=M; colour=Navy`)"))?;
        if options
            .insert(name.trim().to_owned(), value.trim().to_owned())
            .is_some()
        {
            return Err(format!("option \"{}\" is given twice", name.trim()));
        }
    }
    Ok(options)
}

/// A yes/no cell: `true`/`false`, `yes`/`no` or `1`/`0`.
pub fn parse_flag(raw: &str) -> Result<bool, String> {
    match raw.trim().to_lowercase().as_str() {
        "true" | "yes" | "1" => Ok(true),
        "false" | "no" | "0" => Ok(false),
        _ => Err("must be true or false".into()),
    }
}

/// A whole-number cell.
pub fn parse_count(raw: &str) -> Result<i32, String> {
    raw.trim().parse().map_err(|_| "must be a whole number".into())
}

/// The version a line was exported at: the variant's own version (its fields) and, after a
/// colon, its stock then — `4:120`. Sales move the stock without moving the version, so the
/// stock seen is what tells a stock edited in the file from one sold down since.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExportedVersion {
    pub version: i32,
    pub stock: Option<i32>,
}

impl ExportedVersion {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let wrong = || "must be the version the file was exported with, such as `4:120`".to_owned();
        let (version, stock) = match raw.trim().split_once(':') {
            Some((v, s)) => (v, Some(s)),
            None => (raw.trim(), None),
        };
        let version = version.trim().parse().ok().filter(|v| *v >= 1).ok_or_else(wrong)?;
        let stock = match stock {
            Some(s) => Some(s.trim().parse().ok().filter(|s| *s >= 0).ok_or_else(wrong)?),
            None => None,
        };
        Ok(Self { version, stock })
    }

    pub fn format(self) -> String {
        match self.stock {
            Some(stock) => format!("{}:{stock}", self.version),
            None => self.version.to_string(),
        }
    }
}

/// What a stock cell asks for, given the stock at export (when the file says) and now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StockChange {
    /// Leave the stock as it is now (the file has the stock it was exported with).
    Keep,
    /// Set it to this.
    Set(i32),
    /// The file changed it and so did a sale since: neither wins.
    Conflict { exported: i32, now: i32 },
}

/// Decides [`StockChange`]: a stock cell equal to the stock at export changes nothing (sales
/// since stay counted); a different one is set when the stock hasn't moved since, and is a
/// conflict when it has. Without a stock at export, the cell is what the stock should be.
pub fn stock_change(cell: i32, exported: Option<i32>, now: i32) -> StockChange {
    match exported {
        Some(exported) if cell == exported => StockChange::Keep,
        Some(exported) if now != exported => StockChange::Conflict { exported, now },
        _ if cell == now => StockChange::Keep,
        _ => StockChange::Set(cell),
    }
}

/// The template's lines after the header: a product with two variants.
pub const TEMPLATE_LINES: [[&str; 19]; 2] = [
    [
        "linen-shirt",
        "Linen shirt",
        "draft",
        "",
        "false",
        "A light shirt for warm days.",
        "",
        "",
        "",
        "LINEN-S-WHT",
        "",
        "size=S; colour=White",
        "39.00",
        "",
        "10",
        "5",
        "true",
        "0",
        "",
    ],
    [
        "linen-shirt",
        "Linen shirt",
        "draft",
        "",
        "false",
        "A light shirt for warm days.",
        "",
        "",
        "",
        "LINEN-M-WHT",
        "",
        "size=M; colour=White",
        "39.00",
        "45.00",
        "12",
        "5",
        "true",
        "1",
        "",
    ],
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_names_known_columns_once_and_has_a_sku() {
        let header = Header::parse(["\u{feff}SKU", " price ", ""]).unwrap();
        let cells = header.cells(2, ["A-1", "9.99", "ignored"]);
        assert_eq!(cells.get("sku"), Some("A-1"));
        assert_eq!(cells.get("price"), Some("9.99"));
        assert_eq!(cells.get("stock"), None);
        assert!(Header::parse(["price"]).unwrap_err().contains("sku"));
        assert!(Header::parse(["sku", "colour"]).unwrap_err().contains("unknown column"));
        assert!(Header::parse(["sku", "SKU"]).unwrap_err().contains("twice"));
    }

    #[test]
    fn options_and_versions_round_trip() {
        let options = parse_options("size = M; colour=Navy;").unwrap();
        assert_eq!(format_options(&options), "colour=Navy; size=M");
        assert!(parse_options("size").is_err());
        assert!(parse_options("size=M; size=L").is_err());
        let v = ExportedVersion::parse("4:120").unwrap();
        assert_eq!((v.version, v.stock), (4, Some(120)));
        assert_eq!(v.format(), "4:120");
        assert_eq!(ExportedVersion::parse("3").unwrap().stock, None);
        for bad in ["", "0", "x:1", "2:-1", "2:"] {
            assert!(ExportedVersion::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_sale_since_the_export_is_kept_or_is_a_conflict() {
        // Untouched in the file: a sale since stays counted.
        assert_eq!(stock_change(10, Some(10), 7), StockChange::Keep);
        // Edited in the file, nothing sold since: set.
        assert_eq!(stock_change(25, Some(10), 10), StockChange::Set(25));
        // Edited in the file and sold since: neither wins.
        assert_eq!(
            stock_change(25, Some(10), 7),
            StockChange::Conflict { exported: 10, now: 7 }
        );
        // No export version: the cell is the stock.
        assert_eq!(stock_change(4, None, 4), StockChange::Keep);
        assert_eq!(stock_change(4, None, 9), StockChange::Set(4));
    }

    #[test]
    fn progress_runs_through_both_phases() {
        let mut view = ImportView {
            id: Uuid::nil(),
            filename: String::new(),
            status: ImportStatus::Checking,
            total_lines: 200,
            done_lines: 100,
            created: 0,
            updated: 0,
            unchanged: 0,
            failed: 0,
            errors: Vec::new(),
            created_by: None,
            created_at: Utc::now(),
            finished_at: None,
        };
        assert_eq!(view.percent(), 25);
        view.status = ImportStatus::Applying;
        assert_eq!(view.percent(), 75);
        view.status = ImportStatus::Failed;
        assert_eq!(view.percent(), 100);
    }
}
