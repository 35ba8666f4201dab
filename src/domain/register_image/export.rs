//! Export as a Terraform `aws_ami` resource. (The CLI-input JSON export is the request's
//! own serde shape: `serde_json::to_string_pretty(&request)`.)

use super::request::RegisterImageRequest;
use super::values::TagResourceType;
use std::fmt::Write;

/// HCL string literal with escapes.
fn hcl(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '$' => out.push_str("$$"),
            '%' => out.push_str("%%"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A resource label derived from the AMI name: letters, digits and underscores.
fn label(name: &str) -> String {
    let mut l: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if !l.starts_with(|c: char| c.is_ascii_alphabetic()) {
        l.insert_str(0, "ami_");
    }
    l
}

/// The request as an `aws_ami` resource block.
pub fn to_terraform(r: &RegisterImageRequest) -> String {
    let mut o = format!("resource \"aws_ami\" \"{}\" {{\n", label(r.name.as_str()));
    let mut attr = |k: &str, v: String| {
        let _ = writeln!(o, "  {k:<19} = {v}");
    };
    attr("name", hcl(r.name.as_str()));
    if let Some(d) = &r.description {
        attr("description", hcl(d));
    }
    attr("architecture", hcl(r.architecture.as_str()));
    attr("virtualization_type", hcl(r.virtualization_type.as_str()));
    if let Some(b) = r.boot_mode {
        attr("boot_mode", hcl(b.as_str()));
    }
    if let Some(v) = &r.root_device_name {
        attr("root_device_name", hcl(v));
    }
    if let Some(v) = r.ena_support {
        attr("ena_support", v.to_string());
    }
    for (k, v) in [
        ("sriov_net_support", &r.sriov_net_support),
        ("imds_support", &r.imds_support),
        ("tpm_support", &r.tpm_support),
        ("uefi_data", &r.uefi_data),
        ("kernel_id", &r.kernel_id),
        ("ramdisk_id", &r.ramdisk_id),
        ("image_location", &r.image_location),
    ] {
        if let Some(v) = v {
            attr(k, hcl(v));
        }
    }
    for m in &r.block_device_mappings {
        match (&m.ebs, &m.virtual_name) {
            (Some(ebs), _) => {
                let _ = writeln!(o, "\n  ebs_block_device {{");
                let _ = writeln!(o, "    device_name           = {}", hcl(&m.device_name));
                if let Some(s) = &ebs.snapshot_id {
                    let _ = writeln!(o, "    snapshot_id           = {}", hcl(s));
                }
                for (k, v) in [
                    ("volume_size", ebs.volume_size),
                    ("iops", ebs.iops),
                    ("throughput", ebs.throughput),
                ] {
                    if let Some(v) = v {
                        let _ = writeln!(o, "    {k:<21} = {v}");
                    }
                }
                if let Some(t) = ebs.volume_type {
                    let _ = writeln!(o, "    volume_type           = {}", hcl(t.as_str()));
                }
                if let Some(d) = ebs.delete_on_termination {
                    let _ = writeln!(o, "    delete_on_termination = {d}");
                }
                if let Some(enc) = ebs.encrypted {
                    let _ = writeln!(o, "    encrypted             = {enc}");
                }
                let _ = writeln!(o, "  }}");
            }
            (None, Some(v)) => {
                let _ = writeln!(o, "\n  ephemeral_block_device {{\n    device_name  = {}\n    virtual_name = {}\n  }}", hcl(&m.device_name), hcl(v));
            }
            (None, None) => {
                let _ = writeln!(
                    o,
                    "\n  # NoDevice for {} has no aws_ami equivalent.",
                    m.device_name
                );
            }
        }
    }
    if !r.billing_products.is_empty() {
        let _ = writeln!(
            o,
            "\n  # BillingProducts ({}) have no aws_ami equivalent.",
            r.billing_products.join(", ")
        );
    }
    for spec in &r.tag_specifications {
        match spec.resource_type {
            TagResourceType::Image => {
                let _ = writeln!(o, "\n  tags = {{");
                for t in &spec.tags {
                    let _ = writeln!(o, "    {} = {}", hcl(&t.key), hcl(&t.value));
                }
                let _ = writeln!(o, "  }}");
            }
            TagResourceType::Snapshot => {
                let _ = writeln!(o, "\n  # Snapshot tags have no aws_ami equivalent.");
            }
        }
    }
    o.push_str("}\n");
    o
}
