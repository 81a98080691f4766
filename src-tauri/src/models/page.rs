//! List requests and keyset pages shared by every entity's list.
//!
//! Pages are keyset, never OFFSET: the cursor carries the last row's sort key
//! and id, so page 1,000 costs what page 1 costs.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Id;
use crate::error::{AppError, Result};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortBy {
    /// Most recently changed first (the default).
    #[default]
    Updated,
    Created,
    /// Alphabetical, ignoring case.
    Name,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Asc,
    Desc,
}

impl SortBy {
    /// Time sorts show newest first, names A to Z, unless asked otherwise.
    pub fn default_direction(self) -> Direction {
        match self {
            Self::Updated | Self::Created => Direction::Desc,
            Self::Name => Direction::Asc,
        }
    }
}

/// Which rows a list shows with respect to soft delete.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeletedFilter {
    #[default]
    Live,
    /// The trash: soft-deleted rows only.
    Deleted,
    All,
}

/// One list request. Filters that do not apply to an entity are ignored.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListQuery {
    /// Case-insensitive substring of the name (or title).
    pub search: Option<String>,
    pub deleted: DeletedFilter,
    pub sort: SortBy,
    pub direction: Option<Direction>,
    /// Rows per page: default 50, at most 500.
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
    /// Chats of one character.
    pub character_id: Option<Id>,
    /// Models of one provider.
    pub provider_id: Option<Id>,
    /// Characters carrying this tag (exact, case-insensitive).
    pub tag: Option<String>,
}

impl ListQuery {
    pub const DEFAULT_LIMIT: u32 = 50;
    pub const MAX_LIMIT: u32 = 500;

    pub fn limit(&self) -> u32 {
        self.limit
            .unwrap_or(Self::DEFAULT_LIMIT)
            .clamp(1, Self::MAX_LIMIT)
    }

    pub fn direction(&self) -> Direction {
        self.direction
            .unwrap_or_else(|| self.sort.default_direction())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass back as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// The sort key of the last row of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CursorKey {
    Int(i64),
    Text(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub key: CursorKey,
    pub id: Id,
}

impl Cursor {
    /// `i.<n>.<id>` or `t.<id>.<text>`: opaque to the UI, readable in logs.
    pub fn encode(&self) -> String {
        match &self.key {
            CursorKey::Int(n) => format!("i.{n}.{}", self.id.simple()),
            CursorKey::Text(t) => format!("t.{}.{t}", self.id.simple()),
        }
    }

    pub fn decode(text: &str) -> Result<Self> {
        let bad = || {
            AppError::validation("cursor", "the page cursor is not valid; reload the list")
                .worded("cursor_invalid", json!({}))
        };
        let (tag, rest) = text.split_once('.').ok_or_else(bad)?;
        match tag {
            "i" => {
                let (n, id) = rest.split_once('.').ok_or_else(bad)?;
                Ok(Self {
                    key: CursorKey::Int(n.parse().map_err(|_| bad())?),
                    id: Id::parse_str(id).map_err(|_| bad())?,
                })
            }
            "t" => {
                let (id, t) = rest.split_once('.').ok_or_else(bad)?;
                Ok(Self {
                    key: CursorKey::Text(t.to_string()),
                    id: Id::parse_str(id).map_err(|_| bad())?,
                })
            }
            _ => Err(bad()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let id = crate::models::new_id();
        for key in [CursorKey::Int(-5), CursorKey::Text("a.b c".into())] {
            let c = Cursor { key, id };
            assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
        }
        assert!(Cursor::decode("x.1.2").is_err());
        assert!(Cursor::decode("i.notanumber.00000000000000000000000000000000").is_err());
    }
}
