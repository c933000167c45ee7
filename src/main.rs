use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = lanshelf::cli::Cli::parse();
    lanshelf::commands::init_tracing();
    match lanshelf::commands::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
