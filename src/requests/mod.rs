//! RegisterImage requests: drafts, revisions, lists, import and export.

use crate::auth::TeamRef;
use crate::domain::register_image::RegisterImageForm;
use crate::domain::{RequestId, RequestState, TeamId};
use serde::{Deserialize, Serialize};

mod api;
pub use api::*;
#[cfg(feature = "ssr")]
pub mod export_routes;
#[cfg(feature = "ssr")]
pub mod prefetch;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
pub mod views;

/// A request as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RequestSummary {
    /// Its id.
    pub id: i64,
    /// Owning team's name.
    pub team: String,
    /// The AMI name (may be empty in a fresh draft).
    pub name: String,
    /// Target Region.
    pub region: String,
    /// State name.
    pub state: String,
    /// Author's display name.
    pub author: String,
    /// Last change (RFC 3339 UTC).
    pub updated_at: String,
    /// Current revision.
    pub revision: i64,
}

/// One request with its content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDetail {
    /// Its id.
    pub id: RequestId,
    /// Owning team.
    pub team_id: TeamId,
    /// Owning team's name.
    pub team: String,
    /// Author's display name.
    pub author: String,
    /// Who saved the current revision.
    pub last_editor: String,
    /// Where it stands.
    pub state: RequestState,
    /// Current revision (every save adds one).
    pub revision: i64,
    /// The content.
    pub form: RegisterImageForm,
    /// SHA-256 of the content.
    pub content_hash: String,
    /// Created (RFC 3339 UTC).
    pub created_at: String,
    /// Last change (RFC 3339 UTC).
    pub updated_at: String,
    /// The registered image, once there is one.
    pub image_id: Option<String>,
    /// Whether the signed-in user may edit it now.
    pub can_edit: bool,
    /// Fields locked by the template the request started from.
    pub locked: Vec<crate::domain::template::TemplateField>,
}

/// One saved revision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct RevisionInfo {
    /// Its number.
    pub revision: i64,
    /// Who saved it.
    pub editor: String,
    /// When.
    pub created_at: String,
    /// SHA-256 of its content.
    pub content_hash: String,
}

/// Which requests a list shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ListScope {
    /// Requests I wrote.
    #[default]
    Mine,
    /// Requests of my teams.
    Team,
}

/// Filters for the request list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListFilter {
    /// Mine or my teams'.
    pub scope: ListScope,
    /// Only this state (its name), when set.
    pub state: String,
    /// Text in the name, Region or author.
    pub search: String,
    /// Only this team (its name), when set.
    pub team: String,
    /// Where the previous page ended (opaque).
    pub cursor: String,
}

impl ListFilter {
    /// The filter a list address asks for (`scope`, `state`, `q`, `team`, `cursor`): the page
    /// reads it from the router, the server's prefetch from the request — one rule for both.
    pub fn from_query(q: &leptos_router::params::ParamsMap) -> Self {
        let text = |key: &str| q.get_str(key).unwrap_or_default().to_string();
        Self {
            scope: if q.get_str("scope") == Some("team") {
                ListScope::Team
            } else {
                ListScope::Mine
            },
            state: text("state"),
            search: text("q"),
            cursor: text("cursor"),
            team: text("team"),
        }
    }
}

/// One page of the request list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestPage {
    /// The rows, newest change first.
    pub rows: Vec<RequestSummary>,
    /// The cursor of the next page, if there is one.
    pub next_cursor: Option<String>,
}

/// What the editor needs to offer: the allowed Regions and the user's teams.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorOptions {
    /// Regions requests may target.
    pub regions: Vec<String>,
    /// Teams the user may file requests for.
    pub teams: Vec<TeamRef>,
    /// Today (UTC, YYYY-MM-DD), for placeholder previews.
    pub today: String,
}

/// The result of a save.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    /// The request.
    pub id: RequestId,
    /// Its new revision.
    pub revision: i64,
}

/// EC2's verdict on a request sent with `DryRun=true`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DryRunVerdict {
    /// Whether EC2 said the call would succeed.
    pub would_succeed: bool,
    /// EC2's error code (`DryRunOperation` on success).
    pub code: String,
    /// A sentence for the user.
    pub message: String,
}
