//! Templates (groundwork for the templates feature): which request fields a template sets,
//! whether each is a default or locked, placeholder expansion, and the locked-field check
//! the server applies to every save of a request made from a template.

use super::register_image::RegisterImageForm;
use super::FieldErrors;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A request field a template can set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum TemplateField {
    /// Target Region.
    Region,
    /// `Name` (placeholders allowed).
    Name,
    /// `Description` (placeholders allowed).
    Description,
    /// `Architecture`.
    Architecture,
    /// `VirtualizationType`.
    VirtualizationType,
    /// `BootMode`.
    BootMode,
    /// `RootDeviceName`.
    RootDeviceName,
    /// `EnaSupport`.
    EnaSupport,
    /// `SriovNetSupport`.
    SriovNetSupport,
    /// `ImdsSupport`.
    ImdsSupport,
    /// `TpmSupport`.
    TpmSupport,
    /// `UefiData`.
    UefiData,
    /// `KernelId`.
    KernelId,
    /// `RamdiskId`.
    RamdiskId,
    /// `ImageLocation`.
    ImageLocation,
    /// `BillingProducts`.
    BillingProducts,
    /// `BlockDeviceMappings`, as a whole.
    BlockDeviceMappings,
    /// Image tags.
    ImageTags,
    /// Snapshot tags.
    SnapshotTags,
}

/// Whether the requester may change a field the template sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldMode {
    /// A starting value the requester may change.
    Default,
    /// Shown read-only and enforced by the server.
    Locked,
}

impl TemplateField {
    /// Every field, in form order.
    pub const ALL: [TemplateField; 19] = [
        TemplateField::Region,
        TemplateField::Name,
        TemplateField::Description,
        TemplateField::Architecture,
        TemplateField::VirtualizationType,
        TemplateField::BootMode,
        TemplateField::RootDeviceName,
        TemplateField::EnaSupport,
        TemplateField::SriovNetSupport,
        TemplateField::ImdsSupport,
        TemplateField::TpmSupport,
        TemplateField::UefiData,
        TemplateField::KernelId,
        TemplateField::RamdiskId,
        TemplateField::ImageLocation,
        TemplateField::BillingProducts,
        TemplateField::BlockDeviceMappings,
        TemplateField::ImageTags,
        TemplateField::SnapshotTags,
    ];

    /// The field an API path belongs to (`BlockDeviceMappings[1].Ebs.Iops` → mappings).
    pub fn of_path(path: &str) -> Option<Self> {
        let head = path.split(['.', '[']).next().unwrap_or_default();
        Some(match head {
            "Region" => TemplateField::Region,
            "Name" => TemplateField::Name,
            "Description" => TemplateField::Description,
            "Architecture" => TemplateField::Architecture,
            "VirtualizationType" => TemplateField::VirtualizationType,
            "BootMode" => TemplateField::BootMode,
            "RootDeviceName" => TemplateField::RootDeviceName,
            "EnaSupport" => TemplateField::EnaSupport,
            "SriovNetSupport" => TemplateField::SriovNetSupport,
            "ImdsSupport" => TemplateField::ImdsSupport,
            "TpmSupport" => TemplateField::TpmSupport,
            "UefiData" => TemplateField::UefiData,
            "KernelId" => TemplateField::KernelId,
            "RamdiskId" => TemplateField::RamdiskId,
            "ImageLocation" => TemplateField::ImageLocation,
            "BillingProducts" => TemplateField::BillingProducts,
            "BlockDeviceMappings" => TemplateField::BlockDeviceMappings,
            "TagSpecifications" if path.starts_with("TagSpecifications[snapshot]") => {
                TemplateField::SnapshotTags
            }
            "TagSpecifications" => TemplateField::ImageTags,
            _ => return None,
        })
    }

    /// Copies this field's value from `from` into `to`.
    pub fn copy(self, from: &RegisterImageForm, to: &mut RegisterImageForm) {
        match self {
            TemplateField::Region => to.region = from.region.clone(),
            TemplateField::Name => to.name = from.name.clone(),
            TemplateField::Description => to.description = from.description.clone(),
            TemplateField::Architecture => to.architecture = from.architecture.clone(),
            TemplateField::VirtualizationType => {
                to.virtualization_type = from.virtualization_type.clone()
            }
            TemplateField::BootMode => to.boot_mode = from.boot_mode.clone(),
            TemplateField::RootDeviceName => to.root_device_name = from.root_device_name.clone(),
            TemplateField::EnaSupport => to.ena_support = from.ena_support.clone(),
            TemplateField::SriovNetSupport => to.sriov_net_support = from.sriov_net_support,
            TemplateField::ImdsSupport => to.imds_v2 = from.imds_v2,
            TemplateField::TpmSupport => to.tpm_v2 = from.tpm_v2,
            TemplateField::UefiData => to.uefi_data = from.uefi_data.clone(),
            TemplateField::KernelId => to.kernel_id = from.kernel_id.clone(),
            TemplateField::RamdiskId => to.ramdisk_id = from.ramdisk_id.clone(),
            TemplateField::ImageLocation => to.image_location = from.image_location.clone(),
            TemplateField::BillingProducts => to.billing_products = from.billing_products.clone(),
            TemplateField::BlockDeviceMappings => {
                to.block_device_mappings = from.block_device_mappings.clone()
            }
            TemplateField::ImageTags => to.image_tags = from.image_tags.clone(),
            TemplateField::SnapshotTags => to.snapshot_tags = from.snapshot_tags.clone(),
        }
    }

    /// The field's value in `f`, as one line of text.
    pub fn display(self, f: &RegisterImageForm) -> String {
        let tags = |t: &[super::register_image::TagForm]| {
            t.iter()
                .map(|t| format!("{}={}", t.key, t.value))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            TemplateField::Region => f.region.clone(),
            TemplateField::Name => f.name.clone(),
            TemplateField::Description => f.description.clone(),
            TemplateField::Architecture => f.architecture.clone(),
            TemplateField::VirtualizationType => f.virtualization_type.clone(),
            TemplateField::BootMode => f.boot_mode.clone(),
            TemplateField::RootDeviceName => f.root_device_name.clone(),
            TemplateField::EnaSupport => f.ena_support.clone(),
            TemplateField::SriovNetSupport => f.sriov_net_support.to_string(),
            TemplateField::ImdsSupport => f.imds_v2.to_string(),
            TemplateField::TpmSupport => f.tpm_v2.to_string(),
            TemplateField::UefiData => format!("{} characters", f.uefi_data.len()),
            TemplateField::KernelId => f.kernel_id.clone(),
            TemplateField::RamdiskId => f.ramdisk_id.clone(),
            TemplateField::ImageLocation => f.image_location.clone(),
            TemplateField::BillingProducts => f.billing_products.clone(),
            TemplateField::BlockDeviceMappings => f
                .block_device_mappings
                .iter()
                .map(|m| {
                    format!(
                        "{} {:?} {}{}",
                        m.device_name, m.kind, m.volume_type, m.volume_size
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
            TemplateField::ImageTags => tags(&f.image_tags),
            TemplateField::SnapshotTags => tags(&f.snapshot_tags),
        }
    }

    /// Whether `a` and `b` hold the same value for this field.
    pub fn same(self, a: &RegisterImageForm, b: &RegisterImageForm) -> bool {
        let mut probe = b.clone();
        self.copy(a, &mut probe);
        probe == *b
    }
}

/// Values for the placeholders `{team}`, `{date}` (YYYY-MM-DD) and `{seq}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placeholders {
    /// The requesting team's name, with spaces as `-`.
    pub team: String,
    /// Today, UTC.
    pub date: String,
    /// The next number for this template.
    pub seq: i64,
}

/// Expands the placeholders in one text.
pub fn expand(text: &str, p: &Placeholders) -> String {
    text.replace("{team}", &p.team.replace(' ', "-"))
        .replace("{date}", &p.date)
        .replace("{seq}", &p.seq.to_string())
}

/// The fields a template sets and how, with their values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateContent {
    /// Values (only the fields in `modes` matter).
    pub form: RegisterImageForm,
    /// The fields the template sets.
    pub modes: BTreeMap<TemplateField, FieldMode>,
}

impl TemplateContent {
    /// A new request's form: the defaults, overlaid with the template's fields, with
    /// placeholders expanded in Name and Description.
    pub fn new_form(&self, base: RegisterImageForm, p: &Placeholders) -> RegisterImageForm {
        let mut form = base;
        for field in self.modes.keys() {
            field.copy(&self.form, &mut form);
        }
        form.name = expand(&form.name, p);
        form.description = expand(&form.description, p);
        form
    }

    /// The locked fields.
    pub fn locked(&self) -> impl Iterator<Item = TemplateField> + '_ {
        self.modes
            .iter()
            .filter(|(_, m)| **m == FieldMode::Locked)
            .map(|(f, _)| *f)
    }

    /// Refuses a save that changed a locked field from the value the request started with.
    pub fn check_locked(
        &self,
        started: &RegisterImageForm,
        form: &RegisterImageForm,
    ) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        for field in self.locked() {
            if !field.same(started, form) {
                errors.push(
                    format!("{field:?}"),
                    "This field is locked by the request's template.",
                );
            }
        }
        errors.into_result()
    }
}

impl TemplateContent {
    /// The one rule set for a template, run by the template editor as you type and by the
    /// server on every save: a name of 2 to 100 characters, a description of at most 1,000,
    /// field lengths, and every RegisterImage rule for the fields the template sets, checked
    /// on a request made from it today (placeholders expanded with sample values).
    pub fn check(&self, name: &str, description: &str) -> FieldErrors {
        let mut e = FieldErrors::default();
        if !(2..=100).contains(&name.trim().chars().count()) {
            e.push("name", "Template name must be 2 to 100 characters long.");
        }
        if description.chars().count() > 1_000 {
            e.push(
                "description",
                "Description must be at most 1,000 characters.",
            );
        }
        e.0.extend(self.form.check_draft().0);
        if !e.is_empty() {
            return e;
        }
        let sample = Placeholders::sample();
        let form = self.new_form(RegisterImageForm::default(), &sample);
        if let Err(found) = super::register_image::check(&form) {
            e.0.extend(found.0.into_iter().filter(|err| {
                TemplateField::of_path(&err.field).is_some_and(|f| self.modes.contains_key(&f))
            }));
        }
        e
    }

    /// The fields whose values differ from a blank request's, as defaults: the starting
    /// point of "Save as template".
    pub fn from_request(form: RegisterImageForm) -> Self {
        let blank = RegisterImageForm::default();
        let modes = TemplateField::ALL
            .into_iter()
            .filter(|f| !f.same(&form, &blank))
            .map(|f| (f, FieldMode::Default))
            .collect();
        TemplateContent { form, modes }
    }
}

impl Placeholders {
    /// Example values, for previews and checks.
    pub fn sample() -> Self {
        Placeholders {
            team: "team".into(),
            date: "2026-01-31".into(),
            seq: 1,
        }
    }
}

/// Differences between two template versions: changed modes, and changed values of the
/// fields either version sets.
pub fn diff(a: &TemplateContent, b: &TemplateContent) -> Vec<super::register_image::FieldChange> {
    let mode = |m: Option<&FieldMode>| match m {
        Some(FieldMode::Default) => "default".to_string(),
        Some(FieldMode::Locked) => "locked".to_string(),
        None => String::new(),
    };
    let mut changes = Vec::new();
    for field in TemplateField::ALL {
        let (ma, mb) = (a.modes.get(&field), b.modes.get(&field));
        if ma != mb {
            changes.push(super::register_image::FieldChange {
                field: format!("{field:?} (mode)"),
                before: mode(ma),
                after: mode(mb),
            });
        }
        if (ma.is_some() || mb.is_some()) && !field.same(&a.form, &b.form) {
            let (mut fa, mut fb) = (RegisterImageForm::default(), RegisterImageForm::default());
            field.copy(&a.form, &mut fa);
            field.copy(&b.form, &mut fb);
            for c in super::register_image::diff_forms(&fa, &fb) {
                changes.push(super::register_image::FieldChange {
                    field: format!("{field:?}: {}", c.field),
                    ..c
                });
            }
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template() -> TemplateContent {
        let form = RegisterImageForm {
            name: "{team}-web-{date}-{seq}".into(),
            architecture: "arm64".into(),
            boot_mode: "uefi".into(),
            ..RegisterImageForm::default()
        };
        let modes = [
            (TemplateField::Name, FieldMode::Default),
            (TemplateField::Architecture, FieldMode::Locked),
            (TemplateField::BootMode, FieldMode::Locked),
        ]
        .into_iter()
        .collect();
        TemplateContent { form, modes }
    }

    fn placeholders() -> Placeholders {
        Placeholders {
            team: "Data Platform".into(),
            date: "2026-12-04".into(),
            seq: 7,
        }
    }

    #[test]
    fn a_new_form_takes_the_template_fields_and_expands_placeholders() {
        let form = template().new_form(RegisterImageForm::default(), &placeholders());
        assert_eq!(form.name, "Data-Platform-web-2026-12-04-7");
        assert_eq!(form.architecture, "arm64");
        assert_eq!(
            form.virtualization_type, "hvm",
            "fields the template does not set keep their defaults"
        );
    }

    #[test]
    fn a_changed_locked_field_is_refused_and_a_changed_default_is_not() {
        let t = template();
        let started = t.new_form(RegisterImageForm::default(), &placeholders());
        let mut edited = started.clone();
        edited.name = "renamed".into();
        assert!(t.check_locked(&started, &edited).is_ok());
        edited.architecture = "x86_64".into();
        let errors = t.check_locked(&started, &edited).unwrap_err();
        assert_eq!(errors.0[0].field, "Architecture");
    }

    #[test]
    fn a_template_is_checked_only_on_the_fields_it_sets() {
        let t = template();
        assert!(t.check("Web baseline", "").is_empty());
        let mut bad = template();
        bad.form.boot_mode = "legacy-bios".into();
        let errors = bad.check("Web baseline", "");
        assert_eq!(
            errors.for_field("BootMode"),
            Some("arm64 images boot with uefi.")
        );
        assert!(errors.for_field("BlockDeviceMappings").is_none());
        assert!(template().check("x", "").for_field("name").is_some());
    }

    #[test]
    fn saving_a_request_as_template_keeps_the_fields_it_changed() {
        let form = RegisterImageForm {
            name: "web".into(),
            architecture: "arm64".into(),
            ..RegisterImageForm::default()
        };
        let t = TemplateContent::from_request(form);
        assert_eq!(t.modes.get(&TemplateField::Name), Some(&FieldMode::Default));
        assert!(!t.modes.contains_key(&TemplateField::VirtualizationType));
    }

    #[test]
    fn api_paths_map_to_their_template_field() {
        assert_eq!(
            TemplateField::of_path("BlockDeviceMappings[2].Ebs.Iops"),
            Some(TemplateField::BlockDeviceMappings)
        );
        assert_eq!(
            TemplateField::of_path("TagSpecifications[snapshot].Tags[0].Key"),
            Some(TemplateField::SnapshotTags)
        );
        assert_eq!(
            TemplateField::of_path("TagSpecifications[image].Tags"),
            Some(TemplateField::ImageTags)
        );
        assert_eq!(TemplateField::of_path("Bogus"), None);
    }
}
