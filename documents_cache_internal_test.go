package gatehouse

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/gatehouse-go/gatehouse/permissions"
)

// The parts kept for a permission set are that set's, under that
// declared catalogue, and the cache stays bounded however many sets pass
// through it.
func TestSetPartsCacheIsBoundedAndKeyed(t *testing.T) {
	const n = setPartsCacheSize*2 + 7
	roles := make([]permissions.Role, n)
	for i := range roles {
		roles[i] = permissions.Role{Code: fmt.Sprintf("r%d", i),
			Params:    []permissions.Param{{Code: "p", Value: fmt.Sprint(i)}},
			Specifics: []string{fmt.Sprintf("s%d", i)}}
	}
	declared := []string{"declared"}
	var c setPartsCache
	check := func(set *permissions.Set, decl *[]string) {
		t.Helper()
		var names []string
		if decl != nil {
			names = *decl
		}
		p := c.get(set, decl)
		codes := set.Roles()
		refs := make([]RoleRef, len(codes))
		for i, code := range codes {
			refs[i] = RoleRef{Code: code}
		}
		for _, x := range []struct {
			got []byte
			v   any
		}{
			{p.roles, refs}, {p.roleParams, set.Params()}, {p.specifics, set.Specifics(names...)},
		} {
			want, err := json.Marshal(x.v)
			if err != nil {
				t.Fatal(err)
			}
			if string(x.got) != string(want) {
				t.Fatalf("kept %s, want %s", x.got, want)
			}
		}
		if n := c.len(); n > setPartsCacheSize {
			t.Fatalf("%d sets kept, at most %d allowed", n, setPartsCacheSize)
		}
	}
	sets := make([]*permissions.Set, n)
	for i := range sets {
		s, err := permissions.Compile(permissions.CompileConfig{Roles: roles[i : i+1], Held: []string{roles[i].Code}})
		if err != nil {
			t.Fatal(err)
		}
		sets[i] = s
		check(s, nil)
		check(s, nil) // kept
		check(s, &declared)
	}
	for i := n - 1; i >= 0; i -= 3 {
		check(sets[i], &declared)
		check(sets[i], nil)
	}
}
