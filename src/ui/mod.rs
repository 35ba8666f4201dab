//! Small view pieces shared by every feature.

use crate::error::AppError;
use leptos::prelude::*;

/// A clear message for a failed load or action, with the reference id when there is one.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    let text = match &error {
        AppError::Invalid(errors) => errors
            .0
            .iter()
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    };
    view! { <p class="notice error" role="alert">{text}</p> }
}

/// The `:id` of the current route as a number (`-1` when it is not one: the load then
/// answers "not found").
pub fn route_id() -> impl Fn() -> i64 + Copy + Send + Sync + 'static {
    let params = leptos_router::hooks::use_params_map();
    move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(-1)
    }
}

/// The message for a server action's latest result, if it failed.
pub fn action_error<T: Send + Sync + 'static>(
    value: Option<Result<T, AppError>>,
) -> Option<AppError> {
    value.and_then(Result::err)
}

/// What a page shows when it has nothing yet.
#[component]
pub fn EmptyState(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <section class="empty-state">
            <h2>{title}</h2>
            {children()}
        </section>
    }
}

/// Percent-encodes a query-string value (unreserved characters and `/` `:` kept).
pub fn encode_query(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' | b':' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Appends `text` to `html` with the characters that are special in HTML text and in
/// quoted attribute values escaped. The one escaping rule for the few places that write
/// HTML by hand (everything built with `view!` is escaped by Leptos). Runs of text without
/// special characters are copied at once.
pub fn push_escaped(html: &mut String, text: &str) {
    let mut plain_from = 0;
    for (at, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'&' => "&amp;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        // The special characters are ASCII, so `at` is a character boundary.
        html.push_str(&text[plain_from..at]);
        html.push_str(entity);
        plain_from = at + 1;
    }
    html.push_str(&text[plain_from..]);
}

/// A resource's future, boxed.
pub type Fetch<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send>>;

/// Wraps a resource's fetcher so that its future is boxed. Leptos moves a resource's
/// future four times while it sets the resource up, and a server function's future holds
/// its whole state machine (kilobytes); boxed, each move copies a pointer. Unboxed, these
/// copies were a quarter of the request list's server time (BENCHMARKS.md, budget 1).
/// Every resource is made with it: `Resource::new(id, fetch(get_request))`.
pub fn fetch<S, T, Fut>(
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> impl Fn(S) -> Fetch<T> + Send + Sync + 'static
where
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    move |source| Box::pin(fetcher(source))
}

#[cfg(test)]
mod tests {
    use super::push_escaped;

    #[test]
    fn hand_written_html_escapes_markup_and_both_quotes() {
        let mut html = String::new();
        push_escaped(&mut html, "<a href=\"x\" title='y'>&</a>");
        assert_eq!(
            html,
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
    }

    #[test]
    fn text_around_and_between_escapes_is_kept_whole_in_any_script() {
        let mut html = String::from("<td>");
        push_escaped(&mut html, "Ünïcödé <b>名前</b> & ok");
        assert_eq!(html, "<td>Ünïcödé &lt;b&gt;名前&lt;/b&gt; &amp; ok");
        let mut plain = String::new();
        push_escaped(&mut plain, "");
        push_escaped(&mut plain, "no-special-characters");
        assert_eq!(plain, "no-special-characters");
    }
}
