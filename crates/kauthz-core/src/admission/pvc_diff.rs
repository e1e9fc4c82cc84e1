//! PLACEHOLDER until the nr-pvcdiff branch lands: compares without upstream's diff text.
/// None when equal after blanking; otherwise the diff text (placeholder: empty).
pub fn pvc_status_update_diff(old: &serde_json::Value, new: &serde_json::Value, expansion_recovery: bool) -> Option<String> {
    let blank = |v: &serde_json::Value| {
        let mut v = v.clone();
        if let Some(m) = v.get_mut("metadata").and_then(|m| m.as_object_mut()) {
            m.remove("resourceVersion");
            m.remove("managedFields");
        }
        if let Some(s) = v.get_mut("status").and_then(|m| m.as_object_mut()) {
            s.remove("capacity");
            s.remove("conditions");
            if expansion_recovery {
                s.remove("allocatedResources");
                s.remove("allocatedResourceStatuses");
            }
        }
        v
    };
    (blank(old) != blank(new)).then(String::new)
}
