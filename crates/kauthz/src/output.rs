//! Writing structured output as JSON or YAML.

use serde::Serialize;

/// Serializes `value` as pretty JSON.
pub fn json<T: Serialize>(value: &T) -> Result<String, String> {
    serde_json::to_string_pretty(value).map(|s| s + "\n").map_err(|e| e.to_string())
}

/// Serializes `value` as YAML.
pub fn yaml<T: Serialize>(value: &T) -> Result<String, String> {
    // Going through a JSON value keeps field names and omission rules identical to -o json.
    let v = serde_json::to_value(value).map_err(|e| e.to_string())?;
    serde_saphyr::to_string(&v).map_err(|e| e.to_string())
}
