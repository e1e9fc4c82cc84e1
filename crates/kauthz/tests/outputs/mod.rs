//! The report outputs and the kubectl-style extras: `audit -o sarif` (validated against the
//! official SARIF 2.1.0 schema), `blast-radius -o html`, `completion`, the kubectl plugin
//! name and the krew release script. (The HTML page's behaviour in a browser is checked by
//! `make test-html`, which needs Chromium.)

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use super::{kauthz, root, stderr, stdout};

const SCHEMA: &str = include_str!("../data/sarif-schema-2.1.0.json");

fn sarif_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(SCHEMA).unwrap();
    jsonschema::draft4::options().should_validate_formats(true).build(&schema).expect("the SARIF schema compiles")
}

fn assert_valid(doc: &Value) {
    let errors: Vec<String> = sarif_validator().iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "SARIF schema violations:\n{}", errors.join("\n"));
}

/// Every rule, most findings (kubelet settings, NodeRestriction off, the article's and
/// AKS's grants, the escalating provisioner account), and a by-design one (kind's
/// kubeadm binding).
fn audit_sarif() -> (Value, std::process::Output) {
    // One run shared by the tests (the debug binary is slow on the example).
    static RUN: std::sync::OnceLock<(Value, std::process::Output)> = std::sync::OnceLock::new();
    RUN.get_or_init(run_audit_sarif).clone()
}

fn run_audit_sarif() -> (Value, std::process::Output) {
    let o = kauthz(&[
        "audit",
        "-f",
        "examples/kubeletauthz/cluster.yaml",
        "-f",
        "examples/kubeletauthz/rbac.yaml",
        "-f",
        "examples/kubeletauthz/scenarios/",
        "--with-defaults",
        "--profile",
        "kind",
        "--enable-admission-plugins",
        "PodSecurity",
        "--kubelet-config",
        "crates/kauthz/tests/data/kubelet-insecure.yaml",
        "-o",
        "sarif",
    ]);
    let doc = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON: {e}\n{}", stderr(&o)));
    (doc, o)
}

#[test]
fn audit_sarif_is_valid_and_complete() {
    let (doc, o) = audit_sarif();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_valid(&doc);
    assert_eq!(doc["version"], "2.1.0");
    let runs = doc["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "kauthz");
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), kauthz_core::analysis::audit::RULES.len());
    for (r, rule) in rules.iter().zip(kauthz_core::analysis::audit::RULES) {
        assert_eq!(r["id"], rule.id);
        assert_eq!(r["shortDescription"]["text"], rule.title);
        assert_eq!(r["help"]["text"], rule.fix);
        assert!(r["name"].as_str().is_some_and(|n| !n.is_empty()));
        assert!(["error", "warning", "note"].contains(&r["defaultConfiguration"]["level"].as_str().unwrap()));
    }
    let results = runs[0]["results"].as_array().unwrap();
    let ids: Vec<&str> = results.iter().map(|r| r["ruleId"].as_str().unwrap()).collect();
    for id in ["KA-K040", "KA-K041", "KA-K042", "KA-N003", "KA-R010"] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    for r in results {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
        // Code scanning needs a file and a line for every result.
        let loc = &r["locations"][0]["physicalLocation"];
        assert!(loc["artifactLocation"]["uri"].as_str().is_some_and(|u| !u.starts_with('/')), "{r}");
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(r["partialFingerprints"]["kauthzFinding/v1"].as_str().is_some_and(|f| f.len() == 16));
    }
    // Findings point at the objects: the AKS binding in its scenario file, kubelet settings
    // at their line.
    let aks = results.iter().find(|r| r["message"]["text"].as_str().unwrap().contains("system:aks-client-node-secret-reader")).unwrap();
    assert_eq!(aks["level"], "error");
    assert_eq!(
        aks["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "examples/kubeletauthz/scenarios/aks-secret-reader.yaml"
    );
    let line = aks["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64().unwrap() as usize;
    let text = std::fs::read_to_string(root().join("examples/kubeletauthz/scenarios/aks-secret-reader.yaml")).unwrap();
    assert_eq!(text.lines().nth(line - 1).unwrap().trim(), "name: system:aks-client-node-secret-reader");
    let port = results.iter().find(|r| r["ruleId"] == "KA-K042").unwrap();
    assert_eq!(port["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "crates/kauthz/tests/data/kubelet-insecure.yaml");
    assert_eq!(port["locations"][0]["physicalLocation"]["region"]["startLine"], 9);
    // By design under --profile kind: suppressed externally with the profile's reason;
    // everything else is not suppressed.
    let kubeadm = results.iter().find(|r| r["message"]["text"].as_str().unwrap().contains("kubeadm:node-autoapprove")).unwrap();
    assert_eq!(kubeadm["suppressions"][0]["kind"], "external");
    assert!(kubeadm["suppressions"][0]["justification"].as_str().unwrap().contains("kubeadm"));
    assert!(aks.get("suppressions").is_none());
}

#[test]
fn sarif_fingerprints_are_stable_across_runs() {
    let prints = |doc: &Value| -> Vec<String> {
        doc["runs"][0]["results"].as_array().unwrap().iter().map(|r| r["partialFingerprints"].to_string()).collect()
    };
    let (a, _) = audit_sarif();
    let (b, _) = run_audit_sarif();
    assert_eq!(prints(&a), prints(&b));
    let unique: std::collections::BTreeSet<String> = prints(&a).into_iter().collect();
    assert_eq!(unique.len(), prints(&a).len(), "two findings share a fingerprint");
}

#[test]
fn sarif_with_absolute_paths_and_stdin_is_valid() {
    let rbac = root().join("examples/kubeletauthz/rbac.yaml");
    let cluster = std::fs::read_to_string(root().join("examples/kubeletauthz/cluster.yaml")).unwrap();
    let o = super::kauthz_stdin(&["audit", "-f", "-", "-f", rbac.to_str().unwrap(), "--with-defaults", "-o", "sarif"], &cluster);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_valid(&doc);
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let uri =
        results.iter().find_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str()).expect("a located result");
    assert!(uri.starts_with("file:///") && uri.ends_with("examples/kubeletauthz/rbac.yaml"), "{uri}");
}

#[test]
fn sarif_schema_check_is_not_vacuous() {
    let (mut doc, _) = audit_sarif();
    doc["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!sarif_validator().is_valid(&doc));
    let (mut doc, _) = audit_sarif();
    doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0.into();
    assert!(!sarif_validator().is_valid(&doc));
}

fn page(args: &[&str]) -> String {
    let mut v = vec!["blast-radius"];
    v.extend(args);
    v.extend(["-o", "html"]);
    let o = kauthz(&v);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    stdout(&o)
}

/// The JSON the page draws from.
fn page_data(html: &str) -> Value {
    let start = html.find("<script type=\"application/json\" id=\"data\">").unwrap();
    let start = start + html[start..].find('>').unwrap() + 1;
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

#[test]
fn blast_radius_html_draws_the_nodes_reach() {
    let html = page(&["--node", "kubeletauthz-worker2", "-f", "examples/kubeletauthz/", "--with-defaults"]);
    assert!(html.starts_with("<!DOCTYPE html>"));
    // Self-contained: no script or stylesheet from elsewhere.
    assert!(!html.contains("<script src") && !html.contains("<link"));
    let data = page_data(&html);
    let vertices = data["vertices"].as_array().unwrap();
    let find = |kind: &str, name: &str| vertices.iter().position(|v| v["kind"] == kind && v["name"] == name);
    let node = &data["nodes"][0];
    assert_eq!(node["name"], "kubeletauthz-worker2");
    assert_eq!(node["verdict"], "escalates");
    let edges = node["edges"].as_array().unwrap();
    let has = |from: usize, to: usize| edges.iter().any(|e| e[0] == from && e[1] == to);
    // node → pod → configmap, pod → service account, account → its power.
    let n = find("node", "kubeletauthz-worker2").unwrap();
    let pod = find("pod", "local-path-provisioner-6bc4bddd6b-jrxmn").unwrap();
    let sa = find("serviceAccount", "local-path-provisioner-service-account").unwrap();
    assert!(has(n, pod) && has(pod, find("configmap", "local-path-config").unwrap()) && has(pod, sa));
    assert!(has(sa, find("power", "create-pods-kube-system").unwrap()));
    // The escalation (the AKS binding: the node itself reads every secret) is marked.
    let power = find("power", "secrets-cluster-wide").unwrap();
    assert!(edges.iter().any(|e| e[0] == n && e[1] == power && e[3] == true));
}

#[test]
fn blast_radius_html_all_nodes_ranks_every_node() {
    let html =
        page(&["--all-nodes", "-f", "examples/kubeletauthz/cluster.yaml", "-f", "examples/kubeletauthz/rbac.yaml", "--with-defaults"]);
    let data = page_data(&html);
    let names: Vec<&str> = data["nodes"].as_array().unwrap().iter().map(|n| n["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names.contains(&"kubeletauthz-control-plane") && names.contains(&"kubeletauthz-worker"));
}

#[test]
fn blast_radius_html_keeps_hostile_names_as_text() {
    let html = page(&["--all-nodes", "-f", "crates/kauthz/tests/data/hostile-names.yaml"]);
    // Only the page's own two script elements open and close.
    assert_eq!(html.matches("<script").count(), 2, "{html}");
    assert_eq!(html.matches("</script>").count(), 2);
    for markup in ["<script>alert", "<img", "<b>bold", "<!--"] {
        assert!(!html.contains(markup), "{markup} reached the page as markup");
    }
    let data = page_data(&html);
    let names: Vec<&str> = data["vertices"].as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"</script><script>alert(\"pod\")</script>"), "{names:?}");
    assert!(names.contains(&"<img src=x onerror=alert(1)>"));
    assert!(names.contains(&"sa-'quoted'-\"double\""));
}

#[test]
fn completion_scripts() {
    for shell in ["bash", "zsh", "fish"] {
        let o = kauthz(&["completion", shell]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let s = stdout(&o);
        assert!(s.contains("blast-radius") && s.contains("as-node"), "{shell}");
    }
    let o = kauthz(&["completion", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn runs_as_a_kubectl_plugin() {
    let dir = std::env::temp_dir().join(format!("kauthz-plugin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let plugin = dir.join("kubectl-authz");
    std::fs::copy(env!("CARGO_BIN_EXE_kauthz"), &plugin).unwrap();
    let o = Command::new(&plugin).arg("--help").output().unwrap();
    assert!(stdout(&o).contains("Usage: kubectl authz <COMMAND>"), "{}", stdout(&o));
    let o = Command::new(&plugin)
        .current_dir(root())
        .args(["can-i", "get", "configmaps/kube-proxy", "-n", "kube-system", "--as-node", "kubeletauthz-worker"])
        .args(["-f", "examples/kubeletauthz/cluster.yaml", "--with-defaults"])
        .output()
        .unwrap();
    assert_eq!((o.status.code(), stdout(&o).trim()), (Some(0), "yes"), "{}", stderr(&o));
    let o = Command::new(&plugin).args(["can-i", "--bogus"]).output().unwrap();
    assert!(stderr(&o).contains("Usage: kubectl authz can-i"), "{}", stderr(&o));
    // kubectl's completion helper for plugins: cobra's __complete answer.
    let helper = dir.join("kubectl_complete-authz");
    std::fs::copy(env!("CARGO_BIN_EXE_kauthz"), &helper).unwrap();
    let o = Command::new(&helper).args(["blast-radius", "-o", "h"]).output().unwrap();
    assert_eq!(stdout(&o), "html\n:4\n");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn krew_release_fills_the_manifest() {
    let tmp = std::env::temp_dir().join(format!("kauthz-krew-{}", std::process::id()));
    let bins = tmp.join("bin");
    std::fs::create_dir_all(&bins).unwrap();
    // Stand-ins for the four platforms' binaries (packing the real debug binary four times
    // costs half a minute and proves nothing more).
    for p in ["linux-amd64", "linux-arm64", "darwin-amd64", "darwin-arm64"] {
        std::fs::write(bins.join(format!("kauthz-{p}")), format!("#!/bin/sh\necho {p}\n")).unwrap();
    }
    let out = tmp.join("out");
    let o = Command::new("bash")
        .current_dir(root())
        .args(["krew/release.sh", "0.1.0", "https://example.com/rel/v0.1.0/"])
        .env("KREW_BINARIES", &bins)
        .env("KREW_OUT", &out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let manifest: Value = serde_saphyr::from_str(&std::fs::read_to_string(out.join("authz.yaml")).unwrap()).unwrap();
    assert_eq!(manifest["kind"], "Plugin");
    assert_eq!(manifest["metadata"]["name"], "authz");
    assert_eq!(manifest["spec"]["version"], "v0.1.0");
    let platforms = manifest["spec"]["platforms"].as_array().unwrap();
    assert_eq!(platforms.len(), 4);
    for p in platforms {
        let (os, arch) = (p["selector"]["matchLabels"]["os"].as_str().unwrap(), p["selector"]["matchLabels"]["arch"].as_str().unwrap());
        let archive = format!("kubectl-authz_v0.1.0_{os}_{arch}.tar.gz");
        assert_eq!(p["uri"], format!("https://example.com/rel/v0.1.0/{archive}"));
        assert_eq!(p["bin"], "kubectl-authz");
        let sum = Command::new("sha256sum").arg(out.join(&archive)).output().unwrap();
        assert_eq!(p["sha256"].as_str().unwrap(), stdout(&sum).split(' ').next().unwrap());
        let list = Command::new("tar").arg("tzf").arg(out.join(&archive)).output().unwrap();
        assert!(stdout(&list).lines().any(|l| l == "kubectl-authz"), "{}", stdout(&list));
    }
    assert!(Path::new(&out).join("authz.yaml").exists());
    std::fs::remove_dir_all(&tmp).unwrap();
}
