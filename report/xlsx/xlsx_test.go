package xlsx_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/audit"
	"github.com/gatehouse-go/gatehouse/report/xlsx"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

func TestWorkbookHoldsTheStatistics(t *testing.T) {
	// The numbers come from real recorded actions, so the file is checked
	// against what GET /statistics answers for the same period.
	store := memstore.New(memstore.Config{})
	defer store.Close()
	rec, err := audit.New(store.Audit(), audit.Config{})
	require.NoError(t, err)
	ctx := context.Background()
	for _, a := range []audit.Action{
		{Time: time.Date(2024, 2, 5, 10, 0, 0, 0, time.UTC), Service: "UNIVERSAL", MethodGroup: "PLAN", Points: 1000, UniquePoints: 900},
		{Time: time.Date(2024, 2, 5, 11, 0, 0, 0, time.UTC), Service: "UNIVERSAL", MethodGroup: "PLAN", Points: 500, UniquePoints: 600},
		{Time: time.Date(2024, 2, 5, 12, 0, 0, 0, time.UTC), Service: "ROUTING", MethodGroup: "TRACE", Points: 7, UniquePoints: 3},
		{Time: time.Date(2024, 2, 7, 12, 0, 0, 0, time.UTC), Service: "UNIVERSAL", MethodGroup: "PLAN", Points: 1, UniquePoints: 1},
	} {
		a.Username, a.Company, a.OperationID = "alice", "acme", "run"
		require.NoError(t, rec.Record(ctx, a))
	}
	viewer := audit.Viewer{Username: "alice", Company: "acme"}
	p, err := audit.ReportPeriod(url.Values{"from": {"2024-02-05"}, "to": {"2024-02-07"}}, time.Now(), time.UTC)
	require.NoError(t, err)
	stats, err := audit.CollectStatistics(ctx, store.Audit(), viewer, p)
	require.NoError(t, err)

	var buf bytes.Buffer
	var w audit.ReportWriter = xlsx.New()
	require.NoError(t, w.Write(&buf, stats))

	f, err := excelize.OpenReader(&buf)
	require.NoError(t, err)
	defer f.Close()
	assert.Equal(t, []string{xlsx.SheetName}, f.GetSheetList())
	rows, err := f.GetRows(xlsx.SheetName)
	require.NoError(t, err)
	assert.Equal(t, [][]string{
		{"Usage of alice, 2024-02-05 to 2024-02-07"},
		{"Date", "Service", "Method group", "Unique points per day", "Points per day"},
		{"2024-02-05", "ROUTING", "TRACE", "3", "7"},
		{"2024-02-05", "UNIVERSAL", "PLAN", "1500", "1500"},
		{"2024-02-06", "", "", "0", "0"},
		{"2024-02-07", "UNIVERSAL", "PLAN", "1", "1"},
	}, rows)

	// Points are numbers in the workbook, not text.
	typ, err := f.GetCellType(xlsx.SheetName, "E4")
	require.NoError(t, err)
	assert.NotEqual(t, excelize.CellTypeSharedString, typ)
	assert.NotEqual(t, excelize.CellTypeInlineString, typ)

	// And they are the numbers of the JSON statistics.
	for i, d := range stats.Dates {
		_ = i
		for _, s := range d.Services {
			for _, m := range s.Methods {
				found := false
				for _, r := range rows[2:] {
					if r[0] == d.Date && r[1] == s.Service && r[2] == m.MethodGroup {
						found = true
						assert.Equal(t, fmt.Sprint(m.PointsPerDay), r[4])
						assert.Equal(t, fmt.Sprint(m.UniquePointsPerDay), r[3])
					}
				}
				assert.True(t, found, "%s %s %s", d.Date, s.Service, m.MethodGroup)
			}
		}
	}
}

func TestEmptyStatistics(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, xlsx.New().Write(&buf, audit.Statistics{Username: "bob", Dates: []audit.DateStatistics{}}))
	f, err := excelize.OpenReader(&buf)
	require.NoError(t, err)
	defer f.Close()
	rows, err := f.GetRows(xlsx.SheetName)
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"Usage of bob"}, {"Date", "Service", "Method group", "Unique points per day", "Points per day"}}, rows)
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrorIsReturned(t *testing.T) {
	err := xlsx.New().Write(failingWriter{}, audit.Statistics{Username: "bob"})
	assert.ErrorContains(t, err, "disk full")
}
