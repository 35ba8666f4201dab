//! The one conversion from a checked request to the SDK's RegisterImage call.

use crate::domain::register_image::{
    BlockDeviceMapping, RegisterImageRequest, TagResourceType, TagSpecification,
};
use aws_sdk_ec2::operation::register_image::builders::RegisterImageFluentBuilder;
use aws_sdk_ec2::types::{
    ArchitectureValues, BlockDeviceMapping as SdkMapping, BootModeValues, EbsBlockDevice as SdkEbs,
    ImdsSupportValues, ResourceType, Tag as SdkTag, TagSpecification as SdkTagSpec,
    TpmSupportValues, VolumeType as SdkVolumeType,
};
use aws_sdk_ec2::Client;

/// The RegisterImage call for `req`, with `extra_image_tags` added to the image's tags.
pub fn register_image_call(
    client: &Client,
    req: &RegisterImageRequest,
    dry_run: bool,
    extra_image_tags: &[(String, String)],
) -> RegisterImageFluentBuilder {
    let mut call = client
        .register_image()
        .dry_run(dry_run)
        .name(req.name.as_str())
        .architecture(ArchitectureValues::from(req.architecture.as_str()))
        .virtualization_type(req.virtualization_type.as_str())
        .set_description(req.description.clone())
        .set_boot_mode(req.boot_mode.map(|b| BootModeValues::from(b.as_str())))
        .set_root_device_name(req.root_device_name.clone())
        .set_ena_support(req.ena_support)
        .set_sriov_net_support(req.sriov_net_support.clone())
        .set_imds_support(req.imds_support.as_deref().map(ImdsSupportValues::from))
        .set_tpm_support(req.tpm_support.as_deref().map(TpmSupportValues::from))
        .set_uefi_data(req.uefi_data.clone())
        .set_kernel_id(req.kernel_id.clone())
        .set_ramdisk_id(req.ramdisk_id.clone())
        .set_image_location(req.image_location.clone());
    for product in &req.billing_products {
        call = call.billing_products(product);
    }
    for mapping in &req.block_device_mappings {
        call = call.block_device_mappings(sdk_mapping(mapping));
    }
    let mut specs = req.tag_specifications.clone();
    if !extra_image_tags.is_empty() {
        let tags = extra_image_tags
            .iter()
            .map(|(k, v)| crate::domain::register_image::Tag {
                key: k.clone(),
                value: v.clone(),
            });
        match specs
            .iter_mut()
            .find(|s| s.resource_type == TagResourceType::Image)
        {
            Some(spec) => spec.tags.extend(tags),
            None => specs.push(TagSpecification {
                resource_type: TagResourceType::Image,
                tags: tags.collect(),
            }),
        }
    }
    for spec in &specs {
        call = call.tag_specifications(sdk_tag_spec(spec));
    }
    call
}

fn sdk_mapping(m: &BlockDeviceMapping) -> SdkMapping {
    let ebs = m.ebs.as_ref().map(|e| {
        SdkEbs::builder()
            .set_delete_on_termination(e.delete_on_termination)
            .set_iops(e.iops)
            .set_snapshot_id(e.snapshot_id.clone())
            .set_volume_size(e.volume_size)
            .set_volume_type(e.volume_type.map(|t| SdkVolumeType::from(t.as_str())))
            .set_throughput(e.throughput)
            .set_encrypted(e.encrypted)
            .build()
    });
    SdkMapping::builder()
        .device_name(&m.device_name)
        .set_virtual_name(m.virtual_name.clone())
        .set_ebs(ebs)
        .set_no_device(m.no_device.clone())
        .build()
}

fn sdk_tag_spec(spec: &TagSpecification) -> SdkTagSpec {
    let kind = match spec.resource_type {
        TagResourceType::Image => ResourceType::Image,
        TagResourceType::Snapshot => ResourceType::Snapshot,
    };
    let mut b = SdkTagSpec::builder().resource_type(kind);
    for t in &spec.tags {
        b = b.tags(SdkTag::builder().key(&t.key).value(&t.value).build());
    }
    b.build()
}
