//! The `amidesk` binary: see `amidesk --help`.

use clap::Parser;
use std::process::ExitCode;

/// mimalloc: faster than glibc's allocator under many threads (tokio workers and one
/// thread per SQLite connection), and it returns memory after load instead of keeping
/// per-thread arenas.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
