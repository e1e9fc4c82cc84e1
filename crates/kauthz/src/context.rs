//! Turning command-line arguments into the core's inputs: cluster state, chain, identity
//! and request attributes.

use kauthz_core::admission::{AdmissionError, AdmissionRequest, NodeRestriction, NodeRestrictionConfig};
use kauthz_core::analysis::audit::AdmissionFlags;
use kauthz_core::authz::{Attributes, Selector, UserInfo};
use kauthz_core::chain::Chain;
use kauthz_core::features::FeatureGates;
use kauthz_core::model::Object;
use kauthz_core::{ClusterState, defaults, selector, snapshot};

use crate::resources;

use crate::cli::{AdmissionPluginArgs, ClusterArgs, IdentityArgs, RequestArgs, WriteArgs};

/// A loaded cluster and the chain to evaluate against it.
pub struct Loaded {
    /// Objects and derived authorizer state.
    pub state: ClusterState,
    /// The configured chain.
    pub chain: Chain,
    /// The feature gates in effect.
    pub gates: FeatureGates,
    /// Why the state may lack objects (kinds the credential could not list, live or in a
    /// snapshot marked by `kauthz snapshot`); `None` when it is complete.
    pub incomplete: Option<String>,
}

impl Loaded {
    /// Marks an answer's `evaluationError` when the state is incomplete (appended to what
    /// the chain said); returns whether it did.
    pub fn mark_incomplete(&self, evaluation_error: &mut String) -> bool {
        let Some(why) = &self.incomplete else { return false };
        if !evaluation_error.is_empty() {
            evaluation_error.push_str("; ");
        }
        evaluation_error.push_str("incomplete cluster state: ");
        evaluation_error.push_str(why);
        true
    }
}

/// Loads the snapshot (all or nothing), adds defaults, and builds the chain.
pub fn load(args: &ClusterArgs) -> Result<Loaded, String> {
    load_from(args, false)
}

/// [`load`] for a command that answers and exits: the state is never freed. Freeing a
/// million-pod cluster's objects one by one takes about as long as building the graph
/// (1.6 s), and the process is about to end anyway. Never for a long-running command
/// (`serve`, watches), which replaces its state.
pub fn load_for_exit(args: &ClusterArgs) -> Result<&'static mut Loaded, String> {
    Ok(Box::leak(Box::new(load(args)?)))
}

/// The chain, gates and defaults of `args` over no snapshot objects (a watch fills the
/// state afterwards).
pub fn load_empty(args: &ClusterArgs) -> Result<Loaded, String> {
    load_from(args, true)
}

fn load_from(args: &ClusterArgs, empty: bool) -> Result<Loaded, String> {
    let args = &crate::live::effective(args)?;
    let gates = match &args.feature_gates {
        Some(flag) => FeatureGates::from_flag(flag).map_err(|e| format!("--feature-gates: {e}"))?,
        None => FeatureGates::default(),
    };
    let chain = build_chain(args)?.with_feature_gates(&gates);
    let started = std::time::Instant::now();
    let (snap, incomplete) = if empty {
        (snapshot::Snapshot::default(), None)
    } else if args.files.is_empty() {
        // No -f: the state is listed from the live cluster.
        let (objects, incomplete) = crate::live::load_objects(args)?;
        (snapshot::Snapshot { objects, ..Default::default() }, incomplete)
    } else {
        // The search for the incomplete mark reads each file through once more: beside the
        // load rather than before it.
        let (loaded, incomplete) = std::thread::scope(|scope| {
            let marks = scope.spawn(|| crate::live::warn_marked_files(&args.files));
            let loaded = snapshot::load_paths(&args.files);
            (loaded, marks.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
        });
        (loaded.map_err(|e| e.to_string())?, incomplete)
    };
    if args.verbose {
        eprintln!("loaded {} objects from {} input(s) in {:.2?}", snap.objects.len(), args.files.len(), started.elapsed());
        for (what, n) in &snap.skipped {
            eprintln!("skipped {n} x {what}");
        }
    }
    let base: Vec<Object> = if args.with_defaults { defaults::bootstrap_policy().to_vec() } else { Vec::new() };
    // Defaults first: a snapshot object with the same identity replaces its default.
    let started = std::time::Instant::now();
    let mut state = ClusterState::for_node_config(&gates.node_authorizer());
    state.apply_all(base.into_iter().chain(snap.objects));
    if args.verbose {
        eprintln!("built authorization state in {:.2?}", started.elapsed());
    }
    Ok(Loaded { state, chain, gates, incomplete })
}

fn build_chain(args: &ClusterArgs) -> Result<Chain, String> {
    let policy = match &args.authorization_policy_file {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{}: cannot read: {e}", p.display()))?;
            Some((p.display().to_string(), text))
        }
        None => None,
    };
    let policy_ref = policy.as_ref().map(|(p, t)| (p.as_str(), t.as_str()));
    if let Some(cfg) = &args.authorization_config {
        let text = std::fs::read_to_string(cfg).map_err(|e| format!("{}: cannot read: {e}", cfg.display()))?;
        return Chain::from_config(&cfg.display().to_string(), &text, policy_ref).map_err(|e| e.to_string());
    }
    Chain::from_modes(args.authorization_mode.as_deref().unwrap_or("Node,RBAC"), policy_ref).map_err(|e| e.to_string())
}

/// NodeRestriction's answer for an authorized write, when `--object`/`--old-object` give the
/// objects (`None` when admission does not apply: no objects, or a verb admission never
/// sees).
pub fn admit_write(write: &WriteArgs, attrs: &Attributes, loaded: &Loaded) -> Result<Option<Result<(), AdmissionError>>, String> {
    if write.object.is_none() && write.old_object.is_none() {
        return Ok(None);
    }
    let read = |p: &Option<std::path::PathBuf>| -> Result<Option<serde_json::Value>, String> {
        let Some(p) = p else { return Ok(None) };
        let text = std::fs::read_to_string(p).map_err(|e| format!("{}: cannot read: {e}", p.display()))?;
        let value: serde_json::Value = if text.trim_start().starts_with('{') {
            serde_json::from_str(&text).map_err(|e| format!("{}: invalid JSON: {e}", p.display()))?
        } else {
            serde_saphyr::from_str(&text).map_err(|e| format!("{}: invalid YAML: {e}", p.display()))?
        };
        Ok(Some(value))
    };
    let Some(request) = AdmissionRequest::for_write(attrs, read(&write.object)?, read(&write.old_object)?) else {
        return Ok(None);
    };
    let request = request.map_err(|e| e.to_string())?;
    let plugin = NodeRestriction::new(NodeRestrictionConfig::from(&loaded.gates));
    Ok(Some(plugin.admit(&loaded.state, &loaded.chain, &request)))
}

/// The admission flags as the core's audit reads them.
pub fn admission_flags(args: &AdmissionPluginArgs) -> AdmissionFlags {
    AdmissionFlags { enabled: args.enable_admission_plugins.clone(), disabled: args.disable_admission_plugins.clone() }
}

/// The user kube-apiserver would see: `--as-kubeconfig`'s credential, else kubectl's
/// impersonation flags.
pub fn identity_for(args: &IdentityArgs, cluster: &ClusterArgs) -> Result<UserInfo, String> {
    let Some(path) = &args.as_kubeconfig else { return identity(args) };
    let (name, mut groups) = crate::live::identity(path, cluster)?;
    // The apiserver adds system:authenticated to every authenticated user.
    if !groups.iter().any(|g| g == "system:authenticated") {
        groups.push("system:authenticated".into());
    }
    Ok(UserInfo { name, groups, ..UserInfo::default() })
}

/// The user kube-apiserver would see for kubectl's impersonation flags.
pub fn identity(args: &IdentityArgs) -> Result<UserInfo, String> {
    let mut groups = args.as_groups.clone();
    let name = if let Some(node) = &args.as_node {
        groups.insert(0, "system:nodes".into());
        format!("system:node:{node}")
    } else if let Some(user) = &args.as_user {
        if let Some((ns, _)) = user.strip_prefix("system:serviceaccount:").and_then(|r| r.split_once(':'))
            && groups.is_empty()
        {
            groups = vec!["system:serviceaccounts".into(), format!("system:serviceaccounts:{ns}")];
        }
        user.clone()
    } else if !groups.is_empty() {
        return Err("requesting groups without impersonating a user: pass --as USER".into());
    } else {
        return Err("no identity: pass --as USER [--as-group GROUP]... or --as-node NAME (offline there is no current user)".into());
    };
    if name == "system:anonymous" {
        if !groups.iter().any(|g| g == "system:unauthenticated") {
            groups.push("system:unauthenticated".into());
        }
    } else if !groups.iter().any(|g| g == "system:authenticated" || g == "system:unauthenticated") {
        groups.push("system:authenticated".into());
    }
    if name.starts_with("system:node:") && !groups.iter().any(|g| g == "system:nodes") {
        eprintln!(
            "Note: {name} without group system:nodes is not a node to the Node authorizer (as with kubectl --as); use --as-node {} or add --as-group system:nodes",
            &name["system:node:".len()..]
        );
    }
    Ok(UserInfo { name, groups, ..UserInfo::default() })
}

/// Builds request attributes from `VERB TYPE[/NAME]` or `VERB /path`, warning on stderr
/// about unknown types as kubectl does.
pub fn attributes(req: &RequestArgs, user: UserInfo) -> Result<Attributes, String> {
    let verb = req.verb.clone().ok_or("you must specify two arguments: verb resource or verb resource/resourceName")?;
    let target = req.resource.clone().ok_or("you must specify two arguments: verb resource or verb resource/resourceName")?;
    if target.starts_with('/') {
        return Ok(Attributes::non_resource(user, &verb, &target));
    }
    let (type_arg, name) = match target.split_once('/') {
        Some((t, n)) => (t, n),
        None => (target.as_str(), ""),
    };
    let resolved = resources::resolve(type_arg);
    if resolved.known.is_none() && resolved.resource != "*" && !matches!(resolved.resource.as_str(), "users" | "groups") {
        if resolved.group.is_empty() {
            eprintln!("Warning: the server doesn't have a resource type '{}'", resolved.resource);
        } else {
            eprintln!("Warning: the server doesn't have a resource type '{}' in group '{}'", resolved.resource, resolved.group);
        }
    }
    let namespace = if req.all_namespaces { String::new() } else { req.namespace.clone().unwrap_or_else(|| "default".into()) };
    // kubectl still sends the namespace (RoleBindings there are consulted) and only warns.
    if resolved.known.is_some_and(|t| !t.namespaced) && !namespace.is_empty() {
        eprintln!("Warning: resource '{}' is not namespace scoped", resolved.resource);
    }
    let mut attrs = Attributes::resource(user, &verb, &resolved.resource, &namespace, name);
    attrs.api_group = resolved.group;
    attrs.subresource = req.subresource.clone().unwrap_or_default();
    if let Some(fs) = &req.field_selector {
        attrs.field_selector = match selector::parse_field_selector(fs) {
            Ok(r) => Selector { requirements: r, error: None },
            Err(e) => return Err(format!("--field-selector: {e}")),
        };
    }
    if let Some(ls) = &req.label_selector {
        attrs.label_selector = match selector::parse_label_selector(ls) {
            Ok(r) => Selector { requirements: r, error: None },
            Err(e) => return Err(format!("--selector: {e}")),
        };
    }
    Ok(attrs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ident(user: Option<&str>, groups: &[&str], node: Option<&str>) -> Result<UserInfo, String> {
        identity(&IdentityArgs {
            as_user: user.map(Into::into),
            as_groups: groups.iter().map(|g| g.to_string()).collect(),
            as_node: node.map(Into::into),
            as_kubeconfig: None,
        })
    }

    #[test]
    fn impersonation_groups() {
        assert_eq!(ident(Some("x"), &["g"], None).unwrap().groups, ["g", "system:authenticated"]);
        assert_eq!(ident(Some("system:node:a"), &[], None).unwrap().groups, ["system:authenticated"]);
        assert_eq!(ident(None, &[], Some("a")).unwrap().groups, ["system:nodes", "system:authenticated"]);
        assert_eq!(
            ident(Some("system:serviceaccount:ns:sa"), &[], None).unwrap().groups,
            ["system:serviceaccounts", "system:serviceaccounts:ns", "system:authenticated"]
        );
        assert_eq!(ident(Some("system:anonymous"), &[], None).unwrap().groups, ["system:unauthenticated"]);
        assert_eq!(ident(Some("x"), &["system:unauthenticated"], None).unwrap().groups, ["system:unauthenticated"]);
        assert!(ident(None, &["g"], None).is_err());
        assert!(ident(None, &[], None).is_err());
    }
}
