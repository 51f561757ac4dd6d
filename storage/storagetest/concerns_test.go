package storagetest_test

import (
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/storage/storagetest"
)

// newMem returns a memstore on now, closed when t ends.
func newMem(t *testing.T, now func() time.Time) *memstore.Store {
	s := memstore.New(memstore.Config{Now: now})
	t.Cleanup(func() { s.Close() })
	return s
}

// Each concern's Run function checks that concern's interface alone.
func TestRunEachConcern(t *testing.T) {
	storagetest.RunBackend(t, func(t *testing.T, now func() time.Time) storage.Backend { return newMem(t, now) })
	storagetest.RunUsers(t, func(t *testing.T, now func() time.Time) storage.UserStore { return newMem(t, now).Users() })
	storagetest.RunRoles(t, func(t *testing.T, now func() time.Time) storage.RoleStore { return newMem(t, now).Roles() })
	storagetest.RunParameters(t, func(t *testing.T, now func() time.Time) storage.ParameterStore {
		return newMem(t, now).Parameters()
	})
	storagetest.RunSessions(t, func(t *testing.T, now func() time.Time) storage.SessionStore { return newMem(t, now).Sessions() })
	storagetest.RunAudit(t, func(t *testing.T, now func() time.Time) storage.AuditStore { return newMem(t, now).Audit() })
	storagetest.RunCounters(t, func(t *testing.T, now func() time.Time) storage.CounterStore { return newMem(t, now).Counters() })
}
