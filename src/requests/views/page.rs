//! `/requests/{id}`: the request in its editor (or read-only), its history with field
//! diffs, export links, the DryRun test, duplicate and delete.

use super::editor::RequestEditor;
use crate::requests::{
    delete_request, diff_revisions, duplicate_request, get_editor_options, get_request,
    request_revisions, RequestDetail,
};
use crate::ui::{fetch, ErrorNotice};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

/// The page's data. Every resource is created here, at the top of the page, not inside a
/// `Suspend`: resources created inside an already-resolved suspense lose the request context
/// during server rendering (and break hydration).
#[derive(Clone, Copy)]
struct PageData {
    workflow: Resource<Result<crate::workflow::WorkflowView, crate::error::AppError>>,
    revisions: Resource<Result<Vec<crate::requests::RevisionInfo>, crate::error::AppError>>,
    diff: Resource<Result<Vec<crate::domain::register_image::FieldChange>, crate::error::AppError>>,
    timeline: Resource<Result<Vec<crate::audit::AuditEventView>, crate::error::AppError>>,
    /// Compared revisions; 0 and 0 mean "the one before the current, and the current".
    from: RwSignal<i64>,
    to: RwSignal<i64>,
}

/// One request.
#[component]
pub fn RequestPage() -> impl IntoView {
    let id = crate::ui::route_id();
    let detail = Resource::new(id, fetch(get_request));
    let options = Resource::new(|| (), fetch(|_| get_editor_options()));
    let from = RwSignal::new(0i64);
    let to = RwSignal::new(0i64);
    provide_context(PageData {
        workflow: Resource::new(id, fetch(crate::workflow::get_workflow)),
        revisions: Resource::new(id, fetch(request_revisions)),
        diff: Resource::new(
            move || (id(), from.get(), to.get()),
            fetch(|(id, a, b)| diff_revisions(id, a, b)),
        ),
        timeline: Resource::new(id, fetch(crate::audit::request_timeline)),
        from,
        to,
    });
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match (detail.await, options.await) {
                    (Ok(d), Ok(o)) => view! { <RequestView detail=d options=o /> }.into_any(),
                    (Err(e), _) | (_, Err(e)) => view! { <h1>"Request"</h1><ErrorNotice error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RequestView(detail: RequestDetail, options: crate::requests::EditorOptions) -> impl IntoView {
    let id = detail.id.0;
    let title = if detail.form.name.is_empty() {
        format!("Request {id}")
    } else {
        detail.form.name.clone()
    };
    let data = expect_context::<PageData>();
    view! {
        <Title text=format!("{title} · AMI Desk") />
        <h1>{title}</h1>
        <dl class="facts">
            <dt>"State"</dt><dd><span class=format!("state state-{}", detail.state)>{detail.state.as_str()}</span></dd>
            <dt>"Team"</dt><dd>{detail.team.clone()}</dd>
            <dt>"Author"</dt><dd>{detail.author.clone()}</dd>
            <dt>"Revision"</dt><dd>{detail.revision} " by " {detail.last_editor.clone()} " at " <time>{detail.updated_at.clone()}</time></dd>
            <dt>"Content hash"</dt><dd><code class="hash">{detail.content_hash.clone()}</code></dd>
        </dl>
        <crate::workflow::views::WorkflowPanel id view_res=data.workflow />
        <Actions id />
        {(detail.state == crate::domain::RequestState::Pending && detail.can_edit).then(|| view! {
            <p class="notice">"Saving an edit returns this request to draft and voids its approvals."</p>
        })}
        {(!detail.locked.is_empty()).then(|| view! {
            <p class="notice">"Fields locked by this request's template are read-only."</p>
        })}
        <RequestEditor
            initial=detail.form.clone()
            id=Some(id)
            revision=detail.revision
            options
            readonly=!detail.can_edit
            locked=detail.locked.clone()
        />
        <History current=detail.revision />
        <crate::audit::views::RequestTimeline events=data.timeline />
    }
}

#[component]
fn Actions(id: i64) -> impl IntoView {
    let dry_run = ServerAction::<crate::requests::DryRunRequest>::new();
    let navigate = use_navigate();
    let busy = RwSignal::new(None::<crate::error::AppError>);
    let nav2 = navigate.clone();
    let duplicate = move |_| {
        let navigate = nav2.clone();
        spawn_local(async move {
            match duplicate_request(id).await {
                Ok(saved) => navigate(&format!("/requests/{}", saved.id.0), Default::default()),
                Err(e) => busy.set(Some(e)),
            }
        });
    };
    let delete = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            match delete_request(id).await {
                Ok(()) => navigate("/requests", Default::default()),
                Err(e) => busy.set(Some(e)),
            }
        });
    };
    view! {
        <div class="toolbar" role="group" aria-label="Request actions">
            <button type="button" on:click=move |_| { dry_run.dispatch(crate::requests::DryRunRequest { id }); }
                disabled=move || dry_run.pending().get()>"Test request"</button>
            <a class="button secondary" href=format!("/requests/{id}/export/cli-input.json") download="">"Download CLI JSON"</a>
            <a class="button secondary" href=format!("/requests/{id}/export/aws_ami.tf") download="">"Download Terraform"</a>
            <button type="button" class="secondary" on:click=duplicate>"Duplicate"</button>
            <a class="button secondary" href=format!("/templates/new?from={id}")>"Save as template"</a>
            <button type="button" class="danger" on:click=delete>"Delete draft"</button>
        </div>
        <p class="help">"Test request sends the saved revision to EC2 with DryRun=true: permissions and parameters are checked, nothing is registered."</p>
        {move || dry_run.pending().get().then(|| view! { <p class="muted" role="status">"Asking EC2…"</p> })}
        {move || dry_run.value().get().map(|result| match result {
            Ok(v) => view! {
                <p class=if v.would_succeed { "notice ok" } else { "notice error" } role="status">
                    <strong>{if v.would_succeed { "Would succeed" } else { "Would fail" }}</strong>
                    " (" <code>{v.code}</code> "): " {v.message}
                </p>
            }.into_any(),
            Err(e) => view! { <ErrorNotice error=e /> }.into_any(),
        })}
        {move || busy.get().map(|e| view! { <ErrorNotice error=e /> })}
    }
}

#[component]
fn History(current: i64) -> impl IntoView {
    let PageData {
        revisions,
        diff,
        from,
        to,
        ..
    } = expect_context::<PageData>();
    let shown_from = move || {
        if from.get() == 0 {
            (current - 1).max(1)
        } else {
            from.get()
        }
    };
    let shown_to = move || if to.get() == 0 { current } else { to.get() };
    view! {
        <section aria-labelledby="history-heading">
            <h2 id="history-heading">"Revision history"</h2>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match revisions.await {
                        Ok(revs) => view! {
                            <div class="table-wrap">
                                <table>
                                    <thead><tr><th>"Revision"</th><th>"Saved by"</th><th>"At (UTC)"</th><th>"Content hash"</th></tr></thead>
                                    <tbody>
                                        {revs.iter().map(|r| view! {
                                            <tr><td>{r.revision}</td><td>{r.editor.clone()}</td><td>{r.created_at.clone()}</td><td><code class="hash">{r.content_hash[..12.min(r.content_hash.len())].to_string()}</code></td></tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e /> }.into_any(),
                    }
                })}
            </Suspense>
            <div class="toolbar">
                <label for="diff-from">"Compare revision"</label>
                <input id="diff-from" type="number" min="1" max=current prop:value=move || shown_from().to_string()
                    on:change=move |ev| { to.set(shown_to()); from.set(event_target_value(&ev).parse().unwrap_or(1)); } />
                <label for="diff-to">"with revision"</label>
                <input id="diff-to" type="number" min="1" max=current prop:value=move || shown_to().to_string()
                    on:change=move |ev| { from.set(shown_from()); to.set(event_target_value(&ev).parse().unwrap_or(current)); } />
            </div>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match diff.await {
                        Ok(changes) if changes.is_empty() => view! { <p class="muted">"No differences."</p> }.into_any(),
                        Ok(changes) => view! {
                            <div class="table-wrap">
                                <table aria-label="Changes">
                                    <thead><tr><th>"Field"</th><th>"Before"</th><th>"After"</th></tr></thead>
                                    <tbody>
                                        {changes.into_iter().map(|c| view! {
                                            <tr><td><code>{c.field}</code></td><td class="before">{c.before}</td><td class="after">{c.after}</td></tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
