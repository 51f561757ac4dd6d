package bench_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/casbin/casbin/v2"

	"github.com/gatehouse-go/gatehouse/bench"
	"github.com/gatehouse-go/gatehouse/permissions"
)

// request is one permission check: may the benchmark user do op on entity?
type request struct {
	entity string
	op     permissions.Op
}

// rbacFixture is one policy size ready to benchmark: the compiled set of
// user 0, a bare map of the same answers, and both casbin enforcers.
type rbacFixture struct {
	p        *bench.Policy
	held     []string
	set      *permissions.Set
	bare     map[string]uint8 // entity → bit per allowed op, the floor
	allowed  request
	denied   request
	specific string
	plain    *casbin.Enforcer
	cached   *casbin.CachedEnforcer
}

func newRBACFixture(b *testing.B, size bench.Size) *rbacFixture {
	b.Helper()
	p := bench.NewPolicy(size)
	f := &rbacFixture{p: p, held: p.Held(0), bare: make(map[string]uint8, size.Entities)}
	var err error
	if f.set, err = p.Compile(0); err != nil {
		b.Fatal(err)
	}
	for i := range size.Entities {
		ent := bench.Entity(i)
		for _, op := range allOps {
			if f.set.Can(ent, op) {
				f.bare[ent] |= 1 << op
			}
		}
	}
	// allowed: the first entity that the middle held role itself grants
	// update on (casbin's plain Enforcer stops at the first rule that allows,
	// so its cost depends on where that role's rules sit in the list: about
	// the middle here); denied: the last entity the user may not delete (for
	// medium and large one that no role of the user names at all, so casbin
	// scans every rule and the set answers from its fallback).
	mid := f.held[len(f.held)/2]
	var midIndex int
	if _, err := fmt.Sscanf(mid, "role%d", &midIndex); err != nil {
		b.Fatal(err)
	}
	for j := 0; f.allowed.entity == ""; j++ {
		ent := bench.Entity((midIndex*bench.EntitiesPerRole + j) % size.Entities)
		if f.set.Can(ent, permissions.OpUpdate) {
			f.allowed = request{ent, permissions.OpUpdate}
		}
	}
	for i := size.Entities - 1; f.denied.entity == ""; i-- {
		if !f.set.Can(bench.Entity(i), permissions.OpDelete) {
			f.denied = request{bench.Entity(i), permissions.OpDelete}
		}
	}
	f.specific = "spec" + f.held[0][len("role"):]
	if !f.set.Specific(f.specific) {
		b.Fatalf("%s not allowed", f.specific)
	}
	if f.plain, err = p.CasbinEnforcer(1); err != nil {
		b.Fatal(err)
	}
	if f.cached, err = p.CasbinCachedEnforcer(1); err != nil {
		b.Fatal(err)
	}
	for _, r := range []request{f.allowed, f.denied} {
		want := f.set.Can(r.entity, r.op)
		for name, enforce := range map[string]func(...any) (bool, error){"plain": f.plain.Enforce, "cached": f.cached.Enforce} {
			got, err := enforce(bench.User(0), r.entity, r.op.String())
			if err != nil || got != want {
				b.Fatalf("casbin %s %s:%s = %v, %v; gatehouse says %v", name, r.entity, r.op, got, err, want)
			}
		}
	}
	return f
}

// BenchmarkRBAC compares, at each policy size, gatehouse's compiled checks
// with a bare map lookup (the floor) and casbin's Enforcer and
// CachedEnforcer on the same policy, plus gatehouse's compile, cache and
// memory costs.
func BenchmarkRBAC(b *testing.B) {
	for _, size := range bench.Sizes() {
		b.Run(size.Name, func(b *testing.B) {
			f := newRBACFixture(b, size)
			b.Run("gatehouse_Can_allowed", func(b *testing.B) { benchCan(b, f.set, f.allowed, true) })
			b.Run("gatehouse_Can_denied", func(b *testing.B) { benchCan(b, f.set, f.denied, false) })
			b.Run("gatehouse_Attribute", func(b *testing.B) {
				b.ReportAllocs()
				n := 0
				for b.Loop() {
					if f.set.Attribute(f.allowed.entity, "price") == permissions.Modify {
						n++
					}
				}
				if n == 0 {
					b.Fatal("want modify")
				}
			})
			b.Run("gatehouse_Specific", func(b *testing.B) {
				b.ReportAllocs()
				n := 0
				for b.Loop() {
					if f.set.Specific(f.specific) {
						n++
					}
				}
				if n == 0 {
					b.Fatal("want allowed")
				}
			})
			b.Run("map_lookup_allowed", func(b *testing.B) { benchMap(b, f.bare, f.allowed, true) })
			b.Run("map_lookup_denied", func(b *testing.B) { benchMap(b, f.bare, f.denied, false) })
			b.Run("casbin_Enforcer_allowed", func(b *testing.B) { benchCasbin(b, f.plain.Enforce, f.allowed, true) })
			b.Run("casbin_Enforcer_denied", func(b *testing.B) { benchCasbin(b, f.plain.Enforce, f.denied, false) })
			b.Run("casbin_CachedEnforcer_allowed", func(b *testing.B) { benchCasbin(b, f.cached.Enforce, f.allowed, true) })
			b.Run("casbin_CachedEnforcer_denied", func(b *testing.B) { benchCasbin(b, f.cached.Enforce, f.denied, false) })
			b.Run("gatehouse_Compile", func(b *testing.B) { benchCompile(b, f) })
			b.Run("gatehouse_Cache_hit", func(b *testing.B) {
				c := permissions.NewCache(0)
				load := func() ([]permissions.Role, error) { return f.p.Roles, nil }
				if _, err := c.Get(1, f.held, false, false, load); err != nil {
					b.Fatal(err)
				}
				load = func() ([]permissions.Role, error) { b.Fatal("cache miss"); return nil, nil }
				b.ReportAllocs()
				for b.Loop() {
					if _, err := c.Get(1, f.held, false, false, load); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

func benchCan(b *testing.B, s *permissions.Set, r request, want bool) {
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if s.Can(r.entity, r.op) == want {
			n++
		}
	}
	if n == 0 {
		b.Fatalf("Can(%s, %s) != %v", r.entity, r.op, want)
	}
}

func benchMap(b *testing.B, m map[string]uint8, r request, want bool) {
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if (m[r.entity]&(1<<r.op) != 0) == want {
			n++
		}
	}
	if n == 0 {
		b.Fatalf("map[%s]&%s != %v", r.entity, r.op, want)
	}
}

func benchCasbin(b *testing.B, enforce func(...any) (bool, error), r request, want bool) {
	op := r.op.String()
	if got, err := enforce(bench.User(0), r.entity, op); err != nil || got != want { // also warms the cache
		b.Fatalf("casbin %s:%s = %v, %v", r.entity, op, got, err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := enforce(bench.User(0), r.entity, op); err != nil {
			b.Fatal(err)
		}
	}
}

// benchCompile measures Compile for the three-role user over the whole
// catalogue, and reports the heap a compiled set keeps alive (retained-B/set),
// measured with runtime.MemStats around compiling 50 sets.
func benchCompile(b *testing.B, f *rbacFixture) {
	cfg := permissions.CompileConfig{Roles: f.p.Roles, Held: f.held}
	const n = 50
	sets := make([]*permissions.Set, n)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range sets {
		var err error
		if sets[i], err = permissions.Compile(cfg); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(sets)
	retained := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / n
	b.ReportAllocs()
	for b.Loop() {
		if _, err := permissions.Compile(cfg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(retained, "retained-B/set")
}
