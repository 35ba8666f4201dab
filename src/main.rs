//! The `amidesk` binary: see `amidesk --help`.

use clap::Parser;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = amidesk::settings::Cli::parse();
    amidesk::server::init_tracing(&cli.settings);
    match amidesk::server::run(cli).await {
        Ok(code) => code,
        Err(err) => {
            eprintln!("amidesk: {err}");
            ExitCode::FAILURE
        }
    }
}
