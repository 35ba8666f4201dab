//! Team-shared templates: a vetted, versioned starting point for new requests, with fields
//! that are defaults or locked.

use crate::domain::template::TemplateContent;
use serde::{Deserialize, Serialize};

mod api;
pub use api::*;
#[cfg(feature = "ssr")]
pub mod download;
mod editor;
pub use editor::{EditTemplatePage, NewTemplatePage};
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
pub mod views;

/// A template as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TemplateSummary {
    /// Id.
    pub id: i64,
    /// Owning team.
    pub team: String,
    /// Name.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// Current version.
    pub version: i64,
    /// No longer offered.
    pub archived: bool,
    /// Last change.
    pub updated_at: String,
}

/// One version of a template, with the requests made from it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct TemplateVersion {
    /// Its number.
    pub version: i64,
    /// Who saved it.
    pub editor: String,
    /// When.
    pub created_at: String,
    /// Requests started from it.
    pub requests: i64,
}

/// A template with its current content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateDetail {
    /// The listing facts.
    pub summary: TemplateSummary,
    /// The fields it sets and how.
    pub content: TemplateContent,
    /// Whether the viewer may edit or archive it.
    pub can_edit: bool,
}
