//! Unsaved edits kept in the browser (localStorage), so that nothing typed is lost on a
//! reload or an expired session.

use crate::domain::register_image::RegisterImageForm;

/// The storage key for a request's unsaved edits (`new` for a draft not saved yet).
pub fn key(id: Option<i64>) -> String {
    match id {
        Some(id) => format!("amidesk:edits:{id}"),
        None => "amidesk:edits:new".into(),
    }
}

/// Unsaved edits stored for `key`, with the revision they were based on.
pub fn load(key: &str) -> Option<(i64, RegisterImageForm)> {
    #[cfg(feature = "hydrate")]
    {
        let storage = web_sys::window()?.local_storage().ok()??;
        let text = storage.get_item(key).ok()??;
        serde_json::from_str(&text).ok()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = key;
        None
    }
}

/// Stores unsaved edits.
pub fn store(key: &str, base_revision: i64, form: &RegisterImageForm) {
    #[cfg(feature = "hydrate")]
    if let (Some(storage), Ok(text)) = (
        web_sys::window().and_then(|w| w.local_storage().ok().flatten()),
        serde_json::to_string(&(base_revision, form)),
    ) {
        let _ = storage.set_item(key, &text);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (key, base_revision, form);
}

/// Forgets unsaved edits after a successful save.
pub fn clear(key: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.remove_item(key);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = key;
}
