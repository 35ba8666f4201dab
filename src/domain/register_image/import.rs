//! Import of `aws ec2 register-image --cli-input-json` documents into the form, naming
//! every unknown or mistyped field. The form is then checked like any other.

use super::form::{MappingForm, MappingKind, RegisterImageForm, TagForm};
use crate::domain::FieldErrors;
use serde_json::{Map, Value};

const TOP_LEVEL: &[&str] = &[
    "Name",
    "Description",
    "Architecture",
    "VirtualizationType",
    "BootMode",
    "RootDeviceName",
    "BlockDeviceMappings",
    "EnaSupport",
    "SriovNetSupport",
    "ImdsSupport",
    "TpmSupport",
    "UefiData",
    "KernelId",
    "RamdiskId",
    "ImageLocation",
    "BillingProducts",
    "TagSpecifications",
    "DryRun",
];
const MAPPING: &[&str] = &["DeviceName", "VirtualName", "Ebs", "NoDevice"];
const EBS: &[&str] = &[
    "DeleteOnTermination",
    "Iops",
    "SnapshotId",
    "VolumeSize",
    "VolumeType",
    "Throughput",
    "Encrypted",
];

/// Reads a CLI-input JSON document into a form for `region`.
pub fn form_from_cli_json(json: &str, region: &str) -> Result<RegisterImageForm, FieldErrors> {
    let mut e = FieldErrors::default();
    let root: Value = serde_json::from_str(json).map_err(|err| {
        FieldErrors::single("json", format!("The document is not valid JSON: {err}."))
    })?;
    let Some(obj) = root.as_object() else {
        return Err(FieldErrors::single(
            "json",
            "The document must be a JSON object.",
        ));
    };
    unknown_keys(obj, TOP_LEVEL, "", &mut e);
    let mut form = RegisterImageForm {
        region: region.to_string(),
        block_device_mappings: Vec::new(),
        ..RegisterImageForm::default()
    };
    let s = |key: &str, e: &mut FieldErrors| string_at(obj, key, key, e);
    form.name = s("Name", &mut e);
    form.description = s("Description", &mut e);
    form.architecture = s("Architecture", &mut e);
    form.virtualization_type = s("VirtualizationType", &mut e);
    form.boot_mode = s("BootMode", &mut e);
    form.root_device_name = s("RootDeviceName", &mut e);
    form.uefi_data = s("UefiData", &mut e);
    form.kernel_id = s("KernelId", &mut e);
    form.ramdisk_id = s("RamdiskId", &mut e);
    form.image_location = s("ImageLocation", &mut e);
    form.ena_support = bool_at(obj, "EnaSupport", "EnaSupport", &mut e)
        .map(|b| b.to_string())
        .unwrap_or_default();
    form.sriov_net_support = flag(obj, "SriovNetSupport", "simple", &mut e);
    form.imds_v2 = flag(obj, "ImdsSupport", "v2.0", &mut e);
    form.tpm_v2 = flag(obj, "TpmSupport", "v2.0", &mut e);
    form.billing_products = array_at(obj, "BillingProducts", &mut e)
        .iter()
        .enumerate()
        .map(|(i, v)| text_of(v, &format!("BillingProducts[{i}]"), &mut e))
        .collect::<Vec<_>>()
        .join("\n");
    for (i, m) in array_at(obj, "BlockDeviceMappings", &mut e)
        .iter()
        .enumerate()
    {
        if let Some(row) = mapping(m, &format!("BlockDeviceMappings[{i}]"), &mut e) {
            form.block_device_mappings.push(row);
        }
    }
    for (i, spec) in array_at(obj, "TagSpecifications", &mut e)
        .iter()
        .enumerate()
    {
        tag_spec(spec, &format!("TagSpecifications[{i}]"), &mut form, &mut e);
    }
    e.into_result().map(|()| form)
}

fn unknown_keys(obj: &Map<String, Value>, known: &[&str], at: &str, e: &mut FieldErrors) {
    for key in obj.keys().filter(|k| !known.contains(&k.as_str())) {
        let path = if at.is_empty() {
            key.clone()
        } else {
            format!("{at}.{key}")
        };
        e.push(
            path,
            format!("Unknown field {key} (RegisterImage has no such parameter here)."),
        );
    }
}

fn text_of(v: &Value, path: &str, e: &mut FieldErrors) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => {
            e.push(path, format!("{path} must be a string."));
            String::new()
        }
    }
}

fn string_at(obj: &Map<String, Value>, key: &str, path: &str, e: &mut FieldErrors) -> String {
    obj.get(key)
        .map(|v| text_of(v, path, e))
        .unwrap_or_default()
}

fn bool_at(obj: &Map<String, Value>, key: &str, path: &str, e: &mut FieldErrors) -> Option<bool> {
    match obj.get(key)? {
        Value::Bool(b) => Some(*b),
        _ => {
            e.push(path, format!("{path} must be true or false."));
            None
        }
    }
}

fn flag(obj: &Map<String, Value>, key: &str, only: &str, e: &mut FieldErrors) -> bool {
    match obj.get(key) {
        None => false,
        Some(Value::String(s)) if s == only => true,
        Some(_) => {
            e.push(key, format!("{key} must be \"{only}\" when present."));
            false
        }
    }
}

fn array_at<'a>(obj: &'a Map<String, Value>, key: &str, e: &mut FieldErrors) -> &'a [Value] {
    match obj.get(key) {
        None => &[],
        Some(Value::Array(items)) => items,
        Some(_) => {
            e.push(key, format!("{key} must be a list."));
            &[]
        }
    }
}

fn mapping(v: &Value, at: &str, e: &mut FieldErrors) -> Option<MappingForm> {
    let Some(obj) = v.as_object() else {
        e.push(at, "Each block device mapping must be an object.");
        return None;
    };
    unknown_keys(obj, MAPPING, at, e);
    let device_name = string_at(obj, "DeviceName", &format!("{at}.DeviceName"), e);
    let present = ["Ebs", "VirtualName", "NoDevice"]
        .iter()
        .filter(|k| obj.contains_key(**k))
        .count();
    if present != 1 {
        e.push(
            at,
            "A mapping needs exactly one of Ebs, VirtualName or NoDevice.",
        );
        return None;
    }
    if let Some(v) = obj.get("VirtualName") {
        let virtual_name = text_of(v, &format!("{at}.VirtualName"), e);
        return Some(MappingForm {
            kind: MappingKind::Ephemeral,
            device_name,
            virtual_name,
            ..MappingForm::default()
        });
    }
    if obj.contains_key("NoDevice") {
        return Some(MappingForm {
            kind: MappingKind::None,
            device_name,
            ..MappingForm::default()
        });
    }
    let at = format!("{at}.Ebs");
    let ebs = obj.get("Ebs").and_then(Value::as_object);
    let Some(ebs) = ebs else {
        e.push(at, "Ebs must be an object.");
        return None;
    };
    unknown_keys(ebs, EBS, &at, e);
    let s = |key: &str, e: &mut FieldErrors| string_at(ebs, key, &format!("{at}.{key}"), e);
    Some(MappingForm {
        kind: MappingKind::Ebs,
        device_name,
        snapshot_id: s("SnapshotId", e),
        volume_size: s("VolumeSize", e),
        volume_type: s("VolumeType", e),
        iops: s("Iops", e),
        throughput: s("Throughput", e),
        delete_on_termination: bool_at(
            ebs,
            "DeleteOnTermination",
            &format!("{at}.DeleteOnTermination"),
            e,
        )
        .unwrap_or(false),
        encrypted: bool_at(ebs, "Encrypted", &format!("{at}.Encrypted"), e)
            .map(|b| b.to_string())
            .unwrap_or_default(),
        virtual_name: String::new(),
    })
}

fn tag_spec(v: &Value, at: &str, form: &mut RegisterImageForm, e: &mut FieldErrors) {
    let Some(obj) = v.as_object() else {
        e.push(at, "Each tag specification must be an object.");
        return;
    };
    unknown_keys(obj, &["ResourceType", "Tags"], at, e);
    let kind = string_at(obj, "ResourceType", &format!("{at}.ResourceType"), e);
    let mut rows = Vec::new();
    for (i, t) in array_at(obj, "Tags", e).iter().enumerate() {
        let path = format!("{at}.Tags[{i}]");
        match t.as_object() {
            Some(tag) => {
                unknown_keys(tag, &["Key", "Value"], &path, e);
                rows.push(TagForm {
                    key: string_at(tag, "Key", &format!("{path}.Key"), e),
                    value: string_at(tag, "Value", &format!("{path}.Value"), e),
                });
            }
            None => e.push(path, "Each tag must be an object with Key and Value."),
        }
    }
    match kind.as_str() {
        "image" => form.image_tags.extend(rows),
        "snapshot" => form.snapshot_tags.extend(rows),
        other => e.push(
            format!("{at}.ResourceType"),
            format!("ResourceType must be image or snapshot (got {other:?})."),
        ),
    }
}
