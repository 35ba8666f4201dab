//! Settings from command-line flags and `AMIDESK_*` environment variables.
//! AWS settings come from the standard AWS chain (`AWS_PROFILE`, `AWS_REGION`,
//! `AWS_ENDPOINT_URL_EC2`, …), never from here and never from the browser.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::{net::SocketAddr, path::PathBuf, time::Duration};

/// AMI Desk: request, approve and register EC2 AMIs without handing out AWS credentials.
#[derive(Debug, Parser)]
#[command(name = "amidesk", version, about, long_about = None)]
pub struct Cli {
    /// Settings shared by every command.
    #[command(flatten)]
    pub settings: Settings,
    /// What to do; serves the dashboard when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The commands of the `amidesk` binary.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the dashboard (the default).
    Serve,
    /// Manage user accounts from a script.
    #[command(subcommand)]
    User(UserCommand),
    /// Inspect the audit history.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Helpers for `make bench`.
    #[command(subcommand)]
    Bench(BenchCommand),
}

/// `amidesk bench …`
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Serve the baseline: a bare axum handler running the request list's query for
    /// `username` and writing the HTML by hand, on `--listen`.
    Baseline {
        /// Whose requests to list.
        #[arg(long)]
        username: String,
    },
}

/// `amidesk user …`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user; the password is read from standard input.
    Add {
        /// Sign-in name (lowercase letters, digits, '.', '_', '-').
        #[arg(long)]
        username: String,
        /// requester, approver or admin.
        #[arg(long)]
        role: String,
        /// Team to join (created when missing); repeat for several teams.
        #[arg(long)]
        team: Vec<String>,
        /// Name shown in the dashboard (defaults to the username).
        #[arg(long)]
        display_name: Option<String>,
    },
    /// List users with their roles and teams.
    List,
}

/// `amidesk audit …`
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain from the first event and report the first mismatch.
    Verify,
    /// Time the audit page's queries and single writes on this database (seed it first).
    Bench {
        /// Runs per query in each round.
        #[arg(long, default_value_t = 200)]
        runs: usize,
        /// Rounds of the whole series, a second apart; each figure is the rounds' median.
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..))]
        rounds: u16,
        /// Append the budget figures to this file (for `make bench`).
        #[arg(long)]
        results: Option<PathBuf>,
    },
    /// Append realistic, correctly chained events (for benchmarks).
    Seed {
        /// How many events to add.
        #[arg(long, default_value_t = 1_000_000)]
        events: u64,
    },
}

/// When SQLite waits for the disk at commit (WAL mode).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Durability {
    /// fsync at checkpoints: a commit survives a crash of the process (kill -9), the last
    /// few may be lost on power failure. SQLite's recommendation for WAL.
    Normal,
    /// fsync at every commit: survives power failure too, ~0.5 ms more per write.
    Full,
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Every setting of the service.
#[derive(Clone, Debug, Args)]
pub struct Settings {
    /// Address and port to listen on.
    #[arg(long, env = "AMIDESK_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,

    /// Database URL; SQLite files are created when missing.
    #[arg(
        long,
        env = "AMIDESK_DATABASE_URL",
        default_value = "sqlite://data/amidesk.db"
    )]
    pub database_url: String,

    /// Password for the `admin` account created on first start (random and logged once when unset).
    #[arg(long, env = "AMIDESK_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,

    /// Comma-separated AWS Regions requests may target.
    #[arg(
        long,
        env = "AMIDESK_REGIONS",
        value_delimiter = ',',
        default_value = "us-east-1,us-east-2,us-west-2,eu-west-1,eu-central-1"
    )]
    pub regions: Vec<String>,

    /// Public base URL (e.g. https://amidesk.example.com); decides the allowed Origin and
    /// whether cookies are marked Secure. Defaults to http://<listen>.
    #[arg(long, env = "AMIDESK_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Minutes without activity after which a session ends.
    #[arg(long, env = "AMIDESK_SESSION_IDLE_MINUTES", default_value_t = 30)]
    pub session_idle_minutes: u64,

    /// Minutes after sign-in after which a session ends whatever the activity.
    #[arg(long, env = "AMIDESK_SESSION_ABSOLUTE_MINUTES", default_value_t = 720)]
    pub session_absolute_minutes: u64,

    /// Seconds a session, and the user it names, read from the database are served from
    /// memory (0: always read the database). Changes made on this server take effect at
    /// once; another server process sharing the database may accept a session signed out,
    /// or a user disabled, elsewhere for at most this long.
    #[arg(long, env = "AMIDESK_SESSION_CACHE_SECS", default_value_t = 5)]
    pub session_cache_secs: u64,

    /// Folder with the built site (`pkg/` with the wasm bundle and stylesheet).
    #[arg(long, env = "AMIDESK_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// Log format.
    #[arg(long, env = "AMIDESK_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,

    /// Log filter in `tracing` syntax, e.g. `info,amidesk=debug`.
    #[arg(long, env = "AMIDESK_LOG", default_value = "info")]
    pub log: String,

    /// Seconds one EC2 operation may take, retries included.
    #[arg(long, env = "AMIDESK_EC2_TIMEOUT_SECS", default_value_t = 30)]
    pub ec2_timeout_secs: u64,

    /// Seconds one EC2 attempt may take.
    #[arg(long, env = "AMIDESK_EC2_ATTEMPT_TIMEOUT_SECS", default_value_t = 10)]
    pub ec2_attempt_timeout_secs: u64,

    /// Seconds the EC2 status line caches its answer.
    #[arg(long, env = "AMIDESK_EC2_STATUS_CACHE_SECS", default_value_t = 60)]
    pub ec2_status_cache_secs: u64,

    /// Pages rendered at once; more wait their turn. Rendering is CPU work, so a few per core
    /// keep the cores busy, and the bound keeps memory flat however many connections are open.
    #[arg(long, env = "AMIDESK_MAX_CONCURRENT_PAGES", default_value_t = 8)]
    pub max_concurrent_pages: usize,

    /// Password hashes computed at once (each takes ~19 MiB and one core for ~50 ms).
    #[arg(long, env = "AMIDESK_MAX_CONCURRENT_HASHES", default_value_t = 2)]
    pub max_concurrent_hashes: usize,

    /// When commits wait for the disk: `normal` (survives a process crash) or `full`
    /// (survives power failure too, slower writes).
    #[arg(
        long,
        env = "AMIDESK_DB_DURABILITY",
        value_enum,
        default_value = "normal"
    )]
    pub db_durability: Durability,

    /// Database connections kept open, each an SQLite connection on its own thread (default:
    /// one per core, plus one). Reads run side by side on them; writes take turns whatever
    /// the number.
    #[arg(
        long,
        env = "AMIDESK_DB_CONNECTIONS",
        default_value_t = crate::db::default_connections(),
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub db_connections: u32,

    /// Largest the database file may grow, in 4 KiB pages (unset: no limit). Writes past
    /// it are refused with a clear message and change nothing; reads go on.
    #[arg(long, env = "AMIDESK_DB_MAX_PAGES")]
    pub db_max_pages: Option<u64>,

    /// Automation API calls one token may make per minute (more get 429).
    #[arg(long, env = "AMIDESK_API_RATE_PER_MINUTE", default_value_t = 300)]
    pub api_rate_per_minute: u32,
}

impl Settings {
    /// The origin browsers must send on state-changing requests, e.g. `http://127.0.0.1:3000`.
    pub fn public_origin(&self) -> String {
        match &self.public_url {
            Some(url) => origin_of(url),
            None => format!("http://{}", self.listen),
        }
    }

    /// Whether cookies must carry the `Secure` flag.
    pub fn secure_cookies(&self) -> bool {
        self.public_origin().starts_with("https://")
    }

    /// How long a session may sit idle.
    pub fn session_idle(&self) -> Duration {
        Duration::from_secs(self.session_idle_minutes * 60)
    }

    /// How long a session may live at most (0: every session ends at once; for tests).
    pub fn session_absolute(&self) -> Duration {
        Duration::from_secs(self.session_absolute_minutes * 60)
    }

    /// Settings for tests and tools: defaults, with the given database.
    pub fn for_database(database_url: &str) -> Self {
        let cli = Cli::parse_from(["amidesk", "--database-url", database_url]);
        cli.settings
    }
}

/// `scheme://host[:port]` of a URL, without path or trailing slash.
fn origin_of(url: &str) -> String {
    let url = url.trim().trim_end_matches('/');
    match url.find("://") {
        Some(i) => {
            let rest = &url[i + 3..];
            let host = rest.split('/').next().unwrap_or(rest);
            format!("{}://{}", &url[..i].to_ascii_lowercase(), host)
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_drops_path_and_trailing_slash() {
        assert_eq!(
            origin_of("HTTPS://desk.example.com/amidesk/"),
            "https://desk.example.com"
        );
    }

    #[test]
    fn cookies_are_secure_only_behind_https() {
        let mut s = Settings::for_database("sqlite://x.db");
        assert!(!s.secure_cookies());
        s.public_url = Some("https://desk.example.com".into());
        assert!(s.secure_cookies());
    }

    #[test]
    fn the_database_gets_a_connection_per_core_plus_one_unless_told() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let s = Settings::for_database("sqlite://x.db");
        assert_eq!(s.db_connections as usize, cores + 1);
        let cli = Cli::parse_from(["amidesk", "--db-connections", "5"]);
        assert_eq!(cli.settings.db_connections, 5);
    }

    #[test]
    fn zero_database_connections_is_refused_at_start() {
        let err = Cli::try_parse_from(["amidesk", "--db-connections", "0"]).unwrap_err();
        assert!(err.to_string().contains("--db-connections"), "{err}");
    }

    #[test]
    fn regions_are_read_as_a_comma_separated_list() {
        let cli = Cli::parse_from(["amidesk", "--regions", "eu-west-1,cn-north-1"]);
        assert_eq!(cli.settings.regions, vec!["eu-west-1", "cn-north-1"]);
    }
}
