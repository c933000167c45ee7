//! How each dump table maps onto a catalog table, written from the real schemas; the test below
//! checks every table and column against `migrations/`.

use super::{ColumnSpec, Kind, TableSpec};
use crate::collection::Tables;
use crate::Collection;

const LIBGEN_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec {
        dump: "ID",
        column: "id",
        kind: Kind::Int,
    },
    ColumnSpec {
        dump: "Title",
        column: "title",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "VolumeInfo",
        column: "volume_info",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Series",
        column: "series",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Periodical",
        column: "periodical",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Author",
        column: "author",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Year",
        column: "year",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Edition",
        column: "edition",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Publisher",
        column: "publisher",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "City",
        column: "city",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Pages",
        column: "pages",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "PagesInFile",
        column: "pages_in_file",
        kind: Kind::Int,
    },
    ColumnSpec {
        dump: "Language",
        column: "language",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Topic",
        column: "topic",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Library",
        column: "library",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Issue",
        column: "issue",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Identifier",
        column: "identifier",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "ISSN",
        column: "issn",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "ASIN",
        column: "asin",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "UDC",
        column: "udc",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "LBC",
        column: "lbc",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "DDC",
        column: "ddc",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "LCC",
        column: "lcc",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Doi",
        column: "doi",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Googlebookid",
        column: "googlebook_id",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "OpenLibraryID",
        column: "open_library_id",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Commentary",
        column: "commentary",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "DPI",
        column: "dpi",
        kind: Kind::Int,
    },
    ColumnSpec {
        dump: "Color",
        column: "color",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Cleaned",
        column: "cleaned",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Orientation",
        column: "orientation",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Paginated",
        column: "paginated",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Scanned",
        column: "scanned",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Bookmarked",
        column: "bookmarked",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Searchable",
        column: "searchable",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Filesize",
        column: "filesize",
        kind: Kind::Int,
    },
    ColumnSpec {
        dump: "Extension",
        column: "extension",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "MD5",
        column: "md5",
        kind: Kind::Md5,
    },
    ColumnSpec {
        dump: "Generic",
        column: "generic",
        kind: Kind::Md5,
    },
    ColumnSpec {
        dump: "Visible",
        column: "visible",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Locator",
        column: "locator",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Local",
        column: "local",
        kind: Kind::Int,
    },
    ColumnSpec {
        dump: "TimeAdded",
        column: "time_added",
        kind: Kind::Time2000,
    },
    ColumnSpec {
        dump: "TimeLastModified",
        column: "time_last_modified",
        kind: Kind::Time,
    },
    ColumnSpec {
        dump: "Coverurl",
        column: "coverurl",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Tags",
        column: "tags",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "IdentifierWODash",
        column: "identifier_wodash",
        kind: Kind::Text,
    },
];

const LIBGEN_DESCRIPTION_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec {
        dump: "id",
        column: "id",
        kind: Kind::Int,
    },
    ColumnSpec {
        dump: "md5",
        column: "md5",
        kind: Kind::Md5,
    },
    ColumnSpec {
        dump: "descr",
        column: "descr",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "toc",
        column: "toc",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "TimeLastModified",
        column: "time_last_modified",
        kind: Kind::Time,
    },
];

const LIBGEN_TOPICS_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec {
        dump: "id",
        column: "id",
        kind: Kind::Int,
    },
    ColumnSpec {
        dump: "topic_descr",
        column: "topic_descr",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "lang",
        column: "lang",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "kolxoz_code",
        column: "kolxoz_code",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "topic_id",
        column: "topic_id",
        kind: Kind::Int,
    },
    ColumnSpec {
        dump: "topic_id_hl",
        column: "topic_id_hl",
        kind: Kind::Int,
    },
];

const LIBGEN_HASHES_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec {
        dump: "md5",
        column: "md5",
        kind: Kind::Md5,
    },
    ColumnSpec {
        dump: "crc32",
        column: "crc32",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "edonkey",
        column: "edonkey",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "aich",
        column: "aich",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "sha1",
        column: "sha1",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "tth",
        column: "tth",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "torrent",
        column: "torrent",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "btih",
        column: "btih",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "sha256",
        column: "sha256",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "ipfs_cid",
        column: "ipfs_cid",
        kind: Kind::Text,
    },
];

const FICTION_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec {
        dump: "ID",
        column: "id",
        kind: Kind::Int,
    },
    ColumnSpec {
        dump: "MD5",
        column: "md5",
        kind: Kind::Md5,
    },
    ColumnSpec {
        dump: "Title",
        column: "title",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Author",
        column: "author",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Series",
        column: "series",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Edition",
        column: "edition",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Language",
        column: "language",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Year",
        column: "year",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Publisher",
        column: "publisher",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Pages",
        column: "pages",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Identifier",
        column: "identifier",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "GooglebookID",
        column: "googlebook_id",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "ASIN",
        column: "asin",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Coverurl",
        column: "coverurl",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Extension",
        column: "extension",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Filesize",
        column: "filesize",
        kind: Kind::Int,
    },
    ColumnSpec {
        dump: "Library",
        column: "library",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Issue",
        column: "issue",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Locator",
        column: "locator",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Commentary",
        column: "commentary",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Generic",
        column: "generic",
        kind: Kind::Md5,
    },
    ColumnSpec {
        dump: "Visible",
        column: "visible",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "TimeAdded",
        column: "time_added",
        kind: Kind::Time,
    },
    ColumnSpec {
        dump: "TimeLastModified",
        column: "time_last_modified",
        kind: Kind::Time,
    },
];

const FICTION_DESCRIPTION_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec {
        dump: "MD5",
        column: "md5",
        kind: Kind::Md5,
    },
    ColumnSpec {
        dump: "Descr",
        column: "descr",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "TimeLastModified",
        column: "time_last_modified",
        kind: Kind::Time,
    },
];

const FICTION_HASHES_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec {
        dump: "md5",
        column: "md5",
        kind: Kind::Md5,
    },
    ColumnSpec {
        dump: "crc32",
        column: "crc32",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "edonkey",
        column: "edonkey",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "aich",
        column: "aich",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "sha1",
        column: "sha1",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "tth",
        column: "tth",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "btih",
        column: "btih",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "sha256",
        column: "sha256",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "ipfs_cid",
        column: "ipfs_cid",
        kind: Kind::Text,
    },
];

const SCIMAG_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec {
        dump: "ID",
        column: "id",
        kind: Kind::Int,
    },
    ColumnSpec {
        dump: "DOI",
        column: "doi",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "DOI2",
        column: "doi2",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Title",
        column: "title",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Author",
        column: "author",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Year",
        column: "year",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Month",
        column: "month",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Day",
        column: "day",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Volume",
        column: "volume",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Issue",
        column: "issue",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "First_page",
        column: "first_page",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Last_page",
        column: "last_page",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Journal",
        column: "journal",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "ISBN",
        column: "isbn",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "ISSNP",
        column: "issnp",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "ISSNE",
        column: "issne",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "MD5",
        column: "md5",
        kind: Kind::Md5,
    },
    ColumnSpec {
        dump: "Filesize",
        column: "filesize",
        kind: Kind::Int,
    },
    ColumnSpec {
        dump: "TimeAdded",
        column: "time_added",
        kind: Kind::Time,
    },
    ColumnSpec {
        dump: "JOURNALID",
        column: "journal_id",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "AbstractURL",
        column: "abstract_url",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Attribute1",
        column: "attribute1",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Attribute2",
        column: "attribute2",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Attribute3",
        column: "attribute3",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Attribute4",
        column: "attribute4",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Attribute5",
        column: "attribute5",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Attribute6",
        column: "attribute6",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "visible",
        column: "visible",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "PubmedID",
        column: "pubmed_id",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "PMC",
        column: "pmc",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "PII",
        column: "pii",
        kind: Kind::Text,
    },
];

const SCIMAG_MAGAZINES_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec {
        dump: "ID",
        column: "id",
        kind: Kind::Int,
    },
    ColumnSpec {
        dump: "ISSNP",
        column: "issnp",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "ISSNE",
        column: "issne",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Magazine",
        column: "magazine",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Abbr",
        column: "abbr",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Description",
        column: "description",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Publisher",
        column: "publisher",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "JOURNALID",
        column: "journal_id",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Site_URL",
        column: "site_url",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "CATEGORY",
        column: "category",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "SITEID_OLD",
        column: "siteid_old",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Previous_Title",
        column: "previous_title",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Real_title",
        column: "real_title",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Years",
        column: "years",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Volumes",
        column: "volumes",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Prefix",
        column: "prefix",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Timeadded",
        column: "time_added",
        kind: Kind::Time,
    },
];

const SCIMAG_PUBLISHERS_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec {
        dump: "ID",
        column: "id",
        kind: Kind::Int,
    },
    ColumnSpec {
        dump: "DOICode",
        column: "doi_code",
        kind: Kind::Text,
    },
    ColumnSpec {
        dump: "Publisher",
        column: "publisher",
        kind: Kind::Text,
    },
];

/// Every dump table the importer reads, in no particular order.
pub const TABLES: &[TableSpec] = &[
    TableSpec {
        dump: Collection::Libgen.dump_table(),
        table: Collection::Libgen.slug(),
        collection: Collection::Libgen,
        key: "id",
        tracked: true,
        columns: LIBGEN_COLUMNS,
    },
    TableSpec {
        dump: "description",
        table: Tables::name(Collection::Libgen.info().tables.descriptions),
        collection: Collection::Libgen,
        key: "md5",
        tracked: true,
        columns: LIBGEN_DESCRIPTION_COLUMNS,
    },
    TableSpec {
        dump: "topics",
        table: "libgen_topics",
        collection: Collection::Libgen,
        key: "id",
        tracked: false,
        columns: LIBGEN_TOPICS_COLUMNS,
    },
    TableSpec {
        dump: "hashes",
        table: "libgen_hashes",
        collection: Collection::Libgen,
        key: "md5",
        tracked: false,
        columns: LIBGEN_HASHES_COLUMNS,
    },
    TableSpec {
        dump: Collection::Fiction.dump_table(),
        table: Collection::Fiction.slug(),
        collection: Collection::Fiction,
        key: "id",
        tracked: true,
        columns: FICTION_COLUMNS,
    },
    TableSpec {
        dump: "fiction_description",
        table: Tables::name(Collection::Fiction.info().tables.descriptions),
        collection: Collection::Fiction,
        key: "md5",
        tracked: true,
        columns: FICTION_DESCRIPTION_COLUMNS,
    },
    TableSpec {
        dump: "fiction_hashes",
        table: "fiction_hashes",
        collection: Collection::Fiction,
        key: "md5",
        tracked: false,
        columns: FICTION_HASHES_COLUMNS,
    },
    TableSpec {
        dump: Collection::Scimag.dump_table(),
        table: Collection::Scimag.slug(),
        collection: Collection::Scimag,
        key: "id",
        tracked: true,
        columns: SCIMAG_COLUMNS,
    },
    TableSpec {
        dump: "magazines",
        table: Tables::name(Collection::Scimag.info().tables.journals),
        collection: Collection::Scimag,
        key: "id",
        tracked: false,
        columns: SCIMAG_MAGAZINES_COLUMNS,
    },
    TableSpec {
        dump: "publishers",
        table: Tables::name(Collection::Scimag.info().tables.publishers),
        collection: Collection::Scimag,
        key: "id",
        tracked: false,
        columns: SCIMAG_PUBLISHERS_COLUMNS,
    },
];

#[cfg(test)]
mod tests {
    use super::super::snapshot::map::SPECS;
    use super::*;

    /// The catalog as `migrations/` makes it, in memory.
    fn migrated() -> rusqlite::Connection {
        let conn = rusqlite::Connection::open_in_memory().expect("in-memory SQLite");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("migrations/")
            .map(|e| e.expect("an entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "sql"))
            .collect();
        files.sort();
        assert!(!files.is_empty());
        for f in files {
            let sql = std::fs::read_to_string(&f).expect("a migration");
            conn.execute_batch(&sql)
                .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        }
        conn
    }

    fn columns(conn: &rusqlite::Connection, table: &str) -> Vec<String> {
        let mut stmt = conn
            .prepare(&format!("PRAGMA table_info({table})"))
            .expect("table_info");
        let names = stmt
            .query_map([], |r| r.get::<_, String>(1))
            .expect("columns")
            .collect::<Result<Vec<_>, _>>()
            .expect("names");
        names
    }

    /// Every table and column the importer writes (classic dumps and the libgen.li snapshot) is
    /// one `migrations/` creates, its key is a column, and the tables the index follows have the
    /// `import_id` column: the spec is checked against the schema, not trusted.
    #[test]
    fn specs_match_the_migrations() {
        let conn = migrated();
        for spec in TABLES.iter().chain(SPECS.iter()) {
            let have = columns(&conn, spec.table);
            assert!(!have.is_empty(), "{}: no such catalog table", spec.table);
            for c in spec.columns {
                assert!(
                    have.iter().any(|h| h == c.column),
                    "{}.{} (from the dump's {}.{}) is not in migrations/",
                    spec.table,
                    c.column,
                    spec.dump,
                    c.dump
                );
            }
            assert!(
                have.iter().any(|h| h == spec.key),
                "{}: key {} is not a column",
                spec.table,
                spec.key
            );
            if spec.tracked {
                assert!(
                    have.iter().any(|h| h == "import_id"),
                    "{} is followed by the index but has no import_id",
                    spec.table
                );
            }
        }
        // Each collection's own table is written by a spec.
        for c in crate::Collection::ALL {
            assert!(
                TABLES
                    .iter()
                    .chain(SPECS.iter())
                    .any(|s| s.table == c.slug()),
                "{c}"
            );
        }
    }
}
