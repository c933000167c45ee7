//! Any bytes as a RAR archive: opening it, listing it and reading every member never panics and
//! never grows memory past the reader's bounds (each member is read to at most 16 MiB, then the
//! stream is dropped, which stops the decoder).
#![no_main]

use std::io::Read;

use lanshelf::dump::rar::RarArchive;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("lanshelf-fuzz-rar-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("input.rar");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let Ok(archive) = RarArchive::open(&path, Some(b"password")) else {
        return;
    };
    let _ = archive.members().len();
    let Ok(mut stream) = archive.stream(|_| true) else {
        return;
    };
    while let Some(Ok((_, reader))) = stream.next_member() {
        let mut sink = Vec::new();
        let _ = reader.take(16 << 20).read_to_end(&mut sink);
    }
});
