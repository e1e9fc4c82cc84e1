//! Deliberately injected bugs, compiled only with the `mutants` feature, so that the
//! conformance harness can prove it catches them (`conformance/selftest.sh`).
//!
//! `KAUTHZ_MUTANT=<name>` selects one bug for the whole process; unset or empty means
//! none. The variable is read once. Default builds contain none of this code.

use std::sync::OnceLock;

/// Declares the mutants once: each variant with its doc and its `KAUTHZ_MUTANT` name.
macro_rules! mutants {
    ($($(#[doc = $doc:literal])* $variant:ident => $name:literal,)*) => {
        /// One deliberate bug.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Mutant {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Mutant {
            /// Every mutant, for `selftest.sh` and error messages.
            pub const ALL: &[Mutant] = &[$(Mutant::$variant,)*];

            /// The `KAUTHZ_MUTANT` value selecting this mutant.
            pub fn name(self) -> &'static str {
                match self {
                    $(Mutant::$variant => $name,)*
                }
            }
        }
    };
}

// `conformance/selftest.sh` reads the names from the lines below (`Variant => "name",`).
mutants! {
    /// The graph populator skips init containers' secret and configmap references.
    IgnoreInitContainers => "ignore-init-containers",
    /// RBAC treats every rule's `resourceNames` as empty (matches any name).
    RbacIgnoreResourceNames => "rbac-ignore-resource-names",
    /// The chain does not prefix NoOpinion reasons with the authorizer's name.
    NoReasonPrefix => "no-reason-prefix",
    /// NodeRestriction lets a node change its own taints.
    NodeRestrictionAllowTaints => "noderestriction-allow-taints",
    /// `can-i --list -o json` puts each rule's source into the rule (not a valid
    /// SelfSubjectRulesReview field).
    ListJsonRuleSource => "list-json-rule-source",
    /// `who-can` drops every Group holder.
    WhoCanSkipGroups => "who-can-skip-groups",
    /// `who-can` lists binding subjects of any kind (`user`, `Node`, …), not only the
    /// kinds upstream's RBAC matches.
    WhoCanAnySubjectKind => "who-can-any-subject-kind",
    /// `can-i --list` resolves no Node authorizer rows.
    ListDropNodeRows => "list-drop-node-rows",
    /// Go's `%q` quoting treats every non-ASCII character as printable (the old
    /// approximation's failure mode: no Unicode tables).
    QuoteAllNonAsciiPrintable => "quote-all-non-ascii-printable",
    /// SubjectAccessReview validation skips the selector requirements.
    SkipSelectorValidation => "skip-selector-validation",
    /// Webhook `matchConditions` are ignored: every request is sent to the webhook, so
    /// answers upstream decides without a call come back undetermined.
    MatchConditionsIgnore => "matchconditions-ignore",
    /// The 422 for an invalid SubjectAccessReview names the kind (`SubjectAccessReview.authorization.k8s.io`)
    /// instead of the empty kind the apiserver's decoder leaves.
    InvalidStatusNamesKind => "invalid-status-names-kind",
    /// An AuthorizationConfiguration is decoded leniently: unknown and duplicate fields,
    /// which upstream's strict decoder refuses, are accepted.
    AuthzConfigNotStrict => "authzconfig-not-strict",
    /// A YAML AuthorizationConfiguration's quoted keys are resolved as YAML 1.1 like plain
    /// ones (`"y"` read as `true`), as a serde value that forgets scalar styles would.
    AuthzConfigResolveQuotedKeys => "authzconfig-resolve-quoted-keys",
    /// Every text the UUID parser accepts is packed as a UUID (uppercase, braced, unhyphenated),
    /// so a uid written in another form compares equal to the apiserver's canonical one.
    UidPackAnyUuidForm => "uid-pack-any-uuid-form",
    /// A volume is stored as its first inline source even when it sets others too (they
    /// are lost).
    VolumeKeepFirstSource => "volume-keep-first-source",
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
        match Mutant::ALL.iter().copied().find(|m| m.name() == v) {
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
