//! The requests page.

use crate::ui::EmptyState;
use leptos::prelude::*;
use leptos_meta::Title;

/// My requests and my team's.
#[component]
pub fn RequestsPage() -> impl IntoView {
    view! {
        <Title text="Requests · AMI Desk" />
        <h1>"Requests"</h1>
        <EmptyState title="No requests yet">
            <p>
                "Requests to register an AMI appear here with their state, Region and author. "
                "Each one is reviewed by an approver before AMI Desk calls EC2 RegisterImage "
                "with the service's own credentials."
            </p>
        </EmptyState>
    }
}
