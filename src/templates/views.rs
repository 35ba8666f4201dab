//! The templates page: the team's templates, each a starting point for a new request.

use super::{list_templates, new_request_from_template};
use crate::ui::{fetch, EmptyState, ErrorNotice};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

/// The team's templates.
#[component]
pub fn TemplatesPage() -> impl IntoView {
    let templates = Resource::new(|| (), fetch(|_| list_templates()));
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
        <div class="toolbar" role="group" aria-label="Template actions">
            <a class="button" href="/templates/new">"New template"</a>
        </div>
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
        <ImportTemplate />
    }
}

/// Import a template exported from this or another AMI Desk, checked like any other.
#[component]
fn ImportTemplate() -> impl IntoView {
    let options = Resource::new(|| (), fetch(|_| crate::requests::get_editor_options()));
    let json = RwSignal::new(String::new());
    let team = RwSignal::new(0i64);
    let error = RwSignal::new(None);
    let navigate = use_navigate();
    let import = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let navigate = navigate.clone();
        spawn_local(async move {
            match super::import_template(team.get_untracked(), json.get_untracked()).await {
                Ok(id) => navigate(&format!("/templates/{id}"), Default::default()),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <details class="import">
            <summary>"Import a template from JSON"</summary>
            <form on:submit=import>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let teams = options.await.map(|o| o.teams).unwrap_or_default();
                        if let Some(first) = teams.first() {
                            if team.get_untracked() == 0 { team.set(first.id.0); }
                        }
                        view! {
                            <div class="field">
                                <label for="import-team">"Team"</label>
                                <select id="import-team" on:change=move |ev| team.set(event_target_value(&ev).parse().unwrap_or_default())>
                                    {teams.into_iter().map(|t| view! { <option value=t.id.0.to_string()>{t.name}</option> }).collect_view()}
                                </select>
                            </div>
                        }
                    })}
                </Suspense>
                <div class="field">
                    <label for="import-json">"Template JSON"</label>
                    <textarea id="import-json" rows="8" prop:value=move || json.get() on:input=move |ev| json.set(event_target_value(&ev))></textarea>
                    <p class="help">"The file “Export JSON” downloads from a template page."</p>
                </div>
                {move || error.get().map(|e| view! { <ErrorNotice error=e /> })}
                <button type="submit">"Import"</button>
            </form>
        </details>
    }
}

/// `/templates/{id}`: what the template sets, its versions with the requests made from each,
/// a field diff between any two versions, edit, export and archive.
#[component]
pub fn TemplatePage() -> impl IntoView {
    let id = crate::ui::route_id();
    let detail = Resource::new(id, fetch(super::get_template));
    let versions = Resource::new(id, fetch(super::template_versions));
    let from = RwSignal::new(0i64);
    let to = RwSignal::new(0i64);
    let diff = Resource::new(
        move || (id(), from.get(), to.get()),
        fetch(|(id, a, b)| super::diff_template_versions(id, a, b)),
    );
    let archive = ServerAction::<super::ArchiveTemplate>::new();
    Effect::new(move |_| {
        if matches!(archive.value().get(), Some(Ok(()))) {
            detail.refetch();
        }
    });
    view! {
        <Title text="Template · AMI Desk" />
        {move || crate::ui::action_error(archive.value().get()).map(|e| view! { <ErrorNotice error=e /> })}
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match (detail.await, versions.await) {
                    (Ok(d), Ok(vs)) => view! {
                        <TemplateFacts detail=d.clone() archive />
                        <h2>"Fields"</h2>
                        <FieldTable content=d.content />
                        <h2>"Versions"</h2>
                        <VersionTable versions=vs.clone() />
                        {(vs.len() > 1).then(|| view! { <VersionDiff versions=vs from to diff /> })}
                    }.into_any(),
                    (Err(e), _) | (_, Err(e)) => view! { <h1>"Template"</h1><ErrorNotice error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TemplateFacts(
    detail: super::TemplateDetail,
    archive: ServerAction<super::ArchiveTemplate>,
) -> impl IntoView {
    let tid = detail.summary.id;
    view! {
        <h1>{detail.summary.name.clone()}{detail.summary.archived.then_some(" (archived)")}</h1>
        <p class="lead">{detail.summary.description.clone()}</p>
        <dl class="facts">
            <dt>"Team"</dt><dd>{detail.summary.team.clone()}</dd>
            <dt>"Version"</dt><dd>{detail.summary.version}</dd>
            <dt>"Last change (UTC)"</dt><dd>{detail.summary.updated_at.clone()}</dd>
        </dl>
        <div class="toolbar" role="group" aria-label="Template actions">
            {detail.can_edit.then(|| view! { <a class="button" href=format!("/templates/{tid}/edit")>"Edit"</a> })}
            <a class="button secondary" href=format!("/templates/{tid}/export.json") download="">"Export JSON"</a>
            {detail.can_edit.then(|| view! {
                <button type="button" class="danger" on:click=move |_| { archive.dispatch(super::ArchiveTemplate { id: tid }); }>"Archive"</button>
            })}
        </div>
    }
}

#[component]
fn FieldTable(content: crate::domain::template::TemplateContent) -> impl IntoView {
    if content.modes.is_empty() {
        return view! { <p class="muted">"This template sets no field."</p> }.into_any();
    }
    let rows = content
        .modes
        .iter()
        .map(|(field, mode)| {
            (
                format!("{field:?}"),
                format!("{mode:?}").to_lowercase(),
                field.display(&content.form),
            )
        })
        .collect::<Vec<_>>();
    view! {
        <div class="table-wrap"><table>
            <thead><tr><th>"Field"</th><th>"Mode"</th><th>"Value"</th></tr></thead>
            <tbody>{rows.into_iter().map(|(f, m, v)| view! { <tr><td>{f}</td><td>{m}</td><td><code>{v}</code></td></tr> }).collect_view()}</tbody>
        </table></div>
    }
    .into_any()
}

#[component]
fn VersionTable(versions: Vec<super::TemplateVersion>) -> impl IntoView {
    view! {
        <div class="table-wrap"><table>
            <thead><tr><th>"Version"</th><th>"Saved by"</th><th>"At (UTC)"</th><th>"Requests made from it"</th></tr></thead>
            <tbody>{versions.into_iter().map(|v| view! { <tr><td>{v.version}</td><td>{v.editor}</td><td>{v.created_at}</td><td>{v.requests}</td></tr> }).collect_view()}</tbody>
        </table></div>
    }
}

type DiffResource =
    Resource<Result<Vec<crate::domain::register_image::FieldChange>, crate::error::AppError>>;

/// Two version pickers and the field changes between them.
#[component]
fn VersionDiff(
    versions: Vec<super::TemplateVersion>,
    from: RwSignal<i64>,
    to: RwSignal<i64>,
    diff: DiffResource,
) -> impl IntoView {
    let latest = versions.iter().map(|v| v.version).max().unwrap_or(1);
    let picker = move |label: &'static str, value: RwSignal<i64>, default: i64| {
        let id = format!("diff-{}", label.to_lowercase());
        view! {
            <div class="field inline">
                <label for=id.clone()>{label}</label>
                <select id=id on:change=move |ev| value.set(event_target_value(&ev).parse().unwrap_or(0))>
                    {(1..=latest).map(|v| view! {
                        <option value=v.to_string() selected=move || { let cur = value.get(); (if cur == 0 { default } else { cur }) == v }>{format!("version {v}")}</option>
                    }).collect_view()}
                </select>
            </div>
        }
    };
    view! {
        <h2>"Changes between versions"</h2>
        <div class="toolbar">{picker("From", from, latest - 1)}{picker("To", to, latest)}</div>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match diff.await {
                    Ok(changes) if changes.is_empty() => view! { <p class="muted">"No field differs."</p> }.into_any(),
                    Ok(changes) => view! {
                        <div class="table-wrap"><table>
                            <thead><tr><th>"Field"</th><th>"Before"</th><th>"After"</th></tr></thead>
                            <tbody>{changes.into_iter().map(|c| view! { <tr><td>{c.field}</td><td><code>{c.before}</code></td><td><code>{c.after}</code></td></tr> }).collect_view()}</tbody>
                        </table></div>
                    }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}
