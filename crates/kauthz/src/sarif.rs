//! `kauthz audit -o sarif`: the findings as a SARIF 2.1.0 log, shaped for code-scanning UIs
//! (GitHub code scanning in particular).
//!
//! One run, tool `kauthz`, every audit rule in `tool.driver.rules` (whether it fired or not,
//! so a UI can show the rule of a closed alert), one result per finding. Results point at
//! the snapshot files given with `-f` — the object the finding is about, found by parsing
//! each file on its own — or at the kubelet / authorization configuration file; code
//! scanning refuses results without a location, so a finding about flags falls back to the
//! first input file. Findings a `--profile` marks as the distribution's design carry an
//! `external` suppression with the profile's justification.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kauthz_core::analysis::audit::{Finding, RULES, Rule, Severity};
use kauthz_core::snapshot;
use serde_json::{Value, json};

/// The schema URI written into `$schema` (the OASIS errata 01 schema the log validates
/// against).
pub const SCHEMA_URI: &str = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The `partialFingerprints` key: versioned, so a change of what is hashed shows as a new
/// key instead of silently re-keying every alert.
pub const FINGERPRINT_KEY: &str = "kauthzFinding/v1";

/// The files the findings can point at.
#[derive(Debug, Default)]
pub struct Sources {
    /// The `-f` paths (files or directories; `-` is skipped: stdin has no path).
    pub snapshots: Vec<PathBuf>,
    /// `--kubelet-config`.
    pub kubelet_config: Option<PathBuf>,
    /// `--authorization-config`, else `--authorization-policy-file`.
    pub authorization: Option<PathBuf>,
}

impl Sources {
    /// The files `kauthz audit` was given.
    pub fn of(args: &crate::cli::AuditArgs) -> Sources {
        Sources {
            snapshots: args.cluster.files.clone(),
            kubelet_config: args.kubelet_config.clone(),
            authorization: args.cluster.authorization_config.clone().or_else(|| args.cluster.authorization_policy_file.clone()),
        }
    }
}

/// SARIF `level` for a severity: code scanning shows `error` and `warning` as alerts worth
/// blocking on, `note` as informational.
fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` (a CVSS-like score it maps back to critical/high/medium/low);
/// none for info, which is not a security problem by itself.
fn security_severity(s: Severity) -> Option<&'static str> {
    match s {
        Severity::Critical => Some("9.5"),
        Severity::High => Some("8.0"),
        Severity::Medium => Some("5.5"),
        Severity::Low => Some("3.0"),
        Severity::Info => None,
    }
}

/// A SARIF `name` for a rule: PascalCase of its title's words, so `KA-N003` is
/// `TheNodeRestrictionAdmissionPluginIsNotEnabled` — derived rather than tabled, so rules
/// added to the core get a name without touching this file.
pub fn rule_name(rule: &Rule) -> String {
    rule.title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            cs.next().map(|c| c.to_ascii_uppercase().to_string() + cs.as_str()).unwrap_or_default()
        })
        .collect()
}

fn descriptor(rule: &Rule) -> Value {
    let mut properties = json!({ "tags": ["security", "kubernetes", "kubelet", "authorization"] });
    if let Some(s) = security_severity(rule.severity) {
        properties["security-severity"] = json!(s);
    }
    json!({
        "id": rule.id,
        "name": rule_name(rule),
        "shortDescription": { "text": rule.title },
        "fullDescription": { "text": rule.title },
        "help": { "text": rule.fix, "markdown": format!("**Fix:** {}", rule.fix) },
        "defaultConfiguration": { "level": level(rule.severity) },
        "properties": properties,
    })
}

/// 64-bit FNV-1a, hex: stable across runs, platforms and Rust versions (unlike std's
/// hasher), which is all a fingerprint needs.
pub fn fnv1a(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// What identifies a finding across runs: its rule and message, except where the message
/// counts things that change without the finding changing (KA-B020 lists the nodes an
/// account runs on; the account is the finding).
pub fn fingerprint(f: &Finding) -> String {
    let key = match f.message.split_once(" runs on ") {
        Some((account, _)) if f.rule.id == "KA-B020" => account,
        _ => f.message.as_str(),
    };
    fnv1a(&format!("{}\0{key}", f.rule.id))
}

/// An object a finding names, as `(kind, namespace, name)`.
type ObjectKey = (&'static str, String, String);

/// Objects named in a finding's message and evidence, in order of mention: bindings and
/// roles as the core describes them (`ClusterRoleBinding "x"`, `RoleBinding "name/ns"`,
/// `binding ns/name`), and `serviceaccount ns/name`, `pod ns/name`, `node name`.
fn named_objects(f: &Finding) -> Vec<ObjectKey> {
    let mut out: Vec<ObjectKey> = Vec::new();
    for text in std::iter::once(&f.message).chain(&f.evidence) {
        let words: Vec<&str> = text.split(' ').collect();
        for pair in words.windows(2) {
            let arg = pair[1].trim_end_matches([',', ':', ')', ';']);
            let quoted = arg.strip_prefix('"').and_then(|a| a.strip_suffix('"'));
            let split = |s: &str| s.split_once('/').map(|(a, b)| (a.to_string(), b.to_string()));
            let key: Option<ObjectKey> = match (pair[0], quoted) {
                ("ClusterRoleBinding", Some(n)) => Some(("ClusterRoleBinding", String::new(), n.into())),
                ("ClusterRole", Some(n)) => Some(("ClusterRole", String::new(), n.into())),
                // The core writes a RoleBinding as "name/namespace".
                ("RoleBinding", Some(n)) => split(n).map(|(name, ns)| ("RoleBinding", ns, name)),
                ("binding", None) => match split(arg) {
                    Some((ns, name)) => Some(("RoleBinding", ns, name)),
                    None => Some(("ClusterRoleBinding", String::new(), arg.into())),
                },
                ("serviceaccount", None) => split(arg).map(|(ns, name)| ("ServiceAccount", ns, name)),
                ("pod", None) => split(arg).map(|(ns, name)| ("Pod", ns, name)),
                ("node", None) if !arg.is_empty() => Some(("Node", String::new(), arg.into())),
                _ => None,
            };
            if let Some(k) = key
                && !out.contains(&k)
            {
                out.push(k);
            }
        }
    }
    out
}

/// Where an object or setting is: a file (as a URI reference) and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The file, as given on the command line (relative paths stay relative, so code
    /// scanning resolves them against the repository root).
    pub uri: String,
    /// 1-based line.
    pub line: usize,
}

/// Finds objects in the snapshot files.
#[derive(Debug, Default)]
pub struct Locator {
    objects: BTreeMap<(String, String, String), Place>,
    first_file: Option<String>,
}

/// The snapshot files behind `-f` paths, as the core's loader walks them: directories
/// recursively in name order, `.json`/`.yaml`/`.yml` only; files given explicitly always.
fn snapshot_files(path: &Path, explicit: bool, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(_) => return,
        };
        entries.sort();
        for e in entries {
            snapshot_files(&e, false, out);
        }
    } else if explicit || matches!(path.extension().and_then(|e| e.to_str()), Some("json" | "yaml" | "yml")) {
        out.push(path.to_path_buf());
    }
}

/// A path as a SARIF URI reference: `/` separators, no leading `./`, and the characters a
/// URI cannot hold percent-encoded; absolute paths become `file://` URIs.
pub fn uri(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let text = text.trim_start_matches("./");
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if path.is_absolute() { format!("file://{out}") } else { out }
}

impl Locator {
    /// Parses every snapshot file on its own to learn which file holds which object.
    pub fn new(paths: &[PathBuf]) -> Locator {
        let mut loc = Locator::default();
        let mut files = Vec::new();
        for p in paths.iter().filter(|p| p.as_os_str() != "-") {
            snapshot_files(p, true, &mut files);
        }
        for file in files {
            let Ok(text) = std::fs::read_to_string(&file) else { continue };
            let u = uri(&file);
            loc.first_file.get_or_insert_with(|| u.clone());
            // The loader already accepted these files; one that fails now is skipped.
            let Ok(snap) = snapshot::parse_text(&file.display().to_string(), &text) else { continue };
            for o in &snap.objects {
                let (kind, m) = (o.kind().name(), o.meta());
                let line = object_line(&text, kind, &m.namespace, &m.name).unwrap_or(1);
                // Later files win, as in the loader (a later object replaces an earlier one).
                loc.objects.insert((kind.to_string(), m.namespace.to_string(), m.name.to_string()), Place { uri: u.clone(), line });
            }
        }
        loc
    }

    /// Where `(kind, namespace, name)` is defined, if in a snapshot file. Namespaced objects
    /// written without a namespace land in `default`, as the loader puts them.
    pub fn find(&self, kind: &str, namespace: &str, name: &str) -> Option<&Place> {
        self.objects
            .get(&(kind.to_string(), namespace.to_string(), name.to_string()))
            .or_else(|| (namespace == "default").then(|| self.objects.get(&(kind.to_string(), String::new(), name.to_string()))).flatten())
    }
}

/// Leading spaces, counting a YAML list item's `- ` as indentation (its first key lines up
/// with the item's other keys).
fn indent(line: &str) -> usize {
    let spaces = line.len() - line.trim_start().len();
    if line.trim_start().starts_with("- ") { spaces + 2 } else { spaces }
}

/// The value of `key` on a YAML (`key: v`) or pretty-JSON (`"key": "v",`) line.
fn value_of<'l>(line: &'l str, key: &str) -> Option<&'l str> {
    let t = line.trim().trim_start_matches("- ");
    let rest = t.strip_prefix(key).map(|r| r.strip_prefix(':')).or_else(|| {
        t.strip_prefix('"').and_then(|r| r.strip_prefix(key)).and_then(|r| r.strip_prefix('"')).map(|r| r.strip_prefix(':'))
    })??;
    let v = rest.trim().trim_end_matches(',');
    Some(
        v.strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(v),
    )
}

/// The line (1-based) of `metadata.name` of the object: a `name:` line whose parent key is
/// `metadata` and whose object has the kind (and, when written, the namespace). Works on
/// `kubectl get -o yaml|json` output and hand-written manifests; `None` when the text is
/// laid out some other way (the caller then points at the file's first line).
pub fn object_line(text: &str, kind: &str, namespace: &str, name: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let blank = |l: &str| l.trim().is_empty() || l.trim_start().starts_with('#');
    let mut fallback = None;
    for (i, line) in lines.iter().enumerate() {
        if value_of(line, "name") != Some(name) || line.trim_start().starts_with("- ") {
            continue;
        }
        let ind = indent(line);
        let Some(parent) = (0..i).rev().find(|&j| !blank(lines[j]) && indent(lines[j]) < ind) else { continue };
        if value_of(lines[parent], "metadata").is_none() {
            continue;
        }
        // The object's own keys sit at the parent's indentation; its block ends at a line
        // indented less or at the next list item.
        let p = indent(lines[parent]);
        let mut siblings = Vec::new();
        for j in (0..parent).rev() {
            if blank(lines[j]) {
                continue;
            }
            if indent(lines[j]) < p {
                break;
            }
            if indent(lines[j]) == p {
                siblings.push(lines[j]);
                if lines[j].trim_start().starts_with("- ") {
                    break;
                }
            }
        }
        for l in &lines[parent + 1..] {
            if blank(l) {
                continue;
            }
            if indent(l) < p || (indent(l) == p && l.trim_start().starts_with("- ")) || l.trim() == "---" {
                break;
            }
            if indent(l) == p {
                siblings.push(l);
            }
        }
        if !siblings.iter().any(|l| value_of(l, "kind") == Some(kind)) {
            continue;
        }
        let children = lines[parent + 1..].iter().take_while(|l| blank(l) || indent(l) > p);
        let ns = children.filter(|l| indent(l) == ind).find_map(|l| value_of(l, "namespace"));
        match ns {
            Some(n) if n == namespace => return Some(i + 1),
            None if namespace.is_empty() || namespace == "default" => return Some(i + 1),
            _ => {
                fallback.get_or_insert(i + 1);
            }
        }
    }
    fallback
}

/// The line of the first of `keys` in a configuration file, for kubelet settings.
fn key_line(path: &Path, keys: &[&str]) -> Option<usize> {
    let text = std::fs::read_to_string(path).ok()?;
    keys.iter().find_map(|k| text.lines().position(|l| value_of(l, k).is_some()).map(|i| i + 1))
}

fn physical(place: &Place) -> Value {
    // A relative path is relative to the source root (the repository, for code scanning);
    // an absolute `file://` URI must not name a base.
    let artifact =
        if place.uri.starts_with("file://") { json!({ "uri": place.uri }) } else { json!({ "uri": place.uri, "uriBaseId": "%SRCROOT%" }) };
    json!({ "artifactLocation": artifact, "region": { "startLine": place.line } })
}

/// The primary place of a finding and the related ones.
fn places(f: &Finding, sources: &Sources, locator: &Locator) -> (Option<Place>, Vec<(Place, String)>) {
    let setting =
        |path: &Option<PathBuf>, keys: &[&str]| path.as_ref().map(|p| Place { uri: uri(p), line: key_line(p, keys).unwrap_or(1) });
    let primary = match f.rule.id {
        "KA-K040" => setting(&sources.kubelet_config, &["anonymous"]),
        "KA-K041" => setting(&sources.kubelet_config, &["mode"]),
        "KA-K042" => setting(&sources.kubelet_config, &["readOnlyPort"]),
        "KA-N001" | "KA-N002" => setting(&sources.authorization, &["authorizers", "type"]),
        _ => None,
    };
    let mut found: Vec<(Place, String)> = named_objects(f)
        .into_iter()
        .filter_map(|(kind, ns, name)| {
            let p = locator.find(kind, &ns, &name)?.clone();
            let label = if ns.is_empty() { format!("{kind} {name}") } else { format!("{kind} {ns}/{name}") };
            Some((p, label))
        })
        .collect();
    let primary = primary.or_else(|| (!found.is_empty()).then(|| found.remove(0).0));
    let primary = primary.or_else(|| locator.first_file.clone().map(|uri| Place { uri, line: 1 }));
    (primary, found)
}

/// The SARIF log for `findings`.
pub fn log(findings: &[Finding], sources: &Sources) -> Value {
    let locator = Locator::new(&sources.snapshots);
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let mut text = f.message.clone();
            for e in &f.evidence {
                text.push_str(&format!("\nEvidence: {e}"));
            }
            let mut r = json!({
                "ruleId": f.rule.id,
                "level": level(f.severity),
                "message": { "text": text },
                "partialFingerprints": { FINGERPRINT_KEY: fingerprint(f) },
                "properties": { "severity": f.severity.as_str(), "title": f.rule.title, "evidence": f.evidence },
            });
            if let Some(i) = RULES.iter().position(|r| r.id == f.rule.id) {
                r["ruleIndex"] = json!(i);
            }
            let (primary, related) = places(f, sources, &locator);
            if let Some(p) = primary {
                r["locations"] = json!([{ "physicalLocation": physical(&p) }]);
            }
            if !related.is_empty() {
                r["relatedLocations"] = related
                    .iter()
                    .enumerate()
                    .map(|(i, (p, label))| json!({ "id": i + 1, "physicalLocation": physical(p), "message": { "text": label } }))
                    .collect();
            }
            if let Some(why) = &f.by_design {
                r["suppressions"] = json!([{ "kind": "external", "status": "accepted", "justification": why }]);
            }
            r
        })
        .collect();
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "kauthz",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": RULES.iter().map(descriptor).collect::<Vec<_>>(),
            }},
            "columnKind": "utf16CodeUnits",
            "results": results,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kauthz_core::analysis::audit::{RBAC_GRANTS_TO_NODES, SERVICE_ACCOUNT_ESCALATES_NODES};

    fn finding(rule: Rule, message: &str, evidence: &[&str]) -> Finding {
        Finding {
            rule,
            severity: rule.severity,
            message: message.into(),
            evidence: evidence.iter().map(|e| e.to_string()).collect(),
            by_design: None,
        }
    }

    #[test]
    fn names_are_pascal_case_titles() {
        assert_eq!(rule_name(&RBAC_GRANTS_TO_NODES), "RBACGrantsNodesMoreThanTheNodeAuthorizerSOwnRules");
        for r in RULES {
            assert!(rule_name(r).chars().all(|c| c.is_ascii_alphanumeric()), "{}", r.id);
        }
    }

    #[test]
    fn fingerprint_ignores_the_node_list_of_an_escalating_account() {
        let a = finding(SERVICE_ACCOUNT_ESCALATES_NODES, "serviceaccount ns/sa runs on 1 node(s): n1", &[]);
        let b = finding(SERVICE_ACCOUNT_ESCALATES_NODES, "serviceaccount ns/sa runs on 2 node(s): n1, n2", &[]);
        let c = finding(SERVICE_ACCOUNT_ESCALATES_NODES, "serviceaccount ns/other runs on 1 node(s): n1", &[]);
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert_ne!(fingerprint(&a), fingerprint(&c));
        // FNV-1a's published test vector: the hash must never change between releases.
        assert_eq!(fnv1a("a"), "af63dc4c8601ec8c");
    }

    #[test]
    fn objects_named_in_findings() {
        let f = finding(
            RBAC_GRANTS_TO_NODES,
            r#"RoleBinding "rb/apps" of ClusterRole "view" to Group "system:nodes" grants system:nodes in namespace apps"#,
            &["binding kube-system/x", "serviceaccount ns/sa (mints a token: pod ns/p-1 runs as it)"],
        );
        let keys: Vec<String> = named_objects(&f).iter().map(|(k, ns, n)| format!("{k} {ns}/{n}")).collect();
        assert_eq!(keys, ["RoleBinding apps/rb", "ClusterRole /view", "RoleBinding kube-system/x", "ServiceAccount ns/sa", "Pod ns/p-1"]);
    }

    #[test]
    fn object_lines_in_yaml_and_json() {
        let yaml = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: rbac.authorization.k8s.io/v1\n  kind: ClusterRoleBinding\n  metadata:\n    name: x\n  roleRef:\n    kind: ClusterRole\n    name: x\n  subjects:\n  - kind: ServiceAccount\n    name: sa\n    namespace: ns\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: sa\n    namespace: ns\n";
        assert_eq!(object_line(yaml, "ClusterRoleBinding", "", "x"), Some(7));
        assert_eq!(object_line(yaml, "ClusterRole", "", "x"), None);
        assert_eq!(object_line(yaml, "ServiceAccount", "ns", "sa"), Some(18));
        let json = "{\n  \"items\": [\n    {\n      \"apiVersion\": \"v1\",\n      \"kind\": \"Node\",\n      \"metadata\": {\n        \"name\": \"w1\"\n      }\n    }\n  ]\n}\n";
        assert_eq!(object_line(json, "Node", "", "w1"), Some(7));
    }

    #[test]
    fn uris_are_references() {
        assert_eq!(uri(Path::new("./examples/a b.yaml")), "examples/a%20b.yaml");
        assert_eq!(uri(Path::new("/tmp/x.json")), "file:///tmp/x.json");
    }
}
