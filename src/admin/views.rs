//! The admin page: users, roles and teams.

use super::*;
use crate::domain::Role;
use crate::error::AppError;
use crate::ui::{action_error, fetch, ErrorNotice};
use leptos::prelude::*;
use leptos_meta::Title;

/// Users and teams, with forms to change them.
#[component]
pub fn AdminPage() -> impl IntoView {
    let create_user = ServerAction::<CreateUser>::new();
    let set_role = ServerAction::<SetUserRole>::new();
    let set_disabled = ServerAction::<SetUserDisabled>::new();
    let create_team = ServerAction::<CreateTeam>::new();
    let add_member = ServerAction::<AddTeamMember>::new();
    let remove_member = ServerAction::<RemoveTeamMember>::new();
    let overview = Resource::new(
        move || {
            (
                create_user.version().get(),
                set_role.version().get(),
                set_disabled.version().get(),
                create_team.version().get(),
                add_member.version().get(),
                remove_member.version().get(),
            )
        },
        fetch(|_| admin_overview()),
    );
    let row_error = move || {
        action_error(set_role.value().get())
            .or_else(|| action_error(set_disabled.value().get()))
            .or_else(|| action_error(add_member.value().get()))
            .or_else(|| action_error(remove_member.value().get()))
    };
    view! {
        <Title text="Admin · AMI Desk" />
        <h1>"Admin"</h1>
        {move || row_error().map(|e| view! { <ErrorNotice error=e /> })}
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(data) => view! {
                        <UsersTable users=data.users set_role set_disabled />
                        <TeamsTable teams=data.teams add_member remove_member />
                    }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e /> }.into_any(),
                }
            })}
        </Suspense>
        <div class="columns">
            <NewUserForm action=create_user />
            <NewTeamForm action=create_team />
        </div>
    }
}

#[component]
fn UsersTable(
    users: Vec<UserSummary>,
    set_role: ServerAction<SetUserRole>,
    set_disabled: ServerAction<SetUserDisabled>,
) -> impl IntoView {
    view! {
        <section aria-labelledby="users-heading">
            <h2 id="users-heading">"Users"</h2>
            <div class="table-wrap">
                <table>
                    <thead>
                        <tr><th>"Username"</th><th>"Name"</th><th>"Role"</th><th>"Teams"</th><th>"Status"</th></tr>
                    </thead>
                    <tbody>
                        {users.into_iter().map(|u| {
                            let role_id = u.id.0.to_string();
                            let disable_id = role_id.clone();
                            let role_label = format!("Role of {}", u.username);
                            let status = if u.disabled { "disabled" } else { "active" };
                            view! {
                                <tr>
                                    <td>{u.username.clone()}</td>
                                    <td>{u.display_name.clone()}</td>
                                    <td>
                                        <ActionForm action=set_role attr:class="inline">
                                            <input type="hidden" name="user_id" value=role_id />
                                            <select name="role" aria-label=role_label>
                                                {Role::ALL.into_iter().map(|r| view! {
                                                    <option value=r.as_str() selected=r == u.role>{r.as_str()}</option>
                                                }).collect_view()}
                                            </select>
                                            <button type="submit" class="small">"Change role"</button>
                                        </ActionForm>
                                    </td>
                                    <td>{u.teams.clone()}</td>
                                    <td>
                                        {status} " "
                                        <ActionForm action=set_disabled attr:class="inline">
                                            <input type="hidden" name="user_id" value=disable_id />
                                            <input type="hidden" name="disabled" value=(!u.disabled).to_string() />
                                            <button type="submit" class="small">
                                                {if u.disabled { "Enable" } else { "Disable" }}
                                            </button>
                                        </ActionForm>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn TeamsTable(
    teams: Vec<TeamSummary>,
    add_member: ServerAction<AddTeamMember>,
    remove_member: ServerAction<RemoveTeamMember>,
) -> impl IntoView {
    view! {
        <section aria-labelledby="teams-heading">
            <h2 id="teams-heading">"Teams"</h2>
            {teams.is_empty().then(|| view! { <p class="muted">"No teams yet. Create one below."</p> })}
            <div class="table-wrap">
                <table>
                    <thead>
                        <tr><th>"Team"</th><th>"Approvals needed"</th><th>"Members"</th><th>"Membership"</th></tr>
                    </thead>
                    <tbody>
                        {teams.into_iter().map(|t| {
                            let add_id = t.id.0.to_string();
                            let remove_id = add_id.clone();
                            let add_label = format!("Username to add to {}", t.name);
                            let remove_label = format!("Username to remove from {}", t.name);
                            view! {
                                <tr>
                                    <td>{t.name}</td>
                                    <td>{t.required_approvals}</td>
                                    <td>{t.members}</td>
                                    <td>
                                        <ActionForm action=add_member attr:class="inline">
                                            <input type="hidden" name="team_id" value=add_id />
                                            <input name="username" aria-label=add_label placeholder="username" required />
                                            <button type="submit" class="small">"Add"</button>
                                        </ActionForm>
                                        <ActionForm action=remove_member attr:class="inline">
                                            <input type="hidden" name="team_id" value=remove_id />
                                            <input name="username" aria-label=remove_label placeholder="username" required />
                                            <button type="submit" class="small">"Remove"</button>
                                        </ActionForm>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

fn field_message(error: Option<AppError>, field: &'static str) -> Option<String> {
    error.and_then(|e| {
        e.field_errors()
            .and_then(|f| f.for_field(field).map(str::to_string))
    })
}

#[component]
fn NewUserForm(action: ServerAction<CreateUser>) -> impl IntoView {
    let error = move || action_error(action.value().get());
    let msg = move |field: &'static str| move || field_message(error(), field);
    view! {
        <section class="card" aria-labelledby="new-user-heading">
            <h2 id="new-user-heading">"New user"</h2>
            <ActionForm action>
                <label for="nu-username">"Username"</label>
                <input id="nu-username" name="username" required />
                <p class="field-error">{msg("username")}</p>
                <label for="nu-display">"Display name"</label>
                <input id="nu-display" name="display_name" />
                <p class="field-error">{msg("display_name")}</p>
                <label for="nu-password">"Initial password"</label>
                <input id="nu-password" name="password" type="password" autocomplete="new-password" required />
                <p class="help">"At least 12 characters."</p>
                <p class="field-error">{msg("password")}</p>
                <label for="nu-role">"Role"</label>
                <select id="nu-role" name="role">
                    {Role::ALL.into_iter().map(|r| view! { <option value=r.as_str()>{r.as_str()}</option> }).collect_view()}
                </select>
                <label for="nu-team">"Team"</label>
                <input id="nu-team" name="team" placeholder="created when missing" />
                <p class="field-error">{msg("team")}</p>
                <button type="submit">"Create user"</button>
                {move || match action.value().get() {
                    Some(Ok(())) => Some(view! { <p class="notice ok" role="status">"User created."</p> }.into_any()),
                    Some(Err(e)) if e.field_errors().is_none() => Some(view! { <ErrorNotice error=e /> }.into_any()),
                    _ => None,
                }}
            </ActionForm>
        </section>
    }
}

#[component]
fn NewTeamForm(action: ServerAction<CreateTeam>) -> impl IntoView {
    let error = move || action_error(action.value().get());
    let msg = move |field: &'static str| move || field_message(error(), field);
    view! {
        <section class="card" aria-labelledby="new-team-heading">
            <h2 id="new-team-heading">"New team"</h2>
            <ActionForm action>
                <label for="nt-name">"Team name"</label>
                <input id="nt-name" name="name" required />
                <p class="field-error">{msg("name")}</p>
                <label for="nt-approvals">"Approvals needed"</label>
                <input id="nt-approvals" name="required_approvals" type="number" min="1" max="10" value="1" />
                <p class="field-error">{msg("required_approvals")}</p>
                <button type="submit">"Create team"</button>
                {move || matches!(action.value().get(), Some(Ok(()))).then(|| view! { <p class="notice ok" role="status">"Team created."</p> })}
            </ActionForm>
        </section>
    }
}
