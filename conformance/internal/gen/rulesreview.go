package gen

import (
	"math/rand/v2"
	"strings"

	"kauthz.dev/conformance/internal/wire"
)

// rulesReviewPlan decides, from a stream of its own (so the SubjectAccessReviews and
// mutations of a seed do not change), how many SubjectRulesReviews each round gets
// (5–15 in all) and before which of the round's requests each goes.
type rulesReviewPlan struct {
	r     *rand.Rand
	slots [][]int // per round, sorted request indexes (n means after the last request)
}

func newRulesReviewPlan(seed uint64, rounds, perRound int) *rulesReviewPlan {
	p := &rulesReviewPlan{r: rand.New(rand.NewPCG(seed, 0x5e1f5e1f)), slots: make([][]int, rounds)}
	n := 5 + p.r.IntN(11)
	for i := 0; i < n; i++ {
		round := p.r.IntN(rounds)
		p.slots[round] = append(p.slots[round], p.r.IntN(perRound+1))
	}
	for _, s := range p.slots {
		sortInts(s)
	}
	return p
}

func sortInts(xs []int) {
	for i := 1; i < len(xs); i++ {
		for j := i; j > 0 && xs[j] < xs[j-1]; j-- {
			xs[j], xs[j-1] = xs[j-1], xs[j]
		}
	}
}

// take returns how many reviews go before request i of round.
func (p *rulesReviewPlan) take(round, i int) int {
	n := 0
	for len(p.slots[round]) > 0 && p.slots[round][0] == i {
		p.slots[round] = p.slots[round][1:]
		n++
	}
	return n
}

// rulesReview builds one SubjectRulesReview over the cluster as it is now, drawing from
// the plan's stream: node identities (and the edge identities of specialPrincipal:
// "system:node:", a node user without system:nodes, system:masters, anonymous, groups
// only), subjects of existing bindings (so RBAC rules and missing-role errors show up),
// service accounts and users; namespaces of the scenario, kube-system, a missing one and,
// rarely, none (kube-apiserver answers 400 BadRequest).
func (c *cluster) rulesReview(p *rulesReviewPlan) wire.SubjectRulesReview {
	saved := c.r
	c.r = p.r
	defer func() { c.r = saved }()

	ns := pick(c, c.namespaces)
	var who principal
	switch x := c.r.IntN(20); {
	case x < 4:
		node := pick(c, c.nodes).Name
		if c.chance(0.1) {
			node = "node-gone"
		}
		who = c.nodePrincipal(node)
	case x < 7:
		who = c.specialPrincipal()
	case x < 8:
		who = principal{user: pick(c, append([]string{"root"}, c.users...)), groups: []string{"system:masters", "system:authenticated"}}
	case x < 9:
		who = principal{user: "system:anonymous", groups: []string{"system:unauthenticated"}}
	case x < 14:
		if len(c.rbs) > 0 && (len(c.crbs) == 0 || c.chance(0.6)) {
			b := pick(c, c.rbs)
			if len(b.Subjects) > 0 {
				who = c.principalFor(pick(c, b.Subjects), b.Namespace)
				if c.chance(0.8) {
					ns = b.Namespace
				}
				break
			}
		} else if len(c.crbs) > 0 {
			if b := pick(c, c.crbs); len(b.Subjects) > 0 {
				who = c.principalFor(pick(c, b.Subjects), "")
				break
			}
		}
		who = c.userPrincipal(pick(c, c.users))
	case x < 17:
		who = saUser(pick(c, c.appNS), c.someSA())
		if c.chance(0.7) {
			ns = strings.Split(who.user, ":")[2]
		}
	default:
		who = c.userPrincipal(pick(c, c.users))
	}
	switch x := c.r.IntN(40); {
	case x < 4:
		ns = "kube-system"
	case x < 6:
		ns = "ns-missing"
	case x < 7:
		ns = ""
	}
	return wire.SubjectRulesReview{APIVersion: wire.RulesReviewAPIVersion, Kind: wire.RulesReviewKind,
		Spec: wire.SubjectRulesReviewSpec{Namespace: ns, User: who.user, Groups: who.groups, UID: who.uid, Extra: who.extra}}
}
