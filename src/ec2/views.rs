//! The EC2 status line shown in every page's header.

use super::{get_ec2_status, Ec2Status};
use crate::error::AppError;
use leptos::prelude::*;

/// "EC2 reachable in …" or what is wrong, asked for by the browser once the page is live, so
/// it never delays a page and the server renders no EC2 data into every page (BENCHMARKS.md,
/// budget 1). The server and the first hydrated frame both show "Checking EC2…"; the one
/// live region then changes in place.
#[component]
pub fn Ec2StatusLine() -> impl IntoView {
    let status = RwSignal::new(None::<Result<Ec2Status, AppError>>);
    // Effects run only in the browser: the server never calls EC2 for this line.
    Effect::new(move |_| {
        leptos::task::spawn_local(async move { status.set(Some(get_ec2_status().await)) });
    });
    let line = move || status.with(|s| Line::of(s.as_ref()));
    view! {
        <span role="status" class=move || line().class title=move || line().title>
            {move || line().text}
        </span>
    }
}

/// What the status line shows for an answer, or for none yet.
#[derive(Debug)]
struct Line {
    class: &'static str,
    text: String,
    /// The whole message and when it was checked, shown on hover (the line may be cut).
    title: Option<String>,
}

impl Line {
    fn of(status: Option<&Result<Ec2Status, AppError>>) -> Self {
        let (class, text, title) = match status {
            None => ("ec2-status checking", "Checking EC2…".to_string(), None),
            Some(Ok(s)) => {
                let (class, text) = if s.reachable {
                    ("ec2-status ok", s.message.clone())
                } else {
                    ("ec2-status bad", format!("EC2 · {}", s.message))
                };
                let title = format!("{text} (checked {})", s.checked_at);
                (class, text, Some(title))
            }
            // The error's own sentence, with its reference when it has one.
            Some(Err(e)) => (
                "ec2-status bad",
                "EC2 status unavailable".to_string(),
                Some(e.to_string()),
            ),
        };
        Self { class, text, title }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(reachable: bool, message: &str) -> Ec2Status {
        Ec2Status {
            reachable,
            region: "us-east-1".into(),
            message: message.into(),
            checked_at: "2026-12-05T14:00:00Z".into(),
        }
    }

    #[test]
    fn the_line_says_checking_until_the_answer_arrives() {
        let line = Line::of(None);
        assert_eq!(
            (line.class, line.text.as_str()),
            ("ec2-status checking", "Checking EC2…")
        );
        assert_eq!(line.title, None);
    }

    #[test]
    fn a_failed_check_is_marked_and_its_whole_message_is_in_the_title() {
        let line = Line::of(Some(&Ok(answer(false, "credentials were refused"))));
        assert_eq!(line.class, "ec2-status bad");
        assert_eq!(line.text, "EC2 · credentials were refused");
        assert_eq!(
            line.title.as_deref(),
            Some("EC2 · credentials were refused (checked 2026-12-05T14:00:00Z)")
        );
    }

    #[test]
    fn a_status_call_that_fails_says_so_with_the_errors_sentence_in_the_title() {
        let line = Line::of(Some(&Err(AppError::Unauthorized)));
        assert_eq!(line.class, "ec2-status bad");
        assert_eq!(line.text, "EC2 status unavailable");
        assert_eq!(line.title.as_deref(), Some("Please sign in to continue."));
    }

    #[test]
    fn a_reachable_endpoint_is_marked_ok() {
        let line = Line::of(Some(&Ok(answer(true, "EC2 reachable in us-east-1"))));
        assert_eq!(line.class, "ec2-status ok");
        assert_eq!(line.text, "EC2 reachable in us-east-1");
    }
}
