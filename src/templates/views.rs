//! The templates page.

use crate::ui::EmptyState;
use leptos::prelude::*;
use leptos_meta::Title;

/// The team's templates.
#[component]
pub fn TemplatesPage() -> impl IntoView {
    view! {
        <Title text="Templates · AMI Desk" />
        <h1>"Templates"</h1>
        <EmptyState title="No templates yet">
            <p>
                "Templates give your team a vetted starting point for new requests: "
                "defaults people may change and locked fields they may not."
            </p>
        </EmptyState>
    }
}
