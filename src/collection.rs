//! The seven Library Genesis collections (libgen.li's "topics"). Owns what each one is called,
//! its URL slug, its code in the index, its catalog tables, how its files are laid out in the
//! repository and named in the torrents, and its letter and id column in the libgen.li
//! snapshot, in one table ([`INFO`]); nothing else. The rest of the code reads a collection's
//! names from here, so its slug is written only here, in its migration and in the templates'
//! wording.

use std::fmt;
use std::str::FromStr;

/// One of the collections of the catalog.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Collection {
    /// Sci-tech ("non-fiction") books: the `updated` table of `libgen.sql`, topic `l`.
    Libgen,
    /// Fiction: the `fiction` table of `fiction.sql`, topic `f`.
    Fiction,
    /// Russian fiction: only in the libgen.li snapshot, topic `r`.
    FictionRus,
    /// Scientific papers: the `scimag` table of `scimag.sql.gz`, topic `a`.
    Scimag,
    /// Magazines: only in the libgen.li snapshot, topic `m`.
    Magazines,
    /// Comics: only in the libgen.li snapshot, topic `c`.
    Comics,
    /// Standards: only in the libgen.li snapshot, topic `s`.
    Standards,
}

/// What describes a collection.
#[derive(Debug)]
pub struct Info {
    /// The collection.
    pub collection: Collection,
    /// Its slug in URLs, the CLI and the index; also its catalog table.
    pub slug: &'static str,
    /// Its name for people.
    pub label: &'static str,
    /// Its number in the index's fast field (never changes once given).
    pub code: u64,
    /// Its letter in the libgen.li snapshot (`files.libgen_topic`).
    pub topic: &'static str,
    /// The `files` column of the snapshot with a file's id in this collection's numbering.
    pub snapshot_id: &'static str,
    /// The `files` column of the snapshot with a file's path inside this collection's zips
    /// (`None` when its files are not in zips).
    pub snapshot_path: Option<&'static str>,
    /// Other names accepted for it (`papers`, `books` …).
    pub aliases: &'static [&'static str],
    /// Its dump among the classic (libgen.rs) ones, if they have it: else its table has the
    /// snapshot's common layout.
    pub classic: Option<Classic>,
    /// The catalog tables beside its own.
    pub tables: Tables,
    /// How its files are laid out (`None`: no rule is known yet).
    pub files: Option<FileLayout>,
}

/// A collection's dump among the classic (libgen.rs) ones.
#[derive(Debug, Clone, Copy)]
pub struct Classic {
    /// The dump's file name as the bundled samples and the generator write it (`*.sql`).
    pub dump: &'static str,
    /// The dump's main table, one row per record.
    pub table: &'static str,
}

/// The catalog tables that belong to a collection besides its own (named by its migration).
#[derive(Debug, Clone, Copy)]
pub struct Tables {
    /// Descriptions by MD5 (`md5`, `descr`).
    pub descriptions: Option<&'static str>,
    /// Journals (`id`, `journal_id`, `magazine`, ISSNs …).
    pub journals: Option<&'static str>,
    /// Publishers by DOI prefix (`doi_code`, `publisher`).
    pub publishers: Option<&'static str>,
}

impl Tables {
    const NONE: Tables = Tables {
        descriptions: None,
        journals: None,
        publishers: None,
    };

    /// A table of these in a constant (the importer's table specs): its name, or `""` when the
    /// collection has none.
    pub const fn name(table: Option<&'static str>) -> &'static str {
        match table {
            Some(t) => t,
            None => "",
        }
    }
}

/// How a collection's files are laid out in the repository and named in the torrents
/// (as the Library Genesis mirrors publish them), with `bucket = id - id % 1000` and `block = id - id % 100000`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileLayout {
    /// One file per record named by its MD5 (then `.{extension}` when `extension`) in a folder
    /// per bucket (`{bucket}/{md5}`), the same path in the torrent
    /// `{torrent}{bucket:0width}.torrent`.
    ByMd5 {
        /// Whether the name ends in the record's extension.
        extension: bool,
        /// The torrents' name prefix.
        torrent: &'static str,
        /// The bucket's width in the torrent's name (zero-padded).
        width: usize,
    },
    /// Records in stored zips per bucket, in folders per block
    /// (`{block:08}/{zip}{bucket:08}-{bucket+999:08}.zip`, an entry per DOI), the same path in the
    /// torrent `{torrent}{block:08}-{block+99999:08}.torrent`.
    Zips {
        /// The zips' name prefix.
        zip: &'static str,
        /// The torrents' name prefix.
        torrent: &'static str,
    },
}

/// Every collection, in display order.
pub const INFO: [Info; 7] = [
    Info {
        collection: Collection::Libgen,
        slug: "libgen",
        label: "Sci-tech",
        code: 0,
        topic: "l",
        snapshot_id: "libgen_id",
        snapshot_path: None,
        aliases: &["scitech", "sci-tech", "nonfiction", "non-fiction", "books"],
        classic: Some(Classic {
            dump: "libgen.sql",
            table: "updated",
        }),
        tables: Tables {
            descriptions: Some("libgen_description"),
            ..Tables::NONE
        },
        files: Some(FileLayout::ByMd5 {
            extension: false,
            torrent: "r_",
            width: 3,
        }),
    },
    Info {
        collection: Collection::Fiction,
        slug: "fiction",
        label: "Fiction",
        code: 1,
        topic: "f",
        snapshot_id: "fiction_id",
        snapshot_path: None,
        aliases: &[],
        classic: Some(Classic {
            dump: "fiction.sql",
            table: "fiction",
        }),
        tables: Tables {
            descriptions: Some("fiction_description"),
            ..Tables::NONE
        },
        files: Some(FileLayout::ByMd5 {
            extension: true,
            torrent: "f_",
            width: 0,
        }),
    },
    Info {
        collection: Collection::FictionRus,
        slug: "fiction_rus",
        label: "Russian fiction",
        code: 3,
        topic: "r",
        snapshot_id: "fiction_rus_id",
        snapshot_path: None,
        aliases: &[
            "rusfiction",
            "russian-fiction",
            "russian_fiction",
            "fiction-rus",
        ],
        classic: None,
        tables: Tables::NONE,
        files: None,
    },
    Info {
        collection: Collection::Scimag,
        slug: "scimag",
        label: "Papers",
        code: 2,
        topic: "a",
        snapshot_id: "scimag_id",
        snapshot_path: Some("scimag_archive_path"),
        aliases: &["papers", "articles"],
        classic: Some(Classic {
            dump: "scimag.sql",
            table: "scimag",
        }),
        tables: Tables {
            descriptions: None,
            journals: Some("scimag_magazines"),
            publishers: Some("scimag_publishers"),
        },
        files: Some(FileLayout::Zips {
            zip: "libgen.scimag",
            torrent: "sm_",
        }),
    },
    Info {
        collection: Collection::Magazines,
        slug: "magazines",
        label: "Magazines",
        code: 4,
        topic: "m",
        snapshot_id: "magz_id",
        snapshot_path: None,
        aliases: &["magz", "magazine"],
        classic: None,
        tables: Tables::NONE,
        files: None,
    },
    Info {
        collection: Collection::Comics,
        slug: "comics",
        label: "Comics",
        code: 5,
        topic: "c",
        snapshot_id: "comics_id",
        snapshot_path: None,
        aliases: &["comic"],
        classic: None,
        tables: Tables::NONE,
        files: None,
    },
    Info {
        collection: Collection::Standards,
        slug: "standards",
        label: "Standards",
        code: 6,
        topic: "s",
        snapshot_id: "standarts_id",
        snapshot_path: None,
        aliases: &["standarts", "standard"],
        classic: None,
        tables: Tables::NONE,
        files: None,
    },
];

impl Collection {
    /// All collections, in display order.
    pub const ALL: [Collection; 7] = [
        Collection::Libgen,
        Collection::Fiction,
        Collection::FictionRus,
        Collection::Scimag,
        Collection::Magazines,
        Collection::Comics,
        Collection::Standards,
    ];

    /// How many there are (the size of per-collection arrays indexed by [`Collection::code`]).
    pub const COUNT: usize = 7;

    /// Its description ([`INFO`] lists the collections in the order they are declared).
    pub const fn info(self) -> &'static Info {
        &INFO[self as usize]
    }

    /// The slug used in URLs, the CLI and the index (`libgen`, `fiction`, `scimag` …); also the
    /// name of its catalog table.
    pub const fn slug(self) -> &'static str {
        self.info().slug
    }

    /// A human label.
    pub fn label(self) -> &'static str {
        self.info().label
    }

    /// Small integer stored in the index's fast field.
    pub fn code(self) -> u64 {
        self.info().code
    }

    /// The inverse of [`Collection::code`].
    pub fn from_code(code: u64) -> Option<Self> {
        INFO.iter().find(|i| i.code == code).map(|i| i.collection)
    }

    /// The collection of a libgen.li snapshot topic letter.
    pub fn from_topic(letter: &str) -> Option<Self> {
        INFO.iter()
            .find(|i| i.topic == letter)
            .map(|i| i.collection)
    }

    /// Whether the classic dumps have it (else only the libgen.li snapshot, and its table has
    /// the snapshot's common layout).
    pub fn is_classic(self) -> bool {
        self.info().classic.is_some()
    }

    /// The main table of its classic dump (`""` when the classic dumps do not have it).
    pub const fn dump_table(self) -> &'static str {
        match self.info().classic {
            Some(c) => c.table,
            None => "",
        }
    }

    /// The classic dumps' main tables as a list for people: `` `updated`, `fiction` or … ``.
    pub fn dump_tables() -> String {
        or_list(INFO.iter().filter_map(|i| i.classic).map(|c| c.table), "`")
    }

    /// Its catalog tables besides its own.
    pub fn tables(self) -> Tables {
        self.info().tables
    }

    /// How its files are laid out, if known.
    pub fn files(self) -> Option<FileLayout> {
        self.info().files
    }

    /// The name prefix of its zips (papers: `libgen.scimag`), when its files are in zips.
    pub fn zip_prefix(self) -> Option<&'static str> {
        match self.info().files {
            Some(FileLayout::Zips { zip, .. }) => Some(zip),
            _ => None,
        }
    }

    /// The collections whose files are one per MD5 (sci-tech, fiction), in display order.
    pub fn by_md5() -> impl Iterator<Item = Collection> {
        INFO.iter()
            .filter(|i| matches!(i.files, Some(FileLayout::ByMd5 { .. })))
            .map(|i| i.collection)
    }

    /// The slugs of the classic collections as a list for people: `libgen, fiction or scimag`.
    pub fn classic_slugs() -> String {
        or_list(
            INFO.iter().filter(|i| i.classic.is_some()).map(|i| i.slug),
            "",
        )
    }
}

/// `a, b or c`, each quoted with `quote`.
fn or_list<'a>(items: impl Iterator<Item = &'a str>, quote: &str) -> String {
    let items: Vec<String> = items.map(|i| format!("{quote}{i}{quote}")).collect();
    match items.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
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
        let s = s.trim().to_ascii_lowercase();
        INFO.iter()
            .find(|i| i.slug == s || i.aliases.contains(&s.as_str()))
            .map(|i| i.collection)
            .ok_or_else(|| {
                format!(
                    "unknown collection `{s}` (expected {})",
                    INFO.iter().map(|i| i.slug).collect::<Vec<_>>().join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_slugs_and_topics_are_unique_and_round_trip() {
        for (i, info) in INFO.iter().enumerate() {
            assert_eq!(info.collection as usize, i, "INFO follows the enum's order");
            assert_eq!(Collection::ALL[i], info.collection);
        }
        for c in Collection::ALL {
            assert_eq!(Collection::from_code(c.code()), Some(c));
            assert_eq!(c.slug().parse::<Collection>(), Ok(c));
            assert_eq!(Collection::from_topic(c.info().topic), Some(c));
        }
        // The classic collections keep the codes their indexes were built with.
        assert_eq!(Collection::Libgen.code(), 0);
        assert_eq!(Collection::Fiction.code(), 1);
        assert_eq!(Collection::Scimag.code(), 2);
        let mut codes: Vec<u64> = Collection::ALL.iter().map(|c| c.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), Collection::COUNT);
        assert!(codes.iter().all(|&c| (c as usize) < Collection::COUNT));
        assert_eq!("papers".parse::<Collection>(), Ok(Collection::Scimag));
        assert_eq!("magz".parse::<Collection>(), Ok(Collection::Magazines));
        assert!("klingon".parse::<Collection>().is_err());
        assert_eq!(Collection::classic_slugs(), "libgen, fiction or scimag");
        assert_eq!(
            Collection::dump_tables(),
            "`updated`, `fiction` or `scimag`"
        );
        assert_eq!(Collection::Magazines.dump_table(), "");
    }
}
