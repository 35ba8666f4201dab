//! Pages for requests: the list, the editor and a request's page.

mod editor;
mod fields;
mod list;
mod local;
mod page;

pub use editor::NewRequestPage;
pub use list::RequestsPage;
pub use page::RequestPage;
