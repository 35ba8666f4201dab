//! The request as the browser form holds it: plain text, possibly incomplete. Drafts store
//! this shape; [`RegisterImageRequest::try_from`](super::RegisterImageRequest) turns it into
//! a checked request or names every bad field.

use serde::{Deserialize, Serialize};

/// What kind of device a mapping row describes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MappingKind {
    /// An EBS volume (from a snapshot, or empty).
    #[default]
    Ebs,
    /// An instance-store volume (`ephemeralN`).
    Ephemeral,
    /// Suppresses a device of the image (`NoDevice`).
    None,
}

/// One row of the block device mapping editor.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MappingForm {
    /// EBS, instance store or no device.
    pub kind: MappingKind,
    /// `/dev/xvda` …
    pub device_name: String,
    /// `snap-…` (EBS).
    pub snapshot_id: String,
    /// GiB (EBS).
    pub volume_size: String,
    /// `gp3` … (EBS).
    pub volume_type: String,
    /// IOPS (EBS).
    pub iops: String,
    /// MiB/s (EBS, gp3).
    pub throughput: String,
    /// Delete the volume when the instance terminates (EBS).
    pub delete_on_termination: bool,
    /// `""`, `"true"` or `"false"`: only for empty volumes (EBS).
    pub encrypted: String,
    /// `ephemeral0` … (instance store).
    pub virtual_name: String,
}

impl MappingForm {
    /// A new EBS row with the form's defaults (gp3, delete on termination).
    pub fn new_ebs(device_name: &str) -> Self {
        Self {
            kind: MappingKind::Ebs,
            device_name: device_name.to_string(),
            volume_type: "gp3".into(),
            delete_on_termination: true,
            ..Self::default()
        }
    }
}

/// One tag row.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TagForm {
    /// The key.
    pub key: String,
    /// The value (may be empty).
    pub value: String,
}

/// Every RegisterImage field plus the target Region, as text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegisterImageForm {
    /// Target Region.
    pub region: String,
    /// `Name`.
    pub name: String,
    /// `Description`.
    pub description: String,
    /// `Architecture`.
    pub architecture: String,
    /// `VirtualizationType`.
    pub virtualization_type: String,
    /// `BootMode` (empty: unset).
    pub boot_mode: String,
    /// `RootDeviceName`.
    pub root_device_name: String,
    /// `EnaSupport`: `""`, `"true"` or `"false"`.
    pub ena_support: String,
    /// `SriovNetSupport=simple` when true.
    pub sriov_net_support: bool,
    /// `ImdsSupport=v2.0` when true.
    pub imds_v2: bool,
    /// `TpmSupport=v2.0` when true.
    pub tpm_v2: bool,
    /// `UefiData` (base64).
    pub uefi_data: String,
    /// `KernelId`.
    pub kernel_id: String,
    /// `RamdiskId`.
    pub ramdisk_id: String,
    /// `ImageLocation`.
    pub image_location: String,
    /// `BillingProducts`, one per line or comma-separated.
    pub billing_products: String,
    /// `BlockDeviceMappings`.
    pub block_device_mappings: Vec<MappingForm>,
    /// Tags for the image (`TagSpecifications` with `ResourceType=image`).
    pub image_tags: Vec<TagForm>,
    /// Tags for the snapshots (`TagSpecifications` with `ResourceType=snapshot`).
    pub snapshot_tags: Vec<TagForm>,
}

impl Default for RegisterImageForm {
    /// Sensible defaults: HVM, x86_64, IMDSv2, ENA on, one gp3 root volume on /dev/xvda.
    fn default() -> Self {
        Self {
            region: String::new(),
            name: String::new(),
            description: String::new(),
            architecture: "x86_64".into(),
            virtualization_type: "hvm".into(),
            boot_mode: String::new(),
            root_device_name: "/dev/xvda".into(),
            ena_support: "true".into(),
            sriov_net_support: false,
            imds_v2: true,
            tpm_v2: false,
            uefi_data: String::new(),
            kernel_id: String::new(),
            ramdisk_id: String::new(),
            image_location: String::new(),
            billing_products: String::new(),
            block_device_mappings: vec![MappingForm::new_ebs("/dev/xvda")],
            image_tags: Vec::new(),
            snapshot_tags: Vec::new(),
        }
    }
}

/// Most block device mapping rows a form may hold.
pub const MAX_MAPPINGS: usize = 64;
/// Most tag rows per resource type a form may hold (the API allows 50; the rest is room to fix).
pub const MAX_TAG_ROWS: usize = 100;
/// Longest text in any ordinary field.
pub const MAX_FIELD_CHARS: usize = 2_048;
/// Longest UefiData.
pub const MAX_UEFI_CHARS: usize = 131_072;

impl RegisterImageForm {
    /// Limits every draft must meet, even an incomplete one: bounded sizes, so that a
    /// draft can always be stored and shown. (Full rules apply at submission.)
    pub fn check_draft(&self) -> crate::domain::FieldErrors {
        let mut e = crate::domain::FieldErrors::default();
        let long = |s: &str| s.chars().count() > MAX_FIELD_CHARS;
        for (field, value) in [
            ("Region", &self.region),
            ("Name", &self.name),
            ("Description", &self.description),
            ("Architecture", &self.architecture),
            ("VirtualizationType", &self.virtualization_type),
            ("BootMode", &self.boot_mode),
            ("RootDeviceName", &self.root_device_name),
            ("EnaSupport", &self.ena_support),
            ("KernelId", &self.kernel_id),
            ("RamdiskId", &self.ramdisk_id),
            ("ImageLocation", &self.image_location),
            ("BillingProducts", &self.billing_products),
        ] {
            if long(value) {
                e.push(
                    field,
                    format!("{field} is too long (at most {MAX_FIELD_CHARS} characters)."),
                );
            }
        }
        if self.uefi_data.len() > MAX_UEFI_CHARS {
            e.push(
                "UefiData",
                format!("UefiData is too long (at most {MAX_UEFI_CHARS} characters)."),
            );
        }
        if self.block_device_mappings.len() > MAX_MAPPINGS {
            e.push(
                "BlockDeviceMappings",
                format!("At most {MAX_MAPPINGS} block device mappings."),
            );
        }
        for (i, m) in self.block_device_mappings.iter().enumerate() {
            let fields = [
                &m.device_name,
                &m.snapshot_id,
                &m.volume_size,
                &m.volume_type,
                &m.iops,
                &m.throughput,
                &m.encrypted,
                &m.virtual_name,
            ];
            if fields.iter().any(|f| long(f)) {
                e.push(
                    format!("BlockDeviceMappings[{i}]"),
                    "A value in this mapping is too long.",
                );
            }
        }
        for (kind, rows) in [
            ("image", &self.image_tags),
            ("snapshot", &self.snapshot_tags),
        ] {
            if rows.len() > MAX_TAG_ROWS {
                e.push(
                    format!("TagSpecifications[{kind}].Tags"),
                    format!("At most {MAX_TAG_ROWS} tag rows."),
                );
            }
            if rows.iter().any(|t| long(&t.key) || long(&t.value)) {
                e.push(
                    format!("TagSpecifications[{kind}].Tags"),
                    "A tag is too long.",
                );
            }
        }
        e
    }
}
