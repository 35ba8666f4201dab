//! `/profile`: who I am, and my personal access tokens for the automation API.

use super::{create_token, list_tokens, revoke_token, NewToken};
use crate::app::UserResource;
use crate::ui::{fetch, EmptyState, ErrorNotice};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

/// My profile and tokens.
#[component]
pub fn ProfilePage() -> impl IntoView {
    let UserResource(user) = expect_context::<UserResource>();
    let tokens = Resource::new(|| (), fetch(|_| list_tokens()));
    let created = RwSignal::new(None::<NewToken>);
    let error = RwSignal::new(None);
    let revoke = move |id: i64| {
        spawn_local(async move {
            match revoke_token(id).await {
                Ok(()) => tokens.refetch(),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <Title text="Profile · AMI Desk" />
        <h1>"Profile"</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                user.await.ok().flatten().map(|u| view! {
                    <dl class="facts">
                        <dt>"Username"</dt><dd>{u.username.clone()}</dd>
                        <dt>"Role"</dt><dd>{u.role.as_str()}</dd>
                        <dt>"Teams"</dt><dd>{u.teams.iter().map(|t| t.name.clone()).collect::<Vec<_>>().join(", ")}</dd>
                    </dl>
                })
            })}
        </Suspense>
        <h2>"Personal access tokens"</h2>
        <p class="help">
            "A token lets a pipeline call the " <a href="/api-docs">"automation API"</a>
            " as you, with your role and teams (or read-only). Send it as "
            <code>"Authorization: Bearer …"</code> ". Changes made with it are audited as you “via token NAME”."
        </p>
        <NewTokenForm tokens created error />
        {move || created.get().map(|t| view! {
            <div class="notice ok" role="status">
                <p>{format!("Token “{}” created. Copy it now: it is not shown again.", t.info.name)}</p>
                <p><code class="secret" aria-label="New token">{t.secret}</code></p>
            </div>
        })}
        {move || error.get().map(|e| view! { <ErrorNotice error=e /> })}
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match tokens.await {
                    Ok(rows) if rows.is_empty() => view! {
                        <EmptyState title="No tokens yet"><p>"Create one for each pipeline, so each can be revoked alone."</p></EmptyState>
                    }.into_any(),
                    Ok(rows) => view! {
                        <div class="table-wrap"><table>
                            <thead><tr><th>"Name"</th><th>"Access"</th><th>"Created (UTC)"</th><th>"Last used (UTC)"</th><th>"Status"</th><th></th></tr></thead>
                            <tbody>{rows.into_iter().map(|t| {
                                let id = t.id;
                                let live = t.revoked_at.is_none();
                                view! {
                                    <tr>
                                        <td>{t.name.clone()}</td>
                                        <td>{if t.read_only { "read-only" } else { "read and write" }}</td>
                                        <td>{t.created_at}</td>
                                        <td>{t.last_used_at.unwrap_or_else(|| "never".into())}</td>
                                        <td>{t.revoked_at.map_or_else(|| "live".to_string(), |at| format!("revoked {at}"))}</td>
                                        <td>{live.then(|| view! {
                                            <button type="button" class="small danger" on:click=move |_| revoke(id)>{format!("Revoke {}", t.name)}</button>
                                        })}</td>
                                    </tr>
                                }
                            }).collect_view()}</tbody>
                        </table></div>
                    }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

type TokensResource = Resource<Result<Vec<super::TokenInfo>, crate::error::AppError>>;

#[component]
fn NewTokenForm(
    tokens: TokensResource,
    created: RwSignal<Option<NewToken>>,
    error: RwSignal<Option<crate::error::AppError>>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let read_only = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        spawn_local(async move {
            match create_token(name.get_untracked(), read_only.get_untracked()).await {
                Ok(t) => {
                    error.set(None);
                    name.set(String::new());
                    created.set(Some(t));
                    tokens.refetch();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="inline-form" on:submit=submit>
            <div class="field">
                <label for="token-name">"Token name"</label>
                <input id="token-name" type="text" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            </div>
            <div class="field check">
                <input id="token-read-only" type="checkbox" prop:checked=move || read_only.get() on:change=move |ev| read_only.set(event_target_checked(&ev)) />
                <label for="token-read-only">"Read-only"</label>
            </div>
            <button type="submit">"Create token"</button>
        </form>
    }
}
