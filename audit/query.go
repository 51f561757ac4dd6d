package audit

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gatehouse-go/gatehouse/storage"
)

// Limits of the GET /audit parameters, as the account service sets them.
const (
	MaxOffset    = 10_000_000
	MaxLimit     = 10_000_000
	DefaultLimit = 100
)

// ParseQuery validates the GET /audit parameters of v for viewer at time
// now and returns the store query, or a *ParamError naming the first bad
// parameter:
//
//   - offset: integer 0..MaxOffset, default 0;
//   - limit: integer 1..MaxLimit, default DefaultLimit;
//   - from, to: ISO 8601 (RFC 3339) date-times with an offset, both
//     inclusive; from defaults to the start of the current day in the
//     viewer's time zone, to to now; from after to is an error;
//   - service_name, method_group: 1..64 ASCII word characters;
//   - operation_id: 3..256 characters;
//   - sort_field: one of storage.AuditSortFields, default "time";
//   - sort_direction: ASC (default) or DESC.
//
// A parameter given twice is an error; unknown parameters are ignored. The
// query always carries the viewer's company, and the viewer's username
// unless Viewer.ReadAll.
func ParseQuery(v url.Values, viewer Viewer, now time.Time) (storage.AuditQuery, error) {
	if viewer.Company == "" {
		return storage.AuditQuery{}, ErrNoCompany
	}
	q := storage.AuditQuery{Company: viewer.Company, Limit: DefaultLimit, SortField: storage.SortByTime}
	if !viewer.ReadAll {
		q.Username = viewer.Username
	}
	var err error
	if q.Offset, err = intParam(v, "offset", 0, MaxOffset, 0); err != nil {
		return q, err
	}
	if q.Limit, err = intParam(v, "limit", 1, MaxLimit, DefaultLimit); err != nil {
		return q, err
	}
	loc := viewer.location()
	n := now.In(loc)
	q.From = time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc)
	q.To = now
	if q.From, err = timeParam(v, "from", q.From); err != nil {
		return q, err
	}
	if q.To, err = timeParam(v, "to", q.To); err != nil {
		return q, err
	}
	if q.From.After(q.To) {
		return q, paramErr("from", "%s is after to %s", q.From.Format(time.RFC3339), q.To.Format(time.RFC3339))
	}
	if q.Service, err = nameParam(v, "service_name"); err != nil {
		return q, err
	}
	if q.MethodGroup, err = nameParam(v, "method_group"); err != nil {
		return q, err
	}
	if s, ok, err := single(v, "operation_id"); err != nil {
		return q, err
	} else if ok {
		if n := utf8.RuneCountInString(s); !utf8.ValidString(s) || n < 3 || n > 256 {
			return q, paramErr("operation_id", "length must be 3..256 characters")
		}
		q.OperationID = s
	}
	if s, ok, err := single(v, "sort_field"); err != nil {
		return q, err
	} else if ok {
		f := storage.AuditSortField(s)
		if !slices.Contains(storage.AuditSortFields, f) {
			names := make([]string, len(storage.AuditSortFields))
			for i, f := range storage.AuditSortFields {
				names[i] = string(f)
			}
			return q, paramErr("sort_field", "%q is not sortable; allowed: %s", truncate(s, 64), strings.Join(names, ", "))
		}
		q.SortField = f
	}
	if s, ok, err := single(v, "sort_direction"); err != nil {
		return q, err
	} else if ok {
		switch s {
		case "ASC":
		case "DESC":
			q.Descending = true
		default:
			return q, paramErr("sort_direction", "must be ASC or DESC")
		}
	}
	return q, nil
}

// single returns the parameter's only value; ok is false when it is absent.
func single(v url.Values, name string) (string, bool, error) {
	vals, ok := v[name]
	switch {
	case !ok:
		return "", false, nil
	case len(vals) > 1:
		return "", false, paramErr(name, "given more than once")
	}
	return vals[0], true, nil
}

func intParam(v url.Values, name string, lo, hi, def int) (int, error) {
	s, ok, err := single(v, name)
	if err != nil || !ok {
		return def, err
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, paramErr(name, "must be an integer %d..%d", lo, hi)
	}
	if n < lo || n > hi {
		return 0, paramErr(name, "%d out of range %d..%d", n, lo, hi)
	}
	return n, nil
}

// timeParam parses an RFC 3339 date-time. A '+' of the offset that arrived
// unescaped in a query string reads as a space; it is taken back as '+'.
func timeParam(v url.Values, name string, def time.Time) (time.Time, error) {
	s, ok, err := single(v, name)
	if err != nil || !ok {
		return def, err
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		if i := strings.LastIndexByte(s, ' '); i > 0 {
			t, err = time.Parse(time.RFC3339, s[:i]+"+"+s[i+1:])
		}
	}
	if err != nil {
		return time.Time{}, paramErr(name, "must be an ISO 8601 date-time with an offset, such as 2024-02-21T09:30:00+03:00")
	}
	return t, nil
}

func nameParam(v url.Values, name string) (string, error) {
	s, ok, err := single(v, name)
	if err != nil || !ok {
		return "", err
	}
	if len(s) < 1 || len(s) > 64 || !isWord(s) {
		return "", paramErr(name, "must be 1..64 characters of A-Z, a-z, 0-9 and _")
	}
	return s, nil
}

func isWord(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
