//! The audit page (filters, newest first, keyset pages, export, chain check) and a
//! request's timeline.

use super::{list_audit_events, AuditEventView, AuditFilter, VerifyAuditChain};
use crate::ui::{action_error, fetch, EmptyState, ErrorNotice};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn query_string(f: &AuditFilter) -> String {
    [
        ("actor", &f.actor),
        ("action", &f.action),
        ("request", &f.request),
        ("team", &f.team),
        ("from", &f.from),
        ("to", &f.to),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}={}", crate::ui::encode_query(v)))
    .collect::<Vec<_>>()
    .join("&")
}

/// The audit history.
#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        query.with(|q| AuditFilter {
            actor: q.get("actor").unwrap_or_default(),
            action: q.get("action").unwrap_or_default(),
            request: q.get("request").unwrap_or_default(),
            team: q.get("team").unwrap_or_default(),
            from: q.get("from").unwrap_or_default(),
            to: q.get("to").unwrap_or_default(),
            before: q.get("before").unwrap_or_default(),
        })
    };
    let page = Resource::new(filter, fetch(list_audit_events));
    let verify = ServerAction::<VerifyAuditChain>::new();
    let field = |name: &'static str,
                 label: &'static str,
                 placeholder: &'static str,
                 get: fn(&AuditFilter) -> String| {
        view! {
            <label for=format!("a-{name}")>{label}</label>
            <input id=format!("a-{name}") name=name placeholder=placeholder prop:value=move || get(&filter()) />
        }
    };
    view! {
        <Title text="Audit · AMI Desk" />
        <div class="page-head">
            <h1>"Audit history"</h1>
            <div class="toolbar">
                <button type="button" on:click=move |_| { verify.dispatch(VerifyAuditChain {}); }>"Verify the chain"</button>
                <a class="button secondary" href=move || format!("/audit/export?format=csv&{}", query_string(&filter()))>"Export CSV"</a>
                <a class="button secondary" href=move || format!("/audit/export?format=jsonl&{}", query_string(&filter()))>"Export JSON Lines"</a>
            </div>
        </div>
        {move || match verify.value().get() {
            Some(Ok(report)) => Some(view! { <p class="notice ok" role="status">{report}</p> }.into_any()),
            other => action_error(other).map(|e| view! { <ErrorNotice error=e /> }.into_any()),
        }}
        <form method="get" action="/audit" class="filters" role="search">
            {field("actor", "Actor", "username", |f| f.actor.clone())}
            {field("action", "Action", "request.approve", |f| f.action.clone())}
            {field("request", "Request", "id", |f| f.request.clone())}
            {field("team", "Team", "name", |f| f.team.clone())}
            {field("from", "From", "2026-01-01", |f| f.from.clone())}
            {field("to", "To", "2026-12-31", |f| f.to.clone())}
            <button type="submit">"Filter"</button>
        </form>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) if p.rows.is_empty() => view! {
                        <EmptyState title="No events">
                            <p>"Every sign-in, change and refusal is recorded here; none match these filters."</p>
                        </EmptyState>
                    }.into_any(),
                    Ok(p) => {
                        let next = p.next_before.map(|b| format!("/audit?{}&before={b}", query_string(&filter())));
                        view! {
                            <EventTable rows=p.rows />
                            <p class="toolbar">
                                <a href=format!("/audit?{}", query_string(&filter()))>"Newest"</a>
                                {next.map(|href| view! { <a href=href>"Older events"</a> })}
                            </p>
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorNotice error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Events as a table; each row opens its details and links to its request.
#[component]
pub fn EventTable(rows: Vec<AuditEventView>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table>
                <thead><tr><th>"#"</th><th>"Time (UTC)"</th><th>"Actor"</th><th>"Action"</th><th>"Subject"</th><th>"Details"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let subject = r.subject.clone().unwrap_or_default();
                        let link = subject.strip_prefix("request:").map(|id| format!("/requests/{id}"));
                        view! {
                            <tr>
                                <td>{r.seq}</td>
                                <td><time>{r.at}</time></td>
                                <td>{r.actor_name}</td>
                                <td><code>{r.action}</code></td>
                                <td>{match link {
                                    Some(href) => view! { <a href=href>{subject}</a> }.into_any(),
                                    None => view! { <span>{subject}</span> }.into_any(),
                                }}</td>
                                <td class="details">
                                    <details>
                                        <summary>"Details"</summary>
                                        <code>{r.details}</code>
                                        <p class="muted">{format!(
                                            "from {} · reference {}",
                                            r.client_addr.unwrap_or_else(|| "-".into()),
                                            r.correlation_id.unwrap_or_else(|| "-".into())
                                        )}</p>
                                    </details>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// One request's history from the audit record.
#[component]
pub fn RequestTimeline(
    /// Created by the page, at its top level.
    events: Resource<Result<Vec<AuditEventView>, crate::error::AppError>>,
) -> impl IntoView {
    view! {
        <section aria-labelledby="timeline-heading">
            <h2 id="timeline-heading">"Timeline"</h2>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match events.await {
                        Ok(rows) => view! { <EventTable rows /> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
