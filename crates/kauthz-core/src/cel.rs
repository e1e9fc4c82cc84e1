//! The part of CEL that AuthorizationConfiguration webhook `matchConditions` use,
//! restated from k8s.io/apiserver's `pkg/authorization/cel` (cel-go v0.29 underneath).
//!
//! Expressions are compiled against upstream's declaration of the one variable, `request`
//! (a `kubernetes.SubjectAccessReviewSpec`), type-checked (the result must be `bool`), and
//! evaluated over the request a webhook authorizer would send, with cel-go's error texts
//! and its commutative error absorption in `&&`, `||`, `exists` and `all`.
//!
//! Supported: `bool`, `int` and string literals, lists, `request` and its fields, `has()`,
//! indexing, `size`, `startsWith`, `endsWith`, `contains`, `in`, `exists`, `all`, `!`, unary
//! `-`, `&&`, `||`, `==`, `!=`, `<`, `<=`, `>`, `>=`, `+` and `?:`. Anything else (other
//! functions, the Kubernetes extension libraries, maps, floats, bytes, optional types) is
//! [`CompileError::Unsupported`]: the caller treats the webhook as not evaluable, which
//! keeps the answer undetermined rather than guessed.

use std::collections::BTreeMap;
use std::fmt;

/// Why an expression cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompileError {
    /// Upstream refuses the expression; the text is upstream's validation detail
    /// (`compilation failed: ERROR: <input>:1:1: …` or `must evaluate to bool but got …`).
    #[error("{0}")]
    Invalid(String),
    /// The expression uses CEL this module does not implement.
    #[error("unsupported CEL at offset {offset}: {what}")]
    Unsupported {
        /// Code-point offset into the expression.
        offset: usize,
        /// What was not understood.
        what: String,
    },
}

/// An evaluation error, worded as cel-go words it (`no such key: x`, …).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EvalError(pub String);

/// A runtime value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// `bool`.
    Bool(bool),
    /// `int`.
    Int(i64),
    /// `string`.
    Str(String),
    /// A list.
    List(Vec<Value>),
    /// A map or an object (objects are string-keyed maps at run time, as upstream passes
    /// them: `convertObjectToUnstructured`).
    Map(BTreeMap<String, Value>),
}

/// A static type.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ty {
    Bool,
    Int,
    Str,
    List(Box<Ty>),
    Map(Box<Ty>, Box<Ty>),
    Obj(&'static str),
    /// An expression that already failed to check: no further errors about it.
    Error,
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Bool => f.write_str("bool"),
            Ty::Int => f.write_str("int"),
            Ty::Str => f.write_str("string"),
            Ty::List(t) => write!(f, "list({t})"),
            Ty::Map(k, v) => write!(f, "map({k}, {v})"),
            Ty::Obj(n) => f.write_str(n),
            Ty::Error => f.write_str("*error*"),
        }
    }
}

const SAR_SPEC: &str = "kubernetes.SubjectAccessReviewSpec";
const RESOURCE_ATTRS: &str = "kubernetes.ResourceAttributes";
const NON_RESOURCE_ATTRS: &str = "kubernetes.NonResourceAttributes";
const FIELD_SELECTOR: &str = "kubernetes.FieldSelectorAttributes";
const LABEL_SELECTOR: &str = "kubernetes.LabelSelectorAttributes";
const SELECTOR_REQ: &str = "kubernetes.SelectorRequirement";

/// Upstream's declared fields (`buildRequestType` and friends).
fn field_type(obj: &str, field: &str) -> Option<Ty> {
    let list_str = || Ty::List(Box::new(Ty::Str));
    Some(match (obj, field) {
        (SAR_SPEC, "resourceAttributes") => Ty::Obj(RESOURCE_ATTRS),
        (SAR_SPEC, "nonResourceAttributes") => Ty::Obj(NON_RESOURCE_ATTRS),
        (SAR_SPEC, "user" | "uid") => Ty::Str,
        (SAR_SPEC, "groups") => list_str(),
        (SAR_SPEC, "extra") => Ty::Map(Box::new(Ty::Str), Box::new(list_str())),
        (RESOURCE_ATTRS, "namespace" | "verb" | "group" | "version" | "resource" | "subresource" | "name") => Ty::Str,
        (RESOURCE_ATTRS, "fieldSelector") => Ty::Obj(FIELD_SELECTOR),
        (RESOURCE_ATTRS, "labelSelector") => Ty::Obj(LABEL_SELECTOR),
        (FIELD_SELECTOR | LABEL_SELECTOR, "rawSelector") => Ty::Str,
        (FIELD_SELECTOR | LABEL_SELECTOR, "requirements") => Ty::List(Box::new(Ty::Obj(SELECTOR_REQ))),
        (SELECTOR_REQ, "key" | "operator") => Ty::Str,
        (SELECTOR_REQ, "values") => list_str(),
        (NON_RESOURCE_ATTRS, "path" | "verb") => Ty::Str,
        _ => return None,
    })
}

// ---------------------------------------------------------------- lexer

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Int(i64),
    Str(String),
    Ident(String),
    Punct(&'static str),
    Eof,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    /// Code-point offset.
    at: usize,
}

fn lex(src: &[char]) -> Result<Vec<Token>, CompileError> {
    const PUNCT: [&str; 22] =
        ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "+", "-", "*", "/", "%", "?", ":", ".", ",", "(", ")", "[", "]"];
    let mut out = Vec::new();
    let mut i = 0;
    let unsupported = |at: usize, what: &str| CompileError::Unsupported { offset: at, what: what.into() };
    'outer: while i < src.len() {
        let c = src[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() {
            let start = i;
            while i < src.len() && src[i].is_ascii_digit() {
                i += 1;
            }
            if i < src.len() && (src[i] == '.' || src[i] == 'e' || src[i] == 'u' || src[i] == 'x' || src[i].is_alphabetic()) {
                return Err(unsupported(start, "numeric literal other than a decimal int"));
            }
            let text: String = src[start..i].iter().collect();
            let n = text.parse::<i64>().map_err(|_| unsupported(start, "int literal out of range"))?;
            out.push(Token { tok: Tok::Int(n), at: start });
            continue;
        }
        if c == '\'' || c == '"' {
            let start = i;
            if src[i..].starts_with(&[c, c, c]) {
                return Err(unsupported(start, "triple-quoted string"));
            }
            i += 1;
            let mut s = String::new();
            while i < src.len() && src[i] != c {
                if src[i] == '\n' {
                    return Err(unsupported(start, "newline in string"));
                }
                if src[i] == '\\' {
                    i += 1;
                    match src.get(i) {
                        Some('\\') => s.push('\\'),
                        Some('\'') => s.push('\''),
                        Some('"') => s.push('"'),
                        Some('n') => s.push('\n'),
                        Some('t') => s.push('\t'),
                        Some('r') => s.push('\r'),
                        _ => return Err(unsupported(i, "string escape")),
                    }
                    i += 1;
                    continue;
                }
                s.push(src[i]);
                i += 1;
            }
            if i >= src.len() {
                return Err(unsupported(start, "unterminated string"));
            }
            i += 1;
            out.push(Token { tok: Tok::Str(s), at: start });
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < src.len() && (src[i].is_ascii_alphanumeric() || src[i] == '_') {
                i += 1;
            }
            let word: String = src[start..i].iter().collect();
            if (word == "r" || word == "R" || word == "b" || word == "B") && i < src.len() && (src[i] == '\'' || src[i] == '"') {
                return Err(unsupported(start, "raw or bytes string"));
            }
            out.push(Token { tok: Tok::Ident(word), at: start });
            continue;
        }
        for p in PUNCT {
            let pc: Vec<char> = p.chars().collect();
            if src[i..].starts_with(&pc) {
                out.push(Token { tok: Tok::Punct(p), at: i });
                i += pc.len();
                continue 'outer;
            }
        }
        return Err(unsupported(i, "character"));
    }
    out.push(Token { tok: Tok::Eof, at: src.len() });
    Ok(out)
}

// ---------------------------------------------------------------- parser

/// A parsed expression; `at` is the code-point offset upstream reports for it.
#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Bool(bool),
    Int(i64),
    Str(String),
    List(Vec<Expr>),
    Ident {
        name: String,
        at: usize,
    },
    Select {
        operand: Box<Expr>,
        field: String,
        at: usize,
        test_only: bool,
    },
    Index {
        operand: Box<Expr>,
        index: Box<Expr>,
        at: usize,
    },
    /// Operators and functions: `name` is cel-go's (`_&&_`, `size`, `startsWith`, …).
    Call {
        name: String,
        target: Option<Box<Expr>>,
        args: Vec<Expr>,
        at: usize,
    },
    /// `exists` (`all: false`) or `all` (`all: true`).
    Quantifier {
        all: bool,
        range: Box<Expr>,
        var: String,
        pred: Box<Expr>,
        at: usize,
    },
    Cond {
        cond: Box<Expr>,
        then: Box<Expr>,
        els: Box<Expr>,
        at: usize,
    },
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].tok
    }
    fn at(&self) -> usize {
        self.toks[self.pos].at
    }
    fn eat(&mut self, p: &str) -> bool {
        if matches!(self.peek(), Tok::Punct(q) if *q == p) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn unsupported(&self, what: &str) -> CompileError {
        CompileError::Unsupported { offset: self.at(), what: what.into() }
    }
    fn expect(&mut self, p: &str) -> Result<(), CompileError> {
        if self.eat(p) { Ok(()) } else { Err(self.unsupported(&format!("syntax: expected {p:?}"))) }
    }

    fn expr(&mut self) -> Result<Expr, CompileError> {
        let cond = self.or()?;
        let at = self.at();
        if self.eat("?") {
            let then = self.or()?;
            self.expect(":")?;
            let els = self.expr()?;
            return Ok(Expr::Cond { cond: Box::new(cond), then: Box::new(then), els: Box::new(els), at });
        }
        Ok(cond)
    }
    fn or(&mut self) -> Result<Expr, CompileError> {
        let mut l = self.and()?;
        loop {
            let at = self.at();
            if !self.eat("||") {
                return Ok(l);
            }
            let r = self.and()?;
            l = Expr::Call { name: "_||_".into(), target: None, args: vec![l, r], at };
        }
    }
    fn and(&mut self) -> Result<Expr, CompileError> {
        let mut l = self.relation()?;
        loop {
            let at = self.at();
            if !self.eat("&&") {
                return Ok(l);
            }
            let r = self.relation()?;
            l = Expr::Call { name: "_&&_".into(), target: None, args: vec![l, r], at };
        }
    }
    fn relation(&mut self) -> Result<Expr, CompileError> {
        let mut l = self.calc()?;
        loop {
            let at = self.at();
            let name = match self.peek() {
                Tok::Punct(p @ ("==" | "!=" | "<" | "<=" | ">" | ">=")) => format!("_{p}_"),
                Tok::Ident(w) if w == "in" => "@in".into(),
                _ => return Ok(l),
            };
            self.pos += 1;
            let r = self.calc()?;
            l = Expr::Call { name, target: None, args: vec![l, r], at };
        }
    }
    fn calc(&mut self) -> Result<Expr, CompileError> {
        let mut l = self.unary()?;
        loop {
            let at = self.at();
            let name = match self.peek() {
                Tok::Punct(p @ ("+" | "-")) => format!("_{p}_"),
                Tok::Punct("*" | "/" | "%") => return Err(self.unsupported("operator")),
                _ => return Ok(l),
            };
            self.pos += 1;
            let r = self.unary()?;
            l = Expr::Call { name, target: None, args: vec![l, r], at };
        }
    }
    fn unary(&mut self) -> Result<Expr, CompileError> {
        let at = self.at();
        if self.eat("!") {
            let e = self.unary()?;
            return Ok(Expr::Call { name: "!_".into(), target: None, args: vec![e], at });
        }
        if self.eat("-") {
            if let Tok::Int(n) = *self.peek() {
                self.pos += 1;
                return self.member_tail(Expr::Int(-n));
            }
            let e = self.unary()?;
            return Ok(Expr::Call { name: "-_".into(), target: None, args: vec![e], at });
        }
        let p = self.primary()?;
        self.member_tail(p)
    }
    fn args(&mut self) -> Result<Vec<Expr>, CompileError> {
        let mut args = Vec::new();
        if self.eat(")") {
            return Ok(args);
        }
        loop {
            args.push(self.expr()?);
            if self.eat(")") {
                return Ok(args);
            }
            self.expect(",")?;
        }
    }
    fn member_tail(&mut self, mut e: Expr) -> Result<Expr, CompileError> {
        loop {
            let at = self.at();
            if self.eat(".") {
                if self.eat("?") {
                    return Err(self.unsupported("optional field selection"));
                }
                let Tok::Ident(field) = self.peek().clone() else { return Err(self.unsupported("syntax: field name")) };
                self.pos += 1;
                let call_at = self.at();
                if self.eat("(") {
                    let args = self.args()?;
                    e = match (field.as_str(), args.as_slice()) {
                        ("exists" | "all", [Expr::Ident { name, .. }, pred]) => Expr::Quantifier {
                            all: field == "all",
                            range: Box::new(e),
                            var: name.clone(),
                            pred: Box::new(pred.clone()),
                            at: call_at,
                        },
                        ("exists" | "all" | "exists_one" | "map" | "filter", _) => return Err(self.unsupported("macro")),
                        _ => Expr::Call { name: field, target: Some(Box::new(e)), args, at: call_at },
                    };
                } else {
                    e = Expr::Select { operand: Box::new(e), field, at, test_only: false };
                }
            } else if self.eat("[") {
                let index = self.expr()?;
                self.expect("]")?;
                e = Expr::Index { operand: Box::new(e), index: Box::new(index), at };
            } else {
                return Ok(e);
            }
        }
    }
    fn primary(&mut self) -> Result<Expr, CompileError> {
        let at = self.at();
        match self.peek().clone() {
            Tok::Int(n) => {
                self.pos += 1;
                Ok(Expr::Int(n))
            }
            Tok::Str(s) => {
                self.pos += 1;
                Ok(Expr::Str(s))
            }
            Tok::Ident(w) => {
                self.pos += 1;
                match w.as_str() {
                    "true" => return Ok(Expr::Bool(true)),
                    "false" => return Ok(Expr::Bool(false)),
                    "null" | "in" => return Err(CompileError::Unsupported { offset: at, what: w }),
                    _ => {}
                }
                let call_at = self.at();
                if self.eat("(") {
                    let args = self.args()?;
                    if w == "has" {
                        return match args.as_slice() {
                            [Expr::Select { operand, field, at, .. }] => {
                                Ok(Expr::Select { operand: operand.clone(), field: field.clone(), at: *at, test_only: true })
                            }
                            _ => Err(CompileError::Unsupported { offset: at, what: "has() argument".into() }),
                        };
                    }
                    return Ok(Expr::Call { name: w, target: None, args, at: call_at });
                }
                Ok(Expr::Ident { name: w, at })
            }
            Tok::Punct("(") => {
                self.pos += 1;
                let e = self.expr()?;
                self.expect(")")?;
                Ok(e)
            }
            Tok::Punct("[") => {
                self.pos += 1;
                let mut items = Vec::new();
                if !self.eat("]") {
                    loop {
                        items.push(self.expr()?);
                        if self.eat("]") {
                            break;
                        }
                        self.expect(",")?;
                    }
                }
                Ok(Expr::List(items))
            }
            _ => Err(self.unsupported("syntax")),
        }
    }
}

// ---------------------------------------------------------------- checker

struct Checker<'a> {
    src: &'a [char],
    /// (offset, message), reported sorted by position as cel-go does.
    errors: Vec<(usize, String)>,
    scopes: Vec<(String, Ty)>,
}

impl Checker<'_> {
    fn error(&mut self, at: usize, msg: String) -> Ty {
        self.errors.push((at, msg));
        Ty::Error
    }

    fn no_overload(&mut self, name: &str, at: usize, target: Option<&Ty>, args: &[Ty]) -> Ty {
        if target.is_some_and(|t| *t == Ty::Error) || args.contains(&Ty::Error) {
            return Ty::Error;
        }
        let list = args.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
        let sig = match target {
            Some(t) => format!("{t}.({list})"),
            None => format!("({list})"),
        };
        self.error(at, format!("found no matching overload for '{name}' applied to '{sig}'"))
    }

    fn check(&mut self, e: &Expr) -> Result<Ty, CompileError> {
        Ok(match e {
            Expr::Bool(_) => Ty::Bool,
            Expr::Int(_) => Ty::Int,
            Expr::Str(_) => Ty::Str,
            Expr::List(items) => {
                let mut elem: Option<Ty> = None;
                for i in items {
                    let t = self.check(i)?;
                    match &elem {
                        None => elem = Some(t),
                        Some(prev) if *prev == t || t == Ty::Error => {}
                        Some(_) => return Err(CompileError::Unsupported { offset: 0, what: "mixed-type list".into() }),
                    }
                }
                match elem {
                    Some(t) => Ty::List(Box::new(t)),
                    None => return Err(CompileError::Unsupported { offset: 0, what: "empty list literal".into() }),
                }
            }
            Expr::Ident { name, at } => {
                if let Some((_, t)) = self.scopes.iter().rev().find(|(n, _)| n == name) {
                    t.clone()
                } else if name == "request" {
                    Ty::Obj(SAR_SPEC)
                } else {
                    self.error(*at, format!("undeclared reference to '{name}' (in container '')"))
                }
            }
            Expr::Select { operand, field, at, test_only } => {
                let t = self.check(operand)?;
                let ft = match &t {
                    Ty::Error => Ty::Error,
                    Ty::Obj(o) => match field_type(o, field) {
                        Some(ft) => ft,
                        None => self.error(*at, format!("undefined field '{field}'")),
                    },
                    Ty::Map(k, v) if **k == Ty::Str => (**v).clone(),
                    _ => return Err(CompileError::Unsupported { offset: *at, what: format!("field selection on {t}") }),
                };
                if *test_only { Ty::Bool } else { ft }
            }
            Expr::Index { operand, index, at } => {
                let t = self.check(operand)?;
                let i = self.check(index)?;
                match (&t, &i) {
                    (Ty::List(elem), Ty::Int) => (**elem).clone(),
                    (Ty::Map(k, v), key) if **k == *key => (**v).clone(),
                    _ => self.no_overload("_[_]", *at, None, &[t.clone(), i.clone()]),
                }
            }
            Expr::Quantifier { range, var, pred, at, .. } => {
                let rt = self.check(range)?;
                let vt = match &rt {
                    Ty::List(elem) => (**elem).clone(),
                    Ty::Map(k, _) => (**k).clone(),
                    Ty::Error => Ty::Error,
                    _ => return Err(CompileError::Unsupported { offset: *at, what: format!("quantifier over {rt}") }),
                };
                self.scopes.push((var.clone(), vt));
                let pt = self.check(pred)?;
                self.scopes.pop();
                if pt != Ty::Bool && pt != Ty::Error {
                    return Err(CompileError::Unsupported { offset: *at, what: "non-bool quantifier predicate".into() });
                }
                Ty::Bool
            }
            Expr::Cond { cond, then, els, at } => {
                let c = self.check(cond)?;
                let a = self.check(then)?;
                let b = self.check(els)?;
                if c == Ty::Bool && a == b { a } else { self.no_overload("_?_:_", *at, None, &[c, a, b]) }
            }
            Expr::Call { name, target, args, at } => {
                let tt = match target {
                    Some(t) => Some(self.check(t)?),
                    None => None,
                };
                let mut ats = Vec::new();
                for a in args {
                    ats.push(self.check(a)?);
                }
                let ok = match (name.as_str(), &tt, ats.as_slice()) {
                    ("_&&_" | "_||_", None, [Ty::Bool, Ty::Bool]) => Some(Ty::Bool),
                    ("!_", None, [Ty::Bool]) => Some(Ty::Bool),
                    ("-_", None, [Ty::Int]) => Some(Ty::Int),
                    ("_==_" | "_!=_", None, [a, b]) if a == b => Some(Ty::Bool),
                    ("_<_" | "_<=_" | "_>_" | "_>=_", None, [Ty::Int, Ty::Int] | [Ty::Str, Ty::Str]) => Some(Ty::Bool),
                    ("_+_", None, [Ty::Int, Ty::Int]) => Some(Ty::Int),
                    ("_+_", None, [Ty::Str, Ty::Str]) => Some(Ty::Str),
                    ("@in", None, [a, Ty::List(elem)]) if **elem == *a => Some(Ty::Bool),
                    ("@in", None, [a, Ty::Map(k, _)]) if **k == *a => Some(Ty::Bool),
                    ("size", None, [Ty::Str | Ty::List(_) | Ty::Map(..)]) => Some(Ty::Int),
                    ("size", Some(Ty::Str | Ty::List(_) | Ty::Map(..)), []) => Some(Ty::Int),
                    ("startsWith" | "endsWith" | "contains", Some(Ty::Str), [Ty::Str]) => Some(Ty::Bool),
                    _ => None,
                };
                match ok {
                    Some(t) => t,
                    None if is_known_function(name) => self.no_overload(name, *at, tt.as_ref(), &ats),
                    None => return Err(CompileError::Unsupported { offset: *at, what: format!("function {name}") }),
                }
            }
        })
    }

    /// cel-go's `Errors.ToDisplayString`: each error as `ERROR: <input>:L:C: msg`, the
    /// source line, and a caret line (`.` per preceding code point, `．` for multi-byte
    /// ones; `^` or `＾`), sorted by position, joined with newlines.
    fn display(&self) -> String {
        let mut errs = self.errors.clone();
        errs.sort_by_key(|(at, _)| *at);
        let mut out = Vec::new();
        for (at, msg) in errs {
            let line_start = self.src[..at].iter().rposition(|c| *c == '\n').map_or(0, |p| p + 1);
            let line_no = self.src[..at].iter().filter(|c| **c == '\n').count() + 1;
            let col = at - line_start;
            let line_end = self.src[line_start..].iter().position(|c| *c == '\n').map_or(self.src.len(), |p| line_start + p);
            let snippet: String = self.src[line_start..line_end].iter().map(|c| if *c == '\t' { ' ' } else { *c }).collect();
            let mut ind = String::new();
            let chars: Vec<char> = snippet.chars().collect();
            for c in chars.iter().take(col) {
                ind.push(if c.len_utf8() > 1 { '\u{ff0e}' } else { '.' });
            }
            ind.push(if chars.get(col).is_some_and(|c| c.len_utf8() > 1) { '\u{ff3e}' } else { '^' });
            out.push(format!("ERROR: <input>:{line_no}:{}: {msg}\n | {snippet}\n | {ind}", col + 1));
        }
        out.join("\n")
    }
}

fn is_known_function(name: &str) -> bool {
    matches!(
        name,
        "_&&_"
            | "_||_"
            | "!_"
            | "-_"
            | "_==_"
            | "_!=_"
            | "_<_"
            | "_<=_"
            | "_>_"
            | "_>=_"
            | "_+_"
            | "@in"
            | "size"
            | "startsWith"
            | "endsWith"
            | "contains"
    )
}

// ---------------------------------------------------------------- programs

/// A compiled match condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    source: String,
    expr: Expr,
    /// Whether any expression reads `fieldSelector` (upstream then passes it).
    pub uses_field_selector: bool,
    /// Whether any expression reads `labelSelector`.
    pub uses_label_selector: bool,
}

/// Compiles `source` as upstream's `CompileCELExpression` does for a
/// SubjectAccessReview match condition: parse, type-check, require `bool`.
pub fn compile(source: &str) -> Result<Program, CompileError> {
    let src: Vec<char> = source.chars().collect();
    let toks = lex(&src)?;
    let mut p = Parser { toks, pos: 0 };
    let expr = p.expr()?;
    if *p.peek() != Tok::Eof {
        return Err(p.unsupported("syntax: trailing input"));
    }
    let mut c = Checker { src: &src, errors: Vec::new(), scopes: Vec::new() };
    let t = c.check(&expr)?;
    if !c.errors.is_empty() {
        return Err(CompileError::Invalid(format!("compilation failed: {}", c.display())));
    }
    if t != Ty::Bool {
        return Err(CompileError::Invalid(format!("must evaluate to bool but got {t}")));
    }
    let mut uses = (false, false);
    visit_fields(&expr, &mut |f| match f {
        "fieldSelector" => uses.0 = true,
        "labelSelector" => uses.1 = true,
        _ => {}
    });
    Ok(Program { source: source.to_string(), expr, uses_field_selector: uses.0, uses_label_selector: uses.1 })
}

fn visit_fields(e: &Expr, f: &mut impl FnMut(&str)) {
    match e {
        Expr::Select { operand, field, .. } => {
            f(field);
            visit_fields(operand, f);
        }
        Expr::Index { operand, index, .. } => {
            visit_fields(operand, f);
            visit_fields(index, f);
        }
        Expr::Call { target, args, .. } => {
            if let Some(t) = target {
                visit_fields(t, f);
            }
            args.iter().for_each(|a| visit_fields(a, f));
        }
        Expr::Quantifier { range, pred, .. } => {
            visit_fields(range, f);
            visit_fields(pred, f);
        }
        Expr::Cond { cond, then, els, .. } => {
            visit_fields(cond, f);
            visit_fields(then, f);
            visit_fields(els, f);
        }
        Expr::List(items) => items.iter().for_each(|i| visit_fields(i, f)),
        Expr::Bool(_) | Expr::Int(_) | Expr::Str(_) | Expr::Ident { .. } => {}
    }
}

impl Program {
    /// The expression as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Evaluates the program with `request` bound; the result is a `bool` (checked).
    pub fn eval(&self, request: &Value) -> Result<bool, EvalError> {
        let mut env = vec![("request".to_string(), request.clone())];
        match eval(&self.expr, &mut env)? {
            Value::Bool(b) => Ok(b),
            _ => Err(EvalError("no such overload".into())),
        }
    }
}

fn no_such_overload() -> EvalError {
    EvalError("no such overload".into())
}

fn eval(e: &Expr, env: &mut Vec<(String, Value)>) -> Result<Value, EvalError> {
    Ok(match e {
        Expr::Bool(b) => Value::Bool(*b),
        Expr::Int(n) => Value::Int(*n),
        Expr::Str(s) => Value::Str(s.clone()),
        Expr::List(items) => Value::List(items.iter().map(|i| eval(i, env)).collect::<Result<_, _>>()?),
        Expr::Ident { name, .. } => env
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| EvalError(format!("no such attribute(s): {name}")))?,
        Expr::Select { operand, field, test_only, .. } => match eval(operand, env)? {
            Value::Map(m) => match (m.get(field), test_only) {
                (Some(_), true) => Value::Bool(true),
                (None, true) => Value::Bool(false),
                (Some(v), false) => v.clone(),
                (None, false) => return Err(EvalError(format!("no such key: {field}"))),
            },
            _ => return Err(no_such_overload()),
        },
        Expr::Index { operand, index, .. } => match (eval(operand, env)?, eval(index, env)?) {
            // cel-go's attribute resolution words a missing list element as a missing
            // attribute (interpreter/attributes.go), not as the list type's range error.
            (Value::List(l), Value::Int(i)) => match usize::try_from(i).ok().and_then(|u| l.get(u)) {
                Some(v) => v.clone(),
                None => return Err(EvalError(format!("index out of bounds: {i}"))),
            },
            (Value::Map(m), Value::Str(k)) => m.get(&k).cloned().ok_or_else(|| EvalError(format!("no such key: {k}")))?,
            _ => return Err(no_such_overload()),
        },
        Expr::Quantifier { all, range, var, pred, .. } => {
            let items: Vec<Value> = match eval(range, env)? {
                Value::List(l) => l,
                Value::Map(m) => m.into_keys().map(Value::Str).collect(),
                _ => return Err(no_such_overload()),
            };
            // cel-go folds with `||` (exists) or `&&` (all), absorbing errors once the
            // result is decided either way.
            let mut err: Option<EvalError> = None;
            for item in items {
                env.push((var.clone(), item));
                let r = eval(pred, env);
                env.pop();
                match r {
                    Ok(Value::Bool(b)) if b != *all => return Ok(Value::Bool(b)),
                    Ok(Value::Bool(_)) => {}
                    Ok(_) => err = err.or(Some(no_such_overload())),
                    Err(e) => err = err.or(Some(e)),
                }
            }
            match err {
                Some(e) => return Err(e),
                None => Value::Bool(*all),
            }
        }
        Expr::Cond { cond, then, els, .. } => match eval(cond, env)? {
            Value::Bool(true) => eval(then, env)?,
            Value::Bool(false) => eval(els, env)?,
            _ => return Err(no_such_overload()),
        },
        Expr::Call { name, target, args, .. } => {
            if name == "_&&_" || name == "_||_" {
                // Commutative: a deciding operand wins over an error on the other side.
                let decisive = name == "_||_";
                let l = eval(&args[0], env);
                if matches!(l, Ok(Value::Bool(b)) if b == decisive) {
                    return Ok(Value::Bool(decisive));
                }
                let r = eval(&args[1], env);
                if matches!(r, Ok(Value::Bool(b)) if b == decisive) {
                    return Ok(Value::Bool(decisive));
                }
                l?;
                r?;
                return Ok(Value::Bool(!decisive));
            }
            let t = match target {
                Some(t) => Some(eval(t, env)?),
                None => None,
            };
            let mut vals = Vec::with_capacity(args.len());
            for a in args {
                vals.push(eval(a, env)?);
            }
            call(name, t, vals)?
        }
    })
}

fn call(name: &str, target: Option<Value>, args: Vec<Value>) -> Result<Value, EvalError> {
    use Value::*;
    let size = |v: &Value| match v {
        Str(s) => Ok(Int(s.chars().count() as i64)),
        List(l) => Ok(Int(l.len() as i64)),
        Map(m) => Ok(Int(m.len() as i64)),
        _ => Err(no_such_overload()),
    };
    Ok(match (name, target, args.as_slice()) {
        ("!_", None, [Bool(b)]) => Bool(!b),
        ("-_", None, [Int(n)]) => Int(n.checked_neg().ok_or_else(|| EvalError("integer overflow".into()))?),
        ("_==_", None, [a, b]) => Bool(a == b),
        ("_!=_", None, [a, b]) => Bool(a != b),
        ("_<_", None, [Int(a), Int(b)]) => Bool(a < b),
        ("_<=_", None, [Int(a), Int(b)]) => Bool(a <= b),
        ("_>_", None, [Int(a), Int(b)]) => Bool(a > b),
        ("_>=_", None, [Int(a), Int(b)]) => Bool(a >= b),
        ("_<_", None, [Str(a), Str(b)]) => Bool(a < b),
        ("_<=_", None, [Str(a), Str(b)]) => Bool(a <= b),
        ("_>_", None, [Str(a), Str(b)]) => Bool(a > b),
        ("_>=_", None, [Str(a), Str(b)]) => Bool(a >= b),
        ("_+_", None, [Int(a), Int(b)]) => Int(a.checked_add(*b).ok_or_else(|| EvalError("integer overflow".into()))?),
        ("_+_", None, [Str(a), Str(b)]) => Str(format!("{a}{b}")),
        ("@in", None, [a, List(l)]) => Bool(l.contains(a)),
        ("@in", None, [Str(k), Map(m)]) => Bool(m.contains_key(k)),
        ("size", None, [v]) => size(v)?,
        ("size", Some(v), []) => size(&v)?,
        ("startsWith", Some(Str(s)), [Str(p)]) => Bool(s.starts_with(p.as_str())),
        ("endsWith", Some(Str(s)), [Str(p)]) => Bool(s.ends_with(p.as_str())),
        ("contains", Some(Str(s)), [Str(p)]) => Bool(s.contains(p.as_str())),
        _ => return Err(no_such_overload()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(json: serde_json::Value) -> Value {
        fn conv(v: &serde_json::Value) -> Value {
            match v {
                serde_json::Value::Bool(b) => Value::Bool(*b),
                serde_json::Value::Number(n) => Value::Int(n.as_i64().unwrap()),
                serde_json::Value::String(s) => Value::Str(s.clone()),
                serde_json::Value::Array(a) => Value::List(a.iter().map(conv).collect()),
                serde_json::Value::Object(o) => Value::Map(o.iter().map(|(k, v)| (k.clone(), conv(v))).collect()),
                serde_json::Value::Null => Value::List(vec![]),
            }
        }
        conv(&json)
    }

    #[test]
    fn compile_errors_like_cel_go() {
        // Texts as upstream's validation printed them through the oracle.
        let err = |s: &str| compile(s).unwrap_err().to_string();
        assert_eq!(err("request.user"), "must evaluate to bool but got string");
        assert_eq!(err("request.groups"), "must evaluate to bool but got list(string)");
        assert_eq!(err("request.extra"), "must evaluate to bool but got map(string, list(string))");
        assert_eq!(err("request.resourceAttributes"), "must evaluate to bool but got kubernetes.ResourceAttributes");
        assert_eq!(err("size(request.groups)"), "must evaluate to bool but got int");
        assert_eq!(
            err("request.resourceAttributes.fieldSelector.requirements"),
            "must evaluate to bool but got list(kubernetes.SelectorRequirement)"
        );
        assert_eq!(
            err("foo == 1"),
            "compilation failed: ERROR: <input>:1:1: undeclared reference to 'foo' (in container '')\n | foo == 1\n | ^"
        );
        assert_eq!(
            err("request.foo == 'x'"),
            "compilation failed: ERROR: <input>:1:8: undefined field 'foo'\n | request.foo == 'x'\n | .......^"
        );
        assert_eq!(
            err("request.user == 'a' &&\n  request.resourceAttributes.bogus"),
            "compilation failed: ERROR: <input>:2:29: undefined field 'bogus'\n |   request.resourceAttributes.bogus\n | ............................^"
        );
        assert_eq!(
            err("request.user.startsWith(1)"),
            "compilation failed: ERROR: <input>:1:24: found no matching overload for 'startsWith' applied to 'string.(int)'\n | request.user.startsWith(1)\n | .......................^"
        );
        assert_eq!(
            err("'é' == request.x"),
            "compilation failed: ERROR: <input>:1:15: undefined field 'x'\n | 'é' == request.x\n | .\u{ff0e}............^"
        );
        assert!(matches!(compile("request.user =="), Err(CompileError::Unsupported { .. })));
    }

    #[test]
    fn evaluation_and_errors() {
        let r = req(serde_json::json!({"user": "alice", "groups": ["dev"], "uid": "", "extra": {"k": ["v"]},
            "nonResourceAttributes": {"path": "/healthz", "verb": "get"}}));
        let ev = |s: &str| compile(s).unwrap().eval(&r);
        assert_eq!(ev("request.user == 'alice' && 'dev' in request.groups"), Ok(true));
        assert_eq!(ev("request.groups.exists(g, g.startsWith('d'))"), Ok(true));
        assert_eq!(ev("request.resourceAttributes.verb == 'get'"), Err(EvalError("no such key: resourceAttributes".into())));
        assert_eq!(ev("request.resourceAttributes.verb == 'get' || true"), Ok(true));
        assert_eq!(ev("false && request.resourceAttributes.verb == 'get'"), Ok(false));
        assert_eq!(ev("request.resourceAttributes.verb == 'get' && false"), Ok(false));
        assert_eq!(ev("!has(request.resourceAttributes) && has(request.nonResourceAttributes)"), Ok(true));
        assert_eq!(ev("request.extra['x'][0] == 'v'"), Err(EvalError("no such key: x".into())));
        assert_eq!(ev("request.groups[3] == 'v'"), Err(EvalError("index out of bounds: 3".into())));
        assert_eq!(ev("size(request.extra) == 1 && request.extra.all(k, k == 'k')"), Ok(true));
    }
}
