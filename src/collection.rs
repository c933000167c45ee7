//! The three Library Genesis collections. Owns their names and URL slugs; nothing else.

use std::fmt;
use std::str::FromStr;

/// One of the three collections of the catalog.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Collection {
    /// Sci-tech ("non-fiction") books: the `updated` table of `libgen.sql`.
    Libgen,
    /// Fiction: the `fiction` table of `fiction.sql`.
    Fiction,
    /// Scientific papers: the `scimag` table of `scimag.sql.gz`.
    Scimag,
}

impl Collection {
    /// All collections, in display order.
    pub const ALL: [Collection; 3] = [Collection::Libgen, Collection::Fiction, Collection::Scimag];

    /// The slug used in URLs, the CLI and the index (`libgen`, `fiction`, `scimag`).
    pub fn slug(self) -> &'static str {
        match self {
            Collection::Libgen => "libgen",
            Collection::Fiction => "fiction",
            Collection::Scimag => "scimag",
        }
    }

    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            Collection::Libgen => "Sci-tech",
            Collection::Fiction => "Fiction",
            Collection::Scimag => "Papers",
        }
    }

    /// Small integer stored in the index's fast field.
    pub fn code(self) -> u64 {
        match self {
            Collection::Libgen => 0,
            Collection::Fiction => 1,
            Collection::Scimag => 2,
        }
    }

    /// The inverse of [`Collection::code`].
    pub fn from_code(code: u64) -> Option<Self> {
        Self::ALL.get(code as usize).copied()
    }
}

impl fmt::Display for Collection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

impl FromStr for Collection {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "libgen" | "scitech" | "sci-tech" | "nonfiction" | "non-fiction" | "books" => {
                Ok(Collection::Libgen)
            }
            "fiction" => Ok(Collection::Fiction),
            "scimag" | "papers" | "articles" => Ok(Collection::Scimag),
            other => Err(format!(
                "unknown collection `{other}` (expected libgen, fiction or scimag)"
            )),
        }
    }
}
