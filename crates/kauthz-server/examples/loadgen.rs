//! A bounded load generator for `kauthz serve` (or any SubjectAccessReview endpoint) over
//! HTTPS keep-alive: N connections, each sending SARs back to back from a request mix,
//! for a fixed count; prints throughput and latency percentiles. Loopback only.
//!
//!   loadgen certs DIR                      # writes ca.crt, tls.crt, tls.key for localhost
//!   loadgen run --addr 127.0.0.1:8443 --ca DIR/ca.crt --mix mix.jsonl [--path /authorize]
//!              [--connections 8] [--requests 200000] [--token TOKEN] [--cert FILE --key FILE]
//!   loadgen mix --nodes 500 --pods 100000 > mix.jsonl   # the gen_pods data set's requests

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn arg(args: &[String], name: &str, default: &str) -> String {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned().unwrap_or_else(|| default.to_string())
}

fn certs(dir: &str) {
    std::fs::create_dir_all(dir).expect("create dir");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "kauthz loadgen CA");
    let ca_key = KeyPair::generate().expect("key");
    let ca_cert = ca.self_signed(&ca_key).expect("ca");
    let mut leaf = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).expect("params");
    leaf.distinguished_name.push(DnType::CommonName, "kauthz");
    let key = KeyPair::generate().expect("key");
    let cert = leaf.signed_by(&key, &Issuer::from_params(&ca, &ca_key)).expect("leaf");
    std::fs::write(format!("{dir}/ca.crt"), ca_cert.pem()).expect("write");
    std::fs::write(format!("{dir}/tls.crt"), cert.pem()).expect("write");
    std::fs::write(format!("{dir}/tls.key"), key.serialize_pem()).expect("write");
}

/// Requests over the `gen_pods` data set: each pod's node reading its secret (allowed by
/// the graph), a node reading a neighbour's secret (denied), node list/watch with and
/// without its field selector, and non-node users.
fn mix(nodes: usize, pods: usize) {
    let sar = |user: &str, groups: &[&str], verb: &str, resource: &str, ns: &str, name: &str, fs: Option<&str>| {
        let mut ra = serde_json::json!({"verb": verb, "resource": resource, "namespace": ns, "name": name, "version": "v1"});
        if let Some(f) = fs {
            ra["fieldSelector"] = serde_json::json!({"rawSelector": f});
        }
        serde_json::json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
            "spec": {"user": user, "groups": groups, "resourceAttributes": ra}})
    };
    let node_groups = ["system:nodes", "system:authenticated"];
    for i in 0..10_000usize {
        let p = (i * 7919) % pods;
        let (node, ns) = (format!("node-{}", p % nodes), format!("ns-{}", p % 200));
        let user = format!("system:node:{node}");
        let line = match i % 8 {
            0..=2 => sar(&user, &node_groups, "get", "secrets", &ns, &format!("db-{p}"), None),
            3 => sar(&user, &node_groups, "get", "configmaps", &ns, &format!("web-config-{p}"), None),
            4 => sar(&user, &node_groups, "get", "secrets", &ns, &format!("db-{}", (p + 1) % pods), None),
            5 => sar(&user, &node_groups, "list", "pods", "", "", Some(&format!("spec.nodeName={node}"))),
            6 => sar(&user, &node_groups, "get", "persistentvolumeclaims", &ns, &format!("data-{p}"), None),
            _ => sar("alice", &["system:authenticated"], "list", "pods", &ns, "", None),
        };
        println!("{line}");
    }
}

async fn run(args: &[String]) {
    let addr: SocketAddr = arg(args, "--addr", "127.0.0.1:8443").parse().expect("--addr");
    let path = arg(args, "--path", "/authorize");
    let connections: usize = arg(args, "--connections", "8").parse().expect("--connections");
    let requests: usize = arg(args, "--requests", "200000").parse().expect("--requests");
    let token = arg(args, "--token", "");
    let mix: Vec<String> = std::fs::read_to_string(arg(args, "--mix", "mix.jsonl")).expect("--mix").lines().map(String::from).collect();
    assert!(!mix.is_empty(), "empty mix");
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(arg(args, "--ca", "ca.crt")).expect("--ca") {
        roots.add(c.expect("ca pem")).expect("ca");
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("tls")
        .with_root_certificates(roots);
    // A client certificate: kube-apiserver's credential, or kauthz's --client-ca-file.
    let config = match (arg(args, "--cert", ""), arg(args, "--key", "")) {
        (c, k) if !c.is_empty() && !k.is_empty() => {
            let certs: Vec<CertificateDer<'static>> =
                CertificateDer::pem_file_iter(&c).expect("--cert").map(|c| c.expect("cert pem")).collect();
            let key = rustls::pki_types::PrivateKeyDer::from_pem_file(&k).expect("--key");
            builder.with_client_auth_cert(certs, key).expect("client certificate")
        }
        _ => builder.with_no_client_auth(),
    };
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let mix = Arc::new(mix);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..connections {
        let (connector, mix, path, token) = (connector.clone(), mix.clone(), path.clone(), token.clone());
        let n = requests / connections + usize::from(c < requests % connections);
        tasks.push(tokio::spawn(async move {
            let tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
            tcp.set_nodelay(true).expect("nodelay");
            let mut tls = connector.connect(ServerName::try_from("localhost").expect("name"), tcp).await.expect("tls");
            let mut latencies = Vec::with_capacity(n);
            let mut buf = vec![0u8; 64 * 1024];
            let (mut allowed, mut errors) = (0usize, 0usize);
            for i in 0..n {
                let body = &mix[(c * 7 + i) % mix.len()];
                let auth = if token.is_empty() { String::new() } else { format!("Authorization: Bearer {token}\r\n") };
                let req = format!(
                    "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\n\r\n{body}",
                    body.len()
                );
                let t = Instant::now();
                tls.write_all(req.as_bytes()).await.expect("write");
                // Read one response: headers, then Content-Length bytes.
                let mut have = 0usize;
                let (head_end, len) = loop {
                    let k = tls.read(&mut buf[have..]).await.expect("read");
                    assert!(k > 0, "connection closed");
                    have += k;
                    if let Some(p) = buf[..have].windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..p]).to_ascii_lowercase();
                        let len = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap_or(0)))
                            .unwrap_or(0);
                        if !head.starts_with("http/1.1 201") && !head.starts_with("http/1.1 200") {
                            errors += 1;
                        }
                        break (p + 4, len);
                    }
                };
                while have < head_end + len {
                    let k = tls.read(&mut buf[have..]).await.expect("read");
                    assert!(k > 0, "connection closed");
                    have += k;
                }
                latencies.push(t.elapsed());
                if buf[head_end..have].windows(14).any(|w| w == b"\"allowed\":true") {
                    allowed += 1;
                }
            }
            (latencies, allowed, errors)
        }));
    }
    let mut all: Vec<Duration> = Vec::with_capacity(requests);
    let (mut allowed, mut errors) = (0, 0);
    for t in tasks {
        let (l, a, e) = t.await.expect("task");
        all.extend(l);
        allowed += a;
        errors += e;
    }
    let elapsed = started.elapsed();
    all.sort();
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)];
    println!(
        "{} requests over {connections} connections in {elapsed:.2?}: {:.0} req/s; p50 {:?} p99 {:?} p99.9 {:?} max {:?}; {allowed} allowed, {errors} errors",
        all.len(),
        all.len() as f64 / elapsed.as_secs_f64(),
        pct(0.5),
        pct(0.99),
        pct(0.999),
        all[all.len() - 1]
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("certs") => certs(args.get(1).map(String::as_str).unwrap_or("certs")),
        Some("mix") => mix(arg(&args, "--nodes", "500").parse().expect("--nodes"), arg(&args, "--pods", "100000").parse().expect("--pods")),
        Some("run") => {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(run(&args));
        }
        _ => eprintln!("usage: loadgen certs DIR | mix [--nodes N --pods N] | run --addr A --ca F --mix F [--connections N --requests N]"),
    }
}
