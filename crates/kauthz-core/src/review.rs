//! `authorization.k8s.io/v1` SubjectAccessReview: the machine interface for questions and
//! answers, converted and validated the way kube-apiserver's SAR endpoint does it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::authz::{Attributes, Decision, Selector, UserInfo};
use crate::chain::ChainResult;
use crate::selector;

/// A SubjectAccessReview as read and written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubjectAccessReview {
    /// `authorization.k8s.io/v1`.
    #[serde(default)]
    pub api_version: String,
    /// `SubjectAccessReview`.
    #[serde(default)]
    pub kind: String,
    /// Metadata, kept as given (upstream requires it empty).
    #[serde(default, skip_serializing_if = "is_empty_object")]
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// The question.
    #[serde(default)]
    pub spec: SarSpec,
    /// The answer.
    #[serde(default)]
    pub status: SarStatus,
}

fn is_empty_object(m: &serde_json::Map<String, serde_json::Value>) -> bool {
    m.is_empty()
}

/// `spec`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SarSpec {
    /// Resource request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_attributes: Option<ResourceAttributes>,
    /// Non-resource request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub non_resource_attributes: Option<NonResourceAttributes>,
    /// User name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub user: String,
    /// Groups (`group` in v1beta1, which is accepted too).
    #[serde(skip_serializing_if = "Vec::is_empty", alias = "group")]
    pub groups: Vec<String>,
    /// Extra.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, Vec<String>>,
    /// Uid.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub uid: String,
}

/// `spec.resourceAttributes`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ResourceAttributes {
    /// Namespace.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Verb.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub verb: String,
    /// API group.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub group: String,
    /// API version.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub version: String,
    /// Resource.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub resource: String,
    /// Subresource.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub subresource: String,
    /// Name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Field selector.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_selector: Option<SelectorAttributes>,
    /// Label selector.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_selector: Option<SelectorAttributes>,
}

/// Field or label selector attributes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SelectorAttributes {
    /// Raw selector string.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub raw_selector: String,
    /// Structured requirements.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requirements: Vec<SelectorRequirement>,
}

/// One structured selector requirement.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SelectorRequirement {
    /// Key.
    pub key: String,
    /// Operator.
    pub operator: String,
    /// Values.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

/// `spec.nonResourceAttributes`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NonResourceAttributes {
    /// Path.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub path: String,
    /// Verb.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub verb: String,
}

/// `status`, in upstream's field order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SarStatus {
    /// Decision was Allow.
    pub allowed: bool,
    /// Decision was Deny.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub denied: bool,
    /// Reason.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// Evaluation error.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub evaluation_error: String,
}

/// A `meta.k8s.io/v1` Status failure, as the apiserver answers an invalid request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusFailure {
    /// `Status`.
    pub kind: String,
    /// `v1`.
    pub api_version: String,
    /// Always empty (`metadata: {}`), as the apiserver writes it.
    #[serde(default)]
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// `Failure`.
    pub status: String,
    /// Human-readable message.
    pub message: String,
    /// Machine reason, e.g. `Invalid`.
    pub reason: String,
    /// Details (group and field causes) of an Invalid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<StatusDetails>,
    /// HTTP code.
    pub code: u16,
}

/// `meta.k8s.io/v1` StatusDetails, as `apierrors.NewInvalid` fills them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusDetails {
    /// API group of the rejected kind.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub group: String,
    /// One cause per field error.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub causes: Vec<StatusCause>,
}

/// `meta.k8s.io/v1` StatusCause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCause {
    /// `FieldValueInvalid`, `FieldValueRequired`, ...
    pub reason: String,
    /// The field error without its field (`ErrorBody`).
    pub message: String,
    /// The field path.
    pub field: String,
}

/// The kind of one field validation error (apimachinery's `field.ErrorType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldErrorType {
    /// `Invalid value`.
    Invalid,
    /// `Required value`.
    Required,
    /// `Forbidden`.
    Forbidden,
}

/// One field validation error (apimachinery's `field.Error`): the field, its type, the
/// bad value already rendered as upstream prints it (Go `%q` for strings, JSON for
/// structs), and the detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Field path, e.g. `spec.user`.
    pub field: String,
    /// Error type.
    pub kind: FieldErrorType,
    /// Rendered bad value (Invalid only).
    pub value: String,
    /// Detail text.
    pub detail: String,
}

impl FieldError {
    fn invalid(field: impl Into<String>, value: String, detail: impl Into<String>) -> Self {
        FieldError { field: field.into(), kind: FieldErrorType::Invalid, value, detail: detail.into() }
    }
    fn required(field: impl Into<String>, detail: impl Into<String>) -> Self {
        FieldError { field: field.into(), kind: FieldErrorType::Required, value: String::new(), detail: detail.into() }
    }
    fn forbidden(field: impl Into<String>, detail: impl Into<String>) -> Self {
        FieldError { field: field.into(), kind: FieldErrorType::Forbidden, value: String::new(), detail: detail.into() }
    }

    /// Upstream `ErrorBody`: the message without the field.
    pub fn body(&self) -> String {
        let head = match self.kind {
            FieldErrorType::Invalid => format!("Invalid value: {}", self.value),
            FieldErrorType::Required => "Required value".into(),
            FieldErrorType::Forbidden => "Forbidden".into(),
        };
        if self.detail.is_empty() { head } else { format!("{head}: {}", self.detail) }
    }

    /// The status cause reason (`FieldValueInvalid`, ...).
    pub fn cause_reason(&self) -> &'static str {
        match self.kind {
            FieldErrorType::Invalid => "FieldValueInvalid",
            FieldErrorType::Required => "FieldValueRequired",
            FieldErrorType::Forbidden => "FieldValueForbidden",
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.body())
    }
}

impl StatusFailure {
    /// The 422 Invalid kube-apiserver writes for a SubjectAccessReview with these field
    /// errors: `apierrors.NewInvalid` of the kind the decoder left (empty: the internal
    /// object's type meta is cleared), the aggregate message (identical messages once,
    /// `[a, b]` for several), one cause per error, and `metadata: {}`.
    pub fn invalid(errors: &[FieldError]) -> Self {
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        let detail = crate::authz::aggregate_errors(&messages);
        #[cfg(feature = "mutants")]
        let kind = if crate::mutants::active(crate::mutants::Mutant::InvalidStatusNamesKind) { "SubjectAccessReview" } else { "" };
        #[cfg(not(feature = "mutants"))]
        let kind = "";
        StatusFailure {
            kind: "Status".into(),
            api_version: "v1".into(),
            metadata: serde_json::Map::new(),
            status: "Failure".into(),
            message: format!("{kind}.authorization.k8s.io \"\" is invalid: {detail}"),
            reason: "Invalid".into(),
            details: Some(StatusDetails {
                group: "authorization.k8s.io".into(),
                causes: errors
                    .iter()
                    .map(|e| StatusCause { reason: e.cause_reason().into(), message: e.body(), field: e.field.clone() })
                    .collect(),
            }),
            code: 422,
        }
    }

    /// A 400 BadRequest (undecodable input, or a request a handler refuses).
    pub fn bad_request(message: String) -> Self {
        StatusFailure {
            kind: "Status".into(),
            api_version: "v1".into(),
            metadata: serde_json::Map::new(),
            status: "Failure".into(),
            message,
            reason: "BadRequest".into(),
            details: None,
            code: 400,
        }
    }
}

impl SubjectAccessReview {
    /// A SubjectAccessReview asking the question `attrs` describes (selectors as
    /// structured requirements).
    pub fn from_attributes(a: &Attributes) -> Self {
        use selector::Operator as Op;
        let op = |o: Op| match o {
            Op::Equals | Op::In => Some("In"),
            Op::NotEquals | Op::NotIn => Some("NotIn"),
            Op::Exists => Some("Exists"),
            Op::DoesNotExist => Some("DoesNotExist"),
            Op::GreaterThan | Op::LessThan => None,
        };
        let field = (!a.field_selector.requirements.is_empty()).then(|| SelectorAttributes {
            raw_selector: String::new(),
            requirements: a
                .field_selector
                .requirements
                .iter()
                .filter_map(|r| {
                    Some(SelectorRequirement { key: r.field.clone(), operator: op(r.operator)?.into(), values: vec![r.value.clone()] })
                })
                .collect(),
        });
        let label = (!a.label_selector.requirements.is_empty()).then(|| SelectorAttributes {
            raw_selector: String::new(),
            requirements: a
                .label_selector
                .requirements
                .iter()
                .filter_map(|r| {
                    Some(SelectorRequirement { key: r.key.clone(), operator: op(r.operator)?.into(), values: r.values.clone() })
                })
                .collect(),
        });
        let spec = SarSpec {
            resource_attributes: a.resource_request.then(|| ResourceAttributes {
                namespace: a.namespace.clone(),
                verb: a.verb.clone(),
                group: a.api_group.clone(),
                version: if a.api_version == "*" { String::new() } else { a.api_version.clone() },
                resource: a.resource.clone(),
                subresource: a.subresource.clone(),
                name: a.name.clone(),
                field_selector: field,
                label_selector: label,
            }),
            non_resource_attributes: (!a.resource_request).then(|| NonResourceAttributes { path: a.path.clone(), verb: a.verb.clone() }),
            user: a.user.name.clone(),
            groups: a.user.groups.clone(),
            extra: a.user.extra.clone(),
            uid: a.user.uid.clone(),
        };
        SubjectAccessReview {
            api_version: "authorization.k8s.io/v1".into(),
            kind: "SubjectAccessReview".into(),
            metadata: Default::default(),
            spec,
            status: SarStatus::default(),
        }
    }

    /// Upstream's create-time validation (`ValidateSubjectAccessReview`); each entry is one
    /// field error, in upstream's order.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let s = &self.spec;
        if s.resource_attributes.is_some() == s.non_resource_attributes.is_some() {
            // Upstream reports the internal NonResourceAttributes struct (no JSON tags).
            let v = match &s.non_resource_attributes {
                Some(n) => format!("{{\"Path\":{},\"Verb\":{}}}", crate::gostr::json_string(&n.path), crate::gostr::json_string(&n.verb)),
                None => "null".into(),
            };
            errs.push(FieldError::invalid("spec", v, "exactly one of nonResourceAttributes or resourceAttributes must be specified"));
        }
        if s.user.is_empty() && s.groups.is_empty() {
            errs.push(FieldError::invalid("spec.user", "\"\"".into(), "at least one of user or group must be specified"));
        }
        if let Some(ra) = &s.resource_attributes {
            validate_selector(&ra.field_selector, "spec.resourceAttributes.fieldSelector", false, &mut errs);
            validate_selector(&ra.label_selector, "spec.resourceAttributes.labelSelector", true, &mut errs);
        }
        if object_meta_fields(&self.metadata).any(|(k, _)| k != "managedFields") {
            errs.push(FieldError::invalid("metadata", object_meta_json(&self.metadata), "must be empty"));
        }
        errs
    }

    /// Upstream `AuthorizationAttributesFrom`.
    pub fn attributes(&self) -> Attributes {
        let s = &self.spec;
        let user = UserInfo { name: s.user.clone(), uid: s.uid.clone(), groups: s.groups.clone(), extra: s.extra.clone() };
        match (&s.resource_attributes, &s.non_resource_attributes) {
            (Some(ra), _) => Attributes {
                user,
                verb: ra.verb.clone(),
                namespace: ra.namespace.clone(),
                api_group: ra.group.clone(),
                api_version: if ra.version.is_empty() { "*".into() } else { ra.version.clone() },
                resource: ra.resource.clone(),
                subresource: ra.subresource.clone(),
                name: ra.name.clone(),
                resource_request: true,
                path: String::new(),
                field_selector: field_selector(ra.field_selector.as_ref()),
                label_selector: label_selector(ra.label_selector.as_ref()),
            },
            (None, Some(nra)) => Attributes::non_resource(user, &nra.verb, &nra.path),
            (None, None) => Attributes { user, ..Attributes::default() },
        }
    }

    /// Fills `status` from a chain result, as the SAR REST handler does; an undetermined
    /// (webhook) answer is reported as not allowed with an evaluation error.
    pub fn answer(&mut self, attrs: &Attributes, result: &ChainResult) {
        let mut errors: Vec<String> = Vec::new();
        let (allowed, denied, reason) = match &result.verdict {
            Some(v) => {
                if let Some(e) = &v.error {
                    errors.push(e.clone());
                }
                (v.decision == Decision::Allow, v.decision == Decision::Deny, v.reason.clone())
            }
            None => {
                errors.extend(result.incomplete_message());
                (false, false, String::new())
            }
        };
        if attrs.field_selector.error.is_some() {
            errors.push(if attrs.field_selector.requirements.is_empty() {
                "spec.resourceAttributes.fieldSelector ignored due to parse error".into()
            } else {
                "spec.resourceAttributes.fieldSelector partially ignored due to parse error".into()
            });
        }
        if attrs.label_selector.error.is_some() {
            errors.push(if attrs.label_selector.requirements.is_empty() {
                "spec.resourceAttributes.labelSelector ignored due to parse error".into()
            } else {
                "spec.resourceAttributes.labelSelector partially ignored due to parse error".into()
            });
        }
        self.status = SarStatus { allowed, denied, reason, evaluation_error: errors.join("; ") };
    }
}

fn validate_selector(sel: &Option<SelectorAttributes>, path: &str, label: bool, errs: &mut Vec<FieldError>) {
    let Some(sel) = sel else { return };
    #[cfg(feature = "mutants")]
    if crate::mutants::active(crate::mutants::Mutant::SkipSelectorValidation) {
        return;
    }
    if !sel.raw_selector.is_empty() && !sel.requirements.is_empty() {
        errs.push(FieldError::invalid(
            format!("{path}.rawSelector"),
            crate::gostr::quote(&sel.raw_selector),
            "may not specified at the same time as requirements",
        ));
    }
    if sel.raw_selector.is_empty() && sel.requirements.is_empty() {
        errs.push(FieldError::required(
            format!("{path}.requirements"),
            format!("when {path} is specified, requirements or rawSelector is required"),
        ));
    }
    for (i, r) in sel.requirements.iter().enumerate() {
        let at = format!("{path}.requirements[{i}]");
        // Field requirements (ValidateFieldSelectorRequirement): the key must be present,
        // checked before the operator; values are free.
        if !label && r.key.is_empty() {
            errs.push(FieldError::required(format!("{at}.key"), "must be specified"));
        }
        match r.operator.as_str() {
            "In" | "NotIn" if r.values.is_empty() => {
                errs.push(FieldError::required(format!("{at}.values"), "must be specified when `operator` is 'In' or 'NotIn'"))
            }
            "Exists" | "DoesNotExist" if !r.values.is_empty() => errs
                .push(FieldError::forbidden(format!("{at}.values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'")),
            _ => {}
        }
        if !label {
            continue;
        }
        // Label requirements (ValidateLabelSelectorRequirement): after the operator, the
        // key is a qualified name and every value a label value, each message its own error.
        for msg in selector::qualified_name_errors(&r.key) {
            errs.push(FieldError::invalid(format!("{at}.key"), crate::gostr::quote(&r.key), msg));
        }
        for (j, v) in r.values.iter().enumerate() {
            for msg in selector::label_value_errors(v) {
                errs.push(FieldError::invalid(format!("{at}.values[{j}]"), crate::gostr::quote(v), msg));
            }
        }
    }
}

/// `json.Marshal` of the `metav1.ObjectMeta` the metadata decodes to: its fields in Go's
/// declaration order, empty ones left out (every field is `omitempty`/`omitzero`),
/// unknown ones dropped (the decoder drops them).
/// `json.Marshal` of the `metav1.ObjectMeta` the metadata decodes to: its fields in Go's
/// declaration order, empty ones left out (every field is `omitempty`/`omitzero`),
/// unknown ones dropped (the decoder drops them). Nested objects keep their given key
/// order (generated requests carry no owner references or managed fields).
fn object_meta_json(meta: &serde_json::Map<String, serde_json::Value>) -> String {
    let fields: Vec<String> =
        object_meta_fields(meta).map(|(k, v)| format!("{}:{}", crate::gostr::json_string(k), crate::gostr::json_value(v))).collect();
    format!("{{{}}}", fields.join(","))
}

/// The non-empty `metav1.ObjectMeta` fields of `meta`, in Go's declaration order (empty
/// and nil are alike, as for `apiequality.Semantic`).
fn object_meta_fields(meta: &serde_json::Map<String, serde_json::Value>) -> impl Iterator<Item = (&'static str, &serde_json::Value)> {
    const ORDER: [&str; 15] = [
        "name",
        "generateName",
        "namespace",
        "selfLink",
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "labels",
        "annotations",
        "ownerReferences",
        "finalizers",
        "managedFields",
    ];
    ORDER.into_iter().filter_map(|k| {
        let v = meta.get(k)?;
        let empty = match v {
            serde_json::Value::Null => true,
            serde_json::Value::String(s) => s.is_empty(),
            serde_json::Value::Number(n) => n.as_f64() == Some(0.0),
            serde_json::Value::Array(a) => a.is_empty(),
            serde_json::Value::Object(o) => o.is_empty(),
            serde_json::Value::Bool(b) => !b,
        };
        (!empty).then_some((k, v))
    })
}

fn as_tuples(reqs: &[SelectorRequirement]) -> Vec<(String, String, Vec<String>)> {
    reqs.iter().map(|r| (r.key.clone(), r.operator.clone(), r.values.clone())).collect()
}

fn field_selector(sel: Option<&SelectorAttributes>) -> Selector<selector::FieldRequirement> {
    let Some(sel) = sel else { return Selector::default() };
    let mut out = Selector::default();
    if !sel.raw_selector.is_empty() {
        out = match selector::parse_field_selector(&sel.raw_selector) {
            Ok(r) => Selector { requirements: r, error: None },
            Err(e) => Selector { requirements: Vec::new(), error: Some(e.message) },
        };
    }
    if !sel.requirements.is_empty() {
        let (r, e) = selector::field_requirements_from_api(&as_tuples(&sel.requirements));
        out = Selector { requirements: r, error: e };
    }
    out
}

fn label_selector(sel: Option<&SelectorAttributes>) -> Selector<selector::LabelRequirement> {
    let Some(sel) = sel else { return Selector::default() };
    let mut out = Selector::default();
    if !sel.raw_selector.is_empty() {
        out = match selector::parse_label_selector(&sel.raw_selector) {
            Ok(r) => Selector { requirements: r, error: None },
            Err(e) => Selector { requirements: Vec::new(), error: Some(e.message) },
        };
    }
    if !sel.requirements.is_empty() {
        let (r, e) = selector::label_requirements_from_api(&as_tuples(&sel.requirements));
        out = Selector { requirements: r, error: e };
    }
    out
}

/// `kauthz.dev/v1alpha1` SubjectRulesReview: SelfSubjectRulesReview for a named user, as
/// SubjectAccessReview is SelfSubjectAccessReview for a named user. Kubernetes has no such
/// kind (its rules review answers only for the requester), so this is kauthz's own; the
/// status is kube-apiserver's SubjectRulesReviewStatus for that user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubjectRulesReview {
    /// `kauthz.dev/v1alpha1`.
    #[serde(default)]
    pub api_version: String,
    /// `SubjectRulesReview`.
    #[serde(default)]
    pub kind: String,
    /// The question.
    #[serde(default)]
    pub spec: RulesReviewSpec,
    /// The answer.
    #[serde(default)]
    pub status: RulesReviewStatus,
}

/// `spec` of a SubjectRulesReview.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RulesReviewSpec {
    /// Namespace whose rules are listed (required, as for SelfSubjectRulesReview).
    pub namespace: String,
    /// User name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub user: String,
    /// Groups.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// Uid.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub uid: String,
    /// Extra.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, Vec<String>>,
}

/// `authorization.k8s.io/v1` SubjectRulesReviewStatus.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RulesReviewStatus {
    /// Resource rules.
    pub resource_rules: Vec<ResourceRule>,
    /// Non-resource rules.
    pub non_resource_rules: Vec<NonResourceRule>,
    /// Whether the list may be missing rules.
    pub incomplete: bool,
    /// Aggregated resolver errors.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub evaluation_error: String,
}

/// One resource rule of a rules review.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ResourceRule {
    /// Verbs.
    pub verbs: Vec<String>,
    /// API groups.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub api_groups: Vec<String>,
    /// Resources.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    /// Resource names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resource_names: Vec<String>,
}

/// One non-resource rule of a rules review.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct NonResourceRule {
    /// Verbs.
    pub verbs: Vec<String>,
    /// URLs.
    #[serde(rename = "nonResourceURLs", skip_serializing_if = "Vec::is_empty")]
    pub non_resource_urls: Vec<String>,
}

impl SubjectRulesReview {
    /// Upstream's validation of a rules review: a namespace is required.
    pub fn validate(&self) -> Vec<String> {
        if self.spec.namespace.is_empty() { vec!["no namespace on request".into()] } else { Vec::new() }
    }

    /// The user the review asks about.
    pub fn user(&self) -> UserInfo {
        let s = &self.spec;
        UserInfo { name: s.user.clone(), uid: s.uid.clone(), groups: s.groups.clone(), extra: s.extra.clone() }
    }

    /// Fills `status` from a rules review, as kube-apiserver's rules-review endpoint does.
    pub fn answer(&mut self, review: &crate::analysis::list::RulesReview) {
        self.status = RulesReviewStatus {
            resource_rules: review
                .resource_rules
                .iter()
                .map(|r| ResourceRule {
                    verbs: r.rule.verbs.clone(),
                    api_groups: r.rule.api_groups.clone(),
                    resources: r.rule.resources.clone(),
                    resource_names: r.rule.resource_names.clone(),
                })
                .collect(),
            non_resource_rules: review
                .non_resource_rules
                .iter()
                .map(|r| NonResourceRule { verbs: r.rule.verbs.clone(), non_resource_urls: r.rule.non_resource_urls.clone() })
                .collect(),
            incomplete: review.incomplete,
            evaluation_error: review.evaluation_error.clone(),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sar(json: &str) -> SubjectAccessReview {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn converts_like_upstream() {
        let s = sar(r#"{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"u","groups":["g"],
            "resourceAttributes":{"verb":"list","resource":"pods","fieldSelector":{"rawSelector":"spec.nodeName=n1"}}}}"#);
        assert!(s.validate().is_empty());
        let a = s.attributes();
        assert_eq!(a.api_version, "*");
        assert!(a.resource_request);
        assert_eq!(a.field_selector.requirements[0].value, "n1");
    }

    #[test]
    fn validation() {
        let s = sar(r#"{"spec":{"resourceAttributes":{},"nonResourceAttributes":{}}}"#);
        assert_eq!(s.validate().len(), 2);
        let s = sar(r#"{"metadata":{"name":"x"},"spec":{"user":"u","nonResourceAttributes":{"path":"/"}}}"#);
        assert_eq!(s.validate().len(), 1);
        let s = sar(r#"{"spec":{"user":"u","resourceAttributes":{"fieldSelector":{}}}}"#);
        assert!(s.validate()[0].to_string().contains("requirements or rawSelector is required"));
    }

    #[test]
    fn invalid_status_like_the_apiserver() {
        // Upstream's answer, as the oracle (the SAR REST storage and ErrorToAPIStatus) writes it.
        let s = sar(
            r#"{"metadata":{"name":"x","labels":{"a":"b"}},"spec":{"nonResourceAttributes":{"path":"/x<&>","verb":"get"},"resourceAttributes":{}}}"#,
        );
        let got = serde_json::to_string(&StatusFailure::invalid(&s.validate())).unwrap();
        let want = r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":".authorization.k8s.io \"\" is invalid: [spec: Invalid value: {\"Path\":\"/x\\u003c\\u0026\\u003e\",\"Verb\":\"get\"}: exactly one of nonResourceAttributes or resourceAttributes must be specified, spec.user: Invalid value: \"\": at least one of user or group must be specified, metadata: Invalid value: {\"name\":\"x\",\"labels\":{\"a\":\"b\"}}: must be empty]","reason":"Invalid","details":{"group":"authorization.k8s.io","causes":[{"reason":"FieldValueInvalid","message":"Invalid value: {\"Path\":\"/x\\u003c\\u0026\\u003e\",\"Verb\":\"get\"}: exactly one of nonResourceAttributes or resourceAttributes must be specified","field":"spec"},{"reason":"FieldValueInvalid","message":"Invalid value: \"\": at least one of user or group must be specified","field":"spec.user"},{"reason":"FieldValueInvalid","message":"Invalid value: {\"name\":\"x\",\"labels\":{\"a\":\"b\"}}: must be empty","field":"metadata"}]},"code":422}"#;
        assert_eq!(got, want);
        assert!(
            sar(r#"{"metadata":{"labels":{},"creationTimestamp":null},"spec":{"user":"u","nonResourceAttributes":{}}}"#)
                .validate()
                .is_empty()
        );
    }

    #[test]
    fn label_requirement_validation_like_upstream() {
        let errors = |reqs: &str| {
            sar(&format!(r#"{{"spec":{{"user":"u","resourceAttributes":{{"labelSelector":{{"requirements":[{reqs}]}}}}}}}}"#)).validate()
        };
        // Keys are qualified names, not selector expressions: "in" and "notin" are valid
        // label names, "!a" and "a b" are not.
        assert!(errors(r#"{"key":"in","operator":"Exists"}"#).is_empty());
        assert!(errors(r#"{"key":"example.com/notin","operator":"Exists"}"#).is_empty());
        assert_eq!(errors(r#"{"key":"!a","operator":"Exists"}"#).len(), 1);
        assert_eq!(errors(r#"{"key":"a b","operator":"Exists"}"#).len(), 1);
        assert_eq!(
            errors(r#"{"key":"/a","operator":"Exists"}"#)[0].to_string(),
            "spec.resourceAttributes.labelSelector.requirements[0].key: Invalid value: \"/a\": prefix part must be non-empty"
        );
        assert_eq!(errors(r#"{"key":"a/b/c","operator":"Exists"}"#).len(), 1);
        // Values are label values; unknown operators are allowed here (they fail later).
        assert_eq!(errors(r#"{"key":"a","operator":"In","values":["ok","not ok","é"]}"#).len(), 2);
        assert!(errors(r#"{"key":"a","operator":"Bogus","values":["x"]}"#).is_empty());
        // Upstream reports every message: values required, then the empty name fails both
        // the emptiness and the pattern check.
        let all: Vec<String> = errors(r#"{"key":"","operator":"In"}"#).iter().map(|e| e.body()).collect();
        assert_eq!(all.len(), 3);
        assert_eq!(all[1], "Invalid value: \"\": name part must be non-empty");
        assert!(all[2].starts_with("Invalid value: \"\": name part must consist of alphanumeric characters"));
        // Field requirements: the key comes before the operator's values.
        let s = sar(
            r#"{"spec":{"user":"u","resourceAttributes":{"fieldSelector":{"requirements":[{"key":"","operator":"Exists","values":["x"]}]}}}}"#,
        );
        let fields: Vec<String> = s.validate().iter().map(|e| e.field.clone()).collect();
        assert_eq!(
            fields,
            ["spec.resourceAttributes.fieldSelector.requirements[0].key", "spec.resourceAttributes.fieldSelector.requirements[0].values"]
        );
        // Field requirements: only a key is required; values are free.
        let s = sar(
            r#"{"spec":{"user":"u","resourceAttributes":{"fieldSelector":{"requirements":[{"key":"!a b","operator":"In","values":["not ok"]}]}}}}"#,
        );
        assert!(s.validate().is_empty());
    }

    #[test]
    fn selector_errors_reported() {
        let s = sar(r#"{"spec":{"user":"u","resourceAttributes":{"verb":"list","resource":"pods",
            "fieldSelector":{"requirements":[{"key":"a","operator":"In","values":["x"]},{"key":"b","operator":"Exists"}]},
            "labelSelector":{"rawSelector":"a in ("}}}}"#);
        let a = s.attributes();
        let mut s2 = s.clone();
        let result = ChainResult { verdict: Some(crate::authz::Verdict::no_opinion("")), undetermined_by: None, steps: vec![] };
        s2.answer(&a, &result);
        assert_eq!(
            s2.status.evaluation_error,
            "spec.resourceAttributes.fieldSelector partially ignored due to parse error; spec.resourceAttributes.labelSelector ignored due to parse error"
        );
    }
}
