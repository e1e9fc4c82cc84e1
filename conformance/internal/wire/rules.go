// Package wire holds the request and answer types the generator writes and the oracle
// reads that Kubernetes itself does not define.
package wire

import authorizationv1 "k8s.io/api/authorization/v1"

// RulesReviewAPIVersion and RulesReviewKind name kauthz's SubjectRulesReview: a
// SelfSubjectRulesReview asked on behalf of a named user.
const (
	RulesReviewAPIVersion = "kauthz.dev/v1alpha1"
	RulesReviewKind       = "SubjectRulesReview"
)

// SubjectRulesReview is kauthz's kauthz.dev/v1alpha1 SubjectRulesReview: the user in
// spec, the namespace to list rules for, and upstream's v1 SubjectRulesReviewStatus.
type SubjectRulesReview struct {
	APIVersion string                                    `json:"apiVersion"`
	Kind       string                                    `json:"kind"`
	Spec       SubjectRulesReviewSpec                    `json:"spec"`
	Status     *authorizationv1.SubjectRulesReviewStatus `json:"status,omitempty"`
}

// SubjectRulesReviewSpec names the user (as a SubjectAccessReview does) and the namespace.
type SubjectRulesReviewSpec struct {
	Namespace string                                `json:"namespace"`
	User      string                                `json:"user,omitempty"`
	Groups    []string                              `json:"groups,omitempty"`
	UID       string                                `json:"uid,omitempty"`
	Extra     map[string]authorizationv1.ExtraValue `json:"extra,omitempty"`
}
