//! What a citation says of a record, and its BibTeX and RIS text: read by the record pages'
//! `citation_*` meta tags and downloads (`web::handlers::citation`) and by the batch look-up's
//! exports (`lookup::export`). Pure: no HTTP, no catalog reads.

use crate::db::record::FullRecord;
use crate::search::normalize::parse_isbn;
use crate::text::{authors, plain};
use crate::Collection;

/// What a citation says of a record.
#[derive(Debug, Clone, Default)]
pub struct Citation {
    /// A paper (else a book).
    pub article: bool,
    /// The BibTeX key.
    pub key: String,
    /// Title (text).
    pub title: String,
    /// Authors, one per entry.
    pub authors: Vec<String>,
    /// Year.
    pub year: String,
    /// Month (papers).
    pub month: String,
    /// Day (papers).
    pub day: String,
    /// Journal.
    pub journal: String,
    /// Volume.
    pub volume: String,
    /// Issue.
    pub issue: String,
    /// First page (papers) or page count (books).
    pub first_page: String,
    /// Last page.
    pub last_page: String,
    /// Publisher.
    pub publisher: String,
    /// Place of publication.
    pub city: String,
    /// Edition.
    pub edition: String,
    /// Series.
    pub series: String,
    /// ISBNs.
    pub isbns: Vec<String>,
    /// ISSNs.
    pub issns: Vec<String>,
    /// DOI.
    pub doi: String,
    /// Language.
    pub language: String,
}

fn year_of(text: &str) -> String {
    let y = crate::search::normalize::year(text);
    if y > 0 {
        y.to_string()
    } else {
        String::new()
    }
}

impl Citation {
    /// Builds the citation of a record.
    pub fn of(record: &FullRecord) -> Citation {
        let r = &record.row;
        // Titles and journals may hold HTML (papers); the other fields are plain text.
        let html = |name: &str| r.known(name).map(plain).unwrap_or_default();
        let get = |name: &str| r.known(name).map(str::to_string).unwrap_or_default();
        let mut c = Citation {
            key: format!("{}{}", record.collection.slug(), r.get("id")),
            title: html("title"),
            authors: authors(r.get("author")),
            year: year_of(r.get("year")),
            doi: get("doi"),
            ..Default::default()
        };
        match record.collection {
            Collection::Scimag => {
                c.article = true;
                c.month = get("month");
                c.day = get("day");
                c.volume = get("volume");
                c.issue = get("issue");
                c.first_page = get("first_page");
                c.last_page = get("last_page");
                c.journal = html("journal");
                if c.journal.is_empty() {
                    c.journal = record
                        .magazine
                        .as_ref()
                        .and_then(|m| m.known("magazine"))
                        .map(plain)
                        .unwrap_or_default();
                }
                c.publisher = record.publisher.clone().unwrap_or_default();
                c.isbns = r
                    .known("isbn")
                    .map(|s| vec![s.to_string()])
                    .unwrap_or_default();
                c.issns = ["issnp", "issne"]
                    .iter()
                    .filter_map(|k| r.known(k))
                    .map(str::to_string)
                    .collect();
            }
            // Books of every other collection.
            _ => {
                c.publisher = get("publisher");
                c.city = get("city");
                c.edition = get("edition");
                c.series = html("series");
                c.volume = r
                    .known("volume_info")
                    .or_else(|| r.known("volume"))
                    .unwrap_or_default()
                    .to_string();
                c.language = get("language");
                c.first_page = get("pages");
                for part in r.get("identifier").split([',', ';']) {
                    if let Some((isbn13, _)) = parse_isbn(part) {
                        if !c.isbns.contains(&isbn13) {
                            c.isbns.push(isbn13);
                        }
                    }
                }
                c.issns = r
                    .known("issn")
                    .map(|s| vec![s.to_string()])
                    .unwrap_or_default();
            }
        }
        c
    }

    /// The date for `citation_publication_date`: `YYYY`, `YYYY/MM` or `YYYY/MM/DD`.
    pub fn date(&self) -> String {
        let mut d = self.year.clone();
        let two = |s: &str| {
            s.trim()
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=31).contains(n))
                .map(|n| format!("{n:02}"))
        };
        if let (false, Some(m)) = (d.is_empty(), two(&self.month)) {
            d.push('/');
            d.push_str(&m);
            if let Some(day) = two(&self.day) {
                d.push('/');
                d.push_str(&day);
            }
        }
        d
    }

    /// The `citation_*` meta tags (name, content).
    pub fn meta(&self) -> Vec<(&'static str, String)> {
        let mut out: Vec<(&'static str, String)> = Vec::new();
        let mut add = |name: &'static str, value: &str| {
            if !value.trim().is_empty() {
                out.push((name, value.trim().to_string()));
            }
        };
        add("citation_title", &self.title);
        for a in &self.authors {
            add("citation_author", a);
        }
        add("citation_publication_date", &self.date());
        if self.article {
            add("citation_journal_title", &self.journal);
            add("citation_volume", &self.volume);
            add("citation_issue", &self.issue);
            add("citation_firstpage", &self.first_page);
            add("citation_lastpage", &self.last_page);
        } else {
            add("citation_series_title", &self.series);
            add("citation_edition", &self.edition);
        }
        add("citation_publisher", &self.publisher);
        add("citation_doi", &self.doi);
        for i in &self.isbns {
            add("citation_isbn", i);
        }
        for i in &self.issns {
            add("citation_issn", i);
        }
        add("citation_language", &self.language);
        out
    }

    /// A BibTeX entry.
    pub fn bibtex(&self) -> String {
        let mut out = format!(
            "@{}{{{},\n",
            if self.article { "article" } else { "book" },
            self.key
        );
        let mut field = |name: &str, value: &str| {
            if !value.trim().is_empty() {
                out.push_str(&format!(
                    "  {name} = {{{}}},\n",
                    bibtex_escape(value.trim())
                ));
            }
        };
        field("title", &self.title);
        field("author", &self.authors.join(" and "));
        field("year", &self.year);
        if self.article {
            field("journal", &self.journal);
            field("volume", &self.volume);
            field("number", &self.issue);
            let pages = match (self.first_page.as_str(), self.last_page.as_str()) {
                ("", _) => String::new(),
                (a, "") => a.to_string(),
                (a, b) => format!("{a}--{b}"),
            };
            field("pages", &pages);
        } else {
            field("edition", &self.edition);
            field("series", &self.series);
            field("volume", &self.volume);
            field("address", &self.city);
            field("pagetotal", &self.first_page);
            field("language", &self.language);
        }
        field("publisher", &self.publisher);
        field("isbn", &self.isbns.join(", "));
        field("issn", &self.issns.join(", "));
        field("doi", &self.doi);
        out.push_str("}\n");
        out
    }

    /// An RIS record (CRLF line ends, as the format asks).
    pub fn ris(&self) -> String {
        let mut out = String::new();
        let mut tag = |tag: &str, value: &str| {
            let value: String = value
                .trim()
                .chars()
                .filter(|c| *c != '\r' && *c != '\n')
                .collect();
            if !value.is_empty() {
                out.push_str(&format!("{tag}  - {value}\r\n"));
            }
        };
        tag("TY", if self.article { "JOUR" } else { "BOOK" });
        tag("TI", &self.title);
        for a in &self.authors {
            tag("AU", a);
        }
        tag("PY", &self.year);
        tag("DA", &self.date());
        if self.article {
            tag("JO", &self.journal);
            tag("VL", &self.volume);
            tag("IS", &self.issue);
            tag("SP", &self.first_page);
            tag("EP", &self.last_page);
        } else {
            tag("ET", &self.edition);
            tag("T2", &self.series);
            tag("VL", &self.volume);
            tag("CY", &self.city);
            tag("SP", &self.first_page);
            tag("LA", &self.language);
        }
        tag("PB", &self.publisher);
        for i in self.isbns.iter().chain(&self.issns) {
            tag("SN", i);
        }
        tag("DO", &self.doi);
        out.push_str("ER  - \r\n");
        out
    }
}

fn bibtex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' | '}' | '&' | '%' | '$' | '#' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let c = Citation {
            article: true,
            key: "paper5".into(),
            title: "A & B {x}".into(),
            authors: vec!["B. Riemann".into(), "C. Gauss".into()],
            year: "1868".into(),
            journal: "Mathematische Annalen".into(),
            volume: "2".into(),
            first_page: "1".into(),
            last_page: "12".into(),
            doi: "10.1007/bf01397280".into(),
            ..Default::default()
        };
        let b = c.bibtex();
        assert!(b.starts_with("@article{paper5,\n"));
        assert!(b.contains("title = {A \\& B \\{x\\}}"));
        assert!(b.contains("author = {B. Riemann and C. Gauss}"));
        assert!(b.contains("pages = {1--12}"));
        let r = c.ris();
        assert!(r.starts_with("TY  - JOUR\r\n"));
        assert!(r.contains("AU  - C. Gauss\r\n"));
        assert!(r.ends_with("ER  - \r\n"));
        assert!(c.meta().contains(&("citation_firstpage", "1".into())));
    }
}
