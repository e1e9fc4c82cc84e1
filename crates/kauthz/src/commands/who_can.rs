//! `kauthz who-can`: every identity holding a permission.

use kauthz_core::analysis::who_can;
use kauthz_core::authz::UserInfo;
use serde::Serialize;

use super::{EXIT_YES, print};
use crate::cli::{OutputFormat, WhoCanArgs};
use crate::{context, output};

#[derive(Serialize)]
struct HolderOut<'a> {
    kind: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    namespace: &'a str,
    via: &'a str,
}

pub fn run(args: WhoCanArgs) -> Result<u8, String> {
    let attrs = context::attributes(&args.request, UserInfo::default())?;
    let loaded = context::load_for_exit(&args.cluster)?;
    let holders = who_can::who_can(&loaded.chain, &loaded.state, &attrs);
    if loaded.chain.has_webhook() {
        eprintln!("Warning: the list may be incomplete: webhook authorizers cannot be enumerated offline");
    }
    let out: Vec<HolderOut> =
        holders.iter().map(|h| HolderOut { kind: &h.kind, name: &h.name, namespace: &h.namespace, via: &h.via }).collect();
    match args.output {
        OutputFormat::Json => print(&output::json(&out)?),
        OutputFormat::Yaml => print(&output::yaml(&out)?),
        OutputFormat::Table | OutputFormat::Wide => {
            let mut rows = vec![vec!["KIND".to_string(), "NAME".into(), "NAMESPACE".into(), "VIA".into()]];
            rows.extend(out.iter().map(|h| vec![h.kind.to_string(), h.name.to_string(), h.namespace.to_string(), h.via.to_string()]));
            print(&crate::table::tabwrite(&rows));
        }
    }
    Ok(EXIT_YES)
}
