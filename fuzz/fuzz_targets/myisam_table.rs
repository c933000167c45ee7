//! Any bytes as a MyISAM table: as a `.frm` definition (parsed), and as the `.MYD` rows of the
//! real 2026 `files` and `editions_to_files` layouts (decoded, in bounded memory: waiting parts
//! spill under a small budget). No panic, whatever the bytes.
#![no_main]

use std::sync::Arc;

use lanshelf::myisam::{MydReader, ReaderOptions, TableDef};
use libfuzzer_sys::fuzz_target;

const FILES_FRM: &[u8] = include_bytes!("../../tests/fixtures/myisam/2026/files.frm");
const ETF_FRM: &[u8] = include_bytes!("../../tests/fixtures/myisam/2026/editions_to_files.frm");

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 3 {
        0 => {
            let _ = TableDef::from_frm("fuzz", rest);
        }
        m => {
            let frm = if m == 1 { FILES_FRM } else { ETF_FRM };
            let def = Arc::new(TableDef::from_frm("t", frm).expect("the fixture parses"));
            let options = ReaderOptions {
                fragment_memory: 4096,
                ..ReaderOptions::default()
            };
            let mut reader = MydReader::new(def, rest, options);
            let mut rows = 0;
            while let Ok(Some(row)) = reader.next_row() {
                for v in row.values() {
                    let _ = v.as_bytes();
                }
                rows += 1;
                if rows > 100_000 {
                    break;
                }
            }
        }
    }
});
