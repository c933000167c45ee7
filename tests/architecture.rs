//! The modules' one-way order, checked on the source text: every `crate::x` path (in `use`
//! lines, `crate::{x, y}` groups and paths in code) of every file under `src/` names a module `x`
//! that the file's own top-level module may use. Data flows `dump → import → db → search → web`:
//! `import` uses the readers, `search` reads the catalog through `db` (never `import`), the portal
//! reads both, and nothing uses the portal but the edge;
//! the shared vocabulary (collections, files, time, text, settings, activity, progress, error
//! chains) may be used by everyone and uses nothing above it; the edge (`commands`, `main`) may
//! use everything. A module never uses one of its own layer or above, so there is no cycle.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Each top-level module of `src/` and its layer: a module may use the modules of lower layers
/// (and itself), never those of its own layer or higher. Layers 0 and 1 are the shared
/// vocabulary.
const LAYERS: &[(&str, u32)] = &[
    // Shared vocabulary: what a collection is, then what everyone may use (they use only
    // `collection`).
    ("collection", 0),
    ("activity", 1),
    ("chain", 1),
    ("clock", 1),
    ("files", 1),
    ("progress", 1),
    ("setting", 1),
    ("text", 1),
    // Readers and leaves.
    ("dump", 2),
    ("myisam", 2),
    ("identify", 2),
    ("healthcheck", 2),
    ("privileges", 2),
    // The generator of dumps.
    ("synth", 3),
    // The catalog.
    ("db", 4),
    // The index.
    ("search", 5),
    // What is built on the catalog and the index, and the bulk writer of the catalog (which the
    // reads, `db` and `search`, never use: they read what it wrote through `db`).
    ("import", 6),
    ("citation", 6),
    ("demo", 6),
    ("lookup", 7),
    // The command line's definitions (the portal's `serve` reads them).
    ("cli", 8),
    // The portal.
    ("web", 9),
    // The dumps folder watcher: imports and index updates, beside the portal (which only reads
    // its `activity`).
    ("watch", 10),
    // The edge.
    ("config", 11),
    ("entrypoint", 11),
    ("commands", 12),
    ("main", 13),
    ("lib", 13),
];

/// The edges issue 15 named, which the table must keep forbidden.
const FORBIDDEN: &[(&str, &str)] = &[
    ("db", "search"),
    ("web", "watch"),
    ("cli", "web"),
    ("search", "import"),
    ("entrypoint", "commands"),
    ("dump", "import"),
    ("db", "web"),
    ("search", "web"),
];

/// Items the crate root re-exports, and the module they come from.
const ROOT_ITEMS: &[(&str, &str)] = &[("Collection", "collection")];

fn layer(module: &str) -> Option<u32> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

fn may_use(from: &str, to: &str) -> bool {
    if from == to {
        return true;
    }
    match (layer(from), layer(to)) {
        (Some(a), Some(b)) => b < a,
        _ => false,
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src/") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to (`src/db/records.rs` → `db`).
fn module_of(src: &Path, file: &Path) -> String {
    let first = file
        .strip_prefix(src)
        .expect("under src/")
        .components()
        .next()
        .expect("a component");
    let name = first.as_os_str().to_string_lossy();
    name.strip_suffix(".rs").unwrap_or(&name).to_string()
}

/// The text of a line without its `//` comment (doc comments name modules in prose; a `//`
/// inside a string literal cuts the line short, which only loses text after it).
fn code(line: &str) -> &str {
    line.find("//").map_or(line, |i| &line[..i])
}

fn ident_at(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// The top-level modules named after `crate::` in `text` (one file, comments removed), with
/// their line numbers.
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    // Joined so that a `crate::{…}` group over several lines is read whole.
    let mut joined = String::new();
    let mut line_of = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = code(line);
        for _ in 0..=line.len() {
            line_of.push(n + 1);
        }
        joined.push_str(line);
        joined.push('\n');
    }
    let mut at = 0;
    while let Some(i) = joined[at..].find("crate::") {
        let start = at + i;
        at = start + "crate::".len();
        // `lanshelf_crate::` or `$crate::` are not this crate's paths.
        let before = joined[..start].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let rest = &joined[at..];
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a, b::c, D}`: the first segment of each part at depth 0.
            let mut depth = 0;
            let mut part_start = true;
            for (k, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => part_start = true,
                    c if part_start && !c.is_whitespace() => {
                        part_start = false;
                        let name = ident_at(&group[k..]);
                        if !name.is_empty() {
                            found.push((line_of[at + 1 + k], name.to_string()));
                        }
                    }
                    _ => {}
                }
            }
        } else {
            let name = ident_at(rest);
            if !name.is_empty() {
                found.push((line_of[at], name.to_string()));
            }
        }
    }
    found
        .into_iter()
        .map(|(n, name)| {
            let module = ROOT_ITEMS
                .iter()
                .find(|(item, _)| *item == name)
                .map_or(name, |(_, m)| m.to_string());
            (n, module)
        })
        .collect()
}

/// Every forbidden use in `src/`: `file:line: message`.
fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let from = module_of(src, &file);
        let text = std::fs::read_to_string(&file).expect("read a source file");
        let shown = file
            .strip_prefix(src.parent().unwrap_or(src))
            .unwrap_or(&file);
        if layer(&from).is_none() {
            out.push(format!(
                "{}: the module `{from}` has no layer in tests/architecture.rs: give it one",
                shown.display()
            ));
            continue;
        }
        for (line, to) in crate_paths(&text) {
            if layer(&to).is_none() {
                // Not a top-level module (a macro, a root item): nothing to check.
                continue;
            }
            if !may_use(&from, &to) {
                out.push(format!(
                    "{}:{line}: `crate::{to}` in `{from}`: {from} (layer {}) may not use {to} (layer {}); the order is dump → import → db → search → web, shared vocabulary (layers 0-1) below all",
                    shown.display(),
                    layer(&from).unwrap_or(0),
                    layer(&to).unwrap_or(0),
                ));
            }
        }
    }
    out
}

#[test]
fn modules_use_only_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = violations(&src);
    assert!(
        found.is_empty(),
        "{} forbidden imports:\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn every_top_level_module_has_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut names: BTreeMap<String, ()> = BTreeMap::new();
    for entry in std::fs::read_dir(&src).expect("read src/") {
        let path = entry.expect("an entry").path();
        if path.is_dir() || path.extension().is_some_and(|e| e == "rs") {
            names.insert(module_of(&src, &path), ());
        }
    }
    let missing: Vec<&String> = names.keys().filter(|m| layer(m).is_none()).collect();
    assert!(missing.is_empty(), "modules without a layer: {missing:?}");
}

#[test]
fn the_named_backward_edges_stay_forbidden() {
    for (from, to) in FORBIDDEN {
        assert!(
            !may_use(from, to),
            "the layer table lets {from} use {to}, which must stay forbidden"
        );
    }
    // Shared vocabulary uses nothing of the crate; the edge may use everything.
    assert!(!may_use("collection", "files"));
    assert!(may_use("commands", "web"));
}

#[test]
fn the_reader_finds_every_form_of_path() {
    let text = "use crate::db::records;\nuse crate::{search, web::state::AppState,\n    Collection};\n// crate::watch in a comment\nlet x = crate::import::now();\nlet y = \"lanshelf_crate::x\";\n";
    let found: Vec<(usize, String)> = crate_paths(text);
    assert_eq!(
        found,
        [
            (1, "db".to_string()),
            (2, "search".to_string()),
            (2, "web".to_string()),
            (3, "collection".to_string()),
            (5, "import".to_string()),
        ]
    );
    // A forbidden import is reported with its file and line.
    let dir = std::env::temp_dir().join(format!("lanshelf-arch-{}", std::process::id()));
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("db")).unwrap();
    std::fs::write(src.join("db/records.rs"), "use crate::search::Hit;\n").unwrap();
    let v = violations(&src);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(v.len(), 1, "{v:?}");
    assert!(
        v[0].starts_with("src/db/records.rs:1: `crate::search` in `db`"),
        "{}",
        v[0]
    );
}
