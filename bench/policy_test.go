package bench_test

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/bench"
	"github.com/gatehouse-go/gatehouse/permissions"
)

var allOps = []permissions.Op{permissions.OpCreate, permissions.OpRead, permissions.OpUpdate, permissions.OpDelete}

// TestCasbinAgrees checks that the gatehouse roles and the casbin policy of
// every size give the same answer to a sample of requests: for several users,
// every operation on entities their roles name and on random entities.
func TestCasbinAgrees(t *testing.T) {
	samples := map[string]struct{ users, entities int }{
		"small":  {users: 5, entities: 10},
		"medium": {users: 5, entities: 20},
		"large":  {users: 2, entities: 6}, // casbin's plain enforcer scans ~20,000 rules per request
	}
	for _, size := range bench.Sizes() {
		t.Run(size.Name, func(t *testing.T) {
			p := bench.NewPolicy(size)
			sample := samples[size.Name]
			e, err := p.CasbinEnforcer(sample.users)
			require.NoError(t, err)
			rng := rand.New(rand.NewPCG(1, uint64(size.Roles)))
			var allowed, denied int
			for u := range sample.users {
				set, err := p.Compile(u)
				require.NoError(t, err)
				entities := namedEntities(p, p.Held(u), sample.entities/2)
				for range sample.entities - len(entities) {
					entities = append(entities, bench.Entity(rng.IntN(size.Entities)))
				}
				for _, ent := range entities {
					for _, op := range allOps {
						want, err := e.Enforce(bench.User(u), ent, op.String())
						require.NoError(t, err)
						assert.Equal(t, want, set.Can(ent, op), "user %d %s:%s", u, ent, op)
						if want {
							allowed++
						} else {
							denied++
						}
					}
				}
			}
			// Both answers must occur, or the comparison proves nothing.
			assert.Positive(t, allowed, "allowed requests")
			assert.Positive(t, denied, "denied requests")
		})
	}
}

// TestCasbinDisagreesWithoutHierarchy shows the agreement test can fail: a
// casbin enforcer that lacks the role hierarchy refuses requests that
// gatehouse allows through Base.
func TestCasbinDisagreesWithoutHierarchy(t *testing.T) {
	p := bench.NewPolicy(bench.Sizes()[0])
	p.Inherit = nil
	e, err := p.CasbinEnforcer(1)
	require.NoError(t, err)
	set, err := bench.NewPolicy(bench.Sizes()[0]).Compile(0)
	require.NoError(t, err)
	var disagree int
	for i := range p.Size.Entities {
		for _, op := range allOps {
			got, err := e.Enforce(bench.User(0), bench.Entity(i), op.String())
			require.NoError(t, err)
			if got != set.Can(bench.Entity(i), op) {
				disagree++
			}
		}
	}
	assert.Positive(t, disagree)
}

// namedEntities returns up to n entities that the held roles, or the roles
// they include, grant something on.
func namedEntities(p *bench.Policy, held []string, n int) []string {
	byCode := map[string]permissions.Role{}
	for _, r := range p.Roles {
		byCode[r.Code] = r
	}
	var out []string
	seen := map[string]bool{}
	var visit func(code string)
	visit = func(code string) {
		r := byCode[code]
		for ent := range r.Entities {
			if len(out) < n && !seen[ent] {
				seen[ent] = true
				out = append(out, ent)
			}
		}
		for _, b := range r.Base {
			visit(b)
		}
	}
	for _, h := range held {
		visit(h)
	}
	return out
}
