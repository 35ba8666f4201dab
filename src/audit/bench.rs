//! `amidesk audit bench`: times the audit page's queries and single audit writes on the
//! current database (seed it first), and prints each query plan. Used by `make bench`.

use super::query::{compile, COLUMNS, PAGE_SIZE};
use super::store::{record, AuditEntry};
use super::{Actor, AuditEventView, AuditFilter};
use crate::server::RequestMeta;
use sqlx::SqlitePool;
use std::time::Instant;

/// Untimed runs of each query before its timed ones.
const WARM_UP_QUERIES: usize = 5;
/// Writes before timing starts.
const WARM_UP_WRITES: usize = 20;
/// At least this many timed writes, so that p99 is not one unlucky write (a WAL
/// checkpoint lands in about one write in a few hundred).
const MIN_WRITE_RUNS: usize = 1_000;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

async fn time_query(
    pool: &SqlitePool,
    filter: &AuditFilter,
    runs: usize,
) -> Result<(Vec<f64>, usize, String), sqlx::Error> {
    let Ok(compiled) = compile(filter, true) else {
        return Ok((vec![], 0, String::new()));
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_events {} ORDER BY seq DESC LIMIT {}",
        compiled.where_sql, PAGE_SIZE
    );
    let plan_rows: Vec<(i64, i64, i64, String)> = sqlx::query_as_with(
        &format!("EXPLAIN QUERY PLAN {sql}"),
        compile(filter, true).map(|c| c.args).unwrap_or_default(),
    )
    .fetch_all(pool)
    .await?;
    let plan = plan_rows
        .into_iter()
        .map(|r| r.3)
        .collect::<Vec<_>>()
        .join("; ");
    // At the database: one connection for the whole series, and a few untimed runs first
    // so that the statement is prepared and its pages are in the cache.
    let mut conn = pool.acquire().await?;
    let mut times = Vec::with_capacity(runs);
    let mut rows = 0;
    for run in 0..WARM_UP_QUERIES + runs {
        let args = compile(filter, true).map(|c| c.args).unwrap_or_default();
        let started = Instant::now();
        let page: Vec<AuditEventView> = sqlx::query_as_with(&sql, args)
            .fetch_all(&mut *conn)
            .await?;
        if run >= WARM_UP_QUERIES {
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        rows = page.len();
    }
    times.sort_by(f64::total_cmp);
    Ok((times, rows, plan))
}

/// Times `runs` single audit writes, sorted (ms); `read_head_first` makes each one read the
/// chain head first instead of using the remembered one.
async fn time_writes(
    pool: &SqlitePool,
    runs: usize,
    read_head_first: bool,
) -> Result<Vec<f64>, sqlx::Error> {
    let meta = RequestMeta::detached();
    let mut writes = Vec::with_capacity(runs);
    for i in 0..runs {
        let entry =
            AuditEntry::new(Actor::system(), "bench.write").details(serde_json::json!({ "i": i }));
        if read_head_first {
            super::store::forget_head();
        }
        let started = Instant::now();
        record(pool, &entry, &meta).await?;
        writes.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    writes.sort_by(f64::total_cmp);
    Ok(writes)
}

/// The figures `make bench` checks.
pub struct Summary {
    /// Events in the table when the queries were timed.
    pub events: i64,
    /// The slowest filtered page's p99, in ms (budget 1 ms).
    pub worst_page_p99: f64,
    /// A single audit write's p99, in ms (budget 0.5 ms).
    pub write_p99: f64,
}

impl Summary {
    /// Whether both budgets hold.
    pub fn ok(&self) -> bool {
        self.worst_page_p99 <= 1.0 && self.write_p99 <= 0.5
    }

    /// The lines `bench/report.py` reads: name, value, budget, unit, met.
    pub fn tsv(&self) -> String {
        let met = |ok: bool| if ok { "yes" } else { "NO" };
        format!(
            "4. audit page at {} events, slowest filtered 50-row page, p99 (ms)\t{:.3}\t1\tms\t{}\n\
             4. one audit write in its own transaction, p99 (ms)\t{:.3}\t0.5\tms\t{}\n",
            self.events,
            self.worst_page_p99,
            met(self.worst_page_p99 <= 1.0),
            self.write_p99,
            met(self.write_p99 <= 0.5)
        )
    }
}

/// Runs the benchmark and prints a Markdown table with the figures it returns.
pub async fn run(pool: &SqlitePool, runs: usize) -> Result<Summary, sqlx::Error> {
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events")
        .fetch_one(pool)
        .await?;
    let max_seq: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM audit_events")
        .fetch_one(pool)
        .await?;
    let mid = (max_seq / 2).to_string();
    let day: String =
        sqlx::query_scalar("SELECT substr(at, 1, 10) FROM audit_events WHERE seq = ?")
            .bind(max_seq / 3)
            .fetch_optional(pool)
            .await?
            .unwrap_or_default();
    let f = |actor: &str, action: &str, request: &str, from: &str, to: &str, before: &str| {
        AuditFilter {
            actor: actor.into(),
            action: action.into(),
            request: request.into(),
            from: from.into(),
            to: to.into(),
            before: before.into(),
            ..AuditFilter::default()
        }
    };
    let cases = [
        ("no filter, first page", f("", "", "", "", "", "")),
        ("no filter, page in the middle", f("", "", "", "", "", &mid)),
        (
            "action, first page",
            f("", "request.approve", "", "", "", ""),
        ),
        (
            "action, page in the middle",
            f("", "request.approve", "", "", "", &mid),
        ),
        ("actor, first page", f("user17", "", "", "", "", "")),
        (
            "actor, page in the middle",
            f("user17", "", "", "", "", &mid),
        ),
        ("request, first page", f("", "", "4242", "", "", "")),
        ("one day, first page", f("", "", "", &day, &day, "")),
        (
            "actor + action + day",
            f("user17", "auth.sign_in", "", &day, &day, ""),
        ),
    ];
    println!("Audit table: {total} events.\n");
    println!("| query | rows | p50 ms | p99 ms | plan |");
    println!("|---|---|---|---|---|");
    let mut worst_page_p99: f64 = 0.0;
    for (name, filter) in cases {
        let (times, rows, plan) = time_query(pool, &filter, runs).await?;
        let (p50, p99) = (percentile(&times, 50.0), percentile(&times, 99.0));
        worst_page_p99 = worst_page_p99.max(p99);
        println!("| {name} | {rows} | {p50:.3} | {p99:.3} | {plan} |");
    }
    let meta = RequestMeta::detached();
    // Steady state: a few writes warm the connection and page caches first.
    for i in 0..WARM_UP_WRITES {
        let entry = AuditEntry::new(Actor::system(), "bench.write")
            .details(serde_json::json!({ "warm_up": i }));
        record(pool, &entry, &meta).await?;
    }
    let write_runs = runs.max(MIN_WRITE_RUNS);
    let writes = time_writes(pool, write_runs, false).await?;
    let (w50, w99) = (percentile(&writes, 50.0), percentile(&writes, 99.0));
    println!("\n| audit write (own transaction) | p50 {w50:.3} ms | p99 {w99:.3} ms |");
    let unhinted = time_writes(pool, write_runs, true).await?;
    println!(
        "| for comparison: the same write reading the chain head first | p50 {:.3} ms | p99 {:.3} ms |",
        percentile(&unhinted, 50.0),
        percentile(&unhinted, 99.0)
    );
    let summary = Summary {
        events: total,
        worst_page_p99,
        write_p99: w99,
    };
    println!(
        "\nBudgets (issue 9): page p99 <= 1 ms, write p99 <= 0.5 ms: {}",
        if summary.ok() { "met" } else { "NOT met" }
    );
    Ok(summary)
}
