//! How a file of the snapshot, with its edition, that edition's details, series and work,
//! becomes a record of its collection's catalog table: which `files` id names it
//! (`libgen_id`, `fiction_id`, …, the classic numbering for sci-tech, fiction and papers, so a
//! file in both sources is one record), and which columns the snapshot sets. The classic
//! tables are upserted on the columns the snapshot knows only: what only the classic dumps have
//! (topics, library, LCC, …) stays.

use super::stage::{Detail, Edition};
use crate::import::{ColumnSpec, Kind, TableSpec};
use crate::Collection;

/// `spec` columns, all converted already (`Kind` only tells how the dump reader would).
macro_rules! columns {
    ($($name:literal),* $(,)?) => {
        &[$(ColumnSpec { dump: $name, column: $name, kind: Kind::Text }),*]
    };
}

/// The columns the snapshot sets in the sci-tech table.
const LIBGEN: &[ColumnSpec] = columns!(
    "id",
    "title",
    "series",
    "author",
    "year",
    "edition",
    "publisher",
    "city",
    "pages",
    "pages_in_file",
    "language",
    "identifier",
    "identifier_wodash",
    "issn",
    "doi",
    "commentary",
    "dpi",
    "color",
    "cleaned",
    "orientation",
    "paginated",
    "scanned",
    "bookmarked",
    "searchable",
    "filesize",
    "extension",
    "md5",
    "generic",
    "visible",
    "locator",
    "time_added",
    "time_last_modified",
    "coverurl",
    "broken",
    "li_f_id",
    "li_e_id",
    "li_w_id",
    "li_removed",
);

/// The columns the snapshot sets in the fiction table.
const FICTION: &[ColumnSpec] = columns!(
    "id",
    "md5",
    "title",
    "author",
    "series",
    "edition",
    "language",
    "year",
    "publisher",
    "pages",
    "identifier",
    "coverurl",
    "extension",
    "filesize",
    "locator",
    "commentary",
    "generic",
    "visible",
    "time_added",
    "time_last_modified",
    "broken",
    "li_f_id",
    "li_e_id",
    "li_w_id",
    "li_removed",
);

/// The columns the snapshot sets in the papers table.
const SCIMAG: &[ColumnSpec] = columns!(
    "id",
    "doi",
    "title",
    "author",
    "year",
    "month",
    "day",
    "volume",
    "issue",
    "first_page",
    "last_page",
    "journal",
    "isbn",
    "issnp",
    "md5",
    "filesize",
    "time_added",
    "visible",
    "broken",
    "li_f_id",
    "li_e_id",
    "li_w_id",
    "li_removed",
);

/// The columns of the tables of the collections only the snapshot has.
const GENERIC: &[ColumnSpec] = columns!(
    "id",
    "md5",
    "title",
    "author",
    "series",
    "publisher",
    "city",
    "edition",
    "year",
    "month",
    "day",
    "pages",
    "language",
    "identifier",
    "issn",
    "doi",
    "volume",
    "issue",
    "first_page",
    "last_page",
    "extension",
    "filesize",
    "locator",
    "coverurl",
    "visible",
    "generic",
    "broken",
    "commentary",
    "descr",
    "time_added",
    "time_last_modified",
    "li_f_id",
    "li_e_id",
    "li_w_id",
    "li_removed",
);

/// How a collection's files are written: the classic collections' tables keep their own
/// columns, every other collection has the snapshot's common layout.
const fn spec(collection: Collection) -> TableSpec {
    TableSpec {
        dump: "files",
        table: collection.slug(),
        collection,
        key: "id",
        tracked: true,
        columns: match collection {
            Collection::Libgen => LIBGEN,
            Collection::Fiction => FICTION,
            Collection::Scimag => SCIMAG,
            _ => GENERIC,
        },
    }
}

/// Where each topic's files go, in [`Collection::ALL`]'s order.
pub static SPECS: [TableSpec; Collection::COUNT] = {
    let mut specs = [spec(Collection::Libgen); Collection::COUNT];
    let mut i = 0;
    while i < Collection::COUNT {
        specs[i] = spec(Collection::ALL[i]);
        i += 1;
    }
    specs
};

/// The spec a collection's files are written with.
pub fn spec_of(collection: Collection) -> &'static TableSpec {
    SPECS
        .iter()
        .find(|s| s.collection == collection)
        .expect("a spec per collection")
}

/// A value for a catalog column.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    /// NULL.
    Null,
    /// An integer.
    Int(i64),
    /// Text.
    Text(String),
}

/// What a file row of the snapshot says, by the names of `files`' columns.
#[derive(Debug, Clone, Default)]
pub struct FileRow {
    /// `f_id`.
    pub f_id: i64,
    /// `md5`.
    pub md5: String,
    /// Its collection (from `libgen_topic`), when the topic is known.
    pub topic: Option<Collection>,
    /// The id in its topic's numbering (`libgen_id` …).
    pub topic_id: i64,
    /// The other columns used, by name.
    pub fields: Vec<(&'static str, String)>,
}

impl FileRow {
    /// The value of a column of `files` (empty when absent).
    pub fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// The columns of `files` read besides the ids.
pub const FILE_COLUMNS: &[&str] = &[
    "pages",
    "dpi",
    "visible",
    "time_added",
    "time_last_modified",
    "cover_url",
    "commentary",
    "color",
    "cleaned",
    "orientation",
    "paginated",
    "scanned",
    "bookmarked",
    "ocr",
    "filesize",
    "extension",
    "locator",
    "broken",
    "generic",
];

/// The collection of a topic letter, and the `files` column with its id.
pub fn topic(letter: &str) -> Option<(Collection, &'static str)> {
    Collection::from_topic(letter).map(|c| (c, c.info().snapshot_id))
}

/// What a record is made of.
pub struct Parts<'a> {
    /// The file.
    pub file: &'a FileRow,
    /// Its (first) edition, if it has one.
    pub edition: Option<&'a Edition>,
    /// The edition's details.
    pub details: &'a [(Detail, String)],
    /// The series the edition is an issue of (a journal, a magazine), if any.
    pub series: Option<&'a str>,
    /// The work the edition belongs to.
    pub work: Option<i64>,
}

fn joined(details: &[(Detail, String)], which: Detail, sep: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for (d, v) in details {
        let v = v.trim();
        if *d == which && !v.is_empty() && !out.contains(&v) {
            out.push(v);
        }
    }
    out.join(sep)
}

fn int_or_null(s: &str) -> Field {
    s.trim().parse::<i64>().map_or(Field::Null, Field::Int)
}

fn time(s: &str) -> Field {
    if s.is_empty() || s.starts_with("0000") || s == "2000-01-01 05:00:00" {
        Field::Null
    } else {
        Field::Text(s.to_string())
    }
}

/// The record of a file for its collection's table: one value per column of `spec_of(c)`, or
/// the reason it cannot be one.
pub fn record(collection: Collection, p: &Parts<'_>) -> Result<Vec<Field>, String> {
    let f = p.file;
    if f.topic_id <= 0 {
        return Err(format!(
            "file {} ({}) has no id in its collection's numbering",
            f.f_id, f.md5
        ));
    }
    if f.md5.len() != 32 || !f.md5.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("file {} has no MD5 (`{}`)", f.f_id, f.md5));
    }
    let e = |name: &str| p.edition.map_or("", |e| e.get(name));
    let mut title = e("title").trim().to_string();
    let add = e("title_add").trim();
    if !add.is_empty() {
        if title.is_empty() {
            title = add.to_string();
        } else {
            title = format!("{title}: {add}");
        }
    }
    if title.is_empty() {
        // A file without an edition: its original name says what it is.
        let locator = f.get("locator");
        title = locator
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(locator)
            .to_string();
    }
    let isbns = joined(p.details, Detail::Isbn, ",");
    let language = joined(p.details, Detail::Language, ", ");
    let issn = joined(p.details, Detail::Issn, ",");
    let description = joined(p.details, Detail::Description, "\n\n");
    let pages = if e("pages").trim().is_empty() {
        f.get("pages").trim().trim_start_matches('0').to_string()
    } else {
        e("pages").to_string()
    };
    // Withdrawn: the file's own state first, then its edition's.
    let visible = if f.get("visible").is_empty() {
        e("visible").to_string()
    } else {
        f.get("visible").to_string()
    };
    let cover = if f.get("cover_url").is_empty() {
        e("cover_url")
    } else {
        f.get("cover_url")
    };
    let broken = if f.get("broken") == "Y" { "Y" } else { "" };
    let li = [
        ("li_f_id", Field::Int(f.f_id)),
        (
            "li_e_id",
            p.edition.map_or(Field::Null, |e| Field::Int(e.e_id)),
        ),
        ("li_w_id", p.work.map_or(Field::Null, Field::Int)),
    ];
    let t = |s: &str| Field::Text(s.to_string());
    let columns = spec_of(collection).columns;
    let mut out = Vec::with_capacity(columns.len());
    for col in columns {
        let v = match col.column {
            "id" => Field::Int(f.topic_id),
            "md5" => t(&f.md5.to_ascii_lowercase()),
            "title" => t(&title),
            "author" => t(e("author")),
            // A magazine's or a comic's issues belong to a series by id; books name theirs.
            "series" => t(if e("series_name").trim().is_empty() {
                p.series.unwrap_or("")
            } else {
                e("series_name")
            }),
            "publisher" => t(e("publisher")),
            "city" => t(e("city")),
            "edition" => t(e("edition")),
            "year" => t(e("year")),
            "month" => t(e("month")),
            "day" => t(e("day")),
            "pages" => t(&pages),
            "pages_in_file" => int_or_null(f.get("pages")),
            "language" => t(&language),
            "identifier" | "isbn" => t(&isbns),
            "identifier_wodash" => t(&isbns.replace('-', "")),
            "issn" | "issnp" => t(&issn),
            "doi" => t(e("doi").trim()),
            "volume" => t(e("issue_volume")),
            "issue" => t(e("issue_number")),
            "first_page" => t(e("issue_first_page")),
            "last_page" => t(e("issue_last_page")),
            "journal" => t(p.series.unwrap_or("")),
            "commentary" => t(f.get("commentary")),
            "dpi" => int_or_null(f.get("dpi")),
            "color" | "cleaned" | "orientation" | "paginated" | "scanned" | "bookmarked" => {
                t(f.get(col.column))
            }
            "searchable" => t(f.get("ocr")),
            "filesize" => int_or_null(f.get("filesize")),
            "extension" => t(&f.get("extension").to_ascii_lowercase()),
            "generic" => t(&f.get("generic").to_ascii_lowercase()),
            "visible" => t(&visible),
            "locator" => t(f.get("locator")),
            "coverurl" => t(cover),
            "descr" => t(&description),
            "broken" => t(broken),
            "time_added" => time(f.get("time_added")),
            "time_last_modified" => time(f.get("time_last_modified")),
            name => li
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
                .unwrap_or(Field::Null),
        };
        out.push(v);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::snapshot::stage::EDITION_COLUMNS;

    fn edition(pairs: &[(&str, &str)]) -> Edition {
        Edition {
            e_id: 77,
            fields: EDITION_COLUMNS
                .iter()
                .map(|c| {
                    pairs
                        .iter()
                        .find(|(n, _)| n == c)
                        .map_or(String::new(), |(_, v)| v.to_string())
                })
                .collect(),
        }
    }

    fn file(_topic: &str, id: i64) -> FileRow {
        FileRow {
            f_id: 5,
            md5: "7B2A4D53FDE834E801C26A2BAB7E0240".into(),
            topic: None,
            topic_id: id,
            fields: vec![
                ("extension", "PDF".into()),
                ("filesize", "1234".into()),
                ("locator", "c:\\books\\Knuth - TAOCP.pdf".into()),
                ("time_added", "2024-01-02 03:04:05".into()),
            ],
        }
    }

    fn value<'a>(c: Collection, rec: &'a [Field], name: &str) -> &'a Field {
        let i = spec_of(c)
            .columns
            .iter()
            .position(|col| col.column == name)
            .unwrap();
        &rec[i]
    }

    #[test]
    fn a_sci_tech_file_keeps_its_classic_id_and_takes_its_edition() {
        let e = edition(&[
            ("title", "The Art of Computer Programming"),
            ("title_add", "Volume 1"),
            ("author", "Knuth, Donald"),
            ("year", "1997"),
        ]);
        let details = vec![
            (Detail::Isbn, "978-0-201-89683-1".to_string()),
            (Detail::Isbn, "0201896834".to_string()),
            (Detail::Language, "English".to_string()),
        ];
        let f = file("l", 1);
        let rec = record(
            Collection::Libgen,
            &Parts {
                file: &f,
                edition: Some(&e),
                details: &details,
                series: None,
                work: Some(70),
            },
        )
        .unwrap();
        let c = Collection::Libgen;
        assert_eq!(value(c, &rec, "id"), &Field::Int(1));
        assert_eq!(
            value(c, &rec, "title"),
            &Field::Text("The Art of Computer Programming: Volume 1".into())
        );
        assert_eq!(
            value(c, &rec, "md5"),
            &Field::Text("7b2a4d53fde834e801c26a2bab7e0240".into())
        );
        assert_eq!(
            value(c, &rec, "identifier"),
            &Field::Text("978-0-201-89683-1,0201896834".into())
        );
        assert_eq!(
            value(c, &rec, "identifier_wodash"),
            &Field::Text("9780201896831,0201896834".into())
        );
        assert_eq!(value(c, &rec, "extension"), &Field::Text("pdf".into()));
        assert_eq!(value(c, &rec, "filesize"), &Field::Int(1234));
        assert_eq!(value(c, &rec, "li_e_id"), &Field::Int(77));
        assert_eq!(value(c, &rec, "li_w_id"), &Field::Int(70));
        assert_eq!(value(c, &rec, "time_last_modified"), &Field::Null);
    }

    #[test]
    fn files_without_their_id_or_md5_are_rejected_and_editionless_ones_named_by_locator() {
        let f = file("l", 0);
        let parts = Parts {
            file: &f,
            edition: None,
            details: &[],
            series: None,
            work: None,
        };
        assert!(record(Collection::Libgen, &parts)
            .unwrap_err()
            .contains("no id"));
        let mut f = file("m", 9);
        let rec = record(Collection::Magazines, &Parts { file: &f, ..parts }).unwrap();
        assert_eq!(
            value(Collection::Magazines, &rec, "title"),
            &Field::Text("Knuth - TAOCP.pdf".into())
        );
        f.md5 = "nope".into();
        assert!(record(
            Collection::Magazines,
            &Parts {
                file: &f,
                edition: None,
                details: &[],
                series: None,
                work: None
            }
        )
        .unwrap_err()
        .contains("MD5"));
    }

    #[test]
    fn every_topic_has_a_collection_and_a_spec() {
        for letter in ["l", "f", "r", "a", "m", "c", "s"] {
            let (c, column) = topic(letter).unwrap();
            assert!(column.ends_with("_id"));
            assert_eq!(spec_of(c).collection, c);
        }
        assert!(topic("x").is_none());
    }
}
