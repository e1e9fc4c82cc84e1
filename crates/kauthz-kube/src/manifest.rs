//! kube-apiserver's configuration from its static pod manifest (as kubeadm and kind write
//! `/etc/kubernetes/manifests/kube-apiserver.yaml`) or a flag string: the flags no API
//! exposes and kauthz needs (authorization chain, admission plugins, feature gates).

use std::path::{Path, PathBuf};

/// The kube-apiserver flags kauthz reads; `None` when the flag was not given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiserverFlags {
    /// `--authorization-mode`.
    pub authorization_mode: Option<String>,
    /// `--authorization-config`.
    pub authorization_config: Option<PathBuf>,
    /// `--authorization-policy-file`.
    pub authorization_policy_file: Option<PathBuf>,
    /// `--enable-admission-plugins`.
    pub enable_admission_plugins: Option<Vec<String>>,
    /// `--disable-admission-plugins`.
    pub disable_admission_plugins: Option<Vec<String>>,
    /// `--feature-gates`.
    pub feature_gates: Option<String>,
}

/// A manifest or flag string kauthz cannot read.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The file could not be read.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// The manifest.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Not a pod manifest with a kube-apiserver container.
    #[error("{origin}: {message}")]
    Invalid {
        /// The manifest, or `--apiserver-flags`.
        origin: String,
        /// What is wrong.
        message: String,
    },
}

impl ApiserverFlags {
    /// Reads the flags of a kube-apiserver static pod manifest file.
    pub fn from_manifest_file(path: &Path) -> Result<Self, ManifestError> {
        let text = std::fs::read_to_string(path).map_err(|source| ManifestError::Read { path: path.into(), source })?;
        Self::from_manifest(&path.display().to_string(), &text)
    }

    /// Reads the flags of a kube-apiserver static pod manifest (YAML or JSON): the command
    /// and args of the container named `kube-apiserver` (or whose command runs it).
    pub fn from_manifest(origin: &str, text: &str) -> Result<Self, ManifestError> {
        let invalid = |message: String| ManifestError::Invalid { origin: origin.into(), message };
        let pod: serde_json::Value = if text.trim_start().starts_with('{') {
            serde_json::from_str(text).map_err(|e| invalid(format!("invalid JSON: {e}")))?
        } else {
            serde_saphyr::from_str(text).map_err(|e| invalid(format!("invalid YAML: {e}")))?
        };
        if pod["kind"] != "Pod" {
            return Err(invalid(format!("expected a Pod manifest, found kind {}", pod["kind"])));
        }
        let containers = pod["spec"]["containers"].as_array().ok_or_else(|| invalid("spec.containers: missing".into()))?;
        let strings = |v: &serde_json::Value| -> Vec<String> {
            v.as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(String::from)).collect()).unwrap_or_default()
        };
        let container = containers
            .iter()
            .find(|c| c["name"] == "kube-apiserver")
            .or_else(|| containers.iter().find(|c| strings(&c["command"]).first().is_some_and(|c| c.ends_with("kube-apiserver"))))
            .ok_or_else(|| invalid("no kube-apiserver container".into()))?;
        let mut args = strings(&container["command"]);
        args.extend(strings(&container["args"]));
        Ok(Self::from_args(&args))
    }

    /// Reads `--apiserver-flags "…"`: kube-apiserver's flags as a shell would split them.
    pub fn from_flag_string(text: &str) -> Result<Self, ManifestError> {
        Ok(Self::from_args(&split_words(text).map_err(|message| ManifestError::Invalid { origin: "--apiserver-flags".into(), message })?))
    }

    /// Reads the flags from an argument list (`--flag=value` or `--flag value`; later
    /// occurrences win, as pflag's do).
    pub fn from_args(args: &[String]) -> Self {
        let mut flags = ApiserverFlags::default();
        let list = |v: &str| v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect::<Vec<_>>();
        let mut i = 0;
        while i < args.len() {
            let arg = &args[i];
            i += 1;
            let Some(flag) = arg.strip_prefix("--") else { continue };
            let (name, value) = match flag.split_once('=') {
                Some((n, v)) => (n, v.to_string()),
                None => {
                    let known = matches!(
                        flag,
                        "authorization-mode"
                            | "authorization-config"
                            | "authorization-policy-file"
                            | "enable-admission-plugins"
                            | "disable-admission-plugins"
                            | "feature-gates"
                    );
                    if !known || i >= args.len() {
                        continue;
                    }
                    i += 1;
                    (flag, args[i - 1].clone())
                }
            };
            match name {
                "authorization-mode" => flags.authorization_mode = Some(value),
                "authorization-config" => flags.authorization_config = Some(value.into()),
                "authorization-policy-file" => flags.authorization_policy_file = Some(value.into()),
                "enable-admission-plugins" => flags.enable_admission_plugins = Some(list(&value)),
                "disable-admission-plugins" => flags.disable_admission_plugins = Some(list(&value)),
                "feature-gates" => {
                    // Repeated --feature-gates flags accumulate in kube-apiserver.
                    flags.feature_gates = Some(match flags.feature_gates.take() {
                        Some(prev) if !prev.is_empty() => format!("{prev},{value}"),
                        _ => value,
                    });
                }
                _ => {}
            }
        }
        flags
    }
}

/// Splits a command line into words: whitespace separates, single and double quotes group,
/// a backslash escapes the next character outside single quotes.
fn split_words(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("unterminated single quote".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => word.push(chars.next().ok_or("trailing backslash")?),
                        Some(c) => word.push(c),
                        None => return Err("unterminated double quote".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                word.push(chars.next().ok_or("trailing backslash")?);
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape kubeadm writes (abridged).
    const KUBEADM: &str = r#"apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver
  namespace: kube-system
spec:
  containers:
  - command:
    - kube-apiserver
    - --advertise-address=172.18.0.3
    - --allow-privileged=true
    - --authorization-mode=Node,RBAC
    - --client-ca-file=/etc/kubernetes/pki/ca.crt
    - --enable-admission-plugins=NodeRestriction
    - --feature-gates=PodCertificateRequest=true
    - --runtime-config=
    image: registry.k8s.io/kube-apiserver:v1.37.2
    name: kube-apiserver
"#;

    #[test]
    fn kubeadm_manifest() {
        let flags = ApiserverFlags::from_manifest("m.yaml", KUBEADM).unwrap();
        assert_eq!(flags.authorization_mode.as_deref(), Some("Node,RBAC"));
        assert_eq!(flags.enable_admission_plugins, Some(vec!["NodeRestriction".to_string()]));
        assert_eq!(flags.disable_admission_plugins, None);
        assert_eq!(flags.feature_gates.as_deref(), Some("PodCertificateRequest=true"));
        assert_eq!(flags.authorization_config, None);
    }

    #[test]
    fn args_and_flag_strings() {
        let json = r#"{"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"name":"sidecar","command":["x"]},
            {"name":"apiserver","command":["/usr/local/bin/kube-apiserver"],"args":["--authorization-config","/etc/authz.yaml","--disable-admission-plugins=NodeRestriction,PodSecurity"]}]}}"#;
        let flags = ApiserverFlags::from_manifest("m.json", json).unwrap();
        assert_eq!(flags.authorization_config, Some(PathBuf::from("/etc/authz.yaml")));
        assert_eq!(flags.disable_admission_plugins, Some(vec!["NodeRestriction".to_string(), "PodSecurity".to_string()]));

        let flags = ApiserverFlags::from_flag_string(
            "--authorization-mode 'Node,RBAC,ABAC' --authorization-policy-file=\"/etc/abac policy.jsonl\" --feature-gates A=true --feature-gates=B=false --v 2",
        )
        .unwrap();
        assert_eq!(flags.authorization_mode.as_deref(), Some("Node,RBAC,ABAC"));
        assert_eq!(flags.authorization_policy_file, Some(PathBuf::from("/etc/abac policy.jsonl")));
        assert_eq!(flags.feature_gates.as_deref(), Some("A=true,B=false"));
        assert!(ApiserverFlags::from_flag_string("--authorization-mode 'Node").is_err());
    }

    #[test]
    fn not_an_apiserver_manifest() {
        let err = ApiserverFlags::from_manifest("m.yaml", "apiVersion: v1\nkind: ConfigMap\n").unwrap_err();
        assert!(err.to_string().starts_with("m.yaml: expected a Pod manifest"), "{err}");
        let err =
            ApiserverFlags::from_manifest("m.yaml", "kind: Pod\nspec:\n  containers:\n  - name: etcd\n    command: [etcd]\n").unwrap_err();
        assert!(err.to_string().contains("no kube-apiserver container"), "{err}");
        assert!(matches!(ApiserverFlags::from_manifest_file(Path::new("/nonexistent/m.yaml")), Err(ManifestError::Read { .. })));
    }
}
