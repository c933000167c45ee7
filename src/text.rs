//! Plain text out of catalog values: HTML tags removed and entities decoded (paper titles carry
//! `<i>`, `&amp;`), whitespace collapsed, an author field split into names. Pure functions, shared
//! by the index, the pages, the exports and the feeds; owns no data.

/// Removes HTML tags and decodes the common entities (papers' titles carry `<i>`, `&amp;`).
pub fn strip_html(text: &str) -> String {
    if !text.contains(['<', '&']) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(['<', '&']) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if rest.starts_with('<') {
            match rest.find('>') {
                Some(end) if end < 200 => rest = &rest[end + 1..],
                _ => {
                    out.push('<');
                    rest = &rest[1..];
                }
            }
        } else {
            let end = rest.find(';').filter(|e| *e <= 10);
            let decoded = end.and_then(|e| match &rest[1..e] {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                ent if ent.starts_with("#x") || ent.starts_with("#X") => {
                    u32::from_str_radix(&ent[2..], 16)
                        .ok()
                        .and_then(char::from_u32)
                }
                ent if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            });
            match (decoded, end) {
                (Some(c), Some(e)) => {
                    out.push(c);
                    rest = &rest[e + 1..];
                }
                _ => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
    }
    out.push_str(rest);
    out
}

/// Text of a catalog value that may hold HTML (paper titles carry `<i>`, `&amp;`): tags removed,
/// entities decoded. The result is text, to be escaped like any other.
pub fn plain(text: &str) -> String {
    strip_html(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Splits an author field into names: on `;` when there is one, else on `,` when every part
/// is a full name (`A. Smith, B. Jones`), never inside `Surname, Given`.
pub fn authors(field: &str) -> Vec<String> {
    let field = plain(field.trim_start_matches('\u{feff}'));
    let clean = |parts: Vec<&str>| -> Vec<String> {
        parts
            .into_iter()
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect()
    };
    if field.contains(';') {
        return clean(field.split(';').collect());
    }
    let parts: Vec<&str> = field.split(',').collect();
    if parts.len() > 1 && parts.iter().all(|p| p.split_whitespace().count() >= 2) {
        return clean(parts);
    }
    clean(vec![field.as_str()])
}
