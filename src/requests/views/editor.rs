//! The request editor: every RegisterImage field, checked as you type by the same rules the
//! server runs, saved as revisions, with unsaved edits kept in the browser.

use super::fields::{same, CheckField, EditorCtx, FieldMessage, SelectField, TextField};
use super::local;
use crate::domain::register_image::{
    check, Architecture, BootMode, MappingForm, MappingKind, RegisterImageForm, TagForm,
    VolumeType, MAX_MAPPINGS,
};
use crate::error::AppError;
use crate::requests::{create_request, get_editor_options, save_request, EditorOptions};
use crate::ui::{fetch, ErrorNotice};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;
use std::collections::BTreeSet;

/// `/requests/new`: a blank request with sensible defaults.
#[component]
pub fn NewRequestPage() -> impl IntoView {
    let options = Resource::new_blocking(|| (), fetch(|_| get_editor_options()));
    view! {
        <Title text="New request · AMI Desk" />
        <h1>"New request"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match options.await {
                    Ok(options) => {
                        let form = RegisterImageForm {
                            region: options.regions.first().cloned().unwrap_or_default(),
                            ..RegisterImageForm::default()
                        };
                        view! { <RequestEditor initial=form id=None revision=0 options readonly=false /> }.into_any()
                    }
                    Err(e) => view! { <ErrorNotice error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// What the last save did.
#[derive(Clone, Debug, PartialEq)]
enum SaveStatus {
    Idle,
    Saving,
    Saved(i64),
    Failed(AppError),
}

/// The editor for a new (`id` = None) or existing request.
#[component]
pub fn RequestEditor(
    initial: RegisterImageForm,
    id: Option<i64>,
    revision: i64,
    options: EditorOptions,
    readonly: bool,
    /// Fields locked by the request's template.
    #[prop(optional)]
    locked: Vec<crate::domain::template::TemplateField>,
) -> impl IntoView {
    let form = RwSignal::new(initial.clone());
    let errors = Memo::new(move |_| form.with(|f| check(f).err().unwrap_or_default()));
    let ctx = EditorCtx {
        form,
        errors,
        touched: RwSignal::new(BTreeSet::new()),
        show_all: RwSignal::new(false),
        readonly: Signal::derive(move || readonly),
        locked: StoredValue::new(locked),
    };
    provide_context(ctx);
    let id = RwSignal::new(id);
    let revision = RwSignal::new(revision);
    let team = RwSignal::new(options.teams.first().map(|t| t.id.0).unwrap_or_default());
    let status = RwSignal::new(SaveStatus::Idle);
    let dirty = RwSignal::new(false);
    let restored = RwSignal::new(false);
    let navigate = use_navigate();

    // Restore unsaved edits for this request and revision, then keep every change in the browser.
    Effect::new(move |_| {
        let key = local::key(id.get_untracked());
        if let Some((base, stored)) = local::load(&key) {
            if base == revision.get_untracked() && stored != form.get_untracked() {
                form.set(stored);
                dirty.set(true);
                restored.set(true);
            }
        }
    });
    Effect::new(move |prev: Option<()>| {
        let current = form.get();
        if prev.is_some() && !readonly {
            dirty.set(true);
            local::store(
                &local::key(id.get_untracked()),
                revision.get_untracked(),
                &current,
            );
        }
    });

    let save = move || {
        if readonly || status.get_untracked() == SaveStatus::Saving {
            return;
        }
        status.set(SaveStatus::Saving);
        let current = form.get_untracked();
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = match id.get_untracked() {
                None => create_request(team.get_untracked(), current.clone()).await,
                Some(existing) => {
                    save_request(existing, revision.get_untracked(), current.clone()).await
                }
            };
            match result {
                Ok(saved) => {
                    local::clear(&local::key(id.get_untracked()));
                    let was_new = id.get_untracked().is_none();
                    id.set(Some(saved.id.0));
                    revision.set(saved.revision);
                    if form.with_untracked(|f| *f == current) {
                        dirty.set(false);
                    }
                    status.set(SaveStatus::Saved(saved.revision));
                    if was_new {
                        navigate(&format!("/requests/{}", saved.id.0), Default::default());
                    }
                }
                Err(err) => status.set(SaveStatus::Failed(err)),
            }
        });
    };
    let save_now = save.clone();
    // Autosave every few seconds while there are unsaved changes to a saved request.
    #[cfg(feature = "hydrate")]
    {
        let autosave = save.clone();
        if let Ok(handle) = set_interval_with_handle(
            move || {
                let conflicted = matches!(
                    status.get_untracked(),
                    SaveStatus::Failed(AppError::Conflict { .. })
                );
                if dirty.get_untracked() && id.get_untracked().is_some() && !conflicted {
                    autosave();
                }
            },
            std::time::Duration::from_secs(4),
        ) {
            on_cleanup(move || handle.clear());
        }
    }

    let problems = move || errors.with(|e| e.0.len());
    let regions = options.regions.clone();
    view! {
        <form class="editor" on:submit=move |ev| { ev.prevent_default(); ctx.show_all.set(true); save_now(); }>
            {move || restored.get().then(|| view! {
                <p class="notice ok" role="status">"Restored your unsaved edits from this browser."</p>
            })}
            <Show when=move || id.get().is_none() && !readonly>
                <TeamSelect options=options.clone() team />
            </Show>
            <FormSections regions />
            <div class="savebar" role="region" aria-label="Save">
                <Show when=move || !readonly>
                    <button type="submit" disabled=move || status.get() == SaveStatus::Saving>"Save draft"</button>
                </Show>
                <span class="problems" aria-live="polite">
                    {move || match problems() {
                        0 => "Every field passes the RegisterImage rules.".to_string(),
                        1 => "1 field needs attention before submitting.".to_string(),
                        n => format!("{n} fields need attention before submitting."),
                    }}
                </span>
                <SaveStatusLine status dirty />
            </div>
        </form>
    }
}

#[component]
fn SaveStatusLine(status: RwSignal<SaveStatus>, dirty: RwSignal<bool>) -> impl IntoView {
    move || {
        match status.get() {
        SaveStatus::Idle if dirty.get() => view! { <span class="muted">"Unsaved changes (kept in this browser)"</span> }.into_any(),
        SaveStatus::Idle => view! { <span></span> }.into_any(),
        SaveStatus::Saving => view! { <span class="muted" role="status">"Saving…"</span> }.into_any(),
        SaveStatus::Saved(rev) => view! { <span class="notice ok" role="status">{format!("Saved revision {rev}.")}</span> }.into_any(),
        SaveStatus::Failed(err @ AppError::Conflict { .. }) => view! {
            <span class="notice error" role="alert">
                {err.to_string()} " "
                <a href="" on:click=|_| { let _ = window().location().reload(); }>"Reload"</a>
            </span>
        }.into_any(),
        SaveStatus::Failed(err) => view! { <ErrorNotice error=err /> }.into_any(),
    }
    }
}

#[component]
fn TeamSelect(options: EditorOptions, team: RwSignal<i64>) -> impl IntoView {
    if options.teams.is_empty() {
        return view! {
            <p class="notice error" role="alert">"You belong to no team yet, so you cannot file requests. Ask an admin to add you to one."</p>
        }
        .into_any();
    }
    view! {
        <div class="field">
            <label for="team">"Team"</label>
            <select id="team" on:change=move |ev| team.set(event_target_value(&ev).parse().unwrap_or_default())>
                {options.teams.into_iter().map(|t| view! {
                    <option value=t.id.0.to_string() selected=move || team.get() == t.id.0>{t.name}</option>
                }).collect_view()}
            </select>
            <p class="help">"The team that owns the request; its approvers review it."</p>
        </div>
    }
    .into_any()
}

/// Every RegisterImage field, in sections, bound to the [`EditorCtx`] in context (shared by
/// the request editor and the template editor).
#[component]
pub(crate) fn FormSections(regions: Vec<String>) -> impl IntoView {
    view! {
        <ImageSection regions />
        <MappingsSection />
        <FeaturesSection />
        <LegacySection />
        <TagsSection />
    }
}

fn enum_options<T: Copy>(
    all: &[T],
    name: impl Fn(T) -> &'static str,
    unset: Option<&str>,
) -> Vec<(String, String)> {
    unset
        .map(|u| (String::new(), u.to_string()))
        .into_iter()
        .chain(
            all.iter()
                .map(|v| (name(*v).to_string(), name(*v).to_string())),
        )
        .collect()
}

#[component]
fn ImageSection(regions: Vec<String>) -> impl IntoView {
    let regions = regions.into_iter().map(|r| (r.clone(), r)).collect();
    view! {
        <fieldset>
            <legend>"Image"</legend>
            <SelectField path="Region" label="Region" help="Where the image is registered (the allowed list is set by the service)."
                options=regions get=|f| f.region.clone() set=|f, v| f.region = v />
            <TextField path="Name" label="Name" help="3–128 characters: letters, digits, spaces and ( ) [ ] . / - ' @ _. Unique in the account and Region."
                get=|f| f.name.clone() set=|f, v| f.name = v />
            <TextField path="Description" label="Description" help="Optional; up to 255 characters."
                get=|f| f.description.clone() set=|f, v| f.description = v />
            <SelectField path="Architecture" label="Architecture" help="Chosen explicitly: the API would default to i386."
                options=enum_options(Architecture::ALL, Architecture::as_str, None)
                get=|f| f.architecture.clone() set=|f, v| f.architecture = v />
            <SelectField path="VirtualizationType" label="VirtualizationType" help="hvm for every current instance type; paravirtual is legacy."
                options=same(&["hvm", "paravirtual"]) get=|f| f.virtualization_type.clone() set=|f, v| f.virtualization_type = v />
            <SelectField path="BootMode" label="BootMode" help="Unset: the instance type decides. arm64 needs uefi."
                options=enum_options(BootMode::ALL, BootMode::as_str, Some("(unset)"))
                get=|f| f.boot_mode.clone() set=|f, v| f.boot_mode = v />
            <TextField path="RootDeviceName" label="RootDeviceName" help="e.g. /dev/xvda; must name a mapping with an EBS snapshot."
                get=|f| f.root_device_name.clone() set=|f, v| f.root_device_name = v />
        </fieldset>
    }
}

#[component]
fn MappingsSection() -> impl IntoView {
    let ctx = expect_context::<EditorCtx>();
    let count = Memo::new(move |_| ctx.form.with(|f| f.block_device_mappings.len()));
    let add = move |_| {
        ctx.change("BlockDeviceMappings", |f| {
            let n = f.block_device_mappings.len();
            let device = format!("/dev/xvd{}", (b'a' + (n as u8).min(25)) as char);
            f.block_device_mappings.push(MappingForm::new_ebs(&device));
        })
    };
    view! {
        <fieldset>
            <legend>"BlockDeviceMappings"</legend>
            <p class="help">"Each row is an EBS volume, an instance-store volume (ephemeralN) or NoDevice. Device names must be unique."</p>
            <FieldMessage path="BlockDeviceMappings".to_string() />
            {move || (0..count.get()).map(|i| view! { <MappingRow i count /> }).collect_view()}
            <Show when=move || !ctx.frozen("BlockDeviceMappings")>
                <button type="button" class="secondary" on:click=add disabled=move || { count.get() >= MAX_MAPPINGS }>
                    "Add block device mapping"
                </button>
            </Show>
        </fieldset>
    }
}

#[component]
fn MappingRow(i: usize, count: Memo<usize>) -> impl IntoView {
    let ctx = expect_context::<EditorCtx>();
    let at = format!("BlockDeviceMappings[{i}]");
    let p = |suffix: &str| format!("{at}.{suffix}");
    let (p_kind, p_dev, p_vn) = (p("Kind"), p("DeviceName"), p("VirtualName"));
    let (p_snap, p_size, p_type, p_iops) = (
        p("Ebs.SnapshotId"),
        p("Ebs.VolumeSize"),
        p("Ebs.VolumeType"),
        p("Ebs.Iops"),
    );
    let (p_tp, p_enc, p_dot) = (
        p("Ebs.Throughput"),
        p("Ebs.Encrypted"),
        p("Ebs.DeleteOnTermination"),
    );
    let kind = Memo::new(move |_| {
        ctx.form.with(|f| {
            f.block_device_mappings
                .get(i)
                .map(|m| m.kind)
                .unwrap_or_default()
        })
    });
    let vtype = Memo::new(move |_| {
        ctx.form.with(|f| {
            f.block_device_mappings
                .get(i)
                .and_then(|m| VolumeType::parse(&m.volume_type).ok())
        })
    });
    let has_snapshot = Memo::new(move |_| {
        ctx.form.with(|f| {
            f.block_device_mappings
                .get(i)
                .is_some_and(|m| !m.snapshot_id.trim().is_empty())
        })
    });
    let row =
        move |f: &RegisterImageForm| f.block_device_mappings.get(i).cloned().unwrap_or_default();
    let edit = move |f: &mut RegisterImageForm, apply: &dyn Fn(&mut MappingForm)| {
        if let Some(m) = f.block_device_mappings.get_mut(i) {
            apply(m);
        }
    };
    let swap = move |j: usize| {
        ctx.change("BlockDeviceMappings", move |f| {
            f.block_device_mappings.swap(i, j)
        })
    };
    let remove = move |_| {
        ctx.change("BlockDeviceMappings", move |f| {
            f.block_device_mappings.remove(i);
        })
    };
    let kinds = vec![
        ("ebs".to_string(), "EBS volume".to_string()),
        ("ephemeral".to_string(), "Instance store".to_string()),
        ("none".to_string(), "NoDevice".to_string()),
    ];
    view! {
        <fieldset class="mapping">
            <legend>{format!("Block device mapping {}", i + 1)}</legend>
            <div class="row">
                <SelectField path=p_kind label="Kind" options=kinds
                    get=move |f| match row(f).kind { MappingKind::Ebs => "ebs".into(), MappingKind::Ephemeral => "ephemeral".into(), MappingKind::None => "none".into() }
                    set=move |f, v| edit(f, &|m| m.kind = match v.as_str() { "ephemeral" => MappingKind::Ephemeral, "none" => MappingKind::None, _ => MappingKind::Ebs }) />
                <TextField path=p_dev label="DeviceName" help="e.g. /dev/xvda"
                    get=move |f| row(f).device_name set=move |f, v| edit(f, &|m| m.device_name = v.clone()) />
            </div>
            <Show when=move || kind.get() == MappingKind::Ebs>
                <div class="row">
                    <TextField path=p_snap.clone() label="SnapshotId" help="snap- and 8 or 17 hex digits; empty for a new volume."
                        get=move |f| row(f).snapshot_id set=move |f, v| edit(f, &|m| m.snapshot_id = v.clone()) />
                    <TextField path=p_size.clone() label="VolumeSize (GiB)" kind="number" help="Required without a snapshot; at least the snapshot's size."
                        get=move |f| row(f).volume_size set=move |f, v| edit(f, &|m| m.volume_size = v.clone()) />
                    <SelectField path=p_type.clone() label="VolumeType" help="gp3 unless you need otherwise."
                        options=enum_options(VolumeType::ALL, VolumeType::as_str, None)
                        get=move |f| row(f).volume_type set=move |f, v| edit(f, &|m| m.volume_type = v.clone()) />
                    <TextField path=p_iops.clone() label="Iops" kind="number" help="gp3 3,000–80,000; io1/io2 required."
                        disabled=Signal::derive(move || vtype.get().is_some_and(|t| t.iops_range().is_none()))
                        get=move |f| row(f).iops set=move |f, v| edit(f, &|m| m.iops = v.clone()) />
                    <TextField path=p_tp.clone() label="Throughput (MiB/s)" kind="number" help="gp3 only, 125–2,000."
                        disabled=Signal::derive(move || vtype.get() != Some(VolumeType::Gp3))
                        get=move |f| row(f).throughput set=move |f, v| edit(f, &|m| m.throughput = v.clone()) />
                    <SelectField path=p_enc.clone() label="Encrypted" help="Only for new empty volumes; a snapshot decides its own."
                        options=vec![(String::new(), "(unset)".into()), ("true".into(), "true".into()), ("false".into(), "false".into())]
                        disabled=Signal::derive(move || has_snapshot.get())
                        get=move |f| row(f).encrypted set=move |f, v| edit(f, &|m| m.encrypted = v.clone()) />
                    <CheckField path=p_dot.clone() label="DeleteOnTermination"
                        get=move |f| row(f).delete_on_termination set=move |f, v| edit(f, &|m| m.delete_on_termination = v) />
                </div>
            </Show>
            <Show when=move || kind.get() == MappingKind::Ephemeral>
                <TextField path=p_vn.clone() label="VirtualName" help="ephemeral0 … ephemeral23"
                    get=move |f| row(f).virtual_name set=move |f, v| edit(f, &|m| m.virtual_name = v.clone()) />
            </Show>
            <Show when=move || !ctx.frozen("BlockDeviceMappings")>
                <div class="row-actions">
                    <button type="button" class="small secondary" disabled=move || i == 0 on:click=move |_| swap(i - 1)>"Move up"</button>
                    <button type="button" class="small secondary" disabled=move || { i + 1 >= count.get() } on:click=move |_| swap(i + 1)>"Move down"</button>
                    <button type="button" class="small danger" on:click=remove>"Remove"</button>
                </div>
            </Show>
        </fieldset>
    }
}

#[component]
fn FeaturesSection() -> impl IntoView {
    let ctx = expect_context::<EditorCtx>();
    let not_hvm = Signal::derive(move || ctx.form.with(|f| f.virtualization_type != "hvm"));
    view! {
        <fieldset>
            <legend>"Instance features"</legend>
            <SelectField path="EnaSupport" label="EnaSupport" help="Enhanced networking with ENA (HVM only)."
                options=vec![(String::new(), "(unset)".into()), ("true".into(), "true".into()), ("false".into(), "false".into())]
                disabled=not_hvm get=|f| f.ena_support.clone() set=|f, v| f.ena_support = v />
            <CheckField path="SriovNetSupport" label="SriovNetSupport = simple" help="Intel 82599 enhanced networking (HVM only); cannot be disabled later."
                disabled=not_hvm get=|f| f.sriov_net_support set=|f, v| f.sriov_net_support = v />
            <CheckField path="ImdsSupport" label="ImdsSupport = v2.0" help="Instances launched from the image require IMDSv2 (recommended)."
                get=|f| f.imds_v2 set=|f, v| f.imds_v2 = v />
            <CheckField path="TpmSupport" label="TpmSupport = v2.0" help="NitroTPM; needs UEFI boot."
                get=|f| f.tpm_v2 set=|f, v| f.tpm_v2 = v />
            <TextField path="UefiData" label="UefiData" help="Base64 output of GetInstanceUefiData (optional)."
                get=|f| f.uefi_data.clone() set=|f, v| f.uefi_data = v />
        </fieldset>
    }
}

#[component]
fn LegacySection() -> impl IntoView {
    let ctx = expect_context::<EditorCtx>();
    let not_pv = Signal::derive(move || ctx.form.with(|f| f.virtualization_type != "paravirtual"));
    view! {
        <fieldset>
            <legend>"Paravirtual, instance store and billing"</legend>
            <TextField path="KernelId" label="KernelId" help="aki-… (paravirtual only)." disabled=not_pv
                get=|f| f.kernel_id.clone() set=|f, v| f.kernel_id = v />
            <TextField path="RamdiskId" label="RamdiskId" help="ari-… (paravirtual only)." disabled=not_pv
                get=|f| f.ramdisk_id.clone() set=|f, v| f.ramdisk_id = v />
            <TextField path="ImageLocation" label="ImageLocation" help="S3 path to the manifest of an instance-store image."
                get=|f| f.image_location.clone() set=|f, v| f.image_location = v />
            <TextField path="BillingProducts" label="BillingProducts" help="Comma-separated billing product codes; the account must be authorised."
                get=|f| f.billing_products.clone() set=|f, v| f.billing_products = v />
        </fieldset>
    }
}

#[component]
fn TagsSection() -> impl IntoView {
    view! {
        <fieldset>
            <legend>"TagSpecifications"</legend>
            <p class="help">"At most 50 tags per resource; keys up to 128 characters, values up to 256; keys may not start with aws:. AMI Desk adds amidesk:request-id to the image."</p>
            <TagRows kind="image" title="Image tag" />
            <TagRows kind="snapshot" title="Snapshot tag" />
        </fieldset>
    }
}

fn tags_of<'a>(f: &'a mut RegisterImageForm, kind: &str) -> &'a mut Vec<TagForm> {
    if kind == "image" {
        &mut f.image_tags
    } else {
        &mut f.snapshot_tags
    }
}

#[component]
fn TagRows(kind: &'static str, title: &'static str) -> impl IntoView {
    let ctx = expect_context::<EditorCtx>();
    let count = Memo::new(move |_| {
        ctx.form.with(|f| {
            if kind == "image" {
                f.image_tags.len()
            } else {
                f.snapshot_tags.len()
            }
        })
    });
    let at = format!("TagSpecifications[{kind}].Tags");
    let at2 = at.clone();
    let get_tag = move |f: &RegisterImageForm, i: usize| -> TagForm {
        let rows = if kind == "image" {
            &f.image_tags
        } else {
            &f.snapshot_tags
        };
        rows.get(i).cloned().unwrap_or_default()
    };
    view! {
        <FieldMessage path=at.clone() />
        {move || (0..count.get()).map(|i| {
            let path = format!("{at}[{i}]");
            view! {
                <fieldset class="tag">
                    <legend>{format!("{title} {}", i + 1)}</legend>
                    <div class="row">
                        <TextField path=format!("{path}.Key") label="Key" get=move |f| get_tag(f, i).key
                            set=move |f, v| if let Some(t) = tags_of(f, kind).get_mut(i) { t.key = v } />
                        <TextField path=format!("{path}.Value") label="Value" get=move |f| get_tag(f, i).value
                            set=move |f, v| if let Some(t) = tags_of(f, kind).get_mut(i) { t.value = v } />
                        <Show when=move || !ctx.frozen(if kind == "image" { "TagSpecifications[image]" } else { "TagSpecifications[snapshot]" })>
                            <button type="button" class="small danger" on:click=move |_| ctx.change(&format!("TagSpecifications[{kind}].Tags"), |f| { tags_of(f, kind).remove(i); })>"Remove tag"</button>
                        </Show>
                    </div>
                </fieldset>
            }
        }).collect_view()}
        <Show when=move || !ctx.frozen(if kind == "image" { "TagSpecifications[image]" } else { "TagSpecifications[snapshot]" })>
            <button type="button" class="secondary" on:click={
                let at2 = at2.clone();
                move |_| ctx.change(&at2, |f| tags_of(f, kind).push(TagForm::default()))
            }>{format!("Add {}", title.to_lowercase())}</button>
        </Show>
    }
}
