package oracle

import (
	"context"
	"fmt"

	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apiserver/pkg/authentication/user"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	authorizationapi "k8s.io/kubernetes/pkg/apis/authorization"
	"k8s.io/kubernetes/pkg/registry/authorization/selfsubjectrulesreview"

	"kauthz.dev/conformance/internal/wire"
)

// The wire type lives in package wire, shared with the generator.
type (
	// SubjectRulesReview is wire.SubjectRulesReview.
	SubjectRulesReview = wire.SubjectRulesReview
	// SubjectRulesReviewSpec is wire.SubjectRulesReviewSpec.
	SubjectRulesReviewSpec = wire.SubjectRulesReviewSpec
)

// RulesReviewAPIVersion and RulesReviewKind name kauthz's SubjectRulesReview.
const (
	RulesReviewAPIVersion = wire.RulesReviewAPIVersion
	RulesReviewKind       = wire.RulesReviewKind
)

// RulesReview answers a SubjectRulesReview with kube-apiserver's own
// SelfSubjectRulesReview REST handler, the request's user being the one in spec, over
// the union rule resolver kube-apiserver builds (reload.go): every configured mode's
// authorizer in chain order, the system:masters step left out. A request the handler
// rejects (no namespace) yields the v1 Status kube-apiserver would return.
func (o *Oracle) RulesReview(ctx context.Context, in *SubjectRulesReview) (any, error) {
	extra := map[string][]string{}
	for k, v := range in.Spec.Extra {
		extra[k] = []string(v)
	}
	if len(extra) == 0 {
		extra = nil
	}
	u := &user.DefaultInfo{Name: in.Spec.User, UID: in.Spec.UID, Groups: in.Spec.Groups, Extra: extra}
	ctx = genericapirequest.WithUser(ctx, u)
	req := &authorizationapi.SelfSubjectRulesReview{Spec: authorizationapi.SelfSubjectRulesReviewSpec{Namespace: in.Spec.Namespace}}
	res, err := selfsubjectrulesreview.NewREST(o.rules).Create(ctx, req, nil, nil)
	if err != nil {
		st, ok := err.(apierrors.APIStatus)
		if !ok {
			return nil, err
		}
		status := st.Status()
		status.APIVersion, status.Kind = "v1", "Status"
		return &status, nil
	}
	internal, ok := res.(*authorizationapi.SelfSubjectRulesReview)
	if !ok {
		return nil, fmt.Errorf("selfsubjectrulesreview returned %T", res)
	}
	v1 := &authorizationv1.SelfSubjectRulesReview{}
	if err := legacyscheme.Scheme.Convert(internal, v1, nil); err != nil {
		return nil, err
	}
	out := *in
	out.APIVersion, out.Kind = RulesReviewAPIVersion, RulesReviewKind
	out.Status = &v1.Status
	return &out, nil
}
