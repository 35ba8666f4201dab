//! The EC2 status line shown in every page's header.

use super::get_ec2_status;
use crate::ui::fetch;
use leptos::prelude::*;

/// "EC2 reachable in …" or what is wrong, loaded after the page so it never delays it.
#[component]
pub fn Ec2StatusLine() -> impl IntoView {
    let status = Resource::new(|| (), fetch(|_| get_ec2_status()));
    view! {
        <Suspense fallback=|| view! { <span class="ec2-status checking">"Checking EC2…"</span> }>
            {move || Suspend::new(async move {
                match status.await {
                    Ok(s) if s.reachable => view! {
                        <span class="ec2-status ok" role="status" title=s.checked_at>{s.message}</span>
                    }.into_any(),
                    Ok(s) => view! {
                        <span class="ec2-status bad" role="status" title=s.checked_at>
                            "EC2 · " {s.message}
                        </span>
                    }.into_any(),
                    Err(_) => view! { <span class="ec2-status"></span> }.into_any(),
                }
            })}
        </Suspense>
    }
}
