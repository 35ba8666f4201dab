//! The template editor: which request fields a template sets, each a default or locked, with
//! values edited in the request editor's own field controls and checked as you type by the
//! same rule the server runs ([`TemplateContent::check`]).

use super::{create_template, get_template, update_template};
use crate::domain::register_image::RegisterImageForm;
use crate::domain::template::{expand, FieldMode, Placeholders, TemplateContent, TemplateField};
use crate::error::AppError;
use crate::requests::views::editor::FormSections;
use crate::requests::views::fields::{EditorCtx, FieldMessage};
use crate::requests::{get_editor_options, get_request, EditorOptions};
use crate::ui::{fetch, ErrorNotice};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use std::collections::{BTreeMap, BTreeSet};

/// `/templates/new` (blank) and `/templates/new?from=ID` ("Save as template" from a request:
/// the fields the request changed from a blank one, as defaults).
#[component]
pub fn NewTemplatePage() -> impl IntoView {
    let query = use_query_map();
    let from = move || query.read().get("from").and_then(|s| s.parse::<i64>().ok());
    let options = Resource::new(|| (), fetch(|_| get_editor_options()));
    let source = Resource::new(
        from,
        fetch(|from| async move {
            match from {
                Some(id) => get_request(id).await.map(|d| Some(d.form)),
                None => Ok(None),
            }
        }),
    );
    view! {
        <Title text="New template · AMI Desk" />
        <h1>"New template"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match (options.await, source.await) {
                    (Ok(options), Ok(form)) => {
                        let content = match form {
                            Some(form) => TemplateContent::from_request(form),
                            None => TemplateContent {
                                form: RegisterImageForm {
                                    region: options.regions.first().cloned().unwrap_or_default(),
                                    ..RegisterImageForm::default()
                                },
                                modes: BTreeMap::new(),
                            },
                        };
                        let start = Draft { content, name: String::new(), description: String::new(), team: None };
                        view! { <TemplateEditor start existing=None options /> }.into_any()
                    }
                    (Err(e), _) | (_, Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/templates/{id}/edit`: saving makes a new version.
#[component]
pub fn EditTemplatePage() -> impl IntoView {
    let id = crate::ui::route_id();
    let detail = Resource::new(id, fetch(get_template));
    let options = Resource::new(|| (), fetch(|_| get_editor_options()));
    view! {
        <Title text="Edit template · AMI Desk" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match (detail.await, options.await) {
                    (Ok(d), Ok(options)) => {
                        let existing = Some((d.summary.id, d.summary.version));
                        let start = Draft {
                            content: d.content,
                            name: d.summary.name.clone(),
                            description: d.summary.description,
                            team: Some(d.summary.team),
                        };
                        view! {
                            <h1>{format!("Edit {}", d.summary.name)}</h1>
                            <p class="lead">{format!("Saving makes version {}; requests already made keep the version they started from.", d.summary.version + 1)}</p>
                            <TemplateEditor start existing options />
                        }.into_any()
                    }
                    (Err(e), _) | (_, Err(e)) => view! { <h1>"Template"</h1><ErrorNotice error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// What the editor starts from.
#[derive(Clone)]
struct Draft {
    content: TemplateContent,
    name: String,
    description: String,
    /// The owning team's name, for an existing template.
    team: Option<String>,
}

/// The editor for a new (`existing` = None) or existing template (id, version).
#[component]
fn TemplateEditor(
    start: Draft,
    existing: Option<(i64, i64)>,
    options: EditorOptions,
) -> impl IntoView {
    let form = RwSignal::new(start.content.form.clone());
    let modes = RwSignal::new(start.content.modes.clone());
    let name = RwSignal::new(start.name.clone());
    let description = RwSignal::new(start.description.clone());
    let team = RwSignal::new(options.teams.first().map(|t| t.id.0).unwrap_or_default());
    let errors = Memo::new(move |_| {
        let content = TemplateContent {
            form: form.get(),
            modes: modes.get(),
        };
        name.with(|n| description.with(|d| content.check(n, d)))
    });
    let ctx = EditorCtx {
        form,
        errors,
        touched: RwSignal::new(BTreeSet::new()),
        show_all: RwSignal::new(false),
        readonly: Signal::derive(|| false),
        locked: StoredValue::new(Vec::new()),
    };
    provide_context(ctx);
    // A value the author changes becomes part of the template, as a default.
    Effect::new(move |prev: Option<RegisterImageForm>| {
        let current = form.get();
        if let Some(prev) = prev {
            for field in TemplateField::ALL {
                if !field.same(&prev, &current) && !modes.with_untracked(|m| m.contains_key(&field))
                {
                    modes.update(|m| {
                        m.insert(field, FieldMode::Default);
                    });
                }
            }
        }
        current
    });
    let failure = RwSignal::new(None::<AppError>);
    let saving = RwSignal::new(false);
    let navigate = use_navigate();
    let save = move || {
        ctx.show_all.set(true);
        if saving.get_untracked() || !errors.with_untracked(|e| e.is_empty()) {
            return;
        }
        saving.set(true);
        let content = TemplateContent {
            form: form.get_untracked(),
            modes: modes.get_untracked(),
        };
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = match existing {
                None => {
                    create_template(
                        team.get_untracked(),
                        name.get_untracked(),
                        description.get_untracked(),
                        content,
                    )
                    .await
                }
                Some((id, version)) => {
                    update_template(id, version, description.get_untracked(), content)
                        .await
                        .map(|_| id)
                }
            };
            saving.set(false);
            match result {
                Ok(id) => navigate(&format!("/templates/{id}"), Default::default()),
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let team_name = start.team.clone();
    let regions = options.regions.clone();
    let today = options.today.clone();
    let options_for_select = options.clone();
    let preview_team = move || match &team_name {
        Some(t) => t.clone(),
        None => options_team_name(&options, team.get()),
    };
    view! {
        <form class="editor" on:submit=move |ev| { ev.prevent_default(); save(); }>
            <fieldset>
                <legend>"Template"</legend>
                {existing.is_none().then(|| view! { <TeamChoice options=options_for_select team /> })}
                <div class="field">
                    <label for="template-name">"Template name"</label>
                    <input id="template-name" type="text" prop:value=move || name.get()
                        disabled=existing.is_some()
                        on:input=move |ev| { name.set(event_target_value(&ev)); ctx.touched.update(|t| { t.insert("name".into()); }); } />
                    <p class="help">"2–100 characters, unique in the team. It cannot be changed later."</p>
                    <FieldMessage path="name".to_string() />
                </div>
                <div class="field">
                    <label for="template-description">"What it is for"</label>
                    <textarea id="template-description" prop:value=move || description.get()
                        on:input=move |ev| { description.set(event_target_value(&ev)); ctx.touched.update(|t| { t.insert("description".into()); }); }></textarea>
                    <FieldMessage path="description".to_string() />
                </div>
            </fieldset>
            <ModesSection modes />
            <p class="notice" role="status">
                "Name placeholders: " <code>"{team}"</code> ", " <code>"{date}"</code> " and " <code>"{seq}"</code>
                ". The first request made from this template today would be named "
                <strong>{move || name_preview(&form.with(|f| f.name.clone()), &preview_team(), &today)}</strong> "."
            </p>
            <FormSections regions />
            <div class="savebar" role="region" aria-label="Save">
                <button type="submit" disabled=move || saving.get()>
                    {if existing.is_some() { "Save new version" } else { "Create template" }}
                </button>
                <span class="problems" aria-live="polite">
                    {move || match errors.with(|e| e.0.len()) {
                        0 => "The template passes every rule.".to_string(),
                        1 => "1 field needs attention.".to_string(),
                        n => format!("{n} fields need attention."),
                    }}
                </span>
                {move || failure.get().map(|e| view! { <ErrorNotice error=e /> })}
            </div>
        </form>
    }
}

fn options_team_name(options: &EditorOptions, id: i64) -> String {
    options
        .teams
        .iter()
        .find(|t| t.id.0 == id)
        .map(|t| t.name.clone())
        .unwrap_or_default()
}

fn name_preview(name: &str, team: &str, today: &str) -> String {
    let p = Placeholders {
        team: team.to_string(),
        date: today.to_string(),
        seq: 1,
    };
    expand(name, &p)
}

#[component]
fn TeamChoice(options: EditorOptions, team: RwSignal<i64>) -> impl IntoView {
    view! {
        <div class="field">
            <label for="template-team">"Team"</label>
            <select id="template-team" on:change=move |ev| team.set(event_target_value(&ev).parse().unwrap_or_default())>
                {options.teams.into_iter().map(|t| view! {
                    <option value=t.id.0.to_string() selected=move || team.get() == t.id.0>{t.name}</option>
                }).collect_view()}
            </select>
            <p class="help">"The team that owns the template; only its approvers and admins can change it."</p>
        </div>
    }
}

/// For every field: not set, a default the requester may change, or locked.
#[component]
fn ModesSection(modes: RwSignal<BTreeMap<TemplateField, FieldMode>>) -> impl IntoView {
    let set = move |field: TemplateField, value: String| {
        modes.update(|m| match value.as_str() {
            "default" => {
                m.insert(field, FieldMode::Default);
            }
            "locked" => {
                m.insert(field, FieldMode::Locked);
            }
            _ => {
                m.remove(&field);
            }
        })
    };
    let current = move |field: TemplateField| match modes.with(|m| m.get(&field).copied()) {
        Some(FieldMode::Default) => "default",
        Some(FieldMode::Locked) => "locked",
        None => "",
    };
    view! {
        <fieldset>
            <legend>"Fields this template sets"</legend>
            <p class="help">
                "A default is filled in and the requester may change it; a locked field is shown read-only "
                "and the server refuses any change to it. Changing a value below sets its field as a default."
            </p>
            <div class="modes">
                {TemplateField::ALL.into_iter().map(|field| {
                    let id = format!("mode-{field:?}");
                    view! {
                        <div class="field inline">
                            <span class="mode-name">{format!("{field:?}")}</span>
                            <select id=id aria-label=format!("{field:?} mode")
                                on:change=move |ev| set(field, event_target_value(&ev))>
                                <option value="" selected=move || current(field).is_empty() prop:selected=move || current(field).is_empty()>"not set"</option>
                                <option value="default" selected=move || current(field) == "default" prop:selected=move || current(field) == "default">"default"</option>
                                <option value="locked" selected=move || current(field) == "locked" prop:selected=move || current(field) == "locked">"locked"</option>
                            </select>
                        </div>
                    }
                }).collect_view()}
            </div>
        </fieldset>
    }
}
