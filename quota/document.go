package quota

import (
	"cmp"
	"slices"

	"github.com/gatehouse-go/gatehouse/permissions"
)

// Document is the GET /quotas response body of the account service.
type Document struct {
	Base Base `json:"base"`
}

// Base holds the quotas of every service.
type Base struct {
	Services []ServiceQuotas `json:"services"`
}

// ServiceQuotas are one service's quotas, by method group.
type ServiceQuotas struct {
	Service string         `json:"service"`
	Methods []MethodQuotas `json:"methods"`
}

// MethodQuotas are the limits of one method group; 0 means no limit.
type MethodQuotas struct {
	MethodGroup            string `json:"method_group"`
	PointsPerRequest       int64  `json:"points_per_request"`
	PointsPerDay           int64  `json:"points_per_day"`
	PointsPerDateWindow    int64  `json:"points_per_date_window"`
	MaxConcurrentExecution int64  `json:"max_concurrent_execution"`
}

// NewDocument builds the /quotas document from a user's effective quotas
// (permissions.Set.Quotas), services and method groups sorted by name. If
// quotas holds one service and method group twice, the most generous value
// of each field is kept, as Set.Quotas does.
func NewDocument(quotas []permissions.Quota) Document {
	qs := slices.Clone(quotas)
	slices.SortFunc(qs, func(a, b permissions.Quota) int {
		return cmp.Or(cmp.Compare(a.Service, b.Service), cmp.Compare(a.MethodGroup, b.MethodGroup))
	})
	d := Document{Base: Base{Services: []ServiceQuotas{}}}
	for _, q := range qs {
		n := len(d.Base.Services)
		if n == 0 || d.Base.Services[n-1].Service != q.Service {
			d.Base.Services = append(d.Base.Services, ServiceQuotas{Service: q.Service, Methods: []MethodQuotas{}})
			n++
		}
		s := &d.Base.Services[n-1]
		m := MethodQuotas{q.MethodGroup, q.PointsPerRequest, q.PointsPerDay, q.PointsPerDateWindow, q.MaxConcurrentExecution}
		if k := len(s.Methods); k > 0 && s.Methods[k-1].MethodGroup == q.MethodGroup {
			p := &s.Methods[k-1]
			p.PointsPerRequest = generous(p.PointsPerRequest, m.PointsPerRequest)
			p.PointsPerDay = generous(p.PointsPerDay, m.PointsPerDay)
			p.PointsPerDateWindow = generous(p.PointsPerDateWindow, m.PointsPerDateWindow)
			p.MaxConcurrentExecution = generous(p.MaxConcurrentExecution, m.MaxConcurrentExecution)
			continue
		}
		s.Methods = append(s.Methods, m)
	}
	return d
}

// generous returns the more generous of two limits: 0 (none) or the larger.
func generous(a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	return max(a, b)
}
