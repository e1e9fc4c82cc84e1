//! Field and label selectors as apimachinery parses them.
//!
//! The Node authorizer reads field-selector requirements (`spec.nodeName=<node>`); a
//! SubjectAccessReview's `evaluationError` reports whether either selector failed to parse.
//! So parsing must accept and reject exactly what apimachinery does; requirements keep
//! upstream's order (field terms sorted as strings, label requirements sorted by key).

use serde::{Deserialize, Serialize};

/// Selector operators that survive into requirements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Operator {
    /// `=` or `==` (and field `In` with one value).
    Equals,
    /// `!=` (and field `NotIn` with one value).
    NotEquals,
    /// `in (..)`.
    In,
    /// `notin (..)`.
    NotIn,
    /// `key`.
    Exists,
    /// `!key`.
    DoesNotExist,
    /// `key > n`.
    GreaterThan,
    /// `key < n`.
    LessThan,
}

/// One field-selector requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRequirement {
    /// Field path, e.g. `spec.nodeName`.
    pub field: String,
    /// `Equals` or `NotEquals`.
    pub operator: Operator,
    /// The (unescaped) value.
    pub value: String,
}

/// One label-selector requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelRequirement {
    /// Label key.
    pub key: String,
    /// Operator.
    pub operator: Operator,
    /// Values (sorted, as upstream stores a set).
    pub values: Vec<String>,
}

/// A selector upstream refuses; the message is upstream's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SelectorError {
    /// Upstream's error text, e.g. `invalid selector: 'a'; can't understand 'a'`.
    pub message: String,
}

impl From<String> for SelectorError {
    fn from(message: String) -> Self {
        SelectorError { message }
    }
}

/// Parses a raw field selector (`fields.ParseSelector`).
pub fn parse_field_selector(raw: &str) -> Result<Vec<FieldRequirement>, SelectorError> {
    field_requirements(raw).map_err(SelectorError::from)
}

fn field_requirements(raw: &str) -> Result<Vec<FieldRequirement>, String> {
    let mut terms = split_field_terms(raw);
    terms.sort();
    let mut out = Vec::new();
    for term in terms {
        if term.is_empty() {
            continue;
        }
        let Some((lhs, op, rhs)) = split_field_term(term) else {
            return Err(format!("invalid selector: '{raw}'; can't understand '{term}'"));
        };
        let value = unescape_field_value(rhs)?;
        out.push(FieldRequirement { field: lhs.to_string(), operator: op, value });
    }
    Ok(out)
}

fn split_field_terms(s: &str) -> Vec<&str> {
    if s.is_empty() {
        return Vec::new();
    }
    let mut terms = Vec::new();
    let mut start = 0;
    let mut in_slash = false;
    for (i, c) in s.char_indices() {
        if in_slash {
            in_slash = false;
        } else if c == '\\' {
            in_slash = true;
        } else if c == ',' {
            terms.push(&s[start..i]);
            start = i + 1;
        }
    }
    terms.push(&s[start..]);
    terms
}

fn split_field_term(term: &str) -> Option<(&str, Operator, &str)> {
    for (i, _) in term.char_indices() {
        let rest = &term[i..];
        for (tok, op) in [("!=", Operator::NotEquals), ("==", Operator::Equals), ("=", Operator::Equals)] {
            if let Some(rhs) = rest.strip_prefix(tok) {
                return Some((&term[..i], op, rhs));
            }
        }
    }
    None
}

fn unescape_field_value(s: &str) -> Result<String, String> {
    if !s.contains(['\\', ',', '=']) {
        return Ok(s.to_string());
    }
    let mut out = String::with_capacity(s.len());
    let mut in_slash = false;
    for c in s.chars() {
        if in_slash {
            match c {
                '\\' | ',' | '=' => out.push(c),
                _ => return Err(format!("invalid escape sequence: \\{c}")),
            }
            in_slash = false;
            continue;
        }
        match c {
            '\\' => in_slash = true,
            ',' | '=' => return Err(format!("invalid selector: unescaped character {c}")),
            _ => out.push(c),
        }
    }
    if in_slash {
        return Err("invalid escape sequence: \\".into());
    }
    Ok(out)
}

/// Converts SubjectAccessReview field requirements (`{key, operator, values}`) as the
/// apiserver does: `In`/`NotIn` with exactly one value; everything else is an error.
/// Returns the requirements that converted and the aggregated error, if any.
pub fn field_requirements_from_api(reqs: &[(String, String, Vec<String>)]) -> (Vec<FieldRequirement>, Option<String>) {
    let mut out = Vec::new();
    let mut errs: Vec<String> = Vec::new();
    for (key, op, values) in reqs {
        if values.len() > 1 {
            errs.push("fieldSelectors do not yet support multiple values".into());
            continue;
        }
        match op.as_str() {
            "In" | "NotIn" if values.len() != 1 => {
                let which = if op == "In" { "in" } else { "not in" };
                errs.push(format!("fieldSelectors {which} must have one value"));
            }
            "In" => out.push(FieldRequirement { field: key.clone(), operator: Operator::Equals, value: values[0].clone() }),
            "NotIn" => out.push(FieldRequirement { field: key.clone(), operator: Operator::NotEquals, value: values[0].clone() }),
            "Exists" | "DoesNotExist" => errs.push(format!("fieldSelectors do not yet support {op}")),
            _ => errs.push(format!("{} is not a valid field selector operator", crate::gostr::quote(op))),
        }
    }
    let err = (!errs.is_empty()).then(|| crate::authz::aggregate_errors(&errs));
    (out, err)
}

/// Converts SubjectAccessReview label requirements as the apiserver does
/// (`In`, `NotIn`, `Exists`, `DoesNotExist`, each validated as `labels.NewRequirement`).
pub fn label_requirements_from_api(reqs: &[(String, String, Vec<String>)]) -> (Vec<LabelRequirement>, Option<String>) {
    let mut out = Vec::new();
    let mut errs: Vec<String> = Vec::new();
    for (key, op, values) in reqs {
        let op = match op.as_str() {
            "In" => Operator::In,
            "NotIn" => Operator::NotIn,
            "Exists" => Operator::Exists,
            "DoesNotExist" => Operator::DoesNotExist,
            other => {
                errs.push(format!("{} is not a valid label selector operator", crate::gostr::quote(other)));
                continue;
            }
        };
        match new_label_requirement(key, op, values.clone()) {
            Ok(r) => out.push(r),
            Err(e) => errs.push(e),
        }
    }
    let err = (!errs.is_empty()).then(|| crate::authz::aggregate_errors(&errs));
    (out, err)
}

/// Validates one label requirement like `labels.NewRequirement`.
fn new_label_requirement(key: &str, op: Operator, mut values: Vec<String>) -> Result<LabelRequirement, String> {
    validate_label_key(key)?;
    match op {
        Operator::In | Operator::NotIn => {
            if values.is_empty() {
                return Err("for 'in', 'notin' operators, values set can't be empty".into());
            }
        }
        Operator::Equals | Operator::NotEquals => {
            if values.len() != 1 {
                return Err("exact-match compatibility requires one single value".into());
            }
        }
        Operator::Exists | Operator::DoesNotExist => {
            if !values.is_empty() {
                return Err("values set must be empty for exists and does not exist".into());
            }
        }
        Operator::GreaterThan | Operator::LessThan => {
            if values.len() != 1 {
                return Err("for 'Gt', 'Lt' operators, exactly one value is required".into());
            }
            if values[0].parse::<i64>().is_err() {
                return Err("for 'Gt', 'Lt' operators, the value must be an integer".into());
            }
        }
    }
    for v in &values {
        validate_label_value(v)?;
    }
    values.sort();
    values.dedup();
    Ok(LabelRequirement { key: key.to_string(), operator: op, values })
}

fn is_qualified_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

pub(crate) fn is_dns1123_subdomain(s: &str) -> bool {
    s.len() <= 253
        && !s.is_empty()
        && s.split('.').all(|l| {
            let b = l.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_lowercase() | b[0].is_ascii_digit()
                && (b[b.len() - 1].is_ascii_lowercase() || b[b.len() - 1].is_ascii_digit())
                && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        })
}

/// `validation.IsQualifiedName` (apimachinery's `content.IsLabelKey`): every message
/// upstream returns, in its order (an empty name part fails both the emptiness and the
/// pattern check).
pub(crate) fn qualified_name_errors(key: &str) -> Vec<String> {
    const KEY_MSG: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
    let mut errs = Vec::new();
    let parts: Vec<&str> = key.split('/').collect();
    let name = match parts[..] {
        [name] => name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".to_string());
            } else {
                if prefix.len() > 253 {
                    errs.push("prefix part must be no more than 253 bytes".to_string());
                }
                if !is_dns1123_subdomain_pattern(prefix) {
                    errs.push("prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')".to_string());
                }
            }
            name
        }
        _ => {
            return vec![format!("a valid label key {KEY_MSG} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')")];
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".into());
    } else if name.len() > 63 {
        errs.push("name part must be no more than 63 bytes".into());
    }
    if !is_label_key_pattern(name) {
        errs.push(format!("name part {KEY_MSG}"));
    }
    errs
}

/// `validation.IsValidLabelValue` (apimachinery's `content.IsLabelValue`): every message.
pub(crate) fn label_value_errors(v: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if v.len() > 63 {
        errs.push("must be no more than 63 bytes".to_string());
    }
    if !v.is_empty() && !is_label_key_pattern(v) {
        errs.push("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')".to_string());
    }
    errs
}

/// `^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$` (no length limit: that is checked apart).
fn is_label_key_pattern(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// The DNS-1123 subdomain pattern alone (no length limit).
fn is_dns1123_subdomain_pattern(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|l| {
            let b = l.as_bytes();
            !b.is_empty()
                && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
                && (b[b.len() - 1].is_ascii_lowercase() || b[b.len() - 1].is_ascii_digit())
                && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        })
}

fn validate_label_key(key: &str) -> Result<(), String> {
    let ok = match key.split_once('/') {
        Some((prefix, name)) => is_dns1123_subdomain(prefix) && is_qualified_name_part(name) && !name.contains('/'),
        None => is_qualified_name_part(key),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("key: Invalid value: {}: name part must consist of alphanumeric characters", crate::gostr::quote(key)))
    }
}

fn validate_label_value(v: &str) -> Result<(), String> {
    if v.is_empty() || is_qualified_name_part(v) {
        Ok(())
    } else {
        Err(format!(
            "values[0][key]: Invalid value: {}: a valid label must be an empty string or consist of alphanumeric characters",
            crate::gostr::quote(v)
        ))
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Eq,
    DoubleEq,
    NotEq,
    Not,
    In,
    NotIn,
    Gt,
    Lt,
    Open,
    Close,
    Comma,
}

/// Upstream's label selector lexer (`labels.Lexer`), restated: it reads bytes, only space,
/// tab, CR and LF are whitespace (a form feed or vertical tab is part of an identifier), and
/// it reads a NUL byte as the end of its input: at the start of a token the selector ends
/// there; inside an identifier or operator run the NUL ends the token and lexing resumes
/// after it.
fn lex_labels(s: &str) -> Result<Vec<Tok>, String> {
    let special = |c: char| matches!(c, '!' | '=' | '>' | '<' | '(' | ')' | ',');
    let whitespace = |c: char| matches!(c, ' ' | '\t' | '\r' | '\n');
    let mut toks = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    loop {
        while i < chars.len() && whitespace(chars[i]) {
            i += 1;
        }
        if i >= chars.len() || chars[i] == '\0' {
            break;
        }
        let c = chars[i];
        if special(c) {
            let next = chars.get(i + 1).copied();
            let (tok, len) = match (c, next) {
                ('!', Some('=')) => (Tok::NotEq, 2),
                ('=', Some('=')) => (Tok::DoubleEq, 2),
                ('!', _) => (Tok::Not, 1),
                ('=', _) => (Tok::Eq, 1),
                ('>', _) => (Tok::Gt, 1),
                ('<', _) => (Tok::Lt, 1),
                ('(', _) => (Tok::Open, 1),
                (')', _) => (Tok::Close, 1),
                _ => (Tok::Comma, 1),
            };
            toks.push(tok);
            i += len;
            // The run's loop reads on: a NUL ends it and is consumed.
            if chars.get(i) == Some(&'\0') {
                i += 1;
            }
            continue;
        }
        let mut j = i;
        while j < chars.len() && !whitespace(chars[j]) && !special(chars[j]) && chars[j] != '\0' {
            j += 1;
        }
        let word: String = chars[i..j].iter().collect();
        toks.push(match word.as_str() {
            "in" => Tok::In,
            "notin" => Tok::NotIn,
            _ => Tok::Ident(word),
        });
        i = if chars.get(j) == Some(&'\0') { j + 1 } else { j };
    }
    Ok(toks)
}

/// Parses a raw label selector (`labels.Parse`), returning requirements sorted by key.
pub fn parse_label_selector(raw: &str) -> Result<Vec<LabelRequirement>, SelectorError> {
    label_requirements(raw).map_err(SelectorError::from)
}

fn label_requirements(raw: &str) -> Result<Vec<LabelRequirement>, String> {
    let toks = lex_labels(raw)?;
    let mut reqs = Vec::new();
    let mut i = 0;
    let bad = |what: &str| Err(format!("unable to parse requirement: {what}"));
    if toks.is_empty() {
        return Ok(reqs);
    }
    loop {
        let mut negate = false;
        if toks.get(i) == Some(&Tok::Not) {
            negate = true;
            i += 1;
        }
        let key = match toks.get(i) {
            Some(Tok::Ident(k)) => k.clone(),
            _ => return bad("found unexpected token, expected: identifier"),
        };
        i += 1;
        let at_end = matches!(toks.get(i), None | Some(Tok::Comma));
        let req = if negate {
            if !at_end {
                return bad("exists operator does not take values");
            }
            new_label_requirement(&key, Operator::DoesNotExist, vec![])?
        } else if at_end {
            new_label_requirement(&key, Operator::Exists, vec![])?
        } else {
            let op = match toks.get(i) {
                Some(Tok::Eq) | Some(Tok::DoubleEq) => Operator::Equals,
                Some(Tok::NotEq) => Operator::NotEquals,
                Some(Tok::In) => Operator::In,
                Some(Tok::NotIn) => Operator::NotIn,
                Some(Tok::Gt) => Operator::GreaterThan,
                Some(Tok::Lt) => Operator::LessThan,
                _ => return bad("found unexpected token, expected an operator"),
            };
            i += 1;
            // In the parser's Values context the keywords `in` and `notin` are identifiers.
            let ident = |t: Option<&Tok>| match t {
                Some(Tok::Ident(v)) => Some(v.clone()),
                Some(Tok::In) => Some("in".to_string()),
                Some(Tok::NotIn) => Some("notin".to_string()),
                _ => None,
            };
            let values = if matches!(op, Operator::In | Operator::NotIn) {
                // parseValues: `(` then `)` (the set {""}) or an identifier list.
                if toks.get(i) != Some(&Tok::Open) {
                    return bad("found unexpected token, expected: '('");
                }
                i += 1;
                if toks.get(i) == Some(&Tok::Close) {
                    i += 1;
                    vec![String::new()]
                } else if ident(toks.get(i)).is_some() || toks.get(i) == Some(&Tok::Comma) {
                    // parseIdentifiersList, which leaves the closing `)` to its caller.
                    let mut vals = Vec::new();
                    loop {
                        let t = toks.get(i);
                        i += 1;
                        if let Some(v) = ident(t) {
                            vals.push(v);
                            match toks.get(i) {
                                Some(Tok::Comma) => continue,
                                Some(Tok::Close) => break,
                                _ => return bad("found unexpected token, expected: ',' or ')'"),
                            }
                        } else if t == Some(&Tok::Comma) {
                            if vals.is_empty() {
                                vals.push(String::new()); // "(,"
                            }
                            match toks.get(i) {
                                Some(Tok::Close) => {
                                    vals.push(String::new()); // ",)"
                                    break;
                                }
                                Some(Tok::Comma) => {
                                    i += 1;
                                    vals.push(String::new()); // ",,"
                                }
                                _ => {}
                            }
                        } else {
                            return bad("found unexpected token, expected: ',', or identifier");
                        }
                    }
                    i += 1; // the `)` the list stopped at
                    vals
                } else {
                    return bad("found unexpected token, expected: ',', ')' or identifier");
                }
            } else {
                // parseExactValue: end of input or `,` means the empty value.
                match toks.get(i) {
                    None | Some(Tok::Comma) => vec![String::new()],
                    t => match ident(t) {
                        Some(v) => {
                            i += 1;
                            vec![v]
                        }
                        None => return bad("found unexpected token, expected: identifier"),
                    },
                }
            };
            new_label_requirement(&key, op, values)?
        };
        reqs.push(req);
        match toks.get(i) {
            None => break,
            Some(Tok::Comma) => {
                i += 1;
                if toks.get(i).is_none() {
                    return bad("found '', expected: identifier after ','");
                }
            }
            _ => return bad("found unexpected token, expected: ','"),
        }
    }
    reqs.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(reqs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_selectors() {
        let r = parse_field_selector("spec.nodeName=n1").unwrap();
        assert_eq!(r, vec![FieldRequirement { field: "spec.nodeName".into(), operator: Operator::Equals, value: "n1".into() }]);
        let r = parse_field_selector("b!=2,a==1").unwrap();
        assert_eq!(r[0].field, "a");
        assert_eq!(r[1].operator, Operator::NotEquals);
        assert_eq!(parse_field_selector("a=x\\,y").unwrap()[0].value, "x,y");
        assert!(parse_field_selector("nooperator").is_err());
        assert!(parse_field_selector("a=b=c").is_err());
        assert!(parse_field_selector("a=\\q").is_err());
        assert!(parse_field_selector("").unwrap().is_empty());
    }

    #[test]
    fn field_requirements_from_sar() {
        let (r, e) = field_requirements_from_api(&[("spec.nodeName".into(), "In".into(), vec!["n".into()])]);
        assert_eq!(r.len(), 1);
        assert!(e.is_none());
        let (r, e) = field_requirements_from_api(&[("a".into(), "Exists".into(), vec![]), ("b".into(), "NotIn".into(), vec!["x".into()])]);
        assert_eq!(r.len(), 1);
        assert!(e.is_some());
    }

    #[test]
    fn label_value_sets_like_upstream() {
        let values = |raw: &str| parse_label_selector(raw).map(|r| r[0].values.clone());
        assert_eq!(values("a notin ()").unwrap(), [""]);
        assert_eq!(values("a in ()").unwrap(), [""]);
        assert_eq!(values("a in (,)").unwrap(), [""]);
        assert_eq!(values("a in (b,)").unwrap(), ["", "b"]);
        assert_eq!(values("a in (,b)").unwrap(), ["", "b"]);
        assert_eq!(values("a in (b,,c)").unwrap(), ["", "b", "c"]);
        assert!(values("a in (,,)").is_err(), "upstream's list parser refuses a second comma before ')'");
        assert!(values("a in (b,,)").is_err());
        assert!(values("a in (b c)").is_err());
        assert_eq!(values("a in (in,notin)").unwrap(), ["in", "notin"]);
        assert_eq!(values("a=in").unwrap(), ["in"]);
        assert_eq!(values("a=").unwrap(), [""]);
        assert!(parse_label_selector("in=a").is_err());
    }

    #[test]
    fn label_lexer_like_upstream() {
        // Form feed and vertical tab are not whitespace: they belong to the identifier,
        // which is then not a valid label key.
        assert!(parse_label_selector("q\u{c}").is_err());
        assert!(parse_label_selector("q\u{b}=v").is_err());
        assert_eq!(parse_label_selector(" a\t=\r\nb ").unwrap().len(), 1);
        // A NUL at the start of a token ends the selector; inside a token it ends the token.
        assert_eq!(parse_label_selector("a \0 !!! junk").unwrap().len(), 1);
        assert!(parse_label_selector("\0anything").unwrap().is_empty());
        assert!(parse_label_selector("a\0b").is_err(), "two identifiers in a row");
        assert_eq!(parse_label_selector("a=\0b").unwrap()[0].values, ["b"]);
    }

    #[test]
    fn label_selectors() {
        assert_eq!(parse_label_selector("a=b,c in (x,y),!d,e").unwrap().len(), 4);
        assert!(parse_label_selector("a in (").is_err());
        assert!(parse_label_selector("-bad=x").is_err());
        assert!(parse_label_selector("a=b,").is_err());
        assert!(parse_label_selector("a>x").is_err());
        assert!(parse_label_selector("a>5").is_ok());
        assert!(parse_label_selector("").unwrap().is_empty());
        assert!(parse_label_selector("example.com/app!=web").is_ok());
    }
}
