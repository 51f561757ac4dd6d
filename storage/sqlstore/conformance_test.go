package sqlstore_test

import (
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/sqlstore"
	"github.com/gatehouse-go/gatehouse/storage/storagetest"
)

// dsns returns, per database, a function that makes a fresh empty
// database for one test.
func dsns() map[string]func(t *testing.T) string {
	return map[string]func(t *testing.T) string{
		"sqlite":   sqliteDSN,
		"postgres": func(t *testing.T) string { return freshSchema(t, postgresDSN(t)) },
	}
}

func TestConformance(t *testing.T) {
	for name, fresh := range dsns() {
		t.Run(name, func(t *testing.T) {
			fresh(t) // skips (or fails) early when the server is not configured
			storagetest.Run(t, func(t *testing.T) storage.Store {
				return open(t, fresh(t), sqlstore.Config{})
			})
		})
	}
}

func TestConformanceClocked(t *testing.T) {
	for name, fresh := range dsns() {
		t.Run(name, func(t *testing.T) {
			fresh(t)
			storagetest.Run(t, func(t *testing.T, now func() time.Time) storage.Store {
				return open(t, fresh(t), sqlstore.Config{Now: now})
			})
		})
	}
}
