package audit_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/gatehouse-go/gatehouse/audit"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
)

// A host records its own actions and reads them back as the audit and the
// per-day statistics.
func ExampleRecorder() {
	store := memstore.New(memstore.Config{})
	defer store.Close()
	// Buffer: 0 writes through; a host under load sets a buffer and closes
	// the recorder on shutdown to flush it.
	rec, err := audit.New(store.Audit(), audit.Config{Buffer: 64, Server: "node-1"})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	at := time.Date(2024, 2, 21, 6, 30, 0, 0, time.UTC)
	err = rec.Record(ctx, audit.Action{
		Time: at, Username: "alice", Company: "acme",
		Service: "UNIVERSAL", OperationID: "run_plan_calculation", MethodGroup: "PLAN",
		Points: 15, UniquePoints: 15, Duration: 1500 * time.Millisecond, Outcome: "ok",
	})
	if errors.Is(err, audit.ErrBufferFull) {
		fmt.Println("audit buffer full: the action was not recorded")
	}
	if err := rec.Close(); err != nil { // writes what is still buffered
		panic(err)
	}
	fmt.Printf("written %d, rejected %d, failed %d\n", rec.Stats().Written, rec.Stats().Rejected, rec.Stats().Failed)

	alice := audit.Viewer{Username: "alice", Company: "acme", Location: time.FixedZone("UTC+3", 3*3600)}
	q, err := audit.ParseQuery(url.Values{"from": {"2024-02-21T00:00:00+03:00"}}, alice, at.Add(time.Hour))
	if err != nil {
		panic(err)
	}
	page, err := store.Audit().QueryAudit(ctx, q)
	if err != nil {
		panic(err)
	}
	doc := audit.NewPageDocument(page, alice.Location)
	fmt.Println(doc.Actions[0].TraceData.Time, doc.Actions[0].Statistics.Duration)

	p, err := audit.StatisticsPeriod(url.Values{"from": {"2024-02-21"}, "to": {"2024-02-21"}}, at, alice.Location)
	if err != nil {
		panic(err)
	}
	st, err := audit.CollectStatistics(ctx, store.Audit(), alice, p)
	if err != nil {
		panic(err)
	}
	fmt.Println(st.Dates[0].Date, st.Dates[0].Services[0].Methods[0].PointsPerDay)

	_, err = audit.ParseQuery(url.Values{"limit": {"0"}}, alice, at)
	fmt.Println(err)
	// Output:
	// written 1, rejected 0, failed 0
	// 2024-02-21T09:30:00+03:00 PT1.5S
	// 2024-02-21 15
	// audit: limit: 0 out of range 1..10000000
}
