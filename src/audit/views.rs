//! The audit page: newest events first, older pages by sequence number.

use super::{list_audit_events, VerifyAuditChain};
use crate::ui::{action_error, EmptyState, ErrorNotice};
use leptos::prelude::*;
use leptos_meta::Title;

/// The audit history.
#[component]
pub fn AuditPage() -> impl IntoView {
    let before = RwSignal::new(None::<i64>);
    let events = Resource::new(move || before.get(), list_audit_events);
    let verify = ServerAction::<VerifyAuditChain>::new();
    view! {
        <Title text="Audit · AMI Desk" />
        <h1>"Audit history"</h1>
        <div class="toolbar">
            <button on:click=move |_| { verify.dispatch(VerifyAuditChain {}); }>"Verify the chain"</button>
            {move || match verify.value().get() {
                Some(Ok(report)) => Some(view! { <span class="notice ok" role="status">{report}</span> }.into_any()),
                Some(Err(_)) => action_error(verify.value().get()).map(|e| view! { <ErrorNotice error=e /> }.into_any()),
                None => None,
            }}
        </div>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match events.await {
                    Ok(rows) if rows.is_empty() => view! {
                        <EmptyState title="No events">
                            <p>"Every sign-in, change and refusal is recorded here."</p>
                        </EmptyState>
                    }.into_any(),
                    Ok(rows) => {
                        let last = rows.last().map(|r| r.seq);
                        view! {
                            <div class="table-wrap">
                                <table>
                                    <thead><tr><th>"#"</th><th>"Time (UTC)"</th><th>"Actor"</th><th>"Action"</th><th>"Subject"</th><th>"Details"</th></tr></thead>
                                    <tbody>
                                        {rows.into_iter().map(|r| view! {
                                            <tr>
                                                <td>{r.seq}</td>
                                                <td><time>{r.at}</time></td>
                                                <td>{r.actor_name}</td>
                                                <td><code>{r.action}</code></td>
                                                <td>{r.subject.unwrap_or_default()}</td>
                                                <td class="details" title=r.correlation_id.unwrap_or_default()><code>{r.details}</code></td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <div class="toolbar">
                                <button on:click=move |_| before.set(None)>"Newest"</button>
                                <button on:click=move |_| before.set(last)>"Older events"</button>
                            </div>
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorNotice error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
