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
                                                    <td><a href=format!("/templates/{id}")>{t.name.clone()}</a>{t.archived.then_some(" (archived)")}</td>
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

/// `/templates/{id}`: what the template sets, its versions and the requests made from each.
#[component]
pub fn TemplatePage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(-1)
    };
    let detail = Resource::new(id, super::get_template);
    let versions = Resource::new(id, super::template_versions);
    let archive = ServerAction::<super::ArchiveTemplate>::new();
    view! {
        <Title text="Template · AMI Desk" />
        {move || crate::ui::action_error(archive.value().get()).map(|e| view! { <ErrorNotice error=e /> })}
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match (detail.await, versions.await) {
                    (Ok(d), Ok(vs)) => {
                        let tid = d.summary.id;
                        let fields = d.content.modes.iter().map(|(field, mode)| {
                            (format!("{field:?}"), format!("{mode:?}").to_lowercase(), field.display(&d.content.form))
                        }).collect::<Vec<_>>();
                        view! {
                            <h1>{d.summary.name.clone()}{d.summary.archived.then_some(" (archived)")}</h1>
                            <p class="lead">{d.summary.description.clone()}</p>
                            <dl class="facts">
                                <dt>"Team"</dt><dd>{d.summary.team.clone()}</dd>
                                <dt>"Version"</dt><dd>{d.summary.version}</dd>
                            </dl>
                            {d.can_edit.then(|| view! {
                                <button type="button" class="danger" on:click=move |_| { archive.dispatch(super::ArchiveTemplate { id: tid }); }>"Archive"</button>
                            })}
                            <h2>"Fields"</h2>
                            <div class="table-wrap"><table>
                                <thead><tr><th>"Field"</th><th>"Mode"</th><th>"Value"</th></tr></thead>
                                <tbody>{fields.into_iter().map(|(f, m, v)| view! { <tr><td>{f}</td><td>{m}</td><td><code>{v}</code></td></tr> }).collect_view()}</tbody>
                            </table></div>
                            <h2>"Versions"</h2>
                            <div class="table-wrap"><table>
                                <thead><tr><th>"Version"</th><th>"Saved by"</th><th>"At (UTC)"</th><th>"Requests made from it"</th></tr></thead>
                                <tbody>{vs.into_iter().map(|v| view! { <tr><td>{v.version}</td><td>{v.editor}</td><td>{v.created_at}</td><td>{v.requests}</td></tr> }).collect_view()}</tbody>
                            </table></div>
                        }.into_any()
                    }
                    (Err(e), _) | (_, Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
