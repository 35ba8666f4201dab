//! The RegisterImage request: every API field, every rule, written once and used by the
//! browser form (as the user types), the server (which never trusts the browser) and the API.

mod diff;
mod export;
mod form;
mod import;
mod request;
mod values;

pub use diff::{diff_forms, FieldChange};
pub use export::to_terraform;
pub use form::{MappingForm, MappingKind, RegisterImageForm, TagForm, MAX_MAPPINGS, MAX_TAG_ROWS};
pub use import::form_from_cli_json;
pub use request::{
    check, BlockDeviceMapping, EbsBlockDevice, RegisterImageRequest, Tag, TagSpecification,
    Warnings,
};
pub use values::*;

#[cfg(test)]
mod tests;
