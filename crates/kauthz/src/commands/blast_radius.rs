//! `kauthz blast-radius`: what a stolen kubelet credential reaches.

use kauthz_core::analysis::blast::{Analyzer, BlastRadius, Verdict};
use kauthz_core::node::GraphGrant;
use serde::Serialize;

use super::{EXIT_NO, EXIT_YES, print};
// blast-radius has its own formats (html added); the alias keeps the arms as they were.
use crate::cli::{BlastFormat as OutputFormat, BlastRadiusArgs};
use crate::{context, output};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Out<'a> {
    node: &'a str,
    verdict: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    escalation: Option<EscalationOut>,
    node_powers: Vec<PowerOut>,
    reads: Vec<ReadOut<'a>>,
    writes: Vec<WriteOut<'a>>,
    tokens: Vec<TokenOut<'a>>,
    identities_reached: usize,
}

#[derive(Serialize)]
struct EscalationOut {
    power: &'static str,
    description: &'static str,
    holder: String,
    reason: String,
    path: Vec<HopOut>,
}

#[derive(Serialize)]
struct HopOut {
    from: String,
    to: String,
    how: String,
}

#[derive(Serialize)]
struct PowerOut {
    power: &'static str,
    reason: String,
}

#[derive(Serialize)]
struct ReadOut<'a> {
    resource: String,
    #[serde(skip_serializing_if = "str::is_empty")]
    namespace: &'a str,
    name: &'a str,
    verbs: &'static [&'static str],
    path: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WriteOut<'a> {
    verbs: &'a [String],
    api_groups: &'a [String],
    resources: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    resource_names: &'a [String],
    source: &'a str,
}

#[derive(Serialize)]
struct TokenOut<'a> {
    namespace: &'a str,
    name: &'a str,
    pods: &'a [String],
    powers: &'a [&'static str],
}

fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Contained => "contained",
        Verdict::Escalates => "escalates",
    }
}

fn out<'a>(analyzer: &Analyzer, b: &'a BlastRadius) -> Out<'a> {
    Out {
        node: &b.node,
        verdict: verdict(b.verdict),
        escalation: b.escalation.as_ref().map(|e| EscalationOut {
            power: e.power.id,
            description: e.power.description,
            holder: e.holder.to_string(),
            reason: e.reason.clone(),
            path: e.hops.iter().map(|h| HopOut { from: h.from.to_string(), to: h.to.to_string(), how: h.how.clone() }).collect(),
        }),
        node_powers: b.node_powers.iter().map(|(p, r)| PowerOut { power: p, reason: r.clone() }).collect(),
        reads: {
            let mut reads: Vec<&GraphGrant> = b.reads.iter().collect();
            reads.sort();
            reads
                .into_iter()
                .map(|r| ReadOut {
                    resource: if r.api_group.is_empty() { r.resource_path() } else { format!("{}.{}", r.resource_path(), r.api_group) },
                    namespace: &r.namespace,
                    name: &r.name,
                    verbs: r.verbs,
                    path: analyzer.read_path(&b.node, r),
                })
                .collect()
        },
        writes: b
            .writes
            .iter()
            .map(|w| WriteOut {
                verbs: &w.rule.verbs,
                api_groups: &w.rule.api_groups,
                resources: &w.rule.resources,
                resource_names: &w.rule.resource_names,
                source: &w.source,
            })
            .collect(),
        tokens: b.tokens.iter().map(|t| TokenOut { namespace: &t.namespace, name: &t.name, pods: &t.pods, powers: &t.powers }).collect(),
        identities_reached: b.reached,
    }
}

fn path_text(b: &BlastRadius) -> String {
    match &b.escalation {
        None => String::new(),
        Some(e) => {
            let mut s = format!("node {}", b.node);
            for h in &e.hops {
                s.push_str(&format!(" -> {} ({})", h.to, h.how));
            }
            s.push_str(&format!(" => {}", e.power.id));
            s
        }
    }
}

fn detail(analyzer: &Analyzer, b: &BlastRadius) -> String {
    let mut s = format!("node {}: {}\n", b.node, verdict(b.verdict));
    if let Some(e) = &b.escalation {
        s.push_str(&format!("shortest path to cluster-wide power ({}: {}):\n  {}\n", e.power.id, e.power.description, path_text(b)));
        s.push_str(&format!("  granted: {}\n", e.reason));
    }
    let o = out(analyzer, b);
    s.push_str(&format!("\nREADS ({})\n", o.reads.len()));
    let mut rows = vec![vec!["RESOURCE".to_string(), "NAMESPACE".into(), "NAME".into(), "VERBS".into(), "GRAPH PATH".into()]];
    rows.extend(o.reads.iter().map(|r| vec![r.resource.clone(), r.namespace.into(), r.name.into(), r.verbs.join(","), r.path.clone()]));
    s.push_str(&crate::table::tabwrite(&rows));
    s.push_str(&format!("\nWRITES ({})\n", o.writes.len()));
    let mut rows = vec![vec!["RESOURCE".to_string(), "NAMES".into(), "VERBS".into(), "SOURCE".into()]];
    rows.extend(o.writes.iter().map(|w| {
        let group = w.api_groups.first().map(String::as_str).unwrap_or("");
        let resource = w.resources.join(",");
        let resource = if group.is_empty() { resource } else { format!("{resource}.{group}") };
        vec![resource, w.resource_names.join(","), w.verbs.join(","), w.source.to_string()]
    }));
    s.push_str(&crate::table::tabwrite(&rows));
    s.push_str(&format!("\nTOKENS ({})\n", o.tokens.len()));
    let mut rows = vec![vec!["SERVICE ACCOUNT".to_string(), "PODS ON THE NODE".into(), "POWERS".into()]];
    rows.extend(o.tokens.iter().map(|t| vec![format!("{}/{}", t.namespace, t.name), t.pods.join(","), t.powers.join(",")]));
    s.push_str(&crate::table::tabwrite(&rows));
    if !o.node_powers.is_empty() {
        s.push_str("\nPOWERS OF THE NODE'S OWN CREDENTIAL\n");
        for p in &o.node_powers {
            s.push_str(&format!("  {}: {}\n", p.power, p.reason));
        }
    }
    s
}

pub fn run(args: BlastRadiusArgs) -> Result<u8, String> {
    let loaded = context::load_for_exit(&args.cluster)?;
    let node_restriction =
        context::admission_flags(&crate::live::admission(&args.admission, &args.cluster)?).node_restriction().unwrap_or(true);
    let mut analyzer = Analyzer::with_admission(&loaded.chain, &loaded.state, args.depth, node_restriction);
    // The ranking table only counts and the HTML page draws no writes: the rules reviews
    // behind the writes are skipped for both.
    let all_nodes_table = args.node.is_none() && matches!(args.output, OutputFormat::Table | OutputFormat::Wide);
    if all_nodes_table || args.output == OutputFormat::Html {
        analyzer = analyzer.without_writes();
    }
    let results = match &args.node {
        Some(n) => vec![analyzer.node(n)],
        None => analyzer.all_nodes(),
    };
    if loaded.chain.has_webhook() {
        eprintln!("Warning: webhook authorizers are not evaluated offline: grants they would make are missing");
    }
    match args.output {
        OutputFormat::Json | OutputFormat::Yaml => {
            let o: Vec<Out> = results.iter().map(|b| out(&analyzer, b)).collect();
            let text = match (&args.node, args.output) {
                (Some(_), OutputFormat::Json) => output::json(&o[0])?,
                (Some(_), _) => output::yaml(&o[0])?,
                (None, OutputFormat::Json) => output::json(&o)?,
                (None, _) => output::yaml(&o)?,
            };
            print(&text);
        }
        OutputFormat::Table | OutputFormat::Wide if args.node.is_some() => print(&detail(&analyzer, &results[0])),
        OutputFormat::Table | OutputFormat::Wide => {
            let mut rows =
                vec![vec!["NODE".to_string(), "VERDICT".into(), "READS".into(), "TOKENS".into(), "REACHED".into(), "PATH".into()]];
            rows.extend(results.iter().map(|b| {
                vec![
                    b.node.clone(),
                    verdict(b.verdict).into(),
                    b.reads.len().to_string(),
                    b.tokens.len().to_string(),
                    b.reached.to_string(),
                    path_text(b),
                ]
            }));
            let colours: Vec<Option<output::Colour>> = results
                .iter()
                .map(|b| Some(if b.verdict == Verdict::Escalates { output::Colour::Red } else { output::Colour::Green }))
                .collect();
            print(&output::colour_rows(&crate::table::tabwrite(&rows), &colours));
        }
        OutputFormat::Html => print(&crate::html::page(&analyzer, &loaded.state, &results, args.depth)?),
    }
    Ok(if results.iter().any(|b| b.verdict == Verdict::Escalates) { EXIT_NO } else { EXIT_YES })
}
