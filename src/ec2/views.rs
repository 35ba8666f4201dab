//! The EC2 status line shown in every page's header.

use super::get_ec2_status;
use super::Ec2Status;
use crate::error::AppError;
use leptos::prelude::*;

/// "EC2 reachable in …" or what is wrong, asked for by the browser once the page is live, so
/// it never delays a page and the server renders no EC2 data into every page (BENCHMARKS.md,
/// budget 1). The server and the first hydrated frame both show "Checking EC2…".
#[component]
pub fn Ec2StatusLine() -> impl IntoView {
    let status = RwSignal::new(None::<Result<Ec2Status, AppError>>);
    // Effects run only in the browser: the server never calls EC2 for this line.
    Effect::new(move |_| {
        leptos::task::spawn_local(async move { status.set(Some(get_ec2_status().await)) });
    });
    move || {
        match status.get() {
        None => view! { <span class="ec2-status checking">"Checking EC2…"</span> }.into_any(),
        Some(Ok(s)) if s.reachable => view! {
            <span class="ec2-status ok" role="status" title=s.checked_at>{s.message}</span>
        }
        .into_any(),
        Some(Ok(s)) => view! {
            <span class="ec2-status bad" role="status" title=s.checked_at>"EC2 · " {s.message}</span>
        }
        .into_any(),
        Some(Err(_)) => view! { <span class="ec2-status"></span> }.into_any(),
    }
    }
}
