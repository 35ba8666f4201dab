//! The workflow panel of a request page: state, approvals, live preflight for approvers,
//! the actions the viewer may take, and the registered image with its progress.

use super::{
    image_status, preflight_request, ApproveRequest, RejectRequest, ReopenRequest,
    RetryRegistration, SubmitRequest, WithdrawRequest, WorkflowView,
};
use crate::ui::{action_error, ErrorNotice};
use leptos::prelude::*;

fn reload() {
    let _ = window().location().reload();
}

/// Everything about where the request stands and what the viewer may do next.
#[component]
pub fn WorkflowPanel(
    id: i64,
    /// Created by the page, at its top level (see `requests::views::page`).
    view_res: Resource<Result<WorkflowView, crate::error::AppError>>,
) -> impl IntoView {
    view! {
        <section class="card workflow" aria-labelledby="workflow-heading">
            <h2 id="workflow-heading">"Approval and registration"</h2>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match view_res.await {
                        Ok(w) => view! { <Workflow id w /> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Workflow(id: i64, w: WorkflowView) -> impl IntoView {
    let submit = ServerAction::<SubmitRequest>::new();
    let withdraw = ServerAction::<WithdrawRequest>::new();
    let reopen = ServerAction::<ReopenRequest>::new();
    let retry = ServerAction::<RetryRegistration>::new();
    Effect::new(move |_| {
        let done = [
            submit.value().with(|v| matches!(v, Some(Ok(())))),
            withdraw.value().with(|v| matches!(v, Some(Ok(())))),
            reopen.value().with(|v| matches!(v, Some(Ok(())))),
            retry.value().with(|v| matches!(v, Some(Ok(())))),
        ];
        if done.contains(&true) {
            reload();
        }
    });
    let error = move || {
        action_error(submit.value().get())
            .or_else(|| action_error(withdraw.value().get()))
            .or_else(|| action_error(reopen.value().get()))
            .or_else(|| action_error(retry.value().get()))
    };
    let revision = w.revision;
    let state = w.state.clone();
    follow_registration(id, &state);
    view! {
        <p>
            "State: " <span class=format!("state state-{}", w.state)>{w.state.clone()}</span> " · "
            {format!("{} of {} approval(s) for the current content", w.current_approvals, w.required_approvals)}
        </p>
        {(state == "registering").then(|| view! {
            <p class="progress" role="status"><span class="spinner" aria-hidden="true"></span>"Registering with EC2…"</p>
        })}
        {w.error_message.clone().map(|m| view! {
            <p class="notice error" role="alert">
                "Registration failed" {w.error_code.clone().map(|c| format!(" ({c})"))} ": " {m}
            </p>
        })}
        {w.image_id.clone().map(|image| view! { <ImageState id image initial=w.image_state.clone() /> })}
        <div class="toolbar" role="group" aria-label="Workflow actions">
            {w.can_submit.then(|| view! {
                <button type="button" on:click=move |_| { submit.dispatch(SubmitRequest { id, revision }); }>"Submit for approval"</button>
            })}
            {w.can_withdraw.then(|| view! {
                <button type="button" class="secondary" on:click=move |_| { withdraw.dispatch(WithdrawRequest { id }); }>"Withdraw"</button>
            })}
            {w.can_reopen.then(|| view! {
                <button type="button" class="secondary" on:click=move |_| { reopen.dispatch(ReopenRequest { id }); }>"Reopen as draft"</button>
            })}
            {w.can_retry.then(|| view! {
                <button type="button" on:click=move |_| { retry.dispatch(RetryRegistration { id }); }>"Retry registration"</button>
            })}
        </div>
        {move || error().map(|e| view! { <ErrorNotice error=e /> })}
        {(w.state == "pending").then(|| match w.approve_blocked.clone() {
            None => view! { <Review id content_hash=w.content_hash.clone() /> }.into_any(),
            Some(reason) => view! { <p class="muted">{reason}</p> }.into_any(),
        })}
        <Decisions w />
    }
}

/// While a request is approved or registering, asks every two seconds whether it has moved on,
/// and reloads the page when it has (to show the image or the failure).
fn follow_registration(id: i64, state: &str) {
    #[cfg(feature = "hydrate")]
    if state == "approved" || state == "registering" {
        let current = state.to_string();
        if let Ok(handle) = set_interval_with_handle(
            move || {
                let current = current.clone();
                leptos::task::spawn_local(async move {
                    if let Ok(w) = super::get_workflow(id).await {
                        if w.state != current {
                            reload();
                        }
                    }
                });
            },
            std::time::Duration::from_secs(2),
        ) {
            on_cleanup(move || handle.clear());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (id, state);
}

#[component]
fn Decisions(w: WorkflowView) -> impl IntoView {
    (!w.approvals.is_empty()).then(|| view! {
        <h3>"Decisions"</h3>
        <ul class="decisions">
            {w.approvals.into_iter().map(|a| view! {
                <li class:voided=a.voided>
                    <strong>{a.approver}</strong> " " {if a.decision == "approve" { "approved" } else { "rejected" }}
                    " at " <time>{a.created_at}</time>
                    {a.voided.then_some(" (void: the content changed)")}
                    {(!a.comment.is_empty()).then(|| view! { <blockquote>{a.comment}</blockquote> })}
                </li>
            }).collect_view()}
        </ul>
    })
}

/// The approver's view: live preflight, then approve or reject with a comment. The preflight
/// is asked for from the browser after the page has loaded, so EC2 never delays the page.
#[component]
fn Review(id: i64, content_hash: String) -> impl IntoView {
    let preflight = RwSignal::new(None::<Result<super::Preflight, crate::error::AppError>>);
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            preflight.set(Some(preflight_request(id).await));
        });
    });
    let approve = ServerAction::<ApproveRequest>::new();
    let reject = ServerAction::<RejectRequest>::new();
    let comment = RwSignal::new(String::new());
    Effect::new(move |_| {
        if approve.value().with(|v| matches!(v, Some(Ok(_))))
            || reject.value().with(|v| matches!(v, Some(Ok(()))))
        {
            reload();
        }
    });
    let hash = StoredValue::new(content_hash);
    let all_ok = move || preflight.with(|p| matches!(p, Some(Ok(p)) if p.all_ok()));
    view! {
        <h3>"Review"</h3>
        <p class="help">
            {format!(
                "The preflight asks EC2, with the service's credentials, right now. You approve exactly the content shown on this page (hash {}).",
                hash.get_value()
            )}
        </p>
        {move || match preflight.get() {
            None => view! { <p class="muted" role="status">"Running preflight against EC2…"</p> }.into_any(),
            Some(Ok(p)) => view! {
                <ul class="checks" aria-label="Preflight">
                    {p.checks.into_iter().map(|c| view! {
                        <li class=if c.ok { "ok" } else { "bad" }>
                            <strong>{format!("{} {}", if c.ok { "✓" } else { "✗" }, c.name)}</strong>
                            {format!(": {}", c.detail)}
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any(),
            Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
        }}
        <label for="review-comment">"Comment"</label>
        <textarea id="review-comment" rows="3" on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
        <div class="toolbar">
            <button type="button" disabled=move || !all_ok()
                on:click=move |_| { approve.dispatch(ApproveRequest { id, content_hash: hash.get_value(), comment: comment.get_untracked() }); }>
                "Approve"
            </button>
            <button type="button" class="danger"
                on:click=move |_| { reject.dispatch(RejectRequest { id, content_hash: hash.get_value(), comment: comment.get_untracked() }); }>
                "Reject"
            </button>
        </div>
        {move || (preflight.with(|p| p.is_some()) && !all_ok()).then(|| view! {
            <p class="notice error">"Approve is blocked until every preflight check passes."</p>
        })}
        {move || action_error(approve.value().get()).or_else(|| action_error(reject.value().get())).map(|e| view! { <ErrorNotice error=e /> })}
    }
}

/// The image id and its state, followed every few seconds until it settles.
#[component]
fn ImageState(id: i64, image: String, initial: Option<String>) -> impl IntoView {
    let state = RwSignal::new(initial);
    #[cfg(feature = "hydrate")]
    {
        use leptos::task::spawn_local;
        if let Ok(handle) = set_interval_with_handle(
            move || {
                let settled = state
                    .with_untracked(|s| matches!(s.as_deref(), Some("available") | Some("failed")));
                if !settled {
                    spawn_local(async move {
                        if let Ok(Some(s)) = image_status(id).await {
                            state.set(Some(s));
                        }
                    });
                }
            },
            std::time::Duration::from_secs(3),
        ) {
            on_cleanup(move || handle.clear());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (id, image_status);
    view! {
        <p class="image" role="status">
            "Image " <code>{image}</code> ": "
            {move || match state.get().as_deref() {
                Some("available") => view! { <span class="state state-registered">"available"</span> }.into_any(),
                Some("failed") => view! { <span class="state state-failed">"failed"</span> }.into_any(),
                other => view! {
                    <span class="progress"><span class="spinner" aria-hidden="true"></span>{other.unwrap_or("pending").to_string()}</span>
                }.into_any(),
            }}
        </p>
    }
}
