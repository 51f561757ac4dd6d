package main

import (
	"errors"

	"github.com/gatehouse-go/gatehouse"
)

// CACHED MODE (issue 15, section 2) — THE PLACE TO FILL IN.
//
// gatehouse.Config has no cache setting yet (a Cache field pointing to a
// storage/cachestore configuration is being added). Once it exists,
// withCache should set it, e.g.
//
//	c.Cache = &cachestore.Config{}
//
// and cacheAvailable should be true. The targets gatehouse/postgres+cache
// and gatehouse/postgres+redis+cache, and -revocation-cache, call it; until
// then they are refused with errNoCache, and left out of -targets all
// unless -cache is given.

// cacheAvailable reports whether withCache can configure the cached mode.
const cacheAvailable = false

// errNoCache is the cached mode asked for before gatehouse has one.
var errNoCache = errors.New("gatehouse.Config has no Cache setting yet: fill in withCache in bench/load/cache.go")

// withCache turns on the cached mode of c.
func withCache(c *gatehouse.Config) error {
	_ = c
	return errNoCache
}
