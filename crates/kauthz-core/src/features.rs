//! The feature gates kauthz's authorizers and admission plugin consult, with their
//! Kubernetes v1.37.2 defaults, set from kube-apiserver's `--feature-gates` syntax.

use crate::node::NodeAuthorizerConfig;

/// Declares every gate once: field, upstream name, v1.37.2 default, and whether it is locked
/// to its default.
macro_rules! gates {
    ($($(#[$doc:meta])* $field:ident = $name:literal, default $default:literal $(, $locked:ident)?;)*) => {
        /// Feature gates (v1.37.2 defaults via `Default`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct FeatureGates {
            $($(#[$doc])* pub $field: bool,)*
        }

        impl Default for FeatureGates {
            fn default() -> Self {
                FeatureGates { $($field: $default,)* }
            }
        }

        impl FeatureGates {
            /// Every gate kauthz consults: name, default, locked to its default.
            pub const KNOWN: &'static [(&'static str, bool, bool)] = &[$(($name, $default, gates!(@locked $($locked)?)),)*];

            fn slot(&mut self, name: &str) -> Option<&mut bool> {
                match name {
                    $($name => Some(&mut self.$field),)*
                    _ => None,
                }
            }
        }
    };
    (@locked locked) => { true };
    (@locked) => { false };
}

gates! {
    /// `AllowInsecureKubeletCertificateSigningRequests` (deprecated, off): when on,
    /// NodeRestriction skips its CSR checks.
    allow_insecure_kubelet_certificate_signing_requests = "AllowInsecureKubeletCertificateSigningRequests", default false;
    /// `ClusterTrustBundle` (GA, on).
    cluster_trust_bundle = "ClusterTrustBundle", default true;
    /// `CSIVolumeHealth` (alpha, off).
    csi_volume_health = "CSIVolumeHealth", default false;
    /// `DynamicResourceAllocation` (GA, locked on).
    dynamic_resource_allocation = "DynamicResourceAllocation", default true, locked;
    /// `KubeletServiceAccountTokenForCredentialProviders` (beta, on).
    kubelet_service_account_token_for_credential_providers = "KubeletServiceAccountTokenForCredentialProviders", default true;
    /// `PodCertificateRequest` (GA, on).
    pod_certificate_request = "PodCertificateRequest", default true;
    /// `RecoverVolumeExpansionFailure` (GA, locked on).
    recover_volume_expansion_failure = "RecoverVolumeExpansionFailure", default true, locked;
    /// `ServiceAccountNodeAudienceRestriction` (beta, on).
    service_account_node_audience_restriction = "ServiceAccountNodeAudienceRestriction", default true;
}

/// A `--feature-gates` value kube-apiserver would refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeatureGateError {
    /// `Name` without `=value`.
    #[error("missing bool value for {0}")]
    MissingValue(String),
    /// A value that is not a Go bool.
    #[error("invalid value of {name}={value}, err: strconv.ParseBool: parsing {value:?}: invalid syntax")]
    InvalidValue {
        /// The gate.
        name: String,
        /// The value given.
        value: String,
    },
    /// A gate locked to its default set to the other value.
    #[error("cannot set feature gate {name} to {value}, feature is locked to {locked}")]
    Locked {
        /// The gate.
        name: String,
        /// The value asked for.
        value: bool,
        /// The locked value.
        locked: bool,
    },
}

impl FeatureGates {
    /// Applies `Name=bool,Name=bool` on top of the current values. Gates kauthz does not
    /// consult are accepted and ignored (they change nothing kauthz evaluates).
    pub fn set_from_flag(&mut self, flag: &str) -> Result<(), FeatureGateError> {
        for part in flag.split(',') {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let Some((name, value)) = part.split_once('=') else {
                return Err(FeatureGateError::MissingValue(part.to_string()));
            };
            let (name, value) = (name.trim(), value.trim());
            let enabled =
                parse_go_bool(value).ok_or_else(|| FeatureGateError::InvalidValue { name: name.to_string(), value: value.to_string() })?;
            if let Some(&(_, default, true)) = Self::KNOWN.iter().find(|(n, _, _)| *n == name)
                && enabled != default
            {
                return Err(FeatureGateError::Locked { name: name.to_string(), value: enabled, locked: default });
            }
            if let Some(slot) = self.slot(name) {
                *slot = enabled;
            }
        }
        Ok(())
    }

    /// Defaults with `flag` applied.
    pub fn from_flag(flag: &str) -> Result<FeatureGates, FeatureGateError> {
        let mut gates = FeatureGates::default();
        gates.set_from_flag(flag)?;
        Ok(gates)
    }

    /// The Node authorizer's view of these gates.
    pub fn node_authorizer(&self) -> NodeAuthorizerConfig {
        NodeAuthorizerConfig {
            kubelet_service_account_token_for_credential_providers: self.kubelet_service_account_token_for_credential_providers,
            pod_certificate_request: self.pod_certificate_request,
            csi_volume_health: self.csi_volume_health,
            dynamic_resource_allocation: self.dynamic_resource_allocation,
            cluster_trust_bundle: self.cluster_trust_bundle,
        }
    }
}

/// Go's `strconv.ParseBool`.
fn parse_go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_flags() {
        let d = FeatureGates::default();
        assert!(d.service_account_node_audience_restriction && !d.csi_volume_health);
        assert_eq!(d.node_authorizer(), NodeAuthorizerConfig::default());
        let g = FeatureGates::from_flag("CSIVolumeHealth=true, ServiceAccountNodeAudienceRestriction=False,SomethingElse=true").unwrap();
        assert!(g.csi_volume_health && !g.service_account_node_audience_restriction);
        assert_eq!(FeatureGates::from_flag("").unwrap(), d);
    }

    #[test]
    fn refusals() {
        assert_eq!(FeatureGates::from_flag("CSIVolumeHealth").unwrap_err().to_string(), "missing bool value for CSIVolumeHealth");
        assert_eq!(
            FeatureGates::from_flag("CSIVolumeHealth=yes").unwrap_err().to_string(),
            "invalid value of CSIVolumeHealth=yes, err: strconv.ParseBool: parsing \"yes\": invalid syntax"
        );
        assert_eq!(
            FeatureGates::from_flag("DynamicResourceAllocation=false").unwrap_err().to_string(),
            "cannot set feature gate DynamicResourceAllocation to false, feature is locked to true"
        );
        assert!(FeatureGates::from_flag("DynamicResourceAllocation=true").is_ok());
    }
}
