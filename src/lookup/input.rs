//! Reading a reading list: identifiers pasted one per line, or a CSV, BibTeX or RIS export of a
//! reference manager. Each line, row, entry or record is one [`Item`] with the identifiers found
//! in it, in the order they should be tried. Pure functions, no I/O.

use crate::search::normalize::{detect_identifier, is_md5, parse_isbn};
use crate::search::Identifier;

use super::LookupError;

/// The most items one look-up takes.
pub const MAX_ITEMS: usize = 10_000;

/// Characters of an item's text kept for display.
const INPUT_CHARS: usize = 200;

/// How the input was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// One identifier (or a line of text holding one) per line.
    List,
    /// A CSV (or tab- or semicolon-separated) table with a header row.
    Csv,
    /// BibTeX (or BibLaTeX) entries.
    Bibtex,
    /// RIS records.
    Ris,
}

impl Format {
    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Format::List => "a list of identifiers",
            Format::Csv => "a CSV table",
            Format::Bibtex => "BibTeX",
            Format::Ris => "RIS",
        }
    }
}

/// One item of the list: what the user gave, and the identifiers found in it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Item {
    /// Its position: the line (list), the data row (CSV) or the entry (BibTeX, RIS), from 1.
    pub position: usize,
    /// Its text as given (a line, a row, an entry's key), cut to 200 characters.
    pub input: String,
    /// A title the export gave, for people reading the table.
    pub title: String,
    /// The identifiers found, in the order to try them (none: nothing usable in it).
    pub identifiers: Vec<Identifier>,
    /// Why it has no usable identifier (when it has none).
    pub problem: Option<String>,
}

/// A parsed reading list.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// How it was read.
    pub format: Format,
    /// Its items, in order.
    pub items: Vec<Item>,
}

fn clip(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= INPUT_CHARS {
        text.to_string()
    } else {
        let mut out: String = text.chars().take(INPUT_CHARS - 1).collect();
        out.push('…');
        out
    }
}

/// A PubMed id: digits only, 1 to 9 of them (kept as written: the index has them so).
fn pmid_digits(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.to_string())
}

/// `PMID: 123`, `PMID- 123` (MEDLINE), `pmid123`, or a PubMed URL.
fn parse_pmid(text: &str) -> Option<String> {
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    for prefix in ["pmid", "pubmed id", "pubmed"] {
        if let Some(rest) = lower.strip_prefix(prefix) {
            return pmid_digits(rest.trim_start_matches([':', '-', ' ', '\t', '=']));
        }
    }
    for host in ["pubmed.ncbi.nlm.nih.gov/", "ncbi.nlm.nih.gov/pubmed/"] {
        if let Some(at) = lower.find(host) {
            let rest = &lower[at + host.len()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            return pmid_digits(&digits);
        }
    }
    None
}

/// The identifier a piece of text is, if it is one. Bare numbers are PubMed ids only when
/// `bare_pmid` (a line that is nothing but the number, or a PMID column); ISSNs name journals,
/// not records, and are not taken.
pub fn identifier(text: &str, bare_pmid: bool) -> Option<Identifier> {
    let t = unwrap_token(text);
    if t.is_empty() || t.len() > 400 {
        return None;
    }
    if let Some(pmid) = parse_pmid(t) {
        return Some(Identifier::Pmid(pmid));
    }
    if bare_pmid {
        if let Some(pmid) = pmid_digits(t) {
            // Ten digits with a valid check digit is an ISBN-10 (handled below).
            if t.len() < 10 {
                return Some(Identifier::Pmid(pmid));
            }
        }
    }
    if let Some(rest) = t.strip_prefix("urn:isbn:") {
        return parse_isbn(rest).map(|(i13, _)| Identifier::Isbn(i13));
    }
    match detect_identifier(t) {
        Some(Identifier::Issn(_)) | None => None,
        Some(Identifier::Pmid(p)) => pmid_digits(&p).map(Identifier::Pmid),
        Some(found) => Some(found),
    }
}

/// A word without the quotes, brackets or punctuation around it: `(10.1/x)` and `"10.1/x",`
/// give `10.1/x`, while `10.1002/(SICI)1097(1997)` keeps its own parentheses.
fn unwrap_token(text: &str) -> &str {
    let mut t = text.trim().trim_end_matches([',', ';', '.']);
    loop {
        let before = t;
        t = t.trim_matches(|c: char| matches!(c, '"' | '\'' | '<' | '>' | '`'));
        for (open, close) in [('(', ')'), ('[', ']'), ('{', '}')] {
            if let Some(inner) = t.strip_prefix(open).and_then(|r| r.strip_suffix(close)) {
                t = inner;
            } else if t.ends_with(close) && !t.contains(open) {
                t = &t[..t.len() - 1];
            } else if t.starts_with(open) && !t.contains(close) {
                t = &t[1..];
            }
        }
        t = t.trim();
        if t == before {
            return t;
        }
    }
}

fn push_unique(list: &mut Vec<Identifier>, id: Identifier) {
    if !list.contains(&id) {
        list.push(id);
    }
}

/// Every identifier in a free-text field: the whole of it, else its words (MD5s, DOIs, ISBNs
/// with their dashes, prefixed ids; bare numbers only if `bare_pmid`).
fn scan(text: &str, bare_pmid: bool, out: &mut Vec<Identifier>) {
    if let Some(id) = identifier(text, bare_pmid) {
        push_unique(out, id);
        return;
    }
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '|'))
        .filter(|w| !w.is_empty())
        .collect();
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        // `PMID: 123`, `DOI: 10.…`, `ISBN 978…` split over two words.
        let lower = w.to_ascii_lowercase();
        let label = lower.trim_end_matches([':', '-']);
        if matches!(label, "pmid" | "doi" | "isbn" | "md5") && i + 1 < words.len() {
            let joined = format!("{label}:{}", words[i + 1]);
            if let Some(id) = identifier(&joined, true) {
                push_unique(out, id);
                i += 2;
                continue;
            }
        }
        if let Some(id) = identifier(w, false) {
            push_unique(out, id);
        }
        i += 1;
    }
}

fn item(position: usize, input: &str, title: &str, identifiers: Vec<Identifier>) -> Item {
    let problem = identifiers.is_empty().then(|| {
        "no DOI, ISBN, MD5 or PubMed id recognised (an ISBN's check digit may be wrong)".to_string()
    });
    Item {
        position,
        input: clip(input),
        title: clip(title),
        identifiers,
        problem,
    }
}

/// Reads a reading list in any of the [`Format`]s (recognised by content). Blank lines and lines
/// starting with `#` or `%` are skipped in a list. More than [`MAX_ITEMS`] items is an error.
pub fn parse(text: &str) -> Result<Parsed, LookupError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let format = sniff(text);
    let items = match format {
        Format::List => list(text),
        Format::Csv => csv_rows(text)?,
        Format::Bibtex => bibtex(text),
        Format::Ris => ris(text),
    };
    if items.len() > MAX_ITEMS {
        return Err(LookupError::TooMany {
            items: items.len(),
            max: MAX_ITEMS,
        });
    }
    Ok(Parsed { format, items })
}

/// Which format a text is in: BibTeX if an entry starts a line, RIS if a `TY  - ` tag does, CSV
/// if the first line is a header naming an identifier column, else a list.
pub fn sniff(text: &str) -> Format {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let Some(first) = lines.clone().next() else {
        return Format::List;
    };
    let is_ris_tag = |l: &str| {
        let b = l.as_bytes();
        b.len() >= 5
            && b[0].is_ascii_uppercase()
            && b[1].is_ascii_alphanumeric()
            && l[2..].starts_with("  -")
    };
    if is_ris_tag(first) && lines.any(|l| l.starts_with("TY  -")) {
        return Format::Ris;
    }
    if text.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with('@')
            && l[1..]
                .split(['{', '('])
                .next()
                .is_some_and(|t| !t.is_empty() && t.trim().bytes().all(|b| b.is_ascii_alphabetic()))
            && l.contains(['{', '('])
    }) {
        return Format::Bibtex;
    }
    if csv_header(first).is_some() {
        return Format::Csv;
    }
    Format::List
}

/// The item of one line of a list: the identifiers in it (a bare number is a PubMed id only
/// when it is the whole line).
pub fn item_of(position: usize, line: &str) -> Item {
    let mut ids = Vec::new();
    scan(line.trim(), true, &mut ids);
    item(position, line, "", ids)
}

fn list(text: &str) -> Vec<Item> {
    let mut items = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') || l.starts_with('%') {
            continue;
        }
        items.push(item_of(n + 1, l));
    }
    items
}

/// What a CSV column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Doi,
    Isbn,
    Md5,
    Pmid,
    /// Links and free text that may hold any identifier (`Url`, `Extra`, `Identifier`).
    Any,
    Title,
    Other,
}

fn column_of(name: &str) -> Column {
    let n: String = name
        .trim()
        .trim_matches('"')
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect::<String>()
        .to_lowercase();
    match n.as_str() {
        "doi" | "dois" => Column::Doi,
        "isbn" | "isbns" | "isbn13" | "isbn10" => Column::Isbn,
        "md5" | "md5sum" | "hash" => Column::Md5,
        "pmid" | "pubmed" | "pubmedid" => Column::Pmid,
        "url" | "link" | "extra" | "identifier" | "identifiers" | "id" | "note" | "notes" => {
            Column::Any
        }
        "title" => Column::Title,
        _ => Column::Other,
    }
}

/// The delimiter and columns of a CSV header line, if it names an identifier column.
fn csv_header(line: &str) -> Option<(u8, Vec<Column>)> {
    for delimiter in [b',', b'\t', b';'] {
        if !line.as_bytes().contains(&delimiter) {
            continue;
        }
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .from_reader(line.as_bytes());
        let Some(Ok(record)) = reader.records().next() else {
            continue;
        };
        let columns: Vec<Column> = record.iter().map(column_of).collect();
        if columns
            .iter()
            .any(|c| matches!(c, Column::Doi | Column::Isbn | Column::Md5 | Column::Pmid))
        {
            return Some((delimiter, columns));
        }
    }
    None
}

fn csv_rows(text: &str) -> Result<Vec<Item>, LookupError> {
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    let Some((delimiter, columns)) = csv_header(first) else {
        return Ok(list(text));
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(text.trim_start().as_bytes());
    let mut items = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| LookupError::Csv {
            row: n + 2,
            message: e.to_string(),
        })?;
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let mut ids = Vec::new();
        let mut title = String::new();
        // Dedicated columns first (in the order DOI, ISBN, PMID, MD5), then free text.
        for want in [
            Column::Doi,
            Column::Isbn,
            Column::Pmid,
            Column::Md5,
            Column::Any,
        ] {
            for (value, column) in record.iter().zip(&columns) {
                if *column != want || value.trim().is_empty() {
                    continue;
                }
                match want {
                    Column::Pmid => {
                        if let Some(p) = pmid_digits(value).or_else(|| parse_pmid(value)) {
                            push_unique(&mut ids, Identifier::Pmid(p));
                        }
                    }
                    // Several ISBNs in one cell are separated by spaces or commas.
                    _ => scan(value, false, &mut ids),
                }
            }
        }
        for (value, column) in record.iter().zip(&columns) {
            if *column == Column::Title && title.is_empty() {
                title = value.to_string();
            }
        }
        let input = record.iter().collect::<Vec<_>>().join(", ");
        items.push(item(n + 1, &input, &title, ids));
    }
    Ok(items)
}

/// One BibTeX entry's fields (names in lower case, values without their braces or quotes).
struct Entry {
    key: String,
    fields: Vec<(String, String)>,
}

/// Reads BibTeX entries leniently: `@type{key, name = {value} or "value" or number, …}`, with
/// nested braces; `@comment`, `@string` and `@preamble` are skipped. A damaged entry ends at the
/// next `@` that starts a line.
fn bibtex_entries(text: &str) -> Vec<Entry> {
    let bytes = text.as_bytes();
    let mut entries = Vec::new();
    let mut i = 0;
    while let Some(at) = memchr::memchr(b'@', &bytes[i..]) {
        let start = i + at + 1;
        let kind_end = start
            + bytes[start..]
                .iter()
                .position(|b| !b.is_ascii_alphabetic())
                .unwrap_or(bytes.len() - start);
        let kind = text[start..kind_end].to_ascii_lowercase();
        let mut j = kind_end;
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        if kind.is_empty() || j >= bytes.len() || !matches!(bytes[j], b'{' | b'(') {
            i = start;
            continue;
        }
        let close = if bytes[j] == b'{' { b'}' } else { b')' };
        // The entry's body: up to the matching close at depth zero.
        let body_start = j + 1;
        let mut depth = 0i32;
        let mut k = body_start;
        let mut in_quote = false;
        while k < bytes.len() {
            match bytes[k] {
                b'{' => depth += 1,
                b'}' if depth > 0 => depth -= 1,
                b'"' if depth == 0 => in_quote = !in_quote,
                b'\n' if k + 1 < bytes.len() && bytes[k + 1] == b'@' => break,
                b if b == close && depth == 0 && !in_quote => break,
                _ => {}
            }
            k += 1;
        }
        let body = &text[body_start..k.min(bytes.len())];
        i = (k + 1).min(bytes.len());
        if matches!(kind.as_str(), "comment" | "string" | "preamble") {
            continue;
        }
        entries.push(bibtex_fields(body));
    }
    entries
}

fn bibtex_fields(body: &str) -> Entry {
    let (key, rest) = match body.find(',') {
        Some(c) if !body[..c].contains('=') => (body[..c].trim().to_string(), &body[c + 1..]),
        _ => (String::new(), body),
    };
    let bytes = rest.as_bytes();
    let mut fields = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let Some(eq) = rest[i..].find('=') else { break };
        let name = rest[i..i + eq]
            .trim()
            .trim_start_matches(',')
            .trim()
            .to_ascii_lowercase();
        let mut j = i + eq + 1;
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        // A value is braces, quotes or a bare word, possibly joined with `#`.
        let mut value = String::new();
        loop {
            if j >= bytes.len() {
                break;
            }
            match bytes[j] {
                b'{' => {
                    let mut depth = 0;
                    let begin = j + 1;
                    while j < bytes.len() {
                        match bytes[j] {
                            b'{' => depth += 1,
                            b'}' => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                        j += 1;
                    }
                    value.push_str(&rest[begin..j.min(bytes.len())]);
                    j += 1;
                }
                b'"' => {
                    let begin = j + 1;
                    j += 1;
                    let mut depth = 0;
                    while j < bytes.len() && !(bytes[j] == b'"' && depth == 0) {
                        match bytes[j] {
                            b'{' => depth += 1,
                            b'}' => depth -= 1,
                            _ => {}
                        }
                        j += 1;
                    }
                    value.push_str(&rest[begin..j.min(bytes.len())]);
                    j += 1;
                }
                _ => {
                    let begin = j;
                    while j < bytes.len() && !matches!(bytes[j], b',' | b'#') {
                        j += 1;
                    }
                    value.push_str(rest[begin..j].trim());
                }
            }
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            if j < bytes.len() && bytes[j] == b'#' {
                j += 1;
                while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                    j += 1;
                }
                continue;
            }
            break;
        }
        if !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        {
            // BibTeX escapes `_`, `%`, `&` and `#` with a backslash; DOIs hold them.
            let value = value
                .replace("\\_", "_")
                .replace("\\%", "%")
                .replace("\\&", "&")
                .replace("\\#", "#")
                .replace(['{', '}'], "");
            fields.push((name, value.trim().to_string()));
        }
        match rest[j.min(bytes.len())..].find(',') {
            Some(c) => i = j + c + 1,
            None => break,
        }
    }
    Entry { key, fields }
}

fn bibtex(text: &str) -> Vec<Item> {
    bibtex_entries(text)
        .into_iter()
        .enumerate()
        .map(|(n, entry)| {
            let get = |name: &'static str| {
                entry
                    .fields
                    .iter()
                    .filter(move |(k, _)| k == name)
                    .map(|(_, v)| v.as_str())
            };
            let mut ids = Vec::new();
            for v in get("doi") {
                scan(v, false, &mut ids);
            }
            for v in get("isbn") {
                scan(v, false, &mut ids);
            }
            for v in get("pmid") {
                if let Some(p) = pmid_digits(v).or_else(|| parse_pmid(v)) {
                    push_unique(&mut ids, Identifier::Pmid(p));
                }
            }
            let pubmed_eprint = get("eprinttype")
                .chain(get("archiveprefix"))
                .any(|v| v.eq_ignore_ascii_case("pubmed"));
            if pubmed_eprint {
                for v in get("eprint") {
                    if let Some(p) = pmid_digits(v) {
                        push_unique(&mut ids, Identifier::Pmid(p));
                    }
                }
            }
            for v in get("md5") {
                if is_md5(v.trim()) {
                    push_unique(&mut ids, Identifier::Md5(v.trim().to_ascii_lowercase()));
                }
            }
            for name in ["url", "note", "annote", "extra", "howpublished"] {
                for v in get(name) {
                    scan(v, false, &mut ids);
                }
            }
            let title = get("title").next().unwrap_or_default();
            let input = if entry.key.is_empty() {
                format!("entry {}", n + 1)
            } else {
                format!("@{}", entry.key)
            };
            item(n + 1, &input, title, ids)
        })
        .collect()
}

fn ris(text: &str) -> Vec<Item> {
    let mut items = Vec::new();
    let mut fields: Vec<(String, String)> = Vec::new();
    let finish = |fields: &mut Vec<(String, String)>, items: &mut Vec<Item>| {
        if fields.is_empty() {
            return;
        }
        let get = |tag: &'static str| {
            fields
                .iter()
                .filter(move |(t, _)| t == tag)
                .map(|(_, v)| v.as_str())
        };
        let mut ids = Vec::new();
        for v in get("DO") {
            scan(v, false, &mut ids);
        }
        for v in get("SN") {
            // `SN` holds ISBNs and ISSNs alike; only ISBNs name a record.
            for part in v.split([',', ';']) {
                if let Some((i13, _)) = parse_isbn(part) {
                    push_unique(&mut ids, Identifier::Isbn(i13));
                }
            }
        }
        for tag in ["AN", "C2", "M1", "N1", "UR", "L1", "L2", "ID"] {
            for v in get(tag) {
                if let Some(p) = parse_pmid(v) {
                    push_unique(&mut ids, Identifier::Pmid(p));
                } else if tag != "ID" && tag != "M1" {
                    scan(v, false, &mut ids);
                }
            }
        }
        let title = get("TI").chain(get("T1")).next().unwrap_or_default();
        let kind = get("TY").next().unwrap_or_default();
        let first_author = get("AU").chain(get("A1")).next().unwrap_or_default();
        let input = format!("{kind} {first_author}");
        items.push(item(items.len() + 1, input.trim(), title, ids));
        fields.clear();
    };
    for line in text.lines() {
        let line = line.trim_end();
        let tagged = line.len() >= 5 && line.is_char_boundary(2) && line[2..].starts_with("  -");
        if !tagged {
            // A continuation of the last value.
            if let Some((_, v)) = fields.last_mut() {
                if !line.trim().is_empty() {
                    v.push(' ');
                    v.push_str(line.trim());
                }
            }
            continue;
        }
        let tag = line[..2].to_string();
        let value = line[5..].trim().to_string();
        match tag.as_str() {
            "TY" => {
                finish(&mut fields, &mut items);
                fields.push((tag, value));
            }
            "ER" => finish(&mut fields, &mut items),
            _ => fields.push((tag, value)),
        }
    }
    finish(&mut fields, &mut items);
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<Vec<Identifier>> {
        parse(text)
            .unwrap()
            .items
            .into_iter()
            .map(|i| i.identifiers)
            .collect()
    }

    #[test]
    fn a_list_of_every_kind() {
        let text = "10.1038/nature14539\n\
                    https://doi.org/10.1000/ABC%2F1\n\
                    \n# a comment\n\
                    978-0-262-03384-8\n\
                    0262033844\n\
                    ISBN 0 262 03384 4\n\
                    7B2A4D53FDE834E801C26A2BAB7E0240\n\
                    PMID: 12345678\n\
                    23456\n\
                    https://pubmed.ncbi.nlm.nih.gov/31415926/\n\
                    Deep learning, 10.1038/nature14539 (2015)\n\
                    978-0-262-03384-9\n\
                    hello world\n";
        let parsed = parse(text).unwrap();
        assert_eq!(parsed.format, Format::List);
        let isbn = Identifier::Isbn("9780262033848".into());
        assert_eq!(
            ids(text),
            vec![
                vec![Identifier::Doi("10.1038/nature14539".into())],
                vec![Identifier::Doi("10.1000/abc/1".into())],
                vec![isbn.clone()],
                vec![isbn.clone()],
                vec![isbn],
                vec![Identifier::Md5("7b2a4d53fde834e801c26a2bab7e0240".into())],
                vec![Identifier::Pmid("12345678".into())],
                vec![Identifier::Pmid("23456".into())],
                vec![Identifier::Pmid("31415926".into())],
                vec![Identifier::Doi("10.1038/nature14539".into())],
                vec![],
                vec![],
            ]
        );
        // Positions are the lines; malformed items say why.
        assert_eq!(parsed.items[2].position, 5);
        assert!(parsed.items[10].problem.is_some());
        assert_eq!(parsed.items[10].input, "978-0-262-03384-9");
    }

    #[test]
    fn a_year_in_a_line_of_text_is_no_pubmed_id() {
        assert_eq!(ids("Some title 2015"), vec![vec![]]);
        assert_eq!(
            ids("Some title PMID: 2015"),
            vec![vec![Identifier::Pmid("2015".into())]]
        );
    }

    #[test]
    fn a_zotero_csv_export() {
        let text = "\u{feff}\"Key\",\"Item Type\",\"Publication Year\",\"Author\",\"Title\",\"ISBN\",\"ISSN\",\"DOI\",\"Url\",\"Extra\"\n\
                    \"AB12\",\"journalArticle\",\"2015\",\"LeCun, Yann\",\"Deep learning\",\"\",\"0028-0836\",\"10.1038/nature14539\",\"https://www.nature.com/articles/nature14539\",\"PMID: 26017442\"\n\
                    \"CD34\",\"book\",\"2009\",\"Cormen, Thomas\",\"Introduction to Algorithms, 3rd\",\"978-0-262-03384-8 0262033844\",\"\",\"\",\"\",\"\"\n\
                    \"EF56\",\"webpage\",\"2020\",\"Nobody\",\"A page\",\"\",\"\",\"\",\"https://example.org\",\"\"\n";
        let parsed = parse(text).unwrap();
        assert_eq!(parsed.format, Format::Csv);
        assert_eq!(parsed.items.len(), 3);
        assert_eq!(
            parsed.items[0].identifiers,
            vec![
                Identifier::Doi("10.1038/nature14539".into()),
                Identifier::Pmid("26017442".into())
            ]
        );
        assert_eq!(parsed.items[0].title, "Deep learning");
        assert_eq!(
            parsed.items[1].identifiers,
            vec![Identifier::Isbn("9780262033848".into())]
        );
        assert!(parsed.items[2].identifiers.is_empty());
        assert_eq!(parsed.items[2].position, 3);
    }

    #[test]
    fn semicolons_and_tabs() {
        assert_eq!(
            ids("title;doi\nA;10.1000/xyz\n"),
            vec![vec![Identifier::Doi("10.1000/xyz".into())]]
        );
        assert_eq!(
            ids("PMID\tTitle\n123\tA\n"),
            vec![vec![Identifier::Pmid("123".into())]]
        );
    }

    #[test]
    fn bibtex_entries_of_every_shape() {
        let text = r#"
% exported by Zotero
@comment{jabref-meta: x}
@string{nat = "Nature"}
@article{lecun2015,
  title = {Deep {Learning}},
  journal = nat,
  doi = {10.1038/nature14539},
  pmid = "26017442",
}
@book{cormen2009,
  title = "Introduction to Algorithms",
  isbn = {978-0-262-03384-8},
  year = 2009
}
@misc{weird_doi,
  doi = {10.1002/(SICI)1097-4636(199706)35:4\_{}x},
  url = {https://doi.org/10.1000/other},
}
@online{nothing, title={Just a page}, url={https://example.org/}}
@article(pubmed,
  eprint = {31415926}, eprinttype = {pubmed})
"#;
        let parsed = parse(text).unwrap();
        assert_eq!(parsed.format, Format::Bibtex);
        assert_eq!(parsed.items.len(), 5);
        assert_eq!(parsed.items[0].input, "@lecun2015");
        assert_eq!(parsed.items[0].title, "Deep Learning");
        assert_eq!(
            parsed.items[0].identifiers,
            vec![
                Identifier::Doi("10.1038/nature14539".into()),
                Identifier::Pmid("26017442".into())
            ]
        );
        assert_eq!(
            parsed.items[1].identifiers,
            vec![Identifier::Isbn("9780262033848".into())]
        );
        assert_eq!(
            parsed.items[2].identifiers,
            vec![
                Identifier::Doi("10.1002/(sici)1097-4636(199706)35:4_x".into()),
                Identifier::Doi("10.1000/other".into())
            ]
        );
        assert!(parsed.items[3].identifiers.is_empty());
        assert_eq!(
            parsed.items[4].identifiers,
            vec![Identifier::Pmid("31415926".into())]
        );
    }

    #[test]
    fn ris_records() {
        let text = "TY  - JOUR\r\nTI  - Deep learning\r\nAU  - LeCun, Yann\r\nDO  - 10.1038/nature14539\r\nSN  - 0028-0836\r\nAN  - PMID: 26017442\r\nER  - \r\n\
                    TY  - BOOK\r\nTI  - Introduction to Algorithms\r\nSN  - 978-0-262-03384-8\r\nER  - \r\n\
                    TY  - ELEC\r\nTI  - A page\r\nUR  - https://doi.org/10.1000/XYZ\r\nER  - \r\n\
                    TY  - GEN\r\nTI  - Nothing\r\nER  - \r\n";
        let parsed = parse(text).unwrap();
        assert_eq!(parsed.format, Format::Ris);
        assert_eq!(parsed.items.len(), 4);
        assert_eq!(parsed.items[0].title, "Deep learning");
        assert_eq!(parsed.items[0].input, "JOUR LeCun, Yann");
        assert_eq!(
            parsed.items[0].identifiers,
            vec![
                Identifier::Doi("10.1038/nature14539".into()),
                Identifier::Pmid("26017442".into())
            ]
        );
        assert_eq!(
            parsed.items[1].identifiers,
            vec![Identifier::Isbn("9780262033848".into())]
        );
        assert_eq!(
            parsed.items[2].identifiers,
            vec![Identifier::Doi("10.1000/xyz".into())]
        );
        assert!(parsed.items[3].identifiers.is_empty());
    }

    #[test]
    fn too_many_items_is_an_error() {
        let text = "10.1000/x\n".repeat(MAX_ITEMS + 1);
        assert!(matches!(
            parse(&text),
            Err(LookupError::TooMany { items, .. }) if items == MAX_ITEMS + 1
        ));
        assert_eq!(
            parse(&"10.1000/x\n".repeat(MAX_ITEMS)).unwrap().items.len(),
            MAX_ITEMS
        );
    }

    #[test]
    fn odd_input_never_panics() {
        for text in [
            "",
            "@",
            "@{",
            "@article{",
            "@article{x, doi = {",
            "TY  -",
            "a,b\n\"",
            "doi,isbn\n\"x",
            "\u{0}\u{feff}",
            "é,doi\n1,2",
            "@article{k, title = \"unterminated",
        ] {
            let _ = parse(text);
        }
    }
}
