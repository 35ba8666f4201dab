//! The checked RegisterImage request. Its serde shape is the API's: exactly the JSON that
//! `aws ec2 register-image --cli-input-json` takes.

use super::form::{MappingForm, MappingKind, RegisterImageForm, TagForm};
use super::values::*;
use crate::domain::FieldErrors;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// A tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    /// 1–128 characters, not starting with `aws:`.
    pub key: String,
    /// Up to 256 characters.
    pub value: String,
}

/// Tags for one kind of resource.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagSpecification {
    /// `image` or `snapshot`.
    pub resource_type: TagResourceType,
    /// At most 50.
    pub tags: Vec<Tag>,
}

/// An EBS volume of a mapping.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EbsBlockDevice {
    /// Delete the volume when the instance terminates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete_on_termination: Option<bool>,
    /// Provisioned IOPS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iops: Option<i32>,
    /// The snapshot the volume starts from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_id: Option<String>,
    /// GiB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_size: Option<i32>,
    /// Volume type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_type: Option<VolumeType>,
    /// MiB/s (gp3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throughput: Option<i32>,
    /// Only for volumes without a snapshot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encrypted: Option<bool>,
}

/// One block device mapping: a device name plus exactly one of EBS, instance store or no device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BlockDeviceMapping {
    /// `/dev/xvda` …
    pub device_name: String,
    /// `ephemeralN`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub virtual_name: Option<String>,
    /// An EBS volume.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ebs: Option<EbsBlockDevice>,
    /// Suppresses the device (the API's empty string).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_device: Option<String>,
}

/// A RegisterImage request that passed every rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RegisterImageRequest {
    /// Unique per account and Region.
    pub name: AmiName,
    /// Free text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Always chosen explicitly.
    pub architecture: Architecture,
    /// Always chosen explicitly.
    pub virtualization_type: VirtualizationType,
    /// Unset: the instance type decides.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boot_mode: Option<BootMode>,
    /// The root device; names a snapshot mapping for EBS-backed images.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_device_name: Option<String>,
    /// Devices.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub block_device_mappings: Vec<BlockDeviceMapping>,
    /// Enhanced networking with ENA (HVM only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ena_support: Option<bool>,
    /// `simple` (HVM only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sriov_net_support: Option<String>,
    /// `v2.0`: instances require IMDSv2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imds_support: Option<String>,
    /// `v2.0`: NitroTPM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tpm_support: Option<String>,
    /// UEFI variable store (base64).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uefi_data: Option<String>,
    /// `aki-…` (paravirtual only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kernel_id: Option<String>,
    /// `ari-…` (paravirtual only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ramdisk_id: Option<String>,
    /// S3 manifest of an instance-store image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_location: Option<String>,
    /// Billing product codes.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub billing_products: Vec<String>,
    /// Tags for the image and its snapshots.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub tag_specifications: Vec<TagSpecification>,
}

/// Things worth a second look that do not block the request (rules the API docs leave unconfirmed).
pub type Warnings = Vec<(String, String)>;

fn text(raw: &str) -> Option<String> {
    let t = raw.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn tri_bool(raw: &str, field: &str, errors: &mut FieldErrors) -> Option<bool> {
    match raw.trim() {
        "" => None,
        "true" => Some(true),
        "false" => Some(false),
        other => {
            errors.push(
                field,
                format!("{field} must be true, false or unset (got {other:?})."),
            );
            None
        }
    }
}

impl TryFrom<&RegisterImageForm> for RegisterImageRequest {
    type Error = FieldErrors;

    fn try_from(form: &RegisterImageForm) -> Result<Self, FieldErrors> {
        check(form).map(|(request, _)| request)
    }
}

/// Checks a form: the request and its warnings, or every field error at once.
pub fn check(form: &RegisterImageForm) -> Result<(RegisterImageRequest, Warnings), FieldErrors> {
    let mut e = FieldErrors::default();
    let mut warnings = Warnings::new();
    let name = e.check("Name", AmiName::parse(&form.name));
    let description = text(&form.description);
    if description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 255)
    {
        warnings.push((
            "Description".into(),
            "Descriptions over 255 characters may be refused by EC2.".into(),
        ));
    }
    let arch = e.check("Architecture", Architecture::parse(&form.architecture));
    let virt = e.check(
        "VirtualizationType",
        VirtualizationType::parse(&form.virtualization_type),
    );
    let boot_mode = text(&form.boot_mode).and_then(|b| e.check("BootMode", BootMode::parse(&b)));
    let root =
        text(&form.root_device_name).and_then(|r| e.check("RootDeviceName", parse_device_name(&r)));
    let ena = tri_bool(&form.ena_support, "EnaSupport", &mut e);
    let uefi_data = text(&form.uefi_data).and_then(|u| e.check("UefiData", parse_base64(&u)));
    if uefi_data.as_ref().is_some_and(|u| u.len() > 64_000) {
        warnings.push((
            "UefiData".into(),
            "UefiData over 64,000 characters may be refused by EC2.".into(),
        ));
    }
    let kernel = text(&form.kernel_id)
        .and_then(|k| e.check("KernelId", parse_resource_id(&k, "aki", "KernelId")));
    let ramdisk = text(&form.ramdisk_id)
        .and_then(|r| e.check("RamdiskId", parse_resource_id(&r, "ari", "RamdiskId")));
    let image_location = text(&form.image_location);
    if image_location
        .as_ref()
        .is_some_and(|l| l.len() > 1024 || !l.contains('/'))
    {
        e.push(
            "ImageLocation",
            "ImageLocation must be an S3 path such as my-bucket/image.manifest.xml.",
        );
    }
    let billing = parse_billing_products(&form.billing_products, &mut e, &mut warnings);
    let mappings = parse_mappings(&form.block_device_mappings, &mut e);
    let tags = parse_tag_specs(form, &mut e);

    // Cross-field rules.
    if virt == Some(VirtualizationType::Paravirtual) {
        if ena == Some(true) {
            e.push("EnaSupport", "ENA needs HVM virtualization.");
        }
        if form.sriov_net_support {
            e.push("SriovNetSupport", "SR-IOV needs HVM virtualization.");
        }
    } else if virt == Some(VirtualizationType::Hvm) {
        if kernel.is_some() {
            e.push("KernelId", "KernelId applies only to paravirtual images.");
        }
        if ramdisk.is_some() {
            e.push("RamdiskId", "RamdiskId applies only to paravirtual images.");
        }
    }
    if matches!(arch, Some(Architecture::Arm64 | Architecture::Arm64Mac))
        && boot_mode.is_some_and(|b| b != BootMode::Uefi)
    {
        e.push("BootMode", "arm64 images boot with uefi.");
    }
    if form.tpm_v2 && !matches!(boot_mode, Some(BootMode::Uefi | BootMode::UefiPreferred)) {
        warnings.push((
            "TpmSupport".into(),
            "NitroTPM needs UEFI boot: choose uefi or uefi-preferred.".into(),
        ));
    }
    check_root_device(root.as_deref(), image_location.is_some(), &mappings, &mut e);

    e.into_result()?;
    let (Some(name), Some(architecture), Some(virtualization_type)) = (name, arch, virt) else {
        return Err(FieldErrors::single("Name", "The request is incomplete."));
    };
    let request = RegisterImageRequest {
        name,
        description,
        architecture,
        virtualization_type,
        boot_mode,
        root_device_name: root,
        block_device_mappings: mappings,
        ena_support: ena,
        sriov_net_support: form.sriov_net_support.then(|| SRIOV_SIMPLE.to_string()),
        imds_support: form.imds_v2.then(|| IMDS_V2.to_string()),
        tpm_support: form.tpm_v2.then(|| TPM_V2.to_string()),
        uefi_data,
        kernel_id: kernel,
        ramdisk_id: ramdisk,
        image_location,
        billing_products: billing,
        tag_specifications: tags,
    };
    Ok((request, warnings))
}

fn parse_billing_products(raw: &str, e: &mut FieldErrors, warnings: &mut Warnings) -> Vec<String> {
    let mut seen = HashSet::new();
    let products: Vec<String> = raw
        .split([',', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    for p in &products {
        if p.len() > 64 || !p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            e.push(
                "BillingProducts",
                format!("Billing product {p:?} must be letters, digits and '-' only."),
            );
        } else if !seen.insert(p.clone()) {
            e.push(
                "BillingProducts",
                format!("Billing product {p} is listed twice."),
            );
        }
    }
    if !products.is_empty() {
        warnings.push((
            "BillingProducts".into(),
            "The account must be authorised for these billing products; Windows, RHEL and SUSE images registered from a snapshot lose their billing codes.".into(),
        ));
    }
    products
}

fn parse_mappings(rows: &[MappingForm], e: &mut FieldErrors) -> Vec<BlockDeviceMapping> {
    let mut names = HashSet::new();
    let mut mappings = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let at = format!("BlockDeviceMappings[{i}]");
        let device = e.check(
            &format!("{at}.DeviceName"),
            parse_device_name(&row.device_name),
        );
        if let Some(d) = &device {
            if !names.insert(d.trim_start_matches("/dev/").to_string()) {
                e.push(
                    format!("{at}.DeviceName"),
                    format!("{d} is used by another mapping."),
                );
            }
        }
        let mapping = match row.kind {
            MappingKind::Ebs => parse_ebs(row, &at, e).map(|ebs| (None, Some(ebs), None)),
            MappingKind::Ephemeral => e
                .check(
                    &format!("{at}.VirtualName"),
                    parse_virtual_name(&row.virtual_name),
                )
                .map(|v| (Some(v), None, None)),
            MappingKind::None => Some((None, None, Some(String::new()))),
        };
        if let (Some(device_name), Some((virtual_name, ebs, no_device))) = (device, mapping) {
            mappings.push(BlockDeviceMapping {
                device_name,
                virtual_name,
                ebs,
                no_device,
            });
        }
    }
    mappings
}

fn parse_ebs(row: &MappingForm, at: &str, e: &mut FieldErrors) -> Option<EbsBlockDevice> {
    let errors_before = e.0.len();
    let f = |name: &str| format!("{at}.Ebs.{name}");
    let snapshot = text(&row.snapshot_id).and_then(|s| {
        e.check(
            &f("SnapshotId"),
            parse_resource_id(&s, "snap", "SnapshotId"),
        )
    });
    let vtype = match text(&row.volume_type) {
        Some(t) => e.check(&f("VolumeType"), VolumeType::parse(&t)),
        None => Some(VolumeType::Gp3),
    };
    let size = match (text(&row.volume_size), vtype) {
        (Some(s), Some(t)) => {
            let (min, max) = t.size_range();
            e.check(
                &f("VolumeSize"),
                parse_int_in(&s, min, max, &format!("VolumeSize for {t}")),
            )
        }
        (Some(s), None) => e.check(&f("VolumeSize"), parse_int_in(&s, 1, 65_536, "VolumeSize")),
        (None, _) => {
            if snapshot.is_none() && text(&row.snapshot_id).is_none() {
                e.push(
                    f("VolumeSize"),
                    "VolumeSize is required for a volume without a snapshot.",
                );
            }
            None
        }
    };
    let iops = parse_iops(row, vtype, size, &f("Iops"), e);
    let throughput = match (text(&row.throughput), vtype) {
        (None, _) => None,
        (Some(t), Some(VolumeType::Gp3)) => {
            e.check(&f("Throughput"), parse_int_in(&t, 125, 2_000, "Throughput"))
        }
        (Some(_), _) => {
            e.push(
                f("Throughput"),
                "Throughput can be set only for gp3 volumes.",
            );
            None
        }
    };
    let encrypted = tri_bool(&row.encrypted, &f("Encrypted"), e);
    if encrypted.is_some() && text(&row.snapshot_id).is_some() {
        e.push(
            f("Encrypted"),
            "Leave Encrypted unset for a volume from a snapshot: it follows the snapshot.",
        );
    }
    (e.0.len() == errors_before).then_some(EbsBlockDevice {
        delete_on_termination: Some(row.delete_on_termination),
        iops,
        snapshot_id: snapshot,
        volume_size: size,
        volume_type: vtype,
        throughput,
        encrypted,
    })
}

fn parse_iops(
    row: &MappingForm,
    vtype: Option<VolumeType>,
    size: Option<i32>,
    field: &str,
    e: &mut FieldErrors,
) -> Option<i32> {
    let vtype = vtype?;
    match (text(&row.iops), vtype.iops_range()) {
        (None, _) if vtype.requires_iops() => {
            e.push(field, format!("Iops is required for {vtype} volumes."));
            None
        }
        (None, _) => None,
        (Some(_), None) => {
            e.push(field, format!("Iops cannot be set for {vtype} volumes."));
            None
        }
        (Some(raw), Some((min, max))) => {
            let iops = e.check(
                field,
                parse_int_in(&raw, min, max, &format!("Iops for {vtype}")),
            )?;
            if vtype == VolumeType::Io1 && size.is_some_and(|s| iops > s.saturating_mul(50)) {
                e.push(
                    field,
                    "io1 allows at most 50 IOPS per GiB: raise VolumeSize or lower Iops.",
                );
                return None;
            }
            Some(iops)
        }
    }
}

fn check_root_device(
    root: Option<&str>,
    instance_store: bool,
    mappings: &[BlockDeviceMapping],
    e: &mut FieldErrors,
) {
    if instance_store {
        return;
    }
    let Some(root) = root else {
        e.push(
            "RootDeviceName",
            "RootDeviceName is required for an EBS-backed image (e.g. /dev/xvda).",
        );
        return;
    };
    let has_snapshot = mappings.iter().any(|m| {
        m.device_name == root && m.ebs.as_ref().is_some_and(|ebs| ebs.snapshot_id.is_some())
    });
    if !has_snapshot {
        e.push(
            "RootDeviceName",
            format!("RootDeviceName {root} must name a block device mapping with an EBS snapshot."),
        );
    }
}

fn parse_tag_specs(form: &RegisterImageForm, e: &mut FieldErrors) -> Vec<TagSpecification> {
    [
        (TagResourceType::Image, &form.image_tags),
        (TagResourceType::Snapshot, &form.snapshot_tags),
    ]
    .into_iter()
    .filter(|(_, rows)| !rows.is_empty())
    .filter_map(|(kind, rows)| {
        let tags = parse_tags(kind, rows, e)?;
        Some(TagSpecification {
            resource_type: kind,
            tags,
        })
    })
    .collect()
}

fn parse_tags(kind: TagResourceType, rows: &[TagForm], e: &mut FieldErrors) -> Option<Vec<Tag>> {
    let at = format!("TagSpecifications[{kind}]");
    if rows.len() > 50 {
        e.push(
            format!("{at}.Tags"),
            format!("At most 50 tags per resource (there are {}).", rows.len()),
        );
        return None;
    }
    let mut keys = HashSet::new();
    let mut tags = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let field = format!("{at}.Tags[{i}]");
        let key = row.key.trim();
        let problem = if key.is_empty() {
            Some(("Key", "Tag key is required.".to_string()))
        } else if key.chars().count() > 128 {
            Some(("Key", "Tag key must be at most 128 characters.".into()))
        } else if key.to_ascii_lowercase().starts_with("aws:") {
            Some((
                "Key",
                "Tag keys starting with aws: are reserved for AWS.".into(),
            ))
        } else if !keys.insert(key.to_string()) {
            Some(("Key", format!("Tag key {key} is used twice.")))
        } else if row.value.chars().count() > 256 {
            Some(("Value", "Tag value must be at most 256 characters.".into()))
        } else {
            None
        };
        match problem {
            Some((part, message)) => e.push(format!("{field}.{part}"), message),
            None => tags.push(Tag {
                key: key.to_string(),
                value: row.value.clone(),
            }),
        }
    }
    Some(tags)
}

impl RegisterImageRequest {
    /// The form that holds exactly this request (for editing, and import round-trips).
    pub fn to_form(&self, region: &str) -> RegisterImageForm {
        let tags_of = |kind| -> Vec<TagForm> {
            self.tag_specifications
                .iter()
                .filter(|s| s.resource_type == kind)
                .flat_map(|s| {
                    s.tags.iter().map(|t| TagForm {
                        key: t.key.clone(),
                        value: t.value.clone(),
                    })
                })
                .collect()
        };
        RegisterImageForm {
            region: region.to_string(),
            name: self.name.as_str().to_string(),
            description: self.description.clone().unwrap_or_default(),
            architecture: self.architecture.as_str().into(),
            virtualization_type: self.virtualization_type.as_str().into(),
            boot_mode: self
                .boot_mode
                .map(|b| b.as_str().to_string())
                .unwrap_or_default(),
            root_device_name: self.root_device_name.clone().unwrap_or_default(),
            ena_support: self.ena_support.map(|b| b.to_string()).unwrap_or_default(),
            sriov_net_support: self.sriov_net_support.is_some(),
            imds_v2: self.imds_support.is_some(),
            tpm_v2: self.tpm_support.is_some(),
            uefi_data: self.uefi_data.clone().unwrap_or_default(),
            kernel_id: self.kernel_id.clone().unwrap_or_default(),
            ramdisk_id: self.ramdisk_id.clone().unwrap_or_default(),
            image_location: self.image_location.clone().unwrap_or_default(),
            billing_products: self.billing_products.join("\n"),
            block_device_mappings: self
                .block_device_mappings
                .iter()
                .map(mapping_form)
                .collect(),
            image_tags: tags_of(TagResourceType::Image),
            snapshot_tags: tags_of(TagResourceType::Snapshot),
        }
    }
}

fn mapping_form(m: &BlockDeviceMapping) -> MappingForm {
    let opt = |v: Option<i32>| v.map(|n| n.to_string()).unwrap_or_default();
    match (&m.ebs, &m.virtual_name) {
        (Some(ebs), _) => MappingForm {
            kind: MappingKind::Ebs,
            device_name: m.device_name.clone(),
            snapshot_id: ebs.snapshot_id.clone().unwrap_or_default(),
            volume_size: opt(ebs.volume_size),
            volume_type: ebs
                .volume_type
                .map(|t| t.as_str().to_string())
                .unwrap_or_default(),
            iops: opt(ebs.iops),
            throughput: opt(ebs.throughput),
            delete_on_termination: ebs.delete_on_termination.unwrap_or(false),
            encrypted: ebs.encrypted.map(|b| b.to_string()).unwrap_or_default(),
            virtual_name: String::new(),
        },
        (None, Some(v)) => MappingForm {
            kind: MappingKind::Ephemeral,
            device_name: m.device_name.clone(),
            virtual_name: v.clone(),
            ..MappingForm::default()
        },
        (None, None) => MappingForm {
            kind: MappingKind::None,
            device_name: m.device_name.clone(),
            ..MappingForm::default()
        },
    }
}
