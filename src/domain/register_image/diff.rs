//! Field-by-field differences between two versions of a request form.

use super::form::RegisterImageForm;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// One field that differs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// The field's path, e.g. `block_device_mappings[1].volume_size`.
    pub field: String,
    /// The value before (empty when absent).
    pub before: String,
    /// The value after (empty when absent).
    pub after: String,
}

/// Every field whose value differs between `a` and `b`, in path order.
pub fn diff_forms(a: &RegisterImageForm, b: &RegisterImageForm) -> Vec<FieldChange> {
    let (fa, fb) = (flatten(a), flatten(b));
    let mut keys: Vec<&String> = fa.keys().chain(fb.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let before = fa.get(k).cloned().unwrap_or_default();
            let after = fb.get(k).cloned().unwrap_or_default();
            (before != after).then(|| FieldChange {
                field: k.clone(),
                before,
                after,
            })
        })
        .collect()
}

/// The form as `path → text` pairs.
pub fn flatten(form: &RegisterImageForm) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Ok(value) = serde_json::to_value(form) {
        walk("", &value, &mut out);
    }
    out
}

fn walk(path: &str, v: &Value, out: &mut BTreeMap<String, String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                walk(&p, v, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                walk(&format!("{path}[{i}]"), v, out);
            }
        }
        Value::String(s) => {
            out.insert(path.to_string(), s.clone());
        }
        other => {
            out.insert(path.to_string(), other.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_forms_have_no_differences() {
        let f = RegisterImageForm::default();
        assert!(diff_forms(&f, &f).is_empty());
    }

    #[test]
    fn changed_added_and_removed_fields_are_listed() {
        let a = RegisterImageForm::default();
        let mut b = a.clone();
        b.name = "web".into();
        b.block_device_mappings.clear();
        let changes = diff_forms(&a, &b);
        assert!(changes
            .iter()
            .any(|c| c.field == "name" && c.before.is_empty() && c.after == "web"));
        assert!(changes
            .iter()
            .any(|c| c.field == "block_device_mappings[0].device_name" && c.after.is_empty()));
    }
}
