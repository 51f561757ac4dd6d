package main

import (
	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/storage/cachestore"
)

// withCache turns on the cached mode (issue 15, section 2) of c:
// gatehouse.Config.Cache with cachestore's defaults (100,000 entries per
// table, a one-minute TTL). The targets gatehouse/postgres+cache and
// gatehouse/postgres+redis+cache, and the revocation lag under -cache, use
// it.
func withCache(c *gatehouse.Config) error {
	c.Cache = &cachestore.Config{}
	return nil
}
