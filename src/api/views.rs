//! `/api-docs`: the automation API's operations, from the generated OpenAPI document.

use crate::ui::{fetch, ErrorNotice};
use leptos::prelude::*;
use leptos_meta::Title;

/// One operation as listed.
#[derive(Clone, Debug, PartialEq)]
struct Operation {
    method: String,
    path: String,
    summary: String,
    statuses: String,
}

fn operations(doc: &serde_json::Value) -> Vec<Operation> {
    let mut out = Vec::new();
    let Some(paths) = doc.get("paths").and_then(|p| p.as_object()) else {
        return out;
    };
    for (path, item) in paths {
        let Some(methods) = item.as_object() else {
            continue;
        };
        for (method, op) in methods {
            let statuses = op
                .get("responses")
                .and_then(|r| r.as_object())
                .map(|r| r.keys().cloned().collect::<Vec<_>>().join(" "))
                .unwrap_or_default();
            out.push(Operation {
                method: method.to_uppercase(),
                path: path.clone(),
                summary: op
                    .get("summary")
                    .and_then(|s| s.as_str())
                    .unwrap_or_default()
                    .to_string(),
                statuses,
            });
        }
    }
    out
}

/// The API page.
#[component]
pub fn ApiDocsPage() -> impl IntoView {
    let doc = Resource::new(|| (), fetch(|_| super::openapi_document()));
    view! {
        <Title text="Automation API · AMI Desk" />
        <h1>"Automation API"</h1>
        <p class="lead">
            "Pipelines call " <code>"/api/v1"</code> " with a personal access token from your "
            <a href="/profile">"profile"</a> ": " <code>"Authorization: Bearer amd_…"</code>
            ". Errors are " <code>"application/problem+json"</code> " with a correlation id. The machine-readable description is "
            <a href="/api/v1/openapi.json">"/api/v1/openapi.json"</a> " (OpenAPI 3.1, generated from the server's code)."
        </p>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match doc.await {
                    Ok(text) => {
                        let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
                        let ops = operations(&value);
                        view! {
                            <div class="table-wrap"><table>
                                <thead><tr><th>"Method"</th><th>"Path"</th><th>"What it does"</th><th>"Answers"</th></tr></thead>
                                <tbody>{ops.into_iter().map(|o| view! {
                                    <tr><td><code>{o.method}</code></td><td><code>{o.path}</code></td><td>{o.summary}</td><td>{o.statuses}</td></tr>
                                }).collect_view()}</tbody>
                            </table></div>
                            <details><summary>"The OpenAPI document"</summary><pre class="code">{text}</pre></details>
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorNotice error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
