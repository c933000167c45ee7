//! The `lanshelf` command: loads the configuration, parses the command line and runs the
//! subcommand (all of it in the library: `lanshelf::commands`).

fn main() -> std::process::ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // The configuration file fills the environment's gaps before clap reads it.
    if let Err(e) = lanshelf::config::load(&args, &lanshelf::cli::command()) {
        eprintln!("error: {}", lanshelf::chain::Chain(&e));
        return std::process::ExitCode::FAILURE;
    }
    let cli = lanshelf::cli::parse_from(args);
    lanshelf::commands::init_tracing();
    match lanshelf::commands::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", lanshelf::chain::Chain(e.as_ref()));
            std::process::ExitCode::FAILURE
        }
    }
}
