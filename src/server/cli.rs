//! The `amidesk` command line: serve, `user add|list`, `audit verify`.

use super::{build_state, serve, BoxError, RequestMeta};
use crate::admin::service::{create_user_in, NewUser};
use crate::audit::{chain, Actor};
use crate::auth::{store, AuthRuntime};
use crate::settings::{AuditCommand, BenchCommand, Cli, Command, UserCommand};
use std::io::Read;
use std::process::ExitCode;

/// Runs the command the user asked for.
pub async fn run(cli: Cli) -> Result<ExitCode, BoxError> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let listener = tokio::net::TcpListener::bind(cli.settings.listen).await?;
            serve(build_state(cli.settings).await?, listener).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::User(UserCommand::Add {
            username,
            role,
            team,
            display_name,
        }) => {
            let pool = crate::db::open(&cli.settings).await?;
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password)?;
            let password = password.lines().next().unwrap_or_default().to_string();
            let mut input = NewUser::parse(
                &username,
                display_name.as_deref().unwrap_or(""),
                &password,
                &role,
                None,
            )
            .map_err(|e| e.to_string())?;
            for name in &team {
                input
                    .teams
                    .push(crate::domain::TeamName::parse(name).map_err(|e| format!("team: {e}"))?);
            }
            let id = create_user_in(
                &pool,
                &AuthRuntime::new(1, std::time::Duration::ZERO),
                &Actor::system(),
                &RequestMeta::detached(),
                input,
            )
            .await
            .map_err(|e| e.to_string())?;
            println!("created user {username} (id {id})");
            Ok(ExitCode::SUCCESS)
        }
        Command::User(UserCommand::List) => {
            let pool = crate::db::open(&cli.settings).await?;
            println!("{:<24} {:<10} {:<9} teams", "username", "role", "status");
            for u in store::list_users(&pool).await? {
                let status = if u.disabled { "disabled" } else { "active" };
                println!(
                    "{:<24} {:<10} {:<9} {}",
                    u.username, u.role, status, u.teams
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit(AuditCommand::Bench {
            runs,
            rounds,
            results,
        }) => {
            let pool = crate::db::open_for_serving(&cli.settings).await?;
            let summary = crate::audit::bench::run(&pool, runs, rounds.into()).await?;
            if let Some(path) = results {
                use std::io::Write;
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)?
                    .write_all(summary.tsv().as_bytes())?;
            }
            Ok(if summary.ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(3)
            })
        }
        Command::Audit(AuditCommand::Seed { events }) => {
            let pool = crate::db::open(&cli.settings).await?;
            let started = std::time::Instant::now();
            let n = crate::audit::seed::seed(&pool, events).await?;
            println!(
                "appended {n} events in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(BenchCommand::Baseline { username }) => {
            let pool = crate::db::open(&cli.settings).await?;
            let listener = tokio::net::TcpListener::bind(cli.settings.listen).await?;
            super::baseline::serve(pool, &username, listener).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit(AuditCommand::Verify) => {
            let pool = crate::db::open(&cli.settings).await?;
            let report = chain::verify(&pool).await?;
            println!("{report}");
            Ok(match report {
                chain::VerifyReport::Intact { .. } => ExitCode::SUCCESS,
                chain::VerifyReport::Broken { .. } => ExitCode::from(2),
            })
        }
    }
}
