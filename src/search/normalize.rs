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

/// The language code of a record with no language (most papers).
pub const UNKNOWN_LANGUAGE: u64 = 0;
/// The language code of a `Language` value that names no language we know.
pub const OTHER_LANGUAGE: u64 = 1;
/// Language codes in all: unknown, other, and one per ISO 639-3 language.
pub const LANGUAGE_CODES: usize = 2 + 7916;

/// ISO 639-2/B codes (bibliographic), which library catalogs use and ISO 639-3 lacks.
const ISO639_2B: &[(&str, &str)] = &[
    ("alb", "sqi"),
    ("arm", "hye"),
    ("baq", "eus"),
    ("bur", "mya"),
    ("chi", "zho"),
    ("cze", "ces"),
    ("dut", "nld"),
    ("fre", "fra"),
    ("geo", "kat"),
    ("ger", "deu"),
    ("gre", "ell"),
    ("ice", "isl"),
    ("mac", "mkd"),
    ("mao", "mri"),
    ("may", "msa"),
    ("per", "fas"),
    ("rum", "ron"),
    ("scc", "srp"),
    ("scr", "hrv"),
    ("slo", "slk"),
    ("tib", "bod"),
    ("wel", "cym"),
];

/// Names the catalogs use beside the English names and autonyms of ISO 639: Russian (the
/// libraries' own language), German and French names, and older or looser English ones.
const ALIASES: &[(&str, &str)] = &[
    ("английский", "eng"),
    ("русский", "rus"),
    ("немецкий", "deu"),
    ("французский", "fra"),
    ("испанский", "spa"),
    ("итальянский", "ita"),
    ("португальский", "por"),
    ("китайский", "zho"),
    ("японский", "jpn"),
    ("корейский", "kor"),
    ("украинский", "ukr"),
    ("белорусский", "bel"),
    ("польский", "pol"),
    ("чешский", "ces"),
    ("болгарский", "bul"),
    ("сербский", "srp"),
    ("латинский", "lat"),
    ("латынь", "lat"),
    ("греческий", "ell"),
    ("древнегреческий", "grc"),
    ("арабский", "ara"),
    ("турецкий", "tur"),
    ("казахский", "kaz"),
    ("татарский", "tat"),
    ("грузинский", "kat"),
    ("армянский", "hye"),
    ("иврит", "heb"),
    ("церковнославянский", "chu"),
    ("englisch", "eng"),
    ("anglais", "eng"),
    ("inglese", "eng"),
    ("ingles", "eng"),
    ("russisch", "rus"),
    ("russe", "rus"),
    ("allemand", "deu"),
    ("tedesco", "deu"),
    ("aleman", "deu"),
    ("franzosisch", "fra"),
    ("francese", "fra"),
    ("frances", "fra"),
    ("spanisch", "spa"),
    ("espagnol", "spa"),
    ("castellano", "spa"),
    ("italienisch", "ita"),
    ("italien", "ita"),
    ("portugiesisch", "por"),
    ("portugais", "por"),
    ("chinesisch", "zho"),
    ("chinois", "zho"),
    ("mandarin", "zho"),
    ("japanisch", "jpn"),
    ("latein", "lat"),
    ("griechisch", "ell"),
    ("greek", "ell"),
    ("modern greek", "ell"),
    ("ancient greek", "grc"),
    ("farsi", "fas"),
    ("persian", "fas"),
    ("malay", "msa"),
    ("bahasa indonesia", "ind"),
    ("bahasa melayu", "msa"),
    ("serbo-croatian", "hbs"),
    ("serbocroatian", "hbs"),
    ("old church slavonic", "chu"),
    ("church slavonic", "chu"),
    ("norwegian", "nor"),
    ("flemish", "nld"),
    ("castilian", "spa"),
    ("multilingual", "mul"),
    ("multiple languages", "mul"),
    ("multiple", "mul"),
    ("polyglot", "mul"),
];

/// Display names where ISO 639's reads oddly in a facet.
const DISPLAY: &[(&str, &str)] = &[
    ("ell", "Greek"),
    ("grc", "Ancient Greek"),
    ("mul", "Multilingual"),
    ("chu", "Church Slavonic"),
];

/// Every spelling we know, folded (lower case, no diacritics), to a language code; and the
/// folded names (not codes) of the languages with a two-letter code, for typo tolerance.
struct LanguageTable {
    by_spelling: std::collections::HashMap<String, u64>,
    names: Vec<(String, u64)>,
}

fn language_table() -> &'static LanguageTable {
    static TABLE: std::sync::OnceLock<LanguageTable> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        use isolang::Language;
        let fold = super::analyzer::fold;
        let code = |l: Language| 2 + l as u64;
        let mut by_spelling = std::collections::HashMap::new();
        let mut names = Vec::new();
        // Languages with a two-letter code first: their names win over rarer namesakes.
        let mut all: Vec<Language> = isolang::languages().collect();
        all.sort_by_key(|l| l.to_639_1().is_none());
        for l in all {
            let c = code(l);
            by_spelling.entry(l.to_639_3().to_string()).or_insert(c);
            if let Some(two) = l.to_639_1() {
                by_spelling.entry(two.to_string()).or_insert(c);
            }
            let name = fold(l.to_name());
            if l.to_639_1().is_some() {
                names.push((name.clone(), c));
            }
            by_spelling.entry(name).or_insert(c);
            if let Some(autonym) = l.to_autonym() {
                for a in autonym.split([',', ';']) {
                    let a = fold(a.trim());
                    if !a.is_empty() {
                        by_spelling.entry(a).or_insert(c);
                    }
                }
            }
        }
        for (b, t) in ISO639_2B.iter().chain(ALIASES) {
            if let Some(l) = Language::from_639_3(t) {
                by_spelling.insert(fold(b), code(l));
            }
        }
        LanguageTable { by_spelling, names }
    })
}

fn iso_language(code: u64) -> Option<isolang::Language> {
    isolang::Language::from_usize(code.checked_sub(2)? as usize)
}

/// The code of one folded spelling: a code, a name, an autonym or an alias; names of two
/// letters' languages also with one typo (two from eight letters: `englsih`, `rusian`).
fn spelling_code(part: &str, typos: bool) -> Option<u64> {
    let table = language_table();
    if let Some(c) = table.by_spelling.get(part) {
        return Some(*c);
    }
    if !typos || part.chars().count() < 5 {
        return None;
    }
    let allowed = if part.chars().count() >= 8 { 2 } else { 1 };
    table
        .names
        .iter()
        .map(|(name, c)| (strsim::damerau_levenshtein(part, name), *c))
        .filter(|(d, _)| *d <= allowed)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// The language code of a free-text `Language` value ([`UNKNOWN_LANGUAGE`] when empty,
/// [`OTHER_LANGUAGE`] when it names no language we know). The dumps spell languages in
/// hundreds of ways: names in English, in the language itself, in Russian, German or French,
/// ISO 639-1, -2/B, -2/T and -3 codes, lists (`Русский; Russian`, `English, French`,
/// `Russian-English`, `eng/rus`, `English (en)`), typos (`Englsih`); lists take their first
/// recognised language.
pub fn language_code(text: &str) -> u64 {
    let folded = super::analyzer::fold(text.trim());
    let folded = folded.trim_matches(|c: char| !c.is_alphanumeric());
    if folded.is_empty() {
        return UNKNOWN_LANGUAGE;
    }
    if let Some(c) = spelling_code(folded, false) {
        return c;
    }
    let parts: Vec<&str> = folded
        .split([
            ';', ',', '/', '(', ')', '+', '&', '|', '[', ']', '.', '-', '–',
        ])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    for typos in [false, true] {
        for part in &parts {
            if let Some(c) = spelling_code(part, typos) {
                return c;
            }
        }
    }
    // `English and Russian`, `in English`: a name (never a bare code) among the words.
    for word in folded.split(|c: char| !c.is_alphanumeric()) {
        if word.chars().count() >= 4 {
            if let Some(c) = spelling_code(word, false) {
                if iso_language(c).is_some_and(|l| l.to_639_3() != word) {
                    return c;
                }
            }
        }
    }
    OTHER_LANGUAGE
}

/// The code of a language a user chose (a facet's name, a `lang:` value, an API parameter):
/// `Unknown` and `Other` as well as every spelling [`language_code`] knows; `None` when it
/// names nothing.
pub fn language_choice(text: &str) -> Option<u64> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("unknown") || t.eq_ignore_ascii_case("none") {
        return Some(UNKNOWN_LANGUAGE);
    }
    if t.eq_ignore_ascii_case("other") {
        return Some(OTHER_LANGUAGE);
    }
    match language_code(t) {
        UNKNOWN_LANGUAGE | OTHER_LANGUAGE => None,
        c => Some(c),
    }
}

/// The ISO 639-1 code of a language code, if it has one.
pub fn language_iso639_1(code: u64) -> Option<&'static str> {
    iso_language(code)?.to_639_1()
}

/// The display name of a language code.
pub fn language_name(code: u64) -> &'static str {
    match code {
        UNKNOWN_LANGUAGE => "Unknown",
        OTHER_LANGUAGE => "Other",
        _ => match iso_language(code) {
            Some(l) => DISPLAY
                .iter()
                .find(|(c, _)| *c == l.to_639_3())
                .map_or_else(|| l.to_name(), |(_, n)| n),
            None => "Other",
        },
    }
}

/// The ISO 639-3 code of a language code, if it names a language.
pub fn language_iso639_3(code: u64) -> Option<&'static str> {
    Some(iso_language(code)?.to_639_3())
}

/// The display names of the languages with a two-letter code (the widely written ones).
pub fn major_languages() -> impl Iterator<Item = &'static str> {
    language_table()
        .names
        .iter()
        .map(|(_, c)| language_name(*c))
}

/// Languages whose names are closest to `text` among `known` (names as shown): for the hint
/// "no language 'klingonn'; did you mean …".
pub fn closest_languages<'a>(text: &str, known: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let t = super::analyzer::fold(text.trim());
    let mut scored: Vec<(usize, &str)> = known
        .map(|name| {
            let n = super::analyzer::fold(name);
            let d = if n.starts_with(&t) || t.starts_with(&n) {
                0
            } else {
                strsim::damerau_levenshtein(&t, &n)
            };
            (d, name)
        })
        .filter(|(d, name)| *d <= 2.max(name.len() / 3))
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, n)| n).collect()
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
        for (spelling, name) in [
            ("eng", "English"),
            ("English", "English"),
            ("en", "English"),
            ("ENGLISH ", "English"),
            ("Englsih", "English"),
            ("English (en)", "English"),
            ("English and Russian", "English"),
            ("Английский", "English"),
            ("Русский; Russian", "Russian"),
            ("Russian-English", "Russian"),
            ("rus/eng", "Russian"),
            ("Deutsch", "German"),
            ("ger", "German"),
            ("Français", "French"),
            ("fre", "French"),
            ("Español", "Spanish"),
            ("Portuguese; English", "Portuguese"),
            ("中文", "Chinese"),
            ("chi", "Chinese"),
            ("Greek", "Greek"),
            ("Ukrainian", "Ukrainian"),
            ("Latin", "Latin"),
            ("Esperanto", "Esperanto"),
            ("Tatar", "Tatar"),
            ("Bashkir", "Bashkir"),
            ("Klingon", "Klingon"),
            ("Multilingual", "Multilingual"),
        ] {
            assert_eq!(language_name(language_code(spelling)), name, "{spelling}");
        }
        assert_eq!(language_code(""), UNKNOWN_LANGUAGE);
        assert_eq!(language_code("  "), UNKNOWN_LANGUAGE);
        assert_eq!(language_code("qwzx"), OTHER_LANGUAGE);
        assert_eq!(language_name(UNKNOWN_LANGUAGE), "Unknown");
        assert_eq!(language_choice("Unknown"), Some(UNKNOWN_LANGUAGE));
        assert_eq!(language_choice("Other"), Some(OTHER_LANGUAGE));
        assert_eq!(language_choice("qwzx"), None);
        assert_eq!(language_iso639_1(language_code("Russian")), Some("ru"));
        assert!(language_code("Japanese") < LANGUAGE_CODES as u64);
        assert_eq!(
            closest_languages("englsh", ["Russian", "English", "German"].into_iter()),
            ["English"]
        );
        assert_eq!(year("c. 1999-2001"), 1999);
        assert_eq!(year("0"), 0);
        assert_eq!(year("12345"), 0);
        assert_eq!(extension_name(extension_code("PDF")), "pdf");
        assert_eq!(timestamp(Some("1970-01-02 00:00:00")), 86400);
    }
}
