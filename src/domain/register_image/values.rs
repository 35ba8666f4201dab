//! The typed values of a RegisterImage request, each with its one parser.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Declares a closed set of API values as an enum with `parse`, `as_str` and `ALL`.
macro_rules! api_enum {
    ($(#[$doc:meta])* $name:ident, $label:literal { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in the order the form offers them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The API's spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses the API's spelling.
            pub fn parse(raw: &str) -> Result<Self, String> {
                let raw = raw.trim();
                Self::ALL.iter().copied().find(|v| v.as_str() == raw).ok_or_else(|| {
                    let allowed: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    if raw.is_empty() {
                        format!("Choose a {}: {}.", $label, allowed.join(", "))
                    } else {
                        format!("{} must be one of {} (got {raw:?}).", $label, allowed.join(", "))
                    }
                })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

api_enum!(
    /// The processor architecture of the image.
    Architecture, "architecture" {
        /// 64-bit x86.
        X86_64 = "x86_64",
        /// 64-bit ARM (Graviton).
        Arm64 = "arm64",
        /// 32-bit x86.
        I386 = "i386",
        /// x86 Mac.
        X86_64Mac = "x86_64_mac",
        /// ARM Mac.
        Arm64Mac = "arm64_mac",
    }
);

api_enum!(
    /// How instances from the image are virtualised.
    VirtualizationType, "virtualization type" {
        /// Hardware virtual machine (all current instance types).
        Hvm = "hvm",
        /// Paravirtual (legacy).
        Paravirtual = "paravirtual",
    }
);

api_enum!(
    /// The boot mode of the image.
    BootMode, "boot mode" {
        /// UEFI.
        Uefi = "uefi",
        /// UEFI where the instance type supports it, else legacy BIOS.
        UefiPreferred = "uefi-preferred",
        /// Legacy BIOS.
        LegacyBios = "legacy-bios",
    }
);

api_enum!(
    /// The EBS volume type.
    VolumeType, "volume type" {
        /// General purpose SSD, current generation.
        Gp3 = "gp3",
        /// General purpose SSD, previous generation.
        Gp2 = "gp2",
        /// Provisioned IOPS SSD.
        Io2 = "io2",
        /// Provisioned IOPS SSD, previous generation.
        Io1 = "io1",
        /// Throughput-optimised HDD.
        St1 = "st1",
        /// Cold HDD.
        Sc1 = "sc1",
        /// Magnetic.
        Standard = "standard",
    }
);

api_enum!(
    /// The kind of resource a tag specification tags.
    TagResourceType, "resource type" {
        /// The image.
        Image = "image",
        /// The snapshots of the image.
        Snapshot = "snapshot",
    }
);

impl VolumeType {
    /// The allowed size range in GiB.
    pub fn size_range(self) -> (i32, i32) {
        match self {
            VolumeType::Gp2 => (1, 16_384),
            VolumeType::Gp3 => (1, 65_536),
            VolumeType::Io1 => (4, 16_384),
            VolumeType::Io2 => (4, 65_536),
            VolumeType::St1 | VolumeType::Sc1 => (125, 16_384),
            VolumeType::Standard => (1, 1_024),
        }
    }

    /// The allowed IOPS range, or `None` when IOPS may not be set.
    pub fn iops_range(self) -> Option<(i32, i32)> {
        match self {
            VolumeType::Gp3 => Some((3_000, 80_000)),
            VolumeType::Io1 => Some((100, 64_000)),
            VolumeType::Io2 => Some((100, 256_000)),
            _ => None,
        }
    }

    /// Whether IOPS must be given.
    pub fn requires_iops(self) -> bool {
        matches!(self, VolumeType::Io1 | VolumeType::Io2)
    }
}

/// The `ImdsSupport` value: only `v2.0` exists.
pub const IMDS_V2: &str = "v2.0";
/// The `TpmSupport` value: only `v2.0` exists.
pub const TPM_V2: &str = "v2.0";
/// The `SriovNetSupport` value: only `simple` exists.
pub const SRIOV_SIMPLE: &str = "simple";

/// An AMI name: 3–128 characters of letters, digits, spaces and `( ) [ ] . / - ' @ _`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AmiName(String);

impl AmiName {
    /// Parses a name exactly as given (leading or trailing spaces are refused, not trimmed).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let count = raw.chars().count();
        if count == 0 {
            return Err("Name is required.".into());
        }
        if !(3..=128).contains(&count) {
            return Err(format!(
                "Name must be 3 to 128 characters long (it has {count})."
            ));
        }
        if raw.trim() != raw {
            return Err("Name must not start or end with a space.".into());
        }
        if let Some(bad) = raw
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "()[] ./-'@_".contains(*c)))
        {
            return Err(format!(
                "Name may contain only letters, digits, spaces and ( ) [ ] . / - ' @ _ (not {bad:?})."
            ));
        }
        Ok(Self(raw.to_string()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Parses an id of the form `prefix-` followed by 8 or 17 lowercase hex digits.
pub fn parse_resource_id(raw: &str, prefix: &str, what: &str) -> Result<String, String> {
    let raw = raw.trim();
    let ok = raw
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('-'))
        .is_some_and(|hex| {
            matches!(hex.len(), 8 | 17)
                && hex
                    .chars()
                    .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
        });
    if ok {
        Ok(raw.to_string())
    } else {
        Err(format!("{what} must look like {prefix}- followed by 8 or 17 hex digits (e.g. {prefix}-0123456789abcdef0)."))
    }
}

/// Parses a device name such as `/dev/xvda`, `/dev/sda1` or `xvdb`.
pub fn parse_device_name(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    let body = raw.strip_prefix("/dev/").unwrap_or(raw);
    let ok = (2..=16).contains(&body.len())
        && body.starts_with(|c: char| c.is_ascii_lowercase())
        && body
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if raw.is_empty() {
        Err("Device name is required (e.g. /dev/xvda).".into())
    } else if ok && (raw.starts_with("/dev/") || raw.starts_with("xvd")) {
        Ok(raw.to_string())
    } else {
        Err("Device name must look like /dev/xvda, /dev/sda1 or xvdb.".into())
    }
}

/// Parses an instance-store name `ephemeral0` … `ephemeral23`.
pub fn parse_virtual_name(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    match raw
        .strip_prefix("ephemeral")
        .and_then(|n| n.parse::<u8>().ok())
    {
        Some(n) if n <= 23 && raw == format!("ephemeral{n}") => Ok(raw.to_string()),
        _ => Err("Instance store name must be ephemeral0 to ephemeral23.".into()),
    }
}

/// Parses a whole number within `min..=max`; `what` names it in the message.
pub fn parse_int_in(raw: &str, min: i32, max: i32, what: &str) -> Result<i32, String> {
    let value: i64 = raw
        .trim()
        .parse()
        .map_err(|_| format!("{what} must be a whole number."))?;
    if value < i64::from(min) || value > i64::from(max) {
        return Err(format!("{what} must be between {min} and {max}."));
    }
    Ok(value as i32)
}

/// Checks that text is standard base64 (with padding), as GetInstanceUefiData returns it.
pub fn parse_base64(raw: &str) -> Result<String, String> {
    use base64::Engine;
    let cleaned: String = raw.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(cleaned.as_bytes())
        .map(|_| cleaned)
        .map_err(|_| {
            "UefiData must be valid base64 (the output of GetInstanceUefiData).".to_string()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_accept_the_documented_characters() {
        assert!(AmiName::parse("web (v1.2) [prod] team/app-x's_build@2026").is_ok());
    }

    #[test]
    fn names_refuse_other_characters_lengths_and_edge_spaces() {
        assert!(AmiName::parse("ab").is_err());
        assert!(AmiName::parse(&"a".repeat(129)).is_err());
        assert!(AmiName::parse("web#1").unwrap_err().contains("'#'"));
        assert!(AmiName::parse(" web").is_err());
        assert!(AmiName::parse("").unwrap_err().contains("required"));
    }

    #[test]
    fn enums_parse_their_api_spelling_only() {
        assert_eq!(Architecture::parse("x86_64"), Ok(Architecture::X86_64));
        assert!(Architecture::parse("amd64").unwrap_err().contains("x86_64"));
        assert_eq!(
            BootMode::parse("uefi-preferred"),
            Ok(BootMode::UefiPreferred)
        );
        assert!(VirtualizationType::parse("")
            .unwrap_err()
            .starts_with("Choose"));
    }

    #[test]
    fn resource_ids_need_8_or_17_lowercase_hex_digits() {
        assert!(parse_resource_id("snap-0123abcd", "snap", "Snapshot").is_ok());
        assert!(parse_resource_id("snap-0123456789abcdef0", "snap", "Snapshot").is_ok());
        assert!(parse_resource_id("snap-0123ABCD", "snap", "Snapshot").is_err());
        assert!(parse_resource_id("snap-0123abc", "snap", "Snapshot").is_err());
        assert!(parse_resource_id("vol-0123abcd", "snap", "Snapshot").is_err());
        assert!(parse_resource_id("aki-0123abcd", "aki", "Kernel").is_ok());
    }

    #[test]
    fn device_names_follow_linux_and_windows_forms() {
        assert!(parse_device_name("/dev/xvda").is_ok());
        assert!(parse_device_name("/dev/sda1").is_ok());
        assert!(parse_device_name("xvdb").is_ok());
        assert!(parse_device_name("/dev/").is_err());
        assert!(parse_device_name("sda").is_err());
        assert!(parse_device_name("/dev/../etc").is_err());
    }

    #[test]
    fn instance_store_names_run_from_0_to_23() {
        assert!(parse_virtual_name("ephemeral0").is_ok());
        assert!(parse_virtual_name("ephemeral23").is_ok());
        assert!(parse_virtual_name("ephemeral24").is_err());
        assert!(parse_virtual_name("ephemeral01").is_err());
    }

    #[test]
    fn volume_types_know_their_ranges() {
        assert_eq!(VolumeType::St1.size_range(), (125, 16_384));
        assert_eq!(VolumeType::Gp2.iops_range(), None);
        assert!(VolumeType::Io2.requires_iops());
    }

    #[test]
    fn uefi_data_must_be_base64() {
        assert!(parse_base64("aGVsbG8=").is_ok());
        assert!(parse_base64("not base64!").is_err());
    }
}
