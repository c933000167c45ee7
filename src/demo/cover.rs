//! Cover pictures for the demo's records: a coloured JPEG with the title and authors in a
//! small pixel font (capital letters and digits), its colours drawn from the title.

/// Width and height of a cover, in pixels (2:3, as book covers).
const W: usize = 240;
const H: usize = 360;

/// A 5×7 pixel font: each glyph is 7 rows of 5 bits (the high bit on the left).
fn glyph(c: char) -> [u8; 7] {
    match c {
        'A' => [14, 17, 17, 31, 17, 17, 17],
        'B' => [30, 17, 17, 30, 17, 17, 30],
        'C' => [14, 17, 16, 16, 16, 17, 14],
        'D' => [30, 17, 17, 17, 17, 17, 30],
        'E' => [31, 16, 16, 30, 16, 16, 31],
        'F' => [31, 16, 16, 30, 16, 16, 16],
        'G' => [14, 17, 16, 23, 17, 17, 15],
        'H' => [17, 17, 17, 31, 17, 17, 17],
        'I' => [14, 4, 4, 4, 4, 4, 14],
        'J' => [7, 2, 2, 2, 2, 18, 12],
        'K' => [17, 18, 20, 24, 20, 18, 17],
        'L' => [16, 16, 16, 16, 16, 16, 31],
        'M' => [17, 27, 21, 21, 17, 17, 17],
        'N' => [17, 17, 25, 21, 19, 17, 17],
        'O' => [14, 17, 17, 17, 17, 17, 14],
        'P' => [30, 17, 17, 30, 16, 16, 16],
        'Q' => [14, 17, 17, 17, 21, 18, 13],
        'R' => [30, 17, 17, 30, 20, 18, 17],
        'S' => [15, 16, 16, 14, 1, 1, 30],
        'T' => [31, 4, 4, 4, 4, 4, 4],
        'U' => [17, 17, 17, 17, 17, 17, 14],
        'V' => [17, 17, 17, 17, 17, 10, 4],
        'W' => [17, 17, 17, 21, 21, 21, 10],
        'X' => [17, 17, 10, 4, 10, 17, 17],
        'Y' => [17, 17, 10, 4, 4, 4, 4],
        'Z' => [31, 1, 2, 4, 8, 16, 31],
        '0' => [14, 17, 19, 21, 25, 17, 14],
        '1' => [4, 12, 4, 4, 4, 4, 14],
        '2' => [14, 17, 1, 2, 4, 8, 31],
        '3' => [31, 2, 4, 2, 1, 17, 14],
        '4' => [2, 6, 10, 18, 31, 2, 2],
        '5' => [31, 16, 30, 1, 1, 17, 14],
        '6' => [6, 8, 16, 30, 17, 17, 14],
        '7' => [31, 1, 2, 4, 8, 8, 8],
        '8' => [14, 17, 17, 14, 17, 17, 14],
        '9' => [14, 17, 17, 15, 1, 2, 12],
        '.' => [0, 0, 0, 0, 0, 12, 12],
        ',' => [0, 0, 0, 0, 12, 4, 8],
        ':' => [0, 12, 12, 0, 12, 12, 0],
        '-' => [0, 0, 0, 31, 0, 0, 0],
        '\'' => [4, 4, 8, 0, 0, 0, 0],
        '?' => [14, 17, 1, 2, 4, 0, 4],
        '&' => [12, 18, 20, 8, 21, 18, 13],
        _ => [0; 7],
    }
}

struct Canvas(Vec<u8>);

impl Canvas {
    fn fill(&mut self, x0: usize, y0: usize, w: usize, h: usize, rgb: [u8; 3]) {
        for y in y0..(y0 + h).min(H) {
            for x in x0..(x0 + w).min(W) {
                let i = (y * W + x) * 3;
                self.0[i..i + 3].copy_from_slice(&rgb);
            }
        }
    }

    /// Writes `text` wrapped into lines of at most `width` pixels, from `y`, in pixels of
    /// `scale`; returns the y below the last line.
    fn text(
        &mut self,
        text: &str,
        mut y: usize,
        scale: usize,
        rgb: [u8; 3],
        max_lines: usize,
    ) -> usize {
        let per_line = (W - 24) / (6 * scale);
        let mut lines: Vec<String> = Vec::new();
        for word in text.split_whitespace() {
            let word: String = word.chars().take(per_line).collect();
            match lines.last_mut() {
                Some(l) if l.chars().count() + 1 + word.chars().count() <= per_line => {
                    l.push(' ');
                    l.push_str(&word);
                }
                _ => lines.push(word),
            }
        }
        for line in lines.iter().take(max_lines) {
            let mut x = 12;
            for c in line.chars() {
                for (row, bits) in glyph(c).iter().enumerate() {
                    for col in 0..5 {
                        if bits & (16 >> col) != 0 {
                            self.fill(x + col * scale, y + row * scale, scale, scale, rgb);
                        }
                    }
                }
                x += 6 * scale;
            }
            y += 9 * scale;
        }
        y
    }
}

fn palette(seed: &str) -> ([u8; 3], [u8; 3]) {
    const COLOURS: [([u8; 3], [u8; 3]); 6] = [
        ([31, 63, 102], [242, 201, 76]),
        ([122, 30, 45], [245, 230, 210]),
        ([30, 86, 62], [236, 240, 220]),
        ([64, 44, 110], [250, 214, 165]),
        ([28, 28, 32], [120, 200, 220]),
        ([160, 82, 30], [255, 246, 228]),
    ];
    let h = seed
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    COLOURS[h as usize % COLOURS.len()]
}

/// A cover as a JPEG file.
pub fn jpeg(title: &str, author: &str, seed: &str) -> Vec<u8> {
    let (ground, ink) = palette(seed);
    let mut canvas = Canvas(vec![0; W * H * 3]);
    canvas.fill(0, 0, W, H, ground);
    canvas.fill(12, 24, W - 24, 4, ink);
    // The pixel font has Latin capitals and digits: other scripts (Greek, Cyrillic, Chinese…)
    // get a cover without lettering rather than a row of question marks.
    let upper = |s: &str| {
        let letters = s.chars().filter(|c| c.is_alphabetic()).count();
        let folded = ascii(s);
        let latin = folded.chars().filter(|c| c.is_ascii_alphabetic()).count();
        if latin * 2 < letters {
            String::new()
        } else {
            folded.replace('?', " ").to_uppercase()
        }
    };
    let y = canvas.text(&upper(title), 44, 3, ink, 7);
    canvas.fill(12, y + 6, 60, 3, ink);
    canvas.text(&upper(author), H - 60, 2, ink, 2);
    let mut out = Vec::new();
    let encoder = jpeg_encoder::Encoder::new(&mut out, 85);
    encoder
        .encode(&canvas.0, W as u16, H as u16, jpeg_encoder::ColorType::Rgb)
        .expect("a JPEG in memory");
    out
}

/// The text as PDF's standard fonts can show it: accents dropped, other scripts as `?`.
pub fn ascii(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c
            } else {
                '?'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn other_scripts_are_not_lettered() {
        // Same seed, same colours: a Greek cover is the bare design (no lettering), a Latin
        // one is not.
        let bare = super::jpeg("", "", "x");
        assert_eq!(super::jpeg("Θεωρία Αριθμών", "Καραγιάννης", "x"), bare);
        assert_ne!(super::jpeg("Number Theory", "Karagiannis", "x"), bare);
    }

    #[test]
    fn a_jpeg() {
        let j = super::jpeg("Introduction to Algorithms", "Cormen", "x");
        assert!(j.starts_with(&[0xFF, 0xD8]) && j.ends_with(&[0xFF, 0xD9]));
    }
}
