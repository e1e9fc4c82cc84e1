//! `kauthz blast-radius -o html`: one self-contained page (inline CSS and JS, nothing
//! fetched) drawing what a node's credential reaches as an interactive graph.
//!
//! The graph is built here from the core's answers: the Node authorizer's graph paths of
//! every object the node reads (node → pods → secrets, configmaps, PVCs → PVs …), the
//! identities it can become (service accounts it mints tokens for, and theirs, hop by hop
//! to the analysis depth) and the cluster-wide powers each holds, with the shortest
//! escalation path marked. The page (`assets/blast.html`) lays it out in columns by
//! distance from the node, with collapsible groups per kind and a search box.
//!
//! Object names are attacker-chosen. They travel only inside a JSON block whose `<`, `>`
//! and `&` are written as `\u003c`-style escapes (so no `</script>` can end it) and the
//! script puts them into the page with `textContent`, never as markup; the one name in
//! the static HTML (the title) is HTML-escaped.

use std::collections::{BTreeSet, HashMap, VecDeque};

use kauthz_core::ClusterState;
use kauthz_core::analysis::blast::{Analyzer, BlastRadius, Identity, Verdict};
use kauthz_core::node::VertexType;
use serde::Serialize;

/// The page template: `{{TITLE}}` and `{{DATA}}` are filled in.
const TEMPLATE: &str = include_str!("assets/blast.html");

/// A vertex of the drawn graph.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Vertex {
    /// `node`, `pod`, `secret`, `configmap`, `serviceAccount`, `pvc`, `pv`, … (the Node
    /// authorizer's labels), or `power`.
    pub kind: String,
    /// Namespace (empty for cluster-scoped objects, nodes and powers).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub ns: String,
    /// Name (a power's id).
    pub name: String,
    /// More about it (a power's description, a read object's verbs).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

/// An edge: from, to (indexes into the vertices), label, and whether it lies on the
/// escalation path.
#[derive(Debug, Serialize, PartialEq, Eq, Clone)]
pub struct Edge(pub usize, pub usize, pub String, pub bool);

/// One node's view.
#[derive(Debug, Serialize)]
pub struct NodeView {
    /// The node's name.
    pub name: String,
    /// Its vertex.
    pub vertex: usize,
    /// `contained` or `escalates`.
    pub verdict: &'static str,
    /// The power at the end of the shortest escalation path.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub power: String,
    /// The shortest escalation path, step by step.
    pub path: Vec<String>,
    /// Objects read through the graph.
    pub reads: usize,
    /// Service accounts it can mint tokens for.
    pub tokens: usize,
    /// Identities reached.
    pub reached: usize,
    /// The edges of its reach.
    pub edges: Vec<Edge>,
}

/// Everything the page draws: vertices shared by all node views (a DaemonSet's account is
/// one vertex however many nodes run it).
#[derive(Debug, Serialize, Default)]
pub struct Report {
    /// Page title.
    pub title: String,
    /// The vertices.
    pub vertices: Vec<Vertex>,
    /// One view per node, in the analysis's order (escalating nodes first).
    pub nodes: Vec<NodeView>,
    #[serde(skip)]
    index: HashMap<(String, String, String), usize>,
}

/// The edges of one view, deduplicated, remembering whether each is on the escalation path.
#[derive(Default)]
struct Edges {
    list: Vec<Edge>,
    at: HashMap<(usize, usize), usize>,
}

impl Edges {
    fn add(&mut self, from: usize, to: usize, label: &str, esc: bool) {
        if from == to {
            return;
        }
        match self.at.get(&(from, to)) {
            Some(&i) => {
                let e = &mut self.list[i];
                e.3 |= esc;
                if e.2.is_empty() {
                    e.2 = label.to_string();
                }
            }
            None => {
                self.at.insert((from, to), self.list.len());
                self.list.push(Edge(from, to, label.to_string(), esc));
            }
        }
    }
}

impl Report {
    /// An empty report titled `title`.
    pub fn new(title: &str) -> Report {
        Report { title: title.to_string(), ..Report::default() }
    }

    fn vertex(&mut self, kind: &str, ns: &str, name: &str, detail: &str) -> usize {
        let key = (kind.to_string(), ns.to_string(), name.to_string());
        if let Some(&i) = self.index.get(&key) {
            if self.vertices[i].detail.is_empty() && !detail.is_empty() {
                self.vertices[i].detail = detail.to_string();
            }
            return i;
        }
        self.vertices.push(Vertex { kind: kind.into(), ns: ns.into(), name: name.into(), detail: detail.into() });
        self.index.insert(key, self.vertices.len() - 1);
        self.vertices.len() - 1
    }

    fn identity(&mut self, id: &Identity) -> usize {
        match id {
            Identity::Node(n) => self.vertex("node", "", n, ""),
            Identity::ServiceAccount(ns, n) => self.vertex(VertexType::ServiceAccount.label(), ns, n, ""),
        }
    }

    /// Adds `b`'s view: graph paths of its reads, identities to `depth` hops, their powers.
    pub fn add(&mut self, analyzer: &Analyzer, state: &ClusterState, b: &BlastRadius, depth: usize) {
        let node = self.vertex("node", "", &b.node, "");
        let mut edges = Edges::default();
        for r in &b.reads {
            let verbs = format!("{}: {}", r.resource_path(), r.verbs.join(","));
            let Some(vt) = VertexType::for_resource(r.api_group, r.resource) else { continue };
            match state.graph().path(&b.node, vt, &r.namespace, &r.name) {
                Some(p) => {
                    let ids: Vec<usize> = p
                        .iter()
                        .enumerate()
                        .map(|(i, v)| {
                            let detail = if i + 1 == p.len() { verbs.as_str() } else { "" };
                            self.vertex(v.vertex_type.label(), &v.namespace, &v.name, detail)
                        })
                        .collect();
                    for w in ids.windows(2) {
                        edges.add(w[0], w[1], "", false);
                    }
                }
                None => {
                    // Only a stale destination-index entry grants it (upstream's over-count).
                    let v = self.vertex(vt.label(), &r.namespace, &r.name, &verbs);
                    edges.add(node, v, "stale destination-index entry: no pod references it", false);
                }
            }
        }
        // Identities breadth-first, as the analysis explores them; cycles end at seen ones.
        let start = Identity::Node(b.node.clone());
        let mut seen = BTreeSet::from([start.clone()]);
        let mut queue = VecDeque::from([(start, 0usize)]);
        while let Some((id, d)) = queue.pop_front() {
            let from = self.identity(&id);
            for (power, reason) in analyzer.powers(&id) {
                let p = self.vertex("power", "", power.id, power.description);
                edges.add(from, p, &reason, false);
            }
            if d >= depth {
                continue;
            }
            for hop in analyzer.hops(&id) {
                let to = self.identity(&hop.to);
                match Report::minting_pod(&edges, from, to, &hop.how) {
                    Some(pod) => edges.add(pod, to, &hop.how, false),
                    None => edges.add(from, to, &hop.how, false),
                }
                if seen.insert(hop.to.clone()) {
                    queue.push_back((hop.to, d + 1));
                }
            }
        }
        let mut path = Vec::new();
        let mut power = String::new();
        if let Some(e) = &b.escalation {
            let mut at = node;
            path.push(format!("node {}", b.node));
            for h in &e.hops {
                let to = self.identity(&h.to);
                match Report::minting_pod(&edges, at, to, &h.how) {
                    Some(pod) => {
                        edges.add(at, pod, "", true);
                        edges.add(pod, to, &h.how, true);
                    }
                    None => edges.add(at, to, &h.how, true),
                }
                path.push(format!("→ {} ({})", h.to, h.how));
                at = to;
            }
            let p = self.vertex("power", "", e.power.id, e.power.description);
            edges.add(at, p, &e.reason, true);
            path.push(format!("⇒ {}: {} — {}", e.power.id, e.power.description, e.reason));
            power = e.power.id.to_string();
        }
        self.nodes.push(NodeView {
            name: b.node.clone(),
            vertex: node,
            verdict: match b.verdict {
                Verdict::Contained => "contained",
                Verdict::Escalates => "escalates",
            },
            power,
            path,
            reads: b.reads.len(),
            tokens: b.tokens.len(),
            reached: b.reached,
            edges: edges.list,
        });
    }

    /// The pod behind a node's token hop (the graph already holds node → pod → account for
    /// every pod the account runs), so the drawing goes node → pod → account instead of
    /// skipping the pod. Found from the edges, not by parsing the hop's text: names are
    /// not to be trusted to split cleanly.
    fn minting_pod(edges: &Edges, from: usize, to: usize, how: &str) -> Option<usize> {
        if !how.starts_with("mints a token") {
            return None;
        }
        edges.list.iter().find(|e| e.1 == to && edges.at.contains_key(&(from, e.0))).map(|e| e.0)
    }

    /// The page.
    pub fn render(&self) -> Result<String, String> {
        let data = serde_json::to_string(self).map_err(|e| e.to_string())?;
        // Split once and fill each part: a name containing `{{DATA}}` or `{{TITLE}}` must stay
        // text, not become a placeholder.
        let (head, tail) = TEMPLATE.split_once("{{DATA}}").ok_or("page template has no {{DATA}}")?;
        Ok(format!("{}{}{tail}", head.replace("{{TITLE}}", &escape_html(&self.title)), escape_script_json(&data)))
    }
}

/// The page for `results` (one node, or every node ranked).
pub fn page(analyzer: &Analyzer, state: &ClusterState, results: &[BlastRadius], depth: usize) -> Result<String, String> {
    let title = match results {
        [one] => format!("kauthz blast radius: node {}", one.node),
        all => {
            let escalating = all.iter().filter(|b| b.verdict == Verdict::Escalates).count();
            format!("kauthz blast radius: {} nodes, {escalating} escalate", all.len())
        }
    };
    let mut report = Report::new(&title);
    for b in results {
        report.add(analyzer, state, b, depth);
    }
    report.render()
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Makes JSON safe inside `<script type="application/json">`: `<`, `>` and `&` become
/// `\u003c`-style escapes (still the same JSON string), so neither `</script>` nor `<!--`
/// can appear; U+2028/U+2029 are escaped too for old JavaScript parsers.
pub fn escape_script_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_stay_data() {
        let mut r = Report::new("node </script><script>alert(1)</script>");
        r.vertex("pod", "ns\"'", "</script><script>alert(\"x\")</script>", "");
        let page = r.render().unwrap();
        // The only script end tags are the template's own.
        let template_ends = TEMPLATE.matches("</script>").count();
        assert_eq!(page.matches("</script>").count(), template_ends);
        assert!(!page.contains("<script>alert"));
        assert!(page.contains("node &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
        // The JSON still decodes to the original name.
        let start = page.find("id=\"data\">").unwrap() + "id=\"data\">".len();
        let end = start + page[start..].find("</script>").unwrap();
        let v: serde_json::Value = serde_json::from_str(&page[start..end]).unwrap();
        assert_eq!(v["vertices"][0]["name"], "</script><script>alert(\"x\")</script>");
        assert_eq!(v["vertices"][0]["ns"], "ns\"'");
    }

    #[test]
    fn edges_merge_and_keep_the_escalation_mark() {
        let mut e = Edges::default();
        e.add(0, 1, "", false);
        e.add(0, 1, "how", true);
        e.add(2, 2, "self", true);
        assert_eq!(e.list, [Edge(0, 1, "how".into(), true)]);
    }

    #[test]
    fn page_is_self_contained() {
        // Nothing fetched: no URLs besides the SVG namespace name, no external resources.
        let t = TEMPLATE.replace("http://www.w3.org/2000/svg", "");
        for needle in ["http://", "https://", "src=", "@import", "fetch(", "XMLHttpRequest", "<link", "url("] {
            assert!(!t.contains(needle), "template contains {needle}");
        }
    }
}
