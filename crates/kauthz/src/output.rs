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

/// A terminal colour for a whole table row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    /// Critical, escalating.
    Red,
    /// High.
    Yellow,
    /// Contained, fine.
    Green,
    /// Informational.
    Dim,
}

/// Whether to colour: stdout is a terminal and `NO_COLOR` is not set (plain when piped).
pub fn colour_enabled() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Colours the lines of an aligned table after alignment (so escape codes never skew the
/// columns): line `i + 1` (after the header) gets `colours[i]`.
pub fn colour_rows(table: &str, colours: &[Option<Colour>]) -> String {
    if !colour_enabled() {
        return table.to_string();
    }
    let mut out = String::with_capacity(table.len() + colours.len() * 10);
    for (i, line) in table.lines().enumerate() {
        let code = i.checked_sub(1).and_then(|r| colours.get(r).copied().flatten()).map(|c| match c {
            Colour::Red => "31",
            Colour::Yellow => "33",
            Colour::Green => "32",
            Colour::Dim => "2",
        });
        match code {
            Some(code) => out.push_str(&format!("\x1b[{code}m{line}\x1b[0m\n")),
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}
