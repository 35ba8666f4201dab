//! The sign-in page. It is a plain form, so it works before the wasm has loaded.

use crate::app::AuthActions;
use crate::ui::{action_error, ErrorNotice};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Username, password, `Sign in`.
#[component]
pub fn SignInPage() -> impl IntoView {
    let actions = expect_context::<AuthActions>();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = move || action_error(actions.sign_in.value().get());
    view! {
        <Title text="Sign in · AMI Desk" />
        <main id="main" class="signin">
            <h1>"AMI Desk"</h1>
            <p class="lead">"Sign in to request, review and register Amazon Machine Images."</p>
            <ActionForm action=actions.sign_in>
                <input type="hidden" name="next" value=next />
                <label for="username">"Username"</label>
                <input id="username" name="username" autocomplete="username" required autofocus />
                <label for="password">"Password"</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autocomplete="current-password"
                    required
                />
                {move || error().map(|e| view! { <ErrorNotice error=e /> })}
                <button type="submit" disabled=move || actions.sign_in.pending().get()>
                    "Sign in"
                </button>
            </ActionForm>
        </main>
    }
}
