//! Normalising catalog values for the index and for queries: identifiers (MD5, DOI, ISBN,
//! ISSN, PubMed ID), languages, file extensions and years. Pure functions, no I/O.

/// An identifier recognised in a query.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum Identifier {
    /// A lower-case MD5.
    Md5(String),
    /// A lower-case DOI.
    Doi(String),
    /// An ISBN-13 (ISBN-10s are converted).
    Isbn(String),
    /// An ISSN as `NNNN-NNNN`.
    Issn(String),
    /// A PubMed ID.
    Pmid(String),
}

impl Identifier {
    /// The term stored in the index's identifier field.
    pub fn term(&self) -> String {
        match self {
            Identifier::Md5(v) => format!("md5:{v}"),
            Identifier::Doi(v) => format!("doi:{v}"),
            Identifier::Isbn(v) => format!("isbn:{v}"),
            Identifier::Issn(v) => format!("issn:{v}"),
            Identifier::Pmid(v) => format!("pmid:{v}"),
        }
    }
}

/// Whether `s` is 32 hex digits.
pub fn is_md5(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Recognises a DOI: bare (`10.1038/nature14539`), with `doi:`, or inside a `doi.org` or
/// publisher URL. Returns it in lower case.
pub fn parse_doi(s: &str) -> Option<String> {
    let s = s.trim();
    let lower = s.to_lowercase();
    let rest = lower.strip_prefix("doi:").map(str::trim).unwrap_or(&lower);
    let start = if rest.starts_with("10.") {
        0
    } else if rest.contains("://")
        || rest.starts_with("doi.org/")
        || rest.starts_with("dx.doi.org/")
    {
        rest.find("/10.")? + 1
    } else {
        return None;
    };
    let doi = &rest[start..];
    let slash = doi.find('/')?;
    let prefix = &doi[3..slash];
    if prefix.len() < 4 || !prefix.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let mut doi = doi.to_string();
    if start > 0 {
        // A URL: drop the query and fragment, decode escapes.
        if let Some(cut) = doi.find(['?', '#']) {
            doi.truncate(cut);
        }
        doi = percent_decode(&doi);
    }
    let doi = doi.trim_end_matches(['.', ',', ';']).to_string();
    (doi.len() > slash + 1 && !doi.contains(char::is_whitespace)).then_some(doi)
}

fn isbn10_check(d: &[u8]) -> u8 {
    let sum: u32 = d
        .iter()
        .take(9)
        .enumerate()
        .map(|(i, &c)| (10 - i as u32) * (c - b'0') as u32)
        .sum();
    match (11 - sum % 11) % 11 {
        10 => b'X',
        v => b'0' + v as u8,
    }
}

fn isbn13_check(d: &[u8]) -> u8 {
    let sum: u32 = d
        .iter()
        .take(12)
        .enumerate()
        .map(|(i, &c)| (c - b'0') as u32 * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    b'0' + ((10 - sum % 10) % 10) as u8
}

/// Parses one ISBN (dashes and spaces allowed) with a valid check digit; returns the ISBN-13
/// and, for `978` ISBNs, the ISBN-10.
pub fn parse_isbn(s: &str) -> Option<(String, Option<String>)> {
    let s = s.trim();
    let s = s
        .strip_prefix("ISBN")
        .or_else(|| s.strip_prefix("isbn"))
        .map(|r| r.trim_start_matches([':', ' ', '-']))
        .unwrap_or(s);
    let digits: Vec<u8> = s
        .bytes()
        .filter(|b| !matches!(b, b'-' | b' '))
        .map(|b| b.to_ascii_uppercase())
        .collect();
    match digits.len() {
        10 if digits[..9].iter().all(u8::is_ascii_digit) && isbn10_check(&digits) == digits[9] => {
            let mut d13 = b"978".to_vec();
            d13.extend_from_slice(&digits[..9]);
            d13.push(isbn13_check(&d13));
            Some((
                String::from_utf8(d13).ok()?,
                Some(String::from_utf8(digits).ok()?),
            ))
        }
        13 if digits.iter().all(u8::is_ascii_digit) && isbn13_check(&digits) == digits[12] => {
            let isbn10 = digits.starts_with(b"978").then(|| {
                let mut d10 = digits[3..12].to_vec();
                d10.push(isbn10_check(&d10));
                String::from_utf8(d10).unwrap_or_default()
            });
            Some((String::from_utf8(digits).ok()?, isbn10))
        }
        _ => None,
    }
}

/// Every ISBN in a free-text identifier list (`978-0-262-03384-8,0262033844`), as index terms
/// `isbn:<13>` and `isbn:<10>`. Strings of 10 or 13 digits with a wrong check digit are kept as
/// written, since the catalog has some.
pub fn isbn_terms(list: &str, out: &mut Vec<String>) {
    for part in list.split([',', ';', '/', '|']) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        if let Some((i13, _)) = parse_isbn(part) {
            // Queries ask for the ISBN-13 form of a valid ISBN-10 too (see `parse`).
            out.push(format!("isbn:{i13}"));
        } else {
            let digits: String = part.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
            if (digits.len() == 10 || digits.len() == 13)
                && digits[..9].bytes().all(|b| b.is_ascii_digit())
            {
                out.push(format!("isbn:{}", digits.to_ascii_uppercase()));
            }
        }
    }
}

/// Normalises an ISSN to `NNNN-NNNN` (upper-case X).
pub fn parse_issn(s: &str) -> Option<String> {
    let d: String = s
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase();
    (d.len() == 8
        && d[..7].bytes().all(|b| b.is_ascii_digit())
        && (d.as_bytes()[7].is_ascii_digit() || d.ends_with('X')))
    .then(|| format!("{}-{}", &d[..4], &d[4..]))
}

/// Recognises a whole query that is an identifier.
pub fn detect_identifier(query: &str) -> Option<Identifier> {
    let q = query.trim();
    if q.is_empty() || q.len() > 400 {
        return None;
    }
    let lower = q.to_lowercase();
    for (prefix, kind) in [
        ("md5:", 0),
        ("doi:", 1),
        ("isbn:", 2),
        ("issn:", 3),
        ("pmid:", 4),
        ("pubmed:", 4),
    ] {
        if let Some(rest) = lower.strip_prefix(prefix) {
            let rest = rest.trim();
            return match kind {
                0 => is_md5(rest).then(|| Identifier::Md5(rest.to_string())),
                1 => parse_doi(rest).map(Identifier::Doi),
                2 => parse_isbn(rest).map(|(i13, _)| Identifier::Isbn(i13)),
                3 => parse_issn(rest).map(Identifier::Issn),
                _ => (!rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| Identifier::Pmid(rest.into())),
            };
        }
    }
    if let Some(rest) = lower.strip_prefix("pmid").map(str::trim) {
        if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) {
            return Some(Identifier::Pmid(rest.to_string()));
        }
    }
    if is_md5(q) {
        return Some(Identifier::Md5(lower));
    }
    if let Some(doi) = parse_doi(q) {
        return Some(Identifier::Doi(doi));
    }
    if let Some((i13, _)) = parse_isbn(q) {
        return Some(Identifier::Isbn(i13));
    }
    None
}

/// Languages with a code in the index, by canonical English name, with their variants.
pub const LANGUAGES: &[(&str, &[&str])] = &[
    ("Other", &[]),
    (
        "English",
        &["english", "eng", "en", "английский", "anglais", "englisch"],
    ),
    (
        "Russian",
        &["russian", "rus", "ru", "русский", "russe", "russisch"],
    ),
    (
        "German",
        &[
            "german",
            "ger",
            "deu",
            "de",
            "deutsch",
            "немецкий",
            "allemand",
        ],
    ),
    (
        "French",
        &[
            "french",
            "fre",
            "fra",
            "fr",
            "français",
            "francais",
            "французский",
        ],
    ),
    (
        "Spanish",
        &[
            "spanish",
            "spa",
            "es",
            "español",
            "espanol",
            "castellano",
            "испанский",
        ],
    ),
    (
        "Italian",
        &["italian", "ita", "it", "italiano", "итальянский"],
    ),
    (
        "Portuguese",
        &["portuguese", "por", "pt", "português", "portugues"],
    ),
    (
        "Chinese",
        &["chinese", "chi", "zho", "zh", "中文", "汉语", "китайский"],
    ),
    ("Japanese", &["japanese", "jpn", "ja", "日本語", "японский"]),
    ("Korean", &["korean", "kor", "ko", "한국어"]),
    (
        "Ukrainian",
        &["ukrainian", "ukr", "uk", "українська", "украинский"],
    ),
    ("Polish", &["polish", "pol", "pl", "polski"]),
    ("Dutch", &["dutch", "dut", "nld", "nl", "nederlands"]),
    ("Arabic", &["arabic", "ara", "ar", "العربية"]),
    ("Greek", &["greek", "gre", "ell", "el", "ελληνικά"]),
    ("Turkish", &["turkish", "tur", "tr", "türkçe"]),
    (
        "Persian",
        &["persian", "per", "fas", "fa", "farsi", "فارسی"],
    ),
    ("Hungarian", &["hungarian", "hun", "hu", "magyar"]),
    ("Czech", &["czech", "cze", "ces", "cs", "čeština"]),
    ("Swedish", &["swedish", "swe", "sv", "svenska"]),
    ("Latin", &["latin", "lat", "la", "latina"]),
    (
        "Indonesian",
        &["indonesian", "ind", "id", "bahasa indonesia"],
    ),
    ("Vietnamese", &["vietnamese", "vie", "vi", "tiếng việt"]),
    ("Hindi", &["hindi", "hin", "hi"]),
    ("Hebrew", &["hebrew", "heb", "he", "עברית"]),
    ("Romanian", &["romanian", "rum", "ron", "ro", "română"]),
    ("Bulgarian", &["bulgarian", "bul", "bg", "български"]),
    ("Serbian", &["serbian", "srp", "sr", "српски"]),
    ("Croatian", &["croatian", "hrv", "hr", "hrvatski"]),
    ("Finnish", &["finnish", "fin", "fi", "suomi"]),
    ("Danish", &["danish", "dan", "da", "dansk"]),
    ("Norwegian", &["norwegian", "nor", "no", "norsk"]),
    ("Belarusian", &["belarusian", "bel", "be", "беларуская"]),
    ("Kazakh", &["kazakh", "kaz", "kk", "қазақ"]),
    ("Bengali", &["bengali", "ben", "bn"]),
    ("Thai", &["thai", "tha", "th"]),
    ("Esperanto", &["esperanto", "epo", "eo"]),
];

/// The language code (index into [`LANGUAGES`]) of a free-text language field; 0 for unknown.
/// `Русский; Russian` and `English, French` take their first recognised part.
pub fn language_code(text: &str) -> u64 {
    let lower = text.trim().to_lowercase();
    if lower.is_empty() {
        return 0;
    }
    for part in
        std::iter::once(lower.as_str()).chain(lower.split([';', ',', '/', '(', ')', '+', '-']))
    {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        for (code, (_, variants)) in LANGUAGES.iter().enumerate() {
            if variants.contains(&part) {
                return code as u64;
            }
        }
    }
    0
}

/// The ISO 639-1 code of a language code (the two-letter variant each entry of [`LANGUAGES`]
/// lists); `None` for `Other`.
pub fn language_iso639_1(code: u64) -> Option<&'static str> {
    LANGUAGES
        .get(code as usize)?
        .1
        .iter()
        .copied()
        .find(|v| v.len() == 2 && v.bytes().all(|b| b.is_ascii_lowercase()))
}

/// The canonical name of a language code.
pub fn language_name(code: u64) -> &'static str {
    LANGUAGES.get(code as usize).map_or("Other", |l| l.0)
}

/// File extensions with a code in the index.
pub const EXTENSIONS: &[&str] = &[
    "other", "pdf", "epub", "djvu", "mobi", "fb2", "azw3", "azw", "doc", "docx", "rtf", "txt",
    "chm", "zip", "rar", "lit", "htm", "html", "cbr", "cbz", "odt", "ps", "lrf", "pdb", "fb2.zip",
    "7z", "tif", "jpg", "gz", "mp3",
];

/// The extension code of a file extension; 0 for others.
pub fn extension_code(ext: &str) -> u64 {
    let e = ext.trim().trim_start_matches('.').to_ascii_lowercase();
    EXTENSIONS
        .iter()
        .position(|x| *x == e)
        .map_or(0, |p| p as u64)
}

/// The name of an extension code.
pub fn extension_name(code: u64) -> &'static str {
    EXTENSIONS.get(code as usize).copied().unwrap_or("other")
}

/// The year of a free-text year field: the first plausible four-digit number; 0 if none.
pub fn year(text: &str) -> u64 {
    let b = text.as_bytes();
    let mut i = 0;
    while i + 4 <= b.len() {
        if b[i..i + 4].iter().all(u8::is_ascii_digit)
            && (i == 0 || !b[i - 1].is_ascii_digit())
            && b.get(i + 4).is_none_or(|c| !c.is_ascii_digit())
        {
            let y: u64 = text[i..i + 4].parse().unwrap_or(0);
            if (1000..=2100).contains(&y) {
                return y;
            }
        }
        i += 1;
    }
    0
}

/// Seconds since the epoch of a catalog time stamp (`YYYY-MM-DD HH:MM:SS`, UTC); 0 if unknown.
pub fn timestamp(text: Option<&str>) -> i64 {
    let Some(t) = text else { return 0 };
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::PrimitiveDateTime::parse(t, &fmt)
        .map(|d| d.assume_utc().unix_timestamp())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isbns() {
        assert_eq!(
            parse_isbn("978-0-262-03384-8").unwrap(),
            ("9780262033848".into(), Some("0262033844".into()))
        );
        assert_eq!(parse_isbn("0-201-02116-1").unwrap().0, "9780201021165");
        assert_eq!(parse_isbn("080442957X").unwrap().0, "9780804429573");
        assert!(parse_isbn("978-0-262-03384-9").is_none());
        let mut terms = Vec::new();
        isbn_terms("978-0-262-03384-8,0262033844", &mut terms);
        // Both forms of one ISBN are the same term: the ISBN-13 form, which queries ask for.
        assert_eq!(terms, ["isbn:9780262033848", "isbn:9780262033848"]);
    }

    #[test]
    fn dois() {
        assert_eq!(
            parse_doi("10.1038/NATURE14539").unwrap(),
            "10.1038/nature14539"
        );
        assert_eq!(
            parse_doi("https://doi.org/10.1038/nature14539").unwrap(),
            "10.1038/nature14539"
        );
        assert_eq!(
            parse_doi("https://doi.org/10.1002/%28sici%291099-1409%28199908%2F10%293%3A6%2F7%3C437%3A%3Aaid-jmr79%3E3.0.co%3B2-8").unwrap(),
            "10.1002/(sici)1099-1409(199908/10)3:6/7<437::aid-jmr79>3.0.co;2-8"
        );
        assert_eq!(
            parse_doi("https://link.springer.com/article/10.1007/BF01397280?x=1").unwrap(),
            "10.1007/bf01397280"
        );
        assert_eq!(
            parse_doi("doi: 10.1103/PhysRev.47.777").unwrap(),
            "10.1103/physrev.47.777"
        );
        assert!(parse_doi("10.1/x").is_none());
        assert!(parse_doi("hello").is_none());
    }

    #[test]
    fn identifiers() {
        assert_eq!(
            detect_identifier(" C668B424CEE13E5994C85C7EE8F18827 "),
            Some(Identifier::Md5("c668b424cee13e5994c85c7ee8f18827".into()))
        );
        assert_eq!(
            detect_identifier("0262033844"),
            Some(Identifier::Isbn("9780262033848".into()))
        );
        assert_eq!(
            detect_identifier("PMID 12345"),
            Some(Identifier::Pmid("12345".into()))
        );
        assert_eq!(
            detect_identifier("issn:1099-1409"),
            Some(Identifier::Issn("1099-1409".into()))
        );
        assert_eq!(detect_identifier("introduction to algorithms"), None);
        assert_eq!(detect_identifier("1984"), None);
    }

    #[test]
    fn languages_years_extensions() {
        assert_eq!(language_name(language_code("eng")), "English");
        assert_eq!(language_name(language_code("English")), "English");
        assert_eq!(language_name(language_code("Русский; Russian")), "Russian");
        assert_eq!(language_code("Klingon"), 0);
        assert_eq!(year("c. 1999-2001"), 1999);
        assert_eq!(year("0"), 0);
        assert_eq!(year("12345"), 0);
        assert_eq!(extension_name(extension_code("PDF")), "pdf");
        assert_eq!(timestamp(Some("1970-01-02 00:00:00")), 86400);
    }
}
