package permissions_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func cacheRoles() []permissions.Role {
	return []permissions.Role{
		{Code: "viewer", Entities: map[string][]permissions.Op{"*": {permissions.OpRead}}},
		{Code: "sales", Base: []string{"viewer"}, Entities: map[string][]permissions.Op{"Customer": {permissions.OpCreate, permissions.OpRead}}},
	}
}

func TestCacheCompilesOncePerRoleSetAndVersion(t *testing.T) {
	c := permissions.NewCache(0)
	loads := 0
	load := func() ([]permissions.Role, error) { loads++; return cacheRoles(), nil }

	a, err := c.Get(1, []string{"sales"}, false, false, load)
	require.NoError(t, err)
	b, err := c.Get(1, []string{"sales"}, false, false, load)
	require.NoError(t, err)
	assert.Same(t, a, b, "the same role set under the same version shares one set")
	assert.Equal(t, 1, loads)
	assert.True(t, a.Can("Customer", permissions.OpCreate))

	// Another access level is another set.
	ro, err := c.Get(1, []string{"sales"}, true, false, load)
	require.NoError(t, err)
	assert.NotSame(t, a, ro)
	assert.False(t, ro.Can("Customer", permissions.OpCreate))
	adm, err := c.Get(1, []string{"sales"}, false, true, load)
	require.NoError(t, err)
	assert.True(t, adm.Can("Anything", permissions.OpDelete))
	assert.Equal(t, 3, loads)
	assert.Equal(t, 3, c.Len())
}

func TestCacheRebuildsWhenThePolicyVersionChanges(t *testing.T) {
	c := permissions.NewCache(0)
	roles := cacheRoles()
	load := func() ([]permissions.Role, error) { return roles, nil }
	s1, err := c.Get(1, []string{"sales"}, false, false, load)
	require.NoError(t, err)
	require.True(t, s1.Can("Customer", permissions.OpCreate))

	roles[1].Entities = map[string][]permissions.Op{"Customer": {permissions.OpRead}} // the role changed in the store
	s2, err := c.Get(2, []string{"sales"}, false, false, load)
	require.NoError(t, err)
	assert.False(t, s2.Can("Customer", permissions.OpCreate), "a new version compiles from the new roles")
	assert.Equal(t, 1, c.Len(), "entries of the old version are dropped")

	// A reader still at the old version is answered but does not evict.
	s3, err := c.Get(1, []string{"viewer"}, false, false, load)
	require.NoError(t, err)
	assert.NotNil(t, s3)
	again, err := c.Get(2, []string{"sales"}, false, false, load)
	require.NoError(t, err)
	assert.Same(t, s2, again)
}

func TestCacheDoesNotCacheErrors(t *testing.T) {
	c := permissions.NewCache(0)
	boom := errors.New("store down")
	_, err := c.Get(1, []string{"sales"}, false, false, func() ([]permissions.Role, error) { return nil, boom })
	require.ErrorIs(t, err, boom)
	_, err = c.Get(1, []string{"ghost"}, false, false, func() ([]permissions.Role, error) { return cacheRoles(), nil })
	require.ErrorIs(t, err, permissions.ErrUnknownRole)
	assert.Equal(t, 0, c.Len())
	s, err := c.Get(1, []string{"sales"}, false, false, func() ([]permissions.Role, error) { return cacheRoles(), nil })
	require.NoError(t, err)
	assert.True(t, s.Can("Customer", permissions.OpRead))
}

func TestCacheKeepsHeldOrder(t *testing.T) {
	roles := []permissions.Role{
		{Code: "a", Params: []permissions.Param{{Code: "p", Value: "from a"}}},
		{Code: "b", Params: []permissions.Param{{Code: "p", Value: "from b"}}},
	}
	c := permissions.NewCache(0)
	load := func() ([]permissions.Role, error) { return roles, nil }
	ab, err := c.Get(1, []string{"a", "b"}, false, false, load)
	require.NoError(t, err)
	ba, err := c.Get(1, []string{"b", "a"}, false, false, load)
	require.NoError(t, err)
	assert.Equal(t, "from a", ab.Params()[0].Value)
	assert.Equal(t, "from b", ba.Params()[0].Value, "the first held role's param wins, cached or not")
}

func TestCacheIsBounded(t *testing.T) {
	c := permissions.NewCache(2)
	load := func() ([]permissions.Role, error) { return cacheRoles(), nil }
	for _, held := range [][]string{{"sales"}, {"viewer"}, {"sales", "viewer"}} {
		_, err := c.Get(1, held, false, false, load)
		require.NoError(t, err)
		assert.LessOrEqual(t, c.Len(), 2)
	}
}

func TestCacheConcurrentUse(t *testing.T) {
	c := permissions.NewCache(0)
	load := func() ([]permissions.Role, error) { return cacheRoles(), nil }
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 200 {
				held := []string{"sales"}
				if (i+j)%2 == 0 {
					held = []string{"viewer"}
				}
				s, err := c.Get(int64(j/50), held, false, false, load)
				if !assert.NoError(t, err) {
					return
				}
				assert.True(t, s.Can("Product", permissions.OpRead))
			}
		}()
	}
	wg.Wait()
}

func TestCacheHitDoesNotAllocate(t *testing.T) {
	c := permissions.NewCache(0)
	load := func() ([]permissions.Role, error) { return cacheRoles(), nil }
	held := []string{"sales", "viewer"}
	_, err := c.Get(7, held, false, false, load)
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = c.Get(7, held, false, false, load)
	})
	assert.Zero(t, allocs)
}

func BenchmarkCacheHit(b *testing.B) {
	c := permissions.NewCache(0)
	load := func() ([]permissions.Role, error) { return cacheRoles(), nil }
	held := []string{"sales", "viewer"}
	if _, err := c.Get(7, held, false, false, load); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_, _ = c.Get(7, held, false, false, load)
	}
}
