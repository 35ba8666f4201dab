//! Team-shared templates for new requests.

pub mod views;
