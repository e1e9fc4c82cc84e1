//! `kauthz diff`: what changed in every node's reach between two states.

use kauthz_core::analysis::blast::Verdict;
use kauthz_core::analysis::diff::{self, NodeDiff, Side};
use serde::Serialize;

use super::{EXIT_NO, EXIT_YES, print};
use crate::cli::{DiffArgs, OutputFormat};
use crate::{context, output};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Out<'a> {
    node: &'a str,
    widens: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    verdict_before: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verdict_after: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    escalation_after: Option<&'a str>,
    added_powers: &'a [String],
    removed_powers: &'a [String],
    added: &'a [String],
    removed: &'a [String],
}

fn verdict(v: Option<Verdict>) -> Option<&'static str> {
    v.map(|v| match v {
        Verdict::Contained => "contained",
        Verdict::Escalates => "escalates",
    })
}

fn out(d: &NodeDiff) -> Out<'_> {
    Out {
        node: &d.node,
        widens: d.widens(),
        verdict_before: verdict(d.verdict_before),
        verdict_after: verdict(d.verdict_after),
        escalation_after: d.escalation_after.as_deref(),
        added_powers: &d.added_powers,
        removed_powers: &d.removed_powers,
        added: &d.added,
        removed: &d.removed,
    }
}

pub fn run(args: DiffArgs) -> Result<u8, String> {
    let mut before_args = args.cluster.clone();
    before_args.files.insert(0, args.before.clone());
    let mut after_args = args.cluster.clone();
    if args.overlay {
        after_args.files.insert(0, args.before.clone());
        after_args.files.push(args.after.clone());
    } else {
        after_args.files.insert(0, args.after.clone());
    }
    let before = context::load_for_exit(&before_args)?;
    let after = context::load_for_exit(&after_args)?;
    let diffs =
        diff::diff(Side { chain: &before.chain, state: &before.state }, Side { chain: &after.chain, state: &after.state }, args.depth);
    match args.output {
        OutputFormat::Json => print(&output::json(&diffs.iter().map(out).collect::<Vec<_>>())?),
        OutputFormat::Yaml => print(&output::yaml(&diffs.iter().map(out).collect::<Vec<_>>())?),
        OutputFormat::Table | OutputFormat::Wide => {
            if diffs.is_empty() {
                print("no node's permissions or blast radius changed\n");
            }
            let mut text = String::new();
            for d in &diffs {
                let change = if d.widens() { "WIDENS" } else { "narrows or changes" };
                text.push_str(&format!("node {}: {change}\n", d.node));
                let o = out(d);
                if o.verdict_before != o.verdict_after {
                    text.push_str(&format!(
                        "  verdict: {} -> {}\n",
                        o.verdict_before.unwrap_or("(absent)"),
                        o.verdict_after.unwrap_or("(absent)")
                    ));
                }
                if let Some(e) = o.escalation_after
                    && d.widens()
                {
                    text.push_str(&format!("  path: {e}\n"));
                }
                for p in &d.added_powers {
                    text.push_str(&format!("  + power {p}\n"));
                }
                for p in &d.removed_powers {
                    text.push_str(&format!("  - power {p}\n"));
                }
                for a in &d.added {
                    text.push_str(&format!("  + {a}\n"));
                }
                for r in &d.removed {
                    text.push_str(&format!("  - {r}\n"));
                }
            }
            print(&text);
        }
    }
    Ok(if args.fail_on_widening && diffs.iter().any(NodeDiff::widens) { EXIT_NO } else { EXIT_YES })
}
