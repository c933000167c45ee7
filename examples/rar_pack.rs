//! Packs files into a RAR 5 archive with the `rars` writer, for the RAR benchmark
//! (`bench/rar.sh`): no `rar` program is in Debian's main archive.
//!
//!     cargo run --release --example rar_pack -- [--store] [--volume-mib N] OUT.rar FILE...
//!
//! With `--volume-mib`, writes `OUT.part1.rar`, `OUT.part2.rar` … of at most N MiB each.

use std::io::Write;
use std::path::{Path, PathBuf};

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
    args.retain(|a| a != "--store");
    let mut volume = None;
    if let Some(i) = args.iter().position(|a| a == "--volume-mib") {
        volume = Some(args[i + 1].parse::<usize>()? << 20);
        args.drain(i..i + 2);
    }
    let (out, files) = args
        .split_first()
        .ok_or("usage: rar_pack [--store] [--volume-mib N] OUT.rar FILE...")?;
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
