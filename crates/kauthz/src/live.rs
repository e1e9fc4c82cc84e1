//! Live clusters and apiserver configuration for every command: `--kubeconfig`/`--context`
//! (state listed from the cluster when no `-f` is given), `--apiserver-manifest` and
//! `--apiserver-flags` (kube-apiserver's own flags), `--as-kubeconfig` (whose credential),
//! and the incompleteness marks of snapshots.

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use kauthz_core::model::Object;
use kauthz_kube::ClientOptions;
use kauthz_kube::list::{DEFAULT_PAGE_SIZE, Progress};
use kauthz_kube::manifest::ApiserverFlags;

use crate::cli::{AdmissionPluginArgs, ClusterArgs};

/// Where a live cluster is, and how its apiserver is configured.
#[derive(Debug, Args, Clone, Default)]
pub struct LiveArgs {
    /// Kubeconfig file (default: $KUBECONFIG, ~/.kube/config, then in-cluster); used when no -f is given.
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// Kubeconfig context to use.
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
    /// A kube-apiserver static pod manifest (as kubeadm and kind write it): its
    /// --authorization-*, admission plugin and feature-gate flags configure kauthz.
    #[arg(long, value_name = "FILE", conflicts_with = "apiserver_flags")]
    pub apiserver_manifest: Option<PathBuf>,
    /// kube-apiserver's command-line flags, e.g. "--authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction".
    #[arg(long, value_name = "FLAGS", allow_hyphen_values = true)]
    pub apiserver_flags: Option<String>,
}

impl LiveArgs {
    /// The kube client options.
    pub fn client_options(&self) -> ClientOptions {
        ClientOptions { kubeconfig: self.kubeconfig.clone(), context: self.context.clone() }
    }

    /// The apiserver flags from the manifest or flag string, if one was given.
    pub fn apiserver(&self) -> Result<Option<ApiserverFlags>, String> {
        if let Some(path) = &self.apiserver_manifest {
            return ApiserverFlags::from_manifest_file(path).map(Some).map_err(|e| e.to_string());
        }
        if let Some(text) = &self.apiserver_flags {
            return ApiserverFlags::from_flag_string(text).map(Some).map_err(|e| e.to_string());
        }
        Ok(None)
    }
}

/// The cluster arguments with the apiserver's flags filled in where the command line left
/// them unset (flags given to kauthz win).
pub fn effective(args: &ClusterArgs) -> Result<ClusterArgs, String> {
    let mut out = args.clone();
    let Some(flags) = args.live.apiserver()? else { return Ok(out) };
    if out.authorization_mode.is_none() && out.authorization_config.is_none() {
        out.authorization_mode = flags.authorization_mode;
        out.authorization_config = flags.authorization_config;
    }
    if out.authorization_policy_file.is_none() {
        out.authorization_policy_file = flags.authorization_policy_file;
    }
    if out.feature_gates.is_none() {
        out.feature_gates = flags.feature_gates;
    }
    Ok(out)
}

/// The admission plugin flags, from the command line or else the apiserver's configuration.
pub fn admission(args: &AdmissionPluginArgs, cluster: &ClusterArgs) -> Result<AdmissionPluginArgs, String> {
    let mut out = args.clone();
    if let Some(flags) = cluster.live.apiserver()? {
        if out.enable_admission_plugins.is_none() {
            out.enable_admission_plugins = flags.enable_admission_plugins;
        }
        if out.disable_admission_plugins.is_empty() {
            out.disable_admission_plugins = flags.disable_admission_plugins.unwrap_or_default();
        }
    }
    Ok(out)
}

/// A progress line on stderr while a terminal watches; nothing when stderr is piped.
struct ProgressLine {
    on: bool,
    resource: String,
    index: usize,
    total: usize,
    started: Instant,
}

impl ProgressLine {
    fn new() -> Self {
        ProgressLine { on: std::io::stderr().is_terminal(), resource: String::new(), index: 0, total: 0, started: Instant::now() }
    }

    fn update(&mut self, p: Progress) {
        if !self.on {
            return;
        }
        let items = match p {
            Progress::Kind { index, total, resource } => {
                (self.index, self.total, self.resource) = (index, total, resource);
                0
            }
            Progress::Items(n) => n,
        };
        let width = 20;
        let done = (self.index * width).checked_div(self.total).unwrap_or(0);
        eprint!(
            "\r\x1b[2K[{}{}] {}/{} {} {} ({:.1}s)",
            "#".repeat(done),
            " ".repeat(width - done),
            self.index + 1,
            self.total,
            self.resource,
            items,
            self.started.elapsed().as_secs_f64()
        );
    }

    fn finish(&self) {
        if self.on {
            eprint!("\r\x1b[2K");
        }
    }
}

/// A live snapshot with a progress line; warnings name each kind that could not be read.
pub fn snapshot(live: &LiveArgs, page_size: u32) -> Result<kauthz_kube::LiveSnapshot, String> {
    let mut bar = ProgressLine::new();
    let result = kauthz_kube::blocking::snapshot(&live.client_options(), page_size, &mut |p| bar.update(p));
    bar.finish();
    let (snap, _source) = result.map_err(|e| e.to_string())?;
    for missing in &snap.incomplete {
        eprintln!("Warning: cannot list {}: {} — answers computed without them are incomplete", missing.resource, missing.reason);
    }
    Ok(snap)
}

/// The objects of the live cluster, decoded by the core, and why they are incomplete when
/// some kinds were not readable (also warned about on stderr).
pub fn load_objects(args: &ClusterArgs) -> Result<(Vec<Object>, Option<String>), String> {
    let snap = snapshot(&args.live, DEFAULT_PAGE_SIZE)?;
    let incomplete = (!snap.incomplete.is_empty()).then(|| snap.incomplete_message());
    if let Some(why) = &incomplete {
        eprintln!("Warning: incomplete cluster state ({why}): every answer below may be missing permissions");
    }
    let mut objects = Vec::with_capacity(snap.items.len());
    for item in snap.items {
        if let Some(object) = kauthz_core::snapshot::decode_object(item).map_err(|e| e.to_string())? {
            objects.push(object);
        }
    }
    Ok((objects, incomplete))
}

/// Warns about snapshot files that `kauthz snapshot` marked incomplete; returns their marks.
pub fn warn_marked_files(files: &[PathBuf]) -> Option<String> {
    let mut marks = Vec::new();
    for path in files {
        // Only regular files: reading a named pipe (`-f <(cmd)`) here would consume what the
        // loader must read.
        if path.as_os_str() == "-" || !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
            continue;
        }
        // Only a file holding the annotation's name is read whole (and parsed): a big
        // unmarked snapshot, streamed by the loader, must not be held as text here.
        if !kauthz_core::snapshot::file_contains(path, kauthz_kube::INCOMPLETE_ANNOTATION.as_bytes()).unwrap_or(false) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(path) else { continue };
        if let Some(mark) = kauthz_kube::list::incomplete_mark(&text) {
            eprintln!("Warning: {} is an incomplete snapshot ({mark}): every answer below may be missing permissions", path.display());
            marks.push(format!("{}: {mark}", path.display()));
        }
    }
    (!marks.is_empty()).then(|| marks.join("; "))
}

/// The user and groups of a kubeconfig's credential: its client certificate, or a
/// TokenReview when the state is live (no `-f`).
pub fn identity(path: &std::path::Path, cluster: &ClusterArgs) -> Result<(String, Vec<String>), String> {
    let live = cluster.files.is_empty().then(|| cluster.live.client_options());
    kauthz_kube::blocking::identity(path, live.as_ref()).map_err(|e| e.to_string())
}

/// Examples of `kauthz snapshot`.
pub const SNAPSHOT_EXAMPLES: &str = "Examples:
  # The current context's cluster, for answers later or elsewhere
  kauthz snapshot -o cluster.json
  kauthz can-i --list --as-node worker-1 -f cluster.json

  # Another kubeconfig and context
  kauthz snapshot --kubeconfig admin.conf --context prod -o prod.json

  Secrets and ConfigMaps are read as metadata only (their values never leave the apiserver).
  A kind the credential may not list is named on stderr and recorded in the snapshot's
  kauthz.dev/incomplete annotation; answers computed from it are marked incomplete.";

/// `kauthz snapshot`.
#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// Write the snapshot here (`-` for stdout).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
    /// Objects per list request (the apiserver's `limit`).
    #[arg(long, default_value_t = DEFAULT_PAGE_SIZE)]
    pub page_size: u32,
    /// The cluster.
    #[command(flatten)]
    pub live: LiveArgs,
}
