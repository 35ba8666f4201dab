//! Every rule, accepted and refused; import/export round trips.

use super::*;
use proptest::prelude::*;

fn valid() -> RegisterImageForm {
    let mut f = RegisterImageForm {
        region: "us-east-1".into(),
        name: "web-2026-01-01".into(),
        ..RegisterImageForm::default()
    };
    f.block_device_mappings[0].snapshot_id = "snap-0123456789abcdef0".into();
    f
}

fn errors_of(f: &RegisterImageForm) -> Vec<String> {
    match RegisterImageRequest::try_from(f) {
        Ok(_) => vec![],
        Err(e) => e.0.into_iter().map(|e| e.field).collect(),
    }
}

fn refused_on(f: &RegisterImageForm, field: &str) {
    let errors = errors_of(f);
    assert!(
        errors.iter().any(|e| e == field),
        "expected an error on {field}, got {errors:?}"
    );
}

#[test]
fn the_default_form_with_a_name_and_snapshot_is_a_valid_request() {
    let r = RegisterImageRequest::try_from(&valid()).unwrap();
    assert_eq!(r.architecture, Architecture::X86_64);
    assert_eq!(r.virtualization_type, VirtualizationType::Hvm);
    assert_eq!(r.imds_support.as_deref(), Some("v2.0"));
    assert_eq!(
        r.block_device_mappings[0].ebs.as_ref().unwrap().volume_type,
        Some(VolumeType::Gp3)
    );
}

#[test]
fn a_bad_name_is_reported_on_name() {
    let mut f = valid();
    f.name = "x".into();
    refused_on(&f, "Name");
}

#[test]
fn architecture_and_virtualization_must_be_chosen() {
    let mut f = valid();
    f.architecture.clear();
    f.virtualization_type = "pv".into();
    refused_on(&f, "Architecture");
    refused_on(&f, "VirtualizationType");
}

#[test]
fn the_root_device_must_name_a_snapshot_mapping() {
    let mut f = valid();
    f.root_device_name = "/dev/sda1".into();
    refused_on(&f, "RootDeviceName");
    f.root_device_name.clear();
    refused_on(&f, "RootDeviceName");
}

#[test]
fn an_instance_store_image_needs_no_root_snapshot() {
    let mut f = valid();
    f.block_device_mappings.clear();
    f.root_device_name.clear();
    f.image_location = "my-bucket/image.manifest.xml".into();
    assert_eq!(errors_of(&f), Vec::<String>::new());
}

#[test]
fn kernel_and_ramdisk_are_for_paravirtual_only() {
    let mut f = valid();
    f.kernel_id = "aki-0123abcd".into();
    f.ramdisk_id = "ari-0123abcd".into();
    refused_on(&f, "KernelId");
    refused_on(&f, "RamdiskId");
    f.virtualization_type = "paravirtual".into();
    f.ena_support.clear();
    assert_eq!(errors_of(&f), Vec::<String>::new());
}

#[test]
fn ena_and_sriov_are_for_hvm_only() {
    let mut f = valid();
    f.virtualization_type = "paravirtual".into();
    f.sriov_net_support = true;
    refused_on(&f, "EnaSupport");
    refused_on(&f, "SriovNetSupport");
}

#[test]
fn arm64_refuses_legacy_bios() {
    let mut f = valid();
    f.architecture = "arm64".into();
    f.boot_mode = "legacy-bios".into();
    refused_on(&f, "BootMode");
    f.boot_mode = "uefi".into();
    assert!(errors_of(&f).is_empty());
}

#[test]
fn tpm_without_uefi_is_a_warning_not_an_error() {
    let mut f = valid();
    f.tpm_v2 = true;
    let (_, warnings) = check(&f).unwrap();
    assert!(warnings.iter().any(|(field, _)| field == "TpmSupport"));
}

#[test]
fn uefi_data_must_be_base64() {
    let mut f = valid();
    f.uefi_data = "%%%".into();
    refused_on(&f, "UefiData");
}

#[test]
fn device_names_must_be_unique() {
    let mut f = valid();
    f.block_device_mappings.push(MappingForm::new_ebs("xvda"));
    f.block_device_mappings[1].volume_size = "8".into();
    f.block_device_mappings
        .push(MappingForm::new_ebs("/dev/xvda"));
    refused_on(&f, "BlockDeviceMappings[1].DeviceName");
    refused_on(&f, "BlockDeviceMappings[2].DeviceName");
}

#[test]
fn an_empty_volume_needs_a_size_and_may_be_encrypted() {
    let mut f = valid();
    let mut data = MappingForm::new_ebs("/dev/xvdb");
    f.block_device_mappings.push(data.clone());
    refused_on(&f, "BlockDeviceMappings[1].Ebs.VolumeSize");
    data.volume_size = "100".into();
    data.encrypted = "true".into();
    f.block_device_mappings[1] = data;
    assert!(errors_of(&f).is_empty());
}

#[test]
fn encrypted_must_be_omitted_with_a_snapshot() {
    let mut f = valid();
    f.block_device_mappings[0].encrypted = "false".into();
    refused_on(&f, "BlockDeviceMappings[0].Ebs.Encrypted");
}

#[test]
fn sizes_are_checked_per_volume_type() {
    for (vtype, bad, good) in [
        ("gp2", "16385", "16384"),
        ("gp3", "65537", "65536"),
        ("io1", "3", "4"),
        ("st1", "124", "125"),
        ("sc1", "16385", "500"),
        ("standard", "1025", "1024"),
    ] {
        let mut f = valid();
        let m = &mut f.block_device_mappings[0];
        m.volume_type = vtype.into();
        m.volume_size = bad.into();
        if vtype == "io1" {
            m.iops = "100".into();
        }
        refused_on(&f, "BlockDeviceMappings[0].Ebs.VolumeSize");
        f.block_device_mappings[0].volume_size = good.into();
        if vtype == "io1" {
            f.block_device_mappings[0].volume_size = "10".into();
        }
        assert!(
            errors_of(&f).is_empty(),
            "{vtype} {good}: {:?}",
            errors_of(&f)
        );
    }
}

#[test]
fn iops_rules_follow_the_volume_type() {
    let mut f = valid();
    let m = &mut f.block_device_mappings[0];
    m.volume_type = "io2".into();
    refused_on(&f, "BlockDeviceMappings[0].Ebs.Iops");
    f.block_device_mappings[0].iops = "256001".into();
    refused_on(&f, "BlockDeviceMappings[0].Ebs.Iops");
    f.block_device_mappings[0].iops = "256000".into();
    assert!(errors_of(&f).is_empty());
    f.block_device_mappings[0].volume_type = "gp2".into();
    refused_on(&f, "BlockDeviceMappings[0].Ebs.Iops");
    f.block_device_mappings[0].volume_type = "gp3".into();
    f.block_device_mappings[0].iops = "2999".into();
    refused_on(&f, "BlockDeviceMappings[0].Ebs.Iops");
}

#[test]
fn io1_allows_at_most_50_iops_per_gib() {
    let mut f = valid();
    let m = &mut f.block_device_mappings[0];
    m.volume_type = "io1".into();
    m.volume_size = "10".into();
    m.iops = "501".into();
    refused_on(&f, "BlockDeviceMappings[0].Ebs.Iops");
    f.block_device_mappings[0].iops = "500".into();
    assert!(errors_of(&f).is_empty());
}

#[test]
fn throughput_is_for_gp3_between_125_and_2000() {
    let mut f = valid();
    f.block_device_mappings[0].throughput = "2001".into();
    refused_on(&f, "BlockDeviceMappings[0].Ebs.Throughput");
    f.block_device_mappings[0].throughput = "125".into();
    assert!(errors_of(&f).is_empty());
    f.block_device_mappings[0].volume_type = "gp2".into();
    refused_on(&f, "BlockDeviceMappings[0].Ebs.Throughput");
}

#[test]
fn instance_store_rows_need_an_ephemeral_name() {
    let mut f = valid();
    f.block_device_mappings.push(MappingForm {
        kind: MappingKind::Ephemeral,
        device_name: "/dev/xvdc".into(),
        virtual_name: "ephemeral24".into(),
        ..MappingForm::default()
    });
    refused_on(&f, "BlockDeviceMappings[1].VirtualName");
}

#[test]
fn tags_are_limited_and_aws_keys_reserved() {
    let mut f = valid();
    f.image_tags = vec![
        TagForm {
            key: "aws:owner".into(),
            value: "x".into(),
        },
        TagForm {
            key: "k".into(),
            value: "v".repeat(257),
        },
    ];
    refused_on(&f, "TagSpecifications[image].Tags[0].Key");
    refused_on(&f, "TagSpecifications[image].Tags[1].Value");
    f.image_tags = (0..51)
        .map(|i| TagForm {
            key: format!("k{i}"),
            value: String::new(),
        })
        .collect();
    refused_on(&f, "TagSpecifications[image].Tags");
    f.image_tags = vec![
        TagForm {
            key: "team".into(),
            value: "a".into(),
        },
        TagForm {
            key: "team".into(),
            value: "b".into(),
        },
    ];
    refused_on(&f, "TagSpecifications[image].Tags[1].Key");
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut f = valid();
    f.name = "x".into();
    f.kernel_id = "bad".into();
    f.block_device_mappings[0].volume_type = "gp9".into();
    assert!(errors_of(&f).len() >= 3);
}

#[test]
fn cli_json_export_uses_api_names_exactly() {
    let mut f = valid();
    f.image_tags = vec![TagForm {
        key: "team".into(),
        value: "platform".into(),
    }];
    let r = RegisterImageRequest::try_from(&f).unwrap();
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["Name"], "web-2026-01-01");
    assert_eq!(
        json["BlockDeviceMappings"][0]["Ebs"]["SnapshotId"],
        "snap-0123456789abcdef0"
    );
    assert_eq!(json["TagSpecifications"][0]["ResourceType"], "image");
    assert_eq!(json["TagSpecifications"][0]["Tags"][0]["Key"], "team");
    assert!(json.get("KernelId").is_none());
}

#[test]
fn import_names_unknown_and_mistyped_fields() {
    let err = form_from_cli_json(r#"{"Name":"abc","Colour":"red","EnaSupport":"yes","BlockDeviceMappings":[{"DeviceName":"/dev/xvda","Ebs":{"Size":8}}]}"#, "us-east-1").unwrap_err();
    let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
    assert!(fields.contains(&"Colour"), "{fields:?}");
    assert!(fields.contains(&"EnaSupport"), "{fields:?}");
    assert!(
        fields.contains(&"BlockDeviceMappings[0].Ebs.Size"),
        "{fields:?}"
    );
    assert!(form_from_cli_json("[1]", "us-east-1").is_err());
    assert!(form_from_cli_json("{", "us-east-1").is_err());
}

#[test]
fn terraform_export_escapes_and_labels() {
    let mut f = valid();
    f.description = "say \"hi\" ${x}".into();
    let r = RegisterImageRequest::try_from(&f).unwrap();
    let tf = to_terraform(&r);
    assert!(tf.starts_with("resource \"aws_ami\" \"web_2026_01_01\" {"));
    assert!(
        tf.contains(r#"description         = "say \"hi\" $${x}""#),
        "{tf}"
    );
    assert!(tf.contains("snapshot_id           = \"snap-0123456789abcdef0\""));
}

fn arb_form() -> impl Strategy<Value = RegisterImageForm> {
    (
        "[a-z][a-z0-9._-]{2,40}",
        prop::option::of("[ -~]{0,60}"),
        prop::sample::select(vec!["x86_64", "arm64", "i386"]),
        prop::sample::select(vec!["gp3", "gp2", "io2", "st1"]),
        1u32..16,
        prop::collection::vec(("[a-z]{1,10}", "[a-z0-9 ]{0,20}"), 0..4),
        prop::bool::ANY,
    )
        .prop_map(|(name, desc, arch, vtype, extra, tags, ena)| {
            let mut f = valid();
            f.name = name;
            f.description = desc.map(|d| d.trim().to_string()).unwrap_or_default();
            f.architecture = arch.into();
            if arch == "arm64" {
                f.boot_mode = "uefi".into();
            }
            f.ena_support = ena.to_string();
            let mut data =
                MappingForm::new_ebs(&format!("/dev/xvd{}", (b'b' + extra as u8) as char));
            data.volume_type = vtype.into();
            data.volume_size = if vtype == "st1" {
                "500".into()
            } else {
                "100".into()
            };
            if vtype == "io2" {
                data.iops = "1000".into();
            }
            f.block_device_mappings.push(data);
            let mut seen = std::collections::HashSet::new();
            f.image_tags = tags
                .into_iter()
                .filter(|(k, _)| seen.insert(k.clone()))
                .map(|(key, value)| TagForm { key, value })
                .collect();
            f
        })
}

proptest! {
    #[test]
    fn import_of_the_export_gives_the_same_request(f in arb_form()) {
        let r = RegisterImageRequest::try_from(&f).unwrap();
        let json = serde_json::to_string(&r).unwrap();
        let back = RegisterImageRequest::try_from(&form_from_cli_json(&json, "us-east-1").unwrap()).unwrap();
        prop_assert_eq!(back, r);
    }

    #[test]
    fn the_form_of_a_request_checks_to_the_same_request(f in arb_form()) {
        let r = RegisterImageRequest::try_from(&f).unwrap();
        prop_assert_eq!(RegisterImageRequest::try_from(&r.to_form("us-east-1")).unwrap(), r);
    }

    #[test]
    fn any_text_in_any_field_never_panics(name in ".{0,200}", size in ".{0,12}", key in ".{0,140}") {
        let mut f = valid();
        f.name = name;
        f.block_device_mappings[0].volume_size = size.clone();
        f.block_device_mappings[0].iops = size;
        f.image_tags = vec![TagForm { key, value: String::new() }];
        let _ = RegisterImageRequest::try_from(&f);
    }

    #[test]
    fn any_json_import_never_panics(json in ".{0,300}") {
        let _ = form_from_cli_json(&json, "us-east-1");
    }
}
