//! Packs files into a RAR 5 archive for the RAR benchmark (`bench/rar.sh`): no `rar` program is
//! in Debian's main archive.
//!
//!     cargo run --release --example rar_pack -- [--store] [--blake2] [--volumes N | --volume-mib N] OUT.rar FILE...
//!
//! `--store` without `--blake2` writes what `rar -m0` writes by default (stored members with
//! CRC32 checksums) with the tests' writer (`tests/common/rar5.rs`), `--volumes N` as N volumes
//! `OUT.part1.rar` …; everything else goes through the `rars` writer, which adds BLAKE2sp
//! checksums (as `rar -htb` does) and compresses unless `--store`.

use std::io::Write;
use std::path::{Path, PathBuf};

#[path = "../tests/common/rar5.rs"]
mod rar5;

struct FileVolumes {
    stem: PathBuf,
}

impl rars::rar50::VolumeSink for FileVolumes {
    fn start_volume(&mut self, index: u64) -> rars::Result<Box<dyn Write + Send>> {
        let path = PathBuf::from(format!("{}.part{}.rar", self.stem.display(), index + 1));
        eprintln!("writing {}", path.display());
        Ok(Box::new(std::io::BufWriter::new(std::fs::File::create(
            path,
        )?)))
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let store = args.iter().any(|a| a == "--store");
    let blake2 = args.iter().any(|a| a == "--blake2");
    args.retain(|a| a != "--store" && a != "--blake2");
    let mut parts = 1;
    if let Some(i) = args.iter().position(|a| a == "--volumes") {
        parts = args[i + 1].parse::<usize>()?;
        args.drain(i..i + 2);
    }
    let mut volume = None;
    if let Some(i) = args.iter().position(|a| a == "--volume-mib") {
        volume = Some(args[i + 1].parse::<usize>()? << 20);
        args.drain(i..i + 2);
    }
    let (out, files) = args.split_first().ok_or(
        "usage: rar_pack [--store] [--blake2] [--volumes N | --volume-mib N] OUT.rar FILE...",
    )?;
    if store && !blake2 {
        let data: Vec<(String, Vec<u8>)> = files
            .iter()
            .map(|f| {
                let name = Path::new(f)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                (name, std::fs::read(f).unwrap())
            })
            .collect();
        let members: Vec<(&str, &[u8])> = data
            .iter()
            .map(|(n, d)| (n.as_str(), d.as_slice()))
            .collect();
        let out = Path::new(out);
        if parts > 1 {
            let stem = out.file_stem().unwrap().to_string_lossy();
            let dir = out
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            rar5::write_volumes(dir, &stem, &members, parts);
        } else {
            rar5::write(out, &members);
        }
        return Ok(());
    }
    let mut builder = rars::Builder::new(rars::ArchiveVersion::Rar50)
        .store(store)
        .volume_size(volume);
    for f in files {
        let path = Path::new(f);
        let name = path.file_name().ok_or("a file name")?.to_string_lossy();
        builder.add_path(path, name.as_bytes())?;
    }
    match volume {
        None => builder.write_to_path(Path::new(out), None)?,
        Some(_) => {
            let stem = PathBuf::from(out.trim_end_matches(".rar"));
            let resources = rars::WriterResources::default().with_temp_dir(
                Path::new(out)
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(Path::new(".")),
            );
            builder.write_volumes_to(&mut FileVolumes { stem }, &resources, None)?;
        }
    }
    Ok(())
}
