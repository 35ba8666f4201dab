//! The templates page: the team's templates, each a starting point for a new request.

use super::{list_templates, new_request_from_template};
use crate::ui::{EmptyState, ErrorNotice};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

/// The team's templates.
#[component]
pub fn TemplatesPage() -> impl IntoView {
    let templates = Resource::new(|| (), |_| list_templates());
    let error = RwSignal::new(None);
    let navigate = use_navigate();
    let start = move |id: i64| {
        let navigate = navigate.clone();
        spawn_local(async move {
            match new_request_from_template(id).await {
                Ok(saved) => navigate(&format!("/requests/{}", saved.id.0), Default::default()),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <Title text="Templates · AMI Desk" />
        <h1>"Templates"</h1>
        {move || error.get().map(|e| view! { <ErrorNotice error=e /> })}
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                let start = start.clone();
                Suspend::new(async move {
                    match templates.await {
                        Ok(rows) if rows.is_empty() => view! {
                            <EmptyState title="No templates yet">
                                <p>
                                    "Templates give your team a vetted starting point for new requests: "
                                    "defaults people may change and locked fields they may not."
                                </p>
                            </EmptyState>
                        }.into_any(),
                        Ok(rows) => view! {
                            <div class="table-wrap">
                                <table>
                                    <thead><tr><th>"Template"</th><th>"Team"</th><th>"Version"</th><th>"Description"</th><th></th></tr></thead>
                                    <tbody>
                                        {rows.into_iter().map(|t| {
                                            let start = start.clone();
                                            let id = t.id;
                                            view! {
                                                <tr>
                                                    <td>{t.name.clone()}{t.archived.then_some(" (archived)")}</td>
                                                    <td>{t.team}</td>
                                                    <td>{t.version}</td>
                                                    <td>{t.description}</td>
                                                    <td>
                                                        {(!t.archived).then(|| view! {
                                                            <button type="button" class="small" on:click=move |_| start(id)>
                                                                {format!("New request from {}", t.name)}
                                                            </button>
                                                        })}
                                                    </td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
