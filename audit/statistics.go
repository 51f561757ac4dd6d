package audit

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
)

// Statistics is the GET /statistics response body of the account service: one
// entry per day of the period, in order.
type Statistics struct {
	Username string           `json:"username"`
	Dates    []DateStatistics `json:"dates"`
}

// DateStatistics is one day's usage, by service (sorted by name).
type DateStatistics struct {
	// Date is YYYY-MM-DD in the viewer's time zone.
	Date     string              `json:"date"`
	Services []ServiceStatistics `json:"services"`
}

// ServiceStatistics is one service's usage on a day, by method group
// (sorted by name).
type ServiceStatistics struct {
	Service string             `json:"service"`
	Methods []MethodStatistics `json:"methods"`
}

// MethodStatistics sums the points of one method group on a day.
type MethodStatistics struct {
	MethodGroup        string `json:"method_group"`
	UniquePointsPerDay int64  `json:"unique_points_per_day"`
	PointsPerDay       int64  `json:"points_per_day"`
}

// StatisticsPageSize is how many records CollectStatistics reads per store
// query.
const StatisticsPageSize = 1000

// CollectStatistics sums the viewer's own actions over p: Points and
// UniquePoints per day (cut in p's time zone, which should be the viewer's),
// service and method group. Every day of p is listed, with no services when
// nothing happened; actions that count no points (gatehouse's security
// events) are left out. The store has no aggregation, so the records are read
// page by page, StatisticsPageSize at a time, ordered by time; actions
// recorded inside the period while it runs may be counted or not.
func CollectStatistics(ctx context.Context, store storage.AuditStore, viewer Viewer, p Period) (Statistics, error) {
	if viewer.Company == "" {
		return Statistics{}, ErrNoCompany
	}
	st := Statistics{Username: viewer.Username, Dates: []DateStatistics{}}
	if p.Empty() {
		return st, nil
	}
	loc := p.From.Location()
	type key struct {
		day            string
		service, group string
	}
	sums := make(map[key]*MethodStatistics)
	q := storage.AuditQuery{
		Company:   viewer.Company,
		Username:  viewer.Username,
		From:      p.From,
		To:        nextDay(p.To).Add(-time.Nanosecond),
		SortField: storage.SortByTime,
		Limit:     StatisticsPageSize,
	}
	for {
		page, err := store.QueryAudit(ctx, q)
		if err != nil {
			return Statistics{}, fmt.Errorf("audit: statistics: %w", err)
		}
		for _, r := range page.Records {
			if r.Points == 0 && r.UniquePoints == 0 {
				continue
			}
			k := key{r.Time.In(loc).Format(DateLayout), r.Service, r.MethodGroup}
			m := sums[k]
			if m == nil {
				m = &MethodStatistics{MethodGroup: r.MethodGroup}
				sums[k] = m
			}
			m.PointsPerDay += r.Points
			m.UniquePointsPerDay += r.UniquePoints
		}
		q.Offset += len(page.Records)
		if len(page.Records) < q.Limit || q.Offset >= page.Filtered {
			break
		}
	}
	byDay := make(map[string]map[string][]MethodStatistics)
	for k, m := range sums {
		if byDay[k.day] == nil {
			byDay[k.day] = make(map[string][]MethodStatistics)
		}
		byDay[k.day][k.service] = append(byDay[k.day][k.service], *m)
	}
	for d := p.From; !d.After(p.To); d = nextDay(d) {
		date := d.Format(DateLayout)
		ds := DateStatistics{Date: date, Services: []ServiceStatistics{}}
		for service, methods := range byDay[date] {
			slices.SortFunc(methods, func(a, b MethodStatistics) int { return cmp.Compare(a.MethodGroup, b.MethodGroup) })
			ds.Services = append(ds.Services, ServiceStatistics{Service: service, Methods: methods})
		}
		slices.SortFunc(ds.Services, func(a, b ServiceStatistics) int { return cmp.Compare(a.Service, b.Service) })
		st.Dates = append(st.Dates, ds)
	}
	return st, nil
}
