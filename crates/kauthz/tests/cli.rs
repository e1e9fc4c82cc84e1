//! Integration tests over the `kauthz` binary: the article's scenarios on the bundled
//! example cluster, the review interface, and hostile input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn kauthz(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kauthz")).current_dir(root()).args(args).output().expect("run kauthz")
}

fn kauthz_stdin(args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_kauthz"))
        .current_dir(root())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kauthz");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const EXAMPLE: [&str; 4] = ["-f", "examples/kubeletauthz/cluster.yaml", "-f", "examples/kubeletauthz/rbac.yaml"];

fn with_example<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut v: Vec<&str> = args.to_vec();
    v.extend(EXAMPLE);
    v.push("--with-defaults");
    v
}

/// The article's `kubectl auth can-i --list` for the kubelet, as v1.37 prints it
/// (v1.27+ adds the selfsubjectreviews row): the RBAC part of kauthz's list must be
/// byte-identical.
#[test]
fn golden_rbac_list_matches_the_article() {
    let expected = "\
Resources                                                       Non-Resource URLs   Resource Names   Verbs
selfsubjectreviews.authentication.k8s.io                        []                  []               [create]
selfsubjectaccessreviews.authorization.k8s.io                   []                  []               [create]
selfsubjectrulesreviews.authorization.k8s.io                    []                  []               [create]
certificatesigningrequests.certificates.k8s.io/selfnodeclient   []                  []               [create]
                                                                [/api/*]            []               [get]
                                                                [/api]              []               [get]
                                                                [/apis/*]           []               [get]
                                                                [/apis]             []               [get]
                                                                [/healthz]          []               [get]
                                                                [/healthz]          []               [get]
                                                                [/livez]            []               [get]
                                                                [/livez]            []               [get]
                                                                [/openapi/*]        []               [get]
                                                                [/openapi]          []               [get]
                                                                [/readyz]           []               [get]
                                                                [/readyz]           []               [get]
                                                                [/version/]         []               [get]
                                                                [/version/]         []               [get]
                                                                [/version]          []               [get]
                                                                [/version]          []               [get]
";
    let o = kauthz(&with_example(&[
        "can-i",
        "--list",
        "--as",
        "system:node:kubeletauthz-worker",
        "--as-group",
        "system:nodes",
        "--authorization-mode",
        "RBAC",
    ]));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), expected);
    assert!(!stderr(&o).contains("may be incomplete"), "kauthz evaluates every authorizer it lists");

    // --upstream reproduces kubectl against kube-apiserver exactly: the default Node,RBAC
    // chain, the same table, and the warning on stderr.
    let o =
        kauthz(&with_example(&["can-i", "--list", "--upstream", "--as", "system:node:kubeletauthz-worker", "--as-group", "system:nodes"]));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), expected);
    assert_eq!(stderr(&o), "Warning: the list may be incomplete: node authorizer does not support user rule resolution\n");
}

/// The article's second scenario: a `system:nodes` subject on the `system:node` binding
/// lets every kubelet list all secrets.
#[test]
fn system_nodes_binding_widens_secret_access() {
    let base = with_example(&["can-i", "list", "secrets", "-A", "--as-node", "kubeletauthz-worker"]);
    let o = kauthz(&base);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).starts_with("no"));

    let mut widened = base.clone();
    widened.extend(["-f", "examples/kubeletauthz/scenarios/system-nodes-bound.yaml", "-o", "json"]);
    let o = kauthz(&widened);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let sar: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(sar["status"]["allowed"], true);
    assert_eq!(
        sar["status"]["reason"],
        r#"RBAC: allowed by ClusterRoleBinding "system:node" of ClusterRole "system:node" to Group "system:nodes""#
    );
}

#[test]
fn review_answers_subject_access_reviews() {
    let requests = r#"{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"system:kube-scheduler","groups":["system:authenticated"],"resourceAttributes":{"verb":"create","resource":"bindings","namespace":"default"}}}
{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"alice","groups":["system:masters"],"nonResourceAttributes":{"verb":"get","path":"/metrics"}}}
{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"bob","resourceAttributes":{"verb":"get","resource":"pods"}}}
{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"resourceAttributes":{"verb":"get","resource":"pods"}}}
not json
"#;
    let o = kauthz_stdin(&with_example(&["review"]), requests);
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0]["status"]["allowed"], true);
    assert_eq!(
        lines[0]["status"]["reason"],
        r#"RBAC: allowed by ClusterRoleBinding "system:kube-scheduler" of ClusterRole "system:kube-scheduler" to User "system:kube-scheduler""#
    );
    assert_eq!(lines[1]["status"]["allowed"], true);
    assert_eq!(lines[1]["status"]["reason"], serde_json::Value::Null, "system:masters allows with an empty reason");
    assert_eq!(lines[2]["status"], serde_json::json!({"allowed": false}));
    assert_eq!(lines[3]["kind"], "Status");
    assert_eq!(lines[3]["reason"], "Invalid");
    assert_eq!(lines[4]["reason"], "BadRequest");
}

#[test]
fn review_applies_watch_events_between_questions() {
    let q = r#"{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"carol","resourceAttributes":{"verb":"get","resource":"pods","namespace":"ns1"}}}"#;
    let role = r#"{"type":"ADDED","object":{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"pod-reader"},"rules":[{"verbs":["get"],"apiGroups":[""],"resources":["pods"]}]}}"#;
    let rb = r#"{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"carol-reads","namespace":"ns1"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"pod-reader"},"subjects":[{"kind":"User","name":"carol"}]}"#;
    let stream = format!("{q}\n{role}\n{{\"type\":\"ADDED\",\"object\":{rb}}}\n{q}\n{{\"type\":\"DELETED\",\"object\":{rb}}}\n{q}\n");
    let o = kauthz_stdin(&["review", "-f", "testdata/good/empty.yaml"], &stream);
    assert!(o.status.success(), "{}", stderr(&o));
    let allowed: Vec<bool> =
        stdout(&o).lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["status"]["allowed"] == true).collect();
    assert_eq!(allowed, [false, true, false]);
}

#[test]
fn bad_input_names_file_document_and_field() {
    let cases = [
        ("testdata/bad/wrong-type.json", "document 1, items[1]", "spec.containers[0].env[0].valueFrom.secretKeyRef.name"),
        ("testdata/bad/malformed.yaml", "invalid YAML", ""),
        ("testdata/bad/missing-kind.yaml", "document 2", "field kind: missing"),
        ("testdata/bad/malformed.json", "invalid JSON", ""),
        ("testdata/bad/rules-not-a-list.yaml", "document 1", "field rules"),
    ];
    for (file, location, field) in cases {
        let o = kauthz(&["can-i", "get", "pods", "--as", "u", "-f", file]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{file}: {err}");
        assert!(err.contains(file), "{file}: {err}");
        assert!(err.contains(location), "{file}: {err}");
        assert!(err.contains(field), "{file}: {err}");
        assert!(stdout(&o).is_empty(), "no answer from a partial snapshot: {file}");
    }
}

#[test]
fn empty_unknown_and_secret_inputs() {
    let o = kauthz(&["can-i", "get", "pods", "--as", "u", "-f", "testdata/good/empty.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    let o = kauthz(&["can-i", "--list", "--as", "u", "-v", "-o", "yaml", "-f", "testdata/good/unknown-kinds.yaml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("apps/v1/Deployment"), "{err}");
    assert!(err.contains("v2/Pod (unknown apiVersion)"), "{err}");
    let all = format!("{}{}", stdout(&o), err);
    assert!(!all.contains("hunter2") && !all.contains("c3VwZXJzZWNyZXQ="), "secret values never printed");
}

/// A snapshot read from a named pipe (`-f <(cat cluster.yaml)`) loads whole: nothing reads
/// the pipe before the loader does.
#[test]
fn snapshot_from_a_named_pipe_loads_whole() {
    let dir = std::env::temp_dir().join(format!("kauthz-fifo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("cluster.yaml");
    let _ = std::fs::remove_file(&fifo);
    assert!(Command::new("mkfifo").arg(&fifo).status().expect("mkfifo").success());
    let source = root().join("examples/kubeletauthz/cluster.yaml");
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(&fifo, std::fs::read(source).unwrap()).unwrap())
    };
    let list = ["can-i", "--list", "--as-node", "kubeletauthz-worker", "-n", "kube-system", "--with-defaults"];
    let mut piped: Vec<&str> = list.to_vec();
    let fifo_arg = fifo.to_str().unwrap().to_owned();
    piped.extend(["-f", fifo_arg.as_str(), "-f", "examples/kubeletauthz/rbac.yaml"]);
    let from_pipe = kauthz(&piped);
    writer.join().unwrap();
    let mut direct: Vec<&str> = list.to_vec();
    direct.extend(EXAMPLE);
    let from_file = kauthz(&direct);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(stdout(&from_pipe), stdout(&from_file), "{}", stderr(&from_pipe));
}

#[test]
fn very_large_file_loads() {
    let dir = std::env::temp_dir().join(format!("kauthz-large-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("pods.json");
    let mut text = String::from(r#"{"apiVersion":"v1","kind":"List","items":["#);
    for i in 0..20_000 {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&format!(
            r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"p{i}","namespace":"ns{}"}},"spec":{{"nodeName":"n{}","containers":[{{"name":"c","image":"x"}}],"volumes":[{{"name":"s","secret":{{"secretName":"s{i}"}}}}]}}}}"#,
            i % 50,
            i % 100
        ));
    }
    text.push_str("]}");
    std::fs::write(&path, text).unwrap();
    let o = kauthz(&["can-i", "get", "secrets/s1", "-n", "ns1", "--as-node", "n1", "-f", path.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).ok();
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
}

#[test]
fn usage_errors_exit_2() {
    let o = kauthz(&["can-i", "get", "pods"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--as"));
    let o = kauthz(&["can-i", "get", "pods", "--as", "u", "--authorization-mode", "Bogus"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn webhook_answers_are_undetermined_not_guessed() {
    let o = kauthz(&with_example(&["can-i", "get", "pods", "--as", "nobody", "--authorization-mode", "Node,RBAC,Webhook"]));
    assert_eq!(o.status.code(), Some(3), "{}", stdout(&o));
    assert!(stdout(&o).contains("incomplete: webhook"), "{}", stdout(&o));
    let o = kauthz(&with_example(&["can-i", "--list", "--as", "nobody", "--authorization-mode", "RBAC,Webhook"]));
    assert!(stderr(&o).contains("webhook authorizer does not support user rule resolution"));
}

/// The kubelet's list is complete: the Node authorizer's graph grants appear as concrete
/// rows, and only for objects the node's own pods use.
#[test]
fn node_list_shows_graph_rows() {
    let list = |node: &str, ns: &str| {
        let o = kauthz(&with_example(&["can-i", "--list", "--as-node", node, "-n", ns]));
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
    };
    let row = |text: &str, res: &str, name: &str, verbs: &str| {
        text.lines().any(|l| {
            let cells: Vec<&str> = l.split_whitespace().collect();
            cells.first() == Some(&res) && l.contains(&format!("[{name}]")) && l.trim_end().ends_with(verbs)
        })
    };
    let worker = list("kubeletauthz-worker", "kube-system");
    assert!(row(&worker, "configmaps", "kube-proxy", "[get list watch]"), "{worker}");
    assert!(row(&worker, "configmaps", "kube-root-ca.crt", "[get list watch]"), "{worker}");
    assert!(row(&worker, "serviceaccounts/token", "kube-proxy", "[create]"), "{worker}");
    assert!(row(&worker, "serviceaccounts/token", "coredns", "[create]"), "{worker}");
    assert!(row(&worker, "nodes", "kubeletauthz-worker", "[get list watch]"), "{worker}");
    assert!(!worker.contains("kube-proxy-trgxh"), "another node's pod must not be listed");

    let provisioner = |node: &str| row(&list(node, "local-path-storage"), "configmaps", "local-path-config", "[get list watch]");
    assert!(provisioner("kubeletauthz-worker2"), "the provisioner runs on worker2");
    assert!(!provisioner("kubeletauthz-worker"), "worker has no pod using local-path-config");
}

#[test]
fn explain_shows_graph_path_and_who_can_lists_nodes() {
    let o = kauthz(&with_example(&[
        "explain",
        "get",
        "configmaps/local-path-config",
        "-n",
        "local-path-storage",
        "--as-node",
        "kubeletauthz-worker2",
    ]));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(
            "node kubeletauthz-worker2 <- pod local-path-storage/local-path-provisioner-6bc4bddd6b-jrxmn <- configmap local-path-storage/local-path-config"
        ),
        "{}",
        stdout(&o)
    );
    let o = kauthz(&with_example(&["who-can", "get", "configmaps/local-path-config", "-n", "local-path-storage", "-o", "json"]));
    let holders: Vec<serde_json::Value> = serde_json::from_str(&stdout(&o)).unwrap();
    let nodes: Vec<&str> = holders.iter().filter(|h| h["kind"] == "Node").map(|h| h["name"].as_str().unwrap()).collect();
    assert_eq!(nodes, ["kubeletauthz-worker2"]);
}

#[test]
fn node_reason_strings_follow_upstream() {
    let o = kauthz(&with_example(&["can-i", "list", "secrets", "-A", "--as-node", "kubeletauthz-worker"]));
    assert_eq!(stdout(&o), "no - node: can only read namespaced object of this type\n");
    let o = kauthz(&with_example(&["can-i", "get", "nodes", "--as-node", "kubeletauthz-worker"]));
    assert_eq!(stdout(&o), "no - node: node 'kubeletauthz-worker' cannot read all nodes, only its own Node object\n");
}

/// The answers the example's README promises.
#[test]
fn example_readme_answers() {
    let cases: &[(&[&str], &str, i32)] = &[
        (&["get", "configmap/kube-proxy", "-n", "kube-system"], "kubeletauthz-worker", 0),
        (&["get", "configmap/coredns", "-n", "kube-system"], "kubeletauthz-control-plane", 1),
        (&["get", "configmap/local-path-config", "-n", "local-path-storage"], "kubeletauthz-worker2", 0),
        (&["get", "configmap/local-path-config", "-n", "local-path-storage"], "kubeletauthz-worker", 1),
        (&["get", "configmap/kube-root-ca.crt", "-n", "local-path-storage"], "kubeletauthz-worker", 1),
        (&["get", "configmap/kube-root-ca.crt", "-n", "local-path-storage"], "kubeletauthz-worker2", 0),
        (&["get", "configmap/kubeadm-config", "-n", "kube-system"], "kubeletauthz-control-plane", 0),
        (&["get", "secret/bootstrap-token-abcdef", "-n", "kube-system"], "kubeletauthz-worker", 1),
        (&["get", "nodes/kubeletauthz-worker"], "kubeletauthz-worker", 0),
        (&["get", "nodes"], "kubeletauthz-worker", 1),
        (&["list", "pods", "-A"], "kubeletauthz-worker", 1),
        (&["list", "pods", "-A", "--field-selector", "spec.nodeName=kubeletauthz-worker"], "kubeletauthz-worker", 0),
    ];
    for (request, node, code) in cases {
        let mut args = vec!["can-i"];
        args.extend_from_slice(request);
        args.extend(["--as-node", node]);
        let o = kauthz(&with_example(&args));
        assert_eq!(o.status.code(), Some(*code), "{request:?} as {node}: {}{}", stdout(&o), stderr(&o));
    }
}

/// kauthz.dev/v1alpha1 SubjectRulesReview: kube-apiserver's rules review for a named user.
#[test]
fn review_answers_subject_rules_reviews() {
    let stream = r#"{"apiVersion":"kauthz.dev/v1alpha1","kind":"SubjectRulesReview","spec":{"namespace":"kube-system","user":"system:node:kubeletauthz-worker","groups":["system:nodes","system:authenticated"]}}
{"apiVersion":"kauthz.dev/v1alpha1","kind":"SubjectRulesReview","spec":{"user":"alice"}}
"#;
    let o = kauthz_stdin(&with_example(&["review"]), stream);
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let status = &lines[0]["status"];
    assert_eq!(status["incomplete"], true);
    assert_eq!(status["evaluationError"], "node authorizer does not support user rule resolution");
    let rules = status["resourceRules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["resources"][0] == "certificatesigningrequests/selfnodeclient"));
    assert!(rules.iter().any(|r| r["resourceNames"][0] == "kubeadm-config"), "RoleBindings of the namespace count");
    assert_eq!(lines[1]["kind"], "Status", "a rules review needs a namespace");
}

/// NodeRestriction through `admit`: the bundled reviews, answered as kube-apiserver would.
#[test]
fn admit_answers_reviews_as_noderestriction() {
    let out = kauthz(&with_example(&["admit", "--requests", "examples/admission/reviews.jsonl"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let answers: Vec<serde_json::Value> = stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let summary: Vec<(String, bool, u64)> = answers
        .iter()
        .map(|a| {
            let r = &a["response"];
            (r["uid"].as_str().unwrap().to_string(), r["allowed"].as_bool().unwrap(), r["status"]["code"].as_u64().unwrap_or(0))
        })
        .collect();
    let expect = [
        ("label-control-plane", false, 403),
        ("label-zone", true, 0),
        ("other-node", false, 403),
        ("lease", true, 0),
        ("delete-coredns", true, 0),
    ];
    assert_eq!(summary, expect.map(|(u, a, c)| (u.to_string(), a, c)));
    assert_eq!(
        answers[0]["response"]["status"]["message"],
        "nodes \"kubeletauthz-worker\" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/control-plane"
    );
}

/// Bad admission input: a review without a request is denied (400) and a non-JSON line is
/// reported with its line number and exit code 2, after the other lines are answered.
#[test]
fn admit_refuses_bad_reviews() {
    let input = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}\nnot json\n{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"x\",\"resource\":{\"resource\":\"pods\"},\"operation\":\"PATCH\",\"userInfo\":{\"username\":\"system:node:n\",\"groups\":[\"system:nodes\"]}}}\n";
    let out = kauthz_stdin(&["admit", "-f", "testdata/good/empty.yaml"], input);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("stdin: line 2: invalid JSON"), "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    for l in &lines {
        assert_eq!(l["response"]["allowed"], false);
        assert_eq!(l["response"]["status"]["code"], 400);
    }
    assert_eq!(lines[1]["response"]["uid"], "x");
    assert!(lines[1]["response"]["status"]["message"].as_str().unwrap().contains("unknown operation \"PATCH\""));
}

/// The write side of can-i: the Node authorizer allows the update, NodeRestriction refuses
/// the label.
#[test]
fn can_i_with_object_runs_noderestriction() {
    let args = with_example(&[
        "can-i",
        "update",
        "nodes/kubeletauthz-worker",
        "--as-node",
        "kubeletauthz-worker",
        "--object",
        "examples/admission/worker-node-control-plane-label.yaml",
        "--old-object",
        "examples/admission/worker-node.yaml",
    ]);
    let out = kauthz(&args);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "no - NodeRestriction: nodes \"kubeletauthz-worker\" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/control-plane\n"
    );
    let mut same = args.clone();
    let i = same.iter().position(|a| *a == "examples/admission/worker-node-control-plane-label.yaml").unwrap();
    same[i] = "examples/admission/worker-node.yaml";
    let out = kauthz(&same);
    assert_eq!((out.status.code(), stdout(&out)), (Some(0), "yes\n".to_string()));
}

/// blast-radius on the bundled cluster: the node running local-path-provisioner escalates
/// (its account may create pods anywhere), the others are contained.
#[test]
fn blast_radius_ranks_nodes() {
    let out = kauthz(&with_example(&["blast-radius", "--all-nodes", "-o", "json"]));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let nodes: Vec<serde_json::Value> = serde_json::from_str(&stdout(&out)).unwrap();
    let verdicts: Vec<(&str, &str)> = nodes.iter().map(|n| (n["node"].as_str().unwrap(), n["verdict"].as_str().unwrap())).collect();
    assert_eq!(
        verdicts,
        [("kubeletauthz-worker2", "escalates"), ("kubeletauthz-control-plane", "contained"), ("kubeletauthz-worker", "contained")]
    );
    assert_eq!(nodes[0]["escalation"]["power"], "create-pods-kube-system");
    let one = kauthz(&with_example(&["blast-radius", "--node", "kubeletauthz-worker"]));
    assert_eq!(one.status.code(), Some(0));
    assert!(stdout(&one).contains("node kubeletauthz-worker <- pod kube-system/coredns-5d78c9869d-hqnmt <- configmap kube-system/coredns"));
}

/// audit: the AKS-like grant is critical and fails --fail-on high; kind's own binding is by design.
#[test]
fn audit_findings_and_exit_codes() {
    let mut args = with_example(&["audit", "--enable-admission-plugins", "NodeRestriction", "--profile", "kind", "-o", "json"]);
    args.extend(["-f", "examples/kubeletauthz/scenarios/aks-secret-reader.yaml", "--fail-on", "critical"]);
    let out = kauthz(&args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let findings: Vec<serde_json::Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(findings[0]["id"], "KA-R010");
    assert_eq!(findings[0]["severity"], "critical");
    assert!(findings.iter().any(|f| f["byDesign"].as_str().is_some_and(|d| d.contains("kubeadm"))));
    // Without the AKS grant only by-design and high findings remain: --fail-on critical passes.
    let clean =
        kauthz(&with_example(&["audit", "--enable-admission-plugins", "NodeRestriction", "--profile", "kind", "--fail-on", "critical"]));
    assert_eq!(clean.status.code(), Some(0), "{}", stdout(&clean));
    let bad = kauthz(&with_example(&["audit", "--profile", "nope"]));
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("unknown profile \"nope\""));
}

/// diff: adding the system:nodes binding widens every node.
#[test]
fn diff_flags_widening() {
    let args = [
        "diff",
        "examples/kubeletauthz/cluster.yaml",
        "examples/kubeletauthz/scenarios/system-nodes-bound.yaml",
        "--overlay",
        "-f",
        "examples/kubeletauthz/rbac.yaml",
        "--with-defaults",
        "--fail-on-widening",
        "-o",
        "json",
    ];
    let out = kauthz(&args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let diffs: Vec<serde_json::Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(diffs.len(), 3);
    assert!(diffs.iter().all(|d| d["widens"] == true && d["addedPowers"].as_array().unwrap().iter().any(|p| p == "secrets-cluster-wide")));
    let same = kauthz(&["diff", "examples/kubeletauthz/cluster.yaml", "examples/kubeletauthz/cluster.yaml", "--fail-on-widening"]);
    assert_eq!(same.status.code(), Some(0));
}
/// Report outputs (SARIF, HTML) and the kubectl-style extras (completion, plugin, krew).
mod outputs;
mod server;

/// A kubeconfig whose user is the fixture certificate CN=system:node:n1, O=system:nodes,
/// O=team-a (by file path, or inline with `inline`).
fn node_kubeconfig(dir: &Path, inline: bool) -> PathBuf {
    let cert = root().join("crates/kauthz-kube/testdata/node-n1.crt");
    let user = if inline {
        use std::fmt::Write as _;
        let pem = std::fs::read(&cert).unwrap();
        // base64 by hand: the test crate has no base64 dependency.
        const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut b64 = String::new();
        for chunk in pem.chunks(3) {
            let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
            for i in 0..4 {
                if i <= chunk.len() {
                    b64.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    b64.push('=');
                }
            }
        }
        let mut s = String::new();
        write!(s, "    client-certificate-data: {b64}\n    client-key-data: AAAA").unwrap();
        s
    } else {
        format!("    client-certificate: {}\n    client-key: n1.key", cert.display())
    };
    let path = dir.join(if inline { "inline.conf" } else { "file.conf" });
    std::fs::write(
        &path,
        format!("apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\ncontexts:\n- name: n1\n  context:\n    cluster: c\n    user: n1\ncurrent-context: n1\nusers:\n- name: n1\n  user:\n{user}\n"),
    )
    .unwrap();
    path
}

fn tmpdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kauthz-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `--as-kubeconfig`: the certificate's CN and O are the identity, offline; an expired
/// certificate is an error naming the kubeconfig.
#[test]
fn as_kubeconfig_takes_the_certificate_identity() {
    let dir = tmpdir("askc");
    for inline in [false, true] {
        let kc = node_kubeconfig(&dir, inline);
        let o =
            kauthz(&["can-i", "get", "nodes/n1", "--as-kubeconfig", kc.to_str().unwrap(), "-f", "testdata/good/empty.yaml", "-o", "json"]);
        assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
        let sar: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(sar["spec"]["user"], "system:node:n1");
        assert_eq!(sar["spec"]["groups"], serde_json::json!(["system:nodes", "team-a", "system:authenticated"]));
    }
    let expired = dir.join("expired.conf");
    let text = std::fs::read_to_string(dir.join("file.conf")).unwrap().replace("node-n1.crt", "expired.crt");
    std::fs::write(&expired, text).unwrap();
    let o = kauthz(&["can-i", "get", "pods", "--as-kubeconfig", expired.to_str().unwrap(), "-f", "testdata/good/empty.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("expired.conf") && stderr(&o).contains("expired at"), "{}", stderr(&o));
    let o = kauthz(&["can-i", "get", "pods", "--as-kubeconfig", "/nonexistent/kubelet.conf", "-f", "testdata/good/empty.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/nonexistent/kubelet.conf"), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).ok();
}

/// `--apiserver-flags` and `--apiserver-manifest` configure the chain and admission as
/// kube-apiserver's own flags do; kauthz's flags win.
#[test]
fn apiserver_flags_and_manifest_configure_the_chain() {
    let ask = |extra: &[&str]| {
        let mut args = with_example(&["can-i", "get", "configmaps/coredns", "-n", "kube-system", "--as-node", "kubeletauthz-worker"]);
        args.extend(extra);
        kauthz(&args).status.code()
    };
    assert_eq!(ask(&[]), Some(0));
    assert_eq!(ask(&["--apiserver-flags", "--authorization-mode=RBAC --enable-admission-plugins=NodeRestriction"]), Some(1));
    assert_eq!(ask(&["--apiserver-flags", "--authorization-mode RBAC", "--authorization-mode", "Node,RBAC"]), Some(0));
    let dir = tmpdir("manifest");
    let manifest = dir.join("kube-apiserver.yaml");
    std::fs::write(
        &manifest,
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-apiserver\nspec:\n  containers:\n  - name: kube-apiserver\n    command:\n    - kube-apiserver\n    - --authorization-mode=RBAC\n",
    )
    .unwrap();
    assert_eq!(ask(&["--apiserver-manifest", manifest.to_str().unwrap()]), Some(1));
    let o = kauthz(&with_example(&["can-i", "get", "pods", "--as", "u", "--apiserver-manifest", "/nonexistent/m.yaml"]));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/nonexistent/m.yaml"), "{}", stderr(&o));
    // Admission plugins from the manifest: enabling NodeRestriction there clears KA-N003.
    let audit = |flag: &str| {
        std::fs::write(
            &manifest,
            format!("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: kube-apiserver\n    command: [kube-apiserver, {flag}]\n"),
        )
        .unwrap();
        stdout(&kauthz(&with_example(&["audit", "--apiserver-manifest", manifest.to_str().unwrap()])))
    };
    assert!(!audit("--enable-admission-plugins=NodeRestriction").contains("KA-N003"));
    assert!(audit("--disable-admission-plugins=NodeRestriction").contains("KA-N003"));
    std::fs::remove_dir_all(&dir).ok();
}

/// A snapshot `kauthz snapshot` marked incomplete makes every command warn and marks every
/// answer: a "no" becomes undetermined (exit 3), a "yes" stands (missing objects can only
/// hide grants), `evaluationError` and the rules review's `incomplete` say why. Without -f
/// and without any kubeconfig the error says how to give a cluster.
#[test]
fn incomplete_snapshots_warn_and_no_cluster_is_an_error() {
    let dir = tmpdir("incomplete");
    let snap = dir.join("snap.json");
    std::fs::write(
        &snap,
        r#"{"apiVersion":"v1","kind":"List","metadata":{"annotations":{"kauthz.dev/incomplete":"secrets: forbidden: no"}},"items":[]}"#,
    )
    .unwrap();
    let o = kauthz(&["can-i", "get", "pods", "--as", "u", "-f", snap.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "a no from an incomplete state is undetermined");
    assert!(stderr(&o).contains("incomplete snapshot (secrets: forbidden: no)"), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("unknown"), "{}", stdout(&o));
    let o = kauthz(&["can-i", "get", "pods", "--as", "u", "-o", "json", "-f", snap.to_str().unwrap()]);
    let sar: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let why = sar["status"]["evaluationError"].as_str().unwrap();
    assert!(why.starts_with("incomplete cluster state: ") && why.ends_with("secrets: forbidden: no"), "{why}");
    let o = kauthz(&["can-i", "get", "pods", "--as", "u", "--as-group", "system:masters", "-f", snap.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "a yes stands: {}", stdout(&o));
    let o = kauthz(&["can-i", "--list", "--as", "u", "-o", "json", "-f", snap.to_str().unwrap()]);
    let review: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(review["status"]["incomplete"], true);
    assert!(review["status"]["evaluationError"].as_str().unwrap().contains("incomplete cluster state"));
    let sar = r#"{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"u","resourceAttributes":{"verb":"get","resource":"pods"}}}"#;
    let o = kauthz_stdin(&["review", "-f", snap.to_str().unwrap()], sar);
    let answered: serde_json::Value = serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    assert!(answered["status"]["evaluationError"].as_str().unwrap().contains("incomplete cluster state"), "{answered}");
    let complete = dir.join("complete.json");
    std::fs::write(&complete, r#"{"apiVersion":"v1","kind":"List","items":[]}"#).unwrap();
    let o = kauthz(&["can-i", "get", "pods", "--as", "u", "-f", complete.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "a complete state's no is a no");
    let o = Command::new(env!("CARGO_BIN_EXE_kauthz"))
        .args(["can-i", "get", "pods", "--as", "u"])
        .env_remove("KUBECONFIG")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .env("HOME", &dir)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no cluster: pass -f FILE"), "{}", stderr(&o));
    let o = kauthz(&["snapshot", "-o", "-", "--kubeconfig", "/nonexistent/config"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/nonexistent/config"), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).ok();
}
