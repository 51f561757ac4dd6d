package permissions_test

import (
	"strconv"
	"testing"

	"github.com/gatehouse-go/gatehouse/permissions"
)

// benchPolicy builds nRoles roles over nEntities entities: role i grants
// read and update on ten entities, read on every entity through "*" for
// every tenth role, attribute grants on its entities, and two specifics.
func benchPolicy(nRoles, nEntities int) []permissions.Role {
	roles := make([]permissions.Role, nRoles)
	for i := range roles {
		r := permissions.Role{
			Code:       "role" + strconv.Itoa(i),
			Entities:   map[string][]permissions.Op{},
			Attributes: map[string]map[string]permissions.Access{},
			Specifics:  []string{"spec" + strconv.Itoa(i), "spec" + strconv.Itoa(i+1)},
		}
		for j := range 10 {
			e := "Entity" + strconv.Itoa((i*10+j)%nEntities)
			r.Entities[e] = []permissions.Op{permissions.OpRead, permissions.OpUpdate}
			r.Attributes[e] = map[string]permissions.Access{"*": permissions.Modify, "secret": permissions.Hidden}
		}
		if i%10 == 0 {
			r.Entities["*"] = []permissions.Op{permissions.OpRead}
			r.Attributes["*"] = map[string]permissions.Access{"name": permissions.Read}
		}
		roles[i] = r
	}
	return roles
}

func benchSet(b *testing.B) *permissions.Set {
	roles := benchPolicy(100, 1000)
	s, err := permissions.Compile(permissions.CompileConfig{Roles: roles, Held: []string{"role0", "role5", "role7"}})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

var sinkBool bool
var sinkAccess permissions.Access

func BenchmarkCanAllowed(b *testing.B) {
	s := benchSet(b)
	b.ReportAllocs()
	for b.Loop() {
		sinkBool = s.Can("Entity55", permissions.OpUpdate)
	}
	if !sinkBool {
		b.Fatal("want allowed")
	}
}

func BenchmarkCanDenied(b *testing.B) {
	s := benchSet(b)
	b.ReportAllocs()
	for b.Loop() {
		sinkBool = s.Can("Entity999", permissions.OpDelete)
	}
	if sinkBool {
		b.Fatal("want denied")
	}
}

func BenchmarkAttribute(b *testing.B) {
	s := benchSet(b)
	b.ReportAllocs()
	for b.Loop() {
		sinkAccess = s.Attribute("Entity55", "price")
	}
	if sinkAccess != permissions.Modify {
		b.Fatal("want modify")
	}
}

func BenchmarkSpecific(b *testing.B) {
	s := benchSet(b)
	b.ReportAllocs()
	for b.Loop() {
		sinkBool = s.Specific("spec5")
	}
	if !sinkBool {
		b.Fatal("want allowed")
	}
}

// BenchmarkMapLookup is the baseline: a bare map[string]bool lookup.
func BenchmarkMapLookup(b *testing.B) {
	m := make(map[string]bool, 1000)
	for i := range 1000 {
		m["Entity"+strconv.Itoa(i)+":update"] = i%2 == 0
	}
	b.ReportAllocs()
	for b.Loop() {
		sinkBool = m["Entity56:update"]
	}
}

func BenchmarkCompileMedium(b *testing.B) {
	roles := benchPolicy(100, 1000)
	cfg := permissions.CompileConfig{Roles: roles, Held: []string{"role0", "role5", "role7"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := permissions.Compile(cfg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckWrite(b *testing.B) {
	s := benchSet(b)
	rec := map[string]any{"name": "x", "price": 1, "type": "t"}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.CheckWrite("Entity55", rec); err != nil {
			b.Fatal(err)
		}
	}
}
