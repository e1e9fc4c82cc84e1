//! `kauthz replay`: what strict mode would deny, from an audit log.

use std::io::BufRead;

use kauthz_core::analysis::replay::{self, AuditEvent};
use serde::Serialize;

use super::{EXIT_NO, EXIT_YES, print};
use crate::cli::{OutputFormat, ReplayArgs};
use crate::{context, output};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Out<'a> {
    node: &'a str,
    verb: &'a str,
    resource: &'a str,
    count: usize,
    chain_decision: &'a str,
    example: &'a str,
}

pub fn run(args: ReplayArgs) -> Result<u8, String> {
    let source = args.audit_log.display().to_string();
    let input: Box<dyn BufRead> = if source == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(std::fs::File::open(&args.audit_log).map_err(|e| format!("{source}: {e}"))?))
    };
    let mut events = Vec::new();
    for (i, line) in input.lines().enumerate() {
        let line = line.map_err(|e| format!("{source}: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let event: AuditEvent = serde_json::from_str(&line).map_err(|e| format!("{source}: line {}: {e}", i + 1))?;
        if event.kind != "Event" || event.api_version != "audit.k8s.io/v1" {
            return Err(format!("{source}: line {}: expected audit.k8s.io/v1 Event, got {:?} {:?}", i + 1, event.api_version, event.kind));
        }
        events.push(event);
    }
    let loaded = context::load_for_exit(&args.cluster)?;
    let r = replay::replay(&loaded.chain, &loaded.state, &events);
    let out: Vec<Out> = r
        .would_deny
        .iter()
        .map(|d| Out {
            node: &d.node,
            verb: &d.verb,
            resource: &d.resource,
            count: d.count,
            chain_decision: &d.chain_decision,
            example: &d.example,
        })
        .collect();
    match args.output {
        OutputFormat::Json => print(&output::json(&out)?),
        OutputFormat::Yaml => print(&output::yaml(&out)?),
        OutputFormat::Table | OutputFormat::Wide => {
            eprintln!("{} events, {} node requests replayed; strict mode would deny {} group(s)", r.events, r.node_requests, out.len());
            let mut rows =
                vec![vec!["NODE".to_string(), "VERB".into(), "RESOURCE".into(), "COUNT".into(), "CHAIN TODAY".into(), "EXAMPLE".into()]];
            rows.extend(out.iter().map(|o| {
                vec![o.node.into(), o.verb.into(), o.resource.into(), o.count.to_string(), o.chain_decision.into(), o.example.into()]
            }));
            print(&crate::table::tabwrite(&rows));
        }
    }
    Ok(if out.is_empty() { EXIT_YES } else { EXIT_NO })
}
