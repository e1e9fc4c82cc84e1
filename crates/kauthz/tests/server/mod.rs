//! `kauthz serve`'s HTTPS layer (kauthz-server) end to end on loopback. The CLI and the server
//! share this one integration-test binary.

mod tls;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// Starts `kauthz serve` on an ephemeral port; returns the child and the address it printed.
fn start_serve(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kauthz"))
        .current_dir(root())
        .arg("serve")
        .args(["--listen", "127.0.0.1:0", "--insecure-http"])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kauthz serve");
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let addr = loop {
        line.clear();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "kauthz serve exited before listening");
        if let Some(rest) = line.trim().split("listening on http://").nth(1) {
            break rest.to_string();
        }
    };
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    (child, addr)
}

/// One plain HTTP/1.1 request; the status code and body (0 when the server is gone).
fn http(addr: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    let Ok(mut s) = TcpStream::connect(addr) else { return (0, String::new()) };
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut out = String::new();
    if s.write_all(request.as_bytes()).is_err() || s.read_to_string(&mut out).is_err() {
        return (0, String::new());
    }
    let code = out.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (code, out.split("\r\n\r\n").nth(1).unwrap_or_default().to_string())
}

fn sar(user: &str, verb: &str, resource: &str, ns: &str, name: &str) -> String {
    format!(
        r#"{{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{{"user":"{user}","groups":["system:nodes","system:authenticated"],"resourceAttributes":{{"verb":"{verb}","resource":"{resource}","namespace":"{ns}","name":"{name}"}}}}}}"#
    )
}

fn sigterm(child: &Child) {
    let ok = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success();
    assert!(ok);
}

fn wait_exit(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("kauthz serve did not exit within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `kauthz serve -f`: ready at once, strict answers over the snapshot, SIGTERM drains and exits 0.
#[test]
fn serve_a_snapshot_then_drain_on_sigterm() {
    let (mut child, addr) = start_serve(&["-f", "examples/kubeletauthz/cluster.yaml", "--with-defaults", "--mode", "strict"]);
    assert_eq!(http(&addr, "GET", "/readyz", "").0, 200);
    let (code, body) = http(&addr, "POST", "/authorize", &sar("system:node:kubeletauthz-worker", "list", "secrets", "", ""));
    assert_eq!(code, 200);
    assert!(body.contains(r#""denied":true"#) && body.contains("kauthz strict:"), "{body}");
    let (code, body) = http(&addr, "POST", "/authorize", "{\"kind\":\"Pod\"}");
    assert_eq!(code, 400, "{body}");
    sigterm(&child);
    assert!(wait_exit(&mut child, Duration::from_secs(20)).success());
}

/// Without -f the state is watched: an apiserver that cannot be reached means no sync, so no
/// answer is ever given, and once the watches give up the server drains and exits non-zero
/// (its pod is restarted) instead of serving a state it never had.
#[test]
fn serve_live_without_a_reachable_apiserver_never_answers() {
    let dir = std::env::temp_dir().join(format!("kauthz-serve-live-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n    insecure-skip-tls-verify: true\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: t\n",
    )
    .unwrap();
    let (mut child, addr) = start_serve(&["--kubeconfig", kubeconfig.to_str().unwrap(), "--mode", "node", "--max-staleness", "1s"]);
    // Racing the exit: every answer given before it must be a refusal to answer.
    for _ in 0..3 {
        let (code, body) = http(&addr, "POST", "/authorize", &sar("system:node:n1", "get", "nodes", "", "n1"));
        if code == 0 {
            break;
        }
        assert!(body.contains(r#""allowed":false"#) && body.contains("not synced"), "{body}");
        assert!(matches!(http(&addr, "GET", "/readyz", "").0, 503 | 0));
    }
    let status = wait_exit(&mut child, Duration::from_secs(60));
    assert!(!status.success(), "exits non-zero when watching cannot start");
    let _ = std::fs::remove_dir_all(dir);
}

/// The apiserver side of deploy/ is one kauthz itself reads: its AuthorizationConfiguration
/// passes upstream's validation (which opens the webhook's kubeconfig: pointed here at
/// deploy/'s own copy instead of the node path), and the webhook (kauthz) is named as not
/// evaluated offline.
#[test]
fn deploy_authorization_config_is_valid() {
    let dir = std::env::temp_dir().join(format!("kauthz-deploy-authz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = std::fs::read_to_string(root().join("deploy/apiserver/authorization-config.yaml")).unwrap();
    let kubeconfig = root().join("deploy/apiserver/webhook.kubeconfig");
    assert!(config.contains("/etc/kubernetes/kauthz/webhook.kubeconfig"));
    let config = config.replace("/etc/kubernetes/kauthz/webhook.kubeconfig", kubeconfig.to_str().unwrap());
    let path = dir.join("authorization-config.yaml");
    std::fs::write(&path, config).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kauthz"))
        .current_dir(root())
        .args(["can-i", "get", "secrets/x", "-n", "a", "--as-node", "n1", "-f", "examples/kubeletauthz/cluster.yaml"])
        .args(["--authorization-config", path.to_str().unwrap()])
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(r#"webhook "kauthz.kauthz-system" not evaluated"#), "{text}{}", String::from_utf8_lossy(&out.stderr));
}
