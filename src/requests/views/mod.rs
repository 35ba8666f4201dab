//! Pages for requests: the list, the editor and a request's page.

pub(crate) mod editor;
pub(crate) mod fields;
mod list;
mod local;
mod page;

pub use editor::NewRequestPage;
pub use list::{rows_html, RequestsPage};
pub use page::RequestPage;
