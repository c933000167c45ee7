//! Titles and descriptions that read as such, for the demo (`SynthOptions::readable`): book
//! titles from templates over real subject names in each language, fiction titles from
//! literary words, paper titles from research phrases. Never apostrophes, quotes or
//! backslashes, so the bytes are the same in a dump's SQL string and a MyISAM row. The
//! benchmarks' generators do not use it (their output for a seed is unchanged).

use super::rng::Rng;
use super::words::Lang;

const TOPICS: &[&str] = &[
    "Linear Algebra",
    "Organic Chemistry",
    "Quantum Mechanics",
    "Number Theory",
    "Thermodynamics",
    "Machine Learning",
    "Probability Theory",
    "Differential Equations",
    "Molecular Biology",
    "Control Systems",
    "Signal Processing",
    "Graph Theory",
    "Fluid Dynamics",
    "Complex Analysis",
    "Cell Biology",
    "Microeconomics",
    "Compiler Design",
    "Operating Systems",
    "Database Systems",
    "Topology",
    "Statistical Inference",
    "Solid State Physics",
    "Electromagnetism",
    "Neural Networks",
    "Cryptography",
    "Game Theory",
    "Ecology",
    "Population Genetics",
    "Astrophysics",
    "Numerical Analysis",
    "Real Analysis",
    "Category Theory",
    "Information Theory",
    "Materials Science",
    "Structural Engineering",
    "Heat Transfer",
    "Inorganic Chemistry",
    "Biochemistry",
    "Econometrics",
    "Medieval History",
    "Historical Linguistics",
    "Cognitive Psychology",
    "Plasma Physics",
    "Computer Networks",
    "Abstract Algebra",
    "Optics",
    "Geology",
    "Immunology",
];
const LEADS: &[&str] = &[
    "Introduction to",
    "An Introduction to",
    "A First Course in",
    "Foundations of",
    "Principles of",
    "Elements of",
    "Essentials of",
    "Fundamentals of",
    "Lectures on",
    "Problems in",
    "Topics in",
    "A Short History of",
    "Handbook of",
    "Advances in",
];
const ADJECTIVES: &[&str] = &[
    "Applied",
    "Modern",
    "Advanced",
    "Elementary",
    "Classical",
    "Computational",
    "Practical",
    "Theoretical",
    "Introductory",
    "Essential",
    "Mathematical",
    "Experimental",
];
const SUBTITLES: &[&str] = &[
    "Theory and Practice",
    "A Modern Approach",
    "Methods and Applications",
    "An Introduction",
    "Concepts and Techniques",
    "A Practical Guide",
    "Selected Papers",
    "Second Edition",
    "With Worked Examples",
    "A Graduate Course",
    "Problems and Solutions",
    "Third Edition",
];
const F_ADJECTIVES: &[&str] = &[
    "Silent",
    "Last",
    "Hidden",
    "Broken",
    "Golden",
    "Distant",
    "Forgotten",
    "Crimson",
    "Quiet",
    "Endless",
    "Burning",
    "Northern",
    "Painted",
    "Little",
    "Secret",
    "Long",
    "Drowned",
    "Second",
];
const F_NOUNS: &[&str] = &[
    "River",
    "Garden",
    "House",
    "Letter",
    "Voyage",
    "Summer",
    "Shadow",
    "Harbour",
    "Promise",
    "Island",
    "Orchard",
    "Lighthouse",
    "Kingdom",
    "Station",
    "Winter",
    "Daughter",
    "Map",
    "Mirror",
    "Season",
    "Road",
    "Bridge",
    "Orchestra",
    "Archive",
    "Fire",
];
const F_PLACES: &[&str] = &[
    "Prague",
    "Lisbon",
    "the North",
    "Venice",
    "Samarkand",
    "the Valley",
    "Odessa",
    "Trieste",
    "the Marsh",
    "Alexandria",
    "the Mountains",
    "Tangier",
    "Riga",
    "the Coast",
];
const P_THINGS: &[&str] = &[
    "protein folding",
    "graphene layers",
    "soil bacteria",
    "coral reefs",
    "neural activity",
    "sea ice",
    "lithium batteries",
    "gene expression",
    "urban heat islands",
    "dark matter halos",
    "crop yields",
    "river deltas",
    "ion channels",
    "quantum dots",
    "glacier retreat",
    "gut microbiota",
    "solar cells",
    "bird migration",
    "tumour growth",
    "volcanic ash",
];
const P_LEADS: &[&str] = &[
    "Effects of temperature on",
    "A note on",
    "Measurements of",
    "Long-term changes in",
    "A model of",
    "Evidence for feedback in",
    "The role of oxygen in",
    "Imaging of",
    "Variability of",
    "On the stability of",
    "Early signs of stress in",
    "Spatial patterns of",
];
const P_TAILS: &[&str] = &[
    "",
    "",
    " in laboratory conditions",
    ": a field study",
    ": a meta-analysis",
    " across Europe",
    " under drought",
    " at low temperatures",
    ": new evidence",
    " in a changing climate",
];

/// Textbook titles in German, French and Russian: a subject and a tail (each list's subjects
/// take every lead or tail: the German subjects are feminine, in the genitive and dative), so the
/// generated records do not repeat a handful of titles.
const DE_TOPICS: &[&str] = &[
    "Linearen Algebra",
    "Organischen Chemie",
    "Quantenmechanik",
    "Zahlentheorie",
    "Thermodynamik",
    "Statistik",
    "Topologie",
    "Numerischen Mathematik",
    "Regelungstechnik",
    "Festkörperphysik",
    "Wahrscheinlichkeitstheorie",
    "Funktionalanalysis",
];
const DE_LEADS: &[&str] = &[
    "Grundlagen der",
    "Lehrbuch der",
    "Aufgabensammlung zur",
    "Handbuch der",
    "Übungsbuch zur",
    "Repetitorium der",
];
const FR_TOPICS: &[&str] = &[
    "Mécanique quantique",
    "Chimie organique",
    "Thermodynamique",
    "Théorie des nombres",
    "Analyse numérique",
    "Topologie algébrique",
    "Probabilités et statistique",
    "Algèbre linéaire",
    "Électromagnétisme",
    "Biologie cellulaire",
    "Optique ondulatoire",
    "Géométrie différentielle",
];
const FR_TAILS: &[&str] = &[
    "",
    " : cours et exercices corrigés",
    " : une introduction",
    ", tome 1",
    ", tome 2",
    " pour les ingénieurs",
    " : méthodes et applications",
];
const RU_TOPICS: &[&str] = &[
    "Линейная алгебра",
    "Органическая химия",
    "Теория вероятностей",
    "Математический анализ",
    "Теоретическая механика",
    "Квантовая механика",
    "Теория чисел",
    "Общая физика",
    "Дифференциальные уравнения",
    "Методы оптимизации",
    "Численные методы",
    "Теория графов",
];
const RU_TAILS: &[&str] = &[
    "",
    ": учебник",
    ". Курс лекций",
    ": задачи и упражнения",
    ": учебное пособие",
    ". Часть 1",
    ". Часть 2",
];
const DE: &[&str] = &[
    "Einführung in die Lineare Algebra",
    "Grundlagen der Organischen Chemie",
    "Lehrbuch der Quantenmechanik",
    "Elementare Zahlentheorie",
    "Technische Thermodynamik",
    "Analysis für Ingenieure",
    "Geschichte der Philosophie",
    "Die Stadt am Fluss",
    "Der letzte Sommer",
    "Das stille Haus",
    "Einführung in die Statistik",
    "Grundkurs Theoretische Physik",
    "Die Reise nach Triest",
    "Mathematik für Informatiker",
];
const FR: &[&str] = &[
    "Introduction à la mécanique quantique",
    "Éléments de chimie organique",
    "Cours de thermodynamique",
    "Théorie des nombres",
    "Histoire de la philosophie",
    "La Maison du silence",
    "Le Dernier Été",
    "Le Jardin des ombres",
    "Analyse numérique et optimisation",
    "Les Rivières du Nord",
    "Traité de topologie",
    "Probabilités et statistique",
    "La Lettre perdue",
];
const RU: &[&str] = &[
    "Основы линейной алгебры",
    "Курс теоретической физики",
    "Теория вероятностей",
    "Органическая химия",
    "Лекции по математическому анализу",
    "Введение в теорию чисел",
    "Тихий дом",
    "Последнее лето",
    "Дорога на север",
    "История философии",
    "Задачи по общей физике",
    "Сад у реки",
    "Методы оптимизации",
];
const ZH: &[&str] = &[
    "线性代数导论",
    "有机化学基础",
    "量子力学教程",
    "数论入门",
    "机器学习",
    "中国哲学史",
    "北方的河",
    "最后的夏天",
    "概率论与数理统计",
    "城南旧事",
    "信号与系统",
];
const EL: &[&str] = &[
    "Εισαγωγή στη Γραμμική Άλγεβρα",
    "Θεωρία Αριθμών",
    "Κβαντική Μηχανική",
    "Ιστορία της Φιλοσοφίας",
    "Το τελευταίο καλοκαίρι",
    "Οργανική Χημεία",
];
const AR: &[&str] = &[
    "مقدمة في الجبر الخطي",
    "أسس الكيمياء العضوية",
    "نظرية الأعداد",
    "تاريخ العلوم عند العرب",
    "الصيف الأخير",
    "مبادئ الفيزياء",
];

/// What kind of title.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A sci-tech book.
    Book,
    /// A novel.
    Novel,
    /// A paper.
    Paper,
    /// Books and novels (the libgen.li snapshot's topics).
    Mixed,
}

/// Writes a title that reads as one.
pub(super) fn title(buf: &mut Vec<u8>, lang: Lang, rng: &mut Rng, kind: Kind) {
    let list = match lang {
        Lang::De => Some(DE),
        Lang::Fr => Some(FR),
        Lang::Ru => Some(RU),
        Lang::Zh => Some(ZH),
        Lang::El => Some(EL),
        Lang::Ar => Some(AR),
        Lang::En => None,
    };
    // German, French and Russian books are composed (their fixed lists keep the novels).
    let book =
        kind == Kind::Book || kind == Kind::Paper || (kind == Kind::Mixed && rng.below(5) >= 2);
    let composed = match lang {
        Lang::De if book => Some(format!("{} {}", rng.pick(DE_LEADS), rng.pick(DE_TOPICS))),
        Lang::Fr if book => Some(format!("{}{}", rng.pick(FR_TOPICS), rng.pick(FR_TAILS))),
        Lang::Ru if book => Some(format!("{}{}", rng.pick(RU_TOPICS), rng.pick(RU_TAILS))),
        _ => None,
    };
    if let Some(title) = composed {
        buf.extend_from_slice(title.as_bytes());
        return;
    }
    if let Some(list) = list {
        buf.extend_from_slice(rng.pick(list).as_bytes());
        return;
    }
    let kind = match kind {
        Kind::Mixed if rng.below(5) < 2 => Kind::Novel,
        Kind::Mixed => Kind::Book,
        k => k,
    };
    let text = match kind {
        Kind::Paper => {
            let mut t = format!(
                "{} {}{}",
                rng.pick(P_LEADS),
                rng.pick(P_THINGS),
                rng.pick(P_TAILS)
            );
            if let Some(first) = t.get_mut(..1) {
                first.make_ascii_uppercase();
            }
            t
        }
        Kind::Novel => match rng.below(5) {
            0 => format!("The {} {}", rng.pick(F_ADJECTIVES), rng.pick(F_NOUNS)),
            1 => format!("A {} in {}", rng.pick(F_NOUNS), rng.pick(F_PLACES)),
            2 => format!("The {} of {}", rng.pick(F_NOUNS), rng.pick(F_PLACES)),
            3 => format!("{} {}s", rng.pick(F_ADJECTIVES), rng.pick(F_NOUNS)),
            _ => format!("The {} and the {}", rng.pick(F_NOUNS), rng.pick(F_NOUNS)),
        },
        Kind::Book | Kind::Mixed => match rng.below(5) {
            0 | 1 => format!("{} {}", rng.pick(LEADS), rng.pick(TOPICS)),
            2 => format!("{}: {}", rng.pick(TOPICS), rng.pick(SUBTITLES)),
            3 => format!("{} {}", rng.pick(ADJECTIVES), rng.pick(TOPICS)),
            _ => format!(
                "{} {}: {}",
                rng.pick(ADJECTIVES),
                rng.pick(TOPICS),
                rng.pick(SUBTITLES)
            ),
        },
    };
    buf.extend_from_slice(text.as_bytes());
}

const SERIES: &[&str] = &[
    "Graduate Texts in Mathematics",
    "Lecture Notes in Physics",
    "Undergraduate Texts in Mathematics",
    "Springer Series in Statistics",
    "Cambridge Studies in Advanced Mathematics",
    "Oxford Graduate Texts",
    "Penguin Classics",
    "Vintage International",
    "Modern Library",
    "Dover Books on Physics",
    "Outlines in Engineering",
    "Monthly Review of Science",
    "Adventures of the Night Patrol",
    "The Harbour Chronicles",
    "Tales of the Northern Road",
    "Engineering Standards Collection",
];

/// Writes the name of a book series, magazine or comic (the libgen.li snapshot's `series`).
pub(super) fn series(buf: &mut Vec<u8>, rng: &mut Rng) {
    buf.extend_from_slice(rng.pick(SERIES).as_bytes());
}

/// Writes a short description that reads as one (English whatever the record's language:
/// the demo's descriptions only need to look like descriptions).
pub(super) fn description(buf: &mut Vec<u8>, rng: &mut Rng, kind: Kind) {
    let text = match kind {
        Kind::Novel => format!(
            "A novel of {} and {}, set in {}. {}",
            rng.pick(&[
                "memory",
                "exile",
                "friendship",
                "grief",
                "first love",
                "ambition"
            ]),
            rng.pick(&[
                "the sea",
                "a family",
                "an old house",
                "a long journey",
                "a war"
            ]),
            rng.pick(F_PLACES),
            rng.pick(&[
                "Told in three voices over one summer.",
                "The first book of its author, long out of print.",
                "Translated into twelve languages.",
            ])
        ),
        _ => format!(
            "A {} account of {}, from first principles to current research. {} {}",
            rng.pick(&["concise", "thorough", "readable", "rigorous", "practical"]),
            rng.pick(TOPICS).to_lowercase(),
            rng.pick(&[
                "Each chapter ends with exercises; hints and solutions are at the back.",
                "Worked examples and figures accompany every section.",
                "It assumes a first course in calculus and nothing more.",
            ]),
            rng.pick(&[
                "Used in courses at many universities.",
                "This edition adds a chapter on recent methods.",
                "With a bibliography and an index.",
            ])
        ),
    };
    buf.extend_from_slice(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The demo writes these bytes unescaped into SQL strings and MyISAM rows: no quote,
    /// apostrophe or backslash may appear (one did, and the demo's fiction dump did not parse).
    #[test]
    fn titles_descriptions_and_series_need_no_escaping() {
        for kind in [Kind::Book, Kind::Novel, Kind::Paper, Kind::Mixed] {
            for i in 0..2_000 {
                let mut rng = Rng::keyed(7, i);
                let mut buf = Vec::new();
                title(
                    &mut buf,
                    Lang::ALL[i as usize % Lang::ALL.len()],
                    &mut rng,
                    kind,
                );
                buf.push(b'\n');
                description(&mut buf, &mut rng, kind);
                buf.push(b'\n');
                series(&mut buf, &mut rng);
                let text = String::from_utf8(buf).unwrap();
                assert!(!text.contains(['\'', '"', '\\']), "needs escaping: {text}");
            }
        }
    }
}
