//! Record pages (`/{slug}/{id}` of each collection): every field worth showing,
//! grouped, the description sanitised, related versions, the location panel, citation export.

use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

use super::citation::Citation;
use super::location::{self, Location};
use super::parse_id;
use crate::db::record::{full_record, Columns, FullRecord};
use crate::db::records::Summary;
use crate::search::normalize::{parse_doi, parse_isbn};
use crate::web::error::WebError;
use crate::web::render::{self, description, human_size, plain, Markup};
use crate::web::state::AppState;
use crate::Collection;

/// One labelled value.
pub struct Field {
    /// The label.
    pub label: &'static str,
    /// The value as text.
    pub text: String,
    /// A link for the value.
    pub href: Option<String>,
    /// Shown in a monospace font (hashes, identifiers).
    pub mono: bool,
}

/// A group of fields.
pub struct Section {
    /// Its heading.
    pub heading: &'static str,
    /// Its fields.
    pub fields: Vec<Field>,
}

/// A related record.
pub struct Related {
    /// Its page.
    pub href: String,
    /// Its title.
    pub title: String,
    /// Author, year, format, size.
    pub detail: String,
}

/// An author with a link that searches for their other records.
pub struct Author {
    /// The name.
    pub name: String,
    /// The search link.
    pub href: String,
}

/// The record page.
#[derive(Template)]
#[template(path = "pages/record.html")]
pub struct RecordPage {
    /// Collection slug.
    pub collection: &'static str,
    /// Collection label.
    pub collection_label: &'static str,
    /// Record id.
    pub id: i64,
    /// Title (text).
    pub title: String,
    /// Authors.
    pub authors: Vec<Author>,
    /// Journal/publisher and year, one line.
    pub byline: String,
    /// Why it was withdrawn, if it was.
    pub withdrawn: Option<String>,
    /// The better version(s) its `generic` names.
    pub better: Vec<Related>,
    /// Older versions that name this one.
    pub superseded: Vec<Related>,
    /// Other records of the same file.
    pub same_file: Vec<Related>,
    /// The other files of its edition (libgen.li snapshot).
    pub edition_files: Vec<Related>,
    /// The other editions of its work (libgen.li snapshot).
    pub work_editions: Vec<Related>,
    /// Where its details come from, when from the libgen.li snapshot.
    pub provenance: Option<String>,
    /// Notes on the file's state: marked broken, gone from a newer snapshot.
    pub file_notes: Vec<String>,
    /// Grouped fields.
    pub sections: Vec<Section>,
    /// Every column as stored.
    pub raw: Vec<(String, String)>,
    /// Description, sanitised.
    pub description: Markup,
    /// Table of contents, sanitised.
    pub toc: Markup,
    /// The location panel.
    pub location: Location,
    /// `citation_*` meta tags.
    pub meta: Vec<(&'static str, String)>,
    /// A PDF link for reference managers, when the file is here (absolute).
    pub pdf_url: Option<String>,
    /// The cover, when the cover store has it.
    pub cover: Option<String>,
    /// The BCP 47 tag of the record's language (the title's `lang`), empty when unknown.
    pub lang: &'static str,
}

/// A year as written, unless it is the dumps' "unknown" (`0`, `0000`).
fn known_year(year: &str) -> &str {
    let y = year.trim();
    if y.bytes().all(|b| b == b'0') {
        ""
    } else {
        y
    }
}

fn related(s: &Summary) -> Related {
    let mut detail: Vec<String> = Vec::new();
    for v in [
        plain(&s.author),
        known_year(&s.year).to_string(),
        s.extension.trim().to_string(),
        human_size(s.filesize),
    ] {
        if !v.is_empty() {
            detail.push(v);
        }
    }
    if !s.visible.trim().is_empty() {
        detail.push("withdrawn".into());
    }
    Related {
        href: s.url(),
        title: plain(&s.title),
        detail: detail.join(" · "),
    }
}

struct Fields<'a> {
    row: &'a Columns,
    out: Vec<Field>,
}

impl<'a> Fields<'a> {
    fn new(row: &'a Columns) -> Self {
        Fields {
            row,
            out: Vec::new(),
        }
    }

    fn text(mut self, label: &'static str, column: &str) -> Self {
        if let Some(v) = self.row.known(column) {
            self.out.push(Field {
                label,
                text: v.to_string(),
                href: None,
                mono: false,
            });
        }
        self
    }

    /// A column that may hold HTML (journal data): shown as its text.
    fn html_text(mut self, label: &'static str, column: &str) -> Self {
        if let Some(v) = self.row.known(column) {
            self.out.push(Field {
                label,
                text: plain(v),
                href: None,
                mono: false,
            });
        }
        self
    }

    fn value(
        mut self,
        label: &'static str,
        text: String,
        href: Option<String>,
        mono: bool,
    ) -> Self {
        if !text.trim().is_empty() {
            self.out.push(Field {
                label,
                text,
                href,
                mono,
            });
        }
        self
    }

    fn mono(mut self, label: &'static str, column: &str) -> Self {
        if let Some(v) = self.row.known(column) {
            self.out.push(Field {
                label,
                text: v.to_string(),
                href: None,
                mono: true,
            });
        }
        self
    }

    /// Scan flags stored as `Y`/`N`/`1`/`0`.
    fn flag(mut self, label: &'static str, column: &str) -> Self {
        let v = self.row.get(column).trim();
        let text = match v.to_ascii_lowercase().as_str() {
            "" => return self,
            "y" | "yes" | "1" => "Yes".to_string(),
            "n" | "no" | "0" => "No".to_string(),
            _ => v.to_string(),
        };
        self.out.push(Field {
            label,
            text,
            href: None,
            mono: false,
        });
        self
    }

    fn done(self, heading: &'static str, sections: &mut Vec<Section>) {
        if !self.out.is_empty() {
            sections.push(Section {
                heading,
                fields: self.out,
            });
        }
    }
}

fn external(url: &str) -> Option<String> {
    let u = url.trim();
    (u.starts_with("http://") || u.starts_with("https://")).then(|| u.to_string())
}

fn isbn_fields<'a>(row: &Columns, column: &str, mut f: Fields<'a>) -> Fields<'a> {
    for part in row
        .get(column)
        .split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        // Every record with the ISBN (its other editions and files), not this page again.
        let href = parse_isbn(part).map(|(i13, _)| format!("/search?q=isbn%3A{i13}"));
        f = f.value("ISBN", part.to_string(), href, true);
    }
    f
}

/// Characters of a DOI escaped in a link path (`/` is kept: `/doi/{*doi}` and `doi.org/` take
/// the rest), after the DOI handbook's advice.
pub(crate) const DOI_PATH: &AsciiSet = &CONTROLS
    .add(b'[')
    .add(b']')
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'\\')
    .add(b'^')
    .add(b'|');

fn doi_field<'a>(f: Fields<'a>, label: &'static str, doi: &str, resolver: &str) -> Fields<'a> {
    let doi = doi.trim();
    // Out to the publisher through the resolver (doi.org, or the one configured).
    let href = parse_doi(doi).map(|d| format!("{resolver}{}", utf8_percent_encode(&d, DOI_PATH)));
    f.value(label, doi.to_string(), href, true)
}

/// Tags as written (`a;b`, `a, b`) as a list.
fn tags(text: &str) -> String {
    text.split([';', ','])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

fn file_section(record: &FullRecord, sections: &mut Vec<Section>) {
    let r = &record.row;
    let size = r.int("filesize");
    let size_text = if size > 0 {
        format!("{} ({size} bytes)", human_size(size))
    } else {
        String::new()
    };
    let ext = if record.collection == Collection::Scimag {
        "pdf".to_string()
    } else {
        r.get("extension").trim().to_string()
    };
    Fields::new(r)
        .value("Format", ext, None, false)
        .value("Size", size_text, None, false)
        .text("Pages in file", "pages_in_file")
        .mono("MD5", "md5")
        .mono("Original file name", "locator")
        .text("Added", "time_added")
        .text("Last modified", "time_last_modified")
        .done("File", sections);
    if let Some(h) = &record.hashes {
        Fields::new(h)
            .mono("CRC32", "crc32")
            .mono("eDonkey", "edonkey")
            .mono("AICH", "aich")
            .mono("SHA-1", "sha1")
            .mono("TTH", "tth")
            .mono("BitTorrent info-hash", "btih")
            .mono("SHA-256", "sha256")
            .mono("IPFS CID", "ipfs_cid")
            .mono("Torrent", "torrent")
            .done("Hashes", sections);
    }
}

fn sections(record: &FullRecord, resolver: &str) -> Vec<Section> {
    let r = &record.row;
    let mut out = Vec::new();
    match record.collection {
        Collection::Libgen => {
            let topic = record
                .topics
                .iter()
                .map(|t| t.get("topic_descr").replace('\\', " › "))
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(" / ");
            Fields::new(r)
                .text("Volume", "volume_info")
                .text("Series", "series")
                .text("Periodical", "periodical")
                .text("Edition", "edition")
                .text("Publisher", "publisher")
                .text("City", "city")
                .text("Year", "year")
                .text("Pages", "pages")
                .text("Language", "language")
                .value("Topic", topic, None, false)
                .text("Issue", "issue")
                .text("Library", "library")
                .value("Tags", tags(r.get("tags")), None, false)
                .text("Commentary", "commentary")
                .done("Publication", &mut out);
            let mut ids = isbn_fields(r, "identifier", Fields::new(r));
            ids = doi_field(ids, "DOI", r.get("doi"), resolver);
            ids.mono("ISSN", "issn")
                .mono("ASIN", "asin")
                .mono("Google Books ID", "googlebook_id")
                .mono("Open Library ID", "open_library_id")
                .done("Identifiers", &mut out);
            Fields::new(r)
                .mono("UDC", "udc")
                .mono("LBC", "lbc")
                .mono("DDC", "ddc")
                .mono("LCC", "lcc")
                .done("Classification", &mut out);
            Fields::new(r)
                .text("DPI", "dpi")
                .flag("Colour", "color")
                .flag("Cleaned", "cleaned")
                .flag("Orientation", "orientation")
                .flag("Paginated", "paginated")
                .flag("Scanned", "scanned")
                .flag("Bookmarked", "bookmarked")
                .flag("Searchable (OCR)", "searchable")
                .done("Scan", &mut out);
        }
        Collection::Fiction => {
            Fields::new(r)
                .text("Series", "series")
                .text("Edition", "edition")
                .text("Publisher", "publisher")
                .text("Year", "year")
                .text("Pages", "pages")
                .text("Language", "language")
                .text("Issue", "issue")
                .text("Library", "library")
                .text("Commentary", "commentary")
                .done("Publication", &mut out);
            isbn_fields(r, "identifier", Fields::new(r))
                .mono("ASIN", "asin")
                .mono("Google Books ID", "googlebook_id")
                .done("Identifiers", &mut out);
        }
        Collection::Scimag => {
            let journal = r
                .known("journal")
                .map(plain)
                .or_else(|| {
                    record
                        .magazine
                        .as_ref()
                        .and_then(|m| m.known("magazine"))
                        .map(plain)
                })
                .unwrap_or_default();
            let date = [r.get("year"), r.get("month"), r.get("day")]
                .iter()
                .map(|s| s.trim())
                .filter(|s| !s.is_empty() && *s != "0")
                .collect::<Vec<_>>()
                .join("-");
            let pages = match (r.known("first_page"), r.known("last_page")) {
                (Some(a), Some(b)) => format!("{a}–{b}"),
                (Some(a), None) => a.to_string(),
                _ => String::new(),
            };
            Fields::new(r)
                .value("Journal", journal, None, false)
                .value("Date", date, None, false)
                .text("Volume", "volume")
                .text("Issue", "issue")
                .value("Pages", pages, None, false)
                .value(
                    "Publisher",
                    record.publisher.clone().unwrap_or_default(),
                    None,
                    false,
                )
                .done("Publication", &mut out);
            let pmid = r.get("pubmed_id").trim().to_string();
            let pmid_href = (!pmid.is_empty() && pmid.bytes().all(|b| b.is_ascii_digit()))
                .then(|| format!("https://pubmed.ncbi.nlm.nih.gov/{pmid}/"));
            let mut ids = doi_field(Fields::new(r), "DOI", r.get("doi"), resolver);
            ids = doi_field(ids, "Second DOI", r.get("doi2"), resolver);
            ids = isbn_fields(r, "isbn", ids);
            let abstract_url = r.get("abstract_url").trim().to_string();
            ids.mono("ISSN (print)", "issnp")
                .mono("ISSN (electronic)", "issne")
                .value("PubMed ID", pmid, pmid_href, true)
                .mono("PubMed Central", "pmc")
                .mono("PII", "pii")
                .value(
                    "Abstract",
                    abstract_url.clone(),
                    external(&abstract_url),
                    false,
                )
                .done("Identifiers", &mut out);
            if let Some(m) = &record.magazine {
                let site = m.get("site_url").trim().to_string();
                Fields::new(m)
                    .html_text("Title", "magazine")
                    .text("Abbreviation", "abbr")
                    .text("Publisher", "publisher")
                    .mono("ISSN (print)", "issnp")
                    .mono("ISSN (electronic)", "issne")
                    .html_text("Previous title", "previous_title")
                    .text("Category", "category")
                    .text("Years", "years")
                    .text("Volumes", "volumes")
                    .html_text("About", "description")
                    .value("Web site", site.clone(), external(&site), false)
                    .done("Journal", &mut out);
            }
        }
        // The collections only the libgen.li snapshot has: its common layout.
        _ => {
            Fields::new(r)
                .text("Series", "series")
                .text("Volume", "volume")
                .text("Issue", "issue")
                .text("Edition", "edition")
                .text("Publisher", "publisher")
                .text("City", "city")
                .text("Year", "year")
                .text("Pages", "pages")
                .text("Language", "language")
                .text("Commentary", "commentary")
                .done("Publication", &mut out);
            let ids = isbn_fields(r, "identifier", Fields::new(r));
            doi_field(ids, "DOI", r.get("doi"), resolver)
                .mono("ISSN", "issn")
                .done("Identifiers", &mut out);
        }
    }
    file_section(record, &mut out);
    out
}

/// Builds the page of a record.
pub async fn page_of(
    state: &AppState,
    record: FullRecord,
    origin: &crate::web::origin::Origin,
) -> Result<RecordPage, WebError> {
    let collection = record.collection;
    let r = &record.row;
    let id = r.int("id");
    let summary = crate::db::record::summary(&state.pool, collection, id)
        .await?
        .ok_or_else(|| WebError::not_found("There is no such record."))?;
    let (location, found) = location::locate(state, &summary).await?;
    let citation = Citation::of(&record);
    let title = {
        let mut t = plain(r.get("title"));
        if collection == Collection::Libgen {
            if let Some(v) = r.known("volume_info") {
                t = format!("{t} (vol. {v})");
            }
        }
        if t.trim().is_empty() {
            "(untitled)".to_string()
        } else {
            t
        }
    };
    let byline = match collection {
        Collection::Scimag => [summary.journal.trim(), known_year(&summary.year)]
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| plain(s))
            .collect::<Vec<_>>()
            .join(", "),
        _ => [summary.publisher.trim(), known_year(&summary.year)]
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| plain(s))
            .collect::<Vec<_>>()
            .join(", "),
    };
    let authors = render::authors(r.get("author"))
        .into_iter()
        .map(|name| {
            let quoted = name.replace('"', "");
            let href = format!(
                "/search?{}",
                form_urlencoded::Serializer::new(String::new())
                    .append_pair("q", &format!("author:\"{quoted}\""))
                    .finish()
            );
            Author { name, href }
        })
        .collect();
    let withdrawn = r
        .known("visible")
        .map(|v| match v.to_ascii_lowercase().as_str() {
            "ban" => "This record was withdrawn (banned) from the catalog.".to_string(),
            "del" => "This record was withdrawn (deleted) from the catalog.".to_string(),
            "no" => "This record was withdrawn from the catalog.".to_string(),
            "cpr" => "This record was withdrawn after a copyright complaint.".to_string(),
            other => format!("This record was withdrawn from the catalog ({other})."),
        });
    let pdf_url =
        (location.present && summary.extension.eq_ignore_ascii_case("pdf") && found.is_some())
            .then(|| origin.url(&location.download));
    let marks = super::location::marks(state, std::slice::from_ref(&summary)).await;
    let cover = marks.into_iter().next().and_then(|m| m.cover);
    let lang = super::search::lang_tag(&summary.language);
    Ok(RecordPage {
        collection: collection.slug(),
        collection_label: collection.label(),
        id,
        title,
        authors,
        byline,
        withdrawn,
        better: record.better.iter().map(related).collect(),
        superseded: record.superseded.iter().map(related).collect(),
        same_file: record.same_file.iter().map(related).collect(),
        edition_files: record.edition_files.iter().map(related).collect(),
        work_editions: record.work_editions.iter().map(related).collect(),
        provenance: r.known("li_f_id").map(|f| {
            let mut s = format!("From the libgen.li snapshot: file {f}");
            if let Some(e) = r.known("li_e_id") {
                s.push_str(&format!(", edition {e}"));
            }
            if let Some(w) = r.known("li_w_id") {
                s.push_str(&format!(", work {w}"));
            }
            s.push_str(if collection.is_classic() {
                ". Its id is the classic Library Genesis one: the libgen.rs dumps' record, if imported too, is this one, with the snapshot's newer fields."
            } else {
                "."
            });
            s
        }),
        file_notes: [
            r.known("broken")
                .filter(|b| b.eq_ignore_ascii_case("y"))
                .map(|_| "Library Genesis marks this file as broken.".to_string()),
            r.known("li_removed").map(|d| {
                format!("A newer libgen.li snapshot (imported {d} UTC) no longer holds this file.")
            }),
        ]
        .into_iter()
        .flatten()
        .collect(),
        sections: sections(&record, &state.doi_resolver),
        raw: record.row.0.clone(),
        description: record
            .description
            .as_ref()
            .map(|d| description(d.get("descr")))
            .or_else(|| r.known("descr").map(description))
            .unwrap_or_default(),
        toc: record
            .description
            .as_ref()
            .map(|d| description(d.get("toc")))
            .unwrap_or_default(),
        location,
        meta: citation.meta(),
        pdf_url,
        cover,
        lang,
    })
}

/// `GET /{collection}/{id}`: a record's page.
pub async fn show(
    state: AppState,
    collection: Collection,
    id: String,
    origin: crate::web::origin::Origin,
) -> Result<Response, WebError> {
    if collection != Collection::Scimag && crate::search::normalize::is_md5(&id) {
        // The original site's `/fiction/<MD5>` links.
        return Ok(Redirect::to(&format!("/md5/{}", id.to_ascii_lowercase())).into_response());
    }
    let Some(id) = parse_id(&id) else {
        return Err(WebError::not_found(format!(
            "There is no {} record with that number.",
            collection.label().to_lowercase()
        )));
    };
    let record = full_record(&state.pool, collection, id)
        .await?
        .ok_or_else(|| {
            WebError::not_found(format!(
                "There is no {} record number {id}.",
                collection.label().to_lowercase()
            ))
        })?;
    let page = page_of(&state, record, &origin).await?;
    Ok(render::html(&page))
}
