//! `amidesk audit bench`: times the audit page's queries and single audit writes on the
//! current database (seed it first), and prints each query plan. Used by `make bench`.
//!
//! The whole series runs in rounds a second apart, and each figure is the median of the
//! rounds' figures (as budget 1 takes the median of its rounds). A series of writes lasts a
//! fraction of a second, and this shared machine has slow stretches about as long: in one
//! round they can make every sample slow, and then p99 measures the stretch, not SQLite.

use super::query::{compile, COLUMNS, PAGE_SIZE};
use super::store::{record, AuditEntry};
use super::{Actor, AuditEventView, AuditFilter};
use crate::server::RequestMeta;
use sqlx::SqlitePool;
use std::time::{Duration, Instant};

/// Untimed runs of each query before its timed ones.
const WARM_UP_QUERIES: usize = 5;
/// Writes before timing starts.
const WARM_UP_WRITES: usize = 20;
/// At least this many timed writes a round, so that p99 is not one unlucky write.
const MIN_WRITE_RUNS: usize = 1_000;
/// The pause between rounds.
const ROUND_PAUSE: Duration = Duration::from_secs(1);

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
    /// The slowest filtered page's p99, in ms (budget 1 ms): the median of the rounds'.
    pub worst_page_p99: f64,
    /// A single audit write's p99, in ms (budget 0.5 ms): the median of the rounds'.
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
            "4. audit page at {} events, slowest filtered 50-row page, p99 (ms, median of rounds)\t{:.3}\t1\tms\t{}\n\
             4. one audit write in its own transaction, p99 (ms, median of rounds)\t{:.3}\t0.5\tms\t{}\n",
            self.events,
            self.worst_page_p99,
            met(self.worst_page_p99 <= 1.0),
            self.write_p99,
            met(self.write_p99 <= 0.5)
        )
    }
}

/// p50 and p99 of one series, in ms.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Times {
    p50: f64,
    p99: f64,
}

impl Times {
    fn of(sorted: &[f64]) -> Self {
        Self {
            p50: percentile(sorted, 50.0),
            p99: percentile(sorted, 99.0),
        }
    }

    /// Each percentile's median over the rounds.
    fn median_of(rounds: &[Times]) -> Self {
        Self {
            p50: median(rounds.iter().map(|t| t.p50)),
            p99: median(rounds.iter().map(|t| t.p99)),
        }
    }
}

/// The median of `values` (the mean of the middle two for an even count; 0 for none).
fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = values.collect();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// One round: every page query's times, then the writes' with and without the remembered head.
struct Round {
    pages: Vec<Times>,
    /// Each page's row count and query plan.
    shapes: Vec<(usize, String)>,
    write: Times,
    unhinted_write: Times,
}

impl Round {
    fn worst_page_p99(&self) -> f64 {
        self.pages.iter().map(|t| t.p99).fold(0.0, f64::max)
    }
}

/// A page query of the benchmark: its name and filter.
type Case = (&'static str, AuditFilter);

/// The filtered pages the benchmark times, on this database's events.
async fn cases(pool: &SqlitePool) -> Result<Vec<Case>, sqlx::Error> {
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
    Ok(vec![
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
    ])
}

/// Times every page query and both kinds of write once.
async fn time_round(pool: &SqlitePool, cases: &[Case], runs: usize) -> Result<Round, sqlx::Error> {
    let mut pages = Vec::with_capacity(cases.len());
    let mut shapes = Vec::with_capacity(cases.len());
    for (_, filter) in cases {
        let (times, rows, plan) = time_query(pool, filter, runs).await?;
        pages.push(Times::of(&times));
        shapes.push((rows, plan));
    }
    let write_runs = runs.max(MIN_WRITE_RUNS);
    let write = Times::of(&time_writes(pool, write_runs, false).await?);
    let unhinted_write = Times::of(&time_writes(pool, write_runs, true).await?);
    Ok(Round {
        pages,
        shapes,
        write,
        unhinted_write,
    })
}

/// Runs the benchmark (`rounds` rounds of `runs` runs per query) and prints a Markdown table
/// with the figures it returns.
pub async fn run(pool: &SqlitePool, runs: usize, rounds: usize) -> Result<Summary, sqlx::Error> {
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events")
        .fetch_one(pool)
        .await?;
    let cases = cases(pool).await?;
    let meta = RequestMeta::detached();
    // Steady state: a few writes warm the connection and page caches first.
    for i in 0..WARM_UP_WRITES {
        let entry = AuditEntry::new(Actor::system(), "bench.write")
            .details(serde_json::json!({ "warm_up": i }));
        record(pool, &entry, &meta).await?;
    }
    let mut all = Vec::with_capacity(rounds.max(1));
    for round in 0..rounds.max(1) {
        if round > 0 {
            tokio::time::sleep(ROUND_PAUSE).await;
        }
        all.push(time_round(pool, &cases, runs).await?);
    }
    println!(
        "Audit table: {total} events. Each figure is the median of {} rounds' (one second apart).\n",
        all.len()
    );
    println!("| query | rows | p50 ms | p99 ms | plan |");
    println!("|---|---|---|---|---|");
    for (i, (name, _)) in cases.iter().enumerate() {
        let (rows, plan) = &all[0].shapes[i];
        let t = Times::median_of(&all.iter().map(|r| r.pages[i]).collect::<Vec<_>>());
        println!("| {name} | {rows} | {:.3} | {:.3} | {plan} |", t.p50, t.p99);
    }
    let write = Times::median_of(&all.iter().map(|r| r.write).collect::<Vec<_>>());
    let unhinted = Times::median_of(&all.iter().map(|r| r.unhinted_write).collect::<Vec<_>>());
    println!(
        "\n| audit write (own transaction) | p50 {:.3} ms | p99 {:.3} ms |",
        write.p50, write.p99
    );
    println!(
        "| for comparison: the same write reading the chain head first | p50 {:.3} ms | p99 {:.3} ms |",
        unhinted.p50, unhinted.p99
    );
    let list = |f: &dyn Fn(&Round) -> f64| {
        all.iter()
            .map(|r| format!("{:.3}", f(r)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "\nRounds' slowest-page p99 (ms): {}",
        list(&Round::worst_page_p99)
    );
    println!("Rounds' write p99 (ms): {}", list(&|r| r.write.p99));
    let summary = Summary {
        events: total,
        worst_page_p99: median(all.iter().map(Round::worst_page_p99)),
        write_p99: write.p99,
    };
    println!(
        "\nBudgets (issue 9): page p99 <= 1 ms, write p99 <= 0.5 ms: {}",
        if summary.ok() { "met" } else { "NOT met" }
    );
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_odd_count_is_the_middle_value() {
        assert_eq!(median([0.9, 0.1, 0.3].into_iter()), 0.3);
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median([4.0, 1.0, 2.0, 3.0].into_iter()), 2.5);
        assert_eq!(median(std::iter::empty()), 0.0);
    }

    #[test]
    fn one_slow_round_does_not_move_the_figures() {
        let t = |p50, p99| Times { p50, p99 };
        let rounds = [t(0.1, 0.2), t(0.3, 1.4), t(0.12, 0.25)];
        assert_eq!(Times::median_of(&rounds), t(0.12, 0.25));
    }

    #[test]
    fn percentiles_round_up_to_a_sample() {
        let sorted: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(
            Times::of(&sorted),
            Times {
                p50: 50.0,
                p99: 99.0
            }
        );
    }
}
