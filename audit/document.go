package audit

import (
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
)

// PageDocument is the GET /audit response body of the account service.
type PageDocument struct {
	Actions    []ActionDocument `json:"actions"`
	Statistics PageStatistics   `json:"statistics"`
}

// PageStatistics holds the totals of a page: Overall counts every action the
// viewer may see, Filter those matching the filters (before paging).
type PageStatistics struct {
	Overall Total `json:"overall"`
	Filter  Total `json:"filter"`
}

// Total is a count of actions.
type Total struct {
	Total int `json:"total"`
}

// ActionDocument is one action of the GET /audit response.
type ActionDocument struct {
	Username    string          `json:"username"`
	CompanyKey  string          `json:"company_key"`
	TraceData   TraceData       `json:"tracedata"`
	MethodGroup string          `json:"method_group"`
	Statistics  ActionStatistic `json:"statistics"`
}

// TraceData identifies an action as the account service's tracedata does.
type TraceData struct {
	Code      string `json:"code"`
	Client    string `json:"client"`
	Server    string `json:"server"`
	Service   string `json:"service"`
	Operation string `json:"operation"`
	// Time is RFC 3339 in the viewer's time zone.
	Time string `json:"time"`
}

// ActionStatistic is an action's usage: its points and its duration as an
// ISO 8601 duration.
type ActionStatistic struct {
	PointsCount int64  `json:"points_count"`
	Duration    string `json:"duration"`
}

// NewPageDocument renders p with times in loc (nil: UTC).
func NewPageDocument(p storage.AuditPage, loc *time.Location) PageDocument {
	if loc == nil {
		loc = time.UTC
	}
	d := PageDocument{
		Actions:    make([]ActionDocument, len(p.Records)),
		Statistics: PageStatistics{Overall: Total{p.Total}, Filter: Total{p.Filtered}},
	}
	for i, r := range p.Records {
		d.Actions[i] = ActionDocument{
			Username:    r.Username,
			CompanyKey:  r.Company,
			TraceData:   NewTraceData(r, loc),
			MethodGroup: r.MethodGroup,
			Statistics:  ActionStatistic{PointsCount: r.Points, Duration: FormatDuration(r.Duration)},
		}
	}
	return d
}

// NewTraceData returns the tracedata of r with its time in loc (nil: UTC).
func NewTraceData(r storage.AuditRecord, loc *time.Location) TraceData {
	if loc == nil {
		loc = time.UTC
	}
	client := ""
	if r.Company != "" || r.Username != "" {
		client = r.Company + "_|_" + r.Username
	}
	return TraceData{
		Code:      r.TraceCode,
		Client:    client,
		Server:    r.Server,
		Service:   r.Service,
		Operation: r.OperationID,
		Time:      r.Time.In(loc).Format(time.RFC3339),
	}
}

// FormatDuration writes d as an ISO 8601 duration in days, hours, minutes
// and seconds ("P1DT2H12M34.3S", "PT0.25S", "PT0S"). Years and months are
// never used: their length varies.
func FormatDuration(d time.Duration) string {
	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		d = -d
	}
	b.WriteByte('P')
	days := d / (24 * time.Hour)
	if days > 0 {
		b.WriteString(strconv.FormatInt(int64(days), 10) + "D")
		d -= days * 24 * time.Hour
	}
	if d == 0 {
		if days == 0 {
			b.WriteString("T0S")
		}
		return b.String()
	}
	b.WriteByte('T')
	if h := d / time.Hour; h > 0 {
		b.WriteString(strconv.FormatInt(int64(h), 10) + "H")
		d -= h * time.Hour
	}
	if m := d / time.Minute; m > 0 {
		b.WriteString(strconv.FormatInt(int64(m), 10) + "M")
		d -= m * time.Minute
	}
	if d > 0 {
		s := strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
		b.WriteString(s + "S")
	}
	return b.String()
}
