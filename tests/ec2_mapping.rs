//! The field mapping from a checked request to the SDK's RegisterImage call, proven on the
//! wire: a recording proxy in front of moto captures the exact request the SDK sends.

mod common;

use amidesk::domain::register_image::{
    MappingForm, MappingKind, RegisterImageForm, RegisterImageRequest, TagForm,
};
use common::*;
use std::collections::HashMap;

fn full_form() -> RegisterImageForm {
    let mut root = MappingForm::new_ebs("/dev/xvda");
    root.snapshot_id = "snap-0123456789abcdef0".into();
    root.volume_size = "16".into();
    root.iops = "4000".into();
    root.throughput = "250".into();
    let data = MappingForm {
        kind: MappingKind::Ebs,
        device_name: "/dev/xvdb".into(),
        volume_size: "100".into(),
        volume_type: "io2".into(),
        iops: "5000".into(),
        encrypted: "true".into(),
        delete_on_termination: false,
        ..MappingForm::default()
    };
    let scratch = MappingForm {
        kind: MappingKind::Ephemeral,
        device_name: "/dev/xvdc".into(),
        virtual_name: "ephemeral0".into(),
        ..MappingForm::default()
    };
    let none = MappingForm {
        kind: MappingKind::None,
        device_name: "/dev/xvdd".into(),
        ..MappingForm::default()
    };
    RegisterImageForm {
        region: "us-east-1".into(),
        name: "mapping-proof (v1)".into(),
        description: "every field".into(),
        architecture: "arm64".into(),
        virtualization_type: "hvm".into(),
        boot_mode: "uefi".into(),
        root_device_name: "/dev/xvda".into(),
        ena_support: "true".into(),
        sriov_net_support: true,
        imds_v2: true,
        tpm_v2: true,
        uefi_data: "aGVsbG8=".into(),
        billing_products: "bp-6ba54002".into(),
        block_device_mappings: vec![root, data, scratch, none],
        image_tags: vec![TagForm {
            key: "team".into(),
            value: "platform".into(),
        }],
        snapshot_tags: vec![TagForm {
            key: "backup".into(),
            value: "daily".into(),
        }],
        ..RegisterImageForm::default()
    }
}

fn params(body: &str) -> HashMap<String, String> {
    url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect()
}

#[tokio::test]
async fn every_field_reaches_ec2_under_its_api_name() {
    let captured = Captured::default();
    let proxy = recording_proxy(captured.clone()).await;
    let settings = amidesk::settings::Settings::for_database("sqlite://unused.db");
    let gateway = amidesk::ec2::Ec2Gateway::with_sdk_config(&settings, sdk_config(&proxy));
    let request = RegisterImageRequest::try_from(&full_form()).unwrap();
    let answer = gateway
        .dry_run_register("us-east-1", &request)
        .await
        .unwrap();
    assert_eq!(answer.code, "DryRunOperation");
    let outcome = gateway
        .register_image(
            "us-east-1",
            &request,
            &[("amidesk:request-id".into(), "42".into())],
        )
        .await;
    assert!(
        matches!(
            outcome,
            amidesk::ec2::gateway::RegisterOutcome::Registered { .. }
        ),
        "{outcome:?}"
    );

    let bodies = captured.lock().unwrap().clone();
    let body = bodies
        .iter()
        .find(|b| b.contains("Action=RegisterImage"))
        .expect("a RegisterImage call");
    let p = params(body);
    let expect = [
        ("DryRun", "true"),
        ("Name", "mapping-proof (v1)"),
        ("Description", "every field"),
        ("Architecture", "arm64"),
        ("VirtualizationType", "hvm"),
        ("BootMode", "uefi"),
        ("RootDeviceName", "/dev/xvda"),
        ("EnaSupport", "true"),
        ("SriovNetSupport", "simple"),
        ("ImdsSupport", "v2.0"),
        ("TpmSupport", "v2.0"),
        ("UefiData", "aGVsbG8="),
        ("BillingProduct.1", "bp-6ba54002"),
        ("BlockDeviceMapping.1.DeviceName", "/dev/xvda"),
        (
            "BlockDeviceMapping.1.Ebs.SnapshotId",
            "snap-0123456789abcdef0",
        ),
        ("BlockDeviceMapping.1.Ebs.VolumeSize", "16"),
        ("BlockDeviceMapping.1.Ebs.VolumeType", "gp3"),
        ("BlockDeviceMapping.1.Ebs.Iops", "4000"),
        ("BlockDeviceMapping.1.Ebs.Throughput", "250"),
        ("BlockDeviceMapping.1.Ebs.DeleteOnTermination", "true"),
        ("BlockDeviceMapping.2.DeviceName", "/dev/xvdb"),
        ("BlockDeviceMapping.2.Ebs.VolumeSize", "100"),
        ("BlockDeviceMapping.2.Ebs.VolumeType", "io2"),
        ("BlockDeviceMapping.2.Ebs.Iops", "5000"),
        ("BlockDeviceMapping.2.Ebs.Encrypted", "true"),
        ("BlockDeviceMapping.2.Ebs.DeleteOnTermination", "false"),
        ("BlockDeviceMapping.3.DeviceName", "/dev/xvdc"),
        ("BlockDeviceMapping.3.VirtualName", "ephemeral0"),
        ("BlockDeviceMapping.4.DeviceName", "/dev/xvdd"),
        ("BlockDeviceMapping.4.NoDevice", ""),
        ("TagSpecification.1.ResourceType", "image"),
        ("TagSpecification.1.Tag.1.Key", "team"),
        ("TagSpecification.1.Tag.1.Value", "platform"),
        ("TagSpecification.2.ResourceType", "snapshot"),
        ("TagSpecification.2.Tag.1.Key", "backup"),
        ("TagSpecification.2.Tag.1.Value", "daily"),
    ];
    for (key, value) in expect {
        assert_eq!(
            p.get(key).map(String::as_str),
            Some(value),
            "{key} in {body}"
        );
    }
    for absent in [
        "BlockDeviceMapping.1.Ebs.Encrypted",
        "KernelId",
        "RamdiskId",
        "ImageLocation",
    ] {
        assert!(!p.contains_key(absent), "{absent} must not be sent: {body}");
    }
}
