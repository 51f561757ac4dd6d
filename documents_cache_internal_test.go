package gatehouse

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/user"
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

// BenchmarkSessionDocumentJSON compares GET /session's encoding of the
// document with what it replaced, json.Marshal(Gatehouse.SessionDocument),
// for the bench module's user (bench/auth_bench_test.go).
func BenchmarkSessionDocumentJSON(b *testing.B) {
	ctx := context.Background()
	store := memstore.New(memstore.Config{})
	b.Cleanup(func() { store.Close() })
	g, err := New(Config{Store: store, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { g.Close() })
	roles := []permissions.Role{
		{Code: "viewer", Entities: map[string][]permissions.Op{"*": {permissions.OpRead}}},
		{Code: "sales", Base: []string{"viewer"}, Specifics: []string{"entity_export_to_file"},
			Params: []permissions.Param{{Code: "generate_ddl", Value: "0"}}},
	}
	for _, p := range []storage.Parameter{{Code: "generate_ddl", Title: "Generate DDL", Value: "0"}, {Code: "page_size", Value: "50"}} {
		if err := store.Parameters().PutParameter(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
	set, err := permissions.Compile(permissions.CompileConfig{Roles: roles, Held: []string{"sales", "viewer"}})
	if err != nil {
		b.Fatal(err)
	}
	a := &session.Auth{Set: set, User: user.User{
		ID: "id-alice", Username: "alice", Name: "Alice Example", Email: "alice@example.com", Company: "acme",
		Roles:      []string{"sales", "viewer"},
		Attributes: map[string]string{"dep_id": "42", "allowFTP": "true", "kind": "7"},
		Parameters: map[string]string{"generate_ddl": "1"},
	}}
	b.Run("json.Marshal(SessionDocument)", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			doc, err := g.SessionDocument(ctx, a)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := json.Marshal(doc); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("appendSessionJSON", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			if buf, err = g.appendSessionJSON(ctx, buf[:0], a); err != nil {
				b.Fatal(err)
			}
		}
	})
}
