//! Form fields bound to the editor's form signal, each showing the live error for its API path.

use crate::domain::register_image::RegisterImageForm;
use crate::domain::template::TemplateField;
use crate::domain::FieldErrors;
use leptos::prelude::*;
use std::collections::BTreeSet;

/// Shared editor state: the form, its live check, and which fields to show errors for.
#[derive(Clone, Copy)]
pub struct EditorCtx {
    /// The form being edited.
    pub form: RwSignal<RegisterImageForm>,
    /// Every rule checked on every change, by the same code the server runs.
    pub errors: Memo<FieldErrors>,
    /// Fields the user has changed.
    pub touched: RwSignal<BTreeSet<String>>,
    /// Show every error (after a submit attempt).
    pub show_all: RwSignal<bool>,
    /// Nothing may be changed.
    pub readonly: Signal<bool>,
    /// Fields locked by the request's template.
    pub locked: StoredValue<Vec<TemplateField>>,
}

impl EditorCtx {
    /// The error to show for `path` now, if any: once the field, or another field of the
    /// same row (mapping or tag), has been changed, or after a submit attempt.
    pub fn error_for(&self, path: &str) -> Option<String> {
        let row = path.rfind(']').map(|i| &path[..=i]);
        let shown = self.show_all.get()
            || self.touched.with(|t| {
                t.contains(path) || row.is_some_and(|r| t.iter().any(|p| p.starts_with(r)))
            });
        if !shown {
            return None;
        }
        self.errors.with(|e| {
            e.0.iter()
                .find(|err| err.field == path || err.field.starts_with(&format!("{path}.")))
                .map(|err| err.message.clone())
        })
    }

    /// Whether the field at `path` may not be changed now (read-only view, or locked by the
    /// request's template).
    pub fn frozen(&self, path: &str) -> bool {
        self.readonly.get()
            || TemplateField::of_path(path)
                .is_some_and(|f| self.locked.with_value(|l| l.contains(&f)))
    }

    /// Applies a change and marks `path` as touched.
    pub fn change(&self, path: &str, apply: impl FnOnce(&mut RegisterImageForm)) {
        self.form.update(apply);
        let path = path.to_string();
        self.touched.update(|t| {
            t.insert(path);
        });
    }
}

fn dom_id(path: &str) -> String {
    path.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// The error line under a field.
#[component]
pub fn FieldMessage(path: String) -> impl IntoView {
    let ctx = expect_context::<EditorCtx>();
    let id = format!("{}-error", dom_id(&path));
    view! { <p class="field-error" id=id role="alert">{move || ctx.error_for(&path)}</p> }
}

/// A text input for one API field.
#[component]
pub fn TextField(
    /// API path, e.g. `Name` or `BlockDeviceMappings[0].Ebs.SnapshotId`.
    #[prop(into)]
    path: String,
    /// Visible label (contains the API field name).
    #[prop(into)]
    label: String,
    /// One line of help.
    #[prop(into, optional)]
    help: String,
    /// Reads the value from the form.
    get: impl Fn(&RegisterImageForm) -> String + Send + Sync + 'static,
    /// Writes the value into the form.
    set: impl Fn(&mut RegisterImageForm, String) + Send + Sync + Copy + 'static,
    /// `text`, `number` …
    #[prop(optional, into)]
    kind: Option<String>,
    /// Hidden or disabled when it does not apply.
    #[prop(optional, into)]
    disabled: Signal<bool>,
) -> impl IntoView {
    let ctx = expect_context::<EditorCtx>();
    let id = dom_id(&path);
    let described = format!("{id}-error {id}-help");
    let (p1, p2, p3) = (path.clone(), path.clone(), path.clone());
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                id=id.clone()
                type=kind.unwrap_or_else(|| "text".into())
                prop:value=move || ctx.form.with(|f| get(f))
                on:input=move |ev| ctx.change(&p1, |f| set(f, event_target_value(&ev)))
                disabled=move || disabled.get() || ctx.frozen(&p3)
                aria-invalid=move || ctx.error_for(&p2).is_some().to_string()
                aria-describedby=described
            />
            <p class="help" id=format!("{id}-help")>{help}</p>
            <FieldMessage path=path />
        </div>
    }
}

/// A select for a closed set of API values (`""` means unset when offered).
#[component]
pub fn SelectField(
    /// API path.
    #[prop(into)]
    path: String,
    /// Visible label.
    #[prop(into)]
    label: String,
    /// One line of help.
    #[prop(into, optional)]
    help: String,
    /// `(value, text)` options.
    options: Vec<(String, String)>,
    /// Reads the value.
    get: impl Fn(&RegisterImageForm) -> String + Send + Sync + Copy + 'static,
    /// Writes the value.
    set: impl Fn(&mut RegisterImageForm, String) + Send + Sync + Copy + 'static,
    /// Disabled when it does not apply.
    #[prop(optional, into)]
    disabled: Signal<bool>,
) -> impl IntoView {
    let ctx = expect_context::<EditorCtx>();
    let id = dom_id(&path);
    let (p1, p2) = (path.clone(), path.clone());
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select
                id=id.clone()
                on:change=move |ev| ctx.change(&p1, |f| set(f, event_target_value(&ev)))
                disabled=move || disabled.get() || ctx.frozen(&p2)
                aria-describedby=format!("{id}-error {id}-help")
            >
                {options
                    .into_iter()
                    .map(|(value, text)| {
                        let v = value.clone();
                        view! {
                            <option value=value selected=move || ctx.form.with(|f| get(f) == v)>{text}</option>
                        }
                    })
                    .collect_view()}
            </select>
            <p class="help" id=format!("{id}-help")>{help}</p>
            <FieldMessage path=path />
        </div>
    }
}

/// A checkbox for an on/off API field.
#[component]
pub fn CheckField(
    /// API path.
    #[prop(into)]
    path: String,
    /// Visible label.
    #[prop(into)]
    label: String,
    /// One line of help.
    #[prop(into, optional)]
    help: String,
    /// Reads the value.
    get: impl Fn(&RegisterImageForm) -> bool + Send + Sync + 'static,
    /// Writes the value.
    set: impl Fn(&mut RegisterImageForm, bool) + Send + Sync + Copy + 'static,
    /// Disabled when it does not apply.
    #[prop(optional, into)]
    disabled: Signal<bool>,
) -> impl IntoView {
    let ctx = expect_context::<EditorCtx>();
    let id = dom_id(&path);
    let (p1, p2) = (path.clone(), path.clone());
    view! {
        <div class="field check">
            <input
                id=id.clone()
                type="checkbox"
                prop:checked=move || ctx.form.with(|f| get(f))
                on:change=move |ev| ctx.change(&p1, |f| set(f, event_target_checked(&ev)))
                disabled=move || disabled.get() || ctx.frozen(&p2)
            />
            <label for=id.clone()>{label}</label>
            <p class="help">{help}</p>
            <FieldMessage path=path />
        </div>
    }
}

/// `(value, value)` pairs for a select.
pub fn same(values: &[&str]) -> Vec<(String, String)> {
    values
        .iter()
        .map(|v| (v.to_string(), v.to_string()))
        .collect()
}
