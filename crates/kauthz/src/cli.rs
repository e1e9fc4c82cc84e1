//! Command-line definitions, shaped after kubectl's habits.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// What can this Kubernetes identity do? kube-apiserver's authorizers (Node, RBAC, ABAC)
/// re-implemented decision for decision, over a snapshot of your cluster.
#[derive(Debug, Parser)]
#[command(name = "kauthz", version, about, propagate_version = true)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check whether an identity may perform an action (or list everything it may do).
    #[command(name = "can-i", after_help = CAN_I_EXAMPLES)]
    CanI(CanIArgs),
    /// Show what every authorizer in the chain decides, and why.
    #[command(after_help = EXPLAIN_EXAMPLES)]
    Explain(ExplainArgs),
    /// List every identity that may perform an action.
    #[command(name = "who-can", after_help = WHO_CAN_EXAMPLES)]
    WhoCan(WhoCanArgs),
    /// Answer SubjectAccessReview (and kauthz.dev/v1alpha1 SubjectRulesReview) objects read
    /// from stdin, one JSON object per line; watch events in between update the cluster.
    #[command(after_help = REVIEW_EXAMPLES)]
    Review(ReviewArgs),
    /// Answer admission.k8s.io/v1 AdmissionReviews read from stdin, one JSON per line, as
    /// kube-apiserver's NodeRestriction admission plugin would; watch events in between
    /// update the cluster.
    #[command(after_help = ADMIT_EXAMPLES)]
    Admit(AdmitArgs),
    /// What a stolen kubelet credential reaches: reads, minted tokens, and the shortest
    /// path to cluster-wide power.
    #[command(name = "blast-radius", after_help = BLAST_EXAMPLES)]
    BlastRadius(BlastRadiusArgs),
    /// Kubelet authorization posture: findings with ids, severities, evidence and fixes.
    #[command(after_help = AUDIT_EXAMPLES)]
    Audit(AuditArgs),
    /// What changed in every node's effective permissions and blast radius between two
    /// snapshots (or a snapshot and a change applied on top of it).
    #[command(after_help = DIFF_EXAMPLES)]
    Diff(DiffArgs),
    /// Serve the authorization webhook (POST /authorize, SubjectAccessReview v1) and the
    /// admission webhook (POST /admit, AdmissionReview v1) over HTTPS.
    #[command(after_help = SERVE_EXAMPLES)]
    Serve(ServeArgs),
    /// Re-decide a kube-apiserver audit log's node requests with strict mode: what would
    /// break if it were switched on today.
    #[command(after_help = REPLAY_EXAMPLES)]
    Replay(ReplayArgs),
    /// Output shell completion code for bash, zsh, fish (or powershell, elvish), as
    /// `kubectl completion` does.
    #[command(after_help = COMPLETION_EXAMPLES)]
    Completion(CompletionArgs),
    /// Write a snapshot of a live cluster (every kind kauthz reads; Secrets and ConfigMaps as
    /// metadata only) to a file, for answers later or elsewhere.
    #[command(after_help = crate::live::SNAPSHOT_EXAMPLES)]
    Snapshot(crate::live::SnapshotArgs),
}

const REPLAY_EXAMPLES: &str = "Examples:
  kauthz replay --audit-log /var/log/kubernetes/audit.log -f cluster.json --with-defaults
  kauthz replay --audit-log audit.log -f cluster.json --with-defaults -o json

  Reads audit.k8s.io/v1 Events (JSON lines, as the log backend writes them); each request of a node
  identity is decided again with the snapshot's chain and with strict mode. Exit code 1 when strict
  mode would deny something.";

/// `kauthz replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The audit log (JSON lines); `-` reads stdin.
    #[arg(long, value_name = "FILE")]
    pub audit_log: PathBuf,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
    /// The cluster.
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

const SERVE_EXAMPLES: &str = "Examples:
  # Strict mode over a snapshot, TLS, the apiserver authenticated by its client certificate
  kauthz serve -f cluster.json --with-defaults --mode strict --listen 0.0.0.0:8443 \\
    --tls-cert-file tls.crt --tls-private-key-file tls.key --client-ca-file apiserver-client-ca.crt

  # Trial strict mode: answers no opinion, logs and counts what it would deny
  kauthz serve -f cluster.json --with-defaults --mode audit --tls-cert-file tls.crt --tls-private-key-file tls.key

  # Watched live state (kubeconfig, --context or in-cluster, as every command without -f)
  kauthz serve --mode strict --max-staleness 30s --listen 0.0.0.0:8443 \\
    --tls-cert-file tls.crt --tls-private-key-file tls.key

  Without -f the state is watched: /readyz answers 200 only after every kind has been listed once;
  while a watch has failed (until its kind is relisted) or nothing confirmed the state for longer than
  --max-staleness, /authorize answers no opinion and /admit answers 503 (failurePolicy applies).

  Modes: node (the Node authorizer: allow or no opinion), strict (node identities are also denied what
  neither the Node authorizer's graph nor the allowlist justifies, even where RBAC would allow it; place it
  before RBAC), audit (strict computed, no opinion returned). The TLS files are reloaded when they change.";

/// `kauthz serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8443", value_name = "ADDR:PORT")]
    pub listen: std::net::SocketAddr,
    /// Serving certificate (PEM).
    #[arg(long, value_name = "FILE", required_unless_present = "insecure_http")]
    pub tls_cert_file: Option<PathBuf>,
    /// Serving key (PEM).
    #[arg(long, value_name = "FILE", required_unless_present = "insecure_http")]
    pub tls_private_key_file: Option<PathBuf>,
    /// Require client certificates signed by this CA (PEM): the apiserver's webhook client cert.
    #[arg(long, value_name = "FILE")]
    pub client_ca_file: Option<PathBuf>,
    /// Serve plain HTTP (local trials and tests only; kube-apiserver requires HTTPS).
    #[arg(long, conflicts_with_all = ["tls_cert_file", "tls_private_key_file", "client_ca_file"])]
    pub insecure_http: bool,
    /// node, strict or audit.
    #[arg(long, default_value = "node", value_name = "MODE")]
    pub mode: String,
    /// More rules strict mode lets through (a ClusterRole or Role, YAML or JSON), on top of
    /// the default allowlist (discovery, self-reviews, kubelet client-certificate renewal).
    #[arg(long, value_name = "FILE")]
    pub allow: Option<PathBuf>,
    /// Concurrent connections.
    #[arg(long, default_value_t = 1024)]
    pub max_connections: usize,
    /// Watched state (no -f): how long the state may go unconfirmed (no event and no
    /// successful probe of the apiserver) before /authorize answers no opinion and /admit
    /// fails (the webhook's failurePolicy then applies), e.g. 500ms, 30s, 2m.
    #[arg(long, default_value = "30s", value_name = "DURATION", value_parser = parse_duration)]
    pub max_staleness: std::time::Duration,
    /// What /authorize answers while not synced or stale: `no-opinion` (the apiserver's next
    /// authorizer, usually RBAC, decides) or `error` (HTTP 503: the webhook's failurePolicy
    /// decides, e.g. Deny).
    #[arg(long, value_enum, default_value_t = WhenStale::NoOpinion, value_name = "ANSWER")]
    pub when_stale: WhenStale,
    /// The cluster.
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

const DIFF_EXAMPLES: &str = "Examples:
  # Two snapshots
  kauthz diff before.json after.json --with-defaults

  # A snapshot and an RBAC change applied on top of it (a pull request's manifests), as a CI gate
  kauthz diff cluster.json rbac-change.yaml --overlay --with-defaults --fail-on-widening

  Exit code 1 with --fail-on-widening when some node reaches more than before, else 0.";

/// `kauthz diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The state before: a snapshot file or directory.
    #[arg(value_name = "BEFORE")]
    pub before: PathBuf,
    /// The state after: a snapshot file or directory (with --overlay: objects applied on
    /// top of BEFORE).
    #[arg(value_name = "AFTER")]
    pub after: PathBuf,
    /// AFTER holds only changed objects, applied on top of BEFORE.
    #[arg(long)]
    pub overlay: bool,
    /// Exit 1 when some node gains a permission, a power or an escalation path.
    #[arg(long)]
    pub fail_on_widening: bool,
    /// Follow at most this many hops for blast radius.
    #[arg(long, default_value_t = 3)]
    pub depth: usize,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
    /// Chain and defaults, applied to both sides (-f adds files to both).
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

const COMPLETION_EXAMPLES: &str = "Examples:
  # bash: load in the current shell, or install for every new shell
  source <(kauthz completion bash)
  kauthz completion bash > /etc/bash_completion.d/kauthz

  # zsh (a directory on $fpath)
  kauthz completion zsh > \"${fpath[1]}/_kauthz\"

  # fish
  kauthz completion fish > ~/.config/fish/completions/kauthz.fish";

/// `kauthz completion`.
#[derive(Debug, Args)]
pub struct CompletionArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

const AUDIT_EXAMPLES: &str = "Examples:
  kauthz audit -f cluster.json --with-defaults --enable-admission-plugins NodeRestriction
  kauthz audit -f cluster.json --with-defaults --profile aks --fail-on high -o json
  kauthz audit -f cluster.json --kubelet-config /var/lib/kubelet/config.yaml --enable-admission-plugins NodeRestriction

  Findings a --profile marks as the distribution's design are listed but do not count for --fail-on.
  Exit code 1 when a finding at or above --fail-on remains, else 0.";

/// kube-apiserver's admission plugin flags (NodeRestriction is not enabled by default).
#[derive(Debug, Args, Clone, Default)]
pub struct AdmissionPluginArgs {
    /// kube-apiserver's --enable-admission-plugins (comma-separated).
    #[arg(long, value_name = "PLUGINS", value_delimiter = ',')]
    pub enable_admission_plugins: Option<Vec<String>>,
    /// kube-apiserver's --disable-admission-plugins (comma-separated).
    #[arg(long, value_name = "PLUGINS", value_delimiter = ',')]
    pub disable_admission_plugins: Vec<String>,
}

/// Output formats of `audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// One line per finding.
    Table,
    /// With evidence, fix and profile notes.
    Wide,
    /// JSON.
    Json,
    /// YAML.
    Yaml,
    /// SARIF 2.1.0, for code-scanning UIs (GitHub code scanning).
    Sarif,
}

/// `kauthz audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// A distribution whose defaults are known: kubeadm, kind, aks, eks, gke, k3s, openshift.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Exit 1 when a finding of this severity or worse remains (info, low, medium, high, critical).
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
    /// A KubeletConfiguration file (YAML or JSON) to check.
    #[arg(long, value_name = "FILE")]
    pub kubelet_config: Option<PathBuf>,
    /// Follow at most this many hops when looking for escalating service accounts.
    #[arg(long, default_value_t = 3)]
    pub depth: usize,
    /// Admission configuration.
    #[command(flatten)]
    pub admission: AdmissionPluginArgs,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = AuditFormat::Table)]
    pub output: AuditFormat,
    /// The cluster.
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

const BLAST_EXAMPLES: &str = "Examples:
  # One node: every object it reads (with the graph path), the service accounts it can mint
  # tokens for, and the shortest path to cluster-wide power, if any
  kauthz blast-radius --node worker-1 -f cluster.json --with-defaults

  # Every node, escalating nodes first
  kauthz blast-radius --all-nodes -f cluster.json --with-defaults -o json

  Exit code 0 when every node analysed is contained, 1 when one escalates.";

/// `kauthz blast-radius`.
#[derive(Debug, Args)]
pub struct BlastRadiusArgs {
    /// The node to analyse.
    #[arg(long, value_name = "NAME", required_unless_present = "all_nodes", conflicts_with = "all_nodes")]
    pub node: Option<String>,
    /// Analyse every node of the snapshot.
    #[arg(long)]
    pub all_nodes: bool,
    /// Follow at most this many hops from the node (service accounts gained per hop).
    #[arg(long, default_value_t = 3)]
    pub depth: usize,
    /// Admission configuration: with NodeRestriction disabled, a kubelet's pod creation
    /// counts as a power.
    #[command(flatten)]
    pub admission: AdmissionPluginArgs,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = BlastFormat::Table)]
    pub output: BlastFormat,
    /// The cluster.
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

/// Output formats of `blast-radius`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BlastFormat {
    /// kubectl's default.
    Table,
    /// Adds reasons and sources.
    Wide,
    /// JSON.
    Json,
    /// YAML.
    Yaml,
    /// One self-contained HTML page: the reach as an interactive, searchable graph.
    Html,
}

const ADMIT_EXAMPLES: &str = "Examples:
  kauthz admit -f cluster.json --with-defaults < admission-reviews.jsonl > responses.jsonl
  kauthz admit -f cluster.json --requests reviews.json --feature-gates CSIVolumeHealth=true

  Each response carries the request's uid, allowed, and for a refusal the Status kube-apiserver
  would return (403 Forbidden, 404 NotFound, 500 for plain errors; 400 for a review kauthz cannot
  decode). Exit code 0, or 2 when a line was not JSON (after answering the rest).";

const CAN_I_EXAMPLES: &str = "Examples:
  # Can the kubelet of worker-1 read this secret? (exit 0 = yes, 1 = no)
  kauthz can-i get secrets/db-password -n shop --as-node worker-1 -f cluster.json --with-defaults

  # The same with every authorizer's answer and the graph path
  kauthz can-i get secrets/db-password -n shop --as-node worker-1 -f cluster.json --with-defaults -o wide

  # Everything a service account may do in its namespace, with the source of each row
  kauthz can-i --list -n shop --as system:serviceaccount:shop:api -f cluster.json --with-defaults -o wide

  # kube-apiserver's own answer for a kubelet (kubectl's output, incomplete warning included)
  kauthz can-i --list --upstream --as-node worker-1 -f cluster.json --with-defaults";

const EXPLAIN_EXAMPLES: &str = "Examples:
  kauthz explain get configmaps/kube-proxy -n kube-system --as-node worker-1 -f cluster.json --with-defaults
  kauthz explain list secrets -A --as alice --as-group dev -f cluster.json --authorization-mode Node,RBAC,ABAC \\
    --authorization-policy-file abac.jsonl";

const WHO_CAN_EXAMPLES: &str = "Examples:
  # Who may read every secret? (bindings, ABAC lines, and nodes through the graph)
  kauthz who-can list secrets -A -f cluster.json --with-defaults
  kauthz who-can get secrets/db-password -n shop -f cluster.json --with-defaults -o json";

const REVIEW_EXAMPLES: &str = "Examples:
  kauthz review -f cluster.json --with-defaults < requests.jsonl > answers.jsonl
  echo '{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SubjectAccessReview\",\"spec\":{\"user\":\"alice\",\"resourceAttributes\":{\"verb\":\"get\",\"resource\":\"pods\",\"namespace\":\"shop\"}}}' \\
    | kauthz review -f cluster.json --with-defaults";

/// Where the cluster comes from and how the apiserver is configured.
#[derive(Debug, Args, Clone)]
pub struct ClusterArgs {
    /// Snapshot file or directory (JSON or YAML, as `kubectl get -o json|yaml` writes); repeatable; `-` reads stdin.
    #[arg(short = 'f', long = "filename", value_name = "PATH")]
    pub files: Vec<PathBuf>,
    /// Add the RBAC policy kube-apiserver v1.37 creates at start (snapshot objects win over defaults).
    #[arg(long)]
    pub with_defaults: bool,
    /// kube-apiserver's --authorization-mode (comma-separated).
    #[arg(long, value_name = "MODES", conflicts_with = "authorization_config")]
    pub authorization_mode: Option<String>,
    /// kube-apiserver's --authorization-config (AuthorizationConfiguration file).
    #[arg(long, value_name = "FILE")]
    pub authorization_config: Option<PathBuf>,
    /// kube-apiserver's --authorization-policy-file (ABAC, JSON lines).
    #[arg(long, value_name = "FILE")]
    pub authorization_policy_file: Option<PathBuf>,
    /// kube-apiserver's --feature-gates (Name=bool,...; v1.37.2 defaults otherwise): the
    /// Node authorizer's and NodeRestriction's gates.
    #[arg(long, value_name = "GATES")]
    pub feature_gates: Option<String>,
    /// Print what was skipped while loading.
    #[arg(short = 'v', long)]
    pub verbose: bool,
    /// Live cluster and apiserver configuration.
    #[command(flatten)]
    pub live: crate::live::LiveArgs,
}

/// The objects of a write, for NodeRestriction.
#[derive(Debug, Args, Clone, Default)]
pub struct WriteArgs {
    /// The object written (create, update/patch), as JSON or YAML: admission then runs after
    /// authorization, as kube-apiserver runs NodeRestriction.
    #[arg(long, value_name = "FILE")]
    pub object: Option<PathBuf>,
    /// The object before an update (or the deleted object), as JSON or YAML.
    #[arg(long, value_name = "FILE")]
    pub old_object: Option<PathBuf>,
}

/// Who is asking.
#[derive(Debug, Args, Clone)]
pub struct IdentityArgs {
    /// User to act as (kubectl impersonation semantics).
    #[arg(long = "as", value_name = "USER")]
    pub as_user: Option<String>,
    /// Group to act as; repeatable.
    #[arg(long = "as-group", value_name = "GROUP")]
    pub as_groups: Vec<String>,
    /// Act as the kubelet of this node: user system:node:NAME in group system:nodes.
    #[arg(long = "as-node", value_name = "NAME", conflicts_with = "as_user")]
    pub as_node: Option<String>,
    /// Act as the user of this kubeconfig's credential (client certificate: CN and O; a token:
    /// TokenReview, live only), e.g. a node's /etc/kubernetes/kubelet.conf.
    #[arg(long = "as-kubeconfig", value_name = "FILE", conflicts_with_all = ["as_user", "as_node", "as_groups"])]
    pub as_kubeconfig: Option<PathBuf>,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// kubectl's default.
    Table,
    /// Adds reasons and sources.
    Wide,
    /// JSON.
    Json,
    /// YAML.
    Yaml,
}

/// The request being asked about.
#[derive(Debug, Args, Clone)]
pub struct RequestArgs {
    /// Verb (get, list, create, ...).
    pub verb: Option<String>,
    /// TYPE, TYPE/NAME, or a non-resource URL starting with `/`.
    pub resource: Option<String>,
    /// Namespace of the request.
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// Ask across all namespaces (namespace "").
    #[arg(short = 'A', long, conflicts_with = "namespace")]
    pub all_namespaces: bool,
    /// Subresource, e.g. status, log, token.
    #[arg(long)]
    pub subresource: Option<String>,
    /// Field selector of a list/watch, e.g. spec.nodeName=worker-1.
    #[arg(long)]
    pub field_selector: Option<String>,
    /// Label selector of a list/watch.
    #[arg(short = 'l', long = "selector")]
    pub label_selector: Option<String>,
}

/// `can-i`.
#[derive(Debug, Args)]
pub struct CanIArgs {
    /// The request.
    #[command(flatten)]
    pub request: RequestArgs,
    /// List everything the identity may do in the namespace.
    #[arg(long)]
    pub list: bool,
    /// Omit headers from --list output.
    #[arg(long)]
    pub no_headers: bool,
    /// With --list: answer exactly as kube-apiserver and kubectl do (a node's list holds no
    /// Node authorizer rules and is marked incomplete) instead of resolving the Node
    /// authorizer's grants.
    #[arg(long, requires = "list")]
    pub upstream: bool,
    /// Print nothing; only the exit code answers.
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
    /// The written objects, for admission.
    #[command(flatten)]
    pub write: WriteArgs,
    /// The identity.
    #[command(flatten)]
    pub identity: IdentityArgs,
    /// The cluster.
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

/// `explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The request.
    #[command(flatten)]
    pub request: RequestArgs,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
    /// The written objects, for admission.
    #[command(flatten)]
    pub write: WriteArgs,
    /// The identity.
    #[command(flatten)]
    pub identity: IdentityArgs,
    /// The cluster.
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

/// `who-can`.
#[derive(Debug, Args)]
pub struct WhoCanArgs {
    /// The request.
    #[command(flatten)]
    pub request: RequestArgs,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
    /// The cluster.
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

/// `review`.
/// `kauthz admit`.
#[derive(Debug, Args)]
pub struct AdmitArgs {
    /// The cluster.
    #[command(flatten)]
    pub cluster: ClusterArgs,
    /// Read AdmissionReviews from this file instead of stdin (JSON lines or a List).
    #[arg(long, value_name = "FILE")]
    pub requests: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// Read requests from this file instead of stdin.
    #[arg(long, value_name = "FILE")]
    pub requests: Option<PathBuf>,
    /// Live only: keep the cluster state current with watches while answering (each request
    /// is answered over the state as last seen).
    #[arg(long, conflicts_with = "files")]
    pub watch: bool,
    /// The cluster.
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

/// A duration flag (`500ms`, `30s`, `2m`), strictly positive.
fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let d = humantime::parse_duration(text).map_err(|e| format!("{text:?}: {e} (e.g. 500ms, 30s, 2m)"))?;
    if d.is_zero() { Err(format!("{text:?}: expected a positive duration")) } else { Ok(d) }
}

/// `serve --when-stale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WhenStale {
    /// No opinion, with the reason.
    NoOpinion,
    /// HTTP 503: the apiserver applies the webhook's failurePolicy.
    Error,
}
