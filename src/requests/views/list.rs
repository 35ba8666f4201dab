//! `/requests`: my requests and my teams', filtered and paginated; import from CLI JSON.

use crate::domain::RequestState;
use crate::error::AppError;
use crate::requests::{
    get_editor_options, import_request, list_requests, ListFilter, ListScope, RequestSummary,
};
use crate::ui::push_escaped;
use crate::ui::{fetch, EmptyState, ErrorNotice};
use leptos::either::Either;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The request list.
#[component]
pub fn RequestsPage() -> impl IntoView {
    let query = use_query_map();
    let filter = move || query.with(ListFilter::from_query);
    let page = Resource::new_blocking(
        filter,
        fetch(|f| async move {
            list_requests(f)
                .await
                .map(|p| ListView::of(&p.rows, p.next_cursor))
        }),
    );
    // Whether the rows were there when the page was made: on the server they were loaded
    // before the render (`requests::prefetch`), so the page shows them in place, without a
    // `<Suspense>` (BENCHMARKS.md, budget 1). Hydration reads the server's answer, so the
    // browser takes over the same structure; a list opened in the browser waits in a Suspense.
    let in_place = SharedValue::new(move || untrack(|| page.map(|_| ()).is_some())).into_inner();
    let scope_is = move |s: ListScope| filter().scope == s;
    // The filter is read untracked: the page's value changes with it, and only then should
    // the table (and its next-page link) be drawn again.
    let body = move |p: Result<ListView, AppError>| list_body(p, untrack(filter));
    view! {
        <Title text="Requests · AMI Desk" />
        <div class="page-head">
            <h1>"Requests"</h1>
            <a class="button" href="/requests/new">"New request"</a>
        </div>
        <form method="get" action="/requests" class="filters" role="search">
            <label for="f-scope">"Show"</label>
            <select id="f-scope" name="scope">
                <option value="mine" selected=move || scope_is(ListScope::Mine)>"My requests"</option>
                <option value="team" selected=move || scope_is(ListScope::Team)>"My teams' requests"</option>
            </select>
            <label for="f-state">"State"</label>
            <select id="f-state" name="state">
                <option value="">"Any"</option>
                {RequestState::ALL.into_iter().map(|s| view! {
                    <option value=s.as_str() selected=move || filter().state == s.as_str()>{s.as_str()}</option>
                }).collect_view()}
            </select>
            <label for="f-q">"Search"</label>
            <input id="f-q" name="q" type="search" placeholder="name, Region or author" prop:value=move || filter().search />
            <button type="submit">"Filter"</button>
        </form>
        {if in_place {
            Either::Left(move || match page.map(Clone::clone) {
                Some(p) => body(p),
                None => view! { <p>"Loading…"</p> }.into_any(),
            })
        } else {
            Either::Right(view! {
                <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                    {move || Suspend::new(async move { body(page.await) })}
                </Suspense>
            })
        }}
        <ImportForm />
    }
}

/// The table of a page of requests (or its empty state, or the error).
fn list_body(page: Result<ListView, AppError>, f: ListFilter) -> AnyView {
    match page {
        Ok(p) if !p.has_rows => view! {
            <EmptyState title="No requests here">
                <p>"Start a " <a href="/requests/new">"new request"</a> ", import one from CLI JSON below, or change the filters."</p>
            </EmptyState>
        }.into_any(),
        Ok(p) => {
            let next = p.next_cursor.map(|c| {
                format!("/requests?scope={}&state={}&q={}&cursor={}",
                    if f.scope == ListScope::Team { "team" } else { "mine" }, f.state, crate::ui::encode_query(&f.search), crate::ui::encode_query(&c))
            });
            view! {
                <div class="table-wrap">
                    <table>
                        <thead><tr><th>"Name"</th><th>"State"</th><th>"Region"</th><th>"Team"</th><th>"Author"</th><th>"Last change (UTC)"</th></tr></thead>
                        <tbody inner_html=p.rows_html></tbody>
                    </table>
                </div>
                {next.map(|href| view! { <p><a href=href>"Next page"</a></p> })}
            }.into_any()
        }
        Err(e) => view! { <ErrorNotice error=e /> }.into_any(),
    }
}

/// What the list shows, made from a page of rows where they were fetched: on the server for
/// the first render, in the browser after a filter or page change. The rows' HTML is not part of
/// the page's hydration data — hydration leaves the server-rendered table body as it is —
/// so the 50 rows are not sent a second time as JSON.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct ListView {
    /// Shared, not copied: the page's value is cloned each time it is read while rendering.
    #[serde(skip)]
    rows_html: Arc<str>,
    has_rows: bool,
    next_cursor: Option<String>,
}

impl ListView {
    fn of(rows: &[RequestSummary], next_cursor: Option<String>) -> Self {
        Self {
            rows_html: rows_html(rows).into(),
            has_rows: !rows.is_empty(),
            next_cursor,
        }
    }
}

/// The table's rows as one HTML string. Fifty rows of links and text need no reactivity, and
/// writing them at once costs a fraction of a view per cell on the server (BENCHMARKS.md,
/// budget 1); hydration leaves server-rendered inner HTML as it is. Every value is escaped.
pub fn rows_html(rows: &[RequestSummary]) -> String {
    let mut html = String::with_capacity(rows.len() * 320);
    for r in rows {
        let id = r.id.to_string();
        html.push_str("<tr><td><a href=\"/requests/");
        html.push_str(&id);
        html.push_str("\">");
        if r.name.is_empty() {
            html.push_str("Request ");
            html.push_str(&id);
        } else {
            push_escaped(&mut html, &r.name);
        }
        html.push_str("</a></td><td><span class=\"state state-");
        push_escaped(&mut html, &r.state);
        html.push_str("\">");
        push_escaped(&mut html, &r.state);
        html.push_str("</span></td>");
        for cell in [&r.region, &r.team, &r.author] {
            html.push_str("<td>");
            push_escaped(&mut html, cell);
            html.push_str("</td>");
        }
        html.push_str("<td><time>");
        push_escaped(&mut html, &r.updated_at);
        html.push_str("</time></td></tr>");
    }
    html
}

/// Import from CLI JSON, folded away under the list. Its choices (the user's teams, the
/// allowed Regions) are fetched from the browser when it is first opened, so the list page
/// itself, rendered on every visit, carries no data for it.
#[component]
fn ImportForm() -> impl IntoView {
    let opened = RwSignal::new(false);
    let json = RwSignal::new(String::new());
    let team = RwSignal::new(0i64);
    let region = RwSignal::new(String::new());
    let error = RwSignal::new(None);
    let navigate = use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let navigate = navigate.clone();
        spawn_local(async move {
            match import_request(
                team.get_untracked(),
                region.get_untracked(),
                json.get_untracked(),
            )
            .await
            {
                Ok(saved) => navigate(&format!("/requests/{}", saved.id.0), Default::default()),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <details class="card import" on:toggle=move |_| opened.set(true)>
            <summary>"Import from aws ec2 register-image --cli-input-json"</summary>
            {move || opened.get().then(|| view! { <ImportChoices team region /> })}
            <form on:submit=submit>
                <label for="imp-json">"CLI input JSON"</label>
                <textarea id="imp-json" rows="8" on:input=move |ev| json.set(event_target_value(&ev))></textarea>
                <button type="submit">"Import as draft"</button>
            </form>
            {move || error.get().map(|e| view! { <ErrorNotice error=e /> })}
        </details>
    }
}

/// The team and Region choices of the import form, loaded from the browser.
#[component]
fn ImportChoices(team: RwSignal<i64>, region: RwSignal<String>) -> impl IntoView {
    let options = LocalResource::new(get_editor_options);
    view! {
        <Suspense fallback=|| view! { <p>"Loading your teams…"</p> }>
            {move || Suspend::new(async move {
                match options.await {
                    Ok(o) => {
                        if team.get_untracked() == 0 { team.set(o.teams.first().map(|t| t.id.0).unwrap_or_default()); }
                        if region.get_untracked().is_empty() { region.set(o.regions.first().cloned().unwrap_or_default()); }
                        view! {
                            <label for="imp-team">"Team"</label>
                            <select id="imp-team" on:change=move |ev| team.set(event_target_value(&ev).parse().unwrap_or_default())>
                                {o.teams.into_iter().map(|t| view! { <option value=t.id.0.to_string()>{t.name}</option> }).collect_view()}
                            </select>
                            <label for="imp-region">"Region"</label>
                            <select id="imp-region" on:change=move |ev| region.set(event_target_value(&ev))>
                                {o.regions.into_iter().map(|r| view! { <option value=r.clone()>{r.clone()}</option> }).collect_view()}
                            </select>
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorNotice error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str) -> RequestSummary {
        RequestSummary {
            id: 7,
            team: "Platform".into(),
            name: name.into(),
            region: "us-east-1".into(),
            state: "draft".into(),
            author: "Rick <r&d>".into(),
            updated_at: "2026-12-05T04:00:00Z".into(),
            revision: 1,
        }
    }

    #[test]
    fn a_row_links_the_request_and_escapes_every_value() {
        let html = rows_html(&[row("<script>alert(1)</script>")]);
        assert_eq!(
            html,
            "<tr><td><a href=\"/requests/7\">&lt;script&gt;alert(1)&lt;/script&gt;</a></td>\
             <td><span class=\"state state-draft\">draft</span></td><td>us-east-1</td>\
             <td>Platform</td><td>Rick &lt;r&amp;d&gt;</td><td><time>2026-12-05T04:00:00Z</time></td></tr>"
        );
    }

    #[test]
    fn the_rows_html_stays_out_of_the_hydration_data() {
        let view = ListView::of(&[row("web")], Some("next".into()));
        assert!(view.rows_html.contains("<tr>"));
        let sent = serde_json::to_string(&view).unwrap();
        assert_eq!(sent, r#"{"has_rows":true,"next_cursor":"next"}"#);
        let back: ListView = serde_json::from_str(&sent).unwrap();
        assert!(back.has_rows && back.rows_html.is_empty());
    }

    #[test]
    fn a_draft_without_a_name_is_shown_by_its_number() {
        assert!(rows_html(&[row("")]).contains(">Request 7</a>"));
    }
}
