//! The `tocsin` binary. See `tocsin --help`.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = server::cli::Cli::parse();
    match server::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // One readable line (with its causes) for whoever started us.
            eprintln!("tocsin: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
