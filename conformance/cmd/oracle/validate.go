package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	admissionv1 "k8s.io/api/admission/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	authorizationapi "k8s.io/kubernetes/pkg/apis/authorization"
	_ "k8s.io/kubernetes/pkg/apis/authorization/install"
	authorizationvalidation "k8s.io/kubernetes/pkg/apis/authorization/validation"
	kjson "sigs.k8s.io/json"
)

// runValidate reads JSON documents (a stream of values, pretty-printed or one per line) and
// checks that each is a valid upstream object of the kind it claims: decoded strictly (no
// unknown or duplicate fields) into upstream's Go type, then upstream's validation where
// the kind has one. kauthz's printed objects must pass; its extras belong in annotations.
func runValidate(args []string) error {
	if len(args) != 0 {
		return fmt.Errorf("validate takes no arguments (documents on stdin)")
	}
	dec := json.NewDecoder(os.Stdin)
	n, bad := 0, 0
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return fmt.Errorf("document %d: invalid JSON: %w", n+1, err)
		}
		n++
		for _, e := range validateDoc(raw) {
			bad++
			fmt.Fprintf(os.Stdout, "INVALID document %d: %s\n", n, e)
		}
	}
	fmt.Fprintf(os.Stdout, "validate: %d documents, %d problems\n", n, bad)
	if bad > 0 {
		return fmt.Errorf("%d problems", bad)
	}
	return nil
}

func strict(raw []byte, into any) []string {
	strictErrs, err := kjson.UnmarshalStrict(raw, into)
	var out []string
	if err != nil {
		out = append(out, err.Error())
	}
	for _, e := range strictErrs {
		out = append(out, "strict: "+e.Error())
	}
	return out
}

func fieldErrs(list field.ErrorList) []string {
	var out []string
	for _, e := range list {
		out = append(out, e.Error())
	}
	return out
}

func validateDoc(raw []byte) []string {
	var tm metav1.TypeMeta
	if err := json.Unmarshal(raw, &tm); err != nil {
		return []string{err.Error()}
	}
	prefix := func(errs []string) []string {
		for i := range errs {
			errs[i] = fmt.Sprintf("%s %s: %s", tm.APIVersion, tm.Kind, errs[i])
		}
		return errs
	}
	switch tm.APIVersion + "/" + tm.Kind {
	case "v1/List":
		var l struct {
			metav1.TypeMeta `json:",inline"`
			metav1.ListMeta `json:"metadata,omitempty"`
			Items           []json.RawMessage `json:"items"`
		}
		errs := strict(raw, &l)
		for i, item := range l.Items {
			for _, e := range validateDoc(item) {
				errs = append(errs, fmt.Sprintf("items[%d]: %s", i, e))
			}
		}
		return errs
	case "authorization.k8s.io/v1/SubjectAccessReview":
		var sar authorizationv1.SubjectAccessReview
		errs := strict(raw, &sar)
		var internal authorizationapi.SubjectAccessReview
		if err := legacyscheme.Scheme.Convert(&sar, &internal, nil); err != nil {
			errs = append(errs, err.Error())
		} else {
			errs = append(errs, fieldErrs(authorizationvalidation.ValidateSubjectAccessReview(&internal))...)
		}
		return prefix(errs)
	case "authorization.k8s.io/v1/SelfSubjectRulesReview":
		var r authorizationv1.SelfSubjectRulesReview
		errs := strict(raw, &r)
		errs = append(errs, fieldErrs(apimachineryvalidation.ValidateAnnotations(r.Annotations, field.NewPath("metadata", "annotations")))...)
		return prefix(errs)
	case "admission.k8s.io/v1/AdmissionReview":
		var r admissionv1.AdmissionReview
		errs := strict(raw, &r)
		if r.Response == nil {
			errs = append(errs, "response: required")
		} else if !r.Response.Allowed && r.Response.Result == nil {
			errs = append(errs, "response.status: required when not allowed")
		}
		return prefix(errs)
	case "v1/Status":
		var s metav1.Status
		return prefix(strict(raw, &s))
	default:
		return []string{fmt.Sprintf("%q %q is not an upstream kind kauthz prints", tm.APIVersion, tm.Kind)}
	}
}
