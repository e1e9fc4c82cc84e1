//! Deliberately injected bugs, compiled only with the `mutants` feature, so that the
//! conformance harness can prove it catches them (`conformance/selftest.sh`).
//!
//! `KAUTHZ_MUTANT=<name>` selects one bug for the whole process; unset or empty means
//! none. The variable is read once. Default builds contain none of this code.

use std::sync::OnceLock;

/// One deliberate bug.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutant {
    /// The graph populator skips init containers' secret and configmap references.
    IgnoreInitContainers,
    /// RBAC treats every rule's `resourceNames` as empty (matches any name).
    RbacIgnoreResourceNames,
    /// The chain does not prefix NoOpinion reasons with the authorizer's name.
    NoReasonPrefix,
    /// NodeRestriction lets a node change its own taints.
    NodeRestrictionAllowTaints,
    /// `can-i --list -o json` puts each rule's source into the rule (not a valid
    /// SelfSubjectRulesReview field).
    ListJsonRuleSource,
    /// `who-can` drops every Group holder.
    WhoCanSkipGroups,
    /// `who-can` lists binding subjects of any kind (`user`, `Node`, …), not only the
    /// kinds upstream's RBAC matches.
    WhoCanAnySubjectKind,
    /// `can-i --list` resolves no Node authorizer rows.
    ListDropNodeRows,
    /// Go's `%q` quoting treats every non-ASCII character as printable (the old
    /// approximation's failure mode: no Unicode tables).
    QuoteAllNonAsciiPrintable,
    /// SubjectAccessReview validation skips the selector requirements.
    SkipSelectorValidation,
    /// Webhook `matchConditions` are ignored: every request is sent to the webhook, so
    /// answers upstream decides without a call come back undetermined.
    MatchConditionsIgnore,
    /// The 422 for an invalid SubjectAccessReview names the kind (`SubjectAccessReview.authorization.k8s.io`)
    /// instead of the empty kind the apiserver's decoder leaves.
    InvalidStatusNamesKind,
    /// An AuthorizationConfiguration is decoded leniently: unknown and duplicate fields,
    /// which upstream's strict decoder refuses, are accepted.
    AuthzConfigNotStrict,
}

impl Mutant {
    /// Every mutant, for `selftest.sh` and error messages.
    pub const ALL: [Mutant; 13] = [
        Mutant::IgnoreInitContainers,
        Mutant::RbacIgnoreResourceNames,
        Mutant::NoReasonPrefix,
        Mutant::NodeRestrictionAllowTaints,
        Mutant::ListJsonRuleSource,
        Mutant::WhoCanSkipGroups,
        Mutant::WhoCanAnySubjectKind,
        Mutant::ListDropNodeRows,
        Mutant::QuoteAllNonAsciiPrintable,
        Mutant::SkipSelectorValidation,
        Mutant::MatchConditionsIgnore,
        Mutant::InvalidStatusNamesKind,
        Mutant::AuthzConfigNotStrict,
    ];

    /// The `KAUTHZ_MUTANT` value selecting this mutant.
    pub fn name(self) -> &'static str {
        match self {
            Mutant::IgnoreInitContainers => "ignore-init-containers",
            Mutant::RbacIgnoreResourceNames => "rbac-ignore-resource-names",
            Mutant::NoReasonPrefix => "no-reason-prefix",
            Mutant::NodeRestrictionAllowTaints => "noderestriction-allow-taints",
            Mutant::ListJsonRuleSource => "list-json-rule-source",
            Mutant::WhoCanSkipGroups => "who-can-skip-groups",
            Mutant::WhoCanAnySubjectKind => "who-can-any-subject-kind",
            Mutant::ListDropNodeRows => "list-drop-node-rows",
            Mutant::QuoteAllNonAsciiPrintable => "quote-all-non-ascii-printable",
            Mutant::SkipSelectorValidation => "skip-selector-validation",
            Mutant::MatchConditionsIgnore => "matchconditions-ignore",
            Mutant::InvalidStatusNamesKind => "invalid-status-names-kind",
            Mutant::AuthzConfigNotStrict => "authzconfig-not-strict",
        }
    }
}

/// The mutant selected by `KAUTHZ_MUTANT`. Panics on an unknown name, so a typo cannot
/// pass for a mutant the harness failed to catch.
pub fn selected() -> Option<Mutant> {
    static SELECTED: OnceLock<Option<Mutant>> = OnceLock::new();
    *SELECTED.get_or_init(|| {
        let v = std::env::var("KAUTHZ_MUTANT").unwrap_or_default();
        if v.is_empty() {
            return None;
        }
        match Mutant::ALL.into_iter().find(|m| m.name() == v) {
            Some(m) => Some(m),
            None => {
                let known: Vec<&str> = Mutant::ALL.iter().map(|m| m.name()).collect();
                panic!("KAUTHZ_MUTANT={v:?} is not a known mutant (known: {})", known.join(", "))
            }
        }
    })
}

/// Whether `m` is the selected mutant.
pub fn active(m: Mutant) -> bool {
    selected() == Some(m)
}
