package permissions_test

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/permissions"
)

// The reference evaluator below follows the package documentation's
// "Semantics" word by word, with no precomputation, to check the compiled Set
// against on random policies.

func refReach(known []P, held []string) []P {
	byCode := map[string]P{}
	for _, r := range known {
		byCode[r.Code] = r
	}
	seen := map[string]bool{}
	var out []P
	var walk func(string)
	walk = func(c string) {
		if seen[c] {
			return
		}
		seen[c] = true
		out = append(out, byCode[c])
		for _, b := range byCode[c].Base {
			walk(b)
		}
	}
	for _, h := range held {
		walk(h)
	}
	return out
}

func refCan(roles []P, readOnly, admin bool, entity string, op permissions.Op) bool {
	if readOnly && op != permissions.OpRead {
		return false
	}
	if admin {
		return true
	}
	for _, r := range roles {
		entry, ok := r.Entities[entity]
		if !ok {
			entry, ok = r.Entities["*"]
		}
		if ok && slices.Contains(entry, op) {
			return true
		}
	}
	return false
}

func refAttr(roles []P, readOnly, admin bool, entity, attr string) permissions.Access {
	v := permissions.Hidden
	if admin {
		v = permissions.Modify
	} else {
		for _, r := range roles {
		role:
			for _, k := range [][2]string{{entity, attr}, {entity, "*"}, {"*", attr}, {"*", "*"}} {
				if a, ok := r.Attributes[k[0]][k[1]]; ok {
					v = max(v, a)
					break role
				}
			}
		}
	}
	if !refCan(roles, readOnly, admin, entity, permissions.OpRead) {
		return permissions.Hidden
	}
	if !refCan(roles, readOnly, admin, entity, permissions.OpCreate) && !refCan(roles, readOnly, admin, entity, permissions.OpUpdate) {
		v = min(v, permissions.Read)
	}
	return v
}

func refSpecific(roles []P, readOnly, admin bool, name string) bool {
	if readOnly {
		return false
	}
	if admin {
		return true
	}
	for _, r := range roles {
		if slices.Contains(r.Specifics, name) || slices.Contains(r.Specifics, "*") {
			return true
		}
	}
	return false
}

func pick(rng *rand.Rand, pool []string) string { return pool[rng.IntN(len(pool))] }

func randomPolicy(rng *rand.Rand) ([]P, []string) {
	entities := []string{"E0", "E1", "E2", "*"}
	attrNames := []string{"a0", "a1", "*"}
	specifics := []string{"s0", "s1", "*"}
	n := 1 + rng.IntN(5)
	roles := make([]P, n)
	for i := range roles {
		r := P{Code: "r" + strconv.Itoa(i)}
		// Base only towards later roles: no cycles.
		for j := i + 1; j < n; j++ {
			if rng.IntN(3) == 0 {
				r.Base = append(r.Base, "r"+strconv.Itoa(j))
			}
		}
		for range rng.IntN(4) {
			if r.Entities == nil {
				r.Entities = map[string][]permissions.Op{}
			}
			var o []permissions.Op
			for op := range permissions.Op(4) {
				if rng.IntN(2) == 0 {
					o = append(o, op)
				}
			}
			r.Entities[pick(rng, entities)] = o
		}
		for range rng.IntN(5) {
			if r.Attributes == nil {
				r.Attributes = map[string]map[string]permissions.Access{}
			}
			e := pick(rng, entities)
			if r.Attributes[e] == nil {
				r.Attributes[e] = map[string]permissions.Access{}
			}
			r.Attributes[e][pick(rng, attrNames)] = permissions.Access(rng.IntN(3))
		}
		for range rng.IntN(2) {
			r.Specifics = append(r.Specifics, pick(rng, specifics))
		}
		roles[i] = r
	}
	var held []string
	for range rng.IntN(3) {
		held = append(held, roles[rng.IntN(n)].Code)
	}
	return roles, held
}

func TestCompiledSetMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 2026))
	queryEntities := []string{"E0", "E1", "E2", "Unnamed", "*"}
	queryAttrs := []string{"a0", "a1", "other", "*"}
	querySpecifics := []string{"s0", "s1", "other", "*"}
	for iter := range 3000 {
		roles, held := randomPolicy(rng)
		readOnly, admin := rng.IntN(4) == 0, rng.IntN(6) == 0
		s, err := permissions.Compile(permissions.CompileConfig{Roles: roles, Held: held, ReadOnly: readOnly, Admin: admin})
		require.NoError(t, err)
		reach := refReach(roles, held)
		ctx := func() string {
			return "iteration " + strconv.Itoa(iter) + ", held " + strconv.Quote(slices.Concat(held, []string{""})[0]) +
				", readOnly " + strconv.FormatBool(readOnly) + ", admin " + strconv.FormatBool(admin)
		}
		for _, e := range queryEntities {
			for op := range permissions.Op(4) {
				want := refCan(reach, readOnly, admin, e, op)
				require.Equal(t, want, s.Can(e, op), "Can(%s, %s); %s; roles %+v", e, op, ctx(), roles)
				ex, err := s.Explain(permissions.EntityTarget(e, op).String())
				require.NoError(t, err)
				require.Equal(t, b2i(want), ex.Value, "Explain %s", ex)
			}
			for _, a := range queryAttrs {
				want := refAttr(reach, readOnly, admin, e, a)
				require.Equal(t, want, s.Attribute(e, a), "Attribute(%s, %s); %s; roles %+v", e, a, ctx(), roles)
				ex, err := s.Explain(e + ":" + a)
				require.NoError(t, err)
				require.Equal(t, int(want), ex.Value, "Explain %s", ex)
			}
		}
		for _, n := range querySpecifics {
			want := refSpecific(reach, readOnly, admin, n)
			require.Equal(t, want, s.Specific(n), "Specific(%s); %s; roles %+v", n, ctx(), roles)
		}
	}
}
