//! Tables as kubectl prints them: Go's `text/tabwriter` with kubectl's settings
//! (`printers.GetNewTabWriter`: minimum width 6, padding 3, spaces), through the `tabwriter`
//! crate, a port of Go's.

use std::io::Write;

use kauthz_core::analysis::list::{Row, go_list};
use kauthz_core::model::PolicyRule;
use tabwriter::TabWriter;

/// Go's tabwriter pads a cell to `max(minwidth, width + padding)`; the crate pads to
/// `max(minwidth, width) + padding`, so kubectl's minimum of 6 is 6 - 3 here.
const MIN_WIDTH: usize = 3;
const PADDING: usize = 3;

/// Aligns tab-separated cells in columns as kubectl does. One difference from Go: a cell's
/// width is counted in terminal columns (East Asian wide characters count 2, zero-width
/// ones 0), where Go counts runes; tables of ASCII and other single-width text are
/// byte-identical to kubectl's.
pub fn tabwrite(rows: &[Vec<String>]) -> String {
    let mut tw = TabWriter::new(Vec::new()).minwidth(MIN_WIDTH).padding(PADDING);
    for row in rows {
        // Cells end with a tab except the last, which Go's tabwriter leaves unaligned.
        let line = row.join("\t");
        // Writing into a Vec cannot fail.
        let _ = writeln!(tw, "{line}");
    }
    let bytes = tw.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// kubectl's `describe.CombineResourceGroup`: `resource.group/subresource`.
pub fn combine_resource_group(rule: &PolicyRule) -> String {
    let Some(first) = rule.resources.first() else { return String::new() };
    let (res, sub) = match first.split_once('/') {
        Some((r, s)) => (r, Some(s)),
        None => (first.as_str(), None),
    };
    let mut out = res.to_string();
    if let Some(g) = rule.api_groups.first().filter(|g| !g.is_empty()) {
        out.push('.');
        out.push_str(g);
    }
    if let Some(s) = sub {
        out.push('/');
        out.push_str(s);
    }
    out
}

/// The table `kubectl auth can-i --list` prints, optionally with a trailing Source column.
pub fn rules_table(rows: &[Row], headers: bool, with_source: bool) -> String {
    let mut table: Vec<Vec<String>> = Vec::new();
    if headers {
        let mut h: Vec<String> = ["Resources", "Non-Resource URLs", "Resource Names", "Verbs"].map(String::from).into();
        if with_source {
            h.push("Source".into());
        }
        table.push(h);
    }
    for r in rows {
        let mut cells = vec![
            combine_resource_group(&r.rule),
            go_list(&r.rule.non_resource_urls),
            go_list(&r.rule.resource_names),
            go_list(&r.rule.verbs),
        ];
        if with_source {
            cells.push(r.sources.join(", "));
        }
        table.push(cells);
    }
    tabwrite(&table)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(verbs: &[&str], groups: &[&str], resources: &[&str], names: &[&str], urls: &[&str]) -> PolicyRule {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect();
        PolicyRule { verbs: s(verbs), api_groups: s(groups), resources: s(resources), resource_names: s(names), non_resource_urls: s(urls) }
    }

    fn row(r: PolicyRule) -> Row {
        Row { rule: r, sources: vec!["a".into()] }
    }

    #[test]
    fn kubectl_rules_table() {
        let rows = [
            row(rule(&["get", "list", "create"], &[""], &["secrets"], &[], &[])),
            row(rule(&["get", "update"], &["coordination.k8s.io"], &["leases"], &["x"], &[])),
            row(rule(&["get"], &[], &[], &[], &["/api/*"])),
        ];
        let expected = "\
Resources                    Non-Resource URLs   Resource Names   Verbs
secrets                      []                  []               [get list create]
leases.coordination.k8s.io   []                  [x]              [get update]
                             [/api/*]            []               [get]
";
        assert_eq!(rules_table(&rows, true, false), expected);
    }

    #[test]
    fn narrow_columns_get_kubectls_minimum_width() {
        // Go: max(6, width + 3); a one-letter column is 6 wide, a four-letter one 7.
        let rows = vec![vec!["a".to_string(), "b".into()], vec!["abcd".into(), "c".into()]];
        assert_eq!(tabwrite(&rows), "a      b\nabcd   c\n");
        let rows = vec![vec!["ab".to_string(), "x".into()]];
        assert_eq!(tabwrite(&rows), "ab    x\n");
    }

    #[test]
    fn columns_align_per_block_as_go_does() {
        // A line with fewer cells ends the column block, as in Go's tabwriter.
        let rows = vec![vec!["long-name".to_string(), "x".into()], vec!["only".into()], vec!["a".into(), "y".into()]];
        assert_eq!(tabwrite(&rows), "long-name   x\nonly\na     y\n");
    }

    #[test]
    fn resource_group_column() {
        assert_eq!(
            combine_resource_group(&rule(&[], &["certificates.k8s.io"], &["certificatesigningrequests/selfnodeclient"], &[], &[])),
            "certificatesigningrequests.certificates.k8s.io/selfnodeclient"
        );
        assert_eq!(combine_resource_group(&rule(&[], &["*"], &["*"], &[], &[])), "*.*");
        assert_eq!(combine_resource_group(&rule(&[], &[""], &["pods"], &[], &[])), "pods");
    }
}
