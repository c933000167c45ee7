//! Small real files for the demo's records: a PDF, an EPUB, an FB2 or a CBZ that open in any
//! reader, each saying what it is (the record's title and authors, and that it is a sample
//! of the Lanshelf demo, not the book).

use std::io::Write;

/// What a sample file shows.
pub struct Sample<'a> {
    /// The record's title.
    pub title: &'a str,
    /// Its authors.
    pub author: &'a str,
    /// Its year (may be empty).
    pub year: &'a str,
    /// Which record (`sci-tech record 7`).
    pub record: String,
}

/// The formats a sample can be written in.
pub const FORMATS: [&str; 4] = ["pdf", "epub", "fb2", "cbz"];

/// The sample in the format of `extension`, or `None` for formats not written.
pub fn sample(extension: &str, s: &Sample<'_>) -> Option<Vec<u8>> {
    match extension.trim().to_ascii_lowercase().as_str() {
        "pdf" => Some(pdf(s)),
        "epub" => Some(epub(s)),
        "fb2" => Some(fb2(s)),
        "cbz" => Some(cbz(s)),
        _ => None,
    }
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn lines(s: &Sample<'_>) -> Vec<String> {
    let mut out = vec![s.title.to_string()];
    if !s.author.trim().is_empty() {
        out.push(s.author.trim().to_string());
    }
    if !s.year.trim().is_empty() && s.year.trim() != "0" {
        out.push(s.year.trim().to_string());
    }
    out.push(String::new());
    out.push(format!(
        "A sample file of the Lanshelf demo for {}: not the book itself.",
        s.record
    ));
    out
}

/// A one-page PDF (Helvetica, the lines of [`lines`]).
pub fn pdf(s: &Sample<'_>) -> Vec<u8> {
    let mut content = String::from("BT\n/F1 20 Tf\n72 760 Td\n24 TL\n");
    for (i, line) in lines(s).iter().enumerate() {
        if i == 1 {
            content.push_str("/F1 12 Tf\n16 TL\n");
        }
        // Wrap long lines at 70 characters.
        let text = super::cover::ascii(line);
        let mut rest = text.as_str();
        loop {
            let cut = if rest.len() <= 70 {
                rest.len()
            } else {
                rest[..70].rfind(' ').unwrap_or(70)
            };
            let part = rest[..cut]
                .replace('\\', "\\\\")
                .replace('(', "\\(")
                .replace(')', "\\)");
            content.push_str(&format!("({part}) Tj T*\n"));
            rest = rest[cut..].trim_start();
            if rest.is_empty() {
                break;
            }
        }
    }
    content.push_str("ET\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}endstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_string(),
        format!("<< /Title ({}) /Producer (Lanshelf demo) >>", super::cover::ascii(s.title).replace(['(', ')', '\\'], " ")),
    ];
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A zip of stored (uncompressed) entries, in this order.
pub fn zip_stored(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(zip::DateTime::default());
    for (name, bytes) in entries {
        zip.start_file(*name, stored).expect("a zip in memory");
        zip.write_all(bytes).expect("a zip in memory");
    }
    zip.finish().expect("a zip in memory").into_inner()
}

/// An EPUB 3 with one chapter.
pub fn epub(s: &Sample<'_>) -> Vec<u8> {
    let title = xml(s.title);
    let author = xml(s.author);
    let body: String = lines(s)
        .iter()
        .skip(1)
        .map(|l| format!("<p>{}</p>", xml(l)))
        .collect();
    let opf = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:identifier id="id">urn:lanshelf-demo:{record}</dc:identifier>
<dc:title>{title}</dc:title><dc:creator>{author}</dc:creator><dc:language>en</dc:language>
<meta property="dcterms:modified">2026-01-01T00:00:00Z</meta>
</metadata>
<manifest><item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/><item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/></manifest>
<spine><itemref idref="c1"/></spine>
</package>"#,
        record = xml(&s.record)
    );
    let page = |head: &str, inner: &str| {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"><head><title>{head}</title></head><body>{inner}</body></html>"#
        )
    };
    let nav = page(
        &title,
        &format!(r#"<nav epub:type="toc"><ol><li><a href="c1.xhtml">{title}</a></li></ol></nav>"#),
    );
    let chapter = page(&title, &format!("<h1>{title}</h1>{body}"));
    zip_stored(&[
        ("mimetype", b"application/epub+zip".to_vec()),
        (
            "META-INF/container.xml",
            br#"<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>"#.to_vec(),
        ),
        ("OEBPS/content.opf", opf.into_bytes()),
        ("OEBPS/nav.xhtml", nav.into_bytes()),
        ("OEBPS/c1.xhtml", chapter.into_bytes()),
    ])
}

/// A FictionBook 2 file.
pub fn fb2(s: &Sample<'_>) -> Vec<u8> {
    let body: String = lines(s)
        .iter()
        .skip(1)
        .map(|l| format!("<p>{}</p>", xml(l)))
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<FictionBook xmlns="http://www.gribuser.ru/xml/fictionbook/2.0"><description><title-info><author><nickname>{author}</nickname></author><book-title>{title}</book-title><lang>ru</lang></title-info></description>
<body><title><p>{title}</p></title><section>{body}</section></body></FictionBook>"#,
        author = xml(s.author),
        title = xml(s.title)
    )
    .into_bytes()
}

/// A comic book archive: one page, the record's cover drawing.
pub fn cbz(s: &Sample<'_>) -> Vec<u8> {
    let page = super::cover::jpeg(s.title, s.author, &s.record);
    zip_stored(&[("001.jpg", page)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_open_them() {
        let s = Sample {
            title: "Über (Algorithms) \\ Ωmega",
            author: "A. Author",
            year: "2001",
            record: "sci-tech record 7".into(),
        };
        let p = pdf(&s);
        assert!(p.starts_with(b"%PDF-1.4") && p.ends_with(b"%%EOF\n"));
        let text = String::from_utf8_lossy(&p);
        assert!(
            text.contains("(Uber \\(Algorithms\\) \\\\ ?mega) Tj"),
            "{text}"
        );
        // The cross-reference table points at each object (byte offsets: the file's binary
        // comment makes the lossy text's offsets differ).
        let xref = text.find("xref\n").unwrap();
        for line in text[xref..].lines().skip(3).take(6) {
            let at: usize = line[..10].parse().unwrap();
            assert!(p[at].is_ascii_digit(), "{line}");
            assert!(p[..at].ends_with(b"\n"), "{line}: an object starts a line");
        }
        let e = epub(&s);
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(e)).unwrap();
        assert_eq!(archive.by_index(0).unwrap().name(), "mimetype");
        assert!(archive.by_name("OEBPS/content.opf").is_ok());
        assert!(String::from_utf8(fb2(&s))
            .unwrap()
            .contains("<book-title>Über (Algorithms)"));
    }
}
