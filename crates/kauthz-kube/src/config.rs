//! Which cluster and credential to use, resolved as kubectl resolves them: `--kubeconfig`
//! first, else the `KUBECONFIG` list (files merged, the first to set a value wins, missing
//! files skipped), else `~/.kube/config`, else the in-cluster service account; `--context`
//! picks a context of the kubeconfig.

use std::ffi::OsString;
use std::path::PathBuf;

use kube::config::{KubeConfigOptions, Kubeconfig, KubeconfigError};

/// Where the connection comes from, from the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientOptions {
    /// `--kubeconfig FILE`.
    pub kubeconfig: Option<PathBuf>,
    /// `--context NAME`.
    pub context: Option<String>,
}

/// The process environment kubectl's resolution reads (a value, so tests need not touch the
/// real environment).
#[derive(Debug, Clone, Default)]
pub struct Env {
    /// `KUBECONFIG`.
    pub kubeconfig: Option<OsString>,
    /// `HOME`.
    pub home: Option<PathBuf>,
    /// Whether `KUBERNETES_SERVICE_HOST` and `KUBERNETES_SERVICE_PORT` are set (running in a pod).
    pub in_cluster: bool,
}

impl Env {
    /// The current process's environment.
    pub fn from_process() -> Self {
        Env {
            kubeconfig: std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()),
            home: std::env::var_os("HOME").map(PathBuf::from),
            in_cluster: std::env::var_os("KUBERNETES_SERVICE_HOST").is_some() && std::env::var_os("KUBERNETES_SERVICE_PORT").is_some(),
        }
    }
}

/// The resolved source of the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// These kubeconfig files, merged in order.
    Files(Vec<PathBuf>),
    /// The pod's service account (`/var/run/secrets/kubernetes.io/serviceaccount`).
    InCluster,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Files(files) => {
                let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
                write!(f, "{}", names.join(":"))
            }
            Source::InCluster => write!(f, "in-cluster configuration"),
        }
    }
}

/// Why no connection could be configured.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Nothing to connect to.
    #[error(
        "no cluster: pass -f FILE to answer over a snapshot, or --kubeconfig FILE, set KUBECONFIG, create ~/.kube/config, or run in a pod"
    )]
    NoConfig,
    /// `--context` without a kubeconfig.
    #[error("--context {0}: the in-cluster configuration has no contexts")]
    ContextInCluster(String),
    /// A kubeconfig file could not be read or parsed.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: KubeconfigError,
    },
    /// The kubeconfig is readable but does not yield a connection (missing context, user…).
    #[error("{origin}: {source}")]
    Kubeconfig {
        /// Where the kubeconfig came from.
        origin: String,
        /// What went wrong.
        #[source]
        source: KubeconfigError,
    },
    /// The in-cluster configuration is incomplete.
    #[error("in-cluster configuration: {0}")]
    InCluster(#[source] kube::config::InClusterError),
    /// The client could not be built (TLS material, proxy…).
    #[error("{origin}: cannot build a client: {source}")]
    Client {
        /// Where the configuration came from.
        origin: String,
        /// What went wrong.
        #[source]
        source: kube::Error,
    },
}

/// Resolves where the connection comes from, as kubectl does.
pub fn resolve_source(opts: &ClientOptions, env: &Env) -> Result<Source, ConfigError> {
    if let Some(path) = &opts.kubeconfig {
        return Ok(Source::Files(vec![path.clone()]));
    }
    if let Some(list) = &env.kubeconfig {
        // kubectl skips files of the list that do not exist.
        let files: Vec<PathBuf> = std::env::split_paths(list).filter(|p| !p.as_os_str().is_empty() && p.exists()).collect();
        if !files.is_empty() {
            return Ok(Source::Files(files));
        }
    }
    if let Some(home) = &env.home {
        let default = home.join(".kube").join("config");
        if default.exists() {
            return Ok(Source::Files(vec![default]));
        }
    }
    if env.in_cluster {
        if let Some(context) = &opts.context {
            return Err(ConfigError::ContextInCluster(context.clone()));
        }
        return Ok(Source::InCluster);
    }
    Err(ConfigError::NoConfig)
}

/// Reads and merges kubeconfig files (the first file to set a value wins).
pub fn read_kubeconfigs(files: &[PathBuf]) -> Result<Kubeconfig, ConfigError> {
    let mut merged: Option<Kubeconfig> = None;
    for path in files {
        let next = Kubeconfig::read_from(path).map_err(|source| ConfigError::Read { path: path.clone(), source })?;
        merged = Some(match merged {
            None => next,
            Some(m) => m.merge(next).map_err(|source| ConfigError::Read { path: path.clone(), source })?,
        });
    }
    merged.ok_or(ConfigError::NoConfig)
}

/// The kube client configuration for `opts` in `env`, and a description of its origin.
pub async fn kube_config(opts: &ClientOptions, env: &Env) -> Result<(kube::Config, Source), ConfigError> {
    let source = resolve_source(opts, env)?;
    let config = match &source {
        Source::Files(files) => {
            let kubeconfig = read_kubeconfigs(files)?;
            let options = KubeConfigOptions { context: opts.context.clone(), ..KubeConfigOptions::default() };
            kube::Config::from_custom_kubeconfig(kubeconfig, &options)
                .await
                .map_err(|source_err| ConfigError::Kubeconfig { origin: source.to_string(), source: source_err })?
        }
        Source::InCluster => kube::Config::incluster().map_err(ConfigError::InCluster)?,
    };
    Ok((config, source))
}

/// A client for `opts`, resolved from the process environment.
pub async fn client(opts: &ClientOptions) -> Result<(kube::Client, Source), ConfigError> {
    let (config, source) = kube_config(opts, &Env::from_process()).await?;
    let client = kube::Client::try_from(config).map_err(|e| ConfigError::Client { origin: source.to_string(), source: e })?;
    Ok((client, source))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmpdir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kauthz-kube-config-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn kubeconfig(server: &str, contexts: &[(&str, &str)], current: &str) -> String {
        let mut s = String::from("apiVersion: v1\nkind: Config\nclusters:\n");
        for (ctx, _) in contexts {
            s += &format!("- name: {ctx}-cluster\n  cluster:\n    server: {server}/{ctx}\n    insecure-skip-tls-verify: true\n");
        }
        s += "contexts:\n";
        for (ctx, ns) in contexts {
            s += &format!("- name: {ctx}\n  context:\n    cluster: {ctx}-cluster\n    user: {ctx}-user\n    namespace: {ns}\n");
        }
        s += "users:\n";
        for (ctx, _) in contexts {
            s += &format!("- name: {ctx}-user\n  user:\n    token: token-{ctx}\n");
        }
        s + &format!("current-context: {current}\n")
    }

    #[test]
    fn resolution_order_is_kubectls() {
        let dir = tmpdir("order");
        let home = dir.join("home");
        std::fs::create_dir_all(home.join(".kube")).unwrap();
        let default = home.join(".kube/config");
        std::fs::write(&default, "").unwrap();
        let a = dir.join("a");
        let b = dir.join("b");
        std::fs::write(&a, "").unwrap();
        std::fs::write(&b, "").unwrap();
        let missing = dir.join("missing");
        let list = std::env::join_paths([&missing, &a, &b]).unwrap();

        let flag = ClientOptions { kubeconfig: Some(b.clone()), context: None };
        let env = Env { kubeconfig: Some(list.clone()), home: Some(home.clone()), in_cluster: true };
        assert_eq!(resolve_source(&flag, &env).unwrap(), Source::Files(vec![b.clone()]));
        let none = ClientOptions::default();
        assert_eq!(resolve_source(&none, &env).unwrap(), Source::Files(vec![a.clone(), b.clone()]));
        let env = Env { kubeconfig: Some(missing.clone().into_os_string()), ..env };
        assert_eq!(resolve_source(&none, &env).unwrap(), Source::Files(vec![default.clone()]));
        let env = Env { home: Some(dir.join("nohome")), ..env };
        assert_eq!(resolve_source(&none, &env).unwrap(), Source::InCluster);
        let ctx = ClientOptions { kubeconfig: None, context: Some("x".into()) };
        assert!(matches!(resolve_source(&ctx, &env), Err(ConfigError::ContextInCluster(_))));
        let env = Env { in_cluster: false, ..env };
        let err = resolve_source(&none, &env).unwrap_err();
        assert!(matches!(err, ConfigError::NoConfig));
        assert!(err.to_string().contains("-f FILE"));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[tokio::test]
    async fn context_and_merge() {
        let dir = tmpdir("merge");
        let first = dir.join("first");
        let second = dir.join("second");
        std::fs::write(&first, kubeconfig("https://one.invalid", &[("one", "ns-one")], "one")).unwrap();
        std::fs::write(&second, kubeconfig("https://two.invalid", &[("two", "ns-two"), ("one", "ignored")], "two")).unwrap();
        let env = Env { kubeconfig: Some(std::env::join_paths([&first, &second]).unwrap()), home: None, in_cluster: false };

        // The first file's current-context wins; its "one" context shadows the second's.
        let (config, _) = kube_config(&ClientOptions::default(), &env).await.unwrap();
        assert_eq!(config.cluster_url.to_string(), "https://one.invalid/one");
        assert_eq!(config.default_namespace, "ns-one");
        // --context picks another context from the merged files.
        let opts = ClientOptions { kubeconfig: None, context: Some("two".into()) };
        let (config, _) = kube_config(&opts, &env).await.unwrap();
        assert_eq!(config.cluster_url.to_string(), "https://two.invalid/two");
        assert_eq!(config.default_namespace, "ns-two");
        // --kubeconfig reads that file only.
        let opts = ClientOptions { kubeconfig: Some(second.clone()), context: None };
        let (config, source) = kube_config(&opts, &env).await.unwrap();
        assert_eq!(config.cluster_url.to_string(), "https://two.invalid/two");
        assert_eq!(source, Source::Files(vec![second.clone()]));
        // An unknown context is an error naming the kubeconfig.
        let opts = ClientOptions { kubeconfig: Some(second.clone()), context: Some("nope".into()) };
        let err = kube_config(&opts, &env).await.unwrap_err();
        assert!(err.to_string().contains(&second.display().to_string()), "{err}");
        // An unreadable file is an error naming it.
        let opts = ClientOptions { kubeconfig: Some(dir.join("absent")), context: None };
        let err = kube_config(&opts, &env).await.unwrap_err();
        assert!(matches!(err, ConfigError::Read { .. }) && err.to_string().contains("absent"), "{err}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
