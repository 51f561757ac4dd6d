package permissions

import "sync"

// DefaultCacheSize is the number of compiled sets a [Cache] keeps when
// NewCache is given zero.
const DefaultCacheSize = 4096

// Cache shares compiled sets between users who hold the same roles with the
// same access level, under one policy version: most users of an application
// hold one of a few role combinations, so a set is compiled once per
// combination instead of once per request. It is safe for concurrent use.
//
// The policy version is the store's (storage.RoleStore.PolicyVersion): when
// it changes, every cached set is dropped and sets are compiled again from
// the roles as they are now, so a role changed on one instance takes effect
// on every instance that reads the version.
type Cache struct {
	mu      sync.RWMutex
	version int64
	sets    map[string]*Set
	max     int
}

// NewCache returns a cache holding at most size sets (0 means
// [DefaultCacheSize]). When it is full, the next miss empties it: role
// combinations are few, so this only happens when something is wrong, and it
// keeps memory bounded.
func NewCache(size int) *Cache {
	if size <= 0 {
		size = DefaultCacheSize
	}
	return &Cache{sets: make(map[string]*Set), max: size}
}

// Get returns the set compiled for the held roles (in their order) and access level under
// version, compiling it with the roles that load returns on a miss. load is
// called only on a miss, so a hit costs no storage round trip. Errors from
// load and from [Compile] are returned as they are and nothing is cached.
func (c *Cache) Get(version int64, held []string, readOnly, admin bool, load func() ([]Role, error)) (*Set, error) {
	var buf [128]byte
	key := cacheKey(buf[:0], held, readOnly, admin)
	c.mu.RLock()
	if c.version == version {
		if s, ok := c.sets[string(key)]; ok {
			c.mu.RUnlock()
			return s, nil
		}
	}
	c.mu.RUnlock()

	roles, err := load()
	if err != nil {
		return nil, err
	}
	s, err := Compile(CompileConfig{Roles: roles, Held: held, ReadOnly: readOnly, Admin: admin})
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case version > c.version || len(c.sets) >= c.max:
		c.version = version
		clear(c.sets)
	case version < c.version:
		// A reader that loaded an older version than the cache holds:
		// answer it, but keep the newer entries.
		return s, nil
	}
	c.sets[string(key)] = s
	return s, nil
}

// Len returns the number of sets cached.
func (c *Cache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.sets)
}

// cacheKey appends the access flags and the held codes in their order
// (which decides the precedence of role params), each after a NUL (which
// ValidateName refuses in a code), to buf.
func cacheKey(buf []byte, held []string, readOnly, admin bool) []byte {
	flags := byte('0')
	if readOnly {
		flags |= 1
	}
	if admin {
		flags |= 2
	}
	buf = append(buf, flags)
	for _, h := range held {
		buf = append(buf, 0)
		buf = append(buf, h...)
	}
	return buf
}
