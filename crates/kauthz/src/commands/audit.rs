//! `kauthz audit`: kubelet authorization posture.

use kauthz_core::analysis::audit::{self, AuditInput, Finding, KubeletConfig, Profile, Severity};
use serde::Serialize;

use super::{EXIT_NO, EXIT_YES, print};
use crate::cli::{AuditArgs, AuditFormat};
use crate::{context, output};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FindingOut<'a> {
    id: &'static str,
    severity: &'static str,
    title: &'static str,
    message: &'a str,
    evidence: &'a [String],
    fix: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    by_design: Option<&'a str>,
}

fn out(f: &Finding) -> FindingOut<'_> {
    FindingOut {
        id: f.rule.id,
        severity: f.severity.as_str(),
        title: f.rule.title,
        message: &f.message,
        evidence: &f.evidence,
        fix: f.rule.fix,
        by_design: f.by_design.as_deref(),
    }
}

/// Reads a KubeletConfiguration (YAML or JSON), naming the file in errors.
fn kubelet_config(path: &std::path::Path) -> Result<KubeletConfig, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let value: serde_json::Value =
        serde_saphyr::from_str(&text).map_err(|e| format!("{}: invalid KubeletConfiguration: {e}", path.display()))?;
    let kind = value.get("kind").and_then(|k| k.as_str()).unwrap_or_default();
    if kind != "KubeletConfiguration" {
        return Err(format!("{}: expected kind KubeletConfiguration, found {kind:?}", path.display()));
    }
    serde_path_to_error::deserialize(value).map_err(|e| format!("{}: field {}: {}", path.display(), e.path(), e.inner()))
}

pub fn run(args: AuditArgs) -> Result<u8, String> {
    let profile = match &args.profile {
        Some(p) => Some(Profile::parse(p).ok_or_else(|| {
            let names: Vec<&str> = Profile::ALL.iter().map(|(n, _)| *n).collect();
            format!("--profile: unknown profile {p:?} (known: {})", names.join(", "))
        })?),
        None => None,
    };
    let fail_on = match &args.fail_on {
        Some(s) => {
            Some(Severity::parse(s).ok_or_else(|| format!("--fail-on: unknown severity {s:?} (info, low, medium, high, critical)"))?)
        }
        None => None,
    };
    let kubelet = args.kubelet_config.as_deref().map(kubelet_config).transpose()?;
    let loaded = context::load_for_exit(&args.cluster)?;
    let admission = context::admission_flags(&crate::live::admission(&args.admission, &args.cluster)?);
    let findings = audit::audit(&AuditInput {
        chain: &loaded.chain,
        state: &loaded.state,
        admission: &admission,
        kubelet: kubelet.as_ref(),
        profile,
        depth: args.depth,
    });
    match args.output {
        AuditFormat::Json => print(&output::json(&findings.iter().map(out).collect::<Vec<_>>())?),
        AuditFormat::Yaml => print(&output::yaml(&findings.iter().map(out).collect::<Vec<_>>())?),
        AuditFormat::Sarif => print(&output::json(&crate::sarif::log(&findings, &crate::sarif::Sources::of(&args)))?),
        AuditFormat::Table => {
            let mut rows = vec![vec!["ID".to_string(), "SEVERITY".into(), "FINDING".into()]];
            rows.extend(findings.iter().map(|f| {
                let design = if f.by_design.is_some() { " (by design)" } else { "" };
                vec![f.rule.id.into(), format!("{}{design}", f.severity.as_str()), f.message.clone()]
            }));
            let colours: Vec<Option<output::Colour>> = findings
                .iter()
                .map(|f| match (f.by_design.is_some(), f.severity) {
                    (true, _) | (_, Severity::Info | Severity::Low) => Some(output::Colour::Dim),
                    (_, Severity::Critical) => Some(output::Colour::Red),
                    (_, Severity::High) => Some(output::Colour::Yellow),
                    _ => None,
                })
                .collect();
            print(&output::colour_rows(&crate::table::tabwrite(&rows), &colours));
        }
        AuditFormat::Wide => {
            let mut text = String::new();
            for f in &findings {
                text.push_str(&format!("{} [{}] {}\n  {}\n", f.rule.id, f.severity.as_str(), f.rule.title, f.message));
                for e in &f.evidence {
                    text.push_str(&format!("  evidence: {e}\n"));
                }
                if let Some(d) = &f.by_design {
                    text.push_str(&format!("  by design: {d}\n"));
                }
                text.push_str(&format!("  fix: {}\n\n", f.rule.fix));
            }
            print(&text);
        }
    }
    let failing = fail_on.is_some_and(|level| findings.iter().any(|f| f.by_design.is_none() && f.severity >= level));
    Ok(if failing { EXIT_NO } else { EXIT_YES })
}
